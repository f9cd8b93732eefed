//! Checks on Amazon Bedrock: customer managed keys on custom models, customization jobs,
//! guardrails, agents and knowledge-base data sources (SECAI3.3), guardrail filters
//! (prompt attacks, PII), agents with guardrails, and model invocation logging (SECAI3.15).

use crate::catalog::framework::{ACCUAI3_6, PRIVACY_PII, SAFE_GUARDRAILS, SECAI3_3, SECAI3_15};
use crate::catalog::params::FilterStrength;
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::outcome::Verdict;
use crate::domain::resource::{Readable, Resource};
use crate::domain::resources::bedrock::{
    Agent, BucketDestination, CustomModel, DataSource, Guardrail, GuardrailInventory,
    InvocationLogging, LogGroupDestination, LoggingConfig, ModelCustomizationJob,
};
use crate::domain::resources::bedrock::{
    ContentFilter, EnforcedGuardrailConfig, EnforcedGuardrails, GuardrailEnforcement,
    OrganizationGuardrail, OrganizationGuardrails,
};
use crate::domain::resources::bedrock::{ImportedModel, ModelInvocationJob};

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &CUSTOM_MODEL_KMS_KEY,
    &CUSTOMIZATION_JOB_KMS_KEY,
    &GUARDRAIL_KMS_KEY,
    &GUARDRAIL_PROMPT_ATTACK_FILTER,
    &GUARDRAIL_PII_FILTER,
    &AGENT_KMS_KEY,
    &AGENT_GUARDRAIL,
    &DATA_SOURCE_KMS_KEY,
    &INVOCATION_LOGGING_ENABLED,
    &INVOCATION_LOGGING_TEXT_DELIVERY,
    &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
    &PROTECTIVE_GUARDRAIL_EXISTS,
    &IMPORTED_MODEL_KMS_KEY,
    &INVOCATION_JOB_OUTPUT_KMS_KEY,
    &CONTENT_FILTERS_BLOCK,
    &CONTEXTUAL_GROUNDING,
    &ENFORCED_GUARDRAIL_ALL_MODELS,
];

/// Safe and Privacy: the region has at least one guardrail that both blocks prompt attacks at
/// HIGH strength and filters sensitive information. It reuses the two per-guardrail checks.
pub static PROTECTIVE_GUARDRAIL_EXISTS: Check = Check {
    id: "bedrock_guardrail_protective_exists",
    version: 1,
    title: "A Bedrock guardrail with a HIGH prompt-attack filter and a PII filter exists in the region",
    controls: &[&SAFE_GUARDRAILS, &PRIVACY_PII],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:ListGuardrails", "bedrock:GetGuardrail"],
    passes_when: "At least one guardrail passes both bedrock_guardrail_prompt_attack_filter_high and bedrock_guardrail_pii_filter.",
    remediation: "aws bedrock create-guardrail --name genai-default --content-policy-config '{\"filtersConfig\":[{\"type\":\"PROMPT_ATTACK\",\"inputStrength\":\"HIGH\",\"outputStrength\":\"NONE\"}]}' --sensitive-information-policy-config '{\"piiEntitiesConfig\":[{\"type\":\"EMAIL\",\"action\":\"ANONYMIZE\"}]}' --blocked-input-messaging ... --blocked-outputs-messaging ...",
    evaluator: Evaluator::BedrockGuardrailInventory(protective_guardrail_exists),
};

fn protective_guardrail_exists(inventory: &GuardrailInventory, params: &Params) -> Outcome {
    let guardrails = match &inventory.guardrails {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(guardrails) => guardrails,
    };
    let mut undecided = Vec::new();
    for guardrail in guardrails {
        let verdict = protective_verdict(guardrail, params);
        let label = guardrail
            .name
            .clone()
            .unwrap_or_else(|| guardrail.id.clone());
        if verdict == Verdict::Compliant {
            return Outcome::compliant(
                format!(
                    "guardrail {label} blocks prompt attacks at HIGH strength and filters sensitive information"
                ),
                "applications and agents in the region have a protective guardrail to apply",
            );
        }
        if verdict == Verdict::CouldNotEvaluate {
            undecided.push(label);
        }
    }
    if !undecided.is_empty() {
        return Outcome::could_not_evaluate(format!(
            "guardrail(s) {} could not be read",
            undecided.join(", ")
        ));
    }
    let observed = match guardrails.len() {
        0 => format!("region {} has no guardrail", inventory.region),
        n => format!(
            "none of the {n} guardrail(s) in {} has both a HIGH prompt-attack filter and a PII filter",
            inventory.region
        ),
    };
    Outcome::non_compliant(
        observed,
        "without one, prompts and completions are not screened for attacks or personal data",
    )
}

/// The protective-guardrail test of one guardrail: both
/// `bedrock_guardrail_prompt_attack_filter_high` and `bedrock_guardrail_pii_filter` pass
/// (compliant), one fails (non-compliant), or neither fails and one cannot be decided.
pub fn protective_verdict(guardrail: &Guardrail, params: &Params) -> Verdict {
    let resource = Resource::BedrockGuardrail(guardrail.clone());
    let verdicts = [
        GUARDRAIL_PROMPT_ATTACK_FILTER
            .evaluate(&resource, params)
            .verdict,
        GUARDRAIL_PII_FILTER.evaluate(&resource, params).verdict,
    ];
    if verdicts.iter().all(|v| *v == Verdict::Compliant) {
        Verdict::Compliant
    } else if verdicts.contains(&Verdict::NonCompliant) {
        Verdict::NonCompliant
    } else {
        Verdict::CouldNotEvaluate
    }
}

/// SECAI3.3: the custom model is encrypted with a customer managed KMS key.
pub static CUSTOM_MODEL_KMS_KEY: Check = Check {
    id: "bedrock_custom_model_kms_key",
    version: 1,
    title: "Bedrock custom model is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:ListCustomModels", "bedrock:GetCustomModel"],
    passes_when: "GetCustomModel returns a modelKmsKeyArn.",
    remediation: "A custom model's key cannot be changed: run the customization job again with --custom-model-kms-key-id <key-arn> (aws bedrock create-model-customization-job), move consumers to the new model, delete the old one.",
    evaluator: Evaluator::BedrockCustomModel(custom_model_kms_key),
};

/// SECAI3.3: the customization job encrypts its output model with a customer managed KMS key.
pub static CUSTOMIZATION_JOB_KMS_KEY: Check = Check {
    id: "bedrock_model_customization_job_output_kms_key",
    version: 1,
    title: "Bedrock model customization job encrypts its output model with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[
        "bedrock:ListModelCustomizationJobs",
        "bedrock:GetModelCustomizationJob",
    ],
    passes_when: "GetModelCustomizationJob returns an outputModelKmsKeyArn.",
    remediation: "Start customization jobs with --custom-model-kms-key-id <key-arn> (aws bedrock create-model-customization-job); the output model of a finished job keeps its key, so retrain it under a customer managed key.",
    evaluator: Evaluator::BedrockModelCustomizationJob(customization_job_kms_key),
};

/// SECAI3.3: the guardrail is encrypted with a customer managed KMS key.
pub static GUARDRAIL_KMS_KEY: Check = Check {
    id: "bedrock_guardrail_kms_key",
    version: 1,
    title: "Bedrock guardrail is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["bedrock:ListGuardrails", "bedrock:GetGuardrail"],
    passes_when: "The guardrail names a kmsKeyArn (KmsKeyArn in its configuration item).",
    remediation: "aws bedrock update-guardrail --guardrail-identifier <id> --kms-key-id <key-arn> (with the guardrail's other settings), then create a new guardrail version.",
    evaluator: Evaluator::BedrockGuardrail(guardrail_kms_key),
};

/// Safe: the guardrail filters prompt attacks on input at HIGH strength.
pub static GUARDRAIL_PROMPT_ATTACK_FILTER: Check = Check {
    id: "bedrock_guardrail_prompt_attack_filter_high",
    version: 1,
    title: "Bedrock guardrail blocks prompt attacks on input at HIGH strength",
    controls: &[&SAFE_GUARDRAILS],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:ListGuardrails", "bedrock:GetGuardrail"],
    passes_when: "The guardrail's content policy has a PROMPT_ATTACK filter with inputStrength HIGH that is not disabled on input and does not only detect (inputAction is not NONE).",
    remediation: "aws bedrock update-guardrail --guardrail-identifier <id> --content-policy-config '{\"filtersConfig\":[{\"type\":\"PROMPT_ATTACK\",\"inputStrength\":\"HIGH\",\"outputStrength\":\"NONE\"}]}' (keeping the other filters), then create a new guardrail version.",
    evaluator: Evaluator::BedrockGuardrail(guardrail_prompt_attack_filter),
};

/// Privacy: the guardrail has a sensitive-information (PII) filter.
pub static GUARDRAIL_PII_FILTER: Check = Check {
    id: "bedrock_guardrail_pii_filter",
    version: 1,
    title: "Bedrock guardrail has a sensitive information (PII) filter",
    controls: &[&PRIVACY_PII],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:ListGuardrails", "bedrock:GetGuardrail"],
    passes_when: "The guardrail's sensitive information policy lists at least one PII entity type or regex.",
    remediation: "aws bedrock update-guardrail --guardrail-identifier <id> --sensitive-information-policy-config '{\"piiEntitiesConfig\":[{\"type\":\"EMAIL\",\"action\":\"ANONYMIZE\"}]}' (with the PII types your data holds), then create a new guardrail version.",
    evaluator: Evaluator::BedrockGuardrail(guardrail_pii_filter),
};

/// SECAI3.3: the agent is encrypted with a customer managed KMS key.
pub static AGENT_KMS_KEY: Check = Check {
    id: "bedrock_agent_kms_key",
    version: 1,
    title: "Bedrock agent is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["bedrock:ListAgents", "bedrock:GetAgent"],
    passes_when: "GetAgent returns a customerEncryptionKeyArn.",
    remediation: "aws bedrock-agent update-agent --agent-id <id> --customer-encryption-key-arn <key-arn> (with the agent's other required settings), then prepare the agent.",
    evaluator: Evaluator::BedrockAgent(agent_kms_key),
};

/// Safe: the agent applies a guardrail.
pub static AGENT_GUARDRAIL: Check = Check {
    id: "bedrock_agent_guardrail_attached",
    version: 1,
    title: "Bedrock agent has a guardrail attached",
    controls: &[&SAFE_GUARDRAILS],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:ListAgents", "bedrock:GetAgent"],
    passes_when: "GetAgent returns a guardrailConfiguration with a guardrailIdentifier.",
    remediation: "aws bedrock-agent update-agent --agent-id <id> --guardrail-configuration guardrailIdentifier=<guardrail-id>,guardrailVersion=<version> (with the agent's other required settings), then prepare the agent.",
    evaluator: Evaluator::BedrockAgent(agent_guardrail),
};

/// SECAI3.3: the knowledge-base data source encrypts ingestion data with a customer managed key
/// (as the managed rule bedrock-data-source-encryption-enabled, Security Hub Bedrock.1).
pub static DATA_SOURCE_KMS_KEY: Check = Check {
    id: "bedrock_data_source_kms_key",
    version: 1,
    title: "Bedrock knowledge base data source is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["Bedrock.1"],
    severity: Severity::High,
    api_actions: &[
        "bedrock:ListKnowledgeBases",
        "bedrock:ListDataSources",
        "bedrock:GetDataSource",
    ],
    passes_when: "The data source's serverSideEncryptionConfiguration names a kmsKeyArn (ServerSideEncryptionConfiguration.KmsKeyArn in its configuration item), as Security Hub Bedrock.1 requires.",
    remediation: "aws bedrock-agent update-data-source --knowledge-base-id <kb-id> --data-source-id <id> --name <name> --data-source-configuration <current> --server-side-encryption-configuration kmsKeyArn=<key-arn>",
    evaluator: Evaluator::BedrockDataSource(data_source_kms_key),
};

/// SECAI3.15: model invocation logging is on, with at least one destination.
pub static INVOCATION_LOGGING_ENABLED: Check = Check {
    id: "bedrock_invocation_logging_enabled",
    version: 1,
    title: "Bedrock model invocation logging is on with a CloudWatch Logs or S3 destination",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:GetModelInvocationLoggingConfiguration"],
    passes_when: "GetModelInvocationLoggingConfiguration returns a loggingConfig with a cloudWatchConfig or an s3Config.",
    remediation: "aws bedrock put-model-invocation-logging-configuration --logging-config '{\"cloudWatchConfig\":{\"logGroupName\":\"<group>\",\"roleArn\":\"<role-arn>\"},\"textDataDeliveryEnabled\":true}'",
    evaluator: Evaluator::BedrockInvocationLogging(invocation_logging_enabled),
};

/// SECAI3.15: invocation logs include the text of prompts and responses.
pub static INVOCATION_LOGGING_TEXT_DELIVERY: Check = Check {
    id: "bedrock_invocation_logging_text_delivery",
    version: 1,
    title: "Bedrock model invocation logging delivers text prompts and responses",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["bedrock:GetModelInvocationLoggingConfiguration"],
    passes_when: "Invocation logging has a destination and textDataDeliveryEnabled is true.",
    remediation: "Set textDataDeliveryEnabled to true in the logging configuration: aws bedrock put-model-invocation-logging-configuration --logging-config '{...,\"textDataDeliveryEnabled\":true}'",
    evaluator: Evaluator::BedrockInvocationLogging(invocation_logging_text_delivery),
};

/// SECAI3.3: every invocation-log destination is encrypted with a KMS key.
pub static INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED: Check = Check {
    id: "bedrock_invocation_logging_destinations_kms",
    version: 1,
    title: "Bedrock invocation log destinations are encrypted with KMS keys",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[
        "bedrock:GetModelInvocationLoggingConfiguration",
        "logs:DescribeLogGroups",
        "s3:GetEncryptionConfiguration",
    ],
    passes_when: "Invocation logging has a destination, its log group has a kmsKeyId, and every bucket it delivers to has aws:kms or aws:kms:dsse default encryption. Not applicable when logging has no destination (bedrock_invocation_logging_enabled fails then).",
    remediation: "aws logs associate-kms-key --log-group-name <group> --kms-key-id <key-arn>; aws s3api put-bucket-encryption --bucket <bucket> --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"<key-arn>\"}}]}'",
    evaluator: Evaluator::BedrockInvocationLogging(invocation_logging_destinations_encrypted),
};

/// The common decision of the "encrypted with a customer managed key" checks.
fn customer_managed_key(
    field: &Readable<Option<String>>,
    what: &str,
    setting: &str,
    protects: &str,
) -> Outcome {
    match field {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(key)) if !key.trim().is_empty() => Outcome::compliant(
            format!("{what} is encrypted with KMS key {}", key.trim()),
            format!(
                "{protects} is encrypted at rest under a customer managed key whose use is governed by key policy and logged in CloudTrail"
            ),
        ),
        Ok(_) => Outcome::non_compliant(
            format!("{what} has no {setting}, so it is encrypted with an AWS owned key"),
            format!(
                "SECAI3.3 needs {protects} encrypted under a customer managed key so access to it is governed by key policy"
            ),
        ),
    }
}

fn custom_model_kms_key(model: &CustomModel, _params: &Params) -> Outcome {
    customer_managed_key(
        &model.kms_key_arn,
        "the custom model",
        "modelKmsKeyArn",
        "the model's weights, derived from training data,",
    )
}

fn customization_job_kms_key(job: &ModelCustomizationJob, _params: &Params) -> Outcome {
    customer_managed_key(
        &job.output_model_kms_key_arn,
        "the customization job's output model",
        "outputModelKmsKeyArn",
        "the model trained on customer data",
    )
}

fn guardrail_kms_key(guardrail: &Guardrail, _params: &Params) -> Outcome {
    customer_managed_key(
        &guardrail.kms_key_arn,
        "the guardrail",
        "kmsKeyArn",
        "the guardrail's policies (denied topics, words, regexes)",
    )
}

fn guardrail_prompt_attack_filter(guardrail: &Guardrail, _params: &Params) -> Outcome {
    let filters = match &guardrail.content_filters {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(filters) => filters,
    };
    let Some(filter) = filters
        .iter()
        .find(|f| f.filter_type.eq_ignore_ascii_case("PROMPT_ATTACK"))
    else {
        return Outcome::non_compliant(
            "the guardrail has no PROMPT_ATTACK content filter",
            "without it, jailbreaks and prompt injections reach the model unfiltered",
        );
    };
    if filter.input_enabled == Some(false) {
        return Outcome::non_compliant(
            "the PROMPT_ATTACK filter is disabled on input (inputEnabled false)",
            "prompt attacks arrive in the input, so a filter off on input stops none of them",
        );
    }
    if filter
        .input_action
        .as_deref()
        .is_some_and(|a| a.eq_ignore_ascii_case("NONE"))
    {
        return Outcome::non_compliant(
            "the PROMPT_ATTACK filter only detects on input (inputAction NONE)",
            "a detect-only filter lets prompt attacks reach the model",
        );
    }
    if filter.input_strength.eq_ignore_ascii_case("HIGH") {
        Outcome::compliant(
            "the PROMPT_ATTACK filter blocks input at HIGH strength",
            "HIGH strength blocks the most jailbreak and prompt-injection attempts before they reach the model",
        )
    } else {
        Outcome::non_compliant(
            format!(
                "the PROMPT_ATTACK filter's input strength is {}",
                filter.input_strength
            ),
            "strengths below HIGH let more prompt attacks through; the framework's safe principle asks for the strongest filtering",
        )
    }
}

fn guardrail_pii_filter(guardrail: &Guardrail, _params: &Params) -> Outcome {
    let policy = match &guardrail.sensitive_information {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(policy) => policy,
    };
    match policy {
        Some(p) if !p.pii_entity_types.is_empty() || !p.regex_names.is_empty() => {
            let mut parts = Vec::new();
            if !p.pii_entity_types.is_empty() {
                parts.push(format!("PII types {}", p.pii_entity_types.join(", ")));
            }
            if !p.regex_names.is_empty() {
                parts.push(format!("regexes {}", p.regex_names.join(", ")));
            }
            Outcome::compliant(
                format!(
                    "the sensitive information policy filters {}",
                    parts.join(" and ")
                ),
                "PII in prompts and responses is blocked or masked by the guardrail",
            )
        }
        _ => Outcome::non_compliant(
            "the guardrail has no sensitive information filter (no PII entity types, no regexes)",
            "without one, personal data in prompts and responses passes the guardrail unchanged",
        ),
    }
}

fn agent_kms_key(agent: &Agent, _params: &Params) -> Outcome {
    customer_managed_key(
        &agent.kms_key_arn,
        "the agent",
        "customerEncryptionKeyArn",
        "the agent's configuration and session data",
    )
}

fn agent_guardrail(agent: &Agent, _params: &Params) -> Outcome {
    match &agent.guardrail {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(g)) if !g.identifier.trim().is_empty() => Outcome::compliant(
            match &g.version {
                Some(v) => format!("the agent applies guardrail {} version {v}", g.identifier),
                None => format!("the agent applies guardrail {}", g.identifier),
            },
            "the guardrail's filters apply to every prompt and response of the agent",
        ),
        Ok(_) => Outcome::non_compliant(
            "the agent has no guardrail attached",
            "without a guardrail, harmful content and prompt attacks pass through the agent unfiltered",
        ),
    }
}

fn data_source_kms_key(source: &DataSource, _params: &Params) -> Outcome {
    customer_managed_key(
        &source.kms_key_arn,
        "the data source",
        "serverSideEncryptionConfiguration.kmsKeyArn",
        "transient data of ingestion from the knowledge base's sources",
    )
}

/// The logging configuration, or the outcome that ends the check early: unreadable, absent, or
/// without a destination.
fn active_logging<'a>(
    logging: &'a InvocationLogging,
    without: &str,
) -> Result<&'a LoggingConfig, Outcome> {
    match &logging.config {
        Err(unreadable) => Err(Outcome::could_not_evaluate(unreadable.reason.clone())),
        Ok(None) => Err(Outcome::non_compliant(
            format!(
                "model invocation logging is not configured in {}",
                logging.region
            ),
            format!("no invocation is logged, {without}"),
        )),
        Ok(Some(config)) if !config.has_destination() => Err(Outcome::non_compliant(
            format!(
                "model invocation logging in {} has no CloudWatch Logs or S3 destination",
                logging.region
            ),
            format!("no invocation is logged, {without}"),
        )),
        Ok(Some(config)) => Ok(config),
    }
}

fn destinations(config: &LoggingConfig) -> String {
    let mut names = Vec::new();
    if let Some(cw) = &config.cloudwatch {
        names.push(format!("log group {}", cw.log_group_name));
    }
    names.extend(
        config
            .s3
            .iter()
            .map(|b| format!("bucket {}", b.bucket_name)),
    );
    names.join(" and ")
}

fn invocation_logging_enabled(logging: &InvocationLogging, _params: &Params) -> Outcome {
    match active_logging(logging, "so who asked which model what leaves no record") {
        Err(outcome) => outcome,
        Ok(config) => Outcome::compliant(
            format!(
                "model invocation logging delivers to {}",
                destinations(config)
            ),
            "every model invocation in the region is recorded with its caller",
        ),
    }
}

fn invocation_logging_text_delivery(logging: &InvocationLogging, _params: &Params) -> Outcome {
    let config = match active_logging(logging, "so there is no text to deliver") {
        Err(outcome) => return outcome,
        Ok(config) => config,
    };
    if config.text_data_delivery {
        Outcome::compliant(
            "invocation logs include text prompts and responses (textDataDeliveryEnabled true)",
            "the logged text lets reviewers see what was asked and answered",
        )
    } else {
        Outcome::non_compliant(
            "invocation logs leave out text prompts and responses (textDataDeliveryEnabled false)",
            "without the text, logs show that a model was called but not what was asked or answered",
        )
    }
}

fn invocation_logging_destinations_encrypted(
    logging: &InvocationLogging,
    _params: &Params,
) -> Outcome {
    // With no destination there is nothing to encrypt: the logging checks carry that failure
    // (SECAI3.15), and this SECAI3.3 check is not applicable rather than a second failure.
    let config = match &logging.config {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(config)) if config.has_destination() => config,
        Ok(_) => {
            return Outcome::not_applicable(
                format!(
                    "model invocation logging in {} has no CloudWatch Logs or S3 destination",
                    logging.region
                ),
                "there is no invocation log to encrypt; bedrock_invocation_logging_enabled reports the missing logging",
            );
        }
    };
    let mut encrypted = Vec::new();
    let mut failures = Vec::new();
    let mut unreadable = Vec::new();
    if let Some(group) = &config.cloudwatch {
        log_group_encryption(group, &mut encrypted, &mut failures, &mut unreadable);
    }
    for bucket in &config.s3 {
        bucket_encryption(bucket, &mut encrypted, &mut failures, &mut unreadable);
    }
    if !failures.is_empty() {
        Outcome::non_compliant(
            failures.join("; "),
            "invocation logs hold prompts and responses; SECAI3.3 needs them encrypted under a KMS key governed by key policy",
        )
    } else if !unreadable.is_empty() {
        Outcome::could_not_evaluate(unreadable.join("; "))
    } else {
        Outcome::compliant(
            encrypted.join("; "),
            "logged prompts and responses are encrypted at rest under KMS keys governed by key policy",
        )
    }
}

fn log_group_encryption(
    group: &LogGroupDestination,
    encrypted: &mut Vec<String>,
    failures: &mut Vec<String>,
    unreadable: &mut Vec<String>,
) {
    match &group.kms_key_id {
        Err(u) => unreadable.push(u.reason.clone()),
        Ok(Some(key)) if !key.trim().is_empty() => encrypted.push(format!(
            "log group {} is encrypted with KMS key {key}",
            group.log_group_name
        )),
        Ok(_) => failures.push(format!("log group {} has no KMS key", group.log_group_name)),
    }
}

fn bucket_encryption(
    bucket: &BucketDestination,
    encrypted: &mut Vec<String>,
    failures: &mut Vec<String>,
    unreadable: &mut Vec<String>,
) {
    match &bucket.default_encryption {
        Err(u) => unreadable.push(u.reason.clone()),
        Ok(None) => failures.push(format!(
            "bucket {} ({}) has no default encryption",
            bucket.bucket_name, bucket.role
        )),
        Ok(Some(rule)) if matches!(rule.algorithm.as_str(), "aws:kms" | "aws:kms:dsse") => {
            encrypted.push(format!(
                "bucket {} ({}) defaults to {} with {}",
                bucket.bucket_name,
                bucket.role,
                rule.algorithm,
                rule.kms_key_id
                    .as_deref()
                    .unwrap_or("the AWS managed key aws/s3")
            ))
        }
        Ok(Some(rule)) => failures.push(format!(
            "bucket {} ({}) defaults to {}, not a KMS key",
            bucket.bucket_name, bucket.role, rule.algorithm
        )),
    }
}

// Imported models and batch inference jobs (SECAI3.3).

/// SECAI3.3: the imported model is encrypted with a customer managed KMS key.
pub static IMPORTED_MODEL_KMS_KEY: Check = Check {
    id: "bedrock_imported_model_kms_key",
    version: 1,
    title: "Bedrock imported model is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:ListImportedModels", "bedrock:GetImportedModel"],
    passes_when: "GetImportedModel returns a modelKmsKeyArn (none means the model is encrypted with an AWS owned key).",
    remediation: "An imported model's key cannot be changed: import it again with aws bedrock create-model-import-job --imported-model-kms-key-id <key-arn>, move consumers to the new model, then aws bedrock delete-imported-model on the old one.",
    evaluator: Evaluator::BedrockImportedModel(imported_model_kms_key),
};

/// SECAI3.3: the batch inference job writes its output encrypted with a KMS key it names.
pub static INVOCATION_JOB_OUTPUT_KMS_KEY: Check = Check {
    id: "bedrock_model_invocation_job_output_kms_key",
    version: 1,
    title: "Bedrock batch inference job encrypts its output with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[
        "bedrock:ListModelInvocationJobs",
        "bedrock:GetModelInvocationJob",
    ],
    passes_when: "The job's outputDataConfig.s3OutputDataConfig names an s3EncryptionKeyId.",
    remediation: "A job's output settings cannot be changed: submit new batch inference jobs with aws bedrock create-model-invocation-job --output-data-config '{\"s3OutputDataConfig\":{\"s3Uri\":\"s3://<bucket>/<prefix>/\",\"s3EncryptionKeyId\":\"<key-arn>\"}}'.",
    evaluator: Evaluator::BedrockModelInvocationJob(invocation_job_output_kms_key),
};

fn imported_model_kms_key(model: &ImportedModel, _params: &Params) -> Outcome {
    customer_managed_key(
        &model.kms_key_arn,
        "the imported model",
        "modelKmsKeyArn",
        "the imported model's weights",
    )
}

fn invocation_job_output_kms_key(job: &ModelInvocationJob, _params: &Params) -> Outcome {
    match &job.output_kms_key_id {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(key)) if !key.trim().is_empty() => Outcome::compliant(
            format!(
                "batch inference job {} encrypts its output with KMS key {}",
                job.name,
                key.trim()
            ),
            "the model's completions for the batch are encrypted at rest under a key whose use is governed by key policy and logged in CloudTrail",
        ),
        Ok(_) => Outcome::non_compliant(
            format!(
                "batch inference job {} has no outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId; its output takes whatever default encryption the bucket has",
                job.name
            ),
            "SECAI3.3 needs the completions of batch inference encrypted under a customer managed key named by the job",
        ),
    }
}

/// The content filter categories that must block harmful content (PROMPT_ATTACK has its own
/// check and filters input only).
const HARMFUL_CATEGORIES: &[&str] = &["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT"];

/// Safe: every harmful-content category is blocked on prompts and responses at the parameter
/// strength.
pub static CONTENT_FILTERS_BLOCK: Check = Check {
    id: "bedrock_guardrail_content_filters_block",
    version: 1,
    title: "Bedrock guardrail blocks hate, insults, sexual content, violence and misconduct on input and output at the minimum strength",
    controls: &[&SAFE_GUARDRAILS],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock:ListGuardrails", "bedrock:GetGuardrail"],
    passes_when: "The content policy has a HATE, INSULTS, SEXUAL, VIOLENCE and MISCONDUCT filter, each with inputStrength and outputStrength at least minimumContentFilterStrength (default HIGH), not disabled on input or output, and not detect-only (inputAction and outputAction are not NONE).",
    remediation: "aws bedrock update-guardrail --guardrail-identifier <id> --content-policy-config '{\"filtersConfig\":[{\"type\":\"HATE\",\"inputStrength\":\"HIGH\",\"outputStrength\":\"HIGH\",\"inputAction\":\"BLOCK\",\"outputAction\":\"BLOCK\"}, ... INSULTS, SEXUAL, VIOLENCE, MISCONDUCT ...]}' (keeping PROMPT_ATTACK), then create a new guardrail version.",
    evaluator: Evaluator::BedrockGuardrail(content_filters_block),
};

/// What is wrong with one side (`input` or `output`) of a content filter, if anything.
fn filter_side_fault(
    side: &str,
    strength: Option<&str>,
    enabled: Option<bool>,
    action: Option<&str>,
    minimum: FilterStrength,
) -> Option<String> {
    if enabled == Some(false) {
        return Some(format!("disabled on {side} ({side}Enabled false)"));
    }
    if action.is_some_and(|a| a.eq_ignore_ascii_case("NONE")) {
        return Some(format!("detect-only on {side} ({side}Action NONE)"));
    }
    let strength = strength?;
    match FilterStrength::parse(strength) {
        Some(s) if s >= minimum => None,
        _ => Some(format!(
            "{side} strength {strength}, below {}",
            minimum.as_str()
        )),
    }
}

fn content_filter_fault(filter: &ContentFilter, minimum: FilterStrength) -> Option<String> {
    let faults: Vec<String> = [
        filter_side_fault(
            "input",
            Some(&filter.input_strength),
            filter.input_enabled,
            filter.input_action.as_deref(),
            minimum,
        ),
        filter_side_fault(
            "output",
            filter.output_strength.as_deref(),
            filter.output_enabled,
            filter.output_action.as_deref(),
            minimum,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!faults.is_empty()).then(|| format!("{}: {}", filter.filter_type, faults.join(", ")))
}

fn content_filters_block(guardrail: &Guardrail, params: &Params) -> Outcome {
    let filters = match &guardrail.content_filters {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(filters) => filters,
    };
    let minimum = params.minimum_content_filter_strength;
    let mut faults = Vec::new();
    let mut unstated = Vec::new();
    for category in HARMFUL_CATEGORIES {
        match filters
            .iter()
            .find(|f| f.filter_type.eq_ignore_ascii_case(category))
        {
            None => faults.push(format!("{category}: no filter")),
            Some(filter) => {
                faults.extend(content_filter_fault(filter, minimum));
                if filter.output_strength.is_none() {
                    unstated.push(*category);
                }
            }
        }
    }
    if faults.is_empty() && !unstated.is_empty() {
        return Outcome::could_not_evaluate(format!(
            "the output strength of the {} filter(s) is not stated",
            unstated.join(", ")
        ));
    }
    if faults.is_empty() {
        Outcome::compliant(
            format!(
                "HATE, INSULTS, SEXUAL, VIOLENCE and MISCONDUCT are blocked on input and output at {} or stronger",
                minimum.as_str()
            ),
            "harmful content is blocked both in prompts and in model responses",
        )
    } else {
        Outcome::non_compliant(
            format!("the content filters fall short: {}", faults.join("; ")),
            "a missing, weak, disabled or detect-only filter lets that category of harmful content through on that side",
        )
    }
}

/// Safe and Accuracy: responses are checked against the source and the query (contextual
/// grounding), and blocked when they are not grounded or not relevant.
pub static CONTEXTUAL_GROUNDING: Check = Check {
    id: "bedrock_guardrail_contextual_grounding",
    version: 1,
    title: "Bedrock guardrail blocks ungrounded and irrelevant responses with contextual grounding filters",
    controls: &[&SAFE_GUARDRAILS, &ACCUAI3_6],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["bedrock:ListGuardrails", "bedrock:GetGuardrail"],
    passes_when: "The contextual grounding policy has a GROUNDING and a RELEVANCE filter, each not disabled, not detect-only (action is not NONE) and with a threshold above 0.",
    remediation: "aws bedrock update-guardrail --guardrail-identifier <id> --contextual-grounding-policy-config '{\"filtersConfig\":[{\"type\":\"GROUNDING\",\"threshold\":0.75,\"action\":\"BLOCK\"},{\"type\":\"RELEVANCE\",\"threshold\":0.75,\"action\":\"BLOCK\"}]}' (with the guardrail's other settings), then create a new guardrail version.",
    evaluator: Evaluator::BedrockGuardrail(contextual_grounding),
};

fn contextual_grounding(guardrail: &Guardrail, _params: &Params) -> Outcome {
    let filters = match &guardrail.grounding_filters {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(filters) => filters,
    };
    let mut faults = Vec::new();
    let mut good = Vec::new();
    for kind in ["GROUNDING", "RELEVANCE"] {
        let Some(filter) = filters
            .iter()
            .find(|f| f.filter_type.eq_ignore_ascii_case(kind))
        else {
            faults.push(format!("no {kind} filter"));
            continue;
        };
        if filter.enabled == Some(false) {
            faults.push(format!("the {kind} filter is disabled"));
        } else if filter
            .action
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("NONE"))
        {
            faults.push(format!("the {kind} filter only detects (action NONE)"));
        } else if !(filter.threshold > 0.0) {
            faults.push(format!(
                "the {kind} filter's threshold is {}, which filters nothing",
                filter.threshold
            ));
        } else {
            good.push(format!("{kind} at threshold {}", filter.threshold));
        }
    }
    if faults.is_empty() {
        Outcome::compliant(
            format!("contextual grounding blocks {}", good.join(" and ")),
            "responses not supported by the source or not relevant to the query are blocked",
        )
    } else {
        Outcome::non_compliant(
            faults.join("; "),
            "without blocking GROUNDING and RELEVANCE filters, hallucinated or off-topic responses reach users",
        )
    }
}

/// Safe and Privacy: a guardrail that passes the protective-guardrail test is enforced on every
/// inference call of every model in the region, by the account or by the organization.
pub static ENFORCED_GUARDRAIL_ALL_MODELS: Check = Check {
    id: "bedrock_enforced_guardrail_all_models",
    version: 1,
    title: "A protective Bedrock guardrail version is enforced on every model in the region, by the account or the organization",
    controls: &[&SAFE_GUARDRAILS, &PRIVACY_PII],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[
        "bedrock:ListEnforcedGuardrailsConfiguration",
        "bedrock:GetGuardrail",
        "organizations:DescribeEffectivePolicy",
    ],
    passes_when: "An account enforced guardrail configuration (ListEnforcedGuardrailsConfiguration) or the organization's effective BEDROCK_POLICY for the region names a numbered guardrail version (not DRAFT) that passes bedrock_guardrail_prompt_attack_filter_high and bedrock_guardrail_pii_filter, with no modelEnforcement (no included or excluded models), no SELECTIVE content guarding of system prompts or messages, and input tags not honored. An unreadable organization view is never a pass: without a passing account configuration it cannot be decided; an account in no organization, or without an effective BEDROCK_POLICY, has no organization guardrail.",
    remediation: "aws bedrock put-enforced-guardrail-configuration --guardrail-inference-config '{\"guardrailIdentifier\":\"<guardrail-arn>\",\"guardrailVersion\":\"<n>\"}' with a numbered version of a guardrail that blocks prompt attacks at HIGH and filters PII (aws bedrock create-guardrail-version), and no modelEnforcement or selectiveContentGuarding; or attach an Organizations BEDROCK_POLICY naming such a version.",
    evaluator: Evaluator::BedrockEnforcedGuardrails(enforced_guardrail_all_models),
};

/// How one enforced configuration fares.
enum Standing {
    /// It enforces a protective version on every model (what).
    Passes(String),
    /// It does not (why).
    Fails(String),
    /// Its guardrail version could not be decided (why).
    Undecided(String),
}

/// A version the guardrail's `GetGuardrail` accepts as published: a number, not `DRAFT`.
fn numbered(version: Option<&str>) -> bool {
    version.is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}

/// The standing of a configuration whose scope faults are `faults`, naming `version` of a
/// guardrail read as `guardrail`.
fn standing(
    label: String,
    version: Option<&str>,
    mut faults: Vec<String>,
    guardrail: &Readable<Guardrail>,
    params: &Params,
) -> Standing {
    if !numbered(version) {
        faults.push(format!(
            "names version {}, not a numbered version",
            version.unwrap_or("(none)")
        ));
    }
    if !faults.is_empty() {
        return Standing::Fails(format!("{label} {}", faults.join(", ")));
    }
    match guardrail {
        Err(unreadable) => Standing::Undecided(format!(
            "{label}: the guardrail version could not be read ({})",
            unreadable.reason
        )),
        Ok(g) => match protective_verdict(g, params) {
            Verdict::Compliant => Standing::Passes(label),
            Verdict::NonCompliant => Standing::Fails(format!(
                "{label} enforces a version without both a HIGH prompt-attack filter and a PII filter"
            )),
            _ => Standing::Undecided(format!(
                "{label}: the guardrail version's filters could not be read"
            )),
        },
    }
}

fn account_standing(config: &EnforcedGuardrailConfig, params: &Params) -> Standing {
    let version = config.version.as_deref();
    let label = format!(
        "account configuration {} (guardrail {} version {})",
        config.config_id,
        config.guardrail,
        version.unwrap_or("(none)")
    );
    let mut faults = Vec::new();
    match &config.included_models {
        Some(included) if !included.is_empty() => {
            faults.push(format!("enforces only on models {}", included.join(", ")))
        }
        _ => {}
    }
    if !config.excluded_models.is_empty() {
        faults.push(format!(
            "excludes models {}",
            config.excluded_models.join(", ")
        ));
    }
    for (what, mode) in [
        ("system prompts", &config.system_guarding),
        ("messages", &config.messages_guarding),
    ] {
        if mode
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("SELECTIVE"))
        {
            faults.push(format!("guards {what} selectively (SELECTIVE)"));
        }
    }
    if config
        .input_tags
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("HONOR"))
    {
        faults.push("honors input tags, so callers choose what is guarded".into());
    }
    standing(label, version, faults, &config.guardrail_version, params)
}

fn organization_standing(config: &OrganizationGuardrail, params: &Params) -> Standing {
    let version = config.version.as_deref();
    let label = format!(
        "organization policy {} (guardrail {})",
        config.name, config.identifier
    );
    let mut faults = Vec::new();
    if config
        .input_tags
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("HONOR"))
    {
        faults.push("honors input tags, so callers choose what is guarded".into());
    }
    standing(label, version, faults, &config.guardrail_version, params)
}

fn enforced_guardrail_all_models(enforced: &EnforcedGuardrails, params: &Params) -> Outcome {
    let mut standings: Vec<Standing> = Vec::new();
    if let Ok(configs) = &enforced.account {
        standings.extend(configs.iter().map(|c| account_standing(c, params)));
    }
    if let OrganizationGuardrails::Read(configs) = &enforced.organization {
        standings.extend(configs.iter().map(|c| organization_standing(c, params)));
    }
    if let Some(Standing::Passes(label)) =
        standings.iter().find(|s| matches!(s, Standing::Passes(_)))
    {
        return Outcome::compliant(
            format!(
                "{label} enforces a guardrail version with a HIGH prompt-attack filter and a PII filter on every model in {}",
                enforced.region
            ),
            "every inference call in the region is screened for prompt attacks and personal data, whatever the caller asks for",
        );
    }
    let mut unknown: Vec<String> = standings
        .iter()
        .filter_map(|s| match s {
            Standing::Undecided(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    if let Err(unreadable) = &enforced.account {
        unknown.push(format!(
            "the account's enforced configurations could not be read ({})",
            unreadable.reason
        ));
    }
    if let OrganizationGuardrails::Unreadable(unreadable) = &enforced.organization {
        unknown.push(format!(
            "the organization's Bedrock policy could not be read ({})",
            unreadable.reason
        ));
    }
    if !unknown.is_empty() {
        return Outcome::could_not_evaluate(unknown.join("; "));
    }
    let mut failures: Vec<String> = standings
        .iter()
        .filter_map(|s| match s {
            Standing::Fails(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    if failures.is_empty() {
        failures.push(format!(
            "no enforced guardrail configuration in {}",
            enforced.region
        ));
    }
    if let OrganizationGuardrails::NoPolicy(why) = &enforced.organization {
        failures.push(format!("no organization Bedrock policy applies ({why})"));
    }
    Outcome::non_compliant(
        failures.join("; "),
        "guardrails are applied only where each application asks for one, so a caller can invoke any model unscreened",
    )
}

/// Whether an enforced guardrail passing [`ENFORCED_GUARDRAIL_ALL_MODELS`] is in force in every
/// region read (`regions`: each region's enforced guardrails, or why they could not be read at
/// all). No region read is unknown.
pub fn guardrail_enforcement(
    regions: &[(String, Readable<EnforcedGuardrails>)],
    params: &Params,
) -> GuardrailEnforcement {
    let mut enforced = Vec::new();
    let mut not = Vec::new();
    let mut unknown = Vec::new();
    for (region, state) in regions {
        match state {
            Err(unreadable) => unknown.push(format!("{region}: {}", unreadable.reason)),
            Ok(state) => {
                let outcome = enforced_guardrail_all_models(state, params);
                let line = format!("{region}: {}", outcome.observed);
                match outcome.verdict {
                    Verdict::Compliant => enforced.push(line),
                    Verdict::NonCompliant => not.push(line),
                    _ => unknown.push(line),
                }
            }
        }
    }
    if !not.is_empty() {
        GuardrailEnforcement::NotEnforced(not.join("; "))
    } else if !unknown.is_empty() {
        GuardrailEnforcement::Unknown(unknown.join("; "))
    } else if enforced.is_empty() {
        GuardrailEnforcement::Unknown("no region's enforced guardrails were read".into())
    } else {
        GuardrailEnforcement::Enforced(enforced.join("; "))
    }
}

//! Checks on Amazon Bedrock: customer managed keys on custom models, customization jobs,
//! guardrails, agents and knowledge-base data sources (SECAI3.3), guardrail filters
//! (prompt attacks, PII), agents with guardrails, and model invocation logging (SECAI3.15).

use crate::catalog::framework::{PRIVACY_PII, SAFE_GUARDRAILS, SECAI3_3, SECAI3_15};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::outcome::Verdict;
use crate::domain::resource::{Readable, Resource};
use crate::domain::resources::bedrock::{
    Agent, BucketDestination, CustomModel, DataSource, Guardrail, GuardrailInventory,
    InvocationLogging, LogGroupDestination, LoggingConfig, ModelCustomizationJob,
};

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
];

/// Safe and Privacy: the region has at least one guardrail that both blocks prompt attacks at
/// HIGH strength and filters sensitive information. It reuses the two per-guardrail checks.
pub static PROTECTIVE_GUARDRAIL_EXISTS: Check = Check {
    id: "bedrock_guardrail_protective_exists",
    version: 1,
    title: "A Bedrock guardrail with a HIGH prompt-attack filter and a PII filter exists in the region",
    controls: &[&SAFE_GUARDRAILS, &PRIVACY_PII],
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
        let resource = Resource::BedrockGuardrail(guardrail.clone());
        let verdicts = [
            GUARDRAIL_PROMPT_ATTACK_FILTER
                .evaluate(&resource, params)
                .verdict,
            GUARDRAIL_PII_FILTER.evaluate(&resource, params).verdict,
        ];
        let label = guardrail
            .name
            .clone()
            .unwrap_or_else(|| guardrail.id.clone());
        if verdicts.iter().all(|v| *v == Verdict::Compliant) {
            return Outcome::compliant(
                format!(
                    "guardrail {label} blocks prompt attacks at HIGH strength and filters sensitive information"
                ),
                "applications and agents in the region have a protective guardrail to apply",
            );
        }
        if !verdicts.contains(&Verdict::NonCompliant)
            && verdicts.contains(&Verdict::CouldNotEvaluate)
        {
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

/// SECAI3.3: the custom model is encrypted with a customer managed KMS key.
pub static CUSTOM_MODEL_KMS_KEY: Check = Check {
    id: "bedrock_custom_model_kms_key",
    version: 1,
    title: "Bedrock custom model is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
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

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::adapters::bedrock::decode_config_item;
    use crate::adapters::config_item::{ConfigurationItem, Decoded};
    use crate::domain::outcome::Verdict;
    use crate::domain::resource::{Resource, ResourceType, Unreadable};
    use crate::domain::resources::bedrock::{BucketDefaultEncryption, GuardrailAttachment};

    const GUARDRAIL_HARDENED: &str =
        include_str!("../../../tests/fixtures/bedrock/guardrail_hardened.json");
    const GUARDRAIL_WEAK: &str =
        include_str!("../../../tests/fixtures/bedrock/guardrail_weak.json");
    const GUARDRAIL_MALFORMED: &str =
        include_str!("../../../tests/fixtures/bedrock/guardrail_malformed.json");
    const DATA_SOURCE_CMK: &str =
        include_str!("../../../tests/fixtures/bedrock/data_source_cmk.json");
    const DATA_SOURCE_NO_CMK: &str =
        include_str!("../../../tests/fixtures/bedrock/data_source_no_cmk.json");
    const DATA_SOURCE_MALFORMED: &str =
        include_str!("../../../tests/fixtures/bedrock/data_source_malformed.json");
    const CUSTOM_MODEL_CMK: &str =
        include_str!("../../../tests/fixtures/bedrock/get_custom_model_cmk.json");
    const CUSTOM_MODEL_AWS_KEY: &str =
        include_str!("../../../tests/fixtures/bedrock/get_custom_model_aws_owned_key.json");
    const JOB_CMK: &str =
        include_str!("../../../tests/fixtures/bedrock/get_model_customization_job_cmk.json");
    const JOB_AWS_KEY: &str = include_str!(
        "../../../tests/fixtures/bedrock/get_model_customization_job_aws_owned_key.json"
    );
    const AGENT_HARDENED: &str =
        include_str!("../../../tests/fixtures/bedrock/get_agent_hardened.json");
    const AGENT_UNPROTECTED: &str =
        include_str!("../../../tests/fixtures/bedrock/get_agent_unprotected.json");
    const LOGGING_FULL: &str = include_str!(
        "../../../tests/fixtures/bedrock/get_model_invocation_logging_configuration_full.json"
    );
    const LOGGING_METADATA_ONLY: &str = include_str!(
        "../../../tests/fixtures/bedrock/get_model_invocation_logging_configuration_metadata_only.json"
    );
    const LOGGING_NONE: &str = include_str!(
        "../../../tests/fixtures/bedrock/get_model_invocation_logging_configuration_none.json"
    );
    const LOG_GROUPS_ENCRYPTED: &str =
        include_str!("../../../tests/fixtures/bedrock/describe_log_groups_encrypted.json");
    const LOG_GROUPS_UNENCRYPTED: &str =
        include_str!("../../../tests/fixtures/bedrock/describe_log_groups_unencrypted.json");
    const BUCKET_KMS: &str =
        include_str!("../../../tests/fixtures/bedrock/get_bucket_encryption_kms.json");
    const BUCKET_SSE_S3: &str =
        include_str!("../../../tests/fixtures/bedrock/get_bucket_encryption_sse_s3.json");

    fn denied(action: &str) -> Unreadable {
        Unreadable::new(format!(
            "{action} failed with AccessDeniedException: not authorized"
        ))
    }

    fn json(text: &str) -> Value {
        serde_json::from_str(text).expect("fixture is JSON")
    }

    fn text(value: &Value, pointer: &str) -> Option<String> {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn decode(fixture: &str) -> Resource {
        let item = ConfigurationItem::from_notification(&json(fixture)).expect("item");
        let resource_type = ResourceType::from_cfn_type(&item.resource_type).expect("known type");
        match decode_config_item(resource_type, &item) {
            Decoded::Resource(resource) => resource,
            other => panic!("not decoded: {other:?}"),
        }
    }

    fn guardrail(fixture: &str) -> Guardrail {
        match decode(fixture) {
            Resource::BedrockGuardrail(g) => g,
            other => panic!("not a guardrail: {other:?}"),
        }
    }

    fn data_source(fixture: &str) -> DataSource {
        match decode(fixture) {
            Resource::BedrockDataSource(d) => d,
            other => panic!("not a data source: {other:?}"),
        }
    }

    fn custom_model(fixture: &str) -> CustomModel {
        let v = json(fixture);
        CustomModel {
            name: text(&v, "/modelName").expect("name"),
            kms_key_arn: Ok(text(&v, "/modelKmsKeyArn")),
        }
    }

    fn job(fixture: &str) -> ModelCustomizationJob {
        let v = json(fixture);
        ModelCustomizationJob {
            name: text(&v, "/jobName").expect("name"),
            output_model_kms_key_arn: Ok(text(&v, "/outputModelKmsKeyArn")),
        }
    }

    fn agent(fixture: &str) -> Agent {
        let v = json(fixture);
        Agent {
            id: text(&v, "/agent/agentId").expect("id"),
            name: text(&v, "/agent/agentName"),
            kms_key_arn: Ok(text(&v, "/agent/customerEncryptionKeyArn")),
            guardrail: Ok(
                text(&v, "/agent/guardrailConfiguration/guardrailIdentifier").map(|identifier| {
                    GuardrailAttachment {
                        identifier,
                        version: text(&v, "/agent/guardrailConfiguration/guardrailVersion"),
                    }
                }),
            ),
        }
    }

    /// Builds the logging state from a GetModelInvocationLoggingConfiguration response, the
    /// DescribeLogGroups response for its log group and the GetBucketEncryption response of
    /// every bucket it names.
    fn logging(response: &str, log_groups: &str, bucket_encryption: &str) -> InvocationLogging {
        let v = json(response);
        let Some(lc) = v.get("loggingConfig") else {
            return InvocationLogging {
                region: "us-east-1".into(),
                config: Ok(None),
            };
        };
        let groups = json(log_groups);
        let encryption = json(bucket_encryption);
        let rule = encryption.pointer(
            "/ServerSideEncryptionConfiguration/Rules/0/ApplyServerSideEncryptionByDefault",
        );
        let bucket_rule = || {
            Ok(rule.map(|r| BucketDefaultEncryption {
                algorithm: text(r, "/SSEAlgorithm").expect("algorithm"),
                kms_key_id: text(r, "/KMSMasterKeyID"),
            }))
        };
        let cloudwatch = text(lc, "/cloudWatchConfig/logGroupName").map(|name| {
            let group = groups["logGroups"]
                .as_array()
                .expect("list")
                .iter()
                .find(|g| g["logGroupName"] == name.as_str())
                .expect("group");
            LogGroupDestination {
                kms_key_id: Ok(text(group, "/kmsKeyId")),
                log_group_name: name,
            }
        });
        let mut s3 = Vec::new();
        for (pointer, role) in [
            ("/s3Config/bucketName", "s3Config"),
            (
                "/cloudWatchConfig/largeDataDeliveryS3Config/bucketName",
                "cloudWatchConfig.largeDataDeliveryS3Config",
            ),
        ] {
            if let Some(bucket_name) = text(lc, pointer) {
                s3.push(BucketDestination {
                    role: role.into(),
                    bucket_name,
                    default_encryption: bucket_rule(),
                });
            }
        }
        InvocationLogging {
            region: "us-east-1".into(),
            config: Ok(Some(LoggingConfig {
                text_data_delivery: lc
                    .get("textDataDeliveryEnabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                cloudwatch,
                s3,
            })),
        }
    }

    fn verdict(check: &Check, resource: Resource) -> (Verdict, String) {
        let outcome = check.evaluate(&resource, &Params::default());
        (outcome.verdict, outcome.observed)
    }

    #[test]
    fn custom_model_with_a_kms_key_is_compliant_without_one_is_not_and_unread_cannot_be_decided() {
        let (v, observed) = verdict(
            &CUSTOM_MODEL_KMS_KEY,
            Resource::BedrockCustomModel(custom_model(CUSTOM_MODEL_CMK)),
        );
        assert_eq!(v, Verdict::Compliant);
        assert!(observed.contains("key/5e6f7a8b"), "{observed}");
        let (v, observed) = verdict(
            &CUSTOM_MODEL_KMS_KEY,
            Resource::BedrockCustomModel(custom_model(CUSTOM_MODEL_AWS_KEY)),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(observed.contains("modelKmsKeyArn"), "{observed}");
        let unread = CustomModel {
            name: "m".into(),
            kms_key_arn: Err(denied("bedrock:GetCustomModel")),
        };
        let (v, observed) = verdict(&CUSTOM_MODEL_KMS_KEY, Resource::BedrockCustomModel(unread));
        assert_eq!(v, Verdict::CouldNotEvaluate);
        assert!(observed.contains("AccessDenied"), "{observed}");
    }

    #[test]
    fn customization_job_output_key_decides_the_job_check() {
        assert_eq!(
            verdict(
                &CUSTOMIZATION_JOB_KMS_KEY,
                Resource::BedrockModelCustomizationJob(job(JOB_CMK))
            )
            .0,
            Verdict::Compliant
        );
        let (v, observed) = verdict(
            &CUSTOMIZATION_JOB_KMS_KEY,
            Resource::BedrockModelCustomizationJob(job(JOB_AWS_KEY)),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(observed.contains("outputModelKmsKeyArn"), "{observed}");
        let unread = ModelCustomizationJob {
            name: "j".into(),
            output_model_kms_key_arn: Err(denied("bedrock:GetModelCustomizationJob")),
        };
        assert_eq!(
            verdict(
                &CUSTOMIZATION_JOB_KMS_KEY,
                Resource::BedrockModelCustomizationJob(unread)
            )
            .0,
            Verdict::CouldNotEvaluate
        );
    }

    #[test]
    fn guardrail_config_item_decodes_key_filters_and_pii() {
        let g = guardrail(GUARDRAIL_HARDENED);
        assert_eq!(g.id, "q1w2e3r4t5y6");
        assert_eq!(g.name.as_deref(), Some("support-assistant-guardrail"));
        assert!(g.kms_key_arn.as_ref().is_ok_and(|k| k.is_some()));
        assert_eq!(g.content_filters.as_ref().map(Vec::len), Ok(3));
        let pii = g
            .sensitive_information
            .clone()
            .expect("read")
            .expect("policy");
        assert_eq!(pii.pii_entity_types, ["EMAIL", "US_SOCIAL_SECURITY_NUMBER"]);
        assert_eq!(pii.regex_names, ["account-number"]);
    }

    #[test]
    fn guardrail_kms_key_check_follows_kms_key_arn() {
        assert_eq!(
            verdict(
                &GUARDRAIL_KMS_KEY,
                Resource::BedrockGuardrail(guardrail(GUARDRAIL_HARDENED))
            )
            .0,
            Verdict::Compliant
        );
        assert_eq!(
            verdict(
                &GUARDRAIL_KMS_KEY,
                Resource::BedrockGuardrail(guardrail(GUARDRAIL_WEAK))
            )
            .0,
            Verdict::NonCompliant
        );
        let (v, observed) = verdict(
            &GUARDRAIL_KMS_KEY,
            Resource::BedrockGuardrail(guardrail(GUARDRAIL_MALFORMED)),
        );
        assert_eq!(v, Verdict::CouldNotEvaluate);
        assert!(observed.contains("KmsKeyArn"), "{observed}");
    }

    #[test]
    fn prompt_attack_filter_must_block_input_at_high_strength() {
        assert_eq!(
            verdict(
                &GUARDRAIL_PROMPT_ATTACK_FILTER,
                Resource::BedrockGuardrail(guardrail(GUARDRAIL_HARDENED))
            )
            .0,
            Verdict::Compliant
        );
        let (v, observed) = verdict(
            &GUARDRAIL_PROMPT_ATTACK_FILTER,
            Resource::BedrockGuardrail(guardrail(GUARDRAIL_WEAK)),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(observed.contains("MEDIUM"), "{observed}");
        assert_eq!(
            verdict(
                &GUARDRAIL_PROMPT_ATTACK_FILTER,
                Resource::BedrockGuardrail(guardrail(GUARDRAIL_MALFORMED))
            )
            .0,
            Verdict::CouldNotEvaluate
        );
    }

    #[test]
    fn prompt_attack_filter_that_only_detects_or_is_off_on_input_fails() {
        let mut g = guardrail(GUARDRAIL_HARDENED);
        let mut filters = g.content_filters.clone().expect("read");
        for f in filters
            .iter_mut()
            .filter(|f| f.filter_type == "PROMPT_ATTACK")
        {
            f.input_action = Some("NONE".into());
        }
        g.content_filters = Ok(filters.clone());
        let (v, observed) = verdict(
            &GUARDRAIL_PROMPT_ATTACK_FILTER,
            Resource::BedrockGuardrail(g.clone()),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(observed.contains("inputAction NONE"), "{observed}");
        for f in filters.iter_mut() {
            f.input_action = None;
            f.input_enabled = Some(false);
        }
        g.content_filters = Ok(filters);
        assert_eq!(
            verdict(
                &GUARDRAIL_PROMPT_ATTACK_FILTER,
                Resource::BedrockGuardrail(g)
            )
            .0,
            Verdict::NonCompliant
        );
    }

    #[test]
    fn guardrail_without_a_sensitive_information_policy_fails_the_pii_check() {
        let (v, observed) = verdict(
            &GUARDRAIL_PII_FILTER,
            Resource::BedrockGuardrail(guardrail(GUARDRAIL_HARDENED)),
        );
        assert_eq!(v, Verdict::Compliant);
        assert!(
            observed.contains("EMAIL") && observed.contains("account-number"),
            "{observed}"
        );
        assert_eq!(
            verdict(
                &GUARDRAIL_PII_FILTER,
                Resource::BedrockGuardrail(guardrail(GUARDRAIL_WEAK))
            )
            .0,
            Verdict::NonCompliant
        );
        assert_eq!(
            verdict(
                &GUARDRAIL_PII_FILTER,
                Resource::BedrockGuardrail(guardrail(GUARDRAIL_MALFORMED))
            )
            .0,
            Verdict::CouldNotEvaluate
        );
    }

    #[test]
    fn agent_checks_read_the_encryption_key_and_the_guardrail_attachment() {
        let hardened = Resource::BedrockAgent(agent(AGENT_HARDENED));
        let unprotected = Resource::BedrockAgent(agent(AGENT_UNPROTECTED));
        assert_eq!(
            verdict(&AGENT_KMS_KEY, hardened.clone()).0,
            Verdict::Compliant
        );
        assert_eq!(
            verdict(&AGENT_KMS_KEY, unprotected.clone()).0,
            Verdict::NonCompliant
        );
        let (v, observed) = verdict(&AGENT_GUARDRAIL, hardened);
        assert_eq!(v, Verdict::Compliant);
        assert!(observed.contains("q1w2e3r4t5y6 version 3"), "{observed}");
        assert_eq!(
            verdict(&AGENT_GUARDRAIL, unprotected).0,
            Verdict::NonCompliant
        );
        let unread = Agent {
            id: "a".into(),
            name: None,
            kms_key_arn: Err(denied("bedrock:GetAgent")),
            guardrail: Err(denied("bedrock:GetAgent")),
        };
        assert_eq!(
            verdict(&AGENT_KMS_KEY, Resource::BedrockAgent(unread.clone())).0,
            Verdict::CouldNotEvaluate
        );
        assert_eq!(
            verdict(&AGENT_GUARDRAIL, Resource::BedrockAgent(unread)).0,
            Verdict::CouldNotEvaluate
        );
    }

    #[test]
    fn data_source_config_item_decides_bedrock_1() {
        let cmk = data_source(DATA_SOURCE_CMK);
        assert_eq!(
            (cmk.id.as_str(), cmk.knowledge_base_id.as_deref()),
            ("DS4K8P2W6Z", Some("KB7H2M9Q1X"))
        );
        assert_eq!(
            verdict(&DATA_SOURCE_KMS_KEY, Resource::BedrockDataSource(cmk)).0,
            Verdict::Compliant
        );
        let (v, observed) = verdict(
            &DATA_SOURCE_KMS_KEY,
            Resource::BedrockDataSource(data_source(DATA_SOURCE_NO_CMK)),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(
            observed.contains("serverSideEncryptionConfiguration.kmsKeyArn"),
            "{observed}"
        );
        assert_eq!(
            verdict(
                &DATA_SOURCE_KMS_KEY,
                Resource::BedrockDataSource(data_source(DATA_SOURCE_MALFORMED))
            )
            .0,
            Verdict::CouldNotEvaluate
        );
    }

    #[test]
    fn unrecorded_bedrock_types_and_items_without_configuration_are_not_decoded_as_resources() {
        let item = ConfigurationItem::from_notification(&json(GUARDRAIL_HARDENED)).expect("item");
        assert_eq!(
            decode_config_item(ResourceType::BedrockAgent, &item),
            Decoded::UnsupportedType
        );
        let mut empty = item;
        empty.configuration = Value::Null;
        assert!(matches!(
            decode_config_item(ResourceType::BedrockGuardrail, &empty),
            Decoded::Unreadable(_)
        ));
    }

    #[test]
    fn invocation_logging_with_a_destination_is_enabled_and_a_missing_configuration_is_not() {
        let full = logging(LOGGING_FULL, LOG_GROUPS_ENCRYPTED, BUCKET_KMS);
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_ENABLED,
            Resource::BedrockInvocationLogging(full),
        );
        assert_eq!(v, Verdict::Compliant);
        assert!(
            observed.contains("/aws/bedrock/model-invocations")
                && observed.contains("acme-bedrock-invocation-logs"),
            "{observed}"
        );
        let none = logging(LOGGING_NONE, LOG_GROUPS_ENCRYPTED, BUCKET_KMS);
        assert_eq!(
            verdict(
                &INVOCATION_LOGGING_ENABLED,
                Resource::BedrockInvocationLogging(none)
            )
            .0,
            Verdict::NonCompliant
        );
        let unread = InvocationLogging {
            region: "us-east-1".into(),
            config: Err(denied("bedrock:GetModelInvocationLoggingConfiguration")),
        };
        assert_eq!(
            verdict(
                &INVOCATION_LOGGING_ENABLED,
                Resource::BedrockInvocationLogging(unread)
            )
            .0,
            Verdict::CouldNotEvaluate
        );
    }

    #[test]
    fn logging_configuration_without_any_destination_is_not_enabled() {
        let mut empty = logging(LOGGING_METADATA_ONLY, LOG_GROUPS_UNENCRYPTED, BUCKET_KMS);
        if let Ok(Some(config)) = &mut empty.config {
            config.cloudwatch = None;
        }
        for (check, expected) in [
            (&INVOCATION_LOGGING_ENABLED, Verdict::NonCompliant),
            (&INVOCATION_LOGGING_TEXT_DELIVERY, Verdict::NonCompliant),
            // Nothing to encrypt: the logging checks carry the failure.
            (
                &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
                Verdict::NotApplicable,
            ),
        ] {
            let (v, observed) = verdict(check, Resource::BedrockInvocationLogging(empty.clone()));
            assert_eq!(v, expected, "{}", check.id);
            assert!(
                observed.contains("no CloudWatch Logs or S3 destination"),
                "{observed}"
            );
        }
    }

    #[test]
    fn text_delivery_needs_logging_and_text_data_delivery_enabled() {
        let full = logging(LOGGING_FULL, LOG_GROUPS_ENCRYPTED, BUCKET_KMS);
        assert_eq!(
            verdict(
                &INVOCATION_LOGGING_TEXT_DELIVERY,
                Resource::BedrockInvocationLogging(full)
            )
            .0,
            Verdict::Compliant
        );
        let metadata = logging(LOGGING_METADATA_ONLY, LOG_GROUPS_UNENCRYPTED, BUCKET_KMS);
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_TEXT_DELIVERY,
            Resource::BedrockInvocationLogging(metadata),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(
            observed.contains("textDataDeliveryEnabled false"),
            "{observed}"
        );
        let none = logging(LOGGING_NONE, LOG_GROUPS_ENCRYPTED, BUCKET_KMS);
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_TEXT_DELIVERY,
            Resource::BedrockInvocationLogging(none),
        );
        assert_eq!(
            v,
            Verdict::NonCompliant,
            "a missing configuration has nothing to deliver"
        );
        assert!(observed.contains("not configured"), "{observed}");
        let unread = InvocationLogging {
            region: "us-east-1".into(),
            config: Err(denied("bedrock:GetModelInvocationLoggingConfiguration")),
        };
        assert_eq!(
            verdict(
                &INVOCATION_LOGGING_TEXT_DELIVERY,
                Resource::BedrockInvocationLogging(unread)
            )
            .0,
            Verdict::CouldNotEvaluate
        );
    }

    #[test]
    fn log_destinations_must_all_use_kms_keys() {
        let full = logging(LOGGING_FULL, LOG_GROUPS_ENCRYPTED, BUCKET_KMS);
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
            Resource::BedrockInvocationLogging(full),
        );
        assert_eq!(v, Verdict::Compliant);
        assert!(
            observed.contains("acme-bedrock-large-payloads") && observed.contains("key/3c4d5e6f"),
            "{observed}"
        );
        let sse_s3 = logging(LOGGING_FULL, LOG_GROUPS_ENCRYPTED, BUCKET_SSE_S3);
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
            Resource::BedrockInvocationLogging(sse_s3),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(observed.contains("AES256"), "{observed}");
        let plain_group = logging(LOGGING_METADATA_ONLY, LOG_GROUPS_UNENCRYPTED, BUCKET_KMS);
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
            Resource::BedrockInvocationLogging(plain_group),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(
            observed.contains("/aws/bedrock/metadata-only has no KMS key"),
            "{observed}"
        );
    }

    #[test]
    fn with_logging_deleted_the_destination_encryption_check_is_not_applicable_and_logging_fails() {
        let none = logging(LOGGING_NONE, LOG_GROUPS_ENCRYPTED, BUCKET_KMS);
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
            Resource::BedrockInvocationLogging(none.clone()),
        );
        assert_eq!(v, Verdict::NotApplicable, "{observed}");
        assert!(
            observed.contains("no CloudWatch Logs or S3 destination"),
            "{observed}"
        );
        let (v, _) = verdict(
            &INVOCATION_LOGGING_ENABLED,
            Resource::BedrockInvocationLogging(none.clone()),
        );
        assert_eq!(
            v,
            Verdict::NonCompliant,
            "the logging check carries the failure"
        );
        let deleted = InvocationLogging {
            region: "us-east-1".into(),
            config: Ok(None),
        };
        assert_eq!(
            verdict(
                &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
                Resource::BedrockInvocationLogging(deleted.clone())
            )
            .0,
            Verdict::NotApplicable
        );
        assert_eq!(
            verdict(
                &INVOCATION_LOGGING_ENABLED,
                Resource::BedrockInvocationLogging(deleted)
            )
            .0,
            Verdict::NonCompliant
        );
    }

    #[test]
    fn an_unreadable_destination_cannot_be_decided_unless_another_one_fails() {
        let mut group_unread = logging(LOGGING_FULL, LOG_GROUPS_ENCRYPTED, BUCKET_KMS);
        if let Ok(Some(config)) = &mut group_unread.config
            && let Some(cw) = &mut config.cloudwatch
        {
            cw.kms_key_id = Err(denied("logs:DescribeLogGroups"));
        }
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
            Resource::BedrockInvocationLogging(group_unread.clone()),
        );
        assert_eq!(v, Verdict::CouldNotEvaluate);
        assert!(observed.contains("logs:DescribeLogGroups"), "{observed}");
        if let Ok(Some(config)) = &mut group_unread.config {
            config.s3[0].default_encryption = Ok(None);
        }
        let (v, observed) = verdict(
            &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
            Resource::BedrockInvocationLogging(group_unread),
        );
        assert_eq!(v, Verdict::NonCompliant);
        assert!(observed.contains("has no default encryption"), "{observed}");
        let unread = InvocationLogging {
            region: "us-east-1".into(),
            config: Err(denied("bedrock:GetModelInvocationLoggingConfiguration")),
        };
        assert_eq!(
            verdict(
                &INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED,
                Resource::BedrockInvocationLogging(unread)
            )
            .0,
            Verdict::CouldNotEvaluate
        );
    }

    fn inventory(guardrails: Readable<Vec<Guardrail>>) -> Resource {
        Resource::BedrockGuardrailInventory(GuardrailInventory {
            region: "us-east-1".into(),
            guardrails,
        })
    }

    #[test]
    fn a_region_with_a_hardened_guardrail_has_a_protective_guardrail() {
        let resource = inventory(Ok(vec![
            guardrail(GUARDRAIL_WEAK),
            guardrail(GUARDRAIL_HARDENED),
        ]));
        let outcome = PROTECTIVE_GUARDRAIL_EXISTS.evaluate(&resource, &Params::default());
        assert_eq!(outcome.verdict, Verdict::Compliant, "{}", outcome.observed);
    }

    #[test]
    fn a_region_with_only_weak_guardrails_or_none_fails() {
        let weak = PROTECTIVE_GUARDRAIL_EXISTS.evaluate(
            &inventory(Ok(vec![guardrail(GUARDRAIL_WEAK)])),
            &Params::default(),
        );
        assert_eq!(weak.verdict, Verdict::NonCompliant);
        assert!(
            weak.observed.contains("none of the 1 guardrail"),
            "{}",
            weak.observed
        );
        let none = PROTECTIVE_GUARDRAIL_EXISTS.evaluate(&inventory(Ok(vec![])), &Params::default());
        assert_eq!(none.verdict, Verdict::NonCompliant);
        assert!(none.observed.contains("no guardrail"));
    }

    #[test]
    fn unreadable_guardrails_make_the_inventory_could_not_evaluate() {
        let listing_denied = inventory(Err(denied("bedrock:ListGuardrails")));
        assert_eq!(
            PROTECTIVE_GUARDRAIL_EXISTS
                .evaluate(&listing_denied, &Params::default())
                .verdict,
            Verdict::CouldNotEvaluate
        );
        let mut unread = guardrail(GUARDRAIL_HARDENED);
        unread.content_filters = Err(denied("bedrock:GetGuardrail"));
        unread.sensitive_information = Err(denied("bedrock:GetGuardrail"));
        let outcome = PROTECTIVE_GUARDRAIL_EXISTS.evaluate(
            &inventory(Ok(vec![guardrail(GUARDRAIL_WEAK), unread])),
            &Params::default(),
        );
        assert_eq!(
            outcome.verdict,
            Verdict::CouldNotEvaluate,
            "{}",
            outcome.observed
        );
    }
}

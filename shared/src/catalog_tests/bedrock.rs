//! The bedrock checks decided from fixture files: Config configuration items and API
//! responses decoded by the adapters, then evaluated (the pure checks live in
//! `genai_evidence_core::catalog::bedrock`).

use serde_json::Value;

use crate::adapters::bedrock::decode_config_item;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
#[allow(unused_imports)]
use crate::catalog::framework::*;
#[allow(unused_imports)]
use crate::catalog::*;
use crate::domain::outcome::Verdict;
#[allow(unused_imports)]
use crate::domain::outcome::*;
#[allow(unused_imports)]
use crate::domain::resource::*;
use crate::domain::resource::{Resource, ResourceType, Unreadable};
#[allow(unused_imports)]
use crate::domain::resources::bedrock::*;
use crate::domain::resources::bedrock::{BucketDefaultEncryption, GuardrailAttachment};
use genai_evidence_core::catalog::bedrock::*;

const GUARDRAIL_HARDENED: &str =
    include_str!("../../../tests/fixtures/bedrock/guardrail_hardened.json");
const GUARDRAIL_WEAK: &str = include_str!("../../../tests/fixtures/bedrock/guardrail_weak.json");
const GUARDRAIL_MALFORMED: &str =
    include_str!("../../../tests/fixtures/bedrock/guardrail_malformed.json");
const DATA_SOURCE_CMK: &str = include_str!("../../../tests/fixtures/bedrock/data_source_cmk.json");
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
const JOB_AWS_KEY: &str =
    include_str!("../../../tests/fixtures/bedrock/get_model_customization_job_aws_owned_key.json");
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
    let rule = encryption
        .pointer("/ServerSideEncryptionConfiguration/Rules/0/ApplyServerSideEncryptionByDefault");
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

// Imported models and batch inference jobs: API answers decoded by the Bedrock adapter.

const IMPORTED_MODEL_CMK: &str =
    include_str!("../../../tests/fixtures/bedrock/get_imported_model_cmk.json");
const IMPORTED_MODEL_AWS_KEY: &str =
    include_str!("../../../tests/fixtures/bedrock/get_imported_model_aws_owned_key.json");
const INVOCATION_JOBS: &str =
    include_str!("../../../tests/fixtures/bedrock/list_model_invocation_jobs.json");

/// The imported model and its links, as the adapter reads a GetImportedModel answer.
fn imported_model(fixture: &str) -> (ImportedModel, Vec<crate::domain::scope::Link>) {
    let v = json(fixture);
    let out = aws_sdk_bedrock::operation::get_imported_model::GetImportedModelOutput::builder()
        .set_model_arn(text(&v, "/modelArn"))
        .set_model_name(text(&v, "/modelName"))
        .set_job_name(text(&v, "/jobName"))
        .set_model_kms_key_arn(text(&v, "/modelKmsKeyArn"))
        .build();
    crate::adapters::bedrock::imported_model_from_api(&out)
}

/// Every batch inference job of a ListModelInvocationJobs answer, as the adapter reads it.
fn invocation_jobs(fixture: &str) -> Vec<(ModelInvocationJob, Vec<crate::domain::scope::Link>)> {
    use aws_sdk_bedrock::types::{
        ModelInvocationJobOutputDataConfig, ModelInvocationJobS3OutputDataConfig,
    };
    json(fixture)["invocationJobSummaries"]
        .as_array()
        .expect("summaries")
        .iter()
        .map(|j| {
            let output = j.pointer("/outputDataConfig/s3OutputDataConfig").map(|s3| {
                ModelInvocationJobOutputDataConfig::S3OutputDataConfig(
                    ModelInvocationJobS3OutputDataConfig::builder()
                        .set_s3_uri(text(s3, "/s3Uri"))
                        .set_s3_encryption_key_id(text(s3, "/s3EncryptionKeyId"))
                        .build()
                        .expect("s3Uri"),
                )
            });
            crate::adapters::bedrock::invocation_job_from_api(
                &text(j, "/jobName").expect("name"),
                &text(j, "/roleArn").expect("role"),
                output.as_ref(),
            )
        })
        .collect()
}

#[test]
fn imported_model_with_a_kms_key_passes_without_one_fails_and_unread_cannot_be_decided() {
    let (model, links) = imported_model(IMPORTED_MODEL_CMK);
    let (v, observed) = verdict(
        &IMPORTED_MODEL_KMS_KEY,
        Resource::BedrockImportedModel(model),
    );
    assert_eq!(v, Verdict::Compliant);
    assert!(observed.contains("key/7a8b9c0d"), "{observed}");
    assert_eq!(links.len(), 1, "{links:?}");
    let (model, links) = imported_model(IMPORTED_MODEL_AWS_KEY);
    let (v, observed) = verdict(
        &IMPORTED_MODEL_KMS_KEY,
        Resource::BedrockImportedModel(model),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("AWS owned key"), "{observed}");
    assert!(links.is_empty());
    let unread = ImportedModel {
        name: "m".into(),
        kms_key_arn: Err(denied("bedrock:GetImportedModel")),
    };
    let (v, observed) = verdict(
        &IMPORTED_MODEL_KMS_KEY,
        Resource::BedrockImportedModel(unread),
    );
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(observed.contains("AccessDenied"), "{observed}");
}

#[test]
fn batch_inference_output_key_decides_the_job_check_and_links_bucket_key_and_role() {
    let jobs = invocation_jobs(INVOCATION_JOBS);
    let (claims, links) = jobs[0].clone();
    let (v, observed) = verdict(
        &INVOCATION_JOB_OUTPUT_KMS_KEY,
        Resource::BedrockModelInvocationJob(claims),
    );
    assert_eq!(v, Verdict::Compliant);
    assert!(observed.contains("key/3c4d5e6f"), "{observed}");
    assert_eq!(links.len(), 3, "{links:?}");
    let (support, links) = jobs[1].clone();
    let (v, observed) = verdict(
        &INVOCATION_JOB_OUTPUT_KMS_KEY,
        Resource::BedrockModelInvocationJob(support),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("s3EncryptionKeyId"), "{observed}");
    assert_eq!(links.len(), 2, "{links:?}");
    let unread = ModelInvocationJob {
        name: "j".into(),
        output_kms_key_id: Err(denied("bedrock:GetModelInvocationJob")),
    };
    let (v, _) = verdict(
        &INVOCATION_JOB_OUTPUT_KMS_KEY,
        Resource::BedrockModelInvocationJob(unread),
    );
    assert_eq!(v, Verdict::CouldNotEvaluate);
}

const GUARDRAIL_STRICT: &str =
    include_str!("../../../tests/fixtures/bedrock/guardrail_strict.json");
const GUARDRAIL_DETECT_ONLY: &str =
    include_str!("../../../tests/fixtures/bedrock/guardrail_detect_only.json");
const ENFORCED_ALL_MODELS: &str = include_str!(
    "../../../tests/fixtures/bedrock/list_enforced_guardrails_configuration_all_models.json"
);
const ENFORCED_NARROWED: &str = include_str!(
    "../../../tests/fixtures/bedrock/list_enforced_guardrails_configuration_narrowed.json"
);
const VERSION_PROTECTIVE: &str =
    include_str!("../../../tests/fixtures/bedrock/get_guardrail_version_protective.json");
const VERSION_WEAK: &str =
    include_str!("../../../tests/fixtures/bedrock/get_guardrail_version_weak.json");
const EFFECTIVE_POLICY: &str =
    include_str!("../../../tests/fixtures/bedrock/describe_effective_policy_bedrock.json");

#[test]
fn content_filters_must_block_every_harmful_category_both_ways_at_the_minimum_strength() {
    let (v, observed) = verdict(
        &CONTENT_FILTERS_BLOCK,
        Resource::BedrockGuardrail(guardrail(GUARDRAIL_STRICT)),
    );
    assert_eq!(v, Verdict::Compliant, "{observed}");
    let (v, observed) = verdict(
        &CONTENT_FILTERS_BLOCK,
        Resource::BedrockGuardrail(guardrail(GUARDRAIL_DETECT_ONLY)),
    );
    assert_eq!(v, Verdict::NonCompliant);
    for fault in [
        "INSULTS: detect-only on output (outputAction NONE)",
        "SEXUAL: input strength MEDIUM, below HIGH",
        "VIOLENCE: disabled on output",
        "MISCONDUCT: no filter",
    ] {
        assert!(observed.contains(fault), "{fault}: {observed}");
    }
    // HATE blocks both ways at HIGH with the actions left to their BLOCK default.
    assert!(!observed.contains("HATE"), "{observed}");
    assert_eq!(
        verdict(
            &CONTENT_FILTERS_BLOCK,
            Resource::BedrockGuardrail(guardrail(GUARDRAIL_MALFORMED))
        )
        .0,
        Verdict::CouldNotEvaluate
    );
}

#[test]
fn a_lower_minimum_content_filter_strength_accepts_medium_filters() {
    let mut g = guardrail(GUARDRAIL_STRICT);
    let mut filters = g.content_filters.clone().expect("read");
    for f in filters.iter_mut().filter(|f| f.filter_type == "SEXUAL") {
        f.input_strength = "MEDIUM".into();
        f.output_strength = Some("MEDIUM".into());
    }
    g.content_filters = Ok(filters);
    let resource = Resource::BedrockGuardrail(g);
    assert_eq!(
        CONTENT_FILTERS_BLOCK
            .evaluate(&resource, &Params::default())
            .verdict,
        Verdict::NonCompliant
    );
    let medium = Params {
        minimum_content_filter_strength: crate::catalog::params::FilterStrength::Medium,
        ..Params::default()
    };
    assert_eq!(
        CONTENT_FILTERS_BLOCK.evaluate(&resource, &medium).verdict,
        Verdict::Compliant
    );
}

#[test]
fn contextual_grounding_needs_blocking_grounding_and_relevance_filters_above_zero() {
    let (v, observed) = verdict(
        &CONTEXTUAL_GROUNDING,
        Resource::BedrockGuardrail(guardrail(GUARDRAIL_STRICT)),
    );
    assert_eq!(v, Verdict::Compliant, "{observed}");
    assert!(
        observed.contains("GROUNDING at threshold 0.75"),
        "{observed}"
    );
    let (v, observed) = verdict(
        &CONTEXTUAL_GROUNDING,
        Resource::BedrockGuardrail(guardrail(GUARDRAIL_DETECT_ONLY)),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(
        observed.contains("GROUNDING filter's threshold is 0")
            && observed.contains("RELEVANCE filter only detects"),
        "{observed}"
    );
    let (v, observed) = verdict(
        &CONTEXTUAL_GROUNDING,
        Resource::BedrockGuardrail(guardrail(GUARDRAIL_HARDENED)),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("no GROUNDING filter"), "{observed}");
    let (v, observed) = verdict(
        &CONTEXTUAL_GROUNDING,
        Resource::BedrockGuardrail(guardrail(GUARDRAIL_MALFORMED)),
    );
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(observed.contains("Threshold"), "{observed}");
}

/// A guardrail version from a `GetGuardrail` response, as the adapter's `guardrail_from_api`
/// reads it.
fn guardrail_version(response: &str) -> Guardrail {
    let v = json(response);
    let list = |pointer: &str| {
        v.pointer(pointer)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let flag = |f: &Value, key: &str| f.get(key).and_then(Value::as_bool);
    Guardrail {
        id: text(&v, "/guardrailId").expect("id"),
        name: text(&v, "/name"),
        kms_key_arn: Ok(text(&v, "/kmsKeyArn")),
        content_filters: Ok(list("/contentPolicy/filters")
            .iter()
            .map(|f| ContentFilter {
                filter_type: text(f, "/type").expect("type"),
                input_strength: text(f, "/inputStrength").expect("strength"),
                input_enabled: flag(f, "inputEnabled"),
                input_action: text(f, "/inputAction"),
                output_strength: text(f, "/outputStrength"),
                output_enabled: flag(f, "outputEnabled"),
                output_action: text(f, "/outputAction"),
            })
            .collect()),
        sensitive_information: Ok(v.pointer("/sensitiveInformationPolicy").map(|_| {
            SensitiveInformationPolicy {
                pii_entity_types: list("/sensitiveInformationPolicy/piiEntities")
                    .iter()
                    .filter_map(|e| text(e, "/type"))
                    .collect(),
                regex_names: list("/sensitiveInformationPolicy/regexes")
                    .iter()
                    .filter_map(|e| text(e, "/name"))
                    .collect(),
            }
        })),
        grounding_filters: Ok(Vec::new()),
    }
}

/// The account configurations of a `ListEnforcedGuardrailsConfiguration` response, each
/// naming `version`.
fn account_configs(response: &str, version: &Readable<Guardrail>) -> Vec<EnforcedGuardrailConfig> {
    let v = json(response);
    v["guardrailsConfig"]
        .as_array()
        .expect("configs")
        .iter()
        .map(|c| {
            let models = |key: &str| -> Option<Vec<String>> {
                c.pointer(&format!("/modelEnforcement/{key}"))
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
            };
            EnforcedGuardrailConfig {
                config_id: text(c, "/configId").expect("id"),
                guardrail: text(c, "/guardrailArn").expect("arn"),
                version: text(c, "/guardrailVersion"),
                included_models: models("includedModels"),
                excluded_models: models("excludedModels").unwrap_or_default(),
                system_guarding: text(c, "/selectiveContentGuarding/system"),
                messages_guarding: text(c, "/selectiveContentGuarding/messages"),
                input_tags: text(c, "/inputTags"),
                guardrail_version: version.clone(),
            }
        })
        .collect()
}

/// The organization view from a `DescribeEffectivePolicy` response, parsed by the adapter,
/// each guardrail named read as `version`.
fn organization(response: &str, version: &Readable<Guardrail>) -> OrganizationGuardrails {
    let v = json(response);
    let content = text(&v, "/EffectivePolicy/PolicyContent").expect("content");
    let entries = crate::adapters::enforced_guardrails::policy_guardrails(&content, "us-east-1")
        .expect("policy");
    OrganizationGuardrails::Read(
        entries
            .into_iter()
            .map(|e| OrganizationGuardrail {
                version: e.identifier.rsplit_once(':').map(|(_, v)| v.to_owned()),
                name: e.name,
                identifier: e.identifier,
                input_tags: e.input_tags,
                guardrail_version: version.clone(),
            })
            .collect(),
    )
}

fn enforced(
    account: Readable<Vec<EnforcedGuardrailConfig>>,
    organization: OrganizationGuardrails,
) -> Resource {
    Resource::BedrockEnforcedGuardrails(EnforcedGuardrails {
        region: "us-east-1".into(),
        account,
        organization,
    })
}

fn not_in_organization() -> OrganizationGuardrails {
    OrganizationGuardrails::NoPolicy("the account is not in an organization".into())
}

#[test]
fn an_account_configuration_enforcing_a_protective_version_on_every_model_passes() {
    let protective = Ok(guardrail_version(VERSION_PROTECTIVE));
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(
            Ok(account_configs(ENFORCED_ALL_MODELS, &protective)),
            OrganizationGuardrails::Unreadable(denied("organizations:DescribeEffectivePolicy")),
        ),
    );
    assert_eq!(v, Verdict::Compliant, "{observed}");
    assert!(observed.contains("a1b2c3d4e5"), "{observed}");
}

#[test]
fn narrowed_draft_or_weak_enforcement_fails() {
    let protective = Ok(guardrail_version(VERSION_PROTECTIVE));
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(
            Ok(account_configs(ENFORCED_NARROWED, &protective)),
            not_in_organization(),
        ),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(
        observed.contains("enforces only on models anthropic.claude")
            && observed.contains("guards messages selectively")
            && observed.contains("not in an organization"),
        "{observed}"
    );
    let weak = Ok(guardrail_version(VERSION_WEAK));
    let mut drafts = account_configs(ENFORCED_ALL_MODELS, &weak);
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(Ok(drafts.clone()), not_in_organization()),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("without both"), "{observed}");
    drafts[0].version = Some("DRAFT".into());
    drafts[0].guardrail_version = protective;
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(Ok(drafts), not_in_organization()),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("names version DRAFT"), "{observed}");
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(
            Ok(Vec::new()),
            OrganizationGuardrails::NoPolicy("no effective BEDROCK_POLICY".into()),
        ),
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(
        observed.contains("no enforced guardrail configuration"),
        "{observed}"
    );
}

#[test]
fn the_organization_policy_counts_only_when_it_names_a_passing_version() {
    let protective = Ok(guardrail_version(VERSION_PROTECTIVE));
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(Ok(Vec::new()), organization(EFFECTIVE_POLICY, &protective)),
    );
    assert_eq!(v, Verdict::Compliant, "{observed}");
    assert!(
        observed.contains("organization policy config_1"),
        "{observed}"
    );
    let weak = Ok(guardrail_version(VERSION_WEAK));
    assert_eq!(
        verdict(
            &ENFORCED_GUARDRAIL_ALL_MODELS,
            enforced(Ok(Vec::new()), organization(EFFECTIVE_POLICY, &weak)),
        )
        .0,
        Verdict::NonCompliant
    );
}

#[test]
fn an_unreadable_organization_view_is_never_a_pass_and_alone_cannot_be_decided() {
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(
            Ok(Vec::new()),
            OrganizationGuardrails::Unreadable(denied("organizations:DescribeEffectivePolicy")),
        ),
    );
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(
        observed.contains("organizations:DescribeEffectivePolicy"),
        "{observed}"
    );
    // The organization's guardrail cannot be read from the member account.
    let (v, observed) = verdict(
        &ENFORCED_GUARDRAIL_ALL_MODELS,
        enforced(
            Err(denied("bedrock:ListEnforcedGuardrailsConfiguration")),
            organization(EFFECTIVE_POLICY, &Err(denied("bedrock:GetGuardrail"))),
        ),
    );
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(
        observed.contains("bedrock:GetGuardrail")
            && observed.contains("bedrock:ListEnforcedGuardrailsConfiguration"),
        "{observed}"
    );
}

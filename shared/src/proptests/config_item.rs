//! Configuration items under hostile input: every item in `tests/fixtures/` and every sample
//! change event's `configurationItem` (one or more of each recorded resource type), mutated, read
//! by `ConfigurationItem::from_notification` and decoded through the reader registry
//! (`readers::decode`). And the fields each decoder reads, retyped: the decoder must say so in an
//! `Unreadable` reason naming the field, never read a default in its place.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use super::hostile::{self, MAX_ERROR_CHARS, Target};
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::resource::ResourceType;

pub(crate) struct Sample {
    pub(crate) name: String,
    pub(crate) item: Value,
    targets: Vec<Target>,
}

/// A configuration item in the notification shape, from a fixture file or a sample event.
fn as_item(value: &Value) -> Option<Value> {
    if value.get("resourceType").is_some() && value.get("configurationItemCaptureTime").is_some() {
        return Some(value.clone());
    }
    let invoking: Value = serde_json::from_str(value.get("invokingEvent")?.as_str()?).ok()?;
    invoking
        .get("configurationItem")
        .filter(|i| i.is_object())
        .cloned()
}

pub(crate) fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let mut samples = Vec::new();
        for dir in ["tests/fixtures", "events"] {
            for (name, value) in super::json_files(dir) {
                if let Some(item) = as_item(&value) {
                    samples.push(Sample {
                        name,
                        targets: hostile::targets(&item),
                        item,
                    });
                }
            }
        }
        let types: BTreeSet<&str> = samples
            .iter()
            .filter_map(|s| s.item["resourceType"].as_str())
            .collect();
        for resource_type in ResourceType::ALL {
            if resource_type.recorded_by_config() {
                assert!(
                    types.contains(resource_type.cfn_type()),
                    "no configuration item fixture of {resource_type}"
                );
            }
        }
        samples
    })
}

/// What a decoded item must be, whatever the item held: a resource of the item's type, or
/// unreadable, or an unsupported type only for a type no reader decodes; every reason said, and
/// short.
pub(crate) fn assert_decoded(
    item: &ConfigurationItem,
    decoded: &Decoded,
) -> Result<(), TestCaseError> {
    let resource_type = ResourceType::from_cfn_type(&item.resource_type);
    let decodes = resource_type
        .and_then(crate::readers::reader)
        .is_some_and(|r| r.decode.is_some());
    match decoded {
        Decoded::UnsupportedType => prop_assert!(!decodes, "{} unsupported", item.resource_type),
        Decoded::Resource(resource) => {
            prop_assert_eq!(Some(resource.resource_type()), resource_type);
        }
        Decoded::Unreadable(_) => prop_assert!(decodes),
    }
    for reason in hostile::unreadable_reasons(&format!("{decoded:?}")) {
        prop_assert!(
            !reason.trim().is_empty() && reason.chars().count() <= MAX_ERROR_CHARS,
            "a reason of {} characters",
            reason.chars().count()
        );
    }
    Ok(())
}

/// Reads and decodes a mutated item: an error naming a field on the way to the mutated node (any,
/// when the whole item was replaced), or a well-formed decoding.
pub(crate) fn check(item: &Value, target: &Target) -> Result<(), TestCaseError> {
    match ConfigurationItem::from_notification(item) {
        Err(error) => {
            let message = error.to_string();
            let root = target.len() == 1 && target[0].is_empty();
            prop_assert!(message.chars().count() <= MAX_ERROR_CHARS);
            prop_assert!(
                root || hostile::names_a_field(&message, target),
                "{message:?} names no field of {target:?}"
            );
            Ok(())
        }
        Ok(parsed) => assert_decoded(&parsed, &crate::readers::decode(&parsed)),
    }
}

/// The fields the decoders read, by resource type: (pointer in the item, what the reason must
/// name when the field has another type).
const READ_FIELDS: &[(&str, &str, &str)] = &[
    (
        "AWS::S3::Bucket",
        "/supplementaryConfiguration/ServerSideEncryptionConfiguration",
        "ServerSideEncryptionConfiguration",
    ),
    (
        "AWS::S3::Bucket",
        "/supplementaryConfiguration/PublicAccessBlockConfiguration",
        "PublicAccessBlockConfiguration",
    ),
    (
        "AWS::S3::Bucket",
        "/supplementaryConfiguration/PublicAccessBlockConfiguration/blockPublicPolicy",
        "blockPublicPolicy",
    ),
    (
        "AWS::S3::Bucket",
        "/supplementaryConfiguration/PublicAccessBlockConfiguration/restrictPublicBuckets",
        "restrictPublicBuckets",
    ),
    (
        "AWS::S3::Bucket",
        "/supplementaryConfiguration/BucketPolicy/policyText",
        "policy",
    ),
    (
        "AWS::S3::Bucket",
        "/supplementaryConfiguration/BucketLoggingConfiguration",
        "BucketLoggingConfiguration",
    ),
    ("AWS::KMS::Key", "/configuration/keyManager", "keyManager"),
    ("AWS::KMS::Key", "/configuration/keyState", "keyState"),
    (
        "AWS::KMS::Key",
        "/supplementaryConfiguration/KeyRotationStatus",
        "KeyRotationStatus",
    ),
    (
        "AWS::KMS::Key",
        "/supplementaryConfiguration/Policy",
        "policy",
    ),
    (
        "AWS::CloudTrail::Trail",
        "/configuration/kmsKeyId",
        "kmsKeyId",
    ),
    (
        "AWS::CloudTrail::Trail",
        "/configuration/logFileValidationEnabled",
        "logFileValidationEnabled",
    ),
    (
        "AWS::CloudTrail::Trail",
        "/configuration/isMultiRegionTrail",
        "isMultiRegionTrail",
    ),
    ("AWS::Logs::LogGroup", "/configuration/kmsKeyId", "kmsKeyId"),
    (
        "AWS::Logs::LogGroup",
        "/configuration/retentionInDays",
        "retentionInDays",
    ),
    (
        "AWS::IAM::Role",
        "/configuration/rolePolicyList",
        "rolePolicyList",
    ),
    (
        "AWS::IAM::Role",
        "/configuration/rolePolicyList/0/policyDocument",
        "inline policy",
    ),
    (
        "AWS::IAM::Role",
        "/configuration/attachedManagedPolicies",
        "attachedManagedPolicies",
    ),
    (
        "AWS::IAM::Role",
        "/configuration/attachedManagedPolicies/0/policyArn",
        "policyArn",
    ),
    (
        "AWS::IAM::User",
        "/configuration/userPolicyList",
        "userPolicyList",
    ),
    ("AWS::IAM::User", "/configuration/groupList", "groupList"),
    ("AWS::IAM::User", "/configuration/groupList/0", "groupList"),
    (
        "AWS::IAM::User",
        "/configuration/attachedManagedPolicies/0/policyArn",
        "policyArn",
    ),
    (
        "AWS::IAM::Policy",
        "/configuration/policyVersionList",
        "policyVersionList",
    ),
    (
        "AWS::IAM::Policy",
        "/configuration/policyVersionList/0/document",
        "policy",
    ),
    (
        "AWS::IAM::Policy",
        "/configuration/policyVersionList/1/document",
        "policy",
    ),
    (
        "AWS::SageMaker::NotebookInstance",
        "/configuration/KmsKeyId",
        "KmsKeyId",
    ),
    (
        "AWS::SageMaker::NotebookInstance",
        "/configuration/DirectInternetAccess",
        "DirectInternetAccess",
    ),
    (
        "AWS::SageMaker::NotebookInstance",
        "/configuration/RootAccess",
        "RootAccess",
    ),
    (
        "AWS::SageMaker::EndpointConfig",
        "/configuration/KmsKeyId",
        "KmsKeyId",
    ),
    (
        "AWS::SageMaker::Model",
        "/configuration/EnableNetworkIsolation",
        "EnableNetworkIsolation",
    ),
    (
        "AWS::SageMaker::Domain",
        "/configuration/KmsKeyId",
        "KmsKeyId",
    ),
    (
        "AWS::SageMaker::FeatureGroup",
        "/configuration/OfflineStoreConfig",
        "OfflineStoreConfig",
    ),
    (
        "AWS::SageMaker::FeatureGroup",
        "/configuration/OnlineStoreConfig",
        "OnlineStoreConfig",
    ),
    (
        "AWS::SageMaker::DataQualityJobDefinition",
        "/configuration/NetworkConfig/EnableInterContainerTrafficEncryption",
        "EnableInterContainerTrafficEncryption",
    ),
    (
        "AWS::Bedrock::Guardrail",
        "/configuration/KmsKeyArn",
        "KmsKeyArn",
    ),
    (
        "AWS::Bedrock::Guardrail",
        "/configuration/ContentPolicyConfig",
        "ContentPolicyConfig",
    ),
    (
        "AWS::Bedrock::Guardrail",
        "/configuration/SensitiveInformationPolicyConfig",
        "SensitiveInformationPolicyConfig",
    ),
    (
        "AWS::Bedrock::DataSource",
        "/configuration/ServerSideEncryptionConfiguration",
        "ServerSideEncryptionConfiguration",
    ),
];

/// One field of one fixture that a decoder reads.
struct ReadField {
    sample: &'static Sample,
    pointer: &'static str,
    names: &'static str,
}

fn read_fields() -> &'static [ReadField] {
    static FIELDS: OnceLock<Vec<ReadField>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let mut out = Vec::new();
        for (resource_type, pointer, names) in READ_FIELDS {
            let before = out.len();
            for sample in samples() {
                // A fixture whose field is already unreadable proves nothing about it.
                let readable = || {
                    let item = ConfigurationItem::from_notification(&sample.item).unwrap();
                    !reasons(&crate::readers::decode(&item))
                        .iter()
                        .any(|r| r.contains(names))
                };
                // Only the default version's document is read.
                let read = pointer.strip_suffix("/document").is_none_or(|version| {
                    sample.item.pointer(&format!("{version}/isDefaultVersion"))
                        == Some(&json!(true))
                });
                if sample.item["resourceType"] == *resource_type
                    && sample.item.pointer(pointer).is_some_and(|v| !v.is_null())
                    && read
                    && readable()
                {
                    out.push(ReadField {
                        sample,
                        pointer,
                        names,
                    });
                }
            }
            assert!(
                out.len() > before,
                "no {resource_type} fixture has {pointer}"
            );
        }
        out
    })
}

/// Values of every JSON type but the field's own (a string field also gets a string no parser
/// reads as JSON, a flag one that is neither `true` nor `false`).
fn wrong_values(original: &Value) -> Vec<Value> {
    let candidates = [
        json!(7),
        json!(true),
        json!([1]),
        json!({"k": 1}),
        json!("§ not-a-value"),
    ];
    candidates
        .into_iter()
        .filter(|c| std::mem::discriminant(c) != std::mem::discriminant(original))
        .collect()
}

/// The reasons of a decoding, from its debug text.
fn reasons(decoded: &Decoded) -> Vec<String> {
    hostile::unreadable_reasons(&format!("{decoded:?}"))
}

proptest! {
    #![proptest_config(hostile::config(256))]

    #[test]
    fn a_hostile_configuration_item_is_an_error_naming_its_field_or_decoded_well_formed(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        let item = hostile::mutate(&sample.item, target, &mutation.hostile);
        check(&item, target)
            .map_err(|e| TestCaseError::fail(format!("{} at {target:?}: {e}", sample.name)))?;
    }

    #[test]
    fn a_field_a_decoder_reads_given_another_type_is_unreadable_naming_it(
        pick in any::<Index>(),
        value in any::<Index>(),
    ) {
        let field = pick.get(read_fields());
        let original = field.sample.item.pointer(field.pointer).cloned().unwrap_or(Value::Null);
        let wrong = value.get(&wrong_values(&original)).clone();
        let target = vec![field.pointer.to_owned()];
        let item = hostile::mutate(&field.sample.item, &target, &hostile::Hostile::Replace(wrong.clone()));
        match ConfigurationItem::from_notification(&item) {
            Err(error) => prop_assert!(false, "{}: {error}", field.sample.name),
            Ok(parsed) => {
                let decoded = crate::readers::decode(&parsed);
                assert_decoded(&parsed, &decoded)?;
                let named = reasons(&decoded).iter().any(|r| r.contains(field.names));
                prop_assert!(
                    named,
                    "{}: {} = {wrong} decoded as {decoded:?}",
                    field.sample.name,
                    field.pointer
                );
            }
        }
    }
}

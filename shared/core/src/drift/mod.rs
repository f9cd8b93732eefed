//! CloudTrail drift: GenAI-relevant write calls, delivered by EventBridge as "AWS API Call via
//! CloudTrail" events, turned into the resources to re-read and the checks to re-run.
//!
//! - [`event`]: the EventBridge envelope and CloudTrail record parsed into an [`ApiCall`].
//! - [`map`]: THE event map from `(eventSource, eventName)` to the affected resources, and the
//!   pure [`classify`] that skips failed, read-only and unmapped calls.
//!
//! The call is the trigger, never the evidence: `triggers::cloudtrail_drift` re-reads the live
//! state (`readers::reread`, through the reader registry) and evaluates that. Everything here is pure.

pub mod event;
pub mod map;

pub use event::{Actor, ApiCall, EventError, parse};
pub use map::{Classified, Kind, Selector, Skip, SkipReason, Target, classify, routed_events};

#[cfg(test)]
mod sample_events {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::domain::resource::ResourceType;

    /// What each `events/drift-*.json` must classify as: the first target's type and id, or the
    /// skip reason.
    enum Expected {
        Target(ResourceType, &'static str),
        Skip(SkipReason),
    }

    fn expected() -> BTreeMap<&'static str, Expected> {
        use Expected::{Skip, Target};
        use ResourceType as T;
        BTreeMap::from([
            (
                "drift-bedrock-deletemodelinvocationloggingconfiguration.json",
                Target(T::BedrockInvocationLogging, "(account and region)"),
            ),
            (
                "drift-bedrock-agentcore-updategateway.json",
                Target(T::AgentCoreGateway, "sandbox-tools-9wz2r5t7yb"),
            ),
            (
                "drift-bedrock-deleteguardrail.json",
                Target(T::BedrockGuardrail, "gr7x2k9q4m1a"),
            ),
            (
                "drift-bedrock-createmodelcustomizationjob.json",
                Target(T::BedrockModelCustomizationJob, "claims-ft-2026-08"),
            ),
            (
                "drift-bedrock-updateagent.json",
                Target(T::BedrockAgent, "AGT7Q2X9LM"),
            ),
            (
                "drift-bedrock-updatedatasource.json",
                Target(T::BedrockDataSource, "KB4R8T2W1Z|DS9P3L6K2J"),
            ),
            (
                "drift-sagemaker-updatenotebookinstance.json",
                Target(T::SageMakerNotebookInstance, "genai-sandbox-nb"),
            ),
            (
                "drift-sagemaker-createnotebookinstance.json",
                Target(T::SageMakerNotebookInstance, "genai-sandbox-nb"),
            ),
            (
                "drift-sagemaker-createtrainingjob.json",
                Target(T::SageMakerTrainingJob, "claims-ft-0810"),
            ),
            (
                "drift-s3-deletebucketencryption.json",
                Target(T::S3Bucket, "genai-train-data-secure"),
            ),
            (
                "drift-s3-deletebucketpublicaccessblock.json",
                Target(T::S3Bucket, "genai-train-data-secure"),
            ),
            (
                "drift-kms-schedulekeydeletion.json",
                Target(T::KmsKey, "1234abcd-12ab-34cd-56ef-1234567890ab"),
            ),
            (
                "drift-kms-disablekeyrotation.json",
                Target(
                    T::KmsKey,
                    "arn:aws:kms:us-east-1:123456789012:key/0987dcba-09fe-87dc-65ba-ab0987654321",
                ),
            ),
            (
                "drift-iam-attachrolepolicy.json",
                Target(T::IamRole, "genai-app-role"),
            ),
            (
                "drift-iam-createpolicyversion.json",
                Target(
                    T::IamPolicy,
                    "arn:aws:iam::123456789012:policy/genai-invoke-models",
                ),
            ),
            (
                "drift-cloudtrail-stoplogging.json",
                Target(T::Account, "(account and region)"),
            ),
            (
                "drift-cloudtrail-deletetrail.json",
                Target(T::CloudTrailTrail, "org-trail"),
            ),
            (
                "drift-logs-disassociatekmskey.json",
                Target(T::LogsLogGroup, "/aws/bedrock/invocations"),
            ),
            (
                "drift-logs-putretentionpolicy.json",
                Target(T::LogsLogGroup, "/aws/bedrock/invocations"),
            ),
            ("drift-failed-call.json", Skip(SkipReason::FailedCall)),
            ("drift-read-only-call.json", Skip(SkipReason::ReadOnly)),
            ("drift-unmapped-call.json", Skip(SkipReason::Unmapped)),
        ])
    }

    #[test]
    fn every_sample_drift_event_parses_and_classifies_as_expected() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("drift-") && n.ends_with(".json"))
            .collect();
        files.sort();
        let expected = expected();
        assert!(files.len() >= 15, "{files:?}");
        assert_eq!(
            files.iter().map(String::as_str).collect::<Vec<_>>(),
            expected.keys().copied().collect::<Vec<_>>(),
            "every drift sample has an expectation here and every expectation a file"
        );
        let mut services = std::collections::BTreeSet::new();
        for file in &files {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["account"], "123456789012", "{file}");
            assert_eq!(value["region"], "us-east-1", "{file}");
            let call = parse(&value).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(
                value["source"].as_str().unwrap().trim_start_matches("aws."),
                call.event_source.trim_end_matches(".amazonaws.com"),
                "{file}: source and eventSource disagree"
            );
            match (classify(&call), &expected[file.as_str()]) {
                (Classified::Mapped { route, targets }, Expected::Target(ty, id)) => {
                    assert_eq!(targets[0].resource_type, *ty, "{file}");
                    assert_eq!(targets[0].selector.describe(), *id, "{file}");
                    assert_eq!(
                        file.as_str(),
                        format!(
                            "drift-{}-{}.json",
                            route.source.trim_start_matches("aws."),
                            route.event_name.to_ascii_lowercase()
                        ),
                        "samples are named drift-<service>-<eventname>.json"
                    );
                    services.insert(route.source);
                }
                (Classified::Skipped(skip), Expected::Skip(reason)) => {
                    assert_eq!(skip.reason, *reason, "{file}: {}", skip.message);
                }
                (Classified::Mapped { .. }, Expected::Skip(_)) => panic!("{file} was mapped"),
                (Classified::Skipped(skip), Expected::Target(..)) => {
                    panic!("{file} skipped: {}", skip.message)
                }
            }
        }
        assert_eq!(
            services.len(),
            routed_events().len(),
            "a sample for every mapped service: {services:?}"
        );
    }

    #[test]
    fn the_pascal_case_sagemaker_samples_are_not_read_as_naming_a_resource() {
        // events/negative/: the shape the project's first samples had (SageMaker's API input
        // casing), which CloudTrail never records. They must not be evaluated as if real.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/negative");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("sagemaker-pascalcase-") {
                continue;
            }
            let value: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let call = parse(&value).unwrap_or_else(|e| panic!("{name}: {e}"));
            match classify(&call) {
                Classified::Skipped(skip) => {
                    assert_eq!(skip.reason, SkipReason::NoResourceId, "{name}")
                }
                Classified::Mapped { .. } => panic!("{name}: PascalCase keys were read"),
            }
            seen += 1;
        }
        assert!(seen >= 2, "{seen} negative samples");
    }
}

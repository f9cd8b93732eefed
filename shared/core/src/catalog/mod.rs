//! The check registry: every check as metadata plus one pure `evaluate`, listed in [`CHECKS`].
//!
//! A check never does IO. It receives a resource already read by an adapter (from a Config
//! configuration item or from the AWS API) and returns an [`Outcome`]. A field the adapter could
//! not read arrives as [`Unreadable`](crate::domain::resource::Unreadable) and the check answers
//! `CouldNotEvaluate`, never `NonCompliant`.

pub mod agentcore;
pub mod bedrock;
pub mod cloudtrail;
pub mod framework;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod params;
pub mod reference;
pub mod s3;
pub mod sagemaker;
pub mod security_hub;

use std::fmt;
use std::sync::LazyLock;

use crate::domain::outcome::Outcome;
use crate::domain::resource::{Resource, ResourceType};
use crate::domain::resources;
pub use framework::{FRAMEWORK_CONTROLS, FrameworkControl, Principle, framework_control};
pub use params::Params;

/// How bad a failure of the check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Exposure of data or control plane now.
    Critical,
    /// A control is missing on sensitive data.
    High,
    /// A control is weaker than the framework asks.
    Medium,
    /// Hygiene.
    Low,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        })
    }
}

macro_rules! evaluators {
    ($($variant:ident($state:ty);)*) => {
        /// The pure decision of a check, typed by the resource it reads.
        #[derive(Clone, Copy)]
        pub enum Evaluator {
            $(#[doc = concat!("A check on `", stringify!($variant), "`.")] $variant(fn(&$state, &Params) -> Outcome),)*
        }

        impl Evaluator {
            /// The resource type the evaluator reads.
            pub fn resource_type(self) -> ResourceType {
                match self { $(Evaluator::$variant(_) => ResourceType::$variant,)* }
            }

            /// Runs the evaluator on a resource of its type; `None` for another type.
            fn run(self, resource: &Resource, params: &Params) -> Option<Outcome> {
                match (self, resource) {
                    $((Evaluator::$variant(f), Resource::$variant(r)) => Some(f(r, params)),)*
                    _ => None,
                }
            }
        }
    };
}

evaluators! {
    S3Bucket(resources::s3::S3Bucket);
    SageMakerNotebookInstance(resources::sagemaker::NotebookInstance);
    SageMakerEndpointConfig(resources::sagemaker::EndpointConfig);
    SageMakerTrainingJob(resources::sagemaker::TrainingJob);
    SageMakerModel(resources::sagemaker::Model);
    SageMakerDomain(resources::sagemaker::Domain);
    SageMakerFeatureGroup(resources::sagemaker::FeatureGroup);
    SageMakerDataQualityJobDefinition(resources::sagemaker::MonitoringJobDefinition);
    SageMakerModelQualityJobDefinition(resources::sagemaker::MonitoringJobDefinition);
    SageMakerModelBiasJobDefinition(resources::sagemaker::MonitoringJobDefinition);
    SageMakerModelExplainabilityJobDefinition(resources::sagemaker::MonitoringJobDefinition);
    SageMakerMonitoringSchedule(resources::sagemaker::MonitoringSchedule);
    SageMakerInferenceExperiment(resources::sagemaker::InferenceExperiment);
    SageMakerProcessingJob(resources::sagemaker::ProcessingJob);
    SageMakerTransformJob(resources::sagemaker::TransformJob);
    BedrockCustomModel(resources::bedrock::CustomModel);
    BedrockModelCustomizationJob(resources::bedrock::ModelCustomizationJob);
    BedrockGuardrail(resources::bedrock::Guardrail);
    BedrockAgent(resources::bedrock::Agent);
    BedrockDataSource(resources::bedrock::DataSource);
    BedrockInvocationLogging(resources::bedrock::InvocationLogging);
    BedrockGuardrailInventory(resources::bedrock::GuardrailInventory);
    BedrockImportedModel(resources::bedrock::ImportedModel);
    BedrockModelInvocationJob(resources::bedrock::ModelInvocationJob);
    AgentCoreRuntime(resources::agentcore::Runtime);
    AgentCoreGateway(resources::agentcore::Gateway);
    AgentCoreMemory(resources::agentcore::Memory);
    AgentCoreBrowser(resources::agentcore::Browser);
    AgentCoreCodeInterpreter(resources::agentcore::CodeInterpreter);
    AgentCoreTokenVault(resources::agentcore::TokenVault);
    BedrockEnforcedGuardrails(resources::bedrock::EnforcedGuardrails);
    IamRole(resources::iam::Role);
    IamUser(resources::iam::User);
    IamPolicy(resources::iam::ManagedPolicy);
    KmsKey(resources::kms::Key);
    CloudTrailTrail(resources::cloudtrail::Trail);
    LogsLogGroup(resources::logs::LogGroup);
    Account(resources::account::Account);
}

/// A check: metadata and its evaluator.
pub struct Check {
    /// Stable id, `service_resource_property` in snake case.
    pub id: &'static str,
    /// Bumped whenever the decision logic changes, and quoted in every piece of evidence.
    pub version: u16,
    /// What the check verifies, as a statement (not "Ensure ...").
    pub title: &'static str,
    /// The framework controls it produces evidence for.
    pub controls: &'static [&'static FrameworkControl],
    /// The Security Hub CSPM controls of the AI Security Best Practices standard whose fail
    /// condition the check decides (e.g. `SageMaker.1`); see [`security_hub`] for the standard.
    pub security_hub: &'static [&'static str],
    /// How bad a failure is.
    pub severity: Severity,
    /// The IAM actions needed to read its state from the AWS API directly.
    pub api_actions: &'static [&'static str],
    /// What passes, in one sentence, for the controls reference.
    pub passes_when: &'static str,
    /// How to fix a failure.
    pub remediation: &'static str,
    /// The decision.
    pub evaluator: Evaluator,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Check({} v{})", self.id, self.version)
    }
}

impl Check {
    /// The resource type the check reads, implied by its evaluator.
    pub fn resource_type(&self) -> ResourceType {
        self.evaluator.resource_type()
    }

    /// Runs the check. A resource of another type is not applicable.
    pub fn evaluate(&self, resource: &Resource, params: &Params) -> Outcome {
        self.evaluator.run(resource, params).unwrap_or_else(|| {
            Outcome::not_applicable(
                format!("resource is a {}", resource.resource_type()),
                format!(
                    "check {} reads {} resources only",
                    self.id,
                    self.resource_type()
                ),
            )
        })
    }
}

/// Every check, in a stable order: each service module lists its own in `CHECKS`.
pub static CHECKS: LazyLock<Vec<&'static Check>> = LazyLock::new(|| {
    [
        s3::CHECKS,
        sagemaker::CHECKS,
        bedrock::CHECKS,
        agentcore::CHECKS,
        iam::CHECKS,
        kms::CHECKS,
        cloudtrail::CHECKS,
        logs::CHECKS,
    ]
    .concat()
});

/// The check with this id.
pub fn find_check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().copied().find(|c| c.id == id)
}

/// The checks that read this resource type.
pub fn checks_for(resource_type: ResourceType) -> impl Iterator<Item = &'static Check> {
    CHECKS
        .iter()
        .copied()
        .filter(move |c| c.resource_type() == resource_type)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn check_ids_are_unique_snake_case_and_prefixed_by_service() {
        let mut seen = HashSet::new();
        for check in CHECKS.iter() {
            assert!(seen.insert(check.id), "duplicate id {}", check.id);
            assert!(
                check
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                check.id
            );
            let service = check
                .resource_type()
                .cfn_type()
                .split("::")
                .nth(1)
                .unwrap_or_default()
                .to_ascii_lowercase();
            let prefix = check.id.split('_').next().unwrap_or_default();
            if service.is_empty() {
                // Account-level checks are named after the service they look at.
                let services = [
                    "s3",
                    "sagemaker",
                    "bedrock",
                    "iam",
                    "kms",
                    "cloudtrail",
                    "logs",
                ];
                assert!(
                    services.contains(&prefix),
                    "{} should start with a service name",
                    check.id
                );
            } else {
                assert_eq!(prefix, service, "{} should start with {service}_", check.id);
            }
        }
    }

    #[test]
    fn every_check_maps_to_a_known_framework_control() {
        for check in CHECKS.iter() {
            assert!(
                !check.controls.is_empty(),
                "{} maps to no control",
                check.id
            );
            for control in check.controls {
                assert!(
                    framework_control(control.id).is_some(),
                    "{} maps to unknown {}",
                    check.id,
                    control.id
                );
            }
        }
    }

    #[test]
    fn every_check_has_title_remediation_and_api_actions() {
        for check in CHECKS.iter() {
            assert!(
                !check.title.is_empty() && check.title.len() <= 150,
                "{}",
                check.id
            );
            assert!(!check.title.starts_with("Ensure"), "{}", check.id);
            assert!(
                !check.remediation.is_empty() && !check.passes_when.is_empty(),
                "{}",
                check.id
            );
            assert!(!check.api_actions.is_empty(), "{}", check.id);
            assert!(
                check
                    .api_actions
                    .iter()
                    .all(|a| a.contains(':') && !a.contains('*')),
                "{}",
                check.id
            );
            assert!(check.version >= 1, "{}", check.id);
        }
    }

    #[test]
    fn a_check_given_another_resource_type_answers_not_applicable() {
        let group = Resource::LogsLogGroup(resources::logs::LogGroup {
            name: "/aws/bedrock/invocations".into(),
            kms_key_id: None,
            retention_days: None,
            own_data_protection: Ok(None),
            account_data_protection: Ok(Vec::new()),
        });
        let outcome = s3::DEFAULT_ENCRYPTION_KMS.evaluate(&group, &Params::default());
        assert_eq!(
            outcome.verdict,
            crate::domain::outcome::Verdict::NotApplicable
        );
    }

    #[test]
    fn every_check_has_fixture_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("tests/fixtures/manifest.json")).unwrap();
        let manifest: std::collections::BTreeMap<String, Vec<String>> =
            serde_json::from_str(&text).unwrap();
        for check in CHECKS.iter() {
            let files = manifest.get(check.id).unwrap_or_else(|| {
                panic!("{} is not in tests/fixtures/manifest.json: run python3 tools/fixture_manifest.py", check.id)
            });
            assert!(!files.is_empty(), "{} has no fixture", check.id);
            for file in files {
                let body = std::fs::read_to_string(root.join(file))
                    .unwrap_or_else(|e| panic!("{file}: {e}"));
                assert!(
                    serde_json::from_str::<serde_json::Value>(&body).is_ok(),
                    "{file} is not JSON"
                );
            }
        }
        for id in manifest.keys() {
            assert!(
                find_check(id).is_some(),
                "manifest names unknown check {id}"
            );
        }
    }
}

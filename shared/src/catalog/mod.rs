//! The check registry: every check as metadata plus one pure `evaluate`, listed in [`CHECKS`].
//!
//! A check never does IO. It receives a resource already read by an adapter (from a Config
//! configuration item or from the AWS API) and returns an [`Outcome`]. A field the adapter could
//! not read arrives as [`Unreadable`](crate::domain::resource::Unreadable) and the check answers
//! `CouldNotEvaluate`, never `NonCompliant`.

pub mod framework;
pub mod params;
pub mod s3;
pub mod sagemaker;

#[cfg(test)]
mod fixture_tests;

use std::fmt;

use crate::domain::outcome::Outcome;
use crate::domain::resource::{NotebookInstance, Resource, ResourceType, S3Bucket};
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

/// The pure decision of a check, typed by the resource it reads.
#[derive(Clone, Copy)]
pub enum Evaluator {
    /// A check on S3 buckets.
    S3Bucket(fn(&S3Bucket, &Params) -> Outcome),
    /// A check on SageMaker notebook instances.
    SageMakerNotebookInstance(fn(&NotebookInstance, &Params) -> Outcome),
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
        match self.evaluator {
            Evaluator::S3Bucket(_) => ResourceType::S3Bucket,
            Evaluator::SageMakerNotebookInstance(_) => ResourceType::SageMakerNotebookInstance,
        }
    }

    /// Runs the check. A resource of another type is not applicable.
    pub fn evaluate(&self, resource: &Resource, params: &Params) -> Outcome {
        match (self.evaluator, resource) {
            (Evaluator::S3Bucket(f), Resource::S3Bucket(r)) => f(r, params),
            (Evaluator::SageMakerNotebookInstance(f), Resource::SageMakerNotebookInstance(r)) => {
                f(r, params)
            }
            (_, other) => Outcome::not_applicable(
                format!("resource is a {}", other.resource_type()),
                format!(
                    "check {} reads {} resources only",
                    self.id,
                    self.resource_type()
                ),
            ),
        }
    }
}

/// Every check, in a stable order.
pub static CHECKS: &[&Check] = &[
    &s3::DEFAULT_ENCRYPTION_KMS,
    &s3::TLS_ONLY,
    &sagemaker::NOTEBOOK_KMS_KEY,
];

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
        for check in CHECKS {
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
            assert!(
                check.id.starts_with(&format!("{service}_")),
                "{} should start with {service}_",
                check.id
            );
        }
    }

    #[test]
    fn every_check_maps_to_a_known_framework_control() {
        for check in CHECKS {
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
        for check in CHECKS {
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
        let notebook = Resource::SageMakerNotebookInstance(NotebookInstance {
            name: "nb".into(),
            kms_key_id: None,
        });
        let outcome = s3::DEFAULT_ENCRYPTION_KMS.evaluate(&notebook, &Params::default());
        assert_eq!(
            outcome.verdict,
            crate::domain::outcome::Verdict::NotApplicable
        );
    }
}

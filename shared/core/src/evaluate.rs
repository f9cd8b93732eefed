//! Evaluation: a collected subject in, findings out. Pure; the one place checks are run.

use crate::catalog::{Check, Params};
use crate::domain::outcome::Outcome;
use crate::domain::resource::{Resource, ResourceRef, ResourceType};
use crate::domain::scope::Link;
use crate::domain::time::Timestamp;
use crate::finding::Finding;

/// A resource as a collector found it.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Where it is.
    pub resource: ResourceRef,
    /// When its state was observed.
    pub observed_at: Timestamp,
    /// How it was observed (quoted in evidence).
    pub observed_via: &'static str,
    /// What was found.
    pub state: SubjectState,
    /// What the resource points at that puts other resources in GenAI scope (its buckets, keys,
    /// roles and log groups), each with the reason; filled by the API collectors of Bedrock and
    /// SageMaker from the responses they read, empty elsewhere (Config items, other services).
    pub links: Vec<Link>,
}

impl Subject {
    /// A subject with no links.
    pub fn new(
        resource: ResourceRef,
        observed_at: Timestamp,
        observed_via: &'static str,
        state: SubjectState,
    ) -> Self {
        Self {
            resource,
            observed_at,
            observed_via,
            state,
            links: Vec::new(),
        }
    }
}

/// What a collector found about a subject.
#[allow(
    clippy::large_enum_variant,
    reason = "transient: one value per resource, moved straight through collect → evaluate; boxing would add an allocation each"
)]
#[derive(Debug, Clone)]
pub enum SubjectState {
    /// The resource and its state.
    Live(Resource),
    /// The resource is deleted, not recorded, or out of the rule's scope.
    Gone(String),
    /// The resource exists (or may) but its state could not be read.
    Unreadable(String),
}

/// The checks that apply to the subject's type under these parameters (none for a type the
/// catalog does not know).
pub fn applicable_checks(subject: &Subject, params: &Params) -> Vec<&'static Check> {
    match ResourceType::from_cfn_type(&subject.resource.resource_type) {
        Some(resource_type) => params.checks_for(resource_type),
        None => Vec::new(),
    }
}

/// Runs every applicable check on the subject.
pub fn evaluate(subject: &Subject, params: &Params, now: Timestamp) -> Vec<Finding> {
    applicable_checks(subject, params)
        .into_iter()
        .map(|check| {
            let outcome = match &subject.state {
                SubjectState::Live(resource) => check.evaluate(resource, params),
                SubjectState::Gone(why) => Outcome::not_applicable(
                    why.clone(),
                    "a resource that no longer exists, or is outside the rule's scope, cannot fail the control",
                ),
                SubjectState::Unreadable(why) => Outcome::could_not_evaluate(why.clone()),
            };
            Finding {
                check,
                resource: subject.resource.clone(),
                outcome,
                observed_at: subject.observed_at,
                observed_via: subject.observed_via,
                evaluated_at: now,
                context: Vec::new(),
            }
        })
        .collect()
}

//! A finding: one check's outcome on one resource at one time, ready for the sinks.

use crate::catalog::Check;
use crate::domain::outcome::Outcome;
use crate::domain::resource::ResourceRef;
use crate::domain::time::Timestamp;

/// One check's outcome on one resource.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The check that decided.
    pub check: &'static Check,
    /// The resource it is about.
    pub resource: ResourceRef,
    /// The verdict and its explanation.
    pub outcome: Outcome,
    /// When the state was observed (a configuration item's capture time, or the read time).
    pub observed_at: Timestamp,
    /// Where the state was read, e.g. `AWS Config configuration item`.
    pub observed_via: &'static str,
    /// When the check ran.
    pub evaluated_at: Timestamp,
    /// Lines an auditor needs next to the verdict: why the resource is in scope, who made the
    /// change that triggered the evaluation. Empty unless a trigger adds them.
    pub context: Vec<String>,
}

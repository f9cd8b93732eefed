//! The result of one check on one resource: four verdicts, and the words that explain them.

use std::fmt;

/// The verdict of a check.
///
/// `CouldNotEvaluate` is its own verdict: state that could not be read never becomes a
/// non-compliant (or compliant) finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// The resource meets the control.
    Compliant,
    /// The resource fails the control.
    NonCompliant,
    /// The control does not apply (deleted, out of scope, or nothing to check).
    NotApplicable,
    /// The state needed to decide could not be read.
    CouldNotEvaluate,
}

impl Verdict {
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE` or `COULD_NOT_EVALUATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Compliant => "COMPLIANT",
            Verdict::NonCompliant => "NON_COMPLIANT",
            Verdict::NotApplicable => "NOT_APPLICABLE",
            Verdict::CouldNotEvaluate => "COULD_NOT_EVALUATE",
        }
    }

    /// The verdict named `text` ([`Verdict::as_str`]'s spelling), if any.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Verdict::Compliant,
            Verdict::NonCompliant,
            Verdict::NotApplicable,
            Verdict::CouldNotEvaluate,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }

    /// How bad the verdict is for an auditor reading a digest: non-compliant first, then could
    /// not evaluate, then compliant, then not applicable.
    pub fn worst_first_rank(self) -> u8 {
        match self {
            Verdict::NonCompliant => 0,
            Verdict::CouldNotEvaluate => 1,
            Verdict::Compliant => 2,
            Verdict::NotApplicable => 3,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict with what was observed and why it leads to that verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// What was observed, e.g. `default encryption is SSE-S3 (AES256)`.
    pub observed: String,
    /// Why that passes or fails, e.g. `SSE-S3 uses S3-owned keys; SECAI3.3 needs SSE-KMS`.
    pub rationale: String,
}

impl Outcome {
    /// A compliant outcome.
    pub fn compliant(observed: impl Into<String>, rationale: impl Into<String>) -> Self {
        Self {
            verdict: Verdict::Compliant,
            observed: observed.into(),
            rationale: rationale.into(),
        }
    }

    /// A non-compliant outcome.
    pub fn non_compliant(observed: impl Into<String>, rationale: impl Into<String>) -> Self {
        Self {
            verdict: Verdict::NonCompliant,
            observed: observed.into(),
            rationale: rationale.into(),
        }
    }

    /// A not-applicable outcome.
    pub fn not_applicable(observed: impl Into<String>, rationale: impl Into<String>) -> Self {
        Self {
            verdict: Verdict::NotApplicable,
            observed: observed.into(),
            rationale: rationale.into(),
        }
    }

    /// The state could not be read; `reason` says what failed.
    pub fn could_not_evaluate(reason: impl Into<String>) -> Self {
        Self {
            verdict: Verdict::CouldNotEvaluate,
            observed: reason.into(),
            rationale: "the state this check needs could not be read, so no verdict is given"
                .into(),
        }
    }
}

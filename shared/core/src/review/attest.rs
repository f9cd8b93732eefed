//! The reviewer's sign-off of an access review: the attestation event, parsed strictly and
//! checked against the review it signs (every flagged principal decided, no unknown one), and
//! whether a review is signed, awaiting sign-off or overdue.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Review;
use crate::domain::time::Timestamp;

/// The longest note a decision or an attestation may carry, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// What the reviewer decided for one principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// The access is still needed.
    Keep,
    /// The access is to be removed.
    Revoke,
    /// The access stays although it is flagged; the risk is accepted.
    AcceptedRisk,
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The principal's ARN, as the review lists it.
    pub principal: String,
    /// The decision.
    pub decision: DecisionKind,
    /// Why, in the reviewer's words.
    #[serde(default)]
    pub note: Option<String>,
}

/// The sign-off of a review, as the reviewer sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The review signed.
    pub review_id: String,
    /// Who reviewed (name or e-mail, as the reviewer states it).
    pub reviewer: String,
    /// One decision per flagged principal (decisions on unflagged ones are allowed).
    pub decisions: Vec<Decision>,
    /// A note on the whole review.
    #[serde(default)]
    pub note: Option<String>,
}

/// A sign-off as recorded: the attestation, when it arrived, and who Lambda says invoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    /// The attestation.
    pub attestation: Attestation,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// The caller's identity from the invocation context (a Cognito identity, where Lambda
    /// provides one), else what Lambda does provide: the request id to find the `Invoke` call
    /// in CloudTrail.
    pub invoked_by: String,
}

/// Why an attestation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestError {
    /// The event is not a well-formed attestation.
    #[error("malformed attestation: {0}")]
    Malformed(String),
    /// A field is empty or too long.
    #[error("attestation field `{field}`: {why}")]
    Field {
        /// The field.
        field: String,
        /// What is wrong with it.
        why: String,
    },
    /// No such review.
    #[error("unknown review id {0:?}: no review with that id was prepared for this account")]
    UnknownReview(String),
    /// A decision names a principal the review does not list.
    #[error("decisions[{index}].principal {principal:?} is not a principal of review {review}")]
    UnknownPrincipal {
        /// The decision's position.
        index: usize,
        /// The principal named.
        principal: String,
        /// The review.
        review: String,
    },
    /// Two decisions on one principal.
    #[error("decisions[{index}]: a second decision on {principal:?}")]
    Duplicate {
        /// The decision's position.
        index: usize,
        /// The principal named twice.
        principal: String,
    },
    /// Flagged principals without a decision.
    #[error("no decision for flagged principal(s) of review {review}: {missing}")]
    MissingDecision {
        /// The review.
        review: String,
        /// The principals, comma separated.
        missing: String,
    },
}

fn field(value: &str, name: &str, required: bool) -> Result<(), AttestError> {
    let err = |why: &str| AttestError::Field {
        field: name.to_owned(),
        why: why.to_owned(),
    };
    if required && value.trim().is_empty() {
        return Err(err("must not be empty"));
    }
    if value.chars().count() > MAX_NOTE_CHARS {
        return Err(err(&format!("longer than {MAX_NOTE_CHARS} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(err("contains control characters"));
    }
    Ok(())
}

impl Attestation {
    /// Parses the attestation strictly: unknown fields, missing fields and wrong types are
    /// errors naming the field.
    pub fn parse(value: &serde_json::Value) -> Result<Self, AttestError> {
        // The path (`decisions[1].decision: unknown variant ...`) names the field at fault; serde
        // quotes the offending value, so the message is cut to keep hostile input out of logs.
        let attestation: Attestation = serde_path_to_error::deserialize(value).map_err(|e| {
            let why = crate::text::truncate_chars(&e.inner().to_string(), 300);
            AttestError::Malformed(match e.path().to_string().as_str() {
                "." => why,
                path => format!("{path}: {why}"),
            })
        })?;
        field(&attestation.review_id, "review_id", true)?;
        field(&attestation.reviewer, "reviewer", true)?;
        if let Some(note) = &attestation.note {
            field(note, "note", false)?;
        }
        for (i, d) in attestation.decisions.iter().enumerate() {
            field(&d.principal, &format!("decisions[{i}].principal"), true)?;
            if let Some(note) = &d.note {
                field(note, &format!("decisions[{i}].note"), false)?;
            }
        }
        Ok(attestation)
    }

    /// Checks the attestation against the review it names.
    pub fn validate(&self, review: &Review) -> Result<(), AttestError> {
        if self.review_id != review.id {
            return Err(AttestError::UnknownReview(self.review_id.clone()));
        }
        let mut seen = BTreeSet::new();
        for (index, d) in self.decisions.iter().enumerate() {
            if review.principal(&d.principal).is_none() {
                return Err(AttestError::UnknownPrincipal {
                    index,
                    principal: d.principal.clone(),
                    review: review.id.clone(),
                });
            }
            if !seen.insert(d.principal.as_str()) {
                return Err(AttestError::Duplicate {
                    index,
                    principal: d.principal.clone(),
                });
            }
        }
        let missing: Vec<&str> = review
            .flagged()
            .map(|p| p.arn.as_str())
            .filter(|arn| !seen.contains(arn))
            .collect();
        if !missing.is_empty() {
            return Err(AttestError::MissingDecision {
                review: review.id.clone(),
                missing: missing.join(", "),
            });
        }
        Ok(())
    }

    /// The sign-off text filed as evidence.
    pub fn evidence_text(&self, review: &Review, signed: &SignOff) -> String {
        let count =
            |kind: DecisionKind| self.decisions.iter().filter(|d| d.decision == kind).count();
        let mut text = format!(
            "SECAI3.8 access review {} of account {} signed off by {} at {} (invoked by {}): {} decision(s): keep {}, revoke {}, accepted risk {}.",
            review.id,
            review.account,
            self.reviewer,
            signed.recorded_at,
            signed.invoked_by,
            self.decisions.len(),
            count(DecisionKind::Keep),
            count(DecisionKind::Revoke),
            count(DecisionKind::AcceptedRisk),
        );
        for d in &self.decisions {
            let decision = match d.decision {
                DecisionKind::Keep => "keep",
                DecisionKind::Revoke => "revoke",
                DecisionKind::AcceptedRisk => "accepted risk",
            };
            text.push_str(&format!(" {}: {decision}", d.principal));
            if let Some(note) = d.note.as_deref().filter(|n| !n.is_empty()) {
                text.push_str(&format!(" ({note})"));
            }
            text.push('.');
        }
        if let Some(note) = self.note.as_deref().filter(|n| !n.is_empty()) {
            text.push_str(&format!(" Note: {note}"));
        }
        text
    }
}

/// Where a review stands with its sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOffStatus {
    /// Signed (when, by whom): compliant for the period.
    Signed {
        /// When.
        at: String,
        /// Who.
        reviewer: String,
    },
    /// Not signed yet, and the deadline (RFC 3339) has not passed.
    Awaiting {
        /// The deadline.
        deadline: String,
    },
    /// Not signed and the deadline has passed: non-compliant.
    Overdue {
        /// The deadline.
        deadline: String,
        /// Days past it.
        days_late: i64,
    },
}

impl SignOffStatus {
    /// The status of the review prepared at `generated_at`, signed by `signed` (if any), at
    /// `now`, with `deadline_days` to sign.
    pub fn of(
        generated_at: Timestamp,
        signed: Option<&SignOff>,
        now: Timestamp,
        deadline_days: u32,
    ) -> Self {
        if let Some(s) = signed {
            return SignOffStatus::Signed {
                at: s.recorded_at.clone(),
                reviewer: s.attestation.reviewer.clone(),
            };
        }
        let deadline = Timestamp::from_epoch_millis(
            generated_at.epoch_millis() + i64::from(deadline_days) * 86_400_000,
        );
        if now <= deadline {
            SignOffStatus::Awaiting {
                deadline: deadline.to_string(),
            }
        } else {
            SignOffStatus::Overdue {
                deadline: deadline.to_string(),
                days_late: (now.epoch_seconds() - deadline.epoch_seconds()).div_euclid(86_400),
            }
        }
    }

    /// The evidence text for review `id` in this status.
    pub fn evidence_text(&self, id: &str, account: &str) -> String {
        match self {
            SignOffStatus::Signed { at, reviewer } => format!(
                "COMPLIANT: SECAI3.8 access review {id} of account {account} was signed off by {reviewer} at {at}."
            ),
            SignOffStatus::Awaiting { deadline } => format!(
                "PENDING: SECAI3.8 access review {id} of account {account} awaits sign-off until {deadline}."
            ),
            SignOffStatus::Overdue {
                deadline,
                days_late,
            } => format!(
                "NON_COMPLIANT: SECAI3.8 access review {id} of account {account} was not signed off by its deadline {deadline} ({days_late} day(s) late): the periodic review of generative-AI access is overdue."
            ),
        }
    }
}

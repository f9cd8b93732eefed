//! The access review's events (`triggers::access_review::ReviewRequest::parse`) under hostile
//! input: the monthly schedule (`events/access-review-schedule.json`), its continuation
//! (`events/access-review-continue.json`) and the reviewer's attestation
//! (`events/access-review-attestation.json`), mutated.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use super::{Sample, hostile};
use crate::triggers::access_review::{AccessReviewError, ReviewRequest};
use genai_evidence_core::review::attest::MAX_NOTE_CHARS;

fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| super::event_samples("access-review-", 3))
}

/// A text field of an attestation as `Attestation::parse` promises it: not blank when
/// `required`, at most [`MAX_NOTE_CHARS`] characters, no control character but a newline.
fn assert_text(value: &str, name: &str, required: bool) -> Result<(), TestCaseError> {
    prop_assert!(!required || !value.trim().is_empty(), "{name} is blank");
    prop_assert!(
        value.chars().count() <= MAX_NOTE_CHARS,
        "{name} is too long"
    );
    prop_assert!(
        !value.chars().any(|c| c.is_control() && c != '\n'),
        "{name} holds control characters"
    );
    Ok(())
}

/// A request is well-formed: a continuation only for `"continue": true`, a start only for a
/// schedule event of an AWS account id, an attestation whose every text is within bounds.
pub(crate) fn assert_well_formed(
    event: &Value,
    request: &ReviewRequest,
) -> Result<(), TestCaseError> {
    match request {
        ReviewRequest::Continue => prop_assert_eq!(&event["continue"], &Value::Bool(true)),
        ReviewRequest::Start { account, event_id } => {
            prop_assert!(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(
                event_id
                    .as_ref()
                    .is_none_or(|id| (1..=128).contains(&id.len()))
            );
            prop_assert_eq!(&event["detail-type"], &Value::from("Scheduled Event"));
        }
        ReviewRequest::Attest(attestation) => {
            assert_text(&attestation.review_id, "review_id", true)?;
            assert_text(&attestation.reviewer, "reviewer", true)?;
            if let Some(note) = &attestation.note {
                assert_text(note, "note", false)?;
            }
            for d in &attestation.decisions {
                assert_text(&d.principal, "principal", true)?;
                if let Some(note) = &d.note {
                    assert_text(note, "decision note", false)?;
                }
            }
        }
    }
    Ok(())
}

/// The fields an error about `target` may name: below the attestation's own key when the
/// target is inside it (every error of an attestation says "attestation"; that names nothing).
fn named_part(sample: &str, target: &[String]) -> Vec<String> {
    if sample.ends_with("attestation.json") && target.len() > 1 {
        target[1..].to_vec()
    } else {
        target.to_vec()
    }
}

proptest! {
    #![proptest_config(hostile::config(256))]

    #[test]
    fn a_hostile_access_review_event_is_an_error_naming_its_field_or_a_well_formed_request(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        let event = hostile::mutate(&sample.event, target, &mutation.hostile);
        match ReviewRequest::parse(&event) {
            Ok(request) => assert_well_formed(&event, &request)?,
            Err(AccessReviewError::InvalidEvent(message)) => {
                let root = target.len() == 1 && target[0].is_empty();
                prop_assert!(
                    root || hostile::names_a_field(&message, target),
                    "{}: {:?} names no field of {target:?}",
                    sample.name,
                    genai_evidence_core::text::truncate_chars(&message, 200)
                );
            }
            Err(AccessReviewError::Attestation(error)) => {
                let message = error.to_string();
                let part = named_part(&sample.name, target);
                let whole = part.len() == 1 && (part[0].is_empty() || part[0] == "attestation");
                prop_assert!(
                    message.chars().count() <= hostile::MAX_ERROR_CHARS,
                    "{}: an error of {} characters",
                    sample.name,
                    message.chars().count()
                );
                prop_assert!(
                    whole || hostile::names_a_field(&message, &part),
                    "{}: {:?} names no field of {target:?}",
                    sample.name,
                    genai_evidence_core::text::truncate_chars(&message, 200)
                );
            }
            Err(other) => prop_assert!(false, "{}: {other}", sample.name),
        }
    }
}

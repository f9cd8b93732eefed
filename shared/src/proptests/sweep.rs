//! The sweep's events (`triggers::sweep::parse_request`) under hostile input: the EventBridge
//! schedule event (`events/scheduled-sweep.json`) and the continuation the sweep sends itself
//! (`events/scheduled-sweep-continue.json`), mutated.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use super::{Sample, hostile};
use crate::triggers::sweep::{SweepError, SweepRequest, parse_request};

fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| super::event_samples("scheduled-sweep", 2))
}

/// A request is well-formed: a continuation only for `"continue": true`, else a run id safe to
/// use in keys and an AWS account id.
pub(crate) fn assert_well_formed(
    event: &Value,
    request: &SweepRequest,
) -> Result<(), TestCaseError> {
    match request {
        SweepRequest::Continue => prop_assert_eq!(&event["continue"], &Value::Bool(true)),
        SweepRequest::Start { run_id, account_id } => {
            prop_assert!(
                (1..=64).contains(&run_id.len())
                    && run_id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "run id {run_id:?}"
            );
            prop_assert!(account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(&event["detail-type"], &Value::from("Scheduled Event"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(hostile::config(256))]

    #[test]
    fn a_hostile_sweep_event_is_an_error_naming_its_field_or_a_well_formed_request(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        let event = hostile::mutate(&sample.event, target, &mutation.hostile);
        match parse_request(&event) {
            Ok(request) => assert_well_formed(&event, &request)?,
            Err(SweepError::InvalidEvent(message)) => {
                let root = target.len() == 1 && target[0].is_empty();
                // A continuation that is not `true` reads as a schedule event, which it lacks.
                let continuation = sample.name.ends_with("continue.json") && message.contains("detail-type");
                prop_assert!(
                    root || continuation || hostile::names_a_field(&message, target),
                    "{}: {:?} names no field of {target:?}",
                    sample.name,
                    genai_evidence_core::text::truncate_chars(&message, 200)
                );
            }
            Err(other) => prop_assert!(false, "{}: {other}", sample.name),
        }
    }
}

//! CloudTrail events (`drift::parse`) and the event map (`drift::classify`) under hostile input:
//! every sample in `events/` that is an "AWS API Call via CloudTrail" event (the mapped, skipped
//! and negative ones), mutated anywhere, and mutated inside its `requestParameters` and
//! `responseElements`, the bodies the map reads resource ids from.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use super::hostile::{self, MAX_ERROR_CHARS, Target};
use crate::drift::{self, ApiCall, Classified, Selector};

struct Sample {
    name: String,
    value: Value,
    targets: Vec<Target>,
    /// The targets inside `requestParameters` and `responseElements`.
    bodies: Vec<Target>,
}

fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let samples: Vec<Sample> = super::json_files("events")
            .into_iter()
            .filter(|(_, v)| v["detail-type"] == drift::event::DETAIL_TYPE)
            .map(|(name, value)| {
                let targets = hostile::targets(&value);
                let bodies = targets
                    .iter()
                    .filter(|t| {
                        t[0].starts_with("/detail/requestParameters/")
                            || t[0].starts_with("/detail/responseElements/")
                    })
                    .cloned()
                    .collect();
                Sample {
                    name,
                    value,
                    targets,
                    bodies,
                }
            })
            .collect();
        assert!(samples.len() >= 20, "{} CloudTrail samples", samples.len());
        samples
    })
}

/// A text field of a parsed call: trimmed, not empty, at most `max` characters.
fn bounded_text(text: &str, what: &str, max: usize) -> Result<(), TestCaseError> {
    prop_assert!(
        !text.is_empty() && text.trim() == text && text.chars().count() <= max,
        "{what} is empty, untrimmed or longer than {max}: {} characters",
        text.chars().count()
    );
    Ok(())
}

/// Every string in `value`, at any depth.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => (),
    }
}

/// What a parsed call and its classification must be, whatever the input was.
pub(crate) fn assert_well_formed(call: &ApiCall) -> Result<(), TestCaseError> {
    bounded_text(&call.event_id, "eventID", 128)?;
    bounded_text(&call.event_source, "eventSource", 128)?;
    bounded_text(&call.event_name, "eventName", 128)?;
    bounded_text(&call.region, "awsRegion", 128)?;
    bounded_text(&call.account, "account", 128)?;
    bounded_text(&call.actor.arn, "actor ARN", 2048)?;
    bounded_text(&call.actor.principal_type, "principal type", 128)?;
    bounded_text(&call.actor.source_ip, "source IP", 128)?;
    if let Some(agent) = &call.actor.user_agent {
        bounded_text(agent, "user agent", 2048)?;
    }
    if let Some(code) = &call.error_code {
        bounded_text(code, "errorCode", 128)?;
    }
    prop_assert!(call.actor_line().chars().count() <= 4096);
    match drift::classify(call) {
        Classified::Skipped(skip) => {
            prop_assert!(
                !skip.message.is_empty() && skip.message.chars().count() <= 1024,
                "skip message of {} characters",
                skip.message.chars().count()
            );
        }
        Classified::Mapped { targets, .. } => {
            prop_assert!(!targets.is_empty());
            // Every id is read from the call's bodies: none is invented or defaulted.
            let mut texts = Vec::new();
            strings(&call.request_parameters, &mut texts);
            strings(&call.response_elements, &mut texts);
            for target in &targets {
                prop_assert!(!target.checks.is_empty());
                let (id, max) = match &target.selector {
                    Selector::Resource(id) => (id, target.resource_type.max_id_chars()),
                    Selector::GroupMembers(group) => (group, 128),
                    Selector::Singleton => continue,
                };
                prop_assert!(
                    !id.trim().is_empty() && id.chars().count() <= max,
                    "{} id of {} characters (at most {max})",
                    target.resource_type,
                    id.chars().count()
                );
                for part in id.split('|') {
                    prop_assert!(
                        texts.iter().any(|t| t.contains(part)),
                        "the id {part:?} is in none of the call's strings"
                    );
                }
            }
        }
    }
    Ok(())
}

/// A parse error must name the field it is about (one on the way to the mutated node, any when
/// the whole event was replaced) and stay short; a parsed call must be well-formed.
fn check(sample: &Sample, target: &Target, event: &Value) -> Result<(), TestCaseError> {
    match drift::parse(event) {
        Err(error) => {
            let message = error.to_string();
            prop_assert!(
                message.chars().count() <= MAX_ERROR_CHARS,
                "{}: an error of {} characters",
                sample.name,
                message.chars().count()
            );
            let root = target.len() == 1 && target[0].is_empty();
            // A replaced root lacks every field: any of them may be the one named.
            prop_assert!(
                root || hostile::names_a_field(&message, target),
                "{}: {message:?} names no field of {target:?}",
                sample.name
            );
            Ok(())
        }
        Ok(call) => assert_well_formed(&call),
    }
}

proptest! {
    #![proptest_config(hostile::config(256))]

    #[test]
    fn a_hostile_cloudtrail_event_is_an_error_naming_its_field_or_a_well_formed_call(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        let event = hostile::mutate(&sample.value, target, &mutation.hostile);
        check(sample, target, &event)?;
    }

    #[test]
    fn hostile_request_and_response_bodies_never_fail_the_parse_and_never_invent_an_id(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let with_bodies: Vec<&Sample> = samples().iter().filter(|s| !s.bodies.is_empty()).collect();
        let sample = *pick.get(&with_bodies);
        let target = mutation.at.get(&sample.bodies);
        let event = hostile::mutate(&sample.value, target, &mutation.hostile);
        let call = drift::parse(&event);
        prop_assert!(call.is_ok(), "{}: {:?}", sample.name, call.err());
        if let Ok(call) = call {
            assert_well_formed(&call)?;
        }
    }
}

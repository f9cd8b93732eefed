//! The Config rule event (`triggers::config_rule::parse_event` and `parse_event_text`) under
//! hostile input: every sample in `events/config-*.json` (change, oversized, deleted, scheduled,
//! unsupported type), each also with the `ruleParameters` text `template.yaml` gives the rule,
//! mutated anywhere: in the envelope, inside the `invokingEvent` JSON string (its configuration
//! item too) and inside the `ruleParameters` string.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use super::Sample;
use super::hostile::{self, MAX_ERROR_CHARS, Target};
use crate::triggers::config_rule::{EventError, Message, RuleEvent, parse_event, parse_event_text};

/// The template's `InputParameters` with every parameter given.
const RULE_PARAMETERS: &str = r#"{"checks":"s3_bucket_tls_only","maxAccessKeyAgeDays":"90","maxUnusedDays":"90","minimumLogRetentionDays":"365","minimumTlsVersion":"1.2"}"#;

fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let mut samples = Vec::new();
        for (name, event) in super::json_files("events") {
            if !name.starts_with("events/config-") {
                continue;
            }
            let mut with_parameters = event.clone();
            with_parameters["ruleParameters"] = Value::String(RULE_PARAMETERS.into());
            for event in [event, with_parameters] {
                samples.push(Sample::new(name.clone(), event));
            }
        }
        assert!(samples.len() >= 12, "{} Config rule samples", samples.len());
        samples
    })
}

/// A parsed event is well-formed: a result token, a message whose resource is named, its item
/// decoded well-formed, parameters in range.
pub(crate) fn assert_well_formed(event: &RuleEvent) -> Result<(), TestCaseError> {
    prop_assert!(!event.result_token.is_empty());
    match &event.message {
        Message::Change(item) => {
            prop_assert!(
                !item.resource_type.trim().is_empty() && !item.resource_id.trim().is_empty()
            );
            let decoded = crate::readers::decode(item);
            super::config_item::assert_decoded(item, &decoded)?;
        }
        Message::Oversized {
            resource_type,
            resource_id,
            ..
        } => prop_assert!(!resource_type.trim().is_empty() && !resource_id.trim().is_empty()),
        Message::Scheduled { .. } | Message::SnapshotDelivered => (),
    }
    let params = &event.params;
    for days in [
        params.max_access_key_age_days,
        params.max_unused_days,
        params.minimum_log_retention_days,
    ] {
        prop_assert!((1..=3653).contains(&days));
    }
    prop_assert!(event.ignored_parameters.len() <= 21);
    Ok(())
}

/// An error is short and names a field on the way to the mutated node (any, when the whole event
/// was replaced); text that is not JSON says so, with where; a parsed event is well-formed.
fn check(
    sample: &Sample,
    target: &Target,
    parsed: Result<RuleEvent, EventError>,
) -> Result<(), TestCaseError> {
    match parsed {
        Ok(event) => assert_well_formed(&event),
        Err(error) => {
            let message = error.to_string();
            prop_assert!(
                message.chars().count() <= MAX_ERROR_CHARS,
                "{}: an error of {} characters",
                sample.name,
                message.chars().count()
            );
            let root = target.len() == 1 && target[0].is_empty();
            let ok = match error {
                EventError::NotJson(_) => message.contains("line") && message.contains("column"),
                _ => root || hostile::names_a_field(&message, target),
            };
            prop_assert!(
                ok,
                "{}: {message:?} names no field of {target:?}",
                sample.name
            );
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(hostile::config(256))]

    #[test]
    fn a_hostile_config_rule_event_is_an_error_naming_its_field_or_a_well_formed_event(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        // As Lambda delivers it (text, nested at most as deep as a JSON parser goes)...
        let text = hostile::mutate_text(&sample.event, target, &mutation.hostile);
        check(sample, target, parse_event_text(&text))?;
        // ... and as a value, nested deeper.
        let value = hostile::mutate(&sample.event, target, &mutation.hostile);
        check(sample, target, parse_event(&value))?;
    }
}

//! Rule parameters (`Params::from_rule_parameters`) under hostile input: the text `template.yaml`
//! builds (`InputParameters`, every function's `RULE_PARAMETERS`) with every parameter set, the
//! list form, and beside another tool's key, mutated.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use super::hostile::{self, MAX_ERROR_CHARS, Target};
use crate::catalog::params::{KNOWN_PARAMETERS, ParamError, Params};

struct Sample {
    parameters: Value,
    targets: Vec<Target>,
}

fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        [
            // As the template writes it, every optional parameter given.
            json!({
                "checks": "s3_bucket_tls_only,iam_user_access_keys_rotated",
                "maxAccessKeyAgeDays": "90",
                "maxUnusedDays": "90",
                "minimumLogRetentionDays": "365",
                "minimumTlsVersion": "1.2"
            }),
            // Lists and numbers, as a hand-written rule may have them, and another tool's key.
            json!({
                "checks": ["s3_bucket_tls_only", "logs_log_group_kms_encryption"],
                "maxUnusedDays": 45,
                "conformancePackOwner": "custodian"
            }),
        ]
        .into_iter()
        .map(|parameters| Sample {
            targets: hostile::targets(&parameters),
            parameters,
        })
        .collect()
    })
}

/// A days value as the parser reads it: a number, or a string holding one.
fn days(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Accepted parameters hold exactly what the text said: every known key's value, no default in
/// place of a given value; unknown keys listed, bounded.
fn assert_faithful(
    text: &str,
    parsed: &crate::catalog::params::RuleParameters,
) -> Result<(), TestCaseError> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
        return Err(TestCaseError::fail(
            "accepted text that is not a JSON object",
        ));
    };
    let params = &parsed.params;
    for (name, field) in [
        ("maxAccessKeyAgeDays", params.max_access_key_age_days),
        ("maxUnusedDays", params.max_unused_days),
        ("minimumLogRetentionDays", params.minimum_log_retention_days),
    ] {
        if let Some(value) = map.get(name) {
            prop_assert_eq!(days(value), Some(u64::from(field)), "{}", name);
            prop_assert!((1..=3653).contains(&field));
        }
    }
    if let Some(value) = map.get("minimumTlsVersion") {
        let version = params.minimum_tls_version.map(|v| v.as_str());
        prop_assert_eq!(version, value.as_str().map(str::trim));
    }
    if let Some(value) = map.get("checks") {
        let listed = match value {
            Value::String(s) => s.split(',').filter(|p| !p.trim().is_empty()).count(),
            Value::Array(items) => items.len(),
            _ => return Err(TestCaseError::fail("checks of another type accepted")),
        };
        prop_assert_eq!(params.checks.as_ref().map(Vec::len), Some(listed));
    }
    let unknown = map
        .keys()
        .filter(|k| !KNOWN_PARAMETERS.contains(&k.as_str()))
        .count();
    prop_assert_eq!(parsed.ignored.len(), unknown.min(21));
    prop_assert!(parsed.ignored.iter().all(|n| n.chars().count() <= 64));
    Ok(())
}

proptest! {
    #![proptest_config(hostile::config(256))]

    #[test]
    fn hostile_rule_parameters_are_an_error_naming_the_parameter_or_read_faithfully(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        let text = hostile::mutate_text(&sample.parameters, target, &mutation.hostile);
        match Params::from_rule_parameters(Some(&text)) {
            Ok(parsed) => assert_faithful(&text, &parsed)?,
            Err(error) => {
                let message = error.to_string();
                prop_assert!(message.chars().count() <= MAX_ERROR_CHARS, "{} characters", message.len());
                match error {
                    ParamError::NotAnObject(_) => prop_assert!(
                        !matches!(serde_json::from_str::<Value>(&text), Ok(Value::Object(_))),
                        "{message}"
                    ),
                    // The parameter named is the one mutated: the samples' own values are good.
                    ParamError::Invalid { name, .. } => prop_assert_eq!(
                        Some(name.to_owned()),
                        hostile::segments(target).first().cloned(),
                        "{}", message
                    ),
                }
            }
        }
    }
}

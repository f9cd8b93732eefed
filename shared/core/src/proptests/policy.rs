//! IAM policy documents (`domain::policy`) under hostile input: every policy the fixtures and
//! sample events hold (identity policies URL-encoded as IAM returns them, bucket and key policies
//! as JSON text), and the forms IAM accepts that no fixture has (a lone statement object,
//! `NotAction`, `NotResource`, `NotPrincipal`, several operators and keys in one condition),
//! mutated, as JSON text, as a parsed value and URL-encoded.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use super::hostile::{self, MAX_ERROR_CHARS, Target};
use crate::domain::policy::{ActionSet, PolicyDocument, PolicyError, ResourceSet};

/// The keys a policy document is found under in Config items and API responses.
const POLICY_KEYS: &[&str] = &[
    "policyDocument",
    "document",
    "policyText",
    "Policy",
    "assumeRolePolicyDocument",
];

/// `text` with `%XX` escapes decoded (`+` is a space), as IAM encodes documents.
fn percent_decoded(text: &str) -> Option<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(u8::from_str_radix(text.get(i + 1..i + 3)?, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `text` URL-encoded: every byte but the unreserved ones escaped, spaces as `+` or `%20`.
fn percent_encoded(text: &str, plus_for_space: bool) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            b' ' if plus_for_space => "+".to_owned(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The policy documents under [`POLICY_KEYS`] in `value`, at any depth and inside the JSON its
/// strings hold.
fn harvest(value: &Value, key: Option<&str>, out: &mut Vec<Value>) {
    if key.is_some_and(|k| POLICY_KEYS.contains(&k)) {
        let document = match value {
            Value::String(text) if text.trim_start().starts_with('{') => {
                serde_json::from_str(text).ok()
            }
            Value::String(text) => {
                percent_decoded(text).and_then(|t| serde_json::from_str(&t).ok())
            }
            Value::Object(_) => Some(value.clone()),
            _ => None,
        };
        if let Some(document) = document.filter(|d| PolicyDocument::from_value(d).is_ok()) {
            out.push(document);
        }
    }
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| harvest(v, Some(k), out)),
        Value::Array(items) => items.iter().for_each(|v| harvest(v, key, out)),
        Value::String(text) if text.trim_start().starts_with(['{', '[']) => {
            if let Ok(inner) = serde_json::from_str::<Value>(text) {
                harvest(&inner, None, out);
            }
        }
        _ => (),
    }
}

/// The forms IAM accepts that the fixtures do not show.
fn handwritten() -> Vec<Value> {
    vec![
        json!({"Version": "2012-10-17", "Statement": {
            "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "NotResource": "arn:aws:s3:::audit/*"
        }}),
        json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyOthers", "Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:root"]},
            "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {
                "Bool": {"aws:SecureTransport": false},
                "NumericLessThan": {"s3:TlsVersion": 1.2},
                "StringNotEqualsIfExists": {"aws:PrincipalTag/team": ["ml", "sec"], "aws:SourceVpce": "vpce-1a2b"}
            }
        }, {
            "Effect": "Allow", "Principal": "*", "Action": ["bedrock:Invoke*"]
        }]}),
    ]
}

struct Sample {
    document: Value,
    targets: Vec<Target>,
}

fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let mut documents = Vec::new();
        for dir in ["tests/fixtures", "events"] {
            for (_, value) in super::json_files(dir) {
                harvest(&value, None, &mut documents);
            }
        }
        let harvested = documents.len();
        documents.extend(handwritten());
        documents.sort_by_key(Value::to_string);
        documents.dedup();
        assert!(harvested >= 15, "{harvested} policies in the fixtures");
        documents
            .into_iter()
            .map(|document| Sample {
                targets: hostile::targets(&document),
                document,
            })
            .collect()
    })
}

/// A field given as one value or a list: how many values it holds.
fn count(value: &Value) -> usize {
    value.as_array().map_or(1, Vec::len)
}

/// A parsed document holds every statement, pattern and condition its JSON has: nothing dropped,
/// nothing defaulted but a missing `Resource` (which means `*`).
fn assert_whole(document: &PolicyDocument, json: &Value) -> Result<(), TestCaseError> {
    let statements: Vec<&Value> = match &json["Statement"] {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    prop_assert_eq!(document.statements.len(), statements.len());
    for (statement, json) in document.statements.iter().zip(statements) {
        match (&statement.action, json.get("Action"), json.get("NotAction")) {
            (ActionSet::Only(list), Some(v), None)
            | (ActionSet::AllExcept(list), None, Some(v)) => {
                prop_assert_eq!(list.len(), count(v));
            }
            (set, ..) => prop_assert!(false, "{set:?} from {json}"),
        }
        match (
            &statement.resource,
            json.get("Resource"),
            json.get("NotResource"),
        ) {
            (ResourceSet::Only(list), Some(v), None)
            | (ResourceSet::AllExcept(list), None, Some(v)) => {
                prop_assert_eq!(list.len(), count(v));
            }
            (ResourceSet::Only(list), None, None) => prop_assert_eq!(list, &vec!["*".to_owned()]),
            (set, ..) => prop_assert!(false, "{set:?} from {json}"),
        }
        let conditions: usize = json
            .get("Condition")
            .and_then(Value::as_object)
            .map_or(0, |ops| {
                ops.values()
                    .filter_map(Value::as_object)
                    .map(|t| t.len())
                    .sum()
            });
        prop_assert_eq!(statement.conditions.len(), conditions);
        prop_assert_eq!(
            statement.principal.is_some(),
            json.get("Principal").is_some()
        );
        prop_assert_eq!(
            statement.not_principal.is_some(),
            json.get("NotPrincipal").is_some()
        );
    }
    Ok(())
}

/// An error is short and names a field on the way to the mutated node (any, when the mutation
/// replaced the whole document); a document is whole. `json` is what the parser saw, `None` when
/// the text was not JSON.
fn check(
    parsed: Result<PolicyDocument, PolicyError>,
    json: Option<&Value>,
    target: &Target,
) -> Result<(), TestCaseError> {
    match (parsed, json) {
        (Ok(document), Some(json)) => assert_whole(&document, json),
        (Ok(_), None) => Err(TestCaseError::fail("text that is not JSON was parsed")),
        (Err(error), json) => {
            let message = error.to_string();
            prop_assert!(message.chars().count() <= MAX_ERROR_CHARS);
            match error {
                PolicyError::NotJson(_) => prop_assert!(json.is_none(), "{message}"),
                PolicyError::Malformed(_) => {
                    let root = target.len() == 1 && target[0].is_empty();
                    prop_assert!(
                        root || hostile::names_a_field(&message, target),
                        "{message:?} names no field of {target:?}"
                    );
                }
            }
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(hostile::config(256))]

    #[test]
    fn a_hostile_policy_document_is_an_error_naming_its_field_or_parsed_whole(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        let text = hostile::mutate_text(&sample.document, target, &mutation.hostile);
        let json = serde_json::from_str::<Value>(&text).ok();
        check(PolicyDocument::parse(&text), json.as_ref(), target)?;
        // As a value (a Config item's object), nested deeper than a JSON text may be.
        let value = hostile::mutate(&sample.document, target, &mutation.hostile);
        check(PolicyDocument::from_value(&value), Some(&value), target)?;
    }

    #[test]
    fn a_url_encoded_document_reads_as_its_text_does(
        pick in any::<Index>(),
        mutation in hostile::mutation(),
        plus_for_space in any::<bool>(),
    ) {
        let sample = pick.get(samples());
        let target = mutation.at.get(&sample.targets);
        let text = hostile::mutate_text(&sample.document, target, &mutation.hostile);
        let encoded = percent_encoded(&text, plus_for_space);
        prop_assert_eq!(
            PolicyDocument::parse_url_encoded(&encoded),
            PolicyDocument::parse(&text)
        );
    }

    #[test]
    fn bad_percent_escapes_are_errors_not_panics(
        text in "[%+0-9A-Fa-fGz{}\\[\\]\":,ü ]{0,64}",
    ) {
        if let Err(error) = PolicyDocument::parse_url_encoded(&text) {
            let message = error.to_string();
            prop_assert!(
                message.contains("percent-encoding") || message.contains("JSON") || message.contains("policy"),
                "{message}"
            );
            prop_assert!(message.chars().count() <= MAX_ERROR_CHARS);
        }
    }
}

//! The hostile corpus: every file in `tests/fixtures/malformed/`, fed to its parser by the
//! file's name (`config-event-`, `config-item-`, `cloudtrail-`, `policy-`, `params-`, `sweep-`,
//! `access-review-`),
//! with the outcome `expected.json` there names: `error: <text>` (an error naming that), `ok`
//! (parsed, well-formed), or `unreadable: <text>` (decoded, with a reason naming that).

use std::collections::BTreeMap;

use serde_json::Value;

use super::hostile::MAX_ERROR_CHARS;
use crate::adapters::config_item::ConfigurationItem;
use crate::catalog::Params;
use crate::domain::policy::PolicyDocument;
use crate::drift;
use crate::triggers::access_review::ReviewRequest;
use crate::triggers::{config_rule, sweep};

/// What a parser made of a file: an error message, or the debug text of what it parsed.
type Outcome = Result<String, String>;

/// A JSON file's value, or the error a JSON parser (Lambda's runtime) gives.
fn json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

fn config_event(text: &str) -> Outcome {
    let event = config_rule::parse_event_text(text).map_err(|e| e.to_string())?;
    super::config_event::assert_well_formed(&event).map_err(|e| e.to_string())?;
    Ok(format!("{event:?}"))
}

fn config_item(text: &str) -> Outcome {
    let item = ConfigurationItem::from_notification(&json(text)?).map_err(|e| e.to_string())?;
    let decoded = crate::readers::decode(&item);
    super::config_item::assert_decoded(&item, &decoded).map_err(|e| e.to_string())?;
    Ok(format!("{decoded:?}"))
}

fn cloudtrail(text: &str) -> Outcome {
    let call = drift::parse(&json(text)?).map_err(|e| e.to_string())?;
    let classified = drift::classify(&call);
    if let drift::Classified::Skipped(skip) = &classified {
        assert!(skip.message.chars().count() <= 1024, "{}", skip.message);
    }
    Ok(format!("{call:?} {classified:?}"))
}

fn policy(text: &str) -> Outcome {
    let document = PolicyDocument::parse_url_encoded(text.trim_end()).map_err(|e| e.to_string())?;
    Ok(format!("{document:?}"))
}

fn params(text: &str) -> Outcome {
    let parsed = Params::from_rule_parameters(Some(text)).map_err(|e| e.to_string())?;
    Ok(format!("{:?} {:?}", parsed.params, parsed.ignored))
}

fn sweep_event(text: &str) -> Outcome {
    let event = json(text)?;
    let request = sweep::parse_request(&event).map_err(|e| e.to_string())?;
    super::sweep::assert_well_formed(&event, &request).map_err(|e| e.to_string())?;
    Ok(format!("{request:?}"))
}

fn access_review_event(text: &str) -> Outcome {
    let event = json(text)?;
    let request = ReviewRequest::parse(&event).map_err(|e| e.to_string())?;
    super::access_review::assert_well_formed(&event, &request).map_err(|e| e.to_string())?;
    Ok(format!("{request:?}"))
}

/// A parser of corpus files.
type Parser = fn(&str) -> Outcome;

/// The parser a corpus file is for, by its name.
fn parser(name: &str) -> Option<Parser> {
    let parsers: [(&str, Parser); 7] = [
        ("config-event-", config_event),
        ("config-item-", config_item),
        ("cloudtrail-", cloudtrail),
        ("policy-", policy),
        ("params-", params),
        ("sweep-", sweep_event),
        ("access-review-", access_review_event),
    ];
    parsers
        .into_iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map(|(_, parse)| parse)
}

#[test]
fn every_corpus_input_gets_the_outcome_it_is_expected_to() {
    let dir = super::root().join("tests/fixtures/malformed");
    let expected: BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "README.md" || name == "expected.json" {
            continue;
        }
        let parse = parser(&name).unwrap_or_else(|| panic!("{name}: no parser has its prefix"));
        let want = expected
            .get(&name)
            .unwrap_or_else(|| panic!("{name} has no outcome in expected.json"));
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        match (parse(&text), want.split_once(": ")) {
            (Err(error), Some(("error", names))) => {
                assert!(
                    error.contains(names),
                    "{name}: {error:?} does not name {names}"
                );
                assert!(
                    error.chars().count() <= MAX_ERROR_CHARS,
                    "{name}: an error of {} characters",
                    error.chars().count()
                );
            }
            (Ok(_), None) if want == "ok" => (),
            (Ok(parsed), Some(("unreadable", names))) => {
                let reasons = super::hostile::unreadable_reasons(&parsed);
                assert!(
                    reasons.iter().any(|r| r.contains(names)),
                    "{name}: no reason names {names}: {reasons:?}"
                );
            }
            (outcome, _) => panic!("{name}: expected {want}, got {outcome:?}"),
        }
        seen.push(name);
    }
    seen.sort();
    assert_eq!(
        seen,
        expected.keys().cloned().collect::<Vec<_>>(),
        "every outcome in expected.json has its file"
    );
    assert!(seen.len() >= 20, "{} corpus files", seen.len());
}

//! `events/expected-drift-outcomes.json` (what `make demo` checks every drift sample against) stays in step
//! with the samples and the event map, and the records kept in `events/negative/` (not a real
//! shape) are not read by the map. Pure: no AWS, no moto.

use std::collections::BTreeSet;

use genai_evidence::catalog::find_check;
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::drift::{Classified, Kind, SkipReason, classify, parse};
use serde_json::Value;

fn expectations() -> Value {
    let path = rig::workspace_root()
        .join("events")
        .join("expected-drift-outcomes.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn samples(expectations: &Value) -> &Vec<Value> {
    expectations["samples"].as_array().expect("a samples array")
}

/// The stems of `events/drift-*.json`.
fn sample_files() -> BTreeSet<String> {
    std::fs::read_dir(rig::workspace_root().join("events"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("drift-") && n.ends_with(".json"))
        .map(|n| n.trim_end_matches(".json").to_owned())
        .collect()
}

/// The records in `events/negative/`, as `negative/<stem>` (the name `rig::event` takes).
fn negative_files() -> BTreeSet<String> {
    std::fs::read_dir(rig::workspace_root().join("events").join("negative"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("negative/{}", n.trim_end_matches(".json")))
        .collect()
}

#[test]
fn the_pascal_case_sagemaker_records_kept_as_negatives_name_no_resource() {
    let negatives = negative_files();
    for kept in [
        "negative/sagemaker-pascalcase-createnotebookinstance",
        "negative/sagemaker-pascalcase-createtrainingjob",
    ] {
        assert!(negatives.contains(kept), "{kept} is missing: {negatives:?}");
    }
    for name in &negatives {
        let call = parse(&rig::event(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        match classify(&call) {
            Classified::Skipped(skip) => {
                assert_eq!(
                    skip.reason,
                    SkipReason::NoResourceId,
                    "{name}: {}",
                    skip.message
                )
            }
            Classified::Mapped { targets, .. } => panic!(
                "{name} is not a real shape (CloudTrail records SageMaker in camelCase), yet the map reads {}",
                targets[0].selector.describe()
            ),
        }
    }
}

#[test]
fn every_drift_sample_has_one_expectation_and_every_expectation_a_sample() {
    let expectations = expectations();
    let listed: Vec<String> = samples(&expectations)
        .iter()
        .map(|s| s["sample"].as_str().expect("a sample name").to_owned())
        .collect();
    let unique: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(unique.len(), listed.len(), "a sample is listed twice");
    let files = sample_files();
    assert!(files.len() >= 12, "{files:?}");
    assert_eq!(
        files.difference(&unique).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "samples without an expectation"
    );
    assert_eq!(
        unique.difference(&files).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "expectations without a sample"
    );
}

#[test]
fn expectations_agree_with_the_event_map_and_name_real_checks() {
    let expectations = expectations();
    for expected in samples(&expectations) {
        let name = expected["sample"].as_str().unwrap();
        assert!(
            expected["note"].as_str().is_some_and(|n| !n.is_empty()),
            "{name}: a note says what the state is"
        );
        let call = parse(&rig::event(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let status = expected["status"].as_str().unwrap_or_default();
        match classify(&call) {
            Classified::Skipped(skip) => {
                assert_eq!(status, "skipped", "{name}");
                assert_eq!(expected["skip"], skip.reason.as_str(), "{name}");
            }
            Classified::Mapped { targets, .. } => {
                assert!(
                    ["evaluated", "duplicate"].contains(&status),
                    "{name}: {status}"
                );
                let findings = expected["findings"].as_array().cloned().unwrap_or_default();
                assert!(
                    status == "duplicate" || !findings.is_empty(),
                    "{name}: an evaluated sample names the findings that must appear"
                );
                let types: BTreeSet<_> = targets.iter().map(|t| t.resource_type).collect();
                for finding in &findings {
                    let check = finding["check"].as_str().unwrap_or_default();
                    let check = find_check(check).unwrap_or_else(|| panic!("{name}: {check}"));
                    assert!(
                        types.contains(&check.resource_type()),
                        "{name}: {} reads no resource the call affects",
                        check.id
                    );
                    assert!(
                        finding["resourceId"]
                            .as_str()
                            .is_some_and(|id| !id.is_empty())
                    );
                    let verdict: Verdict = serde_json::from_value(finding["verdict"].clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    // A verdict moto cannot back is never stated as a failure.
                    if verdict == Verdict::NonCompliant {
                        assert!(
                            !expected["note"]
                                .as_str()
                                .unwrap_or_default()
                                .contains("does not implement"),
                            "{name}"
                        );
                    }
                }
                // A removed safeguard: its check is the headline (the first finding).
                if let Some(safeguard) = targets.iter().find_map(|t| match t.kind {
                    Kind::SafeguardRemoved(check) => Some(check),
                    _ => None,
                }) && status == "evaluated"
                {
                    assert_eq!(findings[0]["check"], safeguard, "{name}");
                    assert!(
                        ["NON_COMPLIANT", "COULD_NOT_EVALUATE"]
                            .contains(&findings[0]["verdict"].as_str().unwrap_or_default()),
                        "{name}: a removed safeguard fails, or cannot be read"
                    );
                }
            }
        }
    }
}

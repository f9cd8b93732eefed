//! The cloudtrail data-event check decided from fixture files: GetEventSelectors answers decoded
//! by the CloudTrail adapter into the account's trails, then evaluated (the pure check lives in
//! `genai_evidence_core::catalog::cloudtrail`).

use serde_json::Value;

use crate::catalog::{Check, Params};
use crate::domain::outcome::{Outcome, Verdict};
use crate::domain::resource::{Resource, Unreadable};
use crate::domain::resources::account::Account;
use crate::domain::resources::cloudtrail::Trail;
use genai_evidence_core::catalog::cloudtrail::GENAI_DATA_EVENTS_LOGGED;

const SELECTORS_GENAI: &str =
    include_str!("../../../tests/fixtures/cloudtrail/get-event-selectors-genai-data-events.json");
const SELECTORS_READS_ONLY: &str =
    include_str!("../../../tests/fixtures/cloudtrail/get-event-selectors-genai-reads-only.json");
const SELECTORS_BASIC_S3: &str =
    include_str!("../../../tests/fixtures/cloudtrail/get-event-selectors-basic-s3-only.json");

fn strings(v: &Value, key: &str) -> Option<Vec<String>> {
    v.get(key).and_then(Value::as_array).map(|list| {
        list.iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    })
}

/// The SDK's GetEventSelectors output for a fixture in the CLI's JSON shape.
fn selectors(
    fixture: &str,
) -> aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput {
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
    };
    let v: Value = serde_json::from_str(fixture).unwrap();
    let advanced = v["AdvancedEventSelectors"].as_array().map(|list| {
        list.iter()
            .map(|s| {
                let fields = s["FieldSelectors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        AdvancedFieldSelector::builder()
                            .field(f["Field"].as_str().unwrap())
                            .set_equals(strings(f, "Equals"))
                            .set_starts_with(strings(f, "StartsWith"))
                            .set_not_equals(strings(f, "NotEquals"))
                            .build()
                            .unwrap()
                    })
                    .collect();
                AdvancedEventSelector::builder()
                    .set_name(s["Name"].as_str().map(str::to_owned))
                    .set_field_selectors(Some(fields))
                    .build()
                    .unwrap()
            })
            .collect()
    });
    let basic = v["EventSelectors"].as_array().map(|list| {
        list.iter()
            .map(|s| {
                EventSelector::builder()
                    .set_read_write_type(s["ReadWriteType"].as_str().map(ReadWriteType::from))
                    .set_include_management_events(s["IncludeManagementEvents"].as_bool())
                    .set_data_resources(s["DataResources"].as_array().map(|resources| {
                        resources
                            .iter()
                            .map(|r| {
                                DataResource::builder()
                                    .set_type(r["Type"].as_str().map(str::to_owned))
                                    .set_values(strings(r, "Values"))
                                    .build()
                            })
                            .collect()
                    }))
                    .build()
            })
            .collect()
    });
    aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput::builder()
        .set_trail_arn(v["TrailARN"].as_str().map(str::to_owned))
        .set_advanced_event_selectors(advanced)
        .set_event_selectors(basic)
        .build()
}

/// A trail whose selectors are a fixture's, as `collect_trails` reads it.
fn trail(name: &str, logging: bool, fixture: &str) -> Trail {
    Trail {
        name: name.into(),
        kms_key_id: None,
        log_file_validation: true,
        multi_region: true,
        is_logging: Ok(logging),
        management_events: Ok(true),
        data_events: Ok(crate::adapters::cloudtrail::data_events(&selectors(
            fixture,
        ))),
    }
}

fn evaluate(check: &Check, trails: Vec<Trail>) -> Outcome {
    check.evaluate(
        &Resource::Account(Account {
            id: "123456789012".into(),
            trails: Ok(trails),
        }),
        &Params::default(),
    )
}

#[test]
fn a_logging_trail_selecting_every_genai_data_event_type_passes() {
    let outcome = evaluate(
        &GENAI_DATA_EVENTS_LOGGED,
        vec![trail("org-trail", true, SELECTORS_GENAI)],
    );
    assert_eq!(outcome.verdict, Verdict::Compliant, "{outcome:?}");
    assert!(
        outcome.observed.contains("org-trail"),
        "{}",
        outcome.observed
    );
}

#[test]
fn reads_only_narrowed_selectors_stopped_trails_and_basic_s3_selectors_fail() {
    let outcome = evaluate(
        &GENAI_DATA_EVENTS_LOGGED,
        vec![trail("org-trail", true, SELECTORS_READS_ONLY)],
    );
    assert_eq!(outcome.verdict, Verdict::NonCompliant, "{outcome:?}");
    assert!(
        outcome
            .observed
            .contains("AWS::Bedrock::AgentAlias (write)")
            && outcome
                .observed
                .contains("AWS::BedrockAgentCore::Gateway (read, write)")
            && outcome.observed.contains("narrowed by resources.ARN"),
        "{}",
        outcome.observed
    );
    let stopped = evaluate(
        &GENAI_DATA_EVENTS_LOGGED,
        vec![trail("org-trail", false, SELECTORS_GENAI)],
    );
    assert_eq!(stopped.verdict, Verdict::NonCompliant);
    assert!(
        stopped.observed.contains("no trail is logging"),
        "{}",
        stopped.observed
    );
    let basic = evaluate(
        &GENAI_DATA_EVENTS_LOGGED,
        vec![trail("legacy-trail", true, SELECTORS_BASIC_S3)],
    );
    assert_eq!(basic.verdict, Verdict::NonCompliant);
}

#[test]
fn unreadable_selectors_of_a_possibly_logging_trail_are_could_not_evaluate() {
    let mut denied = trail("org-trail", true, SELECTORS_READS_ONLY);
    denied.data_events = Err(Unreadable::new(
        "cloudtrail:GetEventSelectors failed with AccessDeniedException",
    ));
    let outcome = evaluate(
        &GENAI_DATA_EVENTS_LOGGED,
        vec![trail("legacy-trail", true, SELECTORS_BASIC_S3), denied],
    );
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate, "{outcome:?}");
    assert!(
        outcome.observed.contains("AccessDenied"),
        "{}",
        outcome.observed
    );
    let unlisted = GENAI_DATA_EVENTS_LOGGED.evaluate(
        &Resource::Account(Account {
            id: "123456789012".into(),
            trails: Err(Unreadable::new(
                "cloudtrail:DescribeTrails failed with AccessDenied",
            )),
        }),
        &Params::default(),
    );
    assert_eq!(unlisted.verdict, Verdict::CouldNotEvaluate);
}

#[test]
fn genai_data_event_services_narrow_the_required_types_to_one_service() {
    let mut trail = trail("org-trail", true, SELECTORS_GENAI);
    // Only the Bedrock selections remain: AgentCore's are missing.
    trail.data_events = trail.data_events.map(|selections| {
        selections
            .into_iter()
            .filter(|s| !s.resource_type.starts_with("AWS::BedrockAgentCore::"))
            .collect()
    });
    let account = Resource::Account(Account {
        id: "123456789012".into(),
        trails: Ok(vec![trail]),
    });
    let both = GENAI_DATA_EVENTS_LOGGED.evaluate(&account, &Params::default());
    assert_eq!(both.verdict, Verdict::NonCompliant, "{both:?}");
    let bedrock_only = Params {
        genai_data_event_services: crate::catalog::params::DataEventServices::Bedrock,
        ..Params::default()
    };
    let narrowed = GENAI_DATA_EVENTS_LOGGED.evaluate(&account, &bedrock_only);
    assert_eq!(narrowed.verdict, Verdict::Compliant, "{narrowed:?}");
    assert!(
        narrowed.observed.contains("8 resource types of bedrock"),
        "{}",
        narrowed.observed
    );
}

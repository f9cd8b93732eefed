//! The config-rule function end to end: a Config rule event in; evaluations stored in the
//! emulator's Config and evidence in the emulator's assessment, both read back through the APIs.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use aws_emulator::{DEMO_ASSESSMENT_ID, INACTIVE_ASSESSMENT_ID, Seed};
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::triggers::config_rule::{
    ConfigRuleHandler, EventError, HandlerError, PassCursor, PeriodicOptions, VanishedCheck,
    cursor_key,
};
use serde_json::{Value, json};

use crate::support::{Harness, RULE, event_for, unique};

/// How many checks read S3 buckets (each files one evidence item per bucket).
fn bucket_checks() -> usize {
    genai_evidence::catalog::checks_for(genai_evidence::domain::resource::ResourceType::S3Bucket)
        .count()
}

const ENCRYPTION_AT_REST: (&str, &str) = ("Secure", "SECAI3.3 Data Encryption At Rest");
const ENCRYPTION_IN_TRANSIT: (&str, &str) = ("Secure", "SECAI3.2: Data Encryption In Transit");

#[tokio::test]
async fn compliant_bucket_change_files_compliant_evaluation_and_evidence() {
    let h = Harness::start().await;
    let bucket = unique("genai-train-secure");
    let summary = h
        .handler
        .handle(&event_for("config-s3-bucket-compliant", &bucket))
        .await
        .unwrap();

    assert_eq!(
        summary.verdicts.get(&Verdict::Compliant),
        Some(&bucket_checks())
    );
    assert_eq!(h.evaluations().await[&bucket].0, "COMPLIANT");
    let at_rest = h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await;
    assert_eq!(at_rest.len(), 1);
    assert!(
        at_rest[0].contains("SECAI3.3 Data Encryption At Rest | COMPLIANT"),
        "{}",
        at_rest[0]
    );
    assert!(at_rest[0].contains(&format!("arn:aws:s3:::{bucket}")));
    assert!(at_rest[0].contains("check s3_bucket_default_encryption_kms v1"));
    let in_transit = h
        .evidence(ENCRYPTION_IN_TRANSIT.0, ENCRYPTION_IN_TRANSIT.1)
        .await;
    assert_eq!(in_transit.len(), 1);
    assert!(
        in_transit[0].contains("SECAI3.2 Data Encryption In Transit | COMPLIANT"),
        "{}",
        in_transit[0]
    );
}

#[tokio::test]
async fn noncompliant_bucket_change_files_noncompliant_evidence_under_both_controls() {
    let h = Harness::start().await;
    let bucket = unique("genai-train-legacy");
    h.handler
        .handle(&event_for("config-s3-bucket-noncompliant", &bucket))
        .await
        .unwrap();

    let (compliance, annotation) = h.evaluations().await[&bucket].clone();
    assert_eq!(compliance, "NON_COMPLIANT");
    assert!(
        annotation.contains("AES256") && annotation.chars().count() <= 256,
        "{annotation}"
    );
    let at_rest = h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await;
    assert!(
        at_rest[0].contains("NON_COMPLIANT") && at_rest[0].contains("SSE-S3 (AES256)"),
        "{}",
        at_rest[0]
    );
    let in_transit = h
        .evidence(ENCRYPTION_IN_TRANSIT.0, ENCRYPTION_IN_TRANSIT.1)
        .await;
    assert!(
        in_transit[0].contains("NON_COMPLIANT") && in_transit[0].contains("no bucket policy"),
        "{}",
        in_transit[0]
    );
}

#[tokio::test]
async fn notebook_changes_file_encryption_at_rest_evidence() {
    let h = Harness::start().await;
    let with_key = unique("genai-research-nb");
    let without_key = unique("genai-sandbox-nb");
    h.handler
        .handle(&event_for("config-notebook-with-kms", &with_key))
        .await
        .unwrap();
    h.handler
        .handle(&event_for("config-notebook-without-kms", &without_key))
        .await
        .unwrap();

    let evaluations = h.evaluations().await;
    assert_eq!(evaluations[&with_key].0, "COMPLIANT");
    assert_eq!(evaluations[&without_key].0, "NON_COMPLIANT");
    let texts = h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await;
    assert_eq!(texts.len(), 2);
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&with_key) && t.contains("| COMPLIANT"))
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&without_key) && t.contains("| NON_COMPLIANT"))
    );
}

#[tokio::test]
async fn oversized_notification_reads_the_item_from_config_history() {
    let h = Harness::start().await;
    let bucket = unique("genai-invocation-logs");
    rig::seed::bucket(&h.s3, &bucket, Some(rig::seed::KEY_ARN), false)
        .await
        .unwrap();

    let summary = h
        .handler
        .handle(&event_for("config-oversized-s3-bucket", &bucket))
        .await
        .unwrap();

    assert_eq!(
        summary.message_type,
        "OversizedConfigurationItemChangeNotification"
    );
    let (compliance, annotation) = h.evaluations().await[&bucket].clone();
    assert_eq!(
        compliance, "NON_COMPLIANT",
        "KMS-encrypted but no TLS-only policy"
    );
    assert!(annotation.contains("s3_bucket_tls_only"), "{annotation}");
    let at_rest = h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await;
    assert!(
        at_rest[0].contains("| COMPLIANT") && at_rest[0].contains(rig::seed::KEY_ARN),
        "{}",
        at_rest[0]
    );
    assert!(at_rest[0].contains("oversized; read with GetResourceConfigHistory"));
    assert_eq!(
        h.emulator.calls("GetResourceConfigHistory"),
        1,
        "the emulator forwarded the read to moto"
    );
}

#[tokio::test]
async fn oversized_notification_for_an_unrecorded_resource_could_not_evaluate() {
    let h = Harness::start().await;
    let bucket = unique("genai-never-recorded");
    h.handler
        .handle(&event_for("config-oversized-s3-bucket", &bucket))
        .await
        .unwrap();

    let (compliance, annotation) = h.evaluations().await[&bucket].clone();
    assert_eq!(
        compliance, "NOT_APPLICABLE",
        "could-not-evaluate is never sent as (non-)compliant"
    );
    assert!(
        annotation.starts_with("COULD NOT EVALUATE")
            && annotation.contains("ResourceNotDiscoveredException"),
        "{annotation}"
    );
    let texts = h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await;
    assert!(texts[0].contains("| COULD_NOT_EVALUATE"), "{}", texts[0]);
}

#[tokio::test]
async fn deleted_resource_is_not_applicable() {
    let h = Harness::start().await;
    let bucket = unique("genai-scratch-old");
    let summary = h
        .handler
        .handle(&event_for("config-s3-bucket-deleted", &bucket))
        .await
        .unwrap();

    assert_eq!(
        summary.verdicts.get(&Verdict::NotApplicable),
        Some(&bucket_checks())
    );
    let (compliance, annotation) = h.evaluations().await[&bucket].clone();
    assert_eq!(compliance, "NOT_APPLICABLE");
    assert!(annotation.contains("deleted"), "{annotation}");
    assert!(
        h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await[0]
            .contains("| NOT_APPLICABLE")
    );
}

#[tokio::test]
async fn resource_that_left_the_rule_scope_is_not_applicable() {
    let h = Harness::start().await;
    let bucket = unique("genai-left-scope");
    let mut event = event_for("config-s3-bucket-noncompliant", &bucket);
    event["eventLeftScope"] = Value::Bool(true);
    h.handler.handle(&event).await.unwrap();

    let (compliance, annotation) = h.evaluations().await[&bucket].clone();
    assert_eq!(compliance, "NOT_APPLICABLE");
    assert!(annotation.contains("scope"), "{annotation}");
}

#[tokio::test]
async fn unsupported_resource_type_is_not_applicable_without_evidence() {
    let h = Harness::start().await;
    let summary = h
        .handler
        .handle(&rig::event("config-unsupported-type"))
        .await
        .unwrap();

    assert!(summary.findings.is_empty());
    let (compliance, annotation) = h.evaluations().await["i-0abcd1234ef567890"].clone();
    assert_eq!(compliance, "NOT_APPLICABLE");
    assert!(annotation.contains("AWS::EC2::Instance"), "{annotation}");
    assert_eq!(
        h.emulator.calls("BatchImportEvidenceToAssessmentControl"),
        0
    );
}

#[tokio::test]
async fn scheduled_notification_reevaluates_every_recorded_bucket() {
    let h = Harness::start().await;
    let good = unique("genai-sched-good");
    let bad = unique("genai-sched-bad");
    rig::seed::bucket(&h.s3, &good, Some(rig::seed::KEY_ARN), true)
        .await
        .unwrap();
    rig::seed::bucket(&h.s3, &bad, None, false).await.unwrap();

    let summary = h
        .handler
        .handle(&rig::event("config-scheduled"))
        .await
        .unwrap();

    assert_eq!(summary.message_type, "ScheduledNotification");
    let evaluations = h.evaluations().await;
    assert_eq!(evaluations[&good].0, "COMPLIANT");
    assert_eq!(evaluations[&bad].0, "NON_COMPLIANT");
    let texts = h
        .evidence(ENCRYPTION_IN_TRANSIT.0, ENCRYPTION_IN_TRANSIT.1)
        .await;
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&good) && t.contains("periodic re-evaluation"))
    );
}

#[tokio::test]
async fn test_mode_token_validates_but_stores_no_evaluations() {
    let h = Harness::start().await;
    let bucket = unique("genai-testmode");
    let mut event = event_for("config-s3-bucket-compliant", &bucket);
    event["resultToken"] = json!("TESTMODE");
    let summary = h.handler.handle(&event).await.unwrap();

    assert!(summary.config.test_mode);
    assert_eq!(h.emulator.calls("PutEvaluations"), 1);
    assert!(h.evaluations().await.is_empty());
}

#[tokio::test]
async fn evaluations_config_rejects_twice_are_reported_not_dropped() {
    let h = Harness::start().await;
    let bucket = unique("genai-rejected");
    h.emulator.faults().fail_next_evaluations(2);
    let error = h
        .handler
        .handle(&event_for("config-s3-bucket-compliant", &bucket))
        .await
        .unwrap_err();

    // The invocation fails (so it shows, and Config retries it), and still says what it did.
    assert_eq!(error.error_type(), "EvaluationsNotTaken");
    assert!(
        error.to_string().contains("1 of 1 evaluation(s) as failed"),
        "{error}"
    );
    let HandlerError::EvaluationsNotTaken { summary, .. } = error else {
        unreachable!()
    };
    assert_eq!(summary.config.failed.len(), 1);
    assert_eq!(summary.config.failed[0].resource_id, bucket);
    assert_eq!(
        h.emulator.calls("PutEvaluations"),
        2,
        "one retry of the failed evaluation"
    );
}

#[tokio::test]
async fn a_result_token_config_rejects_fails_the_invocation_instead_of_reporting_success() {
    let h = Harness::start().await;
    let bucket = unique("genai-stale-token");
    let mut event = event_for("config-s3-bucket-compliant", &bucket);
    // An opaque token Config never issued for this rule (expired, or from another rule).
    event["resultToken"] =
        json!("eyJlbmNyeXB0ZWREYXRhIjpbMTIsLTMsNDVdLCJtYXRlcmlhbFNldFNlcmlhbE51bWJlciI6MX0=");
    let error = h.handler.handle(&event).await.unwrap_err();

    assert_eq!(error.error_type(), "EvaluationsNotTaken");
    assert!(
        error.to_string().contains("InvalidResultTokenException"),
        "{error}"
    );
    let HandlerError::EvaluationsNotTaken { summary, .. } = error else {
        unreachable!()
    };
    assert!(summary.config.error.is_some());
    assert!(!h.evaluations().await.contains_key(&bucket));
}

#[tokio::test]
async fn an_unknown_rule_parameter_is_reported_and_the_rule_still_evaluates() {
    let h = Harness::start().await;
    let bucket = unique("genai-extra-param");
    let mut event = event_for("config-s3-bucket-compliant", &bucket);
    event["ruleParameters"] =
        json!(r#"{"maxUnusedDays":"60","conformancePackRuleOwner":"security-team"}"#);
    let summary = h.handler.handle(&event).await.unwrap();

    assert_eq!(summary.ignored_parameters, ["conformancePackRuleOwner"]);
    assert_eq!(h.evaluations().await[&bucket].0, "COMPLIANT");
}

#[tokio::test]
async fn an_evaluation_config_rejects_once_is_retried_and_stored() {
    let h = Harness::start().await;
    let bucket = unique("genai-rejected-once");
    h.emulator.faults().fail_next_evaluations(1);
    let summary = h
        .handler
        .handle(&event_for("config-s3-bucket-compliant", &bucket))
        .await
        .unwrap();

    assert!(summary.config.failed.is_empty());
    assert_eq!(h.evaluations().await[&bucket].0, "COMPLIANT");
}

#[tokio::test]
async fn throttled_import_still_delivers_every_item_exactly_once() {
    let h = Harness::start().await;
    let bucket = unique("genai-throttled");
    h.emulator.faults().throttle_next_imports(4);
    let summary = h
        .handler
        .handle(&event_for("config-s3-bucket-noncompliant", &bucket))
        .await
        .unwrap();

    assert!(
        summary.evidence[0].undelivered.is_empty(),
        "{:?}",
        summary.evidence[0].undelivered
    );
    assert_eq!(summary.evidence[0].delivered.len(), bucket_checks());
    assert_eq!(
        h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1)
            .await
            .len(),
        1
    );
    assert_eq!(
        h.evidence(ENCRYPTION_IN_TRANSIT.0, ENCRYPTION_IN_TRANSIT.1)
            .await
            .len(),
        1
    );
    assert!(
        h.emulator.calls("BatchImportEvidenceToAssessmentControl") >= 6,
        "4 throttled + 2 delivered"
    );
}

#[tokio::test]
async fn partially_failing_import_still_delivers_every_item_exactly_once() {
    let h = Harness::start().await;
    let one = unique("genai-partial-a");
    let two = unique("genai-partial-b");
    h.handler
        .handle(&event_for("config-notebook-with-kms", &one))
        .await
        .unwrap();
    h.emulator.faults().fail_next_items(1);
    let summary = h
        .handler
        .handle(&event_for("config-notebook-without-kms", &two))
        .await
        .unwrap();

    assert!(
        summary.evidence[0].undelivered.is_empty(),
        "{:?}",
        summary.evidence[0].undelivered
    );
    let texts = h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await;
    assert_eq!(texts.iter().filter(|t| t.contains(&one)).count(), 1);
    assert_eq!(
        texts.iter().filter(|t| t.contains(&two)).count(),
        1,
        "retried once, stored once"
    );
}

#[tokio::test]
async fn an_inactive_assessment_keeps_findings_in_the_summary() {
    let h = Harness::build(
        Seed::default_genai(),
        INACTIVE_ASSESSMENT_ID,
        BTreeMap::new(),
    )
    .await;
    let bucket = unique("genai-inactive");
    let summary = h
        .handler
        .handle(&event_for("config-s3-bucket-compliant", &bucket))
        .await
        .unwrap();

    assert_eq!(
        h.evaluations().await[&bucket].0,
        "COMPLIANT",
        "Config still hears the verdict"
    );
    let report = &summary.evidence[0];
    assert!(report.delivered.is_empty());
    assert_eq!(report.undelivered.len(), bucket_checks());
    assert!(
        report.undelivered[0].reason.contains("INACTIVE"),
        "{}",
        report.undelivered[0].reason
    );
    assert_eq!(
        h.emulator.calls("BatchImportEvidenceToAssessmentControl"),
        0
    );
}

#[tokio::test]
async fn the_assessment_is_read_once_per_container() {
    let h = Harness::start().await;
    for name in ["genai-once-a", "genai-once-b"] {
        h.handler
            .handle(&event_for("config-s3-bucket-compliant", &unique(name)))
            .await
            .unwrap();
    }
    assert_eq!(h.emulator.calls("GetAssessment"), 1);
}

#[tokio::test]
async fn malformed_events_are_clear_errors_not_panics() {
    let h = Harness::start().await;
    for (payload, expected) in [
        (json!("just a string"), "not an AWS Config rule event"),
        (
            json!({"invokingEvent": {"messageType": "ScheduledNotification"}, "eventLeftScope": false}),
            "must be a JSON string",
        ),
        (
            json!({"invokingEvent": "{\"messageType\":\"Nope\"}", "resultToken": "t.1", "eventLeftScope": false}),
            "unknown messageType",
        ),
    ] {
        let err = h.handler.handle(&payload).await.unwrap_err();
        assert!(matches!(err, HandlerError::InvalidEvent(_)), "{err}");
        assert_eq!(err.error_type(), "InvalidEvent");
        assert!(err.to_string().contains(expected), "{err}");
    }
    assert!(matches!(
        genai_evidence::triggers::config_rule::parse_event_text("<xml/>"),
        Err(EventError::NotJson(_))
    ));
    assert_eq!(h.emulator.calls("PutEvaluations"), 0);
}

#[tokio::test]
async fn evidence_lands_in_the_demo_assessment() {
    let h = Harness::start().await;
    let out = h
        .auditmanager
        .get_assessment()
        .assessment_id(DEMO_ASSESSMENT_ID)
        .send()
        .await
        .unwrap();
    let sets: Vec<_> = out
        .assessment()
        .unwrap()
        .framework()
        .unwrap()
        .control_sets()
        .iter()
        .filter_map(|s| s.id())
        .collect();
    assert_eq!(
        sets,
        [
            "Responsible",
            "Safe",
            "Fair",
            "Sustainable",
            "Resilience",
            "Privacy",
            "Accuracy",
            "Secure"
        ]
    );
}

// The periodic pass: resources that vanished, and the time budget.

/// The sample periodic event, renamed to `rule` and notified at `time` (RFC 3339).
fn periodic_event(rule: &str, time: &str, rule_parameters: Option<&str>) -> Value {
    let mut event = rig::event("config-scheduled");
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["notificationCreationTime"] = json!(time);
    event["invokingEvent"] = Value::String(invoking.to_string());
    event["configRuleName"] = json!(rule);
    if let Some(params) = rule_parameters {
        event["ruleParameters"] = json!(params);
    }
    event
}

/// `ruleParameters` selecting only the checks that read S3 buckets (the pass then lists buckets
/// alone).
fn bucket_checks_only() -> String {
    let ids: Vec<&str> = genai_evidence::catalog::checks_for(
        genai_evidence::domain::resource::ResourceType::S3Bucket,
    )
    .map(|c| c.id)
    .collect();
    json!({ "checks": ids.join(",") }).to_string()
}

/// Stores an earlier evaluation of a bucket for the sample rule, as an earlier run would have.
async fn seed_earlier_evaluation(h: &Harness, bucket: &str, compliance: &str, at_secs: i64) {
    let token = rig::event("config-scheduled")["resultToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let evaluation = aws_sdk_config::types::Evaluation::builder()
        .compliance_resource_type("AWS::S3::Bucket")
        .compliance_resource_id(bucket)
        .compliance_type(aws_sdk_config::types::ComplianceType::from(compliance))
        .annotation("seeded: an earlier run's verdict")
        .ordering_timestamp(aws_sdk_config::primitives::DateTime::from_secs(at_secs))
        .build()
        .unwrap();
    let out = h
        .config
        .put_evaluations()
        .result_token(token)
        .evaluations(evaluation)
        .send()
        .await
        .unwrap();
    assert!(out.failed_evaluations().is_empty());
}

/// 2026-11-20T00:00:00Z, a day before the sample's notification.
const DAY_BEFORE_SAMPLE: i64 = 1_795_132_800;

fn evaluated_ids(summary: &genai_evidence::triggers::config_rule::Summary) -> Vec<String> {
    summary
        .config
        .evaluations
        .iter()
        .map(|e| e.resource_id.clone())
        .collect()
}

#[tokio::test]
async fn a_periodic_run_marks_a_resource_that_vanished_not_applicable_and_keeps_the_rest() {
    let h = Harness::start().await;
    let keep = unique("genai-vanish-keep");
    let gone = unique("genai-vanish-gone");
    rig::seed::bucket(&h.s3, &keep, Some(rig::seed::KEY_ARN), true)
        .await
        .unwrap();
    rig::seed::bucket(&h.s3, &gone, Some(rig::seed::KEY_ARN), false)
        .await
        .unwrap();
    // A role too: moto's BatchGetResourceConfig names it by its name where ListDiscoveredResources
    // gives its id, so its evaluation is stored under the name; still live, never vanished.
    let role = unique("genai-vanish-role");
    let moto_aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    aws_sdk_iam::Client::new(&moto_aws)
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let first = h
        .handler
        .handle(&periodic_event(RULE, "2026-11-21T00:00:00.373Z", None))
        .await
        .unwrap();
    assert!(first.complete);
    let before = h.evaluations().await;
    assert_eq!(before[&keep].0, "COMPLIANT");
    assert_eq!(
        before[&gone].0, "NON_COMPLIANT",
        "KMS, but no TLS-only policy"
    );
    let role_before = before[&role].clone();
    assert_eq!(role_before.0, "COMPLIANT", "{role_before:?}");

    h.s3.delete_bucket().bucket(&gone).send().await.unwrap();
    let second = h
        .handler
        .handle(&periodic_event(RULE, "2026-11-22T00:00:00Z", None))
        .await
        .unwrap();

    let after = h.evaluations().await;
    let (compliance, annotation) = after[&gone].clone();
    assert_eq!(compliance, "NOT_APPLICABLE");
    assert!(annotation.contains("no longer exists"), "{annotation}");
    assert_eq!(
        after[&keep].0, "COMPLIANT",
        "a resource that still exists keeps its verdict"
    );
    assert_eq!(
        after[&role], role_before,
        "a live role is never marked vanished"
    );
    assert!(second.complete);
    let Some(VanishedCheck::Done {
        vanished, marked, ..
    }) = second.vanished_check
    else {
        panic!("{:?}", second.vanished_check)
    };
    assert!(vanished >= 1 && marked == vanished, "{vanished} {marked}");
    assert_eq!(
        evaluated_ids(&second)
            .iter()
            .filter(|id| **id == gone)
            .count(),
        1
    );
    assert!(h.emulator.calls("GetComplianceDetailsByConfigRule") >= 2);
    let texts = h.evidence(ENCRYPTION_AT_REST.0, ENCRYPTION_AT_REST.1).await;
    assert!(
        texts.iter().any(|t| t.contains(&gone)
            && t.contains("| NOT_APPLICABLE")
            && t.contains("no longer exists")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_periodic_run_short_of_time_stops_at_a_cursor_and_the_next_run_continues_from_it() {
    let moto = rig::Moto::start().expect("moto starts");
    let h = Harness::on_moto(&moto).await;
    let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
    let table = unique("genai-periodic-ledger");
    rig::estate::ledger_table(&moto_aws, &table).await.unwrap();
    let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&moto_aws), &table);
    let buckets: BTreeSet<String> = (0..5).map(|i| format!("genai-pass-{i}")).collect();
    for bucket in &buckets {
        rig::seed::bucket(&h.s3, bucket, Some(rig::seed::KEY_ARN), true)
            .await
            .unwrap();
    }
    let gone = "genai-pass-deleted-long-ago";
    seed_earlier_evaluation(&h, gone, "COMPLIANT", DAY_BEFORE_SAMPLE).await;
    let recorder = h.recorder(ledger.clone());
    let handler = ConfigRuleHandler::new(h.config.clone(), Vec::new())
        .with_recorder(recorder)
        .with_periodic(PeriodicOptions {
            batch_size: 2,
            time_reserve: Duration::from_secs(600),
        });
    let params = bucket_checks_only();

    // Less than the reserve left: one batch, then stop.
    let first = handler
        .handle_with_deadline(
            &periodic_event(RULE, "2026-11-21T00:00:00.373Z", Some(&params)),
            Some(SystemTime::now() + Duration::from_secs(300)),
        )
        .await
        .unwrap();
    assert!(!first.complete);
    assert_eq!(evaluated_ids(&first), ["genai-pass-0", "genai-pass-1"]);
    let cursor = first.cursor.clone().expect("where the pass stopped");
    assert_eq!(
        cursor,
        PassCursor::Listing {
            resource_type: "AWS::S3::Bucket".into(),
            after_id: "genai-pass-1".into()
        }
    );
    assert_eq!(first.vanished_check, Some(VanishedCheck::Deferred));
    assert_eq!(
        h.evaluations().await[gone].0,
        "COMPLIANT",
        "a partial pass marks nothing as vanished"
    );
    let (_, doc) = ledger.get_versioned(&cursor_key(RULE)).await.unwrap();
    assert_eq!(
        doc.unwrap()["cursor"],
        serde_json::to_value(&cursor).unwrap()
    );

    let second = handler
        .handle(&periodic_event(RULE, "2026-11-22T00:00:00Z", Some(&params)))
        .await
        .unwrap();
    assert!(second.complete, "{:?}", second.notes);
    assert_eq!(second.cursor, None);
    assert_eq!(
        second.vanished_check,
        Some(VanishedCheck::Done {
            earlier_evaluations: 6,
            vanished: 1,
            marked: 1
        })
    );
    let mut union = evaluated_ids(&first);
    union.extend(evaluated_ids(&second).into_iter().filter(|id| id != gone));
    let unique_ids: BTreeSet<String> = union.iter().cloned().collect();
    assert_eq!(
        union.len(),
        unique_ids.len(),
        "no resource twice: {union:?}"
    );
    assert_eq!(unique_ids, buckets, "every resource once");
    assert_eq!(h.evaluations().await[gone].0, "NOT_APPLICABLE");
    let (_, doc) = ledger.get_versioned(&cursor_key(RULE)).await.unwrap();
    assert_eq!(
        doc.unwrap()["cursor"],
        Value::Null,
        "a complete pass clears it"
    );
    moto.stop();
}

#[tokio::test]
async fn a_periodic_run_that_cannot_read_the_earlier_evaluations_says_so_and_evaluates_the_rest() {
    let h = Harness::start().await;
    let bucket = unique("genai-no-history");
    rig::seed::bucket(&h.s3, &bucket, Some(rig::seed::KEY_ARN), true)
        .await
        .unwrap();
    // A rule name Config does not know: GetComplianceDetailsByConfigRule answers
    // NoSuchConfigRuleException (the result token still belongs to the sample rule).
    let summary = h
        .handler
        .handle(&periodic_event(
            "genai-evidence-renamed",
            "2026-11-21T00:00:00.373Z",
            None,
        ))
        .await
        .unwrap();

    assert!(summary.complete);
    let Some(VanishedCheck::Failed { error }) = &summary.vanished_check else {
        panic!("{:?}", summary.vanished_check)
    };
    assert!(error.contains("NoSuchConfigRuleException"), "{error}");
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("earlier evaluations could not be read")),
        "{:?}",
        summary.notes
    );
    assert_eq!(h.evaluations().await[&bucket].0, "COMPLIANT");
}

#[tokio::test]
async fn without_a_ledger_a_periodic_run_short_of_time_says_it_cannot_continue() {
    let h = Harness::start().await;
    for name in ["genai-no-ledger-a", "genai-no-ledger-b"] {
        rig::seed::bucket(&h.s3, &unique(name), None, false)
            .await
            .unwrap();
    }
    let handler =
        ConfigRuleHandler::new(h.config.clone(), Vec::new()).with_periodic(PeriodicOptions {
            batch_size: 1,
            time_reserve: Duration::from_secs(600),
        });
    let summary = handler
        .handle_with_deadline(
            &periodic_event(RULE, "2026-11-21T00:00:00.373Z", None),
            Some(SystemTime::now() + Duration::from_secs(300)),
        )
        .await
        .unwrap();

    assert!(!summary.complete);
    assert_eq!(summary.config.evaluations.len(), 1);
    assert!(summary.cursor.is_some());
    assert_eq!(summary.vanished_check, Some(VanishedCheck::Deferred));
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("continuation is not possible")),
        "{:?}",
        summary.notes
    );
}

#[tokio::test]
async fn a_batch_config_does_not_take_stops_the_periodic_pass_before_that_batch() {
    let h = Harness::start().await;
    for name in ["genai-not-taken-a", "genai-not-taken-b"] {
        rig::seed::bucket(&h.s3, &unique(name), None, false)
            .await
            .unwrap();
    }
    let handler =
        ConfigRuleHandler::new(h.config.clone(), Vec::new()).with_periodic(PeriodicOptions {
            batch_size: 1,
            ..PeriodicOptions::default()
        });
    h.emulator.faults().fail_next_evaluations(2);
    let error = handler
        .handle(&periodic_event(RULE, "2026-11-21T00:00:00.373Z", None))
        .await
        .unwrap_err();

    // The invocation fails (Config's retry runs it again) and says the pass stopped there.
    assert_eq!(error.error_type(), "EvaluationsNotTaken");
    let HandlerError::EvaluationsNotTaken { summary, .. } = error else {
        unreachable!()
    };
    assert!(!summary.complete);
    assert_eq!(
        summary.cursor, None,
        "the cursor does not move past that batch"
    );
    assert_eq!(summary.config.evaluations.len(), 1);
    assert_eq!(summary.config.failed.len(), 1);
    assert_eq!(summary.vanished_check, Some(VanishedCheck::Deferred));
    assert_eq!(
        h.emulator.calls("PutEvaluations"),
        2,
        "one retry, no next batch"
    );
}

#[tokio::test]
async fn a_test_mode_periodic_run_neither_reads_nor_moves_the_rules_cursor() {
    let h = Harness::start().await;
    for name in ["genai-testmode-pass-a", "genai-testmode-pass-b"] {
        rig::seed::bucket(&h.s3, &unique(name), None, false)
            .await
            .unwrap();
    }
    let moto_aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let table = unique("genai-testmode-ledger");
    rig::estate::ledger_table(&moto_aws, &table).await.unwrap();
    let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&moto_aws), &table);
    let recorder = h.recorder(ledger.clone());
    let handler = ConfigRuleHandler::new(h.config.clone(), Vec::new())
        .with_recorder(recorder)
        .with_periodic(PeriodicOptions {
            batch_size: 1,
            time_reserve: Duration::from_secs(600),
        });
    let mut event = periodic_event(RULE, "2026-11-21T00:00:00.373Z", None);
    event["resultToken"] = json!("TESTMODE");
    let summary = handler
        .handle_with_deadline(&event, Some(SystemTime::now() + Duration::from_secs(300)))
        .await
        .unwrap();

    assert!(!summary.complete);
    assert!(
        summary.notes.iter().any(|n| n.starts_with("TestMode")),
        "{:?}",
        summary.notes
    );
    assert_eq!(ledger.get_versioned(&cursor_key(RULE)).await.unwrap().0, 0);
}

/// The EMF lines the function prints for one change: the findings by verdict as the summary
/// counts them, each under every control it is filed on, and the evidence the ledger filed.
#[tokio::test]
async fn the_config_rules_metrics_count_what_its_summary_reports() {
    let h = Harness::start().await;
    let bucket = unique("genai-train-metrics");
    let summary = h
        .handler
        .handle(&event_for("config-s3-bucket-noncompliant", &bucket))
        .await
        .unwrap();
    let docs: Vec<Value> = summary
        .figures
        .emf_lines("config-rule", 1)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let overall = &docs[0];
    assert_eq!(overall["Function"], "config-rule");
    for (verdict, count) in &summary.verdicts {
        let name = genai_evidence::metrics::metric_name(*verdict);
        assert_eq!(overall[name].as_u64(), Some(*count as u64), "{name}");
    }
    let filed = summary.recorded.as_ref().map_or(0, |r| r.filed)
        + summary
            .evidence
            .iter()
            .map(|r| r.delivered.len())
            .sum::<usize>();
    assert!(filed > 0);
    assert_eq!(overall["Filed"].as_u64(), Some(filed as u64));
    let mut expected: BTreeMap<&str, u64> = BTreeMap::new();
    for line in &summary.findings {
        for control in &line.controls {
            *expected.entry(control).or_default() += 1;
        }
    }
    let per_control: BTreeMap<&str, u64> = docs
        .iter()
        .filter_map(|d| {
            let total = [
                "Compliant",
                "NonCompliant",
                "NotApplicable",
                "CouldNotEvaluate",
            ]
            .iter()
            .map(|m| d[m].as_u64().unwrap_or(0))
            .sum();
            d["Control"].as_str().map(|c| (c, total))
        })
        .collect();
    assert_eq!(
        per_control, expected,
        "each finding once under each of its controls"
    );
}

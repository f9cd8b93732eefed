//! The Security Hub sink: changed verdicts as ASFF findings through the recorder and the ledger,
//! against moto's Security Hub (BatchImportFindings, GetFindings) and DynamoDB; a partially
//! failing batch through aws-smithy-mocks, since moto never fails a well-formed finding.
//!
//! moto's Security Hub shares one findings list per account and region across the test binary
//! and ignores GetFindings' filters, so each test names its resources with its own prefix and
//! reads back only its own findings.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_securityhub::operation::batch_import_findings::BatchImportFindingsOutput;
use aws_sdk_securityhub::types::ImportFindingsError;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::catalog::{Check, s3};
use genai_evidence::domain::outcome::Outcome;
use genai_evidence::domain::resource::ResourceRef;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::finding::Finding;
use genai_evidence::recorder::Recorder;
use genai_evidence::sinks::EvidenceSink;
use genai_evidence::sinks::securityhub::{SecurityHubSink, finding_id, severity_label};
use serde_json::Value;

use crate::support::fast_retries;

const CHECKS: [&Check; 2] = [&s3::DEFAULT_ENCRYPTION_KMS, &s3::PUBLIC_ACCESS_BLOCKED];

fn bucket(name: &str) -> ResourceRef {
    ResourceRef {
        resource_type: "AWS::S3::Bucket".into(),
        resource_id: name.into(),
        arn: Some(format!("arn:aws:s3:::{name}")),
        account_id: rig::ACCOUNT_ID.into(),
        region: rig::REGION.into(),
    }
}

fn finding(check: &'static Check, resource: ResourceRef, outcome: Outcome) -> Finding {
    Finding {
        check,
        resource,
        outcome,
        observed_at: Timestamp::now(),
        observed_via: "test",
        evaluated_at: Timestamp::now(),
        context: Vec::new(),
    }
}

fn failing(check: &'static Check, name: &str) -> Finding {
    finding(
        check,
        bucket(name),
        Outcome::non_compliant("the setting is off", "the control needs it on"),
    )
}

/// A recorder delivering to moto's Security Hub alone, on a fresh ledger table.
async fn recorder_on_moto(table: &str) -> (Recorder, aws_sdk_securityhub::Client) {
    let conf = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    rig::estate::ledger_table(&conf, table).await.unwrap();
    let client = aws_sdk_securityhub::Client::new(&conf);
    let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&conf), table);
    let sink = SecurityHubSink::new(client.clone(), rig::REGION, fast_retries());
    (Recorder::security_hub_only(ledger, sink), client)
}

/// This test's findings in moto (GetFindings, every page), as JSON, by id.
async fn stored(client: &aws_sdk_securityhub::Client, prefix: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut token = None;
    loop {
        let page = client
            .get_findings()
            .max_results(100)
            .set_next_token(token)
            .send()
            .await
            .expect("GetFindings");
        for f in page.findings() {
            let id = f.id().unwrap_or_default().to_owned();
            if id.contains(prefix) {
                out.insert(id, asff_json(f));
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return out;
        }
    }
}

/// The fields the tests read back, as the ASFF names them.
fn asff_json(f: &aws_sdk_securityhub::types::AwsSecurityFinding) -> Value {
    let compliance = f.compliance();
    serde_json::json!({
        "SchemaVersion": f.schema_version(),
        "Id": f.id(),
        "ProductArn": f.product_arn(),
        "GeneratorId": f.generator_id(),
        "AwsAccountId": f.aws_account_id(),
        "Types": f.types(),
        "CreatedAt": f.created_at(),
        "UpdatedAt": f.updated_at(),
        "FirstObservedAt": f.first_observed_at(),
        "Severity": f.severity().and_then(|s| s.label()).map(|l| l.as_str().to_owned()),
        "Title": f.title(),
        "Description": f.description(),
        "Resources": f.resources().iter().map(|r| serde_json::json!({
            "Type": r.r#type(), "Id": r.id(), "Partition": r.partition().map(|p| p.as_str().to_owned()), "Region": r.region(),
        })).collect::<Vec<_>>(),
        "ComplianceStatus": compliance.and_then(|c| c.status()).map(|s| s.as_str().to_owned()),
        "RelatedRequirements": compliance.map(|c| c.related_requirements().to_vec()).unwrap_or_default(),
        "StatusReasons": compliance.map(|c| c.status_reasons().iter().map(|r| r.reason_code().unwrap_or_default().to_owned()).collect::<Vec<_>>()).unwrap_or_default(),
        "Remediation": f.remediation().and_then(|r| r.recommendation()).and_then(|r| r.text()),
        "Workflow": f.workflow().and_then(|w| w.status()).map(|s| s.as_str().to_owned()),
        "RecordState": f.record_state().map(|s| s.as_str().to_owned()),
    })
}

fn is_rfc3339(text: &Value) -> bool {
    text.as_str()
        .is_some_and(|t| Timestamp::parse(t).is_ok() && t.ends_with('Z'))
}

#[tokio::test]
async fn the_first_run_imports_one_valid_finding_per_check_and_resource_and_an_unchanged_rerun_imports_none()
 {
    let prefix = "genai-sh-first";
    let (recorder, client) = recorder_on_moto("sh-first-ledger").await;
    let findings: Vec<Finding> = (0..3)
        .flat_map(|i| CHECKS.map(|c| failing(c, &format!("{prefix}-{i}"))))
        .collect();

    let first = recorder
        .deliver_to_security_hub(&findings, Timestamp::now())
        .await
        .expect("the sink is on");
    assert_eq!(first.delivered.len(), 6, "{first:?}");
    assert!(first.undelivered.is_empty(), "{first:?}");
    let after_first = stored(&client, prefix).await;
    assert_eq!(after_first.len(), 6, "one finding per check and resource");

    // ASFF's required fields, as Security Hub validates them.
    let product = format!(
        "arn:aws:securityhub:{}:{}:product/{}/default",
        rig::REGION,
        rig::ACCOUNT_ID,
        rig::ACCOUNT_ID
    );
    for f in &findings {
        let id = finding_id(f.check.id, &f.resource);
        let asff = &after_first[&id];
        assert_eq!(asff["SchemaVersion"], "2018-10-08");
        assert_eq!(asff["ProductArn"], product.as_str());
        assert_eq!(asff["GeneratorId"], f.check.id);
        assert_eq!(asff["AwsAccountId"], rig::ACCOUNT_ID);
        assert_eq!(
            asff["Types"],
            serde_json::json!(["Software and Configuration Checks/AWS Security Best Practices"])
        );
        for at in ["CreatedAt", "UpdatedAt", "FirstObservedAt"] {
            assert!(is_rfc3339(&asff[at]), "{at}: {}", asff[at]);
        }
        assert_eq!(
            asff["Severity"],
            severity_label(f.check, f.outcome.verdict).as_str()
        );
        assert_eq!(asff["Title"], f.check.title);
        assert!(asff["Description"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(
            asff["Resources"][0],
            serde_json::json!({"Type": "AwsS3Bucket", "Id": f.resource.arn, "Partition": "aws", "Region": rig::REGION})
        );
        assert_eq!(asff["ComplianceStatus"], "FAILED");
        let related: Vec<String> = f.check.controls.iter().map(|c| c.id.to_owned()).collect();
        assert!(
            related.iter().all(|r| asff["RelatedRequirements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == r.as_str())),
            "{}",
            asff["RelatedRequirements"]
        );
        assert_eq!(
            asff["Remediation"],
            genai_evidence::sinks::text::truncate_chars(f.check.remediation, 512)
        );
        assert_eq!(asff["Workflow"], "NEW");
        assert_eq!(asff["RecordState"], "ACTIVE");
    }

    let again: Vec<Finding> = (0..3)
        .flat_map(|i| CHECKS.map(|c| failing(c, &format!("{prefix}-{i}"))))
        .collect();
    let second = recorder
        .deliver_to_security_hub(&again, Timestamp::now())
        .await
        .expect("the sink is on");
    assert!(second.delivered.is_empty(), "{second:?}");
    assert_eq!(second.unchanged, 6);
    // Nothing was imported: every finding still carries the first run's UpdatedAt.
    assert_eq!(stored(&client, prefix).await, after_first);
}

#[tokio::test]
async fn a_fixed_resource_updates_its_finding_to_passed_and_a_deleted_one_is_archived() {
    let prefix = "genai-sh-fixed";
    let (recorder, client) = recorder_on_moto("sh-fixed-ledger").await;
    let check = &s3::DEFAULT_ENCRYPTION_KMS;
    let fixed = format!("{prefix}-fixed");
    let deleted = format!("{prefix}-deleted");
    recorder
        .deliver_to_security_hub(
            &[failing(check, &fixed), failing(check, &deleted)],
            Timestamp::now(),
        )
        .await
        .expect("the sink is on");
    let before = stored(&client, prefix).await;

    let report = recorder
        .deliver_to_security_hub(
            &[
                finding(
                    check,
                    bucket(&fixed),
                    Outcome::compliant("default encryption is SSE-KMS", "customer managed key"),
                ),
                finding(
                    check,
                    bucket(&deleted),
                    Outcome::not_applicable("the resource no longer exists", "deleted"),
                ),
            ],
            Timestamp::now(),
        )
        .await
        .expect("the sink is on");
    assert_eq!(report.delivered.len(), 2, "{report:?}");

    let after = stored(&client, prefix).await;
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "updated in place, not duplicated"
    );
    let fixed = &after[&finding_id(check.id, &bucket(&fixed))];
    assert_eq!(fixed["ComplianceStatus"], "PASSED");
    assert_eq!(fixed["RecordState"], "ACTIVE");
    let deleted = &after[&finding_id(check.id, &bucket(&deleted))];
    assert_eq!(deleted["ComplianceStatus"], "NOT_AVAILABLE");
    assert_eq!(deleted["RecordState"], "ARCHIVED");
}

#[tokio::test]
async fn a_could_not_evaluate_finding_is_a_warning_with_its_reason_never_passed_or_failed() {
    let prefix = "genai-sh-warning";
    let (recorder, client) = recorder_on_moto("sh-warning-ledger").await;
    let check = &s3::DEFAULT_ENCRYPTION_KMS;
    let name = format!("{prefix}-0");
    recorder
        .deliver_to_security_hub(
            &[finding(
                check,
                bucket(&name),
                Outcome::could_not_evaluate("AccessDenied on s3:GetEncryptionConfiguration"),
            )],
            Timestamp::now(),
        )
        .await
        .expect("the sink is on");
    let asff = &stored(&client, prefix).await[&finding_id(check.id, &bucket(&name))];
    assert_eq!(asff["ComplianceStatus"], "WARNING");
    assert_eq!(
        asff["StatusReasons"],
        serde_json::json!(["COULD_NOT_EVALUATE"])
    );
    assert_eq!(asff["RecordState"], "ACTIVE");
}

/// What a mocked BatchImportFindings saw: the ids it took, call by call.
#[derive(Default)]
struct Taken {
    calls: Vec<Vec<String>>,
    accepted: Vec<String>,
}

/// A Security Hub that answers its first call with `FailedFindings`: ids ending in `-throttled`
/// as `ThrottlingException` (retryable), ids ending in `-invalid` as `InvalidInput` on every call;
/// everything else is taken.
fn partially_failing(taken: Arc<Mutex<Taken>>) -> aws_sdk_securityhub::Client {
    let rule = mock!(aws_sdk_securityhub::Client::batch_import_findings).then_compute_output(
        move |input| {
            let mut taken = taken.lock().unwrap();
            let first_call = taken.calls.is_empty();
            let ids: Vec<String> = input
                .findings()
                .iter()
                .map(|f| f.id().unwrap_or_default().to_owned())
                .collect();
            let mut failed = Vec::new();
            for id in &ids {
                let code = if id.ends_with("-invalid") {
                    Some(("InvalidInput", "Finding does not adhere to ASFF"))
                } else if first_call && id.ends_with("-throttled") {
                    Some(("ThrottlingException", "Rate exceeded"))
                } else {
                    None
                };
                match code {
                    Some((code, message)) => failed.push(
                        ImportFindingsError::builder()
                            .id(id)
                            .error_code(code)
                            .error_message(message)
                            .build(),
                    ),
                    None => taken.accepted.push(id.clone()),
                }
            }
            taken.calls.push(ids.clone());
            BatchImportFindingsOutput::builder()
                .failed_count(i32::try_from(failed.len()).unwrap())
                .success_count(i32::try_from(ids.len() - failed.len()).unwrap())
                .set_failed_findings(Some(failed))
                .build()
        },
    );
    mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, [&rule])
}

#[tokio::test]
async fn a_partially_failing_batch_delivers_every_finding_exactly_once_and_reports_the_rest() {
    let taken = Arc::new(Mutex::new(Taken::default()));
    let sink = SecurityHubSink::new(
        partially_failing(taken.clone()),
        rig::REGION,
        fast_retries(),
    );
    // 150 findings: two calls of at most 100; three throttled, one invalid.
    let findings: Vec<Finding> = (0..150)
        .map(|i| {
            let suffix = match i {
                10 | 70 | 120 => "-throttled",
                40 => "-invalid",
                _ => "",
            };
            failing(
                &s3::DEFAULT_ENCRYPTION_KMS,
                &format!("genai-sh-partial-{i:03}{suffix}"),
            )
        })
        .collect();

    let report = sink.file(&findings).await;

    let taken = taken.lock().unwrap();
    assert!(
        taken.calls.iter().all(|c| c.len() <= 100),
        "at most 100 a call"
    );
    assert_eq!(taken.calls[0].len(), 100);
    let mut accepted = taken.accepted.clone();
    accepted.sort();
    let before = accepted.len();
    accepted.dedup();
    assert_eq!(accepted.len(), before, "no finding was taken twice");
    assert_eq!(accepted.len(), 149, "every finding but the invalid one");
    assert_eq!(report.delivered.len(), 149);
    assert_eq!(report.undelivered.len(), 1, "{:?}", report.undelivered);
    let reason = &report.undelivered[0].reason;
    let invalid_id = finding_id(s3::DEFAULT_ENCRYPTION_KMS.id, &findings[40].resource);
    for part in [
        invalid_id.as_str(),
        "InvalidInput",
        "does not adhere to ASFF",
    ] {
        assert!(reason.contains(part), "{reason} names {part}");
    }
    // The throttled ones were retried alone, not with the batch they came in.
    assert!(
        taken.calls[1..]
            .iter()
            .flatten()
            .all(|id| id.ends_with("-throttled")
                || id.ends_with("-invalid")
                || taken.calls[0].iter().all(|first| first != id)),
        "{:?}",
        &taken.calls[1..]
    );
}

#[tokio::test]
async fn a_finding_security_hub_did_not_take_is_sent_again_by_the_next_run_and_only_it() {
    let conf = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let table = "sh-retry-ledger";
    rig::estate::ledger_table(&conf, table).await.unwrap();
    let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&conf), table);
    let taken = Arc::new(Mutex::new(Taken::default()));
    let recorder = Recorder::security_hub_only(
        ledger,
        SecurityHubSink::new(
            partially_failing(taken.clone()),
            rig::REGION,
            fast_retries(),
        ),
    );
    let findings = vec![
        failing(&s3::DEFAULT_ENCRYPTION_KMS, "genai-sh-retry-ok"),
        failing(&s3::DEFAULT_ENCRYPTION_KMS, "genai-sh-retry-invalid"),
    ];
    let first = recorder
        .deliver_to_security_hub(&findings, Timestamp::now())
        .await
        .expect("the sink is on");
    assert_eq!((first.delivered.len(), first.undelivered.len()), (1, 1));

    let calls_before = taken.lock().unwrap().calls.len();
    let second = recorder
        .deliver_to_security_hub(&findings, Timestamp::now())
        .await
        .expect("the sink is on");
    assert_eq!(second.unchanged, 1, "the delivered one is not sent again");
    assert_eq!(
        second.undelivered.len(),
        1,
        "the refused one is tried again"
    );
    let taken = taken.lock().unwrap();
    assert_eq!(
        taken.calls[calls_before..].concat(),
        [finding_id(
            s3::DEFAULT_ENCRYPTION_KMS.id,
            &findings[1].resource
        )]
    );
}

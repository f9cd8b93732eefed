//! The Audit Manager sink against the emulator: batching, the control mapping, and failures that
//! must be reported item by item rather than lost.

use std::collections::BTreeMap;

use aws_emulator::{DEMO_ASSESSMENT_ID, Seed, SeedAssessment, SeedControl, SeedControlSet};
use genai_evidence::catalog::s3;
use genai_evidence::domain::outcome::Outcome;
use genai_evidence::domain::resource::ResourceRef;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::finding::Finding;
use genai_evidence::sinks::EvidenceSink;
use genai_evidence::sinks::auditmanager::{AuditManagerSink, ControlTarget};

use crate::support::{Harness, fast_retries};

fn findings(n: usize) -> Vec<Finding> {
    (0..n)
        .map(|i| Finding {
            check: &s3::DEFAULT_ENCRYPTION_KMS,
            resource: ResourceRef {
                resource_type: "AWS::S3::Bucket".into(),
                resource_id: format!("genai-bulk-{i:03}"),
                arn: Some(format!("arn:aws:s3:::genai-bulk-{i:03}")),
                account_id: rig::ACCOUNT_ID.into(),
                region: rig::REGION.into(),
            },
            outcome: Outcome::non_compliant(
                "default encryption is SSE-S3 (AES256)",
                "SSE-S3 uses S3-owned keys",
            ),
            observed_at: Timestamp::now(),
            observed_via: "test",
            evaluated_at: Timestamp::now(),
            context: Vec::new(),
        })
        .collect()
}

fn sink(h: &Harness, overrides: BTreeMap<String, ControlTarget>) -> AuditManagerSink {
    AuditManagerSink::new(
        h.auditmanager.clone(),
        DEMO_ASSESSMENT_ID.into(),
        overrides,
        fast_retries(),
    )
}

#[tokio::test]
async fn more_than_fifty_findings_are_imported_in_batches_of_fifty() {
    let h = Harness::start().await;
    let report = sink(&h, BTreeMap::new()).file(&findings(60)).await;

    assert_eq!(report.delivered.len(), 60);
    assert_eq!(
        h.emulator.calls("BatchImportEvidenceToAssessmentControl"),
        2
    );
    assert_eq!(
        h.evidence("Secure", "SECAI3.3 Data Encryption At Rest")
            .await
            .len(),
        60
    );
}

#[tokio::test]
async fn items_over_the_daily_quota_are_reported_not_lost() {
    let h = Harness::start().await;
    let report = sink(&h, BTreeMap::new()).file(&findings(101)).await;

    assert_eq!(report.delivered.len(), 100);
    assert_eq!(report.undelivered.len(), 1);
    assert!(
        report.undelivered[0].reason.contains("400"),
        "{}",
        report.undelivered[0].reason
    );
    assert_eq!(
        h.evidence("Secure", "SECAI3.3 Data Encryption At Rest")
            .await
            .len(),
        100
    );
}

#[tokio::test]
async fn ambiguous_control_names_are_reported_with_the_candidates() {
    let seed = Seed::new(rig::ACCOUNT_ID, rig::REGION).with_assessment(
        SeedAssessment::new(
            DEMO_ASSESSMENT_ID,
            "Ambiguous",
            aws_emulator::AssessmentStatus::Active,
        )
        .with_control_set(SeedControlSet::new(
            "Secure",
            vec![
                SeedControl::new(
                    "0b7a1c2d-0000-4000-8000-0000000000a1",
                    "SECAI3.3: Data Encryption At Rest",
                ),
                SeedControl::new(
                    "0b7a1c2d-0000-4000-8000-0000000000a2",
                    "Data Encryption At Rest",
                ),
            ],
        )),
    );
    let h = Harness::build(seed, DEMO_ASSESSMENT_ID, BTreeMap::new()).await;
    let report = sink(&h, BTreeMap::new()).file(&findings(1)).await;

    assert!(report.delivered.is_empty());
    assert!(
        report.undelivered[0]
            .reason
            .contains("2 controls in the assessment match"),
        "{}",
        report.undelivered[0].reason
    );
    assert_eq!(
        h.emulator.calls("BatchImportEvidenceToAssessmentControl"),
        0
    );
}

#[tokio::test]
async fn an_override_maps_a_control_the_names_do_not() {
    let seed = Seed::new(rig::ACCOUNT_ID, rig::REGION).with_assessment(
        SeedAssessment::new(
            DEMO_ASSESSMENT_ID,
            "Renamed",
            aws_emulator::AssessmentStatus::Active,
        )
        .with_control_set(SeedControlSet::new(
            "Secure AI",
            vec![SeedControl::new(
                "0b7a1c2d-0000-4000-8000-0000000000b1",
                "Customer-managed keys for model data",
            )],
        )),
    );
    let h = Harness::build(seed, DEMO_ASSESSMENT_ID, BTreeMap::new()).await;
    let target = ControlTarget {
        control_set_id: "Secure AI".into(),
        control_id: "0b7a1c2d-0000-4000-8000-0000000000b1".into(),
    };
    let report = sink(&h, BTreeMap::from([("SECAI3.3".to_owned(), target)]))
        .file(&findings(2))
        .await;

    assert_eq!(report.delivered.len(), 2, "{:?}", report.undelivered);
    assert_eq!(
        h.evidence("Secure AI", "Customer-managed keys for model data")
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn access_denied_is_reported_and_the_next_call_tries_again() {
    let h = Harness::start().await;
    let sink = sink(&h, BTreeMap::new());
    h.emulator.faults().deny_all(true);
    let denied = sink.file(&findings(1)).await;
    assert!(
        denied.undelivered[0]
            .reason
            .contains("AccessDeniedException"),
        "{}",
        denied.undelivered[0].reason
    );

    h.emulator.faults().deny_all(false);
    let allowed = sink.file(&findings(1)).await;
    assert_eq!(
        allowed.delivered.len(),
        1,
        "a failed mapping read is not cached: {:?}",
        allowed.undelivered
    );
}

//! The CloudTrail drift path on moto: the re-read (`readers::reread`) reads the resource a call names (by the id
//! the call uses) and the checks decide from that; then the handler end to end, from a compliant
//! state through a drifting call to non-compliant evidence naming the actor, read back from the
//! emulator's assessment, with a duplicate delivery filing nothing.
//!
//! Account-wide singletons (trails, invocation logging) are changed on a moto of their own, so
//! the collectors' tests sharing the binary's moto never see them move.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_emulator::DEMO_ASSESSMENT_ID;
use genai_evidence::adapters::Scope;
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::catalog::Params;
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::drift::{self, Classified, Target};
use genai_evidence::evaluate::{Subject, SubjectState, evaluate};
use genai_evidence::readers::Clients;
use genai_evidence::readers::reread::{ReadRetry, read_with_retry};
use genai_evidence::recorder::{Budget, Recorder};
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::triggers::cloudtrail_drift::{DriftHandler, DriftStatus};
use serde_json::{Value, json};

use crate::support::{Harness, fast_retries, unique};

const AT_REST: (&str, &str) = ("Secure", "SECAI3.3 Data Encryption At Rest");

fn scope() -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: rig::REGION.into(),
    }
}

fn fast() -> ReadRetry {
    ReadRetry {
        reads: 2,
        first_delay: Duration::from_millis(10),
    }
}

/// A sample drift event with new request parameters and a fresh event id.
fn event(name: &str, request: Value) -> Value {
    let mut event = rig::event(name);
    event["detail"]["requestParameters"] = request;
    event["detail"]["eventID"] = json!(unique("evt"));
    event
}

fn targets(event: &Value) -> Vec<Target> {
    let call = drift::parse(event).unwrap();
    match drift::classify(&call) {
        Classified::Mapped { targets, .. } => targets,
        Classified::Skipped(skip) => panic!("skipped: {}", skip.message),
    }
}

fn verdicts(subjects: &[Subject]) -> BTreeMap<&'static str, Verdict> {
    subjects
        .iter()
        .flat_map(|s| evaluate(s, &Params::default(), Timestamp::now()))
        .map(|f| (f.check.id, f.outcome.verdict))
        .collect()
}

#[tokio::test]
async fn a_bucket_is_re_read_after_its_encryption_is_removed_and_gone_after_deletion() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let clients = Clients::from_conf(&aws);
    let s3 = rig::s3_client(&aws);
    let bucket = unique("genai-drift-enc");
    rig::seed::bucket(&s3, &bucket, Some(rig::seed::KEY_ARN), false)
        .await
        .unwrap();
    let removed = event(
        "drift-s3-deletebucketencryption",
        json!({"bucketName": bucket, "Host": format!("{bucket}.s3.us-east-1.amazonaws.com"), "encryption": ""}),
    );
    let target = &targets(&removed)[0];

    // Before the change lands, the safeguard still passes: the refresh reads again, then gives up
    // and reports the state as read.
    let early = read_with_retry(&clients, &scope(), target, fast(), &Params::default())
        .await
        .unwrap();
    assert_eq!(
        (early.reads, early.still_contradicts),
        (2, true),
        "re-read while the encryption is still there"
    );
    assert_eq!(
        verdicts(&early.subjects)["s3_bucket_default_encryption_kms"],
        Verdict::Compliant
    );

    s3.delete_bucket_encryption()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let late = read_with_retry(&clients, &scope(), target, fast(), &Params::default())
        .await
        .unwrap();
    assert_eq!((late.reads, late.still_contradicts), (1, false));
    assert_eq!(
        verdicts(&late.subjects)["s3_bucket_default_encryption_kms"],
        Verdict::NonCompliant
    );

    s3.delete_bucket().bucket(&bucket).send().await.unwrap();
    let deleted = event(
        "drift-s3-deletebucketencryption",
        json!({"bucketName": bucket}),
    );
    let mut deleted_event = deleted.clone();
    deleted_event["detail"]["eventName"] = json!("DeleteBucket");
    let gone = read_with_retry(
        &clients,
        &scope(),
        &targets(&deleted_event)[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert!(
        matches!(gone.subjects[0].state, SubjectState::Gone(_)),
        "{:?}",
        gone.subjects[0].state
    );
    assert!(
        verdicts(&gone.subjects)
            .values()
            .all(|v| *v == Verdict::NotApplicable)
    );
}

#[tokio::test]
async fn log_groups_keys_roles_and_notebooks_are_re_read_by_the_ids_their_calls_name() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let clients = Clients::from_conf(&aws);

    // Logs: the key removed from a log group.
    let key = clients
        .kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let group = format!("/aws/bedrock/{}", unique("drift"));
    clients
        .logs
        .create_log_group()
        .log_group_name(&group)
        .kms_key_id(&key)
        .send()
        .await
        .unwrap();
    clients
        .logs
        .put_retention_policy()
        .log_group_name(&group)
        .retention_in_days(400)
        .send()
        .await
        .unwrap();
    // A group whose name extends this one must not be mistaken for it.
    clients
        .logs
        .create_log_group()
        .log_group_name(format!("{group}-other"))
        .send()
        .await
        .unwrap();
    let disassociate = |name: &str| {
        targets(&event(
            "drift-logs-disassociatekmskey",
            json!({"logGroupName": name}),
        ))
        .remove(0)
    };
    // Still encrypted: the call's effect has not landed, so the group is read again.
    let keyed = read_with_retry(
        &clients,
        &scope(),
        &disassociate(&group),
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert_eq!(keyed.subjects[0].resource.resource_id, group);
    assert_eq!((keyed.reads, keyed.still_contradicts), (2, true));
    assert_eq!(
        verdicts(&keyed.subjects)["logs_log_group_kms_encryption"],
        Verdict::Compliant
    );
    // The state after DisassociateKmsKey (which moto does not implement): no key.
    let bare = format!("{group}-other");
    let read = read_with_retry(
        &clients,
        &scope(),
        &disassociate(&bare),
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert_eq!(read.subjects[0].resource.resource_id, bare);
    assert_eq!(
        verdicts(&read.subjects)["logs_log_group_kms_encryption"],
        Verdict::NonCompliant
    );
    let missing = read_with_retry(
        &clients,
        &scope(),
        &targets(&event(
            "drift-logs-disassociatekmskey",
            json!({"logGroupName": format!("{group}-missing")}),
        ))[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert!(matches!(missing.subjects[0].state, SubjectState::Gone(_)));

    // KMS: a key scheduled for deletion, named by its ARN in the event (moto's
    // ScheduleKeyDeletion takes the key id only); then read through an alias.
    clients
        .kms
        .schedule_key_deletion()
        .key_id(key.rsplit('/').next().unwrap())
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    let scheduled = read_with_retry(
        &clients,
        &scope(),
        &targets(&event(
            "drift-kms-schedulekeydeletion",
            json!({"keyId": key, "pendingWindowInDays": 7}),
        ))[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        Some(scheduled.subjects[0].resource.resource_id.as_str()),
        key.rsplit('/').next()
    );
    assert_eq!(
        verdicts(&scheduled.subjects)["kms_key_enabled_not_pending_deletion"],
        Verdict::NonCompliant
    );
    let other = clients
        .kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_owned();
    let alias = format!("alias/{}", unique("genai-drift"));
    clients
        .kms
        .create_alias()
        .alias_name(&alias)
        .target_key_id(&other)
        .send()
        .await
        .unwrap();
    let by_alias = read_with_retry(
        &clients,
        &scope(),
        &targets(&event(
            "drift-kms-disablekeyrotation",
            json!({"keyId": alias}),
        ))[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert_eq!(by_alias.subjects[0].resource.resource_id, other);
    assert!(matches!(by_alias.subjects[0].state, SubjectState::Live(_)));

    // IAM: administrator access attached to a role; a customer policy widened, which reaches the
    // role it is attached to.
    let role = unique("genai-drift-role");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    clients
        .iam
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let narrow = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "bedrock:InvokeModel", "Resource": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"}]});
    let policy_arn = clients
        .iam
        .create_policy()
        .policy_name(unique("genai-drift-invoke"))
        .policy_document(narrow.to_string())
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    clients
        .iam
        .attach_role_policy()
        .role_name(&role)
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    let before = read_with_retry(
        &clients,
        &scope(),
        &targets(&event(
            "drift-iam-attachrolepolicy",
            json!({"roleName": role, "policyArn": policy_arn}),
        ))[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        verdicts(&before.subjects)["iam_role_no_genai_wildcard_on_all_resources"],
        Verdict::Compliant
    );
    let wide = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "bedrock:*", "Resource": "*"}]});
    clients
        .iam
        .create_policy_version()
        .policy_arn(&policy_arn)
        .policy_document(wide.to_string())
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let widened = read_with_retry(
        &clients,
        &scope(),
        &targets(&event(
            "drift-iam-createpolicyversion",
            json!({"policyArn": policy_arn, "setAsDefault": true}),
        ))[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    let types: Vec<&str> = widened
        .subjects
        .iter()
        .map(|s| s.resource.resource_type.as_str())
        .collect();
    assert_eq!(types, ["AWS::IAM::Policy", "AWS::IAM::Role"]);
    let found = verdicts(&widened.subjects);
    assert_eq!(
        found["iam_policy_no_genai_wildcard_on_all_resources"],
        Verdict::NonCompliant
    );
    assert_eq!(
        found["iam_role_no_genai_wildcard_on_all_resources"],
        Verdict::NonCompliant,
        "the role the policy is attached to is re-evaluated too"
    );
    let deleted = read_with_retry(
        &clients,
        &scope(),
        &targets(&event(
            "drift-iam-attachrolepolicy",
            json!({"roleName": format!("{role}-deleted"), "policyArn": policy_arn}),
        ))[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert!(matches!(deleted.subjects[0].state, SubjectState::Gone(_)));

    // SageMaker: a notebook instance that does not exist (ValidationException "RecordNotFound").
    let notebook = read_with_retry(
        &clients,
        &scope(),
        &targets(&event(
            "drift-sagemaker-createnotebookinstance",
            json!({"notebookInstanceName": unique("genai-drift-nb")}),
        ))[0],
        fast(),
        &Params::default(),
    )
    .await
    .unwrap();
    assert!(
        matches!(notebook.subjects[0].state, SubjectState::Gone(_)),
        "{:?}",
        notebook.subjects[0].state
    );
    assert_eq!(
        notebook.reads, 2,
        "a created resource not found yet is read again"
    );
}

#[tokio::test]
async fn stopped_logging_and_deleted_invocation_logging_come_out_non_compliant() {
    let moto = rig::Moto::start().expect("moto starts");
    let aws = rig::sdk_config(moto.endpoint(), 3).await;
    let clients = Clients::from_conf(&aws);
    let s3 = rig::s3_client(&aws);
    s3.create_bucket()
        .bucket("genai-drift-trail")
        .send()
        .await
        .unwrap();
    clients
        .cloudtrail
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("genai-drift-trail")
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    clients
        .cloudtrail
        .start_logging()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    let stop = rig::event("drift-cloudtrail-stoplogging");
    let account = &targets(&stop)[0];
    let logging = read_with_retry(&clients, &scope(), account, fast(), &Params::default())
        .await
        .unwrap();
    assert_eq!(
        verdicts(&logging.subjects)["cloudtrail_multi_region_trail_logging"],
        Verdict::Compliant
    );
    clients
        .cloudtrail
        .stop_logging()
        .name("arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail")
        .send()
        .await
        .unwrap();
    let stopped = read_with_retry(&clients, &scope(), account, fast(), &Params::default())
        .await
        .unwrap();
    assert_eq!(
        verdicts(&stopped.subjects)["cloudtrail_multi_region_trail_logging"],
        Verdict::NonCompliant
    );
    // DeleteTrail: the trail is gone (not applicable), the account-level safeguard fails.
    clients
        .cloudtrail
        .delete_trail()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    let delete = rig::event("drift-cloudtrail-deletetrail");
    let mut found = Vec::new();
    for target in targets(&delete) {
        let read = read_with_retry(&clients, &scope(), &target, fast(), &Params::default())
            .await
            .unwrap();
        found.extend(read.subjects);
    }
    assert!(matches!(found[0].state, SubjectState::Gone(_)));
    let found = verdicts(&found);
    assert_eq!(
        found["cloudtrail_trail_kms_encryption"],
        Verdict::NotApplicable
    );
    assert_eq!(
        found["cloudtrail_multi_region_trail_logging"],
        Verdict::NonCompliant
    );

    // Bedrock invocation logging configured, then deleted.
    let logging_config = aws_sdk_bedrock::types::LoggingConfig::builder()
        .s3_config(
            aws_sdk_bedrock::types::S3Config::builder()
                .bucket_name("genai-drift-trail")
                .build()
                .unwrap(),
        )
        .text_data_delivery_enabled(true)
        .build();
    clients
        .bedrock
        .put_model_invocation_logging_configuration()
        .logging_config(logging_config)
        .send()
        .await
        .unwrap();
    let deleted = rig::event("drift-bedrock-deletemodelinvocationloggingconfiguration");
    let target = &targets(&deleted)[0];
    let configured = read_with_retry(&clients, &scope(), target, fast(), &Params::default())
        .await
        .unwrap();
    assert_eq!(
        verdicts(&configured.subjects)["bedrock_invocation_logging_enabled"],
        Verdict::Compliant
    );
    assert!(
        configured.still_contradicts,
        "deleted, but still configured"
    );
    clients
        .bedrock
        .delete_model_invocation_logging_configuration()
        .send()
        .await
        .unwrap();
    let gone = read_with_retry(&clients, &scope(), target, fast(), &Params::default())
        .await
        .unwrap();
    assert_eq!(
        verdicts(&gone.subjects)["bedrock_invocation_logging_enabled"],
        Verdict::NonCompliant
    );
    moto.stop();
}

/// The drift handler wired to moto (state and ledger) and the harness's emulator (evidence).
async fn drift_handler(harness: &Harness) -> (DriftHandler, aws_config::SdkConfig) {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let table = unique("genai-drift-ledger");
    rig::estate::ledger_table(&aws, &table).await.unwrap();
    let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&aws), &table);
    let recorder = Recorder::new(
        ledger.clone(),
        AuditManagerSink::new(
            harness.auditmanager.clone(),
            DEMO_ASSESSMENT_ID.to_owned(),
            BTreeMap::new(),
            fast_retries(),
        ),
        None,
        Budget::default(),
    );
    let handler = DriftHandler::new(
        Clients::from_conf(&aws),
        Some(recorder),
        Some(ledger),
        rig::REGION,
    )
    .with_retry(fast());
    (handler, aws)
}

#[tokio::test]
async fn a_drifting_call_files_non_compliant_evidence_naming_the_actor_once() {
    let harness = Harness::start().await;
    let (handler, aws) = drift_handler(&harness).await;
    let s3 = rig::s3_client(&aws);
    let bucket = unique("genai-drift-e2e");
    rig::seed::bucket(&s3, &bucket, Some(rig::seed::KEY_ARN), true)
        .await
        .unwrap();

    // The compliant state, evidenced from a PutBucketEncryption call.
    let mut put = event(
        "drift-s3-deletebucketencryption",
        json!({"bucketName": bucket}),
    );
    put["detail"]["eventName"] = json!("PutBucketEncryption");
    let first = handler.handle(&put).await.unwrap();
    assert_eq!(first.status, DriftStatus::Evaluated);
    assert_eq!(first.count(Verdict::NonCompliant), 0, "{first:#?}");
    let before = harness.evidence(AT_REST.0, AT_REST.1).await;
    let mine = |texts: &[String]| -> Vec<String> {
        texts
            .iter()
            .filter(|t| t.contains(&bucket))
            .cloned()
            .collect()
    };
    assert_eq!(mine(&before).len(), 1, "{before:#?}");
    assert!(mine(&before)[0].contains("COMPLIANT"));

    // The drift: encryption removed, then the call's event.
    s3.delete_bucket_encryption()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let drift = event(
        "drift-s3-deletebucketencryption",
        json!({"bucketName": bucket, "Host": format!("{bucket}.s3.us-east-1.amazonaws.com"), "encryption": ""}),
    );
    let event_id = drift["detail"]["eventID"].as_str().unwrap().to_owned();
    let summary = handler.handle(&drift).await.unwrap();
    assert_eq!(summary.status, DriftStatus::Evaluated);
    let line = summary
        .findings
        .iter()
        .find(|f| f.check == "s3_bucket_default_encryption_kms")
        .unwrap();
    assert_eq!(line.verdict, Verdict::NonCompliant);
    let recorded = summary.recorded.as_ref().unwrap();
    assert_eq!(recorded.filed, 1, "only the changed verdict: {recorded:#?}");
    assert!(recorded.undelivered.is_empty());

    let after = mine(&harness.evidence(AT_REST.0, AT_REST.1).await);
    assert_eq!(after.len(), 2, "{after:#?}");
    let text = after
        .iter()
        .find(|t| t.contains("NON_COMPLIANT"))
        .expect("non-compliant evidence");
    for part in [
        "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice",
        "203.0.113.10",
        "DeleteBucketEncryption",
        event_id.as_str(),
    ] {
        assert!(text.contains(part), "evidence lacks {part}: {text}");
    }

    // The same event delivered again: nothing evaluated, nothing filed.
    let again = handler.handle(&drift).await.unwrap();
    assert_eq!(again.status, DriftStatus::Duplicate);
    assert!(again.findings.is_empty() && again.recorded.is_none());
    assert_eq!(
        mine(&harness.evidence(AT_REST.0, AT_REST.1).await).len(),
        2,
        "one evidence item for the event"
    );
}

#[tokio::test]
async fn skipped_and_malformed_events_file_nothing() {
    let harness = Harness::start().await;
    let (handler, _) = drift_handler(&harness).await;
    for (name, reason) in [
        ("drift-failed-call", "failed-call"),
        ("drift-read-only-call", "read-only"),
        ("drift-unmapped-call", "unmapped"),
    ] {
        let summary = handler.handle(&rig::event(name)).await.unwrap();
        assert_eq!(summary.status, DriftStatus::Skipped, "{name}");
        assert_eq!(summary.skip.unwrap().reason, reason);
        assert!(summary.recorded.is_none());
    }
    let malformed = json!({"detail-type": "AWS API Call via CloudTrail", "detail": {"eventSource": "s3.amazonaws.com"}});
    let error = handler.handle(&malformed).await.unwrap_err();
    assert_eq!(error.error_type(), "InvalidEvent");
    assert!(error.to_string().contains("detail.eventID"), "{error}");
}

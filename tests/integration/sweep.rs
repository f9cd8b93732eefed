//! The scheduled sweep end to end: a GenAI estate seeded into its own moto, the ledger table and
//! evidence bucket as the template creates them, the Audit Manager emulator; evidence read back
//! through the Audit Manager API.

use std::collections::BTreeMap;

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::catalog::{self, framework_control};
use genai_evidence::domain::outcome::{Outcome, Verdict};
use genai_evidence::domain::resource::ResourceRef;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::finding::Finding;
use genai_evidence::recorder::{Budget, DigestOutcome, Recorder};
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::sinks::digest::{Filing, ReportLine};
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::sweep::{
    ScopeEntry, SweepClients, SweepHandler, SweepOptions, SweepSummary,
};
use rig::estate::Estate;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::fast_retries;

const TABLE: &str = "genai-evidence-ledger";
const BUCKET: &str = "genai-evidence-evidence";
const AT_REST: (&str, &str) = ("Secure", "SECAI3.3 Data Encryption At Rest");

struct Sweep {
    _moto: rig::Moto,
    emulator: Emulator,
    moto_aws: aws_config::SdkConfig,
    auditmanager: aws_sdk_auditmanager::Client,
    estate: Estate,
    suite_key: String,
}

impl Sweep {
    /// Its own moto (the sweep reads the whole account), the suite's table and bucket, the
    /// estate, and the emulator.
    async fn start() -> Self {
        let moto = rig::Moto::start().expect("moto starts");
        let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
        rig::estate::ledger_table(&moto_aws, TABLE).await.unwrap();
        let suite_key = rig::estate::evidence_bucket(&moto_aws, BUCKET)
            .await
            .unwrap();
        let estate = rig::estate::genai(&moto_aws, "acme").await.unwrap();
        let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
            .await
            .expect("emulator starts");
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        Self {
            _moto: moto,
            emulator,
            moto_aws,
            auditmanager: aws_sdk_auditmanager::Client::new(&emulator_aws),
            estate,
            suite_key,
        }
    }

    fn recorder(&self, budget: Budget) -> Recorder {
        Recorder::new(
            Ledger::new(aws_sdk_dynamodb::Client::new(&self.moto_aws), TABLE),
            AuditManagerSink::new(
                self.auditmanager.clone(),
                DEMO_ASSESSMENT_ID.to_owned(),
                BTreeMap::new(),
                fast_retries(),
            ),
            Some(self.store()),
            budget,
        )
    }

    fn store(&self) -> ReportStore {
        ReportStore::new(
            rig::s3_client(&self.moto_aws),
            BUCKET,
            Some(self.suite_key.clone()),
        )
    }

    fn handler_with(&self, clients: SweepClients, options: SweepOptions) -> SweepHandler {
        SweepHandler::new(
            clients,
            self.recorder(Budget::default()),
            self.store(),
            options,
        )
    }

    fn handler(&self) -> SweepHandler {
        self.handler_with(
            SweepClients::for_regions(&self.moto_aws, &[]),
            SweepOptions::default(),
        )
    }

    /// Every evidence item on the control, as (field, value).
    async fn evidence(&self, (set, name): (&str, &str)) -> Vec<(String, String)> {
        let assessment = self
            .auditmanager
            .get_assessment()
            .assessment_id(DEMO_ASSESSMENT_ID)
            .send()
            .await
            .unwrap();
        let control_id = assessment
            .assessment()
            .and_then(|a| a.framework())
            .map(|f| f.control_sets())
            .unwrap_or_default()
            .iter()
            .filter(|s| s.id() == Some(set))
            .flat_map(|s| s.controls())
            .find(|c| c.name() == Some(name))
            .and_then(|c| c.id())
            .unwrap()
            .to_owned();
        let folders = self
            .auditmanager
            .get_evidence_folders_by_assessment_control()
            .assessment_id(DEMO_ASSESSMENT_ID)
            .control_set_id(set)
            .control_id(&control_id)
            .send()
            .await
            .unwrap();
        let mut items = Vec::new();
        for folder in folders.evidence_folders() {
            let mut pages = self
                .auditmanager
                .get_evidence_by_evidence_folder()
                .assessment_id(DEMO_ASSESSMENT_ID)
                .control_set_id(set)
                .evidence_folder_id(folder.id().unwrap_or_default())
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                for evidence in page.unwrap().evidence() {
                    for (field, value) in evidence.attributes().into_iter().flatten() {
                        items.push((field.clone(), value.clone()));
                    }
                }
            }
        }
        items
    }
}

impl Sweep {
    /// A run named `id` whose SageMaker calls are all denied (every other service is moto's).
    async fn run_with_sagemaker_denied(&self, id: &str) -> SweepSummary {
        let denied = rig::sdk_config(&denying_endpoint().await, 1).await;
        let mut clients = SweepClients::for_regions(&self.moto_aws, &[]);
        clients.regions[0].sagemaker = aws_sdk_sagemaker::Client::new(&denied);
        self.handler_with(clients, SweepOptions::default())
            .handle(&schedule(id), None)
            .await
            .unwrap()
    }
}

fn schedule(id: &str) -> Value {
    let mut event = rig::event("scheduled-sweep");
    event["id"] = json!(id);
    event
}

fn scoped<'a>(summary: &'a SweepSummary, id: &str) -> Option<&'a ScopeEntry> {
    summary.scope.iter().find(|e| e.resource_id == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_scopes_the_genai_estate_with_reasons_and_files_a_digest_and_report_per_control() {
    let s = Sweep::start().await;
    let e = &s.estate;
    let summary = s.handler().handle(&schedule("run-1"), None).await.unwrap();
    assert_eq!(summary.status, "complete", "{summary:#?}");
    // moto does not implement ListGuardrails, ListImportedModels, ListModelInvocationJobs,
    // ListFeatureGroups, ListMonitoringSchedules or ListInferenceExperiments (an HTTP 500 or an
    // HTML error page): those listings are reported, and their resources are could-not-evaluate;
    // nothing else may fail.
    let known_gaps = [
        "bedrock:ListGuardrails",
        "bedrock:ListImportedModels",
        "bedrock:ListModelInvocationJobs",
        "sagemaker:ListFeatureGroups",
        "sagemaker:ListMonitoringSchedules",
        "sagemaker:ListInferenceExperiments",
    ];
    assert!(
        summary
            .errors
            .iter()
            .all(|e| known_gaps.iter().any(|g| e.contains(g))),
        "{:?}",
        summary.errors
    );

    // Scope, with the reason an auditor can follow.
    let reasons = |id: &str| {
        scoped(&summary, id)
            .unwrap_or_else(|| panic!("{id} not in scope: {:#?}", summary.scope))
            .reasons
            .join(" | ")
    };
    assert!(
        reasons(&e.train_in).contains(&format!("training job \"{}\"", e.training_job)),
        "{}",
        reasons(&e.train_in)
    );
    assert!(
        reasons(&e.train_out).contains("output"),
        "{}",
        reasons(&e.train_out)
    );
    assert!(reasons(&e.tagged_in).contains("tagged genai-evidence=include"));
    assert!(reasons(&e.notebook).contains("SageMaker notebook instance"));
    assert!(
        reasons(&e.key_id).contains(&e.notebook),
        "{}",
        reasons(&e.key_id)
    );
    let role = summary
        .scope
        .iter()
        .find(|x| {
            x.resource_type == "AWS::IAM::Role"
                && x.reasons.iter().any(|r| r.contains(&e.execution_role))
        })
        .unwrap_or_else(|| panic!("execution role not in scope: {:#?}", summary.scope));
    assert!(
        role.reasons.join(" ").contains("execution role"),
        "{role:?}"
    );
    assert!(
        summary
            .scope
            .iter()
            .any(|x| x.resource_type == "AWS::IAM::Role"
                && x.reasons.iter().any(|r| r.contains("bedrock:InvokeModel"))),
        "the role granted Bedrock actions is in scope"
    );
    assert!(
        scoped(&summary, &e.unrelated).is_none(),
        "an unreferenced bucket is out of scope"
    );
    assert!(
        !summary
            .scope
            .iter()
            .any(|x| x.reasons.iter().any(|r| r.contains(&e.unrelated_role))),
        "a role with nothing GenAI is out of scope"
    );
    // Customer managed policies: in scope when attached to a GenAI principal or granting GenAI
    // actions themselves, and evaluated by the iam_policy_* checks.
    let policy = |name: &str| {
        summary.scope.iter().find(|x| {
            x.resource_type == "AWS::IAM::Policy"
                && x.arn.as_deref()
                    == Some(&format!("arn:aws:iam::{}:policy/{name}", rig::ACCOUNT_ID))
        })
    };
    let attached = policy(&e.execution_policy).expect("the execution role's policy is in scope");
    assert!(
        attached.reasons.iter().any(|r| r
            == &format!(
                "attached to role {}, which is in the GenAI scope",
                e.execution_role
            )),
        "{attached:?}"
    );
    let granting = policy(&e.bedrock_policy).expect("a policy granting Bedrock is in scope");
    assert!(
        granting
            .reasons
            .iter()
            .any(|r| r.contains("bedrock:InvokeModel")),
        "{granting:?}"
    );
    assert!(
        policy(&e.unrelated_policy).is_none(),
        "an unrelated policy is out of scope"
    );
    let excluded = summary
        .excluded_resources
        .iter()
        .find(|x| x.resource_id == e.excluded)
        .expect("the bucket tagged exclude is listed as excluded");
    assert!(excluded.reasons[0].contains("tagged genai-evidence=exclude"));
    assert!(scoped(&summary, &e.excluded).is_none());

    // One digest per control, each filed with its report.
    assert!(!summary.digests.is_empty());
    for digest in &summary.digests {
        assert!(
            matches!(digest.outcome, DigestOutcome::Filed(_)),
            "{digest:?}"
        );
    }
    let items = s.evidence(AT_REST).await;
    let digest = items
        .iter()
        .find(|(f, v)| f == "textResponse" && v.contains("DIGEST"))
        .map(|(_, v)| v.clone())
        .expect("a digest text on SECAI3.3");
    assert!(digest.chars().count() <= 1000);
    assert!(
        digest.contains(&format!("NON_COMPLIANT AWS::S3::Bucket {}", e.train_out)),
        "{digest}"
    );
    let path = items
        .iter()
        .find(|(f, v)| f == "s3ResourcePath" && v.ends_with(".json"))
        .map(|(_, v)| v.clone())
        .expect("the report path on SECAI3.3");
    let key = path.strip_prefix(&format!("s3://{BUCKET}/")).unwrap();
    let report: Value = s
        .store()
        .get_json(key)
        .await
        .expect("the report is in the evidence bucket");
    assert_eq!(report["control"], "SECAI3.3");
    let findings = report["findings"].as_array().unwrap();
    let out = findings
        .iter()
        .find(|f| {
            f["resourceId"] == json!(e.train_out)
                && f["check"] == "s3_bucket_default_encryption_kms"
        })
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(out["verdict"], "NON_COMPLIANT");
    assert!(out["context"][0].as_str().unwrap().contains("In scope"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_identical_run_and_a_duplicate_delivery_file_nothing_new() {
    let s = Sweep::start().await;
    let handler = s.handler();
    let first = handler.handle(&schedule("day-1-a"), None).await.unwrap();
    assert_eq!(first.status, "complete");
    let imports = s.emulator.calls("BatchImportEvidenceToAssessmentControl");
    assert!(imports > 0);
    let evidence = s.evidence(AT_REST).await.len();

    let duplicate = handler.handle(&schedule("day-1-a"), None).await.unwrap();
    assert_eq!(duplicate.status, "duplicate");

    let again = handler.handle(&schedule("day-1-b"), None).await.unwrap();
    assert_eq!(again.status, "complete");
    assert_eq!(again.changed, 0, "{again:#?}");
    assert!(
        again
            .digests
            .iter()
            .all(|d| d.outcome == DigestOutcome::AlreadyFiled),
        "{:?}",
        again.digests
    );
    assert_eq!(
        s.emulator.calls("BatchImportEvidenceToAssessmentControl"),
        imports
    );
    assert_eq!(s.evidence(AT_REST).await.len(), evidence);

    // A real change is filed on its own and in a new digest.
    let s3 = rig::s3_client(&s.moto_aws);
    s3.delete_bucket_encryption()
        .bucket(&s.estate.train_in)
        .send()
        .await
        .unwrap();
    let changed = handler.handle(&schedule("day-1-c"), None).await.unwrap();
    assert!(changed.filed >= 1, "{changed:#?}");
    let texts: Vec<String> = s
        .evidence(AT_REST)
        .await
        .into_iter()
        .filter(|(f, _)| f == "textResponse")
        .map(|(_, v)| v)
        .collect();
    assert!(
        texts.iter().any(|t| !t.contains("DIGEST")
            && t.contains(&s.estate.train_in)
            && t.contains("NON_COMPLIANT")),
        "the changed verdict is its own evidence item"
    );
    assert_eq!(texts.iter().filter(|t| t.contains("DIGEST")).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_that_checkpoints_resumes_where_it_stopped_and_files_the_same_digests() {
    let s = Sweep::start().await;
    let handler = s.handler_with(
        SweepClients::for_regions(&s.moto_aws, &[]),
        SweepOptions {
            max_units_per_invocation: Some(2),
            ..SweepOptions::default()
        },
    );
    let first = handler.handle(&schedule("long-run"), None).await.unwrap();
    assert_eq!(first.status, "continuing");
    assert_eq!(
        first
            .units_this_invocation
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["bedrock@us-east-1", "sagemaker@us-east-1"]
    );
    assert!(
        s.evidence(AT_REST)
            .await
            .iter()
            .all(|(_, v)| !v.contains("DIGEST"))
    );
    let mut invocations = 1;
    let last = loop {
        let next = handler
            .handle(&json!({"continue": true}), None)
            .await
            .unwrap();
        invocations += 1;
        assert!(invocations < 10, "the sweep never finishes");
        if next.status == "complete" {
            break next;
        }
        assert_eq!(next.status, "continuing");
    };
    assert!(last.units_left.is_empty());
    // Scope found in the first invocation (the training job's buckets) reached the S3 unit.
    let digest = s
        .evidence(AT_REST)
        .await
        .into_iter()
        .find(|(_, v)| v.contains("DIGEST"))
        .map(|(_, v)| v)
        .expect("digest after the last invocation");
    assert!(digest.contains(&s.estate.train_out), "{digest}");
    let idle = handler
        .handle(&json!({"continue": true}), None)
        .await
        .unwrap();
    assert_eq!(idle.status, "idle");
}

/// A server that answers every request as a JSON-protocol service denying access.
async fn denying_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = socket.read(&mut buf).await;
                let body = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/sweep/fn is not authorized to perform: sagemaker:List* because no identity-based policy allows it"}"#;
                let response = format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-errortype: AccessDeniedException\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_service_yields_could_not_evaluate_findings_while_the_rest_completes() {
    let s = Sweep::start().await;
    let summary = s.run_with_sagemaker_denied("denied").await;
    assert_eq!(summary.status, "complete");
    assert!(
        summary
            .errors
            .iter()
            .any(|e| e.contains("sagemaker") && e.contains("AccessDenied")),
        "{:?}",
        summary.errors
    );
    assert!(
        summary
            .verdicts
            .get(&Verdict::CouldNotEvaluate)
            .copied()
            .unwrap_or(0)
            > 0
    );
    let report_of = |control: &str| {
        summary
            .digests
            .iter()
            .find(|d| d.control == control)
            .map(|d| d.outcome.clone())
    };
    // The other services completed: KMS and CloudTrail evidence was filed.
    assert!(
        matches!(report_of("SECAI3.15"), Some(DigestOutcome::Filed(_))),
        "{:?}",
        summary.digests
    );
    let items = s.evidence(AT_REST).await;
    let path = items
        .iter()
        .find(|(f, v)| f == "s3ResourcePath" && v.ends_with(".json"))
        .map(|(_, v)| v.clone())
        .unwrap();
    let report: Value = s
        .store()
        .get_json(path.strip_prefix(&format!("s3://{BUCKET}/")).unwrap())
        .await
        .unwrap();
    let sagemaker: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["resourceType"]
                .as_str()
                .unwrap()
                .starts_with("AWS::SageMaker::")
        })
        .collect();
    assert!(!sagemaker.is_empty(), "{report:#}");
    for finding in sagemaker {
        assert_eq!(
            finding["verdict"], "COULD_NOT_EVALUATE",
            "denied is never non-compliant: {finding:#}"
        );
        assert!(
            finding["observed"]
                .as_str()
                .unwrap()
                .contains("AccessDenied")
        );
    }
}

fn synthetic_findings(count: usize, compliant: bool) -> Vec<Finding> {
    let check = catalog::find_check("s3_bucket_default_encryption_kms").expect("check");
    (0..count)
        .map(|i| Finding {
            check,
            resource: ResourceRef {
                resource_type: "AWS::S3::Bucket".into(),
                resource_id: format!("bulk-bucket-{i:04}"),
                arn: None,
                account_id: rig::ACCOUNT_ID.into(),
                region: rig::REGION.into(),
            },
            outcome: if compliant {
                Outcome::compliant("SSE-KMS with a customer managed key", "meets SECAI3.3")
            } else {
                Outcome::non_compliant("default encryption is SSE-S3", "SECAI3.3 needs SSE-KMS")
            },
            observed_at: Timestamp::now(),
            observed_via: "test",
            evaluated_at: Timestamp::now(),
            context: Vec::new(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_a_hundred_changes_on_one_control_stay_under_the_quota_and_none_is_lost() {
    let s = Sweep::start().await;
    let recorder = s.recorder(Budget::default());
    let control = framework_control("SECAI3.3").unwrap();
    let now = Timestamp::now();

    // 150 first sightings: 90 filed on their own, 60 carried by the digest.
    let lines: Vec<ReportLine> = recorder
        .file_changes(&synthetic_findings(150, false), None, now)
        .await
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    let count = |lines: &[ReportLine], filing| lines.iter().filter(|l| l.filing == filing).count();
    assert_eq!(count(&lines, Filing::Filed), 90);
    assert_eq!(count(&lines, Filing::Folded), 60);
    let digest = recorder
        .file_digest(
            control,
            "bulk",
            "evidence/bulk/SECAI3.3/r1.json",
            lines,
            now,
        )
        .await;
    assert!(
        matches!(digest.outcome, DigestOutcome::Filed(_)),
        "{digest:?}"
    );
    assert_eq!(digest.carried, 60);
    let filed = s.evidence(AT_REST).await;
    assert_eq!(filed.len(), 92, "90 items, the digest text and its report");

    // Every one of the 150 is now evidenced: the same findings again change nothing.
    let again = recorder
        .record_changes(&synthetic_findings(150, false), None)
        .await;
    assert_eq!((again.unchanged, again.changed), (150, 0));

    // 150 more changes the same day: the budget left (8) is for digests; nothing is filed on its
    // own, nothing is lost, the quota holds.
    let fixed = recorder
        .record_changes(&synthetic_findings(150, true), None)
        .await;
    assert_eq!((fixed.changed, fixed.filed, fixed.folded), (150, 0, 150));
    let lines: Vec<ReportLine> = recorder
        .file_changes(&synthetic_findings(150, true), None, now)
        .await
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(
        count(&lines, Filing::Folded),
        150,
        "still open: carried by the next digest"
    );
    let digest = recorder
        .file_digest(
            control,
            "bulk",
            "evidence/bulk/SECAI3.3/r2.json",
            lines,
            now,
        )
        .await;
    assert!(
        matches!(digest.outcome, DigestOutcome::Filed(_)),
        "{digest:?}"
    );
    assert_eq!(s.evidence(AT_REST).await.len(), 94);
    assert!(s.evidence(AT_REST).await.len() <= 100);
    let after = recorder
        .record_changes(&synthetic_findings(150, true), None)
        .await;
    assert_eq!(after.unchanged, 150, "the digest evidenced all 150 changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_rule_files_through_the_same_ledger_and_budget_as_the_sweep() {
    let s = Sweep::start().await;
    let emulator_aws = rig::sdk_config(&s.emulator.endpoint(), 3).await;
    let handler = genai_evidence::triggers::config_rule::ConfigRuleHandler::new(
        aws_sdk_config::Client::new(&emulator_aws),
        Vec::new(),
    )
    .with_recorder(s.recorder(Budget::default()));
    rig::seed::bucket(
        &rig::s3_client(&s.moto_aws),
        "genai-train-data-secure",
        None,
        false,
    )
    .await
    .ok();
    let event = rig::event("config-s3-bucket-compliant");
    rig::register_event_token(&s.emulator, &event);
    let first = handler.handle(&event).await.unwrap();
    let recorded = first.recorded.expect("filed through the recorder");
    assert_eq!((recorded.changed, recorded.filed), (4, 4));
    let second = handler.handle(&event).await.unwrap().recorded.unwrap();
    assert_eq!(
        (second.unchanged, second.filed),
        (4, 0),
        "the same verdicts file nothing"
    );
    let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&s.moto_aws), TABLE);
    let day = Timestamp::now().day();
    assert_eq!(ledger.used("SECAI3.3", &day).await.unwrap(), 1);

    // The sweep's digest the same day counts against the same budget.
    let summary = s
        .handler()
        .handle(&schedule("after-config"), None)
        .await
        .unwrap();
    assert_eq!(summary.status, "complete");
    assert!(ledger.used("SECAI3.3", &day).await.unwrap() >= 3);
    assert_eq!(
        ledger.used("SECAI3.3", &day).await.unwrap() as usize,
        s.evidence(AT_REST).await.len(),
        "the ledger counts every item Audit Manager holds for the control today"
    );
}

/// A Config change notification carrying `item` (a TESTMODE token: the evaluations are
/// validated, not stored, and this test reads the evidence).
fn config_event(item: Value) -> Value {
    let mut event = rig::event("config-s3-bucket-compliant");
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"] = item;
    event["invokingEvent"] = Value::String(invoking.to_string());
    event["resultToken"] = json!("TESTMODE");
    event
}

/// Evidence texts filed per (check, resource line).
fn items_per_check_and_resource(texts: &[String]) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for text in texts {
        let resource = text
            .lines()
            .find_map(|l| l.strip_prefix("Resource: "))
            .unwrap_or_default()
            .to_owned();
        let Some(check) = text
            .split(" check ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
        else {
            continue; // a digest
        };
        *counts.entry((check.to_owned(), resource)).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_rule_sweep_and_drift_file_one_first_sighting_per_check_and_resource() {
    let s = Sweep::start().await;
    let e = &s.estate;
    let emulator_aws = rig::sdk_config(&s.emulator.endpoint(), 3).await;
    let iam = aws_sdk_iam::Client::new(&s.moto_aws);

    // A hardened bucket outside the sweep's home region, tagged into scope.
    let eu = s
        .moto_aws
        .clone()
        .into_builder()
        .region(aws_config::Region::new("eu-west-1"))
        .build();
    let bucket = "acme-eu-features";
    let s3_eu = rig::s3_client(&eu);
    rig::seed::bucket(&s3_eu, bucket, Some(rig::seed::KEY_ARN), true)
        .await
        .unwrap();
    s3_eu
        .put_bucket_tagging()
        .bucket(bucket)
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(
                    aws_sdk_s3::types::Tag::builder()
                        .key("genai-evidence")
                        .value("include")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    // 1. The Config rule sees both as AWS Config records them: the bucket in eu-west-1, the role
    //    in region `global` under its role id.
    let config = genai_evidence::triggers::config_rule::ConfigRuleHandler::new(
        aws_sdk_config::Client::new(&emulator_aws),
        Vec::new(),
    )
    .with_iam(iam.clone())
    .with_recorder(s.recorder(Budget::default()));
    let sample = rig::event("config-s3-bucket-compliant");
    let invoking: Value = serde_json::from_str(sample["invokingEvent"].as_str().unwrap()).unwrap();
    let bucket_item: Value = serde_json::from_str(
        &invoking["configurationItem"]
            .to_string()
            .replace("genai-train-data-secure", bucket)
            .replace("\"awsRegion\":\"us-east-1\"", "\"awsRegion\":\"eu-west-1\""),
    )
    .unwrap();
    assert_eq!(bucket_item["awsRegion"], "eu-west-1");
    config.handle(&config_event(bucket_item)).await.unwrap();
    let role = iam
        .get_role()
        .role_name(&e.execution_role)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let mut role_item: Value = serde_json::from_str(include_str!(
        "../fixtures/iam/config-role-attached-only.json"
    ))
    .unwrap();
    role_item["resourceId"] = json!(role.role_id());
    role_item["resourceName"] = json!(role.role_name());
    role_item["ARN"] = json!(role.arn());
    role_item["configuration"]["roleName"] = json!(role.role_name());
    role_item["configuration"]["roleId"] = json!(role.role_id());
    role_item["configuration"]["arn"] = json!(role.arn());
    role_item["configuration"]["path"] = json!(role.path());
    role_item["configuration"]["attachedManagedPolicies"] = json!([{
        "policyName": e.execution_policy,
        "policyArn": format!("arn:aws:iam::{}:policy/{}", rig::ACCOUNT_ID, e.execution_policy),
    }]);
    config.handle(&config_event(role_item)).await.unwrap();

    // 2. The sweep reads both from the API in its home region.
    let summary = s
        .handler()
        .handle(&schedule("identity"), None)
        .await
        .unwrap();
    assert_eq!(summary.status, "complete", "{:?}", summary.errors);
    assert!(
        scoped(&summary, bucket).is_some(),
        "the eu-west-1 bucket is in scope"
    );

    // 3. The drift function sees a call on each: the bucket's in eu-west-1 (where the call is
    //    made and a stack there handles it), the role's (IAM) anywhere.
    for (region, sample, edit) in [
        (
            "eu-west-1",
            "drift-s3-deletebucketencryption",
            json!({"bucketName": bucket}),
        ),
        (
            rig::REGION,
            "drift-iam-attachrolepolicy",
            json!({"roleName": e.execution_role, "policyArn": format!("arn:aws:iam::{}:policy/{}", rig::ACCOUNT_ID, e.execution_policy)}),
        ),
    ] {
        let conf = s
            .moto_aws
            .clone()
            .into_builder()
            .region(aws_config::Region::new(region.to_owned()))
            .build();
        let drift = genai_evidence::triggers::cloudtrail_drift::DriftHandler::new(
            genai_evidence::readers::Clients::from_conf(&conf),
            Some(s.recorder(Budget::default())),
            Some(Ledger::new(
                aws_sdk_dynamodb::Client::new(&s.moto_aws),
                TABLE,
            )),
            region,
        );
        let mut event = rig::event(sample);
        // A change that keeps the state as it is: the re-read verdicts are the ones already seen.
        event["detail"]["eventName"] = json!(if region == rig::REGION {
            "AttachRolePolicy"
        } else {
            "PutBucketEncryption"
        });
        event["detail"]["awsRegion"] = json!(region);
        event["detail"]["requestParameters"] = edit;
        event["detail"]["eventID"] = json!(format!("identity-{region}"));
        let handled = drift.handle(&event).await.unwrap();
        assert!(handled.findings.len() >= 4, "{handled:?}");
    }

    // One first sighting per (check, resource): the three functions agree on the key.
    let mut texts = Vec::new();
    for control in [
        ("Secure", "SECAI3.3 Data Encryption At Rest"),
        ("Secure", "SECAI3.2: Data Encryption In Transit"),
        ("Secure", "Least Privilege"),
    ] {
        texts.extend(
            s.evidence(control)
                .await
                .into_iter()
                .filter(|(field, _)| field == "textResponse")
                .map(|(_, text)| text),
        );
    }
    let counts = items_per_check_and_resource(&texts);
    let bucket_line = format!("AWS::S3::Bucket arn:aws:s3:::{bucket}");
    let role_line = format!("AWS::IAM::Role {}", role.arn());
    for (check, resource) in [
        ("s3_bucket_default_encryption_kms", &bucket_line),
        ("s3_bucket_tls_only", &bucket_line),
        ("iam_role_no_admin_access", &role_line),
        ("iam_role_no_kms_decrypt_all_keys", &role_line),
    ] {
        assert_eq!(
            counts.get(&(check.to_owned(), resource.clone())),
            Some(&1),
            "{check} on {resource}: {counts:#?}"
        );
    }
}

/// The EMF lines the function prints for a run: by function, the findings by verdict and the
/// evidence filed (what the summary counts); by control, each control's findings (the summary's
/// report lines, one per finding and control); by reason, the denied reads as `accessDenied`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeps_metrics_count_what_its_summary_reports_and_class_denied_reads() {
    let s = Sweep::start().await;
    let summary = s.run_with_sagemaker_denied("metrics").await;
    assert_eq!(summary.status, "complete");
    let docs: Vec<Value> = summary
        .figures
        .emf_lines("scheduled-sweep", 1)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let overall = docs
        .iter()
        .find(|d| d["Control"].is_null() && d["Reason"].is_null())
        .unwrap();
    assert_eq!(overall["Function"], "scheduled-sweep");
    let digests_filed = summary
        .digests
        .iter()
        .filter(|d| matches!(d.outcome, DigestOutcome::Filed(_)))
        .count();
    assert_eq!(
        overall["Filed"].as_u64(),
        Some((summary.filed + digests_filed) as u64),
        "changes filed on their own plus digests"
    );
    for verdict in [
        Verdict::Compliant,
        Verdict::NonCompliant,
        Verdict::NotApplicable,
        Verdict::CouldNotEvaluate,
    ] {
        let name = genai_evidence::metrics::metric_name(verdict);
        let per_control: u64 = docs
            .iter()
            .filter(|d| d["Control"].is_string())
            .map(|d| d[name].as_u64().unwrap())
            .sum();
        assert_eq!(
            per_control,
            summary.verdicts.get(&verdict).copied().unwrap_or(0) as u64,
            "{name}: the controls' counts add up to the summary's report lines"
        );
        assert!(overall[name].as_u64().unwrap() <= per_control);
    }
    let denied = docs
        .iter()
        .find(|d| d["Reason"] == "accessDenied")
        .expect("denied SageMaker reads are counted by reason");
    assert!(denied["CouldNotEvaluate"].as_u64().unwrap() > 0);
    let by_reason: u64 = docs
        .iter()
        .filter(|d| d["Reason"].is_string())
        .map(|d| d["CouldNotEvaluate"].as_u64().unwrap())
        .sum();
    assert_eq!(Some(by_reason), overall["CouldNotEvaluate"].as_u64());
}

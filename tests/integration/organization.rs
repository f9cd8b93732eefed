//! The organization-wide sweep end to end, on one moto serving the administrator's and four
//! member accounts (STS AssumeRole switches account) in two regions, with Organizations and SQS:
//! the planner lists the accounts and enqueues their first phase, pollers standing in for
//! Lambda's SQS event source hand batches to the worker, the last unit files the digests. One
//! member has no member role (its AssumeRole is answered AccessDenied by the proxy in front of
//! moto, as AWS answers for a missing or untrusting role): that account alone is
//! could-not-evaluate, named once in the digest. A redelivered message and a retried batch file
//! nothing new.

use std::collections::BTreeMap;

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::adapters::organizations::AccountFilter;
use genai_evidence::adapters::queue::Queue;
use genai_evidence::member::{Accounts, MemberRole};
use genai_evidence::recorder::{Budget, Recorder};
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::organization::{Organization, SweepWorker, UnitMessage};
use genai_evidence::triggers::sweep::{SweepClients, SweepHandler, SweepOptions};
use rig::fault_proxy::{FaultPlan, FaultProxy};
use rig::organization::{self as org, ADMIN_ACCOUNT};
use serde_json::{Value, json};

use crate::support::fast_retries;

const TABLE: &str = "genai-evidence-ledger";
const BUCKET: &str = "genai-evidence-evidence";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

struct OrgRig {
    _moto: rig::Moto,
    _emulator: Emulator,
    _proxy: FaultProxy,
    admin: aws_config::SdkConfig,
    /// The functions' configuration: every call through the proxy (which denies the member
    /// role of `denied`).
    functions: aws_config::SdkConfig,
    auditmanager: aws_sdk_auditmanager::Client,
    suite_key: String,
    queue_url: String,
    members: Vec<String>,
    denied: String,
}

impl OrgRig {
    async fn start() -> Self {
        let moto = rig::Moto::start().expect("moto starts");
        let admin = rig::sdk_config(moto.endpoint(), 3).await;
        rig::estate::ledger_table(&admin, TABLE).await.unwrap();
        let suite_key = rig::estate::evidence_bucket(&admin, BUCKET).await.unwrap();
        let members = org::create(&admin, 4).await.unwrap();
        let denied = members[1].clone();
        for (i, account) in members.iter().enumerate() {
            if *account != denied {
                org::seed_member(&admin, account, &format!("m{i}"), REGIONS[1])
                    .await
                    .unwrap();
            }
        }
        let queue_url = org::queue(&admin, "genai-evidence-sweep").await.unwrap();
        let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
            .await
            .expect("emulator starts");
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        let role = MemberRole::default().arn(&denied, REGIONS[0]);
        let proxy = FaultProxy::start(
            moto.endpoint(),
            FaultPlan::none().denying(move |meta, body| {
                meta.operation == "AssumeRole"
                    && String::from_utf8_lossy(body)
                        .contains(&role.replace(':', "%3A").replace('/', "%2F"))
            }),
        )
        .await
        .unwrap();
        let functions = rig::sdk_config(&proxy.endpoint(), 3).await;
        Self {
            _moto: moto,
            _emulator: emulator,
            _proxy: proxy,
            admin,
            functions,
            auditmanager: aws_sdk_auditmanager::Client::new(&emulator_aws),
            suite_key,
            queue_url,
            members,
            denied,
        }
    }

    fn store(&self) -> ReportStore {
        ReportStore::new(
            rig::s3_client(&self.admin),
            BUCKET,
            Some(self.suite_key.clone()),
        )
    }

    fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.admin)
    }

    /// The planner and the worker's sweep: the home region's clients through the proxy, the
    /// organization's accounts, the queue, the member role.
    fn sweep(&self) -> SweepHandler {
        let recorder = Recorder::new(
            Ledger::new(aws_sdk_dynamodb::Client::new(&self.admin), TABLE),
            AuditManagerSink::new(
                self.auditmanager.clone(),
                DEMO_ASSESSMENT_ID.to_owned(),
                BTreeMap::new(),
                fast_retries(),
            ),
            Some(self.store()),
            Budget::default(),
        );
        let regions: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
        SweepHandler::new(
            SweepClients::for_regions(&self.functions, &regions),
            recorder,
            self.store(),
            SweepOptions::default(),
        )
        .with_organization(Organization {
            filter: AccountFilter::default(),
            queue: Queue::new(self.sqs(), self.queue_url.clone()),
            accounts: Accounts::new(self.functions.clone(), ADMIN_ACCOUNT, MemberRole::default()),
        })
    }

    async fn evidence_texts(&self) -> Vec<String> {
        crate::crash::evidence(&self.auditmanager)
            .await
            .into_iter()
            .filter(|(_, field, _)| field == "textResponse")
            .map(|(_, _, text)| text)
            .collect()
    }
}

fn schedule(id: &str) -> Value {
    json!({
        "version": "0", "id": id, "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ADMIN_ACCOUNT, "time": "2026-12-04T03:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/daily"], "detail": {}
    })
}

#[test]
fn an_organization_sweep_evidences_every_account_in_one_assessment_and_an_account_without_the_role_alone_is_unevaluated()
 {
    crate::support::block_on_big_stack(organization_sweep);
}

async fn organization_sweep() {
    let rig = OrgRig::start().await;
    let planner = rig.sweep();
    let run = "5f0c3a7e-0d1b-4c1a-9a7e-0123456789ab";
    let planned = planner.handle(&schedule(run), None).await.unwrap();
    assert_eq!(planned.status, "planned");
    let plan = planned
        .organization
        .clone()
        .expect("an organization summary");
    // The administrator's account and the four members, each: 2 regions x (Bedrock,
    // SageMaker) first.
    assert_eq!(plan.accounts, 5, "{planned:?}");
    assert_eq!(plan.enqueued, 5 * 4);
    assert_eq!(plan.units, 5 * (2 * 2 + 2 + 2 * 3));
    // The schedule delivered again (EventBridge's retry) enqueues nothing more.
    let again = planner.handle(&schedule(run), None).await.unwrap();
    assert_eq!(
        again.organization.as_ref().map(|o| o.enqueued),
        Some(0),
        "{again:?}"
    );

    let worker = SweepWorker::new(rig.sweep());
    let drained = org::drain(&worker, &rig.sqs(), &rig.queue_url, 4, 5).await;
    assert!(drained.dead.is_empty(), "dead-lettered: {:?}", drained.dead);
    let units: usize = drained
        .reports
        .iter()
        .map(|r| {
            r.outcomes
                .iter()
                .filter(|o| o.status != "duplicate")
                .count()
        })
        .sum();
    assert_eq!(units, plan.units, "every unit done once");
    let digests: Vec<_> = drained
        .reports
        .iter()
        .flat_map(|r| r.summary.digests.iter())
        .collect();
    assert!(!digests.is_empty(), "the last unit filed the digests");
    let (_, record) = Ledger::new(aws_sdk_dynamodb::Client::new(&rig.admin), TABLE)
        .get_versioned(&format!("run#{run}"))
        .await
        .unwrap();
    assert_eq!(record.unwrap()["complete"], true);

    // Every member with the role is evidenced in the one assessment, named; the one without is
    // could-not-evaluate with STS's reason, and nothing of it is called compliant or not.
    let texts = rig.evidence_texts().await;
    for account in rig.members.iter().filter(|a| **a != rig.denied) {
        assert!(
            texts
                .iter()
                .any(|t| t.contains(account.as_str()) && t.contains("NON_COMPLIANT")),
            "no non-compliant evidence names {account}"
        );
    }
    let denied: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains(rig.denied.as_str()) && !t.contains("DIGEST"))
        .collect();
    // Only changes to NON_COMPLIANT are filed on their own in an organization run (the
    // quota is shared by every account): the unreadable account is evidenced by the digests.
    for text in &denied {
        assert!(
            text.contains("COULD_NOT_EVALUATE") && text.contains("AccessDenied"),
            "{text}"
        );
    }
    let digest = texts
        .iter()
        .find(|t| t.contains("DIGEST") && t.starts_with("SECAI3.3"))
        .expect("a SECAI3.3 digest");
    assert!(digest.contains("Accounts: 5;"), "{digest}");
    assert_eq!(
        digest.matches(&format!("account {} (", rig.denied)).count(),
        1,
        "the unreadable account is one line of the digest: {digest}"
    );
    let line = digest
        .lines()
        .find(|l| l.contains(&format!("account {} (", rig.denied)))
        .unwrap_or_default();
    assert!(
        line.starts_with("- COULD_NOT_EVALUATE") && line.contains("AccessDenied"),
        "{line}"
    );
    let before = texts.len();

    // A redelivered message (SQS delivers at least once) and a whole batch delivered again
    // (a worker that died before deleting it) file nothing new.
    let unit = UnitMessage {
        run: run.to_owned(),
        unit: format!("iam#{}", rig.members[0]).try_into().unwrap(),
    };
    let redelivered =
        rig::organization::sqs_event_of_bodies(&[serde_json::to_string(&unit).unwrap()]);
    let report = worker.handle(&redelivered, None).await.unwrap();
    assert!(report.failed.is_empty());
    assert_eq!(
        report.outcomes[0].status, "duplicate",
        "{:?}",
        report.outcomes
    );
    let replay = worker.handle(&drained.events[0], None).await.unwrap();
    assert!(replay.failed.is_empty());
    assert!(
        replay.outcomes.iter().all(|o| o.status == "duplicate"),
        "{:?}",
        replay.outcomes
    );
    assert_eq!(
        rig.evidence_texts().await.len(),
        before,
        "nothing filed twice"
    );
}

#[test]
fn a_malformed_message_fails_alone_in_its_batch() {
    crate::support::block_on_big_stack(malformed_message);
}

async fn malformed_message() {
    let rig = OrgRig::start().await;
    let planner = rig.sweep();
    let run = "6a1d4b8f-1e2c-4d2b-8b8f-1234567890bc";
    planner.handle(&schedule(run), None).await.unwrap();
    let good = UnitMessage {
        run: run.to_owned(),
        unit: format!("bedrock@us-east-1#{}", rig.members[0])
            .try_into()
            .unwrap(),
    };
    let event = rig::organization::sqs_event_of_bodies(&[
        serde_json::to_string(&good).unwrap(),
        "{\"run\": 1}".to_owned(),
        json!({"run": run, "unit": "bedrock@us-east-1#999999999999"}).to_string(),
    ]);
    let worker = SweepWorker::new(rig.sweep());
    let report = worker.handle(&event, None).await.unwrap();
    assert_eq!(
        report.failed,
        vec!["m-1".to_owned(), "m-2".to_owned()],
        "{:?}",
        report.outcomes
    );
    assert_eq!(report.outcomes[0].status, "done");
    assert!(
        report.outcomes[1]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("sweep queue message"),
        "{:?}",
        report.outcomes[1]
    );
    assert!(
        report.outcomes[2]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("not part of run"),
        "{:?}",
        report.outcomes[2]
    );
    assert_eq!(
        worker
            .handle(&json!({"detail-type": "Scheduled Event"}), None)
            .await
            .err()
            .map(|e| e.error_type()),
        Some("InvalidEvent")
    );
}

/// The sample change notification of a non-compliant bucket, as a member account's copy of
/// the organization rule sends it: the member's account, its own result token.
fn member_event(account: &str, token: &str) -> Value {
    let mut event = rig::event("config-s3-bucket-noncompliant");
    let invoking = event["invokingEvent"]
        .as_str()
        .unwrap()
        .replace("123456789012", account);
    event["invokingEvent"] = Value::String(invoking);
    event["accountId"] = json!(account);
    event["resultToken"] = json!(token);
    event["configRuleArn"] = json!(format!(
        "arn:aws:config:us-east-1:{account}:config-rule/config-rule-org1"
    ));
    event
}

#[tokio::test]
async fn an_organization_rules_member_event_puts_its_evaluations_with_the_members_credentials() {
    use genai_evidence::triggers::config_rule::ConfigRuleHandler;
    let moto = rig::Moto::start().expect("moto starts");
    let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
    let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
        .await
        .expect("emulator starts");
    let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
    let member = "210987654321";
    let other = "345678901234";
    let rule = "genai-evidence-controls";
    emulator.register_result_token(rule, "member-token");
    // Config clients on the emulator, the member role assumed on moto's STS.
    let accounts = Accounts::new(emulator_aws.clone(), ADMIN_ACCOUNT, MemberRole::default())
        .with_sts_config(moto_aws.clone());
    let handler = ConfigRuleHandler::new(aws_sdk_config::Client::new(&emulator_aws), Vec::new())
        .with_members(accounts.clone());
    let summary = handler
        .handle(&member_event(member, "member-token"))
        .await
        .unwrap();
    assert_eq!(summary.config.evaluations.len(), 1, "{summary:?}");
    let evaluations_of = |conf: aws_config::SdkConfig| async move {
        aws_sdk_config::Client::new(&conf)
            .get_compliance_details_by_config_rule()
            .config_rule_name(rule)
            .send()
            .await
            .unwrap()
            .evaluation_results()
            .iter()
            .filter_map(|r| {
                let id = r
                    .evaluation_result_identifier()?
                    .evaluation_result_qualifier()?;
                Some((
                    id.resource_id()?.to_owned(),
                    r.compliance_type()?.as_str().to_owned(),
                ))
            })
            .collect::<Vec<_>>()
    };
    // Read back with each account's own credentials: the member's account holds the
    // evaluation, the administrator's and another member's hold none.
    let in_member = evaluations_of(accounts.config_for(member).await.unwrap()).await;
    assert_eq!(in_member.len(), 1, "{in_member:?}");
    assert_eq!(in_member[0].1, "NON_COMPLIANT");
    assert!(evaluations_of(emulator_aws.clone()).await.is_empty());
    assert!(
        evaluations_of(accounts.config_for(other).await.unwrap())
            .await
            .is_empty()
    );

    // A member whose role cannot be assumed fails the invocation with STS's reason, and
    // nothing is put with the administrator's credentials instead.
    let proxy = FaultProxy::start(
        moto.endpoint(),
        FaultPlan::none().denying(|meta, _| meta.operation == "AssumeRole"),
    )
    .await
    .unwrap();
    let denied = ConfigRuleHandler::new(aws_sdk_config::Client::new(&emulator_aws), Vec::new())
        .with_members(
            Accounts::new(emulator_aws.clone(), ADMIN_ACCOUNT, MemberRole::default())
                .with_sts_config(rig::sdk_config(&proxy.endpoint(), 1).await),
        );
    emulator.register_result_token(rule, "other-token");
    let error = denied
        .handle(&member_event(other, "other-token"))
        .await
        .unwrap_err();
    assert_eq!(error.error_type(), "MemberRole", "{error}");
    assert!(error.to_string().contains("AccessDenied"), "{error}");
    assert!(evaluations_of(emulator_aws).await.is_empty());
}

/// The sample DeleteBucketEncryption call as a member's forwarded event: the member's account
/// and bucket, a fresh event id.
fn member_drift_event(account: &str, bucket: &str, id: &str) -> Value {
    let text = serde_json::to_string(&rig::event("drift-s3-deletebucketencryption"))
        .unwrap()
        .replace("123456789012", account)
        .replace("genai-train-data-secure", bucket);
    let mut event: Value = serde_json::from_str(&text).unwrap();
    event["id"] = json!(id);
    event["detail"]["eventID"] = json!(id);
    event
}

#[tokio::test]
async fn a_members_forwarded_call_is_re_read_with_the_members_role() {
    use genai_evidence::domain::outcome::Verdict;
    use genai_evidence::readers::Clients;
    use genai_evidence::triggers::cloudtrail_drift::DriftHandler;
    let moto = rig::Moto::start().expect("moto starts");
    let admin = rig::sdk_config(moto.endpoint(), 3).await;
    let member = "210987654321";
    let bucket = "member-train-data";
    // The bucket exists in the member's account only, SSE-S3: read there, it is non-compliant;
    // read with the administrator's credentials it would be gone (not applicable).
    let member_conf = org::member_config(&admin, member).await.unwrap();
    rig::seed::bucket(&rig::s3_client(&member_conf), bucket, None, false)
        .await
        .unwrap();
    let handler =
        DriftHandler::new(Clients::from_conf(&admin), None, None, rig::REGION).with_members(
            Accounts::new(admin.clone(), ADMIN_ACCOUNT, MemberRole::default()),
        );
    let summary = handler
        .handle(&member_drift_event(
            member,
            bucket,
            "0d7c5a2e-5b61-4a49-9d34-1f0e7a6b3c01",
        ))
        .await
        .unwrap();
    let encryption: Vec<_> = summary
        .findings
        .iter()
        .filter(|f| f.resource_id == bucket)
        .collect();
    assert!(!encryption.is_empty(), "{summary:?}");
    assert!(
        encryption
            .iter()
            .any(|f| f.verdict == Verdict::NonCompliant),
        "read in the member's account: {encryption:?}"
    );
    assert!(
        encryption
            .iter()
            .all(|f| f.verdict != Verdict::NotApplicable),
        "{encryption:?}"
    );

    // A member without the role: nothing read with the administrator's credentials, the
    // target says why.
    let proxy = FaultProxy::start(
        moto.endpoint(),
        FaultPlan::none().denying(|meta, _| meta.operation == "AssumeRole"),
    )
    .await
    .unwrap();
    let denied = DriftHandler::new(Clients::from_conf(&admin), None, None, rig::REGION)
        .with_members(
            Accounts::new(admin.clone(), ADMIN_ACCOUNT, MemberRole::default())
                .with_sts_config(rig::sdk_config(&proxy.endpoint(), 1).await),
        );
    let summary = denied
        .handle(&member_drift_event(
            "345678901234",
            bucket,
            "0d7c5a2e-5b61-4a49-9d34-1f0e7a6b3c02",
        ))
        .await
        .unwrap();
    assert!(summary.findings.is_empty(), "{summary:?}");
    assert!(
        summary.targets.iter().all(|t| t
            .error
            .as_deref()
            .is_some_and(|e| e.contains("AccessDenied"))),
        "{summary:?}"
    );
}

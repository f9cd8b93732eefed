//! Races between the functions on one ledger and one assessment: Config rule invocations, a sweep
//! (and a duplicate delivery of its schedule) and CloudTrail drift events (and a duplicate
//! delivery) running at once on a multi-thread runtime, on the same resources and controls; and
//! one control's daily budget crowded by many changes filed by several recorders (separate
//! functions: clients of their own) at once, some changes offered to two of them.
//!
//! The ledger is reached through `rig::serial_proxy`: moto's DynamoDB does not make a conditional
//! write atomic under concurrent requests (DynamoDB does, per item, and the ledger relies on it).
//!
//! What the recorder guarantees, and what is asserted, read back from the emulator and the
//! ledger: no control ever holds more than 100 items a day (and the ledger's count is never below
//! what Audit Manager holds), at most 90 of them individual; a verdict change is filed once,
//! however many functions saw it at the same time; a change not filed on its own is left open in
//! the ledger (no record of it), and the next digest carries it; no claim is left pending.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use genai_evidence::adapters::ledger::{Ledger, verdict_key};
use genai_evidence::catalog::{self, framework_control};
use genai_evidence::domain::outcome::Outcome;
use genai_evidence::domain::resource::ResourceRef;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::finding::Finding;
use genai_evidence::readers::Clients;
use genai_evidence::readers::reread::ReadRetry;
use genai_evidence::recorder::{Budget, DigestOutcome, RecordReport, Recorder};
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::sinks::digest::{Filing, ReportLine};
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::cloudtrail_drift::DriftHandler;
use genai_evidence::triggers::config_rule::ConfigRuleHandler;
use genai_evidence::triggers::sweep::{SweepClients, SweepHandler, SweepOptions};
use rig::estate::Estate;
use rig::serial_proxy::SerialProxy;
use serde_json::{Value, json};

use crate::crash::{Filed, evidenced, filed, ledger_items, pending, verdict_of_text};
use crate::support::{event_for, fast_retries};

const TABLE: &str = "races-ledger";
const BUCKET: &str = "races-evidence";
const AT_REST: &str = "SECAI3.3";

/// One account, one ledger, one assessment; every function builds its own clients from it.
struct Shared {
    _moto: rig::Moto,
    _emulator: Emulator,
    _serial: SerialProxy,
    moto_aws: aws_config::SdkConfig,
    /// moto through the [`SerialProxy`], for the ledger (DynamoDB).
    ledger_aws: aws_config::SdkConfig,
    emulator_aws: aws_config::SdkConfig,
    suite_key: String,
    estate: Estate,
}

impl Shared {
    async fn start() -> Self {
        let moto = rig::Moto::start().expect("moto starts");
        let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
        rig::estate::ledger_table(&moto_aws, TABLE).await.unwrap();
        let suite_key = rig::estate::evidence_bucket(&moto_aws, BUCKET)
            .await
            .unwrap();
        let estate = rig::estate::genai(&moto_aws, "acme").await.unwrap();
        // The failing bucket blocks public access, as the Config sample of it says: every function
        // sees each resource in the same state.
        rig::s3_client(&moto_aws)
            .put_public_access_block()
            .bucket(&estate.train_out)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let serial = SerialProxy::start(moto.endpoint()).await.unwrap();
        let ledger_aws = rig::sdk_config(&serial.endpoint(), 3).await;
        let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
            .await
            .expect("emulator starts");
        rig::register_sample_tokens(&emulator);
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        Self {
            _moto: moto,
            _emulator: emulator,
            _serial: serial,
            moto_aws,
            ledger_aws,
            emulator_aws,
            suite_key,
            estate,
        }
    }

    /// A ledger client of a function of its own, through the [`SerialProxy`].
    fn ledger(&self) -> Ledger {
        Ledger::new(aws_sdk_dynamodb::Client::new(&self.ledger_aws), TABLE)
    }

    fn store(&self) -> ReportStore {
        ReportStore::new(
            rig::s3_client(&self.moto_aws),
            BUCKET,
            Some(self.suite_key.clone()),
        )
    }

    /// A recorder of a function of its own (its own clients), with the default budget and
    /// claim lease.
    fn recorder(&self) -> Recorder {
        Recorder::new(
            self.ledger(),
            AuditManagerSink::new(
                aws_sdk_auditmanager::Client::new(&self.emulator_aws),
                DEMO_ASSESSMENT_ID.to_owned(),
                BTreeMap::new(),
                fast_retries(),
            ),
            Some(self.store()),
            Budget::default(),
        )
    }

    fn sweep(&self) -> SweepHandler {
        SweepHandler::new(
            SweepClients::for_regions(&self.moto_aws, &[]),
            self.recorder(),
            self.store(),
            SweepOptions::default(),
        )
    }

    fn config_rule(&self) -> ConfigRuleHandler {
        ConfigRuleHandler::new(aws_sdk_config::Client::new(&self.emulator_aws), Vec::new())
            .with_iam(aws_sdk_iam::Client::new(&self.moto_aws))
            .with_recorder(self.recorder())
    }

    fn drift(&self) -> DriftHandler {
        DriftHandler::new(
            Clients::from_conf(&self.moto_aws),
            Some(self.recorder()),
            Some(self.ledger()),
            rig::REGION,
        )
        .with_retry(ReadRetry {
            reads: 2,
            first_delay: Duration::from_millis(10),
        })
    }

    async fn filed(&self) -> Filed {
        filed(&aws_sdk_auditmanager::Client::new(&self.emulator_aws)).await
    }

    /// The quota, control by control: at most 100 items (90 individual), and never fewer
    /// counted in the ledger than Audit Manager holds.
    async fn assert_within_budget(&self, filed: &Filed) {
        let ledger = self.ledger();
        let day = Timestamp::now().day();
        for (control, n) in &filed.per_control {
            let id = &filed.ids[control];
            let used = ledger.used(id, &day).await.unwrap() as usize;
            assert!(*n <= 100, "{control}: {n} items today");
            assert!(*n <= used, "{control}: {n} items, the ledger counts {used}");
            assert!(used <= 100, "{control}: the ledger counts {used}");
            let individual = filed
                .texts
                .iter()
                .filter(|(_, t)| t.starts_with(&format!("{id} ")))
                .map(|(k, _)| filed.individual[k])
                .sum::<usize>();
            assert!(individual <= 90, "{control}: {individual} individual items");
        }
    }
}

fn schedule(id: &str) -> Value {
    let mut event = rig::event("scheduled-sweep");
    event["id"] = json!(id);
    event
}

/// A drift sample on `request`, as a call that leaves the state as it is (the re-read verdicts
/// are the ones the other functions see), under `event_id`.
fn drift_event(sample: &str, name: &str, request: Value, event_id: &str) -> Value {
    let mut event = rig::event(sample);
    event["detail"]["eventName"] = json!(name);
    event["detail"]["requestParameters"] = request;
    event["detail"]["eventID"] = json!(event_id);
    event
}

/// The Config change notification of the role `role` as Config records it (`global`, under its
/// role id), with `policy` attached.
async fn role_event(shared: &Shared, role: &str, policy: &str) -> Value {
    let role = aws_sdk_iam::Client::new(&shared.moto_aws)
        .get_role()
        .role_name(role)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let mut item: Value = serde_json::from_str(include_str!(
        "../fixtures/iam/config-role-attached-only.json"
    ))
    .unwrap();
    item["resourceId"] = json!(role.role_id());
    item["resourceName"] = json!(role.role_name());
    item["ARN"] = json!(role.arn());
    item["configuration"]["roleName"] = json!(role.role_name());
    item["configuration"]["roleId"] = json!(role.role_id());
    item["configuration"]["arn"] = json!(role.arn());
    item["configuration"]["path"] = json!(role.path());
    item["configuration"]["attachedManagedPolicies"] = json!([{
        "policyName": policy,
        "policyArn": format!("arn:aws:iam::{}:policy/{policy}", rig::ACCOUNT_ID),
    }]);
    let mut event = rig::event("config-s3-bucket-compliant");
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"] = item;
    event["invokingEvent"] = Value::String(invoking.to_string());
    event
}

/// Individual items by ledger key: the verdicts filed, in the order read.
fn items_by_key(filed: &Filed) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, text) in &filed.texts {
        let (ledger_key, verdict) = verdict_of_text(text);
        for _ in 0..filed.individual[key] {
            out.entry(ledger_key.clone())
                .or_default()
                .push(verdict.clone());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_rule_sweep_and_drift_at_once_file_each_change_once_within_the_budget() {
    let shared = std::sync::Arc::new(Shared::start().await);
    let e = shared.estate.clone();
    let policy_arn = format!(
        "arn:aws:iam::{}:policy/{}",
        rig::ACCOUNT_ID,
        e.execution_policy
    );

    // Config: the hardened and the failing bucket, three deliveries each, and the role.
    let mut config_events = Vec::new();
    for _ in 0..3 {
        config_events.push(event_for("config-s3-bucket-compliant", &e.train_in));
        config_events.push(event_for("config-s3-bucket-noncompliant", &e.train_out));
    }
    config_events.push(role_event(&shared, &e.execution_role, &e.execution_policy).await);
    // Drift: calls on both buckets and on the role, one delivered twice.
    let drift_events = vec![
        drift_event(
            "drift-s3-deletebucketencryption",
            "PutBucketEncryption",
            json!({"bucketName": e.train_in}),
            "race-1",
        ),
        drift_event(
            "drift-s3-deletebucketpublicaccessblock",
            "PutPublicAccessBlock",
            json!({"bucketName": e.train_in}),
            "race-2",
        ),
        drift_event(
            "drift-s3-deletebucketencryption",
            "PutBucketEncryption",
            json!({"bucketName": e.train_out}),
            "race-3",
        ),
        drift_event(
            "drift-iam-attachrolepolicy",
            "AttachRolePolicy",
            json!({"roleName": e.execution_role, "policyArn": policy_arn}),
            "race-4",
        ),
        drift_event(
            "drift-s3-deletebucketencryption",
            "PutBucketEncryption",
            json!({"bucketName": e.train_in}),
            "race-1",
        ),
    ];

    let mut tasks = tokio::task::JoinSet::new();
    for (i, event) in config_events.into_iter().enumerate() {
        let shared = std::sync::Arc::clone(&shared);
        tasks.spawn(async move {
            let summary = shared.config_rule().handle(&event).await.unwrap();
            format!("config {i}: {:?}", summary.recorded.map(counts))
        });
    }
    for (i, event) in drift_events.into_iter().enumerate() {
        let shared = std::sync::Arc::clone(&shared);
        tasks.spawn(async move {
            let summary = shared.drift().handle(&event).await.unwrap();
            format!(
                "drift {i} {}: {:?} {:?}",
                summary.event_id,
                summary.status,
                summary.recorded.map(counts)
            )
        });
    }
    for id in ["race-run", "race-run"] {
        let shared = std::sync::Arc::clone(&shared);
        tasks.spawn(async move {
            let summary = shared.sweep().handle(&schedule(id), None).await.unwrap();
            format!(
                "sweep {id}: {} changed {} filed {} carried {}",
                summary.status, summary.changed, summary.filed, summary.carried
            )
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.push(done.unwrap());
    }
    outcomes.sort();
    for o in &outcomes {
        println!("{o}");
    }

    // The duplicate deliveries did nothing: one sweep ran (the other found it busy), the drift
    // event delivered twice was handled once.
    let sweeps: Vec<&String> = outcomes.iter().filter(|o| o.starts_with("sweep")).collect();
    assert!(
        sweeps.iter().filter(|o| o.contains(": complete")).count() == 1
            && sweeps
                .iter()
                .any(|o| o.contains(": busy") || o.contains(": duplicate")),
        "{sweeps:?}"
    );
    let race_1: Vec<&String> = outcomes.iter().filter(|o| o.contains("race-1")).collect();
    assert_eq!(
        race_1.iter().filter(|o| o.contains("Duplicate")).count(),
        1,
        "{race_1:?}"
    );

    let filed = shared.filed().await;
    shared.assert_within_budget(&filed).await;
    let items = ledger_items(&shared.ledger_client(), TABLE).await;
    assert_eq!(pending(&items), BTreeSet::new(), "claims left pending");
    let evidenced = evidenced(&items);
    let by_key = items_by_key(&filed);
    // Each change filed once: every function sees the resources in the same state (the drift
    // calls leave it as it is, the Config items are the estate's), so each key has one first
    // sighting, one item, whichever function won; the ledger records it.
    for (key, verdicts) in &by_key {
        assert_eq!(
            verdicts.len(),
            1,
            "{key}: filed more than once: {verdicts:?}"
        );
        assert!(
            evidenced.contains_key(key),
            "{key}: filed, but the ledger has no record"
        );
    }
    assert!(!filed.digests.is_empty(), "the sweep filed its digests");
    for (control, digests) in &filed.digests {
        assert_eq!(digests.len(), 1, "{control}: {digests:#?}");
    }
    // Every verdict the ledger holds for the shared resources was evidenced.
    for (key, verdict) in &evidenced {
        let individually = by_key.get(key).is_some_and(|v| v.contains(verdict));
        let control = key.split('#').nth(1).unwrap();
        let by_digest = filed.digests.keys().any(|name| filed.ids[name] == control);
        assert!(
            individually || by_digest,
            "{key}: {verdict} recorded as evidenced, but never filed"
        );
    }
}

fn counts(r: RecordReport) -> (usize, usize, usize, usize, usize) {
    (
        r.changed,
        r.filed,
        r.filed_elsewhere,
        r.folded,
        r.undelivered.len(),
    )
}

impl Shared {
    fn ledger_client(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.moto_aws)
    }
}

/// `count` first sightings on SECAI3.3, one bucket each.
fn bulk_findings(range: std::ops::Range<usize>) -> Vec<Finding> {
    let check = catalog::find_check("s3_bucket_default_encryption_kms").expect("check");
    range
        .map(|i| Finding {
            check,
            resource: ResourceRef {
                resource_type: "AWS::S3::Bucket".into(),
                resource_id: format!("crowd-bucket-{i:04}"),
                arn: None,
                account_id: rig::ACCOUNT_ID.into(),
                region: rig::REGION.into(),
            },
            outcome: Outcome::non_compliant(
                "default encryption is SSE-S3",
                "SECAI3.3 needs SSE-KMS",
            ),
            observed_at: Timestamp::now(),
            observed_via: "test",
            evaluated_at: Timestamp::now(),
            context: Vec::new(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_and_fifty_changes_filed_at_once_by_six_functions_stay_under_the_quota() {
    const CHANGES: usize = 150;
    const FUNCTIONS: usize = 6;
    let shared = std::sync::Arc::new(Shared::start().await);
    let keys: Vec<String> = bulk_findings(0..CHANGES)
        .iter()
        .map(|f| verdict_key(AT_REST, f.check.id, &f.resource))
        .collect();

    // Six functions at once, each offered 50 of the 150 changes: every change offered to two.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..FUNCTIONS {
        let shared = std::sync::Arc::clone(&shared);
        tasks.spawn(async move {
            let start = i * CHANGES / FUNCTIONS;
            let mut findings = bulk_findings(start..CHANGES.min(start + 50));
            findings.extend(bulk_findings(0..(start + 50).saturating_sub(CHANGES)));
            shared.recorder().record_changes(&findings, None).await
        });
    }
    let mut reports = Vec::new();
    while let Some(report) = tasks.join_next().await {
        reports.push(report.unwrap());
    }
    let total = |f: fn(&RecordReport) -> usize| reports.iter().map(f).sum::<usize>();
    println!(
        "changed {} filed {} elsewhere {} folded {} undelivered {}",
        total(|r| r.changed),
        total(|r| r.filed),
        total(|r| r.filed_elsewhere),
        total(|r| r.folded),
        total(|r| r.undelivered.len())
    );
    assert_eq!(total(|r| r.undelivered.len()), 0, "{reports:#?}");
    assert_eq!(total(|r| r.changed) + total(|r| r.unchanged), 2 * CHANGES);

    let filed = shared.filed().await;
    shared.assert_within_budget(&filed).await;
    let items = ledger_items(&shared.ledger_client(), TABLE).await;
    assert_eq!(pending(&items), BTreeSet::new(), "claims left pending");
    let evidenced = evidenced(&items);
    let by_key = items_by_key(&filed);
    // Each change filed once at most; the ledger holds exactly the ones filed; the rest are open.
    for (key, verdicts) in &by_key {
        assert_eq!(verdicts.len(), 1, "{key}: {verdicts:?}");
    }
    let filed_keys: BTreeSet<&String> = by_key.keys().collect();
    let recorded: BTreeSet<&String> = evidenced.keys().collect();
    assert_eq!(filed_keys, recorded);
    assert_eq!(filed_keys.len(), total(|r| r.filed));
    assert!(
        (1..=90).contains(&filed_keys.len()),
        "{} filed on their own",
        filed_keys.len()
    );
    let open: Vec<&String> = keys.iter().filter(|k| !recorded.contains(k)).collect();
    assert_eq!(filed_keys.len() + open.len(), CHANGES);

    // Two sweeps' digests at once carry what is open: one is filed, the same verdicts are not
    // filed twice, and the quota holds.
    let control = framework_control(AT_REST).unwrap();
    let mut digests = tokio::task::JoinSet::new();
    for run in ["crowd-a", "crowd-b"] {
        let shared = std::sync::Arc::clone(&shared);
        digests.spawn(async move {
            let recorder = shared.recorder();
            let now = Timestamp::now();
            let lines: Vec<ReportLine> = recorder
                .file_changes(&bulk_findings(0..CHANGES), None, now)
                .await
                .into_iter()
                .map(|(line, _)| line)
                .collect();
            let folded = lines.iter().filter(|l| l.filing == Filing::Folded).count();
            let digest = recorder
                .file_digest(
                    control,
                    run,
                    &format!("evidence/crowd/{AT_REST}/{run}.json"),
                    lines,
                    now,
                )
                .await;
            (folded, digest)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = digests.join_next().await {
        outcomes.push(done.unwrap());
    }
    println!("{outcomes:?}");
    let kinds: BTreeSet<String> = outcomes
        .iter()
        .map(|(_, d)| match &d.outcome {
            DigestOutcome::Filed(_) => "filed".to_owned(),
            DigestOutcome::AlreadyFiled => "already".to_owned(),
            DigestOutcome::Deferred(why) => format!("deferred: {why}"),
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["already".to_owned(), "filed".to_owned()])
    );
    // The digest filed read the ledger before either recorded anything: it folded every open
    // change and carries them all.
    let (folded, digest) = outcomes
        .iter()
        .find(|(_, d)| matches!(d.outcome, DigestOutcome::Filed(_)))
        .unwrap();
    assert_eq!((*folded, digest.carried), (open.len(), open.len()));

    let after = shared.filed().await;
    shared.assert_within_budget(&after).await;
    let at_rest = after
        .per_control
        .iter()
        .find(|(name, _)| after.ids[*name] == AT_REST)
        .map(|(_, n)| *n)
        .unwrap();
    assert_eq!(
        at_rest,
        filed_keys.len() + 2,
        "the items, the digest and its report"
    );
    // Nothing lost: every one of the 150 is evidenced now, individually or by the digest.
    let again = shared
        .recorder()
        .record_changes(&bulk_findings(0..CHANGES), None)
        .await;
    assert_eq!((again.unchanged, again.changed), (CHANGES, 0));
    let items = ledger_items(&shared.ledger_client(), TABLE).await;
    assert_eq!(pending(&items), BTreeSet::new());
}

/// `count` first sightings of buckets `contested-bucket-<i>` on SECAI3.3, all compliant or all
/// not.
fn contested_findings(count: usize, compliant: bool) -> Vec<Finding> {
    bulk_findings(0..count)
        .into_iter()
        .map(|mut f| {
            f.resource.resource_id = f.resource.resource_id.replace("crowd", "contested");
            if compliant {
                f.outcome =
                    Outcome::compliant("SSE-KMS with a customer managed key", "meets SECAI3.3");
            }
            f
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_functions_filing_different_verdicts_on_the_same_resources_at_once_both_file() {
    const COUNT: usize = 40;
    let shared = std::sync::Arc::new(Shared::start().await);
    // One function read the buckets before a change, the other after: each has its own verdict
    // to file, both first sightings, at the same time.
    let mut tasks = tokio::task::JoinSet::new();
    for compliant in [true, false] {
        let shared = std::sync::Arc::clone(&shared);
        tasks.spawn(async move {
            shared
                .recorder()
                .record_changes(&contested_findings(COUNT, compliant), None)
                .await
        });
    }
    let mut reports = Vec::new();
    while let Some(report) = tasks.join_next().await {
        reports.push(counts(report.unwrap()));
    }
    println!("{reports:?}");
    let filed = shared.filed().await;
    shared.assert_within_budget(&filed).await;
    let items = ledger_items(&shared.ledger_client(), TABLE).await;
    assert_eq!(pending(&items), BTreeSet::new(), "claims left pending");
    let evidenced = evidenced(&items);
    let by_key = items_by_key(&filed);
    assert_eq!(by_key.len(), COUNT);
    // Neither verdict is lost: each is filed, once; the ledger holds the one filed last.
    for (key, verdicts) in &by_key {
        let distinct: BTreeSet<&str> = verdicts.iter().map(String::as_str).collect();
        assert_eq!(
            distinct,
            BTreeSet::from(["COMPLIANT", "NON_COMPLIANT"]),
            "{key}: {verdicts:?}"
        );
        assert_eq!(verdicts.len(), 2, "{key}: {verdicts:?}");
        assert!(distinct.contains(evidenced[key].as_str()), "{key}");
    }
}

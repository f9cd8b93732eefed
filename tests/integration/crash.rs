//! Crash safety of the scheduled sweep. The sweep of the demo estate runs once uninterrupted (the
//! reference), then again for K spread over its whole range of SDK calls, each time on a fresh
//! ledger table, emulator (assessment) and run id, over the same moto estate: the invocation is
//! killed at its K-th SDK call (`rig::kill_switch`: that call and every later one never reach a
//! server, and the handler's future is dropped where it stands, as a Lambda timeout or crash
//! leaves it), then re-invoked as Lambda would (the `{"continue": true}` schedule, and the start
//! event redelivered when no open run is found) until the run is complete. It must end as the
//! reference did: every unit done, the same digests (one per control, the same findings), the
//! same individually filed evidence, each item once, the same verdicts evidenced in the ledger,
//! nothing left claimed.
//!
//! Audit Manager's evidence import is not idempotent, so one window cannot be exactly-once: a kill
//! after Audit Manager took an item and before the ledger's confirmation of it. Such an item is
//! filed again (never lost); the test reads that window off the ledger and the assessment at the
//! moment of the kill and expects exactly those repeats.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use aws_sdk_dynamodb::types::AttributeValue;
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::domain::resource::identity_of;
use genai_evidence::recorder::{Budget, Recorder};
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::sweep::{SweepClients, SweepHandler, SweepOptions};
use rig::kill_switch::KillSwitch;
use serde_json::{Value, json};

use crate::support::fast_retries;

const BUCKET: &str = "crash-evidence";
/// Spread over the reference run's calls, besides the targeted ones.
const SPREAD: usize = 20;
/// Killed runs at a time (each on its own ledger table and emulator).
const PARALLEL: usize = 2;

/// The account every run sweeps: its own moto (the sweep reads the whole account), the estate,
/// the evidence bucket.
struct Account {
    _moto: rig::Moto,
    aws: aws_config::SdkConfig,
    suite_key: String,
}

impl Account {
    async fn start() -> Self {
        let moto = rig::Moto::start().expect("moto starts");
        let aws = rig::sdk_config(moto.endpoint(), 3).await;
        let suite_key = rig::estate::evidence_bucket(&aws, BUCKET).await.unwrap();
        rig::estate::genai(&aws, "acme").await.unwrap();
        Self {
            _moto: moto,
            aws,
            suite_key,
        }
    }

    fn store(&self, s3: aws_sdk_s3::Client) -> ReportStore {
        ReportStore::new(s3, BUCKET, Some(self.suite_key.clone()))
    }
}

/// One run of the sweep on a ledger table, an assessment (emulator) and a run id of its own.
pub(crate) struct Attempt {
    _emulator: Emulator,
    pub(crate) emulator_aws: aws_config::SdkConfig,
    pub(crate) table: String,
    run_id: String,
}

impl Attempt {
    async fn new(account: &Account, name: &str) -> Self {
        let table = format!("crash-ledger-{name}");
        rig::estate::ledger_table(&account.aws, &table)
            .await
            .unwrap();
        let emulator = Emulator::start(Seed::default_genai(), None)
            .await
            .expect("emulator starts");
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        Self {
            _emulator: emulator,
            emulator_aws,
            table,
            run_id: format!("crash-{name}"),
        }
    }

    /// The start event of this attempt's run.
    fn start_event(&self) -> Value {
        let mut event = rig::event("scheduled-sweep");
        event["id"] = json!(self.run_id);
        event
    }

    /// The handler a fresh Lambda container would build, every client through `switch`. Leases
    /// (the run's and the recorder's claims) of zero: the invocation that held them is dead by
    /// the time the next one runs, as it is once 16 minutes have passed in AWS.
    fn handler(&self, account: &Account, switch: &KillSwitch) -> SweepHandler {
        let store = account.store(switch.s3(&account.aws));
        let recorder = switched_recorder(
            switch,
            &account.aws,
            &self.table,
            &self.emulator_aws,
            store.clone(),
        );
        SweepHandler::new(
            SweepClients {
                regions: vec![switch.reader_clients(&account.aws)],
            },
            recorder,
            store,
            SweepOptions {
                lease: Duration::ZERO,
                ..SweepOptions::default()
            },
        )
    }
}

/// The recorder a container of a crash test files through: the ledger on `table` (on `moto`),
/// the assessment of `emulator`, reports into `store`, its clients through `switch`. Claims lapse
/// at once: the invocation that held them is dead by the time the next one runs, as it is once
/// 16 minutes have passed in AWS.
pub(crate) fn switched_recorder(
    switch: &KillSwitch,
    moto: &aws_config::SdkConfig,
    table: &str,
    emulator: &aws_config::SdkConfig,
    store: ReportStore,
) -> Recorder {
    Recorder::new(
        Ledger::new(switch.dynamodb(moto), table),
        AuditManagerSink::new(
            switch.auditmanager(emulator),
            DEMO_ASSESSMENT_ID.to_owned(),
            BTreeMap::new(),
            fast_retries(),
        ),
        Some(store),
        Budget::default(),
    )
    .with_claim_lease(Duration::ZERO)
}

/// Every evidence item of the assessment, as (control name, field, value).
pub(crate) async fn evidence(
    auditmanager: &aws_sdk_auditmanager::Client,
) -> Vec<(String, String, String)> {
    let assessment = auditmanager
        .get_assessment()
        .assessment_id(DEMO_ASSESSMENT_ID)
        .send()
        .await
        .unwrap();
    let sets = assessment
        .assessment()
        .and_then(|a| a.framework())
        .map(|f| f.control_sets().to_vec())
        .unwrap_or_default();
    let mut items = Vec::new();
    for set in &sets {
        let set_id = set.id().unwrap_or_default();
        for control in set.controls() {
            let folders = auditmanager
                .get_evidence_folders_by_assessment_control()
                .assessment_id(DEMO_ASSESSMENT_ID)
                .control_set_id(set_id)
                .control_id(control.id().unwrap_or_default())
                .send()
                .await
                .unwrap();
            for folder in folders.evidence_folders() {
                let mut pages = auditmanager
                    .get_evidence_by_evidence_folder()
                    .assessment_id(DEMO_ASSESSMENT_ID)
                    .control_set_id(set_id)
                    .evidence_folder_id(folder.id().unwrap_or_default())
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    for e in page.unwrap().evidence() {
                        for (field, value) in e.attributes().into_iter().flatten() {
                            items.push((
                                control.name().unwrap_or_default().to_owned(),
                                field.clone(),
                                value.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }
    items
}

/// An individual evidence text's identity: its head (control, verdict, resource, account and
/// region lines) and the check that decided, without the times.
pub(crate) fn item_key(text: &str) -> String {
    let head: Vec<&str> = text.lines().take(3).collect();
    let check = text
        .rsplit_once(" check ")
        .map(|(_, rest)| rest.split_whitespace().next().unwrap_or_default())
        .unwrap_or_default();
    format!("{} [{check}]", head.join(" / "))
}

/// The ledger key (`verdict#<control>#<check>#<identity>`) and verdict an individual evidence
/// text evidences.
pub(crate) fn verdict_of_text(text: &str) -> (String, String) {
    let lines: Vec<&str> = text.lines().collect();
    let (control, verdict) = lines[0].split_once(" | ").unwrap();
    let control = control.split_whitespace().next().unwrap();
    let (resource_type, subject) = lines[1]
        .strip_prefix("Resource: ")
        .unwrap()
        .split_once(' ')
        .unwrap();
    let (account, region) = lines[2]
        .strip_prefix("Account ")
        .unwrap()
        .split_once(", region ")
        .unwrap();
    let check = text
        .rsplit_once(" check ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap();
    let identity = identity_of(resource_type, account, region, subject, None);
    (
        format!("verdict#{control}#{check}#{identity}"),
        verdict.trim().to_owned(),
    )
}

/// What the assessment holds, classified.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Filed {
    /// Individual evidence, by [`item_key`], with how many times it was filed.
    pub(crate) individual: BTreeMap<String, usize>,
    /// Individual evidence texts, by [`item_key`] (the last one read).
    pub(crate) texts: BTreeMap<String, String>,
    /// Digest texts, by control name.
    pub(crate) digests: BTreeMap<String, Vec<String>>,
    /// Digest report paths (`s3ResourcePath`), by control name.
    pub(crate) reports: BTreeMap<String, Vec<String>>,
    /// The run's HTML report paths (`s3ResourcePath`, `.html`), by control name.
    pub(crate) html_reports: BTreeMap<String, Vec<String>>,
    /// Items of any kind, by control name.
    pub(crate) per_control: BTreeMap<String, usize>,
    /// The framework control id (`SECAI3.3`) of each control name, read off its texts.
    pub(crate) ids: BTreeMap<String, String>,
}

pub(crate) async fn filed(auditmanager: &aws_sdk_auditmanager::Client) -> Filed {
    let mut out = Filed::default();
    for (control, field, value) in evidence(auditmanager).await {
        *out.per_control.entry(control.clone()).or_default() += 1;
        if field == "textResponse" {
            let id = value.split_whitespace().next().unwrap_or_default();
            out.ids.insert(control.clone(), id.to_owned());
        }
        match field.as_str() {
            "s3ResourcePath" if value.ends_with(".html") => {
                out.html_reports.entry(control).or_default().push(value);
            }
            "s3ResourcePath" => out.reports.entry(control).or_default().push(value),
            "textResponse"
                if value
                    .lines()
                    .next()
                    .is_some_and(|l| l.contains(" | DIGEST ")) =>
            {
                out.digests.entry(control).or_default().push(value);
            }
            "textResponse" => {
                let key = item_key(&value);
                *out.individual.entry(key.clone()).or_default() += 1;
                out.texts.insert(key, value);
            }
            other => panic!("unexpected evidence field {other}"),
        }
    }
    out
}

/// Every item of a ledger table, by `pk`.
pub(crate) async fn ledger_items(
    dynamodb: &aws_sdk_dynamodb::Client,
    table: &str,
) -> BTreeMap<String, HashMap<String, AttributeValue>> {
    let mut items = BTreeMap::new();
    let mut pages = dynamodb.scan().table_name(table).into_paginator().send();
    while let Some(page) = pages.next().await {
        for item in page.unwrap().items() {
            let pk = item["pk"].as_s().unwrap().clone();
            items.insert(pk, item.clone());
        }
    }
    items
}

/// The text attribute `name` of a ledger item.
pub(crate) fn text_of<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}

/// Keys of claims still pending (taken before filing, not yet confirmed or released).
pub(crate) fn pending(
    items: &BTreeMap<String, HashMap<String, AttributeValue>>,
) -> BTreeSet<String> {
    items
        .iter()
        .filter(|(_, item)| item.contains_key("pending_until"))
        .map(|(pk, _)| pk.clone())
        .collect()
}

/// The verdicts the ledger says are evidenced, by key.
pub(crate) fn evidenced(
    items: &BTreeMap<String, HashMap<String, AttributeValue>>,
) -> BTreeMap<String, String> {
    items
        .iter()
        .filter(|(pk, _)| pk.starts_with("verdict#"))
        .map(|(pk, item)| (pk.clone(), text_of(item, "verdict").to_owned()))
        .collect()
}

/// The second line of a digest ("N findings on M resources: verdict counts.").
fn digest_counts(text: &str) -> String {
    text.lines().nth(1).unwrap_or_default().to_owned()
}

/// A digest report's findings: (check, type, id, region, verdict), sorted.
async fn report_findings(store: &ReportStore, path: &str) -> Vec<String> {
    let key = path.strip_prefix(&format!("s3://{BUCKET}/")).unwrap();
    let report: Value = store.get_json(key).await.unwrap();
    let mut findings: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}",
                f["check"], f["resourceType"], f["resourceId"], f["region"], f["verdict"]
            )
        })
        .collect();
    findings.sort();
    findings
}

/// What an uninterrupted run left: the reference.
struct Reference {
    calls: Vec<String>,
    filed: Filed,
    /// Per control: the digest's counts line and its report's findings.
    digests: BTreeMap<String, (String, Vec<String>)>,
    evidenced: BTreeMap<String, String>,
    /// `once#digest#<control>#<day>#<fingerprint>` claims.
    digest_claims: BTreeSet<String>,
}

async fn digests_of(account: &Account, filed: &Filed) -> BTreeMap<String, (String, Vec<String>)> {
    let store = account.store(rig::s3_client(&account.aws));
    let mut out = BTreeMap::new();
    for (control, texts) in &filed.digests {
        let path = filed.reports[control].last().unwrap();
        out.insert(
            control.clone(),
            (
                digest_counts(&texts[0]),
                report_findings(&store, path).await,
            ),
        );
    }
    out
}

fn digest_claims(items: &BTreeMap<String, HashMap<String, AttributeValue>>) -> BTreeSet<String> {
    items
        .keys()
        .filter(|pk| pk.starts_with("once#digest#"))
        .cloned()
        .collect()
}

async fn reference(account: &Account) -> Reference {
    let attempt = Attempt::new(account, "reference").await;
    let switch = KillSwitch::never();
    let summary = attempt
        .handler(account, &switch)
        .handle(&attempt.start_event(), None)
        .await
        .unwrap();
    assert_eq!(summary.status, "complete", "{summary:#?}");
    let auditmanager = aws_sdk_auditmanager::Client::new(&attempt.emulator_aws);
    let filed = filed(&auditmanager).await;
    let items = ledger_items(&aws_sdk_dynamodb::Client::new(&account.aws), &attempt.table).await;
    assert!(pending(&items).is_empty(), "{:?}", pending(&items));
    assert!(
        filed.individual.values().all(|n| *n == 1),
        "{:?}",
        filed.individual
    );
    Reference {
        calls: switch.log(),
        digests: digests_of(account, &filed).await,
        filed,
        evidenced: evidenced(&items),
        digest_claims: digest_claims(&items),
    }
}

/// The K values: `SPREAD` spread over the whole run (the first and the last call included), and
/// the boundaries of the first individual import and of the last digest import (the call itself
/// never sent; sent and answered, the ledger not told yet).
fn kill_points(calls: &[String]) -> Vec<usize> {
    let n = calls.len();
    let mut ks: BTreeSet<usize> = (0..SPREAD)
        .map(|i| 1 + i * (n - 1) / (SPREAD - 1))
        .collect();
    let imports: Vec<usize> = calls
        .iter()
        .enumerate()
        .filter(|(_, c)| c.starts_with("POST /assessments/") && c.ends_with("/evidence"))
        .map(|(i, _)| i + 1)
        .collect();
    if let (Some(first), Some(last)) = (imports.first(), imports.last()) {
        ks.extend([first - 1, *first, first + 1, *last, last + 1]);
    }
    ks.into_iter().filter(|k| (1..=n).contains(k)).collect()
}

/// What one killed run came to.
#[derive(Debug)]
struct Crash {
    k: usize,
    /// The call the kill stopped.
    stopped: String,
    /// Statuses of the invocations after the kill.
    recovery: Vec<String>,
    /// Claims pending at the kill (each would have been a change lost had the claim not lapsed).
    pending_at_kill: usize,
    /// Items (and digests, by control) filed but not confirmed in the ledger at the kill.
    repeats: BTreeSet<String>,
    repeated_digests: BTreeSet<String>,
    took: Duration,
}

async fn crash_at(account: Arc<Account>, reference: Arc<Reference>, k: usize) -> Crash {
    let started = Instant::now();
    let attempt = Attempt::new(&account, &format!("k{k}")).await;
    let start = attempt.start_event();
    let switch = KillSwitch::at(k);
    let killed = switch
        .run(attempt.handler(&account, &switch).handle(&start, None))
        .await;
    assert!(
        killed.is_none(),
        "k={k}: the run made {} calls and finished: {killed:?}",
        switch.calls()
    );
    let stopped = switch.log().last().cloned().unwrap_or_default();

    // The window no ledger can close: evidence Audit Manager holds whose claim is still pending.
    let dynamodb = aws_sdk_dynamodb::Client::new(&account.aws);
    let auditmanager = aws_sdk_auditmanager::Client::new(&attempt.emulator_aws);
    let at_kill = ledger_items(&dynamodb, &attempt.table).await;
    let pending_at_kill = pending(&at_kill);
    let filed_at_kill = filed(&auditmanager).await;
    let repeats: BTreeSet<String> = filed_at_kill
        .texts
        .iter()
        .filter(|(_, text)| {
            let (key, verdict) = verdict_of_text(text);
            pending_at_kill.contains(&key)
                && at_kill
                    .get(&key)
                    .is_some_and(|item| text_of(item, "verdict") == verdict)
        })
        .map(|(key, _)| key.clone())
        .collect();
    let repeated_digests: BTreeSet<String> = filed_at_kill
        .digests
        .keys()
        .filter(|control| {
            let id = &filed_at_kill.ids[*control];
            pending_at_kill
                .iter()
                .any(|pk| pk.starts_with(&format!("once#digest#{id}#")))
        })
        .cloned()
        .collect();
    // The same window for the run's HTML report, filed once beside each digest.
    let repeated_html: BTreeSet<String> = filed_at_kill
        .html_reports
        .keys()
        .filter(|control| {
            let id = &filed_at_kill.ids[*control];
            pending_at_kill
                .iter()
                .any(|pk| pk.starts_with(&format!("once#report#digest#{id}#")))
        })
        .cloned()
        .collect();
    let repeated_digests: BTreeSet<String> = repeated_digests
        .into_iter()
        .map(|c| format!("digest:{c}"))
        .chain(repeated_html.into_iter().map(|c| format!("html:{c}")))
        .collect();

    // Re-invoked until complete, each time by a fresh container.
    let mut recovery = Vec::new();
    loop {
        assert!(recovery.len() < 6, "k={k}: no end: {recovery:?}");
        let handler = attempt.handler(&account, &KillSwitch::never());
        let mut summary = handler
            .handle(&json!({"continue": true}), None)
            .await
            .unwrap_or_else(|e| panic!("k={k}: continue: {e}"));
        recovery.push(format!("continue:{}", summary.status));
        if summary.status == "idle" {
            // No open run: the kill came before the run was opened; Lambda redelivers the event.
            summary = handler
                .handle(&start, None)
                .await
                .unwrap_or_else(|e| panic!("k={k}: redelivery: {e}"));
            recovery.push(format!("redelivered:{}", summary.status));
        }
        match summary.status {
            "complete" | "duplicate" => break,
            "continuing" => {}
            other => panic!("k={k}: {other} after {recovery:?}"),
        }
    }
    check(
        &account,
        &reference,
        &attempt,
        k,
        &repeats,
        &repeated_digests,
    )
    .await;
    Crash {
        k,
        stopped,
        recovery,
        pending_at_kill: pending_at_kill.len(),
        repeats,
        repeated_digests,
        took: started.elapsed(),
    }
}

/// The killed run, recovered, ended as the reference did.
async fn check(
    account: &Account,
    reference: &Reference,
    attempt: &Attempt,
    k: usize,
    repeats: &BTreeSet<String>,
    repeated_digests: &BTreeSet<String>,
) {
    let dynamodb = aws_sdk_dynamodb::Client::new(&account.aws);
    let ledger = Ledger::new(dynamodb.clone(), &attempt.table);

    // Every unit done, the run complete, its lease and the open-run pointer released.
    let (_, run) = ledger
        .get_versioned(&format!("run#{}", attempt.run_id))
        .await
        .unwrap();
    let run = run.unwrap_or_else(|| panic!("k={k}: no run record"));
    assert_eq!(run["complete"], true, "k={k}: {run:#}");
    let units: BTreeSet<String> = serde_json::from_value(run["units"].clone()).unwrap();
    let done: Vec<String> = serde_json::from_value(run["done"].clone()).unwrap();
    assert_eq!(done.len(), units.len(), "k={k}: a unit done twice: {run:#}");
    assert_eq!(
        done.into_iter().collect::<BTreeSet<_>>(),
        units,
        "k={k}: a unit lost"
    );
    assert_eq!(run["leaseUntil"], 0, "k={k}: {run:#}");
    let (_, open) = ledger.get_versioned("run#open").await.unwrap();
    assert_eq!(
        open.as_ref().map(|o| o["runId"].clone()),
        Some(Value::Null),
        "k={k}: the run is still open"
    );

    // The ledger: the same verdicts evidenced, the same digests claimed, nothing pending.
    let items = ledger_items(&dynamodb, &attempt.table).await;
    assert_eq!(pending(&items), BTreeSet::new(), "k={k}: left claimed");
    assert_eq!(
        evidenced(&items),
        reference.evidenced,
        "k={k}: the ledger's verdicts"
    );
    assert_eq!(
        digest_claims(&items),
        reference.digest_claims,
        "k={k}: digest claims"
    );

    // The assessment: the same individual evidence, each once (but for the window above).
    let auditmanager = aws_sdk_auditmanager::Client::new(&attempt.emulator_aws);
    let filed = filed(&auditmanager).await;
    let keys: BTreeSet<&String> = filed.individual.keys().collect();
    let expected: BTreeSet<&String> = reference.filed.individual.keys().collect();
    let lost: Vec<_> = expected.difference(&keys).collect();
    let extra: Vec<_> = keys.difference(&expected).collect();
    assert!(
        lost.is_empty() && extra.is_empty(),
        "k={k}: lost {lost:#?}, extra {extra:#?}"
    );
    for (key, n) in &filed.individual {
        let allowed = if repeats.contains(key) { 2 } else { 1 };
        assert_eq!(*n, allowed, "k={k}: {key} filed {n} times");
    }

    // One digest per control (but for the window), with the reference's findings.
    assert_eq!(
        filed.digests.keys().collect::<Vec<_>>(),
        reference.filed.digests.keys().collect::<Vec<_>>(),
        "k={k}: digests"
    );
    for (control, texts) in &filed.digests {
        let allowed = if repeated_digests.contains(&format!("digest:{control}")) {
            2
        } else {
            1
        };
        assert_eq!(texts.len(), allowed, "k={k}: {control} digests: {texts:#?}");
        assert_eq!(filed.reports[control].len(), allowed, "k={k}: {control}");
        // The run's HTML report beside it, once (but for its own window).
        let allowed = if repeated_digests.contains(&format!("html:{control}")) {
            2
        } else {
            1
        };
        let html = filed.html_reports.get(control).map_or(0, Vec::len);
        assert_eq!(html, allowed, "k={k}: {control} HTML reports");
    }
    let digests = digests_of(account, &filed).await;
    for (control, (counts, findings)) in &reference.digests {
        let (got_counts, got_findings) = &digests[control];
        assert_eq!(got_counts, counts, "k={k}: {control} digest");
        assert_eq!(got_findings, findings, "k={k}: {control} report");
    }

    // The budget: every control within the quota, every item counted.
    let day = genai_evidence::domain::time::Timestamp::now().day();
    for (control, n) in &filed.per_control {
        let id = &filed.ids[control];
        let used = ledger.used(id, &day).await.unwrap() as usize;
        assert!(
            *n <= used && used <= 100,
            "k={k}: {control}: {n} items, {used} counted"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_killed_at_any_call_and_re_invoked_ends_as_an_uninterrupted_run() {
    let started = Instant::now();
    let account = Arc::new(Account::start().await);
    let reference = reference(&account).await;
    let n = reference.calls.len();
    let ks = kill_points(&reference.calls);
    println!(
        "reference: {n} calls, {} individual items, {} digests, in {:?}",
        reference.filed.individual.len(),
        reference.filed.digests.len(),
        started.elapsed()
    );
    assert!(ks.len() >= 20, "{ks:?}");
    let reference = Arc::new(reference);
    let mut crashes = Vec::new();
    for chunk in ks.chunks(PARALLEL) {
        let mut set = tokio::task::JoinSet::new();
        for &k in chunk {
            set.spawn(crash_at(Arc::clone(&account), Arc::clone(&reference), k));
        }
        while let Some(crash) = set.join_next().await {
            match crash {
                Ok(crash) => crashes.push(crash),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
    }
    crashes.sort_by_key(|c| c.k);
    for c in &crashes {
        println!(
            "k={:>4}/{n} stopped {:<60} recovery {:?} pending {} repeats {} {:?} ({:?})",
            c.k,
            c.stopped,
            c.recovery,
            c.pending_at_kill,
            c.repeats.len(),
            c.repeated_digests,
            c.took
        );
    }
    println!("{} kills in {:?}", crashes.len(), started.elapsed());
}

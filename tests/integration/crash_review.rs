//! Crash safety of the access review (SECAI3.8). The review is prepared (the monthly schedule)
//! and signed off (the reviewer's attestation) once uninterrupted, the reference; then again
//! for K spread over the whole range of its SDK calls, each time on a fresh ledger table,
//! evidence bucket and assessment (emulator), over the same IAM estate on moto: the invocation
//! is killed at its K-th call (`rig::kill_switch`, on every client the handler has, the mocks of
//! moto's gaps included) and invoked again as Lambda (the schedule's async retry) or the
//! reviewer (the attestation) would, a minute later each time, until it succeeds. It must end
//! as the reference did: one review, its summary, HTML and JSON and its sign-off on SECAI3.8
//! each once, its objects in the bucket, the ledger's state signed with nothing left to file and
//! no claim left pending.
//!
//! As in the sweep's crash test, one window cannot be exactly-once because Audit Manager's import
//! is not idempotent: a kill after Audit Manager took an item and before the ledger confirmed
//! it. Such an item is filed again (never lost); the test reads that window off the ledger and
//! the assessment at the kill and expects exactly those repeats.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use aws_emulator::{Emulator, Seed};
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::review::Review;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::access_review::{
    AccessReviewHandler, ReviewClients, ReviewOptions, ReviewState, STATE_KEY,
};
use rig::kill_switch::KillSwitch;
use serde_json::Value;

use crate::access_review::{Gaps, INVOKED_BY, Rig, attestation, gaps, schedule};
use crate::crash::{evidence, ledger_items, pending, switched_recorder};

/// Kill points spread evenly over the reference's calls, besides those around each import.
const SPREAD: usize = 20;
/// Killed runs at a time.
const PARALLEL: usize = 2;
/// Invocations of one event after a kill before the test gives up.
const RETRIES: usize = 6;
/// When the schedule fires; the reviewer signs an hour later.
const PREPARED_AT: &str = "2026-12-03T06:00:00Z";

fn at(text: &str, minutes_later: usize) -> Timestamp {
    let minutes = i64::try_from(minutes_later).unwrap();
    Timestamp::from_epoch_millis(Timestamp::parse(text).unwrap().epoch_millis() + minutes * 60_000)
}

/// One run on a ledger table, an evidence bucket and an assessment of its own.
struct Attempt {
    _emulator: Emulator,
    emulator_aws: aws_config::SdkConfig,
    table: String,
    bucket: String,
    suite_key: String,
    gaps: Gaps,
}

impl Attempt {
    async fn new(rig: &Rig, name: &str) -> Self {
        let table = format!("review-crash-{name}");
        rig::estate::ledger_table(&rig.moto_aws, &table)
            .await
            .unwrap();
        let bucket = format!("review-crash-{name}");
        let suite_key = rig::estate::evidence_bucket(&rig.moto_aws, &bucket)
            .await
            .unwrap();
        let emulator = Emulator::start(Seed::default_genai(), Some(rig.moto.endpoint().to_owned()))
            .await
            .expect("emulator starts");
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        Self {
            _emulator: emulator,
            emulator_aws,
            table,
            bucket,
            suite_key,
            gaps: gaps(true),
        }
    }

    fn store(&self, s3: aws_sdk_s3::Client) -> ReportStore {
        ReportStore::new(s3, &self.bucket, Some(self.suite_key.clone()))
    }

    /// The handler a fresh Lambda container would build, every client through `switch`.
    fn handler(&self, rig: &Rig, switch: &KillSwitch) -> AccessReviewHandler {
        let store = self.store(switch.s3(&rig.moto_aws));
        let recorder = switched_recorder(
            switch,
            &rig.moto_aws,
            &self.table,
            &self.emulator_aws,
            store.clone(),
        );
        let iam_gaps = aws_sdk_iam::Client::from_conf(
            self.gaps
                .iam
                .config()
                .to_builder()
                .interceptor(switch.clone())
                .build(),
        );
        let config = aws_sdk_config::Client::from_conf(
            self.gaps
                .config
                .config()
                .to_builder()
                .interceptor(switch.clone())
                .build(),
        );
        let sso_admin = aws_sdk_ssoadmin::Client::from_conf(
            aws_sdk_ssoadmin::config::Builder::from(&rig.moto_aws)
                .interceptor(switch.clone())
                .build(),
        );
        AccessReviewHandler::new(
            ReviewClients {
                iam: switch.reader_clients(&rig.moto_aws).iam,
                iam_gaps,
                config,
                sso_admin,
            },
            recorder,
            store,
            ReviewOptions {
                poll_budget: Duration::from_millis(500),
                config_rule: Some("genai-evidence-access-review".into()),
                ..ReviewOptions::default()
            },
        )
    }

    async fn state(&self, rig: &Rig) -> ReviewState {
        let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&rig.moto_aws), &self.table);
        let (_, doc) = ledger.get_versioned(STATE_KEY).await.unwrap();
        doc.map(|d| serde_json::from_value(d).unwrap())
            .unwrap_or_default()
    }

    async fn review(&self, rig: &Rig, id: &str) -> Review {
        self.store(rig::s3_client(&rig.moto_aws))
            .get_json(&format!("access-review/{id}/review.json"))
            .await
            .unwrap()
    }

    /// What the assessment holds on SECAI3.8, by kind ([`kind_of`]), with the review ids named.
    async fn filed(&self) -> (BTreeMap<String, usize>, BTreeSet<String>) {
        let am = aws_sdk_auditmanager::Client::new(&self.emulator_aws);
        let mut kinds = BTreeMap::new();
        let mut ids = BTreeSet::new();
        for (control, field, value) in evidence(&am).await {
            if !control.contains("SECAI3.8") {
                continue;
            }
            *kinds.entry(kind_of(&field, &value)).or_default() += 1;
            ids.insert(review_id_in(&value));
        }
        (kinds, ids)
    }

    /// The kinds of item whose claim the ledger has confirmed (taken and not pending).
    async fn confirmed(&self, rig: &Rig) -> (BTreeSet<String>, BTreeSet<String>) {
        let items = ledger_items(&aws_sdk_dynamodb::Client::new(&rig.moto_aws), &self.table).await;
        let pending = pending(&items);
        let confirmed = items
            .keys()
            .filter(|pk| pk.starts_with("once#review#") && !pending.contains(*pk))
            .map(|pk| pk.rsplit('#').next().unwrap_or_default().to_owned())
            .collect();
        (confirmed, pending)
    }
}

/// An item's kind: `summary`, `sign-off`, `html`, `json` (or what it is, when none of those).
fn kind_of(field: &str, value: &str) -> String {
    match field {
        "s3ResourcePath" if value.ends_with("/review.html") => "html".into(),
        "s3ResourcePath" if value.ends_with("/review.json") => "json".into(),
        "textResponse" if value.starts_with("SECAI3.8 periodic access review ") => "summary".into(),
        "textResponse" if value.contains(" signed off by ") => "sign-off".into(),
        _ => format!(
            "unexpected {field}: {}",
            value.chars().take(80).collect::<String>()
        ),
    }
}

/// The review id (`access-review-<account>-<time>`) an item names.
fn review_id_in(value: &str) -> String {
    value
        .find("access-review-")
        .map(|i| {
            value[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        })
        .unwrap_or_else(|| format!("no review id in {value:?}"))
}

/// What a run came to.
#[derive(Debug)]
struct Run {
    /// Operations the run made (killed: up to the kill).
    calls: Vec<String>,
    /// Invocations needed after the kill.
    retries: usize,
    /// Items filed but not confirmed when the kill struck, by kind (each filed once more).
    window: BTreeMap<String, usize>,
    /// Claims pending at the kill.
    pending_at_kill: usize,
}

/// Invokes `event` as of `when` through `switch` (if it has not tripped yet), then again a
/// minute later each time with a fresh container until it succeeds; the kill's window is read
/// when the switch trips.
async fn invoke(
    rig: &Rig,
    attempt: &Attempt,
    switch: &KillSwitch,
    event: &Value,
    when: &str,
    run: &mut Run,
) {
    let never = KillSwitch::never();
    for retry in 0..=RETRIES {
        let live = if switch.tripped() { &never } else { switch };
        let handler = attempt.handler(rig, live);
        let now = at(when, retry);
        match live.run(handler.handle_at(event, INVOKED_BY, now)).await {
            Some(Ok(_)) => return,
            Some(Err(e)) => panic!("an invocation failed without a kill: {e}"),
            None => {
                let (filed, _) = attempt.filed().await;
                let (confirmed, pending) = attempt.confirmed(rig).await;
                run.pending_at_kill = pending.len();
                run.window = filed
                    .into_iter()
                    .map(|(kind, n)| {
                        let c = usize::from(confirmed.contains(&kind));
                        (kind, n - c)
                    })
                    .filter(|(_, n)| *n > 0)
                    .collect();
            }
        }
        run.retries = retry + 1;
    }
    panic!("{event} did not succeed within {RETRIES} retries");
}

/// Prepares the review and signs it off, killed at `k` (`None`: uninterrupted).
async fn script(rig: &Rig, attempt: &Attempt, k: Option<usize>) -> Run {
    let switch = k.map_or_else(KillSwitch::never, KillSwitch::at);
    let mut run = Run {
        calls: Vec::new(),
        retries: 0,
        window: BTreeMap::new(),
        pending_at_kill: 0,
    };
    invoke(rig, attempt, &switch, &schedule(), PREPARED_AT, &mut run).await;
    let state = attempt.state(rig).await;
    let id = state.latest.expect("the review is published").id;
    let signing = attempt.review(rig, &id).await;
    let sign = at(PREPARED_AT, 60).to_string();
    invoke(
        rig,
        attempt,
        &switch,
        &attestation(&signing),
        &sign,
        &mut run,
    )
    .await;
    run.calls = switch.log();
    run
}

fn kill_points(calls: &[String]) -> Vec<usize> {
    let n = calls.len();
    let mut ks: BTreeSet<usize> = (0..SPREAD)
        .map(|i| 1 + i * (n - 1) / (SPREAD - 1))
        .collect();
    for (i, call) in calls.iter().enumerate() {
        if call.starts_with("POST /assessments/") && call.ends_with("/evidence") {
            // The import itself (never sent) and the call after it (the import taken).
            ks.extend([i + 1, i + 2]);
        }
    }
    ks.into_iter().filter(|k| (1..=n).contains(k)).collect()
}

/// Holds a run's end state to the reference's.
async fn check(rig: &Rig, attempt: &Attempt, run: &Run, reference: &BTreeMap<String, usize>) {
    let (kinds, ids) = attempt.filed().await;
    let mut expected = reference.clone();
    for (kind, n) in &run.window {
        *expected.entry(kind.clone()).or_default() += n;
    }
    assert_eq!(kinds, expected, "SECAI3.8's items, by kind ({run:?})");
    assert_eq!(ids.len(), 1, "one review, not {ids:?}");
    let state = attempt.state(rig).await;
    assert!(state.draft.is_none(), "{state:?}");
    let latest = state.latest.expect("published");
    assert!(latest.signed.is_some(), "signed off: {latest:?}");
    assert!(
        latest.unfiled.is_empty(),
        "nothing left to file: {latest:?}"
    );
    assert_eq!(ids.first(), Some(&latest.id));
    let (_, pending) = attempt.confirmed(rig).await;
    assert!(pending.is_empty(), "claims left pending: {pending:?}");
    let s3 = rig::s3_client(&rig.moto_aws);
    for file in ["review.json", "review.csv", "review.html", "sign-off.json"] {
        s3.head_object()
            .bucket(&attempt.bucket)
            .key(format!("access-review/{}/{file}", latest.id))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{file} of {}: {e:?}", latest.id));
    }
    assert!(
        attempt.gaps.calls("config-compliant") >= 1,
        "the sign-off is recorded on the Config process check"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_review_killed_at_any_call_and_invoked_again_ends_as_an_uninterrupted_one() {
    let rig = Arc::new(Rig::start().await);

    let clean = Attempt::new(&rig, "reference").await;
    let reference_run = script(&rig, &clean, None).await;
    let (reference, ids) = clean.filed().await;
    assert_eq!(
        reference,
        BTreeMap::from([
            ("html".to_owned(), 1),
            ("json".to_owned(), 1),
            ("sign-off".to_owned(), 1),
            ("summary".to_owned(), 1),
        ]),
        "the reference files each item once"
    );
    assert_eq!(ids.len(), 1);
    check(&rig, &clean, &reference_run, &reference).await;

    let ks = kill_points(&reference_run.calls);
    assert!(ks.len() >= 20, "{} kill points", ks.len());
    let reference = Arc::new(reference);
    let mut windows = 0;
    let mut killed_mid_import = 0;
    for chunk in ks.chunks(PARALLEL) {
        let mut tasks = Vec::new();
        for &k in chunk {
            let rig = Arc::clone(&rig);
            let reference = Arc::clone(&reference);
            tasks.push(tokio::spawn(async move {
                let attempt = Attempt::new(&rig, &format!("k{k}")).await;
                let run = script(&rig, &attempt, Some(k)).await;
                check(&rig, &attempt, &run, &reference).await;
                run
            }));
        }
        for (task, k) in tasks.into_iter().zip(chunk) {
            let run = task.await.unwrap_or_else(|e| panic!("kill at {k}: {e}"));
            windows += run.window.values().sum::<usize>();
            killed_mid_import += usize::from(run.pending_at_kill > 0);
            eprintln!(
                "killed at {k:>3}/{} ({}): {} retr{}, window {:?}",
                reference_run.calls.len(),
                run.calls.get(k - 1).map_or("-", String::as_str),
                run.retries,
                if run.retries == 1 { "y" } else { "ies" },
                run.window
            );
        }
    }
    assert!(
        killed_mid_import > 0,
        "some kill struck while a claim was pending (the window the test accounts for)"
    );
    eprintln!(
        "access review crash test: {} kill points over {} calls, {windows} item(s) in the import window filed again, none lost",
        ks.len(),
        reference_run.calls.len()
    );
}

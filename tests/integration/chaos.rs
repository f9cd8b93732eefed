//! Chaos: the real handlers (the sweep, the Config rule, the drift function) over the seeded
//! demo estate, with every AWS call going through [`rig::fault_proxy`] at a seeded fault share
//! (moto: the collectors' reads, the DynamoDB ledger, the S3 evidence store; the emulator: Audit
//! Manager and Config), with the functions' own SDK retry and timeout settings
//! (`genai_evidence::aws::configure`; shorter timeouts and first backoff). An invocation that
//! fails is invoked again, as Lambda retries it. Then the same work without faults, then once
//! more to see nothing is left to file. Then everything is read back directly (not through the
//! proxies) and held to the recorder's promises: every changed verdict in the assessment exactly
//! once (no two consecutive items of one check, resource and control with the same verdict), the
//! ledger's every verdict evidenced (the last item of its key carries it), one digest per
//! control, day and verdict set, no control over 100 items a day, no claim left behind (runs
//! complete and unleased, every claimed digest filed, every claimed event handled). The
//! recorders also deliver to Security Hub (moto's, through the same proxy): every verdict the
//! ledger holds is one finding there (one per check and resource, never two), with that
//! verdict's compliance status.
//!
//! Knobs (environment; `make chaos` sets them): `CHAOS_SEED` (default 7), `CHAOS_FAULTS` (the
//! share of requests faulted, default 0.3), `CHAOS_ROUNDS` (faulty rounds, default 2),
//! `CHAOS_RETRY` (`standard`, the default, or the functions' own `adaptive`: see
//! [`function_config`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::config::Credentials;
use genai_evidence::adapters::ledger::{Ledger, verdict_key_of};
use genai_evidence::aws::{Timeouts, configure};
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::domain::resource::identity_of;
use genai_evidence::readers::Clients;
use genai_evidence::readers::reread::ReadRetry;
use genai_evidence::recorder::{Budget, Recorder};
use genai_evidence::sinks::auditmanager::{AuditManagerSink, RetryPolicy};
use genai_evidence::sinks::digest::{ReportLine, fingerprint};
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::sinks::securityhub::{SecurityHubSink, compliance_status};
use genai_evidence::triggers::cloudtrail_drift::{DriftHandler, DriftStatus};
use genai_evidence::triggers::config_rule::ConfigRuleHandler;
use genai_evidence::triggers::sweep::{SweepClients, SweepHandler, SweepOptions};
use rig::estate::Estate;
use rig::fault_proxy::{FaultKind, FaultPlan, FaultProxy, Stats};
use serde_json::{Value, json};

const TABLE: &str = "genai-evidence-ledger";
const BUCKET: &str = "genai-evidence-evidence";
/// Invocations of one event before the test gives up (Lambda retries an async event twice; the
/// test is more patient so that a run always converges, and reports how many it took).
const LAMBDA_ATTEMPTS: usize = 12;
/// The sweep's lease and the recorder's claim lease in this test: an invocation that failed
/// holds its run, and its unconfirmed claims, this long (the functions: 16 minutes).
const LEASE: Duration = Duration::from_secs(2);
/// The Config rule samples sent each phase (their resources exist only in the events).
const CONFIG_EVENTS: [&str; 5] = [
    "config-s3-bucket-compliant",
    "config-s3-bucket-noncompliant",
    "config-s3-bucket-deleted",
    "config-notebook-with-kms",
    "config-notebook-without-kms",
];

/// The knobs, from the environment.
#[derive(Debug, Clone, Copy)]
struct Knobs {
    seed: u64,
    share: f64,
    rounds: usize,
    adaptive: bool,
}

impl Knobs {
    fn from_env() -> Self {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
            match std::env::var(name) {
                Ok(text) => text
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}={text:?} is not a valid value")),
                Err(_) => default,
            }
        }
        let knobs = Self {
            seed: var("CHAOS_SEED", 7),
            share: var("CHAOS_FAULTS", 0.3),
            rounds: var("CHAOS_ROUNDS", 2),
            adaptive: var("CHAOS_RETRY", "standard".to_owned()) == "adaptive",
        };
        assert!(
            (0.0..=1.0).contains(&knobs.share),
            "CHAOS_FAULTS is a share"
        );
        knobs
    }
}

/// The functions' SDK configuration (`aws::configure`: 5 attempts, timeouts on every call) on
/// `endpoint`, with shorter timeouts and a 20 ms first backoff instead of 1 s, so the run stays
/// short. `adaptive` keeps the functions' adaptive retry mode; otherwise standard mode: adaptive
/// mode's client-side rate limiter (one per service and process, as low as 0.5 requests a
/// second, 5 tokens a retry) slows every call down once a throttle is seen, and random faults
/// keep it at its floor (a faulty round takes many minutes; `CHAOS_RETRY=adaptive`).
async fn function_config(endpoint: &str, adaptive: bool) -> SdkConfig {
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(rig::REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "chaos"))
        .endpoint_url(endpoint);
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        attempt: Duration::from_secs(10),
        operation: Duration::from_secs(40),
    };
    let conf = configure(loader, timeouts).load().await;
    let functions = conf
        .retry_config()
        .cloned()
        .expect("configure sets a retry config");
    let retry = if adaptive {
        functions
    } else {
        RetryConfig::standard().with_max_attempts(functions.max_attempts())
    }
    .with_initial_backoff(Duration::from_millis(20));
    conf.into_builder().retry_config(retry).build()
}

/// moto and the emulator, each behind its fault proxy, the suite's table and bucket, the estate.
struct Chaos {
    _moto: rig::Moto,
    _emulator: Emulator,
    moto_proxy: FaultProxy,
    emulator_proxy: FaultProxy,
    direct_moto: SdkConfig,
    direct_emulator: SdkConfig,
    estate: Estate,
    suite_key: String,
}

impl Chaos {
    async fn start(plan: &FaultPlan) -> Self {
        let moto = rig::Moto::start().expect("moto starts");
        let direct_moto = rig::sdk_config(moto.endpoint(), 3).await;
        rig::estate::ledger_table(&direct_moto, TABLE)
            .await
            .unwrap();
        let suite_key = rig::estate::evidence_bucket(&direct_moto, BUCKET)
            .await
            .unwrap();
        let estate = rig::estate::genai(&direct_moto, "acme").await.unwrap();
        let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
            .await
            .expect("emulator starts");
        rig::register_sample_tokens(&emulator);
        let direct_emulator = rig::sdk_config(&emulator.endpoint(), 3).await;
        let moto_proxy = FaultProxy::start(moto.endpoint(), plan.clone())
            .await
            .expect("moto's proxy starts");
        let emulator_proxy = FaultProxy::start(&emulator.endpoint(), plan.clone())
            .await
            .expect("the emulator's proxy starts");
        Self {
            _moto: moto,
            _emulator: emulator,
            moto_proxy,
            emulator_proxy,
            direct_moto,
            direct_emulator,
            estate,
            suite_key,
        }
    }

    /// The three functions, each with its clients built once, as in a Lambda container, and
    /// every client going through the proxies.
    async fn functions(&self, adaptive: bool) -> Functions {
        let moto = function_config(&self.moto_proxy.endpoint(), adaptive).await;
        let emulator = function_config(&self.emulator_proxy.endpoint(), adaptive).await;
        let recorder = || {
            Recorder::new(
                Ledger::new(aws_sdk_dynamodb::Client::new(&moto), TABLE),
                AuditManagerSink::new(
                    aws_sdk_auditmanager::Client::new(&emulator),
                    DEMO_ASSESSMENT_ID.to_owned(),
                    BTreeMap::new(),
                    RetryPolicy {
                        attempts: 4,
                        base_delay: Duration::from_millis(20),
                    },
                ),
                Some(self.store(&moto)),
                Budget::default(),
            )
            .with_security_hub(SecurityHubSink::new(
                aws_sdk_securityhub::Client::new(&moto),
                rig::REGION,
                RetryPolicy {
                    attempts: 4,
                    base_delay: Duration::from_millis(20),
                },
            ))
            .with_claim_lease(LEASE)
        };
        let sweep = SweepHandler::new(
            SweepClients::for_regions(&moto, &[]),
            recorder(),
            self.store(&moto),
            SweepOptions {
                max_units_per_invocation: Some(3),
                lease: LEASE,
                ..SweepOptions::default()
            },
        );
        let config = ConfigRuleHandler::new(aws_sdk_config::Client::new(&emulator), Vec::new())
            .with_iam(aws_sdk_iam::Client::new(&moto))
            .with_recorder(recorder());
        let drift = DriftHandler::new(
            Clients::from_conf(&moto),
            Some(recorder()),
            Some(Ledger::new(aws_sdk_dynamodb::Client::new(&moto), TABLE)),
            rig::REGION,
        )
        .with_retry(ReadRetry {
            reads: 2,
            first_delay: Duration::from_millis(10),
        });
        Functions {
            ledger: Ledger::new(aws_sdk_dynamodb::Client::new(&self.direct_moto), TABLE),
            sweep,
            config,
            drift,
        }
    }

    fn store(&self, conf: &SdkConfig) -> ReportStore {
        ReportStore::new(rig::s3_client(conf), BUCKET, Some(self.suite_key.clone()))
    }

    /// Drift events on the estate's resources, with event ids of `phase`: calls that leave the
    /// state as seeded, so every verdict stays what the sweep sees too.
    fn drift_events(&self, phase: &str) -> Vec<Value> {
        let e = &self.estate;
        let policy = format!(
            "arn:aws:iam::{}:policy/{}",
            rig::ACCOUNT_ID,
            e.execution_policy
        );
        [
            (
                "drift-s3-deletebucketencryption",
                "PutBucketEncryption",
                json!({"bucketName": e.train_out}),
            ),
            (
                "drift-iam-attachrolepolicy",
                "AttachRolePolicy",
                json!({"roleName": e.execution_role, "policyArn": policy}),
            ),
            (
                "drift-sagemaker-updatenotebookinstance",
                "UpdateNotebookInstance",
                json!({"notebookInstanceName": e.notebook}),
            ),
            (
                "drift-kms-disablekeyrotation",
                "EnableKeyRotation",
                json!({"keyId": e.key_id}),
            ),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (sample, name, request))| {
            let mut event = rig::event(sample);
            event["detail"]["eventName"] = json!(name);
            event["detail"]["requestParameters"] = request;
            event["detail"]["eventID"] = json!(format!("chaos-{phase}-{i}"));
            event
        })
        .collect()
    }
}

struct Functions {
    /// The ledger, read directly (not through the proxy).
    ledger: Ledger,
    sweep: SweepHandler,
    config: ConfigRuleHandler,
    drift: DriftHandler,
}

/// What the invocations did.
#[derive(Debug, Default)]
struct Tally {
    /// Invocations, by function.
    invocations: BTreeMap<&'static str, usize>,
    /// Invocations that returned an error (and were invoked again), by function.
    failed: BTreeMap<&'static str, usize>,
    /// Sweep invocations that found the run held by a failed one (retried after the lease).
    busy: usize,
    /// Drift events evaluated (not only claimed).
    drift_handled: BTreeSet<String>,
    /// Drift events sent.
    drift_sent: BTreeSet<String>,
    /// Sweep runs and whether each completed.
    runs: BTreeMap<String, bool>,
}

impl Tally {
    /// Invokes `f` until it returns `Ok` (at most [`LAMBDA_ATTEMPTS`] times).
    async fn lambda<T, E: Display>(
        &mut self,
        function: &'static str,
        what: &str,
        f: impl AsyncFn() -> Result<T, E>,
    ) -> T {
        let mut last = String::new();
        for _ in 0..LAMBDA_ATTEMPTS {
            *self.invocations.entry(function).or_default() += 1;
            let t = Instant::now();
            match f().await {
                Ok(out) => {
                    progress(&format!(
                        "{function} {what}: ok in {:.1} s",
                        t.elapsed().as_secs_f64()
                    ));
                    return out;
                }
                Err(e) => {
                    progress(&format!(
                        "{function} {what}: failed in {:.1} s, invoked again: {e}",
                        t.elapsed().as_secs_f64()
                    ));
                    *self.failed.entry(function).or_default() += 1;
                    last = e.to_string();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        panic!("{function} {what}: still failing after {LAMBDA_ATTEMPTS} invocations: {last}");
    }
}

/// A progress line, with the time since the first.
fn progress(line: &str) {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let start = START.get_or_init(Instant::now);
    eprintln!("[chaos {:>6.1} s] {line}", start.elapsed().as_secs_f64());
}

/// One phase: the drift events, the Config rule events, one sweep run. Returns the changes the
/// handlers saw (changed verdicts, whatever became of their evidence).
async fn phase(c: &Chaos, f: &Functions, tally: &mut Tally, label: &str) -> usize {
    progress(&format!("phase {label}"));
    let mut changed = 0;
    for event in c.drift_events(label) {
        let id = event["detail"]["eventID"].as_str().unwrap().to_owned();
        tally.drift_sent.insert(id.clone());
        let summary = tally
            .lambda("cloudtrail-drift", &id, async || {
                f.drift.handle(&event).await
            })
            .await;
        if summary.status != DriftStatus::Duplicate {
            tally.drift_handled.insert(id);
        }
        changed += summary.recorded.map_or(0, |r| r.changed);
    }
    for name in CONFIG_EVENTS {
        let event = rig::event(name);
        let summary = tally
            .lambda("config-rule", name, async || f.config.handle(&event).await)
            .await;
        changed += summary.recorded.map_or(0, |r| r.changed);
    }
    changed + sweep(f, tally, &format!("chaos-{label}")).await
}

/// One sweep run from its schedule event to completion: continued while it checkpoints, invoked
/// again (with the same payload) when an invocation fails.
async fn sweep(f: &Functions, tally: &mut Tally, run_id: &str) -> usize {
    let mut start = rig::event("scheduled-sweep");
    start["id"] = json!(run_id);
    let mut payload = start.clone();
    let mut changed = 0;
    let mut failures = 0;
    tally.runs.insert(run_id.to_owned(), false);
    for _ in 0..120 {
        *tally.invocations.entry("scheduled-sweep").or_default() += 1;
        let t = Instant::now();
        match f.sweep.handle(&payload, None).await {
            Ok(summary) => {
                progress(&format!(
                    "scheduled-sweep {run_id}: {} in {:.1} s ({} units, {} changed, {} filed, {} errors)",
                    summary.status,
                    t.elapsed().as_secs_f64(),
                    summary.units_this_invocation.len(),
                    summary.changed,
                    summary.filed,
                    summary.errors.len()
                ));
                failures = 0;
                changed += summary.changed;
                match summary.status {
                    // `duplicate`: a continuation found the run complete (its last invocation
                    // failed after completing it).
                    "complete" | "duplicate" => {
                        tally.runs.insert(run_id.to_owned(), true);
                        return changed;
                    }
                    "continuing" => payload = json!({"continue": true}),
                    // The invocation that completed the run failed after clearing `run#open`.
                    "idle" if run_complete(f, run_id).await => {
                        tally.runs.insert(run_id.to_owned(), true);
                        return changed;
                    }
                    "busy" => {
                        tally.busy += 1;
                        tokio::time::sleep(LEASE).await;
                    }
                    other => panic!("sweep {run_id}: {other} before the run completed"),
                }
            }
            Err(e) => {
                progress(&format!(
                    "scheduled-sweep {run_id}: failed in {:.1} s, invoked again: {e}",
                    t.elapsed().as_secs_f64()
                ));
                *tally.failed.entry("scheduled-sweep").or_default() += 1;
                failures += 1;
                // More patient than with single events: the schedule keeps sending
                // continuations, and every invocation that gets through a unit checkpoints it.
                assert!(
                    failures < 3 * LAMBDA_ATTEMPTS,
                    "sweep {run_id}: {failures} failed invocations in a row: {e}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    panic!("sweep {run_id} did not complete in 120 invocations");
}

/// Whether the ledger says the run is complete.
async fn run_complete(f: &Functions, run_id: &str) -> bool {
    let (_, doc) = f
        .ledger
        .get_versioned(&format!("run#{run_id}"))
        .await
        .expect("the run record reads (directly, not through the proxy)");
    doc.is_some_and(|d| d["complete"] == json!(true))
}

/// One evidence event of a (control, check, resource) key: an item of its own, or a line a
/// digest carried.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Filed {
    /// Audit Manager's order of the evidence.
    order: u64,
    verdict: Verdict,
    /// For a line a digest carried: the run, how the line was filed and the verdict it changed.
    digest: Option<String>,
}

/// Everything the assessment holds, read directly from the emulator and moto.
#[derive(Debug, Default)]
struct Assessment {
    /// Evidence events per ledger key, in order.
    by_key: BTreeMap<String, Vec<Filed>>,
    /// Individual evidence texts.
    items: usize,
    /// Digest texts, and their report paths.
    digests: usize,
    /// Digests per (control, evidence folder = day, fingerprint).
    digest_prints: BTreeMap<(String, String, String), usize>,
    /// Evidence items per (control, folder).
    per_folder: BTreeMap<(String, String), usize>,
    /// Items per control today, as its folders count them.
    per_control: BTreeMap<String, usize>,
    /// Texts no parser understood.
    unreadable: Vec<String>,
}

/// (key, verdict) of an individual evidence text (see `evidence_text`).
fn parse_item(text: &str) -> Option<(String, String, Verdict)> {
    let first = text.lines().next()?;
    let (head, verdict) = first.rsplit_once(" | ")?;
    let control = head.split_whitespace().next()?;
    let verdict = Verdict::parse(verdict.trim())?;
    let (kind, subject) = text
        .lines()
        .find_map(|l| l.strip_prefix("Resource: "))?
        .split_once(' ')?;
    let (account, region) = text
        .lines()
        .find_map(|l| l.strip_prefix("Account "))?
        .split_once(", region ")?;
    let check = text.rsplit(" check ").next()?.split_whitespace().next()?;
    let identity = identity_of(kind, account, region.trim(), subject.trim(), None);
    Some((
        control.to_owned(),
        verdict_key_of(control, check, &identity),
        verdict,
    ))
}

fn line_key(line: &ReportLine) -> String {
    verdict_key_of(
        &line.control,
        &line.check,
        &identity_of(
            &line.resource_type,
            &line.account_id,
            &line.region,
            &line.resource_id,
            line.arn.as_deref(),
        ),
    )
}

impl Chaos {
    async fn assessment(&self) -> Assessment {
        let am = aws_sdk_auditmanager::Client::new(&self.direct_emulator);
        let store = self.store(&self.direct_moto);
        let assessment = am
            .get_assessment()
            .assessment_id(DEMO_ASSESSMENT_ID)
            .send()
            .await
            .unwrap();
        let sets: Vec<(String, String)> = assessment
            .assessment()
            .and_then(|a| a.framework())
            .map(|f| f.control_sets())
            .unwrap_or_default()
            .iter()
            .flat_map(|s| {
                s.controls().iter().map(|c| {
                    (
                        s.id().unwrap_or_default().to_owned(),
                        c.id().unwrap_or_default().to_owned(),
                    )
                })
            })
            .collect();
        let mut out = Assessment::default();
        for (set, control) in sets {
            let folders = am
                .get_evidence_folders_by_assessment_control()
                .assessment_id(DEMO_ASSESSMENT_ID)
                .control_set_id(&set)
                .control_id(&control)
                .send()
                .await
                .unwrap();
            for folder in folders.evidence_folders() {
                let folder_id = folder.id().unwrap_or_default().to_owned();
                let mut pages = am
                    .get_evidence_by_evidence_folder()
                    .assessment_id(DEMO_ASSESSMENT_ID)
                    .control_set_id(&set)
                    .evidence_folder_id(&folder_id)
                    .into_paginator()
                    .send();
                let mut count = 0;
                let mut framework_control = String::new();
                while let Some(page) = pages.next().await {
                    for evidence in page.unwrap().evidence() {
                        count += 1;
                        let order = evidence
                            .id()
                            .and_then(|id| id.rsplit('-').next())
                            .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                            .unwrap_or(0);
                        let Some(text) = evidence.attributes().and_then(|a| a.get("textResponse"))
                        else {
                            continue; // a digest's report path
                        };
                        framework_control = text
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                        if text
                            .lines()
                            .next()
                            .is_some_and(|l| l.contains(" | DIGEST "))
                        {
                            out.digests += 1;
                            let Some(path) = text
                                .lines()
                                .find_map(|l| l.strip_prefix("Every finding: "))
                                .and_then(|p| p.trim().strip_prefix(&format!("s3://{BUCKET}/")))
                            else {
                                out.unreadable.push(text.clone());
                                continue;
                            };
                            let report: Value = store.get_json(path).await.unwrap();
                            let lines: Vec<ReportLine> =
                                serde_json::from_value(report["findings"].clone()).unwrap();
                            *out.digest_prints
                                .entry((
                                    framework_control.clone(),
                                    folder_id.clone(),
                                    fingerprint(&lines),
                                ))
                                .or_default() += 1;
                            for line in lines.iter().filter(|l| l.filing.needs_digest()) {
                                out.by_key.entry(line_key(line)).or_default().push(Filed {
                                    order,
                                    verdict: line.verdict,
                                    digest: Some(format!(
                                        "digest of {}, {:?} from {:?}",
                                        report["run"].as_str().unwrap_or_default(),
                                        line.filing,
                                        line.previous.map(Verdict::as_str)
                                    )),
                                });
                            }
                        } else if let Some((_, key, verdict)) = parse_item(text) {
                            out.items += 1;
                            out.by_key.entry(key).or_default().push(Filed {
                                order,
                                verdict,
                                digest: None,
                            });
                        } else {
                            out.unreadable.push(text.clone());
                        }
                    }
                }
                *out.per_folder
                    .entry((framework_control.clone(), folder_id))
                    .or_default() += count;
                *out.per_control.entry(framework_control).or_default() += count;
            }
        }
        for events in out.by_key.values_mut() {
            events.sort_by_key(|e| e.order);
        }
        out
    }

    /// Security Hub's findings (GetFindings, every page, directly from moto): compliance
    /// statuses by finding id, one per copy of the id.
    async fn security_hub(&self) -> BTreeMap<String, Vec<String>> {
        let hub = aws_sdk_securityhub::Client::new(&self.direct_moto);
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut token = None;
        loop {
            let page = hub
                .get_findings()
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            for f in page.findings() {
                let status = f
                    .compliance()
                    .and_then(|c| c.status())
                    .map_or("none", |s| s.as_str());
                out.entry(f.id().unwrap_or_default().to_owned())
                    .or_default()
                    .push(status.to_owned());
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return out;
            }
        }
    }

    /// Every item of the ledger table, read directly from moto.
    async fn ledger_items(&self) -> Vec<HashMap<String, AttributeValue>> {
        let dynamodb = aws_sdk_dynamodb::Client::new(&self.direct_moto);
        let mut items = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = dynamodb
                .scan()
                .table_name(TABLE)
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .unwrap();
            items.extend(page.items().iter().cloned());
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return items,
            }
        }
    }
}

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn text_of<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}

/// What the read-back found.
#[derive(Debug, Default)]
struct Verdicts {
    expected: usize,
    /// Verdicts the ledger says Security Hub holds, and the findings it holds.
    hub_expected: usize,
    hub_filed: usize,
    /// Stand-ins of failed listings evidenced in Audit Manager whose Security Hub delivery failed
    /// and which were not seen again (see `judge`).
    hub_stand_ins_unsent: usize,
    duplicated: Vec<String>,
    lost: Vec<String>,
    claims_left: Vec<String>,
    over_quota: Vec<String>,
    digests_per_control: BTreeMap<String, usize>,
    /// Digest claims never confirmed (lapsed).
    lapsed_digest_claims: usize,
    /// Verdict claims never confirmed, lapsed (the verdict they replaced holds).
    lapsed_claims: usize,
}

fn judge(
    assessment: &Assessment,
    hub: &BTreeMap<String, Vec<String>>,
    ledger: &[HashMap<String, AttributeValue>],
    tally: &Tally,
) -> Verdicts {
    let mut v = Verdicts::default();
    let now_millis = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    // Exactly once: consecutive evidence of one key never repeats a verdict.
    for (key, events) in &assessment.by_key {
        for pair in events.windows(2) {
            if pair[0].verdict == pair[1].verdict {
                let how = |e: &Filed| e.digest.clone().unwrap_or_else(|| "item".into());
                v.duplicated.push(format!(
                    "{key}: {} twice (#{} {}, #{} {})",
                    pair[1].verdict.as_str(),
                    pair[0].order,
                    how(&pair[0]),
                    pair[1].order,
                    how(&pair[1]),
                ));
            }
        }
    }
    for ((control, _, print), n) in &assessment.digest_prints {
        *v.digests_per_control.entry(control.clone()).or_default() += n;
        if *n > 1 {
            v.duplicated.push(format!(
                "digest {print} of {control} filed {n} times in a day"
            ));
        }
    }
    let digests: BTreeSet<(&str, &str)> = assessment
        .digest_prints
        .keys()
        .map(|(c, _, p)| (c.as_str(), p.as_str()))
        .collect();
    v.hub_filed = hub.len();
    for (id, copies) in hub {
        if copies.len() > 1 {
            v.duplicated
                .push(format!("Security Hub holds {} findings {id}", copies.len()));
        }
    }
    let effective = |item: &HashMap<String, AttributeValue>| -> Option<Option<Verdict>> {
        // A pending claim counts as its verdict while it lasts (None: still pending), as the
        // verdict it replaced once it has lapsed (the ledger's reading).
        if !item.contains_key("pending_until") {
            Some(Verdict::parse(text_of(item, "verdict")))
        } else if number(item, "pending_until") > now_millis {
            None
        } else {
            Some(Verdict::parse(text_of(item, "prior_verdict")))
        }
    };
    let hub_markers: BTreeMap<&str, Option<Verdict>> = ledger
        .iter()
        .filter_map(|item| {
            let pk = text_of(item, "pk").strip_prefix("securityhub#")?;
            Some((pk, effective(item).flatten()))
        })
        .collect();
    for item in ledger {
        let pk = text_of(item, "pk");
        let pending = item.contains_key("pending_until");
        if let Some(rest) = pk.strip_prefix("securityhub#") {
            let Some(verdict) = effective(item) else {
                v.claims_left.push(format!(
                    "{pk}: a claim is still pending after the clean phases"
                ));
                continue;
            };
            let Some(verdict) = verdict else {
                continue; // a first sighting whose claim lapsed: sent again next run
            };
            v.hub_expected += 1;
            let id = format!("genai-evidence/{}", rest.replacen('#', "/", 1));
            let want = compliance_status(verdict).as_str().to_owned();
            match hub.get(&id) {
                Some(copies) if copies.last() == Some(&want) => {}
                held => v.lost.push(format!(
                    "{pk}: the ledger says Security Hub holds {want}, it holds {held:?}"
                )),
            }
        } else if pk.starts_with("verdict#") {
            // A pending claim counts as its verdict while it lasts, as the verdict it replaced
            // once it has lapsed (the ledger's reading).
            let verdict = if !pending {
                Verdict::parse(text_of(item, "verdict"))
            } else if number(item, "pending_until") > now_millis {
                v.claims_left.push(format!(
                    "{pk}: a claim is still pending after the clean phases"
                ));
                continue;
            } else {
                v.lapsed_claims += 1;
                match Verdict::parse(text_of(item, "prior_verdict")) {
                    Some(prior) => Some(prior),
                    None => continue, // a first sighting whose claim lapsed: no record
                }
            };
            v.expected += 1;
            let last = assessment
                .by_key
                .get(pk)
                .and_then(|events| events.last())
                .map(|e| e.verdict);
            if last.is_none() || last != verdict {
                v.lost.push(format!(
                    "{pk}: the ledger says {:?} was evidenced, the assessment's last is {:?}",
                    verdict.map(Verdict::as_str),
                    last.map(Verdict::as_str)
                ));
            }
            // verdict#<control>#<check>#<identity>, confirmed: Security Hub has that verdict. But
            // a stand-in for a type whose listing failed (resource id `*`) lives only while the
            // listing fails: one whose Security Hub delivery failed in a faulty round is not seen
            // again once the listing works, so Security Hub never gets it (nor should it: it is
            // not current); the Audit Manager item is the record of that moment.
            let check_and_identity = pk.splitn(3, '#').nth(2).unwrap_or_default();
            let stand_in = pk.ends_with("#*");
            match hub_markers.get(check_and_identity) {
                _ if pending => {}
                None if stand_in => v.hub_stand_ins_unsent += 1,
                Some(hub_verdict) if *hub_verdict == verdict => {}
                other => v.lost.push(format!(
                    "{pk}: evidenced as {:?}, but Security Hub's marker says {:?}",
                    verdict.map(Verdict::as_str),
                    other.map(|o| o.map(Verdict::as_str))
                )),
            }
        } else if let Some(rest) = pk.strip_prefix("once#digest#") {
            // digest#<control>#<day>#<fingerprint>
            let mut parts = rest.split('#');
            let control = parts.next().unwrap_or_default();
            let print = parts.nth(1).unwrap_or_default();
            if pending {
                // Unconfirmed: lapsed (its digest may or may not have been filed; a later run
                // with the same verdicts files it again).
                v.lapsed_digest_claims += 1;
            } else if !digests.contains(&(control, print)) {
                v.claims_left
                    .push(format!("{pk}: confirmed, but no such digest was filed"));
            }
        } else if let Some(id) = pk.strip_prefix("once#event#") {
            if tally.drift_sent.contains(id) && !tally.drift_handled.contains(id) {
                v.claims_left
                    .push(format!("{pk}: claimed, but the event was never evaluated"));
            }
        } else if pk.starts_with("run#") {
            let doc: Value = serde_json::from_str(text_of(item, "doc")).unwrap_or_default();
            if pk == "run#open" {
                if !doc["runId"].is_null() {
                    v.claims_left
                        .push(format!("run#open still names {}", doc["runId"]));
                }
            } else if doc["complete"] != json!(true) || doc["leaseUntil"] != json!(0) {
                v.claims_left.push(format!("{pk}: {doc}"));
            }
        } else if let Some(rest) = pk.strip_prefix("budget#") {
            let control = rest.split('#').next().unwrap_or_default();
            let used = usize::try_from(number(item, "used")).unwrap_or(0);
            let filed = assessment.per_control.get(control).copied().unwrap_or(0);
            if used > 100 || used < filed {
                v.over_quota.push(format!(
                    "{control}: the ledger counts {used} items, the assessment holds {filed}"
                ));
            }
        }
    }
    for ((control, folder), n) in &assessment.per_folder {
        if *n > 100 {
            v.over_quota
                .push(format!("{control}: {n} items in folder {folder}"));
        }
    }
    v
}

/// Prints the summary; `faulty` are the proxies' counters at the end of the faulty rounds,
/// `all` at the end of the test.
fn print_summary(
    knobs: &Knobs,
    faulty: &[Stats; 2],
    all: &[Stats; 2],
    tally: &Tally,
    a: &Assessment,
    v: &Verdicts,
    took: Duration,
) {
    let mut faults: BTreeMap<FaultKind, u64> = BTreeMap::new();
    let (mut requests, mut retries, mut operations, mut forwarded) = (0, 0, 0, 0);
    for stats in faulty {
        let total = stats.total();
        for (k, n) in &total.faults {
            *faults.entry(*k).or_default() += n;
        }
        requests += total.requests;
        retries += total.retries;
        operations += total.operations;
        forwarded += total.forwarded;
    }
    let kinds: Vec<String> = FaultKind::ALL
        .iter()
        .map(|k| format!("{} {}", k.name(), faults.get(k).copied().unwrap_or(0)))
        .collect();
    eprintln!(
        "==== chaos: seed {}, fault share {}, {} faulty round(s), {:.1} s",
        knobs.seed,
        knobs.share,
        knobs.rounds,
        took.as_secs_f64()
    );
    eprintln!(
        "faulty rounds, moto's proxy:\n{}the emulator's proxy:\n{}",
        faulty[0], faulty[1]
    );
    let clean: u64 = all.iter().map(|s| s.total().requests).sum::<u64>() - requests;
    eprintln!(
        "faulty rounds: requests {requests} ({forwarded} forwarded) for {operations} SDK operations: {retries} SDK retries (attempt > 1; requests - operations = {}), faults {} ({}); clean phases: {clean} requests",
        requests.saturating_sub(operations),
        faults.values().sum::<u64>(),
        kinds.join(", ")
    );
    eprintln!(
        "invocations {:?}, failed and invoked again {:?}, sweep found busy {}",
        tally.invocations, tally.failed, tally.busy
    );
    eprintln!(
        "evidence: expected {} (ledger verdicts), filed {} items + {} digests ({} keys with evidence), duplicated {}, lost {}, claims left {} (lapsed: {} verdict, {} digest claims), over quota {}, unreadable {}",
        v.expected,
        a.items,
        a.digests,
        a.by_key.len(),
        v.duplicated.len(),
        v.lost.len(),
        v.claims_left.len(),
        v.lapsed_claims,
        v.lapsed_digest_claims,
        v.over_quota.len(),
        a.unreadable.len()
    );
    let about_hub = |lines: &[String]| lines.iter().filter(|l| l.contains("Security Hub")).count();
    eprintln!(
        "security hub: expected {} (ledger markers), findings {}, stand-ins of failed listings not seen again {}, duplicated {}, lost {} (counted in the totals above)",
        v.hub_expected,
        v.hub_filed,
        v.hub_stand_ins_unsent,
        about_hub(&v.duplicated),
        about_hub(&v.lost)
    );
    eprintln!("digests per control: {:?}", v.digests_per_control);
    eprintln!("items per control today: {:?}", a.per_control);
}

#[test]
fn chaos_every_changed_verdict_is_filed_exactly_once_and_nothing_is_left_claimed() {
    crate::support::block_on_big_stack(chaos);
}

async fn chaos() {
    let knobs = Knobs::from_env();
    let began = Instant::now();
    // BatchImportEvidenceToAssessmentControl takes no idempotency token: an answer lost after
    // Audit Manager stored the items cannot be told from a failure, and a retry files them
    // twice. The proxy loses no answer of it (a cut becomes a reset before forwarding).
    let plan = FaultPlan::new(knobs.seed, knobs.share).keeping_responses(|r| {
        r.service == "auditmanager" && r.method == "POST" && r.path.ends_with("/evidence")
    });
    let c = Chaos::start(&plan).await;
    let f = c.functions(knobs.adaptive).await;
    let mut tally = Tally::default();

    for round in 0..knobs.rounds {
        phase(&c, &f, &mut tally, &format!("faulty-{round}")).await;
    }
    let faulty = [c.moto_proxy.stats(), c.emulator_proxy.stats()];
    c.moto_proxy.set_share(0.0);
    c.emulator_proxy.set_share(0.0);
    // Time passes: the claims failed invocations left unconfirmed lapse.
    tokio::time::sleep(LEASE).await;
    phase(&c, &f, &mut tally, "clean").await;
    let left = phase(&c, &f, &mut tally, "verify").await;

    let assessment = c.assessment().await;
    let ledger = c.ledger_items().await;
    let hub = c.security_hub().await;
    let v = judge(&assessment, &hub, &ledger, &tally);
    print_summary(
        &knobs,
        &faulty,
        &[c.moto_proxy.stats(), c.emulator_proxy.stats()],
        &tally,
        &assessment,
        &v,
        began.elapsed(),
    );
    for line in v
        .duplicated
        .iter()
        .chain(&v.lost)
        .chain(&v.claims_left)
        .chain(&v.over_quota)
    {
        eprintln!("  ! {line}");
    }
    if knobs.share > 0.0 {
        let injected: u64 = faulty.iter().map(|s| s.total().faults_total()).sum();
        assert!(injected > 0, "no fault was injected");
    }
    assert!(
        assessment.unreadable.is_empty(),
        "{:#?}",
        assessment.unreadable
    );
    assert!(
        v.expected > 0 && assessment.digests > 0 && v.hub_expected > 0,
        "nothing was filed"
    );
    assert_eq!(left, 0, "a change was still open after a clean phase");
    assert!(tally.runs.values().all(|done| *done), "{:?}", tally.runs);
    assert_eq!(v.duplicated, Vec::<String>::new(), "duplicated evidence");
    assert_eq!(v.lost, Vec::<String>::new(), "lost evidence");
    assert_eq!(v.claims_left, Vec::<String>::new(), "claims left behind");
    assert_eq!(v.over_quota, Vec::<String>::new(), "over the daily quota");
}

/// The proxy itself: it forwards each protocol (S3 uploads, streamed ones in aws-chunked
/// framing included), and each fault is what the SDK expects of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fault_proxy_forwards_every_protocol_and_injects_each_fault_as_the_sdk_sees_it() {
    let moto = rig::shared_moto();
    let proxy = FaultProxy::start(moto.endpoint(), FaultPlan::none())
        .await
        .unwrap();
    let conf = rig::sdk_config(&proxy.endpoint(), 1).await;
    let s3 = rig::s3_client(&conf);
    let bucket = crate::support::unique("fault-proxy");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let body = "x".repeat(100_000);
    s3.put_object()
        .bucket(&bucket)
        .key("plain")
        .body(body.clone().into_bytes().into())
        .send()
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!("{bucket}.txt"));
    std::fs::write(&file, &body).unwrap();
    let streamed = aws_sdk_s3::primitives::ByteStream::from_path(&file)
        .await
        .unwrap();
    s3.put_object()
        .bucket(&bucket)
        .key("streamed")
        .body(streamed)
        .send()
        .await
        .unwrap();
    std::fs::remove_file(&file).ok();
    for key in ["plain", "streamed"] {
        let got = s3
            .get_object()
            .bucket(&bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        let bytes = got.body.collect().await.unwrap().into_bytes();
        assert_eq!(bytes.len(), body.len(), "{key}");
    }
    let head = s3
        .head_object()
        .bucket(&bucket)
        .key("plain")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(100_000));
    let dynamodb = aws_sdk_dynamodb::Client::new(&conf);
    let table = crate::support::unique("fault-proxy");
    rig::estate::ledger_table(&conf, &table).await.unwrap();
    aws_sdk_iam::Client::new(&conf)
        .list_roles()
        .send()
        .await
        .unwrap();
    let stats = proxy.stats();
    for service in ["s3", "dynamodb", "iam"] {
        let counts = &stats.by_service[service];
        assert!(
            counts.forwarded > 0 && counts.faults_total() == 0,
            "{stats}"
        );
    }

    // Each fault, on every request, with retries off.
    let get = || {
        dynamodb
            .get_item()
            .table_name(&table)
            .key("pk", AttributeValue::S("k".into()))
            .send()
    };
    proxy.set_plan(FaultPlan::new(1, 1.0).only(FaultKind::Throttle));
    let err = get().await.unwrap_err();
    assert!(
        format!("{err:?}").contains("ThrottlingException"),
        "{err:?}"
    );
    let err = s3.head_bucket().bucket(&bucket).send().await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(503));
    let err = aws_sdk_iam::Client::new(&conf)
        .list_roles()
        .send()
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("Throttling"), "{err:?}");
    proxy.set_plan(FaultPlan::new(1, 1.0).only(FaultKind::Unavailable));
    let err = get().await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(503));
    proxy.set_plan(FaultPlan::new(1, 1.0).only(FaultKind::Reset));
    let err = get().await.unwrap_err();
    assert!(
        matches!(err, aws_sdk_dynamodb::error::SdkError::DispatchFailure(_)),
        "{err:?}"
    );
    proxy.set_plan(FaultPlan::new(1, 1.0).only(FaultKind::Cut));
    let before = proxy.stats().by_service["dynamodb"].forwarded;
    let err = get().await.unwrap_err();
    assert!(
        matches!(
            err,
            aws_sdk_dynamodb::error::SdkError::ResponseError(_)
                | aws_sdk_dynamodb::error::SdkError::DispatchFailure(_)
        ),
        "{err:?}"
    );
    assert_eq!(
        proxy.stats().by_service["dynamodb"].forwarded,
        before + 1,
        "a cut answer was forwarded: the upstream did the work"
    );
    proxy.set_plan(FaultPlan::new(1, 1.0).only(FaultKind::Latency));
    let t = Instant::now();
    get().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(50));
    let counts = &proxy.stats().by_service["dynamodb"];
    for kind in FaultKind::ALL {
        assert!(
            counts.faults.get(&kind).copied().unwrap_or(0) >= 1,
            "{kind:?}: {counts:?}"
        );
    }
    proxy.stop();
}

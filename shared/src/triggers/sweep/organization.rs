//! The organization-wide sweep: a planner (the scheduled sweep with `ORGANIZATION_SWEEP`
//! enabled) that lists the organization's accounts and enqueues one message per (account,
//! region, service) unit on the sweep queue, and a worker (`sweep-worker`, an SQS event source
//! with partial batch responses) that reads each unit through the member account's role,
//! evaluates, files, and records it done in the ledger. The last unit of the organization
//! files the per-control digests once.

/// The IAM actions the planner calls besides the sweep's own: the organization's accounts,
/// and the queue it enqueues units on.
pub const PLANNER_ACTIONS: &[&str] = &[
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
    "sqs:SendMessage",
];

/// The IAM actions the worker calls besides the sweep's own (`sweep::REQUIRED_ACTIONS`, the
/// sinks', the ledger's and the reports'): the member role, and the queue (a unit's next phase).
pub const WORKER_ACTIONS: &[&str] = &["sts:AssumeRole", "sqs:SendMessage"];

/// What Lambda's event source mapping needs on the queue to poll it for the worker.
pub const POLLER_ACTIONS: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Part, Run, RunRecord, SweepError, SweepHandler, SweepRequest, SweepSummary, Unit, echo,
    part_key, phase_of, plan_units, summarize_lines, unit,
};
use crate::adapters::Scope;
use crate::adapters::organizations::{AccountFilter, accounts as list_accounts};
use crate::adapters::queue::Queue;
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::member::{Accounts, MemberError};
use crate::triggers::sweep::SweepClients;

/// Days an account's progress record is kept (as the run's).
const PROGRESS_TTL_DAYS: u32 = 7;
/// Versioned writes of one record tried before a unit gives up (and SQS delivers it again).
const WRITE_ATTEMPTS: usize = 8;

/// What the planner and the worker need of the organization.
#[derive(Debug, Clone)]
pub struct Organization {
    /// Which accounts (OUs, allow and deny lists).
    pub filter: AccountFilter,
    /// The sweep queue.
    pub queue: Queue,
    /// Per-account SDK configurations (the member role).
    pub accounts: Accounts,
}

/// An organization run's plan and progress, in its run record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Plan {
    /// The accounts swept, sorted.
    accounts: Vec<String>,
    /// The regions swept (the first is the home region).
    regions: Vec<String>,
    /// The accounts whose every unit is done.
    done_accounts: Vec<String>,
    /// Whether every account's first phase is on the queue.
    enqueued: bool,
}

impl Plan {
    /// Every account's units, account by account.
    pub(super) fn units(&self) -> Vec<Unit> {
        self.accounts
            .iter()
            .flat_map(|a| account_units(a, &self.regions))
            .collect()
    }
}

/// One account's units, phase by phase.
fn account_units(account: &str, regions: &[String]) -> Vec<Unit> {
    plan_units(regions)
        .into_iter()
        .map(|mut u| {
            u.account = Some(account.to_owned());
            u
        })
        .collect()
}

/// One account's progress in a run (`run#<run>#account#<account>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Progress {
    /// Its units done.
    done: Vec<Unit>,
    /// The last phase put on the queue.
    enqueued_phase: usize,
    /// Why its member role could not be assumed, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unreadable: Option<String>,
}

fn progress_key(run_id: &str, account: &str) -> String {
    format!("run#{run_id}#account#{account}")
}

/// One message on the sweep queue: one unit of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitMessage {
    /// The run (the schedule event's id).
    pub run: String,
    /// The unit, with its account.
    pub unit: Unit,
}

impl UnitMessage {
    /// Parses a message body; anything else than a unit of an account is an error.
    pub fn parse(body: &str) -> Result<Self, SweepError> {
        let message: Self = serde_json::from_str(body).map_err(|e| {
            SweepError::InvalidEvent(format!(
                "sweep queue message is not {{\"run\": ..., \"unit\": ...}}: {}",
                echo(&e.to_string())
            ))
        })?;
        let run_ok = !message.run.is_empty()
            && message.run.len() <= 64
            && message
                .run
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let account_ok = message
            .unit
            .account
            .as_deref()
            .is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
        if !run_ok || !account_ok {
            return Err(SweepError::InvalidEvent(format!(
                "sweep queue message names run {} and unit {}: expected an event id and a unit of an account",
                echo(&message.run),
                echo(&message.unit.to_string())
            )));
        }
        Ok(message)
    }

    fn body(&self) -> String {
        json!({"run": self.run, "unit": self.unit}).to_string()
    }
}

/// The organization part of a sweep summary.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationSummary {
    /// Accounts in the run.
    pub accounts: usize,
    /// Units in the run.
    pub units: usize,
    /// Units put on the queue by this invocation.
    pub enqueued: usize,
    /// Accounts whose every unit is done.
    pub accounts_done: usize,
}

impl SweepHandler {
    /// The same sweep over an organization: the schedule plans the run and enqueues its units
    /// (a planner), and [`SweepWorker`]s do them.
    pub fn with_organization(mut self, organization: Organization) -> Self {
        self.organization = Some(organization);
        self.recorder = self.recorder.individually_only_non_compliant();
        self
    }

    fn org(&self) -> Result<&Organization, SweepError> {
        self.organization.as_ref().ok_or_else(|| {
            SweepError::InvalidEvent("an organization run needs ORGANIZATION_SWEEP enabled".into())
        })
    }

    /// The planner's invocation: a start plans the run (the organization's accounts) and
    /// enqueues every account's first phase; a continuation re-enqueues what a dead worker or
    /// planner left and finishes the run once every account is done.
    pub(super) async fn plan(&self, request: &SweepRequest) -> Result<SweepSummary, SweepError> {
        let org = self.org()?;
        let run_id = match request {
            SweepRequest::Start { run_id, .. } => run_id.clone(),
            SweepRequest::Continue => match self.open_run().await? {
                Some(id) => id,
                None => return Ok(super::idle()),
            },
        };
        let key = format!("run#{run_id}");
        let (mut version, existing) = self.ledger.get_versioned(&key).await?;
        let mut record = match (existing, request) {
            (Some(doc), _) => serde_json::from_value::<RunRecord>(doc)
                .map_err(|_| SweepError::BadRunRecord(key.clone()))?,
            (None, SweepRequest::Start { account_id, .. }) => {
                self.new_plan(org, &run_id, account_id).await?
            }
            (None, SweepRequest::Continue) => return Ok(super::idle()),
        };
        let mut summary = SweepSummary {
            run: Some(run_id.clone()),
            status: "planned",
            ..SweepSummary::default()
        };
        if record.complete {
            if *request == SweepRequest::Continue {
                self.close(&run_id).await?;
            }
            summary.status = "duplicate";
            return Ok(summary);
        }
        let Some(plan) = record.organization.clone() else {
            return Err(SweepError::BadRunRecord(format!(
                "{key} is a single-account run: finish it with ORGANIZATION_SWEEP disabled"
            )));
        };
        if version == 0 && !self.save(&key, &record, &mut version).await? {
            summary.status = "busy";
            return Ok(summary);
        }
        self.open(&run_id).await?;
        let mut org_summary = OrganizationSummary {
            accounts: plan.accounts.len(),
            units: plan.units().len(),
            accounts_done: plan.done_accounts.len(),
            ..OrganizationSummary::default()
        };
        if !plan.enqueued {
            let messages: Vec<UnitMessage> = plan
                .accounts
                .iter()
                .flat_map(|a| phase_units(a, &plan.regions, 0))
                .map(|unit| UnitMessage {
                    run: run_id.clone(),
                    unit,
                })
                .collect();
            org.queue
                .send(messages.iter().map(UnitMessage::body).collect())
                .await?;
            org_summary.enqueued = messages.len();
            let mut marked = plan.clone();
            marked.enqueued = true;
            record.organization = Some(marked);
            if !self.save(&key, &record, &mut version).await? {
                // A worker finished an account meanwhile: the next continuation marks it.
                tracing::info!(run = %run_id, "run record changed while enqueuing");
            }
        } else if *request == SweepRequest::Continue {
            org_summary.enqueued = self.recover(&run_id, &plan, &mut summary).await?;
        }
        tracing::info!(run = %run_id, accounts = org_summary.accounts, enqueued = org_summary.enqueued, "organization sweep planned");
        summary.organization = Some(org_summary);
        Ok(summary)
    }

    async fn open_run(&self) -> Result<Option<String>, SweepError> {
        Ok(self
            .ledger
            .get_versioned("run#open")
            .await?
            .1
            .and_then(|doc| doc.get("runId").and_then(Value::as_str).map(str::to_owned)))
    }

    async fn new_plan(
        &self,
        org: &Organization,
        run_id: &str,
        account_id: &str,
    ) -> Result<RunRecord, SweepError> {
        let home = self
            .clients
            .regions
            .first()
            .ok_or_else(|| SweepError::InvalidEvent("no region to sweep".into()))?;
        let accounts = list_accounts(&home.organizations, &org.filter).await?;
        tracing::info!(run = %run_id, accounts = accounts.len(), "organization accounts listed");
        Ok(RunRecord {
            run_id: run_id.to_owned(),
            account_id: account_id.to_owned(),
            started_at: Timestamp::now().to_string(),
            units: Vec::new(),
            done: Vec::new(),
            complete: false,
            lease_until: 0,
            organization: Some(Plan {
                accounts,
                regions: self
                    .clients
                    .regions
                    .iter()
                    .map(|r| r.region.clone())
                    .collect(),
                done_accounts: Vec::new(),
                enqueued: false,
            }),
        })
    }

    /// A continuation's repair: every account not done yet moves on from what its record
    /// says (a worker that died between marking a phase done and enqueuing the next leaves it
    /// there); once every account is done the run is finished. Returns the units enqueued.
    async fn recover(
        &self,
        run_id: &str,
        plan: &Plan,
        summary: &mut SweepSummary,
    ) -> Result<usize, SweepError> {
        let mut enqueued = 0;
        for account in plan
            .accounts
            .iter()
            .filter(|a| !plan.done_accounts.contains(a))
        {
            let (_, doc) = self
                .ledger
                .get_versioned(&progress_key(run_id, account))
                .await?;
            let progress: Progress = doc
                .and_then(|d| serde_json::from_value(d).ok())
                .unwrap_or_default();
            enqueued += self
                .advance(run_id, plan, account, progress, summary)
                .await?;
        }
        if plan.done_accounts.len() == plan.accounts.len() {
            self.finish_organization(run_id, summary).await?;
        }
        Ok(enqueued)
    }

    /// After a unit of `account` is done: enqueues its next phase once the current one is
    /// done, or, when every unit is, counts the account done (and finishes the run when it was
    /// the last). Returns the units enqueued.
    async fn advance(
        &self,
        run_id: &str,
        plan: &Plan,
        account: &str,
        progress: Progress,
        summary: &mut SweepSummary,
    ) -> Result<usize, SweepError> {
        let org = self.org()?;
        let next = (0..super::PHASES.len()).find(|phase| {
            phase_units(account, &plan.regions, *phase)
                .iter()
                .any(|u| !progress.done.contains(u))
        });
        match next {
            Some(phase) if phase > progress.enqueued_phase => {
                let messages: Vec<String> = phase_units(account, &plan.regions, phase)
                    .into_iter()
                    .filter(|u| !progress.done.contains(u))
                    .map(|unit| {
                        UnitMessage {
                            run: run_id.to_owned(),
                            unit,
                        }
                        .body()
                    })
                    .collect();
                let count = messages.len();
                org.queue.send(messages).await?;
                self.update_progress(run_id, account, |p| {
                    p.enqueued_phase = p.enqueued_phase.max(phase);
                })
                .await?;
                Ok(count)
            }
            Some(_) => Ok(0),
            None => {
                if self.account_done(run_id, account).await? {
                    self.finish_organization(run_id, summary).await?;
                }
                Ok(0)
            }
        }
    }

    /// Reads, changes and writes an account's progress (versioned, tried again when another
    /// worker wrote first); returns what was written.
    async fn update_progress(
        &self,
        run_id: &str,
        account: &str,
        change: impl Fn(&mut Progress),
    ) -> Result<Progress, SweepError> {
        let key = progress_key(run_id, account);
        for _ in 0..WRITE_ATTEMPTS {
            let (version, doc) = self.ledger.get_versioned(&key).await?;
            let mut progress: Progress = match doc {
                Some(doc) => serde_json::from_value(doc)
                    .map_err(|_| SweepError::BadRunRecord(key.clone()))?,
                None => Progress::default(),
            };
            change(&mut progress);
            if self
                .ledger
                .put_document(&key, &json!(progress), version, PROGRESS_TTL_DAYS)
                .await?
            {
                return Ok(progress);
            }
        }
        Err(SweepError::Contended(key))
    }

    /// Counts `account` done in the run record; `true` when every account is.
    async fn account_done(&self, run_id: &str, account: &str) -> Result<bool, SweepError> {
        let key = format!("run#{run_id}");
        for _ in 0..WRITE_ATTEMPTS {
            let (mut version, doc) = self.ledger.get_versioned(&key).await?;
            let mut record: RunRecord = doc
                .and_then(|d| serde_json::from_value(d).ok())
                .ok_or_else(|| SweepError::BadRunRecord(key.clone()))?;
            let Some(plan) = record.organization.as_mut() else {
                return Err(SweepError::BadRunRecord(key));
            };
            if plan.done_accounts.iter().any(|a| a == account) {
                return Ok(plan.done_accounts.len() == plan.accounts.len());
            }
            plan.done_accounts.push(account.to_owned());
            plan.done_accounts.sort();
            let all = plan.done_accounts.len() == plan.accounts.len();
            if self.save(&key, &record, &mut version).await? {
                return Ok(all);
            }
        }
        Err(SweepError::Contended(key))
    }

    /// Every account is done: one invocation takes the run's lease and files the digests for
    /// the whole organization (`busy` for the others).
    async fn finish_organization(
        &self,
        run_id: &str,
        summary: &mut SweepSummary,
    ) -> Result<(), SweepError> {
        let key = format!("run#{run_id}");
        let now = Timestamp::now();
        let (mut version, doc) = self.ledger.get_versioned(&key).await?;
        let mut record: RunRecord = doc
            .and_then(|d| serde_json::from_value(d).ok())
            .ok_or_else(|| SweepError::BadRunRecord(key.clone()))?;
        if record.complete || record.lease_until > now.epoch_seconds() {
            return Ok(());
        }
        record.lease_until = now.epoch_seconds() + self.options.lease.as_secs() as i64;
        if !self.save(&key, &record, &mut version).await? {
            return Ok(());
        }
        let mut run = Run {
            key,
            version,
            record,
            started: now,
        };
        self.finish(&mut run, summary).await
    }
}

/// The units of `account` in `phase`.
fn phase_units(account: &str, regions: &[String], phase: usize) -> Vec<Unit> {
    account_units(account, regions)
        .into_iter()
        .filter(|u| phase_of(u.service) == phase)
        .collect()
}

/// What the worker did with one message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitOutcome {
    /// The SQS message id.
    pub message_id: String,
    /// The unit, when the message named one.
    pub unit: Option<String>,
    /// `done`, `duplicate` (already done: nothing filed), `unreadable` (done as
    /// could-not-evaluate: the member role could not be assumed), or `failed` (delivered
    /// again by SQS, then its dead-letter queue).
    pub status: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What one worker invocation did: the batch response Lambda reads (the failed messages are
/// delivered again) and a summary for the log.
#[derive(Debug, Clone, Default)]
pub struct WorkerReport {
    /// The messages to deliver again (`batchItemFailures`).
    pub failed: Vec<String>,
    /// Every message's outcome.
    pub outcomes: Vec<UnitOutcome>,
    /// The sweep summary of the units done (verdicts, filing, digests when the run finished).
    pub summary: SweepSummary,
}

impl WorkerReport {
    /// The partial batch response (`ReportBatchItemFailures`): exactly the shape Lambda reads.
    pub fn batch_response(&self) -> Value {
        json!({
            "batchItemFailures": self
                .failed
                .iter()
                .map(|id| json!({"itemIdentifier": id}))
                .collect::<Vec<_>>()
        })
    }
}

/// The sweep worker: an SQS-triggered function doing the units the planner enqueued.
pub struct SweepWorker {
    sweep: SweepHandler,
}

impl SweepWorker {
    /// A worker sharing the sweep's clients, recorder, ledger and store; `sweep` must have an
    /// [`Organization`].
    pub fn new(sweep: SweepHandler) -> Self {
        Self { sweep }
    }

    /// Handles one batch of messages, one after another; a failed message is reported for
    /// redelivery and the others go on. An event that is not an SQS batch is an error.
    pub async fn handle(
        &self,
        payload: &Value,
        deadline: Option<SystemTime>,
    ) -> Result<WorkerReport, SweepError> {
        let records = payload
            .get("Records")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                SweepError::InvalidEvent("expected an SQS event ({\"Records\": [...]})".into())
            })?;
        let mut report = WorkerReport::default();
        for record in records {
            let id = record
                .get("messageId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let near_deadline = deadline.is_some_and(|d| {
                d.duration_since(SystemTime::now()).unwrap_or_default()
                    < std::time::Duration::from_secs(60)
            });
            let body = record.get("body").and_then(Value::as_str);
            let result = match body {
                _ if near_deadline => Err(SweepError::Contended(
                    "too close to Lambda's deadline: left for redelivery".into(),
                )),
                Some(body) => self.unit_message(body, &mut report.summary).await,
                None => Err(SweepError::InvalidEvent(
                    "an SQS record without a body".into(),
                )),
            };
            let unit = body
                .and_then(|b| UnitMessage::parse(b).ok())
                .map(|m| m.unit.to_string());
            match result {
                Ok(status) => report.outcomes.push(UnitOutcome {
                    message_id: id,
                    unit,
                    status,
                    error: None,
                }),
                Err(e) => {
                    tracing::error!(error = %e, message = %id, "unit failed: left for redelivery");
                    if !id.is_empty() {
                        report.failed.push(id.clone());
                    }
                    report.outcomes.push(UnitOutcome {
                        message_id: id,
                        unit,
                        status: "failed",
                        error: Some(e.to_string()),
                    });
                }
            }
        }
        Ok(report)
    }

    /// One unit: skipped when its run or its unit is done; else read (with the account's
    /// member role), evaluated, filed, its part written and the unit marked done.
    async fn unit_message(
        &self,
        body: &str,
        summary: &mut SweepSummary,
    ) -> Result<&'static str, SweepError> {
        let sweep = &self.sweep;
        let org = sweep.org()?;
        let message = UnitMessage::parse(body)?;
        let account = message.unit.account.clone().unwrap_or_default();
        let key = format!("run#{}", message.run);
        let record: RunRecord = match sweep.ledger.get_versioned(&key).await?.1 {
            Some(doc) => {
                serde_json::from_value(doc).map_err(|_| SweepError::BadRunRecord(key.clone()))?
            }
            None => return Err(SweepError::BadRunRecord(format!("{key} does not exist"))),
        };
        if record.complete {
            return Ok("duplicate");
        }
        let plan = record
            .organization
            .clone()
            .ok_or_else(|| SweepError::BadRunRecord(format!("{key} is not an organization run")))?;
        if !plan.units().contains(&message.unit) {
            return Err(SweepError::InvalidEvent(format!(
                "unit {} is not part of run {}",
                echo(&message.unit.to_string()),
                echo(&message.run)
            )));
        }
        let (_, doc) = sweep
            .ledger
            .get_versioned(&progress_key(&message.run, &account))
            .await?;
        let progress: Progress = doc
            .and_then(|d| serde_json::from_value(d).ok())
            .unwrap_or_default();
        if progress.done.contains(&message.unit) {
            return Ok("duplicate");
        }
        let home = Scope {
            account_id: account.clone(),
            region: plan.regions.first().cloned().unwrap_or_default(),
        };
        let (part, status, unreadable) = match org.accounts.config_for(&account).await {
            Ok(conf) => {
                let clients = SweepClients::for_regions(&conf, &plan.regions);
                let mut map = sweep
                    .scope_map_of(&clients, &message.run, &progress.done, &mut Vec::new())
                    .await?;
                let part = sweep
                    .run_unit_with(&clients, &message.unit, &home, &mut map)
                    .await;
                (part, "done", None)
            }
            Err(e) if e.is_retryable() => return Err(SweepError::Member(e)),
            Err(e) => {
                tracing::warn!(account = %account, error = %e, "member account unreadable");
                let reason = e.to_string();
                (
                    self.unreadable_unit(&message.unit, &home, &e).await,
                    "unreadable",
                    Some(reason),
                )
            }
        };
        summarize_lines(summary, &part.lines);
        summary.in_scope += part.scope.len();
        summary.errors.extend(part.errors.iter().cloned());
        sweep
            .store
            .put_json(&part_key(&message.run, &message.unit), &part)
            .await?;
        let unit = message.unit.clone();
        let progress = sweep
            .update_progress(&message.run, &account, |p| {
                if !p.done.contains(&unit) {
                    p.done.push(unit.clone());
                }
                if unreadable.is_some() {
                    p.unreadable.clone_from(&unreadable);
                }
            })
            .await?;
        summary.units_this_invocation.push(message.unit.clone());
        sweep
            .advance(&message.run, &plan, &account, progress, summary)
            .await?;
        Ok(status)
    }

    /// A unit of an account whose member role could not be assumed: one could-not-evaluate
    /// finding per type of the unit's service, saying why, filed as any other.
    async fn unreadable_unit(&self, unit: &Unit, home: &Scope, e: &MemberError) -> Part {
        let region = unit.region.clone().unwrap_or_else(|| home.region.clone());
        let mut work = unit::UnitWork::new(
            unit,
            Scope {
                account_id: home.account_id.clone(),
                region,
            },
        );
        work.unreadable(&AwsError {
            operation: "sts:AssumeRole",
            kind: e.kind,
            code: e.code.clone(),
            message: format!("member role {}: {}", e.role, e.reason),
        });
        let mut map = crate::domain::scope::ScopeMap::new(self.sweep.options.tag_key.clone());
        self.sweep.evaluate_and_file(work, &mut map).await
    }
}

/// The sweep the `scheduled-sweep` and `sweep-worker` functions run, from their settings: with
/// `ORGANIZATION_SWEEP` enabled, over the organization (the function's own account found with
/// `sts:GetCallerIdentity`, once per container).
pub async fn handler_from_settings(
    settings: &crate::settings::Settings,
    aws: &aws_config::SdkConfig,
) -> Result<SweepHandler, String> {
    let recorder = crate::recorder::Recorder::from_settings(settings, aws).ok_or(
        "the sweep needs LEDGER_TABLE and a sink (AUDIT_MANAGER_SINK with ASSESSMENT_ID, or SECURITY_HUB_SINK)",
    )?;
    let bucket = settings
        .evidence_bucket
        .clone()
        .ok_or("the sweep needs EVIDENCE_BUCKET")?;
    let store = crate::sinks::reports::ReportStore::new(
        aws_sdk_s3::Client::new(aws),
        bucket,
        settings.evidence_kms_key.clone(),
    );
    let options = super::SweepOptions {
        tag_key: settings.scope_tag_key.clone(),
        ..super::SweepOptions::default()
    };
    let clients = SweepClients::for_regions(aws, &settings.sweep_regions);
    let handler =
        SweepHandler::new(clients, recorder, store, options).with_params(settings.params.clone());
    if !settings.organization_sweep {
        return Ok(handler);
    }
    let queue_url = settings
        .sweep_queue_url
        .clone()
        .ok_or("an organization sweep needs SWEEP_QUEUE_URL")?;
    let own = crate::member::own_account(aws)
        .await
        .map_err(|e| e.to_string())?;
    Ok(handler.with_organization(Organization {
        filter: settings.account_filter.clone(),
        queue: Queue::new(aws_sdk_sqs::Client::new(aws), queue_url),
        accounts: Accounts::new(aws.clone(), own, settings.member_role.clone()),
    }))
}

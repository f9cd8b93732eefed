//! The scheduled sweep: every check over every in-scope GenAI resource, in every configured
//! region, filed within Audit Manager's limits.
//!
//! A run is a list of **units** (one service in one region, or a global service), done in an
//! order that lets scope flow forward: Bedrock and SageMaker first (every resource of theirs is in
//! scope, and they name the buckets, keys, roles and log groups they use), then IAM and S3, then
//! CloudTrail, Logs and KMS (buckets, trails and log groups name keys too). Each unit collects,
//! evaluates, files changed verdicts at once through the [`Recorder`], and writes its report lines
//! and scope links to the evidence bucket (`runs/<run>/<unit>.json`). The run's progress lives in
//! the ledger (`run#<id>`, with a lease), so an invocation that nears Lambda's time limit stops
//! between units and the next invocation (the `{"continue": true}` schedule) resumes where it
//! stopped. When every unit is done, one digest per control is filed from the parts, and the
//! run's HTML report for the auditor ([`report`]) beside them.
//!
//! A run's id is the schedule event's id: a duplicate delivery of the same event finds its run
//! (complete, or leased by the invocation running it) and files nothing.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Value, json};

use crate::adapters::ledger::Ledger;
pub mod organization;
mod report;
mod unit;

use crate::adapters::{Scope, tagging};
use crate::catalog::{Params, framework_control};
use crate::domain::outcome::Verdict;
use crate::domain::resource::ResourceRef;
use crate::domain::scope::{Link, ScopeMap, Target};
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::evaluate::evaluate;
use crate::metrics::Figures;
use crate::readers::Clients;
use crate::recorder::{
    DigestOutcome, DigestReport, Recorder, SecurityHubReport, merge_security_hub_report,
};
use crate::sinks::digest::ReportLine;
use crate::sinks::html::Head;
use crate::sinks::reports::ReportStore;
use crate::sinks::trend::{Counts, RunCounts};

/// The IAM actions the sweep calls besides the collectors' (`CollectorReadPolicy`), the ledger's
/// and the sinks'.
pub const REQUIRED_ACTIONS: &[&str] = &["tag:GetResources"];

/// How long a run's lease lasts by default: longer than one invocation (Lambda's limit is 15
/// minutes).
pub const LEASE: Duration = Duration::from_secs(16 * 60);
/// Days run records and checkpoints are kept.
const RUN_TTL_DAYS: u32 = 7;
/// At most this many scope entries are listed in a summary.
const MAX_LISTED_SCOPE: usize = 200;

/// Every client the sweep uses: the [readers'](crate::readers) clients of each region swept
/// (the global services, IAM and S3, through the first, the home region).
#[derive(Debug, Clone)]
pub struct SweepClients {
    /// The regions swept (the first is the home region).
    pub regions: Vec<Clients>,
}

impl SweepClients {
    /// Clients for `regions` (empty: the region of `conf`), sharing `conf`'s credentials and
    /// retry settings.
    pub fn for_regions(conf: &aws_config::SdkConfig, regions: &[String]) -> Self {
        let regions = if regions.is_empty() {
            vec![Clients::from_conf(conf)]
        } else {
            regions
                .iter()
                .map(|r| {
                    Clients::from_conf(
                        &conf
                            .to_builder()
                            .region(aws_config::Region::new(r.clone()))
                            .build(),
                    )
                })
                .collect()
        };
        Self { regions }
    }
}

/// Knobs of the sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// The scope tag key.
    pub tag_key: String,
    /// Stop (and checkpoint) when less than this is left before Lambda's deadline.
    pub time_reserve: Duration,
    /// Stop (and checkpoint) after this many units in one invocation (`None`: no limit).
    pub max_units_per_invocation: Option<usize>,
    /// How long an invocation holds the run ([`LEASE`]): a run whose invocation died (a timeout,
    /// a crash) is taken over by the next one once its lease has passed. Tests shorten it.
    pub lease: Duration,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            tag_key: crate::settings::DEFAULT_SCOPE_TAG_KEY.into(),
            time_reserve: Duration::from_secs(180),
            max_units_per_invocation: None,
            lease: LEASE,
        }
    }
}

/// The invocation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The payload is neither a schedule event nor a continuation.
    #[error("invalid sweep event: {0}")]
    InvalidEvent(String),
    /// The ledger or the evidence bucket failed: the run cannot keep its state.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// A run record in the ledger is not what this version writes.
    #[error("run record {0} is malformed")]
    BadRunRecord(String),
    /// A ledger record kept changing under this invocation (other workers writing it), or the
    /// invocation ran out of time: the work is left to a retry.
    #[error("left for a retry: {0}")]
    Contended(String),
    /// A member account's role could not be assumed for a reason that may pass (throttling).
    #[error(transparent)]
    Member(#[from] crate::member::MemberError),
}

impl SweepError {
    /// A stable `errorType` for the Lambda error response.
    pub fn error_type(&self) -> &'static str {
        match self {
            SweepError::InvalidEvent(_) => "InvalidEvent",
            SweepError::Aws(e) if e.is_retryable() => "Retryable",
            SweepError::Aws(_) => "AwsError",
            SweepError::BadRunRecord(_) => "BadRunRecord",
            SweepError::Contended(_) | SweepError::Member(_) => "Retryable",
        }
    }
}

/// What the invocation asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SweepRequest {
    /// A schedule delivery: start (or resume) the run named after the event.
    Start {
        /// The event id: the run id.
        run_id: String,
        /// The account.
        account_id: String,
    },
    /// Resume the open run, if any.
    Continue,
}

/// Parses the payload: an EventBridge "Scheduled Event", or `{"continue": true}`.
pub fn parse_request(payload: &Value) -> Result<SweepRequest, SweepError> {
    let Some(object) = payload.as_object() else {
        return Err(SweepError::InvalidEvent(
            "expected a JSON object (an EventBridge Scheduled Event or {\"continue\": true})"
                .into(),
        ));
    };
    // The continuation the sweep's own schedule sends: `true`, and nothing else, continues.
    if let Some(value) = object.get("continue") {
        return match value {
            Value::Bool(true) => Ok(SweepRequest::Continue),
            other => Err(SweepError::InvalidEvent(format!(
                "continue is {}, expected true",
                echo(&other.to_string())
            ))),
        };
    }
    let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or_default();
    if text("detail-type") != "Scheduled Event" {
        return Err(SweepError::InvalidEvent(format!(
            "detail-type is {}, expected \"Scheduled Event\"",
            echo(text("detail-type"))
        )));
    }
    let run_id = text("id");
    let safe = !run_id.is_empty()
        && run_id.len() <= 64
        && run_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !safe {
        return Err(SweepError::InvalidEvent(format!(
            "event id {} is not an EventBridge event id",
            echo(run_id)
        )));
    }
    let account_id = text("account");
    if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SweepError::InvalidEvent(format!(
            "account {} is not an AWS account id",
            echo(account_id)
        )));
    }
    Ok(SweepRequest::Start {
        run_id: run_id.to_owned(),
        account_id: account_id.to_owned(),
    })
}

/// Untrusted event text as an error quotes it: debug-quoted, cut to 64 characters.
fn echo(text: &str) -> String {
    genai_evidence_core::text::truncate_chars(&format!("{text:?}"), 64)
}

/// Whether to stop before the next unit: the unit limit is reached, or less than `reserve` is
/// left before `deadline`. An invocation always runs at least one unit while its deadline is
/// ahead, so a run makes progress whatever the function's timeout.
pub fn should_stop(
    units_this_invocation: usize,
    max_units: Option<usize>,
    now: SystemTime,
    deadline: Option<SystemTime>,
    reserve: Duration,
) -> bool {
    let left = deadline.map(|d| d.duration_since(now).unwrap_or_default());
    if units_this_invocation == 0 {
        return left.is_some_and(|left| left.is_zero());
    }
    max_units.is_some_and(|max| units_this_invocation >= max)
        || left.is_some_and(|left| left < reserve)
}

/// Lambda's deadline (`Lambda-Runtime-Deadline-Ms`) as a time, or `None` when it is absent or
/// already past at the start of the invocation (as local runtimes may send): no deadline then.
pub fn lambda_deadline(deadline_ms: u64, now: SystemTime) -> Option<SystemTime> {
    let deadline = SystemTime::UNIX_EPOCH + Duration::from_millis(deadline_ms);
    (deadline > now).then_some(deadline)
}

pub use crate::readers::Service;
pub use report::{ReportFiling, RunReport};

/// One unit of work of a run: a service, in one region (`None` for a global service), of one
/// account (`None`: the run's own account). Written as `service[@region][#account]`, e.g.
/// `bedrock@us-east-1`, `iam`, `kms@eu-west-1#111122223333`: the form stored in run records,
/// part keys and summaries.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub struct Unit {
    /// The service.
    pub service: Service,
    /// The region; `None` for a global service.
    pub region: Option<String>,
    /// The account; `None` for the run's own.
    pub account: Option<String>,
}

impl Unit {
    /// The unit of `service` in `region` (ignored for a global service) of the run's account.
    pub fn new(service: Service, region: &str) -> Self {
        Self {
            service,
            region: (!service.is_global()).then(|| region.to_owned()),
            account: None,
        }
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.service.name())?;
        if let Some(region) = &self.region {
            write!(f, "@{region}")?;
        }
        if let Some(account) = &self.account {
            write!(f, "#{account}")?;
        }
        Ok(())
    }
}

impl From<Unit> for String {
    fn from(unit: Unit) -> Self {
        unit.to_string()
    }
}

impl TryFrom<String> for Unit {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let (rest, account) = match text.split_once('#') {
            Some((rest, account)) => (rest, Some(account.to_owned())),
            None => (text.as_str(), None),
        };
        let (name, region) = match rest.split_once('@') {
            Some((name, region)) => (name, Some(region.to_owned())),
            None => (rest, None),
        };
        let service = Service::from_name(name).ok_or_else(|| format!("unknown unit {text:?}"))?;
        if region.is_none() != service.is_global() {
            return Err(format!(
                "unit {text:?}: a region is needed exactly for a regional service"
            ));
        }
        Ok(Self {
            service,
            region,
            account,
        })
    }
}

/// The phases of a run ([`Service::ORDER`]): Bedrock and SageMaker, then the global IAM and
/// S3, then CloudTrail, Logs and KMS. A phase's units need the links of the phases before.
pub const PHASES: [&[Service]; 3] = [
    &[Service::Bedrock, Service::SageMaker],
    &[Service::Iam, Service::S3],
    &[Service::CloudTrail, Service::Logs, Service::Kms],
];

/// The phase `service` belongs to (an index into [`PHASES`]).
pub fn phase_of(service: Service) -> usize {
    PHASES
        .iter()
        .position(|phase| phase.contains(&service))
        .unwrap_or(PHASES.len())
}

/// The units of a run over `regions`, phase by phase ([`PHASES`]): Bedrock and SageMaker per
/// region, then the global IAM and S3, then CloudTrail, Logs and KMS per region.
pub fn plan_units(regions: &[String]) -> Vec<Unit> {
    let mut units = Vec::new();
    for phase in PHASES {
        if phase.iter().all(|s| s.is_global()) {
            units.extend(phase.iter().map(|s| Unit::new(*s, "")));
            continue;
        }
        for region in regions {
            units.extend(phase.iter().map(|s| Unit::new(*s, region)));
        }
    }
    units
}

/// The run's state in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunRecord {
    run_id: String,
    account_id: String,
    started_at: String,
    units: Vec<Unit>,
    done: Vec<Unit>,
    complete: bool,
    lease_until: i64,
    /// An organization run's accounts and their progress (`None`: the run's own account, with
    /// its units above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    organization: Option<organization::Plan>,
}

impl RunRecord {
    /// Every unit of the run: its own, or, for an organization run, every account's.
    fn all_units(&self) -> Vec<Unit> {
        match &self.organization {
            Some(plan) => plan.units(),
            None => self.units.clone(),
        }
    }
}

/// A run this invocation holds the lease of.
struct Run {
    key: String,
    version: u64,
    record: RunRecord,
    /// When this invocation claimed it.
    started: Timestamp,
}

impl Run {
    /// The units not done yet, in order.
    fn pending(&self) -> Vec<Unit> {
        self.record
            .units
            .iter()
            .filter(|u| !self.record.done.contains(u))
            .cloned()
            .collect()
    }
}

/// What [`SweepHandler::claim`] found.
enum Claimed {
    /// The run, leased to this invocation.
    Run(Box<Run>),
    /// Not to be run now: `duplicate`, `busy` or `idle`.
    Not(&'static str),
}

/// One unit's checkpoint in the evidence bucket.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    links: Vec<(String, String, String)>,
    lines: Vec<ReportLine>,
    scope: Vec<ScopeEntry>,
    excluded: Vec<ScopeEntry>,
    errors: Vec<String>,
    /// What Security Hub took of this unit's changed verdicts (this invocation's; not kept in
    /// the checkpoint: a finding not taken stays open in the ledger).
    #[serde(skip)]
    security_hub: Option<SecurityHubReport>,
}

/// A resource and why it is (or is not) in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeEntry {
    /// The resource type.
    pub resource_type: String,
    /// The resource id.
    pub resource_id: String,
    /// The ARN, when known.
    pub arn: Option<String>,
    /// The region.
    pub region: String,
    /// Why it is in scope (or, for an excluded resource, the tag that excluded it).
    pub reasons: Vec<String>,
}

/// What the invocation did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepSummary {
    /// The run.
    pub run: Option<String>,
    /// `complete`, `continuing` (checkpointed; the next invocation resumes), `duplicate` (this
    /// delivery's run was already complete), `busy` (another invocation holds the run) or `idle`
    /// (nothing to continue).
    pub status: &'static str,
    /// Units done in this invocation.
    pub units_this_invocation: Vec<Unit>,
    /// Units left for later invocations.
    pub units_left: Vec<Unit>,
    /// Resources in scope (complete run: all units; otherwise this invocation's).
    pub in_scope: usize,
    /// Resources a scope tag excluded.
    pub excluded: usize,
    /// Findings by verdict.
    pub verdicts: BTreeMap<Verdict, usize>,
    /// Verdicts changed since the last evidence.
    pub changed: usize,
    /// Changes filed as their own evidence item.
    pub filed: usize,
    /// Changes carried by the digest (past 90% of the day's budget, or failed on their own).
    pub carried: usize,
    /// The digests (complete run only).
    pub digests: Vec<DigestReport>,
    /// The auditor's HTML report of the run (complete run only).
    pub report: Option<RunReport>,
    /// Scope, resource by resource, with reasons (at most 200 listed).
    pub scope: Vec<ScopeEntry>,
    /// Resources tagged out of scope.
    pub excluded_resources: Vec<ScopeEntry>,
    /// Services or calls that failed (their resources are could-not-evaluate findings).
    pub errors: Vec<String>,
    /// What the Security Hub sink did in this invocation, when it is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_hub: Option<SecurityHubReport>,
    /// An organization run's accounts and units (the planner's invocations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<organization::OrganizationSummary>,
    /// This invocation's metrics (emitted as EMF by the function, not returned): the findings
    /// of the units it ran, and the digests it filed.
    #[serde(skip)]
    pub figures: Figures,
}

/// The scheduled-sweep function's logic, with its clients built once per container.
pub struct SweepHandler {
    clients: SweepClients,
    recorder: Recorder,
    ledger: Ledger,
    store: ReportStore,
    options: SweepOptions,
    params: Params,
    organization: Option<organization::Organization>,
}

impl SweepHandler {
    /// A sweep reading with `clients`, filing through `recorder`, keeping run state in `ledger`
    /// and checkpoints and reports in `store`.
    pub fn new(
        clients: SweepClients,
        recorder: Recorder,
        store: ReportStore,
        options: SweepOptions,
    ) -> Self {
        let ledger = recorder.ledger().clone();
        Self {
            clients,
            recorder,
            ledger,
            store,
            options,
            params: Params::default(),
            organization: None,
        }
    }

    /// The same sweep evaluating with `params`: the deployment's rule parameters
    /// (`Settings::params`, from `RULE_PARAMETERS`), the ones the Config rule and the drift
    /// function use. Without it, the defaults (as with `RULE_PARAMETERS` unset). Each unit
    /// measures ages from its own time.
    pub fn with_params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// The rule parameters the sweep evaluates with.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Handles one invocation; `deadline` is Lambda's (the sweep checkpoints before it).
    pub async fn handle(
        &self,
        payload: &Value,
        deadline: Option<SystemTime>,
    ) -> Result<SweepSummary, SweepError> {
        let request = parse_request(payload)?;
        if self.organization.is_some() {
            return self.plan(&request).await;
        }
        let run_id = match &request {
            SweepRequest::Start { run_id, .. } => run_id.clone(),
            SweepRequest::Continue => match self.ledger.get_versioned("run#open").await?.1 {
                Some(doc) => match doc.get("runId").and_then(Value::as_str) {
                    Some(id) => id.to_owned(),
                    None => return Ok(idle()),
                },
                None => return Ok(idle()),
            },
        };
        let mut run = match self.claim(&request, &run_id).await? {
            Claimed::Run(run) => *run,
            Claimed::Not(status) => {
                return Ok(SweepSummary {
                    run: Some(run_id),
                    status,
                    ..SweepSummary::default()
                });
            }
        };
        tracing::info!(run = %run_id, done = run.record.done.len(), units = run.record.units.len(), "sweep running");
        let mut summary = SweepSummary {
            run: Some(run_id.clone()),
            status: "continuing",
            ..SweepSummary::default()
        };
        let mut map = self.scope_map(&run, &mut summary).await?;
        self.run_pending(&mut run, &mut map, &mut summary, deadline)
            .await?;
        summary.units_left = run.pending();
        if !summary.units_left.is_empty() {
            run.record.lease_until = 0;
            self.save(&run.key, &run.record, &mut run.version).await?;
            tracing::info!(run = %run_id, left = summary.units_left.len(), "sweep checkpointed; the next invocation continues");
            return Ok(summary);
        }
        self.finish(&mut run, &mut summary).await?;
        Ok(summary)
    }

    /// Reads (or starts) the run and takes its lease; `Not(status)` when this invocation must
    /// not run it (`duplicate`, `busy`, `idle`).
    async fn claim(&self, request: &SweepRequest, run_id: &str) -> Result<Claimed, SweepError> {
        let key = format!("run#{run_id}");
        let now = Timestamp::now();
        let (mut version, existing) = self.ledger.get_versioned(&key).await?;
        let mut record = match (existing, request) {
            (Some(doc), _) => serde_json::from_value::<RunRecord>(doc)
                .map_err(|_| SweepError::BadRunRecord(key.clone()))?,
            (None, SweepRequest::Start { account_id, .. }) => RunRecord {
                run_id: run_id.to_owned(),
                account_id: account_id.clone(),
                started_at: now.to_string(),
                units: plan_units(
                    &self
                        .clients
                        .regions
                        .iter()
                        .map(|r| r.region.clone())
                        .collect::<Vec<_>>(),
                ),
                done: Vec::new(),
                complete: false,
                lease_until: 0,
                organization: None,
            },
            (None, SweepRequest::Continue) => return Ok(Claimed::Not("idle")),
        };
        if record.complete {
            tracing::info!(run = %run_id, "run already complete: duplicate delivery");
            if *request == SweepRequest::Continue {
                // The invocation that completed it died before clearing `run#open`.
                self.close(run_id).await?;
            }
            return Ok(Claimed::Not("duplicate"));
        }
        if record.lease_until > now.epoch_seconds() {
            tracing::info!(run = %run_id, "another invocation holds this run");
            return Ok(Claimed::Not("busy"));
        }
        record.lease_until = now.epoch_seconds() + self.options.lease.as_secs() as i64;
        if !self.save(&key, &record, &mut version).await? {
            return Ok(Claimed::Not("busy"));
        }
        // Not only when the run is created: an invocation that created it may have failed
        // before `run#open` named it, and the continuations would never find it.
        self.open(run_id).await?;
        Ok(Claimed::Run(Box::new(Run {
            key,
            version,
            record,
            started: now,
        })))
    }

    /// The scope map at the start of this invocation: the scope tags of every region, and the
    /// links the units already done found.
    async fn scope_map(
        &self,
        run: &Run,
        summary: &mut SweepSummary,
    ) -> Result<ScopeMap, SweepError> {
        self.scope_map_of(
            &self.clients,
            &run.record.run_id,
            &run.record.done,
            &mut summary.errors,
        )
        .await
    }

    /// The scope map of one account: its scope tags in every region of `clients`, and the
    /// links its units `done` found.
    async fn scope_map_of(
        &self,
        clients: &SweepClients,
        run_id: &str,
        done: &[Unit],
        errors: &mut Vec<String>,
    ) -> Result<ScopeMap, SweepError> {
        let mut map = ScopeMap::new(self.options.tag_key.clone());
        for region in &clients.regions {
            match tagging::tagged_arns(&region.tagging, &self.options.tag_key).await {
                Ok(tagged) => {
                    for (arn, value) in tagged {
                        map.apply_tag(&arn, &value);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "scope tags unreadable");
                    errors.push(format!("{}: scope tags not applied ({e})", region.region));
                }
            }
        }
        for unit in done {
            let part = self.read_part(run_id, unit).await?;
            for (kind, id, reason) in part.links {
                if let Some(target) = target_of(&kind, &id) {
                    map.insert(Link { target, reason });
                }
            }
        }
        Ok(map)
    }

    /// Runs the units not done yet, checkpointing each, until they are all done or the
    /// invocation must stop.
    async fn run_pending(
        &self,
        run: &mut Run,
        map: &mut ScopeMap,
        summary: &mut SweepSummary,
        deadline: Option<SystemTime>,
    ) -> Result<(), SweepError> {
        let home = Scope {
            account_id: run.record.account_id.clone(),
            region: self
                .clients
                .regions
                .first()
                .map(|r| r.region.clone())
                .unwrap_or_default(),
        };
        for unit in run.pending() {
            if should_stop(
                summary.units_this_invocation.len(),
                self.options.max_units_per_invocation,
                SystemTime::now(),
                deadline,
                self.options.time_reserve,
            ) {
                break;
            }
            let part = self.run_unit(&unit, &home, map).await;
            summary.in_scope += part.scope.len();
            summary.excluded += part.excluded.len();
            summarize_lines(summary, &part.lines);
            extend_listed(&mut summary.scope, &part.scope);
            extend_listed(&mut summary.excluded_resources, &part.excluded);
            summary.errors.extend(part.errors.iter().cloned());
            if let Some(report) = part.security_hub.clone() {
                merge_security_hub_report(
                    summary.security_hub.get_or_insert_with(Default::default),
                    report,
                );
            }
            part.errors
                .iter()
                .for_each(|e| summary.figures.count_error(e));
            self.store
                .put_json(&part_key(&run.record.run_id, &unit), &part)
                .await?;
            run.record.done.push(unit.clone());
            if !self.save(&run.key, &run.record, &mut run.version).await? {
                return Err(SweepError::BadRunRecord(format!(
                    "{} was changed by another invocation while this one held the lease",
                    run.key
                )));
            }
            summary.units_this_invocation.push(unit);
        }
        Ok(())
    }

    /// Every unit is done: one digest per control from every part, the HTML report of the run,
    /// then the run is complete. Memory holds one part and one control's lines at a time (and the
    /// report's text): the parts are read once to count, then once per control. Counts cover the
    /// whole run, not only this invocation's.
    async fn finish(&self, run: &mut Run, summary: &mut SweepSummary) -> Result<(), SweepError> {
        let run_id = run.record.run_id.clone();
        summary.in_scope = 0;
        summary.excluded = 0;
        let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
        let units = run.record.all_units();
        // An organization run reads each part once and keeps the lines by control (hundreds of
        // accounts' parts, read again per control, would be tens of thousands of reads).
        let keep = run.record.organization.is_some();
        let mut kept: BTreeMap<String, Vec<ReportLine>> = BTreeMap::new();
        for unit in &units {
            let part = self.read_part(&run_id, unit).await?;
            summary.in_scope += part.scope.len();
            summary.excluded += part.excluded.len();
            for line in part.lines {
                counts
                    .entry(line.control.clone())
                    .or_default()
                    .add(line.verdict);
                if keep {
                    kept.entry(line.control.clone()).or_default().push(line);
                }
            }
        }
        let day = run.started.day();
        let trend = self.record_trend(run, &counts).await;
        let mut html = report::Builder::default();
        for control_id in counts.keys() {
            let Some(control) = framework_control(control_id) else {
                continue;
            };
            let mut lines = kept.remove(control_id).unwrap_or_default();
            if !keep {
                for unit in &units {
                    let part = self.read_part(&run_id, unit).await?;
                    lines.extend(part.lines.into_iter().filter(|l| &l.control == control_id));
                }
            }
            let report_key = format!("evidence/{day}/{control_id}/{run_id}.json");
            let now = Timestamp::now();
            let digest = self
                .recorder
                .file_digest_of(
                    control,
                    &format!("scheduled sweep {run_id} ({day})"),
                    &report_key,
                    &mut lines,
                    now,
                )
                .await;
            html.add(control, &lines, &digest, &now.day());
            match &digest.outcome {
                DigestOutcome::Filed(_) => summary.figures.filed += 1,
                DigestOutcome::Deferred(_) => summary.figures.failed += 1,
                DigestOutcome::AlreadyFiled => {}
            }
            summary.digests.push(digest);
        }
        summary.report = Some(self.write_report(run, &html, trend).await);
        run.record.complete = true;
        run.record.lease_until = 0;
        self.save(&run.key, &run.record, &mut run.version).await?;
        self.close(&run_id).await?;
        summary.status = "complete";
        tracing::info!(run = %run_id, digests = summary.digests.len(), "sweep complete");
        Ok(())
    }

    /// Records the run's counts in the ledger's trend window and returns the window (oldest run
    /// first); when the ledger fails, this run alone, with why.
    async fn record_trend(
        &self,
        run: &Run,
        counts: &BTreeMap<String, Counts>,
    ) -> (Vec<RunCounts>, Option<String>) {
        let entry = RunCounts {
            run: run.record.run_id.clone(),
            started_at: run.record.started_at.clone(),
            controls: counts.clone(),
        };
        match self.ledger.record_run_counts(entry.clone()).await {
            Ok(window) => (window, None),
            Err(e) => {
                tracing::error!(error = %e, "the trend window could not be recorded: the report shows this run alone");
                (vec![entry], Some(e.to_string()))
            }
        }
    }

    /// Writes the run's HTML report beside the JSON reports and files it on every control whose
    /// digest is filed. A report that cannot be written is reported, not an error: the digests
    /// stand on their own.
    async fn write_report(
        &self,
        run: &Run,
        html: &report::Builder,
        (trend, trend_error): (Vec<RunCounts>, Option<String>),
    ) -> RunReport {
        let run_id = &run.record.run_id;
        let key = format!("evidence/{}/report-{run_id}.html", run.started.day());
        let generated_at = Timestamp::now().to_string();
        let head = Head {
            run: run_id,
            account_id: &run.record.account_id,
            started_at: &run.record.started_at,
            generated_at: &generated_at,
            path: &self.store.path(&key),
        };
        let mut out = RunReport {
            trend_error,
            ..RunReport::default()
        };
        let path = match self
            .store
            .put_html(&key, html.document(&head, &trend))
            .await
        {
            Ok(path) => path,
            Err(e) => {
                tracing::error!(error = %e, "the HTML report could not be written");
                out.error = Some(e.to_string());
                return out;
            }
        };
        for (control, digest_id) in html.to_file() {
            let outcome = self
                .recorder
                .file_report(control, &digest_id, &path, Timestamp::now())
                .await;
            out.filed.push(ReportFiling {
                control: control.id,
                outcome,
            });
        }
        out.path = Some(path);
        out
    }

    async fn save(
        &self,
        key: &str,
        record: &RunRecord,
        version: &mut u64,
    ) -> Result<bool, SweepError> {
        let saved = self
            .ledger
            .put_document(key, &json!(record), *version, RUN_TTL_DAYS)
            .await?;
        if saved {
            *version += 1;
        }
        Ok(saved)
    }

    async fn open(&self, run_id: &str) -> Result<(), SweepError> {
        let (version, doc) = self.ledger.get_versioned("run#open").await?;
        if doc.and_then(|d| d.get("runId").cloned()) == Some(json!(run_id)) {
            return Ok(());
        }
        self.ledger
            .put_document(
                "run#open",
                &json!({ "runId": run_id }),
                version,
                RUN_TTL_DAYS,
            )
            .await?;
        Ok(())
    }

    async fn close(&self, run_id: &str) -> Result<(), SweepError> {
        let (version, doc) = self.ledger.get_versioned("run#open").await?;
        if doc.and_then(|d| d.get("runId").cloned()) == Some(json!(run_id)) {
            self.ledger
                .put_document("run#open", &json!({ "runId": null }), version, RUN_TTL_DAYS)
                .await?;
        }
        Ok(())
    }

    async fn read_part(&self, run_id: &str, unit: &Unit) -> Result<Part, SweepError> {
        Ok(self.store.get_json(&part_key(run_id, unit)).await?)
    }

    /// Collects, scopes, evaluates and files one unit.
    async fn run_unit(&self, unit: &Unit, home: &Scope, map: &mut ScopeMap) -> Part {
        self.run_unit_with(&self.clients, unit, home, map).await
    }

    /// [`Self::run_unit`] with `clients` (a member account's, for an organization run).
    async fn run_unit_with(
        &self,
        sweep_clients: &SweepClients,
        unit: &Unit,
        home: &Scope,
        map: &mut ScopeMap,
    ) -> Part {
        let region = unit.region.as_deref().unwrap_or(home.region.as_str());
        let scope = Scope {
            account_id: unit
                .account
                .clone()
                .unwrap_or_else(|| home.account_id.clone()),
            region: region.to_owned(),
        };
        let mut work = unit::UnitWork::new(unit, scope);
        let Some(clients) = sweep_clients
            .regions
            .iter()
            .find(|r| r.region == region)
            .or(sweep_clients.regions.first())
        else {
            work.part
                .errors
                .push(format!("{unit}: no clients for region {region}"));
            return work.part;
        };
        unit::read(&mut work, clients, map, sweep_clients.regions.len() > 1).await;
        if unit.service == crate::readers::Service::Iam {
            let enforcement = self.guardrail_enforcement(sweep_clients).await;
            crate::readers::set_guardrail_enforcement(
                work.subjects.iter_mut().map(|(s, _)| s),
                &enforcement,
            );
        }
        self.evaluate_and_file(work, map).await
    }

    /// Whether a protective guardrail is enforced on every model in every region of the run,
    /// for the checks on IAM identities allowed to invoke models (read when the IAM unit runs,
    /// so a resumed run reads it again rather than trusting an earlier invocation's view).
    async fn guardrail_enforcement(
        &self,
        sweep_clients: &SweepClients,
    ) -> crate::domain::resources::bedrock::GuardrailEnforcement {
        let mut regions = Vec::with_capacity(sweep_clients.regions.len());
        for clients in &sweep_clients.regions {
            let state = crate::adapters::enforced_guardrails::enforced_guardrails(
                &clients.bedrock,
                &clients.organizations,
                &clients.region,
            )
            .await;
            regions.push((clients.region.clone(), Ok(state)));
        }
        crate::catalog::bedrock::guardrail_enforcement(&regions, &self.params)
    }

    /// Evaluates the unit's subjects in scope, records their links, and files the changed
    /// verdicts (a subject tagged out was left out when it was read; its links do not count).
    async fn evaluate_and_file(&self, work: unit::UnitWork, map: &mut ScopeMap) -> Part {
        let unit::UnitWork {
            mut part, subjects, ..
        } = work;
        let now = Timestamp::now();
        let params = self.params.at(now);
        let mut findings = Vec::new();
        for (subject, reasons) in subjects {
            for link in &subject.links {
                map.insert(link.clone());
                part.links.push((
                    kind_of(&link.target).into(),
                    link.target.id().to_owned(),
                    link.reason.clone(),
                ));
            }
            part.scope.push(entry(&subject.resource, reasons.clone()));
            let context: Vec<String> = reasons
                .iter()
                .take(3)
                .map(|r| format!("In scope: {r}"))
                .collect();
            for mut finding in evaluate(&subject, &params, now) {
                finding.context = context.clone();
                findings.push(finding);
            }
        }
        part.lines = self
            .recorder
            .file_changes(&findings, None, now)
            .await
            .into_iter()
            .map(|(line, _)| line)
            .collect();
        part.security_hub = self.recorder.deliver_to_security_hub(&findings, now).await;
        part
    }
}

fn idle() -> SweepSummary {
    SweepSummary {
        status: "idle",
        ..SweepSummary::default()
    }
}

fn part_key(run_id: &str, unit: &Unit) -> String {
    format!(
        "runs/{run_id}/{}.json",
        unit.to_string().replace(['@', '#'], "-")
    )
}

fn entry(resource: &ResourceRef, reasons: Vec<String>) -> ScopeEntry {
    ScopeEntry {
        resource_type: resource.resource_type.clone(),
        resource_id: resource.resource_id.clone(),
        arn: resource.arn.clone(),
        region: resource.region.clone(),
        reasons,
    }
}

fn extend_listed(list: &mut Vec<ScopeEntry>, more: &[ScopeEntry]) {
    let room = MAX_LISTED_SCOPE.saturating_sub(list.len());
    list.extend(more.iter().take(room).cloned());
}

fn summarize_lines(summary: &mut SweepSummary, lines: &[ReportLine]) {
    count_findings(&mut summary.figures, lines);
    for line in lines {
        *summary.verdicts.entry(line.verdict).or_default() += 1;
        if line.filing.changed() {
            summary.changed += 1;
        }
        if line.filing == crate::sinks::digest::Filing::Filed {
            summary.filed += 1;
        }
        if line.filing.needs_digest() {
            summary.carried += 1;
        }
    }
}

/// Counts a unit's findings for the metrics: once each (a finding has one report line per
/// control it is filed under), and once under each control; and what became of their evidence.
fn count_findings(figures: &mut Figures, lines: &[ReportLine]) {
    use crate::sinks::digest::Filing;
    let mut findings: BTreeMap<(&str, &str, &str, &str, &str), Vec<&ReportLine>> = BTreeMap::new();
    for line in lines {
        let key = (
            line.check.as_str(),
            line.resource_type.as_str(),
            line.resource_id.as_str(),
            line.account_id.as_str(),
            line.region.as_str(),
        );
        findings.entry(key).or_default().push(line);
        match line.filing {
            Filing::Filed => figures.filed += 1,
            Filing::Folded => figures.folded += 1,
            Filing::Undelivered => figures.failed += 1,
            Filing::Unchanged | Filing::FiledElsewhere => {}
        }
    }
    for lines in findings.values() {
        let first = lines[0];
        figures.count(
            first.verdict,
            &first.observed,
            lines.iter().map(|l| l.control.as_str()),
        );
    }
}

fn kind_of(target: &Target) -> &'static str {
    match target {
        Target::Bucket(_) => "bucket",
        Target::Key(_) => "key",
        Target::Role(_) => "role",
        Target::LogGroup(_) => "logGroup",
    }
}

fn target_of(kind: &str, id: &str) -> Option<Target> {
    Some(match kind {
        "bucket" => Target::Bucket(id.to_owned()),
        "key" => Target::Key(id.to_owned()),
        "role" => Target::Role(id.to_owned()),
        "logGroup" => Target::LogGroup(id.to_owned()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_event_starts_the_run_named_after_its_id_and_continue_resumes() {
        let event: Value =
            serde_json::from_str(include_str!("../../../events/scheduled-sweep.json")).unwrap();
        match parse_request(&event).unwrap() {
            SweepRequest::Start { run_id, account_id } => {
                assert_eq!(account_id, "123456789012");
                assert!(!run_id.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_request(&json!({"continue": true})).unwrap(),
            SweepRequest::Continue
        );
    }

    #[test]
    fn malformed_sweep_events_are_clear_errors() {
        for bad in [
            json!([]),
            json!({"detail-type": "AWS API Call via CloudTrail", "id": "x", "account": "123456789012"}),
            json!({"detail-type": "Scheduled Event", "id": "../../etc", "account": "123456789012"}),
            json!({"detail-type": "Scheduled Event", "id": "abc", "account": "me"}),
        ] {
            let err = parse_request(&bad).unwrap_err();
            assert_eq!(err.error_type(), "InvalidEvent", "{bad}");
        }
    }

    #[test]
    fn a_continuation_that_is_not_true_and_long_hostile_text_are_named_and_cut_in_the_error() {
        let err = parse_request(&json!({"continue": "true"})).unwrap_err();
        assert!(
            err.to_string().contains("continue is \"\\\"true\\\"\""),
            "{err}"
        );
        let long = "x".repeat(1 << 20);
        for (field, bad) in [
            ("detail-type", json!({"detail-type": long})),
            (
                "event id",
                json!({"detail-type": "Scheduled Event", "id": long, "account": "123456789012"}),
            ),
            (
                "account",
                json!({"detail-type": "Scheduled Event", "id": "abc", "account": long}),
            ),
        ] {
            let message = parse_request(&bad).unwrap_err().to_string();
            assert!(message.contains(field), "{message}");
            assert!(message.len() < 300, "{} characters", message.len());
        }
    }

    #[test]
    fn the_sweep_stops_before_the_deadline_or_the_unit_limit() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let reserve = Duration::from_secs(180);
        assert!(!should_stop(0, None, now, None, reserve));
        assert!(!should_stop(
            5,
            None,
            now,
            Some(now + Duration::from_secs(600)),
            reserve
        ));
        assert!(should_stop(
            5,
            None,
            now,
            Some(now + Duration::from_secs(100)),
            reserve
        ));
        assert!(should_stop(
            0,
            None,
            now,
            Some(now - Duration::from_secs(1)),
            reserve
        ));
        assert!(should_stop(2, Some(2), now, None, reserve));
        assert!(!should_stop(1, Some(2), now, None, reserve));
    }

    #[test]
    fn a_deadline_already_past_at_the_start_means_no_deadline() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(lambda_deadline(0, now), None);
        assert_eq!(
            lambda_deadline(1_900_000, now),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_900))
        );
    }

    #[test]
    fn units_put_the_services_that_name_resources_before_the_ones_they_name() {
        let units = plan_units(&["us-east-1".into(), "eu-west-1".into()]);
        let at = |u: &str| units.iter().position(|x| x.to_string() == u).unwrap();
        assert!(at("sagemaker@eu-west-1") < at("s3"));
        assert!(at("bedrock@us-east-1") < at("iam"));
        assert!(at("s3") < at("kms@us-east-1"));
        assert!(at("logs@us-east-1") < at("kms@us-east-1"));
        assert!(at("cloudtrail@eu-west-1") < at("kms@eu-west-1"));
        assert_eq!(units.len(), 12);
    }

    #[test]
    fn units_are_typed_values_written_as_service_region_and_account() {
        for text in [
            "bedrock@us-east-1",
            "iam",
            "s3",
            "kms@eu-west-1#111122223333",
        ] {
            let unit = Unit::try_from(text.to_owned()).unwrap();
            assert_eq!(unit.to_string(), text);
            let json = serde_json::to_value(&unit).unwrap();
            assert_eq!(json, serde_json::json!(text));
            assert_eq!(serde_json::from_value::<Unit>(json).unwrap(), unit);
        }
        let kms = Unit::try_from("kms@eu-west-1#111122223333".to_owned()).unwrap();
        assert_eq!(
            (kms.service, kms.region.as_deref(), kms.account.as_deref()),
            (Service::Kms, Some("eu-west-1"), Some("111122223333"))
        );
        for bad in ["lambda@us-east-1", "iam@us-east-1", "kms", ""] {
            assert!(Unit::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        assert_eq!(
            part_key("run-1", &kms),
            "runs/run-1/kms-eu-west-1-111122223333.json"
        );
    }
}

//! The recorder: files findings as Audit Manager evidence through the ledger, so that evidence
//! is filed on state change only and Audit Manager's quota (100 manual items per control per day)
//! holds across every function.
//!
//! - A finding whose verdict is the one last evidenced (per check, resource and control) files
//!   nothing.
//! - A changed verdict (or a first sighting) is filed as its own item while the control's
//!   day stays under 90% of the quota. Past that it is *folded*: the ledger is not advanced, so
//!   the next digest (the scheduled sweep's) carries it. Nothing is dropped.
//! - Each change is claimed in the ledger with a conditional write before it is filed, and the
//!   claim is rolled back if filing fails: concurrent functions never file it twice, and a failed
//!   filing is retried by the next run. A function that loses the claim to another filing a
//!   *different* verdict files its own as a change from that one. The claim stays pending until the filing is confirmed
//!   (for [`CLAIM_LEASE`]): if the invocation dies in between (a timeout, a crash), the claim
//!   lapses and the change is seen again, never lost. Audit Manager's import is not idempotent,
//!   so a death after Audit Manager took an item and before the ledger's confirmation files that
//!   item again once the claim has lapsed: repeated, never lost.
//! - The sweep files one digest per control per run ([`Recorder::file_digest`]): a text and a
//!   JSON report in the evidence bucket, only when its verdicts differ from a digest already
//!   filed that day. The last 10% of the quota is kept for digests. The run's HTML report is
//!   filed beside each digest ([`Recorder::file_report`]), once per digest.
//! - Security Hub, when switched on, receives the same changed verdicts as ASFF findings
//!   ([`Recorder::deliver_to_security_hub`]), one per check and resource, through its own ledger
//!   marker (`securityhub#<check>#<identity>`) claimed, confirmed and released as a verdict's
//!   is: independent of Audit Manager's per-control keys, quota and folding, so a finding
//!   Security Hub did not take is sent again by the next run and an unchanged one never.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::adapters::ledger::{Ledger, securityhub_key, verdict_key, verdict_key_of};
use crate::catalog::{FrameworkControl, find_check, framework_control};
use crate::domain::outcome::Verdict;
use crate::domain::resource::identity_of;
use crate::domain::time::Timestamp;
use crate::finding::Finding;
use crate::settings::Settings;
use crate::sinks::auditmanager::{AuditManagerSink, EvidenceItem, RetryPolicy};
use crate::sinks::digest::{
    Filing, ReportLine, digest_id, digest_text, report as report_of, sort_worst_first,
};
use crate::sinks::reports::ReportStore;
use crate::sinks::securityhub::{self, SecurityHubSink};
use crate::sinks::text::evidence_text;
use crate::sinks::{Delivery, Undelivered};

/// Audit Manager's quota of manual evidence items per control per day, and the share of it
/// individual findings may use (the rest is kept for digests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Items per control per day (Audit Manager: 100).
    pub daily_quota: u32,
    /// Items per control per day that individual findings may use (90%).
    pub individual_limit: u32,
    /// Only changes to `NON_COMPLIANT` are filed on their own; the others are carried by the
    /// day's digest. An organization run shares each control's 100 items a day among every
    /// account, so its individual items go to the worst changes, whichever account's unit
    /// comes first.
    pub individual_only_non_compliant: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            daily_quota: 100,
            individual_limit: 90,
            individual_only_non_compliant: false,
        }
    }
}

/// How long a claim (of a verdict change, of a digest) waits for its filing to be confirmed
/// before it lapses: longer than any invocation (Lambda's limit is 15 minutes).
pub const CLAIM_LEASE: Duration = Duration::from_secs(16 * 60);

/// Where findings are filed.
pub struct Recorder {
    ledger: Ledger,
    auditmanager: Option<AuditManagerSink>,
    security_hub: Option<SecurityHubSink>,
    reports: Option<ReportStore>,
    budget: Budget,
    claim_lease: Duration,
}

impl Recorder {
    /// The same recorder filing only changes to `NON_COMPLIANT` on their own
    /// ([`Budget::individual_only_non_compliant`]): an organization run's.
    pub fn individually_only_non_compliant(mut self) -> Self {
        self.budget.individual_only_non_compliant = true;
        self
    }
}

/// What [`Recorder::record_changes`] did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordReport {
    /// Findings × framework controls considered.
    pub considered: usize,
    /// Same verdict as the last evidence: nothing filed.
    pub unchanged: usize,
    /// Changed verdicts (first sightings included).
    pub changed: usize,
    /// Changes filed as their own evidence item.
    pub filed: usize,
    /// Changes another invocation filed first.
    pub filed_elsewhere: usize,
    /// Changes past 90% of the day's budget, left for the next digest.
    pub folded: usize,
    /// Changes whose evidence could not be filed, with why (retried by the next run).
    pub undelivered: Vec<Undelivered>,
    /// What the Security Hub sink did, when it is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_hub: Option<SecurityHubReport>,
}

/// What [`Recorder::deliver_to_security_hub`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityHubReport {
    /// Findings considered (one per check and resource).
    pub considered: usize,
    /// Same verdict as the one Security Hub last took: nothing sent.
    pub unchanged: usize,
    /// Findings Security Hub took.
    pub delivered: Vec<Delivery>,
    /// Changes another invocation delivered first.
    pub delivered_elsewhere: usize,
    /// Findings not delivered, with why (sent again by the next run).
    pub undelivered: Vec<Undelivered>,
}

/// What [`Recorder::file_digest`] did for one control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestReport {
    /// The framework control.
    pub control: &'static str,
    /// Findings in the digest.
    pub findings: usize,
    /// Changes the digest carries (folded or undelivered on their own).
    pub carried: usize,
    /// What happened.
    pub outcome: DigestOutcome,
}

/// The fate of one digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status", content = "detail")]
pub enum DigestOutcome {
    /// The text and the report were filed; the report is at this path.
    Filed(String),
    /// A digest with the same verdicts was already filed today.
    AlreadyFiled,
    /// Not filed (no budget left today, Audit Manager or S3 failed): the changes it carries stay
    /// open in the ledger for the next run.
    Deferred(String),
}

impl Recorder {
    /// A recorder filing into `auditmanager` through `ledger`; digests write their JSON report
    /// into `reports`.
    pub fn new(
        ledger: Ledger,
        auditmanager: AuditManagerSink,
        reports: Option<ReportStore>,
        budget: Budget,
    ) -> Self {
        Self {
            ledger,
            auditmanager: Some(auditmanager),
            security_hub: None,
            reports,
            budget,
            claim_lease: CLAIM_LEASE,
        }
    }

    /// A recorder with the Audit Manager sink off, delivering changed verdicts to Security Hub
    /// alone (through `ledger`).
    pub fn security_hub_only(ledger: Ledger, security_hub: SecurityHubSink) -> Self {
        Self {
            ledger,
            auditmanager: None,
            security_hub: Some(security_hub),
            reports: None,
            budget: Budget::default(),
            claim_lease: CLAIM_LEASE,
        }
    }

    /// The same recorder also delivering changed verdicts to Security Hub.
    pub fn with_security_hub(mut self, security_hub: SecurityHubSink) -> Self {
        self.security_hub = Some(security_hub);
        self
    }

    /// Whether Audit Manager evidence is filed (the sink is on).
    pub fn files_audit_manager(&self) -> bool {
        self.auditmanager.is_some()
    }

    /// The same recorder with claims lapsing after `lease` ([`CLAIM_LEASE`] by default; tests
    /// shorten it to stand for the time after which a dead invocation's claims lapse).
    pub fn with_claim_lease(mut self, lease: Duration) -> Self {
        self.claim_lease = lease;
        self
    }

    /// The recorder the settings describe: `None` unless `LEDGER_TABLE` is set and a sink is
    /// on (Audit Manager: `AUDIT_MANAGER_SINK` enabled and `ASSESSMENT_ID` set; Security Hub:
    /// `SECURITY_HUB_SINK` enabled, in the SDK configuration's region). Clients are built from
    /// `aws` once, at cold start.
    pub fn from_settings(settings: &Settings, aws: &aws_config::SdkConfig) -> Option<Self> {
        let table = settings.ledger_table.clone()?;
        let auditmanager = settings
            .assessment_id
            .clone()
            .filter(|_| settings.sinks.audit_manager)
            .map(|assessment_id| {
                AuditManagerSink::new(
                    aws_sdk_auditmanager::Client::new(aws),
                    assessment_id,
                    settings.control_overrides.clone(),
                    RetryPolicy::default(),
                )
            });
        let security_hub = security_hub_sink(settings, aws);
        if auditmanager.is_none() && security_hub.is_none() {
            return None;
        }
        let reports = settings.evidence_bucket.as_ref().map(|bucket| {
            ReportStore::new(
                aws_sdk_s3::Client::new(aws),
                bucket.clone(),
                settings.evidence_kms_key.clone(),
            )
        });
        Some(Self {
            ledger: Ledger::new(aws_sdk_dynamodb::Client::new(aws), table),
            auditmanager,
            security_hub,
            reports,
            budget: Budget::default(),
            claim_lease: CLAIM_LEASE,
        })
    }

    /// The ledger this recorder files through.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Files the changed verdicts among `findings` as individual evidence (within 90% of each
    /// control's daily budget). `origin`, when given, is added to every evidence text (e.g. who
    /// made the API call that triggered the evaluation).
    pub async fn record_changes(&self, findings: &[Finding], origin: Option<&str>) -> RecordReport {
        let now = Timestamp::now();
        let lines = self.file_changes(findings, origin, now).await;
        let mut report = RecordReport {
            considered: lines.len(),
            security_hub: self.deliver_to_security_hub(findings, now).await,
            ..RecordReport::default()
        };
        for (line, why) in lines {
            match line.filing {
                Filing::Unchanged => report.unchanged += 1,
                Filing::Filed => report.filed += 1,
                Filing::FiledElsewhere => report.filed_elsewhere += 1,
                Filing::Folded => report.folded += 1,
                Filing::Undelivered => report.undelivered.push(Undelivered {
                    check: find_check(&line.check).map_or("", |c| c.id),
                    control: framework_control(&line.control).map(|c| c.id),
                    resource_id: line.resource_id.clone(),
                    reason: why.unwrap_or_default(),
                }),
            }
            if line.filing.changed() {
                report.changed += 1;
            }
        }
        report
    }

    /// Files the changes among `findings` and returns one report line per finding and control,
    /// each saying what happened to its evidence (with the reason when undelivered). With the
    /// Audit Manager sink off, nothing is filed and there are no lines.
    pub async fn file_changes(
        &self,
        findings: &[Finding],
        origin: Option<&str>,
        now: Timestamp,
    ) -> Vec<(ReportLine, Option<String>)> {
        let Some(auditmanager) = &self.auditmanager else {
            return Vec::new();
        };
        let pairs: Vec<(String, &Finding, &'static FrameworkControl)> = findings
            .iter()
            .flat_map(|f| {
                f.check
                    .controls
                    .iter()
                    .map(move |c| (verdict_key(c.id, f.check.id, &f.resource), f, *c))
            })
            .collect();
        let keys: Vec<String> = pairs.iter().map(|(k, _, _)| k.clone()).collect();
        let last = match self.ledger.last_verdicts(&keys).await {
            Ok(last) => last,
            Err(e) => {
                tracing::error!(error = %e, "the ledger could not be read: no evidence filed");
                let why = format!(
                    "the evidence ledger could not be read ({e}); the change stays open for the next run"
                );
                return pairs
                    .iter()
                    .map(|(_, f, c)| {
                        (
                            ReportLine::new(f, c, None, Filing::Undelivered),
                            Some(why.clone()),
                        )
                    })
                    .collect();
            }
        };
        let mut out: Vec<(ReportLine, Option<String>)> = Vec::with_capacity(pairs.len());
        let mut changed: BTreeMap<&'static str, Vec<Change<'_>>> = BTreeMap::new();
        for (key, finding, control) in pairs {
            let previous = last.get(&key).copied();
            if previous == Some(finding.outcome.verdict) {
                out.push((
                    ReportLine::new(finding, control, previous, Filing::Unchanged),
                    None,
                ));
            } else {
                changed
                    .entry(control.id)
                    .or_default()
                    .push((key, finding, control, previous));
            }
        }
        for (control_id, changes) in changed {
            let Some(control) = framework_control(control_id) else {
                continue;
            };
            out.extend(
                self.file_control(auditmanager, control, changes, origin, now)
                    .await,
            );
        }
        out
    }

    /// Files one control's changes within its daily budget: the worst on their own first, the
    /// rest folded; each claimed in the ledger before filing and released if filing fails.
    async fn file_control(
        &self,
        auditmanager: &AuditManagerSink,
        control: &'static FrameworkControl,
        mut changes: Vec<Change<'_>>,
        origin: Option<&str>,
        now: Timestamp,
    ) -> Vec<(ReportLine, Option<String>)> {
        let mut out = Vec::with_capacity(changes.len());
        // When the budget cannot take every change, the worst are filed on their own first.
        changes.sort_by_key(|(_, f, _, _)| f.outcome.verdict.worst_first_rank());
        if self.budget.individual_only_non_compliant {
            changes.retain(|(_, f, c, previous)| {
                let worst = f.outcome.verdict == crate::domain::outcome::Verdict::NonCompliant;
                if !worst {
                    out.push((ReportLine::new(f, c, *previous, Filing::Folded), None));
                }
                worst
            });
            if changes.is_empty() {
                return out;
            }
        }
        let target = match auditmanager.target(control).await {
            Ok(target) => target,
            Err(why) => {
                tracing::error!(control = control.id, why, "evidence not filed");
                for (_, f, c, previous) in changes {
                    out.push((
                        ReportLine::new(f, c, previous, Filing::Undelivered),
                        Some(why.clone()),
                    ));
                }
                return out;
            }
        };
        let granted = match self
            .ledger
            .reserve(
                control.id,
                &now.day(),
                len_u32(changes.len()),
                self.budget.individual_limit,
            )
            .await
        {
            Ok(granted) => granted as usize,
            Err(e) => {
                tracing::error!(error = %e, control = control.id, "evidence budget unreadable");
                for (_, f, c, previous) in changes {
                    out.push((
                        ReportLine::new(f, c, previous, Filing::Undelivered),
                        Some(e.to_string()),
                    ));
                }
                return out;
            }
        };
        if granted < changes.len() {
            tracing::warn!(
                control = control.id,
                folded = changes.len() - granted,
                "past 90% of the daily evidence budget: changes folded into the next digest"
            );
        }
        let mut to_file = Vec::new();
        for (i, (key, f, c, previous)) in changes.into_iter().enumerate() {
            if i >= granted {
                out.push((ReportLine::new(f, c, previous, Filing::Folded), None));
                continue;
            }
            let (previous, claimed) = self.claim(&key, previous, f.outcome.verdict, now).await;
            match claimed {
                Ok(Some(until)) => to_file.push((key, f, c, previous, until)),
                Ok(None) => out.push((
                    ReportLine::new(f, c, previous, Filing::FiledElsewhere),
                    None,
                )),
                Err(why) => out.push((
                    ReportLine::new(f, c, previous, Filing::Undelivered),
                    Some(why),
                )),
            }
        }
        let items: Vec<EvidenceItem> = to_file
            .iter()
            .map(|(_, f, c, _, _)| {
                let text = match origin {
                    None => evidence_text(f, c),
                    Some(origin) => {
                        // The trigger's own lines (a CloudTrail event, its actor) come first.
                        let mut f = (*f).clone();
                        f.context.insert(0, origin.to_owned());
                        evidence_text(&f, c)
                    }
                };
                EvidenceItem::Text(text)
            })
            .collect();
        let results = auditmanager.import(&target, &items).await;
        for ((key, f, c, previous, until), result) in to_file.into_iter().zip(results) {
            match result {
                Ok(()) => {
                    // Unconfirmed, the claim lapses and the change is filed again: repeated,
                    // never lost.
                    if let Err(e) = self.ledger.confirm(&key, until).await {
                        tracing::error!(error = %e, "a filed change could not be confirmed in the ledger");
                    }
                    out.push((ReportLine::new(f, c, previous, Filing::Filed), None));
                }
                Err(why) => {
                    if let Err(e) = self
                        .ledger
                        .release_change(&key, previous, f.outcome.verdict)
                        .await
                    {
                        tracing::error!(error = %e, "a failed filing could not be released in the ledger");
                    }
                    out.push((
                        ReportLine::new(f, c, previous, Filing::Undelivered),
                        Some(why),
                    ));
                }
            }
        }
        out
    }

    /// Delivers the changed verdicts among `findings` to Security Hub, one ASFF finding per check
    /// and resource: `None` when the sink is off. Each change is claimed on its own ledger marker
    /// (`securityhub#<check>#<identity>`) before it is sent, confirmed once Security Hub took it
    /// and released when it did not, so the next run sends it again; a finding whose verdict
    /// Security Hub already holds is not sent.
    pub async fn deliver_to_security_hub(
        &self,
        findings: &[Finding],
        now: Timestamp,
    ) -> Option<SecurityHubReport> {
        let sink = self.security_hub.as_ref()?;
        // One finding per key: the last one given wins.
        let mut by_key: BTreeMap<String, &Finding> = BTreeMap::new();
        for f in findings {
            by_key.insert(securityhub_key(f.check.id, &f.resource), f);
        }
        let mut report = SecurityHubReport {
            considered: by_key.len(),
            ..SecurityHubReport::default()
        };
        let keys: Vec<String> = by_key.keys().cloned().collect();
        let last = match self.ledger.last_verdicts(&keys).await {
            Ok(last) => last,
            Err(e) => {
                tracing::error!(error = %e, "the ledger could not be read: no Security Hub finding sent");
                let why = format!(
                    "the evidence ledger could not be read ({e}); the change stays open for the next run"
                );
                report.undelivered = by_key
                    .values()
                    .map(|f| securityhub::undelivered(f, why.clone()))
                    .collect();
                return Some(report);
            }
        };
        let mut to_send = Vec::new();
        for (key, f) in by_key {
            let previous = last.get(&key).copied();
            if previous == Some(f.outcome.verdict) {
                report.unchanged += 1;
                continue;
            }
            match self.claim(&key, previous, f.outcome.verdict, now).await {
                (previous, Ok(Some(until))) => to_send.push((key, f, previous, until)),
                (_, Ok(None)) => report.delivered_elsewhere += 1,
                (_, Err(why)) => report.undelivered.push(securityhub::undelivered(f, why)),
            }
        }
        let sending: Vec<&Finding> = to_send.iter().map(|(_, f, _, _)| *f).collect();
        let results = sink.import(&sending).await;
        for ((key, f, previous, until), result) in to_send.into_iter().zip(results) {
            match result {
                Ok(()) => {
                    // Unconfirmed, the claim lapses and the finding is sent again: an update of
                    // the same finding id, never a duplicate.
                    if let Err(e) = self.ledger.confirm(&key, until).await {
                        tracing::error!(error = %e, "a delivered Security Hub finding could not be confirmed in the ledger");
                    }
                    report.delivered.push(securityhub::delivery(f));
                }
                Err(why) => {
                    if let Err(e) = self
                        .ledger
                        .release_change(&key, previous, f.outcome.verdict)
                        .await
                    {
                        tracing::error!(error = %e, "a failed Security Hub delivery could not be released in the ledger");
                    }
                    report.undelivered.push(securityhub::undelivered(f, why));
                }
            }
        }
        for u in &report.undelivered {
            tracing::error!(check = u.check, resource = %u.resource_id, reason = %u.reason, "Security Hub finding not delivered; the ledger keeps the change open for the next run");
        }
        Some(report)
    }

    /// Claims the change of `key` to `verdict` from `previous` (see [`Ledger::claim_change`]).
    /// When another invocation claimed the key first, the ledger says what it claimed: the same
    /// verdict is filed elsewhere (`Ok(None)`); another one makes this verdict a change from that
    /// one, claimed again (a few times, then it is undelivered: the next run sees it again).
    /// Returns the verdict the claim replaces, with the claim's `pending_until`.
    async fn claim(
        &self,
        key: &str,
        mut previous: Option<Verdict>,
        verdict: Verdict,
        now: Timestamp,
    ) -> (Option<Verdict>, Result<Option<i64>, String>) {
        for _ in 0..4 {
            match self
                .ledger
                .claim_change(key, previous, verdict, now, self.claim_lease)
                .await
            {
                Ok(Some(until)) => return (previous, Ok(Some(until))),
                Ok(None) => {}
                Err(e) => return (previous, Err(e.to_string())),
            }
            match self.ledger.last_verdicts(&[key.to_owned()]).await {
                Ok(last) if last.get(key) == Some(&verdict) => return (previous, Ok(None)),
                Ok(last) => previous = last.get(key).copied(),
                Err(e) => return (previous, Err(e.to_string())),
            }
        }
        (
            previous,
            Err(format!(
                "the evidenced verdict of {key} kept changing; the change stays open for the next run"
            )),
        )
    }

    /// Marks the lines a digest would carry whose verdict the ledger now holds (evidenced since
    /// the unit ran, by another function, or all along: a unit whose ledger read failed reports
    /// every finding as undelivered) as filed elsewhere, so the digest carries only changes still
    /// open. When the ledger cannot be read they stay as they are (carried: repeated, never lost).
    async fn settle_carried(&self, lines: &mut [ReportLine]) {
        let keys: Vec<String> = lines
            .iter()
            .filter(|l| l.filing.needs_digest())
            .map(line_key)
            .collect();
        if keys.is_empty() {
            return;
        }
        match self.ledger.last_verdicts(&keys).await {
            Ok(last) => {
                for line in lines.iter_mut().filter(|l| l.filing.needs_digest()) {
                    if last.get(&line_key(line)) == Some(&line.verdict) {
                        line.filing = Filing::FiledElsewhere;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the ledger could not be read: the digest carries every open change it was given");
            }
        }
    }

    /// Files the digest of one control for a run: the JSON report of `lines` in the evidence
    /// bucket (`key`), then a text and the report's `s3ResourcePath` on the control. Skipped when
    /// a digest with the same verdicts was filed today. Once filed, the changes it carries are
    /// recorded as evidenced.
    pub async fn file_digest(
        &self,
        control: &'static FrameworkControl,
        run_label: &str,
        report_key: &str,
        mut lines: Vec<ReportLine>,
        now: Timestamp,
    ) -> DigestReport {
        self.file_digest_of(control, run_label, report_key, &mut lines, now)
            .await
    }

    /// [`Recorder::file_digest`] on lines the caller keeps: sorted worst first and settled as
    /// the JSON report lists them (the sweep renders the control's part of the HTML report from
    /// them afterwards).
    pub async fn file_digest_of(
        &self,
        control: &'static FrameworkControl,
        run_label: &str,
        report_key: &str,
        lines: &mut [ReportLine],
        now: Timestamp,
    ) -> DigestReport {
        sort_worst_first(lines);
        self.settle_carried(lines).await;
        let carried = lines.iter().filter(|l| l.filing.needs_digest()).count();
        let report = |outcome| DigestReport {
            control: control.id,
            findings: lines.len(),
            carried,
            outcome,
        };
        let Some(auditmanager) = &self.auditmanager else {
            return report(DigestOutcome::Deferred(
                "the Audit Manager sink is off (AUDIT_MANAGER_SINK)".into(),
            ));
        };
        let Some(reports) = &self.reports else {
            return report(DigestOutcome::Deferred(
                "no evidence bucket is configured (EVIDENCE_BUCKET)".into(),
            ));
        };
        let day = now.day();
        let claim = digest_id(control.id, &day, lines);
        let until = match self.ledger.claim_pending(&claim, 3, self.claim_lease).await {
            Ok(Some(until)) => until,
            Ok(None) => return report(DigestOutcome::AlreadyFiled),
            Err(e) => return report(DigestOutcome::Deferred(e.to_string())),
        };
        let claim = claim.as_str();
        let deferred = |why: String| async move {
            if let Err(e) = self.ledger.release_once(claim).await {
                tracing::error!(error = %e, "a digest claim could not be released");
            }
            DigestOutcome::Deferred(why)
        };
        let target = match auditmanager.target(control).await {
            Ok(target) => target,
            Err(why) => {
                let outcome = deferred(why).await;
                return report(outcome);
            }
        };
        let path = match reports
            .put_json(
                report_key,
                &report_of(control, run_label, &now.to_string(), lines),
            )
            .await
        {
            Ok(path) => path,
            Err(e) => {
                let outcome = deferred(e.to_string()).await;
                return report(outcome);
            }
        };
        let granted = match self
            .ledger
            .reserve(control.id, &day, 2, self.budget.daily_quota)
            .await
        {
            Ok(granted) => granted,
            Err(e) => {
                let outcome = deferred(e.to_string()).await;
                return report(outcome);
            }
        };
        let text = digest_text(control, run_label, lines, &path);
        let items = match granted {
            0 => {
                let outcome = deferred(format!(
                    "{} has used its {} evidence items for {day}; the digest and the {carried} changes it carries wait for the next run",
                    control.id, self.budget.daily_quota
                ))
                .await;
                return report(outcome);
            }
            // One slot left: the text, which names the report's path.
            1 => vec![EvidenceItem::Text(text)],
            _ => vec![EvidenceItem::Text(text), EvidenceItem::S3Path(path.clone())],
        };
        let results = auditmanager.import(&target, &items).await;
        if let Some(Err(why)) = results.into_iter().find(Result::is_err) {
            let outcome = deferred(why).await;
            return report(outcome);
        }
        // Unconfirmed, the claim lapses and the digest is filed again: repeated, never lost.
        if let Err(e) = self.ledger.confirm(&format!("once#{claim}"), until).await {
            tracing::error!(error = %e, "a filed digest could not be confirmed in the ledger");
        }
        let evidenced: Vec<(String, Verdict)> = lines
            .iter()
            .filter(|l| l.filing.needs_digest())
            .map(|l| (line_key(l), l.verdict))
            .collect();
        if let Err(e) = self.ledger.record_verdicts(&evidenced, now).await {
            // The digest is filed; the next run will see these changes again and carry them in
            // its digest once more: repeated, never lost.
            tracing::error!(error = %e, "the ledger could not record the digest's changes");
        }
        report(DigestOutcome::Filed(path))
    }
}

impl Recorder {
    /// Files the sweep run's HTML report, already in the evidence bucket at `path`, as
    /// `s3ResourcePath` evidence on `control`: once per digest (`digest_id`, the control's digest
    /// of the run), so a rerun of a run and a later run stating the same verdicts that day file
    /// nothing new. One slot under the daily quota; claimed in the ledger before filing (pending
    /// until confirmed) and released if filing fails, as digests are.
    pub async fn file_report(
        &self,
        control: &'static FrameworkControl,
        digest_id: &str,
        path: &str,
        now: Timestamp,
    ) -> DigestOutcome {
        self.file_item_once(
            control,
            &format!("report#{digest_id}"),
            EvidenceItem::S3Path(path.to_owned()),
            now,
        )
        .await
    }

    /// Files `item` on `control` once for `claim` (a repeated call with the same claim files
    /// nothing and says [`DigestOutcome::AlreadyFiled`]): claimed in the ledger before filing
    /// (pending until confirmed, so a dead invocation's claim lapses), one slot under the day's
    /// quota, released if filing fails so the next call files it.
    pub async fn file_item_once(
        &self,
        control: &'static FrameworkControl,
        claim: &str,
        item: EvidenceItem,
        now: Timestamp,
    ) -> DigestOutcome {
        let Some(auditmanager) = &self.auditmanager else {
            return DigestOutcome::Deferred(
                "the Audit Manager sink is off (AUDIT_MANAGER_SINK)".into(),
            );
        };
        let until = match self.ledger.claim_pending(claim, 3, self.claim_lease).await {
            Ok(Some(until)) => until,
            Ok(None) => return DigestOutcome::AlreadyFiled,
            Err(e) => return DigestOutcome::Deferred(e.to_string()),
        };
        let outcome = self
            .import_once(auditmanager, control, item, &now.day())
            .await;
        match &outcome {
            DigestOutcome::Filed(_) => {
                if let Err(e) = self.ledger.confirm(&format!("once#{claim}"), until).await {
                    tracing::error!(error = %e, "a filed item could not be confirmed in the ledger");
                }
            }
            _ => {
                if let Err(e) = self.ledger.release_once(claim).await {
                    tracing::error!(error = %e, "an item's claim could not be released");
                }
            }
        }
        outcome
    }

    /// One evidence item on `control` within its day's quota.
    async fn import_once(
        &self,
        auditmanager: &AuditManagerSink,
        control: &'static FrameworkControl,
        item: EvidenceItem,
        day: &str,
    ) -> DigestOutcome {
        let target = match auditmanager.target(control).await {
            Ok(target) => target,
            Err(why) => return DigestOutcome::Deferred(why),
        };
        match self
            .ledger
            .reserve(control.id, day, 1, self.budget.daily_quota)
            .await
        {
            Ok(0) => {
                return DigestOutcome::Deferred(format!(
                    "{} has used its {} evidence items for {day}; the item waits for the next run",
                    control.id, self.budget.daily_quota
                ));
            }
            Ok(_) => {}
            Err(e) => return DigestOutcome::Deferred(e.to_string()),
        }
        let filed = match &item {
            EvidenceItem::S3Path(path) => path.clone(),
            EvidenceItem::Text(text) => genai_evidence_core::text::truncate_chars(text, 80),
        };
        match auditmanager.import(&target, &[item]).await.pop() {
            Some(Err(why)) => DigestOutcome::Deferred(why),
            _ => DigestOutcome::Filed(filed),
        }
    }
}

/// Adds one batch's Security Hub report to `into` (a periodic pass files batch by batch).
pub fn merge_security_hub_report(into: &mut SecurityHubReport, batch: SecurityHubReport) {
    // Destructured in full: a new field must be merged here too.
    let SecurityHubReport {
        considered,
        unchanged,
        delivered,
        delivered_elsewhere,
        undelivered,
    } = batch;
    into.considered += considered;
    into.unchanged += unchanged;
    into.delivered.extend(delivered);
    into.delivered_elsewhere += delivered_elsewhere;
    into.undelivered.extend(undelivered);
}

/// The Security Hub sink the settings switch on, in the SDK configuration's region.
fn security_hub_sink(settings: &Settings, aws: &aws_config::SdkConfig) -> Option<SecurityHubSink> {
    if !settings.sinks.security_hub {
        return None;
    }
    let Some(region) = aws.region() else {
        tracing::error!(
            "SECURITY_HUB_SINK is enabled but no AWS region is configured: the Security Hub sink is off"
        );
        return None;
    };
    Some(SecurityHubSink::new(
        aws_sdk_securityhub::Client::new(aws),
        region.as_ref(),
        RetryPolicy::default(),
    ))
}

/// A changed verdict waiting to be filed: its ledger key, the finding, the control, the verdict
/// last evidenced.
type Change<'a> = (
    String,
    &'a Finding,
    &'static FrameworkControl,
    Option<Verdict>,
);

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

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::resource::ResourceRef;

    #[test]
    fn a_report_line_maps_back_to_its_ledger_key() {
        let resource = ResourceRef {
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: "b".into(),
            arn: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        };
        let check = crate::catalog::CHECKS[0];
        let finding = Finding {
            check,
            resource: resource.clone(),
            outcome: crate::domain::outcome::Outcome::could_not_evaluate("x"),
            observed_at: Timestamp::from_epoch_millis(0),
            observed_via: "test",
            evaluated_at: Timestamp::from_epoch_millis(0),
            context: Vec::new(),
        };
        let control = check.controls[0];
        let line = ReportLine::new(&finding, control, None, Filing::Folded);
        assert_eq!(
            line_key(&line),
            verdict_key(control.id, check.id, &resource)
        );
    }
}

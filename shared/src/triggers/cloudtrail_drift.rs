//! The CloudTrail drift trigger: an EventBridge "AWS API Call via CloudTrail" event about a
//! GenAI-relevant write call becomes fresh evidence within about a minute, naming who made it.
//!
//! 1. Parse the event ([`drift::parse`]); malformed input is an error, never a panic.
//! 2. Classify it with the event map ([`drift::classify`]): failed calls, read-only calls,
//!    unmapped calls and calls that name no resource are skipped, with the reason logged and
//!    returned in the summary.
//! 3. De-duplicate by CloudTrail event id (`Ledger::claim_once("event#<id>", 7 days)`): EventBridge
//!    delivers at least once, and a duplicate files nothing.
//! 4. Re-read the live state of every affected resource, briefly retrying while it still
//!    contradicts the call (eventual consistency, [`read_with_retry`]). The call is the
//!    trigger; the re-read state is the evidence.
//! 5. Evaluate: a resource gone is not applicable; a removed safeguard comes out non-compliant
//!    from the re-read state (no trail logging, no invocation logging, no protective guardrail).
//! 6. File the changed verdicts through the recorder, each evidence text carrying the actor line
//!    (actor ARN, source IP, event time, event name and id).
//!
//! A retryable failure before anything is filed (the ledger claim, or the IAM read of a group's
//! members) fails the invocation so Lambda retries it; the claim is released first. Evidence the
//! recorder could not file stays open in the ledger and is carried by the next sweep.

use serde::Serialize;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::ledger::Ledger;
use crate::catalog::Params;
use crate::domain::outcome::Verdict;
use crate::domain::time::Timestamp;
use crate::drift::{self, ApiCall, Classified, EventError, Skip};
use crate::error::AwsError;
use crate::evaluate::evaluate;
use crate::finding::Finding;
use crate::metrics::Figures;
use crate::readers::Clients;
use crate::readers::reread::{ReadRetry, read_with_retry};
use crate::recorder::{RecordReport, Recorder};

/// How long an event id stays claimed (EventBridge retries deliveries for up to 24 hours).
pub const CLAIM_TTL_DAYS: u32 = 7;

/// Services whose resources are global: their events carry `us-east-1` wherever they are handled.
pub const GLOBAL_EVENT_SOURCES: &[&str] = &["iam.amazonaws.com"];

/// The IAM actions the trigger itself calls, besides the collectors' read actions
/// (`CollectorReadPolicy`), the ledger's and the Audit Manager sink's: none.
pub const REQUIRED_ACTIONS: &[&str] = &[];

/// The invocation failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    /// The event is malformed: retrying will not help.
    #[error("invalid CloudTrail event: {0}")]
    InvalidEvent(#[from] EventError),
    /// The ledger could not claim the event id (nothing was done: retry).
    #[error("the event could not be claimed in the ledger: {0}")]
    Ledger(AwsError),
    /// The affected resources could not be read (nothing was filed; the claim was released).
    #[error("the affected resources could not be read: {0}")]
    Refresh(AwsError),
    /// The member account's role could not be assumed for a reason that may pass (the claim
    /// was released).
    #[error("the affected resources could not be read: {0}")]
    Member(crate::member::MemberError),
}

impl DriftError {
    /// A stable `errorType` for the Lambda error response.
    pub fn error_type(&self) -> &'static str {
        match self {
            DriftError::InvalidEvent(_) => "InvalidEvent",
            DriftError::Ledger(e) | DriftError::Refresh(e) if e.is_retryable() => "Retryable",
            DriftError::Ledger(_) | DriftError::Refresh(_) => "AwsError",
            DriftError::Member(_) => "Retryable",
        }
    }
}

/// What became of the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DriftStatus {
    /// The affected resources were re-read and evaluated.
    Evaluated,
    /// The event was skipped (see `skip`).
    Skipped,
    /// The event id was already handled: nothing done, nothing filed.
    Duplicate,
}

/// Why the event was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkipLine {
    /// `failed-call`, `read-only`, `unmapped`, `no-resource-id`, `invalid-resource-id` or
    /// `other-region`.
    pub reason: &'static str,
    /// The explanation.
    pub message: String,
}

/// One affected resource and how it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetLine {
    /// Its type.
    pub resource_type: &'static str,
    /// How the call named it.
    pub resource: String,
    /// `change`, `deletion` or `safeguard-removed`.
    pub kind: &'static str,
    /// The check expected to fail, for a removed safeguard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguard_check: Option<&'static str>,
    /// How many times the state was read.
    pub reads: u32,
    /// Whether the last read still did not show the call's effect (evaluated as read).
    pub still_contradicts: bool,
    /// Why it could not be read at all, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One finding, briefly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingLine {
    /// The check.
    pub check: &'static str,
    /// The resource type.
    pub resource_type: String,
    /// The resource id.
    pub resource_id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What was observed.
    pub observed: String,
}

/// What the invocation did, returned to the caller (and printed by a local invoke).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftSummary {
    /// What became of the event.
    pub status: DriftStatus,
    /// CloudTrail's event id.
    pub event_id: String,
    /// The call.
    pub event_name: String,
    /// The service.
    pub event_source: String,
    /// Who made the call, from where and when: the line added to the evidence.
    pub actor: String,
    /// Why it was skipped, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip: Option<SkipLine>,
    /// The affected resources.
    pub targets: Vec<TargetLine>,
    /// The findings of the re-read state.
    pub findings: Vec<FindingLine>,
    /// What was filed through the ledger (changed verdicts only), when a recorder is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<RecordReport>,
    /// Anything else an operator should know (no ledger, no recorder, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The invocation's metrics (emitted as EMF by the function, not returned).
    #[serde(skip)]
    pub figures: Figures,
}

impl DriftSummary {
    fn new(call: &ApiCall) -> Self {
        Self {
            status: DriftStatus::Evaluated,
            event_id: call.event_id.clone(),
            event_name: call.event_name.clone(),
            event_source: call.event_source.clone(),
            actor: call.actor_line(),
            skip: None,
            targets: Vec::new(),
            findings: Vec::new(),
            recorded: None,
            notes: Vec::new(),
            figures: Figures::default(),
        }
    }

    /// Marks the event skipped, logging it once: at warn level where the map may have a gap (a
    /// mapped call naming no usable resource), at info level otherwise.
    fn skipped(mut self, reason: &'static str, message: String) -> Self {
        if matches!(reason, "no-resource-id" | "invalid-resource-id") {
            tracing::warn!(event_id = %self.event_id, event_name = %self.event_name, event_source = %self.event_source, skip_reason = reason, "{message}");
        } else {
            tracing::info!(event_id = %self.event_id, event_name = %self.event_name, event_source = %self.event_source, skip_reason = reason, "{message}");
        }
        self.status = DriftStatus::Skipped;
        self.skip = Some(SkipLine { reason, message });
        self
    }

    /// Lists the findings and counts them for the metrics.
    fn add_findings(&mut self, findings: &[Finding]) {
        for f in findings {
            self.figures.count(
                f.outcome.verdict,
                &f.outcome.observed,
                f.check.controls.iter().map(|c| c.id),
            );
        }
        self.findings = findings
            .iter()
            .map(|f| FindingLine {
                check: f.check.id,
                resource_type: f.resource.resource_type.clone(),
                resource_id: f.resource.resource_id.clone(),
                verdict: f.outcome.verdict,
                observed: f.outcome.observed.clone(),
            })
            .collect();
    }

    /// Verdicts of the findings, counted.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .count()
    }
}

/// The cloudtrail-drift function's logic, with its clients built once per container.
pub struct DriftHandler {
    clients: Clients,
    recorder: Option<Recorder>,
    ledger: Option<Ledger>,
    region: String,
    retry: ReadRetry,
    params: Params,
    accounts: Option<crate::member::Accounts>,
}

impl DriftHandler {
    /// A handler reading with `clients` in `region` (the function's own), filing through
    /// `recorder` and de-duplicating deliveries with `ledger`. Either may be absent (local runs):
    /// the summary says so. The account is the event's: EventBridge delivers an account's own
    /// CloudTrail events.
    pub fn new(
        clients: Clients,
        recorder: Option<Recorder>,
        ledger: Option<Ledger>,
        region: impl Into<String>,
    ) -> Self {
        Self {
            clients,
            recorder,
            ledger,
            region: region.into(),
            retry: ReadRetry::default(),
            params: Params::default(),
            accounts: None,
        }
    }

    /// Handles the calls of the organization's member accounts too (their "AWS API Call via
    /// CloudTrail" events forwarded to this account's bus by `member-role.yaml`): a call of
    /// another account than `accounts`' own is re-read with that account's member role.
    pub fn with_members(mut self, accounts: crate::member::Accounts) -> Self {
        self.accounts = Some(accounts);
        self
    }

    /// The clients to re-read `account`'s resources with: the function's own, or, for a
    /// member's call, the member role's (in the function's region).
    async fn clients_for(
        &self,
        account: &str,
    ) -> Result<std::borrow::Cow<'_, Clients>, crate::member::MemberError> {
        match &self.accounts {
            Some(accounts) if !account.is_empty() && account != accounts.own_account() => {
                let conf = accounts.config_for(account).await?;
                Ok(std::borrow::Cow::Owned(Clients::from_conf(&conf)))
            }
            _ => Ok(std::borrow::Cow::Borrowed(&self.clients)),
        }
    }

    /// The same handler evaluating with `params`: the deployment's rule parameters
    /// (`Settings::params`, from `RULE_PARAMETERS`), the ones the Config rule and the sweep use.
    /// Without it, the defaults (as with `RULE_PARAMETERS` unset). Each invocation measures ages
    /// from its own time.
    pub fn with_params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// The rule parameters the handler evaluates with.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The same handler with another eventual-consistency retry (tests shorten it).
    pub fn with_retry(mut self, retry: ReadRetry) -> Self {
        self.retry = retry;
        self
    }

    /// Handles one EventBridge event.
    pub async fn handle(&self, event: &Value) -> Result<DriftSummary, DriftError> {
        let call = drift::parse(event)?;
        let summary = DriftSummary::new(&call);
        let targets = match drift::classify(&call) {
            Classified::Skipped(Skip { reason, message }) => {
                return Ok(summary.skipped(reason.as_str(), message));
            }
            Classified::Mapped { targets, .. } => targets,
        };
        let global = GLOBAL_EVENT_SOURCES.contains(&call.event_source.as_str());
        if call.region != self.region && !global {
            let message = format!(
                "the call was made in {}, and this function reads {}: deploy the rule and function in {} (or forward events there)",
                call.region, self.region, call.region
            );
            return Ok(summary.skipped("other-region", message));
        }
        let claim = format!("event#{}", call.event_id);
        let mut summary = summary;
        match &self.ledger {
            Some(ledger) => match ledger.claim_once(&claim, CLAIM_TTL_DAYS).await {
                Ok(true) => (),
                Ok(false) => {
                    tracing::info!(event_id = %call.event_id, event_name = %call.event_name, "duplicate delivery: the event was already handled");
                    summary.status = DriftStatus::Duplicate;
                    summary.notes.push(format!(
                        "event {} was already handled: nothing evaluated, nothing filed",
                        call.event_id
                    ));
                    return Ok(summary);
                }
                Err(error) => {
                    // The claim may have been written with its answer lost: give it back, or
                    // Lambda's retry would find it taken and handle nothing.
                    self.release(&claim).await;
                    return Err(DriftError::Ledger(error));
                }
            },
            None => summary
                .notes
                .push("no ledger configured: deliveries are not de-duplicated".into()),
        }
        // A global service's resources are read (and recorded) in the function's own region, so
        // IAM events forwarded from us-east-1 are handled wherever the function runs.
        let scope = Scope {
            account_id: call.account.clone(),
            region: self.region.clone(),
        };
        let params = self.params.at(Timestamp::now());
        let mut findings: Vec<Finding> = Vec::new();
        let (clients, unreadable) = self.reach(&call, &claim).await?;
        for target in &targets {
            let safeguard_check = match target.kind {
                drift::Kind::SafeguardRemoved(check) => Some(check),
                _ => None,
            };
            let mut line = TargetLine {
                resource_type: target.resource_type.cfn_type(),
                resource: target.selector.describe(),
                kind: target.kind.as_str(),
                safeguard_check,
                reads: 0,
                still_contradicts: false,
                error: None,
            };
            if let Some(why) = &unreadable {
                summary.figures.count_error(why);
                line.error = Some(why.clone());
                summary.targets.push(line);
                continue;
            }
            match read_with_retry(&clients, &scope, target, self.retry, &params).await {
                Ok(refreshed) => {
                    line.reads = refreshed.reads;
                    line.still_contradicts = refreshed.still_contradicts;
                    for subject in &refreshed.subjects {
                        findings.extend(evaluate(subject, &params, Timestamp::now()));
                    }
                }
                Err(error) if error.is_retryable() => {
                    self.release(&claim).await;
                    return Err(DriftError::Refresh(error));
                }
                Err(error) => {
                    tracing::error!(event_id = %call.event_id, resource = %line.resource, error = %error, "the affected resources could not be read");
                    summary.figures.count_error(&error.to_string());
                    line.error = Some(error.to_string());
                }
            }
            summary.targets.push(line);
        }
        summary.add_findings(&findings);
        let actor = call.actor_line();
        match &self.recorder {
            Some(recorder) => {
                let report = recorder.record_changes(&findings, Some(&actor)).await;
                for undelivered in &report.undelivered {
                    tracing::error!(
                        event_id = %call.event_id,
                        check = undelivered.check,
                        resource = %undelivered.resource_id,
                        reason = %undelivered.reason,
                        "evidence not filed; the ledger keeps the change open for the next run"
                    );
                }
                summary.figures.count_recorded(&report);
                summary.recorded = Some(report);
            }
            None => summary
                .notes
                .push("no recorder configured (ASSESSMENT_ID and LEDGER_TABLE): findings evaluated, nothing filed".into()),
        }
        tracing::info!(
            event_id = %call.event_id,
            event_name = %call.event_name,
            actor = %call.actor.arn,
            findings = summary.findings.len(),
            non_compliant = summary.count(Verdict::NonCompliant),
            "drift event evaluated"
        );
        Ok(summary)
    }

    /// The clients for the call's account, or, when its member role cannot be assumed for
    /// good, the function's own with why nothing of it can be read (a retryable failure gives
    /// the claim back and fails the invocation).
    async fn reach(
        &self,
        call: &ApiCall,
        claim: &str,
    ) -> Result<(std::borrow::Cow<'_, Clients>, Option<String>), DriftError> {
        match self.clients_for(&call.account).await {
            Ok(clients) => Ok((clients, None)),
            Err(e) if e.is_retryable() => {
                self.release(claim).await;
                Err(DriftError::Member(e))
            }
            Err(e) => {
                tracing::error!(event_id = %call.event_id, account = %call.account, error = %e, "the member account cannot be read");
                Ok((
                    std::borrow::Cow::Borrowed(&self.clients),
                    Some(e.to_string()),
                ))
            }
        }
    }

    /// Gives the event id back so Lambda's retry handles the event again.
    async fn release(&self, claim: &str) {
        if let Some(ledger) = &self.ledger
            && let Err(error) = ledger.release_once(claim).await
        {
            tracing::error!(claim, error = %error, "the event's claim could not be released: a retry will be taken for a duplicate");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn clients() -> Clients {
        let conf = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .build();
        Clients::from_conf(&conf)
    }

    fn handler() -> DriftHandler {
        DriftHandler::new(clients(), None, None, "us-east-1")
    }

    fn sample(name: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../events")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn failed_read_only_and_unmapped_calls_are_skipped_with_their_reason() {
        for (file, reason) in [
            ("drift-failed-call.json", "failed-call"),
            ("drift-read-only-call.json", "read-only"),
            ("drift-unmapped-call.json", "unmapped"),
        ] {
            let summary = handler().handle(&sample(file)).await.unwrap();
            assert_eq!(summary.status, DriftStatus::Skipped, "{file}");
            assert_eq!(summary.skip.as_ref().unwrap().reason, reason, "{file}");
            assert!(summary.targets.is_empty() && summary.findings.is_empty());
            assert!(summary.recorded.is_none());
        }
    }

    #[tokio::test]
    async fn a_call_made_in_another_region_is_skipped_not_read_with_the_wrong_clients() {
        let mut event = sample("drift-s3-deletebucketencryption.json");
        event["detail"]["awsRegion"] = json!("eu-west-1");
        let summary = handler().handle(&event).await.unwrap();
        assert_eq!(summary.skip.unwrap().reason, "other-region");
    }

    #[test]
    fn only_iam_is_treated_as_global() {
        for route in crate::drift::map::ROUTES {
            let global = GLOBAL_EVENT_SOURCES.contains(&route.event_source);
            assert_eq!(global, route.source == "aws.iam", "{}", route.event_name);
        }
    }

    #[tokio::test]
    async fn a_malformed_event_is_a_clear_invalid_event_error() {
        for event in [
            json!(null),
            json!({"detail-type": "Scheduled Event", "detail": {}}),
            json!({"detail-type": "AWS API Call via CloudTrail", "detail": {"eventName": "StopLogging"}}),
        ] {
            let error = handler().handle(&event).await.unwrap_err();
            assert_eq!(error.error_type(), "InvalidEvent");
            assert!(
                error.to_string().starts_with("invalid CloudTrail event"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_summary_names_the_actor_and_serialises_camel_case() {
        let call = drift::parse(&sample("drift-cloudtrail-stoplogging.json")).unwrap();
        let summary = DriftSummary::new(&call);
        let text = serde_json::to_value(&summary).unwrap();
        assert_eq!(text["eventName"], "StopLogging");
        assert!(
            text["actor"]
                .as_str()
                .unwrap()
                .contains("arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice")
        );
        assert_eq!(text["status"], "evaluated");
    }

    #[tokio::test]
    async fn a_megabyte_bucket_name_is_skipped_as_invalid_and_never_echoed() {
        let mut event = sample("drift-s3-deletebucketencryption.json");
        event["detail"]["requestParameters"]["bucketName"] = json!("a".repeat(1 << 20));
        let summary = handler().handle(&event).await.unwrap();
        assert_eq!(summary.status, DriftStatus::Skipped);
        assert_eq!(summary.skip.as_ref().unwrap().reason, "invalid-resource-id");
        assert!(summary.targets.is_empty() && summary.findings.is_empty());
        let text = serde_json::to_string(&summary).unwrap();
        assert!(
            text.len() < 2000,
            "the summary echoes the input: {} bytes",
            text.len()
        );
    }

    #[tokio::test]
    async fn a_record_without_event_id_is_handled_under_the_envelope_id() {
        let mut event = sample("drift-unmapped-call.json");
        event["detail"].as_object_mut().unwrap().remove("eventID");
        let envelope_id = event["id"].as_str().unwrap().to_owned();
        let summary = handler().handle(&event).await.unwrap();
        assert_eq!(summary.event_id, envelope_id);
    }
}

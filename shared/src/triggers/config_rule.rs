//! The AWS Config custom rule trigger.
//!
//! Config invokes the function with a `ConfigEvent` whose `invokingEvent` and `ruleParameters`
//! are JSON *strings*. Three message types are acted on:
//! - `ConfigurationItemChangeNotification`: the item is in the event;
//! - `OversizedConfigurationItemChangeNotification`: only a summary is; the item is fetched with
//!   `GetResourceConfigHistory` (limit 1);
//! - `ScheduledNotification`: every recorded resource of a type the selected checks read is
//!   re-evaluated from its current item (`ListDiscoveredResources` + `BatchGetResourceConfig`),
//!   in batches, within Lambda's deadline, continuing from where the last periodic invocation
//!   stopped; a completed pass also marks the resources the rule evaluated before and that no
//!   longer exist `NOT_APPLICABLE` (module `periodic`).
//!
//! `ConfigurationSnapshotDeliveryCompleted` is acknowledged and ignored.

mod periodic;

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_lambda_events::event::config::ConfigEvent;
use genai_evidence_core::text::json_kind as kind;
use serde::Serialize;
use serde_json::Value;

use crate::adapters::config_api::{self, PlannedEvaluation};
use crate::adapters::config_item::{ConfigurationItem, Decoded, ItemError, capture_time, decode};
use crate::adapters::iam::ManagedPolicyReader;
use crate::catalog::Params;
use crate::catalog::params::ParamError;
use crate::domain::outcome::Verdict;
use crate::domain::resource::{ResourceRef, ResourceType};
use crate::domain::time::Timestamp;
use crate::error::{AwsError, AwsErrorKind};
use crate::evaluate::{Subject, SubjectState, evaluate};
use crate::finding::Finding;
use crate::metrics::Figures;
use crate::recorder::{RecordReport, Recorder};
use crate::sinks::config_evaluations::fold;
use crate::sinks::{EvidenceSink, SinkReport};

pub use periodic::{
    CURSOR_TTL_DAYS, PassCursor, PeriodicOptions, VANISHED_REASON, VanishedCheck, covered_types,
    cursor_key, remaining_after, vanished_resources,
};

/// The IAM actions the trigger calls on AWS Config (its evidence sinks declare their own, and
/// the managed policy reads are `adapters::iam::MANAGED_POLICY_READ_ACTIONS`).
pub const REQUIRED_ACTIONS: &[&str] = &[
    "config:PutEvaluations",
    "config:GetResourceConfigHistory",
    "config:ListDiscoveredResources",
    "config:BatchGetResourceConfig",
    "config:GetComplianceDetailsByConfigRule",
];

/// Evaluations sent with this result token are validated by Config but not stored (`TestMode`),
/// the convention of the AWS RDK for local runs.
pub const TEST_MODE_TOKEN: &str = "TESTMODE";
/// At most this many findings are listed in a summary; the counts cover all of them.
pub const MAX_LISTED_FINDINGS: usize = 200;

/// A parsed, validated Config rule invocation.
#[derive(Debug, Clone)]
pub struct RuleEvent {
    /// `configRuleName`.
    pub rule_name: String,
    /// `resultToken`.
    pub result_token: String,
    /// `eventLeftScope`.
    pub event_left_scope: bool,
    /// `ruleParameters`, validated.
    pub params: Params,
    /// `ruleParameters` keys the suite does not know: ignored, logged and reported.
    pub ignored_parameters: Vec<String>,
    /// `ruleParameters` keys whose value differs from the deployment's `RULE_PARAMETERS`: empty
    /// when parsed, filled by a handler given them ([`ConfigRuleHandler::with_params`]).
    pub differing_parameters: Vec<&'static str>,
    /// `notificationCreationTime`.
    pub notification_time: Timestamp,
    /// What the invoking event carries.
    pub message: Message,
    /// `accountId`: the account whose rule was invoked (a member's, for an organization rule).
    pub account_id: String,
}

/// The invoking event's message.
#[derive(Debug, Clone)]
pub enum Message {
    /// A change with its configuration item.
    Change(Box<ConfigurationItem>),
    /// A change too large to carry its item.
    Oversized {
        /// `resourceType`.
        resource_type: String,
        /// `resourceId`.
        resource_id: String,
        /// `ARN`, if sent.
        arn: Option<String>,
        /// `awsAccountId`.
        account_id: String,
        /// `awsRegion`.
        region: String,
        /// `configurationItemCaptureTime`.
        capture_time: Timestamp,
        /// `configurationItemStatus`.
        status: String,
    },
    /// A periodic trigger.
    Scheduled {
        /// `awsAccountId`.
        account_id: String,
    },
    /// A snapshot delivery: nothing to evaluate.
    SnapshotDelivered,
}

impl Message {
    /// The message type as Config names it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Change(_) => "ConfigurationItemChangeNotification",
            Message::Oversized { .. } => "OversizedConfigurationItemChangeNotification",
            Message::Scheduled { .. } => "ScheduledNotification",
            Message::SnapshotDelivered => "ConfigurationSnapshotDeliveryCompleted",
        }
    }
}

/// The event is not a usable Config rule event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The payload is not JSON.
    #[error("event is not JSON: {0}")]
    NotJson(String),
    /// The payload is JSON but not a Config rule event.
    #[error("event is not an AWS Config rule event: {0}")]
    NotConfigEvent(String),
    /// A field the contract requires is missing.
    #[error("event has no {0}")]
    Missing(&'static str),
    /// `invokingEvent` is present but not a string.
    #[error(
        "invokingEvent must be a JSON string (Config sends the invoking event serialised), found {0}"
    )]
    InvokingEventNotString(&'static str),
    /// `invokingEvent` is a string that is not a JSON object.
    #[error("invokingEvent is not a JSON object: {0}")]
    InvokingEventNotJson(String),
    /// A message type this rule does not handle.
    #[error("unknown messageType {0:?}")]
    UnknownMessageType(String),
    /// A change notification without its configuration item (an oversized one: without its
    /// summary).
    #[error("{0} has no {field}", field = if .0.starts_with("Oversized") { "configurationItemSummary" } else { "configurationItem" })]
    MissingItem(&'static str),
    /// The configuration item is malformed.
    #[error(transparent)]
    Item(#[from] ItemError),
    /// A rule parameter is bad.
    #[error(transparent)]
    Param(#[from] ParamError),
}

/// The envelope fields `ConfigEvent` reads, with the JSON type each must have (`eventLeftScope`
/// is required; serde says so, naming it).
const ENVELOPE_FIELDS: &[(&str, &str)] = &[
    ("accountId", "a string"),
    ("configRuleArn", "a string"),
    ("configRuleId", "a string"),
    ("configRuleName", "a string"),
    ("eventLeftScope", "a boolean"),
    ("executionRoleArn", "a string"),
    ("resultToken", "a string"),
    ("version", "a string"),
];

/// Parses the event's JSON text.
pub fn parse_event_text(text: &str) -> Result<RuleEvent, EventError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| EventError::NotJson(e.to_string()))?;
    parse_event(&value)
}

/// Parses and validates a Config rule event.
pub fn parse_event(value: &Value) -> Result<RuleEvent, EventError> {
    let object = value.as_object().ok_or_else(|| {
        EventError::NotConfigEvent(format!("expected an object, found {}", kind(value)))
    })?;
    match object.get("invokingEvent") {
        None | Some(Value::Null) => return Err(EventError::Missing("invokingEvent")),
        Some(Value::String(_)) => (),
        Some(other) => return Err(EventError::InvokingEventNotString(kind(other))),
    }
    if let Some(params) = object
        .get("ruleParameters")
        .filter(|v| !v.is_string() && !v.is_null())
    {
        return Err(ParamError::NotAnObject(format!(
            "ruleParameters must be a JSON string, found {}",
            kind(params)
        ))
        .into());
    }
    check_envelope_types(object)?;
    let event: ConfigEvent = serde_json::from_value(value.clone())
        .map_err(|e| EventError::NotConfigEvent(e.to_string()))?;
    let invoking_text = event.invoking_event.as_deref().unwrap_or_default();
    let invoking: Value = serde_json::from_str(invoking_text)
        .map_err(|e| EventError::InvokingEventNotJson(e.to_string()))?;
    if !invoking.is_object() {
        return Err(EventError::InvokingEventNotJson(format!(
            "found {}",
            kind(&invoking)
        )));
    }
    let result_token = event
        .result_token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or(EventError::Missing("resultToken"))?;
    let parsed = Params::from_rule_parameters(event.rule_parameters.as_deref())?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let message_type =
        text(&invoking, "messageType").ok_or(EventError::Missing("invokingEvent.messageType"))?;
    let notification_time = match invoking.get("notificationCreationTime") {
        None | Some(Value::Null) => Timestamp::now(),
        Some(Value::String(t)) => capture_time(t, "invokingEvent.notificationCreationTime")
            .map_err(|e| EventError::InvokingEventNotJson(e.0))?,
        Some(other) => {
            return Err(EventError::InvokingEventNotJson(format!(
                "invokingEvent.notificationCreationTime is {}, not a string",
                kind(other)
            )));
        }
    };
    let message = match message_type.as_str() {
        "ConfigurationItemChangeNotification" => {
            let item = invoking
                .get("configurationItem")
                .filter(|v| !v.is_null())
                .ok_or(EventError::MissingItem(
                    "ConfigurationItemChangeNotification",
                ))?;
            Message::Change(Box::new(ConfigurationItem::from_notification(item)?))
        }
        "OversizedConfigurationItemChangeNotification" => oversized(
            invoking
                .get("configurationItemSummary")
                .and_then(Value::as_object)
                .ok_or(EventError::MissingItem(
                    "OversizedConfigurationItemChangeNotification",
                ))?,
        )?,
        "ScheduledNotification" => Message::Scheduled {
            account_id: text(&invoking, "awsAccountId")
                .or(event.account_id.clone())
                .unwrap_or_default(),
        },
        "ConfigurationSnapshotDeliveryCompleted" => Message::SnapshotDelivered,
        other => {
            return Err(EventError::UnknownMessageType(
                genai_evidence_core::text::truncate_chars(other, 128),
            ));
        }
    };
    Ok(RuleEvent {
        rule_name: event.config_rule_name.clone().unwrap_or_default(),
        result_token,
        event_left_scope: event.event_left_scope,
        params: parsed.params,
        ignored_parameters: parsed.ignored,
        differing_parameters: Vec::new(),
        notification_time,
        message,
        account_id: event.account_id.clone().unwrap_or_default(),
    })
}

/// Each field of [`ENVELOPE_FIELDS`] present has its type: serde's own type error would name no
/// field (and quote the value).
fn check_envelope_types(object: &serde_json::Map<String, Value>) -> Result<(), EventError> {
    for (field, expected) in ENVELOPE_FIELDS {
        match (object.get(*field), *expected) {
            (None, _)
            | (Some(Value::Null | Value::String(_)), "a string")
            | (Some(Value::Bool(_)), "a boolean") => (),
            (Some(other), expected) => {
                return Err(EventError::NotConfigEvent(format!(
                    "{field} is {}, expected {expected}",
                    kind(other)
                )));
            }
        }
    }
    Ok(())
}

/// The message of an oversized change: the item's summary. A field of another type than Config
/// writes is an error naming it, a required one missing or blank too.
fn oversized(summary: &serde_json::Map<String, Value>) -> Result<Message, EventError> {
    let text = |key: &str| match summary.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(EventError::Item(ItemError(format!(
            "configurationItemSummary.{key} is {}, not a string",
            kind(other)
        )))),
    };
    let required = |key: &str, field: &'static str| {
        text(key)?
            .filter(|s| !s.trim().is_empty())
            .ok_or(EventError::Missing(field))
    };
    let capture = required(
        "configurationItemCaptureTime",
        "configurationItemSummary.configurationItemCaptureTime",
    )?;
    Ok(Message::Oversized {
        resource_type: required("resourceType", "configurationItemSummary.resourceType")?,
        resource_id: required("resourceId", "configurationItemSummary.resourceId")?,
        arn: text("ARN")?,
        account_id: text("awsAccountId")?.unwrap_or_default(),
        region: text("awsRegion")?.unwrap_or_default(),
        capture_time: capture_time(
            &capture,
            "configurationItemSummary.configurationItemCaptureTime",
        )?,
        status: text("configurationItemStatus")?.unwrap_or_else(|| "OK".into()),
    })
}

/// The invocation failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event is malformed: retrying will not help.
    #[error("invalid Config rule event: {0}")]
    InvalidEvent(#[from] EventError),
    /// An AWS call the whole invocation depends on failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The event's member account's role could not be assumed.
    #[error(transparent)]
    Member(#[from] crate::member::MemberError),
    /// Config did not take the evaluations (rejected the call, or reported some as failed):
    /// the evidence was filed, but Config's view of the resources is stale. The invocation fails
    /// so it shows in the function's error metrics and Config's own retry runs it again.
    #[error("AWS Config did not take the evaluations: {reason}")]
    EvaluationsNotTaken {
        /// Why: Config's error, or how many evaluations it reported as failed.
        reason: String,
        /// Everything else the invocation did, as the summary would have said it.
        summary: Box<Summary>,
    },
}

impl HandlerError {
    /// A stable `errorType` for the Lambda error response.
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::InvalidEvent(_) => "InvalidEvent",
            HandlerError::Aws(e) if e.is_retryable() => "Retryable",
            HandlerError::Aws(_) => "AwsError",
            HandlerError::Member(e) if e.is_retryable() => "Retryable",
            HandlerError::Member(_) => "MemberRole",
            HandlerError::EvaluationsNotTaken { .. } => "EvaluationsNotTaken",
        }
    }
}

/// What the invocation did, returned to the caller (and printed by a local invoke).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The rule's name.
    pub rule: String,
    /// The message type handled.
    pub message_type: &'static str,
    /// Resources looked at.
    pub resources: usize,
    /// Findings by verdict.
    pub verdicts: BTreeMap<Verdict, usize>,
    /// The findings (at most [`MAX_LISTED_FINDINGS`]).
    pub findings: Vec<FindingLine>,
    /// Findings not listed.
    pub findings_omitted: usize,
    /// The reply to Config.
    pub config: ConfigReply,
    /// What each evidence sink did.
    pub evidence: Vec<SinkReport>,
    /// What the recorder filed through the ledger (changes only), when one is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<RecordReport>,
    /// `ruleParameters` keys the suite does not know, ignored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_parameters: Vec<String>,
    /// `ruleParameters` keys whose value differs from the deployment's `RULE_PARAMETERS` (which
    /// the sweep and the drift function evaluate with), when the handler was given them: the rule
    /// evaluated with the event's values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differing_parameters: Vec<&'static str>,
    /// `false` when a periodic pass stopped before it covered every resource (the deadline was
    /// near, or Config did not take a batch): `cursor` is where the next periodic invocation
    /// continues. Always `true` for a change notification.
    pub complete: bool,
    /// Where the next periodic invocation continues the pass (absent: from the beginning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<PassCursor>,
    /// Periodic runs: whether resources the rule evaluated before and that no longer exist were
    /// looked for (only when a pass completes) and what was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vanished_check: Option<VanishedCheck>,
    /// What else the invocation has to say: a read that failed but did not stop it, a pass that
    /// cannot be continued.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The invocation's metrics (emitted as EMF by the function, not returned).
    #[serde(skip)]
    pub figures: Figures,
}

/// One finding, briefly.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingLine {
    /// The check.
    pub check: &'static str,
    /// Its framework controls.
    pub controls: Vec<&'static str>,
    /// The resource type.
    pub resource_type: String,
    /// The resource id.
    pub resource_id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What was observed.
    pub observed: String,
}

/// The evaluations sent to Config.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReply {
    /// Whether they were sent in TestMode (validated, not stored).
    pub test_mode: bool,
    /// The evaluations.
    pub evaluations: Vec<PlannedEvaluation>,
    /// Those Config reported as failed.
    pub failed: Vec<PlannedEvaluation>,
    /// Why none were sent, if the call failed for good.
    pub error: Option<String>,
}

/// The config-rule function's logic, with its clients built once per container.
#[derive(Clone)]
pub struct ConfigRuleHandler {
    config: aws_sdk_config::Client,
    iam: Option<aws_sdk_iam::Client>,
    sinks: std::sync::Arc<Vec<Box<dyn EvidenceSink>>>,
    recorder: Option<std::sync::Arc<Recorder>>,
    periodic: PeriodicOptions,
    deployed: Option<Params>,
    /// The organization's member accounts (an organization rule's events come from them).
    accounts: Option<crate::member::Accounts>,
    /// The member account this handler answers for (a view made by [`Self::for_member`]).
    member: Option<String>,
}

impl ConfigRuleHandler {
    /// A handler that reads and answers Config with `config` and files evidence into `sinks`.
    pub fn new(config: aws_sdk_config::Client, sinks: Vec<Box<dyn EvidenceSink>>) -> Self {
        Self {
            config,
            iam: None,
            sinks: std::sync::Arc::new(sinks),
            recorder: None,
            periodic: PeriodicOptions::default(),
            deployed: None,
            accounts: None,
            member: None,
        }
    }

    /// The deployment's rule parameters (`Settings::params`, from `RULE_PARAMETERS`), which the
    /// sweep and the drift function evaluate with. The rule still evaluates with its event's
    /// `ruleParameters` (Config's contract; the template builds both from the same template
    /// parameters, so they are equal): a key whose value differs, say after an edit of the rule
    /// in the console, is logged at warn level and listed in the summary's
    /// `differingParameters`, since the other functions' verdicts may then disagree.
    pub fn with_params(mut self, params: Params) -> Self {
        self.deployed = Some(params);
        self
    }

    /// Reads the documents of the managed policies that IAM principals' configuration items
    /// name but do not carry (`iam:GetPolicy` / `iam:GetPolicyVersion`, each policy once per
    /// invocation; AWS managed policies with known grants by ARN). Without it, a principal's
    /// managed policies are unreadable and its policy checks could-not-evaluate.
    pub fn with_iam(mut self, iam: aws_sdk_iam::Client) -> Self {
        self.iam = Some(iam);
        self
    }

    /// Files Audit Manager evidence through `recorder` (the ledger: changes only, within the
    /// daily budget shared with the other functions), besides the plain sinks. Its ledger also
    /// keeps where a periodic pass stopped, so the next periodic invocation continues there.
    pub fn with_recorder(mut self, recorder: Recorder) -> Self {
        self.recorder = Some(std::sync::Arc::new(recorder));
        self
    }

    /// Answers an organization rule: an event of another account than `accounts`' own is read
    /// and evaluated, and its evaluations put, with that account's member role (Config keeps a
    /// member's evaluations in the member's account); the evidence goes to this account's
    /// assessment as always. A member whose role cannot be assumed fails the invocation (with
    /// STS's reason): nothing is put or filed for it with this account's credentials.
    pub fn with_members(mut self, accounts: crate::member::Accounts) -> Self {
        self.accounts = Some(accounts);
        self
    }

    /// The view of this handler for `account` when it is a member's: Config (and IAM) clients
    /// with the member role's credentials; `None` for the own account or without members.
    async fn for_member(&self, account: &str) -> Result<Option<Self>, HandlerError> {
        let Some(accounts) = &self.accounts else {
            return Ok(None);
        };
        if account.is_empty() || account == accounts.own_account() {
            return Ok(None);
        }
        let conf = accounts.config_for(account).await?;
        Ok(Some(Self {
            config: aws_sdk_config::Client::new(&conf),
            iam: self.iam.as_ref().map(|_| aws_sdk_iam::Client::new(&conf)),
            accounts: None,
            member: Some(account.to_owned()),
            ..self.clone()
        }))
    }

    /// The name the periodic pass's cursor is kept under: the rule's, and for a member's copy
    /// of an organization rule (every member's has the same name) the account's too.
    pub(super) fn cursor_name(&self, rule: &str) -> String {
        match &self.member {
            Some(account) => format!("{rule}#{account}"),
            None => rule.to_owned(),
        }
    }

    /// How a periodic pass batches its work and how much time it keeps in reserve.
    pub fn with_periodic(mut self, options: PeriodicOptions) -> Self {
        self.periodic = options;
        self
    }

    /// Handles one invocation without a deadline (tests, local runs).
    pub async fn handle(&self, payload: &Value) -> Result<Summary, HandlerError> {
        self.handle_with_deadline(payload, None).await
    }

    /// Handles one invocation; `deadline` is Lambda's. A periodic pass stops after the batch that
    /// leaves less than [`PeriodicOptions::time_reserve`] before it, and says where it stopped.
    pub async fn handle_with_deadline(
        &self,
        payload: &Value,
        deadline: Option<SystemTime>,
    ) -> Result<Summary, HandlerError> {
        let event = parse_event(payload)?;
        if let Some(member) = self.for_member(&event.account_id).await? {
            tracing::info!(account = %event.account_id, "organization rule: answering with the member role");
            return member.handle_event(event, deadline).await;
        }
        self.handle_event(event, deadline).await
    }

    /// Handles a parsed invocation with this handler's clients.
    async fn handle_event(
        &self,
        mut event: RuleEvent,
        deadline: Option<SystemTime>,
    ) -> Result<Summary, HandlerError> {
        let now = Timestamp::now();
        tracing::info!(rule = %event.rule_name, message_type = event.message.type_name(), "config rule invoked");
        if !event.ignored_parameters.is_empty() {
            tracing::warn!(
                rule = %event.rule_name,
                ignored = ?event.ignored_parameters,
                known = ?crate::catalog::params::KNOWN_PARAMETERS,
                "ruleParameters has keys this suite does not know: ignored"
            );
        }
        if let Some(deployed) = &self.deployed {
            event.differing_parameters = event.params.differing(deployed);
        }
        if !event.differing_parameters.is_empty() {
            tracing::warn!(
                rule = %event.rule_name,
                differing = ?event.differing_parameters,
                "ruleParameters differ from RULE_PARAMETERS: this rule evaluates with the event's values, the sweep and the drift function with RULE_PARAMETERS, so their verdicts may disagree"
            );
        }
        if matches!(event.message, Message::Scheduled { .. }) {
            return self.periodic(event, now, deadline).await;
        }
        let mut subjects = self.collect(&event).await?;
        let mut reader = self.policy_reader();
        complete_principals(&mut reader, &mut subjects).await;
        let mut out = Delivered::new(&event);
        // A retryable PutEvaluations failure fails the invocation before any evidence is filed.
        self.deliver(&event, &subjects, now, &mut out).await?;
        finish(event, out, PassReport::not_periodic())
    }

    fn policy_reader(&self) -> Option<ManagedPolicyReader> {
        self.iam.clone().map(ManagedPolicyReader::new)
    }

    /// Evaluates `subjects` and sends their evaluations to Config, then files their findings.
    /// A retryable PutEvaluations failure is returned before anything is filed; any other
    /// failure to have Config take the evaluations is recorded in `out` (evidence is still filed)
    /// and makes the batch [`Fate::NotTaken`].
    async fn deliver(
        &self,
        event: &RuleEvent,
        subjects: &[Subject],
        now: Timestamp,
        out: &mut Delivered,
    ) -> Result<Fate, AwsError> {
        let ordering_of = |subject: &Subject| match event.message {
            Message::Scheduled { .. } => event.notification_time,
            _ => subject.observed_at,
        };
        let (evaluations, findings) = evaluate_subjects(subjects, &event.params, now, ordering_of);
        let mut fate = Fate::Taken;
        if !evaluations.is_empty() {
            match config_api::put_evaluations(
                &self.config,
                &event.result_token,
                out.config.test_mode,
                &evaluations,
            )
            .await
            {
                Ok(failed) => {
                    if !failed.is_empty() {
                        fate = Fate::NotTaken;
                    }
                    out.config.failed.extend(failed);
                }
                // Nothing of this batch is filed yet: Config never heard of it.
                Err(e) if e.is_retryable() => return Err(e),
                Err(e) => {
                    tracing::error!(error = %e, "Config rejected the evaluations");
                    out.config.error.get_or_insert_with(|| e.to_string());
                    fate = Fate::NotTaken;
                }
            }
        }
        out.resources += subjects.len();
        out.config.evaluations.extend(evaluations);
        for (i, sink) in self.sinks.iter().enumerate() {
            let report = sink.file(&findings).await;
            match out.evidence.get_mut(i) {
                Some(so_far) => merge_sink_report(so_far, report),
                None => out.evidence.push(report),
            }
        }
        if let Some(recorder) = &self.recorder {
            let report = recorder.record_changes(&findings, None).await;
            match &mut out.recorded {
                Some(so_far) => merge_record_report(so_far, report),
                None => out.recorded = Some(report),
            }
        }
        out.add_findings(&findings);
        Ok(fate)
    }

    async fn collect(&self, event: &RuleEvent) -> Result<Vec<Subject>, HandlerError> {
        let subject = match &event.message {
            // The periodic pass reads its resources itself, batch by batch (`periodic`).
            Message::SnapshotDelivered | Message::Scheduled { .. } => return Ok(Vec::new()),
            Message::Change(item) => from_item(
                item,
                event.event_left_scope,
                "AWS Config configuration item",
            ),
            Message::Oversized {
                resource_type,
                resource_id,
                arn,
                account_id,
                region,
                capture_time,
                status,
            } => {
                let resource = ResourceRef {
                    resource_type: resource_type.clone(),
                    resource_id: resource_id.clone(),
                    arn: arn.clone(),
                    account_id: account_id.clone(),
                    region: region.clone(),
                };
                let gone = gone_reason(status, event.event_left_scope);
                let via =
                    "AWS Config configuration item (oversized; read with GetResourceConfigHistory)";
                let subject = |state| Subject {
                    resource: resource.clone(),
                    observed_at: *capture_time,
                    observed_via: via,
                    state,
                    links: Vec::new(),
                };
                if let Some(why) = gone {
                    subject(SubjectState::Gone(why))
                } else if ResourceType::from_cfn_type(resource_type).is_none() {
                    // No check reads this type: no need to fetch the item.
                    subject(SubjectState::Gone(String::new()))
                } else {
                    match config_api::latest_item(&self.config, resource_type, resource_id).await {
                        Ok(item) => from_item(&item, event.event_left_scope, via),
                        Err(e) if e.kind == AwsErrorKind::Invalid => return Err(e.into()),
                        Err(e) => {
                            tracing::warn!(error = %e, "oversized item could not be read");
                            subject(SubjectState::Unreadable(e.to_string()))
                        }
                    }
                }
            }
        };
        Ok(vec![subject])
    }
}

/// Whether Config took a batch's evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Every evaluation was stored (or validated, in TestMode).
    Taken,
    /// Config rejected the call or reported evaluations as failed; the evidence was filed.
    NotTaken,
}

/// Fills in the managed policy documents IAM principals' items name but do not carry.
async fn complete_principals(reader: &mut Option<ManagedPolicyReader>, subjects: &mut [Subject]) {
    if let Some(reader) = reader {
        for subject in subjects {
            reader.complete(subject).await;
        }
    }
}

/// The evaluation of each subject (its findings folded, ordered by `ordering_of`) and every
/// finding, in subject order.
fn evaluate_subjects(
    subjects: &[Subject],
    params: &Params,
    now: Timestamp,
    ordering_of: impl Fn(&Subject) -> Timestamp,
) -> (Vec<PlannedEvaluation>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut evaluations = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let found = evaluate(subject, params, now);
        // Only an empty result needs the reason; `evaluate` already ran the applicable checks.
        let why_none = if !found.is_empty() {
            String::new()
        } else if ResourceType::from_cfn_type(&subject.resource.resource_type).is_none() {
            format!(
                "no genai-evidence check reads {}",
                subject.resource.resource_type
            )
        } else {
            format!(
                "the checks selected by the rule's parameters do not read {}",
                subject.resource.resource_type
            )
        };
        evaluations.push(fold(
            &subject.resource,
            ordering_of(subject),
            &found.iter().collect::<Vec<_>>(),
            &why_none,
        ));
        findings.extend(found);
    }
    (evaluations, findings)
}

/// What an invocation delivered so far (over every batch of a periodic pass).
struct Delivered {
    resources: usize,
    verdicts: BTreeMap<Verdict, usize>,
    lines: Vec<FindingLine>,
    findings_omitted: usize,
    config: ConfigReply,
    evidence: Vec<SinkReport>,
    recorded: Option<RecordReport>,
    figures: Figures,
}

impl Delivered {
    fn new(event: &RuleEvent) -> Self {
        Self {
            resources: 0,
            verdicts: BTreeMap::new(),
            lines: Vec::new(),
            findings_omitted: 0,
            config: ConfigReply {
                test_mode: event.result_token == TEST_MODE_TOKEN,
                ..ConfigReply::default()
            },
            evidence: Vec::new(),
            recorded: None,
            figures: Figures::default(),
        }
    }

    fn add_findings(&mut self, findings: &[Finding]) {
        for f in findings {
            *self.verdicts.entry(f.outcome.verdict).or_insert(0) += 1;
            self.figures.count(
                f.outcome.verdict,
                &f.outcome.observed,
                f.check.controls.iter().map(|c| c.id),
            );
            if self.lines.len() < MAX_LISTED_FINDINGS {
                self.lines.push(FindingLine {
                    check: f.check.id,
                    controls: f.check.controls.iter().map(|c| c.id).collect(),
                    resource_type: f.resource.resource_type.clone(),
                    resource_id: f.resource.resource_id.clone(),
                    verdict: f.outcome.verdict,
                    observed: f.outcome.observed.clone(),
                });
            } else {
                self.findings_omitted += 1;
            }
        }
    }
}

fn merge_sink_report(into: &mut SinkReport, batch: SinkReport) {
    let SinkReport {
        sink: _,
        delivered,
        undelivered,
    } = batch;
    into.delivered.extend(delivered);
    into.undelivered.extend(undelivered);
}

fn merge_record_report(into: &mut RecordReport, batch: RecordReport) {
    // Destructured in full: a new field must be merged here too.
    let RecordReport {
        considered,
        unchanged,
        changed,
        filed,
        filed_elsewhere,
        folded,
        undelivered,
        security_hub,
    } = batch;
    into.considered += considered;
    into.unchanged += unchanged;
    into.changed += changed;
    into.filed += filed;
    into.filed_elsewhere += filed_elsewhere;
    into.folded += folded;
    into.undelivered.extend(undelivered);
    if let Some(batch) = security_hub {
        crate::recorder::merge_security_hub_report(
            into.security_hub.get_or_insert_with(Default::default),
            batch,
        );
    }
}

/// What a periodic pass adds to the summary (a change notification is always complete).
struct PassReport {
    complete: bool,
    cursor: Option<PassCursor>,
    vanished_check: Option<VanishedCheck>,
    notes: Vec<String>,
}

impl PassReport {
    fn not_periodic() -> Self {
        Self {
            complete: true,
            cursor: None,
            vanished_check: None,
            notes: Vec::new(),
        }
    }
}

/// The summary of what `out` delivered; `EvaluationsNotTaken` (carrying it) when Config did not
/// take every evaluation.
fn finish(event: RuleEvent, out: Delivered, pass: PassReport) -> Result<Summary, HandlerError> {
    let not_taken = match (&out.config.error, out.config.failed.len()) {
        (Some(error), _) => Some(error.clone()),
        (None, 0) => None,
        (None, n) => Some(format!(
            "Config reported {n} of {} evaluation(s) as failed",
            out.config.evaluations.len()
        )),
    };
    let mut figures = out.figures;
    out.evidence.iter().for_each(|r| figures.count_sink(r));
    if let Some(recorded) = &out.recorded {
        figures.count_recorded(recorded);
    }
    let summary = Summary {
        figures,
        rule: event.rule_name,
        message_type: event.message.type_name(),
        resources: out.resources,
        verdicts: out.verdicts,
        findings: out.lines,
        findings_omitted: out.findings_omitted,
        config: out.config,
        evidence: out.evidence,
        recorded: out.recorded,
        ignored_parameters: event.ignored_parameters,
        differing_parameters: event.differing_parameters,
        complete: pass.complete,
        cursor: pass.cursor,
        vanished_check: pass.vanished_check,
        notes: pass.notes,
    };
    match not_taken {
        None => Ok(summary),
        Some(reason) => Err(HandlerError::EvaluationsNotTaken {
            reason,
            summary: Box::new(summary),
        }),
    }
}

fn gone_reason(status: &str, left_scope: bool) -> Option<String> {
    if left_scope {
        return Some("the resource left the rule's scope".into());
    }
    match status {
        "OK" | "ResourceDiscovered" => None,
        "ResourceDeleted" | "ResourceDeletedNotRecorded" => {
            Some(format!("the resource was deleted ({status})"))
        }
        "ResourceNotRecorded" => {
            Some("AWS Config no longer records the resource (ResourceNotRecorded)".into())
        }
        other => Some(format!(
            "configuration item status {other} describes no live resource"
        )),
    }
}

fn from_item(item: &ConfigurationItem, left_scope: bool, via: &'static str) -> Subject {
    let state = match gone_reason(item.status.as_str(), left_scope) {
        Some(why) => SubjectState::Gone(why),
        None => match decode(item) {
            Decoded::Resource(resource) => SubjectState::Live(resource),
            Decoded::UnsupportedType => SubjectState::Gone(String::new()),
            Decoded::Unreadable(u) => SubjectState::Unreadable(u.reason),
        },
    };
    Subject {
        resource: item.resource_ref(),
        observed_at: item.capture_time,
        observed_via: via,
        state,
        links: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANGE: &str = include_str!("../../../events/config-s3-bucket-compliant.json");
    const OVERSIZED: &str = include_str!("../../../events/config-oversized-s3-bucket.json");
    const SCHEDULED: &str = include_str!("../../../events/config-scheduled.json");
    const DELETED: &str = include_str!("../../../events/config-s3-bucket-deleted.json");

    fn with(base: &str, edit: impl FnOnce(&mut Value)) -> Value {
        let mut v: Value = serde_json::from_str(base).unwrap();
        edit(&mut v);
        v
    }

    fn with_invoking(base: &str, edit: impl FnOnce(&mut Value)) -> Value {
        with(base, |v| {
            let mut inv: Value =
                serde_json::from_str(v["invokingEvent"].as_str().unwrap()).unwrap();
            edit(&mut inv);
            v["invokingEvent"] = Value::String(inv.to_string());
        })
    }

    #[test]
    fn the_sample_events_parse_into_their_message_types() {
        assert!(matches!(
            parse_event_text(CHANGE).unwrap().message,
            Message::Change(_)
        ));
        assert!(matches!(
            parse_event_text(OVERSIZED).unwrap().message,
            Message::Oversized { .. }
        ));
        assert!(matches!(
            parse_event_text(SCHEDULED).unwrap().message,
            Message::Scheduled { .. }
        ));
        let deleted = parse_event_text(DELETED).unwrap();
        let Message::Change(item) = deleted.message else {
            panic!("not a change")
        };
        assert_eq!(item.status.as_str(), "ResourceDeleted");
    }

    #[test]
    fn text_that_is_not_json_is_a_clear_error() {
        let e = parse_event_text("configurationItem=bucket").unwrap_err();
        assert!(matches!(e, EventError::NotJson(_)), "{e}");
        assert!(e.to_string().starts_with("event is not JSON"));
    }

    #[test]
    fn json_that_is_not_an_object_is_a_clear_error() {
        let e = parse_event(&serde_json::json!(["not", "an", "event"])).unwrap_err();
        assert!(matches!(e, EventError::NotConfigEvent(_)), "{e}");
    }

    #[test]
    fn an_unknown_message_type_is_a_clear_error() {
        let v = with_invoking(CHANGE, |inv| {
            inv["messageType"] = "ConfigurationItemTeleported".into()
        });
        let e = parse_event(&v).unwrap_err();
        assert_eq!(
            e,
            EventError::UnknownMessageType("ConfigurationItemTeleported".into())
        );
    }

    #[test]
    fn a_change_without_its_configuration_item_is_a_clear_error() {
        let v = with_invoking(CHANGE, |inv| {
            inv.as_object_mut().unwrap().remove("configurationItem");
        });
        assert_eq!(
            parse_event(&v).unwrap_err(),
            EventError::MissingItem("ConfigurationItemChangeNotification")
        );
        let v = with_invoking(OVERSIZED, |inv| {
            inv["configurationItemSummary"] = Value::Null
        });
        assert!(matches!(
            parse_event(&v).unwrap_err(),
            EventError::MissingItem(_)
        ));
    }

    #[test]
    fn an_invoking_event_that_is_not_a_json_string_is_a_clear_error() {
        let v = with(CHANGE, |v| {
            let inner: Value = serde_json::from_str(v["invokingEvent"].as_str().unwrap()).unwrap();
            v["invokingEvent"] = inner;
        });
        let e = parse_event(&v).unwrap_err();
        assert_eq!(e, EventError::InvokingEventNotString("an object"));
        assert!(e.to_string().contains("must be a JSON string"));
        let v = with(CHANGE, |v| v["invokingEvent"] = "{not json".into());
        assert!(matches!(
            parse_event(&v).unwrap_err(),
            EventError::InvokingEventNotJson(_)
        ));
        let v = with(CHANGE, |v| {
            v.as_object_mut().unwrap().remove("invokingEvent");
        });
        assert_eq!(
            parse_event(&v).unwrap_err(),
            EventError::Missing("invokingEvent")
        );
    }

    #[test]
    fn a_missing_result_token_is_a_clear_error() {
        let v = with(CHANGE, |v| {
            v.as_object_mut().unwrap().remove("resultToken");
        });
        assert_eq!(
            parse_event(&v).unwrap_err(),
            EventError::Missing("resultToken")
        );
    }

    #[test]
    fn a_bad_rule_parameter_is_an_error_naming_it() {
        let v = with(CHANGE, |v| {
            v["ruleParameters"] = r#"{"checks":"s3_bucket_nope"}"#.into()
        });
        let e = parse_event(&v).unwrap_err();
        assert!(
            matches!(e, EventError::Param(_)) && e.to_string().contains("\"checks\""),
            "{e}"
        );
        let v = with(CHANGE, |v| {
            v["ruleParameters"] = serde_json::json!({"checks": "s3_bucket_tls_only"})
        });
        assert!(matches!(parse_event(&v).unwrap_err(), EventError::Param(_)));
    }

    #[test]
    fn an_unknown_rule_parameter_is_ignored_and_reported_not_an_error() {
        let v = with(CHANGE, |v| {
            v["ruleParameters"] =
                r#"{"maxUnusedDays":"30","MaxUnusedDays":"45","custodianPolicy":"genai"}"#.into()
        });
        let event = parse_event(&v).unwrap();
        assert_eq!(event.params.max_unused_days, 30);
        assert_eq!(
            event.ignored_parameters,
            ["MaxUnusedDays", "custodianPolicy"]
        );
    }

    #[test]
    fn a_malformed_configuration_item_is_a_clear_error() {
        let v = with_invoking(CHANGE, |inv| {
            inv["configurationItem"]["configurationItemCaptureTime"] = "last tuesday".into()
        });
        assert!(matches!(parse_event(&v).unwrap_err(), EventError::Item(_)));
    }

    #[test]
    fn gone_reasons_cover_deleted_unrecorded_and_out_of_scope() {
        assert!(gone_reason("OK", false).is_none());
        assert!(gone_reason("ResourceDiscovered", false).is_none());
        assert!(gone_reason("OK", true).unwrap().contains("scope"));
        assert!(
            gone_reason("ResourceDeleted", false)
                .unwrap()
                .contains("deleted")
        );
        assert!(
            gone_reason("ResourceDeletedNotRecorded", false)
                .unwrap()
                .contains("deleted")
        );
        assert!(
            gone_reason("ResourceNotRecorded", false)
                .unwrap()
                .contains("no longer records")
        );
    }
}

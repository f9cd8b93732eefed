//! The access-review function's logic (SECAI3.8): on its schedule, prepares the periodic review
//! of who may use generative AI (collecting IAM's per-service last access across invocations),
//! publishes it as JSON, CSV and HTML in the evidence bucket and files it on SECAI3.8; on an
//! attestation event, records the reviewer's sign-off (evidence, ledger, AWS Config process
//! check); and files an overdue review as non-compliant evidence.
//!
//! State between invocations is one versioned ledger document ([`STATE_KEY`]): the latest
//! published review (and its sign-off) and the draft being collected. Every item filed is
//! claimed once in the ledger, so a retried or repeated invocation files nothing twice.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_config::types::{ComplianceType, ExternalEvaluation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::iam::ManagedPolicyReader;
use crate::adapters::iam::{read_authorization_details, read_credentials_with, review_state};
use crate::adapters::{identity_center, last_accessed};
use crate::catalog::framework::SECAI3_8;
use crate::domain::time::Timestamp;
use crate::error::{AwsError, AwsErrorKind};
use crate::recorder::{DigestOutcome, Recorder};
use crate::review::attest::{AttestError, Attestation, SignOff, SignOffStatus};
use crate::review::{Review, ReviewInput, ServiceActivity, build, render};
use crate::sinks::auditmanager::EvidenceItem;
use crate::sinks::reports::ReportStore;

/// The ledger document holding the review's state between invocations.
pub const STATE_KEY: &str = "review#state";

/// The IAM and Config actions the function calls besides the ledger's, the evidence bucket's
/// and Audit Manager's (the template grants exactly these).
pub const REVIEW_ACTIONS: &[&str] = &[
    "config:PutExternalEvaluation",
    "iam:GenerateServiceLastAccessedDetails",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetAccessKeyLastUsed",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetLoginProfile",
    "iam:GetServiceLastAccessedDetails",
    "iam:ListAccessKeys",
    "iam:ListServiceSpecificCredentials",
    "iam:ListUsers",
    "sso:DescribePermissionSet",
    "sso:GetInlinePolicyForPermissionSet",
    "sso:ListAccountAssignments",
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    "sso:ListInstances",
    "sso:ListManagedPoliciesInPermissionSet",
    "sso:ListPermissionSetsProvisionedToAccount",
];

/// How long a review's jobs may run before the ones still pending are given up as unreadable.
const MAX_COLLECT_AGE: Duration = Duration::from_secs(3_600);

/// Where the review's objects go in the evidence bucket.
fn object_key(id: &str, file: &str) -> String {
    format!("access-review/{id}/{file}")
}

/// Why an invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccessReviewError {
    /// The payload is neither a schedule event, a continuation nor an attestation.
    #[error("invalid access-review event: {0}")]
    InvalidEvent(String),
    /// The attestation was refused; nothing was filed.
    #[error(transparent)]
    Attestation(#[from] AttestError),
    /// The ledger, IAM or the evidence bucket failed: the invocation is retried.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The review's state in the ledger is not what this version writes.
    #[error("the access review state in the ledger is malformed: {0}")]
    BadState(String),
}

impl AccessReviewError {
    /// A stable `errorType` for the Lambda error response.
    pub fn error_type(&self) -> &'static str {
        match self {
            AccessReviewError::InvalidEvent(_) => "InvalidEvent",
            AccessReviewError::Attestation(_) => "InvalidAttestation",
            AccessReviewError::Aws(e) if e.is_retryable() => "Retryable",
            AccessReviewError::Aws(_) => "AwsError",
            AccessReviewError::BadState(_) => "BadState",
        }
    }
}

/// What an invocation asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewRequest {
    /// The schedule: start a review (or go on collecting the one in progress).
    Start {
        /// The account (the schedule event's `account`).
        account: String,
        /// The schedule event's `id`: Lambda's retry of the same event is recognised by it
        /// and prepares no second review.
        event_id: Option<String>,
    },
    /// The continuation schedule: go on collecting the review in progress, if any.
    Continue,
    /// A reviewer's sign-off.
    Attest(Attestation),
}

impl ReviewRequest {
    /// Reads the event: an EventBridge `Scheduled Event` (with `{"continue": true}` as its input
    /// for the continuation) or `{"attestation": {...}}`.
    pub fn parse(event: &Value) -> Result<Self, AccessReviewError> {
        if let Some(attestation) = event.get("attestation") {
            return Ok(ReviewRequest::Attest(Attestation::parse(attestation)?));
        }
        if event.get("continue") == Some(&Value::Bool(true)) {
            return Ok(ReviewRequest::Continue);
        }
        if event.get("detail-type").and_then(Value::as_str) == Some("Scheduled Event") {
            let account = event
                .get("account")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(AccessReviewError::InvalidEvent(
                    "the schedule event's `account` is not an AWS account id".into(),
                ));
            }
            let event_id = match event.get("id") {
                None | Some(Value::Null) => None,
                Some(Value::String(id)) if !id.is_empty() && id.len() <= 128 => Some(id.clone()),
                Some(_) => {
                    return Err(AccessReviewError::InvalidEvent(
                        "the schedule event's `id` is not a string of 1 to 128 bytes".into(),
                    ));
                }
            };
            return Ok(ReviewRequest::Start {
                account: account.to_owned(),
                event_id,
            });
        }
        Err(AccessReviewError::InvalidEvent(
            "expected an EventBridge Scheduled Event (`detail-type` \"Scheduled Event\"), {\"continue\": true} or {\"attestation\": {...}}".into(),
        ))
    }
}

/// The function's settings (from the environment, read once).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewOptions {
    /// Principals unused for longer are flagged (`maxUnusedDays` of the rule parameters).
    pub unused_after_days: u32,
    /// Bedrock API keys living longer are flagged (`maxBedrockApiKeyAgeDays`).
    pub max_api_key_age_days: u32,
    /// Days the reviewer has to sign a review (`REVIEW_SIGN_OFF_DAYS`, default 14).
    pub sign_off_days: u32,
    /// How long one invocation polls IAM's jobs before leaving the rest to the next one.
    pub poll_budget: Duration,
    /// The `AWS_CONFIG_PROCESS_CHECK` rule sign-offs and overdue reviews are recorded on
    /// (`REVIEW_CONFIG_RULE`); `None`: not recorded in Config.
    pub config_rule: Option<String>,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        Self {
            unused_after_days: 90,
            max_api_key_age_days: 30,
            sign_off_days: 14,
            poll_budget: Duration::from_secs(60),
            config_rule: None,
        }
    }
}

impl ReviewOptions {
    /// The options from the settings' rule parameters and the environment through `lookup`:
    /// `REVIEW_SIGN_OFF_DAYS` (1 to 365, default 14), `REVIEW_POLL_SECONDS` (1 to 600, default
    /// 60) and `REVIEW_CONFIG_RULE` (optional).
    pub fn from_lookup(
        settings: &crate::settings::Settings,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let number = |name: &str, default: u32, max: u32| -> Result<u32, String> {
            match lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
            {
                None => Ok(default),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        format!("{name} must be a whole number from 1 to {max}, not {v:?}")
                    }),
            }
        };
        Ok(Self {
            unused_after_days: settings.params.max_unused_days,
            max_api_key_age_days: settings.params.max_bedrock_api_key_age_days,
            sign_off_days: number("REVIEW_SIGN_OFF_DAYS", 14, 365)?,
            poll_budget: Duration::from_secs(u64::from(number("REVIEW_POLL_SECONDS", 60, 600)?)),
            config_rule: lookup("REVIEW_CONFIG_RULE")
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
        })
    }
}

/// The clients the function reads with.
#[derive(Debug, Clone)]
pub struct ReviewClients {
    /// IAM: the bulk read and the credentials.
    pub iam: aws_sdk_iam::Client,
    /// IAM for the service last accessed jobs and Bedrock API keys (the same client in a
    /// deployment; tests serve what moto lacks from a mock).
    pub iam_gaps: aws_sdk_iam::Client,
    /// AWS Config, for the process check.
    pub config: aws_sdk_config::Client,
    /// IAM Identity Center's admin API, for the permission sets.
    pub sso_admin: aws_sdk_ssoadmin::Client,
}

/// The published review as the state remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// The review id.
    pub id: String,
    /// When it was prepared (RFC 3339).
    pub generated_at: String,
    /// Its sign-off, once recorded.
    pub signed: Option<SignOff>,
    /// Whether its overdue evidence was filed.
    #[serde(default)]
    pub overdue_filed: bool,
    /// Its evidence not filed yet (no budget left that day, Audit Manager failing): every
    /// invocation files these first, so none is lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unfiled: Vec<UnfiledItem>,
    /// The schedule event that started it (a retry of that event starts no new review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// A review's evidence item waiting to be filed: its claim's last part (`summary`, `html`,
/// `json`) and the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfiledItem {
    /// What the item is (its claim is `review#<id>#<what>`).
    pub what: String,
    /// A `textResponse`, or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// an `s3ResourcePath`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_path: Option<String>,
}

impl UnfiledItem {
    fn new(what: &str, item: &EvidenceItem) -> Self {
        let (text, s3_path) = match item {
            EvidenceItem::Text(t) => (Some(t.clone()), None),
            EvidenceItem::S3Path(p) => (None, Some(p.clone())),
        };
        Self {
            what: what.to_owned(),
            text,
            s3_path,
        }
    }

    fn item(&self) -> Option<EvidenceItem> {
        match (&self.text, &self.s3_path) {
            (Some(t), None) => Some(EvidenceItem::Text(t.clone())),
            (None, Some(p)) => Some(EvidenceItem::S3Path(p.clone())),
            _ => None,
        }
    }
}

/// A review being collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// When the review is as of (RFC 3339): its id follows from it.
    pub at: String,
    /// The schedule event that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Jobs still running, principal ARN → job id.
    pub pending: BTreeMap<String, String>,
    /// What is known per principal.
    pub activity: BTreeMap<String, ServiceActivity>,
}

/// The review's state between invocations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewState {
    /// The account reviewed.
    pub account: String,
    /// The latest published review.
    pub latest: Option<ReviewRecord>,
    /// The review being collected.
    pub draft: Option<Draft>,
}

/// What an invocation did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewSummary {
    /// `published`, `collecting`, `idle`, `signed` or `already_signed`.
    pub status: &'static str,
    /// The review concerned.
    pub review_id: Option<String>,
    /// Principals with GenAI access, flagged ones, and jobs still pending.
    pub principals: usize,
    /// Flagged principals.
    pub flagged: usize,
    /// Jobs still running.
    pub pending_jobs: usize,
    /// The flagged principals, riskiest first.
    pub flagged_principals: Vec<FlaggedLine>,
    /// The review's objects in the evidence bucket.
    pub objects: Vec<String>,
    /// The evidence filed on SECAI3.8 (or why not).
    pub evidence: Vec<String>,
    /// The latest review's sign-off status before this invocation, in words.
    pub sign_off: Option<String>,
    /// What was recorded on the Config process check (or why not).
    pub config: Vec<String>,
}

/// A flagged principal, as the summary lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FlaggedLine {
    /// Its kind, in words.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// Its ARN (what a decision names).
    pub arn: String,
    /// Its flags, in words.
    pub flags: String,
    /// What could not be read about it.
    pub notes: Vec<String>,
}

fn flagged_lines(review: &Review) -> Vec<FlaggedLine> {
    review
        .flagged()
        .map(|p| FlaggedLine {
            kind: p.kind.label(),
            name: p.name.clone(),
            arn: p.arn.clone(),
            flags: p
                .flags
                .iter()
                .map(crate::review::Flag::label)
                .collect::<Vec<_>>()
                .join(", "),
            notes: p.notes.clone(),
        })
        .collect()
}

/// The access-review function, with its clients built once per container.
pub struct AccessReviewHandler {
    clients: ReviewClients,
    recorder: Recorder,
    store: ReportStore,
    options: ReviewOptions,
}

fn outcome_words(outcome: &DigestOutcome) -> String {
    match outcome {
        DigestOutcome::Filed(what) => format!("filed {what}"),
        DigestOutcome::AlreadyFiled => "already filed".into(),
        DigestOutcome::Deferred(why) => format!("not filed yet: {why}"),
    }
}

fn bad_state(e: impl std::fmt::Display) -> AccessReviewError {
    AccessReviewError::BadState(e.to_string())
}

impl AccessReviewHandler {
    /// A handler reading with `clients`, filing through `recorder`, writing into `store`.
    pub fn new(
        clients: ReviewClients,
        recorder: Recorder,
        store: ReportStore,
        options: ReviewOptions,
    ) -> Self {
        Self {
            clients,
            recorder,
            store,
            options,
        }
    }

    /// Handles one event; `invoked_by` is the caller as the invocation context names it.
    pub async fn handle(
        &self,
        event: &Value,
        invoked_by: &str,
    ) -> Result<ReviewSummary, AccessReviewError> {
        self.handle_at(event, invoked_by, Timestamp::now()).await
    }

    /// [`handle`](Self::handle) as if the clock read `now` (the review's time, and what the
    /// sign-off deadline is measured against; tests move it past a deadline).
    pub async fn handle_at(
        &self,
        event: &Value,
        invoked_by: &str,
        now: Timestamp,
    ) -> Result<ReviewSummary, AccessReviewError> {
        let request = ReviewRequest::parse(event)?;
        match request {
            ReviewRequest::Attest(attestation) => self.attest(attestation, invoked_by, now).await,
            ReviewRequest::Start { account, event_id } => {
                self.prepare(Some((account, event_id)), now).await
            }
            ReviewRequest::Continue => self.prepare(None, now).await,
        }
    }

    async fn load(&self) -> Result<(u64, ReviewState), AccessReviewError> {
        let (version, doc) = self.recorder.ledger().get_versioned(STATE_KEY).await?;
        let state = match doc {
            None => ReviewState::default(),
            Some(doc) => serde_json::from_value(doc).map_err(bad_state)?,
        };
        Ok((version, state))
    }

    async fn save(&self, version: u64, state: &ReviewState) -> Result<u64, AccessReviewError> {
        let doc = serde_json::to_value(state).map_err(bad_state)?;
        // Kept for two years, as Audit Manager keeps the evidence it points to.
        if self
            .recorder
            .ledger()
            .put_document(STATE_KEY, &doc, version, 730)
            .await?
        {
            Ok(version + 1)
        } else {
            Err(AccessReviewError::Aws(AwsError {
                operation: "dynamodb:PutItem",
                kind: AwsErrorKind::Transient,
                code: Some("ConditionalCheckFailedException".into()),
                message: "another invocation changed the access review state; retried".into(),
            }))
        }
    }

    /// The schedule (its account and event id) or its continuation (`None`): the overdue check,
    /// then start a review or go on collecting the one in progress, and publish it once
    /// collected. A retried schedule event whose review is already published starts none.
    async fn prepare(
        &self,
        schedule: Option<(String, Option<String>)>,
        now: Timestamp,
    ) -> Result<ReviewSummary, AccessReviewError> {
        let (mut version, mut state) = self.load().await?;
        let mut event = None;
        let mut start = false;
        if let Some((account, event_id)) = schedule {
            let published = event_id.is_some()
                && state.latest.as_ref().and_then(|l| l.event.as_ref()) == event_id.as_ref();
            start = !published;
            state.account = account;
            event = event_id;
        }
        let mut summary = ReviewSummary {
            status: "idle",
            ..ReviewSummary::default()
        };
        if state.account.is_empty() {
            return Ok(summary);
        }
        let before = state.clone();
        self.file_unfiled(&mut state, now, &mut summary).await;
        self.check_overdue(&mut state, now, &mut summary).await;
        let mut draft = match state.draft.take() {
            Some(draft) => draft,
            None if start => self.begin(&state.account, event, now).await?,
            None => {
                if state != before {
                    self.save(version, &state).await?;
                }
                return Ok(summary);
            }
        };
        self.collect(&mut draft, now).await?;
        summary.pending_jobs = draft.pending.len();
        summary.review_id = Some(Review::id_for(&state.account, draft_at(&draft)?));
        if !draft.pending.is_empty() {
            summary.status = "collecting";
            state.draft = Some(draft);
            self.save(version, &state).await?;
            return Ok(summary);
        }
        // The draft is saved before anything is filed: an invocation killed while filing is
        // retried on the same draft (the same review id, so the same claims), not a new one.
        let started_by = draft.event.clone();
        state.draft = Some(draft.clone());
        version = self.save(version, &state).await?;
        state.draft = None;
        let (review, unfiled) = self.publish(&state, &draft, now, &mut summary).await?;
        state.latest = Some(ReviewRecord {
            id: review.id.clone(),
            generated_at: review.generated_at.clone(),
            signed: None,
            overdue_filed: false,
            unfiled,
            event: started_by,
        });
        self.save(version, &state).await?;
        Ok(summary)
    }

    /// Reads the IAM state of `account` as of `at`, with the activity known so far.
    async fn read_input(
        &self,
        account: &str,
        at: Timestamp,
        activity: BTreeMap<String, ServiceActivity>,
    ) -> Result<ReviewInput, AccessReviewError> {
        let details = read_authorization_details(&self.clients.iam).await?;
        let names: Vec<String> = details
            .users
            .iter()
            .filter_map(|u| u.user_name())
            .map(str::to_owned)
            .collect();
        let credentials =
            read_credentials_with(&self.clients.iam, &self.clients.iam_gaps, &names).await;
        let scope = Scope {
            account_id: account.to_owned(),
            region: String::new(),
        };
        let (roles, users, groups) = review_state(&details, &credentials, &scope, at);
        let mut policies = ManagedPolicyReader::new(self.clients.iam.clone());
        let permission_sets =
            identity_center::permission_sets(&self.clients.sso_admin, &mut policies, account).await;
        Ok(ReviewInput {
            account: account.to_owned(),
            at,
            roles,
            users,
            groups,
            permission_sets,
            activity,
            unused_after_days: self.options.unused_after_days,
            max_api_key_age_days: self.options.max_api_key_age_days,
        })
    }

    /// A new draft: every principal with GenAI access (keys act as their user) gets a service
    /// last accessed job.
    async fn begin(
        &self,
        account: &str,
        event: Option<String>,
        now: Timestamp,
    ) -> Result<Draft, AccessReviewError> {
        let input = self.read_input(account, now, BTreeMap::new()).await?;
        let arns: Vec<String> = build(&input, None)
            .principals
            .iter()
            // IAM reports on IAM entities: a key acts as its user, a permission set through
            // its provisioned role (listed as a role).
            .filter(|p| {
                !matches!(
                    p.kind,
                    crate::review::PrincipalKind::BedrockApiKey
                        | crate::review::PrincipalKind::PermissionSet
                )
            })
            .map(|p| p.arn.clone())
            .collect();
        let mut draft = Draft {
            at: now.to_string(),
            event,
            pending: BTreeMap::new(),
            activity: BTreeMap::new(),
        };
        for (arn, job) in last_accessed::start_jobs(&self.clients.iam_gaps, &arns).await {
            match job {
                Ok(job) => {
                    draft.pending.insert(arn, job);
                }
                Err(reason) => {
                    draft
                        .activity
                        .insert(arn, ServiceActivity::Unreadable { reason });
                }
            }
        }
        Ok(draft)
    }

    /// Polls the draft's pending jobs within the budget; jobs older than [`MAX_COLLECT_AGE`]
    /// are given up as unreadable.
    async fn collect(&self, draft: &mut Draft, now: Timestamp) -> Result<(), AccessReviewError> {
        if draft.pending.is_empty() {
            return Ok(());
        }
        let read = last_accessed::collect(
            &self.clients.iam_gaps,
            &draft.pending,
            self.options.poll_budget,
        )
        .await;
        for (arn, activity) in read {
            if !matches!(activity, ServiceActivity::Pending { .. }) {
                draft.pending.remove(&arn);
                draft.activity.insert(arn, activity);
            }
        }
        let age = now.epoch_millis() - draft_at(draft)?.epoch_millis();
        if age > i64::try_from(MAX_COLLECT_AGE.as_millis()).unwrap_or(i64::MAX) {
            for (arn, job) in std::mem::take(&mut draft.pending) {
                draft.activity.insert(
                    arn,
                    ServiceActivity::Unreadable {
                        reason: format!(
                            "IAM had not generated the service last accessed report (job {job}) within an hour"
                        ),
                    },
                );
            }
        }
        Ok(())
    }

    /// Builds the collected review, writes its objects and files it on SECAI3.8; returns it
    /// with the items that could not be filed yet.
    async fn publish(
        &self,
        state: &ReviewState,
        draft: &Draft,
        now: Timestamp,
        summary: &mut ReviewSummary,
    ) -> Result<(Review, Vec<UnfiledItem>), AccessReviewError> {
        let at = draft_at(draft)?;
        let input = self
            .read_input(&state.account, at, draft.activity.clone())
            .await?;
        let previous = match &state.latest {
            Some(latest) => Some(
                self.store
                    .get_json::<Review>(&object_key(&latest.id, "review.json"))
                    .await?,
            ),
            None => None,
        };
        let review = build(&input, previous.as_ref());
        let status = SignOffStatus::of(at, None, at, self.options.sign_off_days);
        let json = self
            .store
            .put_json(&object_key(&review.id, "review.json"), &review)
            .await?;
        let csv = self
            .store
            .put_object(
                &object_key(&review.id, "review.csv"),
                "text/csv; charset=utf-8",
                render::csv(&review).into_bytes(),
            )
            .await?;
        let html = self
            .store
            .put_html(
                &object_key(&review.id, "review.html"),
                render::html(&review, &status),
            )
            .await?;
        summary.status = "published";
        summary.principals = review.principals.len();
        summary.flagged = review.flagged().count();
        summary.flagged_principals = flagged_lines(&review);
        summary.objects = vec![json.clone(), csv, html.clone()];
        let items = [
            (
                "summary",
                EvidenceItem::Text(evidence_text(&review.summary())),
            ),
            ("html", EvidenceItem::S3Path(html)),
            ("json", EvidenceItem::S3Path(json)),
        ];
        let mut unfiled = Vec::new();
        for (what, item) in items {
            let claim = format!("review#{}#{what}", review.id);
            let outcome = self
                .recorder
                .file_item_once(&SECAI3_8, &claim, item.clone(), now)
                .await;
            if matches!(outcome, DigestOutcome::Deferred(_)) {
                unfiled.push(UnfiledItem::new(what, &item));
            }
            summary
                .evidence
                .push(format!("{what}: {}", outcome_words(&outcome)));
        }
        Ok((review, unfiled))
    }

    /// Files the latest review's items that were not filed when it was published; those that
    /// still cannot be filed stay for the next invocation.
    async fn file_unfiled(
        &self,
        state: &mut ReviewState,
        now: Timestamp,
        summary: &mut ReviewSummary,
    ) {
        let Some(latest) = state.latest.as_mut() else {
            return;
        };
        let mut still = Vec::new();
        for pending in std::mem::take(&mut latest.unfiled) {
            let Some(item) = pending.item() else {
                tracing::error!(what = %pending.what, "an unfiled review item has neither text nor path; dropped");
                continue;
            };
            let claim = format!("review#{}#{}", latest.id, pending.what);
            let outcome = self
                .recorder
                .file_item_once(&SECAI3_8, &claim, item, now)
                .await;
            summary
                .evidence
                .push(format!("{}: {}", pending.what, outcome_words(&outcome)));
            if matches!(outcome, DigestOutcome::Deferred(_)) {
                still.push(pending);
            }
        }
        latest.unfiled = still;
    }

    /// Files the latest review's overdue evidence once, when it is unsigned past its deadline.
    async fn check_overdue(
        &self,
        state: &mut ReviewState,
        now: Timestamp,
        summary: &mut ReviewSummary,
    ) {
        let account = state.account.clone();
        let Some(latest) = state.latest.as_mut() else {
            return;
        };
        let Ok(generated) = Timestamp::parse(&latest.generated_at) else {
            return;
        };
        let status = SignOffStatus::of(
            generated,
            latest.signed.as_ref(),
            now,
            self.options.sign_off_days,
        );
        let text = status.evidence_text(&latest.id, &account);
        summary.sign_off = Some(text.clone());
        if !matches!(status, SignOffStatus::Overdue { .. }) || latest.overdue_filed {
            return;
        }
        let claim = format!("review#{}#overdue", latest.id);
        let outcome = self
            .recorder
            .file_item_once(
                &SECAI3_8,
                &claim,
                EvidenceItem::Text(evidence_text(&text)),
                now,
            )
            .await;
        summary
            .evidence
            .push(format!("overdue: {}", outcome_words(&outcome)));
        let config = self
            .record_config(&account, ComplianceType::NonCompliant, &text, now)
            .await;
        summary.config.push(config.clone());
        latest.overdue_filed =
            !matches!(outcome, DigestOutcome::Deferred(_)) && !config.starts_with("failed");
    }

    /// Records the reviewer's sign-off of a published review.
    async fn attest(
        &self,
        attestation: Attestation,
        invoked_by: &str,
        now: Timestamp,
    ) -> Result<ReviewSummary, AccessReviewError> {
        let (version, mut state) = self.load().await?;
        let unknown = || {
            AccessReviewError::Attestation(AttestError::UnknownReview(
                attestation.review_id.clone(),
            ))
        };
        let Some(latest) = state
            .latest
            .as_ref()
            .filter(|l| l.id == attestation.review_id)
        else {
            return Err(unknown());
        };
        let review: Review = self
            .store
            .get_json(&object_key(&latest.id, "review.json"))
            .await
            .map_err(|e| match e.kind {
                AwsErrorKind::NotFound => unknown(),
                _ => AccessReviewError::Aws(e),
            })?;
        attestation.validate(&review)?;
        let mut summary = ReviewSummary {
            status: "signed",
            review_id: Some(review.id.clone()),
            principals: review.principals.len(),
            flagged: review.flagged().count(),
            ..ReviewSummary::default()
        };
        if let Some(signed) = &latest.signed {
            summary.status = "already_signed";
            summary.sign_off = Some(format!(
                "signed off by {} at {}; this attestation was not recorded",
                signed.attestation.reviewer, signed.recorded_at
            ));
            return Ok(summary);
        }
        let sign_off = SignOff {
            attestation: attestation.clone(),
            recorded_at: now.to_string(),
            invoked_by: invoked_by.to_owned(),
        };
        let text = attestation.evidence_text(&review, &sign_off);
        let path = self
            .store
            .put_json(&object_key(&review.id, "sign-off.json"), &sign_off)
            .await?;
        let outcome = self
            .recorder
            .file_item_once(
                &SECAI3_8,
                &format!("review#{}#sign-off", review.id),
                EvidenceItem::Text(evidence_text(&text)),
                now,
            )
            .await;
        if let DigestOutcome::Deferred(why) = &outcome {
            // Not recorded as signed: the reviewer's next attempt files it.
            return Err(AccessReviewError::Aws(AwsError {
                operation: "auditmanager:BatchImportEvidenceToAssessmentControl",
                kind: AwsErrorKind::Transient,
                code: None,
                message: format!("the sign-off could not be filed yet: {why}"),
            }));
        }
        summary
            .evidence
            .push(format!("sign-off: {}", outcome_words(&outcome)));
        let status = SignOffStatus::of(
            Timestamp::parse(&review.generated_at).map_err(bad_state)?,
            Some(&sign_off),
            now,
            self.options.sign_off_days,
        );
        let html = self
            .store
            .put_html(
                &object_key(&review.id, "review.html"),
                render::html(&review, &status),
            )
            .await?;
        summary.objects = vec![path, html];
        summary.config.push(
            self.record_config(&state.account, ComplianceType::Compliant, &text, now)
                .await,
        );
        summary.sign_off = Some(status.evidence_text(&review.id, &state.account));
        if let Some(latest) = state.latest.as_mut() {
            latest.signed = Some(sign_off);
        }
        self.save(version, &state).await?;
        Ok(summary)
    }

    /// Records the review's state on the Config process check rule, when one is configured.
    async fn record_config(
        &self,
        account: &str,
        compliance: ComplianceType,
        annotation: &str,
        now: Timestamp,
    ) -> String {
        let Some(rule) = &self.options.config_rule else {
            return "no Config process check rule is configured (REVIEW_CONFIG_RULE)".into();
        };
        let evaluation = ExternalEvaluation::builder()
            .compliance_resource_type("AWS::::Account")
            .compliance_resource_id(account)
            .compliance_type(compliance.clone())
            .annotation(genai_evidence_core::text::truncate_chars(annotation, 256))
            .ordering_timestamp(aws_smithy_types::DateTime::from_millis(now.epoch_millis()))
            .build();
        let evaluation = match evaluation {
            Ok(e) => e,
            Err(e) => return format!("failed: {e}"),
        };
        match self
            .clients
            .config
            .put_external_evaluation()
            .config_rule_name(rule)
            .external_evaluation(evaluation)
            .send()
            .await
        {
            Ok(_) => format!("{} recorded on {rule}", compliance.as_str()),
            Err(e) => format!(
                "failed: {}",
                AwsError::from_sdk("config:PutExternalEvaluation", e)
            ),
        }
    }
}

fn draft_at(draft: &Draft) -> Result<Timestamp, AccessReviewError> {
    Timestamp::parse(&draft.at).map_err(bad_state)
}

/// An Audit Manager text item: at most 1,000 characters.
fn evidence_text(text: &str) -> String {
    genai_evidence_core::text::truncate_chars(text, 1_000)
}

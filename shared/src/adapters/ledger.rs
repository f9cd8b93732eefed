//! The evidence ledger: a DynamoDB table (one string key `pk`, TTL attribute `expires_at`) that
//! every function shares, so evidence is filed on state change only and Audit Manager's daily
//! quota holds across functions and concurrent invocations.
//!
//! Items, by key prefix:
//! - `verdict#<control>#<check>#<identity>`: the last verdict *evidenced*
//!   for that check, resource and control (`verdict`, `at`). It is written only once evidence of
//!   the verdict was filed (or, when the write claims a change, before filing and rolled back if
//!   filing fails), so a change that could not be filed is seen again by the next run. A claim is
//!   *pending* (`pending_until`, and the verdict it replaces in `prior_verdict`) until the filing is
//!   confirmed: an invocation that dies between the claim and the confirmation (a timeout, a
//!   crash) cannot roll it back, so once `pending_until` has passed the claim counts for nothing
//!   and the change is seen again.
//! - `securityhub#<check>#<identity>`: the last verdict Security Hub took as a finding for
//!   that check and resource, claimed, confirmed and released as a `verdict#` item is.
//! - `budget#<control>#<day>`: evidence items filed on that control that UTC day (`used`).
//!   Reservations are optimistic-concurrency updates on `used`: two functions never both take
//!   the last slot.
//! - `once#<anything>`: claimed once (`claim_once`): digests already filed, CloudTrail event ids
//!   already handled, schedule deliveries already run. A digest's claim is pending until the
//!   digest is filed (`claim_pending`, `confirm`), as a verdict's is.
//! - `run#<id>` and `run#open`: the scheduled sweep's checkpoints (see `triggers::sweep`).
//! - `trend#runs`: the verdict counts per control of the last completed sweep runs
//!   ([`TREND_RUNS`], one entry per run), a versioned document the auditor's report reads for its
//!   trend ([`Ledger::record_run_counts`]). One item, not one per run: the table has no sort key
//!   to read "the last N" items by, and one GetItem reads the window.
//! - `configrule#<rule>#cursor`: where the Config rule's periodic pass stopped, a versioned
//!   document (`put_document`; see `triggers::config_rule::periodic`).
//!
//! Every write that decides something is conditional; the unconditional batch writes only
//! record verdicts already evidenced.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, PutRequest, ReturnValuesOnConditionCheckFailure,
    WriteRequest,
};

use genai_evidence_core::evidence::trend::{RunCounts, TREND_RUNS, push_run};

use crate::domain::outcome::Verdict;
use crate::domain::resource::ResourceRef;
use crate::domain::time::Timestamp;
use crate::error::{AwsError, AwsErrorKind};

/// The IAM actions the ledger calls (granted on the ledger table only).
pub const REQUIRED_ACTIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
];

/// BatchGetItem reads at most 100 keys per call.
const MAX_BATCH_GET: usize = 100;
/// BatchWriteItem writes at most 25 items per call.
const MAX_BATCH_WRITE: usize = 25;
/// Rounds of retrying unprocessed keys/items, with backoff, before giving up.
const UNPROCESSED_ROUNDS: u32 = 6;
/// How long budget counters and claims are kept (DynamoDB TTL deletes them afterwards).
const COUNTER_TTL_DAYS: i64 = 3;
/// The key of the window of the last runs' verdict counts.
pub const TREND_KEY: &str = "trend#runs";
/// Days the trend window is kept after its last write (as the sweep's run records).
const TREND_TTL_DAYS: u32 = 7;
/// Versioned writes of the trend window tried before giving up (another writer each time).
const TREND_ROUNDS: u32 = 8;
/// `prior_verdict` of a pending claim on a verdict that had no record before.
const NO_PRIOR: &str = "NONE";

/// The key of the last evidenced verdict of `check` on `resource` under `control`.
pub fn verdict_key(control: &str, check: &str, resource: &ResourceRef) -> String {
    verdict_key_of(control, check, &resource.identity())
}

/// [`verdict_key`] from a resource identity ([`crate::domain::resource::identity_of`], for a
/// report line, which carries the parts as text).
pub fn verdict_key_of(control: &str, check: &str, identity: &str) -> String {
    format!("verdict#{control}#{check}#{identity}")
}

/// The key of the last verdict of `check` on `resource` that Security Hub took as a finding.
pub fn securityhub_key(check: &str, resource: &ResourceRef) -> String {
    format!("securityhub#{check}#{}", resource.identity())
}

/// The evidence ledger on one DynamoDB table.
#[derive(Debug, Clone)]
pub struct Ledger {
    client: Client,
    table: String,
}

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(number: impl ToString) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

fn expires_in_days(days: i64) -> AttributeValue {
    n(Timestamp::now().epoch_seconds() + days * 86_400)
}

fn is_condition_failure(err: &AwsError) -> bool {
    err.code.as_deref() == Some("ConditionalCheckFailedException")
}

impl Ledger {
    /// A ledger on `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The last evidenced verdict of each key that has one (strongly consistent reads, 100 keys a
    /// call, unprocessed keys retried with backoff). A pending claim counts as its verdict while
    /// it lasts (its invocation is filing it), and as the verdict it replaced once it has
    /// expired (its invocation died before it could confirm or release it).
    pub async fn last_verdicts(
        &self,
        keys: &[String],
    ) -> Result<HashMap<String, Verdict>, AwsError> {
        let mut found = HashMap::new();
        let now = Timestamp::now().epoch_millis();
        let mut unique: Vec<&String> = keys.iter().collect();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(MAX_BATCH_GET) {
            let mut pending: Vec<HashMap<String, AttributeValue>> = chunk
                .iter()
                .map(|k| HashMap::from([("pk".to_owned(), s(k.as_str()))]))
                .collect();
            let mut round = 0;
            while !pending.is_empty() {
                if round > 0 {
                    backoff(round).await;
                }
                if round >= UNPROCESSED_ROUNDS {
                    return Err(AwsError {
                        operation: "dynamodb:BatchGetItem",
                        kind: AwsErrorKind::Throttled,
                        code: None,
                        message: format!("{} keys still unprocessed after retries", pending.len()),
                    });
                }
                round += 1;
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending.clone()))
                    .consistent_read(true)
                    .projection_expression("pk, verdict, pending_until, prior_verdict")
                    .build()
                    .map_err(|e| invalid("dynamodb:BatchGetItem", e))?;
                // A failed call is retried like unprocessed keys: a ledger that cannot be read
                // leaves every finding undelivered.
                let out = match self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("dynamodb:BatchGetItem", e))
                {
                    Ok(out) => out,
                    Err(e) if e.is_retryable() && round < UNPROCESSED_ROUNDS => {
                        tracing::warn!(error = %e, round, "ledger read will be retried");
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                pending.clear();
                for item in out
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    let expired = item
                        .get("pending_until")
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse::<i64>().ok())
                        .is_some_and(|until| until <= now);
                    let field = if expired { "prior_verdict" } else { "verdict" };
                    if let (Some(AttributeValue::S(pk)), Some(AttributeValue::S(v))) =
                        (item.get("pk"), item.get(field))
                        && let Some(verdict) = Verdict::parse(v)
                    {
                        found.insert(pk.clone(), verdict);
                    }
                }
                if let Some(left) = out
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .map(|k| k.keys().to_vec())
                {
                    pending = left;
                }
            }
        }
        Ok(found)
    }

    /// Records verdicts already evidenced (unconditional: the evidence exists, so the ledger must
    /// say so). 25 items a call, unprocessed items retried with backoff.
    pub async fn record_verdicts(
        &self,
        entries: &[(String, Verdict)],
        at: Timestamp,
    ) -> Result<(), AwsError> {
        for chunk in entries.chunks(MAX_BATCH_WRITE) {
            let mut pending = Vec::with_capacity(chunk.len());
            for (key, verdict) in chunk {
                let put = PutRequest::builder()
                    .item("pk", s(key.as_str()))
                    .item("verdict", s(verdict.as_str()))
                    .item("at", s(at.to_string()))
                    .build()
                    .map_err(|e| invalid("dynamodb:BatchWriteItem", e))?;
                pending.push(WriteRequest::builder().put_request(put).build());
            }
            let mut round = 0;
            while !pending.is_empty() {
                if round > 0 {
                    backoff(round).await;
                }
                if round >= UNPROCESSED_ROUNDS {
                    return Err(AwsError {
                        operation: "dynamodb:BatchWriteItem",
                        kind: AwsErrorKind::Throttled,
                        code: None,
                        message: format!("{} items still unprocessed after retries", pending.len()),
                    });
                }
                round += 1;
                // A failed call is retried like unprocessed items (the puts are idempotent): a
                // digest whose changes were not recorded would have them filed again next run.
                let sent = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending.clone())
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("dynamodb:BatchWriteItem", e));
                match sent {
                    Ok(out) => {
                        pending = out
                            .unprocessed_items()
                            .and_then(|u| u.get(&self.table))
                            .cloned()
                            .unwrap_or_default();
                    }
                    Err(e) if e.is_retryable() && round < UNPROCESSED_ROUNDS => {
                        tracing::warn!(error = %e, round, "ledger write will be retried");
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Claims a verdict change: writes `new` only if the ledger still holds `old` (`None`: no
    /// record yet; an expired pending claim holds the verdict it replaced). The claim is pending
    /// for `lease`: [`Ledger::confirm`] it once the evidence is filed (with the returned
    /// `pending_until`), [`Ledger::release_change`] it if filing failed. `None` means another
    /// invocation already claimed this change.
    pub async fn claim_change(
        &self,
        key: &str,
        old: Option<Verdict>,
        new: Verdict,
        at: Timestamp,
        lease: Duration,
    ) -> Result<Option<i64>, AwsError> {
        let now = Timestamp::now().epoch_millis();
        let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let prior = old.map_or(NO_PRIOR, Verdict::as_str);
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(key))
            .item("verdict", s(new.as_str()))
            .item("at", s(at.to_string()))
            .item("pending_until", n(until))
            .item("prior_verdict", s(prior))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":prior", s(prior));
        let request = match old {
            None => request.condition_expression(
                "attribute_not_exists(pk) OR (pending_until <= :now AND prior_verdict = :prior)",
            ),
            Some(_) => request.condition_expression(
                "verdict = :prior OR (pending_until <= :now AND prior_verdict = :prior)",
            ),
        };
        Ok(conditional_put(&self.client, request)
            .await?
            .then_some(until))
    }

    /// Confirms a pending claim (a verdict change's or a digest's, by its full key) once its
    /// evidence is filed: it then holds for good. `false` when the claim is no longer the one
    /// taken with `pending_until` (a later claim replaced it).
    ///
    /// A failed call is tried again a few times (after the SDK's own retries, whose quota a long
    /// run of faults can spend): an unconfirmed claim lapses and its evidence is filed again.
    pub async fn confirm(&self, key: &str, pending_until: i64) -> Result<bool, AwsError> {
        let mut round = 0;
        loop {
            round += 1;
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(key))
                .update_expression("REMOVE pending_until, prior_verdict")
                .condition_expression("pending_until = :until")
                .expression_attribute_values(":until", n(pending_until))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("dynamodb:UpdateItem", e));
            match result {
                Ok(_) => return Ok(true),
                // Also when an earlier round's answer was lost after it confirmed.
                Err(e) if is_condition_failure(&e) => return Ok(false),
                Err(e) if e.is_retryable() && round < UNPROCESSED_ROUNDS => backoff(round).await,
                Err(e) => return Err(e),
            }
        }
    }

    /// Undoes [`Ledger::claim_change`] after the evidence could not be filed, so the change is
    /// seen again (only if the ledger still holds `new`).
    pub async fn release_change(
        &self,
        key: &str,
        old: Option<Verdict>,
        new: Verdict,
    ) -> Result<(), AwsError> {
        let result = match old {
            None => self
                .client
                .delete_item()
                .table_name(&self.table)
                .key("pk", s(key))
                .condition_expression("verdict = :new")
                .expression_attribute_values(":new", s(new.as_str()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("dynamodb:DeleteItem", e)),
            Some(old) => self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(key))
                .update_expression("SET verdict = :old REMOVE pending_until, prior_verdict")
                .condition_expression("verdict = :new")
                .expression_attribute_values(":old", s(old.as_str()))
                .expression_attribute_values(":new", s(new.as_str()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("dynamodb:UpdateItem", e)),
        };
        match result {
            Err(e) if !is_condition_failure(&e) => Err(e),
            _ => Ok(()),
        }
    }

    /// Evidence items already filed on `control` on `day`.
    pub async fn used(&self, control: &str, day: &str) -> Result<u32, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(budget_key(control, day)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("dynamodb:GetItem", e))?;
        Ok(out
            .item()
            .and_then(|i| i.get("used"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Reserves up to `wanted` evidence slots on `control` for `day` without taking the count past
    /// `limit`; returns how many were granted (possibly 0). Concurrent reservations never exceed
    /// the limit together: each is a conditional update on the count it read.
    pub async fn reserve(
        &self,
        control: &str,
        day: &str,
        wanted: u32,
        limit: u32,
    ) -> Result<u32, AwsError> {
        if wanted == 0 {
            return Ok(0);
        }
        let key = budget_key(control, day);
        for round in 0..16 {
            if round > 0 {
                backoff(round.min(4)).await;
            }
            let used = self.used(control, day).await?;
            let granted = wanted.min(limit.saturating_sub(used));
            if granted == 0 {
                return Ok(0);
            }
            // As in `conditional_put`: a reservation whose answer was lost is found by its token.
            let token = write_token();
            let request = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(key.as_str()))
                .update_expression("SET used = :new, expires_at = :exp, #writer = :writer")
                .expression_attribute_names("#writer", WRITER)
                .expression_attribute_values(":new", n(used + granted))
                .expression_attribute_values(":exp", expires_in_days(COUNTER_TTL_DAYS))
                .expression_attribute_values(":writer", s(token.as_str()))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            let request = if used == 0 {
                request
                    .condition_expression("attribute_not_exists(used) OR used = :zero")
                    .expression_attribute_values(":zero", n(0))
            } else {
                request
                    .condition_expression("used = :old")
                    .expression_attribute_values(":old", n(used))
            };
            match request.send().await {
                Ok(_) => return Ok(granted),
                Err(e) => {
                    if let Some(UpdateItemError::ConditionalCheckFailedException(failed)) =
                        e.as_service_error()
                        && written_by(failed.item(), &token)
                    {
                        return Ok(granted);
                    }
                    let err = AwsError::from_sdk("dynamodb:UpdateItem", e);
                    if !is_condition_failure(&err) {
                        return Err(err);
                    }
                }
            }
        }
        Err(AwsError {
            operation: "dynamodb:UpdateItem",
            kind: AwsErrorKind::Throttled,
            code: None,
            message: format!("the evidence budget of {control} on {day} kept changing under us"),
        })
    }

    /// Claims `key` once: `true` the first time, `false` while an earlier claim lives (kept
    /// `ttl_days`, then DynamoDB's TTL removes it).
    pub async fn claim_once(&self, key: &str, ttl_days: u32) -> Result<bool, AwsError> {
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("once#{key}")))
            .item("at", s(Timestamp::now().to_string()))
            .item("expires_at", expires_in_days(i64::from(ttl_days)))
            .condition_expression("attribute_not_exists(pk)");
        conditional_put(&self.client, request).await
    }

    /// Claims `key` once, as [`Ledger::claim_once`], but pending for `lease`: the claim holds
    /// for good once [`Ledger::confirm`]ed (`once#<key>`, with the returned `pending_until`);
    /// until then a claim whose lease has passed (its invocation died) may be taken again.
    /// `None` while another claim holds.
    pub async fn claim_pending(
        &self,
        key: &str,
        ttl_days: u32,
        lease: Duration,
    ) -> Result<Option<i64>, AwsError> {
        let now = Timestamp::now().epoch_millis();
        let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("once#{key}")))
            .item("at", s(Timestamp::now().to_string()))
            .item("expires_at", expires_in_days(i64::from(ttl_days)))
            .item("pending_until", n(until))
            .condition_expression("attribute_not_exists(pk) OR pending_until <= :now")
            .expression_attribute_values(":now", n(now));
        Ok(conditional_put(&self.client, request)
            .await?
            .then_some(until))
    }

    /// Gives up a [`Ledger::claim_once`] claim (its work failed and must be done again). The
    /// delete is tried again a few times after the SDK's retries: a claim left behind would make
    /// the retry of the work find it done.
    pub async fn release_once(&self, key: &str) -> Result<(), AwsError> {
        let mut round = 0;
        loop {
            round += 1;
            let result = self
                .client
                .delete_item()
                .table_name(&self.table)
                .key("pk", s(format!("once#{key}")))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("dynamodb:DeleteItem", e));
            match result {
                Err(e) if e.is_retryable() && round < UNPROCESSED_ROUNDS => backoff(round).await,
                other => return other,
            }
        }
    }

    /// Stores a JSON document under `key` with a version: the write succeeds only if the stored
    /// version is still `expected_version` (`0`: no item yet). `false` means someone else wrote
    /// it first. Kept `ttl_days`.
    pub async fn put_document(
        &self,
        key: &str,
        doc: &serde_json::Value,
        expected_version: u64,
        ttl_days: u32,
    ) -> Result<bool, AwsError> {
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(key))
            .item("doc", s(doc.to_string()))
            .item("version", n(expected_version + 1))
            .item("expires_at", expires_in_days(i64::from(ttl_days)));
        let request = if expected_version == 0 {
            request.condition_expression("attribute_not_exists(pk)")
        } else {
            request
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(expected_version))
        };
        conditional_put(&self.client, request).await
    }

    /// The version of the document under `key` (`0` if absent) along with the document.
    pub async fn get_versioned(
        &self,
        key: &str,
    ) -> Result<(u64, Option<serde_json::Value>), AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("dynamodb:GetItem", e))?;
        let Some(item) = out.item() else {
            return Ok((0, None));
        };
        let version = item
            .get("version")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let doc = item
            .get("doc")
            .and_then(|d| d.as_s().ok())
            .and_then(|t| serde_json::from_str(t).ok());
        Ok((version, doc))
    }
}

impl Ledger {
    /// Adds `entry` (a completed run's counts) to the window of the last [`TREND_RUNS`] runs under
    /// [`TREND_KEY`] and returns the window, oldest run first. The write is a versioned
    /// conditional put, read again and retried when another writer came first; a run already in
    /// the window (a rerun of a completed run) writes nothing. A window this version cannot read
    /// is started anew.
    pub async fn record_run_counts(&self, entry: RunCounts) -> Result<Vec<RunCounts>, AwsError> {
        for round in 0..TREND_ROUNDS {
            if round > 0 {
                backoff(round.min(4)).await;
            }
            let (version, doc) = self.get_versioned(TREND_KEY).await?;
            let mut window: Vec<RunCounts> = match doc.map(serde_json::from_value) {
                Some(Ok(window)) => window,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "the trend window is not what this version writes: started anew");
                    Vec::new()
                }
                None => Vec::new(),
            };
            if !push_run(&mut window, entry.clone(), TREND_RUNS) {
                return Ok(window);
            }
            let doc = serde_json::to_value(&window).map_err(|e| invalid("dynamodb:PutItem", e))?;
            if self
                .put_document(TREND_KEY, &doc, version, TREND_TTL_DAYS)
                .await?
            {
                return Ok(window);
            }
        }
        Err(AwsError {
            operation: "dynamodb:PutItem",
            kind: AwsErrorKind::Throttled,
            code: None,
            message: format!("{TREND_KEY} kept changing under us"),
        })
    }
}

/// Sends a conditional PutItem: `true` if written, `false` if its condition did not hold.
///
/// The item carries a token of this write (`writer`). When the condition fails on an item
/// holding that token, the write is ours: an earlier attempt landed and its answer was lost (a
/// reset or timeout after DynamoDB wrote it), and the SDK's retry then found its own item. Without
/// this a claim whose answer was lost would read as taken by another invocation, and what it
/// claimed (a change, a digest, an event) would never be filed.
///
/// When the call fails after its retries, an earlier attempt may still have written the item
/// (its answer lost, the later attempts throttled): the item is read back, and holding the token
/// it is ours.
async fn conditional_put(
    client: &Client,
    request: aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder,
) -> Result<bool, AwsError> {
    let token = write_token();
    let table = request.get_table_name().clone().unwrap_or_default();
    let pk = request
        .get_item()
        .as_ref()
        .and_then(|item| item.get("pk"))
        .cloned();
    let sent = request
        .item(WRITER, s(token.as_str()))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match sent {
        Ok(_) => Ok(true),
        Err(e) => {
            if let Some(PutItemError::ConditionalCheckFailedException(failed)) =
                e.as_service_error()
            {
                return Ok(written_by(failed.item(), &token));
            }
            let err = AwsError::from_sdk("dynamodb:PutItem", e);
            if is_condition_failure(&err) {
                return Ok(false);
            }
            if let Some(pk) = pk.filter(|_| err.is_retryable()) {
                for round in 1..=3 {
                    let read = client
                        .get_item()
                        .table_name(&table)
                        .key("pk", pk.clone())
                        .consistent_read(true)
                        .send()
                        .await;
                    match read {
                        Ok(out) if written_by(out.item(), &token) => return Ok(true),
                        Ok(_) => break,
                        Err(_) => backoff(round).await,
                    }
                }
            }
            Err(err)
        }
    }
}

/// The attribute naming the write that last put an item (see [`conditional_put`]).
const WRITER: &str = "writer";

/// A token unique to one write of this process (and, with the time, across processes).
fn write_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether `item` (the one a failed condition found) was written with `token`.
fn written_by(item: Option<&HashMap<String, AttributeValue>>, token: &str) -> bool {
    item.and_then(|i| i.get(WRITER))
        .and_then(|v| v.as_s().ok())
        .is_some_and(|t| t == token)
}

fn budget_key(control: &str, day: &str) -> String {
    format!("budget#{control}#{day}")
}

fn invalid(operation: &'static str, err: impl std::fmt::Display) -> AwsError {
    AwsError {
        operation,
        kind: AwsErrorKind::Invalid,
        code: None,
        message: err.to_string(),
    }
}

async fn backoff(round: u32) {
    tokio::time::sleep(Duration::from_millis(50) * 2u32.saturating_pow(round.min(6))).await;
}

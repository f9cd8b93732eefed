//! The Config rule's periodic pass (`ScheduledNotification`).
//!
//! A pass walks every recorded resource of the types the selected checks read, in a stable
//! order: the types in [`ResourceType::ALL`] order, each type's ids (`ListDiscoveredResources`,
//! every page) sorted. It reads, evaluates, answers Config and files evidence in batches (100 by
//! default, one `BatchGetResourceConfig` each). After each batch it looks at Lambda's deadline:
//! with less than the time reserve left it stops there, and the cursor (the last resource
//! done) is kept in the ledger (`configrule#<rule>#cursor`) so the next periodic invocation
//! continues after it. Every invocation lists every type again, so what it compares with is
//! always the current listing.
//!
//! When the last listed resource is done, the pass checks for resources that vanished: the rule's
//! earlier `COMPLIANT` / `NON_COMPLIANT` evaluations (`GetComplianceDetailsByConfigRule`, every
//! page) of a type the pass covers whose resource is not listed now are evaluated as
//! [`SubjectState::Gone`] ([`VANISHED_REASON`]): `NOT_APPLICABLE` in Config, one not-applicable
//! finding per check for Audit Manager. A partial pass never does this: a resource it has not
//! reached yet is not gone. Once marked, a resource's evaluation is `NOT_APPLICABLE`, so a
//! vanished step cut short by the deadline just runs again (`PassCursor::VanishedStep`).

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    ConfigRuleHandler, Delivered, Fate, HandlerError, Message, PassReport, RuleEvent, Summary,
    TEST_MODE_TOKEN, complete_principals, finish, from_item,
};
use crate::adapters::config_api::{self, Discovered, EarlierEvaluation, MAX_KEYS_PER_BATCH_GET};
use crate::adapters::iam::ManagedPolicyReader;
use crate::adapters::ledger::Ledger;
use crate::catalog::Params;
use crate::domain::resource::{ResourceRef, ResourceType};
use crate::domain::time::Timestamp;
use crate::evaluate::{Subject, SubjectState};
use crate::triggers::sweep::should_stop;

/// Why a resource the rule evaluated before is now not applicable.
pub const VANISHED_REASON: &str =
    "the resource no longer exists (not among AWS Config's discovered resources)";
/// How long a saved cursor is kept (each save renews it); past that a pass starts over.
pub const CURSOR_TTL_DAYS: u32 = 7;
/// The earlier evaluations a vanished resource may have: the others are `NOT_APPLICABLE`
/// already, and `INSUFFICIENT_DATA` is not a filter Config takes (nor a result PutEvaluations
/// can store).
const EARLIER_COMPLIANCE_TYPES: &[&str] = &["COMPLIANT", "NON_COMPLIANT"];
const VIA_LISTED: &str = "AWS Config configuration item (periodic re-evaluation)";
const VIA_VANISHED: &str =
    "AWS Config: the rule's earlier evaluations against the discovered resources (periodic)";

/// The ledger key of a rule's periodic-pass cursor.
pub fn cursor_key(rule: &str) -> String {
    format!("configrule#{rule}#cursor")
}

/// How a periodic pass batches its work and when it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodicOptions {
    /// Resources read, evaluated and delivered together (1 to 100, BatchGetResourceConfig's
    /// limit).
    pub batch_size: usize,
    /// Stop after the batch that leaves less than this before Lambda's deadline.
    pub time_reserve: Duration,
}

impl Default for PeriodicOptions {
    fn default() -> Self {
        Self {
            batch_size: MAX_KEYS_PER_BATCH_GET,
            time_reserve: Duration::from_secs(60),
        }
    }
}

/// Where a periodic pass stands between invocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum PassCursor {
    /// Every listed resource up to `after_id` of `resource_type`, in the pass's order, is done.
    #[serde(rename_all = "camelCase")]
    Listing {
        /// The CloudFormation type of the last resource done.
        resource_type: String,
        /// Its id.
        after_id: String,
    },
    /// Every listed resource is done; what is left is marking the vanished ones.
    VanishedStep,
}

/// The vanished-resource step of a periodic run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum VanishedCheck {
    /// The earlier evaluations were read: `vanished` resources are gone, `marked` of them were
    /// sent as `NOT_APPLICABLE` by this invocation (fewer when the deadline cut the step short).
    #[serde(rename_all = "camelCase")]
    Done {
        /// Earlier `COMPLIANT` / `NON_COMPLIANT` evaluations read.
        earlier_evaluations: usize,
        /// Those of a covered type whose resource is not listed now.
        vanished: usize,
        /// Marked `NOT_APPLICABLE` by this invocation.
        marked: usize,
    },
    /// The earlier evaluations could not be read: no resource was marked (the next complete pass
    /// tries again).
    Failed {
        /// Why.
        error: String,
    },
    /// Not run: the pass is not complete yet.
    Deferred,
}

/// The resource types a pass covers: recorded by Config, read by a selected check, in
/// [`ResourceType::ALL`] order.
pub fn covered_types(params: &Params) -> Vec<ResourceType> {
    ResourceType::ALL
        .iter()
        .copied()
        .filter(|t| t.recorded_by_config() && !params.checks_for(*t).is_empty())
        .collect()
}

fn order_of(resource_type: &str) -> Option<usize> {
    ResourceType::ALL
        .iter()
        .position(|t| t.cfn_type() == resource_type)
}

/// The listed resources still to do after `cursor`, in the pass's order. `listing` holds each
/// covered type with what Config lists of it (ids sorted); a cursor on a type this run no longer covers continues with
/// the next type in [`ResourceType::ALL`] order; a cursor on an unknown type starts over.
pub fn remaining_after(
    listing: &[(ResourceType, Discovered)],
    cursor: Option<&PassCursor>,
) -> Vec<(ResourceType, String)> {
    let after = match cursor {
        None => None,
        Some(PassCursor::VanishedStep) => return Vec::new(),
        Some(PassCursor::Listing {
            resource_type,
            after_id,
        }) => order_of(resource_type).map(|order| (order, after_id.as_str())),
    };
    let mut work = Vec::new();
    for (resource_type, listed) in listing {
        let order = order_of(resource_type.cfn_type()).unwrap_or(usize::MAX);
        for id in &listed.ids {
            let done = after.is_some_and(|(at, after_id)| {
                order < at || (order == at && id.as_str() <= after_id)
            });
            if !done {
                work.push((*resource_type, id.clone()));
            }
        }
    }
    work
}

/// The resources that vanished: an earlier evaluation that is not `NOT_APPLICABLE`, of a type in
/// `listing` (the types this pass covers, each with what Config lists of it now), whose id is
/// neither a listed id nor a listed name (a live resource is never marked). An evaluation ordered after `as_of` (the notification time) is not one this pass can
/// judge (a change notification evaluated the resource since), and an id longer than its type
/// allows is never echoed. Sorted, without duplicates.
pub fn vanished_resources(
    earlier: &[EarlierEvaluation],
    listing: &[(ResourceType, Discovered)],
    as_of: Timestamp,
) -> Vec<(ResourceType, String)> {
    let mut gone = BTreeSet::new();
    for evaluation in earlier {
        if evaluation.compliance == "NOT_APPLICABLE"
            || evaluation.ordering.is_some_and(|at| at > as_of)
        {
            continue;
        }
        let Some((resource_type, listed)) = listing
            .iter()
            .find(|(t, _)| t.cfn_type() == evaluation.resource_type)
        else {
            continue;
        };
        let id = &evaluation.resource_id;
        if id.is_empty()
            || id.chars().count() > resource_type.max_id_chars()
            || listed.ids.binary_search(id).is_ok()
            || listed.names.binary_search(id).is_ok()
        {
            continue;
        }
        gone.insert((
            order_of(resource_type.cfn_type()),
            id.clone(),
            *resource_type,
        ));
    }
    gone.into_iter().map(|(_, id, t)| (t, id)).collect()
}

/// Reads the cursor document: `None` for a document without one.
fn parse_cursor(doc: &serde_json::Value) -> Result<Option<PassCursor>, String> {
    match doc.get("cursor") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => {
            let cursor: PassCursor =
                serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
            match &cursor {
                PassCursor::Listing { resource_type, .. }
                    if ResourceType::from_cfn_type(resource_type).is_none() =>
                {
                    Err(format!("unknown resource type {resource_type:?}"))
                }
                _ => Ok(Some(cursor)),
            }
        }
    }
}

/// One periodic invocation under way.
struct PassRun<'a> {
    event: &'a RuleEvent,
    now: Timestamp,
    deadline: Option<SystemTime>,
    out: Delivered,
    reader: Option<ManagedPolicyReader>,
    /// Batches delivered (an invocation always runs at least one).
    batches: usize,
    /// Where the pass stands: `None` is a pass not begun, or one just completed.
    position: Option<PassCursor>,
    /// Why the pass stopped before its end, if it did.
    stopped: Option<String>,
    notes: Vec<String>,
}

/// The cursor as read from the ledger: `version` is `None` when there is no ledger or the read
/// failed (nothing is saved then).
struct Stored {
    cursor: Option<PassCursor>,
    version: Option<u64>,
}

impl ConfigRuleHandler {
    fn ledger(&self) -> Option<&Ledger> {
        self.recorder.as_ref().map(|recorder| recorder.ledger())
    }

    /// One periodic invocation: continue (or begin) the pass, within the deadline.
    pub(super) async fn periodic(
        &self,
        event: RuleEvent,
        now: Timestamp,
        deadline: Option<SystemTime>,
    ) -> Result<Summary, HandlerError> {
        let mut notes = Vec::new();
        let stored = if event.result_token == TEST_MODE_TOKEN {
            // Nothing is stored in Config: leave the deployed rule's pass where it is.
            notes.push(
                "TestMode: the pass starts from the beginning and its cursor is neither read nor saved".into(),
            );
            Stored {
                cursor: None,
                version: None,
            }
        } else {
            self.load_cursor(&self.cursor_name(&event.rule_name), &mut notes)
                .await
        };
        let mut listing = Vec::new();
        for resource_type in covered_types(&event.params) {
            let listed = config_api::discovered(&self.config, resource_type.cfn_type()).await?;
            listing.push((resource_type, listed));
        }
        let mut run = PassRun {
            event: &event,
            now,
            deadline,
            out: Delivered::new(&event),
            reader: self.policy_reader(),
            batches: 0,
            position: stored.cursor.clone(),
            stopped: None,
            notes,
        };
        self.listed_step(&mut run, &listing).await?;
        let vanished_check = if run.stopped.is_some() {
            VanishedCheck::Deferred
        } else {
            run.position = Some(PassCursor::VanishedStep);
            self.vanished_step(&mut run, &listing).await?
        };
        let complete = run.stopped.is_none();
        if complete {
            run.position = None;
        }
        self.save_cursor(
            &self.cursor_name(&event.rule_name),
            &stored,
            &mut run,
            complete,
        )
        .await;
        if let Some(why) = run.stopped.take() {
            tracing::warn!(rule = %event.rule_name, cursor = ?run.position, why = %why, "periodic pass stopped before its end");
            run.notes
                .insert(0, format!("the pass stopped before its end: {why}"));
        }
        let PassRun {
            out,
            position,
            notes,
            ..
        } = run;
        let pass = PassReport {
            complete,
            cursor: if complete { None } else { position },
            vanished_check: Some(vanished_check),
            notes,
        };
        finish(event, out, pass)
    }

    /// Reads, evaluates and delivers the listed resources after the cursor, batch by batch,
    /// until done or out of time.
    async fn listed_step(
        &self,
        run: &mut PassRun<'_>,
        listing: &[(ResourceType, Discovered)],
    ) -> Result<(), HandlerError> {
        let work = remaining_after(listing, run.position.as_ref());
        for batch in work.chunks(self.periodic.batch_size.clamp(1, MAX_KEYS_PER_BATCH_GET)) {
            if self.out_of_time(run) {
                return Ok(());
            }
            let keys: Vec<(String, String)> = batch
                .iter()
                .map(|(t, id)| (t.cfn_type().to_owned(), id.clone()))
                .collect();
            let mut subjects = self.read_items(&keys, run.event).await?;
            complete_principals(&mut run.reader, &mut subjects).await;
            let last = batch.last().map(|(t, id)| PassCursor::Listing {
                resource_type: t.cfn_type().to_owned(),
                after_id: id.clone(),
            });
            if !self.run_batch(run, &subjects, last).await? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Marks the resources that vanished `NOT_APPLICABLE`, batch by batch.
    async fn vanished_step(
        &self,
        run: &mut PassRun<'_>,
        listing: &[(ResourceType, Discovered)],
    ) -> Result<VanishedCheck, HandlerError> {
        let event = run.event;
        let earlier = match config_api::rule_evaluations(
            &self.config,
            &event.rule_name,
            EARLIER_COMPLIANCE_TYPES,
        )
        .await
        {
            Ok(earlier) => earlier,
            Err(e) => {
                tracing::error!(rule = %event.rule_name, error = %e, "the rule's earlier evaluations could not be read: no resource checked for having vanished");
                run.notes.push(format!(
                    "the rule's earlier evaluations could not be read ({e}): no resource was checked for having vanished; the next complete pass tries again"
                ));
                return Ok(VanishedCheck::Failed {
                    error: e.to_string(),
                });
            }
        };
        let gone = vanished_resources(&earlier, listing, event.notification_time);
        let account_id = match &event.message {
            Message::Scheduled { account_id } => account_id.clone(),
            _ => String::new(),
        };
        let region = self
            .config
            .config()
            .region()
            .map(ToString::to_string)
            .unwrap_or_default();
        let subjects: Vec<Subject> = gone
            .iter()
            .map(|(resource_type, id)| Subject {
                resource: ResourceRef {
                    resource_type: resource_type.cfn_type().to_owned(),
                    resource_id: id.clone(),
                    arn: None,
                    account_id: account_id.clone(),
                    region: region.clone(),
                },
                observed_at: event.notification_time,
                observed_via: VIA_VANISHED,
                state: SubjectState::Gone(VANISHED_REASON.to_owned()),
                links: Vec::new(),
            })
            .collect();
        let mut marked = 0;
        for batch in subjects.chunks(self.periodic.batch_size.clamp(1, MAX_KEYS_PER_BATCH_GET)) {
            if self.out_of_time(run) || !self.run_batch(run, batch, None).await? {
                break;
            }
            marked += batch.len();
        }
        Ok(VanishedCheck::Done {
            earlier_evaluations: earlier.len(),
            vanished: gone.len(),
            marked,
        })
    }

    /// Whether to stop before the next batch (at least one runs per invocation). Records why.
    fn out_of_time(&self, run: &mut PassRun<'_>) -> bool {
        let stop = should_stop(
            run.batches,
            None,
            SystemTime::now(),
            run.deadline,
            self.periodic.time_reserve,
        );
        if stop {
            run.stopped = Some(format!(
                "less than {} s were left before the deadline",
                self.periodic.time_reserve.as_secs()
            ));
        }
        stop
    }

    /// Delivers one batch; `true` to go on. The position moves to `last` only when Config took
    /// the batch. A retryable PutEvaluations failure fails the invocation if nothing was
    /// delivered yet (Lambda retries it), and otherwise stops the pass before this batch.
    async fn run_batch(
        &self,
        run: &mut PassRun<'_>,
        subjects: &[Subject],
        last: Option<PassCursor>,
    ) -> Result<bool, HandlerError> {
        match self
            .deliver(run.event, subjects, run.now, &mut run.out)
            .await
        {
            Ok(Fate::Taken) => {
                run.batches += 1;
                if last.is_some() {
                    run.position = last;
                }
                Ok(true)
            }
            Ok(Fate::NotTaken) => {
                run.batches += 1;
                run.stopped = Some(
                    "AWS Config did not take a batch's evaluations: the pass continues from before that batch".into(),
                );
                Ok(false)
            }
            Err(e) if run.batches == 0 => Err(e.into()),
            Err(e) => {
                tracing::error!(error = %e, "PutEvaluations failed mid-pass: stopping the pass there");
                run.stopped = Some(format!(
                    "PutEvaluations failed ({e}): the pass continues from before that batch"
                ));
                run.notes.push(format!(
                    "PutEvaluations failed ({e}); nothing of that batch was filed"
                ));
                Ok(false)
            }
        }
    }

    /// The subjects of these keys, from their current configuration items; keys Config could not
    /// return are could-not-evaluate.
    async fn read_items(
        &self,
        keys: &[(String, String)],
        event: &RuleEvent,
    ) -> Result<Vec<Subject>, HandlerError> {
        let (items, unprocessed) = config_api::batch_items(&self.config, keys).await?;
        let mut subjects: Vec<Subject> = items
            .iter()
            .map(|item| from_item(item, false, VIA_LISTED))
            .collect();
        subjects.extend(unprocessed.into_iter().map(|u| Subject {
            resource: ResourceRef {
                resource_type: u.resource_type,
                resource_id: u.resource_id,
                arn: None,
                account_id: String::new(),
                region: String::new(),
            },
            observed_at: event.notification_time,
            observed_via: VIA_LISTED,
            state: SubjectState::Unreadable(u.reason),
            links: Vec::new(),
        }));
        Ok(subjects)
    }

    /// The cursor the last periodic invocation left (none without a ledger, or when unreadable).
    async fn load_cursor(&self, rule: &str, notes: &mut Vec<String>) -> Stored {
        let Some(ledger) = self.ledger() else {
            return Stored {
                cursor: None,
                version: None,
            };
        };
        match ledger.get_versioned(&cursor_key(rule)).await {
            Ok((version, doc)) => {
                let cursor = match doc.as_ref().map(parse_cursor).transpose() {
                    Ok(cursor) => cursor.flatten(),
                    Err(why) => {
                        tracing::warn!(rule, why = %why, "the saved periodic cursor is unusable: the pass starts over");
                        notes.push(format!(
                            "the saved cursor was unusable ({why}): the pass started over"
                        ));
                        None
                    }
                };
                Stored {
                    cursor,
                    version: Some(version),
                }
            }
            Err(e) => {
                tracing::error!(rule, error = %e, "the periodic cursor could not be read: the pass starts over");
                notes.push(format!(
                    "the saved cursor could not be read ({e}): the pass started from the beginning, and where it stops is not saved"
                ));
                Stored {
                    cursor: None,
                    version: None,
                }
            }
        }
    }

    /// Saves where the pass stands (clears the cursor when it completed).
    async fn save_cursor(
        &self,
        rule: &str,
        stored: &Stored,
        run: &mut PassRun<'_>,
        complete: bool,
    ) {
        let Some(ledger) = self.ledger() else {
            if !complete {
                run.notes.push(
                    "continuation is not possible: no evidence ledger is configured (LEDGER_TABLE), so the next periodic run starts the pass over".into(),
                );
            }
            return;
        };
        let Some(version) = stored.version else {
            return;
        };
        if complete && version == 0 {
            return; // Nothing saved, nothing to clear.
        }
        let doc = json!({
            "rule": rule,
            "cursor": if complete { None } else { run.position.clone() },
            "savedAt": Timestamp::now().to_string(),
            "notificationTime": run.event.notification_time.to_string(),
        });
        match ledger
            .put_document(&cursor_key(rule), &doc, version, CURSOR_TTL_DAYS)
            .await
        {
            Ok(true) => (),
            Ok(false) => run.notes.push(
                "another invocation of the rule saved its cursor first: this invocation's position was not saved".into(),
            ),
            Err(e) => {
                tracing::error!(rule, error = %e, "the periodic cursor could not be saved");
                run.notes.push(format!(
                    "the cursor could not be saved ({e}): the next periodic run starts where the last saved cursor says"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(ids: &[&str], names: &[&str]) -> Discovered {
        Discovered {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            names: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn listing() -> Vec<(ResourceType, Discovered)> {
        vec![
            (
                ResourceType::S3Bucket,
                listed(&["a", "b", "c"], &["a", "b", "c"]),
            ),
            (
                ResourceType::IamRole,
                listed(&["r1", "r2"], &["role-one", "role-two"]),
            ),
        ]
    }

    fn ids(work: &[(ResourceType, String)]) -> Vec<&str> {
        work.iter().map(|(_, id)| id.as_str()).collect()
    }

    fn at(resource_type: ResourceType, id: &str) -> PassCursor {
        PassCursor::Listing {
            resource_type: resource_type.cfn_type().into(),
            after_id: id.into(),
        }
    }

    fn earlier(resource_type: &str, id: &str, compliance: &str) -> EarlierEvaluation {
        EarlierEvaluation {
            resource_type: resource_type.into(),
            resource_id: id.into(),
            compliance: compliance.into(),
            ordering: Some(Timestamp::from_epoch_millis(1_000)),
        }
    }

    #[test]
    fn a_pass_without_cursor_does_everything_in_the_listing_order() {
        assert!(order_of("AWS::S3::Bucket") < order_of("AWS::IAM::Role"));
        let work = remaining_after(&listing(), None);
        assert_eq!(ids(&work), ["a", "b", "c", "r1", "r2"]);
        assert_eq!(work[3].0, ResourceType::IamRole);
    }

    #[test]
    fn a_cursor_skips_everything_up_to_and_including_it() {
        let listing = listing();
        let work = remaining_after(&listing, Some(&at(ResourceType::S3Bucket, "b")));
        assert_eq!(ids(&work), ["c", "r1", "r2"]);
        let work = remaining_after(&listing, Some(&at(ResourceType::IamRole, "r1")));
        assert_eq!(ids(&work), ["r2"]);
        // The resource under the cursor was deleted since: the pass goes on after its place.
        let work = remaining_after(&listing, Some(&at(ResourceType::S3Bucket, "bb")));
        assert_eq!(ids(&work), ["c", "r1", "r2"]);
        // A cursor on a type this run does not cover (other checks selected): the next type.
        let work = remaining_after(&listing, Some(&at(ResourceType::SageMakerModel, "m")));
        assert_eq!(ids(&work), ["r1", "r2"]);
    }

    #[test]
    fn the_vanished_step_cursor_leaves_no_listed_work_and_an_unknown_type_starts_over() {
        assert!(remaining_after(&listing(), Some(&PassCursor::VanishedStep)).is_empty());
        let unknown = PassCursor::Listing {
            resource_type: "AWS::EC2::Instance".into(),
            after_id: "i-1".into(),
        };
        assert_eq!(remaining_after(&listing(), Some(&unknown)).len(), 5);
    }

    #[test]
    fn a_resource_evaluated_before_and_not_listed_now_has_vanished() {
        let found = vanished_resources(
            &[
                earlier("AWS::S3::Bucket", "gone", "COMPLIANT"),
                earlier("AWS::S3::Bucket", "gone", "NON_COMPLIANT"),
                earlier("AWS::S3::Bucket", "a", "COMPLIANT"),
                earlier("AWS::IAM::Role", "old-role", "NON_COMPLIANT"),
                // Stored under the live role's name rather than its id: not gone.
                earlier("AWS::IAM::Role", "role-two", "COMPLIANT"),
            ],
            &listing(),
            Timestamp::from_epoch_millis(2_000),
        );
        assert_eq!(
            found,
            [
                (ResourceType::S3Bucket, "gone".to_owned()),
                (ResourceType::IamRole, "old-role".to_owned()),
            ]
        );
    }

    #[test]
    fn not_applicable_uncovered_too_recent_and_oversized_evaluations_are_not_vanished() {
        let mut recent = earlier("AWS::S3::Bucket", "created-since", "COMPLIANT");
        recent.ordering = Some(Timestamp::from_epoch_millis(3_000));
        let found = vanished_resources(
            &[
                earlier("AWS::S3::Bucket", "deleted-before", "NOT_APPLICABLE"),
                earlier("AWS::KMS::Key", "not-covered", "COMPLIANT"),
                earlier("AWS::EC2::Instance", "i-1", "NON_COMPLIANT"),
                earlier("AWS::S3::Bucket", &"x".repeat(1_000), "COMPLIANT"),
                earlier("AWS::S3::Bucket", "", "COMPLIANT"),
                recent,
            ],
            &listing(),
            Timestamp::from_epoch_millis(2_000),
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn the_cursor_survives_its_ledger_document() {
        for cursor in [at(ResourceType::IamRole, "AROA1"), PassCursor::VanishedStep] {
            let doc = json!({"rule": "r", "cursor": cursor});
            assert_eq!(parse_cursor(&doc), Ok(Some(cursor)));
        }
        assert_eq!(parse_cursor(&json!({"cursor": null})), Ok(None));
        assert_eq!(
            serde_json::to_value(at(ResourceType::S3Bucket, "b")).unwrap(),
            json!({"phase": "listing", "resourceType": "AWS::S3::Bucket", "afterId": "b"})
        );
        assert!(parse_cursor(&json!({"cursor": {"phase": "elsewhere"}})).is_err());
        let unknown = json!({"cursor": {"phase": "listing", "resourceType": "AWS::EC2::Instance", "afterId": "i"}});
        assert!(parse_cursor(&unknown).is_err());
        assert_eq!(cursor_key("rule-1"), "configrule#rule-1#cursor");
    }

    #[test]
    fn the_pass_covers_recorded_types_a_selected_check_reads_in_a_fixed_order() {
        let all = covered_types(&Params::default());
        assert!(all.contains(&ResourceType::S3Bucket));
        assert!(all.iter().all(|t| t.recorded_by_config()));
        let orders: Vec<_> = all.iter().map(|t| order_of(t.cfn_type())).collect();
        assert!(orders.is_sorted());
    }
}

//! The one integration test binary. Every test talks to 127.0.0.1 only: moto (one process for the
//! binary, started from the project's venv) and the project's emulator (one per test).
//!
//! - `config_rule`: the config-rule function end to end, event in, evaluations and evidence read
//!   back through the real Config and Audit Manager APIs.
//! - `config_rule_iam`: the config-rule function on IAM role items: AWS managed policies known by
//!   ARN, customer managed ones read from IAM, unreadable ones named once.
//! - `auditmanager_sink`: batching, retries and the control mapping of the evidence sink.
//! - `securityhub_sink`: changed verdicts as ASFF findings on moto's Security Hub (one per check
//!   and resource, updated in place, archived when gone), a partially failing batch (mocked).
//! - `collect_*`: the API collectors of each service, against moto or aws-smithy-mocks.
//! - `scope`: GenAI scope discovery: collectors' links, the scope tag, the decisions.
//! - `timeouts`: a hanging endpoint is a clear, quick timeout error; calls give up well within
//!   every function's timeout.
//! - `template`: `template.yaml` grants what the code calls, and no more; one rule parameters
//!   text reaches the Config rule and every function.
//! - `rule_parameters`: the three functions evaluate with the same rule parameters (one source).
//! - `drift`: the CloudTrail drift path: the re-read, through the reader registry, of what calls name, and the handler end to end.
//! - `drift_template`: the CloudTrail drift rules route exactly the event map's calls.
//! - `org_template`: the organization's side of the templates: `member-role.yaml`'s role grants
//!   exactly the member reads and trusts only the suite's function roles in the organization, its
//!   rules forward exactly the drift rules' calls; the sweep-worker's grants, its queue and
//!   dead-letter queue; the organization Config rule's function and parameters.
//! - `crash`: the sweep killed at its K-th SDK call, for K across the whole run, and re-invoked
//!   until complete, ends as an uninterrupted run (units, digests, evidence, ledger).
//! - `crash_review`: the access review (prepared, published, signed off) killed at its K-th SDK
//!   call and invoked again ends as an uninterrupted one: one review, each item once, no claim
//!   left.
//! - `access_review`: the access-review function end to end on moto's IAM and sso-admin, moto's
//!   gaps mocked; the HTML review rendered by Chromium.
//! - `chaos`: the three functions over the demo estate behind a seeded fault-injecting proxy
//!   (throttling, 503s, resets, cut answers, latency), then without faults: every changed verdict
//!   filed exactly once, nothing lost, no claim left (`make chaos` for longer runs).
//! - `organization`: the organization-wide sweep on one moto serving five accounts in two
//!   regions: planner, SQS queue, workers, digests; an account without the member role alone is
//!   could-not-evaluate; redelivered messages and retried batches file nothing.
//! - `races`: the Config rule, the sweep and drift events at once on one ledger and assessment, and
//!   one control's budget crowded by several recorders: each change filed once, within the quota.
//! - `report`: the auditor's HTML report of a sweep run: in the evidence bucket, filed once per
//!   control, its trend from the ledger, rendered by headless Chromium (controls and failing
//!   resources on the page, a screenshot that is not blank).
//! - `drift_expected`: `events/expected-drift-outcomes.json` covers every drift sample and agrees with the
//!   event map (pure).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test harness: a broken fixture or emulator must fail the test"
)]

mod access_review;
mod auditmanager_sink;
mod chaos;
mod collect_agentcore;
mod collect_bedrock;
mod collect_enforced_guardrails;
mod collect_iam_kms;
mod collect_keys_logging;
mod collect_s3_trail_logs;
mod collect_sagemaker;
mod config_rule;
mod config_rule_iam;
mod crash;
mod crash_review;
mod drift;
mod drift_expected;
mod drift_template;
mod org_template;
mod organization;
mod races;
mod report;
mod rule_parameters;
mod scope;
mod securityhub_sink;
mod support;
mod sweep;
mod template;
mod timeouts;

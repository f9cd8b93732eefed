//! The one integration test binary. Every test talks to 127.0.0.1 only: moto (one process for the
//! binary, started from the project's venv) and the project's emulator (one per test).
//!
//! - `config_rule`: the config-rule function end to end, event in, evaluations and evidence read
//!   back through the real Config and Audit Manager APIs.
//! - `config_rule_iam`: the config-rule function on IAM role items: AWS managed policies known by
//!   ARN, customer managed ones read from IAM, unreadable ones named once.
//! - `auditmanager_sink`: batching, retries and the control mapping of the evidence sink.
//! - `collect_*`: the API collectors of each service, against moto or aws-smithy-mocks.
//! - `scope`: GenAI scope discovery: collectors' links, the scope tag, the decisions.
//! - `timeouts`: a hanging endpoint is a clear, quick timeout error; calls give up well within
//!   every function's timeout.
//! - `template`: `template.yaml` grants what the code calls, and no more; one rule parameters
//!   text reaches the Config rule and every function.
//! - `rule_parameters`: the three functions evaluate with the same rule parameters (one source).
//! - `drift`: the CloudTrail drift path: the re-read, through the reader registry, of what calls name, and the handler end to end.
//! - `drift_template`: the CloudTrail drift rules route exactly the event map's calls.
//! - `drift_expected`: `events/expected-drift-outcomes.json` covers every drift sample and agrees with the
//!   event map (pure).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test harness: a broken fixture or emulator must fail the test"
)]

mod auditmanager_sink;
mod collect_bedrock;
mod collect_iam_kms;
mod collect_s3_trail_logs;
mod collect_sagemaker;
mod config_rule;
mod config_rule_iam;
mod drift;
mod drift_expected;
mod drift_template;
mod rule_parameters;
mod scope;
mod support;
mod sweep;
mod template;
mod timeouts;

//! Checks on CloudWatch Logs log groups: KMS encryption (SECAI3.3) and retention (SECAI3.15).

use crate::catalog::framework::{SECAI3_3, SECAI3_15};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::resources::logs::LogGroup;

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[&LOG_GROUP_KMS, &LOG_GROUP_RETENTION];

/// SECAI3.3: the log group is encrypted with a KMS key.
pub static LOG_GROUP_KMS: Check = Check {
    id: "logs_log_group_kms_encryption",
    version: 1,
    title: "CloudWatch Logs log group is encrypted with a KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["logs:DescribeLogGroups"],
    passes_when: "The log group has a kmsKeyId (prompts and completions in invocation logs are encrypted under a customer managed key).",
    remediation: "aws logs associate-kms-key --log-group-name <name> --kms-key-id <key-arn> (the key policy must let logs.<region>.amazonaws.com use it).",
    evaluator: Evaluator::LogsLogGroup(log_group_kms),
};

/// SECAI3.15: the log group keeps its logs long enough.
pub static LOG_GROUP_RETENTION: Check = Check {
    id: "logs_log_group_retention",
    version: 1,
    title: "CloudWatch Logs log group keeps logs for the minimum retention",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::Low,
    api_actions: &["logs:DescribeLogGroups"],
    passes_when: "Retention is unlimited or at least minimumLogRetentionDays (default 365).",
    remediation: "aws logs put-retention-policy --log-group-name <name> --retention-in-days 365",
    evaluator: Evaluator::LogsLogGroup(log_group_retention),
};

fn log_group_kms(group: &LogGroup, _params: &Params) -> Outcome {
    match group.kms_key_id.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => Outcome::compliant(
            format!("the log group is encrypted with KMS key {key}"),
            "log events are encrypted under a key whose use is governed by key policy",
        ),
        None => Outcome::non_compliant(
            "the log group has no KMS key (service-owned encryption only)",
            "SECAI3.3 needs customer managed keys for stored model inputs and outputs",
        ),
    }
}

fn log_group_retention(group: &LogGroup, params: &Params) -> Outcome {
    let minimum = params.minimum_log_retention_days;
    match group.retention_days {
        None => Outcome::compliant(
            "logs are kept forever (no retention policy)",
            "access records remain available for review",
        ),
        Some(days) if days >= minimum => Outcome::compliant(
            format!("logs are kept {days} days"),
            format!("at least the required {minimum} days"),
        ),
        Some(days) => Outcome::non_compliant(
            format!("logs are kept only {days} days"),
            format!("access records must be kept at least {minimum} days for periodic review"),
        ),
    }
}

//! Checks on CloudWatch Logs log groups: KMS encryption (SECAI3.3), retention (SECAI3.15) and
//! data protection that masks sensitive data (Privacy).

use crate::catalog::framework::{PRIVACY_PII, SECAI3_3, SECAI3_15};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::resources::logs::LogGroup;

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &LOG_GROUP_KMS,
    &LOG_GROUP_RETENTION,
    &GENAI_LOG_GROUP_DATA_PROTECTION,
];

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

// Data protection policies (Privacy).

/// Privacy: the GenAI log group masks sensitive data with a data protection policy of its own or
/// of the account.
pub static GENAI_LOG_GROUP_DATA_PROTECTION: Check = Check {
    id: "logs_genai_log_group_data_protection",
    version: 1,
    title: "GenAI log group has a data protection policy that masks sensitive data",
    controls: &[&PRIVACY_PII],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[
        "logs:DescribeLogGroups",
        "logs:GetDataProtectionPolicy",
        "logs:DescribeAccountPolicies",
    ],
    passes_when: "The log group's own data protection policy, or an account-level DATA_PROTECTION_POLICY whose selection covers it, has a statement whose Operation is Deidentify (MaskConfig) for at least one data identifier; an audit-only policy fails.",
    remediation: "aws logs put-data-protection-policy --log-group-identifier <name> --policy-document '{\"Name\":\"genai-pii\",\"Version\":\"2021-06-01\",\"Statement\":[{\"Sid\":\"audit\",\"DataIdentifier\":[\"arn:aws:dataprotection::aws:data-identifier/EmailAddress\"],\"Operation\":{\"Audit\":{\"FindingsDestination\":{}}}},{\"Sid\":\"mask\",\"DataIdentifier\":[\"arn:aws:dataprotection::aws:data-identifier/EmailAddress\"],\"Operation\":{\"Deidentify\":{\"MaskConfig\":{}}}}]}' (or aws logs put-account-policy --policy-type DATA_PROTECTION_POLICY for every group).",
    evaluator: Evaluator::LogsLogGroup(genai_log_group_data_protection),
};

/// What a data protection policy document masks: the data identifiers of its Deidentify
/// statements (`Ok(empty)` for an audit-only policy), or why the document cannot be read.
pub fn masked_identifiers(document: &str) -> Result<Vec<String>, String> {
    let value: serde_json::Value =
        serde_json::from_str(document).map_err(|e| format!("it is not JSON ({e})"))?;
    let statements = value
        .get("Statement")
        .and_then(serde_json::Value::as_array)
        .ok_or("it has no Statement list")?;
    let mut masked = Vec::new();
    for statement in statements {
        if statement.pointer("/Operation/Deidentify").is_none() {
            continue;
        }
        match statement.get("DataIdentifier") {
            Some(serde_json::Value::Array(ids)) => masked.extend(
                ids.iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(|id| id.rsplit('/').next().unwrap_or(id).to_owned()),
            ),
            Some(serde_json::Value::String(id)) => masked.push(id.clone()),
            _ => return Err("a Deidentify statement has no DataIdentifier list".into()),
        }
    }
    Ok(masked)
}

/// Whether an account policy's selection criteria cover `group`: none covers every group; the
/// form `LogGroupName NOT IN [...]` covers the groups it does not list; another form cannot be
/// decided here.
fn selection_covers(criteria: Option<&str>, group: &str) -> Option<bool> {
    let criteria = criteria.map(str::trim).filter(|c| !c.is_empty());
    let Some(criteria) = criteria else {
        return Some(true);
    };
    let list = criteria.strip_prefix("LogGroupName NOT IN")?.trim();
    let names: Vec<String> = serde_json::from_str(list).ok()?;
    Some(!names.iter().any(|n| n == group))
}

fn genai_log_group_data_protection(group: &LogGroup, _params: &Params) -> Outcome {
    let mut undecided = Vec::new();
    let mut seen = Vec::new();
    let mut policies: Vec<(String, &str)> = Vec::new();
    match &group.own_data_protection {
        Err(u) => undecided.push(format!("its own policy ({})", u.reason)),
        Ok(Some(document)) => policies.push(("its own data protection policy".into(), document)),
        Ok(None) => {}
    }
    match &group.account_data_protection {
        Err(u) => undecided.push(format!("the account policies ({})", u.reason)),
        Ok(account) => {
            for policy in account {
                match selection_covers(policy.selection_criteria.as_deref(), &group.name) {
                    Some(true) => policies.push((
                        format!("account policy {}", policy.name),
                        policy.document.as_str(),
                    )),
                    Some(false) => {}
                    None => undecided.push(format!(
                        "account policy {} (selection criteria {:?})",
                        policy.name,
                        policy.selection_criteria.as_deref().unwrap_or_default()
                    )),
                }
            }
        }
    }
    for (source, document) in policies {
        match masked_identifiers(document) {
            Ok(masked) if !masked.is_empty() => {
                return Outcome::compliant(
                    format!("{source} masks {}", masked.join(", ")),
                    "sensitive data in prompts and completions written to the group is masked for readers without logs:Unmask",
                );
            }
            Ok(_) => seen.push(format!("{source} only audits")),
            Err(why) => undecided.push(format!("{source}: {why}")),
        }
    }
    if !undecided.is_empty() {
        return Outcome::could_not_evaluate(format!(
            "no readable policy masks data in the group, and these could not be read: {}",
            undecided.join("; ")
        ));
    }
    let observed = if seen.is_empty() {
        "the log group has no data protection policy and no account policy covers it".to_owned()
    } else {
        format!("no policy masks data: {}", seen.join("; "))
    };
    Outcome::non_compliant(
        observed,
        "GenAI logs carry prompts and completions; the Privacy control needs personal data in them masked",
    )
}

//! CloudWatch Logs state the checks read.

use crate::domain::resource::Readable;

/// A CloudWatch Logs log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    /// The log group name.
    pub name: String,
    /// The KMS key that encrypts it, if any.
    pub kms_key_id: Option<String>,
    /// Retention in days; `None` keeps logs forever.
    pub retention_days: Option<u32>,
    /// The group's own data protection policy document (`GetDataProtectionPolicy`); `None`
    /// when it has none.
    pub own_data_protection: Readable<Option<String>>,
    /// The account-level data protection policies of its account and region
    /// (`DescribeAccountPolicies`, policy type `DATA_PROTECTION_POLICY`).
    pub account_data_protection: Readable<Vec<AccountDataProtectionPolicy>>,
}

/// An account-level CloudWatch Logs data protection policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDataProtectionPolicy {
    /// The policy name.
    pub name: String,
    /// The policy document (JSON text).
    pub document: String,
    /// Which log groups it applies to (`selectionCriteria`); `None` applies it to every group.
    pub selection_criteria: Option<String>,
}

//! CloudWatch Logs state the checks read.

/// A CloudWatch Logs log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    /// The log group name.
    pub name: String,
    /// The KMS key that encrypts it, if any.
    pub kms_key_id: Option<String>,
    /// Retention in days; `None` keeps logs forever.
    pub retention_days: Option<u32>,
}

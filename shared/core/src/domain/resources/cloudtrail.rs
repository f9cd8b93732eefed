//! CloudTrail state the checks read.

use crate::domain::resource::Readable;

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    /// The trail name.
    pub name: String,
    /// The KMS key that encrypts its log files, if any.
    pub kms_key_id: Option<String>,
    /// Whether log file integrity validation is on.
    pub log_file_validation: bool,
    /// Whether the trail records every region.
    pub multi_region: bool,
    /// Whether the trail is logging now (`GetTrailStatus.IsLogging`).
    pub is_logging: Readable<bool>,
    /// Whether it records management events (event selectors).
    pub management_events: Readable<bool>,
}

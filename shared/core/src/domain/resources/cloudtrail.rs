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
    /// The data events its event selectors select, one entry per resource type a selector
    /// names (`GetEventSelectors`, advanced and basic).
    pub data_events: Readable<Vec<DataEventSelection>>,
}

/// Data events of one resource type that one event selector of a trail selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataEventSelection {
    /// The CloudTrail resource type, e.g. `AWS::Bedrock::AgentAlias`.
    pub resource_type: String,
    /// Whether read-only events are selected.
    pub read: bool,
    /// Whether write events are selected.
    pub write: bool,
    /// What narrows the selection to some resources or calls (e.g. `resources.ARN`), if anything.
    pub narrowed_by: Option<String>,
}

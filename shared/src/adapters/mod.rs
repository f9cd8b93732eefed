//! Adapters: translate AWS shapes (Config items, SDK responses) into the domain, and back.
//!
//! One module per service holds both directions of that service: `decode_config_item` (a Config
//! configuration item into the domain) and `collect_*` (read the state from the AWS API with
//! pagination, into [`Subject`](crate::evaluate::Subject)s). A failed read of one field becomes
//! `Unreadable { reason }` on that field; a failed listing is an `Err(AwsError)`.

pub mod bedrock;
pub mod cloudtrail;
pub mod config_api;
pub mod config_item;
pub mod iam;
pub mod kms;
pub mod ledger;
pub mod logs;
pub mod refresh;
pub mod s3;
pub mod sagemaker;
pub mod tagging;

/// Where collectors read: the account and region their clients point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The account id.
    pub account_id: String,
    /// The region.
    pub region: String,
}

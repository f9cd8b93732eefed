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

/// At most this many calls of one kind are in flight at once in a collector (per service), so a
/// large account is read quickly without tripping the service's rate limits (the SDK's adaptive
/// retry backs off if it does).
pub const CONCURRENCY: usize = 8;

/// Runs `f` on every item with at most [`CONCURRENCY`] in flight, keeping the items' order.
pub(crate) async fn bounded<I, F, Fut, T>(items: I, f: F) -> Vec<T>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    use futures_util::StreamExt;
    futures_util::stream::iter(items)
        .map(f)
        .buffered(CONCURRENCY)
        .collect()
        .await
}

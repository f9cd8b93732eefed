//! Adapters: translate AWS shapes (Config items, SDK responses) into the domain, and back.
//!
//! One module per service holds both directions of that service: `decode_config_item` (a Config
//! configuration item into the domain), `read_*` (one resource by id) and `collect_*` (every
//! page of a listing, then `read_*` each), into [`Subject`](crate::evaluate::Subject)s. The
//! [reader registry](crate::readers) says which function reads which type. A failed read of one
//! field becomes `Unreadable { reason }` on that field; a failed read of the resource itself is
//! [`failed_read`]; a failed listing is an `Err(AwsError)`.

pub mod agentcore;
pub mod bedrock;
pub mod cloudtrail;
pub mod config_api;
pub mod config_item;
pub mod enforced_guardrails;
pub mod iam;
pub mod identity_center;
pub mod kms;
pub mod last_accessed;
pub mod ledger;
pub mod logs;
pub mod organizations;
pub mod queue;
pub mod s3;
pub mod sagemaker;
pub mod tagging;

use crate::domain::resource::{ResourceRef, ResourceType};
use crate::domain::time::Timestamp;
use crate::error::{AwsError, AwsErrorKind};
use crate::evaluate::{Subject, SubjectState};

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

/// The state of a resource whose own read (its Describe* or Get*) failed, decided alike in every
/// path (a listing, a drift re-read, one resource read by id): AWS saying it does not exist makes
/// it gone; any other failure (access denied, throttling, a timeout) makes it unreadable, with the
/// error as the reason, never non-compliant.
pub(crate) fn failed_read(error: AwsError) -> SubjectState {
    if error.kind == AwsErrorKind::NotFound {
        SubjectState::Gone(format!("the resource no longer exists ({error})"))
    } else {
        SubjectState::Unreadable(error.to_string())
    }
}

/// A subject with no links, observed now in `scope`.
pub(crate) fn subject_at(
    scope: &Scope,
    resource_type: ResourceType,
    id: &str,
    arn: Option<String>,
    observed_via: &'static str,
    state: SubjectState,
) -> Subject {
    Subject::new(
        ResourceRef {
            resource_type: resource_type.cfn_type().into(),
            resource_id: id.to_owned(),
            arn,
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
        },
        Timestamp::now(),
        observed_via,
        state,
    )
}

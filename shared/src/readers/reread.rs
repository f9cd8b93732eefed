//! Re-reading what an API call names until the state shows the call's effect: the drift path
//! reads through the [registry](super) (the call is the trigger, never the evidence).
//!
//! Eventual consistency: [`read_with_retry`] reads again, briefly, while the state still
//! contradicts the call (a resource just created or changed still not found, a deleted one still
//! there, a removed safeguard still passing): by default up to 3 reads, 0.5 s then 1 s apart.
//! After the last read the state is evaluated as it is: the read decides, never the event.

use std::time::Duration;

use super::{Clients, read};
use crate::adapters::Scope;
use crate::catalog::Params;
use crate::drift::map::Target;
use crate::error::AwsError;
use crate::evaluate::Subject;

/// How a re-read retries while the state still contradicts the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadRetry {
    /// Reads at most, the first included (at least 1).
    pub reads: u32,
    /// The wait before the second read; each later wait doubles.
    pub first_delay: Duration,
}

impl Default for ReadRetry {
    /// 3 reads, 0.5 s then 1 s apart.
    fn default() -> Self {
        Self {
            reads: 3,
            first_delay: Duration::from_millis(500),
        }
    }
}

/// What a re-read read.
#[derive(Debug, Clone)]
pub struct Reread {
    /// The target's subject first, then any it reaches (an IAM policy's roles and users); empty
    /// for an IAM group with no members.
    pub subjects: Vec<Subject>,
    /// How many times the state was read.
    pub reads: u32,
    /// Whether the last read still contradicted the call (it is evaluated as read regardless).
    pub still_contradicts: bool,
}

/// Reads the target, then again while the state still contradicts the call (see the module
/// documentation), waiting `retry.first_delay`, then twice that, and so on. Whether a removed
/// safeguard still passes is decided under `params`, the parameters the state is evaluated with.
pub async fn read_with_retry(
    clients: &Clients,
    scope: &Scope,
    target: &Target,
    retry: ReadRetry,
    params: &Params,
) -> Result<Reread, AwsError> {
    let reads = retry.reads.max(1);
    let mut delay = retry.first_delay;
    let mut attempt = 1;
    loop {
        let subjects = read(clients, scope, target).await?;
        let contradicts = target.contradicted_by(&subjects, params);
        if !contradicts || attempt >= reads {
            if contradicts {
                tracing::info!(
                    resource_type = %target.resource_type,
                    resource = %target.selector.describe(),
                    kind = target.kind.as_str(),
                    reads = attempt,
                    "the state still does not show the call's effect; evaluating it as read"
                );
            }
            return Ok(Reread {
                subjects,
                reads: attempt,
                still_contradicts: contradicts,
            });
        }
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2);
        attempt += 1;
    }
}

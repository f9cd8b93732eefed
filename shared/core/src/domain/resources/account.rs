//! Account-wide state (one per account and region) that account-level checks read.

use crate::domain::resource::Readable;
use crate::domain::resources::cloudtrail::Trail;

/// An account and region, as account-level checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account id.
    pub id: String,
    /// Every trail that applies to the region (including multi-region trails of other home regions).
    pub trails: Readable<Vec<Trail>>,
}

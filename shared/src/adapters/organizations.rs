//! The organization's accounts (AWS Organizations `ListAccounts`, or the accounts under chosen
//! OUs), filtered by allow and deny lists, for the organization-wide sweep.

use std::collections::BTreeSet;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{Account, AccountState, AccountStatus};

use crate::error::AwsError;

/// Which accounts an organization run covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    /// Only the accounts under these OUs (and their child OUs); empty: the whole organization.
    pub units: Vec<String>,
    /// Only these accounts; empty: every account.
    pub allow: Vec<String>,
    /// Never these accounts.
    pub deny: Vec<String>,
}

impl AccountFilter {
    /// Whether `account` passes the allow and deny lists.
    pub fn admits(&self, account: &str) -> bool {
        (self.allow.is_empty() || self.allow.iter().any(|a| a == account))
            && !self.deny.iter().any(|a| a == account)
    }
}

/// Whether an account is active: `State` (the field AWS fills since 2025) when present, else
/// the older `Status`. Suspended, pending-closure and closed accounts are not swept.
fn is_active(account: &Account) -> bool {
    match account.state() {
        Some(state) => *state == AccountState::Active,
        None => account.status() == Some(&AccountStatus::Active),
    }
}

/// The active accounts the filter admits, sorted, each once: `ListAccounts` (every page), or,
/// with OUs, `ListAccountsForParent` of each OU and of every OU below it
/// (`ListOrganizationalUnitsForParent`, every page).
pub async fn accounts(client: &Client, filter: &AccountFilter) -> Result<Vec<String>, AwsError> {
    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut keep = |account: &Account| {
        if let Some(id) = account.id()
            && is_active(account)
            && filter.admits(id)
        {
            found.insert(id.to_owned());
        }
    };
    if filter.units.is_empty() {
        let mut pages = client.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::from_sdk("organizations:ListAccounts", e))?;
            page.accounts().iter().for_each(&mut keep);
        }
        return Ok(found.into_iter().collect());
    }
    let mut parents: Vec<String> = filter.units.clone();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(parent) = parents.pop() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        let mut pages = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| AwsError::from_sdk("organizations:ListAccountsForParent", e))?;
            page.accounts().iter().for_each(&mut keep);
        }
        let mut pages = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                AwsError::from_sdk("organizations:ListOrganizationalUnitsForParent", e)
            })?;
            parents.extend(
                page.organizational_units()
                    .iter()
                    .filter_map(|ou| ou.id().map(str::to_owned)),
            );
        }
    }
    Ok(found.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deny_list_wins_over_the_allow_list_and_an_empty_allow_list_admits_all() {
        let filter = AccountFilter {
            allow: vec![],
            deny: vec!["222222222222".into()],
            ..AccountFilter::default()
        };
        assert!(filter.admits("111111111111"));
        assert!(!filter.admits("222222222222"));
        let filter = AccountFilter {
            allow: vec!["111111111111".into(), "222222222222".into()],
            deny: vec!["222222222222".into()],
            ..AccountFilter::default()
        };
        assert!(filter.admits("111111111111"));
        assert!(!filter.admits("222222222222"));
        assert!(!filter.admits("333333333333"));
    }

    #[test]
    fn an_account_is_active_by_its_state_when_it_has_one_else_by_its_status() {
        let old = Account::builder().status(AccountStatus::Active).build();
        assert!(is_active(&old));
        let suspended = Account::builder()
            .status(AccountStatus::Active)
            .state(AccountState::Suspended)
            .build();
        assert!(!is_active(&suspended));
        assert!(!is_active(
            &Account::builder().status(AccountStatus::Suspended).build()
        ));
    }
}

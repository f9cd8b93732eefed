//! IAM Identity Center for the access review: the permission sets provisioned to the account,
//! with their inline policy, their AWS and customer managed policies' documents (read through the
//! IAM [`ManagedPolicyReader`]) and who they are assigned to. Only the organization's Identity
//! Center administrator (the management account or a delegated one) can read them: elsewhere the
//! read fails and the review says so.

use aws_sdk_ssoadmin::Client;

use crate::adapters::iam::ManagedPolicyReader;
use crate::domain::policy::PolicyDocument;
use crate::domain::resource::{Readable, Unreadable};
use crate::domain::resources::iam::GrantedPolicy;
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::review::PermissionSetState;

/// The Identity Center actions the reader calls.
pub const READ_ACTIONS: &[&str] = &[
    "sso:DescribePermissionSet",
    "sso:GetInlinePolicyForPermissionSet",
    "sso:ListAccountAssignments",
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    "sso:ListInstances",
    "sso:ListManagedPoliciesInPermissionSet",
    "sso:ListPermissionSetsProvisionedToAccount",
];

fn unreadable(e: AwsError) -> Unreadable {
    Unreadable::new(e.to_string())
}

/// Every permission set provisioned to `account` in every Identity Center instance (none: an
/// empty list), or why they could not be read.
pub async fn permission_sets(
    client: &Client,
    policies: &mut ManagedPolicyReader,
    account: &str,
) -> Readable<Vec<PermissionSetState>> {
    let mut instances = Vec::new();
    let mut pages = client.list_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unreadable(AwsError::from_sdk("sso:ListInstances", e)))?;
        instances.extend(
            page.instances()
                .iter()
                .filter_map(|i| i.instance_arn().map(str::to_owned)),
        );
    }
    let mut sets = Vec::new();
    for instance in instances {
        let mut arns = Vec::new();
        let mut pages = client
            .list_permission_sets_provisioned_to_account()
            .instance_arn(&instance)
            .account_id(account)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                unreadable(AwsError::from_sdk(
                    "sso:ListPermissionSetsProvisionedToAccount",
                    e,
                ))
            })?;
            arns.extend(page.permission_sets().iter().cloned());
        }
        for arn in arns {
            sets.push(permission_set(client, policies, &instance, &arn, account).await?);
        }
    }
    Ok(sets)
}

async fn permission_set(
    client: &Client,
    reader: &mut ManagedPolicyReader,
    instance: &str,
    arn: &str,
    account: &str,
) -> Result<PermissionSetState, Unreadable> {
    let described = client
        .describe_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .send()
        .await
        .map_err(|e| unreadable(AwsError::from_sdk("sso:DescribePermissionSet", e)))?;
    let set = described.permission_set();
    let name = set.and_then(|s| s.name()).unwrap_or(arn).to_owned();
    let created = set
        .and_then(|s| s.created_date())
        .and_then(|d| d.to_millis().ok())
        .map(Timestamp::from_epoch_millis);
    let mut policies = Vec::new();
    let owner = format!("permission set {name}'s ");
    match client
        .get_inline_policy_for_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .send()
        .await
    {
        Err(e) => policies.push(GrantedPolicy {
            source: format!("{owner}inline policy"),
            document: Err(unreadable(AwsError::from_sdk(
                "sso:GetInlinePolicyForPermissionSet",
                e,
            ))),
        }),
        Ok(out) => {
            if let Some(text) = out.inline_policy().filter(|t| !t.trim().is_empty()) {
                policies.push(GrantedPolicy {
                    source: format!("{owner}inline policy"),
                    document: PolicyDocument::parse(text).map_err(|e| {
                        Unreadable::new(format!("the inline policy could not be read: {e}"))
                    }),
                });
            }
        }
    }
    let mut managed = Vec::new();
    let mut pages = client
        .list_managed_policies_in_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            unreadable(AwsError::from_sdk(
                "sso:ListManagedPoliciesInPermissionSet",
                e,
            ))
        })?;
        managed.extend(
            page.attached_managed_policies()
                .iter()
                .filter_map(|p| p.arn().map(str::to_owned)),
        );
    }
    let mut pages = client
        .list_customer_managed_policy_references_in_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            unreadable(AwsError::from_sdk(
                "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
                e,
            ))
        })?;
        managed.extend(page.customer_managed_policy_references().iter().map(|r| {
            let path = r.path().unwrap_or("/");
            format!("arn:aws:iam::{account}:policy{path}{}", r.name())
        }));
    }
    for policy_arn in managed {
        policies.push(GrantedPolicy {
            source: format!("{owner}managed policy {policy_arn}"),
            document: reader.document(&policy_arn).await,
        });
    }
    Ok(PermissionSetState {
        arn: arn.to_owned(),
        name,
        created,
        policies,
        assignments: assignments(client, instance, arn, account).await,
    })
}

/// Who the permission set is assigned to in the account (`USER <id>`, `GROUP <id>`).
async fn assignments(
    client: &Client,
    instance: &str,
    arn: &str,
    account: &str,
) -> Readable<Vec<String>> {
    let mut out = Vec::new();
    let mut pages = client
        .list_account_assignments()
        .instance_arn(instance)
        .account_id(account)
        .permission_set_arn(arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| unreadable(AwsError::from_sdk("sso:ListAccountAssignments", e)))?;
        out.extend(page.account_assignments().iter().map(|a| {
            format!(
                "{} {}",
                a.principal_type()
                    .map(|t| t.as_str())
                    .unwrap_or("PRINCIPAL"),
                a.principal_id().unwrap_or("?")
            )
        }));
    }
    out.sort();
    Ok(out)
}

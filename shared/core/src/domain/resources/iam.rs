//! IAM state the checks read: roles, users and customer managed policies, with the policy
//! documents that grant them permissions.

use std::collections::BTreeMap;

use crate::domain::policy::PolicyDocument;
use crate::domain::resource::Readable;
use crate::domain::time::Timestamp;

/// A policy document that grants a principal permissions, and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantedPolicy {
    /// Where the document comes from, e.g. `inline policy "p"` or `managed policy arn:...`.
    pub source: String,
    /// The document (for a managed policy, its default version), or why it could not be read.
    pub document: Readable<PolicyDocument>,
}

/// A managed policy attached to a principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedPolicy {
    /// The policy name.
    pub name: String,
    /// The policy ARN.
    pub arn: String,
    /// The group the policy is attached through, for a user's group policies.
    pub via_group: Option<String>,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// The role id (`AROA...`), AWS Config's resource id.
    pub id: String,
    /// The role ARN.
    pub arn: String,
    /// The role path, e.g. `/` or `/aws-service-role/...`.
    pub path: String,
    /// When the role was created, when known.
    pub created: Option<Timestamp>,
    /// Every document granting the role permissions: inline policies and the default version of
    /// each attached managed policy.
    pub policies: Vec<GrantedPolicy>,
    /// The managed policies attached to the role.
    pub attached_policies: Readable<Vec<AttachedPolicy>>,
    /// When the role was last used; `None` when IAM has no record of it being used.
    pub last_used: Readable<Option<Timestamp>>,
    /// The role's tags, key to value (read for the GenAI scope tag, not by any check).
    pub tags: BTreeMap<String, String>,
}

impl Role {
    /// Service-linked roles (path `/aws-service-role/`) belong to an AWS service and their
    /// permissions cannot be changed by the account.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }

    /// The account id in the role's ARN.
    pub fn account_id(&self) -> &str {
        arn_account(&self.arn)
    }
}

/// A console password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Password {
    /// When the password was created, when known.
    pub created: Option<Timestamp>,
    /// When the password was last used to sign in; `None` when never.
    pub last_used: Option<Timestamp>,
}

/// An access key of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// The access key id.
    pub id: String,
    /// Whether the key is `Active` (an `Inactive` key cannot sign requests).
    pub active: bool,
    /// When the key was created, when known.
    pub created: Option<Timestamp>,
    /// When the key was last used; `None` when never.
    pub last_used: Readable<Option<Timestamp>>,
}

/// A service-specific credential of a user (a long-term Bedrock API key is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCredential {
    /// The credential id (`ServiceSpecificCredentialId`).
    pub id: String,
    /// Whether its status is `Active`.
    pub active: bool,
    /// When it was created, when known.
    pub created: Option<Timestamp>,
    /// When it expires; `None` when it never does.
    pub expires: Option<Timestamp>,
}

/// A group a user belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group name.
    pub name: String,
    /// The managed policies attached to the group.
    pub attached_policies: Readable<Vec<AttachedPolicy>>,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// The user name.
    pub name: String,
    /// The user id (`AIDA...`), AWS Config's resource id.
    pub id: String,
    /// The user ARN.
    pub arn: String,
    /// When the user was created, when known.
    pub created: Option<Timestamp>,
    /// Every document granting the user permissions: inline policies, attached managed
    /// policies' default versions, and the inline and attached policies of its groups.
    pub policies: Vec<GrantedPolicy>,
    /// The managed policies attached directly to the user.
    pub attached_policies: Readable<Vec<AttachedPolicy>>,
    /// The groups the user belongs to.
    pub groups: Vec<Group>,
    /// The console password; `None` when the user has none.
    pub password: Readable<Option<Password>>,
    /// The user's access keys.
    pub access_keys: Readable<Vec<AccessKey>>,
    /// The user's long-term Bedrock API keys: IAM service-specific credentials for
    /// `bedrock.amazonaws.com` (`iam:ListServiceSpecificCredentials`).
    pub bedrock_api_keys: Readable<Vec<ServiceCredential>>,
    /// The user's tags, key to value (read for the GenAI scope tag, not by any check).
    pub tags: BTreeMap<String, String>,
}

impl User {
    /// The account id in the user's ARN.
    pub fn account_id(&self) -> &str {
        arn_account(&self.arn)
    }
}

/// A customer managed IAM policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPolicy {
    /// The policy name.
    pub name: String,
    /// The policy id (`ANPA...`), AWS Config's resource id.
    pub id: String,
    /// The policy ARN.
    pub arn: String,
    /// The default version's document.
    pub document: Readable<PolicyDocument>,
}

impl ManagedPolicy {
    /// The account id in the policy's ARN.
    pub fn account_id(&self) -> &str {
        arn_account(&self.arn)
    }
}

/// The account field of an ARN (`arn:partition:service:region:account:resource`).
fn arn_account(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

//! IAM: role, user and customer managed policy configuration items decoded into the domain, and
//! the same state collected in bulk from the IAM API (GetAccountAuthorizationDetails).
//!
//! A Config item names the managed policies attached to a principal but not their documents, and
//! names a user's groups but not their policies: those documents are `Unreadable` when decoded
//! from Config. The Config rule then fills in the managed policies' documents with a
//! [`ManagedPolicyReader`] (known AWS managed policies by ARN, the rest with IAM reads); a user's
//! group policies stay unreadable there and are decided by the API collector.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::types::{
    AccessKeyMetadata, EntityType, GroupDetail, ManagedPolicyDetail, PolicyDetail, RoleDetail,
    ServiceSpecificCredentialMetadata, StatusType, UserDetail,
};
use aws_smithy_types::DateTime;
use genai_evidence_core::text::json_kind;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::policy::{PolicyDocument, PolicyError};
use crate::domain::resource::{Readable, Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::bedrock::GuardrailEnforcement;
use crate::domain::resources::iam::{
    AccessKey, AttachedPolicy, GrantedPolicy, Group, ManagedPolicy, Password, Role,
    ServiceCredential, User,
};
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

/// Why a Config item cannot give an attached managed policy's document.
const CONFIG_HAS_NO_MANAGED_DOCUMENTS: &str = "a Config configuration item names attached managed policies but not their documents; they are read with iam:GetAccountAuthorizationDetails";
/// Why a Config item cannot give a user's group policies.
const CONFIG_HAS_NO_GROUP_POLICIES: &str = "a Config configuration item names the user's groups but not their policies; they are read with iam:GetAccountAuthorizationDetails";
/// Why a Config item cannot give a user's credential use.
const CONFIG_HAS_NO_CREDENTIALS: &str = "a Config configuration item does not record the user's password or access keys; they are read with iam:ListUsers, iam:GetLoginProfile, iam:ListAccessKeys and iam:GetAccessKeyLastUsed";

/// Why a Config item cannot give a user's Bedrock API keys.
const CONFIG_HAS_NO_BEDROCK_API_KEYS: &str = "a Config configuration item does not record the user's service-specific credentials; Bedrock API keys are read with iam:ListServiceSpecificCredentials";
/// The service name of long-term Bedrock API keys (IAM service-specific credentials).
pub const BEDROCK_SERVICE_NAME: &str = "bedrock.amazonaws.com";

/// The region IAM resources are recorded in, as AWS Config records them.
pub const GLOBAL_REGION: &str = "global";

/// How the API collector observes IAM state.
const OBSERVED_VIA: &str = "AWS API (iam:GetAccountAuthorizationDetails)";

/// Decodes an `AWS::IAM::Role`, `AWS::IAM::User` or `AWS::IAM::Policy` configuration item.
pub fn decode_config_item(resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    let config = match item.configuration_object() {
        Ok(config) => config,
        Err(unreadable) => return Decoded::Unreadable(unreadable),
    };
    let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_owned);
    let arn = text("arn").or_else(|| item.arn.clone()).unwrap_or_default();
    let name = |key: &str| {
        text(key)
            .or_else(|| item.resource_name.clone())
            .unwrap_or_else(|| item.resource_id.clone())
    };
    let created = config.get("createDate").and_then(json_time);
    match resource_type {
        ResourceType::IamRole => {
            let attached = config_attached(config.get("attachedManagedPolicies"));
            let mut policies = config_inline(config.get("rolePolicyList"), "rolePolicyList");
            policies.extend(unread_managed(&attached));
            Decoded::Resource(Resource::IamRole(Role {
                name: name("roleName"),
                id: text("roleId").unwrap_or_else(|| item.resource_id.clone()),
                arn,
                path: text("path").unwrap_or_else(|| "/".into()),
                created,
                policies,
                attached_policies: attached,
                last_used: config_role_last_used(config.get("roleLastUsed")),
                tags: config_tags(config.get("tags")),
                guardrail_enforcement: GuardrailEnforcement::not_read(),
            }))
        }
        ResourceType::IamUser => {
            let attached = config_attached(config.get("attachedManagedPolicies"));
            let mut policies = config_inline(config.get("userPolicyList"), "userPolicyList");
            policies.extend(unread_managed(&attached));
            let (groups, unread_groups) = config_groups(config.get("groupList"));
            policies.extend(unread_groups);
            policies.extend(groups.iter().map(|g| GrantedPolicy {
                source: format!("the policies of group {g}"),
                document: Err(Unreadable::new(CONFIG_HAS_NO_GROUP_POLICIES)),
            }));
            Decoded::Resource(Resource::IamUser(User {
                name: name("userName"),
                id: text("userId").unwrap_or_else(|| item.resource_id.clone()),
                arn,
                created,
                policies,
                attached_policies: attached,
                groups: groups
                    .iter()
                    .map(|g| Group {
                        name: g.clone(),
                        attached_policies: Err(Unreadable::new(CONFIG_HAS_NO_GROUP_POLICIES)),
                    })
                    .collect(),
                password: Err(Unreadable::new(CONFIG_HAS_NO_CREDENTIALS)),
                access_keys: Err(Unreadable::new(CONFIG_HAS_NO_CREDENTIALS)),
                bedrock_api_keys: Err(Unreadable::new(CONFIG_HAS_NO_BEDROCK_API_KEYS)),
                tags: config_tags(config.get("tags")),
                guardrail_enforcement: GuardrailEnforcement::not_read(),
            }))
        }
        ResourceType::IamPolicy => {
            let default_id = text("defaultVersionId");
            let versions = config.get("policyVersionList").and_then(Value::as_array);
            let default = versions.and_then(|list| {
                list.iter().find(|v| {
                    v.get("isDefaultVersion").and_then(Value::as_bool) == Some(true)
                        || (default_id.is_some()
                            && v.get("versionId").and_then(Value::as_str) == default_id.as_deref())
                })
            });
            let document = match default.and_then(|v| v.get("document")) {
                None => Err(Unreadable::new(
                    "the configuration item has no default version document in policyVersionList",
                )),
                Some(doc) => document_from_json(doc).map_err(|e| {
                    Unreadable::new(format!(
                        "the default version of the policy could not be read: {e}"
                    ))
                }),
            };
            Decoded::Resource(Resource::IamPolicy(ManagedPolicy {
                name: name("policyName"),
                id: text("policyId").unwrap_or_else(|| item.resource_id.clone()),
                arn,
                document,
            }))
        }
        _ => Decoded::UnsupportedType,
    }
}

/// A policy document as a Config item holds it: URL-encoded (or plain) JSON text, an object, or
/// (in some samples) a one-element list of objects.
fn document_from_json(value: &Value) -> Result<PolicyDocument, PolicyError> {
    match value {
        Value::String(text) => PolicyDocument::parse_url_encoded(text),
        Value::Array(items) if items.len() == 1 => PolicyDocument::from_value(&items[0]),
        other => PolicyDocument::from_value(other),
    }
}

/// An RFC 3339 string or epoch milliseconds.
fn json_time(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(text) => Timestamp::parse(text).ok(),
        Value::Number(n) => n.as_i64().map(Timestamp::from_epoch_millis),
        _ => None,
    }
}

fn config_inline(list: Option<&Value>, field: &str) -> Vec<GrantedPolicy> {
    let Some(items) = list.and_then(Value::as_array) else {
        return vec![GrantedPolicy {
            source: format!("the inline policies ({field})"),
            document: Err(Unreadable::new(format!(
                "the configuration item has no {field} list"
            ))),
        }];
    };
    items
        .iter()
        .map(|p| {
            // Quoted in reasons and sources: cut to the 128 characters IAM allows a name.
            let name = genai_evidence_core::text::truncate_chars(
                p.get("policyName")
                    .and_then(Value::as_str)
                    .unwrap_or("(unnamed)"),
                128,
            );
            let document = match p.get("policyDocument") {
                None | Some(Value::Null) => Err(Unreadable::new(format!(
                    "inline policy {name:?} has no policyDocument in the configuration item"
                ))),
                Some(doc) => document_from_json(doc).map_err(|e| {
                    Unreadable::new(format!("inline policy {name:?} could not be read: {e}"))
                }),
            };
            GrantedPolicy {
                source: format!("inline policy {name:?}"),
                document,
            }
        })
        .collect()
}

fn config_attached(list: Option<&Value>) -> Readable<Vec<AttachedPolicy>> {
    let items = list.and_then(Value::as_array).ok_or_else(|| {
        Unreadable::new("the configuration item has no attachedManagedPolicies list")
    })?;
    // An attachment whose ARN cannot be read makes the list unreadable: dropping it would hide
    // the policy (AdministratorAccess, say) from every check.
    items
        .iter()
        .map(|p| {
            let arn = match p.get("policyArn") {
                Some(Value::String(arn)) if !arn.trim().is_empty() => arn.clone(),
                other => {
                    return Err(Unreadable::new(format!(
                        "attachedManagedPolicies in the configuration item holds a policy whose policyArn is {}, not an ARN",
                        other.map_or("missing", json_kind)
                    )));
                }
            };
            let name = p
                .get("policyName")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_owned());
            Ok(AttachedPolicy {
                name,
                arn,
                via_group: None,
            })
        })
        .collect()
}

/// A user's groups (`groupList`; absent or null: none). A list of another type, or a group
/// named by something else than a string, is an unreadable policy source naming it: the groups'
/// policies are never dropped unseen.
fn config_groups(list: Option<&Value>) -> (Vec<String>, Option<GrantedPolicy>) {
    let unreadable = |found: &str| GrantedPolicy {
        source: "the policies of the user's groups (groupList)".into(),
        document: Err(Unreadable::new(format!(
            "groupList in the configuration item is {found}, not a list of group names"
        ))),
    };
    match list {
        None | Some(Value::Null) => (Vec::new(), None),
        Some(Value::Array(items)) => {
            let names: Vec<String> = items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let bad = (names.len() < items.len()).then(|| unreadable("a list holding non-names"));
            (names, bad)
        }
        Some(other) => (Vec::new(), Some(unreadable(json_kind(other)))),
    }
}

/// How a directly attached managed policy's document is named among a principal's policies.
fn managed_source(arn: &str) -> String {
    format!("managed policy {arn}")
}

fn unread_managed(attached: &Readable<Vec<AttachedPolicy>>) -> Vec<GrantedPolicy> {
    match attached {
        Ok(list) => list
            .iter()
            .map(|policy| GrantedPolicy {
                source: managed_source(&policy.arn),
                document: Err(Unreadable::new(CONFIG_HAS_NO_MANAGED_DOCUMENTS)),
            })
            .collect(),
        Err(unreadable) => vec![GrantedPolicy {
            source: "the attached managed policies".into(),
            document: Err(unreadable.clone()),
        }],
    }
}

/// Reads the default-version documents of the managed policies a Config item names but does not
/// carry: AWS managed policies with known, fixed grants by ARN
/// ([`crate::domain::aws_managed`]), every other one with `iam:GetPolicy` and
/// `iam:GetPolicyVersion` (read-only), each policy once per reader (make one per invocation).
pub struct ManagedPolicyReader {
    client: aws_sdk_iam::Client,
    cache: BTreeMap<String, Readable<PolicyDocument>>,
    calls: usize,
}

/// The IAM actions [`ManagedPolicyReader`] calls.
pub const MANAGED_POLICY_READ_ACTIONS: &[&str] = &["iam:GetPolicy", "iam:GetPolicyVersion"];

impl ManagedPolicyReader {
    /// A reader with an empty cache.
    pub fn new(client: aws_sdk_iam::Client) -> Self {
        Self {
            client,
            cache: BTreeMap::new(),
            calls: 0,
        }
    }

    /// How many IAM calls the reader made.
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// The default version document of managed policy `arn`, or why it could not be read.
    pub async fn document(&mut self, arn: &str) -> Readable<PolicyDocument> {
        if let Some(document) = crate::domain::aws_managed::known_document(arn) {
            return Ok(document);
        }
        if let Some(cached) = self.cache.get(arn) {
            return cached.clone();
        }
        let read = self.read(arn).await;
        self.cache.insert(arn.to_owned(), read.clone());
        read
    }

    async fn read(&mut self, arn: &str) -> Readable<PolicyDocument> {
        self.calls += 1;
        let policy = self
            .client
            .get_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| policy_unreadable(arn, &AwsError::from_sdk("iam:GetPolicy", e)))?;
        let Some(version) = policy.policy().and_then(|p| p.default_version_id()) else {
            return Err(Unreadable::new(
                "iam:GetPolicy returned no default version id",
            ));
        };
        self.calls += 1;
        let version = self
            .client
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(|e| policy_unreadable(arn, &AwsError::from_sdk("iam:GetPolicyVersion", e)))?;
        let text = version
            .policy_version()
            .and_then(|v| v.document())
            .ok_or_else(|| Unreadable::new("iam:GetPolicyVersion returned no document"))?;
        PolicyDocument::parse_url_encoded(text)
            .map_err(|e| Unreadable::new(format!("its default version could not be read: {e}")))
    }

    /// Fills in the documents of the managed policies attached directly to a role or user
    /// decoded from a Config item (which names them but does not carry them). Other subjects,
    /// and documents already read, are left as they are.
    pub async fn complete(&mut self, subject: &mut Subject) {
        let SubjectState::Live(resource) = &mut subject.state else {
            return;
        };
        let (attached, policies) = match resource {
            Resource::IamRole(Role {
                attached_policies,
                policies,
                ..
            })
            | Resource::IamUser(User {
                attached_policies,
                policies,
                ..
            }) => (attached_policies, policies),
            _ => return,
        };
        let Ok(attached) = attached else {
            return;
        };
        for policy in attached.iter().filter(|p| p.via_group.is_none()) {
            let source = managed_source(&policy.arn);
            if let Some(slot) = policies
                .iter_mut()
                .find(|g| g.source == source && g.document.is_err())
            {
                slot.document = self.document(&policy.arn).await;
            }
        }
    }
}

/// Why policy `arn` could not be read, without naming it again (the evidence names each policy
/// once, and groups the policies that failed the same way): the service's message is kept only
/// when it adds more than the policy's ARN.
fn policy_unreadable(arn: &str, err: &AwsError) -> Unreadable {
    match &err.code {
        Some(code) if err.message.contains(arn) => {
            Unreadable::new(format!("{} failed with {code}", err.operation))
        }
        _ => unreadable(err),
    }
}

fn config_role_last_used(value: Option<&Value>) -> Readable<Option<Timestamp>> {
    match value {
        None => Err(Unreadable::new(
            "the configuration item does not include roleLastUsed",
        )),
        Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => match o.get("lastUsedDate") {
            None | Some(Value::Null) => Ok(None),
            Some(date) => json_time(date).map(Some).ok_or_else(|| {
                Unreadable::new(format!(
                    "roleLastUsed.lastUsedDate {} is not a date",
                    genai_evidence_core::text::truncate_chars(&date.to_string(), 64)
                ))
            }),
        },
        Some(other) => Err(Unreadable::new(format!(
            "roleLastUsed is {}, not an object",
            json_kind(other)
        ))),
    }
}

/// Everything GetAccountAuthorizationDetails returned, every page.
#[derive(Debug, Clone, Default)]
pub struct AuthorizationDetails {
    /// `RoleDetailList`.
    pub roles: Vec<RoleDetail>,
    /// `UserDetailList`.
    pub users: Vec<UserDetail>,
    /// `GroupDetailList`.
    pub groups: Vec<GroupDetail>,
    /// `Policies` (customer and AWS managed).
    pub policies: Vec<ManagedPolicyDetail>,
}

/// A user's credentials, read with per-user calls.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    /// The console password.
    pub password: Readable<Option<Password>>,
    /// The access keys.
    pub access_keys: Readable<Vec<AccessKey>>,
    /// The long-term Bedrock API keys.
    pub bedrock_api_keys: Readable<Vec<ServiceCredential>>,
}

/// The tags of a Config item's role or user (`[{"key": .., "value": ..}]`); entries that are not
/// of that shape are skipped, a missing list is no tags.
fn config_tags(list: Option<&Value>) -> BTreeMap<String, String> {
    list.and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    let key = t.get("key").and_then(Value::as_str)?;
                    let value = t.get("value").and_then(Value::as_str).unwrap_or_default();
                    Some((key.to_owned(), value.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The tags GetAccountAuthorizationDetails returns on a role or user.
fn api_tags(tags: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

fn timestamp(date: Option<&DateTime>) -> Option<Timestamp> {
    date.and_then(|d| d.to_millis().ok())
        .map(Timestamp::from_epoch_millis)
}

fn unreadable(err: &AwsError) -> Unreadable {
    Unreadable::new(err.to_string())
}

/// Reads every page of GetAccountAuthorizationDetails for roles, users, groups and managed
/// policies.
pub async fn read_authorization_details(
    client: &aws_sdk_iam::Client,
) -> Result<AuthorizationDetails, AwsError> {
    let mut details = AuthorizationDetails::default();
    let mut pages = client
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::LocalManagedPolicy)
        .filter(EntityType::AwsManagedPolicy)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("iam:GetAccountAuthorizationDetails", e))?;
        details.roles.extend_from_slice(page.role_detail_list());
        details.users.extend_from_slice(page.user_detail_list());
        details.groups.extend_from_slice(page.group_detail_list());
        details.policies.extend_from_slice(page.policies());
    }
    Ok(details)
}

/// Collects every IAM role, user and customer managed policy of the account: one bulk read of
/// GetAccountAuthorizationDetails, then the users' credentials (ListUsers for password use,
/// GetLoginProfile, ListAccessKeys and GetAccessKeyLastUsed per user). A failed bulk read is an
/// error; a failed per-user read makes that user's credential fields unreadable.
pub async fn collect_iam(
    client: &aws_sdk_iam::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let details = read_authorization_details(client).await?;
    let names: Vec<String> = details
        .users
        .iter()
        .filter_map(|u| u.user_name())
        .map(str::to_owned)
        .collect();
    let credentials = read_credentials(client, &names).await;
    Ok(subjects_from_details(
        &details,
        &credentials,
        scope,
        Timestamp::now(),
    ))
}

/// The credentials of the named users: ListUsers once for password use, then GetLoginProfile,
/// ListAccessKeys and GetAccessKeyLastUsed per user, and ListServiceSpecificCredentials for
/// Bedrock per user (at most [`CONCURRENCY`](super::CONCURRENCY) in flight). Failed reads become
/// unreadable fields.
pub async fn read_credentials(
    client: &aws_sdk_iam::Client,
    names: &[String],
) -> BTreeMap<String, UserCredentials> {
    read_credentials_with(client, client, names).await
}

/// As [`read_credentials`], listing the Bedrock API keys with `keys_client`.
pub async fn read_credentials_with(
    client: &aws_sdk_iam::Client,
    keys_client: &aws_sdk_iam::Client,
    names: &[String],
) -> BTreeMap<String, UserCredentials> {
    let mut credentials = BTreeMap::new();
    if names.is_empty() {
        return credentials;
    }
    let password_last_used = read_password_last_used(client).await;
    let bedrock_keys = super::bounded(names.to_vec(), |name| async move {
        read_bedrock_api_keys(keys_client, &name).await
    })
    .await;
    for (name, bedrock_keys) in names.iter().zip(bedrock_keys) {
        let last_used = match &password_last_used {
            Ok(map) => Ok(map.get(name).copied().flatten()),
            Err(e) => Err(e.clone()),
        };
        let login = read_login_profile(client, name).await;
        let keys = read_access_keys(client, name).await;
        let mut creds = user_credentials(login, last_used, keys);
        creds.bedrock_api_keys = bedrock_keys
            .map(|keys| service_credentials(&keys))
            .map_err(|e| unreadable(&e));
        credentials.insert(name.clone(), creds);
    }
    credentials
}

/// The user's service-specific credentials for Bedrock (`ListServiceSpecificCredentials` with
/// `ServiceName` `bedrock.amazonaws.com`, every page: the SDK has no paginator for it, so the
/// `Marker` is followed while `IsTruncated`).
pub async fn read_bedrock_api_keys(
    client: &aws_sdk_iam::Client,
    user: &str,
) -> Result<Vec<ServiceSpecificCredentialMetadata>, AwsError> {
    let mut keys = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = client
            .list_service_specific_credentials()
            .user_name(user)
            .service_name(BEDROCK_SERVICE_NAME)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("iam:ListServiceSpecificCredentials", e))?;
        keys.extend_from_slice(page.service_specific_credentials());
        match page.marker().filter(|_| page.is_truncated()) {
            Some(next) => marker = Some(next.to_owned()),
            None => return Ok(keys),
        }
    }
}

/// The domain view of service-specific credentials as `ListServiceSpecificCredentials` lists them.
pub fn service_credentials(list: &[ServiceSpecificCredentialMetadata]) -> Vec<ServiceCredential> {
    list.iter()
        .map(|c| ServiceCredential {
            id: c.service_specific_credential_id().to_owned(),
            active: c.status() == &StatusType::Active,
            created: timestamp(Some(c.create_date())),
            expires: timestamp(c.expiration_date()),
        })
        .collect()
}

async fn read_password_last_used(
    client: &aws_sdk_iam::Client,
) -> Result<BTreeMap<String, Option<Timestamp>>, AwsError> {
    let mut map = BTreeMap::new();
    let mut pages = client.list_users().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("iam:ListUsers", e))?;
        for user in page.users() {
            map.insert(
                user.user_name().to_owned(),
                timestamp(user.password_last_used()),
            );
        }
    }
    Ok(map)
}

/// The password's creation date, `None` when the user has no password (`NoSuchEntity`).
async fn read_login_profile(
    client: &aws_sdk_iam::Client,
    user: &str,
) -> Result<Option<Option<Timestamp>>, AwsError> {
    match client.get_login_profile().user_name(user).send().await {
        Ok(out) => Ok(Some(timestamp(
            out.login_profile().map(|p| p.create_date()),
        ))),
        Err(e) => {
            let err = AwsError::from_sdk("iam:GetLoginProfile", e);
            if err.code.as_deref() == Some("NoSuchEntity") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// The user's access keys, each with its GetAccessKeyLastUsed answer.
#[allow(clippy::type_complexity)]
async fn read_access_keys(
    client: &aws_sdk_iam::Client,
    user: &str,
) -> Result<Vec<(AccessKeyMetadata, Result<Option<Timestamp>, AwsError>)>, AwsError> {
    let mut keys = Vec::new();
    let mut pages = client
        .list_access_keys()
        .user_name(user)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("iam:ListAccessKeys", e))?;
        keys.extend_from_slice(page.access_key_metadata());
    }
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let last_used = match key.access_key_id() {
            None => Ok(None),
            Some(id) => client
                .get_access_key_last_used()
                .access_key_id(id)
                .send()
                .await
                .map(|o| timestamp(o.access_key_last_used().and_then(|u| u.last_used_date())))
                .map_err(|e| AwsError::from_sdk("iam:GetAccessKeyLastUsed", e)),
        };
        out.push((key, last_used));
    }
    Ok(out)
}

/// A user's credentials from the answers of the per-user reads: `login` is the password's
/// creation date (`None` without a password), `password_last_used` comes from ListUsers, `keys`
/// pairs each key with its last use. Failed reads become unreadable fields.
#[allow(clippy::type_complexity)]
pub fn user_credentials(
    login: Result<Option<Option<Timestamp>>, AwsError>,
    password_last_used: Result<Option<Timestamp>, AwsError>,
    keys: Result<Vec<(AccessKeyMetadata, Result<Option<Timestamp>, AwsError>)>, AwsError>,
) -> UserCredentials {
    let password = match login {
        Err(e) => Err(unreadable(&e)),
        Ok(None) => Ok(None),
        Ok(Some(created)) => match password_last_used {
            Err(e) => Err(unreadable(&e)),
            Ok(last_used) => Ok(Some(Password { created, last_used })),
        },
    };
    let access_keys = keys.map_err(|e| unreadable(&e)).map(|keys| {
        keys.into_iter()
            .map(|(meta, last_used)| AccessKey {
                id: meta.access_key_id().unwrap_or_default().to_owned(),
                active: meta.status() == Some(&StatusType::Active),
                created: timestamp(meta.create_date()),
                last_used: last_used.map_err(|e| unreadable(&e)),
            })
            .collect()
    });
    UserCredentials {
        password,
        access_keys,
        bedrock_api_keys: Err(Unreadable::new("the user's Bedrock API keys were not read")),
    }
}

fn inline_policies(list: &[PolicyDetail], owner: &str) -> Vec<GrantedPolicy> {
    list.iter()
        .map(|p| {
            let name = p.policy_name().unwrap_or("(unnamed)");
            let source = format!("{owner}inline policy {name:?}");
            let document = match p.policy_document() {
                None => Err(Unreadable::new(format!("{source} has no document"))),
                Some(text) => PolicyDocument::parse_url_encoded(text)
                    .map_err(|e| Unreadable::new(format!("{source} could not be read: {e}"))),
            };
            GrantedPolicy { source, document }
        })
        .collect()
}

fn attached_policies(
    list: &[aws_sdk_iam::types::AttachedPolicy],
    via_group: Option<&str>,
) -> Vec<AttachedPolicy> {
    list.iter()
        .filter_map(|p| {
            let arn = p.policy_arn()?.to_owned();
            let name = p
                .policy_name()
                .map(str::to_owned)
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_owned());
            Some(AttachedPolicy {
                name,
                arn,
                via_group: via_group.map(str::to_owned),
            })
        })
        .collect()
}

/// The default version document of every managed policy in the details, by ARN.
fn default_documents(details: &AuthorizationDetails) -> BTreeMap<String, Readable<PolicyDocument>> {
    details
        .policies
        .iter()
        .filter_map(|p| {
            let arn = p.arn()?.to_owned();
            let default = p.policy_version_list().iter().find(|v| {
                v.is_default_version()
                    || (p.default_version_id().is_some()
                        && v.version_id() == p.default_version_id())
            });
            let document = match default.and_then(|v| v.document()) {
                None => Err(Unreadable::new(format!(
                    "managed policy {arn} has no default version document"
                ))),
                Some(text) => PolicyDocument::parse_url_encoded(text).map_err(|e| {
                    Unreadable::new(format!("managed policy {arn} could not be read: {e}"))
                }),
            };
            Some((arn, document))
        })
        .collect()
}

fn managed_documents(
    attached: &[AttachedPolicy],
    documents: &BTreeMap<String, Readable<PolicyDocument>>,
) -> Vec<GrantedPolicy> {
    attached
        .iter()
        .map(|p| {
            let via = p.via_group.as_deref().map(|g| format!("group {g}'s ")).unwrap_or_default();
            GrantedPolicy {
                source: format!("{via}managed policy {}", p.arn),
                document: documents.get(&p.arn).cloned().unwrap_or_else(|| {
                    Err(Unreadable::new(format!(
                        "managed policy {} is attached but GetAccountAuthorizationDetails did not return it",
                        p.arn
                    )))
                }),
            }
        })
        .collect()
}

/// Builds the subjects (roles, users, customer managed policies) from the bulk read and the
/// users' credentials (a user missing from `credentials` gets unreadable credential fields).
pub fn subjects_from_details(
    details: &AuthorizationDetails,
    credentials: &BTreeMap<String, UserCredentials>,
    scope: &Scope,
    observed_at: Timestamp,
) -> Vec<Subject> {
    let documents = default_documents(details);
    let subject = |resource: Resource, id: &str, arn: &str| Subject {
        resource: ResourceRef {
            resource_type: resource.resource_type().cfn_type().into(),
            resource_id: id.to_owned(),
            arn: Some(arn.to_owned()).filter(|a| !a.is_empty()),
            account_id: scope.account_id.clone(),
            // IAM is global: AWS Config records its principals in region `global`, and so do we.
            region: GLOBAL_REGION.to_owned(),
        },
        observed_at,
        observed_via: OBSERVED_VIA,
        state: SubjectState::Live(resource),
        links: Vec::new(),
    };
    let mut subjects = Vec::new();
    for r in &details.roles {
        let name = r.role_name().unwrap_or_default().to_owned();
        let attached = attached_policies(r.attached_managed_policies(), None);
        let mut policies = inline_policies(r.role_policy_list(), "");
        policies.extend(managed_documents(&attached, &documents));
        let role = Role {
            id: r
                .role_id()
                .map(str::to_owned)
                .unwrap_or_else(|| name.clone()),
            arn: r.arn().unwrap_or_default().to_owned(),
            path: r.path().unwrap_or("/").to_owned(),
            created: timestamp(r.create_date()),
            policies,
            attached_policies: Ok(attached),
            last_used: Ok(timestamp(
                r.role_last_used().and_then(|u| u.last_used_date()),
            )),
            tags: api_tags(r.tags()),
            guardrail_enforcement: GuardrailEnforcement::not_read(),
            name,
        };
        let (id, arn) = (role.id.clone(), role.arn.clone());
        subjects.push(subject(Resource::IamRole(role), &id, &arn));
    }
    let groups: BTreeMap<&str, &GroupDetail> = details
        .groups
        .iter()
        .filter_map(|g| Some((g.group_name()?, g)))
        .collect();
    for u in &details.users {
        let user = user_from_detail(u, &groups, &documents, credentials);
        let (id, arn) = (user.id.clone(), user.arn.clone());
        subjects.push(subject(Resource::IamUser(user), &id, &arn));
    }
    for p in details
        .policies
        .iter()
        .filter(|p| !p.arn().unwrap_or_default().contains(":iam::aws:policy/"))
    {
        let arn = p.arn().unwrap_or_default().to_owned();
        let name = p.policy_name().unwrap_or_default().to_owned();
        let policy = ManagedPolicy {
            id: p
                .policy_id()
                .map(str::to_owned)
                .unwrap_or_else(|| name.clone()),
            document: documents
                .get(&arn)
                .cloned()
                .unwrap_or_else(|| Err(Unreadable::new("the policy has no ARN"))),
            arn: arn.clone(),
            name,
        };
        let id = policy.id.clone();
        subjects.push(subject(Resource::IamPolicy(policy), &id, &arn));
    }
    subjects
}

/// A user from the bulk read: its own and its groups' policies (a group missing from the read
/// makes its policies unreadable), and its credentials (unreadable when not read).
fn user_from_detail(
    u: &UserDetail,
    groups: &BTreeMap<&str, &GroupDetail>,
    documents: &BTreeMap<String, Readable<PolicyDocument>>,
    credentials: &BTreeMap<String, UserCredentials>,
) -> User {
    let name = u.user_name().unwrap_or_default().to_owned();
    let attached = attached_policies(u.attached_managed_policies(), None);
    let mut policies = inline_policies(u.user_policy_list(), "");
    policies.extend(managed_documents(&attached, documents));
    let mut user_groups = Vec::new();
    for group_name in u.group_list() {
        match groups.get(group_name.as_str()) {
            Some(g) => {
                let via = attached_policies(g.attached_managed_policies(), Some(group_name));
                policies.extend(inline_policies(
                    g.group_policy_list(),
                    &format!("group {group_name}'s "),
                ));
                policies.extend(managed_documents(&via, documents));
                user_groups.push(Group {
                    name: group_name.clone(),
                    attached_policies: Ok(via),
                });
            }
            None => {
                let missing = Unreadable::new(format!(
                    "group {group_name} was not returned by GetAccountAuthorizationDetails"
                ));
                policies.push(GrantedPolicy {
                    source: format!("the policies of group {group_name}"),
                    document: Err(missing.clone()),
                });
                user_groups.push(Group {
                    name: group_name.clone(),
                    attached_policies: Err(missing),
                });
            }
        }
    }
    let creds = credentials.get(&name);
    let missing = || Unreadable::new("the user's credentials were not read");
    User {
        id: u
            .user_id()
            .map(str::to_owned)
            .unwrap_or_else(|| name.clone()),
        arn: u.arn().unwrap_or_default().to_owned(),
        created: timestamp(u.create_date()),
        policies,
        attached_policies: Ok(attached),
        groups: user_groups,
        password: creds
            .map(|c| c.password.clone())
            .unwrap_or_else(|| Err(missing())),
        access_keys: creds
            .map(|c| c.access_keys.clone())
            .unwrap_or_else(|| Err(missing())),
        bedrock_api_keys: creds
            .map(|c| c.bedrock_api_keys.clone())
            .unwrap_or_else(|| Err(missing())),
        tags: api_tags(u.tags()),
        guardrail_enforcement: GuardrailEnforcement::not_read(),
        name,
    }
}

/// Which IAM entities a read by what a call names selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamSelection {
    /// The role with this name.
    Role(String),
    /// The user with this name.
    User(String),
    /// Every member of this group.
    GroupMembers(String),
    /// The customer managed policy with this ARN, and every role and user it is attached to.
    Policy(String),
}

/// The IAM entities `selection` names, from one `GetAccountAuthorizationDetails` and the
/// credentials of the users among them. A role, user or policy no longer returned is gone (named
/// by its name or ARN: a deleted entity's id cannot be read any more).
pub async fn read_selection(
    client: &aws_sdk_iam::Client,
    scope: &Scope,
    selection: &IamSelection,
) -> Result<Vec<Subject>, AwsError> {
    let via = "AWS API (iam:GetAccountAuthorizationDetails)";
    let (resource_type, id) = match selection {
        IamSelection::Role(name) => (ResourceType::IamRole, name.as_str()),
        IamSelection::User(name) => (ResourceType::IamUser, name.as_str()),
        IamSelection::Policy(arn) => (ResourceType::IamPolicy, arn.as_str()),
        IamSelection::GroupMembers(_) => (ResourceType::IamUser, ""),
    };
    let details = match read_authorization_details(client).await {
        Ok(details) => details,
        Err(error) => {
            if let IamSelection::GroupMembers(_) = selection {
                return Err(error);
            }
            let arn = id.starts_with("arn:").then(|| id.to_owned());
            return Ok(vec![super::subject_at(
                scope,
                resource_type,
                id,
                arn,
                via,
                SubjectState::Unreadable(error.to_string()),
            )]);
        }
    };
    let users = selected_users(&details, selection);
    let credentials = read_credentials(client, &users).await;
    let all = subjects_from_details(&details, &credentials, scope, Timestamp::now());
    let mut picked: Vec<Subject> = Vec::new();
    let mut reached: Vec<Subject> = Vec::new();
    for s in all {
        // `Some(true)`: the entity asked for; `Some(false)`: one a policy reaches; `None`: neither.
        let pick = match (&s.state, selection) {
            (SubjectState::Live(Resource::IamRole(role)), IamSelection::Role(name)) => {
                (role.name == *name).then_some(true)
            }
            (SubjectState::Live(Resource::IamUser(user)), IamSelection::User(name)) => {
                (user.name == *name).then_some(true)
            }
            (SubjectState::Live(Resource::IamUser(user)), IamSelection::GroupMembers(_)) => {
                users.contains(&user.name).then_some(true)
            }
            (SubjectState::Live(Resource::IamPolicy(policy)), IamSelection::Policy(arn)) => {
                (policy.arn == *arn).then_some(true)
            }
            (SubjectState::Live(Resource::IamRole(role)), IamSelection::Policy(arn)) => {
                attached(&role.attached_policies, arn).then_some(false)
            }
            (SubjectState::Live(Resource::IamUser(user)), IamSelection::Policy(_)) => {
                users.contains(&user.name).then_some(false)
            }
            _ => None,
        };
        match pick {
            Some(true) => picked.push(s),
            Some(false) => reached.push(s),
            None => (),
        }
    }
    if picked.is_empty() && !matches!(selection, IamSelection::GroupMembers(_)) {
        // Named by name (or ARN); its identity derives the ARN, so the deletion replaces the
        // verdicts the sweep and the Config rule recorded under the role's or user's ARN.
        let arn = id.starts_with("arn:").then(|| id.to_owned());
        let global = Scope {
            account_id: scope.account_id.clone(),
            region: GLOBAL_REGION.to_owned(),
        };
        picked.push(super::subject_at(
            &global,
            resource_type,
            id,
            arn,
            via,
            SubjectState::Gone(format!(
                "iam:GetAccountAuthorizationDetails no longer returns {} {id}",
                resource_type
            )),
        ));
    }
    picked.extend(reached);
    Ok(picked)
}

fn attached(list: &Readable<Vec<AttachedPolicy>>, arn: &str) -> bool {
    list.as_ref()
        .is_ok_and(|policies| policies.iter().any(|p| p.arn == arn))
}

/// The users whose credentials a read of `selection` reads: the named user, a group's members, or the
/// users a managed policy reaches (directly or through a group).
fn selected_users(details: &AuthorizationDetails, selection: &IamSelection) -> Vec<String> {
    let names: BTreeSet<String> = match selection {
        IamSelection::Role(_) => BTreeSet::new(),
        IamSelection::User(name) => details
            .users
            .iter()
            .filter_map(|u| u.user_name())
            .filter(|n| n == name)
            .map(str::to_owned)
            .collect(),
        IamSelection::GroupMembers(group) => details
            .users
            .iter()
            .filter(|u| u.group_list().iter().any(|g| g == group))
            .filter_map(|u| u.user_name())
            .map(str::to_owned)
            .collect(),
        IamSelection::Policy(arn) => {
            let groups: BTreeSet<&str> = details
                .groups
                .iter()
                .filter(|g| {
                    g.attached_managed_policies()
                        .iter()
                        .any(|p| p.policy_arn() == Some(arn.as_str()))
                })
                .filter_map(|g| g.group_name())
                .collect();
            details
                .users
                .iter()
                .filter(|u| {
                    u.attached_managed_policies()
                        .iter()
                        .any(|p| p.policy_arn() == Some(arn.as_str()))
                        || u.group_list().iter().any(|g| groups.contains(g.as_str()))
                })
                .filter_map(|u| u.user_name())
                .map(str::to_owned)
                .collect()
        }
    };
    names.into_iter().collect()
}

/// The IAM state an access review reads, from the bulk read and the users' credentials: every
/// role with its trust policy, every user (its own and its groups' policies, its credentials),
/// and every group with its own policies.
pub fn review_state(
    details: &AuthorizationDetails,
    credentials: &BTreeMap<String, UserCredentials>,
    scope: &Scope,
    observed_at: Timestamp,
) -> (
    Vec<crate::review::RoleState>,
    Vec<User>,
    Vec<crate::review::GroupState>,
) {
    let trust: BTreeMap<&str, Readable<PolicyDocument>> = details
        .roles
        .iter()
        .filter_map(|r| {
            let arn = r.arn()?;
            let document = match r.assume_role_policy_document() {
                None => Err(Unreadable::new(format!("role {arn} has no trust policy"))),
                Some(text) => PolicyDocument::parse_url_encoded(text).map_err(|e| {
                    Unreadable::new(format!("the trust policy of {arn} could not be read: {e}"))
                }),
            };
            Some((arn, document))
        })
        .collect();
    let mut roles = Vec::new();
    let mut users = Vec::new();
    for subject in subjects_from_details(details, credentials, scope, observed_at) {
        match subject.state {
            SubjectState::Live(Resource::IamRole(role)) => {
                let trust = trust.get(role.arn.as_str()).cloned().unwrap_or_else(|| {
                    Err(Unreadable::new("the role's trust policy was not read"))
                });
                roles.push(crate::review::RoleState { role, trust });
            }
            SubjectState::Live(Resource::IamUser(user)) => users.push(user),
            _ => {}
        }
    }
    let documents = default_documents(details);
    let groups = details
        .groups
        .iter()
        .map(|g| {
            let name = g.group_name().unwrap_or_default().to_owned();
            let mut policies = inline_policies(g.group_policy_list(), "");
            let attached = attached_policies(g.attached_managed_policies(), None);
            policies.extend(managed_documents(&attached, &documents));
            crate::review::GroupState {
                arn: g.arn().unwrap_or_default().to_owned(),
                created: timestamp(g.create_date()),
                name,
                policies,
            }
        })
        .collect();
    (roles, users, groups)
}

#[cfg(test)]
mod tests {
    use aws_sdk_iam::types::{AttachedPolicy as SdkAttached, PolicyVersion, RoleLastUsed};

    use super::*;
    use crate::domain::outcome::Verdict;
    use crate::error::AwsErrorKind;

    fn scope() -> Scope {
        Scope {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        }
    }

    fn denied(operation: &'static str) -> AwsError {
        AwsError {
            operation,
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDenied".into()),
            message: "not authorized".into(),
        }
    }

    fn date(text: &str) -> DateTime {
        DateTime::from_millis(Timestamp::parse(text).unwrap().epoch_millis())
    }

    const ADMIN: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";

    fn details() -> AuthorizationDetails {
        let admin_policy = ManagedPolicyDetail::builder()
            .policy_name("AdministratorAccess")
            .arn("arn:aws:iam::aws:policy/AdministratorAccess")
            .default_version_id("v1")
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v1")
                    .is_default_version(true)
                    .document(ADMIN)
                    .build(),
            )
            .build();
        let local = ManagedPolicyDetail::builder()
            .policy_name("team-admin")
            .policy_id("ANPALOCAL")
            .arn("arn:aws:iam::123456789012:policy/team-admin")
            .default_version_id("v2")
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v1")
                    .is_default_version(false)
                    .document("{\"Statement\":[]}")
                    .build(),
            )
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v2")
                    .is_default_version(true)
                    .document(ADMIN)
                    .build(),
            )
            .build();
        AuthorizationDetails {
            roles: vec![
                RoleDetail::builder()
                    .role_name("r")
                    .role_id("AROAR")
                    .arn("arn:aws:iam::123456789012:role/r")
                    .path("/")
                    .create_date(date("2026-01-01T00:00:00Z"))
                    .attached_managed_policies(
                        SdkAttached::builder()
                            .policy_name("AdministratorAccess")
                            .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
                            .build(),
                    )
                    .role_last_used(
                        RoleLastUsed::builder()
                            .last_used_date(date("2026-08-01T00:00:00Z"))
                            .build(),
                    )
                    .build(),
            ],
            users: vec![
                UserDetail::builder()
                    .user_name("u")
                    .user_id("AIDAU")
                    .arn("arn:aws:iam::123456789012:user/u")
                    .group_list("admins")
                    .group_list("ghost")
                    .build(),
            ],
            groups: vec![
                GroupDetail::builder()
                    .group_name("admins")
                    .attached_managed_policies(
                        SdkAttached::builder()
                            .policy_name("AmazonBedrockFullAccess")
                            .policy_arn("arn:aws:iam::aws:policy/AmazonBedrockFullAccess")
                            .build(),
                    )
                    .group_policy_list(
                        PolicyDetail::builder()
                            .policy_name("g")
                            .policy_document(ADMIN)
                            .build(),
                    )
                    .build(),
            ],
            policies: vec![admin_policy, local],
        }
    }

    #[test]
    fn bulk_details_resolve_managed_documents_and_group_policies() {
        let subjects =
            subjects_from_details(&details(), &BTreeMap::new(), &scope(), Timestamp::now());
        let types: Vec<_> = subjects
            .iter()
            .map(|s| {
                (
                    s.resource.resource_type.as_str(),
                    s.resource.resource_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            types,
            [
                ("AWS::IAM::Role", "AROAR"),
                ("AWS::IAM::User", "AIDAU"),
                ("AWS::IAM::Policy", "ANPALOCAL")
            ]
        );
        let SubjectState::Live(Resource::IamRole(role)) = &subjects[0].state else {
            panic!()
        };
        assert!(role.policies[0].document.is_ok(), "{:?}", role.policies);
        assert_eq!(
            role.last_used,
            Ok(Timestamp::parse("2026-08-01T00:00:00Z").ok())
        );
        let SubjectState::Live(Resource::IamUser(user)) = &subjects[1].state else {
            panic!()
        };
        // Group "ghost" was not returned, so the group attachments are unknown, but group
        // "admins"'s inline admin policy was read.
        assert!(
            user.groups[0].attached_policies.is_ok() && user.groups[1].attached_policies.is_err()
        );
        assert!(
            user.policies
                .iter()
                .any(|p| p.source.contains("group admins's inline") && p.document.is_ok())
        );
        assert!(user.password.is_err() && user.access_keys.is_err());
        let SubjectState::Live(Resource::IamPolicy(policy)) = &subjects[2].state else {
            panic!()
        };
        assert_eq!(policy.document.as_ref().map(|d| d.statements.len()), Ok(1));
    }

    #[test]
    fn denied_per_user_reads_become_unreadable_fields_not_failures() {
        let creds = user_credentials(
            Err(denied("iam:GetLoginProfile")),
            Ok(None),
            Err(denied("iam:ListAccessKeys")),
        );
        assert!(
            creds
                .password
                .unwrap_err()
                .reason
                .contains("iam:GetLoginProfile failed with AccessDenied")
        );
        assert!(
            creds
                .access_keys
                .unwrap_err()
                .reason
                .contains("iam:ListAccessKeys")
        );
        let key = AccessKeyMetadata::builder()
            .access_key_id("AKIA1")
            .status(StatusType::Active)
            .create_date(date("2026-08-01T00:00:00Z"))
            .build();
        let creds = user_credentials(
            Ok(None),
            Ok(None),
            Ok(vec![(key, Err(denied("iam:GetAccessKeyLastUsed")))]),
        );
        let mut credentials = BTreeMap::new();
        credentials.insert("u".to_owned(), creds);
        let subjects = subjects_from_details(&details(), &credentials, &scope(), Timestamp::now());
        let params = crate::catalog::Params {
            as_of: Timestamp::parse("2026-08-10T00:00:00Z").unwrap(),
            ..Default::default()
        };
        let findings = crate::evaluate::evaluate(&subjects[1], &params, Timestamp::now());
        let verdict = |id: &str| {
            findings
                .iter()
                .find(|f| f.check.id == id)
                .map(|f| f.outcome.verdict)
        };
        assert_eq!(
            verdict("iam_user_credentials_recently_used"),
            Some(Verdict::CouldNotEvaluate)
        );
        assert_eq!(
            verdict("iam_user_access_keys_rotated"),
            Some(Verdict::Compliant)
        );
        assert_eq!(
            verdict("iam_user_no_admin_access"),
            Some(Verdict::NonCompliant)
        );
        assert_eq!(
            verdict("iam_user_no_genai_full_access_policy"),
            Some(Verdict::NonCompliant)
        );
    }

    #[test]
    fn role_and_user_tags_are_read_from_the_bulk_details_and_from_config_items() {
        let mut details = details();
        details.roles[0] = RoleDetail::builder()
            .role_name("r")
            .arn("arn:aws:iam::123456789012:role/r")
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("genai-evidence")
                    .value("exclude")
                    .build()
                    .unwrap(),
            )
            .build();
        let subjects =
            subjects_from_details(&details, &BTreeMap::new(), &scope(), Timestamp::now());
        let SubjectState::Live(Resource::IamRole(role)) = &subjects[0].state else {
            panic!()
        };
        assert_eq!(
            role.tags.get("genai-evidence").map(String::as_str),
            Some("exclude")
        );
        let SubjectState::Live(Resource::IamUser(user)) = &subjects[1].state else {
            panic!()
        };
        assert!(user.tags.is_empty());

        let item = ConfigurationItem::from_api_parts(
            "AWS::IAM::Role".into(),
            "AROAR".into(),
            Some("r".into()),
            Some("arn:aws:iam::123456789012:role/r".into()),
            "123456789012".into(),
            "global".into(),
            "OK",
            Timestamp::now(),
            Some(
                r#"{"roleName":"r","arn":"arn:aws:iam::123456789012:role/r","tags":[{"key":"genai-evidence","value":"include"},{"bad":1}]}"#,
            ),
            [],
        );
        let Decoded::Resource(Resource::IamRole(role)) =
            decode_config_item(ResourceType::IamRole, &item)
        else {
            panic!()
        };
        assert_eq!(
            role.tags,
            BTreeMap::from([("genai-evidence".to_owned(), "include".to_owned())])
        );
    }
}

//! Checks on IAM roles, users and customer managed policies: least privilege for generative AI
//! (SECAI3.7) and periodic review of access (SECAI3.8, supporting evidence).
//!
//! A principal's permissions are the union of every policy document granting them. A statement
//! found in a readable document decides a failure even when another document could not be read;
//! a pass needs every document read.

use crate::catalog::framework::{SAFE_GUARDRAILS, SECAI3_7, SECAI3_8};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::policy::{ActionSet, Effect, ResourceSet, Statement, wildcard_match};
use crate::domain::resource::Readable;
use crate::domain::resources::bedrock::GuardrailEnforcement;
use crate::domain::resources::iam::{
    AttachedPolicy, GrantedPolicy, Group, ManagedPolicy, Role, User,
};
use crate::domain::time::Timestamp;

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &ROLE_NO_ADMIN_ACCESS,
    &ROLE_NO_GENAI_WILDCARD,
    &ROLE_NO_GENAI_FULL_ACCESS_POLICY,
    &ROLE_NO_KMS_DECRYPT_ALL_KEYS,
    &USER_NO_ADMIN_ACCESS,
    &USER_NO_GENAI_WILDCARD,
    &USER_NO_GENAI_FULL_ACCESS_POLICY,
    &USER_NO_KMS_DECRYPT_ALL_KEYS,
    &POLICY_NO_ADMIN_ACCESS,
    &POLICY_NO_GENAI_WILDCARD,
    &ROLE_GENAI_ACCESS_RECENTLY_USED,
    &USER_CREDENTIALS_RECENTLY_USED,
    &USER_ACCESS_KEYS_ROTATED,
    &USER_BEDROCK_API_KEY_SHORT_LIVED,
    &ROLE_INVOKE_REQUIRES_GUARDRAIL,
    &USER_INVOKE_REQUIRES_GUARDRAIL,
];

/// The IAM action that reads roles, users, groups and managed policies in bulk.
const AUTHORIZATION_DETAILS: &str = "iam:GetAccountAuthorizationDetails";

/// The AWS managed policies that grant every Bedrock or SageMaker action.
const GENAI_FULL_ACCESS_POLICIES: &[&str] =
    &["AmazonBedrockFullAccess", "AmazonSageMakerFullAccess"];

/// The services whose wildcards the GenAI checks look for.
const GENAI_SERVICES: &[&str] = &["bedrock", "sagemaker"];

/// SECAI3.7: no role policy allows every action on every resource.
pub static ROLE_NO_ADMIN_ACCESS: Check = Check {
    id: "iam_role_no_admin_access",
    version: 1,
    title: "IAM role has no policy statement allowing every action on every resource",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Critical,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "No inline policy of the role and no default version of a managed policy attached to it has an Allow statement with Action \"*\" on Resource \"*\". Service-linked roles are not applicable.",
    remediation: "Replace the administrator statement with the actions and resources the role needs: detach AdministratorAccess (aws iam detach-role-policy) or edit the inline policy (aws iam put-role-policy).",
    evaluator: Evaluator::IamRole(role_no_admin_access),
};

/// SECAI3.7: no role policy allows every Bedrock or SageMaker action on every resource.
pub static ROLE_NO_GENAI_WILDCARD: Check = Check {
    id: "iam_role_no_genai_wildcard_on_all_resources",
    version: 1,
    title: "IAM role has no policy allowing bedrock:* or sagemaker:* on all resources",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "No Allow statement in the role's policies covers every Bedrock or SageMaker action (bedrock:*, sagemaker:*, \"*\", or a NotAction that does not exclude them) on Resource \"*\". Service-linked roles are not applicable.",
    remediation: "Grant the specific actions the workload calls (e.g. bedrock:InvokeModel) on the specific model, agent or SageMaker resource ARNs instead of a service wildcard on \"*\".",
    evaluator: Evaluator::IamRole(role_no_genai_wildcard),
};

/// SECAI3.7: the role has neither AmazonBedrockFullAccess nor AmazonSageMakerFullAccess.
pub static ROLE_NO_GENAI_FULL_ACCESS_POLICY: Check = Check {
    id: "iam_role_no_genai_full_access_policy",
    version: 1,
    title: "IAM role has neither AmazonBedrockFullAccess nor AmazonSageMakerFullAccess attached",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "Neither AWS managed policy AmazonBedrockFullAccess nor AmazonSageMakerFullAccess is attached to the role. Service-linked roles are not applicable.",
    remediation: "Detach the full-access policy (aws iam detach-role-policy --role-name <role> --policy-arn arn:aws:iam::aws:policy/AmazonBedrockFullAccess) and attach a policy scoped to the actions and resources the role uses.",
    evaluator: Evaluator::IamRole(role_no_genai_full_access_policy),
};

/// SECAI3.7: no role policy allows kms:Decrypt on every key.
pub static ROLE_NO_KMS_DECRYPT_ALL_KEYS: Check = Check {
    id: "iam_role_no_kms_decrypt_all_keys",
    version: 1,
    title: "IAM role has no policy allowing kms:Decrypt on all KMS keys",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "No Allow statement in the role's policies covers kms:Decrypt on Resource \"*\" or on every key of the account (arn:aws:kms:*:<account>:key/*). Service-linked roles are not applicable.",
    remediation: "Restrict kms:Decrypt to the ARNs of the keys that protect the role's data (e.g. the training bucket's and model artifacts' keys).",
    evaluator: Evaluator::IamRole(role_no_kms_decrypt_all_keys),
};

/// SECAI3.7: no user policy allows every action on every resource.
pub static USER_NO_ADMIN_ACCESS: Check = Check {
    id: "iam_user_no_admin_access",
    version: 1,
    title: "IAM user has no policy statement, own or via a group, allowing every action on every resource",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Critical,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "No inline or attached managed policy of the user or of its groups has an Allow statement with Action \"*\" on Resource \"*\".",
    remediation: "Remove administrator access from the user and its groups; have people assume roles with scoped permissions instead of holding them as IAM users.",
    evaluator: Evaluator::IamUser(user_no_admin_access),
};

/// SECAI3.7: no user policy allows every Bedrock or SageMaker action on every resource.
pub static USER_NO_GENAI_WILDCARD: Check = Check {
    id: "iam_user_no_genai_wildcard_on_all_resources",
    version: 1,
    title: "IAM user has no policy, own or via a group, allowing bedrock:* or sagemaker:* on all resources",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "No Allow statement in the policies of the user or its groups covers every Bedrock or SageMaker action (bedrock:*, sagemaker:*, \"*\", or a NotAction that does not exclude them) on Resource \"*\".",
    remediation: "Grant the specific Bedrock or SageMaker actions the user needs on specific resource ARNs, preferably through a role the user assumes.",
    evaluator: Evaluator::IamUser(user_no_genai_wildcard),
};

/// SECAI3.7: the user has neither GenAI full-access policy, directly or through a group.
pub static USER_NO_GENAI_FULL_ACCESS_POLICY: Check = Check {
    id: "iam_user_no_genai_full_access_policy",
    version: 1,
    title: "IAM user has neither AmazonBedrockFullAccess nor AmazonSageMakerFullAccess attached, directly or via a group",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "Neither AmazonBedrockFullAccess nor AmazonSageMakerFullAccess is attached to the user or to any of its groups.",
    remediation: "Detach the full-access policy from the user (aws iam detach-user-policy) or its group (aws iam detach-group-policy) and grant scoped permissions instead.",
    evaluator: Evaluator::IamUser(user_no_genai_full_access_policy),
};

/// SECAI3.7: no user policy allows kms:Decrypt on every key.
pub static USER_NO_KMS_DECRYPT_ALL_KEYS: Check = Check {
    id: "iam_user_no_kms_decrypt_all_keys",
    version: 1,
    title: "IAM user has no policy, own or via a group, allowing kms:Decrypt on all KMS keys",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "No Allow statement in the policies of the user or its groups covers kms:Decrypt on Resource \"*\" or on every key of the account.",
    remediation: "Restrict kms:Decrypt to the ARNs of the keys the user needs.",
    evaluator: Evaluator::IamUser(user_no_kms_decrypt_all_keys),
};

/// SECAI3.7: the customer managed policy has no administrator statement.
pub static POLICY_NO_ADMIN_ACCESS: Check = Check {
    id: "iam_policy_no_admin_access",
    version: 1,
    title: "Customer managed IAM policy has no statement allowing every action on every resource",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Critical,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "The default version of the policy has no Allow statement with Action \"*\" on Resource \"*\".",
    remediation: "Create a new default version of the policy that lists the needed actions and resources (aws iam create-policy-version --set-as-default).",
    evaluator: Evaluator::IamPolicy(policy_no_admin_access),
};

/// SECAI3.7: the customer managed policy grants no GenAI service wildcard on every resource.
pub static POLICY_NO_GENAI_WILDCARD: Check = Check {
    id: "iam_policy_no_genai_wildcard_on_all_resources",
    version: 1,
    title: "Customer managed IAM policy does not allow bedrock:* or sagemaker:* on all resources",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "No Allow statement in the policy's default version covers every Bedrock or SageMaker action (bedrock:*, sagemaker:*, \"*\", or a NotAction that does not exclude them) on Resource \"*\".",
    remediation: "Create a new default version of the policy granting specific Bedrock or SageMaker actions on specific resource ARNs.",
    evaluator: Evaluator::IamPolicy(policy_no_genai_wildcard),
};

/// SECAI3.8: a role with GenAI permissions has been used within `maxUnusedDays`.
pub static ROLE_GENAI_ACCESS_RECENTLY_USED: Check = Check {
    id: "iam_role_genai_access_recently_used",
    version: 1,
    title: "IAM role with Bedrock or SageMaker permissions has been used within the review period",
    controls: &[&SECAI3_8],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[AUTHORIZATION_DETAILS],
    passes_when: "A role whose policies allow any bedrock: or sagemaker: action was last used no more than maxUnusedDays days ago (default 90), or was created within that period. Roles without such permissions, and service-linked roles, are not applicable.",
    remediation: "Review the role: delete it if it is no longer needed (aws iam delete-role), or remove its Bedrock and SageMaker permissions.",
    evaluator: Evaluator::IamRole(role_genai_access_recently_used),
};

/// SECAI3.8: every credential of the user has been used within `maxUnusedDays`.
pub static USER_CREDENTIALS_RECENTLY_USED: Check = Check {
    id: "iam_user_credentials_recently_used",
    version: 1,
    title: "IAM user's password and active access keys have been used within the review period",
    controls: &[&SECAI3_8],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[
        "iam:ListUsers",
        "iam:GetLoginProfile",
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
    ],
    passes_when: "The console password and every active access key were last used (or, if never used, created) no more than maxUnusedDays days ago (default 90). A user with neither is not applicable.",
    remediation: "Remove unused credentials: aws iam delete-login-profile --user-name <user>; aws iam update-access-key --status Inactive, then delete-access-key.",
    evaluator: Evaluator::IamUser(user_credentials_recently_used),
};

/// SECAI3.8: every active access key of the user is younger than `maxAccessKeyAgeDays`.
pub static USER_ACCESS_KEYS_ROTATED: Check = Check {
    id: "iam_user_access_keys_rotated",
    version: 1,
    title: "IAM user's active access keys are younger than the maximum key age",
    controls: &[&SECAI3_8],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["iam:ListAccessKeys"],
    passes_when: "Every active access key of the user was created no more than maxAccessKeyAgeDays days ago (default 90). A user without active keys is not applicable.",
    remediation: "Rotate the key: aws iam create-access-key, move the workload to the new key, then update-access-key --status Inactive and delete-access-key on the old one.",
    evaluator: Evaluator::IamUser(user_access_keys_rotated),
};

/// What a search through a principal's policy documents found.
enum Scan<'a> {
    /// A statement in a readable document matches.
    Found(&'a GrantedPolicy, &'a Statement),
    /// Every document was read and none matches.
    Clean,
    /// None of the readable documents matches, but these could not be read: `(source, reason)`.
    Unknown(Vec<(&'a str, &'a str)>),
}

/// Searches every document for a statement matching `matches`.
fn scan<'a>(policies: &'a [GrantedPolicy], matches: impl Fn(&Statement) -> bool) -> Scan<'a> {
    for policy in policies {
        if let Ok(document) = &policy.document
            && let Some(statement) = document.statements.iter().find(|s| matches(s))
        {
            return Scan::Found(policy, statement);
        }
    }
    let unread: Vec<(&str, &str)> = policies
        .iter()
        .filter_map(|p| {
            p.document
                .as_ref()
                .err()
                .map(|u| (p.source.as_str(), u.reason.as_str()))
        })
        .collect();
    if unread.is_empty() {
        Scan::Clean
    } else {
        Scan::Unknown(unread)
    }
}

/// A statement's name for evidence: its Sid, if any.
fn statement_name(statement: &Statement) -> String {
    statement
        .sid
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| format!("statement {s:?}"))
        .unwrap_or_else(|| "a statement".into())
}

/// The outcome of a policy search on a principal (`who`, e.g. `the role`).
fn principal_outcome(
    who: &str,
    policies: &[GrantedPolicy],
    matches: impl Fn(&Statement) -> bool,
    what: &str,
    why_fail: &str,
) -> Outcome {
    match scan(policies, matches) {
        Scan::Found(policy, statement) => Outcome::non_compliant(
            format!(
                "{} of {} of {who} allows {what}",
                statement_name(statement),
                policy.source
            ),
            why_fail,
        ),
        Scan::Clean => Outcome::compliant(
            format!(
                "none of the {} policy documents of {who} allows {what}",
                policies.len()
            ),
            "every document granting the principal permissions was read and none has such a statement",
        ),
        Scan::Unknown(unread) => Outcome::could_not_evaluate(format!(
            "no readable policy of {who} allows {what}, but {} document(s) could not be read: {}",
            unread.len(),
            unread_by_reason(&unread)
        )),
    }
}

/// The unread documents named once each, grouped under each distinct reason (stated once):
/// `managed policy A, managed policy B (reason 1); inline policy "c" (reason 2)`.
fn unread_by_reason(unread: &[(&str, &str)]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (source, reason) in unread {
        match groups.iter_mut().find(|(r, _)| r == reason) {
            Some((_, sources)) => {
                if !sources.contains(source) {
                    sources.push(source);
                }
            }
            None => groups.push((reason, vec![source])),
        }
    }
    groups
        .iter()
        .map(|(reason, sources)| format!("{} ({reason})", sources.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An Allow of `Action: "*"` on `Resource: "*"`.
fn is_admin(s: &Statement) -> bool {
    let every_action =
        matches!(&s.action, ActionSet::Only(p) if p.iter().any(|a| a == "*" || a == "*:*"));
    let every_resource = matches!(&s.resource, ResourceSet::Only(p) if p.iter().any(|r| r == "*"));
    s.effect == Effect::Allow && every_action && every_resource
}

/// An Allow covering every action of a GenAI service on every resource of that service in
/// `account`.
fn is_genai_wildcard(s: &Statement, account: &str) -> bool {
    s.effect == Effect::Allow
        && GENAI_SERVICES.iter().any(|service| {
            s.covers_whole_service(service)
                && s.covers_resource(&format!("arn:aws:{service}:us-east-1:{account}:model/any"))
                && s.covers_resource(&format!(
                    "arn:aws:{service}:eu-west-3:{account}:agent/other"
                ))
        })
}

/// An Allow of `kms:Decrypt` on every key of `account` in every region (`*`, `arn:aws:kms:*:*:key/*`).
fn is_kms_decrypt_all_keys(s: &Statement, account: &str) -> bool {
    s.effect == Effect::Allow
        && s.covers_action("kms:Decrypt")
        && s.covers_resource(&format!(
            "arn:aws:kms:us-east-1:{account}:key/0b7e4e0a-1111-4a4a-9c9c-000000000001"
        ))
        && s.covers_resource(&format!(
            "arn:aws:kms:ap-southeast-2:{account}:key/f00dfeed-2222-4b4b-8d8d-000000000002"
        ))
}

/// An Allow covering at least one Bedrock or SageMaker action.
fn grants_genai(s: &Statement) -> bool {
    if s.effect != Effect::Allow {
        return false;
    }
    match &s.action {
        ActionSet::Only(patterns) => patterns.iter().any(|p| {
            let service = p.split(':').next().unwrap_or_default();
            p == "*"
                || GENAI_SERVICES
                    .iter()
                    .any(|g| wildcard_match(service, g, true))
        }),
        ActionSet::AllExcept(patterns) => GENAI_SERVICES.iter().any(|g| {
            let all = format!("{g}:*");
            !patterns
                .iter()
                .any(|p| p == "*" || p == "*:*" || p.eq_ignore_ascii_case(&all))
        }),
    }
}

/// The GenAI full-access policy this attachment is, if it is one.
fn genai_full_access(policy: &AttachedPolicy) -> Option<&'static str> {
    GENAI_FULL_ACCESS_POLICIES.iter().copied().find(|name| {
        policy.arn.contains(":iam::aws:policy/") && policy.arn.ends_with(&format!("/{name}"))
    })
}

fn service_linked(role: &Role) -> Option<Outcome> {
    role.is_service_linked().then(|| {
        Outcome::not_applicable(
            format!("{} is a service-linked role (path {})", role.name, role.path),
            "an AWS service defines and owns a service-linked role's permissions; the account cannot narrow them",
        )
    })
}

const ADMIN_WHY: &str = "an Allow of every action on every resource gives full control of the account, including every Bedrock and SageMaker resource and the data they use";
const GENAI_WHY: &str = "a service wildcard on every resource lets the principal invoke, change or delete any model, agent, guardrail, notebook or endpoint; SECAI3.7 asks for the actions and resources the workload needs";
const DECRYPT_WHY: &str = "kms:Decrypt on every key lets the principal read any data encrypted under any key whose policy defers to IAM, defeating per-key separation of training data and model artifacts";

fn role_no_admin_access(role: &Role, _params: &Params) -> Outcome {
    if let Some(na) = service_linked(role) {
        return na;
    }
    principal_outcome(
        "the role",
        &role.policies,
        is_admin,
        "Action \"*\" on Resource \"*\"",
        ADMIN_WHY,
    )
}

fn role_no_genai_wildcard(role: &Role, _params: &Params) -> Outcome {
    if let Some(na) = service_linked(role) {
        return na;
    }
    let account = role.account_id();
    principal_outcome(
        "the role",
        &role.policies,
        |s| is_genai_wildcard(s, account),
        "every bedrock or sagemaker action on all resources",
        GENAI_WHY,
    )
}

fn role_no_kms_decrypt_all_keys(role: &Role, _params: &Params) -> Outcome {
    if let Some(na) = service_linked(role) {
        return na;
    }
    let account = role.account_id();
    principal_outcome(
        "the role",
        &role.policies,
        |s| is_kms_decrypt_all_keys(s, account),
        "kms:Decrypt on all keys",
        DECRYPT_WHY,
    )
}

fn full_access_outcome(
    who: &str,
    direct: &Readable<Vec<AttachedPolicy>>,
    groups: &[Group],
) -> Outcome {
    let readable = std::iter::once(direct)
        .chain(groups.iter().map(|g| &g.attached_policies))
        .filter_map(|list| list.as_ref().ok())
        .flatten();
    if let Some((policy, name)) = readable
        .clone()
        .find_map(|p| genai_full_access(p).map(|n| (p, n)))
    {
        let how = match &policy.via_group {
            Some(group) => format!("through group {group}"),
            None => "directly".into(),
        };
        return Outcome::non_compliant(
            format!("{name} ({}) is attached to {who} {how}", policy.arn),
            format!(
                "{name} allows every action of its service on every resource; SECAI3.7 asks for permissions scoped to what the workload uses"
            ),
        );
    }
    if let Err(unreadable) = direct {
        return Outcome::could_not_evaluate(format!(
            "the managed policies attached to {who} could not be read: {}",
            unreadable.reason
        ));
    }
    if let Some((group, unreadable)) = groups
        .iter()
        .find_map(|g| g.attached_policies.as_ref().err().map(|u| (&g.name, u)))
    {
        return Outcome::could_not_evaluate(format!(
            "no GenAI full-access policy is attached to {who} directly, but the policies of group {group} could not be read: {}",
            unreadable.reason
        ));
    }
    let count = readable.count();
    Outcome::compliant(
        format!(
            "none of the {count} managed policies attached to {who} is AmazonBedrockFullAccess or AmazonSageMakerFullAccess"
        ),
        "the principal holds no AWS managed full-access policy for Bedrock or SageMaker",
    )
}

fn role_no_genai_full_access_policy(role: &Role, _params: &Params) -> Outcome {
    if let Some(na) = service_linked(role) {
        return na;
    }
    full_access_outcome("the role", &role.attached_policies, &[])
}

fn user_no_admin_access(user: &User, _params: &Params) -> Outcome {
    principal_outcome(
        "the user",
        &user.policies,
        is_admin,
        "Action \"*\" on Resource \"*\"",
        ADMIN_WHY,
    )
}

fn user_no_genai_wildcard(user: &User, _params: &Params) -> Outcome {
    let account = user.account_id();
    principal_outcome(
        "the user",
        &user.policies,
        |s| is_genai_wildcard(s, account),
        "every bedrock or sagemaker action on all resources",
        GENAI_WHY,
    )
}

fn user_no_genai_full_access_policy(user: &User, _params: &Params) -> Outcome {
    full_access_outcome("the user", &user.attached_policies, &user.groups)
}

fn user_no_kms_decrypt_all_keys(user: &User, _params: &Params) -> Outcome {
    let account = user.account_id();
    principal_outcome(
        "the user",
        &user.policies,
        |s| is_kms_decrypt_all_keys(s, account),
        "kms:Decrypt on all keys",
        DECRYPT_WHY,
    )
}

fn policy_outcome(
    policy: &ManagedPolicy,
    matches: impl Fn(&Statement) -> bool,
    what: &str,
    why_fail: &str,
) -> Outcome {
    let document = match &policy.document {
        Ok(document) => document,
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
    };
    match document.statements.iter().find(|s| matches(s)) {
        Some(statement) => Outcome::non_compliant(
            format!(
                "{} of the default version of {} allows {what}",
                statement_name(statement),
                policy.name
            ),
            why_fail,
        ),
        None => Outcome::compliant(
            format!(
                "none of the {} statements of the default version of {} allows {what}",
                document.statements.len(),
                policy.name
            ),
            "the policy grants no such permission to any principal it is attached to",
        ),
    }
}

fn policy_no_admin_access(policy: &ManagedPolicy, _params: &Params) -> Outcome {
    policy_outcome(
        policy,
        is_admin,
        "Action \"*\" on Resource \"*\"",
        ADMIN_WHY,
    )
}

fn policy_no_genai_wildcard(policy: &ManagedPolicy, _params: &Params) -> Outcome {
    let account = policy.account_id();
    policy_outcome(
        policy,
        |s| is_genai_wildcard(s, account),
        "every bedrock or sagemaker action on all resources",
        GENAI_WHY,
    )
}

/// Whole days from `then` to `as_of` (negative when `then` is later).
fn days_since(then: Timestamp, as_of: Timestamp) -> i64 {
    (as_of.epoch_millis() - then.epoch_millis()).div_euclid(86_400_000)
}

fn role_genai_access_recently_used(role: &Role, params: &Params) -> Outcome {
    if let Some(na) = service_linked(role) {
        return na;
    }
    match scan(&role.policies, grants_genai) {
        Scan::Found(..) => {}
        Scan::Clean => {
            return Outcome::not_applicable(
                "no policy of the role allows any bedrock or sagemaker action",
                "the periodic review of GenAI access concerns principals that hold GenAI permissions",
            );
        }
        Scan::Unknown(unread) => {
            return Outcome::could_not_evaluate(format!(
                "whether the role holds GenAI permissions is unknown: {}",
                unread_by_reason(&unread)
            ));
        }
    }
    let max = i64::from(params.max_unused_days);
    match &role.last_used {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(last)) => {
            let days = days_since(*last, params.as_of);
            if days > max {
                Outcome::non_compliant(
                    format!(
                        "the role holds Bedrock or SageMaker permissions and was last used {last} ({days} days before {})",
                        params.as_of
                    ),
                    format!(
                        "GenAI access unused for more than {max} days (maxUnusedDays) should have been reviewed and removed"
                    ),
                )
            } else {
                Outcome::compliant(
                    format!(
                        "the role holds Bedrock or SageMaker permissions and was last used {last} ({days} days before {})",
                        params.as_of
                    ),
                    format!("the role was used within the {max}-day review period"),
                )
            }
        }
        Ok(None) => match role.created {
            None => Outcome::could_not_evaluate(
                "the role has no recorded use and its creation date is unknown",
            ),
            Some(created) => {
                let days = days_since(created, params.as_of);
                if days > max {
                    Outcome::non_compliant(
                        format!(
                            "the role holds Bedrock or SageMaker permissions, has no recorded use, and was created {created} ({days} days before {})",
                            params.as_of
                        ),
                        format!(
                            "GenAI access never used in more than {max} days (maxUnusedDays) is not needed"
                        ),
                    )
                } else {
                    Outcome::compliant(
                        format!(
                            "the role has no recorded use yet and was created {created} ({days} days before {})",
                            params.as_of
                        ),
                        format!(
                            "a role created within the {max}-day review period is not yet stale"
                        ),
                    )
                }
            }
        },
    }
}

/// One credential's name and its last activity (last use, else creation), or why that is unknown.
type Activity = (String, Result<Timestamp, String>);

fn user_credentials_recently_used(user: &User, params: &Params) -> Outcome {
    let mut activities: Vec<Activity> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    match &user.password {
        Err(u) => unread.push(format!("password: {}", u.reason)),
        Ok(None) => {}
        Ok(Some(password)) => activities.push((
            "the console password".into(),
            password
                .last_used
                .or(password.created)
                .ok_or_else(|| "the password has no recorded use and no creation date".into()),
        )),
    }
    match &user.access_keys {
        Err(u) => unread.push(format!("access keys: {}", u.reason)),
        Ok(keys) => {
            for key in keys.iter().filter(|k| k.active) {
                let activity = match &key.last_used {
                    Err(u) => Err(u.reason.clone()),
                    Ok(Some(t)) => Ok(*t),
                    Ok(None) => key
                        .created
                        .ok_or_else(|| "the key has no recorded use and no creation date".into()),
                };
                activities.push((format!("access key {}", key.id), activity));
            }
        }
    }
    let max = i64::from(params.max_unused_days);
    let mut stale = Vec::new();
    let mut fresh = Vec::new();
    for (name, activity) in activities {
        match activity {
            Ok(t) if days_since(t, params.as_of) > max => stale.push(format!(
                "{name} last active {t} ({} days)",
                days_since(t, params.as_of)
            )),
            Ok(t) => fresh.push(format!("{name} last active {t}")),
            Err(reason) => unread.push(format!("{name}: {reason}")),
        }
    }
    if !stale.is_empty() {
        return Outcome::non_compliant(
            format!("{} before {}", stale.join("; "), params.as_of),
            format!(
                "credentials unused for more than {max} days (maxUnusedDays) should be removed after review"
            ),
        );
    }
    if !unread.is_empty() {
        return Outcome::could_not_evaluate(unread.join("; "));
    }
    if fresh.is_empty() {
        return Outcome::not_applicable(
            "the user has no console password and no active access key",
            "a user without credentials has nothing to leave unused",
        );
    }
    Outcome::compliant(
        fresh.join("; "),
        format!("every credential of the user was used (or created) within {max} days"),
    )
}

fn user_access_keys_rotated(user: &User, params: &Params) -> Outcome {
    let keys = match &user.access_keys {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(keys) => keys,
    };
    let active: Vec<_> = keys.iter().filter(|k| k.active).collect();
    if active.is_empty() {
        return Outcome::not_applicable(
            format!(
                "the user has no active access key ({} inactive)",
                keys.len()
            ),
            "only active keys can sign requests",
        );
    }
    let max = i64::from(params.max_access_key_age_days);
    let old: Vec<String> = active
        .iter()
        .filter_map(|k| {
            let created = k.created?;
            let days = days_since(created, params.as_of);
            (days > max).then(|| format!("access key {} was created {created} ({days} days)", k.id))
        })
        .collect();
    if !old.is_empty() {
        return Outcome::non_compliant(
            format!("{} before {}", old.join("; "), params.as_of),
            format!(
                "active access keys older than {max} days (maxAccessKeyAgeDays) must be rotated"
            ),
        );
    }
    if let Some(k) = active.iter().find(|k| k.created.is_none()) {
        return Outcome::could_not_evaluate(format!(
            "the creation date of access key {} is unknown",
            k.id
        ));
    }
    Outcome::compliant(
        format!(
            "{} active access key(s), all created within {max} days of {}",
            active.len(),
            params.as_of
        ),
        "active keys are rotated within the maximum age",
    )
}

// Long-term Bedrock API keys (SECAI3.7, SECAI3.8).

/// SECAI3.7 and SECAI3.8: every active long-term Bedrock API key of the user expires, and lives
/// no longer than `maxBedrockApiKeyAgeDays`.
pub static USER_BEDROCK_API_KEY_SHORT_LIVED: Check = Check {
    id: "iam_user_bedrock_api_key_short_lived",
    version: 1,
    title: "IAM user's long-term Bedrock API keys expire and are younger than the maximum key age",
    controls: &[&SECAI3_7, &SECAI3_8],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &[
        "iam:GetAccountAuthorizationDetails",
        "iam:ListServiceSpecificCredentials",
    ],
    passes_when: "Every active service-specific credential of the user for bedrock.amazonaws.com (a long-term Bedrock API key) has an expiration date no more than maxBedrockApiKeyAgeDays days (default 90) after its creation and was created no more than that many days ago. A key without an expiration date fails. A user without active, unexpired keys is not applicable.",
    remediation: "Prefer short-term Bedrock API keys. Replace the key with one that expires: aws iam create-service-specific-credential --user-name <user> --service-name bedrock.amazonaws.com --credential-age-days 30, move the workload to it, then aws iam update-service-specific-credential --status Inactive and delete-service-specific-credential on the old one; deny iam:CreateServiceSpecificCredential without iam:ServiceSpecificCredentialAgeDays.",
    evaluator: Evaluator::IamUser(user_bedrock_api_key_short_lived),
};

fn user_bedrock_api_key_short_lived(user: &User, params: &Params) -> Outcome {
    let keys = match &user.bedrock_api_keys {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(keys) => keys,
    };
    let as_of = params.as_of;
    let usable: Vec<_> = keys
        .iter()
        .filter(|k| {
            k.active
                && k.expires
                    .is_none_or(|e| e.epoch_millis() > as_of.epoch_millis())
        })
        .collect();
    if usable.is_empty() {
        return Outcome::not_applicable(
            format!(
                "the user has no active, unexpired long-term Bedrock API key ({} listed)",
                keys.len()
            ),
            "only active keys that have not expired can call Bedrock",
        );
    }
    let max = i64::from(params.max_bedrock_api_key_age_days);
    let mut failures = Vec::new();
    let mut unknown = Vec::new();
    for key in &usable {
        match (key.created, key.expires) {
            (_, None) => failures.push(format!("Bedrock API key {} never expires", key.id)),
            (None, Some(_)) => unknown.push(key.id.as_str()),
            (Some(created), Some(expires)) => {
                let age = days_since(created, as_of);
                let lifetime = days_since(created, expires);
                if age > max {
                    failures.push(format!(
                        "Bedrock API key {} was created {created} ({age} days before {as_of})",
                        key.id
                    ));
                } else if lifetime > max {
                    failures.push(format!(
                        "Bedrock API key {} created {created} expires {expires} ({lifetime} days later)",
                        key.id
                    ));
                }
            }
        }
    }
    if !failures.is_empty() {
        return Outcome::non_compliant(
            failures.join("; "),
            format!(
                "a long-term Bedrock API key is a bearer secret: it must expire within {max} days (maxBedrockApiKeyAgeDays) of its creation, or be replaced by short-term keys"
            ),
        );
    }
    if !unknown.is_empty() {
        return Outcome::could_not_evaluate(format!(
            "the creation date of Bedrock API key(s) {} is unknown",
            unknown.join(", ")
        ));
    }
    Outcome::compliant(
        format!(
            "{} active Bedrock API key(s), each created within {max} days of {as_of} and expiring within {max} days of its creation",
            usable.len()
        ),
        "long-term Bedrock API keys are bounded in lifetime",
    )
}

/// The Bedrock runtime actions that invoke a model and take a `bedrock:GuardrailIdentifier`
/// condition.
const INVOKE_ACTIONS: &[&str] = &[
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:Converse",
    "bedrock:ConverseStream",
];

/// The condition key naming the guardrail a call applies.
const GUARDRAIL_KEY: &str = "bedrock:GuardrailIdentifier";

/// The actions the invoke-guardrail checks read with: the principal's policies, and the
/// enforced guardrails that make a condition unnecessary.
const INVOKE_GUARDRAIL_ACTIONS: &[&str] = &[
    AUTHORIZATION_DETAILS,
    "bedrock:ListEnforcedGuardrailsConfiguration",
    "bedrock:GetGuardrail",
    "organizations:DescribeEffectivePolicy",
];

/// SECAI3.7 and Safe: every grant of model invocation to the role requires a guardrail, unless
/// a protective guardrail is enforced on every model.
pub static ROLE_INVOKE_REQUIRES_GUARDRAIL: Check = Check {
    id: "iam_role_bedrock_invoke_requires_guardrail",
    version: 1,
    title: "IAM role may invoke Bedrock models only with a guardrail, or a protective guardrail is enforced on every model",
    controls: &[&SECAI3_7, &SAFE_GUARDRAILS],
    security_hub: &[],
    severity: Severity::High,
    api_actions: INVOKE_GUARDRAIL_ACTIONS,
    passes_when: INVOKE_PASSES_WHEN,
    remediation: INVOKE_REMEDIATION,
    evaluator: Evaluator::IamRole(role_invoke_requires_guardrail),
};

/// SECAI3.7 and Safe: as [`ROLE_INVOKE_REQUIRES_GUARDRAIL`], for a user (its own and its
/// groups' policies).
pub static USER_INVOKE_REQUIRES_GUARDRAIL: Check = Check {
    id: "iam_user_bedrock_invoke_requires_guardrail",
    version: 1,
    title: "IAM user may invoke Bedrock models only with a guardrail, or a protective guardrail is enforced on every model",
    controls: &[&SECAI3_7, &SAFE_GUARDRAILS],
    security_hub: &[],
    severity: Severity::High,
    api_actions: INVOKE_GUARDRAIL_ACTIONS,
    passes_when: INVOKE_PASSES_WHEN,
    remediation: INVOKE_REMEDIATION,
    evaluator: Evaluator::IamUser(user_invoke_requires_guardrail),
};

const INVOKE_PASSES_WHEN: &str = "Every Allow statement covering bedrock:InvokeModel, InvokeModelWithResponseStream, Converse or ConverseStream (wildcards and NotAction included) has a bedrock:GuardrailIdentifier condition naming a guardrail (StringEquals, StringLike, ArnEquals or ArnLike, not just \"*\"), or a Deny of that action on every resource, conditioned only on bedrock:GuardrailIdentifier being absent (Null true) or another guardrail (StringNotEquals, StringNotLike, ArnNotEquals, ArnNotLike), covers it; or bedrock_enforced_guardrail_all_models passes in every region evaluated. Principals allowed no invocation, and service-linked roles, are not applicable.";
const INVOKE_REMEDIATION: &str = "Add \"Condition\": {\"StringEquals\": {\"bedrock:GuardrailIdentifier\": \"<guardrail-arn>:<version>\"}} to the Allow of bedrock:InvokeModel*/Converse*, or a Deny of those actions with \"Condition\": {\"Null\": {\"bedrock:GuardrailIdentifier\": \"true\"}}; or enforce a protective guardrail on every model (aws bedrock put-enforced-guardrail-configuration).";

/// An Allow of `action` on some resource that names the guardrail it requires.
fn requires_guardrail(s: &Statement) -> bool {
    s.conditions_on(GUARDRAIL_KEY).any(|c| {
        let operator = c
            .operator
            .trim_start_matches("ForAnyValue:")
            .trim_start_matches("ForAllValues:");
        let positive = matches!(
            operator.to_ascii_lowercase().as_str(),
            "stringequals" | "stringequalsignorecase" | "stringlike" | "arnequals" | "arnlike"
        );
        positive
            && c.values
                .iter()
                .any(|v| !v.trim().is_empty() && v.trim() != "*")
    })
}

/// A Deny of `action` on every resource that applies exactly when no guardrail, or another
/// guardrail, is named.
fn denies_without_guardrail(s: &Statement, action: &str) -> bool {
    let every_resource = s.covers_resource("arn:aws:bedrock:us-east-1::foundation-model/any")
        && s.covers_resource("arn:aws:bedrock:eu-west-3:111122223333:inference-profile/other");
    let only_guardrail_conditions = !s.conditions.is_empty()
        && s.conditions.iter().all(|c| {
            c.key == GUARDRAIL_KEY.to_ascii_lowercase()
                && match c.operator.to_ascii_lowercase().as_str() {
                    "null" => c.values.iter().all(|v| v.eq_ignore_ascii_case("true")),
                    "stringnotequals"
                    | "stringnotequalsignorecase"
                    | "stringnotlike"
                    | "arnnotequals"
                    | "arnnotlike" => true,
                    _ => false,
                }
        });
    s.effect == Effect::Deny
        && s.covers_action(action)
        && every_resource
        && only_guardrail_conditions
}

/// The invoke actions some readable Allow grants without a guardrail condition and no readable
/// Deny covers, each with where it is granted.
fn unguarded_grants(policies: &[GrantedPolicy]) -> Vec<String> {
    let statements: Vec<(&GrantedPolicy, &Statement)> = policies
        .iter()
        .filter_map(|p| p.document.as_ref().ok().map(|d| (p, d)))
        .flat_map(|(p, d)| d.statements.iter().map(move |s| (p, s)))
        .collect();
    let mut found = Vec::new();
    for action in INVOKE_ACTIONS {
        let denied = statements
            .iter()
            .any(|(_, s)| denies_without_guardrail(s, action));
        if denied {
            continue;
        }
        if let Some((policy, statement)) = statements.iter().find(|(_, s)| {
            s.effect == Effect::Allow && s.covers_action(action) && !requires_guardrail(s)
        }) {
            found.push(format!(
                "{action} ({} of {})",
                statement_name(statement),
                policy.source
            ));
        }
    }
    found
}

/// Whether any readable Allow grants an invoke action at all.
fn grants_invoke(policies: &[GrantedPolicy]) -> bool {
    policies
        .iter()
        .filter_map(|p| p.document.as_ref().ok())
        .flat_map(|d| d.statements.iter())
        .any(|s| s.effect == Effect::Allow && INVOKE_ACTIONS.iter().any(|a| s.covers_action(a)))
}

fn invoke_requires_guardrail(
    who: &str,
    policies: &[GrantedPolicy],
    enforcement: &GuardrailEnforcement,
) -> Outcome {
    let unread: Vec<(&str, &str)> = policies
        .iter()
        .filter_map(|p| {
            p.document
                .as_ref()
                .err()
                .map(|u| (p.source.as_str(), u.reason.as_str()))
        })
        .collect();
    let unguarded = unguarded_grants(policies);
    if unguarded.is_empty() {
        if !unread.is_empty() {
            return Outcome::could_not_evaluate(format!(
                "no readable policy of {who} allows model invocation without a guardrail, but {} document(s) could not be read: {}",
                unread.len(),
                unread_by_reason(&unread)
            ));
        }
        if !grants_invoke(policies) {
            return Outcome::not_applicable(
                format!("no policy of {who} allows bedrock:InvokeModel* or bedrock:Converse*"),
                "the principal cannot invoke models, so there is no invocation to guard",
            );
        }
        return Outcome::compliant(
            format!(
                "every grant of model invocation to {who} requires a guardrail (bedrock:GuardrailIdentifier)"
            ),
            "the principal cannot invoke a model without a guardrail applied",
        );
    }
    let granted = unguarded.join("; ");
    match enforcement {
        GuardrailEnforcement::Enforced(how) => Outcome::compliant(
            format!(
                "{who} may invoke without naming a guardrail ({granted}), but a protective guardrail is enforced on every model: {how}"
            ),
            "the enforced guardrail applies to every invocation whatever the caller names",
        ),
        GuardrailEnforcement::NotEnforced(why) => Outcome::non_compliant(
            format!(
                "{who} may invoke models without a guardrail: {granted}; and no protective guardrail is enforced on every model ({why})"
            ),
            "an invocation without a guardrail is not screened for harmful content, prompt attacks or personal data",
        ),
        GuardrailEnforcement::Unknown(why) => Outcome::could_not_evaluate(format!(
            "{who} may invoke models without naming a guardrail ({granted}), and whether a protective guardrail is enforced on every model is unknown: {why}"
        )),
    }
}

fn role_invoke_requires_guardrail(role: &Role, _params: &Params) -> Outcome {
    if let Some(na) = service_linked(role) {
        return na;
    }
    invoke_requires_guardrail("the role", &role.policies, &role.guardrail_enforcement)
}

fn user_invoke_requires_guardrail(user: &User, _params: &Params) -> Outcome {
    invoke_requires_guardrail("the user", &user.policies, &user.guardrail_enforcement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_matchers_follow_iam_semantics() {
        let doc = |text: &str| {
            crate::domain::policy::PolicyDocument::parse(text)
                .unwrap()
                .statements
                .remove(0)
        };
        assert!(is_genai_wildcard(
            &doc(
                r#"{"Statement":{"Effect":"Allow","Action":"bedrock:*","Resource":"arn:aws:bedrock:*:*:*"}}"#
            ),
            "1"
        ));
        assert!(!is_genai_wildcard(
            &doc(r#"{"Statement":{"Effect":"Allow","Action":"bedrock:Invoke*","Resource":"*"}}"#),
            "1"
        ));
        assert!(
            is_genai_wildcard(
                &doc(r#"{"Statement":{"Effect":"Allow","NotAction":"bedrock:*","Resource":"*"}}"#),
                "1"
            ),
            "NotAction bedrock:* still grants sagemaker:*"
        );
        assert!(!is_genai_wildcard(
            &doc(
                r#"{"Statement":{"Effect":"Allow","NotAction":["bedrock:*","sagemaker:*"],"Resource":"*"}}"#
            ),
            "1"
        ));
        assert!(!is_genai_wildcard(
            &doc(r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#),
            "1"
        ));
        assert!(is_kms_decrypt_all_keys(
            &doc(
                r#"{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:*:111122223333:key/*"}}"#
            ),
            "111122223333"
        ));
        assert!(!is_kms_decrypt_all_keys(
            &doc(
                r#"{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/abc"}}"#
            ),
            "111122223333"
        ));
        assert!(grants_genai(&doc(
            r#"{"Statement":{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:us-east-1::foundation-model/x"}}"#
        )));
        assert!(grants_genai(&doc(
            r#"{"Statement":{"Effect":"Allow","Action":"SageMaker:Describe*","Resource":"*"}}"#
        )));
        assert!(!grants_genai(&doc(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#
        )));
    }
}

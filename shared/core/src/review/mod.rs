//! The periodic access review of SECAI3.8, pure: who may use generative AI (IAM users, groups,
//! roles and Bedrock API keys), through which policy statements, when each was last active, what
//! is flagged for the reviewer and what changed since the previous review. The reviewer's
//! sign-off is [`attest`]; the pages an auditor reads are [`render`].
//!
//! Built from the same IAM domain state and policy analysis the checks use; no SDK, no clock (the
//! review's time is given).

pub mod attest;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::policy::{
    ActionSet, Effect, PolicyDocument, Principal as PolicyPrincipal, Statement,
};
use crate::domain::resource::Readable;
use crate::domain::resources::iam::{GrantedPolicy, Role, User};
use crate::domain::time::Timestamp;

/// The IAM service namespaces whose actions count as generative-AI access.
pub const GENAI_NAMESPACES: &[&str] = &["bedrock", "bedrock-agentcore", "sagemaker"];

/// The AWS managed policies that grant every action of a GenAI service.
const FULL_ACCESS_POLICIES: &[&str] = &[
    "AmazonBedrockFullAccess",
    "AmazonSageMakerFullAccess",
    "BedrockAgentCoreFullAccess",
];

/// What kind of principal a review line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// An IAM user (its own and its groups' policies).
    User,
    /// An IAM group (what it grants its members).
    Group,
    /// An IAM role.
    Role,
    /// A Bedrock API key: an IAM service-specific credential for `bedrock.amazonaws.com`, acting
    /// with its user's permissions.
    BedrockApiKey,
    /// An IAM Identity Center permission set provisioned to the account (its assignments say
    /// which Identity Center users and groups may use it; it acts through an
    /// `AWSReservedSSO_<name>_...` role, which the review lists as a role).
    PermissionSet,
}

impl PrincipalKind {
    /// The kind in words, as the pages show it.
    pub fn label(self) -> &'static str {
        match self {
            PrincipalKind::User => "IAM user",
            PrincipalKind::Group => "IAM group",
            PrincipalKind::Role => "IAM role",
            PrincipalKind::BedrockApiKey => "Bedrock API key",
            PrincipalKind::PermissionSet => "Identity Center permission set",
        }
    }
}

/// One statement granting GenAI actions to a principal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    /// Where the statement is, e.g. `inline policy "invoke"` or `managed policy arn:...`.
    pub policy: String,
    /// The statement's Sid, or its position (`#2`) when it has none.
    pub statement: String,
    /// The action patterns of the statement that reach a GenAI service (`NotAction [...]` for a
    /// statement that grants all but some).
    pub actions: Vec<String>,
    /// A whole GenAI service (`bedrock:*`, `*`, a `NotAction`) or a full-access managed policy.
    pub broad: bool,
}

impl Grant {
    /// The grant in one line, as the change list and the CSV show it.
    pub fn line(&self) -> String {
        format!(
            "{} {}: {}",
            self.policy,
            self.statement,
            self.actions.join(", ")
        )
    }
}

/// When a principal last used one GenAI service, as IAM's service last accessed data says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUse {
    /// The service namespace, e.g. `bedrock`.
    pub namespace: String,
    /// When the principal last authenticated to it (RFC 3339); `None` when never in IAM's
    /// tracking period.
    pub last_authenticated: Option<String>,
}

/// The per-service last activity of a principal, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ServiceActivity {
    /// IAM's report was read.
    Read {
        /// The GenAI services of the report.
        services: Vec<ServiceUse>,
    },
    /// IAM is still generating the report (`GenerateServiceLastAccessedDetails` job id): it is
    /// collected by the next invocation.
    Pending {
        /// The job id.
        job_id: String,
    },
    /// The report could not be started or read.
    Unreadable {
        /// Why.
        reason: String,
    },
    /// Not asked for (a Bedrock API key has its user's).
    NotRead,
}

/// Why a principal needs the reviewer's decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// No GenAI activity (or no activity at all, where per-service data is missing) for more than
    /// the review's `unused_after_days`; `days` is `None` when it was never used.
    Unused {
        /// Days since the last activity, or since creation when never used.
        days: Option<i64>,
    },
    /// A grant of a whole GenAI service or a full-access managed policy.
    BroadGrant,
    /// A Bedrock API key that is active and has no expiry, or lives longer than allowed.
    LongTermApiKey,
    /// A role another account (or anyone) may assume.
    CrossAccountTrust,
    /// New since the previous review.
    Added,
    /// Its GenAI grants changed since the previous review.
    GrantsChanged,
    /// Part of its state could not be read, so the review cannot say it is clean.
    Unreadable,
}

impl Flag {
    /// The flag in words.
    pub fn label(&self) -> String {
        match self {
            Flag::Unused { days: Some(d) } => format!("unused for {d} days"),
            Flag::Unused { days: None } => "never used".into(),
            Flag::BroadGrant => "broad grant".into(),
            Flag::LongTermApiKey => "long-term API key".into(),
            Flag::CrossAccountTrust => "cross-account trust".into(),
            Flag::Added => "new since the last review".into(),
            Flag::GrantsChanged => "grants changed".into(),
            Flag::Unreadable => "state not fully readable".into(),
        }
    }

    /// How much the flag weighs in the riskiest-first order.
    fn weight(&self) -> u32 {
        match self {
            Flag::BroadGrant | Flag::LongTermApiKey | Flag::CrossAccountTrust => 3,
            Flag::Unused { .. } | Flag::Unreadable => 2,
            Flag::Added | Flag::GrantsChanged => 1,
        }
    }
}

/// One principal of the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewedPrincipal {
    /// Its kind.
    pub kind: PrincipalKind,
    /// Its ARN (a Bedrock API key: `<user arn>/bedrock-api-key/<credential id>`).
    pub arn: String,
    /// Its name (a key: its credential id).
    pub name: String,
    /// When it was created (RFC 3339), when known.
    pub created: Option<String>,
    /// The statements granting it GenAI actions (a key's: its user's).
    pub grants: Vec<Grant>,
    /// The most recent use IAM records for it at all (role last used, password or access key
    /// last used), RFC 3339; `None` when never or unknown (see `notes`).
    pub last_used: Option<String>,
    /// Its use of each GenAI service.
    pub services: ServiceActivity,
    /// Accounts other than the review's that its trust policy lets assume it (`*` for anyone).
    pub trusted_accounts: Vec<String>,
    /// For a permission set: the Identity Center users and groups it is assigned to here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<String>,
    /// What the reviewer is asked to decide on; empty when nothing is flagged.
    pub flags: Vec<Flag>,
    /// What could not be read, in words.
    pub notes: Vec<String>,
}

impl ReviewedPrincipal {
    /// The flags' weight: the riskiest principals come first.
    pub fn risk(&self) -> u32 {
        self.flags.iter().map(Flag::weight).sum()
    }

    /// The most recent GenAI activity, where the per-service data says it.
    pub fn last_genai_use(&self) -> Option<&str> {
        match &self.services {
            ServiceActivity::Read { services } => services
                .iter()
                .filter_map(|s| s.last_authenticated.as_deref())
                .max(),
            _ => None,
        }
    }
}

/// What changed since the previous review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// The previous review's id, when there is one.
    pub previous_review: Option<String>,
    /// Principals with GenAI access now that had none (or did not exist) then.
    pub added: Vec<String>,
    /// Principals that had GenAI access then and have none (or are gone) now.
    pub removed: Vec<String>,
    /// Grants that are new, as `<principal arn>: <grant line>`.
    pub grants_added: Vec<String>,
    /// Grants that are gone, as `<principal arn>: <grant line>`.
    pub grants_removed: Vec<String>,
}

/// A periodic access review of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The review id (`access-review-<account>-<yyyymmddThhmmssZ>`), what a sign-off names.
    pub id: String,
    /// The account reviewed.
    pub account: String,
    /// When it was built (RFC 3339).
    pub generated_at: String,
    /// Principals unused for more days than this are flagged.
    pub unused_after_days: u32,
    /// Bedrock API keys living longer than this are flagged.
    pub max_api_key_age_days: u32,
    /// Every principal with GenAI access, riskiest first.
    pub principals: Vec<ReviewedPrincipal>,
    /// What changed since the previous review.
    pub changes: Changes,
    /// Whether every principal's per-service activity was collected (no job pending).
    pub complete: bool,
    /// What the review could not read as a whole (e.g. IAM Identity Center), in words.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Review {
    /// The review id for `account` at `at`.
    pub fn id_for(account: &str, at: Timestamp) -> String {
        let compact: String = at
            .to_string()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(15)
            .collect();
        format!("access-review-{account}-{compact}Z")
    }

    /// The principals with at least one flag, riskiest first.
    pub fn flagged(&self) -> impl Iterator<Item = &ReviewedPrincipal> {
        self.principals.iter().filter(|p| !p.flags.is_empty())
    }

    /// The principal with `arn`.
    pub fn principal(&self, arn: &str) -> Option<&ReviewedPrincipal> {
        self.principals.iter().find(|p| p.arn == arn)
    }

    /// Counts for the summary: principals per kind, flagged, and per flag.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for p in &self.principals {
            *counts.entry(p.kind.label().to_owned()).or_insert(0) += 1;
            for f in &p.flags {
                let key = match f {
                    Flag::Unused { .. } => "unused".to_owned(),
                    other => other.label(),
                };
                *counts.entry(key).or_insert(0) += 1;
            }
        }
        counts.insert("flagged".into(), self.flagged().count());
        counts
    }

    /// The text summary filed with the review: counts, then the riskiest principals first.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "SECAI3.8 periodic access review {} of account {} ({}): {} principal(s) with generative-AI access, {} flagged for decision",
            self.id,
            self.account,
            self.generated_at,
            self.principals.len(),
            self.flagged().count(),
        );
        if !self.complete {
            text.push_str("; per-service last activity still being collected for some principals");
        }
        let c = &self.changes;
        text.push_str(&format!(
            ". Since the previous review ({}): {} added, {} removed, {} grant(s) added, {} removed.",
            c.previous_review.as_deref().unwrap_or("none"),
            c.added.len(),
            c.removed.len(),
            c.grants_added.len(),
            c.grants_removed.len()
        ));
        if !self.notes.is_empty() {
            text.push_str(&format!(" Not read: {}.", self.notes.join("; ")));
        }
        let riskiest: Vec<String> = self
            .flagged()
            .take(10)
            .map(|p| {
                let flags: Vec<String> = p.flags.iter().map(Flag::label).collect();
                format!("{} {} ({})", p.kind.label(), p.name, flags.join(", "))
            })
            .collect();
        if !riskiest.is_empty() {
            text.push_str(" Riskiest first: ");
            text.push_str(&riskiest.join("; "));
            text.push('.');
        }
        text
    }
}

/// A group as the review reads it: its policies (inline and the default version of each
/// attached managed policy).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupState {
    /// The group name.
    pub name: String,
    /// The group ARN.
    pub arn: String,
    /// When it was created, when known.
    pub created: Option<Timestamp>,
    /// Its policy documents.
    pub policies: Vec<GrantedPolicy>,
}

/// An IAM Identity Center permission set as the review reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionSetState {
    /// The permission set ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// When it was created, when known.
    pub created: Option<Timestamp>,
    /// Its policies: the inline policy and the managed policies' documents (an AWS managed
    /// policy's document is known when the account's authorization details carry it; a customer
    /// managed policy reference is read from the account's policy of that name and path).
    pub policies: Vec<GrantedPolicy>,
    /// Who it is assigned to in the account, e.g. `GROUP 9a67...` (the Identity Center principal
    /// type and id), or why the assignments could not be read.
    pub assignments: Readable<Vec<String>>,
}

/// A role with the trust policy the review reads for cross-account access.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleState {
    /// The role (policies, last used).
    pub role: Role,
    /// Its trust policy.
    pub trust: Readable<PolicyDocument>,
}

/// What a review is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewInput {
    /// The account.
    pub account: String,
    /// When (the review's clock).
    pub at: Timestamp,
    /// The roles.
    pub roles: Vec<RoleState>,
    /// The users (their own policies and their groups').
    pub users: Vec<User>,
    /// The groups.
    pub groups: Vec<GroupState>,
    /// The IAM Identity Center permission sets provisioned to the account, or why they could not
    /// be read (an account that is not the organization's Identity Center administrator cannot
    /// read them: the review says so rather than leaving them out silently).
    pub permission_sets: Readable<Vec<PermissionSetState>>,
    /// The per-service activity read so far, by principal ARN.
    pub activity: BTreeMap<String, ServiceActivity>,
    /// Unused for more days than this is flagged.
    pub unused_after_days: u32,
    /// A Bedrock API key living longer than this is flagged.
    pub max_api_key_age_days: u32,
}

/// The GenAI grants among `policies`, and what could not be read.
pub fn genai_grants(policies: &[GrantedPolicy]) -> (Vec<Grant>, Vec<String>) {
    let mut grants = Vec::new();
    let mut notes = Vec::new();
    for policy in policies {
        match &policy.document {
            Err(unreadable) => notes.push(format!(
                "{} could not be read: {}",
                policy.source, unreadable.reason
            )),
            Ok(document) => {
                let full = FULL_ACCESS_POLICIES
                    .iter()
                    .any(|name| policy.source.contains(&format!(":iam::aws:policy/{name}")));
                for (index, statement) in document.statements.iter().enumerate() {
                    if let Some((actions, whole)) = genai_actions(statement) {
                        grants.push(Grant {
                            policy: policy.source.clone(),
                            statement: statement
                                .sid
                                .clone()
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(|| format!("#{}", index + 1)),
                            actions,
                            broad: whole || full,
                        });
                    }
                }
            }
        }
    }
    grants.sort();
    grants.dedup();
    (grants, notes)
}

/// The GenAI action patterns an Allow statement grants, and whether it grants a whole service.
fn genai_actions(s: &Statement) -> Option<(Vec<String>, bool)> {
    if s.effect != Effect::Allow {
        return None;
    }
    match &s.action {
        ActionSet::Only(patterns) => {
            let reaching: Vec<String> = patterns
                .iter()
                .filter(|p| {
                    let service = p.split(':').next().unwrap_or_default();
                    p.as_str() == "*"
                        || GENAI_NAMESPACES
                            .iter()
                            .any(|g| crate::domain::policy::wildcard_match(service, g, true))
                })
                .cloned()
                .collect();
            if reaching.is_empty() {
                return None;
            }
            let whole = GENAI_NAMESPACES.iter().any(|g| s.covers_whole_service(g));
            Some((reaching, whole))
        }
        ActionSet::AllExcept(patterns) => {
            let excluded_all = |g: &str| {
                patterns
                    .iter()
                    .any(|p| p == "*" || p == "*:*" || p.eq_ignore_ascii_case(&format!("{g}:*")))
            };
            GENAI_NAMESPACES
                .iter()
                .any(|g| !excluded_all(g))
                .then(|| (vec![format!("NotAction [{}]", patterns.join(", "))], true))
        }
    }
}

/// The accounts other than `account` a trust policy lets assume the role (`*` for anyone).
pub fn trusted_accounts(trust: &PolicyDocument, account: &str) -> Vec<String> {
    let mut accounts = BTreeSet::new();
    for s in trust
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let Some(principal) = &s.principal else {
            continue;
        };
        if principal.is_everyone() {
            accounts.insert("*".to_owned());
            continue;
        }
        if let PolicyPrincipal::Typed(map) = principal {
            for id in map.get("AWS").into_iter().flatten() {
                let other = if id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()) {
                    id.clone()
                } else {
                    id.split(':').nth(4).unwrap_or_default().to_owned()
                };
                if !other.is_empty() && other != account {
                    accounts.insert(other);
                }
            }
        }
    }
    accounts.into_iter().collect()
}

fn days_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.epoch_seconds() - from.epoch_seconds()).div_euclid(86_400)
}

fn text(t: Option<Timestamp>) -> Option<String> {
    t.map(|t| t.to_string())
}

/// The unused flag for a principal whose last (GenAI) use is `last` (RFC 3339 text), created
/// `created`, at `at`; `None` when recent enough or when nothing is known to measure from.
fn unused_flag(
    last: Option<&str>,
    created: Option<Timestamp>,
    at: Timestamp,
    after_days: u32,
) -> Option<Flag> {
    let last = last.and_then(|t| Timestamp::parse(t).ok());
    match (last, created) {
        (Some(last), _) => {
            let days = days_between(last, at);
            (days > i64::from(after_days)).then_some(Flag::Unused { days: Some(days) })
        }
        (None, Some(created)) => (days_between(created, at) > i64::from(after_days))
            .then_some(Flag::Unused { days: None }),
        (None, None) => None,
    }
}

/// The principal's activity flags and notes from its general last use and per-service data.
fn activity_flags(p: &mut ReviewedPrincipal, created: Option<Timestamp>, input: &ReviewInput) {
    let measured_from = match &p.services {
        ServiceActivity::Read { .. } => p.last_genai_use().map(str::to_owned),
        ServiceActivity::Pending { job_id } => {
            p.notes.push(format!(
                "per-service last activity is still being generated by IAM (job {job_id}); the general last use is shown"
            ));
            p.last_used.clone()
        }
        ServiceActivity::Unreadable { reason } => {
            p.notes.push(format!(
                "per-service last activity could not be read: {reason}"
            ));
            p.last_used.clone()
        }
        ServiceActivity::NotRead => p.last_used.clone(),
    };
    if let Some(flag) = unused_flag(
        measured_from.as_deref(),
        created,
        input.at,
        input.unused_after_days,
    ) {
        p.flags.push(flag);
    }
}

fn principal(
    kind: PrincipalKind,
    arn: &str,
    name: &str,
    created: Option<Timestamp>,
    (grants, notes): (Vec<Grant>, Vec<String>),
    input: &ReviewInput,
) -> ReviewedPrincipal {
    ReviewedPrincipal {
        kind,
        arn: arn.to_owned(),
        name: name.to_owned(),
        created: text(created),
        grants,
        last_used: None,
        services: input
            .activity
            .get(arn)
            .cloned()
            .unwrap_or(ServiceActivity::NotRead),
        trusted_accounts: Vec::new(),
        assignments: Vec::new(),
        flags: Vec::new(),
        notes,
    }
}

fn role_line(state: &RoleState, input: &ReviewInput) -> Option<ReviewedPrincipal> {
    let role = &state.role;
    if role.is_service_linked() {
        return None;
    }
    let found = genai_grants(&role.policies);
    if found.0.is_empty() && found.1.is_empty() {
        return None;
    }
    let mut p = principal(
        PrincipalKind::Role,
        &role.arn,
        &role.name,
        role.created,
        found,
        input,
    );
    match &role.last_used {
        Ok(last) => p.last_used = text(*last),
        Err(u) => p
            .notes
            .push(format!("role last used could not be read: {}", u.reason)),
    }
    match &state.trust {
        Ok(trust) => p.trusted_accounts = trusted_accounts(trust, &input.account),
        Err(u) => p
            .notes
            .push(format!("trust policy could not be read: {}", u.reason)),
    }
    if !p.trusted_accounts.is_empty() {
        p.flags.push(Flag::CrossAccountTrust);
    }
    activity_flags(&mut p, role.created, input);
    Some(p)
}

/// The user's line and its Bedrock API keys' lines.
fn user_lines(user: &User, input: &ReviewInput) -> Vec<ReviewedPrincipal> {
    let found = genai_grants(&user.policies);
    let keys: Vec<_> = match &user.bedrock_api_keys {
        Ok(keys) => keys.iter().filter(|k| k.active).collect(),
        Err(_) => Vec::new(),
    };
    let keys_unreadable = user.bedrock_api_keys.as_ref().err();
    if found.0.is_empty() && found.1.is_empty() && keys.is_empty() && keys_unreadable.is_none() {
        return Vec::new();
    }
    let mut p = principal(
        PrincipalKind::User,
        &user.arn,
        &user.name,
        user.created,
        found,
        input,
    );
    if let Some(u) = keys_unreadable {
        p.notes
            .push(format!("Bedrock API keys could not be read: {}", u.reason));
    }
    let mut uses = Vec::new();
    match &user.password {
        Ok(Some(password)) => uses.extend(password.last_used),
        Ok(None) => {}
        Err(u) => p
            .notes
            .push(format!("password use could not be read: {}", u.reason)),
    }
    match &user.access_keys {
        Ok(access_keys) => {
            for key in access_keys {
                match &key.last_used {
                    Ok(last) => uses.extend(*last),
                    Err(u) => p.notes.push(format!(
                        "access key {} last use could not be read: {}",
                        key.id, u.reason
                    )),
                }
            }
        }
        Err(u) => p
            .notes
            .push(format!("access keys could not be read: {}", u.reason)),
    }
    p.last_used = text(uses.into_iter().max());
    activity_flags(&mut p, user.created, input);
    let mut lines = Vec::new();
    for key in keys {
        let mut k = principal(
            PrincipalKind::BedrockApiKey,
            &format!("{}/bedrock-api-key/{}", user.arn, key.id),
            &key.id,
            key.created,
            (p.grants.clone(), Vec::new()),
            input,
        );
        let lifetime = match (key.created, key.expires) {
            (_, None) => None,
            (Some(created), Some(expires)) => Some(days_between(created, expires)),
            (None, Some(expires)) => Some(days_between(input.at, expires)),
        };
        if lifetime.is_none_or(|days| days > i64::from(input.max_api_key_age_days)) {
            k.flags.push(Flag::LongTermApiKey);
        }
        k.notes.push(match key.expires {
            Some(expires) => format!("acts as user {}; expires {expires}", user.name),
            None => format!("acts as user {}; never expires", user.name),
        });
        lines.push(k);
    }
    lines.insert(0, p);
    lines
}

fn permission_set_line(set: &PermissionSetState, input: &ReviewInput) -> Option<ReviewedPrincipal> {
    let found = genai_grants(&set.policies);
    if found.0.is_empty() && found.1.is_empty() {
        return None;
    }
    let mut p = principal(
        PrincipalKind::PermissionSet,
        &set.arn,
        &set.name,
        set.created,
        found,
        input,
    );
    match &set.assignments {
        Ok(assignments) if assignments.is_empty() => p
            .notes
            .push("assigned to no Identity Center user or group in this account".into()),
        Ok(assignments) => p.assignments = assignments.clone(),
        Err(u) => p
            .notes
            .push(format!("its assignments could not be read: {}", u.reason)),
    }
    Some(p)
}

fn group_line(group: &GroupState, input: &ReviewInput) -> Option<ReviewedPrincipal> {
    let found = genai_grants(&group.policies);
    if found.0.is_empty() && found.1.is_empty() {
        return None;
    }
    Some(principal(
        PrincipalKind::Group,
        &group.arn,
        &group.name,
        group.created,
        found,
        input,
    ))
}

/// Builds the review of `input`, with what changed since `previous`.
pub fn build(input: &ReviewInput, previous: Option<&Review>) -> Review {
    let mut principals: Vec<ReviewedPrincipal> = Vec::new();
    principals.extend(input.roles.iter().filter_map(|r| role_line(r, input)));
    principals.extend(input.users.iter().flat_map(|u| user_lines(u, input)));
    principals.extend(input.groups.iter().filter_map(|g| group_line(g, input)));
    let mut notes = Vec::new();
    match &input.permission_sets {
        Ok(sets) => principals.extend(sets.iter().filter_map(|s| permission_set_line(s, input))),
        Err(u) => notes.push(format!(
            "IAM Identity Center permission sets could not be read: {}",
            u.reason
        )),
    }
    for p in &mut principals {
        if p.grants.iter().any(|g| g.broad) {
            p.flags.push(Flag::BroadGrant);
        }
        if !p.notes.is_empty() && p.kind != PrincipalKind::BedrockApiKey {
            p.flags.push(Flag::Unreadable);
        }
    }
    let changes = changes(&mut principals, previous);
    for p in &mut principals {
        p.flags.sort();
        p.flags.dedup();
    }
    principals.sort_by(|a, b| {
        b.risk()
            .cmp(&a.risk())
            .then(a.kind.cmp(&b.kind))
            .then(a.arn.cmp(&b.arn))
    });
    let complete = !principals
        .iter()
        .any(|p| matches!(p.services, ServiceActivity::Pending { .. }));
    Review {
        id: Review::id_for(&input.account, input.at),
        account: input.account.clone(),
        generated_at: input.at.to_string(),
        unused_after_days: input.unused_after_days,
        max_api_key_age_days: input.max_api_key_age_days,
        principals,
        changes,
        complete,
        notes,
    }
}

/// What changed since `previous`, flagging the added and changed principals.
fn changes(principals: &mut [ReviewedPrincipal], previous: Option<&Review>) -> Changes {
    let Some(previous) = previous else {
        return Changes::default();
    };
    let before: BTreeMap<&str, &ReviewedPrincipal> = previous
        .principals
        .iter()
        .map(|p| (p.arn.as_str(), p))
        .collect();
    let now: BTreeSet<String> = principals.iter().map(|p| p.arn.clone()).collect();
    let mut changes = Changes {
        previous_review: Some(previous.id.clone()),
        ..Changes::default()
    };
    for p in principals.iter_mut() {
        let Some(was) = before.get(p.arn.as_str()) else {
            changes.added.push(p.arn.clone());
            p.flags.push(Flag::Added);
            continue;
        };
        let then: BTreeSet<String> = was.grants.iter().map(Grant::line).collect();
        let current: BTreeSet<String> = p.grants.iter().map(Grant::line).collect();
        let added: Vec<&String> = current.difference(&then).collect();
        let removed: Vec<&String> = then.difference(&current).collect();
        if !added.is_empty() || !removed.is_empty() {
            p.flags.push(Flag::GrantsChanged);
        }
        changes
            .grants_added
            .extend(added.into_iter().map(|g| format!("{}: {g}", p.arn)));
        changes
            .grants_removed
            .extend(removed.into_iter().map(|g| format!("{}: {g}", p.arn)));
    }
    changes.removed = before
        .keys()
        .filter(|arn| !now.contains(**arn))
        .map(|arn| (*arn).to_owned())
        .collect();
    changes
}

#[cfg(test)]
mod tests;

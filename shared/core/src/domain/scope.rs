//! What is a GenAI resource: the buckets, keys, roles and log groups Bedrock and SageMaker
//! resources point at (each with the reason an auditor can follow), the principals whose policies
//! grant GenAI actions, and the opt-in / opt-out tag. Pure: collectors supply the links and tags.
//!
//! - A collector describes each GenAI resource once and records what it references as [`Link`]s
//!   (built with [`Links`]): `bucket "ml-out": output of SageMaker training job "churn-2026"`.
//! - The sweep gathers every link into a [`ScopeMap`], applies the tag found on each resource
//!   ([`ScopeMap::apply_tag`]) and asks [`ScopeMap::decide`] (or [`ScopeMap::decide_arn`]) whether a
//!   resource is in scope, and why.
//! - [`genai_grants`] says why an IAM principal is in scope: the policies that allow it GenAI
//!   actions.

use std::collections::BTreeMap;
use std::fmt;

use crate::domain::policy::{ActionSet, Effect, ResourceSet, Statement, wildcard_match};
use crate::domain::resource::ResourceType;
use crate::domain::resources::iam::GrantedPolicy;

/// A resource that a GenAI resource points at, identified the way references name it.
///
/// Forms are normalised so that the same resource compares equal however it was referenced:
/// a bucket by its name (from `s3://` URIs and bucket ARNs), a KMS key by its key id (from a key
/// ARN; aliases are kept as given since only KMS can resolve them), a role by its ARN without
/// the path (a role name is unique in its account, and references may or may not carry the
/// path), a log group by its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// An S3 bucket, by name.
    Bucket(String),
    /// A KMS key: its key id, or an alias name or alias ARN as referenced.
    Key(String),
    /// An IAM role, by ARN without its path: `arn:<partition>:iam::<account>:role/<name>`.
    Role(String),
    /// A CloudWatch Logs log group, by name.
    LogGroup(String),
}

impl Target {
    /// The bucket of a plain bucket name, an `s3://bucket/prefix` URI or a bucket or object ARN
    /// (`arn:aws:s3:::bucket[/key]`); `None` when blank or any other form.
    pub fn bucket(reference: &str) -> Option<Self> {
        let reference = reference.trim();
        if reference.contains("://") || reference.starts_with("arn:") {
            return Self::bucket_from_uri(reference);
        }
        non_empty(reference)
            .filter(|name| !name.contains('/'))
            .map(|name| Target::Bucket(name.to_owned()))
    }

    /// The bucket of an `s3://bucket/prefix…` URI, or of a bucket or object ARN
    /// (`arn:<partition>:s3:::bucket[/key]`); `None` for anything else (other schemes, ARNs of
    /// other services, a blank bucket).
    pub fn bucket_from_uri(uri: &str) -> Option<Self> {
        let uri = uri.trim();
        let rest = if let Some(rest) = strip_prefix_ignore_case(uri, "s3://") {
            rest
        } else {
            let arn = Arn::parse(uri)?;
            if arn.service != "s3" || !arn.region.is_empty() || !arn.account.is_empty() {
                return None;
            }
            arn.resource
        };
        let bucket = rest.split('/').next().unwrap_or_default();
        non_empty(bucket).map(|b| Target::Bucket(b.to_owned()))
    }

    /// A KMS key as referenced: a key ARN becomes its key id; a key id, an alias name
    /// (`alias/x`) or an alias ARN is kept as given. `None` when blank.
    pub fn key(reference: &str) -> Option<Self> {
        let reference = non_empty(reference.trim())?;
        if let Some(arn) = Arn::parse(reference)
            && arn.service == "kms"
            && let Some(id) = arn.resource.strip_prefix("key/")
        {
            return non_empty(id).map(|id| Target::Key(id.to_owned()));
        }
        Some(Target::Key(reference.to_owned()))
    }

    /// A role from its ARN, without the role's path; `None` for anything that is not an IAM role
    /// ARN.
    pub fn role(arn: &str) -> Option<Self> {
        let parsed = Arn::parse(arn.trim())?;
        if parsed.service != "iam" {
            return None;
        }
        let path_and_name = parsed.resource.strip_prefix("role/")?;
        let name = non_empty(path_and_name.rsplit('/').next().unwrap_or_default())?;
        Some(Target::Role(format!(
            "arn:{}:iam::{}:role/{name}",
            parsed.partition, parsed.account
        )))
    }

    /// A log group from its name or its ARN (`arn:…:logs:…:log-group:name[:*]`); `None` when
    /// blank.
    pub fn log_group(reference: &str) -> Option<Self> {
        let reference = reference.trim();
        if let Some(arn) = Arn::parse(reference) {
            if arn.service != "logs" {
                return None;
            }
            let name = arn.resource.strip_prefix("log-group:")?;
            let name = name.strip_suffix(":*").unwrap_or(name);
            return non_empty(name).map(|n| Target::LogGroup(n.to_owned()));
        }
        non_empty(reference).map(|n| Target::LogGroup(n.to_owned()))
    }

    /// The target an ARN names, when it is a bucket, a KMS key or alias, an IAM role or a log
    /// group; `None` for any other ARN (a SageMaker or Bedrock resource, an S3 object, ...).
    pub fn from_arn(arn: &str) -> Option<Self> {
        let parsed = Arn::parse(arn.trim())?;
        match parsed.service {
            "s3" if !parsed.resource.contains('/') => Self::bucket_from_uri(arn),
            "kms"
                if parsed.resource.starts_with("key/") || parsed.resource.starts_with("alias/") =>
            {
                Self::key(arn)
            }
            "iam" if parsed.resource.starts_with("role/") => Self::role(arn),
            "logs" if parsed.resource.starts_with("log-group:") => Self::log_group(arn),
            _ => None,
        }
    }

    /// The identifier inside the target: bucket name, key reference, role ARN or log group name.
    pub fn id(&self) -> &str {
        match self {
            Target::Bucket(s) | Target::Key(s) | Target::Role(s) | Target::LogGroup(s) => s,
        }
    }

    /// The type of the resource the target names.
    pub fn resource_type(&self) -> ResourceType {
        match self {
            Target::Bucket(_) => ResourceType::S3Bucket,
            Target::Key(_) => ResourceType::KmsKey,
            Target::Role(_) => ResourceType::IamRole,
            Target::LogGroup(_) => ResourceType::LogsLogGroup,
        }
    }

    /// The target of type `resource_type` named `id` (as [`Target::id`] gives it); `None` for a
    /// type links never name.
    pub fn of(resource_type: ResourceType, id: &str) -> Option<Self> {
        let id = id.to_owned();
        Some(match resource_type {
            ResourceType::S3Bucket => Target::Bucket(id),
            ResourceType::KmsKey => Target::Key(id),
            ResourceType::IamRole => Target::Role(id),
            ResourceType::LogsLogGroup => Target::LogGroup(id),
            _ => return None,
        })
    }
}

impl fmt::Display for Target {
    /// How a reason names the target: `bucket "b"`, `KMS key 1234…`, `role arn:…`,
    /// `log group "g"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Bucket(name) => write!(f, "bucket {name:?}"),
            Target::Key(key) => write!(f, "KMS key {key}"),
            Target::Role(arn) => write!(f, "role {arn}"),
            Target::LogGroup(name) => write!(f, "log group {name:?}"),
        }
    }
}

/// A reference from a GenAI resource to a target, and the reason it puts the target in scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Link {
    /// What is referenced.
    pub target: Target,
    /// Why it is in scope, worded for an auditor and naming both ends, e.g.
    /// `bucket "ml-out": output of SageMaker training job "churn-2026"`.
    pub reason: String,
}

impl Link {
    /// A link whose reason is `<target>: <relation>`, e.g. relation `output of SageMaker training
    /// job "churn-2026"`.
    pub fn new(target: Target, relation: impl fmt::Display) -> Self {
        let reason = format!("{target}: {relation}");
        Self { target, reason }
    }
}

/// Builds the links of one referencing resource; each helper skips an absent or blank reference.
///
/// ```
/// # use genai_evidence::domain::scope::Links;
/// let mut links = Links::new("SageMaker training job \"churn-2026\"");
/// links.bucket(Some("s3://ml-out/models/"), "output");
/// assert_eq!(links.into_vec()[0].reason, "bucket \"ml-out\": output of SageMaker training job \"churn-2026\"");
/// ```
#[derive(Debug, Clone)]
pub struct Links {
    owner: String,
    links: Vec<Link>,
}

impl Links {
    /// Links from `owner`, described as a reason names it: `SageMaker notebook instance "nb-1"`.
    pub fn new(owner: impl Into<String>) -> Self {
        Self {
            owner: owner.into(),
            links: Vec::new(),
        }
    }

    fn push(&mut self, target: Option<Target>, relation: &str) -> &mut Self {
        if let Some(target) = target {
            let link = Link::new(target, format_args!("{relation} of {}", self.owner));
            if !self.links.contains(&link) {
                self.links.push(link);
            }
        }
        self
    }

    /// A bucket named by an `s3://` URI, a bucket ARN or a plain bucket name.
    pub fn bucket(&mut self, reference: Option<&str>, relation: &str) -> &mut Self {
        self.push(reference.and_then(Target::bucket), relation)
    }

    /// A KMS key named by key id, key ARN, alias name or alias ARN.
    pub fn key(&mut self, reference: Option<&str>, relation: &str) -> &mut Self {
        self.push(reference.and_then(Target::key), relation)
    }

    /// A role named by its ARN.
    pub fn role(&mut self, arn: Option<&str>, relation: &str) -> &mut Self {
        self.push(arn.and_then(Target::role), relation)
    }

    /// A log group named by its name or ARN.
    pub fn log_group(&mut self, reference: Option<&str>, relation: &str) -> &mut Self {
        self.push(reference.and_then(Target::log_group), relation)
    }

    /// The links, in the order they were added, without duplicates.
    pub fn into_vec(self) -> Vec<Link> {
        self.links
    }
}

/// What the scope tag on a resource asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagDecision {
    /// `include` or `true`: in scope, whether or not anything references it.
    Include,
    /// `exclude` or `false`: out of scope, even when a GenAI resource references it.
    Exclude,
}

impl TagDecision {
    /// The decision a tag value asks for (`include`/`true`, `exclude`/`false`, in any case,
    /// surrounding blanks ignored); `None` for any other value.
    pub fn from_value(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "include" | "true" => Some(TagDecision::Include),
            "exclude" | "false" => Some(TagDecision::Exclude),
            _ => None,
        }
    }
}

/// Why a resource is in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InScope {
    /// Every reason, in this order: the caller's own (e.g. "a SageMaker notebook instance"), the
    /// links to it, then the include tag. Never empty.
    pub reasons: Vec<String>,
}

/// The scope decision for one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// In scope, with the reasons.
    In(InScope),
    /// Tagged out: out of scope even though `overridden` would have put it in.
    Excluded {
        /// The tag, e.g. `tagged genai-evidence=exclude`.
        reason: String,
        /// The reasons the tag overrides (empty when nothing else put the resource in scope).
        overridden: Vec<String>,
    },
    /// Neither referenced by a GenAI resource nor tagged in: not a GenAI resource.
    Out,
}

impl Decision {
    /// The reasons, when in scope.
    pub fn in_scope(self) -> Option<InScope> {
        match self {
            Decision::In(in_scope) => Some(in_scope),
            Decision::Excluded { .. } | Decision::Out => None,
        }
    }

    /// Whether the resource is in scope.
    pub fn is_in(&self) -> bool {
        matches!(self, Decision::In(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Tagged {
    decision: TagDecision,
    reason: String,
}

/// Every link found in a region or account, plus the scope tag of each tagged resource.
///
/// Reasons are kept per target in the order they were inserted, without duplicates; targets
/// iterate in a stable (sorted) order.
#[derive(Debug, Clone, Default)]
pub struct ScopeMap {
    tag_key: String,
    links: BTreeMap<Target, Vec<String>>,
    target_tags: BTreeMap<Target, Tagged>,
    arn_tags: BTreeMap<String, Tagged>,
}

impl ScopeMap {
    /// An empty map whose tag decisions quote `tag_key` (e.g. `genai-evidence`).
    pub fn new(tag_key: impl Into<String>) -> Self {
        Self {
            tag_key: tag_key.into(),
            ..Self::default()
        }
    }

    /// The scope tag key.
    pub fn tag_key(&self) -> &str {
        &self.tag_key
    }

    /// Records a link (a reason already recorded for its target is not repeated).
    pub fn insert(&mut self, link: Link) {
        let reasons = self.links.entry(link.target).or_default();
        if !reasons.contains(&link.reason) {
            reasons.push(link.reason);
        }
    }

    /// The reasons links give for `target`, in insertion order (empty when none).
    pub fn reasons(&self, target: &Target) -> &[String] {
        self.links
            .get(target)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Whether any link references `target` (tags aside: see [`ScopeMap::decide`]).
    pub fn contains(&self, target: &Target) -> bool {
        self.links.contains_key(target)
    }

    /// Every linked target with its reasons, in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = (&Target, &[String])> {
        self.links.iter().map(|(t, r)| (t, r.as_slice()))
    }

    /// Records the scope tag `value` found on the resource `arn` (from the tagging API, or a
    /// role's or user's own tags). Bucket, key, role and log group ARNs apply to that target
    /// however it is referenced (a key ARN to its key id); any other ARN applies to that exact
    /// ARN. Returns the decision, or `None` (and records nothing) for a value that is neither
    /// include/true nor exclude/false. A later tag on the same resource replaces an earlier one.
    pub fn apply_tag(&mut self, arn: &str, value: &str) -> Option<TagDecision> {
        let decision = TagDecision::from_value(value)?;
        let tagged = Tagged {
            decision,
            reason: format!("tagged {}={}", self.tag_key, value.trim()),
        };
        match Target::from_arn(arn) {
            Some(target) => {
                self.target_tags.insert(target, tagged);
            }
            None => {
                self.arn_tags.insert(arn.trim().to_owned(), tagged);
            }
        }
        Some(decision)
    }

    /// Whether `target` is in scope: tagged exclude → [`Decision::Excluded`] (whatever links
    /// it); otherwise in scope with the links' reasons and the include tag, if any; otherwise
    /// [`Decision::Out`].
    pub fn decide(&self, target: &Target) -> Decision {
        decision(
            Vec::new(),
            self.reasons(target),
            self.target_tags.get(target),
        )
    }

    /// Whether the resource `arn` is in scope, given `own` reasons it has by its nature (e.g.
    /// `a SageMaker notebook instance`, or the grants [`genai_grants`] found on a principal;
    /// empty for none). A bucket, key, role or log group ARN is decided as its [`Target`] with
    /// `own` reasons first; any other ARN by `own` and its tag. An exclude tag wins over
    /// everything.
    pub fn decide_arn(&self, arn: &str, own: &[String]) -> Decision {
        match Target::from_arn(arn) {
            Some(target) => decision(
                own.to_vec(),
                self.reasons(&target),
                self.target_tags.get(&target),
            ),
            None => decision(own.to_vec(), &[], self.arn_tags.get(arn.trim())),
        }
    }

    /// Every target in scope, in sorted order: linked or tagged include, and not tagged exclude.
    /// This is the list of buckets, keys, roles and log groups the sweep reads.
    pub fn in_scope(&self) -> Vec<(Target, InScope)> {
        let mut targets: Vec<&Target> = self.links.keys().collect();
        targets.extend(
            self.target_tags
                .iter()
                .filter(|(t, tag)| {
                    tag.decision == TagDecision::Include && !self.links.contains_key(t)
                })
                .map(|(t, _)| t),
        );
        targets.sort();
        targets
            .into_iter()
            .filter_map(|t| Some((t.clone(), self.decide(t).in_scope()?)))
            .collect()
    }
}

fn decision(mut reasons: Vec<String>, linked: &[String], tag: Option<&Tagged>) -> Decision {
    for reason in linked {
        if !reasons.contains(reason) {
            reasons.push(reason.clone());
        }
    }
    match tag {
        Some(Tagged {
            decision: TagDecision::Exclude,
            reason,
        }) => Decision::Excluded {
            reason: reason.clone(),
            overridden: reasons,
        },
        Some(Tagged {
            decision: TagDecision::Include,
            reason,
        }) => {
            reasons.push(reason.clone());
            Decision::In(InScope { reasons })
        }
        None if reasons.is_empty() => Decision::Out,
        None => Decision::In(InScope { reasons }),
    }
}

/// The IAM service prefixes whose actions are GenAI actions.
pub const GENAI_SERVICES: &[&str] = &[
    "bedrock",
    "bedrock-agentcore",
    "sagemaker",
    "sagemaker-geospatial",
    "sagemaker-mlflow",
];

/// The partitions whose ARNs a statement's `Resource` is matched against.
const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov"];

/// Why an IAM principal with these policies is in scope: one reason per policy with an `Allow`
/// statement that grants GenAI actions ([`GENAI_SERVICES`]), e.g.
/// `grants bedrock:InvokeModel via inline policy "p"`. Empty when none does.
///
/// A statement grants GenAI actions when one of its `Action` patterns can match a GenAI action
/// (`bedrock:InvokeModel`, `sagemaker:*`, `bedrock*`, `*`, ...), or its `NotAction` leaves some
/// GenAI service not wholly excluded, and its `Resource` can match a GenAI resource ARN or `*`
/// (a `NotResource` always can). Conditions are not evaluated: an allow that applies under some
/// condition still grants. Policies whose document could not be read give no reason (the IAM
/// checks report them as could-not-evaluate).
pub fn genai_grants(policies: &[GrantedPolicy]) -> Vec<String> {
    let mut reasons = Vec::new();
    for policy in policies {
        let Ok(document) = &policy.document else {
            continue;
        };
        let mut actions: Vec<&str> = Vec::new();
        let mut not_actions: Vec<String> = Vec::new();
        for statement in document
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && resources_may_be_genai(s))
        {
            match &statement.action {
                ActionSet::Only(patterns) => {
                    for pattern in patterns.iter().filter(|p| pattern_may_be_genai(p)) {
                        if !actions.contains(&pattern.as_str()) {
                            actions.push(pattern);
                        }
                    }
                }
                ActionSet::AllExcept(excluded) => {
                    let services: Vec<&str> = GENAI_SERVICES
                        .iter()
                        .copied()
                        .filter(|svc| !excluded.iter().any(|p| covers_whole_service(p, svc)))
                        .collect();
                    if !services.is_empty() {
                        not_actions.push(format!(
                            "every action except {} (NotAction), {} actions among them",
                            excluded.join(", "),
                            services.join(", ")
                        ));
                    }
                }
            }
        }
        if actions.iter().any(|a| a.trim() == "*") {
            reasons.push(format!("grants every action (*) via {}", policy.source));
        } else if !actions.is_empty() {
            reasons.push(format!(
                "grants {} via {}",
                actions.join(", "),
                policy.source
            ));
        }
        for not_action in not_actions {
            let reason = format!("grants {not_action} via {}", policy.source);
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
    }
    reasons
}

/// Whether an action pattern can match some action of a GenAI service.
fn pattern_may_be_genai(pattern: &str) -> bool {
    let pattern = pattern.trim();
    GENAI_SERVICES
        .iter()
        .any(|svc| may_start_with(pattern, &format!("{svc}:"), true))
}

/// Whether a `NotAction` pattern excludes every action of `service`: it is `<p>*` where `<p>`
/// matches a prefix of `service:` (`*`, `bedrock:*`, `bed*`, `*:*`).
fn covers_whole_service(pattern: &str, service: &str) -> bool {
    let Some(head) = pattern.trim().strip_suffix('*') else {
        return false;
    };
    let full = format!("{service}:");
    (0..=full.len()).any(|end| wildcard_match(head, &full[..end], true))
}

/// Whether the statement's resources can include a GenAI resource.
fn resources_may_be_genai(statement: &Statement) -> bool {
    match &statement.resource {
        ResourceSet::AllExcept(_) => true,
        ResourceSet::Only(patterns) => patterns.iter().any(|p| {
            let p = p.trim();
            p == "*"
                || GENAI_SERVICES.iter().any(|svc| {
                    PARTITIONS.iter().any(|partition| {
                        may_start_with(p, &format!("arn:{partition}:{svc}:"), false)
                    })
                })
        }),
    }
}

/// Whether some string that starts with `prefix` matches the IAM wildcard `pattern`: some head
/// of the pattern matches the whole prefix (whatever follows can then match the rest).
fn may_start_with(pattern: &str, prefix: &str, case_insensitive: bool) -> bool {
    pattern
        .char_indices()
        .map(|(i, _)| i)
        .chain([pattern.len()])
        .any(|end| wildcard_match(&pattern[..end], prefix, case_insensitive))
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The six fields of an ARN (the resource keeps its own colons).
struct Arn<'a> {
    partition: &'a str,
    service: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

impl<'a> Arn<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        (!arn.partition.is_empty() && !arn.service.is_empty()).then_some(arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::PolicyDocument;
    use crate::domain::resource::Unreadable;

    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const KEY_ARN: &str =
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn bucket(name: &str) -> Target {
        Target::Bucket(name.into())
    }

    #[test]
    fn buckets_are_named_the_same_from_uris_arns_and_names() {
        for reference in [
            "s3://ml-out/models/churn/",
            "s3://ml-out",
            "S3://ml-out/x",
            "arn:aws:s3:::ml-out",
            "arn:aws:s3:::ml-out/models/*",
            "arn:aws-cn:s3:::ml-out",
            " ml-out ",
        ] {
            assert_eq!(
                Target::bucket(reference),
                Some(bucket("ml-out")),
                "{reference}"
            );
        }
        assert_eq!(
            Target::bucket_from_uri("s3://ml-out/a/b"),
            Some(bucket("ml-out"))
        );
        for not_a_bucket in [
            "",
            "s3://",
            "s3:///key",
            "https://ml-out.s3.amazonaws.com/x",
            "arn:aws:kms:us-east-1:123456789012:key/x",
            "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
        ] {
            assert_eq!(
                Target::bucket_from_uri(not_a_bucket),
                None,
                "{not_a_bucket}"
            );
        }
        assert_eq!(Target::bucket("  "), None);
        assert_eq!(Target::bucket("https://ml-out.s3.amazonaws.com/x"), None);
        assert_eq!(Target::bucket("ml-out/prefix"), None);
    }

    #[test]
    fn key_arns_become_key_ids_and_aliases_stay_as_given() {
        assert_eq!(Target::key(KEY_ARN), Some(Target::Key(KEY_ID.into())));
        assert_eq!(Target::key(KEY_ID), Some(Target::Key(KEY_ID.into())));
        assert_eq!(
            Target::key("alias/genai"),
            Some(Target::Key("alias/genai".into()))
        );
        let alias_arn = "arn:aws:kms:us-east-1:123456789012:alias/genai";
        assert_eq!(Target::key(alias_arn), Some(Target::Key(alias_arn.into())));
        assert_eq!(Target::key(" "), None);
        assert_eq!(Target::from_arn(KEY_ARN), Target::key(KEY_ID));
    }

    #[test]
    fn roles_are_named_by_arn_without_path() {
        let plain = "arn:aws:iam::123456789012:role/sm-exec";
        assert_eq!(Target::role(plain), Some(Target::Role(plain.into())));
        assert_eq!(
            Target::role("arn:aws:iam::123456789012:role/service-role/sm-exec"),
            Some(Target::Role(plain.into()))
        );
        assert_eq!(Target::role("arn:aws:iam::123456789012:user/alice"), None);
        assert_eq!(Target::role("sm-exec"), None);
        assert_eq!(Target::from_arn(plain), Target::role(plain));
    }

    #[test]
    fn log_groups_are_named_from_names_and_arns() {
        let name = "/aws/bedrock/invocations";
        for reference in [
            name,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/bedrock/invocations",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/bedrock/invocations:*",
        ] {
            assert_eq!(
                Target::log_group(reference),
                Some(Target::LogGroup(name.into())),
                "{reference}"
            );
        }
        assert_eq!(
            Target::from_arn("arn:aws:logs:us-east-1:123456789012:log-group:g:*"),
            Some(Target::LogGroup("g".into()))
        );
    }

    #[test]
    fn arns_of_other_resources_name_no_target() {
        for arn in [
            "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb-1",
            "arn:aws:s3:::bucket/object",
            "arn:aws:iam::123456789012:user/alice",
            "not-an-arn",
        ] {
            assert_eq!(Target::from_arn(arn), None, "{arn}");
        }
    }

    #[test]
    fn reasons_name_the_target_the_relation_and_the_owner() {
        let mut links = Links::new("SageMaker training job \"churn-2026\"");
        links
            .bucket(Some("s3://ml-out/models/"), "output")
            .bucket(Some("s3://ml-out/models/"), "output")
            .bucket(None, "checkpoints")
            .bucket(Some(""), "checkpoints")
            .key(Some(KEY_ARN), "volume key")
            .role(
                Some("arn:aws:iam::123456789012:role/sm-exec"),
                "execution role",
            );
        let reasons: Vec<String> = links.into_vec().into_iter().map(|l| l.reason).collect();
        assert_eq!(
            reasons,
            [
                "bucket \"ml-out\": output of SageMaker training job \"churn-2026\"",
                "KMS key 1234abcd-12ab-34cd-56ef-1234567890ab: volume key of SageMaker training job \"churn-2026\"",
                "role arn:aws:iam::123456789012:role/sm-exec: execution role of SageMaker training job \"churn-2026\"",
            ]
        );
    }

    fn map_with(links: &[(Target, &str)]) -> ScopeMap {
        let mut map = ScopeMap::new("genai-evidence");
        for (target, relation) in links {
            map.insert(Link::new(target.clone(), relation));
        }
        map
    }

    #[test]
    fn the_map_keeps_every_reason_once_in_insertion_order() {
        let map = map_with(&[
            (bucket("b"), "output of job \"2\""),
            (bucket("b"), "input of job \"1\""),
            (bucket("b"), "output of job \"2\""),
            (bucket("a"), "input of job \"1\""),
        ]);
        assert_eq!(
            map.reasons(&bucket("b")),
            [
                "bucket \"b\": output of job \"2\"",
                "bucket \"b\": input of job \"1\""
            ]
        );
        assert!(map.contains(&bucket("a")));
        assert!(!map.contains(&bucket("c")));
        assert!(map.reasons(&bucket("c")).is_empty());
        let order: Vec<&Target> = map.iter().map(|(t, _)| t).collect();
        assert_eq!(order, [&bucket("a"), &bucket("b")]);
    }

    #[test]
    fn a_key_referenced_by_arn_is_found_by_key_id_and_by_arn() {
        let mut map = ScopeMap::new("genai-evidence");
        let mut links = Links::new("SageMaker notebook instance \"nb-1\"");
        links.key(Some(KEY_ARN), "volume key");
        links.into_vec().into_iter().for_each(|l| map.insert(l));
        let id = Target::key(KEY_ID).unwrap();
        assert_eq!(
            map.reasons(&id),
            [
                "KMS key 1234abcd-12ab-34cd-56ef-1234567890ab: volume key of SageMaker notebook instance \"nb-1\""
            ]
        );
        assert!(map.decide_arn(KEY_ARN, &[]).is_in());
        assert!(map.decide(&id).is_in());
    }

    #[test]
    fn unreferenced_untagged_resources_are_out_of_scope() {
        let map = map_with(&[(bucket("b"), "output of x")]);
        assert_eq!(map.decide(&bucket("other")), Decision::Out);
        assert_eq!(
            map.decide_arn(
                "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
                &[]
            ),
            Decision::Out
        );
    }

    #[test]
    fn an_include_tag_puts_an_unreferenced_resource_in_scope_with_the_tag_as_reason() {
        let mut map = map_with(&[]);
        assert_eq!(
            map.apply_tag("arn:aws:s3:::shared-data", "Include"),
            Some(TagDecision::Include)
        );
        assert_eq!(
            map.decide(&bucket("shared-data")),
            Decision::In(InScope {
                reasons: vec!["tagged genai-evidence=Include".into()]
            })
        );
        assert_eq!(map.apply_tag(KEY_ARN, "true"), Some(TagDecision::Include));
        assert!(map.decide(&Target::Key(KEY_ID.into())).is_in());
    }

    #[test]
    fn an_exclude_tag_wins_over_links_and_keeps_what_it_overrides() {
        let mut map = map_with(&[(bucket("scratch"), "output of SageMaker training job \"t\"")]);
        assert_eq!(
            map.apply_tag("arn:aws:s3:::scratch", "exclude"),
            Some(TagDecision::Exclude)
        );
        assert_eq!(
            map.decide(&bucket("scratch")),
            Decision::Excluded {
                reason: "tagged genai-evidence=exclude".into(),
                overridden: vec![
                    "bucket \"scratch\": output of SageMaker training job \"t\"".into()
                ],
            }
        );
        assert!(map.decide(&bucket("scratch")).in_scope().is_none());
        map.apply_tag(KEY_ARN, "FALSE");
        assert!(matches!(
            map.decide(&Target::Key(KEY_ID.into())),
            Decision::Excluded { .. }
        ));
    }

    #[test]
    fn other_tag_values_decide_nothing() {
        let mut map = map_with(&[]);
        assert_eq!(map.apply_tag("arn:aws:s3:::b", "maybe"), None);
        assert_eq!(map.decide(&bucket("b")), Decision::Out);
    }

    #[test]
    fn genai_resources_keep_their_own_reasons_unless_tagged_out() {
        let nb = "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb-1";
        let own = vec!["a SageMaker notebook instance".to_owned()];
        let mut map = map_with(&[]);
        assert_eq!(
            map.decide_arn(nb, &own),
            Decision::In(InScope {
                reasons: own.clone()
            })
        );
        map.apply_tag(nb, "exclude");
        assert!(matches!(
            map.decide_arn(nb, &own),
            Decision::Excluded { overridden, .. } if overridden == own
        ));
    }

    #[test]
    fn a_role_tag_applies_whatever_path_the_reference_carried() {
        let with_path = "arn:aws:iam::123456789012:role/service-role/sm-exec";
        let mut map = ScopeMap::new("genai-evidence");
        let mut links = Links::new("SageMaker notebook instance \"nb-1\"");
        links.role(
            Some("arn:aws:iam::123456789012:role/sm-exec"),
            "execution role",
        );
        links.into_vec().into_iter().for_each(|l| map.insert(l));
        let grants = vec!["grants bedrock:* via inline policy \"p\"".to_owned()];
        let Decision::In(InScope { reasons }) = map.decide_arn(with_path, &grants) else {
            panic!("role should be in scope");
        };
        assert_eq!(reasons.len(), 2);
        assert_eq!(reasons[0], grants[0]);
        map.apply_tag(with_path, "exclude");
        assert!(!map.decide_arn(with_path, &grants).is_in());
    }

    #[test]
    fn in_scope_lists_linked_and_included_targets_but_not_excluded_ones() {
        let mut map = map_with(&[
            (bucket("out"), "output of job"),
            (bucket("scratch"), "output of job"),
        ]);
        map.apply_tag("arn:aws:s3:::scratch", "exclude");
        map.apply_tag("arn:aws:s3:::shared", "include");
        map.apply_tag("arn:aws:s3:::ignored", "exclude");
        let names: Vec<(Target, usize)> = map
            .in_scope()
            .into_iter()
            .map(|(t, s)| (t, s.reasons.len()))
            .collect();
        assert_eq!(names, [(bucket("out"), 1), (bucket("shared"), 1)]);
    }

    fn policy(source: &str, json: &str) -> GrantedPolicy {
        GrantedPolicy {
            source: source.into(),
            document: Ok(PolicyDocument::parse(json).unwrap()),
        }
    }

    #[test]
    fn allowed_genai_actions_are_reasons_naming_the_policy() {
        let grants = genai_grants(&[
            policy(
                "inline policy \"p\"",
                r#"{"Statement":[{"Effect":"Allow","Action":["bedrock:InvokeModel","s3:GetObject"],"Resource":"*"},
                                 {"Effect":"Allow","Action":"sagemaker:Describe*","Resource":"arn:aws:sagemaker:*:*:*"}]}"#,
            ),
            policy(
                "managed policy arn:aws:iam::aws:policy/ReadOnlyAccess",
                r#"{"Statement":{"Effect":"Allow","Action":"bedrock-agentcore:*","Resource":"*"}}"#,
            ),
        ]);
        assert_eq!(
            grants,
            [
                "grants bedrock:InvokeModel, sagemaker:Describe* via inline policy \"p\"",
                "grants bedrock-agentcore:* via managed policy arn:aws:iam::aws:policy/ReadOnlyAccess",
            ]
        );
    }

    #[test]
    fn wildcards_that_reach_genai_actions_count() {
        for action in [
            "*",
            "bedrock:*",
            "BEDROCK:invoke*",
            "bed*",
            "sage*:*",
            "*:InvokeModel",
        ] {
            let json = format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
            );
            assert_eq!(
                genai_grants(&[policy("inline policy \"p\"", &json)]).len(),
                1,
                "{action}"
            );
        }
        let all = genai_grants(&[policy(
            "inline policy \"admin\"",
            r#"{"Statement":[{"Effect":"Allow","Action":["*","bedrock:*"],"Resource":"*"}]}"#,
        )]);
        assert_eq!(all, ["grants every action (*) via inline policy \"admin\""]);
    }

    #[test]
    fn not_action_grants_genai_unless_it_excludes_every_genai_service() {
        let grants = genai_grants(&[policy(
            "inline policy \"most\"",
            r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:*","bedrock:*"],"Resource":"*"}]}"#,
        )]);
        assert_eq!(
            grants,
            [
                "grants every action except iam:*, bedrock:* (NotAction), bedrock-agentcore, sagemaker, sagemaker-geospatial, sagemaker-mlflow actions among them via inline policy \"most\""
            ]
        );
        let partial = genai_grants(&[policy(
            "inline policy \"p\"",
            r#"{"Statement":[{"Effect":"Allow","NotAction":"bedrock:InvokeModel","Resource":"*"}]}"#,
        )]);
        assert_eq!(partial.len(), 1, "other bedrock actions are still granted");
        let none = genai_grants(&[policy(
            "inline policy \"p\"",
            r#"{"Statement":[{"Effect":"Allow","NotAction":["bed*","sagemaker*"],"Resource":"*"}]}"#,
        )]);
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn denies_other_services_other_resources_and_unreadable_documents_grant_nothing() {
        let grants = genai_grants(&[
            policy(
                "inline policy \"deny\"",
                r#"{"Statement":[{"Effect":"Deny","Action":"bedrock:*","Resource":"*"}]}"#,
            ),
            policy(
                "inline policy \"s3\"",
                r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","kms:Decrypt","bedrockx:Foo"],"Resource":"*"}]}"#,
            ),
            policy(
                "inline policy \"bucket-only\"",
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}"#,
            ),
            GrantedPolicy {
                source: "managed policy arn:aws:iam::123456789012:policy/x".into(),
                document: Err(Unreadable::new("not returned")),
            },
        ]);
        assert!(grants.is_empty(), "{grants:?}");
    }

    #[test]
    fn not_resource_and_genai_resource_patterns_count() {
        let grants = genai_grants(&[
            policy(
                "inline policy \"a\"",
                r#"{"Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","NotResource":"arn:aws:s3:::b"}]}"#,
            ),
            policy(
                "inline policy \"b\"",
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:bedrock:us-east-1::foundation-model/*"}]}"#,
            ),
            policy(
                "inline policy \"c\"",
                r#"{"Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"arn:*:*:*:*:*"}]}"#,
            ),
        ]);
        assert_eq!(grants.len(), 3, "{grants:?}");
    }
}

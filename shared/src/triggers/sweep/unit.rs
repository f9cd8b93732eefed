//! One sweep unit's reading: every [reader](crate::readers) of the unit's service, in registry
//! order, with each subject's scope decided as it is read (its own reasons, links from the units
//! before, scope tags). A failed listing is recorded and stands as one could-not-evaluate subject.

use std::collections::BTreeMap;

use super::{Part, Unit, entry};
use crate::adapters::Scope;
use crate::domain::resource::{Readable, Resource, ResourceRef};
use crate::domain::resources::iam::{AttachedPolicy, GrantedPolicy};
use crate::domain::scope::{Decision, InScope, ScopeMap, Target, genai_grants};
use crate::domain::time::Timestamp;
use crate::drift::map::Selector;
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};
use crate::readers::{self, Clients, Listed, Listing, NamesFn, Reader, Scoping, Service};

/// One unit's subjects (each with why it is in scope) and its part, while it runs.
pub(super) struct UnitWork {
    pub(super) label: String,
    pub(super) service: Service,
    pub(super) scope: Scope,
    pub(super) subjects: Vec<(Subject, Vec<String>)>,
    pub(super) part: Part,
}

impl UnitWork {
    pub(super) fn new(unit: &Unit, scope: Scope) -> Self {
        Self {
            label: unit.to_string(),
            service: unit.service,
            scope,
            subjects: Vec::new(),
            part: Part::default(),
        }
    }

    /// A listing failed: recorded, and, unless the listing still read some of the type, one
    /// could-not-evaluate subject standing for every resource of it.
    fn listing_failed(&mut self, reader: &Reader, e: &AwsError, read: &[Subject]) {
        tracing::warn!(error = %e, unit = %self.label, listing = reader.plural, "listing failed");
        self.part
            .errors
            .push(format!("{} {}: {e}", self.label, reader.plural));
        let cfn = reader.resource_type.cfn_type();
        if read.iter().all(|s| s.resource.resource_type != cfn) {
            let reason = match reader.scoping {
                Scoping::Nature => reader.what.to_owned(),
                _ => format!("every one of the {} (the listing failed)", reader.plural),
            };
            let subject = unlisted(reader, &self.scope, e);
            self.subjects.push((subject, vec![reason]));
        }
    }

    /// The unit's account could not be read at all (its member role could not be assumed):
    /// every type its service lists stands as one could-not-evaluate subject, with the reason.
    pub(super) fn unreadable(&mut self, e: &AwsError) {
        for reader in readers::of(self.service) {
            if !matches!(reader.listing, Listing::With(_)) {
                self.listing_failed(reader, e, &[]);
            }
        }
    }

    /// Keeps `subject` with its reasons when in scope; lists it as excluded when tagged out.
    fn admit(&mut self, decision: Decision, subject: Subject) {
        match decision {
            Decision::In(in_scope) => self.subjects.push((subject, in_scope.reasons)),
            Decision::Excluded { reason, .. } => self
                .part
                .excluded
                .push(entry(&subject.resource, vec![reason])),
            Decision::Out => (),
        }
    }

    /// A resource named by id, tagged out before it was read.
    fn excluded(&mut self, reader: &Reader, id: &str, reason: String) {
        let resource = ResourceRef {
            resource_type: reader.resource_type.cfn_type().into(),
            resource_id: id.to_owned(),
            arn: None,
            account_id: self.scope.account_id.clone(),
            region: self.scope.region.clone(),
        };
        self.part.excluded.push(entry(&resource, vec![reason]));
    }
}

/// Reads every type of the unit's service with its reader, deciding each subject's scope.
/// `several_regions`: the run sweeps more than one region (a key named without its region is
/// looked up in each, and is gone in all but one).
pub(super) async fn read(
    work: &mut UnitWork,
    clients: &Clients,
    map: &mut ScopeMap,
    several_regions: bool,
) {
    for reader in readers::of(work.service) {
        match reader.listing {
            Listing::All(list) => {
                let listed = list(clients, &work.scope).await;
                admit_listed(reader, listed, work, map);
            }
            Listing::Named(names) => read_named(reader, names, clients, work, map).await,
            Listing::Linked => read_linked(reader, clients, work, map, several_regions).await,
            Listing::With(_) => (),
        }
    }
}

/// What a listing read, decided by each subject's scoping.
fn admit_listed(reader: &Reader, listed: Listed, work: &mut UnitWork, map: &mut ScopeMap) {
    let Listed { subjects, failure } = listed;
    if let Some(e) = failure {
        work.listing_failed(reader, &e, &subjects);
    }
    if let Scoping::Grants = reader.scoping {
        admit_principals(subjects, work, map);
        return;
    }
    for subject in subjects {
        let own = own_reasons(&subject);
        let decision = match subject.resource.arn.as_deref() {
            Some(arn) => map.decide_arn(arn, &own),
            None if !own.is_empty() => Decision::In(InScope { reasons: own }),
            None => Decision::Out,
        };
        work.admit(decision, subject);
    }
}

/// Why `subject` is in scope by what it is, as its type's reader says.
fn own_reasons(subject: &Subject) -> Vec<String> {
    match readers::reader_of_cfn(&subject.resource.resource_type).map(|r| (r, r.scoping)) {
        Some((reader, Scoping::Nature)) => vec![reader.what.to_owned()],
        Some((_, Scoping::Own(own))) => own(subject),
        _ => Vec::new(),
    }
}

/// Names listed cheaply, decided, and only those in scope read (at most
/// [`CONCURRENCY`](crate::adapters::CONCURRENCY) at once).
async fn read_named(
    reader: &Reader,
    names: NamesFn,
    clients: &Clients,
    work: &mut UnitWork,
    map: &ScopeMap,
) {
    let names = match names(clients).await {
        Ok(names) => names,
        Err(e) => {
            work.listing_failed(reader, &e, &[]);
            return;
        }
    };
    let mut wanted = Vec::new();
    for name in names {
        let Some(target) = Target::of(reader.resource_type, &name) else {
            continue;
        };
        match map.decide(&target) {
            Decision::In(in_scope) => wanted.push((name, in_scope.reasons)),
            Decision::Excluded { reason, .. } => work.excluded(reader, &name, reason),
            Decision::Out => (),
        }
    }
    read_each(reader, clients, work, wanted, false).await;
}

/// The resources of the type that links or include tags name, read one by one.
async fn read_linked(
    reader: &Reader,
    clients: &Clients,
    work: &mut UnitWork,
    map: &ScopeMap,
    several_regions: bool,
) {
    let wanted: Vec<(String, Vec<String>)> = map
        .in_scope()
        .into_iter()
        .filter(|(target, _)| target.resource_type() == reader.resource_type)
        .map(|(target, in_scope)| (target.id().to_owned(), in_scope.reasons))
        .collect();
    for (target, _) in map.iter() {
        if target.resource_type() == reader.resource_type
            && let Decision::Excluded { reason, .. } = map.decide(target)
        {
            work.excluded(reader, target.id(), reason);
        }
    }
    read_each(reader, clients, work, wanted, several_regions).await;
}

/// Reads each `(id, reasons)` with the reader, bounded; `skip_gone`: a resource gone is not
/// reported (it lives in another of the run's regions).
async fn read_each(
    reader: &Reader,
    clients: &Clients,
    work: &mut UnitWork,
    wanted: Vec<(String, Vec<String>)>,
    skip_gone: bool,
) {
    let scope = &work.scope;
    let read = crate::adapters::bounded(wanted, |(id, reasons)| async move {
        let selector = Selector::Resource(id);
        ((reader.read)(clients, scope, &selector).await, reasons)
    })
    .await;
    for (result, reasons) in read {
        match result {
            Ok(subjects) => {
                for subject in subjects {
                    if skip_gone && matches!(subject.state, SubjectState::Gone(_)) {
                        continue;
                    }
                    work.subjects.push((subject, reasons.clone()));
                }
            }
            Err(e) => work
                .part
                .errors
                .push(format!("{} {}: {e}", work.label, reader.plural)),
        }
    }
}

/// IAM principals in scope by their links, tags or GenAI grants; customer managed policies
/// when they grant GenAI actions themselves or are attached to a principal in scope.
fn admit_principals(found: Vec<Subject>, work: &mut UnitWork, map: &mut ScopeMap) {
    let tag_key = map.tag_key().to_owned();
    for subject in &found {
        let tagged = match &subject.state {
            SubjectState::Live(Resource::IamRole(role)) => Some((&role.arn, &role.tags)),
            SubjectState::Live(Resource::IamUser(user)) => Some((&user.arn, &user.tags)),
            _ => None,
        };
        if let Some((arn, tags)) = tagged
            && let Some(value) = tags.get(&tag_key)
        {
            map.apply_tag(arn, value);
        }
    }
    let mut policies = Vec::new();
    let mut attached_to: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for subject in found {
        let (arn, grants, attached) = match &subject.state {
            SubjectState::Live(Resource::IamRole(role)) => (
                role.arn.clone(),
                genai_grants(&role.policies),
                attachments(&role.attached_policies, "role", &role.name),
            ),
            SubjectState::Live(Resource::IamUser(user)) => (
                user.arn.clone(),
                genai_grants(&user.policies),
                attachments(&user.attached_policies, "user", &user.name),
            ),
            SubjectState::Live(Resource::IamPolicy(_)) => {
                policies.push(subject);
                continue;
            }
            _ => (
                subject.resource.arn.clone().unwrap_or_default(),
                Vec::new(),
                Vec::new(),
            ),
        };
        let decision = map.decide_arn(&arn, &grants);
        if decision.is_in() {
            for (policy, reason) in attached {
                attached_to.entry(policy).or_default().push(reason);
            }
        }
        work.admit(decision, subject);
    }
    for subject in policies {
        let SubjectState::Live(Resource::IamPolicy(policy)) = &subject.state else {
            continue;
        };
        let mut own = genai_grants(&[GrantedPolicy {
            source: "its default version".into(),
            document: policy.document.clone(),
        }]);
        own.extend(attached_to.remove(&policy.arn).unwrap_or_default());
        let decision = map.decide_arn(&policy.arn, &own);
        work.admit(decision, subject);
    }
}

/// `(policy ARN, scope reason)` for each managed policy attached directly to a principal.
fn attachments(
    attached: &Readable<Vec<AttachedPolicy>>,
    kind: &str,
    name: &str,
) -> Vec<(String, String)> {
    attached
        .as_ref()
        .map(|list| {
            list.iter()
                .filter(|p| p.via_group.is_none())
                .map(|p| {
                    (
                        p.arn.clone(),
                        format!("attached to {kind} {name}, which is in the GenAI scope"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A subject standing for every resource of a type whose listing failed: its findings are
/// could-not-evaluate, never compliant or non-compliant.
fn unlisted(reader: &Reader, scope: &Scope, err: &AwsError) -> Subject {
    let resource_type = reader.resource_type;
    Subject::new(
        ResourceRef {
            resource_type: resource_type.cfn_type().into(),
            resource_id: "*".into(),
            arn: None,
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
        },
        Timestamp::now(),
        err.operation,
        SubjectState::Unreadable(format!(
            "no {resource_type} could be listed, so none could be evaluated: {err}"
        )),
    )
}

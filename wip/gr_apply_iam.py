import re
root='/work/wt/guardrails/'
def edit(path, pairs):
    p=root+path; s=open(p).read()
    for old,new in pairs:
        assert s.count(old)==1, (path, old[:60], s.count(old))
        s=s.replace(old,new)
    open(p,'w').write(s)

# domain
edit('shared/core/src/domain/resources/iam.rs', [
 ('use crate::domain::resource::Readable;','use crate::domain::resource::Readable;\nuse crate::domain::resources::bedrock::GuardrailEnforcement;'),
 ('''    /// The role's tags, key to value (read for the GenAI scope tag, not by any check).
    pub tags: BTreeMap<String, String>,
}

impl Role {''','''    /// The role's tags, key to value (read for the GenAI scope tag, not by any check).
    pub tags: BTreeMap<String, String>,
    /// Whether a protective guardrail is enforced on every model, as read for the identity by
    /// the path that read it (the reader of the enforced configuration).
    pub guardrail_enforcement: GuardrailEnforcement,
}

impl Role {'''),
 ('''    /// The user's tags, key to value (read for the GenAI scope tag, not by any check).
    pub tags: BTreeMap<String, String>,
}''','''    /// The user's tags, key to value (read for the GenAI scope tag, not by any check).
    pub tags: BTreeMap<String, String>,
    /// Whether a protective guardrail is enforced on every model, as read for the identity by
    /// the path that read it (the reader of the enforced configuration).
    pub guardrail_enforcement: GuardrailEnforcement,
}'''),
])
edit('shared/core/src/domain/resources/bedrock.rs', [
 ('''impl GuardrailEnforcement {''','''impl GuardrailEnforcement {''') if False else ('''    /// Not known (why): the configuration could not be read or decided, or was not read by
    /// the path that read the identity.
    Unknown(String),
}''','''    /// Not known (why): the configuration could not be read or decided, or was not read by
    /// the path that read the identity.
    Unknown(String),
}

impl GuardrailEnforcement {
    /// What an identity carries before the enforced configuration is read for it.
    pub fn not_read() -> Self {
        GuardrailEnforcement::Unknown(
            "the enforced guardrail configuration was not read with this identity".into(),
        )
    }
}'''),
])
# checks
checks=open('/tmp/gr_iam_checks.rs').read()
p=root+'shared/core/src/catalog/iam.rs'; s=open(p).read()
s=s.replace('use crate::catalog::framework::{SECAI3_7, SECAI3_8};','use crate::catalog::framework::{SAFE_GUARDRAILS, SECAI3_7, SECAI3_8};')
s=s.replace('''    AttachedPolicy, GrantedPolicy, Group, ManagedPolicy, Role, User,
};''','''    AttachedPolicy, GrantedPolicy, Group, ManagedPolicy, Role, User,
};
use crate::domain::resources::bedrock::GuardrailEnforcement;''')
s=s.replace('''    &USER_ACCESS_KEYS_ROTATED,
];''','''    &USER_ACCESS_KEYS_ROTATED,
    &ROLE_INVOKE_REQUIRES_GUARDRAIL,
    &USER_INVOKE_REQUIRES_GUARDRAIL,
];''')
i=s.index('#[cfg(test)]')
s=s[:i]+checks.lstrip('\n')+'\n'+s[i:]
open(p,'w').write(s)
# adapters: constructors
p=root+'shared/src/adapters/iam.rs'; s=open(p).read()
n=s.count('                tags: config_tags(config.get("tags")),\n')
s=s.replace('                tags: config_tags(config.get("tags")),\n','                tags: config_tags(config.get("tags")),\n                guardrail_enforcement: GuardrailEnforcement::not_read(),\n')
s=s.replace('            tags: api_tags(r.tags()),\n','            tags: api_tags(r.tags()),\n            guardrail_enforcement: GuardrailEnforcement::not_read(),\n')
open(p,'w').write(s)
print('config tags', n)
edit('shared/src/adapters/iam.rs', [
 ('        tags: api_tags(u.tags()),\n        name,\n','        tags: api_tags(u.tags()),\n        guardrail_enforcement: GuardrailEnforcement::not_read(),\n        name,\n'),
 ('use crate::domain::time::Timestamp;','use crate::domain::resources::bedrock::GuardrailEnforcement;\nuse crate::domain::time::Timestamp;'),
])
# readers: helper + drift path
edit('shared/src/readers/mod.rs', [
 ('''        Some(reader) if reader.read_by.contains(&By::of(&target.selector)) => {
            (reader.read)(clients, scope, &target.selector).await
        }''','''        Some(reader) if reader.read_by.contains(&By::of(&target.selector)) => {
            let mut subjects = (reader.read)(clients, scope, &target.selector).await?;
            if reader.service == Service::Iam {
                let enforcement = enforced_guardrails::enforcement_in(
                    &clients.bedrock,
                    &clients.organizations,
                    &clients.region,
                    // The protective-guardrail test reads no rule parameter.
                    &crate::catalog::Params::default(),
                )
                .await;
                set_guardrail_enforcement(&mut subjects, &enforcement);
            }
            Ok(subjects)
        }'''),
 ('''/// The subject of a selector no reader reads.''','''/// Gives every IAM role and user among `subjects` the enforced-guardrail view read for them
/// (the checks on identities allowed to invoke models read it from their state).
pub fn set_guardrail_enforcement<'a>(
    subjects: impl IntoIterator<Item = &'a mut Subject>,
    enforcement: &crate::domain::resources::bedrock::GuardrailEnforcement,
) {
    use crate::domain::resource::Resource;
    for subject in subjects {
        if let SubjectState::Live(Resource::IamRole(role)) = &mut subject.state {
            role.guardrail_enforcement = enforcement.clone();
        } else if let SubjectState::Live(Resource::IamUser(user)) = &mut subject.state {
            user.guardrail_enforcement = enforcement.clone();
        }
    }
}

/// The subject of a selector no reader reads.'''),
])
# sweep: the IAM unit reads every region's enforced guardrails first
edit('shared/src/triggers/sweep.rs', [
 ('''        unit::read(&mut work, clients, map, self.clients.regions.len() > 1).await;
        self.evaluate_and_file(work, map).await''','''        unit::read(&mut work, clients, map, self.clients.regions.len() > 1).await;
        if unit.service == crate::readers::Service::Iam {
            let enforcement = self.guardrail_enforcement().await;
            crate::readers::set_guardrail_enforcement(
                work.subjects.iter_mut().map(|(s, _)| s),
                &enforcement,
            );
        }
        self.evaluate_and_file(work, map).await
    }

    /// Whether a protective guardrail is enforced on every model in every region of the run,
    /// for the checks on IAM identities allowed to invoke models (read when the IAM unit runs,
    /// so a resumed run reads it again rather than trusting an earlier invocation's view).
    async fn guardrail_enforcement(
        &self,
    ) -> crate::domain::resources::bedrock::GuardrailEnforcement {
        let mut regions = Vec::with_capacity(self.clients.regions.len());
        for clients in &self.clients.regions {
            let state = crate::adapters::enforced_guardrails::enforced_guardrails(
                &clients.bedrock,
                &clients.organizations,
                &clients.region,
            )
            .await;
            regions.push((clients.region.clone(), Ok(state)));
        }
        crate::catalog::bedrock::guardrail_enforcement(&regions, &self.params)'''),
])

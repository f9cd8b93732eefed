//! Guardrails enforced on every Bedrock inference call of an account and region: the account's
//! enforced configurations (`bedrock:ListEnforcedGuardrailsConfiguration`, every page, and
//! `bedrock:GetGuardrail` of each named version) and the organization's effective
//! `BEDROCK_POLICY` (`organizations:DescribeEffectivePolicy`) as the account sees it.
//!
//! AWS Config does not record them: the state is one account-and-region singleton,
//! `AWS::Bedrock::EnforcedGuardrailConfiguration`, identified by its region.

use aws_sdk_bedrock::types::AccountEnforcedGuardrailOutputConfiguration;
use aws_sdk_organizations::operation::describe_effective_policy::DescribeEffectivePolicyError;
use aws_sdk_organizations::types::EffectivePolicyType;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::bedrock::guardrail_from_api;
use crate::domain::resource::{Readable, Resource, ResourceType, Unreadable};
use crate::domain::resources::bedrock::{
    EnforcedGuardrailConfig, EnforcedGuardrails, Guardrail, GuardrailEnforcement,
    OrganizationGuardrail, OrganizationGuardrails,
};
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

/// How the subject was observed.
const VIA: &str = "AWS API (bedrock:ListEnforcedGuardrailsConfiguration, bedrock:GetGuardrail, organizations:DescribeEffectivePolicy)";

/// The enforced guardrails of the scope's region, as one subject whose id is the region. It is
/// always live: what could not be read is unreadable inside it.
pub async fn read_enforced_guardrails(
    bedrock: &aws_sdk_bedrock::Client,
    organizations: &aws_sdk_organizations::Client,
    scope: &Scope,
) -> Subject {
    let state = enforced_guardrails(bedrock, organizations, &scope.region).await;
    super::subject_at(
        scope,
        ResourceType::BedrockEnforcedGuardrails,
        &scope.region,
        None,
        VIA,
        SubjectState::Live(Resource::BedrockEnforcedGuardrails(state)),
    )
}

/// The sweep's listing: the one subject of [`read_enforced_guardrails`].
pub async fn collect_enforced_guardrails(
    bedrock: &aws_sdk_bedrock::Client,
    organizations: &aws_sdk_organizations::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    Ok(vec![
        read_enforced_guardrails(bedrock, organizations, scope).await,
    ])
}

/// The enforced guardrails of `region` (the clients' region).
pub async fn enforced_guardrails(
    bedrock: &aws_sdk_bedrock::Client,
    organizations: &aws_sdk_organizations::Client,
    region: &str,
) -> EnforcedGuardrails {
    EnforcedGuardrails {
        region: region.to_owned(),
        account: account_configurations(bedrock).await,
        organization: organization_guardrails(bedrock, organizations, region).await,
    }
}

/// Whether a protective guardrail is enforced on every model in the clients' region, as the
/// checks on identities allowed to invoke models need it (one region's view of
/// [`guardrail_enforcement`](crate::catalog::bedrock::guardrail_enforcement)).
pub async fn enforcement_in(
    bedrock: &aws_sdk_bedrock::Client,
    organizations: &aws_sdk_organizations::Client,
    region: &str,
    params: &crate::catalog::Params,
) -> GuardrailEnforcement {
    let state = enforced_guardrails(bedrock, organizations, region).await;
    crate::catalog::bedrock::guardrail_enforcement(&[(region.to_owned(), Ok(state))], params)
}

/// Every account enforced configuration (every page), each with its guardrail version read.
async fn account_configurations(
    client: &aws_sdk_bedrock::Client,
) -> Readable<Vec<EnforcedGuardrailConfig>> {
    let mut listed = Vec::new();
    let mut pages = client
        .list_enforced_guardrails_configuration()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            Unreadable::new(
                AwsError::from_sdk("bedrock:ListEnforcedGuardrailsConfiguration", e).to_string(),
            )
        })?;
        listed.extend(page.guardrails_config().iter().cloned());
    }
    Ok(super::bounded(listed, |config| async move {
        account_configuration(client, &config).await
    })
    .await)
}

#[allow(deprecated)]
async fn account_configuration(
    client: &aws_sdk_bedrock::Client,
    config: &AccountEnforcedGuardrailOutputConfiguration,
) -> EnforcedGuardrailConfig {
    let guardrail = config
        .guardrail_arn()
        .or(config.guardrail_id())
        .unwrap_or_default()
        .to_owned();
    let version = config.guardrail_version().map(str::to_owned);
    let guardrail_version = guardrail_version(client, &guardrail, version.as_deref()).await;
    let enforcement = config.model_enforcement();
    let guarding = config.selective_content_guarding();
    EnforcedGuardrailConfig {
        config_id: config.config_id().unwrap_or_default().to_owned(),
        guardrail,
        version,
        included_models: enforcement.map(|m| m.included_models().to_vec()),
        excluded_models: enforcement
            .map(|m| m.excluded_models().to_vec())
            .unwrap_or_default(),
        system_guarding: guarding
            .and_then(|g| g.system())
            .map(|m| m.as_str().to_owned()),
        messages_guarding: guarding
            .and_then(|g| g.messages())
            .map(|m| m.as_str().to_owned()),
        input_tags: config.input_tags().map(|t| t.as_str().to_owned()),
        guardrail_version,
    }
}

/// The named version of a guardrail (`GetGuardrail` by identifier and version). A missing or
/// non-numbered version is not read: the check fails it on the version alone.
async fn guardrail_version(
    client: &aws_sdk_bedrock::Client,
    identifier: &str,
    version: Option<&str>,
) -> Readable<Guardrail> {
    let Some(version) = version.filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
    else {
        return Err(Unreadable::new("no numbered version to read"));
    };
    client
        .get_guardrail()
        .guardrail_identifier(identifier)
        .guardrail_version(version)
        .send()
        .await
        .map(|out| guardrail_from_api(&out))
        .map_err(|e| Unreadable::new(AwsError::from_sdk("bedrock:GetGuardrail", e).to_string()))
}

/// The organization's effective Bedrock policy for `region`, each guardrail it names read.
async fn organization_guardrails(
    bedrock: &aws_sdk_bedrock::Client,
    organizations: &aws_sdk_organizations::Client,
    region: &str,
) -> OrganizationGuardrails {
    let result = organizations
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::BedrockPolicy)
        .send()
        .await;
    let content = match result {
        Ok(out) => out
            .effective_policy()
            .and_then(|p| p.policy_content())
            .unwrap_or_default()
            .to_owned(),
        Err(e) => {
            let none = match e.as_service_error() {
                Some(DescribeEffectivePolicyError::AwsOrganizationsNotInUseException(_)) => Some(
                    "the account is not in an organization (AWSOrganizationsNotInUseException)",
                ),
                Some(DescribeEffectivePolicyError::EffectivePolicyNotFoundException(_)) => Some(
                    "no effective BEDROCK_POLICY (EffectivePolicyNotFoundException: none attached, or the policy type is not enabled)",
                ),
                _ => None,
            };
            return match none {
                Some(why) => OrganizationGuardrails::NoPolicy(why.to_owned()),
                None => OrganizationGuardrails::Unreadable(Unreadable::new(
                    AwsError::from_sdk("organizations:DescribeEffectivePolicy", e).to_string(),
                )),
            };
        }
    };
    let entries = match policy_guardrails(&content, region) {
        Ok(entries) => entries,
        Err(why) => return OrganizationGuardrails::Unreadable(Unreadable::new(why)),
    };
    let mut guardrails = Vec::with_capacity(entries.len());
    for entry in entries {
        let (arn, version) = split_version(&entry.identifier);
        let guardrail_version = guardrail_version(bedrock, arn, version).await;
        guardrails.push(OrganizationGuardrail {
            name: entry.name,
            version: version.map(str::to_owned),
            identifier: entry.identifier,
            input_tags: entry.input_tags,
            guardrail_version,
        });
    }
    OrganizationGuardrails::Read(guardrails)
}

/// One guardrail configuration of a Bedrock policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyGuardrail {
    /// The configuration's name (`config_1`).
    pub name: String,
    /// `identifier`: `arn:...:guardrail/<id>:<version>`.
    pub identifier: String,
    /// `input_tags`, when stated.
    pub input_tags: Option<String>,
}

/// The guardrail configurations an effective `BEDROCK_POLICY` text names for `region`
/// (`bedrock.guardrail_inference.<region>.<name>.{identifier, input_tags}`; a value may be
/// written plainly or under `@@assign`). A policy without the region names none.
pub fn policy_guardrails(content: &str, region: &str) -> Result<Vec<PolicyGuardrail>, String> {
    if content.trim().is_empty() {
        return Ok(Vec::new());
    }
    let policy: Value = serde_json::from_str(content)
        .map_err(|e| format!("the effective BEDROCK_POLICY is not JSON: {e}"))?;
    let Some(configs) = policy
        .pointer("/bedrock/guardrail_inference")
        .and_then(|g| g.get(region))
    else {
        return Ok(Vec::new());
    };
    let configs = configs.as_object().ok_or_else(|| {
        format!(
            "bedrock.guardrail_inference.{region} of the effective BEDROCK_POLICY is not an object"
        )
    })?;
    configs
        .iter()
        .filter(|(name, _)| !name.starts_with("@@"))
        .map(|(name, config)| {
            let identifier = assigned(config.get("identifier")).ok_or_else(|| {
                format!(
                    "configuration {} of the effective BEDROCK_POLICY has no identifier",
                    genai_evidence_core::text::truncate_chars(name, 64)
                )
            })?;
            Ok(PolicyGuardrail {
                name: name.clone(),
                identifier,
                input_tags: assigned(config.get("input_tags")),
            })
        })
        .collect()
}

/// A policy value written plainly or as `{"@@assign": value}`.
fn assigned(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("@@assign").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// `arn:...:guardrail/<id>:<version>` split into the guardrail and its version (a trailing
/// `:<digits>` after the guardrail id); an identifier without one has no version.
fn split_version(identifier: &str) -> (&str, Option<&str>) {
    match identifier.rsplit_once(':') {
        Some((head, version))
            if head.contains("guardrail/")
                && !version.is_empty()
                && version.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (head, Some(version))
        }
        _ => (identifier, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456";

    #[test]
    fn a_bedrock_policy_names_the_guardrails_of_the_region_in_either_value_form() {
        let text = format!(
            r#"{{"bedrock":{{"guardrail_inference":{{"us-east-1":{{"config_1":{{"identifier":{{"@@assign":"{ARN}:3"}},"input_tags":{{"@@assign":"ignore"}}}},"config_2":{{"identifier":"{ARN}:4"}}}},"eu-west-1":{{"config_1":{{"identifier":"{ARN}:1"}}}}}}}}}}"#
        );
        let found = policy_guardrails(&text, "us-east-1").unwrap();
        assert_eq!(
            found,
            [
                PolicyGuardrail {
                    name: "config_1".into(),
                    identifier: format!("{ARN}:3"),
                    input_tags: Some("ignore".into())
                },
                PolicyGuardrail {
                    name: "config_2".into(),
                    identifier: format!("{ARN}:4"),
                    input_tags: None
                },
            ]
        );
        assert!(policy_guardrails(&text, "ap-south-1").unwrap().is_empty());
        assert!(policy_guardrails("", "us-east-1").unwrap().is_empty());
        let bad = policy_guardrails(
            r#"{"bedrock":{"guardrail_inference":{"us-east-1":{"c":{"input_tags":"honor"}}}}}"#,
            "us-east-1",
        )
        .unwrap_err();
        assert!(bad.contains("no identifier"), "{bad}");
    }

    #[test]
    fn an_identifier_splits_into_the_guardrail_and_its_numbered_version() {
        assert_eq!(split_version(&format!("{ARN}:12")), (ARN, Some("12")));
        assert_eq!(split_version(ARN), (ARN, None));
        assert_eq!(split_version(&format!("{ARN}:DRAFT")).1, None);
    }
}

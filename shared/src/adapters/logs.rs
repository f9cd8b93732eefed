//! CloudWatch Logs: log group configuration items decoded into the domain, and log groups
//! collected from the API (`DescribeLogGroups`, every page), with their data protection: the
//! group's own policy (`GetDataProtectionPolicy`, only for a group whose `dataProtectionStatus`
//! says it has or had one) and the account's data protection policies (`DescribeAccountPolicies`,
//! read once, only when a group lists `ACCOUNT_DATA_PROTECTION` among its inherited properties).

use aws_sdk_cloudwatchlogs::types::{DataProtectionStatus, InheritedProperty, PolicyType};
use genai_evidence_core::text::json_kind;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::resource::{Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::logs::{AccountDataProtectionPolicy, LogGroup};
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

/// Why a Config item cannot give a log group's data protection.
const CONFIG_HAS_NO_DATA_PROTECTION: &str = "a Config configuration item does not carry the log group's data protection policy or the account's; they are read with logs:GetDataProtectionPolicy and logs:DescribeAccountPolicies";

/// Decodes an `AWS::Logs::LogGroup` configuration item (either casing of the fields).
pub fn decode_config_item(_resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    let config = match item.configuration_object() {
        Ok(config) => config,
        Err(unreadable) => return Decoded::Unreadable(unreadable),
    };
    let field = |camel: &str, pascal: &str| {
        config
            .get(camel)
            .or_else(|| config.get(pascal))
            .filter(|v| !v.is_null())
    };
    // A field of another type makes the group unreadable, naming it: a retention given as text
    // or beyond any real one must not read as "never expires", a key id of another type as none.
    let text = |camel: &str, pascal: &str| match field(camel, pascal) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Unreadable::new(format!(
            "{camel} in the configuration item is {}, not a string",
            json_kind(other)
        ))),
    };
    let retention = match field("retentionInDays", "RetentionInDays") {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .map(Some)
            .ok_or_else(|| {
                Unreadable::new(format!(
                    "retentionInDays in the configuration item is {}, not a number of days",
                    json_kind(v)
                ))
            }),
    };
    let group = (|| {
        Ok::<_, Unreadable>(LogGroup {
            name: text("logGroupName", "LogGroupName")?.unwrap_or_else(|| item.resource_id.clone()),
            kms_key_id: text("kmsKeyId", "KmsKeyId")?,
            retention_days: retention?,
            own_data_protection: Err(Unreadable::new(CONFIG_HAS_NO_DATA_PROTECTION)),
            account_data_protection: Err(Unreadable::new(CONFIG_HAS_NO_DATA_PROTECTION)),
        })
    })();
    match group {
        Ok(group) => Decoded::Resource(Resource::LogsLogGroup(group)),
        Err(unreadable) => Decoded::Unreadable(unreadable),
    }
}

/// Every log group, optionally only those whose name starts with `prefix`, with its data
/// protection (see the module's documentation).
pub async fn collect_log_groups(
    client: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
    prefix: Option<&str>,
) -> Result<Vec<Subject>, AwsError> {
    let mut subjects = Vec::new();
    let mut own_policies = Vec::new();
    let mut inherits_account_policy = Vec::new();
    let mut pages = client
        .describe_log_groups()
        .set_log_group_name_prefix(prefix.map(str::to_owned))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("logs:DescribeLogGroups", e))?;
        for group in page.log_groups() {
            let name = group.log_group_name().unwrap_or_default().to_owned();
            own_policies.push(group.data_protection_status().is_some_and(|s| {
                matches!(
                    s,
                    DataProtectionStatus::Activated | DataProtectionStatus::Archived
                )
            }));
            inherits_account_policy.push(
                group
                    .inherited_properties()
                    .contains(&InheritedProperty::AccountDataProtection),
            );
            subjects.push(Subject {
                resource: ResourceRef {
                    resource_type: ResourceType::LogsLogGroup.cfn_type().into(),
                    resource_id: name.clone(),
                    arn: Some(group.arn().map_or_else(
                        || {
                            format!(
                                "arn:aws:logs:{}:{}:log-group:{name}",
                                scope.region, scope.account_id
                            )
                        },
                        |a| a.trim_end_matches(":*").to_owned(),
                    )),
                    account_id: scope.account_id.clone(),
                    region: scope.region.clone(),
                },
                observed_at: Timestamp::now(),
                observed_via: "AWS API (logs:DescribeLogGroups)",
                state: SubjectState::Live(Resource::LogsLogGroup(LogGroup {
                    name,
                    kms_key_id: group.kms_key_id().map(str::to_owned),
                    retention_days: group
                        .retention_in_days()
                        .and_then(|d| u32::try_from(d).ok()),
                    own_data_protection: Ok(None),
                    account_data_protection: Ok(Vec::new()),
                })),
                links: Vec::new(),
            });
        }
    }
    let account = if inherits_account_policy.contains(&true) {
        read_account_data_protection(client)
            .await
            .map_err(|e| Unreadable::new(e.to_string()))
    } else {
        Ok(Vec::new())
    };
    let wanted: Vec<(String, bool)> = subjects
        .iter()
        .zip(own_policies)
        .map(|(s, has)| (s.resource.resource_id.clone(), has))
        .collect();
    let own = super::bounded(wanted, |(name, has)| async move {
        if has {
            read_data_protection_policy(client, &name)
                .await
                .map_err(|e| Unreadable::new(e.to_string()))
        } else {
            Ok(None)
        }
    })
    .await;
    for ((subject, own), inherits) in subjects.iter_mut().zip(own).zip(inherits_account_policy) {
        if let SubjectState::Live(Resource::LogsLogGroup(group)) = &mut subject.state {
            group.own_data_protection = own;
            if inherits {
                group.account_data_protection = account.clone();
            }
        }
    }
    Ok(subjects)
}

/// The group's own data protection policy document (`GetDataProtectionPolicy`); `None` when
/// the answer carries no document.
pub async fn read_data_protection_policy(
    client: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
) -> Result<Option<String>, AwsError> {
    let out = client
        .get_data_protection_policy()
        .log_group_identifier(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("logs:GetDataProtectionPolicy", e))?;
    Ok(out
        .policy_document()
        .filter(|d| !d.trim().is_empty())
        .map(str::to_owned))
}

/// The account's data protection policies (`DescribeAccountPolicies` with policy type
/// `DATA_PROTECTION_POLICY`, every page: the SDK has no paginator for it, so `nextToken` is
/// followed).
pub async fn read_account_data_protection(
    client: &aws_sdk_cloudwatchlogs::Client,
) -> Result<Vec<AccountDataProtectionPolicy>, AwsError> {
    let mut policies = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_account_policies()
            .policy_type(PolicyType::DataProtectionPolicy)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("logs:DescribeAccountPolicies", e))?;
        policies.extend(account_data_protection_policies(page.account_policies()));
        match page.next_token().filter(|t| !t.is_empty()) {
            Some(next) => token = Some(next.to_owned()),
            None => return Ok(policies),
        }
    }
}

/// The data protection policies among account policies as `DescribeAccountPolicies` lists them.
pub fn account_data_protection_policies(
    list: &[aws_sdk_cloudwatchlogs::types::AccountPolicy],
) -> Vec<AccountDataProtectionPolicy> {
    list.iter()
        .filter(|p| p.policy_type() == Some(&PolicyType::DataProtectionPolicy))
        .map(|p| AccountDataProtectionPolicy {
            name: p.policy_name().unwrap_or("(unnamed)").to_owned(),
            document: p.policy_document().unwrap_or_default().to_owned(),
            selection_criteria: p.selection_criteria().map(str::to_owned),
        })
        .collect()
}

/// One log group by exact name (`DescribeLogGroups` by name prefix, then the group with exactly
/// that name); none with that name is gone.
pub async fn read_log_group(
    client: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
    name: &str,
) -> Subject {
    let via = "AWS API (logs:DescribeLogGroups)";
    let state = match collect_log_groups(client, scope, Some(name)).await {
        Ok(subjects) => match subjects
            .into_iter()
            .find(|s| s.resource.resource_id == name)
        {
            Some(found) => return found,
            None => SubjectState::Gone(format!(
                "logs:DescribeLogGroups finds no log group named {name}"
            )),
        },
        Err(error) => SubjectState::Unreadable(error.to_string()),
    };
    super::subject_at(scope, ResourceType::LogsLogGroup, name, None, via, state)
}

/// Every log group GenAI services write to by its name ([`genai_writer`]), as
/// [`collect_log_groups`] reads them: what an account-level policy change is re-read as.
pub async fn read_genai_log_groups(
    client: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let groups = collect_log_groups(client, scope, None).await?;
    Ok(groups
        .into_iter()
        .filter(|g| !genai_writer(g).is_empty())
        .collect())
}

/// Why a log group is in scope by its name: SageMaker and Bedrock write to groups named
/// `/aws/sagemaker/...` and `/aws/bedrock...`; none for any other name.
pub fn genai_writer(subject: &Subject) -> Vec<String> {
    let name = &subject.resource.resource_id;
    [
        ("/aws/sagemaker/", "SageMaker"),
        ("/aws/bedrock", "Bedrock"),
        ("/aws/vendedlogs/bedrock-agentcore/", "Bedrock AgentCore"),
    ]
    .iter()
    .filter(|(prefix, _)| name.starts_with(prefix))
    .map(|(prefix, writer)| {
        format!("log group {name:?}: written by {writer} (by its name {prefix}…)")
    })
    .collect()
}

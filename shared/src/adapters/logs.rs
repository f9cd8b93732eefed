//! CloudWatch Logs: log group configuration items decoded into the domain, and log groups
//! collected from the API (`DescribeLogGroups`, every page).

use genai_evidence_core::text::json_kind;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::resource::{Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::logs::LogGroup;
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

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
        })
    })();
    match group {
        Ok(group) => Decoded::Resource(Resource::LogsLogGroup(group)),
        Err(unreadable) => Decoded::Unreadable(unreadable),
    }
}

/// Every log group, optionally only those whose name starts with `prefix`.
pub async fn collect_log_groups(
    client: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
    prefix: Option<&str>,
) -> Result<Vec<Subject>, AwsError> {
    let mut subjects = Vec::new();
    let mut pages = client
        .describe_log_groups()
        .set_log_group_name_prefix(prefix.map(str::to_owned))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("logs:DescribeLogGroups", e))?;
        for group in page.log_groups() {
            let name = group.log_group_name().unwrap_or_default().to_owned();
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
                })),
                links: Vec::new(),
            });
        }
    }
    Ok(subjects)
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

/// Why a log group is in scope by its name: SageMaker and Bedrock write to groups named
/// `/aws/sagemaker/...` and `/aws/bedrock...`; none for any other name.
pub fn genai_writer(subject: &Subject) -> Vec<String> {
    let name = &subject.resource.resource_id;
    [
        ("/aws/sagemaker/", "SageMaker"),
        ("/aws/bedrock", "Bedrock"),
    ]
    .iter()
    .filter(|(prefix, _)| name.starts_with(prefix))
    .map(|(prefix, writer)| {
        format!("log group {name:?}: written by {writer} (by its name {prefix}…)")
    })
    .collect()
}

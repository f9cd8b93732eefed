//! CloudWatch Logs: log group configuration items decoded into the domain, and log groups
//! collected from the API (`DescribeLogGroups`, every page).

use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::resource::{Resource, ResourceRef, ResourceType};
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
    Decoded::Resource(Resource::LogsLogGroup(LogGroup {
        name: field("logGroupName", "LogGroupName")
            .and_then(Value::as_str)
            .unwrap_or(&item.resource_id)
            .to_owned(),
        kms_key_id: field("kmsKeyId", "KmsKeyId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        retention_days: field("retentionInDays", "RetentionInDays")
            .and_then(Value::as_u64)
            .map(|d| d as u32),
    }))
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
                    arn: group.arn().map(|a| a.trim_end_matches(":*").to_owned()),
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

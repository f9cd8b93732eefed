//! The AWS Config API as the config-rule function uses it: list and read recorded configuration
//! items, read the rule's stored evaluations, and send evaluations back to the rule.

use std::time::Duration;

use aws_sdk_config::Client;
use aws_sdk_config::types::{
    ComplianceType, Evaluation, ResourceKey, ResourceType as ConfigResourceType,
};
use aws_smithy_types::DateTime;

use crate::adapters::config_item::ConfigurationItem;
use crate::domain::time::Timestamp;
use crate::error::AwsError;

/// PutEvaluations takes at most this many evaluations per call.
pub const MAX_EVALUATIONS_PER_CALL: usize = 100;
/// BatchGetResourceConfig takes at most this many keys per call.
pub const MAX_KEYS_PER_BATCH_GET: usize = 100;

macro_rules! item_from_sdk {
    ($item:expr) => {{
        let item = $item;
        ConfigurationItem::from_api_parts(
            item.resource_type()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            item.resource_id().unwrap_or_default().to_owned(),
            item.resource_name().map(str::to_owned),
            item.arn().map(str::to_owned),
            item.account_id().unwrap_or_default().to_owned(),
            item.aws_region().unwrap_or_default().to_owned(),
            item.configuration_item_status()
                .map(|s| s.as_str())
                .unwrap_or("OK"),
            item.configuration_item_capture_time()
                .and_then(|t| t.to_millis().ok())
                .map(Timestamp::from_epoch_millis)
                .unwrap_or_else(Timestamp::now),
            item.configuration(),
            item.supplementary_configuration()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
    }};
}

/// The latest recorded configuration item of one resource (`GetResourceConfigHistory`, limit 1),
/// as an oversized change notification asks for.
pub async fn latest_item(
    client: &Client,
    resource_type: &str,
    resource_id: &str,
) -> Result<ConfigurationItem, AwsError> {
    const OP: &str = "config:GetResourceConfigHistory";
    let out = client
        .get_resource_config_history()
        .resource_type(ConfigResourceType::from(resource_type))
        .resource_id(resource_id)
        .limit(1)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(OP, e))?;
    let item = out.configuration_items().first().ok_or_else(|| AwsError {
        operation: OP,
        kind: crate::error::AwsErrorKind::NotFound,
        code: None,
        message: format!("no configuration item recorded for {resource_type} {resource_id}"),
    })?;
    Ok(item_from_sdk!(item))
}

/// Items Config could not return, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unprocessed {
    /// The resource type.
    pub resource_type: String,
    /// The resource id.
    pub resource_id: String,
    /// Why it was not returned.
    pub reason: String,
}

/// Every recorded, live resource of one type, as `ListDiscoveredResources` names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    /// The resource ids, sorted, without duplicates: the stable order a periodic pass walks
    /// and its cursor points into.
    pub ids: Vec<String>,
    /// The resource names Config gave with them, sorted, without duplicates (an evaluation
    /// stored under a name still names a live resource).
    pub names: Vec<String>,
}

/// Every recorded, live resource of `resource_type` in the account and region
/// (`ListDiscoveredResources`, 100 a page, every page).
pub async fn discovered(client: &Client, resource_type: &str) -> Result<Discovered, AwsError> {
    let mut found = Discovered::default();
    let mut pages = client
        .list_discovered_resources()
        .resource_type(ConfigResourceType::from(resource_type))
        .include_deleted_resources(false)
        .limit(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("config:ListDiscoveredResources", e))?;
        for identifier in page.resource_identifiers() {
            if let Some(id) = identifier.resource_id() {
                found.ids.push(id.to_owned());
                found
                    .names
                    .extend(identifier.resource_name().map(str::to_owned));
            }
        }
    }
    for list in [&mut found.ids, &mut found.names] {
        list.sort();
        list.dedup();
    }
    Ok(found)
}

/// The current configuration items of these (resource type, resource id) keys
/// (`BatchGetResourceConfig` in batches of 100, unprocessed keys retried up to 4 attempts).
/// Keys Config did not return, or whose batch failed, come back as [`Unprocessed`].
pub async fn batch_items(
    client: &Client,
    keys: &[(String, String)],
) -> Result<(Vec<ConfigurationItem>, Vec<Unprocessed>), AwsError> {
    let mut items = Vec::with_capacity(keys.len());
    let mut unprocessed = Vec::new();
    for chunk in keys.chunks(MAX_KEYS_PER_BATCH_GET) {
        let mut pending: Vec<(String, String)> = chunk.to_vec();
        for attempt in 0..4u32 {
            if pending.is_empty() {
                break;
            }
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
            let request_keys = pending
                .iter()
                .map(|(t, id)| {
                    ResourceKey::builder()
                        .resource_type(ConfigResourceType::from(t.as_str()))
                        .resource_id(id)
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| AwsError {
                    operation: "config:BatchGetResourceConfig",
                    kind: crate::error::AwsErrorKind::Invalid,
                    code: None,
                    message: e.to_string(),
                })?;
            let out = match client
                .batch_get_resource_config()
                .set_resource_keys(Some(request_keys))
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => {
                    // One unreadable batch makes its resources could-not-evaluate; the rest of the
                    // periodic run goes on.
                    let error = AwsError::from_sdk("config:BatchGetResourceConfig", e);
                    tracing::warn!(error = %error, keys = pending.len(), "a batch of configuration items could not be read");
                    unprocessed.extend(pending.drain(..).map(|(resource_type, resource_id)| {
                        Unprocessed {
                            resource_type,
                            resource_id,
                            reason: error.to_string(),
                        }
                    }));
                    break;
                }
            };
            items.extend(
                out.base_configuration_items()
                    .iter()
                    .map(|item| item_from_sdk!(item)),
            );
            pending = out
                .unprocessed_resource_keys()
                .iter()
                .map(|k| {
                    (
                        k.resource_type().as_str().to_owned(),
                        k.resource_id().to_owned(),
                    )
                })
                .collect();
        }
        unprocessed.extend(
            pending
                .into_iter()
                .map(|(resource_type, resource_id)| Unprocessed {
                    resource_type,
                    resource_id,
                    reason: "BatchGetResourceConfig left the key unprocessed after 4 attempts"
                        .into(),
                }),
        );
    }
    Ok((items, unprocessed))
}

/// One stored evaluation result of a rule, as `GetComplianceDetailsByConfigRule` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierEvaluation {
    /// The resource type.
    pub resource_type: String,
    /// The resource id.
    pub resource_id: String,
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE` or `INSUFFICIENT_DATA`, as Config says.
    pub compliance: String,
    /// The evaluation's `OrderingTimestamp`, when Config returned one.
    pub ordering: Option<Timestamp>,
}

/// The rule's stored evaluation results of these compliance types (`GetComplianceDetailsByConfigRule`,
/// 100 a page, every page; an empty `compliance_types` asks for every type). Results without a
/// resource type or id are skipped.
pub async fn rule_evaluations(
    client: &Client,
    rule_name: &str,
    compliance_types: &[&str],
) -> Result<Vec<EarlierEvaluation>, AwsError> {
    const OP: &str = "config:GetComplianceDetailsByConfigRule";
    let mut found = Vec::new();
    let types: Vec<ComplianceType> = compliance_types
        .iter()
        .map(|t| ComplianceType::from(*t))
        .collect();
    let mut pages = client
        .get_compliance_details_by_config_rule()
        .config_rule_name(rule_name)
        .set_compliance_types((!types.is_empty()).then_some(types))
        .limit(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk(OP, e))?;
        for result in page.evaluation_results() {
            let identifier = result.evaluation_result_identifier();
            let qualifier = identifier.and_then(|i| i.evaluation_result_qualifier());
            let (Some(resource_type), Some(resource_id)) = (
                qualifier.and_then(|q| q.resource_type()),
                qualifier.and_then(|q| q.resource_id()),
            ) else {
                continue;
            };
            found.push(EarlierEvaluation {
                resource_type: resource_type.to_owned(),
                resource_id: resource_id.to_owned(),
                compliance: result
                    .compliance_type()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
                ordering: identifier
                    .and_then(|i| i.ordering_timestamp())
                    .and_then(|t| t.to_millis().ok())
                    .map(Timestamp::from_epoch_millis),
            });
        }
    }
    Ok(found)
}

/// One evaluation for PutEvaluations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedEvaluation {
    /// `ComplianceResourceType`.
    pub resource_type: String,
    /// `ComplianceResourceId`.
    pub resource_id: String,
    /// `COMPLIANT`, `NON_COMPLIANT` or `NOT_APPLICABLE` (never `INSUFFICIENT_DATA`).
    pub compliance: &'static str,
    /// At most 256 characters; absent when empty.
    pub annotation: Option<String>,
    /// `OrderingTimestamp`.
    #[serde(skip)]
    pub ordering: Timestamp,
}

/// Sends evaluations in batches of 100. Returns the evaluations Config reported as failed after
/// one more try of just those, or the error that stopped the batches.
pub async fn put_evaluations(
    client: &Client,
    result_token: &str,
    test_mode: bool,
    evaluations: &[PlannedEvaluation],
) -> Result<Vec<PlannedEvaluation>, AwsError> {
    const OP: &str = "config:PutEvaluations";
    let mut failed_for_good = Vec::new();
    for chunk in evaluations.chunks(MAX_EVALUATIONS_PER_CALL) {
        let mut pending: Vec<PlannedEvaluation> = chunk.to_vec();
        for attempt in 0..2 {
            let sdk: Vec<Evaluation> = pending
                .iter()
                .map(to_sdk)
                .collect::<Result<_, _>>()
                .map_err(|message| AwsError {
                    operation: OP,
                    kind: crate::error::AwsErrorKind::Invalid,
                    code: None,
                    message,
                })?;
            let out = client
                .put_evaluations()
                .result_token(result_token)
                .test_mode(test_mode)
                .set_evaluations(Some(sdk))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk(OP, e))?;
            let failed: Vec<PlannedEvaluation> = out
                .failed_evaluations()
                .iter()
                .filter_map(|f| {
                    pending
                        .iter()
                        .find(|p| {
                            p.resource_id == f.compliance_resource_id()
                                && p.resource_type == f.compliance_resource_type()
                        })
                        .cloned()
                })
                .collect();
            if failed.is_empty() || attempt == 1 {
                failed_for_good.extend(failed);
                break;
            }
            pending = failed;
        }
    }
    Ok(failed_for_good)
}

fn to_sdk(planned: &PlannedEvaluation) -> Result<Evaluation, String> {
    Evaluation::builder()
        .compliance_resource_type(&planned.resource_type)
        .compliance_resource_id(&planned.resource_id)
        .compliance_type(ComplianceType::from(planned.compliance))
        .set_annotation(planned.annotation.clone())
        .ordering_timestamp(DateTime::from_millis(planned.ordering.epoch_millis()))
        .build()
        .map_err(|e| e.to_string())
}

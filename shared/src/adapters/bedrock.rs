//! Amazon Bedrock: guardrail and knowledge-base data source configuration items decoded into the
//! domain, and the state of every checked Bedrock resource collected from the Bedrock, Agents
//! for Bedrock, CloudWatch Logs and S3 APIs.

use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::resource::{Readable, Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::bedrock::{
    Agent, BucketDefaultEncryption, BucketDestination, ContentFilter, CustomModel, DataSource,
    Guardrail, GuardrailAttachment, InvocationLogging, LogGroupDestination, LoggingConfig,
    ModelCustomizationJob, SensitiveInformationPolicy,
};
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

/// Decodes an `AWS::Bedrock::Guardrail` or `AWS::Bedrock::DataSource` configuration item
/// (CloudFormation-style PascalCase fields under `configuration`). The other Bedrock types are
/// not recorded by AWS Config.
pub fn decode_config_item(resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    let config = match item.configuration_object() {
        Ok(config) => config,
        Err(unreadable) => return Decoded::Unreadable(unreadable),
    };
    let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_owned);
    match resource_type {
        ResourceType::BedrockGuardrail => {
            Decoded::Resource(Resource::BedrockGuardrail(Guardrail {
                id: text("GuardrailId").unwrap_or_else(|| item.resource_id.clone()),
                name: text("Name").or_else(|| item.resource_name.clone()),
                kms_key_arn: optional_text(config.get("KmsKeyArn"), "KmsKeyArn"),
                content_filters: content_filters(config.get("ContentPolicyConfig")),
                sensitive_information: sensitive_information(
                    config.get("SensitiveInformationPolicyConfig"),
                ),
            }))
        }
        ResourceType::BedrockDataSource => {
            let kms_key_arn = match config.get("ServerSideEncryptionConfiguration") {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Object(sse)) => optional_text(
                    sse.get("KmsKeyArn"),
                    "ServerSideEncryptionConfiguration.KmsKeyArn",
                ),
                Some(_) => Err(Unreadable::new(
                    "ServerSideEncryptionConfiguration in the configuration item is not an object",
                )),
            };
            Decoded::Resource(Resource::BedrockDataSource(DataSource {
                id: text("DataSourceId").unwrap_or_else(|| item.resource_id.clone()),
                knowledge_base_id: text("KnowledgeBaseId"),
                kms_key_arn,
            }))
        }
        _ => Decoded::UnsupportedType,
    }
}

/// A string field that may be absent (`None`); any other JSON type is unreadable.
fn optional_text(value: Option<&Value>, field: &str) -> Readable<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Unreadable::new(format!(
            "{field} in the configuration item is not a string"
        ))),
    }
}

fn content_filters(value: Option<&Value>) -> Readable<Vec<ContentFilter>> {
    let policy = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(policy)) => policy,
        Some(_) => {
            return Err(Unreadable::new(
                "ContentPolicyConfig in the configuration item is not an object",
            ));
        }
    };
    let filters = match policy.get("FiltersConfig") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(filters)) => filters,
        Some(_) => {
            return Err(Unreadable::new(
                "ContentPolicyConfig.FiltersConfig in the configuration item is not a list",
            ));
        }
    };
    filters
        .iter()
        .map(|filter| {
            let text = |key: &str| filter.get(key).and_then(Value::as_str).map(str::to_owned);
            let (Some(filter_type), Some(input_strength)) = (text("Type"), text("InputStrength")) else {
                return Err(Unreadable::new(
                    "a ContentPolicyConfig.FiltersConfig entry in the configuration item has no Type or InputStrength",
                ));
            };
            Ok(ContentFilter {
                filter_type,
                input_strength,
                input_enabled: filter.get("InputEnabled").and_then(Value::as_bool),
                input_action: text("InputAction"),
            })
        })
        .collect()
}

fn sensitive_information(value: Option<&Value>) -> Readable<Option<SensitiveInformationPolicy>> {
    let policy = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(policy)) => policy,
        Some(_) => {
            return Err(Unreadable::new(
                "SensitiveInformationPolicyConfig in the configuration item is not an object",
            ));
        }
    };
    let names = |list: &str, key: &str| -> Readable<Vec<String>> {
        match policy.get(list) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(entries)) => entries
                .iter()
                .map(|e| {
                    e.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
                        Unreadable::new(format!(
                            "a SensitiveInformationPolicyConfig.{list} entry in the configuration item has no {key}"
                        ))
                    })
                })
                .collect(),
            Some(_) => Err(Unreadable::new(format!(
                "SensitiveInformationPolicyConfig.{list} in the configuration item is not a list"
            ))),
        }
    };
    Ok(Some(SensitiveInformationPolicy {
        pii_entity_types: names("PiiEntitiesConfig", "Type")?,
        regex_names: names("RegexesConfig", "Name")?,
    }))
}

/// Why a per-resource read failed, as the reason of an unreadable field.
fn unreadable<E, R>(operation: &'static str, err: SdkError<E, R>) -> Unreadable
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    Unreadable::new(AwsError::from_sdk(operation, err).to_string())
}

fn subject(
    resource_type: ResourceType,
    resource_id: String,
    arn: Option<String>,
    scope: &Scope,
    observed_via: &'static str,
    resource: Resource,
) -> Subject {
    Subject {
        resource: ResourceRef {
            resource_type: resource_type.cfn_type().into(),
            resource_id,
            arn,
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
        },
        observed_at: Timestamp::now(),
        observed_via,
        state: SubjectState::Live(resource),
    }
}

/// Every custom model (`ListCustomModels`, every page), each read with `GetCustomModel`.
pub async fn collect_custom_models(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut models = Vec::new();
    let mut pages = client.list_custom_models().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListCustomModels", e))?;
        models.extend(
            page.model_summaries()
                .iter()
                .map(|m| (m.model_name().to_owned(), m.model_arn().to_owned())),
        );
    }
    let mut subjects = Vec::with_capacity(models.len());
    for (name, arn) in models {
        let kms_key_arn = client
            .get_custom_model()
            .model_identifier(&arn)
            .send()
            .await
            .map(|out| out.model_kms_key_arn().map(str::to_owned))
            .map_err(|e| unreadable("bedrock:GetCustomModel", e));
        let model = CustomModel {
            name: name.clone(),
            kms_key_arn,
        };
        subjects.push(subject(
            ResourceType::BedrockCustomModel,
            name,
            Some(arn),
            scope,
            "AWS API (bedrock:GetCustomModel)",
            Resource::BedrockCustomModel(model),
        ));
    }
    Ok(subjects)
}

/// Every model customization job (`ListModelCustomizationJobs`, every page), each read with
/// `GetModelCustomizationJob`.
pub async fn collect_model_customization_jobs(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut jobs = Vec::new();
    let mut pages = client
        .list_model_customization_jobs()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListModelCustomizationJobs", e))?;
        jobs.extend(
            page.model_customization_job_summaries()
                .iter()
                .map(|j| (j.job_name().to_owned(), j.job_arn().to_owned())),
        );
    }
    let mut subjects = Vec::with_capacity(jobs.len());
    for (name, arn) in jobs {
        let output_model_kms_key_arn = client
            .get_model_customization_job()
            .job_identifier(&name)
            .send()
            .await
            .map(|out| out.output_model_kms_key_arn().map(str::to_owned))
            .map_err(|e| unreadable("bedrock:GetModelCustomizationJob", e));
        let job = ModelCustomizationJob {
            name: name.clone(),
            output_model_kms_key_arn,
        };
        subjects.push(subject(
            ResourceType::BedrockModelCustomizationJob,
            name,
            Some(arn),
            scope,
            "AWS API (bedrock:GetModelCustomizationJob)",
            Resource::BedrockModelCustomizationJob(job),
        ));
    }
    Ok(subjects)
}

/// Every guardrail (`ListGuardrails`, every page: the working draft of each), each read with
/// `GetGuardrail`.
pub async fn collect_guardrails(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut guardrails = Vec::new();
    let mut pages = client.list_guardrails().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListGuardrails", e))?;
        guardrails.extend(
            page.guardrails()
                .iter()
                .map(|g| (g.id().to_owned(), g.name().to_owned(), g.arn().to_owned())),
        );
    }
    let mut subjects = Vec::with_capacity(guardrails.len());
    for (id, name, arn) in guardrails {
        let guardrail = match client
            .get_guardrail()
            .guardrail_identifier(&id)
            .send()
            .await
        {
            Ok(out) => Guardrail {
                id: id.clone(),
                name: Some(name),
                kms_key_arn: Ok(out
                    .kms_key_arn()
                    .filter(|k| !k.trim().is_empty())
                    .map(str::to_owned)),
                content_filters: Ok(out
                    .content_policy()
                    .map(|p| {
                        p.filters()
                            .iter()
                            .map(|f| ContentFilter {
                                filter_type: f.r#type().as_str().to_owned(),
                                input_strength: f.input_strength().as_str().to_owned(),
                                input_enabled: f.input_enabled(),
                                input_action: f.input_action().map(|a| a.as_str().to_owned()),
                            })
                            .collect()
                    })
                    .unwrap_or_default()),
                sensitive_information: Ok(out.sensitive_information_policy().map(|p| {
                    SensitiveInformationPolicy {
                        pii_entity_types: p
                            .pii_entities()
                            .iter()
                            .map(|e| e.r#type().as_str().to_owned())
                            .collect(),
                        regex_names: p.regexes().iter().map(|r| r.name().to_owned()).collect(),
                    }
                })),
            },
            Err(e) => {
                let reason = unreadable("bedrock:GetGuardrail", e);
                Guardrail {
                    id: id.clone(),
                    name: Some(name),
                    kms_key_arn: Err(reason.clone()),
                    content_filters: Err(reason.clone()),
                    sensitive_information: Err(reason),
                }
            }
        };
        subjects.push(subject(
            ResourceType::BedrockGuardrail,
            id,
            Some(arn),
            scope,
            "AWS API (bedrock:GetGuardrail)",
            Resource::BedrockGuardrail(guardrail),
        ));
    }
    Ok(subjects)
}

/// Every agent (`ListAgents`, every page), each read with `GetAgent` (its working draft).
pub async fn collect_agents(
    client: &aws_sdk_bedrockagent::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut agents = Vec::new();
    let mut pages = client.list_agents().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListAgents", e))?;
        agents.extend(
            page.agent_summaries()
                .iter()
                .map(|a| (a.agent_id().to_owned(), a.agent_name().to_owned())),
        );
    }
    let mut subjects = Vec::with_capacity(agents.len());
    for (id, name) in agents {
        let read = client.get_agent().agent_id(&id).send().await;
        let (agent, arn) = match read {
            Ok(out) => match out.agent() {
                Some(a) => (
                    Agent {
                        id: id.clone(),
                        name: Some(name),
                        kms_key_arn: Ok(a
                            .customer_encryption_key_arn()
                            .filter(|k| !k.trim().is_empty())
                            .map(str::to_owned)),
                        guardrail: Ok(a.guardrail_configuration().and_then(|g| {
                            let identifier =
                                g.guardrail_identifier().filter(|i| !i.trim().is_empty())?;
                            Some(GuardrailAttachment {
                                identifier: identifier.to_owned(),
                                version: g.guardrail_version().map(str::to_owned),
                            })
                        })),
                    },
                    Some(a.agent_arn().to_owned()),
                ),
                None => {
                    let reason = Unreadable::new("bedrock:GetAgent returned no agent");
                    (
                        Agent {
                            id: id.clone(),
                            name: Some(name),
                            kms_key_arn: Err(reason.clone()),
                            guardrail: Err(reason),
                        },
                        None,
                    )
                }
            },
            Err(e) => {
                let reason = unreadable("bedrock:GetAgent", e);
                (
                    Agent {
                        id: id.clone(),
                        name: Some(name),
                        kms_key_arn: Err(reason.clone()),
                        guardrail: Err(reason),
                    },
                    None,
                )
            }
        };
        subjects.push(subject(
            ResourceType::BedrockAgent,
            id,
            arn,
            scope,
            "AWS API (bedrock:GetAgent)",
            Resource::BedrockAgent(agent),
        ));
    }
    Ok(subjects)
}

/// Every data source of every knowledge base (`ListKnowledgeBases`, then `ListDataSources` per
/// knowledge base, every page), each read with `GetDataSource`.
pub async fn collect_data_sources(
    client: &aws_sdk_bedrockagent::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut knowledge_bases = Vec::new();
    let mut pages = client.list_knowledge_bases().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListKnowledgeBases", e))?;
        knowledge_bases.extend(
            page.knowledge_base_summaries()
                .iter()
                .map(|kb| kb.knowledge_base_id().to_owned()),
        );
    }
    let mut sources = Vec::new();
    for kb in &knowledge_bases {
        let mut pages = client
            .list_data_sources()
            .knowledge_base_id(kb)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListDataSources", e))?;
            sources.extend(
                page.data_source_summaries()
                    .iter()
                    .map(|ds| (kb.clone(), ds.data_source_id().to_owned())),
            );
        }
    }
    let mut subjects = Vec::with_capacity(sources.len());
    for (kb, id) in sources {
        let read = client
            .get_data_source()
            .knowledge_base_id(&kb)
            .data_source_id(&id)
            .send()
            .await;
        let kms_key_arn = match read {
            Ok(out) => match out.data_source() {
                Some(ds) => Ok(ds
                    .server_side_encryption_configuration()
                    .and_then(|sse| sse.kms_key_arn())
                    .filter(|k| !k.trim().is_empty())
                    .map(str::to_owned)),
                None => Err(Unreadable::new(
                    "bedrock:GetDataSource returned no data source",
                )),
            },
            Err(e) => Err(unreadable("bedrock:GetDataSource", e)),
        };
        // A data source has no ARN of its own. Its id is named like its CloudFormation primary
        // identifier, `<knowledgeBaseId>|<dataSourceId>` (the form Cloud Control uses).
        let resource_id = format!("{kb}|{id}");
        let source = DataSource {
            id,
            knowledge_base_id: Some(kb),
            kms_key_arn,
        };
        subjects.push(subject(
            ResourceType::BedrockDataSource,
            resource_id,
            None,
            scope,
            "AWS API (bedrock:GetDataSource)",
            Resource::BedrockDataSource(source),
        ));
    }
    Ok(subjects)
}

/// The model invocation logging configuration of the scope's region
/// (`GetModelInvocationLoggingConfiguration`), with the encryption of its destinations: the log
/// group's KMS key (`DescribeLogGroups`) and each bucket's default encryption
/// (`GetBucketEncryption`). Always one subject, whose resource id is the region; a failed read
/// makes the configuration unreadable.
pub async fn collect_invocation_logging(
    bedrock: &aws_sdk_bedrock::Client,
    logs: &aws_sdk_cloudwatchlogs::Client,
    s3: &aws_sdk_s3::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let config = match bedrock
        .get_model_invocation_logging_configuration()
        .send()
        .await
    {
        Err(e) => Err(unreadable(
            "bedrock:GetModelInvocationLoggingConfiguration",
            e,
        )),
        Ok(out) => match out.logging_config() {
            None => Ok(None),
            Some(lc) => {
                let cloudwatch = match lc
                    .cloud_watch_config()
                    .filter(|c| !c.log_group_name().is_empty())
                {
                    Some(cw) => Some(LogGroupDestination {
                        log_group_name: cw.log_group_name().to_owned(),
                        kms_key_id: log_group_kms_key(logs, cw.log_group_name()).await,
                    }),
                    None => None,
                };
                let mut buckets = Vec::new();
                if let Some(s3_config) = lc.s3_config().filter(|c| !c.bucket_name().is_empty()) {
                    buckets.push(("s3Config", s3_config.bucket_name().to_owned()));
                }
                if let Some(large) = lc
                    .cloud_watch_config()
                    .and_then(|cw| cw.large_data_delivery_s3_config())
                    .filter(|c| !c.bucket_name().is_empty())
                {
                    buckets.push((
                        "cloudWatchConfig.largeDataDeliveryS3Config",
                        large.bucket_name().to_owned(),
                    ));
                }
                let mut s3_destinations = Vec::with_capacity(buckets.len());
                for (role, bucket_name) in buckets {
                    let default_encryption = bucket_default_encryption(s3, &bucket_name).await;
                    s3_destinations.push(BucketDestination {
                        role: role.to_owned(),
                        bucket_name,
                        default_encryption,
                    });
                }
                Ok(Some(LoggingConfig {
                    text_data_delivery: lc.text_data_delivery_enabled().unwrap_or(false),
                    cloudwatch,
                    s3: s3_destinations,
                }))
            }
        },
    };
    let logging = InvocationLogging {
        region: scope.region.clone(),
        config,
    };
    Ok(vec![subject(
        ResourceType::BedrockInvocationLogging,
        scope.region.clone(),
        None,
        scope,
        "AWS API (bedrock:GetModelInvocationLoggingConfiguration, logs:DescribeLogGroups, s3:GetEncryptionConfiguration)",
        Resource::BedrockInvocationLogging(logging),
    )])
}

/// The KMS key of the log group named exactly `name` (`DescribeLogGroups` by prefix, every page).
async fn log_group_kms_key(
    logs: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
) -> Readable<Option<String>> {
    let mut pages = logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unreadable("logs:DescribeLogGroups", e))?;
        if let Some(group) = page
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
        {
            return Ok(group
                .kms_key_id()
                .filter(|k| !k.trim().is_empty())
                .map(str::to_owned));
        }
    }
    Err(Unreadable::new(format!(
        "logs:DescribeLogGroups found no log group named {name}"
    )))
}

/// The bucket's default encryption rule; `None` for the documented "not configured" error.
async fn bucket_default_encryption(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
) -> Readable<Option<BucketDefaultEncryption>> {
    match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(out) => Ok(out.server_side_encryption_configuration().and_then(|c| {
            c.rules().iter().find_map(|rule| {
                let default = rule.apply_server_side_encryption_by_default()?;
                Some(BucketDefaultEncryption {
                    algorithm: default.sse_algorithm().as_str().to_owned(),
                    kms_key_id: default.kms_master_key_id().map(str::to_owned),
                })
            })
        })),
        Err(e)
            if e.as_service_error().and_then(|s| s.code())
                == Some("ServerSideEncryptionConfigurationNotFoundError") =>
        {
            Ok(None)
        }
        Err(e) => Err(unreadable("s3:GetEncryptionConfiguration", e)),
    }
}

/// The account-and-region view of the guardrails `collect_guardrails` read: one subject for the
/// check that a protective guardrail exists. A guardrail that could not be read counts as one
/// whose every setting is unreadable; a failed listing makes the whole inventory unreadable.
pub fn guardrail_inventory(scope: &Scope, collected: &Result<Vec<Subject>, AwsError>) -> Subject {
    use crate::domain::resources::bedrock::GuardrailInventory;
    let guardrails = match collected {
        Err(error) => Err(Unreadable::new(error.to_string())),
        Ok(subjects) => Ok(subjects
            .iter()
            .filter_map(|subject| match &subject.state {
                SubjectState::Live(Resource::BedrockGuardrail(guardrail)) => {
                    Some(guardrail.clone())
                }
                SubjectState::Unreadable(reason) => Some(Guardrail {
                    id: subject.resource.resource_id.clone(),
                    name: None,
                    kms_key_arn: Err(Unreadable::new(reason.clone())),
                    content_filters: Err(Unreadable::new(reason.clone())),
                    sensitive_information: Err(Unreadable::new(reason.clone())),
                }),
                _ => None,
            })
            .collect()),
    };
    Subject {
        resource: ResourceRef {
            resource_type: ResourceType::BedrockGuardrailInventory.cfn_type().into(),
            resource_id: scope.region.clone(),
            arn: None,
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
        },
        observed_at: Timestamp::now(),
        observed_via: "AWS API (bedrock:ListGuardrails, GetGuardrail)",
        state: SubjectState::Live(Resource::BedrockGuardrailInventory(GuardrailInventory {
            region: scope.region.clone(),
            guardrails,
        })),
    }
}

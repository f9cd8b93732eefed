//! Amazon Bedrock: guardrail and knowledge-base data source configuration items decoded into the
//! domain, and the state of every checked Bedrock resource collected from the Bedrock, Agents
//! for Bedrock, CloudWatch Logs and S3 APIs.

use std::error::Error as StdError;

use aws_sdk_bedrock::operation::get_custom_model::GetCustomModelOutput;
use aws_sdk_bedrock::operation::get_guardrail::GetGuardrailOutput;
use aws_sdk_bedrock::operation::get_model_customization_job::GetModelCustomizationJobOutput;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::resource::{Readable, Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::bedrock::{
    Agent, BucketDefaultEncryption, BucketDestination, ContentFilter, CustomModel, DataSource,
    GroundingFilter, Guardrail, GuardrailAttachment, InvocationLogging, LogGroupDestination,
    LoggingConfig, ModelCustomizationJob, SensitiveInformationPolicy,
};
use crate::domain::resources::bedrock::{ImportedModel, ModelInvocationJob};
use crate::domain::scope::{Link, Links};
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
                grounding_filters: grounding_filters(config.get("ContextualGroundingPolicyConfig")),
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
                output_strength: text("OutputStrength"),
                output_enabled: filter.get("OutputEnabled").and_then(Value::as_bool),
                output_action: text("OutputAction"),
            })
        })
        .collect()
}

/// `ContextualGroundingPolicyConfig.FiltersConfig` of a guardrail's configuration item.
fn grounding_filters(value: Option<&Value>) -> Readable<Vec<GroundingFilter>> {
    let policy = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(policy)) => policy,
        Some(_) => {
            return Err(Unreadable::new(
                "ContextualGroundingPolicyConfig in the configuration item is not an object",
            ));
        }
    };
    let filters = match policy.get("FiltersConfig") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(filters)) => filters,
        Some(_) => {
            return Err(Unreadable::new(
                "ContextualGroundingPolicyConfig.FiltersConfig in the configuration item is not a list",
            ));
        }
    };
    filters
        .iter()
        .map(|filter| {
            let (Some(filter_type), Some(threshold)) = (
                filter.get("Type").and_then(Value::as_str),
                filter.get("Threshold").and_then(Value::as_f64),
            ) else {
                return Err(Unreadable::new(
                    "a ContextualGroundingPolicyConfig.FiltersConfig entry in the configuration item has no Type or numeric Threshold",
                ));
            };
            Ok(GroundingFilter {
                filter_type: filter_type.to_owned(),
                threshold,
                enabled: filter.get("Enabled").and_then(Value::as_bool),
                action: filter.get("Action").and_then(Value::as_str).map(str::to_owned),
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
fn unreadable<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> Unreadable
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
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
    links: Vec<Link>,
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
        links,
    }
}

// Links: what each resource points at, read from the same Get* response (no extra call).

/// What a custom model points at: its KMS key, its training and validation data and the
/// output location of the job that made it.
pub fn custom_model_links(out: &GetCustomModelOutput) -> Vec<Link> {
    let mut links = Links::new(format!("Bedrock custom model {:?}", out.model_name()));
    links.key(out.model_kms_key_arn(), "model key").bucket(
        out.training_data_config().and_then(|t| t.s3_uri()),
        "training data",
    );
    for validator in out
        .validation_data_config()
        .map(|v| v.validators())
        .unwrap_or_default()
    {
        links.bucket(Some(validator.s3_uri()), "validation data");
    }
    links.bucket(
        out.output_data_config().map(|o| o.s3_uri()),
        "customization output",
    );
    links.into_vec()
}

/// What a model customization job points at: its service role, its training and validation
/// data, its output location and the key of the model it makes.
pub fn customization_job_links(out: &GetModelCustomizationJobOutput) -> Vec<Link> {
    let mut links = Links::new(format!(
        "Bedrock model customization job {:?}",
        out.job_name()
    ));
    links.role(Some(out.role_arn()), "service role").bucket(
        out.training_data_config().and_then(|t| t.s3_uri()),
        "training data",
    );
    for validator in out
        .validation_data_config()
        .map(|v| v.validators())
        .unwrap_or_default()
    {
        links.bucket(Some(validator.s3_uri()), "validation data");
    }
    links
        .bucket(out.output_data_config().map(|o| o.s3_uri()), "output")
        .key(out.output_model_kms_key_arn(), "output model key");
    links.into_vec()
}

/// What a guardrail points at: its KMS key.
pub fn guardrail_links(out: &GetGuardrailOutput) -> Vec<Link> {
    let mut links = Links::new(format!("Bedrock guardrail {:?}", out.name()));
    links.key(out.kms_key_arn(), "encryption key");
    links.into_vec()
}

/// What an agent points at: its execution role and its KMS key.
pub fn agent_links(agent: &aws_sdk_bedrockagent::types::Agent) -> Vec<Link> {
    let mut links = Links::new(format!("Bedrock agent {:?}", agent.agent_name()));
    links
        .role(Some(agent.agent_resource_role_arn()), "execution role")
        .key(agent.customer_encryption_key_arn(), "encryption key");
    links.into_vec()
}

/// What a knowledge base data source points at: its S3 source bucket and the KMS key of its
/// transient ingestion data.
pub fn data_source_links(source: &aws_sdk_bedrockagent::types::DataSource) -> Vec<Link> {
    let mut links = Links::new(format!(
        "data source {:?} of Bedrock knowledge base {}",
        source.name(),
        source.knowledge_base_id()
    ));
    links
        .bucket(
            source
                .data_source_configuration()
                .and_then(|c| c.s3_configuration())
                .map(|s| s.bucket_arn()),
            "source data",
        )
        .key(
            source
                .server_side_encryption_configuration()
                .and_then(|e| e.kms_key_arn()),
            "ingestion key",
        );
    links.into_vec()
}

/// What the model invocation logging of `region` points at: its S3 bucket, its log group and the
/// role that delivers to it, and the log group's large-data bucket.
pub fn invocation_logging_links(
    region: &str,
    config: &aws_sdk_bedrock::types::LoggingConfig,
) -> Vec<Link> {
    let mut links = Links::new(format!("Bedrock model invocation logging in {region}"));
    links.bucket(
        config.s3_config().map(|c| c.bucket_name()),
        "log destination",
    );
    if let Some(cloudwatch) = config.cloud_watch_config() {
        links
            .log_group(Some(cloudwatch.log_group_name()), "log destination")
            .role(Some(cloudwatch.role_arn()), "log delivery role")
            .bucket(
                cloudwatch
                    .large_data_delivery_s3_config()
                    .map(|c| c.bucket_name()),
                "large-data log destination",
            );
    }
    links.into_vec()
}

/// Every custom model (`ListCustomModels`, every page), each read with [`read_custom_model`].
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
    Ok(super::bounded(models, |(name, arn)| async move {
        as_listed(read_custom_model(client, scope, &arn).await, name, arn)
    })
    .await)
}

/// One custom model by name or ARN (`GetCustomModel`), identified by its name.
pub async fn read_custom_model(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetCustomModel)";
    match client.get_custom_model().model_identifier(id).send().await {
        Ok(out) => {
            let model = CustomModel {
                name: out.model_name().to_owned(),
                kms_key_arn: Ok(out.model_kms_key_arn().map(str::to_owned)),
            };
            subject(
                ResourceType::BedrockCustomModel,
                out.model_name().to_owned(),
                Some(out.model_arn().to_owned()),
                scope,
                via,
                Resource::BedrockCustomModel(model),
                custom_model_links(&out),
            )
        }
        Err(e) => failed_subject(
            ResourceType::BedrockCustomModel,
            id,
            scope,
            via,
            super::failed_read(AwsError::from_sdk("bedrock:GetCustomModel", e)),
        ),
    }
}

/// Every model customization job (`ListModelCustomizationJobs`, every page), each read with
/// [`read_customization_job`].
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
    Ok(super::bounded(jobs, |(name, arn)| async move {
        as_listed(
            read_customization_job(client, scope, &name).await,
            name,
            arn,
        )
    })
    .await)
}

/// One model customization job by name or ARN (`GetModelCustomizationJob`), identified by its
/// name.
pub async fn read_customization_job(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetModelCustomizationJob)";
    match client
        .get_model_customization_job()
        .job_identifier(id)
        .send()
        .await
    {
        Ok(out) => {
            let job = ModelCustomizationJob {
                name: out.job_name().to_owned(),
                output_model_kms_key_arn: Ok(out.output_model_kms_key_arn().map(str::to_owned)),
            };
            subject(
                ResourceType::BedrockModelCustomizationJob,
                out.job_name().to_owned(),
                Some(out.job_arn().to_owned()),
                scope,
                via,
                Resource::BedrockModelCustomizationJob(job),
                customization_job_links(&out),
            )
        }
        Err(e) => failed_subject(
            ResourceType::BedrockModelCustomizationJob,
            id,
            scope,
            via,
            super::failed_read(AwsError::from_sdk("bedrock:GetModelCustomizationJob", e)),
        ),
    }
}

/// Every guardrail (`ListGuardrails`, every page: the working draft of each), each read with
/// [`read_guardrail`].
pub async fn collect_guardrails(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client.list_guardrails().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListGuardrails", e))?;
        ids.extend(page.guardrails().iter().map(|g| g.id().to_owned()));
    }
    Ok(super::bounded(
        ids,
        |id| async move { read_guardrail(client, scope, &id).await },
    )
    .await)
}

/// One guardrail's working draft by id (`GetGuardrail`), identified by its id.
pub async fn read_guardrail(client: &aws_sdk_bedrock::Client, scope: &Scope, id: &str) -> Subject {
    let via = "AWS API (bedrock:GetGuardrail)";
    let out = match client.get_guardrail().guardrail_identifier(id).send().await {
        Ok(out) => out,
        Err(e) => {
            return failed_subject(
                ResourceType::BedrockGuardrail,
                id,
                scope,
                via,
                super::failed_read(AwsError::from_sdk("bedrock:GetGuardrail", e)),
            );
        }
    };
    let guardrail = guardrail_from_api(&out);
    subject(
        ResourceType::BedrockGuardrail,
        out.guardrail_id().to_owned(),
        Some(out.guardrail_arn().to_owned()),
        scope,
        via,
        Resource::BedrockGuardrail(guardrail),
        guardrail_links(&out),
    )
}

/// A guardrail (the draft or the version it was read at) from `GetGuardrail`.
pub fn guardrail_from_api(out: &GetGuardrailOutput) -> Guardrail {
    Guardrail {
        id: out.guardrail_id().to_owned(),
        name: Some(out.name().to_owned()),
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
                        output_strength: Some(f.output_strength().as_str().to_owned()),
                        output_enabled: f.output_enabled(),
                        output_action: f.output_action().map(|a| a.as_str().to_owned()),
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
        grounding_filters: Ok(out
            .contextual_grounding_policy()
            .map(|p| {
                p.filters()
                    .iter()
                    .map(|f| GroundingFilter {
                        filter_type: f.r#type().as_str().to_owned(),
                        threshold: f.threshold(),
                        enabled: f.enabled(),
                        action: f.action().map(|a| a.as_str().to_owned()),
                    })
                    .collect()
            })
            .unwrap_or_default()),
    }
}

/// An agent from `GetAgent`'s `agent` (its working draft); `id` is the id it was read by.
pub fn agent_from_api(id: &str, agent: &aws_sdk_bedrockagent::types::Agent) -> Agent {
    Agent {
        id: id.to_owned(),
        name: Some(agent.agent_name().to_owned()),
        kms_key_arn: Ok(agent
            .customer_encryption_key_arn()
            .filter(|k| !k.trim().is_empty())
            .map(str::to_owned)),
        guardrail: Ok(agent.guardrail_configuration().and_then(|g| {
            let identifier = g.guardrail_identifier().filter(|i| !i.trim().is_empty())?;
            Some(GuardrailAttachment {
                identifier: identifier.to_owned(),
                version: g.guardrail_version().map(str::to_owned),
            })
        })),
    }
}

/// A knowledge base data source from `GetDataSource`'s `dataSource`.
pub fn data_source_from_api(source: &aws_sdk_bedrockagent::types::DataSource) -> DataSource {
    DataSource {
        id: source.data_source_id().to_owned(),
        knowledge_base_id: Some(source.knowledge_base_id().to_owned()),
        kms_key_arn: Ok(source
            .server_side_encryption_configuration()
            .and_then(|sse| sse.kms_key_arn())
            .filter(|k| !k.trim().is_empty())
            .map(str::to_owned)),
    }
}

/// Every agent (`ListAgents`, every page), each read with [`read_agent`] (its working draft).
pub async fn collect_agents(
    client: &aws_sdk_bedrockagent::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client.list_agents().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListAgents", e))?;
        ids.extend(
            page.agent_summaries()
                .iter()
                .map(|a| a.agent_id().to_owned()),
        );
    }
    Ok(super::bounded(
        ids,
        |id| async move { read_agent(client, scope, &id).await },
    )
    .await)
}

/// One agent's working draft by id (`GetAgent`), identified by its id.
pub async fn read_agent(client: &aws_sdk_bedrockagent::Client, scope: &Scope, id: &str) -> Subject {
    let via = "AWS API (bedrock:GetAgent)";
    let state = match client.get_agent().agent_id(id).send().await {
        Ok(out) => match out.agent() {
            Some(agent) => {
                return subject(
                    ResourceType::BedrockAgent,
                    id.to_owned(),
                    Some(agent.agent_arn().to_owned()),
                    scope,
                    via,
                    Resource::BedrockAgent(agent_from_api(id, agent)),
                    agent_links(agent),
                );
            }
            None => SubjectState::Unreadable("bedrock:GetAgent returned no agent".into()),
        },
        Err(e) => super::failed_read(AwsError::from_sdk("bedrock:GetAgent", e)),
    };
    failed_subject(ResourceType::BedrockAgent, id, scope, via, state)
}

/// Every data source of every knowledge base (`ListKnowledgeBases`, then `ListDataSources` per
/// knowledge base, every page), each read with [`read_data_source`].
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
    Ok(super::bounded(sources, |(kb, ds)| async move {
        read_data_source(client, scope, &kb, &ds).await
    })
    .await)
}

/// One knowledge base data source (`GetDataSource`). A data source has no ARN of its own: it is
/// identified like its CloudFormation primary identifier, `<knowledgeBaseId>|<dataSourceId>`
/// (the form Cloud Control uses).
pub async fn read_data_source(
    client: &aws_sdk_bedrockagent::Client,
    scope: &Scope,
    knowledge_base: &str,
    data_source: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetDataSource)";
    let resource_id = format!("{knowledge_base}|{data_source}");
    let read = client
        .get_data_source()
        .knowledge_base_id(knowledge_base)
        .data_source_id(data_source)
        .send()
        .await;
    let state = match read {
        Ok(out) => match out.data_source() {
            Some(source) => {
                return subject(
                    ResourceType::BedrockDataSource,
                    resource_id,
                    None,
                    scope,
                    via,
                    Resource::BedrockDataSource(data_source_from_api(source)),
                    data_source_links(source),
                );
            }
            None => {
                SubjectState::Unreadable("bedrock:GetDataSource returned no data source".into())
            }
        },
        Err(e) => super::failed_read(AwsError::from_sdk("bedrock:GetDataSource", e)),
    };
    failed_subject(
        ResourceType::BedrockDataSource,
        &resource_id,
        scope,
        via,
        state,
    )
}

/// A listed resource whose read failed keeps the name and ARN the listing gave it.
fn as_listed(mut subject: Subject, name: String, arn: String) -> Subject {
    if !matches!(subject.state, SubjectState::Live(_)) {
        subject.resource.resource_id = name;
        subject.resource.arn = Some(arn);
    }
    subject
}

/// A resource whose own read failed (`state`: gone or unreadable, as
/// [`failed_read`](super::failed_read) decides), identified by the id it was read by (and as its
/// ARN when that id is one).
fn failed_subject(
    resource_type: ResourceType,
    id: &str,
    scope: &Scope,
    via: &'static str,
    state: SubjectState,
) -> Subject {
    let arn = id.starts_with("arn:").then(|| id.to_owned());
    super::subject_at(scope, resource_type, id, arn, via, state)
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
    let mut links = Vec::new();
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
                links = invocation_logging_links(&scope.region, lc);
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
        links,
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
                    grounding_filters: Err(Unreadable::new(reason.clone())),
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
        links: Vec::new(),
    }
}

/// The region's guardrail inventory, from every guardrail ([`collect_guardrails`]).
pub async fn read_guardrail_inventory(client: &aws_sdk_bedrock::Client, scope: &Scope) -> Subject {
    guardrail_inventory(scope, &collect_guardrails(client, scope).await)
}

/// The region's model invocation logging ([`collect_invocation_logging`]); a failed read of
/// the configuration is one unreadable subject.
pub async fn read_invocation_logging(
    bedrock: &aws_sdk_bedrock::Client,
    logs: &aws_sdk_cloudwatchlogs::Client,
    s3: &aws_sdk_s3::Client,
    scope: &Scope,
) -> Vec<Subject> {
    collect_invocation_logging(bedrock, logs, s3, scope)
        .await
        .unwrap_or_else(|error| {
            vec![super::subject_at(
                scope,
                ResourceType::BedrockInvocationLogging,
                &scope.region,
                None,
                "AWS API (bedrock:GetModelInvocationLoggingConfiguration)",
                SubjectState::Unreadable(error.to_string()),
            )]
        })
}

// Imported models and batch inference jobs.

/// Every imported model (`ListImportedModels`, every page), each read with
/// [`read_imported_model`].
pub async fn collect_imported_models(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut models = Vec::new();
    let mut pages = client.list_imported_models().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListImportedModels", e))?;
        models.extend(
            page.model_summaries()
                .iter()
                .map(|m| (m.model_name().to_owned(), m.model_arn().to_owned())),
        );
    }
    Ok(super::bounded(models, |(name, arn)| async move {
        as_listed(read_imported_model(client, scope, &arn).await, name, arn)
    })
    .await)
}

/// An imported model from `GetImportedModel`, with what it links (its KMS key).
pub fn imported_model_from_api(
    out: &aws_sdk_bedrock::operation::get_imported_model::GetImportedModelOutput,
) -> (ImportedModel, Vec<Link>) {
    let name = out.model_name().unwrap_or_default().to_owned();
    let mut links = Links::new(format!("Bedrock imported model {name:?}"));
    links.key(out.model_kms_key_arn(), "model key");
    let model = ImportedModel {
        name,
        kms_key_arn: Ok(out.model_kms_key_arn().map(str::to_owned)),
    };
    (model, links.into_vec())
}

/// One imported model by name or ARN (`GetImportedModel`), identified by its name.
pub async fn read_imported_model(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetImportedModel)";
    match client
        .get_imported_model()
        .model_identifier(id)
        .send()
        .await
    {
        Ok(out) => {
            let (model, links) = imported_model_from_api(&out);
            subject(
                ResourceType::BedrockImportedModel,
                model.name.clone(),
                out.model_arn().map(str::to_owned),
                scope,
                via,
                Resource::BedrockImportedModel(model),
                links,
            )
        }
        Err(e) => failed_subject(
            ResourceType::BedrockImportedModel,
            id,
            scope,
            via,
            super::failed_read(AwsError::from_sdk("bedrock:GetImportedModel", e)),
        ),
    }
}

/// A batch inference job from its output configuration (as `ListModelInvocationJobs`'
/// summaries and `GetModelInvocationJob` both carry it), with what it links: its output
/// bucket, the output key and its service role.
pub fn invocation_job_from_api(
    name: &str,
    role_arn: &str,
    output: Option<&aws_sdk_bedrock::types::ModelInvocationJobOutputDataConfig>,
) -> (ModelInvocationJob, Vec<Link>) {
    use aws_sdk_bedrock::types::ModelInvocationJobOutputDataConfig as Output;
    let mut links = Links::new(format!("Bedrock batch inference job {name:?}"));
    links.role(Some(role_arn), "service role");
    let output_kms_key_id = match output {
        None => Ok(None),
        Some(Output::S3OutputDataConfig(s3)) => {
            links
                .bucket(Some(s3.s3_uri()), "batch output")
                .key(s3.s3_encryption_key_id(), "output key");
            Ok(s3.s3_encryption_key_id().map(str::to_owned))
        }
        Some(_) => Err(Unreadable::new(
            "the job's outputDataConfig is of a kind this SDK does not know",
        )),
    };
    let job = ModelInvocationJob {
        name: name.to_owned(),
        output_kms_key_id,
    };
    (job, links.into_vec())
}

/// Every batch inference job (`ListModelInvocationJobs`, every page); the summaries carry the
/// output configuration, so no job is read again.
pub async fn collect_model_invocation_jobs(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let via = "AWS API (bedrock:ListModelInvocationJobs)";
    let mut subjects = Vec::new();
    let mut pages = client.list_model_invocation_jobs().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock:ListModelInvocationJobs", e))?;
        for summary in page.invocation_job_summaries() {
            let (job, links) = invocation_job_from_api(
                summary.job_name(),
                summary.role_arn(),
                summary.output_data_config(),
            );
            subjects.push(subject(
                ResourceType::BedrockModelInvocationJob,
                summary.job_name().to_owned(),
                Some(summary.job_arn().to_owned()),
                scope,
                via,
                Resource::BedrockModelInvocationJob(job),
                links,
            ));
        }
    }
    Ok(subjects)
}

/// One batch inference job by ARN (`GetModelInvocationJob`), identified by its name.
pub async fn read_model_invocation_job(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetModelInvocationJob)";
    match client
        .get_model_invocation_job()
        .job_identifier(id)
        .send()
        .await
    {
        Ok(out) => {
            let (job, links) = invocation_job_from_api(
                out.job_name().unwrap_or(id),
                out.role_arn(),
                out.output_data_config(),
            );
            subject(
                ResourceType::BedrockModelInvocationJob,
                job.name.clone(),
                Some(out.job_arn().to_owned()),
                scope,
                via,
                Resource::BedrockModelInvocationJob(job),
                links,
            )
        }
        Err(e) => failed_subject(
            ResourceType::BedrockModelInvocationJob,
            id,
            scope,
            via,
            super::failed_read(AwsError::from_sdk("bedrock:GetModelInvocationJob", e)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_bedrock::types::{
        CloudWatchConfig, GuardrailStatus, LoggingConfig, OutputDataConfig, S3Config,
        TrainingDataConfig, ValidationDataConfig, Validator,
    };
    use aws_sdk_bedrockagent::types::{
        AgentStatus, DataSourceConfiguration, DataSourceStatus, DataSourceType,
        S3DataSourceConfiguration, ServerSideEncryptionConfiguration,
    };
    use aws_smithy_types::DateTime;

    use super::*;

    const KEY_ARN: &str =
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const ROLE: &str = "arn:aws:iam::123456789012:role/bedrock-exec";

    fn reasons(links: Vec<Link>) -> Vec<String> {
        links.into_iter().map(|l| l.reason).collect()
    }

    fn data() -> (TrainingDataConfig, ValidationDataConfig, OutputDataConfig) {
        (
            TrainingDataConfig::builder()
                .s3_uri("s3://tuning-data/train.jsonl")
                .build(),
            ValidationDataConfig::builder()
                .validators(
                    Validator::builder()
                        .s3_uri("s3://tuning-data/validation.jsonl")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
            OutputDataConfig::builder()
                .s3_uri("s3://tuning-out/")
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn a_customization_job_links_its_role_data_output_and_key() {
        let (training, validation, output) = data();
        let out = GetModelCustomizationJobOutput::builder()
            .job_arn("arn:aws:bedrock:us-east-1:123456789012:model-customization-job/j")
            .job_name("tune-1")
            .output_model_name("m")
            .role_arn(ROLE)
            .creation_time(DateTime::from_secs(0))
            .base_model_arn("arn:aws:bedrock:us-east-1::foundation-model/x")
            .training_data_config(training)
            .validation_data_config(validation)
            .output_data_config(output)
            .output_model_kms_key_arn(KEY_ARN)
            .build()
            .unwrap();
        let job = "Bedrock model customization job \"tune-1\"";
        assert_eq!(
            reasons(customization_job_links(&out)),
            [
                format!("role {ROLE}: service role of {job}"),
                format!("bucket \"tuning-data\": training data of {job}"),
                format!("bucket \"tuning-data\": validation data of {job}"),
                format!("bucket \"tuning-out\": output of {job}"),
                format!("KMS key {KEY_ID}: output model key of {job}"),
            ]
        );
    }

    #[test]
    fn a_custom_model_links_its_key_and_data() {
        let (training, validation, output) = data();
        let out = GetCustomModelOutput::builder()
            .model_arn("arn:aws:bedrock:us-east-1:123456789012:custom-model/m")
            .model_name("m")
            .creation_time(DateTime::from_secs(0))
            .model_kms_key_arn(KEY_ARN)
            .training_data_config(training)
            .validation_data_config(validation)
            .output_data_config(output)
            .build()
            .unwrap();
        let model = "Bedrock custom model \"m\"";
        assert_eq!(
            reasons(custom_model_links(&out)),
            [
                format!("KMS key {KEY_ID}: model key of {model}"),
                format!("bucket \"tuning-data\": training data of {model}"),
                format!("bucket \"tuning-data\": validation data of {model}"),
                format!("bucket \"tuning-out\": customization output of {model}"),
            ]
        );
    }

    #[test]
    fn guardrails_agents_and_data_sources_link_their_keys_roles_and_buckets() {
        let guardrail = GetGuardrailOutput::builder()
            .name("g")
            .guardrail_id("gid")
            .guardrail_arn("arn:aws:bedrock:us-east-1:123456789012:guardrail/gid")
            .version("DRAFT")
            .status(GuardrailStatus::Ready)
            .created_at(DateTime::from_secs(0))
            .updated_at(DateTime::from_secs(0))
            .blocked_input_messaging("no")
            .blocked_outputs_messaging("no")
            .kms_key_arn(KEY_ARN)
            .build()
            .unwrap();
        assert_eq!(
            reasons(guardrail_links(&guardrail)),
            [format!(
                "KMS key {KEY_ID}: encryption key of Bedrock guardrail \"g\""
            )]
        );

        let agent = aws_sdk_bedrockagent::types::Agent::builder()
            .agent_id("a1")
            .agent_name("support")
            .agent_arn("arn:aws:bedrock:us-east-1:123456789012:agent/a1")
            .agent_version("DRAFT")
            .agent_status(AgentStatus::Prepared)
            .idle_session_ttl_in_seconds(600)
            .agent_resource_role_arn(ROLE)
            .customer_encryption_key_arn(KEY_ARN)
            .created_at(DateTime::from_secs(0))
            .updated_at(DateTime::from_secs(0))
            .build()
            .unwrap();
        assert_eq!(
            reasons(agent_links(&agent)),
            [
                format!("role {ROLE}: execution role of Bedrock agent \"support\""),
                format!("KMS key {KEY_ID}: encryption key of Bedrock agent \"support\""),
            ]
        );

        let source = aws_sdk_bedrockagent::types::DataSource::builder()
            .knowledge_base_id("KB1")
            .data_source_id("DS1")
            .name("manuals")
            .status(DataSourceStatus::Available)
            .created_at(DateTime::from_secs(0))
            .updated_at(DateTime::from_secs(0))
            .data_source_configuration(
                DataSourceConfiguration::builder()
                    .r#type(DataSourceType::S3)
                    .s3_configuration(
                        S3DataSourceConfiguration::builder()
                            .bucket_arn("arn:aws:s3:::kb-manuals")
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .kms_key_arn(KEY_ARN)
                    .build(),
            )
            .build()
            .unwrap();
        assert_eq!(
            reasons(data_source_links(&source)),
            [
                "bucket \"kb-manuals\": source data of data source \"manuals\" of Bedrock knowledge base KB1".to_owned(),
                format!("KMS key {KEY_ID}: ingestion key of data source \"manuals\" of Bedrock knowledge base KB1"),
            ]
        );
    }

    #[test]
    fn invocation_logging_links_its_buckets_log_group_and_delivery_role() {
        let config = LoggingConfig::builder()
            .s3_config(
                S3Config::builder()
                    .bucket_name("invocation-logs")
                    .build()
                    .unwrap(),
            )
            .cloud_watch_config(
                CloudWatchConfig::builder()
                    .log_group_name("/aws/bedrock/invocations")
                    .role_arn(ROLE)
                    .large_data_delivery_s3_config(
                        S3Config::builder()
                            .bucket_name("large-logs")
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build();
        let owner = "Bedrock model invocation logging in us-east-1";
        assert_eq!(
            reasons(invocation_logging_links("us-east-1", &config)),
            [
                format!("bucket \"invocation-logs\": log destination of {owner}"),
                format!("log group \"/aws/bedrock/invocations\": log destination of {owner}"),
                format!("role {ROLE}: log delivery role of {owner}"),
                format!("bucket \"large-logs\": large-data log destination of {owner}"),
            ]
        );
    }
}

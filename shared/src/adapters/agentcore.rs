//! Amazon Bedrock AgentCore: runtime, gateway, memory, custom browser and custom code interpreter
//! configuration items decoded into the domain, and their state (with the region's token vault
//! and the gateways' and memories' CloudWatch Logs deliveries) collected from the
//! bedrock-agentcore-control and CloudWatch Logs APIs.

use std::collections::BTreeMap;

use aws_sdk_bedrockagentcorecontrol::Client;
use aws_sdk_bedrockagentcorecontrol::operation::get_agent_runtime::GetAgentRuntimeOutput;
use aws_sdk_bedrockagentcorecontrol::operation::get_browser::GetBrowserOutput;
use aws_sdk_bedrockagentcorecontrol::operation::get_code_interpreter::GetCodeInterpreterOutput;
use aws_sdk_bedrockagentcorecontrol::operation::get_gateway::GetGatewayOutput;
use aws_sdk_bedrockagentcorecontrol::types::ResourceType as ToolType;
use serde_json::{Map, Value};

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded, flag_field, text_field};
use crate::domain::resource::{Readable, Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::agentcore::{
    Browser, CodeInterpreter, Gateway, JwtAuthorizer, LogDelivery, Memory, PolicyEngine, Recording,
    Runtime, RuntimeVersion, TokenVault, TokenVaultKms,
};
use crate::domain::scope::{Link, Links};
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

/// What a configuration item cannot tell: the CloudWatch Logs deliveries of the resource.
const DELIVERIES_NOT_IN_CONFIG: &str = "an AWS Config configuration item does not record CloudWatch Logs deliveries (logs:DescribeDeliverySources, DescribeDeliveries)";

/// Decodes an `AWS::BedrockAgentCore::{Runtime, Gateway, Memory, BrowserCustom,
/// CodeInterpreterCustom}` configuration item (CloudFormation-style PascalCase properties under
/// `configuration`). A runtime's item describes its current version only.
pub fn decode_config_item(resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    let config = match item.configuration_object() {
        Ok(config) => config,
        Err(unreadable) => return Decoded::Unreadable(unreadable),
    };
    let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_owned);
    let name = text("Name").or_else(|| item.resource_name.clone());
    let resource = match resource_type {
        ResourceType::AgentCoreRuntime => Resource::AgentCoreRuntime(Runtime {
            id: text("AgentRuntimeId").unwrap_or_else(|| item.resource_id.clone()),
            name: text("AgentRuntimeName").or_else(|| item.resource_name.clone()),
            versions: object(config, "NetworkConfiguration").map(|network| {
                let mode =
                    required_text(network, "NetworkMode", "NetworkConfiguration.NetworkMode");
                vec![RuntimeVersion {
                    version: text("AgentRuntimeVersion").unwrap_or_else(|| "current".into()),
                    network_mode: mode,
                }]
            }),
            jwt_authorizer: config_jwt(config),
        }),
        ResourceType::AgentCoreGateway => Resource::AgentCoreGateway(Gateway {
            id: text("GatewayIdentifier").unwrap_or_else(|| item.resource_id.clone()),
            name,
            authorizer_type: required_text(config, "AuthorizerType", "AuthorizerType"),
            kms_key_arn: text_field(config, "KmsKeyArn", "KmsKeyArn"),
            policy_engine: optional_object(config, "PolicyEngineConfiguration").and_then(|o| {
                o.map(|engine| {
                    Ok(PolicyEngine {
                        arn: text_field(engine, "Arn", "PolicyEngineConfiguration.Arn")?
                            .unwrap_or_default(),
                        mode: required_text(engine, "Mode", "PolicyEngineConfiguration.Mode")?,
                    })
                })
                .transpose()
            }),
            exception_level: text_field(config, "ExceptionLevel", "ExceptionLevel"),
            log_deliveries: Err(Unreadable::new(DELIVERIES_NOT_IN_CONFIG)),
        }),
        ResourceType::AgentCoreMemory => Resource::AgentCoreMemory(Memory {
            id: text("MemoryId").unwrap_or_else(|| item.resource_id.clone()),
            name,
            kms_key_arn: text_field(config, "EncryptionKeyArn", "EncryptionKeyArn"),
            log_deliveries: Err(Unreadable::new(DELIVERIES_NOT_IN_CONFIG)),
        }),
        ResourceType::AgentCoreBrowser => Resource::AgentCoreBrowser(Browser {
            id: text("BrowserId").unwrap_or_else(|| item.resource_id.clone()),
            name,
            network_mode: network_mode(config),
            recording: optional_object(config, "RecordingConfig").and_then(|o| {
                o.map(|recording| {
                    let bucket = optional_object(recording, "S3Location")?
                        .map(|l| text_field(l, "Bucket", "RecordingConfig.S3Location.Bucket"))
                        .transpose()?
                        .flatten();
                    Ok(Recording {
                        enabled: flag_field(recording, "Enabled", "RecordingConfig.Enabled")?,
                        bucket,
                    })
                })
                .transpose()
            }),
        }),
        ResourceType::AgentCoreCodeInterpreter => {
            Resource::AgentCoreCodeInterpreter(CodeInterpreter {
                id: text("CodeInterpreterId").unwrap_or_else(|| item.resource_id.clone()),
                name,
                network_mode: network_mode(config),
            })
        }
        _ => return Decoded::UnsupportedType,
    };
    Decoded::Resource(resource)
}

/// `NetworkConfiguration.NetworkMode` of a configuration item.
fn network_mode(config: &Map<String, Value>) -> Readable<String> {
    object(config, "NetworkConfiguration").and_then(|network| {
        required_text(network, "NetworkMode", "NetworkConfiguration.NetworkMode")
    })
}

/// `AuthorizerConfiguration.CustomJWTAuthorizer` of a runtime's configuration item.
fn config_jwt(config: &Map<String, Value>) -> Readable<Option<JwtAuthorizer>> {
    let Some(authorizer) = optional_object(config, "AuthorizerConfiguration")? else {
        return Ok(None);
    };
    let Some(jwt) = optional_object(authorizer, "CustomJWTAuthorizer")? else {
        return Ok(None);
    };
    let what = "AuthorizerConfiguration.CustomJWTAuthorizer";
    Ok(Some(JwtAuthorizer {
        discovery_url: required_text(jwt, "DiscoveryUrl", &format!("{what}.DiscoveryUrl"))?,
        allowed_audience: texts(jwt, "AllowedAudience", what)?,
        allowed_clients: texts(jwt, "AllowedClients", what)?,
    }))
}

/// A list of strings; absent is empty.
fn texts(object: &Map<String, Value>, key: &str, what: &str) -> Readable<Vec<String>> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    Unreadable::new(format!(
                        "{what}.{key} in the configuration item holds a value that is not a string"
                    ))
                })
            })
            .collect(),
        Some(_) => Err(Unreadable::new(format!(
            "{what}.{key} in the configuration item is not a list"
        ))),
    }
}

/// A string field that must be present.
fn required_text(object: &Map<String, Value>, key: &str, what: &str) -> Readable<String> {
    text_field(object, key, what)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Unreadable::new(format!("{what} is missing from the configuration item")))
}

/// An object field that may be absent.
fn optional_object<'a>(
    object: &'a Map<String, Value>,
    key: &str,
) -> Readable<Option<&'a Map<String, Value>>> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(Unreadable::new(format!(
            "{key} in the configuration item is not an object"
        ))),
    }
}

/// An object field that must be present.
fn object<'a>(object: &'a Map<String, Value>, key: &str) -> Readable<&'a Map<String, Value>> {
    optional_object(object, key)?
        .ok_or_else(|| Unreadable::new(format!("{key} is missing from the configuration item")))
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

/// A resource whose own read failed, identified by the id it was read by.
fn failed(
    resource_type: ResourceType,
    id: &str,
    scope: &Scope,
    via: &'static str,
    error: AwsError,
) -> Subject {
    let arn = id.starts_with("arn:").then(|| id.to_owned());
    super::subject_at(
        scope,
        resource_type,
        id,
        arn,
        via,
        super::failed_read(error),
    )
}

// Runtimes.

/// What a runtime points at: its execution role.
pub fn runtime_links(out: &GetAgentRuntimeOutput) -> Vec<Link> {
    let mut links = Links::new(format!(
        "Bedrock AgentCore runtime {:?}",
        out.agent_runtime_name()
    ));
    links.role(Some(out.role_arn()), "execution role");
    links.into_vec()
}

/// The network mode of one `GetAgentRuntime` response.
fn runtime_network_mode(out: &GetAgentRuntimeOutput) -> Readable<String> {
    out.network_configuration()
        .map(|n| n.network_mode().as_str().to_owned())
        .ok_or_else(|| {
            Unreadable::new(format!(
                "bedrock-agentcore:GetAgentRuntime returned no networkConfiguration for version {}",
                out.agent_runtime_version()
            ))
        })
}

/// Every runtime (`ListAgentRuntimes`, every page), each read with [`read_runtime`].
pub async fn collect_runtimes(client: &Client, scope: &Scope) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client.list_agent_runtimes().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| AwsError::from_sdk("bedrock-agentcore:ListAgentRuntimes", e))?;
        ids.extend(
            page.agent_runtimes()
                .iter()
                .map(|r| r.agent_runtime_id().to_owned()),
        );
    }
    Ok(super::bounded(
        ids,
        |id| async move { read_runtime(client, scope, &id).await },
    )
    .await)
}

/// One runtime by id: its current configuration (`GetAgentRuntime`), and the network mode of
/// every version `ListAgentRuntimeVersions` lists (every page; `GetAgentRuntime` of each, at most
/// [`CONCURRENCY`](super::CONCURRENCY) in flight). A failed version listing makes the versions
/// unreadable; a failed read of one version makes that version's mode unreadable.
pub async fn read_runtime(client: &Client, scope: &Scope, id: &str) -> Subject {
    let via = "AWS API (bedrock-agentcore:GetAgentRuntime, ListAgentRuntimeVersions)";
    let current = match client.get_agent_runtime().agent_runtime_id(id).send().await {
        Ok(out) => out,
        Err(e) => {
            let error = AwsError::from_sdk("bedrock-agentcore:GetAgentRuntime", e);
            return failed(ResourceType::AgentCoreRuntime, id, scope, via, error);
        }
    };
    let versions = runtime_versions(client, &current).await;
    let jwt_authorizer = Ok(current
        .authorizer_configuration()
        .and_then(|a| a.as_custom_jwt_authorizer().ok())
        .map(|jwt| JwtAuthorizer {
            discovery_url: jwt.discovery_url().to_owned(),
            allowed_audience: jwt.allowed_audience().to_vec(),
            allowed_clients: jwt.allowed_clients().to_vec(),
        }));
    let runtime = Runtime {
        id: current.agent_runtime_id().to_owned(),
        name: Some(current.agent_runtime_name().to_owned()),
        versions,
        jwt_authorizer,
    };
    subject(
        ResourceType::AgentCoreRuntime,
        current.agent_runtime_id().to_owned(),
        Some(current.agent_runtime_arn().to_owned()),
        scope,
        via,
        Resource::AgentCoreRuntime(runtime),
        runtime_links(&current),
    )
}

/// Every version of the runtime `current` describes, with its network mode.
async fn runtime_versions(
    client: &Client,
    current: &GetAgentRuntimeOutput,
) -> Readable<Vec<RuntimeVersion>> {
    let id = current.agent_runtime_id();
    let mut listed = Vec::new();
    let mut pages = client
        .list_agent_runtime_versions()
        .agent_runtime_id(id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unreadable("bedrock-agentcore:ListAgentRuntimeVersions", e))?;
        listed.extend(
            page.agent_runtimes()
                .iter()
                .map(|v| v.agent_runtime_version().to_owned()),
        );
    }
    if !listed.iter().any(|v| v == current.agent_runtime_version()) {
        listed.push(current.agent_runtime_version().to_owned());
    }
    listed.sort();
    listed.dedup();
    Ok(super::bounded(listed, |version| async move {
        let network_mode = if version == current.agent_runtime_version() {
            runtime_network_mode(current)
        } else {
            match client
                .get_agent_runtime()
                .agent_runtime_id(id)
                .agent_runtime_version(&version)
                .send()
                .await
            {
                Ok(out) => runtime_network_mode(&out),
                Err(e) => Err(unreadable("bedrock-agentcore:GetAgentRuntime", e)),
            }
        };
        RuntimeVersion {
            version,
            network_mode,
        }
    })
    .await)
}

// Log deliveries (gateways and memories).

/// The region's CloudWatch Logs deliveries by the resource ARN their source names.
#[derive(Debug, Clone, Default)]
pub struct Deliveries(BTreeMap<String, Vec<LogDelivery>>);

impl Deliveries {
    /// The deliveries whose source names `arn`.
    pub fn of(&self, arn: &str) -> Vec<LogDelivery> {
        self.0.get(arn).cloned().unwrap_or_default()
    }
}

/// Every delivery source (`DescribeDeliverySources`) and delivery (`DescribeDeliveries`) of the
/// region, every page, joined by the source name; unreadable when either listing fails.
pub async fn read_deliveries(logs: &aws_sdk_cloudwatchlogs::Client) -> Readable<Deliveries> {
    let mut sources: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
    let mut pages = logs.describe_delivery_sources().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unreadable("logs:DescribeDeliverySources", e))?;
        for source in page.delivery_sources() {
            if let Some(name) = source.name() {
                sources.insert(
                    name.to_owned(),
                    (
                        source.resource_arns().to_vec(),
                        source.log_type().unwrap_or_default().to_owned(),
                    ),
                );
            }
        }
    }
    let mut by_arn: BTreeMap<String, Vec<LogDelivery>> = BTreeMap::new();
    let mut pages = logs.describe_deliveries().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| unreadable("logs:DescribeDeliveries", e))?;
        for delivery in page.deliveries() {
            let Some((arns, log_type)) = delivery
                .delivery_source_name()
                .and_then(|name| sources.get(name))
            else {
                continue;
            };
            for arn in arns {
                by_arn.entry(arn.clone()).or_default().push(LogDelivery {
                    log_type: log_type.clone(),
                    destination_arn: delivery
                        .delivery_destination_arn()
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
        }
    }
    Ok(Deliveries(by_arn))
}

/// Why a read failed, as the reason of an unreadable field.
fn unreadable<E>(
    operation: &'static str,
    err: aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> Unreadable
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    Unreadable::new(AwsError::from_sdk(operation, err).to_string())
}

/// The deliveries of `arn`, or why they could not be read.
fn deliveries_of(deliveries: &Readable<Deliveries>, arn: &str) -> Readable<Vec<LogDelivery>> {
    deliveries.as_ref().map(|d| d.of(arn)).map_err(Clone::clone)
}

// Gateways.

/// What a gateway points at: its service role and its KMS key.
pub fn gateway_links(out: &GetGatewayOutput) -> Vec<Link> {
    let mut links = Links::new(format!("Bedrock AgentCore gateway {:?}", out.name()));
    links
        .role(out.role_arn(), "service role")
        .key(out.kms_key_arn(), "encryption key");
    links.into_vec()
}

/// Every gateway (`ListGateways`, every page), each read with [`read_gateway`] against one
/// reading of the region's log deliveries.
pub async fn collect_gateways(
    client: &Client,
    logs: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client.list_gateways().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock-agentcore:ListGateways", e))?;
        ids.extend(page.items().iter().map(|g| g.gateway_id().to_owned()));
    }
    let deliveries = read_deliveries(logs).await;
    let deliveries = &deliveries;
    Ok(super::bounded(ids, |id| async move {
        read_gateway(client, deliveries, scope, &id).await
    })
    .await)
}

/// One gateway by id or ARN (`GetGateway`), with its log deliveries.
pub async fn read_gateway(
    client: &Client,
    deliveries: &Readable<Deliveries>,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via =
        "AWS API (bedrock-agentcore:GetGateway, logs:DescribeDeliverySources, DescribeDeliveries)";
    let out = match client.get_gateway().gateway_identifier(id).send().await {
        Ok(out) => out,
        Err(e) => {
            let error = AwsError::from_sdk("bedrock-agentcore:GetGateway", e);
            return failed(ResourceType::AgentCoreGateway, id, scope, via, error);
        }
    };
    let gateway = Gateway {
        id: out.gateway_id().to_owned(),
        name: Some(out.name().to_owned()),
        authorizer_type: Ok(out.authorizer_type().as_str().to_owned()),
        kms_key_arn: Ok(out
            .kms_key_arn()
            .filter(|k| !k.trim().is_empty())
            .map(str::to_owned)),
        policy_engine: Ok(out.policy_engine_configuration().map(|p| PolicyEngine {
            arn: p.arn().to_owned(),
            mode: p.mode().as_str().to_owned(),
        })),
        exception_level: Ok(out.exception_level().map(|l| l.as_str().to_owned())),
        log_deliveries: deliveries_of(deliveries, out.gateway_arn()),
    };
    subject(
        ResourceType::AgentCoreGateway,
        out.gateway_id().to_owned(),
        Some(out.gateway_arn().to_owned()),
        scope,
        via,
        Resource::AgentCoreGateway(gateway),
        gateway_links(&out),
    )
}

// Memories.

/// What a memory points at: its execution role and its KMS key.
pub fn memory_links(memory: &aws_sdk_bedrockagentcorecontrol::types::Memory) -> Vec<Link> {
    let mut links = Links::new(format!("Bedrock AgentCore memory {:?}", memory.name()));
    links
        .role(memory.memory_execution_role_arn(), "execution role")
        .key(memory.encryption_key_arn(), "encryption key");
    links.into_vec()
}

/// Every memory (`ListMemories`, every page), each read with [`read_memory`] against one
/// reading of the region's log deliveries.
pub async fn collect_memories(
    client: &Client,
    logs: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client.list_memories().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock-agentcore:ListMemories", e))?;
        ids.extend(
            page.memories()
                .iter()
                .filter_map(|m| m.id().map(str::to_owned)),
        );
    }
    let deliveries = read_deliveries(logs).await;
    let deliveries = &deliveries;
    Ok(super::bounded(ids, |id| async move {
        read_memory(client, deliveries, scope, &id).await
    })
    .await)
}

/// One memory by id (`GetMemory`), with its log deliveries.
pub async fn read_memory(
    client: &Client,
    deliveries: &Readable<Deliveries>,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via =
        "AWS API (bedrock-agentcore:GetMemory, logs:DescribeDeliverySources, DescribeDeliveries)";
    let out = match client.get_memory().memory_id(id).send().await {
        Ok(out) => out,
        Err(e) => {
            let error = AwsError::from_sdk("bedrock-agentcore:GetMemory", e);
            return failed(ResourceType::AgentCoreMemory, id, scope, via, error);
        }
    };
    let Some(memory) = out.memory() else {
        return super::subject_at(
            scope,
            ResourceType::AgentCoreMemory,
            id,
            None,
            via,
            SubjectState::Unreadable("bedrock-agentcore:GetMemory returned no memory".into()),
        );
    };
    let state = Memory {
        id: memory.id().to_owned(),
        name: Some(memory.name().to_owned()),
        kms_key_arn: Ok(memory
            .encryption_key_arn()
            .filter(|k| !k.trim().is_empty())
            .map(str::to_owned)),
        log_deliveries: deliveries_of(deliveries, memory.arn()),
    };
    subject(
        ResourceType::AgentCoreMemory,
        memory.id().to_owned(),
        Some(memory.arn().to_owned()),
        scope,
        via,
        Resource::AgentCoreMemory(state),
        memory_links(memory),
    )
}

// Custom browsers and code interpreters.

/// What a custom browser points at: its execution role and its recording bucket.
pub fn browser_links(out: &GetBrowserOutput) -> Vec<Link> {
    let mut links = Links::new(format!("Bedrock AgentCore browser {:?}", out.name()));
    links
        .role(out.execution_role_arn(), "execution role")
        .bucket(
            out.recording()
                .and_then(|r| r.s3_location())
                .map(|l| l.bucket()),
            "session recordings",
        );
    links.into_vec()
}

/// Every custom browser (`ListBrowsers` with `type=CUSTOM`, every page: the AWS built-in
/// browser is not the customer's to configure), each read with [`read_browser`].
pub async fn collect_browsers(client: &Client, scope: &Scope) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client
        .list_browsers()
        .r#type(ToolType::Custom)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("bedrock-agentcore:ListBrowsers", e))?;
        ids.extend(
            page.browser_summaries()
                .iter()
                .map(|b| b.browser_id().to_owned()),
        );
    }
    Ok(super::bounded(
        ids,
        |id| async move { read_browser(client, scope, &id).await },
    )
    .await)
}

/// One custom browser by id (`GetBrowser`).
pub async fn read_browser(client: &Client, scope: &Scope, id: &str) -> Subject {
    let via = "AWS API (bedrock-agentcore:GetBrowser)";
    let out = match client.get_browser().browser_id(id).send().await {
        Ok(out) => out,
        Err(e) => {
            let error = AwsError::from_sdk("bedrock-agentcore:GetBrowser", e);
            return failed(ResourceType::AgentCoreBrowser, id, scope, via, error);
        }
    };
    let browser = Browser {
        id: out.browser_id().to_owned(),
        name: Some(out.name().to_owned()),
        network_mode: out
            .network_configuration()
            .map(|n| n.network_mode().as_str().to_owned())
            .ok_or_else(|| {
                Unreadable::new("bedrock-agentcore:GetBrowser returned no networkConfiguration")
            }),
        recording: Ok(out.recording().map(|r| Recording {
            enabled: r.enabled(),
            bucket: r
                .s3_location()
                .map(|l| l.bucket().to_owned())
                .filter(|b| !b.trim().is_empty()),
        })),
    };
    subject(
        ResourceType::AgentCoreBrowser,
        out.browser_id().to_owned(),
        Some(out.browser_arn().to_owned()),
        scope,
        via,
        Resource::AgentCoreBrowser(browser),
        browser_links(&out),
    )
}

/// What a custom code interpreter points at: its execution role.
pub fn code_interpreter_links(out: &GetCodeInterpreterOutput) -> Vec<Link> {
    let mut links = Links::new(format!(
        "Bedrock AgentCore code interpreter {:?}",
        out.name()
    ));
    links.role(out.execution_role_arn(), "execution role");
    links.into_vec()
}

/// Every custom code interpreter (`ListCodeInterpreters` with `type=CUSTOM`, every page), each
/// read with [`read_code_interpreter`].
pub async fn collect_code_interpreters(
    client: &Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client
        .list_code_interpreters()
        .r#type(ToolType::Custom)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| AwsError::from_sdk("bedrock-agentcore:ListCodeInterpreters", e))?;
        ids.extend(
            page.code_interpreter_summaries()
                .iter()
                .map(|c| c.code_interpreter_id().to_owned()),
        );
    }
    Ok(super::bounded(ids, |id| async move {
        read_code_interpreter(client, scope, &id).await
    })
    .await)
}

/// One custom code interpreter by id (`GetCodeInterpreter`).
pub async fn read_code_interpreter(client: &Client, scope: &Scope, id: &str) -> Subject {
    let via = "AWS API (bedrock-agentcore:GetCodeInterpreter)";
    let out = match client
        .get_code_interpreter()
        .code_interpreter_id(id)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            let error = AwsError::from_sdk("bedrock-agentcore:GetCodeInterpreter", e);
            return failed(
                ResourceType::AgentCoreCodeInterpreter,
                id,
                scope,
                via,
                error,
            );
        }
    };
    let interpreter = CodeInterpreter {
        id: out.code_interpreter_id().to_owned(),
        name: Some(out.name().to_owned()),
        network_mode: out
            .network_configuration()
            .map(|n| n.network_mode().as_str().to_owned())
            .ok_or_else(|| {
                Unreadable::new(
                    "bedrock-agentcore:GetCodeInterpreter returned no networkConfiguration",
                )
            }),
    };
    subject(
        ResourceType::AgentCoreCodeInterpreter,
        out.code_interpreter_id().to_owned(),
        Some(out.code_interpreter_arn().to_owned()),
        scope,
        via,
        Resource::AgentCoreCodeInterpreter(interpreter),
        code_interpreter_links(&out),
    )
}

// The token vault.

/// The region's default token vault (`GetTokenVault` without an id), one subject whose resource
/// id is the region. A vault AWS says does not exist (none is made until a credential provider
/// is) is gone; any other failed read is unreadable.
pub async fn read_token_vault(client: &Client, scope: &Scope) -> Subject {
    let via = "AWS API (bedrock-agentcore:GetTokenVault)";
    match client.get_token_vault().send().await {
        Ok(out) => {
            let kms = out.kms_configuration().map(|k| TokenVaultKms {
                key_type: k.key_type().as_str().to_owned(),
                kms_key_arn: k.kms_key_arn().map(str::to_owned),
            });
            let mut links = Links::new(format!(
                "Bedrock AgentCore token vault {:?} in {}",
                out.token_vault_id(),
                scope.region
            ));
            links.key(
                out.kms_configuration().and_then(|k| k.kms_key_arn()),
                "encryption key",
            );
            subject(
                ResourceType::AgentCoreTokenVault,
                scope.region.clone(),
                None,
                scope,
                via,
                Resource::AgentCoreTokenVault(TokenVault {
                    region: scope.region.clone(),
                    kms: Ok(kms),
                }),
                links.into_vec(),
            )
        }
        Err(e) => {
            let error = AwsError::from_sdk("bedrock-agentcore:GetTokenVault", e);
            super::subject_at(
                scope,
                ResourceType::AgentCoreTokenVault,
                &scope.region,
                None,
                via,
                super::failed_read(error),
            )
        }
    }
}

//! Checks on Amazon Bedrock AgentCore: private networking of runtimes, custom browsers and code
//! interpreters (SECAI3.7, SECAI3.2), inbound authorization of runtimes and gateways (SECAI3.7),
//! customer managed keys on gateways, memories and the token vault (SECAI3.3), gateway policy
//! enforcement and error detail, browser session recording and log delivery (SECAI3.15). Seven of
//! them decide the Security Hub controls BedrockAgentCore.1-.7.

use crate::catalog::framework::{SECAI3_2, SECAI3_3, SECAI3_7, SECAI3_15};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::resource::Readable;
use crate::domain::resources::agentcore::{
    Browser, CodeInterpreter, Gateway, LogDelivery, Memory, Runtime, TokenVault,
};

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &RUNTIME_VPC_NETWORK_MODE,
    &RUNTIME_JWT_AUTHORIZER,
    &GATEWAY_AUTHORIZER,
    &GATEWAY_KMS_KEY,
    &GATEWAY_POLICY_ENGINE_ENFORCE,
    &GATEWAY_EXCEPTION_LEVEL,
    &GATEWAY_LOG_DELIVERY,
    &MEMORY_KMS_KEY,
    &MEMORY_LOG_DELIVERY,
    &BROWSER_NETWORK_NOT_PUBLIC,
    &BROWSER_RECORDING,
    &CODE_INTERPRETER_VPC_NETWORK_MODE,
    &TOKEN_VAULT_KMS_KEY,
];

const RUNTIME_READS: &[&str] = &[
    "bedrock-agentcore:GetAgentRuntime",
    "bedrock-agentcore:ListAgentRuntimes",
];
const GATEWAY_READS: &[&str] = &[
    "bedrock-agentcore:GetGateway",
    "bedrock-agentcore:ListGateways",
];
const MEMORY_READS: &[&str] = &[
    "bedrock-agentcore:GetMemory",
    "bedrock-agentcore:ListMemories",
];
const BROWSER_READS: &[&str] = &[
    "bedrock-agentcore:GetBrowser",
    "bedrock-agentcore:ListBrowsers",
];

/// SECAI3.7, SECAI3.2: every version of the runtime runs in the customer's VPC (Security Hub
/// BedrockAgentCore.1, which judges the runtime's current configuration only).
pub static RUNTIME_VPC_NETWORK_MODE: Check = Check {
    id: "bedrockagentcore_runtime_vpc_network_mode",
    version: 1,
    title: "Every version of a Bedrock AgentCore runtime uses VPC network mode",
    controls: &[&SECAI3_7, &SECAI3_2],
    security_hub: &["BedrockAgentCore.1"],
    severity: Severity::High,
    api_actions: &[
        "bedrock-agentcore:GetAgentRuntime",
        "bedrock-agentcore:ListAgentRuntimeVersions",
        "bedrock-agentcore:ListAgentRuntimes",
    ],
    passes_when: "GetAgentRuntime of every version ListAgentRuntimeVersions lists has networkConfiguration.networkMode VPC (NetworkConfiguration.NetworkMode in a Config item, which describes the current version only).",
    remediation: "aws bedrock-agentcore-control update-agent-runtime --agent-runtime-id <id> --agent-runtime-artifact <current> --role-arn <role> --network-configuration '{\"networkMode\":\"VPC\",\"networkModeConfig\":{\"subnets\":[\"subnet-...\"],\"securityGroups\":[\"sg-...\"]}}'; endpoints pinned to older PUBLIC versions must be moved to the new version (update-agent-runtime-endpoint).",
    evaluator: Evaluator::AgentCoreRuntime(runtime_vpc_network_mode),
};

/// SECAI3.7: inbound calls to the runtime carry a token from a named identity provider.
pub static RUNTIME_JWT_AUTHORIZER: Check = Check {
    id: "bedrockagentcore_runtime_inbound_jwt_authorizer",
    version: 1,
    title: "Bedrock AgentCore runtime authorizes inbound calls with a custom JWT authorizer",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: RUNTIME_READS,
    passes_when: "The runtime's authorizerConfiguration.customJWTAuthorizer names a discoveryUrl and at least one allowed audience or client (AuthorizerConfiguration.CustomJWTAuthorizer in a Config item).",
    remediation: "aws bedrock-agentcore-control update-agent-runtime --agent-runtime-id <id> ... --authorizer-configuration '{\"customJWTAuthorizer\":{\"discoveryUrl\":\"https://<idp>/.well-known/openid-configuration\",\"allowedAudience\":[\"<audience>\"]}}'",
    evaluator: Evaluator::AgentCoreRuntime(runtime_jwt_authorizer),
};

/// SECAI3.7: the gateway requires authorization of inbound requests (Security Hub
/// BedrockAgentCore.2).
pub static GATEWAY_AUTHORIZER: Check = Check {
    id: "bedrockagentcore_gateway_authorizer_required",
    version: 1,
    title: "Bedrock AgentCore gateway requires authorization for inbound requests",
    controls: &[&SECAI3_7],
    security_hub: &["BedrockAgentCore.2"],
    severity: Severity::High,
    api_actions: GATEWAY_READS,
    passes_when: "The gateway's authorizerType is not NONE (AuthorizerType in a Config item).",
    remediation: "aws bedrock-agentcore-control update-gateway --gateway-identifier <id> --name <name> --role-arn <role> --protocol-type MCP --authorizer-type CUSTOM_JWT --authorizer-configuration '{\"customJWTAuthorizer\":{\"discoveryUrl\":\"...\",\"allowedClients\":[\"...\"]}}'",
    evaluator: Evaluator::AgentCoreGateway(gateway_authorizer),
};

/// SECAI3.3: the gateway is encrypted with a customer managed key (Security Hub
/// BedrockAgentCore.4).
pub static GATEWAY_KMS_KEY: Check = Check {
    id: "bedrockagentcore_gateway_kms_key",
    version: 1,
    title: "Bedrock AgentCore gateway is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["BedrockAgentCore.4"],
    severity: Severity::Medium,
    api_actions: GATEWAY_READS,
    passes_when: "GetGateway returns a kmsKeyArn (KmsKeyArn in a Config item).",
    remediation: "aws bedrock-agentcore-control update-gateway --gateway-identifier <id> --name <name> --role-arn <role> --protocol-type MCP --authorizer-type <type> --kms-key-arn <key-arn>",
    evaluator: Evaluator::AgentCoreGateway(gateway_kms_key),
};

/// SECAI3.7: a policy engine attached to the gateway enforces its policies rather than only
/// logging what it would deny.
pub static GATEWAY_POLICY_ENGINE_ENFORCE: Check = Check {
    id: "bedrockagentcore_gateway_policy_engine_enforced",
    version: 1,
    title: "Bedrock AgentCore gateway's policy engine runs in ENFORCE mode",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: GATEWAY_READS,
    passes_when: "The gateway's policyEngineConfiguration.mode is ENFORCE (PolicyEngineConfiguration.Mode in a Config item); not applicable when no policy engine is attached.",
    remediation: "aws bedrock-agentcore-control update-gateway --gateway-identifier <id> ... --policy-engine-configuration '{\"arn\":\"<policy-engine-arn>\",\"mode\":\"ENFORCE\"}'",
    evaluator: Evaluator::AgentCoreGateway(gateway_policy_engine_enforce),
};

/// SECAI3.7: the gateway does not return debug detail (stack traces, target errors) to callers.
pub static GATEWAY_EXCEPTION_LEVEL: Check = Check {
    id: "bedrockagentcore_gateway_exception_level_not_debug",
    version: 1,
    title: "Bedrock AgentCore gateway does not return DEBUG exception detail to callers",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Low,
    api_actions: GATEWAY_READS,
    passes_when: "The gateway's exceptionLevel is unset or not DEBUG (ExceptionLevel in a Config item).",
    remediation: "aws bedrock-agentcore-control update-gateway --gateway-identifier <id> ... (leaving out --exception-level, so errors carry no debug detail)",
    evaluator: Evaluator::AgentCoreGateway(gateway_exception_level),
};

/// SECAI3.15: the gateway's application logs are delivered to CloudWatch Logs, S3 or Firehose.
pub static GATEWAY_LOG_DELIVERY: Check = Check {
    id: "bedrockagentcore_gateway_log_delivery",
    version: 1,
    title: "Bedrock AgentCore gateway delivers its application logs",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[
        "bedrock-agentcore:GetGateway",
        "bedrock-agentcore:ListGateways",
        "logs:DescribeDeliveries",
        "logs:DescribeDeliverySources",
    ],
    passes_when: "A CloudWatch Logs delivery source of log type APPLICATION_LOGS names the gateway's ARN and has a delivery to a destination (DescribeDeliverySources, DescribeDeliveries); a Config item cannot tell, so the Config rule cannot evaluate it.",
    remediation: "aws logs put-delivery-source --name <gateway>-logs --resource-arn <gateway-arn> --log-type APPLICATION_LOGS; aws logs put-delivery-destination ...; aws logs create-delivery --delivery-source-name <gateway>-logs --delivery-destination-arn <destination-arn>",
    evaluator: Evaluator::AgentCoreGateway(gateway_log_delivery),
};

/// SECAI3.3: the memory is encrypted with a customer managed key (Security Hub
/// BedrockAgentCore.3).
pub static MEMORY_KMS_KEY: Check = Check {
    id: "bedrockagentcore_memory_kms_key",
    version: 1,
    title: "Bedrock AgentCore memory is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["BedrockAgentCore.3"],
    severity: Severity::Medium,
    api_actions: MEMORY_READS,
    passes_when: "GetMemory returns an encryptionKeyArn (EncryptionKeyArn in a Config item).",
    remediation: "A memory's key is set when it is created: aws bedrock-agentcore-control create-memory --name <name> --event-expiry-duration <days> --encryption-key-arn <key-arn>, move the agents to it, delete the old memory.",
    evaluator: Evaluator::AgentCoreMemory(memory_kms_key),
};

/// SECAI3.15: the memory's application logs are delivered.
pub static MEMORY_LOG_DELIVERY: Check = Check {
    id: "bedrockagentcore_memory_log_delivery",
    version: 1,
    title: "Bedrock AgentCore memory delivers its application logs",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[
        "bedrock-agentcore:GetMemory",
        "bedrock-agentcore:ListMemories",
        "logs:DescribeDeliveries",
        "logs:DescribeDeliverySources",
    ],
    passes_when: "A CloudWatch Logs delivery source of log type APPLICATION_LOGS names the memory's ARN and has a delivery to a destination (DescribeDeliverySources, DescribeDeliveries); a Config item cannot tell, so the Config rule cannot evaluate it.",
    remediation: "aws logs put-delivery-source --name <memory>-logs --resource-arn <memory-arn> --log-type APPLICATION_LOGS; aws logs put-delivery-destination ...; aws logs create-delivery --delivery-source-name <memory>-logs --delivery-destination-arn <destination-arn>",
    evaluator: Evaluator::AgentCoreMemory(memory_log_delivery),
};

/// SECAI3.7: the custom browser does not browse from the public network (Security Hub
/// BedrockAgentCore.5).
pub static BROWSER_NETWORK_NOT_PUBLIC: Check = Check {
    id: "bedrockagentcore_browser_network_not_public",
    version: 1,
    title: "Bedrock AgentCore custom browser does not use PUBLIC network mode",
    controls: &[&SECAI3_7],
    security_hub: &["BedrockAgentCore.5"],
    severity: Severity::High,
    api_actions: BROWSER_READS,
    passes_when: "The custom browser's networkConfiguration.networkMode is not PUBLIC (NetworkConfiguration.NetworkMode in a Config item).",
    remediation: "A browser's network is set when it is created: aws bedrock-agentcore-control create-browser --name <name> --network-configuration '{\"networkMode\":\"VPC\",\"vpcConfig\":{\"subnets\":[...],\"securityGroups\":[...]}}', move the agents to it, delete the old browser.",
    evaluator: Evaluator::AgentCoreBrowser(browser_network_not_public),
};

/// SECAI3.15: the custom browser records its sessions to S3 (Security Hub BedrockAgentCore.6).
pub static BROWSER_RECORDING: Check = Check {
    id: "bedrockagentcore_browser_recording_enabled",
    version: 1,
    title: "Bedrock AgentCore custom browser records sessions to an S3 bucket",
    controls: &[&SECAI3_15],
    security_hub: &["BedrockAgentCore.6"],
    severity: Severity::Medium,
    api_actions: BROWSER_READS,
    passes_when: "The custom browser's recording.enabled is true with an s3Location.bucket (RecordingConfig.Enabled and RecordingConfig.S3Location.Bucket in a Config item).",
    remediation: "Recording is set when a browser is created: aws bedrock-agentcore-control create-browser --name <name> --network-configuration <...> --execution-role-arn <role> --recording '{\"enabled\":true,\"s3Location\":{\"bucket\":\"<bucket>\",\"prefix\":\"sessions/\"}}'",
    evaluator: Evaluator::AgentCoreBrowser(browser_recording),
};

/// SECAI3.7: the custom code interpreter runs only in the customer's VPC (Security Hub
/// BedrockAgentCore.7: PUBLIC and SANDBOX fail).
pub static CODE_INTERPRETER_VPC_NETWORK_MODE: Check = Check {
    id: "bedrockagentcore_code_interpreter_vpc_network_mode",
    version: 1,
    title: "Bedrock AgentCore custom code interpreter uses VPC network mode",
    controls: &[&SECAI3_7],
    security_hub: &["BedrockAgentCore.7"],
    severity: Severity::High,
    api_actions: &[
        "bedrock-agentcore:GetCodeInterpreter",
        "bedrock-agentcore:ListCodeInterpreters",
    ],
    passes_when: "The custom code interpreter's networkConfiguration.networkMode is VPC (NetworkConfiguration.NetworkMode in a Config item); PUBLIC and SANDBOX fail.",
    remediation: "A code interpreter's network is set when it is created: aws bedrock-agentcore-control create-code-interpreter --name <name> --network-configuration '{\"networkMode\":\"VPC\",\"vpcConfig\":{\"subnets\":[...],\"securityGroups\":[...]}}', move the agents to it, delete the old one.",
    evaluator: Evaluator::AgentCoreCodeInterpreter(code_interpreter_vpc_network_mode),
};

/// SECAI3.3: the token vault holding agents' OAuth tokens and API keys uses a customer managed
/// key.
pub static TOKEN_VAULT_KMS_KEY: Check = Check {
    id: "bedrockagentcore_token_vault_kms_key",
    version: 1,
    title: "Bedrock AgentCore token vault is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["bedrock-agentcore:GetTokenVault"],
    passes_when: "GetTokenVault of the region's default vault returns kmsConfiguration.keyType CustomerManagedKey with a kmsKeyArn.",
    remediation: "aws bedrock-agentcore-control set-token-vault-cmk --kms-configuration keyType=CustomerManagedKey,kmsKeyArn=<key-arn>",
    evaluator: Evaluator::AgentCoreTokenVault(token_vault_kms_key),
};

/// The label of a resource in observations: its name, else its id.
fn label(name: &Option<String>, id: &str) -> String {
    name.clone().unwrap_or_else(|| id.to_owned())
}

fn runtime_vpc_network_mode(runtime: &Runtime, _params: &Params) -> Outcome {
    let versions = match &runtime.versions {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(versions) => versions,
    };
    let name = label(&runtime.name, &runtime.id);
    if versions.is_empty() {
        return Outcome::could_not_evaluate(format!("runtime {name} lists no version"));
    }
    let mut outside = Vec::new();
    let mut unread = Vec::new();
    for version in versions {
        match &version.network_mode {
            Err(u) => unread.push(format!("version {}: {}", version.version, u.reason)),
            Ok(mode) if mode.eq_ignore_ascii_case("VPC") => {}
            Ok(mode) => outside.push(format!("version {} is {mode}", version.version)),
        }
    }
    if !outside.is_empty() {
        Outcome::non_compliant(
            format!("runtime {name}: {}", outside.join(", ")),
            "a version outside the VPC reaches and is reached through the public network; any endpoint pinned to it still serves traffic",
        )
    } else if !unread.is_empty() {
        Outcome::could_not_evaluate(unread.join("; "))
    } else {
        Outcome::compliant(
            format!(
                "every version of runtime {name} ({}) uses VPC network mode",
                versions
                    .iter()
                    .map(|v| v.version.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "the agent's traffic stays in the customer's subnets under its security groups",
        )
    }
}

fn runtime_jwt_authorizer(runtime: &Runtime, _params: &Params) -> Outcome {
    match &runtime.jwt_authorizer {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(jwt))
            if !jwt.discovery_url.trim().is_empty()
                && (!jwt.allowed_audience.is_empty() || !jwt.allowed_clients.is_empty()) =>
        {
            Outcome::compliant(
                format!(
                    "inbound calls need a JWT from {} (audiences: {}; clients: {})",
                    jwt.discovery_url,
                    list_or_none(&jwt.allowed_audience),
                    list_or_none(&jwt.allowed_clients)
                ),
                "only callers the named identity provider issued a token to, for this audience or client, invoke the agent",
            )
        }
        Ok(Some(jwt)) => Outcome::non_compliant(
            format!(
                "the JWT authorizer ({}) allows no audience and no client",
                jwt.discovery_url
            ),
            "without an audience or client allow-list, any token of the identity provider is accepted",
        ),
        Ok(None) => Outcome::non_compliant(
            "the runtime has no custom JWT authorizer: inbound calls are authorized by IAM (SigV4) alone",
            "end users' identities are not verified at the agent; any principal IAM allows can invoke it as anyone",
        ),
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn gateway_authorizer(gateway: &Gateway, _params: &Params) -> Outcome {
    match &gateway.authorizer_type {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(kind) if kind.eq_ignore_ascii_case("NONE") => Outcome::non_compliant(
            format!(
                "gateway {} has authorizerType NONE",
                label(&gateway.name, &gateway.id)
            ),
            "anyone who can reach the gateway's URL can call every tool behind it",
        ),
        Ok(kind) => Outcome::compliant(
            format!(
                "gateway {} authorizes inbound requests with {kind}",
                label(&gateway.name, &gateway.id)
            ),
            "only authenticated callers reach the gateway's tools",
        ),
    }
}

/// The common decision of the "encrypted with a customer managed key" checks.
fn customer_managed_key(field: &Readable<Option<String>>, what: &str, setting: &str) -> Outcome {
    match field {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(key)) if !key.trim().is_empty() => Outcome::compliant(
            format!("{what} is encrypted with KMS key {}", key.trim()),
            "its data is encrypted at rest under a customer managed key whose use is governed by key policy and logged in CloudTrail",
        ),
        Ok(_) => Outcome::non_compliant(
            format!("{what} has no {setting}, so it is encrypted with an AWS owned key"),
            "SECAI3.3 needs agent data encrypted under a customer managed key so access to it is governed by key policy",
        ),
    }
}

fn gateway_kms_key(gateway: &Gateway, _params: &Params) -> Outcome {
    customer_managed_key(
        &gateway.kms_key_arn,
        &format!("gateway {}", label(&gateway.name, &gateway.id)),
        "kmsKeyArn",
    )
}

fn gateway_policy_engine_enforce(gateway: &Gateway, _params: &Params) -> Outcome {
    match &gateway.policy_engine {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(None) => Outcome::not_applicable(
            "the gateway has no policy engine attached",
            "there is no policy engine whose mode could be checked; the gateway's authorizer (bedrockagentcore_gateway_authorizer_required) governs its callers",
        ),
        Ok(Some(engine)) if engine.mode.eq_ignore_ascii_case("ENFORCE") => Outcome::compliant(
            format!("policy engine {} enforces its policies", engine.arn),
            "tool calls the policies deny are refused",
        ),
        Ok(Some(engine)) => Outcome::non_compliant(
            format!("policy engine {} runs in {} mode", engine.arn, engine.mode),
            "a policy engine that only logs lets every tool call it would deny through",
        ),
    }
}

fn gateway_exception_level(gateway: &Gateway, _params: &Params) -> Outcome {
    match &gateway.exception_level {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(level)) if level.eq_ignore_ascii_case("DEBUG") => Outcome::non_compliant(
            "the gateway's exceptionLevel is DEBUG",
            "debug exceptions return targets' internal errors and configuration to any caller, more than a caller needs",
        ),
        Ok(level) => Outcome::compliant(
            match level {
                Some(level) => format!("the gateway's exceptionLevel is {level}"),
                None => "the gateway has no exceptionLevel: errors carry no debug detail".into(),
            },
            "callers get error codes without the targets' internal detail",
        ),
    }
}

/// The common decision of the log delivery checks: an `APPLICATION_LOGS` delivery exists.
fn application_log_delivery(deliveries: &Readable<Vec<LogDelivery>>, what: &str) -> Outcome {
    let deliveries = match deliveries {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(deliveries) => deliveries,
    };
    let application: Vec<&str> = deliveries
        .iter()
        .filter(|d| d.log_type.eq_ignore_ascii_case("APPLICATION_LOGS"))
        .map(|d| d.destination_arn.as_str())
        .collect();
    if application.is_empty() {
        let others: Vec<&str> = deliveries.iter().map(|d| d.log_type.as_str()).collect();
        Outcome::non_compliant(
            match others.len() {
                0 => format!("{what} has no log delivery"),
                _ => format!(
                    "{what} delivers {} but no APPLICATION_LOGS",
                    others.join(", ")
                ),
            },
            "AgentCore delivers no application logs by default: without a delivery, who called what leaves no record",
        )
    } else {
        Outcome::compliant(
            format!(
                "{what} delivers APPLICATION_LOGS to {}",
                application.join(", ")
            ),
            "the resource's requests and errors are recorded where reviewers can read them",
        )
    }
}

fn gateway_log_delivery(gateway: &Gateway, _params: &Params) -> Outcome {
    application_log_delivery(
        &gateway.log_deliveries,
        &format!("gateway {}", label(&gateway.name, &gateway.id)),
    )
}

fn memory_kms_key(memory: &Memory, _params: &Params) -> Outcome {
    customer_managed_key(
        &memory.kms_key_arn,
        &format!("memory {}", label(&memory.name, &memory.id)),
        "encryptionKeyArn",
    )
}

fn memory_log_delivery(memory: &Memory, _params: &Params) -> Outcome {
    application_log_delivery(
        &memory.log_deliveries,
        &format!("memory {}", label(&memory.name, &memory.id)),
    )
}

fn browser_network_not_public(browser: &Browser, _params: &Params) -> Outcome {
    let name = label(&browser.name, &browser.id);
    match &browser.network_mode {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(mode) if mode.eq_ignore_ascii_case("PUBLIC") => Outcome::non_compliant(
            format!("custom browser {name} uses PUBLIC network mode"),
            "the browser reaches any site on the internet and its traffic bypasses the customer's network controls",
        ),
        Ok(mode) => Outcome::compliant(
            format!("custom browser {name} uses {mode} network mode"),
            "the browser's traffic goes through the customer's subnets and security groups",
        ),
    }
}

fn browser_recording(browser: &Browser, _params: &Params) -> Outcome {
    let name = label(&browser.name, &browser.id);
    match &browser.recording {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(recording)) if recording.enabled => {
            match recording.bucket.as_deref().filter(|b| !b.trim().is_empty()) {
                Some(bucket) => Outcome::compliant(
                    format!("custom browser {name} records sessions to bucket {bucket}"),
                    "what the agent did in the browser can be replayed and reviewed",
                ),
                None => Outcome::non_compliant(
                    format!("custom browser {name} has recording on but no S3 bucket"),
                    "without a bucket no recording is kept",
                ),
            }
        }
        Ok(_) => Outcome::non_compliant(
            format!("custom browser {name} does not record sessions"),
            "the agent's browsing leaves no record to review",
        ),
    }
}

fn code_interpreter_vpc_network_mode(interpreter: &CodeInterpreter, _params: &Params) -> Outcome {
    let name = label(&interpreter.name, &interpreter.id);
    match &interpreter.network_mode {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(mode) if mode.eq_ignore_ascii_case("VPC") => Outcome::compliant(
            format!("custom code interpreter {name} uses VPC network mode"),
            "generated code runs with the customer's subnets and security groups around it",
        ),
        Ok(mode) => Outcome::non_compliant(
            format!("custom code interpreter {name} uses {mode} network mode"),
            "PUBLIC gives generated code the internet; SANDBOX gives it no network the customer controls (Security Hub BedrockAgentCore.7 fails both)",
        ),
    }
}

fn token_vault_kms_key(vault: &TokenVault, _params: &Params) -> Outcome {
    match &vault.kms {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(kms)) if kms.key_type == "CustomerManagedKey" => {
            match kms.kms_key_arn.as_deref().filter(|k| !k.trim().is_empty()) {
                Some(key) => Outcome::compliant(
                    format!(
                        "the token vault in {} is encrypted with KMS key {key}",
                        vault.region
                    ),
                    "agents' OAuth tokens and API keys are encrypted under a key whose use key policy governs",
                ),
                None => Outcome::could_not_evaluate(format!(
                    "the token vault in {} names keyType CustomerManagedKey without a kmsKeyArn",
                    vault.region
                )),
            }
        }
        Ok(kms) => Outcome::non_compliant(
            format!(
                "the token vault in {} uses {}",
                vault.region,
                kms.as_ref()
                    .map_or("no key configuration (a service managed key)", |k| k
                        .key_type
                        .as_str())
            ),
            "SECAI3.3 needs the credentials agents act with encrypted under a customer managed key",
        ),
    }
}

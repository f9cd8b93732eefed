//! Amazon Bedrock AgentCore state the checks read: runtimes, gateways, memories, custom browsers,
//! custom code interpreters and the token vault (bedrock-agentcore-control API, AWS Config types
//! `AWS::BedrockAgentCore::*`).

use crate::domain::resource::Readable;

/// An AgentCore runtime, with every version it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// The runtime id (`agentRuntimeId`).
    pub id: String,
    /// The runtime name, when known.
    pub name: Option<String>,
    /// Every version's network configuration (`ListAgentRuntimeVersions`, then `GetAgentRuntime`
    /// of each); a Config item tells only the current version's.
    pub versions: Readable<Vec<RuntimeVersion>>,
    /// The inbound JWT authorizer (`authorizerConfiguration.customJWTAuthorizer`) of the current
    /// version; `None` when inbound calls are authorized by IAM (SigV4) alone.
    pub jwt_authorizer: Readable<Option<JwtAuthorizer>>,
}

/// One version of a runtime, as `GetAgentRuntime` of that version describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeVersion {
    /// The version (`agentRuntimeVersion`).
    pub version: String,
    /// `networkConfiguration.networkMode`: `PUBLIC` or `VPC`.
    pub network_mode: Readable<String>,
}

/// A custom JWT authorizer of inbound calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtAuthorizer {
    /// The OpenID Connect discovery URL of the identity provider.
    pub discovery_url: String,
    /// The audiences a token must carry (`allowedAudience`).
    pub allowed_audience: Vec<String>,
    /// The client ids a token may come from (`allowedClients`).
    pub allowed_clients: Vec<String>,
}

/// An AgentCore gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateway {
    /// The gateway id.
    pub id: String,
    /// The gateway name, when known.
    pub name: Option<String>,
    /// `authorizerType`: `CUSTOM_JWT`, `AWS_IAM`, `AUTHENTICATE_ONLY` or `NONE`.
    pub authorizer_type: Readable<String>,
    /// `kmsKeyArn`; `None` means an AWS owned key.
    pub kms_key_arn: Readable<Option<String>>,
    /// `policyEngineConfiguration`; `None` when no policy engine is attached.
    pub policy_engine: Readable<Option<PolicyEngine>>,
    /// `exceptionLevel`; `None` when not set (errors carry no debug detail).
    pub exception_level: Readable<Option<String>>,
    /// The CloudWatch Logs deliveries whose source is the gateway.
    pub log_deliveries: Readable<Vec<LogDelivery>>,
}

/// The policy engine a gateway evaluates tool calls with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEngine {
    /// The policy engine's ARN.
    pub arn: String,
    /// `ENFORCE` or `LOG_ONLY`.
    pub mode: String,
}

/// One CloudWatch Logs vended-log delivery of a resource (`DescribeDeliverySources`, whose
/// `resourceArns` name the resource, joined with `DescribeDeliveries` by the source name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogDelivery {
    /// The delivery source's `logType`, e.g. `APPLICATION_LOGS` or `TRACES`.
    pub log_type: String,
    /// The delivery destination's ARN.
    pub destination_arn: String,
}

/// An AgentCore memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memory {
    /// The memory id.
    pub id: String,
    /// The memory name, when known.
    pub name: Option<String>,
    /// `encryptionKeyArn`; `None` means an AWS owned key.
    pub kms_key_arn: Readable<Option<String>>,
    /// The CloudWatch Logs deliveries whose source is the memory.
    pub log_deliveries: Readable<Vec<LogDelivery>>,
}

/// An AgentCore custom browser (`type=CUSTOM`; the AWS built-in one is not judged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser {
    /// The browser id.
    pub id: String,
    /// The browser name, when known.
    pub name: Option<String>,
    /// `networkConfiguration.networkMode`: `PUBLIC` or `VPC`.
    pub network_mode: Readable<String>,
    /// `recording`; `None` when no recording is configured.
    pub recording: Readable<Option<Recording>>,
}

/// A browser's session recording configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// `enabled`.
    pub enabled: bool,
    /// `s3Location.bucket`, when set.
    pub bucket: Option<String>,
}

/// An AgentCore custom code interpreter (`type=CUSTOM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInterpreter {
    /// The code interpreter id.
    pub id: String,
    /// The code interpreter name, when known.
    pub name: Option<String>,
    /// `networkConfiguration.networkMode`: `PUBLIC`, `SANDBOX` or `VPC`.
    pub network_mode: Readable<String>,
}

/// The AgentCore Identity token vault of one account and region (the `default` vault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenVault {
    /// The region.
    pub region: String,
    /// The vault's key configuration (`GetTokenVault.kmsConfiguration`); `None` when the
    /// response names none.
    pub kms: Readable<Option<TokenVaultKms>>,
}

/// The key a token vault encrypts credentials with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenVaultKms {
    /// `keyType`: `CustomerManagedKey` or `ServiceManagedKey`.
    pub key_type: String,
    /// `kmsKeyArn`, when a customer managed key is named.
    pub kms_key_arn: Option<String>,
}

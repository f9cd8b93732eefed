//! THE event map: which CloudTrail write calls change which resources, how to read each resource's
//! id from the call, which checks to re-run, and what the call did (changed, deleted, or removed a
//! safeguard).
//!
//! Ids are read from `requestParameters` / `responseElements` in the casing CloudTrail records,
//! which is camelCase for every service mapped here, whatever the casing of the service's API
//! input: S3, KMS, IAM, CloudTrail, CloudWatch Logs and Bedrock (`bucketName`, `keyId`,
//! `roleName`, `name`, `logGroupName`, `guardrailIdentifier`) and SageMaker too, although its API
//! input is PascalCase (`notebookInstanceName`, `endpointConfigName`, `responseElements.endpointArn`
//! in the SageMaker developer guide's "Understand SageMaker AI log file entries"). A test holds
//! every pointer to camelCase. Only calls whose resource type the catalog has checks for are mapped
//! (a test enforces it). Classification is pure.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::catalog::{self, Check, Params};
use crate::domain::outcome::Verdict;
use crate::domain::resource::ResourceType;
use crate::domain::time::Timestamp;
use crate::drift::event::ApiCall;
use crate::evaluate::{Subject, SubjectState, evaluate};

/// What a call did to a resource it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The resource was created or its configuration changed: re-read and evaluate.
    Change,
    /// The resource was deleted: its findings become not applicable. It is re-read all the same,
    /// so a delete AWS has not finished (or a failed read) is not stated as a deletion.
    Deletion,
    /// A safeguard was removed (logging stopped or deleted, a guardrail deleted, encryption
    /// removed, ...): the named check is expected to come out non-compliant from the re-read
    /// state. It is still the re-read state that decides (another trail may still log).
    SafeguardRemoved(&'static str),
}

impl Kind {
    /// `change`, `deletion` or `safeguard-removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Change => "change",
            Kind::Deletion => "deletion",
            Kind::SafeguardRemoved(_) => "safeguard-removed",
        }
    }
}

/// Where an id is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A JSON pointer into `requestParameters`.
    Request(&'static str),
    /// A JSON pointer into `responseElements`.
    Response(&'static str),
}

/// How a call names the resource it affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdRule {
    /// The first of these fields that holds a non-empty string.
    One(&'static [Field]),
    /// A knowledge base data source, named `<knowledgeBaseId>|<dataSourceId>` as the collectors
    /// name it.
    DataSource {
        /// Where the knowledge base id is.
        knowledge_base: &'static [Field],
        /// Where the data source id is.
        data_source: &'static [Field],
    },
    /// The account-and-region singleton of the type (Bedrock's invocation logging configuration
    /// and guardrail inventory, the account's CloudTrail coverage).
    Singleton,
    /// Every IAM user in the group named by these fields (a group's policies are its members').
    GroupMembers(&'static [Field]),
}

/// One resource a mapped call affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetRule {
    /// Its type.
    pub resource_type: ResourceType,
    /// How the call names it.
    pub id: IdRule,
    /// What the call did to it.
    pub kind: Kind,
}

/// One mapped call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The EventBridge `source`, e.g. `aws.s3`.
    pub source: &'static str,
    /// CloudTrail's `eventSource`, e.g. `s3.amazonaws.com`.
    pub event_source: &'static str,
    /// CloudTrail's `eventName`.
    pub event_name: &'static str,
    /// The resources it affects.
    pub targets: &'static [TargetRule],
}

use Field::{Request as Rq, Response as Rs};
use IdRule::{GroupMembers, One, Singleton};
use Kind::{Change, Deletion, SafeguardRemoved};

const BUCKET: IdRule = One(&[Rq("/bucketName")]);
const KEY: IdRule = One(&[Rq("/keyId")]);
const LOG_GROUP: IdRule = One(&[Rq("/logGroupName")]);
const TRAIL: IdRule = One(&[Rq("/name"), Rq("/trailName")]);
const ROLE: IdRule = One(&[Rq("/roleName")]);
const USER: IdRule = One(&[Rq("/userName")]);
const GROUP: IdRule = GroupMembers(&[Rq("/groupName")]);
const POLICY: IdRule = One(&[Rq("/policyArn")]);
const NOTEBOOK: IdRule = One(&[Rq("/notebookInstanceName")]);
const ENDPOINT_CONFIG: IdRule = One(&[Rq("/endpointConfigName")]);
const SM_MODEL: IdRule = One(&[Rq("/modelName")]);
const DOMAIN: IdRule = One(&[Rq("/domainId")]);
const FEATURE_GROUP: IdRule = One(&[Rq("/featureGroupName")]);
const JOB_DEFINITION: IdRule = One(&[Rq("/jobDefinitionName")]);
const MONITORING_SCHEDULE: IdRule = One(&[Rq("/monitoringScheduleName")]);
const INFERENCE_EXPERIMENT: IdRule = One(&[Rq("/name")]);
const GUARDRAIL: IdRule = One(&[Rq("/guardrailIdentifier")]);
const AGENT: IdRule = One(&[Rq("/agentId")]);
const RUNTIME: IdRule = One(&[Rq("/agentRuntimeId")]);
const GATEWAY: IdRule = One(&[Rq("/gatewayIdentifier")]);
const MEMORY: IdRule = One(&[Rq("/memoryId")]);
const DATA_SOURCE: IdRule = IdRule::DataSource {
    knowledge_base: &[Rq("/knowledgeBaseId")],
    data_source: &[Rq("/dataSourceId")],
};

const TRAIL_LOGGING: &str = "cloudtrail_multi_region_trail_logging";

/// Builds the route table: `"aws.x" / "x.amazonaws.com": { "EventName" => [(Type, id, kind), ...] }`.
macro_rules! routes {
    ($( $source:literal / $event_source:literal : {
        $( $name:literal => [ $( ($ty:ident, $id:expr, $kind:expr $(,)?) ),+ $(,)? ] ),+ $(,)?
    } )+) => {
        &[ $( $( Route {
            source: $source,
            event_source: $event_source,
            event_name: $name,
            targets: &[ $( TargetRule { resource_type: ResourceType::$ty, id: $id, kind: $kind } ),+ ],
        }, )+ )+ ]
    };
}

/// Every mapped write call (aws-contracts.md §5.3 is the starting point).
pub static ROUTES: &[Route] = routes! {
    "aws.bedrock" / "bedrock.amazonaws.com": {
        "PutModelInvocationLoggingConfiguration" => [(BedrockInvocationLogging, Singleton, Change)],
        "DeleteModelInvocationLoggingConfiguration" => [
            (BedrockInvocationLogging, Singleton, SafeguardRemoved("bedrock_invocation_logging_enabled")),
        ],
        "CreateGuardrail" => [
            (BedrockGuardrail, One(&[Rs("/guardrailId"), Rs("/guardrailArn")]), Change),
            (BedrockGuardrailInventory, Singleton, Change),
        ],
        "UpdateGuardrail" => [
            (BedrockGuardrail, One(&[Rq("/guardrailIdentifier"), Rs("/guardrailId")]), Change),
            (BedrockGuardrailInventory, Singleton, Change),
        ],
        "DeleteGuardrail" => [
            (BedrockGuardrail, GUARDRAIL, Deletion),
            (BedrockGuardrailInventory, Singleton, SafeguardRemoved("bedrock_guardrail_protective_exists")),
        ],
        "PutEnforcedGuardrailConfiguration" => [(BedrockEnforcedGuardrails, Singleton, Change)],
        "DeleteEnforcedGuardrailConfiguration" => [
            (BedrockEnforcedGuardrails, Singleton, SafeguardRemoved("bedrock_enforced_guardrail_all_models")),
        ],
        "CreateModelCustomizationJob" => [
            (BedrockModelCustomizationJob, One(&[Rq("/jobName"), Rs("/jobArn")]), Change),
        ],
        "CreateCustomModel" => [(BedrockCustomModel, One(&[Rq("/modelName"), Rs("/modelArn")]), Change)],
        "DeleteCustomModel" => [(BedrockCustomModel, One(&[Rq("/modelIdentifier")]), Deletion)],
        "CreateAgent" => [(BedrockAgent, One(&[Rs("/agent/agentId")]), Change)],
        "UpdateAgent" => [(BedrockAgent, One(&[Rq("/agentId"), Rs("/agent/agentId")]), Change)],
        "DeleteAgent" => [(BedrockAgent, AGENT, Deletion)],
        "CreateDataSource" => [(
            BedrockDataSource,
            IdRule::DataSource {
                knowledge_base: &[Rq("/knowledgeBaseId"), Rs("/dataSource/knowledgeBaseId")],
                data_source: &[Rs("/dataSource/dataSourceId")],
            },
            Change,
        )],
        "UpdateDataSource" => [(BedrockDataSource, DATA_SOURCE, Change)],
        "DeleteDataSource" => [(BedrockDataSource, DATA_SOURCE, Deletion)],
        // The imported model exists once its import job completes (named by the job's request).
        "CreateModelImportJob" => [(BedrockImportedModel, One(&[Rq("/importedModelName")]), Change)],
        "DeleteImportedModel" => [(BedrockImportedModel, One(&[Rq("/modelIdentifier")]), Deletion)],
        "CreateModelInvocationJob" => [
            (BedrockModelInvocationJob, One(&[Rs("/jobArn")]), Change),
        ],
    }
    "aws.bedrock-agentcore" / "bedrock-agentcore.amazonaws.com": {
        "CreateAgentRuntime" => [(AgentCoreRuntime, One(&[Rs("/agentRuntimeId")]), Change)],
        "UpdateAgentRuntime" => [(AgentCoreRuntime, RUNTIME, Change)],
        "DeleteAgentRuntime" => [(AgentCoreRuntime, RUNTIME, Deletion)],
        "CreateGateway" => [(AgentCoreGateway, One(&[Rs("/gatewayId")]), Change)],
        "UpdateGateway" => [(AgentCoreGateway, GATEWAY, Change)],
        "DeleteGateway" => [(AgentCoreGateway, GATEWAY, Deletion)],
        "CreateMemory" => [(AgentCoreMemory, One(&[Rs("/memory/id")]), Change)],
        "UpdateMemory" => [(AgentCoreMemory, MEMORY, Change)],
        "DeleteMemory" => [(AgentCoreMemory, MEMORY, Deletion)],
        "CreateBrowser" => [(AgentCoreBrowser, One(&[Rs("/browserId")]), Change)],
        "DeleteBrowser" => [(AgentCoreBrowser, One(&[Rq("/browserId")]), Deletion)],
        "CreateCodeInterpreter" => [(AgentCoreCodeInterpreter, One(&[Rs("/codeInterpreterId")]), Change)],
        "DeleteCodeInterpreter" => [(AgentCoreCodeInterpreter, One(&[Rq("/codeInterpreterId")]), Deletion)],
        "SetTokenVaultCMK" => [(AgentCoreTokenVault, Singleton, Change)],
    }
    "aws.sagemaker" / "sagemaker.amazonaws.com": {
        "CreateNotebookInstance" => [(SageMakerNotebookInstance, NOTEBOOK, Change)],
        "UpdateNotebookInstance" => [(SageMakerNotebookInstance, NOTEBOOK, Change)],
        "DeleteNotebookInstance" => [(SageMakerNotebookInstance, NOTEBOOK, Deletion)],
        "CreateEndpointConfig" => [(SageMakerEndpointConfig, ENDPOINT_CONFIG, Change)],
        "DeleteEndpointConfig" => [(SageMakerEndpointConfig, ENDPOINT_CONFIG, Deletion)],
        "CreateTrainingJob" => [(SageMakerTrainingJob, One(&[Rq("/trainingJobName")]), Change)],
        "CreateModel" => [(SageMakerModel, SM_MODEL, Change)],
        "DeleteModel" => [(SageMakerModel, SM_MODEL, Deletion)],
        "CreateDomain" => [(SageMakerDomain, One(&[Rs("/domainArn")]), Change)],
        "UpdateDomain" => [(SageMakerDomain, DOMAIN, Change)],
        "DeleteDomain" => [(SageMakerDomain, DOMAIN, Deletion)],
        "CreateFeatureGroup" => [(SageMakerFeatureGroup, FEATURE_GROUP, Change)],
        "UpdateFeatureGroup" => [(SageMakerFeatureGroup, FEATURE_GROUP, Change)],
        "DeleteFeatureGroup" => [(SageMakerFeatureGroup, FEATURE_GROUP, Deletion)],
        "CreateDataQualityJobDefinition" => [(SageMakerDataQualityJobDefinition, JOB_DEFINITION, Change)],
        "DeleteDataQualityJobDefinition" => [(SageMakerDataQualityJobDefinition, JOB_DEFINITION, Deletion)],
        "CreateModelQualityJobDefinition" => [(SageMakerModelQualityJobDefinition, JOB_DEFINITION, Change)],
        "DeleteModelQualityJobDefinition" => [(SageMakerModelQualityJobDefinition, JOB_DEFINITION, Deletion)],
        "CreateModelBiasJobDefinition" => [(SageMakerModelBiasJobDefinition, JOB_DEFINITION, Change)],
        "DeleteModelBiasJobDefinition" => [(SageMakerModelBiasJobDefinition, JOB_DEFINITION, Deletion)],
        "CreateModelExplainabilityJobDefinition" => [
            (SageMakerModelExplainabilityJobDefinition, JOB_DEFINITION, Change),
        ],
        "DeleteModelExplainabilityJobDefinition" => [
            (SageMakerModelExplainabilityJobDefinition, JOB_DEFINITION, Deletion),
        ],
        "CreateMonitoringSchedule" => [(SageMakerMonitoringSchedule, MONITORING_SCHEDULE, Change)],
        "UpdateMonitoringSchedule" => [(SageMakerMonitoringSchedule, MONITORING_SCHEDULE, Change)],
        "DeleteMonitoringSchedule" => [(SageMakerMonitoringSchedule, MONITORING_SCHEDULE, Deletion)],
        "CreateInferenceExperiment" => [(SageMakerInferenceExperiment, INFERENCE_EXPERIMENT, Change)],
        "UpdateInferenceExperiment" => [(SageMakerInferenceExperiment, INFERENCE_EXPERIMENT, Change)],
        "DeleteInferenceExperiment" => [(SageMakerInferenceExperiment, INFERENCE_EXPERIMENT, Deletion)],
        "CreateProcessingJob" => [(SageMakerProcessingJob, One(&[Rq("/processingJobName")]), Change)],
        "CreateTransformJob" => [(SageMakerTransformJob, One(&[Rq("/transformJobName")]), Change)],
    }
    "aws.s3" / "s3.amazonaws.com": {
        "CreateBucket" => [(S3Bucket, BUCKET, Change)],
        "DeleteBucket" => [(S3Bucket, BUCKET, Deletion)],
        "PutBucketEncryption" => [(S3Bucket, BUCKET, Change)],
        "DeleteBucketEncryption" => [(S3Bucket, BUCKET, SafeguardRemoved("s3_bucket_default_encryption_kms"))],
        "PutBucketPolicy" => [(S3Bucket, BUCKET, Change)],
        "DeleteBucketPolicy" => [(S3Bucket, BUCKET, SafeguardRemoved("s3_bucket_tls_only"))],
        // CloudTrail records the bucket-level calls as Put/DeleteBucketPublicAccessBlock although
        // the S3 API names them Put/DeletePublicAccessBlock: both are matched.
        "PutBucketPublicAccessBlock" => [(S3Bucket, BUCKET, Change)],
        "PutPublicAccessBlock" => [(S3Bucket, BUCKET, Change)],
        "DeleteBucketPublicAccessBlock" => [(S3Bucket, BUCKET, SafeguardRemoved("s3_bucket_public_access_blocked"))],
        "DeletePublicAccessBlock" => [(S3Bucket, BUCKET, SafeguardRemoved("s3_bucket_public_access_blocked"))],
        "PutBucketLogging" => [(S3Bucket, BUCKET, Change)],
    }
    "aws.kms" / "kms.amazonaws.com": {
        "CreateKey" => [(KmsKey, One(&[Rs("/keyMetadata/keyId"), Rs("/keyMetadata/arn")]), Change)],
        "ScheduleKeyDeletion" => [(KmsKey, KEY, SafeguardRemoved("kms_key_enabled_not_pending_deletion"))],
        "CancelKeyDeletion" => [(KmsKey, KEY, Change)],
        "DisableKey" => [(KmsKey, KEY, SafeguardRemoved("kms_key_enabled_not_pending_deletion"))],
        "EnableKey" => [(KmsKey, KEY, Change)],
        "DisableKeyRotation" => [(KmsKey, KEY, SafeguardRemoved("kms_key_rotation_enabled"))],
        "EnableKeyRotation" => [(KmsKey, KEY, Change)],
        "PutKeyPolicy" => [(KmsKey, KEY, Change)],
    }
    "aws.iam" / "iam.amazonaws.com": {
        "CreateRole" => [(IamRole, ROLE, Change)],
        "DeleteRole" => [(IamRole, ROLE, Deletion)],
        "AttachRolePolicy" => [(IamRole, ROLE, Change)],
        "DetachRolePolicy" => [(IamRole, ROLE, Change)],
        "PutRolePolicy" => [(IamRole, ROLE, Change)],
        "DeleteRolePolicy" => [(IamRole, ROLE, Change)],
        "CreateUser" => [(IamUser, USER, Change)],
        "DeleteUser" => [(IamUser, USER, Deletion)],
        "AttachUserPolicy" => [(IamUser, USER, Change)],
        "DetachUserPolicy" => [(IamUser, USER, Change)],
        "PutUserPolicy" => [(IamUser, USER, Change)],
        "DeleteUserPolicy" => [(IamUser, USER, Change)],
        "AddUserToGroup" => [(IamUser, USER, Change)],
        "RemoveUserFromGroup" => [(IamUser, USER, Change)],
        "CreateAccessKey" => [(IamUser, One(&[Rq("/userName"), Rs("/accessKey/userName")]), Change)],
        "UpdateAccessKey" => [(IamUser, USER, Change)],
        "DeleteAccessKey" => [(IamUser, USER, Change)],
        "CreateLoginProfile" => [(IamUser, USER, Change)],
        "DeleteLoginProfile" => [(IamUser, USER, Change)],
        // Long-term Bedrock API keys are service-specific credentials; a call without userName
        // acts on the caller and names no user to re-read.
        "CreateServiceSpecificCredential" => [
            (IamUser, One(&[Rq("/userName"), Rs("/serviceSpecificCredential/userName")]), Change),
        ],
        "UpdateServiceSpecificCredential" => [(IamUser, USER, Change)],
        "ResetServiceSpecificCredential" => [(IamUser, USER, Change)],
        "DeleteServiceSpecificCredential" => [(IamUser, USER, Change)],
        "AttachGroupPolicy" => [(IamUser, GROUP, Change)],
        "DetachGroupPolicy" => [(IamUser, GROUP, Change)],
        "PutGroupPolicy" => [(IamUser, GROUP, Change)],
        "DeleteGroupPolicy" => [(IamUser, GROUP, Change)],
        "CreatePolicy" => [(IamPolicy, One(&[Rs("/policy/arn")]), Change)],
        "CreatePolicyVersion" => [(IamPolicy, POLICY, Change)],
        "SetDefaultPolicyVersion" => [(IamPolicy, POLICY, Change)],
        "DeletePolicy" => [(IamPolicy, POLICY, Deletion)],
    }
    "aws.cloudtrail" / "cloudtrail.amazonaws.com": {
        "CreateTrail" => [
            (CloudTrailTrail, One(&[Rq("/name"), Rs("/name"), Rs("/trailARN")]), Change),
            (Account, Singleton, Change),
        ],
        "UpdateTrail" => [(CloudTrailTrail, TRAIL, Change), (Account, Singleton, Change)],
        "DeleteTrail" => [
            (CloudTrailTrail, TRAIL, Deletion),
            (Account, Singleton, SafeguardRemoved(TRAIL_LOGGING)),
        ],
        "StartLogging" => [(Account, Singleton, Change)],
        "StopLogging" => [(Account, Singleton, SafeguardRemoved(TRAIL_LOGGING))],
        "PutEventSelectors" => [(Account, Singleton, Change)],
    }
    "aws.logs" / "logs.amazonaws.com": {
        "CreateLogGroup" => [(LogsLogGroup, LOG_GROUP, Change)],
        "DeleteLogGroup" => [(LogsLogGroup, LOG_GROUP, Deletion)],
        "PutRetentionPolicy" => [(LogsLogGroup, LOG_GROUP, Change)],
        "DeleteRetentionPolicy" => [(LogsLogGroup, LOG_GROUP, Change)],
        "AssociateKmsKey" => [(LogsLogGroup, LOG_GROUP, Change)],
        "DisassociateKmsKey" => [(LogsLogGroup, LOG_GROUP, SafeguardRemoved("logs_log_group_kms_encryption"))],
        "PutDataProtectionPolicy" => [(LogsLogGroup, One(&[Rq("/logGroupIdentifier")]), Change)],
        "DeleteDataProtectionPolicy" => [(
            LogsLogGroup,
            One(&[Rq("/logGroupIdentifier")]),
            SafeguardRemoved("logs_genai_log_group_data_protection"),
        )],
        // An account policy applies to many groups: every GenAI log group of the region is re-read.
        "PutAccountPolicy" => [(LogsLogGroup, Singleton, Change)],
        "DeleteAccountPolicy" => [(LogsLogGroup, Singleton, Change)],
    }
};

/// The route of `(eventSource, eventName)`, if mapped.
pub fn route(event_source: &str, event_name: &str) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|r| r.event_source == event_source && r.event_name == event_name)
}

/// Every mapped event name by EventBridge `source`: what the EventBridge rules must route.
pub fn routed_events() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut map: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
    for route in ROUTES {
        map.entry(route.source)
            .or_default()
            .insert(route.event_name);
    }
    map
}

/// How a resolved target is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// One resource, by the id the call names it with (a name, an id, an ARN, or a KMS alias).
    Resource(String),
    /// The account-and-region singleton of the type.
    Singleton,
    /// Every IAM user in this group.
    GroupMembers(String),
}

impl Selector {
    /// The id as quoted in summaries: the id, `(account and region)`, or `members of group g`.
    pub fn describe(&self) -> String {
        match self {
            Selector::Resource(id) => id.clone(),
            Selector::Singleton => "(account and region)".into(),
            Selector::GroupMembers(group) => format!("members of group {group}"),
        }
    }
}

/// A resource a call affects, resolved from the call.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its type.
    pub resource_type: ResourceType,
    /// How to find it.
    pub selector: Selector,
    /// What the call did to it.
    pub kind: Kind,
    /// The checks to re-run (every catalog check of the type).
    pub checks: Vec<&'static Check>,
}

/// Why an event was not acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SkipReason {
    /// The call failed (`errorCode`): nothing changed.
    FailedCall,
    /// The call only read state.
    ReadOnly,
    /// The map has no entry for the call (no checked resource type is affected).
    Unmapped,
    /// The call is mapped but names no resource the map can read (e.g. `CreateAccessKey` for
    /// the caller's own user, without `userName`).
    NoResourceId,
    /// The call names a resource by an id longer than the service allows for its type: no real
    /// resource has it, so it is neither read, stored nor echoed.
    InvalidResourceId,
}

impl SkipReason {
    /// `failed-call`, `read-only`, `unmapped` or `no-resource-id`.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::FailedCall => "failed-call",
            SkipReason::ReadOnly => "read-only",
            SkipReason::Unmapped => "unmapped",
            SkipReason::NoResourceId => "no-resource-id",
            SkipReason::InvalidResourceId => "invalid-resource-id",
        }
    }
}

/// An event that is not acted on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The category.
    pub reason: SkipReason,
    /// The explanation, for the log and the summary.
    pub message: String,
}

/// What the map makes of a call.
#[derive(Debug, Clone)]
pub enum Classified {
    /// A mapped write call and the resources it affects.
    Mapped {
        /// Its route.
        route: &'static Route,
        /// The resources, resolved (never empty).
        targets: Vec<Target>,
    },
    /// Nothing to do.
    Skipped(Skip),
}

/// Whether `name` is a read-only call by its verb.
fn reads_only(name: &str) -> bool {
    ["Get", "List", "Describe", "Head", "BatchGet", "Lookup"]
        .iter()
        .any(|verb| name.starts_with(verb))
}

/// Classifies a call: skipped (failed, read-only, unmapped, no resource named) or mapped to the
/// resources it affects.
pub fn classify(call: &ApiCall) -> Classified {
    let skip = |reason, message: String| Classified::Skipped(Skip { reason, message });
    if let Some(code) = &call.error_code {
        return skip(
            SkipReason::FailedCall,
            format!(
                "{} failed with {code}: a failed call changes nothing",
                call.event_name
            ),
        );
    }
    if call.read_only || reads_only(&call.event_name) {
        return skip(
            SkipReason::ReadOnly,
            format!("{} only reads state", call.event_name),
        );
    }
    let Some(route) = route(&call.event_source, &call.event_name) else {
        return skip(
            SkipReason::Unmapped,
            format!(
                "{} ({}) is not in the event map: it changes no resource a check reads",
                call.event_name, call.event_source
            ),
        );
    };
    let selectors: Vec<(&TargetRule, Selector)> = route
        .targets
        .iter()
        .filter_map(|rule| Some((rule, selector(call, rule)?)))
        .collect();
    if let Some((rule, chars, max)) = selectors.iter().find_map(|(rule, selector)| {
        let (chars, max) = oversized(rule.resource_type, selector)?;
        Some((rule, chars, max))
    }) {
        return skip(
            SkipReason::InvalidResourceId,
            format!(
                "{} names a {} by an id of {chars} characters, and the service allows at most {max}: no such resource exists, nothing was read",
                call.event_name, rule.resource_type
            ),
        );
    }
    let targets: Vec<Target> = selectors
        .into_iter()
        .map(|(rule, selector)| Target {
            resource_type: rule.resource_type,
            selector,
            kind: rule.kind,
            checks: catalog::checks_for(rule.resource_type).collect(),
        })
        .collect();
    if targets.is_empty() {
        return skip(
            SkipReason::NoResourceId,
            format!(
                "{} names no resource in its requestParameters or responseElements",
                call.event_name
            ),
        );
    }
    Classified::Mapped { route, targets }
}

/// How the call names the resource `rule` describes, if it does.
fn selector(call: &ApiCall, rule: &TargetRule) -> Option<Selector> {
    Some(match rule.id {
        IdRule::One(fields) => {
            Selector::Resource(normalize(rule.resource_type, &first(call, fields)?))
        }
        IdRule::DataSource {
            knowledge_base,
            data_source,
        } => Selector::Resource(format!(
            "{}|{}",
            first(call, knowledge_base)?,
            first(call, data_source)?
        )),
        IdRule::Singleton => Selector::Singleton,
        IdRule::GroupMembers(fields) => Selector::GroupMembers(first(call, fields)?),
    })
}

/// `(length, limit)` when the selector's id is longer than the type allows (an IAM group name
/// at most 128 characters).
fn oversized(resource_type: ResourceType, selector: &Selector) -> Option<(usize, usize)> {
    const MAX_GROUP_NAME: usize = 128;
    let (id, max) = match selector {
        Selector::Resource(id) => (id, resource_type.max_id_chars()),
        Selector::GroupMembers(group) => (group, MAX_GROUP_NAME),
        Selector::Singleton => return None,
    };
    let chars = id.chars().count();
    (chars > max).then_some((chars, max))
}

/// The first of `fields` holding a non-empty string.
fn first(call: &ApiCall, fields: &[Field]) -> Option<String> {
    fields.iter().find_map(|field| {
        let value = match field {
            Field::Request(pointer) => call.request_parameters.pointer(pointer),
            Field::Response(pointer) => call.response_elements.pointer(pointer),
        };
        value
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    })
}

/// The id the collectors name the resource with, from the form the call used: a trail, guardrail
/// or SageMaker domain ARN becomes its name or id, a log group ARN its name. KMS keys keep the
/// form given (id, ARN or alias): the refresh resolves it.
fn normalize(resource_type: ResourceType, raw: &str) -> String {
    let after = |marker: &str| {
        raw.starts_with("arn:")
            .then(|| raw.rsplit_once(marker).map(|(_, rest)| rest.to_owned()))
            .flatten()
    };
    let normalized = match resource_type {
        ResourceType::CloudTrailTrail => after(":trail/"),
        ResourceType::BedrockGuardrail => after(":guardrail/"),
        ResourceType::SageMakerDomain => after(":domain/"),
        ResourceType::AgentCoreGateway => after(":gateway/"),
        ResourceType::LogsLogGroup => after(":log-group:").map(|n| n.trim_end_matches(":*").into()),
        _ => None,
    };
    normalized
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| raw.to_owned())
}

impl Target {
    /// The target's own subject among what a refresh returned (an IAM policy's refresh also
    /// returns the roles and users it reaches).
    pub fn primary<'a>(&self, subjects: &'a [Subject]) -> Option<&'a Subject> {
        subjects
            .iter()
            .find(|s| s.resource.resource_type == self.resource_type.cfn_type())
    }

    /// Whether the re-read state still contradicts what the call did, so it is worth reading
    /// again (eventual consistency): a changed resource still gone, a deleted one still there, a
    /// removed safeguard still passing (under `params`, the ones the evaluation uses).
    /// Group-member targets never contradict.
    pub fn contradicted_by(&self, subjects: &[Subject], params: &Params) -> bool {
        if matches!(self.selector, Selector::GroupMembers(_)) {
            return false;
        }
        let Some(subject) = self.primary(subjects) else {
            return false;
        };
        match (self.kind, &subject.state) {
            (Kind::Change, SubjectState::Gone(_)) => true,
            (Kind::Deletion, SubjectState::Live(_)) => true,
            (Kind::SafeguardRemoved(check), SubjectState::Live(_)) => {
                evaluate(subject, params, Timestamp::now())
                    .iter()
                    .any(|f| f.check.id == check && f.outcome.verdict == Verdict::Compliant)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::drift::event::Actor;

    fn call(event_source: &str, event_name: &str, request: Value, response: Value) -> ApiCall {
        ApiCall {
            event_id: "e-1".into(),
            event_source: event_source.into(),
            event_name: event_name.into(),
            event_time: Timestamp::from_epoch_millis(0),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            read_only: false,
            error_code: None,
            actor: Actor {
                arn: "arn:aws:sts::123456789012:assumed-role/Admin/alice".into(),
                principal_type: "AssumedRole".into(),
                source_ip: "203.0.113.10".into(),
                user_agent: None,
            },
            request_parameters: request,
            response_elements: response,
        }
    }

    /// `(type, selector, kind)` of each target, or the skip reason.
    fn targets(call: &ApiCall) -> Vec<(ResourceType, Selector, Kind)> {
        match classify(call) {
            Classified::Mapped { targets, .. } => targets
                .into_iter()
                .map(|t| (t.resource_type, t.selector, t.kind))
                .collect(),
            Classified::Skipped(skip) => panic!("{} skipped: {}", call.event_name, skip.message),
        }
    }

    fn id(text: &str) -> Selector {
        Selector::Resource(text.into())
    }

    fn skip_reason(call: &ApiCall) -> SkipReason {
        match classify(call) {
            Classified::Skipped(skip) => skip.reason,
            Classified::Mapped { .. } => panic!("{} was mapped", call.event_name),
        }
    }

    #[test]
    fn the_map_covers_at_least_forty_write_calls_across_every_service() {
        assert!(ROUTES.len() >= 40, "{} routes", ROUTES.len());
        let sources: BTreeSet<_> = routed_events().keys().copied().collect();
        assert_eq!(
            sources,
            BTreeSet::from([
                "aws.bedrock",
                "aws.bedrock-agentcore",
                "aws.cloudtrail",
                "aws.iam",
                "aws.kms",
                "aws.logs",
                "aws.s3",
                "aws.sagemaker"
            ])
        );
        let mut seen = BTreeSet::new();
        for route in ROUTES {
            assert!(
                seen.insert((route.event_source, route.event_name)),
                "{} is mapped twice",
                route.event_name
            );
            assert_eq!(
                route.event_source.trim_end_matches(".amazonaws.com"),
                route.source.trim_start_matches("aws."),
                "{}",
                route.event_name
            );
            assert!(!reads_only(route.event_name), "{}", route.event_name);
            assert!(!route.targets.is_empty(), "{}", route.event_name);
        }
    }

    #[test]
    fn every_mapped_type_has_checks_and_every_safeguard_check_reads_its_type() {
        for route in ROUTES {
            for target in route.targets {
                assert!(
                    catalog::checks_for(target.resource_type).next().is_some(),
                    "{} maps to {}, which no check reads",
                    route.event_name,
                    target.resource_type
                );
                if let Kind::SafeguardRemoved(id) = target.kind {
                    let check = catalog::find_check(id)
                        .unwrap_or_else(|| panic!("{}: no check {id}", route.event_name));
                    assert_eq!(check.resource_type(), target.resource_type, "{id}");
                }
            }
        }
    }

    #[test]
    fn bedrock_calls_name_their_resources_in_camel_case() {
        let b = "bedrock.amazonaws.com";
        assert_eq!(
            targets(&call(
                b,
                "DeleteModelInvocationLoggingConfiguration",
                Value::Null,
                Value::Null
            )),
            [(
                ResourceType::BedrockInvocationLogging,
                Selector::Singleton,
                Kind::SafeguardRemoved("bedrock_invocation_logging_enabled")
            )]
        );
        // The enforced configuration is the account-and-region singleton, whatever the call names.
        assert_eq!(
            targets(&call(
                b,
                "PutEnforcedGuardrailConfiguration",
                json!({"guardrailInferenceConfig": {"guardrailIdentifier": "gr7x2k9q4m1a", "guardrailVersion": "3"}}),
                json!({"configId": "a1b2c3d4e5"})
            )),
            [(
                ResourceType::BedrockEnforcedGuardrails,
                Selector::Singleton,
                Kind::Change
            )]
        );
        assert_eq!(
            targets(&call(
                b,
                "DeleteEnforcedGuardrailConfiguration",
                json!({"configId": "a1b2c3d4e5"}),
                Value::Null
            )),
            [(
                ResourceType::BedrockEnforcedGuardrails,
                Selector::Singleton,
                Kind::SafeguardRemoved("bedrock_enforced_guardrail_all_models")
            )]
        );
        let deleted = call(
            b,
            "DeleteGuardrail",
            json!({"guardrailIdentifier": "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr7x2k9q4m1a"}),
            Value::Null,
        );
        assert_eq!(
            targets(&deleted),
            [
                (
                    ResourceType::BedrockGuardrail,
                    id("gr7x2k9q4m1a"),
                    Kind::Deletion
                ),
                (
                    ResourceType::BedrockGuardrailInventory,
                    Selector::Singleton,
                    Kind::SafeguardRemoved("bedrock_guardrail_protective_exists")
                ),
            ]
        );
        let created = call(
            b,
            "CreateGuardrail",
            json!({"name": "genai-default", "blockedInputMessaging": "Sorry."}),
            json!({"guardrailId": "gr7x2k9q4m1a", "guardrailArn": "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr7x2k9q4m1a", "version": "DRAFT"}),
        );
        assert_eq!(targets(&created)[0].1, id("gr7x2k9q4m1a"));
        let job = call(
            b,
            "CreateModelCustomizationJob",
            json!({"jobName": "ft-claims-2026-08", "customModelName": "claims-ft", "customModelKmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"}),
            json!({"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/amazon.titan-text-express-v1:0:8k/abc123"}),
        );
        assert_eq!(
            targets(&job),
            [(
                ResourceType::BedrockModelCustomizationJob,
                id("ft-claims-2026-08"),
                Kind::Change
            )]
        );
        let model = call(
            b,
            "DeleteCustomModel",
            json!({"modelIdentifier": "claims-ft"}),
            Value::Null,
        );
        assert_eq!(
            targets(&model),
            [(
                ResourceType::BedrockCustomModel,
                id("claims-ft"),
                Kind::Deletion
            )]
        );
    }

    #[test]
    fn bedrock_agent_and_knowledge_base_calls_read_agent_and_data_source_ids() {
        let b = "bedrock.amazonaws.com";
        let created = call(
            b,
            "CreateAgent",
            json!({"agentName": "claims-helper", "foundationModel": "anthropic.claude-3-haiku-20240307-v1:0"}),
            json!({"agent": {"agentId": "AGT7Q2X9LM", "agentName": "claims-helper", "agentStatus": "CREATING"}}),
        );
        assert_eq!(
            targets(&created),
            [(ResourceType::BedrockAgent, id("AGT7Q2X9LM"), Kind::Change)]
        );
        let updated = call(
            b,
            "UpdateAgent",
            json!({"agentId": "AGT7Q2X9LM", "agentName": "claims-helper"}),
            Value::Null,
        );
        assert_eq!(targets(&updated)[0].1, id("AGT7Q2X9LM"));
        let source = call(
            b,
            "UpdateDataSource",
            json!({"knowledgeBaseId": "KB4R8T2W1Z", "dataSourceId": "DS9P3L6K2J", "name": "claims-docs"}),
            Value::Null,
        );
        assert_eq!(
            targets(&source),
            [(
                ResourceType::BedrockDataSource,
                id("KB4R8T2W1Z|DS9P3L6K2J"),
                Kind::Change
            )]
        );
        let created = call(
            b,
            "CreateDataSource",
            json!({"knowledgeBaseId": "KB4R8T2W1Z", "name": "claims-docs"}),
            json!({"dataSource": {"knowledgeBaseId": "KB4R8T2W1Z", "dataSourceId": "DS9P3L6K2J"}}),
        );
        assert_eq!(targets(&created)[0].1, id("KB4R8T2W1Z|DS9P3L6K2J"));
    }

    #[test]
    fn agentcore_calls_read_runtime_gateway_memory_and_tool_ids_and_the_vault_is_a_singleton() {
        let source = "bedrock-agentcore.amazonaws.com";
        let cases = [
            (
                call(
                    source,
                    "CreateAgentRuntime",
                    json!({"agentRuntimeName": "support"}),
                    json!({"agentRuntimeId": "support-AbCdEf1234"}),
                ),
                ResourceType::AgentCoreRuntime,
                id("support-AbCdEf1234"),
            ),
            (
                call(
                    source,
                    "UpdateAgentRuntime",
                    json!({"agentRuntimeId": "support-AbCdEf1234"}),
                    Value::Null,
                ),
                ResourceType::AgentCoreRuntime,
                id("support-AbCdEf1234"),
            ),
            (
                call(
                    source,
                    "UpdateGateway",
                    json!({"gatewayIdentifier": "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/tools-gw-1a2b3c4d5e"}),
                    Value::Null,
                ),
                ResourceType::AgentCoreGateway,
                id("tools-gw-1a2b3c4d5e"),
            ),
            (
                call(
                    source,
                    "CreateMemory",
                    json!({"name": "chat"}),
                    json!({"memory": {"id": "chat-Xy12Zw34Ab"}}),
                ),
                ResourceType::AgentCoreMemory,
                id("chat-Xy12Zw34Ab"),
            ),
            (
                call(
                    source,
                    "CreateBrowser",
                    json!({"name": "research"}),
                    json!({"browserId": "research-0a1b2c3d4e"}),
                ),
                ResourceType::AgentCoreBrowser,
                id("research-0a1b2c3d4e"),
            ),
            (
                call(
                    source,
                    "CreateCodeInterpreter",
                    json!({"name": "calc"}),
                    json!({"codeInterpreterId": "calc-9z8y7x6w5v"}),
                ),
                ResourceType::AgentCoreCodeInterpreter,
                id("calc-9z8y7x6w5v"),
            ),
            (
                call(
                    source,
                    "SetTokenVaultCMK",
                    json!({"kmsConfiguration": {"keyType": "ServiceManagedKey"}}),
                    Value::Null,
                ),
                ResourceType::AgentCoreTokenVault,
                Selector::Singleton,
            ),
        ];
        for (call, resource_type, selector) in cases {
            assert_eq!(
                targets(&call),
                [(resource_type, selector, Kind::Change)],
                "{}",
                call.event_name
            );
        }
    }

    #[test]
    fn sagemaker_calls_name_their_resources_in_cloudtrails_camel_case() {
        // The shapes of the SageMaker developer guide's "Understand SageMaker AI log file
        // entries": CloudTrail records SageMaker's PascalCase API input in camelCase.
        let s = "sagemaker.amazonaws.com";
        let cases = [
            (
                "CreateNotebookInstance",
                json!({"notebookInstanceName": "genai-research-nb", "instanceType": "ml.t3.medium"}),
                json!({"notebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/genai-research-nb"}),
                ResourceType::SageMakerNotebookInstance,
                "genai-research-nb",
            ),
            (
                "UpdateNotebookInstance",
                json!({"notebookInstanceName": "genai-research-nb", "rootAccess": "Disabled"}),
                Value::Null,
                ResourceType::SageMakerNotebookInstance,
                "genai-research-nb",
            ),
            (
                "CreateTrainingJob",
                json!({"trainingJobName": "claims-ft-0810"}),
                json!({"trainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/claims-ft-0810"}),
                ResourceType::SageMakerTrainingJob,
                "claims-ft-0810",
            ),
            (
                "CreateEndpointConfig",
                json!({"endpointConfigName": "claims-ep-config"}),
                json!({"endpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/claims-ep-config"}),
                ResourceType::SageMakerEndpointConfig,
                "claims-ep-config",
            ),
            (
                "CreateModel",
                json!({"modelName": "claims-model", "executionRoleArn": "arn:aws:iam::123456789012:role/sm"}),
                json!({"modelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/claims-model"}),
                ResourceType::SageMakerModel,
                "claims-model",
            ),
            (
                "CreateDomain",
                json!({"domainName": "genai-studio"}),
                json!({"domainArn": "arn:aws:sagemaker:us-east-1:123456789012:domain/d-abc123xyz789", "url": "https://d-abc123xyz789.studio.us-east-1.sagemaker.aws"}),
                ResourceType::SageMakerDomain,
                "d-abc123xyz789",
            ),
            (
                "UpdateDomain",
                json!({"domainId": "d-abc123xyz789"}),
                Value::Null,
                ResourceType::SageMakerDomain,
                "d-abc123xyz789",
            ),
            (
                "CreateFeatureGroup",
                json!({"featureGroupName": "claims-features"}),
                Value::Null,
                ResourceType::SageMakerFeatureGroup,
                "claims-features",
            ),
            (
                "DeleteModelBiasJobDefinition",
                json!({"jobDefinitionName": "claims-bias"}),
                Value::Null,
                ResourceType::SageMakerModelBiasJobDefinition,
                "claims-bias",
            ),
            (
                "CreateMonitoringSchedule",
                json!({"monitoringScheduleName": "claims-dq-hourly", "monitoringScheduleConfig": {"monitoringJobDefinitionName": "claims-dq", "monitoringType": "DataQuality"}}),
                json!({"monitoringScheduleArn": "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/claims-dq-hourly"}),
                ResourceType::SageMakerMonitoringSchedule,
                "claims-dq-hourly",
            ),
            (
                "UpdateMonitoringSchedule",
                json!({"monitoringScheduleName": "claims-dq-hourly"}),
                Value::Null,
                ResourceType::SageMakerMonitoringSchedule,
                "claims-dq-hourly",
            ),
            (
                "CreateInferenceExperiment",
                json!({"name": "claims-shadow", "type": "ShadowMode", "endpointName": "claims-ep", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}),
                json!({"inferenceExperimentArn": "arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/claims-shadow"}),
                ResourceType::SageMakerInferenceExperiment,
                "claims-shadow",
            ),
            (
                "UpdateInferenceExperiment",
                json!({"name": "claims-shadow"}),
                Value::Null,
                ResourceType::SageMakerInferenceExperiment,
                "claims-shadow",
            ),
            (
                "CreateProcessingJob",
                json!({"processingJobName": "claims-preprocess-0810"}),
                json!({"processingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/claims-preprocess-0810"}),
                ResourceType::SageMakerProcessingJob,
                "claims-preprocess-0810",
            ),
            (
                "CreateTransformJob",
                json!({"transformJobName": "claims-batch-0810", "modelName": "claims-model"}),
                json!({"transformJobArn": "arn:aws:sagemaker:us-east-1:123456789012:transform-job/claims-batch-0810"}),
                ResourceType::SageMakerTransformJob,
                "claims-batch-0810",
            ),
        ];
        for (name, request, response, ty, expected) in cases {
            let found = targets(&call(s, name, request, response));
            assert_eq!((found[0].0, &found[0].1), (ty, &id(expected)), "{name}");
        }
    }

    #[test]
    fn the_api_input_casing_of_sagemaker_is_not_what_cloudtrail_records_and_is_not_read() {
        // The project's first samples used SageMaker's PascalCase API input; CloudTrail never
        // writes it. Such a record names no resource (kept as events/negative/ samples).
        let s = "sagemaker.amazonaws.com";
        for (name, request) in [
            (
                "CreateNotebookInstance",
                json!({"NotebookInstanceName": "nb"}),
            ),
            ("CreateTrainingJob", json!({"TrainingJobName": "job"})),
            ("UpdateDomain", json!({"DomainId": "d-abc123xyz789"})),
        ] {
            assert_eq!(
                skip_reason(&call(s, name, request, Value::Null)),
                SkipReason::NoResourceId,
                "{name}"
            );
        }
    }

    #[test]
    fn every_id_pointer_is_camel_case_as_cloudtrail_records_it() {
        let mut pointers = Vec::new();
        let mut push = |fields: &[Field]| {
            for field in fields {
                let (Field::Request(p) | Field::Response(p)) = field;
                pointers.push(*p);
            }
        };
        for route in ROUTES {
            for target in route.targets {
                match target.id {
                    IdRule::One(fields) | IdRule::GroupMembers(fields) => push(fields),
                    IdRule::DataSource {
                        knowledge_base,
                        data_source,
                    } => {
                        push(knowledge_base);
                        push(data_source);
                    }
                    IdRule::Singleton => (),
                }
            }
        }
        for pointer in pointers {
            for segment in pointer.split('/').filter(|s| !s.is_empty()) {
                assert!(
                    segment.starts_with(|c: char| c.is_ascii_lowercase()),
                    "{pointer}: CloudTrail records request and response keys in camelCase"
                );
            }
        }
    }

    #[test]
    fn trail_calls_re_run_every_account_level_trail_check() {
        // Deleting a trail, stopping it or changing its event selectors re-runs every check of
        // the account's CloudTrail coverage (today multi-region logging; a data-event check on
        // the same type is re-run by the same route once the catalog has it).
        let account_checks: Vec<&str> = catalog::checks_for(ResourceType::Account)
            .map(|c| c.id)
            .collect();
        assert!(account_checks.contains(&TRAIL_LOGGING));
        for name in ["DeleteTrail", "StopLogging", "PutEventSelectors"] {
            let found = classify(&call(
                "cloudtrail.amazonaws.com",
                name,
                json!({"name": "org-trail", "trailName": "org-trail"}),
                Value::Null,
            ));
            let Classified::Mapped { targets, .. } = found else {
                panic!("{name} skipped");
            };
            let account = targets
                .iter()
                .find(|t| t.resource_type == ResourceType::Account)
                .unwrap_or_else(|| panic!("{name} does not re-evaluate the account"));
            let ids: Vec<&str> = account.checks.iter().map(|c| c.id).collect();
            assert_eq!(ids, account_checks, "{name}");
        }
    }

    #[test]
    fn an_id_beyond_the_services_limit_is_a_clear_skip_that_does_not_echo_it() {
        let huge = "b".repeat(1 << 20);
        for (source, name, request) in [
            (
                "s3.amazonaws.com",
                "DeleteBucketEncryption",
                json!({"bucketName": huge}),
            ),
            (
                "iam.amazonaws.com",
                "AttachRolePolicy",
                json!({"roleName": "r".repeat(65)}),
            ),
            (
                "iam.amazonaws.com",
                "PutGroupPolicy",
                json!({"groupName": "g".repeat(129)}),
            ),
            (
                "sagemaker.amazonaws.com",
                "CreateNotebookInstance",
                json!({"notebookInstanceName": "n".repeat(64)}),
            ),
        ] {
            match classify(&call(source, name, request, Value::Null)) {
                Classified::Skipped(skip) => {
                    assert_eq!(skip.reason, SkipReason::InvalidResourceId, "{name}");
                    assert!(skip.message.len() < 300, "{name}: the skip echoes the id");
                    assert!(skip.message.contains("characters"), "{}", skip.message);
                }
                Classified::Mapped { .. } => panic!("{name} was mapped"),
            }
        }
        // At the limit is fine.
        let ok = call(
            "s3.amazonaws.com",
            "DeleteBucketEncryption",
            json!({"bucketName": "b".repeat(63)}),
            Value::Null,
        );
        assert!(matches!(classify(&ok), Classified::Mapped { .. }));
    }

    #[test]
    fn s3_calls_read_bucket_name_and_public_access_block_is_matched_under_both_names() {
        let s3 = "s3.amazonaws.com";
        for name in ["PutBucketPublicAccessBlock", "PutPublicAccessBlock"] {
            assert_eq!(
                targets(&call(
                    s3,
                    name,
                    json!({"bucketName": "genai-train-data", "Host": "genai-train-data.s3.amazonaws.com"}),
                    Value::Null
                )),
                [(ResourceType::S3Bucket, id("genai-train-data"), Kind::Change)]
            );
        }
        for name in ["DeleteBucketPublicAccessBlock", "DeletePublicAccessBlock"] {
            assert_eq!(
                targets(&call(
                    s3,
                    name,
                    json!({"bucketName": "genai-train-data"}),
                    Value::Null
                ))[0]
                    .2,
                Kind::SafeguardRemoved("s3_bucket_public_access_blocked")
            );
        }
        assert_eq!(
            targets(&call(
                s3,
                "DeleteBucketEncryption",
                json!({"bucketName": "b", "encryption": ""}),
                Value::Null
            ))[0]
                .2,
            Kind::SafeguardRemoved("s3_bucket_default_encryption_kms")
        );
        assert_eq!(
            targets(&call(
                s3,
                "DeleteBucket",
                json!({"bucketName": "b"}),
                Value::Null
            ))[0]
                .2,
            Kind::Deletion
        );
    }

    #[test]
    fn kms_calls_keep_the_key_id_arn_or_alias_as_given() {
        let k = "kms.amazonaws.com";
        let arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(
            targets(&call(
                k,
                "ScheduleKeyDeletion",
                json!({"keyId": arn, "pendingWindowInDays": 7}),
                Value::Null
            )),
            [(
                ResourceType::KmsKey,
                id(arn),
                Kind::SafeguardRemoved("kms_key_enabled_not_pending_deletion")
            )]
        );
        assert_eq!(
            targets(&call(
                k,
                "DisableKeyRotation",
                json!({"keyId": "alias/genai-data"}),
                Value::Null
            ))[0]
                .1,
            id("alias/genai-data")
        );
        let created = call(
            k,
            "CreateKey",
            json!({"keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT"}),
            json!({"keyMetadata": {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "arn": arn}}),
        );
        assert_eq!(
            targets(&created)[0].1,
            id("1234abcd-12ab-34cd-56ef-1234567890ab")
        );
    }

    #[test]
    fn iam_calls_read_role_user_group_and_policy_names() {
        let i = "iam.amazonaws.com";
        assert_eq!(
            targets(&call(
                i,
                "AttachRolePolicy",
                json!({"roleName": "genai-app", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
                Value::Null
            )),
            [(ResourceType::IamRole, id("genai-app"), Kind::Change)]
        );
        assert_eq!(
            targets(&call(
                i,
                "PutGroupPolicy",
                json!({"groupName": "data-scientists", "policyName": "p"}),
                Value::Null
            )),
            [(
                ResourceType::IamUser,
                Selector::GroupMembers("data-scientists".into()),
                Kind::Change
            )]
        );
        let policy = "arn:aws:iam::123456789012:policy/genai-invoke";
        assert_eq!(
            targets(&call(
                i,
                "CreatePolicyVersion",
                json!({"policyArn": policy, "setAsDefault": true}),
                Value::Null
            )),
            [(ResourceType::IamPolicy, id(policy), Kind::Change)]
        );
        assert_eq!(
            targets(&call(
                i,
                "CreatePolicy",
                json!({"policyName": "genai-invoke"}),
                json!({"policy": {"arn": policy, "policyId": "ANPAEXAMPLE"}})
            ))[0]
                .1,
            id(policy)
        );
        // CreateAccessKey without userName is for the caller's own user: the response names it.
        let key = call(
            i,
            "CreateAccessKey",
            Value::Null,
            json!({"accessKey": {"userName": "ci-bot", "status": "Active"}}),
        );
        assert_eq!(targets(&key)[0].1, id("ci-bot"));
        let nameless = call(i, "CreateAccessKey", Value::Null, Value::Null);
        assert_eq!(skip_reason(&nameless), SkipReason::NoResourceId);
    }

    #[test]
    fn cloudtrail_calls_read_trail_names_or_arns_and_affect_the_account() {
        let c = "cloudtrail.amazonaws.com";
        let stop = call(
            c,
            "StopLogging",
            json!({"name": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"}),
            Value::Null,
        );
        assert_eq!(
            targets(&stop),
            [(
                ResourceType::Account,
                Selector::Singleton,
                Kind::SafeguardRemoved("cloudtrail_multi_region_trail_logging")
            )]
        );
        let delete = call(
            c,
            "DeleteTrail",
            json!({"name": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"}),
            Value::Null,
        );
        assert_eq!(
            targets(&delete),
            [
                (
                    ResourceType::CloudTrailTrail,
                    id("org-trail"),
                    Kind::Deletion
                ),
                (
                    ResourceType::Account,
                    Selector::Singleton,
                    Kind::SafeguardRemoved("cloudtrail_multi_region_trail_logging")
                ),
            ]
        );
        let update = call(
            c,
            "UpdateTrail",
            json!({"name": "org-trail", "enableLogFileValidation": false}),
            Value::Null,
        );
        assert_eq!(targets(&update)[0].1, id("org-trail"));
    }

    #[test]
    fn logs_calls_read_log_group_name() {
        let l = "logs.amazonaws.com";
        assert_eq!(
            targets(&call(
                l,
                "DisassociateKmsKey",
                json!({"logGroupName": "/aws/bedrock/invocations"}),
                Value::Null
            )),
            [(
                ResourceType::LogsLogGroup,
                id("/aws/bedrock/invocations"),
                Kind::SafeguardRemoved("logs_log_group_kms_encryption")
            )]
        );
        assert_eq!(
            targets(&call(
                l,
                "PutRetentionPolicy",
                json!({"logGroupName": "/aws/bedrock/invocations", "retentionInDays": 30}),
                Value::Null
            ))[0]
                .2,
            Kind::Change
        );
    }

    #[test]
    fn api_key_import_batch_and_data_protection_calls_name_what_they_change() {
        let user = targets(&call(
            "iam.amazonaws.com",
            "CreateServiceSpecificCredential",
            json!({"userName": "genai-batch-app", "serviceName": "bedrock.amazonaws.com", "credentialAgeDays": 30}),
            json!({"serviceSpecificCredential": {"userName": "genai-batch-app"}}),
        ));
        assert_eq!(
            user,
            [(ResourceType::IamUser, id("genai-batch-app"), Kind::Change)]
        );
        let batch = targets(&call(
            "bedrock.amazonaws.com",
            "CreateModelInvocationJob",
            json!({"jobName": "claims-2026-08-01"}),
            json!({"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6"}),
        ));
        assert_eq!(
            batch,
            [(
                ResourceType::BedrockModelInvocationJob,
                id("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/a1b2c3d4e5f6"),
                Kind::Change
            )]
        );
        let import = targets(&call(
            "bedrock.amazonaws.com",
            "CreateModelImportJob",
            json!({"jobName": "import-1", "importedModelName": "claims-llama-ft"}),
            Value::Null,
        ));
        assert_eq!(import[0].1, id("claims-llama-ft"));
        let removed = targets(&call(
            "logs.amazonaws.com",
            "DeleteDataProtectionPolicy",
            json!({"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/bedrock/invocations:*"}),
            Value::Null,
        ));
        assert_eq!(
            removed,
            [(
                ResourceType::LogsLogGroup,
                id("/aws/bedrock/invocations"),
                Kind::SafeguardRemoved("logs_genai_log_group_data_protection")
            )]
        );
        let account = targets(&call(
            "logs.amazonaws.com",
            "PutAccountPolicy",
            json!({"policyName": "org-masking", "policyType": "DATA_PROTECTION_POLICY"}),
            Value::Null,
        ));
        assert_eq!(
            account,
            [(
                ResourceType::LogsLogGroup,
                Selector::Singleton,
                Kind::Change
            )]
        );
    }

    #[test]
    fn failed_read_only_and_unmapped_calls_are_skips_with_a_reason() {
        let mut failed = call(
            "s3.amazonaws.com",
            "DeleteBucketEncryption",
            json!({"bucketName": "b"}),
            Value::Null,
        );
        failed.error_code = Some("AccessDenied".into());
        assert_eq!(skip_reason(&failed), SkipReason::FailedCall);
        let read = call(
            "s3.amazonaws.com",
            "GetBucketEncryption",
            json!({"bucketName": "b"}),
            Value::Null,
        );
        assert_eq!(skip_reason(&read), SkipReason::ReadOnly);
        let mut flagged = call(
            "kms.amazonaws.com",
            "Decrypt",
            json!({"keyId": "k"}),
            Value::Null,
        );
        flagged.read_only = true;
        assert_eq!(skip_reason(&flagged), SkipReason::ReadOnly);
        let unmapped = call(
            "ec2.amazonaws.com",
            "RunInstances",
            json!({"instanceType": "t3.micro"}),
            Value::Null,
        );
        assert_eq!(skip_reason(&unmapped), SkipReason::Unmapped);
        // Same name, other service: not mapped.
        let elsewhere = call(
            "s3.amazonaws.com",
            "DeleteGuardrail",
            Value::Null,
            Value::Null,
        );
        assert_eq!(skip_reason(&elsewhere), SkipReason::Unmapped);
    }

    #[test]
    fn every_target_reruns_every_check_of_its_type() {
        let Classified::Mapped { targets, .. } = classify(&call(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({"bucketName": "b"}),
            Value::Null,
        )) else {
            panic!("not mapped")
        };
        let ids: Vec<_> = targets[0].checks.iter().map(|c| c.id).collect();
        let expected: Vec<_> = catalog::checks_for(ResourceType::S3Bucket)
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, expected);
        assert_eq!(ids.len(), 4);
    }

    fn bucket_subject(state: SubjectState) -> Subject {
        Subject {
            resource: crate::domain::resource::ResourceRef {
                resource_type: "AWS::S3::Bucket".into(),
                resource_id: "b".into(),
                arn: None,
                account_id: "123456789012".into(),
                region: "us-east-1".into(),
            },
            observed_at: Timestamp::from_epoch_millis(0),
            observed_via: "test",
            state,
            links: Vec::new(),
        }
    }

    fn bucket(encryption: Option<&str>) -> SubjectState {
        use crate::domain::resources::s3::{BucketEncryption, S3Bucket};
        SubjectState::Live(crate::domain::resource::Resource::S3Bucket(S3Bucket {
            name: "b".into(),
            partition: "aws".into(),
            default_encryption: Ok(encryption.map(|algorithm| BucketEncryption {
                algorithm: algorithm.into(),
                kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
                bucket_key_enabled: true,
            })),
            policy: Ok(None),
            public_access_block: Ok(None),
            access_log_target: Ok(None),
        }))
    }

    fn target(kind: Kind) -> Target {
        Target {
            resource_type: ResourceType::S3Bucket,
            selector: id("b"),
            kind,
            checks: catalog::checks_for(ResourceType::S3Bucket).collect(),
        }
    }

    #[test]
    fn a_re_read_contradicts_the_call_while_it_does_not_show_its_effect() {
        let params = Params::default();
        let gone = [bucket_subject(SubjectState::Gone("deleted".into()))];
        let live = [bucket_subject(bucket(Some("aws:kms")))];
        let unreadable = [bucket_subject(SubjectState::Unreadable("denied".into()))];
        assert!(target(Kind::Change).contradicted_by(&gone, &params));
        assert!(!target(Kind::Change).contradicted_by(&live, &params));
        assert!(target(Kind::Deletion).contradicted_by(&live, &params));
        assert!(!target(Kind::Deletion).contradicted_by(&gone, &params));
        assert!(!target(Kind::Deletion).contradicted_by(&unreadable, &params));
        let removed = target(Kind::SafeguardRemoved("s3_bucket_default_encryption_kms"));
        assert!(
            removed.contradicted_by(&live, &params),
            "encryption still SSE-KMS"
        );
        assert!(!removed.contradicted_by(&[bucket_subject(bucket(Some("AES256")))], &params));
        assert!(!removed.contradicted_by(&[], &params));
        // Under the parameters the evaluation uses: a check they do not select holds nothing back.
        let tls_only = Params::from_rule_parameters(Some(r#"{"checks":"s3_bucket_tls_only"}"#))
            .unwrap()
            .params;
        assert!(!removed.contradicted_by(&live, &tls_only));
    }
}

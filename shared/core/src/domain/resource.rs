//! The resource model: what the checks look at, independent of where it was read from (a Config
//! configuration item or an API response).

use std::fmt;

/// Declares every resource type once: its variant, CloudFormation / AWS Config type name, whether
/// AWS Config records it (so a Config rule can be scoped to it), the longest id the service
/// documents for it (ARN forms included where the API accepts an ARN), and the struct of its state.
macro_rules! resource_types {
    ($($variant:ident => $cfn:literal, recorded: $recorded:literal, max_id: $max_id:literal, $state:ty;)*) => {
        /// The resource types the catalog knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ResourceType {
            $(#[doc = concat!("`", $cfn, "`.")] $variant,)*
        }

        impl ResourceType {
            /// Every type, for registries and docs.
            pub const ALL: &'static [ResourceType] = &[$(ResourceType::$variant),*];

            /// The CloudFormation / AWS Config type name (pseudo-names in the same style for
            /// things AWS has no type for, e.g. Bedrock's invocation logging configuration).
            pub fn cfn_type(self) -> &'static str {
                match self { $(ResourceType::$variant => $cfn,)* }
            }

            /// Whether AWS Config records this type (configuration items exist for it).
            pub fn recorded_by_config(self) -> bool {
                match self { $(ResourceType::$variant => $recorded,)* }
            }

            /// The longest id, in characters, the service accepts for a resource of this type
            /// (a name, an id, or an ARN where the API takes one): a longer "id" names no real
            /// resource and is rejected before it is read, stored or logged.
            pub fn max_id_chars(self) -> usize {
                match self { $(ResourceType::$variant => $max_id,)* }
            }
        }

        /// A resource's state, typed per resource type.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Resource {
            $(#[doc = concat!("A `", $cfn, "`.")] $variant($state),)*
        }

        impl Resource {
            /// The type of this resource.
            pub fn resource_type(&self) -> ResourceType {
                match self { $(Resource::$variant(_) => ResourceType::$variant,)* }
            }
        }
    };
}

use crate::domain::resources::{
    account, agentcore, bedrock, cloudtrail, iam, kms, logs, s3, sagemaker,
};

resource_types! {
    S3Bucket => "AWS::S3::Bucket", recorded: true, max_id: 63, s3::S3Bucket;
    SageMakerNotebookInstance => "AWS::SageMaker::NotebookInstance", recorded: true, max_id: 63, sagemaker::NotebookInstance;
    SageMakerEndpointConfig => "AWS::SageMaker::EndpointConfig", recorded: true, max_id: 63, sagemaker::EndpointConfig;
    SageMakerTrainingJob => "AWS::SageMaker::TrainingJob", recorded: false, max_id: 63, sagemaker::TrainingJob;
    SageMakerModel => "AWS::SageMaker::Model", recorded: true, max_id: 63, sagemaker::Model;
    SageMakerDomain => "AWS::SageMaker::Domain", recorded: true, max_id: 63, sagemaker::Domain;
    SageMakerFeatureGroup => "AWS::SageMaker::FeatureGroup", recorded: true, max_id: 64, sagemaker::FeatureGroup;
    SageMakerDataQualityJobDefinition => "AWS::SageMaker::DataQualityJobDefinition", recorded: true, max_id: 63, sagemaker::MonitoringJobDefinition;
    SageMakerModelQualityJobDefinition => "AWS::SageMaker::ModelQualityJobDefinition", recorded: true, max_id: 63, sagemaker::MonitoringJobDefinition;
    SageMakerModelBiasJobDefinition => "AWS::SageMaker::ModelBiasJobDefinition", recorded: true, max_id: 63, sagemaker::MonitoringJobDefinition;
    SageMakerModelExplainabilityJobDefinition => "AWS::SageMaker::ModelExplainabilityJobDefinition", recorded: true, max_id: 63, sagemaker::MonitoringJobDefinition;
    SageMakerMonitoringSchedule => "AWS::SageMaker::MonitoringSchedule", recorded: true, max_id: 63, sagemaker::MonitoringSchedule;
    SageMakerInferenceExperiment => "AWS::SageMaker::InferenceExperiment", recorded: true, max_id: 120, sagemaker::InferenceExperiment;
    SageMakerProcessingJob => "AWS::SageMaker::ProcessingJob", recorded: false, max_id: 63, sagemaker::ProcessingJob;
    SageMakerTransformJob => "AWS::SageMaker::TransformJob", recorded: false, max_id: 63, sagemaker::TransformJob;
    BedrockCustomModel => "AWS::Bedrock::CustomModel", recorded: false, max_id: 1011, bedrock::CustomModel;
    BedrockModelCustomizationJob => "AWS::Bedrock::ModelCustomizationJob", recorded: false, max_id: 1011, bedrock::ModelCustomizationJob;
    BedrockGuardrail => "AWS::Bedrock::Guardrail", recorded: true, max_id: 2048, bedrock::Guardrail;
    BedrockAgent => "AWS::Bedrock::Agent", recorded: false, max_id: 10, bedrock::Agent;
    BedrockDataSource => "AWS::Bedrock::DataSource", recorded: true, max_id: 21, bedrock::DataSource;
    BedrockInvocationLogging => "AWS::Bedrock::ModelInvocationLoggingConfiguration", recorded: false, max_id: 64, bedrock::InvocationLogging;
    BedrockGuardrailInventory => "AWS::Bedrock::GuardrailInventory", recorded: false, max_id: 64, bedrock::GuardrailInventory;
    BedrockImportedModel => "AWS::Bedrock::ImportedModel", recorded: false, max_id: 1011, bedrock::ImportedModel;
    BedrockModelInvocationJob => "AWS::Bedrock::ModelInvocationJob", recorded: false, max_id: 1011, bedrock::ModelInvocationJob;
    AgentCoreRuntime => "AWS::BedrockAgentCore::Runtime", recorded: true, max_id: 2048, agentcore::Runtime;
    AgentCoreGateway => "AWS::BedrockAgentCore::Gateway", recorded: true, max_id: 2048, agentcore::Gateway;
    AgentCoreMemory => "AWS::BedrockAgentCore::Memory", recorded: true, max_id: 2048, agentcore::Memory;
    AgentCoreBrowser => "AWS::BedrockAgentCore::BrowserCustom", recorded: true, max_id: 2048, agentcore::Browser;
    AgentCoreCodeInterpreter => "AWS::BedrockAgentCore::CodeInterpreterCustom", recorded: true, max_id: 2048, agentcore::CodeInterpreter;
    AgentCoreTokenVault => "AWS::BedrockAgentCore::TokenVault", recorded: false, max_id: 64, agentcore::TokenVault;
    BedrockEnforcedGuardrails => "AWS::Bedrock::EnforcedGuardrailConfiguration", recorded: false, max_id: 64, bedrock::EnforcedGuardrails;
    IamRole => "AWS::IAM::Role", recorded: true, max_id: 64, iam::Role;
    IamUser => "AWS::IAM::User", recorded: true, max_id: 64, iam::User;
    IamPolicy => "AWS::IAM::Policy", recorded: true, max_id: 2048, iam::ManagedPolicy;
    KmsKey => "AWS::KMS::Key", recorded: true, max_id: 2048, kms::Key;
    CloudTrailTrail => "AWS::CloudTrail::Trail", recorded: true, max_id: 2048, cloudtrail::Trail;
    LogsLogGroup => "AWS::Logs::LogGroup", recorded: true, max_id: 512, logs::LogGroup;
    Account => "AWS::::Account", recorded: false, max_id: 64, account::Account;
}

impl ResourceType {
    /// The type named `cfn_type`, if the catalog knows it.
    pub fn from_cfn_type(cfn_type: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.cfn_type() == cfn_type)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cfn_type())
    }
}

/// Where a resource is and what it is called: enough to file evidence about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceRef {
    /// The CloudFormation / Config type name (kept as text: unknown types are referenced too).
    pub resource_type: String,
    /// The resource id as AWS Config names it (bucket name, notebook instance name, ...).
    pub resource_id: String,
    /// The ARN, when known.
    pub arn: Option<String>,
    /// The owning account.
    pub account_id: String,
    /// The region.
    pub region: String,
}

impl ResourceRef {
    /// The one identity of the resource, the same whichever function saw it and however it was
    /// read: `<type>#<account>#<region or global>#<canonical id>`. See [`identity_of`].
    pub fn identity(&self) -> String {
        identity_of(
            &self.resource_type,
            &self.account_id,
            &self.region,
            &self.resource_id,
            self.arn.as_deref(),
        )
    }
}

/// The identity of a resource from its parts: `<type>#<account>#<region or global>#<id>`.
///
/// The canonical id is the ARN where the resource has one: the `arn` given, else the id when
/// it is an ARN, else the ARN derived from a name where the type's ARN is the name alone (S3
/// buckets; IAM roles and users named by name). IAM ARNs drop their path (`role/service-role/x`
/// is `role/x`: names are unique in an account whatever the path, and a deleted role's path
/// cannot be read). Account and region come from the ARN; a type whose ARN has no region (IAM,
/// S3) is `global`, so a bucket outside the sweep's home region, or a role AWS Config records in
/// region `global` and the API in the home region, has one identity. Without an ARN, the id,
/// account and region as given.
pub fn identity_of(
    resource_type: &str,
    account_id: &str,
    region: &str,
    resource_id: &str,
    arn: Option<&str>,
) -> String {
    let derived;
    let arn = match arn.filter(|a| a.starts_with("arn:")) {
        Some(arn) => Some(arn),
        None if resource_id.starts_with("arn:") => Some(resource_id),
        None => {
            derived = derived_arn(resource_type, account_id, resource_id);
            derived.as_deref()
        }
    };
    let Some(arn) = arn else {
        return format!("{resource_type}#{account_id}#{region}#{resource_id}");
    };
    let arn = canonical_arn(arn);
    let mut fields = arn.splitn(6, ':');
    let (_, _, _, arn_region, arn_account) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
    );
    let region = if arn_region.is_empty() {
        "global"
    } else {
        arn_region
    };
    let account = if arn_account.is_empty() {
        account_id
    } else {
        arn_account
    };
    format!("{resource_type}#{account}#{region}#{arn}")
}

/// The ARN of a resource named `name` whose ARN is derived from its name alone.
fn derived_arn(resource_type: &str, account_id: &str, name: &str) -> Option<String> {
    // IAM unique ids (AROA..., AIDA..., ANPA...) are not names: their ARN cannot be derived.
    let unique_id = ["AROA", "AIDA", "ANPA", "AGPA"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
        && name.len() >= 16
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let iam_name = !unique_id;
    match ResourceType::from_cfn_type(resource_type)? {
        ResourceType::S3Bucket => Some(format!("arn:aws:s3:::{name}")),
        ResourceType::IamRole if iam_name => Some(format!("arn:aws:iam::{account_id}:role/{name}")),
        ResourceType::IamUser if iam_name => Some(format!("arn:aws:iam::{account_id}:user/{name}")),
        _ => None,
    }
}

/// An IAM role, user or policy ARN without its path; any other ARN as it is.
fn canonical_arn(arn: &str) -> String {
    let Some((head, resource)) = arn.split_once(":iam::").and_then(|(partition, rest)| {
        let (account, resource) = rest.split_once(':')?;
        Some((format!("{partition}:iam::{account}:"), resource))
    }) else {
        return arn.to_owned();
    };
    match resource.split_once('/') {
        Some((kind @ ("role" | "user" | "policy" | "group"), path_and_name)) => {
            let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
            format!("{head}{kind}/{name}")
        }
        _ => arn.to_owned(),
    }
}

/// A value read from AWS, or why it could not be read.
pub type Readable<T> = Result<T, Unreadable>;

/// Why a piece of state could not be read: the check that needs it cannot decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Plain-language reason, e.g. `AccessDenied on s3:GetEncryptionConfiguration`.
    pub reason: String,
}

impl Unreadable {
    /// An unreadable value with this reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(resource_type: &str, id: &str, arn: Option<&str>, region: &str) -> ResourceRef {
        ResourceRef {
            resource_type: resource_type.into(),
            resource_id: id.into(),
            arn: arn.map(str::to_owned),
            account_id: "123456789012".into(),
            region: region.into(),
        }
    }

    #[test]
    fn an_iam_role_has_one_identity_from_config_the_sweep_and_the_drift_function() {
        let config = r(
            "AWS::IAM::Role",
            "AROAQXZ5ATTACHEDON04",
            Some("arn:aws:iam::123456789012:role/service-role/genai-app"),
            "global",
        );
        let sweep = r(
            "AWS::IAM::Role",
            "AROAQXZ5ATTACHEDON04",
            Some("arn:aws:iam::123456789012:role/service-role/genai-app"),
            "us-east-1",
        );
        let drift_deleted = r("AWS::IAM::Role", "genai-app", None, "us-east-1");
        assert_eq!(config.identity(), sweep.identity());
        assert_eq!(config.identity(), drift_deleted.identity());
        assert_eq!(
            config.identity(),
            "AWS::IAM::Role#123456789012#global#arn:aws:iam::123456789012:role/genai-app"
        );
    }

    #[test]
    fn a_bucket_outside_the_home_region_has_one_identity() {
        let config = r(
            "AWS::S3::Bucket",
            "genai-eu-data",
            Some("arn:aws:s3:::genai-eu-data"),
            "eu-west-1",
        );
        let sweep = r(
            "AWS::S3::Bucket",
            "genai-eu-data",
            Some("arn:aws:s3:::genai-eu-data"),
            "us-east-1",
        );
        let drift = r("AWS::S3::Bucket", "genai-eu-data", None, "us-east-1");
        assert_eq!(config.identity(), sweep.identity());
        assert_eq!(config.identity(), drift.identity());
    }

    #[test]
    fn regional_arns_keep_their_region_and_account_and_arnless_types_their_id() {
        let key = r(
            "AWS::KMS::Key",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            Some("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            "us-east-1",
        );
        assert!(
            key.identity()
                .starts_with("AWS::KMS::Key#123456789012#eu-west-1#arn:aws:kms:")
        );
        let policy = r(
            "AWS::IAM::Policy",
            "arn:aws:iam::123456789012:policy/team/p",
            None,
            "us-east-1",
        );
        assert_eq!(
            policy.identity(),
            "AWS::IAM::Policy#123456789012#global#arn:aws:iam::123456789012:policy/p"
        );
        let logging = r(
            "AWS::Bedrock::ModelInvocationLoggingConfiguration",
            "us-east-1",
            None,
            "us-east-1",
        );
        assert_eq!(
            logging.identity(),
            "AWS::Bedrock::ModelInvocationLoggingConfiguration#123456789012#us-east-1#us-east-1"
        );
        let by_id = r("AWS::IAM::Role", "AROAQXZ5ATTACHEDON04", None, "global");
        assert!(
            by_id.identity().ends_with("#AROAQXZ5ATTACHEDON04"),
            "{}",
            by_id.identity()
        );
    }
}

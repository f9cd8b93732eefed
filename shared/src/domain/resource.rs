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

use crate::domain::resources::{account, bedrock, cloudtrail, iam, kms, logs, s3, sagemaker};

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
    BedrockCustomModel => "AWS::Bedrock::CustomModel", recorded: false, max_id: 1011, bedrock::CustomModel;
    BedrockModelCustomizationJob => "AWS::Bedrock::ModelCustomizationJob", recorded: false, max_id: 1011, bedrock::ModelCustomizationJob;
    BedrockGuardrail => "AWS::Bedrock::Guardrail", recorded: true, max_id: 2048, bedrock::Guardrail;
    BedrockAgent => "AWS::Bedrock::Agent", recorded: false, max_id: 10, bedrock::Agent;
    BedrockDataSource => "AWS::Bedrock::DataSource", recorded: true, max_id: 21, bedrock::DataSource;
    BedrockInvocationLogging => "AWS::Bedrock::ModelInvocationLoggingConfiguration", recorded: false, max_id: 64, bedrock::InvocationLogging;
    BedrockGuardrailInventory => "AWS::Bedrock::GuardrailInventory", recorded: false, max_id: 64, bedrock::GuardrailInventory;
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

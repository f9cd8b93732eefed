//! The resource model: what the checks look at, independent of where it was read from (a Config
//! configuration item or an API response).

use std::fmt;

use crate::domain::policy::PolicyDocument;

/// The resource types the catalog knows, named by their CloudFormation / AWS Config type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// `AWS::S3::Bucket`.
    S3Bucket,
    /// `AWS::SageMaker::NotebookInstance`.
    SageMakerNotebookInstance,
}

impl ResourceType {
    /// Every type, for registries and docs.
    pub const ALL: &'static [ResourceType] = &[
        ResourceType::S3Bucket,
        ResourceType::SageMakerNotebookInstance,
    ];

    /// The CloudFormation / AWS Config type name.
    pub fn cfn_type(self) -> &'static str {
        match self {
            ResourceType::S3Bucket => "AWS::S3::Bucket",
            ResourceType::SageMakerNotebookInstance => "AWS::SageMaker::NotebookInstance",
        }
    }

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

/// A resource's state, typed per resource type.
#[derive(Debug, Clone, PartialEq)]
pub enum Resource {
    /// An S3 bucket.
    S3Bucket(S3Bucket),
    /// A SageMaker notebook instance.
    SageMakerNotebookInstance(NotebookInstance),
}

impl Resource {
    /// The type of this resource.
    pub fn resource_type(&self) -> ResourceType {
        match self {
            Resource::S3Bucket(_) => ResourceType::S3Bucket,
            Resource::SageMakerNotebookInstance(_) => ResourceType::SageMakerNotebookInstance,
        }
    }
}

/// The state of an S3 bucket that the checks read.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Bucket {
    /// The bucket name.
    pub name: String,
    /// The ARN partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
    /// Default encryption: `None` when the bucket has no default encryption configuration.
    pub default_encryption: Readable<Option<BucketEncryption>>,
    /// The bucket policy: `None` when the bucket has none.
    pub policy: Readable<Option<PolicyDocument>>,
}

impl S3Bucket {
    /// `arn:<partition>:s3:::<name>`.
    pub fn arn(&self) -> String {
        format!("arn:{}:s3:::{}", self.partition, self.name)
    }
}

/// A bucket's default encryption rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// The KMS key, when one is named (absent means the AWS managed key `aws/s3`).
    pub kms_key_id: Option<String>,
    /// Whether S3 Bucket Keys are on.
    pub bucket_key_enabled: bool,
}

/// The state of a SageMaker notebook instance that the checks read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookInstance {
    /// The notebook instance name.
    pub name: String,
    /// The KMS key that encrypts the ML storage volume, if any.
    pub kms_key_id: Option<String>,
}

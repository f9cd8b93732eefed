//! S3 state the checks read.

use crate::domain::policy::PolicyDocument;
use crate::domain::resource::Readable;

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
    /// Block Public Access settings: `None` when the bucket has none.
    pub public_access_block: Readable<Option<PublicAccessBlock>>,
    /// The server access logging target bucket: `None` when logging is off.
    pub access_log_target: Readable<Option<String>>,
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

/// A bucket's S3 Block Public Access settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`.
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`.
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`.
    pub restrict_public_buckets: bool,
}

//! The state structs of each resource type, one module per AWS service.

pub mod account;
pub mod agentcore;
pub mod bedrock;
pub mod cloudtrail;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod s3;
pub mod sagemaker;

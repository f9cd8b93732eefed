//! Check tests that decode fixture files with the adapters (Config configuration items, API
//! responses) before the pure checks of `genai_evidence_core::catalog` evaluate them. They live
//! here, beside the decoders, since the core crate knows no adapter.

mod agentcore;
mod bedrock;
mod cloudtrail;
mod fixtures;
mod iam;
mod kms;
mod logs;
mod sagemaker;

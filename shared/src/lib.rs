//! genai-evidence: continuous, auditor-ready evidence that an AWS account's generative-AI
//! workloads meet the AWS Audit Manager *generative AI best practices framework*.
//!
//! Data flows one way: a **trigger** ([`triggers`]) parses a Lambda event; **adapters**
//! ([`adapters`]) collect resource state and translate it into the pure **domain** ([`domain`]);
//! the **catalog** ([`catalog`]) of checks evaluates it ([`evaluate`]) into findings; **sinks**
//! ([`sinks`]) file the findings (Audit Manager evidence, Config evaluations).
//!
//! `domain`, `catalog` and `evaluate` do no IO and know no SDK type. See `ARCHITECTURE.md`.

pub mod adapters;
pub mod aws;
pub mod catalog;
pub mod domain;
pub mod error;
pub mod evaluate;
pub mod settings;
pub mod sinks;
pub mod triggers;

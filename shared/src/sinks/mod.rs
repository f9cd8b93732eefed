//! Evidence sinks: where findings go once decided. Each sink takes the same findings behind
//! [`EvidenceSink`]: Audit Manager ([`auditmanager`], on by default) and Security Hub
//! ([`securityhub`], off by default), each switched by the settings (`AUDIT_MANAGER_SINK`,
//! `SECURITY_HUB_SINK`). Through the recorder both receive only changed verdicts. The Config
//! rule's own reply (PutEvaluations) is planned in [`config_evaluations`].

pub mod auditmanager;
pub mod config_evaluations;
pub mod reports;
pub mod securityhub;

pub use genai_evidence_core::evidence::{digest, html, text, trend};

use std::future::Future;
use std::pin::Pin;

use crate::finding::Finding;

/// A boxed future, as the sink trait returns (the trait must stay object-safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A destination for findings.
pub trait EvidenceSink: Send + Sync {
    /// A short name for reports, e.g. `auditmanager`.
    fn name(&self) -> &'static str;
    /// Files the findings. Never fails as a whole: what could not be delivered is reported, item
    /// by item, with the reason.
    fn file<'a>(&'a self, findings: &'a [Finding]) -> BoxFuture<'a, SinkReport>;
}

/// What a sink did with a batch of findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkReport {
    /// The sink's name.
    pub sink: &'static str,
    /// Evidence items delivered.
    pub delivered: Vec<Delivery>,
    /// Findings not delivered, with why.
    pub undelivered: Vec<Undelivered>,
}

/// One delivered evidence item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The check.
    pub check: &'static str,
    /// The framework control it was filed under.
    pub control: &'static str,
    /// The resource.
    pub resource_id: String,
}

/// One finding a sink could not deliver.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Undelivered {
    /// The check.
    pub check: &'static str,
    /// The framework control, when the failure is about one.
    pub control: Option<&'static str>,
    /// The resource.
    pub resource_id: String,
    /// Why it was not delivered.
    pub reason: String,
}

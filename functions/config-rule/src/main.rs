//! The `config-rule` Lambda: an AWS Config custom rule that evaluates the GenAI controls from
//! configuration items and files each finding as Audit Manager evidence. All logic lives in
//! `genai_evidence::triggers::config_rule`; this file only wires it up once per container.

use genai_evidence::aws::load_sdk_config;
use genai_evidence::settings::Settings;
use genai_evidence::sinks::EvidenceSink;
use genai_evidence::sinks::auditmanager::{AuditManagerSink, RetryPolicy};
use genai_evidence::triggers::config_rule::{ConfigRuleHandler, HandlerError};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = Settings::from_env()?;
    let aws = load_sdk_config().await;
    let mut sinks: Vec<Box<dyn EvidenceSink>> = Vec::new();
    match settings.assessment_id {
        Some(id) => sinks.push(Box::new(AuditManagerSink::new(
            aws_sdk_auditmanager::Client::new(&aws),
            id,
            settings.control_overrides,
            RetryPolicy::default(),
        ))),
        None => lambda_runtime::tracing::warn!(
            "ASSESSMENT_ID is not set: no Audit Manager evidence will be filed"
        ),
    }
    let handler = ConfigRuleHandler::new(aws_sdk_config::Client::new(&aws), sinks);
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler.handle(&event.payload).await.map_err(diagnostic)
    }))
    .await
}

fn diagnostic(error: HandlerError) -> Diagnostic {
    lambda_runtime::tracing::error!(error = %error, "invocation failed");
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

//! The `config-rule` Lambda: an AWS Config custom rule that evaluates the GenAI controls from
//! configuration items, answers Config, and files changed verdicts as Audit Manager evidence
//! (and, when switched on, Security Hub findings) through the ledger. All logic lives in
//! `genai_evidence::triggers::config_rule`; this file only wires it up once per container.

use std::time::SystemTime;

use genai_evidence::aws::load_sdk_config;
use genai_evidence::recorder::Recorder;
use genai_evidence::settings::Settings;
use genai_evidence::sinks::EvidenceSink;
use genai_evidence::sinks::auditmanager::{AuditManagerSink, RetryPolicy};
use genai_evidence::sinks::securityhub::SecurityHubSink;
use genai_evidence::triggers::config_rule::{ConfigRuleHandler, HandlerError};
use genai_evidence::triggers::sweep::lambda_deadline;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = Settings::from_env()?;
    let params = settings.params.clone();
    let aws = load_sdk_config().await;
    let config = aws_sdk_config::Client::new(&aws);
    let iam = aws_sdk_iam::Client::new(&aws);
    let handler = match Recorder::from_settings(&settings, &aws) {
        Some(recorder) => ConfigRuleHandler::new(config, Vec::new()).with_recorder(recorder),
        None => ConfigRuleHandler::new(config, unledgered_sinks(&settings, &aws)),
    };
    let mut handler = handler.with_iam(iam).with_params(params);
    if let Some(members) = genai_evidence::member::from_settings(&settings, &aws).await? {
        handler = handler.with_members(members);
    }
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        // A periodic pass stops before Lambda's deadline and continues on the next period.
        let deadline = lambda_deadline(event.context.deadline, SystemTime::now());
        handler
            .handle_with_deadline(&event.payload, deadline)
            .await
            .inspect(|summary| summary.figures.emit("config-rule"))
            .map_err(diagnostic)
    }))
    .await
}

/// Without a ledger, the sinks that are on file every evaluation (local experiments only).
fn unledgered_sinks(
    settings: &Settings,
    aws: &aws_config::SdkConfig,
) -> Vec<Box<dyn EvidenceSink>> {
    let mut sinks: Vec<Box<dyn EvidenceSink>> = Vec::new();
    match settings.assessment_id.clone() {
        Some(id) if settings.sinks.audit_manager => {
            lambda_runtime::tracing::warn!(
                "LEDGER_TABLE is not set: every evaluation is filed as evidence, without the daily budget"
            );
            sinks.push(Box::new(AuditManagerSink::new(
                aws_sdk_auditmanager::Client::new(aws),
                id,
                settings.control_overrides.clone(),
                RetryPolicy::default(),
            )));
        }
        _ => lambda_runtime::tracing::warn!(
            "the Audit Manager sink is off or ASSESSMENT_ID is not set: no Audit Manager evidence will be filed"
        ),
    }
    if settings.sinks.security_hub
        && let Some(region) = aws.region()
    {
        lambda_runtime::tracing::warn!(
            "LEDGER_TABLE is not set: every evaluation is sent to Security Hub, changed or not"
        );
        sinks.push(Box::new(SecurityHubSink::new(
            aws_sdk_securityhub::Client::new(aws),
            region.as_ref(),
            RetryPolicy::default(),
        )));
    }
    sinks
}

fn diagnostic(error: HandlerError) -> Diagnostic {
    lambda_runtime::tracing::error!(error = %error, "invocation failed");
    // Evidence was filed before Config refused the evaluations: its figures count too.
    if let HandlerError::EvaluationsNotTaken { summary, .. } = &error {
        summary.figures.emit("config-rule");
    }
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

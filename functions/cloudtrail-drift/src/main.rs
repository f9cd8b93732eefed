//! The `cloudtrail-drift` Lambda: EventBridge delivers "AWS API Call via CloudTrail" events for
//! GenAI-relevant write calls; the function re-reads the affected resources, evaluates them and
//! files the changed verdicts as Audit Manager evidence naming the actor (and, when switched
//! on, as Security Hub findings). All logic lives in
//! `genai_evidence::triggers::cloudtrail_drift`; this file only wires it up once per container.

use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::aws::load_sdk_config;
use genai_evidence::readers::Clients;
use genai_evidence::recorder::Recorder;
use genai_evidence::settings::Settings;
use genai_evidence::triggers::cloudtrail_drift::{DriftError, DriftHandler};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = Settings::from_env()?;
    let aws = load_sdk_config().await;
    let region = aws
        .region()
        .map(|r| r.as_ref().to_owned())
        .ok_or("no AWS region configured (AWS_REGION)")?;
    let recorder = Recorder::from_settings(&settings, &aws);
    let ledger = match (&recorder, &settings.ledger_table) {
        (Some(recorder), _) => Some(recorder.ledger().clone()),
        (None, Some(table)) => Some(Ledger::new(aws_sdk_dynamodb::Client::new(&aws), table)),
        (None, None) => None,
    };
    if recorder.is_none() {
        lambda_runtime::tracing::warn!(
            "LEDGER_TABLE is not set, or no sink is on (AUDIT_MANAGER_SINK with ASSESSMENT_ID, SECURITY_HUB_SINK): drift is evaluated but nothing is filed"
        );
    }
    let mut handler = DriftHandler::new(Clients::from_conf(&aws), recorder, ledger, region)
        .with_params(settings.params.clone());
    if let Some(members) = genai_evidence::member::from_settings(&settings, &aws).await? {
        handler = handler.with_members(members);
    }
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler
            .handle(&event.payload)
            .await
            .inspect(|summary| summary.figures.emit("cloudtrail-drift"))
            .map_err(diagnostic)
    }))
    .await
}

fn diagnostic(error: DriftError) -> Diagnostic {
    lambda_runtime::tracing::error!(error = %error, "invocation failed");
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

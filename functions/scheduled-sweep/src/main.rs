//! The `scheduled-sweep` Lambda: on an EventBridge schedule, evaluates every check over every
//! in-scope GenAI resource and files per-control digests and changed verdicts as Audit Manager
//! evidence. All logic lives in `genai_evidence::triggers::sweep`; this file only wires it up
//! once per container.

use std::time::SystemTime;

use genai_evidence::aws::load_sdk_config;
use genai_evidence::recorder::Recorder;
use genai_evidence::settings::Settings;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::sweep::{
    SweepClients, SweepError, SweepHandler, SweepOptions, lambda_deadline,
};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = Settings::from_env()?;
    let aws = load_sdk_config().await;
    let recorder = Recorder::from_settings(&settings, &aws)
        .ok_or(
        "the sweep needs LEDGER_TABLE and a sink (AUDIT_MANAGER_SINK with ASSESSMENT_ID, or SECURITY_HUB_SINK)",
    )?;
    let bucket = settings
        .evidence_bucket
        .clone()
        .ok_or("the sweep needs EVIDENCE_BUCKET")?;
    let store = ReportStore::new(
        aws_sdk_s3::Client::new(&aws),
        bucket,
        settings.evidence_kms_key.clone(),
    );
    let options = SweepOptions {
        tag_key: settings.scope_tag_key.clone(),
        ..SweepOptions::default()
    };
    let clients = SweepClients::for_regions(&aws, &settings.sweep_regions);
    let handler =
        SweepHandler::new(clients, recorder, store, options).with_params(settings.params.clone());
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let deadline = lambda_deadline(event.context.deadline, SystemTime::now());
        handler
            .handle(&event.payload, deadline)
            .await
            .inspect(|summary| summary.figures.emit("scheduled-sweep"))
            .map_err(diagnostic)
    }))
    .await
}

fn diagnostic(error: SweepError) -> Diagnostic {
    lambda_runtime::tracing::error!(error = %error, "invocation failed");
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

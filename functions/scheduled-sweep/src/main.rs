//! The `scheduled-sweep` Lambda: on an EventBridge schedule, evaluates every check over every
//! in-scope GenAI resource and files per-control digests and changed verdicts as Audit Manager
//! evidence; with `ORGANIZATION_SWEEP` enabled it plans the organization's run and enqueues its
//! units for `sweep-worker`. All logic lives in `genai_evidence::triggers::sweep`; this file only wires it up
//! once per container.

use std::time::SystemTime;

use genai_evidence::aws::load_sdk_config;
use genai_evidence::settings::Settings;
use genai_evidence::triggers::organization::handler_from_settings;
use genai_evidence::triggers::sweep::{SweepError, lambda_deadline};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = Settings::from_env()?;
    let aws = load_sdk_config().await;
    let handler = handler_from_settings(&settings, &aws).await?;
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

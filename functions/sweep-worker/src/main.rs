//! The `sweep-worker` Lambda: polled from the sweep queue (SQS), it does the units of an
//! organization-wide sweep (one account, region and service each), reading through the member
//! account's role, and answers with a partial batch response so only the failed messages are
//! delivered again. All logic lives in `genai_evidence::triggers::organization`.

use std::time::SystemTime;

use genai_evidence::aws::load_sdk_config;
use genai_evidence::settings::Settings;
use genai_evidence::triggers::organization::{SweepWorker, handler_from_settings};
use genai_evidence::triggers::sweep::{SweepError, lambda_deadline};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = Settings::from_env()?;
    if !settings.organization_sweep {
        return Err("the sweep worker needs ORGANIZATION_SWEEP enabled".into());
    }
    let aws = load_sdk_config().await;
    let worker = SweepWorker::new(handler_from_settings(&settings, &aws).await?);
    let worker = &worker;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let deadline = lambda_deadline(event.context.deadline, SystemTime::now());
        let report = worker
            .handle(&event.payload, deadline)
            .await
            .map_err(diagnostic)?;
        report.summary.figures.emit("sweep-worker");
        lambda_runtime::tracing::info!(outcomes = %serde_json::json!(report.outcomes), "batch done");
        Ok::<Value, Diagnostic>(report.batch_response())
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

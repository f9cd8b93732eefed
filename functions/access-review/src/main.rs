//! The `access-review` Lambda (SECAI3.8): on its monthly schedule (and a continuation schedule
//! while IAM's reports are generated), prepares the periodic access review and files it as
//! evidence; invoked with an attestation, records the reviewer's sign-off. All logic lives in
//! `genai_evidence::triggers::access_review`; this file only wires it up once per container.

use genai_evidence::aws::load_sdk_config;
use genai_evidence::recorder::Recorder;
use genai_evidence::settings::Settings;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::access_review::{
    AccessReviewError, AccessReviewHandler, ReviewClients, ReviewOptions,
};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = Settings::from_env()?;
    let options = ReviewOptions::from_lookup(&settings, |name| std::env::var(name).ok())?;
    let aws = load_sdk_config().await;
    let recorder = Recorder::from_settings(&settings, &aws)
        .ok_or("the access review needs LEDGER_TABLE and AUDIT_MANAGER_SINK with ASSESSMENT_ID")?;
    let bucket = settings
        .evidence_bucket
        .clone()
        .ok_or("the access review needs EVIDENCE_BUCKET")?;
    let store = ReportStore::new(
        aws_sdk_s3::Client::new(&aws),
        bucket,
        settings.evidence_kms_key.clone(),
    );
    let iam = aws_sdk_iam::Client::new(&aws);
    let clients = ReviewClients {
        iam_gaps: iam.clone(),
        iam,
        config: aws_sdk_config::Client::new(&aws),
        sso_admin: aws_sdk_ssoadmin::Client::new(&aws),
    };
    let handler = AccessReviewHandler::new(clients, recorder, store, options);
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        // Lambda names the caller only for a Cognito identity; otherwise the request id finds
        // the Invoke call (and who made it) in CloudTrail.
        let invoked_by = match &event.context.identity {
            Some(identity) => format!("Cognito identity {}", identity.identity_id),
            None => format!(
                "Lambda request {} (the caller is in CloudTrail's Invoke record)",
                event.context.request_id
            ),
        };
        handler
            .handle(&event.payload, &invoked_by)
            .await
            .map_err(diagnostic)
    }))
    .await
}

fn diagnostic(error: AccessReviewError) -> Diagnostic {
    lambda_runtime::tracing::error!(error = %error, "invocation failed");
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

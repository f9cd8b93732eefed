//! An AWS Organization on one moto: the administrator's account (moto's default,
//! 123456789012) creates the organization and its member accounts, each member gets a seeded
//! GenAI estate in two regions through an assumed role (moto switches account by the role's
//! ARN), the suite's ledger, evidence bucket and sweep queue live in the administrator's
//! account, and [`drain`] stands in for Lambda's SQS poller: `concurrency` pollers, each
//! receiving up to ten messages, invoking the worker with the SQS event Lambda would send, and
//! deleting what the worker did not report failed.

use std::time::Duration;

use aws_config::SdkConfig;
use genai_evidence::member::{Accounts, MemberRole};
use genai_evidence::triggers::organization::{SweepWorker, WorkerReport};
use serde_json::{Value, json};

/// The administrator's account (moto's default).
pub const ADMIN_ACCOUNT: &str = "123456789012";

/// Creates the organization and `members` member accounts; returns their ids, sorted.
pub async fn create(admin: &SdkConfig, members: usize) -> Result<Vec<String>, String> {
    let org = aws_sdk_organizations::Client::new(admin);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .map_err(|e| format!("create_organization: {e:?}"))?;
    let mut ids = Vec::new();
    for i in 0..members {
        let out = org
            .create_account()
            .account_name(format!("member-{i}"))
            .email(format!("member-{i}@example.com"))
            .send()
            .await
            .map_err(|e| format!("create_account: {e:?}"))?;
        let id = out
            .create_account_status()
            .and_then(|s| s.account_id())
            .ok_or("create_account returned no account id")?
            .to_owned();
        ids.push(id);
    }
    ids.sort();
    Ok(ids)
}

/// The configuration of `account` through the member role (moto does not check the role).
pub async fn member_config(admin: &SdkConfig, account: &str) -> Result<SdkConfig, String> {
    Accounts::new(admin.clone(), ADMIN_ACCOUNT, MemberRole::default())
        .config_for(account)
        .await
        .map_err(|e| e.to_string())
}

/// `conf` in `region`.
pub fn in_region(conf: &SdkConfig, region: &str) -> SdkConfig {
    conf.to_builder()
        .region(aws_config::Region::new(region.to_owned()))
        .build()
}

/// Seeds member `account`: the GenAI estate ([`crate::estate::genai`]) in its home region and
/// a notebook without a KMS key in `second_region`.
pub async fn seed_member(
    admin: &SdkConfig,
    account: &str,
    prefix: &str,
    second_region: &str,
) -> Result<(), String> {
    let conf = member_config(admin, account).await?;
    let estate = crate::estate::genai_in(&conf, prefix, account).await?;
    let sagemaker = aws_sdk_sagemaker::Client::new(&in_region(&conf, second_region));
    sagemaker
        .create_notebook_instance()
        .notebook_instance_name(format!("{prefix}-notebook-2"))
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
        .role_arn(format!(
            "arn:aws:iam::{account}:role/{}",
            estate.execution_role
        ))
        .send()
        .await
        .map_err(|e| format!("create_notebook_instance: {e:?}"))?;
    Ok(())
}

/// Creates the sweep queue in the administrator's account; returns its URL.
pub async fn queue(admin: &SdkConfig, name: &str) -> Result<String, String> {
    let out = aws_sdk_sqs::Client::new(admin)
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .map_err(|e| format!("create_queue: {e:?}"))?;
    out.queue_url()
        .map(str::to_owned)
        .ok_or_else(|| "create_queue returned no URL".to_owned())
}

/// The SQS event Lambda's poller hands the worker for `messages`.
pub fn sqs_event(messages: &[aws_sdk_sqs::types::Message], queue_arn: &str) -> Value {
    json!({
        "Records": messages.iter().map(|m| json!({
            "messageId": m.message_id(),
            "receiptHandle": m.receipt_handle(),
            "body": m.body(),
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": m.md5_of_body(),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": crate::REGION,
        })).collect::<Vec<_>>()
    })
}

/// What [`drain`] saw.
#[derive(Debug, Default)]
pub struct Drained {
    /// Every batch's report, in the order they finished.
    pub reports: Vec<WorkerReport>,
    /// Every SQS event handed to a worker (to replay one as a retried batch).
    pub events: Vec<Value>,
    /// Messages received more than `max_receives` times: what the redrive policy would move to
    /// the dead-letter queue (their bodies).
    pub dead: Vec<String>,
}

/// Polls the queue with `concurrency` pollers until it is empty, as Lambda's event source
/// mapping would: a batch of up to ten per invocation; the messages the worker reports failed
/// are made visible again at once (standing for the visibility timeout), and one received
/// more than `max_receives` times is set aside as dead-lettered.
pub async fn drain(
    worker: &SweepWorker,
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    concurrency: usize,
    max_receives: u32,
) -> Drained {
    let queue_arn = format!("arn:aws:sqs:{}:{ADMIN_ACCOUNT}:sweep", crate::REGION);
    let drained = tokio::sync::Mutex::new(Drained::default());
    let receives: tokio::sync::Mutex<std::collections::BTreeMap<String, u32>> =
        tokio::sync::Mutex::default();
    let poller = || async {
        let mut idle = 0;
        loop {
            let out = match sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .visibility_timeout(120)
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => panic!("receive_message: {e:?}"),
            };
            let messages = out.messages().to_vec();
            if messages.is_empty() {
                idle += 1;
                if idle > 3 && queue_empty(sqs, queue_url).await {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
                continue;
            }
            idle = 0;
            let event = sqs_event(&messages, &queue_arn);
            let report = worker
                .handle(&event, None)
                .await
                .unwrap_or_else(|e| panic!("the worker failed a whole batch: {e}"));
            for m in &messages {
                let id = m.message_id().unwrap_or_default().to_owned();
                let handle = m.receipt_handle().unwrap_or_default();
                let failed = report.failed.contains(&id);
                let count = {
                    let mut receives = receives.lock().await;
                    let count = receives.entry(id.clone()).or_default();
                    *count += 1;
                    *count
                };
                if failed && count <= max_receives {
                    let _ = sqs
                        .change_message_visibility()
                        .queue_url(queue_url)
                        .receipt_handle(handle)
                        .visibility_timeout(0)
                        .send()
                        .await;
                    continue;
                }
                if failed {
                    drained
                        .lock()
                        .await
                        .dead
                        .push(m.body().unwrap_or_default().to_owned());
                }
                let _ = sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
            let mut drained = drained.lock().await;
            drained.events.push(event);
            drained.reports.push(report);
        }
    };
    futures_util::future::join_all((0..concurrency.max(1)).map(|_| poller())).await;
    drained.into_inner()
}

/// Whether the queue holds no message, visible or in flight.
async fn queue_empty(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> bool {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let Ok(out) = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
    else {
        return false;
    };
    let count = |name: A| {
        out.attributes()
            .and_then(|a| a.get(&name))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1)
    };
    count(A::ApproximateNumberOfMessages) == 0
        && count(A::ApproximateNumberOfMessagesNotVisible) == 0
}

/// An SQS event of `bodies`, message ids `m-0`, `m-1`, ...
pub fn sqs_event_of_bodies(bodies: &[String]) -> Value {
    json!({
        "Records": bodies.iter().enumerate().map(|(i, body)| json!({
            "messageId": format!("m-{i}"),
            "receiptHandle": format!("r-{i}"),
            "body": body,
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": format!("arn:aws:sqs:{}:{ADMIN_ACCOUNT}:sweep", crate::REGION),
            "awsRegion": crate::REGION,
        })).collect::<Vec<_>>()
    })
}

//! The sweep queue (SQS): units of an organization run, sent in batches of ten, every entry
//! either taken or the call an error (nothing dropped).

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

use crate::error::{AwsError, AwsErrorKind};

/// Entries per `SendMessageBatch` (SQS's maximum).
const BATCH: usize = 10;
/// Attempts at the entries SQS failed (the SDK retries whole calls itself).
const ATTEMPTS: u32 = 4;

/// The queue the planner and the workers put units on.
#[derive(Debug, Clone)]
pub struct Queue {
    client: Client,
    url: String,
}

impl Queue {
    /// The queue at `url`.
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    /// Sends every body. Entries SQS reports failed are sent again (a server-side failure up
    /// to [`ATTEMPTS`] times with a doubling delay); a sender's fault, or entries still failing,
    /// make the call an error naming the first one. A body may be sent twice when an answer is
    /// lost: the worker takes a unit once whatever its deliveries.
    pub async fn send(&self, bodies: Vec<String>) -> Result<(), AwsError> {
        for chunk in bodies.chunks(BATCH) {
            let mut pending: Vec<(String, &String)> = chunk
                .iter()
                .enumerate()
                .map(|(i, b)| (i.to_string(), b))
                .collect();
            let mut attempt = 1;
            while !pending.is_empty() {
                let entries = pending
                    .iter()
                    .map(|(id, body)| {
                        SendMessageBatchRequestEntry::builder()
                            .id(id)
                            .message_body(*body)
                            .build()
                            .map_err(|e| invalid(&e.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let out = self
                    .client
                    .send_message_batch()
                    .queue_url(&self.url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("sqs:SendMessageBatch", e))?;
                let failed = out.failed();
                if let Some(fault) = failed.iter().find(|f| f.sender_fault()) {
                    return Err(AwsError {
                        operation: "sqs:SendMessageBatch",
                        kind: AwsErrorKind::Invalid,
                        code: Some(fault.code().to_owned()),
                        message: fault.message().unwrap_or_default().to_owned(),
                    });
                }
                if !failed.is_empty() && attempt >= ATTEMPTS {
                    let first = &failed[0];
                    return Err(AwsError {
                        operation: "sqs:SendMessageBatch",
                        kind: AwsErrorKind::Transient,
                        code: Some(first.code().to_owned()),
                        message: format!(
                            "{} of {} entries still failing after {ATTEMPTS} attempts: {}",
                            failed.len(),
                            chunk.len(),
                            first.message().unwrap_or_default()
                        ),
                    });
                }
                let again: Vec<&str> = failed.iter().map(|f| f.id()).collect();
                pending.retain(|(id, _)| again.contains(&id.as_str()));
                if !pending.is_empty() {
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                    attempt += 1;
                }
            }
        }
        Ok(())
    }
}

fn invalid(message: &str) -> AwsError {
    AwsError {
        operation: "sqs:SendMessageBatch",
        kind: AwsErrorKind::Invalid,
        code: None,
        message: message.to_owned(),
    }
}

//! IAM's service last accessed data for the access review: `GenerateServiceLastAccessedDetails`
//! started for every principal at once, then `GetServiceLastAccessedDetails` polled with backoff
//! within a time budget. A job still running when the budget is spent stays pending, to be
//! collected by the next invocation, so an invocation never waits out its timeout.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType, JobStatusType};

use crate::error::AwsError;
use crate::review::{GENAI_NAMESPACES, ServiceActivity, ServiceUse};

/// The first wait between polls of a job; doubled each round up to [`MAX_POLL_INTERVAL`].
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// The longest wait between polls.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// Starts a report job for every ARN (at most [`CONCURRENCY`](super::CONCURRENCY) calls in
/// flight): the job id, or why it could not be started.
pub async fn start_jobs(
    client: &aws_sdk_iam::Client,
    arns: &[String],
) -> BTreeMap<String, Result<String, String>> {
    let started = super::bounded(arns.to_vec(), |arn| async move {
        let job = client
            .generate_service_last_accessed_details()
            .arn(&arn)
            .granularity(AccessAdvisorUsageGranularityType::ServiceLevel)
            .send()
            .await
            .map_err(|e| {
                AwsError::from_sdk("iam:GenerateServiceLastAccessedDetails", e).to_string()
            })
            .and_then(|out| {
                out.job_id().map(str::to_owned).ok_or_else(|| {
                    "GenerateServiceLastAccessedDetails returned no JobId".to_owned()
                })
            });
        (arn, job)
    })
    .await;
    started.into_iter().collect()
}

/// One read of a job: its GenAI services when complete (every page), pending while IAM is
/// still generating it, unreadable when it failed or could not be read.
pub async fn read_job(client: &aws_sdk_iam::Client, job_id: &str) -> ServiceActivity {
    let mut services = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = match client
            .get_service_last_accessed_details()
            .job_id(job_id)
            .set_marker(marker.take())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                return ServiceActivity::Unreadable {
                    reason: AwsError::from_sdk("iam:GetServiceLastAccessedDetails", e).to_string(),
                };
            }
        };
        match out.job_status() {
            JobStatusType::Completed => {}
            JobStatusType::InProgress => {
                return ServiceActivity::Pending {
                    job_id: job_id.to_owned(),
                };
            }
            other => {
                let why = out
                    .error()
                    .map(|e| format!("{}: {}", e.code(), e.message()))
                    .unwrap_or_else(|| format!("job status {}", other.as_str()));
                return ServiceActivity::Unreadable {
                    reason: format!(
                        "IAM could not generate the service last accessed report ({why})"
                    ),
                };
            }
        }
        services.extend(
            out.services_last_accessed()
                .iter()
                .filter(|s| GENAI_NAMESPACES.contains(&s.service_namespace()))
                .map(|s| ServiceUse {
                    namespace: s.service_namespace().to_owned(),
                    last_authenticated: s
                        .last_authenticated()
                        .and_then(|d| d.to_millis().ok())
                        .map(|m| crate::domain::time::Timestamp::from_epoch_millis(m).to_string()),
                }),
        );
        match out.marker().filter(|_| out.is_truncated()) {
            Some(next) => marker = Some(next.to_owned()),
            None => break,
        }
    }
    services.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    ServiceActivity::Read { services }
}

/// Polls every pending job (`arn` → job id) with backoff until each is read or `budget` is
/// spent: what is known per ARN (still pending ones stay [`ServiceActivity::Pending`]).
pub async fn collect(
    client: &aws_sdk_iam::Client,
    jobs: &BTreeMap<String, String>,
    budget: Duration,
) -> BTreeMap<String, ServiceActivity> {
    let started = Instant::now();
    let mut pending: Vec<(String, String)> =
        jobs.iter().map(|(a, j)| (a.clone(), j.clone())).collect();
    let mut known = BTreeMap::new();
    let mut wait = FIRST_POLL_INTERVAL;
    loop {
        let reads = super::bounded(pending.clone(), |(arn, job)| async move {
            let activity = read_job(client, &job).await;
            (arn, job, activity)
        })
        .await;
        pending.clear();
        for (arn, job, activity) in reads {
            if matches!(activity, ServiceActivity::Pending { .. }) {
                pending.push((arn.clone(), job));
            }
            known.insert(arn, activity);
        }
        if pending.is_empty() || started.elapsed() + wait > budget {
            return known;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_POLL_INTERVAL);
    }
}

//! Building the AWS SDK configuration the functions share: endpoints and credentials come from
//! the standard environment (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, ...), never from a
//! code branch; retries are adaptive with backoff; every call has a connect, an attempt and an
//! operation timeout, so an endpoint that accepts and never answers costs seconds, not the
//! invocation.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader};

/// Attempts per AWS call, including the first (throttling backs off exponentially between).
pub const MAX_ATTEMPTS: u32 = 5;

/// How long an AWS call may take: to connect, per attempt, and in all with its retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting to the endpoint.
    pub connect: Duration,
    /// One attempt: sending the request and reading the whole answer.
    pub attempt: Duration,
    /// The whole call, every retry included.
    pub operation: Duration,
}

impl Timeouts {
    /// The functions' timeouts: a call gives up after 60 s in all, well within the shortest
    /// function timeout of the template (120 s), so a hanging endpoint is a clear error the
    /// function reports (and Lambda retries), never an invocation that times out silently.
    pub const FUNCTIONS: Timeouts = Timeouts {
        connect: Duration::from_secs(5),
        attempt: Duration::from_secs(20),
        operation: Duration::from_secs(60),
    };

    /// As the SDK's timeout configuration.
    pub fn config(self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// The functions' retry and timeout settings on `loader` (the functions load the rest from the
/// environment; tests point the same settings at a local endpoint).
pub fn configure(loader: ConfigLoader, timeouts: Timeouts) -> ConfigLoader {
    loader
        .retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(timeouts.config())
}

/// The SDK configuration for the functions: the default provider chain, adaptive retries, the
/// functions' timeouts.
pub async fn load_sdk_config() -> aws_config::SdkConfig {
    configure(
        aws_config::defaults(BehaviorVersion::latest()),
        Timeouts::FUNCTIONS,
    )
    .load()
    .await
}

//! Building the AWS SDK configuration the functions share: endpoints and credentials come from
//! the standard environment (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, ...), never from a
//! code branch; retries are adaptive with backoff.

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;

/// Attempts per AWS call, including the first (throttling backs off exponentially between).
pub const MAX_ATTEMPTS: u32 = 5;

/// The SDK configuration for the functions: the default provider chain, adaptive retries.
pub async fn load_sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS))
        .load()
        .await
}

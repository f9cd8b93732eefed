//! The evidence bucket: JSON reports (the full findings behind each digest), the auditor's HTML
//! report of each sweep run and the sweep's checkpoint parts, written SSE-KMS with the suite's
//! key.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

use crate::error::{AwsError, AwsErrorKind};

/// The IAM actions the store calls (granted on the evidence bucket only).
pub const REQUIRED_ACTIONS: &[&str] = &["s3:PutObject", "s3:GetObject"];

/// Reads of one object whose body is cut short before [`ReportStore::get_json`] gives up.
pub const BODY_ATTEMPTS: u32 = 4;

/// JSON documents in the evidence bucket.
#[derive(Debug, Clone)]
pub struct ReportStore {
    client: Client,
    bucket: String,
    kms_key_id: Option<String>,
}

impl ReportStore {
    /// A store writing to `bucket`, encrypting with `kms_key_id` (the bucket's default SSE-KMS
    /// key applies when `None`).
    pub fn new(client: Client, bucket: impl Into<String>, kms_key_id: Option<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            kms_key_id,
        }
    }

    /// The `s3://` path of `key`, as Audit Manager's `s3ResourcePath` takes it.
    pub fn path(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    /// Writes `value` as JSON under `key` (SSE-KMS) and returns its `s3://` path. The value is
    /// serialised straight to bytes (no intermediate JSON tree).
    pub async fn put_json<T: serde::Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<String, AwsError> {
        let body = serde_json::to_vec(value).map_err(|e| AwsError {
            operation: "s3:PutObject",
            kind: AwsErrorKind::Invalid,
            code: None,
            message: e.to_string(),
        })?;
        self.put(key, "application/json", body).await
    }

    /// Writes the HTML page `html` under `key` (SSE-KMS, `text/html`) and returns its `s3://`
    /// path.
    pub async fn put_html(&self, key: &str, html: String) -> Result<String, AwsError> {
        self.put(key, "text/html; charset=utf-8", html.into_bytes())
            .await
    }

    /// Writes `body` under `key` as `content_type` (SSE-KMS) and returns its `s3://` path.
    pub async fn put_object(
        &self,
        key: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<String, AwsError> {
        self.put(key, content_type, body).await
    }

    async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> Result<String, AwsError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .set_ssekms_key_id(self.kms_key_id.clone())
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("s3:PutObject", e))?;
        Ok(self.path(key))
    }

    /// Reads the JSON document under `key` into `T`, straight from the bytes.
    ///
    /// The SDK retries a call until its answer's head arrives; a body cut short after that (a
    /// reset connection) is retried here, with the whole GetObject, up to [`BODY_ATTEMPTS`]
    /// times. (The sweep reads every part once per control when a run completes: one cut body
    /// must not fail the run.)
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, AwsError> {
        let mut attempt = 1;
        let bytes = loop {
            let out = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("s3:GetObject", e))?;
            match out.body.collect().await {
                Ok(bytes) => break bytes,
                Err(e) if attempt < BODY_ATTEMPTS => {
                    tracing::warn!(key, error = %e, attempt, "evidence object read cut short; read again");
                    tokio::time::sleep(std::time::Duration::from_millis(50) * attempt).await;
                    attempt += 1;
                }
                Err(e) => {
                    return Err(AwsError {
                        operation: "s3:GetObject",
                        kind: AwsErrorKind::Transient,
                        code: None,
                        message: e.to_string(),
                    });
                }
            }
        };
        serde_json::from_slice(&bytes.into_bytes()).map_err(|e| AwsError {
            operation: "s3:GetObject",
            kind: AwsErrorKind::Invalid,
            code: None,
            message: format!("s3://{}/{key} is not JSON: {e}", self.bucket),
        })
    }
}

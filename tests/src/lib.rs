//! The local AWS rig: moto (S3, Config, ...) and the project's Audit Manager / Config emulator on
//! 127.0.0.1, and SDK configurations pointed at them. Used by the integration tests and the demo.
//!
//! moto runs as a child process started from the project's venv (`make setup` creates it). It
//! binds a free port itself and exits when our end of its stdin pipe closes, so it never outlives
//! the process that started it; [`Moto::stop`] also ends it by PID.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;

/// The account moto answers as.
pub const ACCOUNT_ID: &str = "123456789012";
/// The region the rig uses.
pub const REGION: &str = "us-east-1";

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// The venv's Python: `$GENAI_EVIDENCE_VENV/bin/python`, else `<workspace>/.venv/bin/python`.
pub fn venv_python() -> PathBuf {
    let venv = std::env::var_os("GENAI_EVIDENCE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv"));
    venv.join("bin").join("python")
}

/// A running moto server.
pub struct Moto {
    endpoint: String,
    child: Mutex<Option<(Child, ChildStdin)>>,
}

impl Moto {
    /// Starts moto with `tools/moto_server.py` and waits until it serves.
    pub fn start() -> std::io::Result<Self> {
        let python = venv_python();
        if !python.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} not found: run `make setup` first", python.display()),
            ));
        }
        let mut child = Command::new(&python)
            .arg(workspace_root().join("tools").join("moto_server.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin pipe"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout pipe"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .map(str::to_owned)
            .ok_or_else(|| std::io::Error::other(format!("moto did not start: {line:?}")))?;
        Ok(Self {
            endpoint,
            child: Mutex::new(Some((child, stdin))),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.lock().ok()?.as_ref().map(|(c, _)| c.id())
    }

    /// Stops moto: closes its stdin, kills it by PID and reaps it.
    pub fn stop(&self) {
        let taken = self.child.lock().ok().and_then(|mut guard| guard.take());
        if let Some((mut child, stdin)) = taken {
            drop(stdin);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One moto for the whole test process (it stops when the process exits).
pub fn shared_moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| match Moto::start() {
        Ok(moto) => moto,
        Err(e) => panic!("cannot start moto: {e}"),
    })
}

/// An SDK configuration for `endpoint` with static test credentials. `attempts` = 1 turns
/// retries off (for calls an emulator does not implement, so they fail fast).
pub async fn sdk_config(endpoint: &str, attempts: u32) -> SdkConfig {
    let retry = if attempts <= 1 {
        RetryConfig::disabled()
    } else {
        RetryConfig::standard()
            .with_max_attempts(attempts)
            .with_initial_backoff(Duration::from_millis(20))
    };
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "rig"))
        .endpoint_url(endpoint)
        .retry_config(retry)
        .load()
        .await
}

/// An S3 client on moto (path-style addressing, as emulators need).
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
}

/// The sample events in `events/`, by file stem.
pub fn event(name: &str) -> serde_json::Value {
    let path = workspace_root().join("events").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Seeding helpers for the sample account.
pub mod seed {
    use aws_sdk_s3::types::{
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
        ServerSideEncryptionRule,
    };

    /// A KMS key ARN in the rig's account.
    pub const KEY_ARN: &str =
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// Creates a bucket, with SSE-KMS (`Some(key)`) or SSE-S3 (`None`). When `hardened`, it also
    /// gets a TLS-only policy, Block Public Access and server access logging (into itself, under
    /// `access-logs/`, so no other bucket is created).
    pub async fn bucket(
        s3: &aws_sdk_s3::Client,
        name: &str,
        kms_key: Option<&str>,
        hardened: bool,
    ) -> Result<(), String> {
        s3.create_bucket()
            .bucket(name)
            .send()
            .await
            .map_err(|e| format!("create_bucket {name}: {e:?}"))?;
        let default = match kms_key {
            Some(key) => ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id(key),
            None => {
                ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256)
            }
        }
        .build()
        .map_err(|e| e.to_string())?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(default)
            .bucket_key_enabled(kms_key.is_some())
            .build();
        let config = ServerSideEncryptionConfiguration::builder()
            .rules(rule)
            .build()
            .map_err(|e| e.to_string())?;
        s3.put_bucket_encryption()
            .bucket(name)
            .server_side_encryption_configuration(config)
            .send()
            .await
            .map_err(|e| format!("put_bucket_encryption {name}: {e:?}"))?;
        if hardened {
            let policy = serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                    "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                }, {
                    "Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{name}/access-logs/*")
                }]
            });
            s3.put_bucket_policy()
                .bucket(name)
                .policy(policy.to_string())
                .send()
                .await
                .map_err(|e| format!("put_bucket_policy {name}: {e:?}"))?;
            let block = aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build();
            s3.put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(block)
                .send()
                .await
                .map_err(|e| format!("put_public_access_block {name}: {e:?}"))?;
            let target = aws_sdk_s3::types::LoggingEnabled::builder()
                .target_bucket(name)
                .target_prefix("access-logs/")
                .build()
                .map_err(|e| e.to_string())?;
            s3.put_bucket_logging()
                .bucket(name)
                .bucket_logging_status(
                    aws_sdk_s3::types::BucketLoggingStatus::builder()
                        .logging_enabled(target)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| format!("put_bucket_logging {name}: {e:?}"))?;
        }
        Ok(())
    }
}

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

pub mod drift_state;
pub mod fault_proxy;
pub mod kill_switch;
pub mod organization;
pub mod serial_proxy;

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

/// Registers the `resultToken` of the Config rule event `event` under its `configRuleName` with
/// the emulator, standing in for Config, which issued the token: the emulator's `PutEvaluations`
/// accepts only result tokens it issued or was told about (they are opaque, as in AWS). The
/// token is read from the event itself, whatever its form. An event without both, or with the
/// `TESTMODE` token (which Config never checks), is left alone.
pub fn register_event_token(emulator: &aws_emulator::Emulator, event: &serde_json::Value) {
    let rule = event
        .get("configRuleName")
        .and_then(serde_json::Value::as_str);
    let token = event.get("resultToken").and_then(serde_json::Value::as_str);
    if let (Some(rule), Some(token)) = (rule, token)
        && token != genai_evidence::triggers::config_rule::TEST_MODE_TOKEN
    {
        emulator.register_result_token(rule, token);
    }
}

/// [`register_event_token`] for every sample Config rule event in `events/` (`config-*.json`),
/// so that a test can send any of them, as it is or with its resource renamed.
pub fn register_sample_tokens(emulator: &aws_emulator::Emulator) {
    let dir = workspace_root().join("events");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name
            .strip_prefix("config-")
            .and_then(|_| name.strip_suffix(".json"))
        {
            register_event_token(emulator, &event(stem));
        }
    }
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

    /// Creates a bucket in the client's region, with SSE-KMS (`Some(key)`) or SSE-S3 (`None`).
    /// When `hardened`, it also gets a TLS-only policy, Block Public Access and server access
    /// logging (into itself, under `access-logs/`, so no other bucket is created).
    pub async fn bucket(
        s3: &aws_sdk_s3::Client,
        name: &str,
        kms_key: Option<&str>,
        hardened: bool,
    ) -> Result<(), String> {
        let location = s3
            .config()
            .region()
            .map(|r| r.as_ref().to_owned())
            .filter(|r| r != "us-east-1")
            .map(|r| {
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                        r.as_str(),
                    ))
                    .build()
            });
        s3.create_bucket()
            .bucket(name)
            .set_create_bucket_configuration(location)
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

/// The suite's own resources (what `template.yaml` creates) and a small GenAI estate, seeded into
/// moto for the sweep's tests and the demo.
pub mod estate {
    use aws_config::SdkConfig;
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    use aws_sdk_s3::types::{Tag, Tagging};
    use aws_sdk_sagemaker::types::{
        AlgorithmSpecification, Channel, DataSource, OutputDataConfig, ResourceConfig,
        S3DataSource, S3DataType, StoppingCondition, TrainingInputMode, TrainingInstanceType,
    };

    /// Creates the ledger table as `template.yaml` defines it (key `pk`, on demand).
    pub async fn ledger_table(conf: &SdkConfig, name: &str) -> Result<(), String> {
        let dynamodb = aws_sdk_dynamodb::Client::new(conf);
        dynamodb
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("pk")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("pk")
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .send()
            .await
            .map_err(|e| format!("create_table {name}: {e:?}"))?;
        Ok(())
    }

    /// Creates the SSE-KMS evidence bucket as `template.yaml` defines it, with its own key;
    /// returns the key's ARN. (Without the TLS-only policy: moto enforces it, and serves plain
    /// HTTP.)
    pub async fn evidence_bucket(conf: &SdkConfig, name: &str) -> Result<String, String> {
        let key_arn = aws_sdk_kms::Client::new(conf)
            .create_key()
            .description("genai-evidence suite key")
            .send()
            .await
            .map_err(|e| format!("create_key: {e:?}"))?
            .key_metadata()
            .and_then(|m| m.arn().map(str::to_owned))
            .ok_or("create_key returned no key")?;
        super::seed::bucket(&super::s3_client(conf), name, Some(&key_arn), false).await?;
        Ok(key_arn)
    }

    /// What [`genai`] seeded.
    #[derive(Debug, Clone)]
    pub struct Estate {
        /// The KMS key of the notebook and the training input bucket.
        pub key_id: String,
        /// Training input: SSE-KMS, hardened (compliant).
        pub train_in: String,
        /// Training output: SSE-S3, no TLS policy (non-compliant).
        pub train_out: String,
        /// Referenced by the training job but tagged `genai-evidence=exclude`.
        pub excluded: String,
        /// Referenced by nothing but tagged `genai-evidence=include`.
        pub tagged_in: String,
        /// Referenced by nothing, untagged: out of scope.
        pub unrelated: String,
        /// The training job.
        pub training_job: String,
        /// The notebook instance.
        pub notebook: String,
        /// The execution role of both.
        pub execution_role: String,
        /// A role whose inline policy grants Bedrock actions.
        pub bedrock_role: String,
        /// A role with nothing to do with GenAI.
        pub unrelated_role: String,
        /// A customer managed policy attached to the execution role (reads the training input).
        pub execution_policy: String,
        /// A customer managed policy, attached to nothing, that grants Bedrock actions itself.
        pub bedrock_policy: String,
        /// A customer managed policy with nothing to do with GenAI, attached to nothing.
        pub unrelated_policy: String,
    }

    /// Seeds a small GenAI estate: a SageMaker training job reading one bucket and writing
    /// another (and a third tagged out), a notebook with a KMS key, their execution role, a role
    /// granted Bedrock actions, plus a bucket tagged in and resources nothing references.
    pub async fn genai(conf: &SdkConfig, prefix: &str) -> Result<Estate, String> {
        genai_in(conf, prefix, super::ACCOUNT_ID).await
    }

    /// [`genai`] in `account` (the account of `conf`'s credentials: an assumed member role's).
    pub async fn genai_in(conf: &SdkConfig, prefix: &str, account: &str) -> Result<Estate, String> {
        let s3 = super::s3_client(conf);
        let kms = aws_sdk_kms::Client::new(conf);
        let iam = aws_sdk_iam::Client::new(conf);
        let sagemaker = aws_sdk_sagemaker::Client::new(conf);
        let key_id = kms
            .create_key()
            .description(format!("{prefix} notebook and training data"))
            .send()
            .await
            .map_err(|e| format!("create_key: {e:?}"))?
            .key_metadata()
            .map(|m| m.key_id().to_owned())
            .ok_or("create_key returned no key")?;
        kms.enable_key_rotation()
            .key_id(&key_id)
            .send()
            .await
            .map_err(|e| format!("enable_key_rotation: {e:?}"))?;
        let estate = Estate {
            key_id: key_id.clone(),
            train_in: format!("{prefix}-train-in"),
            train_out: format!("{prefix}-train-out"),
            excluded: format!("{prefix}-scratch"),
            tagged_in: format!("{prefix}-prompts"),
            unrelated: format!("{prefix}-website"),
            training_job: format!("{prefix}-churn"),
            notebook: format!("{prefix}-notebook"),
            execution_role: format!("{prefix}-sagemaker-exec"),
            bedrock_role: format!("{prefix}-bedrock-app"),
            unrelated_role: format!("{prefix}-web-deployer"),
            execution_policy: format!("{prefix}-training-data-read"),
            bedrock_policy: format!("{prefix}-bedrock-invoke"),
            unrelated_policy: format!("{prefix}-website-publish"),
        };
        let key_arn = format!("arn:aws:kms:{}:{account}:key/{key_id}", super::REGION,);
        super::seed::bucket(&s3, &estate.train_in, Some(&key_arn), true).await?;
        super::seed::bucket(&s3, &estate.train_out, None, false).await?;
        super::seed::bucket(&s3, &estate.excluded, None, false).await?;
        super::seed::bucket(&s3, &estate.tagged_in, Some(&key_arn), true).await?;
        super::seed::bucket(&s3, &estate.unrelated, None, false).await?;
        for (bucket, value) in [
            (&estate.excluded, "exclude"),
            (&estate.tagged_in, "include"),
        ] {
            let tag = Tag::builder()
                .key("genai-evidence")
                .value(value)
                .build()
                .map_err(|e| e.to_string())?;
            s3.put_bucket_tagging()
                .bucket(bucket)
                .tagging(
                    Tagging::builder()
                        .tag_set(tag)
                        .build()
                        .map_err(|e| e.to_string())?,
                )
                .send()
                .await
                .map_err(|e| format!("put_bucket_tagging {bucket}: {e:?}"))?;
        }
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        for role in [
            &estate.execution_role,
            &estate.bedrock_role,
            &estate.unrelated_role,
        ] {
            iam.create_role()
                .role_name(role)
                .assume_role_policy_document(trust)
                .send()
                .await
                .map_err(|e| format!("create_role {role}: {e:?}"))?;
        }
        iam.put_role_policy()
            .role_name(&estate.bedrock_role)
            .policy_name("invoke-models")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],"Resource":"*"}]}"#)
            .send()
            .await
            .map_err(|e| format!("put_role_policy: {e:?}"))?;
        iam.put_role_policy()
            .role_name(&estate.unrelated_role)
            .policy_name("deploy-site")
            .policy_document(format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::{}/*"}}]}}"#, estate.unrelated))
            .send()
            .await
            .map_err(|e| format!("put_role_policy: {e:?}"))?;
        for (name, document) in [
            (&estate.execution_policy, format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{}/*"}}]}}"#, estate.train_in)),
            (&estate.bedrock_policy, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#.to_owned()),
            (&estate.unrelated_policy, format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::{}/*"}}]}}"#, estate.unrelated)),
        ] {
            iam.create_policy()
                .policy_name(name)
                .policy_document(document)
                .send()
                .await
                .map_err(|e| format!("create_policy {name}: {e:?}"))?;
        }
        iam.attach_role_policy()
            .role_name(&estate.execution_role)
            .policy_arn(format!(
                "arn:aws:iam::{account}:policy/{}",
                estate.execution_policy
            ))
            .send()
            .await
            .map_err(|e| format!("attach_role_policy: {e:?}"))?;
        let role_arn = format!("arn:aws:iam::{account}:role/{}", estate.execution_role);
        sagemaker
            .create_notebook_instance()
            .notebook_instance_name(&estate.notebook)
            .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
            .role_arn(&role_arn)
            .kms_key_id(&key_id)
            .send()
            .await
            .map_err(|e| format!("create_notebook_instance: {e:?}"))?;
        let channel = |name: &str, bucket: &str| -> Result<Channel, String> {
            Ok(Channel::builder()
                .channel_name(name)
                .data_source(
                    DataSource::builder()
                        .s3_data_source(
                            S3DataSource::builder()
                                .s3_data_type(S3DataType::S3Prefix)
                                .s3_uri(format!("s3://{bucket}/data/"))
                                .build(),
                        )
                        .build(),
                )
                .build())
        };
        sagemaker
            .create_training_job()
            .training_job_name(&estate.training_job)
            .role_arn(&role_arn)
            .algorithm_specification(
                AlgorithmSpecification::builder()
                    .training_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1")
                    .training_input_mode(TrainingInputMode::File)
                    .build(),
            )
            .input_data_config(channel("train", &estate.train_in)?)
            .input_data_config(channel("scratch", &estate.excluded)?)
            .output_data_config(
                OutputDataConfig::builder()
                    .s3_output_path(format!("s3://{}/models/", estate.train_out))
                    .build(),
            )
            .resource_config(
                ResourceConfig::builder()
                    .instance_type(TrainingInstanceType::MlM5Large)
                    .instance_count(1)
                    .volume_size_in_gb(10)
                    .build(),
            )
            .stopping_condition(
                StoppingCondition::builder()
                    .max_runtime_in_seconds(3600)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| format!("create_training_job: {e:?}"))?;
        Ok(estate)
    }
}

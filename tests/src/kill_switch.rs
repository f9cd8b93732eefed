//! A kill switch for crash tests: an SDK interceptor, put on every client a handler uses, that
//! counts the operations they start and, at the K-th, trips. From then on every operation fails
//! in the interceptor before anything is sent, and [`KillSwitch::run`] drops the handler's
//! future at its next await, as a Lambda timeout or crash would. What the servers saw is then
//! exactly the first K - 1 operations (earlier ones may still be in flight only when the handler
//! runs reads concurrently), whatever the handler does while it unwinds.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use aws_config::SdkConfig;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use tokio::sync::watch;

/// Counts the operations of every client built through it; trips at the K-th (see the module).
#[derive(Debug, Clone)]
pub struct KillSwitch {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Trip at this operation (1-based); `usize::MAX`: never.
    at: usize,
    /// Operations started (the tripping one included; none after it).
    started: AtomicUsize,
    tripped: watch::Sender<bool>,
    /// `METHOD path` (REST services) or the `X-Amz-Target` operation (JSON services) of each
    /// operation started, in order.
    log: Mutex<Vec<String>>,
}

impl Default for KillSwitch {
    fn default() -> Self {
        Self::never()
    }
}

impl KillSwitch {
    /// A switch that only counts.
    pub fn never() -> Self {
        Self::at(usize::MAX)
    }

    /// A switch that trips at the `k`-th operation (1-based), which is never sent.
    pub fn at(k: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                at: k.max(1),
                started: AtomicUsize::new(0),
                tripped: watch::channel(false).0,
                log: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Operations started so far (at most K).
    pub fn calls(&self) -> usize {
        self.inner.started.load(Ordering::SeqCst)
    }

    /// Whether the switch tripped.
    pub fn tripped(&self) -> bool {
        *self.inner.tripped.borrow()
    }

    /// The operations started, in order (see [`Inner::log`]).
    pub fn log(&self) -> Vec<String> {
        self.inner
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Resolves once the switch has tripped.
    pub async fn wait(&self) {
        let mut rx = self.inner.tripped.subscribe();
        // The sender lives as long as `self`: `wait_for` only fails once it is dropped.
        let _ = rx.wait_for(|tripped| *tripped).await;
    }

    /// Runs `work` until it finishes (`Some`) or the switch trips (`None`: `work` is dropped
    /// where it stands, mid-flight).
    pub async fn run<F: Future>(&self, work: F) -> Option<F::Output> {
        tokio::select! {
            biased;
            () = self.wait() => None,
            out = work => (!self.tripped()).then_some(out),
        }
    }

    /// Every reader client of `conf`'s region, each with this switch.
    pub fn reader_clients(&self, conf: &SdkConfig) -> genai_evidence::readers::Clients {
        macro_rules! switched {
            ($sdk:ident) => {
                $sdk::Client::from_conf(
                    $sdk::config::Builder::from(conf)
                        .interceptor(self.clone())
                        .build(),
                )
            };
        }
        genai_evidence::readers::Clients {
            region: conf.region().map(|r| r.to_string()).unwrap_or_default(),
            bedrock: switched!(aws_sdk_bedrock),
            bedrock_agent: switched!(aws_sdk_bedrockagent),
            bedrock_agentcore: switched!(aws_sdk_bedrockagentcorecontrol),
            sagemaker: switched!(aws_sdk_sagemaker),
            kms: switched!(aws_sdk_kms),
            logs: switched!(aws_sdk_cloudwatchlogs),
            cloudtrail: switched!(aws_sdk_cloudtrail),
            tagging: switched!(aws_sdk_resourcegroupstagging),
            s3: self.s3(conf),
            iam: switched!(aws_sdk_iam),
            organizations: switched!(aws_sdk_organizations),
        }
    }

    /// An S3 client (path-style, as emulators need) with this switch.
    pub fn s3(&self, conf: &SdkConfig) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(conf)
                .force_path_style(true)
                .interceptor(self.clone())
                .build(),
        )
    }

    /// A DynamoDB client with this switch.
    pub fn dynamodb(&self, conf: &SdkConfig) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(conf)
                .interceptor(self.clone())
                .build(),
        )
    }

    /// An Audit Manager client with this switch.
    pub fn auditmanager(&self, conf: &SdkConfig) -> aws_sdk_auditmanager::Client {
        aws_sdk_auditmanager::Client::from_conf(
            aws_sdk_auditmanager::config::Builder::from(conf)
                .interceptor(self.clone())
                .build(),
        )
    }
}

impl Intercept for KillSwitch {
    fn name(&self) -> &'static str {
        "KillSwitch"
    }

    // Once per operation (not per attempt), with the serialized request at hand.
    fn modify_before_retry_loop(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.tripped() {
            return Err("killed: the invocation is gone".into());
        }
        let n = self.inner.started.fetch_add(1, Ordering::SeqCst) + 1;
        let request = context.request();
        let label = match request.headers().get("x-amz-target") {
            Some(target) => target
                .rsplit_once('.')
                .map_or(target, |(_, op)| op)
                .to_owned(),
            None => {
                let uri = request.uri();
                let path = uri
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                    .unwrap_or(uri);
                let path = path.split_once('?').map_or(path, |(p, _)| p);
                format!("{} {path}", request.method())
            }
        };
        self.inner
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(label);
        if n >= self.inner.at {
            self.inner.tripped.send_replace(true);
            return Err("killed: the invocation is gone".into());
        }
        Ok(())
    }
}

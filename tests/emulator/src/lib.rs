//! Strict local emulator of the AWS Audit Manager evidence API and of AWS Config evaluations,
//! served on one HTTP/1.1 listener on 127.0.0.1.
//!
//! Requests whose `X-Amz-Target` header starts with `StarlingDoveService.` are AWS Config
//! (JSON 1.1); everything else is Audit Manager (rest-json), except the test-hook routes under
//! `/_emulator/` (`POST /_emulator/faults`, `GET /_emulator/faults`, `GET /_emulator/calls`,
//! `POST /_emulator/config/result-tokens`).
//!
//! Config evaluations are kept per AWS account, the caller's: the account of the credentials
//! that signed the request, which the upstream (moto) names; without an upstream or a SigV4
//! signature, and when moto's answer cannot be read, it is [`DEFAULT_ACCOUNT_ID`]
//! (`accounts.rs` documents the look-up and the fallback).
//!
//! Config result tokens are opaque: `PutEvaluations` accepts only a token the emulator issued
//! ([`Emulator::issue_result_token`]) or one registered with it
//! ([`Emulator::register_result_token`]), and files the results under that token's rule.
//! `POST /_emulator/config/result-tokens` does either over HTTP: `{"configRuleName": "r"}`
//! issues a token, `{"configRuleName": "r", "resultToken": "t"}` registers `t`; both answer
//! `{"resultToken": "..."}`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use aws_emulator::{Emulator, Seed};
//! let emulator = Emulator::start(Seed::default_genai(), None).await?;
//! let endpoint = emulator.endpoint(); // give this to the SDK as its endpoint URL
//! emulator.faults().throttle_next_imports(1);
//! let token = emulator.issue_result_token("genai-evidence-controls"); // for a Config rule event
//! # Ok(()) }
//! ```

mod accounts;
mod auditmanager;
mod config;
mod faults;
mod http;
mod seed;
mod upstream;

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderValue;
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub use accounts::DEFAULT_ACCOUNT_ID;
pub use faults::Faults;
pub use seed::{
    AssessmentStatus, DEMO_ASSESSMENT_ID, GENAI_FRAMEWORK_ID, GENAI_FRAMEWORK_NAME,
    INACTIVE_ASSESSMENT_ID, Seed, SeedAssessment, SeedControl, SeedControlSet, control_uuid,
};

use auditmanager::AuditManager;
use config::{ConfigService, TARGET_PREFIX, check_rule_name};
use http::{HttpResponse, REST_JSON, json};
use upstream::Upstream;

/// Largest request body the emulator reads (Audit Manager and Config bodies are far smaller).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Everything the connection tasks share.
#[derive(Debug)]
struct Ctx {
    audit_manager: AuditManager,
    config: ConfigService,
    faults: Arc<Faults>,
    request_ids: AtomicU64,
}

/// A running emulator. Dropping it stops serving (open connections are closed too).
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    ctx: Arc<Ctx>,
    accept: JoinHandle<()>,
}

impl Emulator {
    /// Starts serving `seed` on an ephemeral port of 127.0.0.1. Config operations other than
    /// `PutEvaluations` and `GetComplianceDetailsByConfigRule` are forwarded to
    /// `upstream_config` (`http://host:port`, e.g. moto) when given; its STS also names the
    /// account of each caller's access key (without it, every caller is in
    /// [`DEFAULT_ACCOUNT_ID`]).
    ///
    /// Fails when the seed breaks the API's id rules, the upstream URL is not `http://`, or
    /// the port cannot be bound.
    pub async fn start(seed: Seed, upstream_config: Option<String>) -> io::Result<Self> {
        Self::start_on_port(0, seed, upstream_config).await
    }

    /// Like [`Emulator::start`], on a fixed port of 127.0.0.1 (0 picks a free one).
    pub async fn start_on_port(
        port: u16,
        seed: Seed,
        upstream_config: Option<String>,
    ) -> io::Result<Self> {
        seed.validate()?;
        let upstream = upstream_config
            .as_deref()
            .map(Upstream::parse)
            .transpose()?;
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let ctx = Arc::new(Ctx {
            audit_manager: AuditManager::new(seed),
            config: ConfigService::new(upstream),
            faults: Arc::new(Faults::default()),
            request_ids: AtomicU64::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&ctx)));
        Ok(Self { addr, ctx, accept })
    }

    /// `http://127.0.0.1:PORT`, the endpoint URL for both services.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The fault switches and call counters.
    pub fn faults(&self) -> &Faults {
        &self.ctx.faults
    }

    /// A shared handle to the fault switches, usable after the emulator moved.
    pub fn faults_handle(&self) -> Arc<Faults> {
        Arc::clone(&self.ctx.faults)
    }

    /// How many requests operation `op` received (e.g. `"BatchImportEvidenceToAssessmentControl"`).
    pub fn calls(&self, op: &str) -> usize {
        self.ctx.faults.calls(op)
    }

    /// The seed the emulator serves.
    pub fn seed(&self) -> &Seed {
        self.ctx.audit_manager.seed()
    }

    /// Issues a new opaque result token for the Config rule `rule`, as Config does when it
    /// invokes a rule: a long standard-base64 blob. `PutEvaluations` with it files results under
    /// `rule`, and `rule` becomes known to `GetComplianceDetailsByConfigRule`.
    ///
    /// # Panics
    ///
    /// When `rule` is not a valid rule name (1 to 128 characters, not blank).
    pub fn issue_result_token(&self, rule: &str) -> String {
        match self.ctx.config.issue_token(rule) {
            Ok(token) => token,
            Err(msg) => panic!("issue_result_token({rule:?}): {msg}"),
        }
    }

    /// Registers `token`, issued elsewhere (e.g. the `resultToken` of a sample rule event), as a
    /// result token of the Config rule `rule`, standing in for Config, which issued it.
    /// Registering the same token for the same rule again does nothing.
    ///
    /// # Panics
    ///
    /// When `rule` is not a valid rule name (1 to 128 characters, not blank), `token` is empty,
    /// or `token` is already registered for another rule.
    pub fn register_result_token(&self, rule: &str, token: &str) {
        if let Err(msg) = self.ctx.config.register_token(rule, token) {
            panic!("register_result_token({rule:?}, ..): {msg}");
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, ctx: Arc<Ctx>) {
    // Owning the connection tasks here means aborting this task closes them all.
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(serve_connection(stream, Arc::clone(&ctx)));
                while connections.try_join_next().is_some() {}
            }
            Err(err) => {
                tracing::warn!(%err, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

async fn serve_connection(stream: TcpStream, ctx: Arc<Ctx>) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req: Request<Incoming>| {
        let ctx = Arc::clone(&ctx);
        async move { Ok::<_, Infallible>(ctx.handle(req).await) }
    });
    let mut builder = http1::Builder::new();
    builder.keep_alive(true).timer(TokioTimer::new());
    if let Err(err) = builder
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(%err, "connection ended with an error");
    }
}

impl Ctx {
    async fn handle(&self, req: Request<Incoming>) -> HttpResponse {
        let (parts, body) = req.into_parts();
        let mut resp = match Limited::new(body, MAX_BODY_BYTES).collect().await {
            Ok(collected) => self.route(&parts, collected.to_bytes()).await,
            Err(err) => json(
                StatusCode::BAD_REQUEST,
                REST_JSON,
                &json!({"message": format!("could not read the request body: {err}")}),
            ),
        };
        if !resp.headers().contains_key("x-amzn-requestid") {
            let n = self.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
            if let Ok(id) = HeaderValue::from_str(&format!("e0a1b2c3-0000-4000-8000-{n:012x}")) {
                resp.headers_mut().insert("x-amzn-RequestId", id);
            }
        }
        resp
    }

    async fn route(&self, parts: &Parts, body: Bytes) -> HttpResponse {
        let target = parts
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok());
        if let Some(operation) = target.and_then(|t| t.strip_prefix(TARGET_PREFIX)) {
            return self
                .config
                .handle(&self.faults, operation, parts, body)
                .await;
        }
        let path = parts.uri.path();
        if path.starts_with("/_emulator/") {
            return self.control(&parts.method, path, &body);
        }
        self.audit_manager
            .handle(&self.faults, &parts.method, path, parts.uri.query(), &body)
    }

    /// The test-hook routes under `/_emulator/`.
    fn control(&self, method: &Method, path: &str, body: &[u8]) -> HttpResponse {
        let ok = |v: &Value| json(StatusCode::OK, REST_JSON, v);
        let bad = |msg: String| json(StatusCode::BAD_REQUEST, REST_JSON, &json!({"message": msg}));
        match (method, path) {
            (&Method::GET, "/_emulator/calls") => ok(&json!(self.faults.all_calls())),
            (&Method::GET, "/_emulator/faults") => ok(&self.faults.snapshot()),
            (&Method::POST, "/_emulator/faults") => match apply_faults(&self.faults, body) {
                Ok(()) => ok(&self.faults.snapshot()),
                Err(msg) => bad(msg),
            },
            (&Method::POST, "/_emulator/config/result-tokens") => {
                match result_token(&self.config, body) {
                    Ok(token) => ok(&json!({ "resultToken": token })),
                    Err(msg) => bad(msg),
                }
            }
            _ => json(
                StatusCode::NOT_FOUND,
                REST_JSON,
                &json!({"message": format!("no emulator control route {method} {path}")}),
            ),
        }
    }
}

/// Serves `{"configRuleName": "r"}` (issue a token for `r`) and
/// `{"configRuleName": "r", "resultToken": "t"}` (register `t` for `r`) after checking all of
/// it; returns the token.
fn result_token(config: &ConfigService, body: &[u8]) -> Result<String, String> {
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return Err("the body must be a JSON object".to_owned());
    };
    const KNOWN: [&str; 2] = ["configRuleName", "resultToken"];
    if let Some(unknown) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!(
            "unknown key {unknown:?}; known keys: {}",
            KNOWN.join(", ")
        ));
    }
    let rule = match obj.get("configRuleName") {
        None => return Err("configRuleName is required".to_owned()),
        Some(Value::String(rule)) => rule,
        Some(_) => return Err("configRuleName must be a string".to_owned()),
    };
    check_rule_name(rule)?;
    match obj.get("resultToken") {
        None => config.issue_token(rule),
        Some(Value::String(token)) if !token.is_empty() => {
            config.register_token(rule, token)?;
            Ok(token.clone())
        }
        Some(_) => Err("resultToken must be a non-empty string".to_owned()),
    }
}

/// Applies `{"throttleImports":n,"failItems":n,"failEvaluations":n,"denyAll":bool,
/// "advanceClockSeconds":n}` (every key optional) after checking all of it.
fn apply_faults(faults: &Faults, body: &[u8]) -> Result<(), String> {
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return Err("the body must be a JSON object".to_owned());
    };
    let count = |key: &str| -> Result<Option<usize>, String> {
        obj.get(key)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| format!("{key} must be a non-negative integer"))
            })
            .transpose()
    };
    let throttle = count("throttleImports")?;
    let items = count("failItems")?;
    let evaluations = count("failEvaluations")?;
    let deny = obj
        .get("denyAll")
        .map(|v| v.as_bool().ok_or("denyAll must be a boolean"))
        .transpose()?;
    let clock = obj
        .get("advanceClockSeconds")
        .map(|v| v.as_i64().ok_or("advanceClockSeconds must be an integer"))
        .transpose()?;
    const KNOWN: [&str; 5] = [
        "throttleImports",
        "failItems",
        "failEvaluations",
        "denyAll",
        "advanceClockSeconds",
    ];
    if let Some(unknown) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!(
            "unknown key {unknown:?}; known keys: {}",
            KNOWN.join(", ")
        ));
    }
    if let Some(n) = throttle {
        faults.throttle_next_imports(n);
    }
    if let Some(n) = items {
        faults.fail_next_items(n);
    }
    if let Some(n) = evaluations {
        faults.fail_next_evaluations(n);
    }
    if let Some(on) = deny {
        faults.deny_all(on);
    }
    if let Some(secs) = clock {
        faults.advance_clock(secs);
    }
    Ok(())
}

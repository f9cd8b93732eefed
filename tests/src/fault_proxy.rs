//! A fault-injecting HTTP/1.1 proxy for the chaos tests: it listens on a free port of 127.0.0.1
//! in front of one upstream (moto or the emulator) and, for a seeded share of the requests of
//! each service, answers with a fault instead of (or after) forwarding.
//!
//! - **Which service**: the SigV4 credential scope of the `Authorization` header
//!   (`Credential=AKID/<date>/<region>/<service>/aws4_request`), else the `X-Amz-Target` prefix.
//!   The operation is the `X-Amz-Target` suffix, a query-protocol `Action=` of the body, or
//!   `METHOD /path` (REST protocols).
//! - **Which requests**: each request draws from a SplitMix64 stream keyed by the seed, the
//!   service, the operation and how many requests of that operation came before, so a seed
//!   replays the same faults for the same sequence of calls of each operation (concurrent calls
//!   of one operation may swap their draws).
//! - **Faults** ([`FaultKind`]): throttling (`400 ThrottlingException` for the JSON protocols,
//!   `429` for REST-JSON, `503 SlowDown` for S3, `400 Throttling` for the query protocol), `503`,
//!   a connection reset before anything is forwarded, a response cut mid-body (forwarded, so the
//!   upstream *did* the work; the client gets the head with its `Content-Length` and half the
//!   body), and a latency spike (a sleep, then forwarded unless the client gave up meanwhile).
//! - Requests [`FaultPlan::keep_responses`] selects (an operation without an idempotency token,
//!   whose lost answer the caller cannot tell from a failure) get no fault that loses an answer
//!   the upstream produced: a cut becomes a reset before forwarding.
//!
//! One request per connection: every forwarded request and answer carries `Connection: close`
//! (the SDK reconnects). Request bodies are read by `Content-Length` or chunked framing (kept
//! verbatim, so `aws-chunked` S3 uploads pass), `Expect: 100-continue` is answered here.
//! `FAULT_PROXY_TRACE=1` prints each request's service, operation, size and framing headers.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Largest request or response head read.
const MAX_HEAD: usize = 64 * 1024;
/// How long one exchange with the upstream may take.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a client may take to send its request.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// A fault the proxy injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// The protocol's throttling error (400 `ThrottlingException`, 429, S3's 503 `SlowDown`).
    Throttle,
    /// HTTP 503 with the protocol's `ServiceUnavailable` error.
    Unavailable,
    /// The connection is closed (RST) before anything is forwarded.
    Reset,
    /// Forwarded; the answer's head and half its body are sent, then the connection is closed.
    Cut,
    /// A sleep within [`FaultPlan::latency`], then forwarded.
    Latency,
}

impl FaultKind {
    /// Every kind, in order.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::Throttle,
        FaultKind::Unavailable,
        FaultKind::Reset,
        FaultKind::Cut,
        FaultKind::Latency,
    ];

    /// A short name (`throttle`, `503`, `reset`, `cut`, `latency`).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::Unavailable => "503",
            FaultKind::Reset => "reset",
            FaultKind::Cut => "cut",
            FaultKind::Latency => "latency",
        }
    }
}

/// What a fault decision sees of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMeta {
    /// The service (`dynamodb`, `s3`, `auditmanager`, ...), or `unknown`.
    pub service: String,
    /// The operation (`PutItem`, `GetBucketPolicy`'s `GET /bucket`, ...).
    pub operation: String,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The SDK's attempt number (`amz-sdk-request: attempt=N`), 1 when absent.
    pub attempt: u32,
    /// The SDK's invocation id (`amz-sdk-invocation-id`): one per operation, across attempts.
    pub invocation: Option<String>,
}

/// Selects requests (see [`FaultPlan::keep_responses`]).
pub type RequestFilter = Arc<dyn Fn(&RequestMeta) -> bool + Send + Sync>;

/// Selects requests by their meta and body (see [`FaultPlan::deny`]).
pub type BodyFilter = Arc<dyn Fn(&RequestMeta, &[u8]) -> bool + Send + Sync>;

/// How many faults, of which kinds, where.
#[derive(Clone)]
pub struct FaultPlan {
    /// The seed of every draw.
    pub seed: u64,
    /// The share of requests faulted (0.0 to 1.0) for a service not in `shares`.
    pub share: f64,
    /// The share per service.
    pub shares: BTreeMap<String, f64>,
    /// Relative weights of the kinds (a kind missing or at 0 is never drawn).
    pub weights: BTreeMap<FaultKind, u32>,
    /// The range of a latency spike.
    pub latency: (Duration, Duration),
    /// Requests whose upstream answer must never be lost (a cut becomes a reset before
    /// forwarding, a latency spike is not forwarded once the client gave up).
    pub keep_responses: Option<RequestFilter>,
    /// Requests answered `403 AccessDenied` (query protocol, as STS and IAM answer) instead of
    /// forwarded: standing for what moto does not enforce, e.g. an `AssumeRole` of a role that
    /// does not exist or does not trust the caller.
    pub deny: Option<BodyFilter>,
}

impl std::fmt::Debug for FaultPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultPlan")
            .field("seed", &self.seed)
            .field("share", &self.share)
            .field("shares", &self.shares)
            .field("weights", &self.weights)
            .field("latency", &self.latency)
            .field("keep_responses", &self.keep_responses.is_some())
            .field("deny", &self.deny.is_some())
            .finish()
    }
}

impl FaultPlan {
    /// `share` of every service's requests faulted, every kind equally likely, spikes of 50 to
    /// 500 ms.
    pub fn new(seed: u64, share: f64) -> Self {
        Self {
            seed,
            share,
            shares: BTreeMap::new(),
            weights: FaultKind::ALL.iter().map(|k| (*k, 1)).collect(),
            latency: (Duration::from_millis(50), Duration::from_millis(500)),
            keep_responses: None,
            deny: None,
        }
    }

    /// No faults: a plain forwarder.
    pub fn none() -> Self {
        Self::new(0, 0.0)
    }

    /// The same plan with `share` for `service`.
    pub fn with_service_share(mut self, service: &str, share: f64) -> Self {
        self.shares.insert(service.to_owned(), share);
        self
    }

    /// The same plan with only `kind` drawn.
    pub fn only(mut self, kind: FaultKind) -> Self {
        self.weights = BTreeMap::from([(kind, 1)]);
        self
    }

    /// The same plan keeping the answers of the requests `filter` selects.
    pub fn keeping_responses(
        mut self,
        filter: impl Fn(&RequestMeta) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.keep_responses = Some(Arc::new(filter));
        self
    }

    /// The same plan answering the requests `filter` selects with `403 AccessDenied`.
    pub fn denying(
        mut self,
        filter: impl Fn(&RequestMeta, &[u8]) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.deny = Some(Arc::new(filter));
        self
    }

    fn share_of(&self, service: &str) -> f64 {
        self.shares.get(service).copied().unwrap_or(self.share)
    }
}

/// Counters of one service (or of all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests received.
    pub requests: u64,
    /// Requests forwarded to the upstream (cut and delayed ones included).
    pub forwarded: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<FaultKind, u64>,
    /// Distinct SDK operations (invocation ids) seen.
    pub operations: u64,
    /// Requests that were an SDK retry (`attempt` above 1).
    pub retries: u64,
    /// Delayed requests not forwarded because the client had gone.
    pub abandoned: u64,
    /// Exchanges with the upstream that failed (answered 502 to the client).
    pub upstream_errors: u64,
}

impl Counts {
    /// Faults of every kind.
    pub fn faults_total(&self) -> u64 {
        self.faults.values().sum()
    }

    fn add(&mut self, other: &Counts) {
        self.requests += other.requests;
        self.forwarded += other.forwarded;
        for (k, n) in &other.faults {
            *self.faults.entry(*k).or_default() += n;
        }
        self.operations += other.operations;
        self.retries += other.retries;
        self.abandoned += other.abandoned;
        self.upstream_errors += other.upstream_errors;
    }
}

/// A snapshot of the proxy's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Per service.
    pub by_service: BTreeMap<String, Counts>,
}

impl Stats {
    /// Every service together.
    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for counts in self.by_service.values() {
            total.add(counts);
        }
        total
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = |f: &mut std::fmt::Formatter<'_>, name: &str, c: &Counts| {
            let faults: Vec<String> = FaultKind::ALL
                .iter()
                .map(|k| format!("{} {}", k.name(), c.faults.get(k).copied().unwrap_or(0)))
                .collect();
            writeln!(
                f,
                "  {name:<14} requests {:>5}, forwarded {:>5}, operations {:>5}, SDK retries {:>4}, faults {:>4} ({}), abandoned {}, upstream errors {}",
                c.requests,
                c.forwarded,
                c.operations,
                c.retries,
                c.faults_total(),
                faults.join(", "),
                c.abandoned,
                c.upstream_errors
            )
        };
        for (service, counts) in &self.by_service {
            line(f, service, counts)?;
        }
        line(f, "TOTAL", &self.total())
    }
}

#[derive(Default)]
struct Counters {
    by_service: BTreeMap<String, Counts>,
    invocations: BTreeMap<String, BTreeSet<String>>,
    sequence: BTreeMap<(String, String), u64>,
}

struct State {
    upstream: String,
    plan: Mutex<FaultPlan>,
    counters: Mutex<Counters>,
    stopped: AtomicBool,
}

impl State {
    fn plan(&self) -> FaultPlan {
        self.plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts the request and draws its fate (with one more draw, for a spike's length).
    fn decide(&self, meta: &RequestMeta, plan: &FaultPlan) -> Option<(FaultKind, u64)> {
        let mut counters = self.counters();
        let n = {
            let seq = counters
                .sequence
                .entry((meta.service.clone(), meta.operation.clone()))
                .or_default();
            *seq += 1;
            *seq
        };
        let new_operation = match &meta.invocation {
            Some(id) => counters
                .invocations
                .entry(meta.service.clone())
                .or_default()
                .insert(id.clone()),
            None => true,
        };
        let counts = counters.by_service.entry(meta.service.clone()).or_default();
        counts.requests += 1;
        if new_operation {
            counts.operations += 1;
        }
        if meta.attempt > 1 {
            counts.retries += 1;
        }
        let share = plan.share_of(&meta.service);
        if share <= 0.0 {
            return None;
        }
        let mut rng = SplitMix::new(
            plan.seed ^ fnv(&meta.service) ^ fnv(&meta.operation).rotate_left(17) ^ n,
        );
        if rng.unit() >= share {
            return None;
        }
        let total: u64 = plan.weights.values().map(|w| u64::from(*w)).sum();
        if total == 0 {
            return None;
        }
        let mut pick = rng.next() % total;
        let mut kind = None;
        for (k, w) in &plan.weights {
            if pick < u64::from(*w) {
                kind = Some(*k);
                break;
            }
            pick -= u64::from(*w);
        }
        let kind = kind?;
        let kind = match kind {
            FaultKind::Cut if plan.keep_responses.as_ref().is_some_and(|keep| keep(meta)) => {
                FaultKind::Reset
            }
            other => other,
        };
        *counts.faults.entry(kind).or_default() += 1;
        Some((kind, rng.next()))
    }

    fn count(&self, service: &str, what: impl FnOnce(&mut Counts)) {
        what(
            self.counters()
                .by_service
                .entry(service.to_owned())
                .or_default(),
        );
    }
}

/// A running proxy. Dropping it (or [`FaultProxy::stop`]) stops accepting and closes every
/// connection it holds.
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .field("upstream", &self.state.upstream)
            .finish()
    }
}

impl FaultProxy {
    /// Starts a proxy on a free port of 127.0.0.1 in front of `upstream` (`http://host:port`).
    pub async fn start(upstream: &str, plan: FaultPlan) -> io::Result<Self> {
        let authority = upstream
            .strip_prefix("http://")
            .map(|rest| rest.trim_end_matches('/'))
            .filter(|a| !a.is_empty() && !a.contains('/'))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("upstream {upstream:?}: expected http://host:port"),
                )
            })?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            upstream: authority.to_owned(),
            plan: Mutex::new(plan),
            counters: Mutex::new(Counters::default()),
            stopped: AtomicBool::new(false),
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        Ok(Self {
            addr,
            state,
            accept,
        })
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL to give the SDK.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the plan (for the requests that arrive from now on).
    pub fn set_plan(&self, plan: FaultPlan) {
        *self
            .state
            .plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = plan;
    }

    /// The same plan with no faults (or back to `share` everywhere).
    pub fn set_share(&self, share: f64) {
        let mut plan = self
            .state
            .plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        plan.share = share;
        plan.shares.clear();
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        Stats {
            by_service: self.state.counters().by_service.clone(),
        }
    }

    /// Stops accepting and closes every open connection.
    pub fn stop(&self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        self.accept.abort();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    // Owning the connection tasks here means aborting this task closes them all.
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                connections.spawn(serve(stream, Arc::clone(&state)));
                while connections.try_join_next().is_some() {}
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// One parsed request head.
struct Head {
    /// The request (or status) line.
    first: String,
    /// The headers as sent (name, value).
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn content_length(&self) -> Option<usize> {
        self.get("content-length")
            .and_then(|v| v.trim().parse().ok())
    }

    fn chunked(&self) -> bool {
        self.get("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    /// The head again, without hop-by-hop headers (and `drop`), with `Connection: close`.
    fn render(&self, drop: &[&str], extra: &[(String, String)]) -> Vec<u8> {
        const HOP: [&str; 5] = [
            "connection",
            "keep-alive",
            "proxy-connection",
            "te",
            "upgrade",
        ];
        let mut out = format!("{}\r\n", self.first);
        for (name, value) in &self.headers {
            let lower = name.to_ascii_lowercase();
            if HOP.contains(&lower.as_str()) || drop.contains(&lower.as_str()) {
                continue;
            }
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        for (name, value) in extra {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("Connection: close\r\n\r\n");
        out.into_bytes()
    }
}

/// A stream with bytes already read ahead.
struct Buffered<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + Unpin> Buffered<S> {
    fn new(stream: S) -> Self {
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    /// Reads more; `false` at end of stream.
    async fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// The head up to its blank line; `None` when the stream ends before any byte.
    async fn head(&mut self) -> io::Result<Option<Head>> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                self.buf.drain(..end + 4);
                let mut lines = text.split("\r\n");
                let first = lines.next().unwrap_or_default().to_owned();
                let headers = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                    .collect();
                return Ok(Some(Head { first, headers }));
            }
            if self.buf.len() > MAX_HEAD {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
            }
            if !self.fill().await? {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(io::ErrorKind::UnexpectedEof.into())
                };
            }
        }
    }

    /// Exactly `n` bytes.
    async fn exact(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// One CRLF-terminated line (with its CRLF).
    async fn line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(end) = find(&self.buf, b"\r\n") {
                return Ok(self.buf.drain(..end + 2).collect());
            }
            if self.buf.len() > MAX_HEAD {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// A chunked body: `(raw framing as received, decoded payload)`.
    async fn chunked(&mut self) -> io::Result<(Vec<u8>, Vec<u8>)> {
        let mut raw = Vec::new();
        let mut decoded = Vec::new();
        loop {
            let size_line = self.line().await?;
            raw.extend_from_slice(&size_line);
            let text = String::from_utf8_lossy(&size_line);
            let hex = text.trim().split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(hex, 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                // Trailers, up to the blank line.
                loop {
                    let trailer = self.line().await?;
                    raw.extend_from_slice(&trailer);
                    if trailer == b"\r\n" {
                        return Ok((raw, decoded));
                    }
                }
            }
            let data = self.exact(size + 2).await?;
            raw.extend_from_slice(&data);
            decoded.extend_from_slice(&data[..size]);
        }
    }

    /// Everything to the end of the stream.
    async fn rest(&mut self) -> io::Result<Vec<u8>> {
        while self.fill().await? {}
        Ok(std::mem::take(&mut self.buf))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What the request was: its meta, the head, the raw body.
struct Request {
    meta: RequestMeta,
    head: Head,
    body: Vec<u8>,
}

async fn read_request(client: &mut Buffered<&mut TcpStream>) -> io::Result<Option<Request>> {
    let Some(head) = client.head().await? else {
        return Ok(None);
    };
    if head
        .get("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        client
            .stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await?;
    }
    let body = if head.chunked() {
        client.chunked().await?.0
    } else {
        client.exact(head.content_length().unwrap_or(0)).await?
    };
    let meta = meta_of(&head, &body);
    if std::env::var_os("FAULT_PROXY_TRACE").is_some() {
        let framing: Vec<String> = ["content-length", "transfer-encoding", "content-encoding"]
            .iter()
            .filter_map(|h| head.get(h).map(|v| format!("{h}: {v}")))
            .collect();
        eprintln!(
            "fault proxy: {} {} {} attempt {} [{}]",
            meta.service,
            meta.operation,
            body.len(),
            meta.attempt,
            framing.join(", ")
        );
    }
    Ok(Some(Request { meta, head, body }))
}

fn meta_of(head: &Head, body: &[u8]) -> RequestMeta {
    let mut parts = head.first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default().to_owned();
    let amz_target = head.get("x-amz-target");
    let scope_service = head.get("authorization").and_then(|auth| {
        let credential = auth.split("Credential=").nth(1)?;
        let scope = credential.split([',', ' ']).next()?;
        scope.split('/').nth(3).map(str::to_owned)
    });
    let service = scope_service
        .or_else(|| {
            amz_target.map(|t| {
                let prefix = t.split('.').next().unwrap_or_default();
                match prefix {
                    p if p.starts_with("DynamoDB") => "dynamodb".to_owned(),
                    "StarlingDoveService" => "config".to_owned(),
                    p => p.to_ascii_lowercase(),
                }
            })
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let query_action = head
        .get("content-type")
        .filter(|c| c.starts_with("application/x-www-form-urlencoded"))
        .and_then(|_| {
            String::from_utf8_lossy(body)
                .split('&')
                .find_map(|kv| kv.strip_prefix("Action=").map(str::to_owned))
        });
    let operation = amz_target
        .and_then(|t| t.rsplit('.').next().map(str::to_owned))
        .or(query_action)
        .unwrap_or_else(|| format!("{method} {path}"));
    let attempt = head
        .get("amz-sdk-request")
        .and_then(|v| {
            v.split(';')
                .find_map(|p| p.trim().strip_prefix("attempt=").map(str::to_owned))
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    RequestMeta {
        service,
        operation,
        method,
        path,
        attempt,
        invocation: head.get("amz-sdk-invocation-id").map(str::to_owned),
    }
}

/// The protocol's error answer for a throttle or a 503.
fn error_response(meta: &RequestMeta, head: &Head, kind: FaultKind) -> Vec<u8> {
    let json_protocol = head.get("x-amz-target").is_some();
    let query = head
        .get("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let throttle = kind == FaultKind::Throttle;
    let (status, content_type, error_type, body) = if meta.service == "s3" {
        let code = if throttle {
            "SlowDown"
        } else {
            "ServiceUnavailable"
        };
        (
            "503 Service Unavailable",
            "application/xml",
            None,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>injected by the fault proxy</Message><RequestId>FAULTPROXY</RequestId></Error>"
            ),
        )
    } else if query {
        let code = if throttle {
            "Throttling"
        } else {
            "ServiceUnavailable"
        };
        let status = if throttle {
            "400 Bad Request"
        } else {
            "503 Service Unavailable"
        };
        (
            status,
            "text/xml",
            None,
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected by the fault proxy</Message></Error><RequestId>FAULTPROXY</RequestId></ErrorResponse>"
            ),
        )
    } else {
        let code = if throttle {
            "ThrottlingException"
        } else {
            "ServiceUnavailableException"
        };
        let status = match (throttle, json_protocol) {
            (true, true) => "400 Bad Request",
            (true, false) => "429 Too Many Requests",
            (false, _) => "503 Service Unavailable",
        };
        let content_type = head
            .get("content-type")
            .filter(|_| json_protocol)
            .unwrap_or("application/json");
        (
            status,
            content_type,
            Some(code),
            format!(r#"{{"__type":"{code}","message":"injected by the fault proxy"}}"#),
        )
    };
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: FAULTPROXY\r\n",
        body.len()
    );
    if let Some(error_type) = error_type {
        out.push_str(&format!("x-amzn-ErrorType: {error_type}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    if meta.method != "HEAD" {
        out.push_str(&body);
    }
    out.into_bytes()
}

/// An upstream answer, re-framed with `Content-Length` (or as it came for a bodiless answer).
struct Response {
    head: Vec<u8>,
    body: Vec<u8>,
}

async fn exchange(upstream: &str, request: &Request) -> io::Result<Response> {
    let mut stream = TcpStream::connect(upstream).await?;
    let _ = stream.set_nodelay(true);
    let mut out = request.head.render(&["expect"], &[]);
    out.extend_from_slice(&request.body);
    stream.write_all(&out).await?;
    let mut reader = Buffered::new(&mut stream);
    let head = loop {
        let head = reader
            .head()
            .await?
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        // An interim 1xx answer is followed by the real one.
        if !head
            .first
            .split_whitespace()
            .nth(1)
            .is_some_and(|s| s.starts_with('1'))
        {
            break head;
        }
    };
    let status: u16 = head
        .first
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let bodiless = request.meta.method == "HEAD" || status == 204 || status == 304;
    if bodiless {
        return Ok(Response {
            head: head.render(&[], &[]),
            body: Vec::new(),
        });
    }
    let body = if head.chunked() {
        reader.chunked().await?.1
    } else if let Some(n) = head.content_length() {
        reader.exact(n).await?
    } else {
        reader.rest().await?
    };
    let length = ("Content-Length".to_owned(), body.len().to_string());
    Ok(Response {
        head: head.render(&["content-length", "transfer-encoding"], &[length]),
        body,
    })
}

/// Whether the client closed its end (a timed-out SDK attempt drops its connection).
fn client_gone(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    match stream.try_read(&mut probe) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    }
}

async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let request = {
        let mut client = Buffered::new(&mut stream);
        match tokio::time::timeout(CLIENT_TIMEOUT, read_request(&mut client)).await {
            Ok(Ok(Some(request))) => request,
            _ => return,
        }
    };
    let plan = state.plan();
    if plan
        .deny
        .as_ref()
        .is_some_and(|deny| deny(&request.meta, &request.body))
    {
        let body = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: {}:{} (denied by the proxy)</Message></Error><RequestId>FAULTPROXY</RequestId></ErrorResponse>",
            request.meta.service, request.meta.operation
        );
        let out = format!(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: FAULTPROXY\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(out.as_bytes()).await;
        let _ = stream.shutdown().await;
        return;
    }
    let decided = state.decide(&request.meta, &plan);
    let fault = decided.map(|(kind, _)| kind);
    let service = request.meta.service.clone();
    match fault {
        Some(kind @ (FaultKind::Throttle | FaultKind::Unavailable)) => {
            let _ = stream
                .write_all(&error_response(&request.meta, &request.head, kind))
                .await;
            let _ = stream.shutdown().await;
            return;
        }
        Some(FaultKind::Reset) => {
            let _ = stream.set_zero_linger();
            drop(stream);
            return;
        }
        Some(FaultKind::Latency) => {
            let (lo, hi) = plan.latency;
            let span = hi.saturating_sub(lo).as_millis() as u64;
            let draw = decided.map_or(0, |(_, draw)| draw);
            let extra = if span == 0 { 0 } else { draw % span };
            tokio::time::sleep(lo + Duration::from_millis(extra)).await;
            if client_gone(&stream) {
                state.count(&service, |c| c.abandoned += 1);
                return;
            }
        }
        Some(FaultKind::Cut) | None => (),
    }
    if state.stopped.load(Ordering::SeqCst) {
        return;
    }
    state.count(&service, |c| c.forwarded += 1);
    let response =
        match tokio::time::timeout(UPSTREAM_TIMEOUT, exchange(&state.upstream, &request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => bad_gateway(&state, &service, &e.to_string()),
            Err(_) => bad_gateway(&state, &service, "the upstream did not answer in time"),
        };
    if fault == Some(FaultKind::Cut) {
        let mut out = response.head;
        if response.body.len() >= 2 {
            out.extend_from_slice(&response.body[..response.body.len() / 2]);
        } else {
            // No body to cut: cut the head.
            out.truncate(out.len() / 2);
        }
        let _ = stream.write_all(&out).await;
        let _ = stream.set_zero_linger();
        drop(stream);
        return;
    }
    let _ = write_all(&mut stream, &response.head, &response.body).await;
    let _ = stream.shutdown().await;
}

fn bad_gateway(state: &State, service: &str, why: &str) -> Response {
    state.count(service, |c| c.upstream_errors += 1);
    let body = format!(r#"{{"message":"fault proxy: {why}"}}"#);
    Response {
        head: format!(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes(),
        body: body.into_bytes(),
    }
}

async fn write_all<W: AsyncWrite + Unpin>(w: &mut W, head: &[u8], body: &[u8]) -> io::Result<()> {
    w.write_all(head).await?;
    w.write_all(body).await?;
    w.flush().await
}

/// FNV-1a, 64 bits.
fn fnv(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// SplitMix64: small, seedable, good enough for fault draws.
struct SplitMix(u64);

impl SplitMix {
    fn new(seed: u64) -> Self {
        let mut rng = Self(seed);
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

//! `sweep-bench`: the scheduled sweep on a large seeded moto account, measured.
//!
//! For each account scale (`--scales`, default `1,2`), a fresh child process of this binary
//! (`--measure SCALE`) starts moto (through the rig) and the Audit Manager emulator (in its own
//! child process, so its memory is not counted), seeds moto with `bench/seed_large_account.py
//! --scale SCALE`, creates the ledger table and the evidence bucket (after `template.yaml`), runs
//! the sweep in-process twice (fresh ledger, then a same-day re-run) with every SDK client
//! counting its calls, and prints its measurement as JSON. The parent renders the markdown report
//! (stdout; `--write PATH` also writes it).
//!
//! Usage: `sweep-bench [--write PATH] [--scales 1,2] [-- SEED_ARGS...]` (seed arguments: see
//! `seed_large_account.py --help`, e.g. `-- --buckets 4000`).

mod counter;
mod memory;
mod report;
mod sweep;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::time::Instant;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_emulator::{Emulator, Seed};
use aws_sdk_s3::config::Credentials;

use counter::CallCounter;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The ledger table and evidence bucket the bench creates (the names the template would give).
pub(crate) const LEDGER_TABLE: &str = "genai-evidence-ledger";
pub(crate) const EVIDENCE_BUCKET: &str = "genai-evidence-reports-123456789012";

/// The account scales measured by default: the sizes, and twice them (to show how time
/// and memory grow with the account).
const DEFAULT_SCALES: &[f64] = &[1.0, 2.0];
/// Prefix of the line a `--measure` child prints its measurement on.
const MEASUREMENT_PREFIX: &str = "measurement: ";

struct Args {
    write: Option<PathBuf>,
    scales: Vec<f64>,
    seed_args: Vec<String>,
    serve_emulator: Option<String>,
    measure: Option<f64>,
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!("{text:?} is not a positive scale")),
    }
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        write: None,
        scales: DEFAULT_SCALES.to_vec(),
        seed_args: Vec::new(),
        serve_emulator: None,
        measure: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--write" => args.write = Some(it.next().ok_or("--write needs a path")?.into()),
            "--serve-emulator" => {
                args.serve_emulator = Some(it.next().ok_or("--serve-emulator needs a URL")?)
            }
            "--scales" => {
                args.scales = it
                    .next()
                    .ok_or("--scales needs a list, e.g. 1,2")?
                    .split(',')
                    .map(parse_scale)
                    .collect::<Result<_, _>>()?
            }
            "--measure" => {
                args.measure = Some(parse_scale(&it.next().ok_or("--measure needs a scale")?)?)
            }
            "--" => args.seed_args.extend(it.by_ref()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("sweep-bench: {msg}");
            }
            eprintln!("usage: sweep-bench [--write PATH] [--scales 1,2] [-- SEED_ARGS...]");
            return ExitCode::from(2);
        }
    };
    let result = match (args.serve_emulator, args.measure) {
        (Some(upstream), _) => serve_emulator(upstream).await,
        (None, Some(scale)) => measure(scale, args.seed_args).await,
        (None, None) => run(args.write, args.scales, args.seed_args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sweep-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Child mode: serves the emulator (default GenAI seed, Config forwarded to `upstream`) until
/// stdin closes.
async fn serve_emulator(upstream: String) -> BenchResult<()> {
    let emulator = Emulator::start(Seed::default_genai(), Some(upstream)).await?;
    println!("listening on {}", emulator.endpoint());
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await?;
    drop(emulator);
    Ok(())
}

/// The emulator child process; it exits when its stdin closes (on drop).
struct EmulatorProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    endpoint: String,
}

impl EmulatorProcess {
    fn start(upstream: &str) -> BenchResult<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve-emulator", upstream])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .map(str::to_owned)
            .ok_or_else(|| format!("the emulator did not start: {line:?}"))?;
        Ok(Self {
            child,
            stdin,
            endpoint,
        })
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the seeding script against `endpoint`, echoing its progress to stderr; returns the JSON
/// summary it prints last.
fn seed(endpoint: &str, extra: &[String]) -> BenchResult<serde_json::Value> {
    let script = rig::workspace_root()
        .join("bench")
        .join("seed_large_account.py");
    let mut child = Command::new(rig::venv_python())
        .arg(&script)
        .arg(endpoint)
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let mut summary = None;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        eprintln!("  | {line}");
        if let Some(json) = line.strip_prefix("summary: ") {
            summary = Some(serde_json::from_str(json)?);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("{} failed: {status}", script.display()).into());
    }
    summary.ok_or_else(|| "the seeding script printed no summary".into())
}

/// The SDK configuration of the measured run: as in production (`aws::configure`: adaptive
/// retries, the functions' timeouts), pointed at `endpoint` with the rig's test credentials.
async fn bench_sdk_config(endpoint: &str) -> SdkConfig {
    genai_evidence::aws::configure(
        aws_config::defaults(BehaviorVersion::latest()),
        genai_evidence::aws::Timeouts::FUNCTIONS,
    )
    .region(Region::new(rig::REGION))
    .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
    .endpoint_url(endpoint)
    .load()
    .await
}

/// Creates the evidence bucket as `template.yaml` declares it (SSE-KMS with a bucket key, public
/// access blocked), except its TLS-only bucket policy: moto evaluates bucket policies, and the
/// rig speaks plain HTTP to it, so `aws:SecureTransport = false` would deny every write.
async fn evidence_bucket(aws: &SdkConfig) -> BenchResult<()> {
    use aws_sdk_s3::types::{
        PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
        ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    };
    let s3 = rig::s3_client(aws);
    s3.create_bucket().bucket(EVIDENCE_BUCKET).send().await?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id(rig::seed::KEY_ARN)
                .build()?,
        )
        .bucket_key_enabled(true)
        .build();
    s3.put_bucket_encryption()
        .bucket(EVIDENCE_BUCKET)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()?,
        )
        .send()
        .await?;
    s3.put_public_access_block()
        .bucket(EVIDENCE_BUCKET)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await?;
    Ok(())
}

/// Measures every scale in a fresh child process (so no run inherits another's heap) and renders
/// the report.
fn run(write: Option<PathBuf>, scales: Vec<f64>, seed_args: Vec<String>) -> BenchResult<()> {
    let mut measurements = Vec::new();
    for scale in &scales {
        eprintln!("== account scale {scale}");
        let out = Command::new(std::env::current_exe()?)
            .arg("--measure")
            .arg(scale.to_string())
            .arg("--")
            .args(&seed_args)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()?;
        if !out.status.success() {
            return Err(format!("the measurement at scale {scale} failed: {}", out.status).into());
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json = stdout
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(MEASUREMENT_PREFIX))
            .ok_or("the measurement printed no result")?;
        measurements.push(serde_json::from_str::<report::Measurement>(json)?);
    }
    let default_command = seed_args.is_empty() && scales == DEFAULT_SCALES;
    let command = if default_command {
        "make bench\n# = make setup; cargo build --release -p genai-evidence-bench;\n\
         #   target/release/sweep-bench --write docs/benchmarks.md"
            .to_owned()
    } else {
        let scales: Vec<String> = scales.iter().map(f64::to_string).collect();
        let mut command = format!(
            "make setup && cargo build --release -p genai-evidence-bench\n\
             target/release/sweep-bench --write docs/benchmarks.md --scales {}",
            scales.join(",")
        );
        if !seed_args.is_empty() {
            command.push_str(&format!(" -- {}", seed_args.join(" ")));
        }
        command
    };
    let text = report::render(&measurements, &command);
    println!("{text}");
    if let Some(path) = write {
        std::fs::write(&path, &text)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Child mode: one account at `scale`, measured; prints the measurement as JSON.
async fn measure(scale: f64, mut seed_args: Vec<String>) -> BenchResult<()> {
    seed_args.extend(["--scale".to_owned(), scale.to_string()]);
    let moto = rig::Moto::start()?;
    let emulator = EmulatorProcess::start(moto.endpoint())?;
    eprintln!(
        "moto on {}, Audit Manager emulator on {} (pid {})",
        moto.endpoint(),
        emulator.endpoint,
        emulator.child.id()
    );

    let started = Instant::now();
    let endpoint = moto.endpoint().to_owned();
    let seeded =
        tokio::task::spawn_blocking(move || seed(&endpoint, &seed_args).map_err(|e| e.to_string()))
            .await??;
    let seed_wall = started.elapsed();
    let setup_aws = rig::sdk_config(moto.endpoint(), 3).await;
    rig::estate::ledger_table(&setup_aws, LEDGER_TABLE).await?;
    evidence_bucket(&setup_aws).await?;

    let counter = CallCounter::default();
    let moto_aws = bench_sdk_config(moto.endpoint()).await;
    let emulator_aws = bench_sdk_config(&emulator.endpoint).await;
    let clients = sweep::Clients::new(&moto_aws, &emulator_aws, &counter);
    clients.probe().await?;
    if counter
        .snapshot()
        .keys()
        .any(|(service, _)| service == "unknown")
    {
        return Err("the call counter found no operation metadata in the config bag".into());
    }

    let mut runs = Vec::new();
    let mut peak_is_per_run = true;
    for (label, run_id) in [
        ("first run (fresh ledger)", None),
        ("re-run (same day, no change)", Some("bench-rerun-0001")),
    ] {
        counter.reset();
        let rss_before = memory::read();
        peak_is_per_run &= memory::reset_peak();
        let started = Instant::now();
        let (mut outcome, units, run_id) = sweep::run(&clients, run_id).await?;
        let wall = started.elapsed();
        let rss_after = memory::read();
        let counts = counter.snapshot();
        let only_5xx_in_flight = counter.only_5xx_in_flight();
        let load_after = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        eprintln!(
            "{label}: {:.1} s, {} in scope, status {}",
            wall.as_secs_f64(),
            outcome.in_scope,
            outcome.status
        );
        outcome.in_scope_by_type = sweep::scope_by_type(&clients, &run_id, &units).await;
        runs.push(report::RunMeasurement {
            label: label.to_owned(),
            wall,
            counts,
            outcome,
            rss_before,
            rss_after,
            only_5xx_in_flight,
            load_after,
        });
    }

    let measured = report::Measurement {
        scale,
        seeded,
        seed_wall,
        runs,
        peak_is_per_run,
        release: !cfg!(debug_assertions),
    };
    println!("{MEASUREMENT_PREFIX}{}", serde_json::to_string(&measured)?);
    drop(emulator);
    moto.stop();
    Ok(())
}

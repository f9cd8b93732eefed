//! `make demo`: the real `config-rule` binary, served by cargo-lambda's local Lambda runtime API, on a
//! seeded local account (moto for S3 and Config, the project's emulator for Audit Manager and
//! Config evaluations), fed every sample Config event in `events/`. Prints what each invocation
//! found and, per framework control, the evidence that landed in the assessment.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use rig::{Moto, seed};
use serde_json::Value;

const EVENTS: &[&str] = &[
    "config-s3-bucket-compliant",
    "config-s3-bucket-noncompliant",
    "config-notebook-with-kms",
    "config-notebook-without-kms",
    "config-oversized-s3-bucket",
    "config-s3-bucket-deleted",
    "config-unsupported-type",
    "config-scheduled",
];

type DemoResult<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> DemoResult<()> {
    let moto = Moto::start()?;
    let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned())).await?;
    let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
    let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;

    println!("genai-evidence demo: the config-rule function on a seeded local account");
    println!(
        "  rig: moto (S3, Config) and the Audit Manager + Config evaluations emulator, both on 127.0.0.1"
    );
    println!(
        "  assessment {DEMO_ASSESSMENT_ID} \"GenAI best practices (demo)\" (AWS Generative AI Best Practices Framework v2)"
    );
    let s3 = rig::s3_client(&moto_aws);
    seed::bucket(&s3, "genai-invocation-logs", Some(seed::KEY_ARN), false).await?;
    seed::bucket(&s3, "genai-train-data-secure", Some(seed::KEY_ARN), true).await?;
    seed::bucket(&s3, "genai-train-data-legacy", None, false).await?;
    println!(
        "  seeded S3 buckets: genai-invocation-logs (SSE-KMS, no TLS-only policy), genai-train-data-secure (SSE-KMS, TLS-only,"
    );
    println!(
        "                     public access blocked, access logged), genai-train-data-legacy (SSE-S3 only, no policy)"
    );

    let port = free_port()?;
    let mut watch = Watch::start(port, moto.endpoint(), &emulator.endpoint())?;
    let result = run_events(port).await;
    watch.stop();
    result?;

    print_evidence(&aws_sdk_auditmanager::Client::new(&emulator_aws)).await?;
    print_evaluations(&aws_sdk_config::Client::new(&emulator_aws)).await?;
    moto.stop();
    Ok(())
}

async fn run_events(port: u16) -> DemoResult<()> {
    println!("\nInvoking config-rule (cargo lambda invoke) with each sample event:");
    for name in EVENTS {
        let summary = invoke(port, name)?;
        println!(
            "  events/{name}.json  [{}]",
            summary["messageType"].as_str().unwrap_or("?")
        );
        for finding in summary["findings"].as_array().into_iter().flatten() {
            println!(
                "    {:<18} {:<54} {} {}",
                finding["verdict"].as_str().unwrap_or("?"),
                finding["check"].as_str().unwrap_or("?"),
                finding["resourceType"].as_str().unwrap_or("?"),
                finding["resourceId"].as_str().unwrap_or("?"),
            );
        }
        let mut evaluations: Vec<&Value> = summary["config"]["evaluations"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        evaluations.sort_by_key(|e| e["resourceId"].as_str().unwrap_or_default().to_owned());
        for e in evaluations {
            println!(
                "    -> Config: {} {} ({})",
                e["compliance"].as_str().unwrap_or("?"),
                e["resourceId"].as_str().unwrap_or("?"),
                e["annotation"].as_str().unwrap_or("")
            );
        }
        for report in summary["evidence"].as_array().into_iter().flatten() {
            let delivered = report["delivered"].as_array().map_or(0, Vec::len);
            let undelivered = report["undelivered"].as_array().map_or(0, Vec::len);
            println!(
                "    -> Audit Manager: {delivered} evidence item(s) filed, {undelivered} not filed"
            );
        }
    }
    Ok(())
}

fn invoke(port: u16, name: &str) -> DemoResult<Value> {
    let out = Command::new("cargo")
        .args([
            "lambda",
            "invoke",
            "config-rule",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
        ])
        .arg(port.to_string())
        .arg("--data-file")
        .arg(
            rig::workspace_root()
                .join("events")
                .join(format!("{name}.json")),
        )
        .args(["--output-format", "json"])
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "invoke {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

async fn print_evidence(client: &aws_sdk_auditmanager::Client) -> DemoResult<()> {
    println!(
        "\nEvidence in the assessment, per framework control (read back with GetEvidenceByEvidenceFolder):"
    );
    let assessment = client
        .get_assessment()
        .assessment_id(DEMO_ASSESSMENT_ID)
        .send()
        .await?;
    let sets = assessment
        .assessment()
        .and_then(|a| a.framework())
        .map(|f| f.control_sets())
        .unwrap_or_default();
    for set in sets {
        let set_id = set.id().unwrap_or_default();
        for control in set.controls() {
            let folders = client
                .get_evidence_folders_by_assessment_control()
                .assessment_id(DEMO_ASSESSMENT_ID)
                .control_set_id(set_id)
                .control_id(control.id().unwrap_or_default())
                .send()
                .await?;
            let mut lines = Vec::new();
            for folder in folders.evidence_folders() {
                let evidence = client
                    .get_evidence_by_evidence_folder()
                    .assessment_id(DEMO_ASSESSMENT_ID)
                    .control_set_id(set_id)
                    .evidence_folder_id(folder.id().unwrap_or_default())
                    .send()
                    .await?;
                for item in evidence.evidence() {
                    let text = item
                        .attributes()
                        .and_then(|a| a.get("textResponse"))
                        .cloned()
                        .unwrap_or_default();
                    let mut text_lines = text.lines();
                    let verdict = text_lines
                        .next()
                        .and_then(|l| l.rsplit("| ").next())
                        .unwrap_or("?")
                        .to_owned();
                    let resource = text_lines
                        .next()
                        .unwrap_or("")
                        .trim_start_matches("Resource: ")
                        .to_owned();
                    lines.push(format!("      {verdict:<18} {resource}"));
                }
            }
            if lines.is_empty() {
                continue;
            }
            lines.sort();
            println!(
                "  [{set_id}] {}: {} item(s)",
                control.name().unwrap_or_default(),
                lines.len()
            );
            for line in lines {
                println!("{line}");
            }
        }
    }
    Ok(())
}

async fn print_evaluations(client: &aws_sdk_config::Client) -> DemoResult<()> {
    println!(
        "\nAWS Config evaluations stored for rule genai-evidence-controls (GetComplianceDetailsByConfigRule):"
    );
    let out = client
        .get_compliance_details_by_config_rule()
        .config_rule_name("genai-evidence-controls")
        .send()
        .await?;
    let mut rows: BTreeMap<String, String> = BTreeMap::new();
    for result in out.evaluation_results() {
        let q = result
            .evaluation_result_identifier()
            .and_then(|i| i.evaluation_result_qualifier());
        let id = q.and_then(|q| q.resource_id()).unwrap_or_default();
        let kind = q.and_then(|q| q.resource_type()).unwrap_or_default();
        let compliance = result
            .compliance_type()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default();
        rows.insert(format!("{kind} {id}"), compliance);
    }
    for (resource, compliance) in rows {
        println!("    {compliance:<15} {resource}");
    }
    Ok(())
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// cargo-lambda's local Lambda runtime API (`cargo lambda watch --only-lambda-apis`) and the
/// real `config-rule` binary polling it, both children of this process, stopped by PID.
struct Watch(Vec<Child>);

impl Watch {
    fn start(port: u16, moto: &str, emulator: &str) -> DemoResult<Self> {
        let cargo_lambda = rig::venv_python().with_file_name("cargo-lambda");
        let runtime = Command::new(cargo_lambda)
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
            ])
            .arg(port.to_string())
            .current_dir(rig::workspace_root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut watch = Self(vec![runtime]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("the cargo-lambda runtime API did not listen within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| rig::workspace_root().join("target"));
        let function = Command::new(target.join("debug").join("config-rule"))
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{port}/.rt/config-rule"),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", "config-rule")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_LOG_LEVEL", "warn")
            .env("ASSESSMENT_ID", DEMO_ASSESSMENT_ID)
            .env("AWS_ENDPOINT_URL", moto)
            .env("AWS_ENDPOINT_URL_CONFIG_SERVICE", emulator)
            .env("AWS_ENDPOINT_URL_AUDITMANAGER", emulator)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", rig::REGION)
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start target/debug/config-rule (run `cargo build -p config-rule`): {e}"
                )
            })?;
        watch.0.push(function);
        Ok(watch)
    }

    fn stop(&mut self) {
        for mut child in self.0.drain(..).rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop();
    }
}

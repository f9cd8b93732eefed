//! `make demo`: the real function binaries (`config-rule`, `scheduled-sweep`, `cloudtrail-drift`),
//! served by cargo-lambda's local Lambda runtime API, on a seeded local account (moto for the AWS
//! services, the project's emulator for Audit Manager and Config evaluations):
//! 1. every sample Config event in `events/`, through the evidence ledger;
//! 2. the scheduled sweep over a seeded GenAI estate, then the same schedule delivered again;
//! 3. a drift: a bucket's encryption is removed and the CloudTrail event for it delivered;
//! 4. every drift sample in `events/`, each once moto holds the state its call leaves behind,
//!    checked against `events/expected-drift-outcomes.json`.
//!
//! With `DEMO_REPORT=<file>` (`make report`) the sweep's HTML report is fetched from the evidence
//! bucket and written to that file.
//!
//! Prints what each invocation found and, per framework control, the evidence that landed in the
//! assessment. Values that change from run to run (moto's random key ids, today's date) are
//! printed as placeholders, so the output can be compared with `docs/demo.md`.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use rig::{Moto, estate, seed};
use serde_json::Value;

const FUNCTIONS: &[&str] = &[
    "config-rule",
    "scheduled-sweep",
    "cloudtrail-drift",
    "access-review",
];
const TABLE: &str = "genai-evidence-ledger";
const EVIDENCE_BUCKET: &str = "genai-evidence-evidence";
const DRIFT_EVENT: &str = "drift-s3-deletebucketencryption";
const DRIFTED_BUCKET: &str = "genai-train-data-secure";

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

#[path = "demo/drift_samples.rs"]
mod drift_samples;

#[tokio::main]
async fn main() -> DemoResult<()> {
    let moto = Moto::start()?;
    let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned())).await?;
    let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
    let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;

    println!("genai-evidence demo: the functions on a seeded local account");
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

    let suite_key = estate::evidence_bucket(&moto_aws, EVIDENCE_BUCKET).await?;
    estate::ledger_table(&moto_aws, TABLE).await?;
    let acme = estate::genai(&moto_aws, "acme").await?;
    println!(
        "  seeded GenAI estate: SageMaker training job acme-churn (reads acme-train-in, writes acme-train-out, reads"
    );
    println!(
        "                       acme-scratch tagged genai-evidence=exclude), notebook acme-notebook (KMS key), roles"
    );
    println!(
        "                       acme-sagemaker-exec, acme-bedrock-app (bedrock:InvokeModel), acme-web-deployer; buckets"
    );
    println!(
        "                       acme-prompts (tagged include), acme-website (unrelated); customer managed"
    );
    println!(
        "                       policies acme-training-data-read (attached to acme-sagemaker-exec), acme-bedrock-invoke"
    );
    println!(
        "                       (bedrock:InvokeModel, attached to nothing), acme-website-publish (unrelated)"
    );
    println!(
        "  suite resources: ledger table {TABLE}, evidence bucket {EVIDENCE_BUCKET} (SSE-KMS)"
    );
    let mut mask = Mask::new(&acme.key_id, &suite_key);
    mask.policy_names(&aws_sdk_iam::Client::new(&moto_aws))
        .await?;

    let port = free_port()?;
    let mut watch = Watch::start(port, moto.endpoint(), &emulator.endpoint(), &suite_key)?;
    let result = async {
        run_events(port, &emulator, &mask).await?;
        run_sweep(port, &mask, &rig::s3_client(&moto_aws)).await?;
        run_drift(port, &rig::s3_client(&moto_aws)).await?;
        drift_samples::run(port, &moto_aws, &[DRIFT_EVENT]).await?;
        run_review(port, &mask).await
    }
    .await;
    watch.stop();
    result?;

    print_evidence(&aws_sdk_auditmanager::Client::new(&emulator_aws), &mask).await?;
    print_evaluations(&aws_sdk_config::Client::new(&emulator_aws), &mask).await?;
    moto.stop();
    Ok(())
}

/// Replaces what changes from run to run with placeholders.
struct Mask(Vec<(String, String)>);

impl Mask {
    fn new(acme_key: &str, suite_key: &str) -> Self {
        let suite_id = suite_key.rsplit('/').next().unwrap_or(suite_key).to_owned();
        let today = genai_evidence::domain::time::Timestamp::now().day();
        Self(vec![
            (acme_key.to_owned(), "<acme-key-id>".to_owned()),
            (suite_id, "<suite-key-id>".to_owned()),
            (today, "<today>".to_owned()),
        ])
    }

    /// moto draws customer managed policies' ids (AWS Config's resource id for them) at random:
    /// each is shown as `<policy:name>`.
    async fn policy_names(&mut self, iam: &aws_sdk_iam::Client) -> DemoResult<()> {
        let mut pages = iam
            .list_policies()
            .scope(aws_sdk_iam::types::PolicyScopeType::Local)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for policy in page?.policies() {
                if let (Some(id), Some(name)) = (policy.policy_id(), policy.policy_name()) {
                    self.0.push((id.to_owned(), format!("<policy:{name}>")));
                }
            }
        }
        Ok(())
    }

    fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (from, to) in &self.0 {
            out = out.replace(from, to);
        }
        // The access review's id and times, and Lambda's request id, change with every run.
        let out = mask_after(&out, "access-review-123456789012-", 16, "<now>");
        let out = mask_after(&out, "<today>T", 13, "<time>");
        mask_after(&out, "Lambda request ", 36, "<request-id>")
    }
}

/// `text` with the `len` characters after each `prefix` replaced by `placeholder`.
fn mask_after(text: &str, prefix: &str, len: usize, placeholder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let start = at + prefix.len();
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        if tail.starts_with('<') {
            rest = tail;
            continue;
        }
        let end = tail.char_indices().nth(len).map_or(tail.len(), |(i, _)| i);
        out.push_str(placeholder);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

async fn run_sweep(port: u16, mask: &Mask, s3: &aws_sdk_s3::Client) -> DemoResult<()> {
    println!("\nInvoking scheduled-sweep (cargo lambda invoke) with events/scheduled-sweep.json:");
    let summary = invoke(port, "scheduled-sweep", "scheduled-sweep")?;
    println!(
        "  status {}, {} resources in scope, {} excluded by tag",
        summary["status"].as_str().unwrap_or("?"),
        summary["inScope"],
        summary["excluded"]
    );
    let mut scope: Vec<String> = summary["scope"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let name = e["arn"]
                .as_str()
                .filter(|_| e["resourceType"] == "AWS::IAM::Role")
                .and_then(|a| a.rsplit('/').next())
                .or(e["resourceId"].as_str())
                .unwrap_or("?");
            let reason = e["reasons"][0].as_str().unwrap_or("");
            mask.apply(&format!(
                "    in scope  {:<38} {:<22} {reason}",
                e["resourceType"].as_str().unwrap_or("?"),
                name
            ))
        })
        .collect();
    scope.sort();
    for line in scope {
        println!("{line}");
    }
    for e in summary["excludedResources"]
        .as_array()
        .into_iter()
        .flatten()
    {
        println!(
            "    excluded  {:<38} {:<22} {}",
            e["resourceType"].as_str().unwrap_or("?"),
            e["resourceId"].as_str().unwrap_or("?"),
            e["reasons"][0].as_str().unwrap_or("")
        );
    }
    let verdicts = summary["verdicts"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    println!("  findings: {verdicts}");
    println!(
        "  changed since the last evidence: {}; filed on their own: {}; carried by digests: {}",
        summary["changed"], summary["filed"], summary["carried"]
    );
    let mut failed: Vec<String> = summary["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            e.as_str()?
                .split_whitespace()
                .find(|w| {
                    w.split_once(':').is_some_and(|(service, action)| {
                        !service.is_empty()
                            && service.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                            && action.chars().next().is_some_and(char::is_uppercase)
                    })
                })
                .map(str::to_owned)
        })
        .collect();
    failed.sort();
    failed.dedup();
    if !failed.is_empty() {
        println!(
            "  listings that failed (moto does not implement them; their resources are COULD_NOT_EVALUATE): {}",
            failed.join(", ")
        );
    }
    for digest in summary["digests"].as_array().into_iter().flatten() {
        println!(
            "    digest {:<24} {:>3} findings -> {} {}",
            digest["control"].as_str().unwrap_or("?"),
            digest["findings"],
            digest["outcome"]["status"].as_str().unwrap_or("?"),
            mask.apply(digest["outcome"]["detail"].as_str().unwrap_or(""))
        );
    }
    print_report(&summary, mask, s3).await?;
    let again = invoke(port, "scheduled-sweep", "scheduled-sweep")?;
    println!(
        "  the same schedule event delivered again: status {} (nothing filed)",
        again["status"].as_str().unwrap_or("?")
    );
    Ok(())
}

/// The run's HTML report: where it is and on how many controls it was filed; with `DEMO_REPORT`
/// set (`make report`), also fetched from the evidence bucket and written to that file.
async fn print_report(summary: &Value, mask: &Mask, s3: &aws_sdk_s3::Client) -> DemoResult<()> {
    let report = &summary["report"];
    let Some(path) = report["path"].as_str() else {
        println!("  auditor's report: not written ({})", report["error"]);
        return Ok(());
    };
    let filed = report["filed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["outcome"]["status"] == "filed")
        .count();
    println!(
        "  auditor's report (HTML): {} -> filed on {filed} control(s)",
        mask.apply(path)
    );
    if let Some(file) = std::env::var_os("DEMO_REPORT") {
        let key = path
            .strip_prefix(&format!("s3://{EVIDENCE_BUCKET}/"))
            .ok_or("the report is not in the evidence bucket")?;
        let object = s3
            .get_object()
            .bucket(EVIDENCE_BUCKET)
            .key(key)
            .send()
            .await?;
        let body = object.body.collect().await?.into_bytes();
        let file = std::path::PathBuf::from(file);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&file, &body)?;
        eprintln!("report: {path} written to {}", file.display());
    }
    Ok(())
}

async fn run_drift(port: u16, s3: &aws_sdk_s3::Client) -> DemoResult<()> {
    println!(
        "\nDrift: alice removes the default encryption of {DRIFTED_BUCKET} (s3:DeleteBucketEncryption),"
    );
    println!("then cloudtrail-drift is invoked with events/{DRIFT_EVENT}.json:");
    s3.delete_bucket_encryption()
        .bucket(DRIFTED_BUCKET)
        .send()
        .await?;
    let summary = invoke(port, "cloudtrail-drift", DRIFT_EVENT)?;
    print_drift(&summary);
    let again = invoke(port, "cloudtrail-drift", DRIFT_EVENT)?;
    println!("  the same event delivered again:");
    print_drift(&again);
    Ok(())
}

fn print_drift(summary: &Value) {
    println!(
        "    status {}: {}",
        summary["status"].as_str().unwrap_or("?"),
        summary["actor"].as_str().unwrap_or("").replace('\n', " ")
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
    if let Some(recorded) = summary.get("recorded").filter(|r| r.is_object()) {
        println!(
            "    -> Audit Manager (through the ledger): {} changed verdict(s) filed, {} unchanged",
            recorded["filed"], recorded["unchanged"]
        );
    }
}

async fn run_events(port: u16, emulator: &Emulator, mask: &Mask) -> DemoResult<()> {
    println!("\nInvoking config-rule (cargo lambda invoke) with each sample event:");
    for name in EVENTS {
        // Standing in for Config, which issued the sample's result token.
        rig::register_event_token(emulator, &rig::event(name));
        let summary = invoke(port, "config-rule", name)?;
        println!(
            "  events/{name}.json  [{}]",
            summary["messageType"].as_str().unwrap_or("?")
        );
        // Resources in a stable order (moto lists them in its own), checks in catalog order.
        let mut findings: Vec<&Value> = summary["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        findings.sort_by_key(|f| {
            (
                f["resourceType"].as_str().unwrap_or_default().to_owned(),
                mask.apply(f["resourceId"].as_str().unwrap_or_default()),
            )
        });
        for finding in findings {
            println!(
                "    {:<18} {:<54} {} {}",
                finding["verdict"].as_str().unwrap_or("?"),
                finding["check"].as_str().unwrap_or("?"),
                finding["resourceType"].as_str().unwrap_or("?"),
                mask.apply(finding["resourceId"].as_str().unwrap_or("?")),
            );
        }
        let mut evaluations: Vec<&Value> = summary["config"]["evaluations"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        evaluations.sort_by_key(|e| mask.apply(e["resourceId"].as_str().unwrap_or_default()));
        for e in evaluations {
            println!(
                "    -> Config: {} {} ({})",
                e["compliance"].as_str().unwrap_or("?"),
                mask.apply(e["resourceId"].as_str().unwrap_or("?")),
                e["annotation"].as_str().unwrap_or("")
            );
        }
        if let Some(recorded) = summary.get("recorded").filter(|r| r.is_object()) {
            println!(
                "    -> Audit Manager (through the ledger): {} changed verdict(s) filed, {} unchanged, {} folded",
                recorded["filed"], recorded["unchanged"], recorded["folded"]
            );
        }
    }
    Ok(())
}

/// The access review: prepared from the schedule sample, then signed off by a reviewer (the
/// event `attest` writes), then the same sign-off again.
async fn run_review(port: u16, mask: &Mask) -> DemoResult<()> {
    println!(
        "\nInvoking access-review (cargo lambda invoke) with events/access-review-schedule.json:"
    );
    println!(
        "  (moto implements neither IAM's service last accessed reports nor service-specific credentials: what they"
    );
    println!(
        "   would say is unreadable here, so those principals are flagged for the reviewer, never passed)"
    );
    let review = invoke(port, "access-review", "access-review-schedule")?;
    let id = review["review_id"].as_str().unwrap_or_default().to_owned();
    let shown = |text: &str| mask.apply(text);
    print_review(&review, &shown);
    let mut decisions = Vec::new();
    for p in review["flagged_principals"]
        .as_array()
        .into_iter()
        .flatten()
    {
        decisions.push(
            serde_json::json!({"principal": p["arn"], "decision": "keep", "note": "still needed"}),
        );
    }
    let attestation = serde_json::json!({"attestation": {
        "review_id": id,
        "reviewer": "carol.auditor@example.com",
        "decisions": decisions,
        "note": "demo sign-off"
    }});
    println!(
        "  the reviewer signs it off (the event `cargo run -q -p genai-evidence --bin attest` writes):"
    );
    let signed = invoke_with(port, "access-review", &attestation)?;
    print_review(&signed, &shown);
    println!("  the same sign-off again:");
    let again = invoke_with(port, "access-review", &attestation)?;
    println!("    status {}", again["status"].as_str().unwrap_or("?"));
    Ok(())
}

fn print_review(summary: &Value, shown: &dyn Fn(&str) -> String) {
    println!(
        "    status {}, review {}: {} principal(s) with GenAI access, {} flagged",
        summary["status"].as_str().unwrap_or("?"),
        shown(summary["review_id"].as_str().unwrap_or("?")),
        summary["principals"],
        summary["flagged"]
    );
    for p in summary["flagged_principals"]
        .as_array()
        .into_iter()
        .flatten()
    {
        println!(
            "      {:<16} {:<28} {}",
            p["kind"].as_str().unwrap_or("?"),
            p["name"].as_str().unwrap_or("?"),
            p["flags"].as_str().unwrap_or("?")
        );
        for note in p["notes"].as_array().into_iter().flatten() {
            println!("        {}", note.as_str().unwrap_or("?"));
        }
    }
    for (what, list) in [
        ("object", "objects"),
        ("evidence", "evidence"),
        ("config", "config"),
    ] {
        for line in summary[list].as_array().into_iter().flatten() {
            println!("    {what}: {}", shown(line.as_str().unwrap_or("?")));
        }
    }
}

/// Invokes `function` with `payload`.
fn invoke_with(port: u16, function: &str, payload: &Value) -> DemoResult<Value> {
    let out = Command::new("cargo")
        .args([
            "lambda",
            "invoke",
            function,
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
        ])
        .arg(port.to_string())
        .arg("--data-ascii")
        .arg(payload.to_string())
        .args(["--output-format", "json"])
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "invoke {function} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn invoke(port: u16, function: &str, name: &str) -> DemoResult<Value> {
    let out = Command::new("cargo")
        .args([
            "lambda",
            "invoke",
            function,
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

async fn print_evidence(client: &aws_sdk_auditmanager::Client, mask: &Mask) -> DemoResult<()> {
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
                    let attributes = item.attributes();
                    if let Some(path) = attributes.and_then(|a| a.get("s3ResourcePath")) {
                        lines.push(mask.apply(&format!("      {:<18} {path}", "REPORT")));
                        continue;
                    }
                    let text = attributes
                        .and_then(|a| a.get("textResponse"))
                        .cloned()
                        .unwrap_or_default();
                    let mut text_lines = text.lines();
                    let first = text_lines.next().unwrap_or("");
                    if first.contains("| DIGEST") {
                        let counts = text_lines.next().unwrap_or("");
                        lines.push(mask.apply(&format!("      {:<18} {counts}", "DIGEST")));
                        continue;
                    }
                    let verdict = first.rsplit("| ").next().unwrap_or("?").to_owned();
                    let resource = text_lines
                        .next()
                        .unwrap_or("")
                        .trim_start_matches("Resource: ")
                        .to_owned();
                    // "CloudTrail event <id>: <name> (<source>) at <time>." then
                    // "Actor: <arn> [<type>] from <ip>.", shown as "(<name> (<source>) by <arn> [<type>])".
                    let call = text
                        .lines()
                        .find_map(|l| l.strip_prefix("CloudTrail event "))
                        .and_then(|l| l.split_once(": "))
                        .map(|(_, rest)| rest.rsplit_once(" at ").map_or(rest, |(call, _)| call));
                    let by = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Actor: "))
                        .map(|l| l.rsplit_once(" from ").map_or(l, |(actor, _)| actor));
                    let actor = match (call, by) {
                        (Some(call), Some(by)) => format!(" ({call} by {by})"),
                        _ => String::new(),
                    };
                    lines.push(mask.apply(&format!("      {verdict:<18} {resource}{actor}")));
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

async fn print_evaluations(client: &aws_sdk_config::Client, mask: &Mask) -> DemoResult<()> {
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
        rows.insert(mask.apply(&format!("{kind} {id}")), compliance);
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
/// real function binaries polling it, all children of this process, stopped by PID.
struct Watch(Vec<Child>);

impl Watch {
    fn start(port: u16, moto: &str, emulator: &str, suite_key: &str) -> DemoResult<Self> {
        let cargo_lambda = rig::venv_python().with_file_name("cargo-lambda");
        let runtime = Command::new(cargo_lambda)
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--timeout",
                "900",
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
        for name in FUNCTIONS {
            let function = Command::new(target.join("debug").join(name))
                .env(
                    "AWS_LAMBDA_RUNTIME_API",
                    format!("http://127.0.0.1:{port}/.rt/{name}"),
                )
                .env("AWS_LAMBDA_FUNCTION_NAME", name)
                .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
                .env("AWS_LAMBDA_LOG_LEVEL", "warn")
                .env("ASSESSMENT_ID", DEMO_ASSESSMENT_ID)
                .env("LEDGER_TABLE", TABLE)
                .env("EVIDENCE_BUCKET", EVIDENCE_BUCKET)
                .env("EVIDENCE_KMS_KEY", suite_key)
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
                    format!("cannot start target/debug/{name} (run `cargo build --workspace`): {e}")
                })?;
            watch.0.push(function);
        }
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

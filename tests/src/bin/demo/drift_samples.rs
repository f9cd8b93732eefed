//! The demo stage that runs every sample CloudTrail event (`events/drift-*.json`) through
//! `cloudtrail-drift` with `cargo lambda invoke`, against the state its call leaves in moto
//! (`rig::drift_state`), and checks each outcome against `events/expected-drift-outcomes.json`: the status,
//! the skip reason, and the (check, resource, verdict) findings that must appear. A mismatch fails
//! the demo.

use std::path::PathBuf;

use aws_config::SdkConfig;
use genai_evidence::catalog::find_check;
use genai_evidence::domain::resource::ResourceType;
use rig::drift_state::{self, Seeded};
use serde::Deserialize;
use serde_json::Value;

use super::{DemoResult, invoke};

/// `events/expected-drift-outcomes.json`.
#[derive(Debug, Deserialize)]
struct Expectations {
    /// In the order the stage delivers them (later samples build on earlier state).
    samples: Vec<Expected>,
}

/// What one sample must come to.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expected {
    /// The file stem in `events/`.
    sample: String,
    /// `evaluated`, `skipped` or `duplicate`.
    status: String,
    /// The skip reason, for a skipped sample.
    #[serde(default)]
    skip: Option<String>,
    /// Findings that must appear, the headline (the safeguard check, if any) first.
    #[serde(default)]
    findings: Vec<ExpectedFinding>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpectedFinding {
    check: String,
    resource_id: String,
    verdict: String,
}

/// Reads `events/expected-drift-outcomes.json`.
fn expectations() -> DemoResult<Expectations> {
    let path = rig::workspace_root()
        .join("events")
        .join("expected-drift-outcomes.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let expectations: Expectations =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut files: Vec<String> = std::fs::read_dir(rig::workspace_root().join("events"))?
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("drift-") && n.ends_with(".json"))
        .map(|n| n.trim_end_matches(".json").to_owned())
        .collect();
    files.sort();
    let mut listed: Vec<String> = expectations
        .samples
        .iter()
        .map(|s| s.sample.clone())
        .collect();
    listed.sort();
    if files != listed {
        return Err(format!(
            "{} does not list every drift sample exactly once: samples {files:?}, listed {listed:?}",
            path.display()
        )
        .into());
    }
    Ok(expectations)
}

/// Runs the stage. `delivered` are samples an earlier stage already delivered: their event id is
/// claimed, so a copy of each with a new event id is delivered instead (the same call made again).
pub(crate) async fn run(port: u16, moto: &SdkConfig, delivered: &[&str]) -> DemoResult<()> {
    println!(
        "\nEvery drift sample (events/drift-*.json) through cargo lambda invoke, each once moto holds the state its call"
    );
    println!(
        "leaves behind, checked against events/expected-drift-outcomes.json (the status and the findings that must appear):"
    );
    let expectations = expectations()?;
    let copies = std::env::temp_dir().join(format!("genai-evidence-demo-{}", std::process::id()));
    let result = run_samples(port, moto, delivered, &expectations, &copies).await;
    let _ = std::fs::remove_dir_all(&copies);
    let mismatches = result?;
    if mismatches > 0 {
        return Err(format!(
            "{mismatches} drift sample(s) did not come out as events/expected-drift-outcomes.json says"
        )
        .into());
    }
    println!(
        "  {} samples, each as expected. (not in moto): moto 5.2.5 has no guardrail or knowledge-base data source APIs",
        expectations.samples.len()
    );
    println!(
        "  and cannot create agent AGT7Q2X9LM, so those are COULD_NOT_EVALUATE or not applicable, never non-compliant."
    );
    Ok(())
}

async fn run_samples(
    port: u16,
    moto: &SdkConfig,
    delivered: &[&str],
    expectations: &Expectations,
    copies: &std::path::Path,
) -> DemoResult<usize> {
    let iam = aws_sdk_iam::Client::new(moto);
    let mut mismatches = 0;
    for expected in &expectations.samples {
        let name = expected.sample.as_str();
        let seeded = drift_state::leave_state_of(moto, name).await?;
        let summary = if delivered.contains(&name) {
            invoke(port, "cloudtrail-drift", &copy_with_new_id(copies, name)?)?
        } else {
            invoke(port, "cloudtrail-drift", name)?
        };
        let mut ids = Vec::new();
        for want in &expected.findings {
            ids.push(finding_id(&iam, want).await);
        }
        let problems = compare(expected, &ids, &summary);
        let status = summary["status"].as_str().unwrap_or("?");
        let headline = match (&expected.skip, expected.findings.first()) {
            (Some(reason), _) => format!("({reason})"),
            (None, Some(f)) => {
                let more = match expected.findings.len() - 1 {
                    0 => String::new(),
                    1 => " (+1 finding)".to_owned(),
                    n => format!(" (+{n} findings)"),
                };
                format!("{:<18} {}{more}", f.verdict, f.check)
            }
            (None, None) => String::new(),
        };
        let note = match (&seeded, delivered.contains(&name)) {
            (_, true) => " (as a new event id)",
            (Seeded::NotEmulated(_), _) => " (not in moto)",
            _ => "",
        };
        if problems.is_empty() {
            println!("  {name:<56} {status:<9} {headline} ok{note}");
        } else {
            mismatches += 1;
            println!("  {name:<56} {status:<9} {headline} MISMATCH{note}");
            for problem in problems {
                println!("      {problem}");
            }
        }
    }
    Ok(mismatches)
}

/// Writes a copy of `events/<name>.json` with a new event id into `dir`; returns its path without
/// the `.json` (an absolute path: `invoke` joins it onto `events/`, which an absolute path
/// replaces).
fn copy_with_new_id(dir: &std::path::Path, name: &str) -> DemoResult<String> {
    let mut event = rig::event(name);
    let id = event["detail"]["eventID"]
        .as_str()
        .unwrap_or(name)
        .to_owned();
    event["detail"]["eventID"] = Value::String(format!("{id}-copy"));
    event["id"] = Value::String(format!("{}-copy", event["id"].as_str().unwrap_or(name)));
    std::fs::create_dir_all(dir)?;
    let path: PathBuf = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&event)?)?;
    Ok(dir.join(name).to_string_lossy().into_owned())
}

/// The id the finding names the expected resource with. The file names IAM roles by name and
/// customer managed policies by ARN; their findings carry the RoleId / PolicyId (as AWS Config
/// does), which moto draws at random, so they are looked up.
async fn finding_id(iam: &aws_sdk_iam::Client, want: &ExpectedFinding) -> String {
    let name = want.resource_id.as_str();
    let id = match find_check(&want.check).map(|c| c.resource_type()) {
        Some(ResourceType::IamRole) => iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .ok()
            .and_then(|out| out.role().map(|r| r.role_id().to_owned())),
        Some(ResourceType::IamPolicy) => iam
            .get_policy()
            .policy_arn(name)
            .send()
            .await
            .ok()
            .and_then(|out| out.policy().and_then(|p| p.policy_id()).map(str::to_owned)),
        _ => None,
    };
    id.unwrap_or_else(|| name.to_owned())
}

/// What differs between the expectation and the summary (empty when it matches); `ids` are the
/// resource ids of the expected findings as the findings name them.
fn compare(expected: &Expected, ids: &[String], summary: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let status = summary["status"].as_str().unwrap_or("?");
    if status != expected.status {
        problems.push(format!(
            "status {status}, expected {}{}",
            expected.status,
            summary["skip"]["message"]
                .as_str()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        ));
    }
    if let Some(reason) = &expected.skip {
        let got = summary["skip"]["reason"].as_str().unwrap_or("none");
        if got != reason {
            problems.push(format!("skip reason {got}, expected {reason}"));
        }
    }
    let findings: Vec<&Value> = summary["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    for (want, id) in expected.findings.iter().zip(ids) {
        let same =
            |f: &&&Value| f["check"] == want.check.as_str() && f["resourceId"] == id.as_str();
        match findings.iter().find(same) {
            Some(f) if f["verdict"] == want.verdict.as_str() => (),
            Some(f) => problems.push(format!(
                "{} {}: {}, expected {} ({})",
                want.check,
                want.resource_id,
                f["verdict"].as_str().unwrap_or("?"),
                want.verdict,
                f["observed"].as_str().unwrap_or("")
            )),
            None => problems.push(format!(
                "{} {}: no such finding (found: {})",
                want.check,
                want.resource_id,
                findings
                    .iter()
                    .map(|f| format!(
                        "{} {} {}",
                        f["verdict"].as_str().unwrap_or("?"),
                        f["check"].as_str().unwrap_or("?"),
                        f["resourceId"].as_str().unwrap_or("?")
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }
    problems
}

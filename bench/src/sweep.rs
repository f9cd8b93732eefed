//! The measured run: the SDK clients (each counting its calls) and the sweep run on them.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_emulator::DEMO_ASSESSMENT_ID;
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::readers::Clients as ReaderClients;
use genai_evidence::recorder::{Budget, Recorder};
use genai_evidence::sinks::auditmanager::{AuditManagerSink, RetryPolicy};
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::sweep::{SweepClients, SweepHandler, SweepOptions};
use serde_json::json;

use crate::counter::CallCounter;
use crate::{BenchResult, EVIDENCE_BUCKET, LEDGER_TABLE};

/// Every SDK client the sweep may use, each built with the call counter: AWS services on moto,
/// Audit Manager on the emulator.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) kms: aws_sdk_kms::Client,
    pub(crate) sagemaker: aws_sdk_sagemaker::Client,
    pub(crate) bedrock: aws_sdk_bedrock::Client,
    pub(crate) bedrockagent: aws_sdk_bedrockagent::Client,
    pub(crate) agentcore: aws_sdk_bedrockagentcorecontrol::Client,
    pub(crate) cloudtrail: aws_sdk_cloudtrail::Client,
    pub(crate) logs: aws_sdk_cloudwatchlogs::Client,
    pub(crate) dynamodb: aws_sdk_dynamodb::Client,
    pub(crate) tagging: aws_sdk_resourcegroupstagging::Client,
    pub(crate) organizations: aws_sdk_organizations::Client,
    pub(crate) auditmanager: aws_sdk_auditmanager::Client,
}

macro_rules! counted {
    ($sdk:ident, $config:expr, $counter:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .interceptor($counter.clone())
                .build(),
        )
    };
}

impl Clients {
    pub(crate) fn new(moto: &SdkConfig, emulator: &SdkConfig, counter: &CallCounter) -> Self {
        Self {
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(moto)
                    .force_path_style(true)
                    .interceptor(counter.clone())
                    .build(),
            ),
            iam: counted!(aws_sdk_iam, moto, counter),
            kms: counted!(aws_sdk_kms, moto, counter),
            sagemaker: counted!(aws_sdk_sagemaker, moto, counter),
            bedrock: counted!(aws_sdk_bedrock, moto, counter),
            bedrockagent: counted!(aws_sdk_bedrockagent, moto, counter),
            agentcore: counted!(aws_sdk_bedrockagentcorecontrol, moto, counter),
            cloudtrail: counted!(aws_sdk_cloudtrail, moto, counter),
            organizations: counted!(aws_sdk_organizations, moto, counter),
            logs: counted!(aws_sdk_cloudwatchlogs, moto, counter),
            dynamodb: counted!(aws_sdk_dynamodb, moto, counter),
            tagging: counted!(aws_sdk_resourcegroupstagging, moto, counter),
            auditmanager: counted!(aws_sdk_auditmanager, emulator, counter),
        }
    }

    /// One call on moto and one on the emulator, to check the wiring (and that the counter sees
    /// operation names) before the measured run.
    pub(crate) async fn probe(&self) -> BenchResult<()> {
        self.s3.list_buckets().max_buckets(1).send().await?;
        self.auditmanager.get_account_status().send().await?;
        Ok(())
    }
}

/// What the bench reports from the sweep's own summaries.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Outcome {
    /// Invocations the run took (more than one when it checkpointed before the deadline).
    pub(crate) invocations: usize,
    /// The last invocation's status (`complete` when the run finished).
    pub(crate) status: String,
    /// In-scope resources the run evaluated (all units).
    pub(crate) in_scope: usize,
    /// Resources a scope tag excluded.
    pub(crate) excluded: usize,
    /// In-scope resources by type (read back from the run's parts after the measurement).
    pub(crate) in_scope_by_type: Vec<(String, usize)>,
    /// Findings by verdict.
    pub(crate) verdicts: Vec<(String, usize)>,
    /// Changed verdicts, filed individually, carried by digests.
    pub(crate) changed: usize,
    /// Changes filed as their own evidence item.
    pub(crate) filed: usize,
    /// Changes carried by the digests.
    pub(crate) carried: usize,
    /// Digests filed or attempted.
    pub(crate) digests: usize,
    /// What the sweep reported as failed.
    pub(crate) errors: Vec<String>,
}

/// How long one invocation may run (Lambda's limit); the sweep checkpoints before it.
const INVOCATION_LIMIT: Duration = Duration::from_secs(15 * 60);

fn handler(clients: &Clients) -> SweepHandler {
    let sweep_clients = SweepClients {
        regions: vec![ReaderClients {
            region: rig::REGION.to_owned(),
            bedrock: clients.bedrock.clone(),
            bedrock_agent: clients.bedrockagent.clone(),
            bedrock_agentcore: clients.agentcore.clone(),
            sagemaker: clients.sagemaker.clone(),
            kms: clients.kms.clone(),
            logs: clients.logs.clone(),
            cloudtrail: clients.cloudtrail.clone(),
            tagging: clients.tagging.clone(),
            s3: clients.s3.clone(),
            iam: clients.iam.clone(),
            organizations: clients.organizations.clone(),
        }],
    };
    let recorder = Recorder::new(
        Ledger::new(clients.dynamodb.clone(), LEDGER_TABLE),
        AuditManagerSink::new(
            clients.auditmanager.clone(),
            DEMO_ASSESSMENT_ID.to_owned(),
            BTreeMap::new(),
            RetryPolicy::default(),
        ),
        Some(store(clients)),
        Budget::default(),
    );
    SweepHandler::new(
        sweep_clients,
        recorder,
        store(clients),
        SweepOptions::default(),
    )
}

fn store(clients: &Clients) -> ReportStore {
    ReportStore::new(
        clients.s3.clone(),
        EVIDENCE_BUCKET,
        Some(rig::seed::KEY_ARN.to_owned()),
    )
}

/// Runs the scheduled sweep on `clients`: the sample schedule event (with `event_id` as its id
/// when given), then `{"continue": true}` while the run checkpoints, each invocation with
/// Lambda's 15-minute deadline. Returns what it did, the units it ran and the run id.
pub(crate) async fn run(
    clients: &Clients,
    event_id: Option<&str>,
) -> BenchResult<(Outcome, Vec<String>, String)> {
    let handler = handler(clients);
    let path = rig::workspace_root()
        .join("events")
        .join("scheduled-sweep.json");
    let mut payload: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    if let Some(id) = event_id {
        payload["id"] = json!(id);
    }
    let run_id = payload["id"].as_str().unwrap_or_default().to_owned();
    let mut outcome = Outcome::default();
    let mut units = Vec::new();
    loop {
        let deadline = SystemTime::now() + INVOCATION_LIMIT;
        let summary = handler.handle(&payload, Some(deadline)).await?;
        outcome.invocations += 1;
        units.extend(
            summary
                .units_this_invocation
                .iter()
                .map(ToString::to_string),
        );
        outcome.changed += summary.changed;
        outcome.filed += summary.filed;
        outcome.carried += summary.carried;
        outcome.errors.extend(summary.errors.iter().cloned());
        outcome.status = summary.status.to_owned();
        if summary.status != "continuing" || outcome.invocations >= 100 {
            outcome.in_scope = summary.in_scope;
            outcome.excluded = summary.excluded;
            outcome.digests = summary.digests.len();
            outcome.verdicts = summary
                .verdicts
                .iter()
                .map(|(v, n)| (format!("{v:?}"), *n))
                .collect();
            break;
        }
        payload = json!({ "continue": true });
    }
    Ok((outcome, units, run_id))
}

/// In-scope resources by type, read back from the run's per-unit parts in the evidence bucket
/// (after the measurement; best effort: an unreadable part is skipped).
pub(crate) async fn scope_by_type(
    clients: &Clients,
    run_id: &str,
    units: &[String],
) -> Vec<(String, usize)> {
    let store = store(clients);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for unit in units {
        let key = format!("runs/{run_id}/{}.json", unit.replace('@', "-"));
        let Ok(part) = store.get_json::<serde_json::Value>(&key).await else {
            continue;
        };
        for entry in part["scope"].as_array().into_iter().flatten() {
            let kind = entry["resourceType"].as_str().unwrap_or("?").to_owned();
            *counts.entry(kind).or_default() += 1;
        }
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

//! Test harness: a fresh emulator over the shared moto, the config-rule handler wired to both,
//! and readers that fetch results back through the public APIs.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use genai_evidence::sinks::auditmanager::{AuditManagerSink, ControlTarget, RetryPolicy};
use genai_evidence::triggers::config_rule::ConfigRuleHandler;
use serde_json::Value;

pub(crate) const RULE: &str = "genai-evidence-controls";

pub(crate) struct Harness {
    pub(crate) emulator: Emulator,
    pub(crate) handler: ConfigRuleHandler,
    pub(crate) auditmanager: aws_sdk_auditmanager::Client,
    pub(crate) config: aws_sdk_config::Client,
    pub(crate) s3: aws_sdk_s3::Client,
}

/// The stack of the threads [`block_on_big_stack`] runs a test on.
const BIG_STACK: usize = 16 << 20;

/// Runs the future `test` makes to completion on a two-worker runtime whose threads (and the one blocking on it)
/// have [`BIG_STACK`] bytes of stack, not the test thread's 2 MiB: a test driving every handler
/// and sink at once polls futures that, unoptimised (debug builds), need more.
pub(crate) fn block_on_big_stack<F, T>(test: F)
where
    F: FnOnce() -> T + Send + 'static,
    T: std::future::Future<Output = ()>,
{
    std::thread::Builder::new()
        .stack_size(BIG_STACK)
        .spawn(move || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_stack_size(BIG_STACK)
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(test());
        })
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

pub(crate) fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_millis(10),
    }
}

impl Harness {
    /// A recorder filing into this harness's assessment through `ledger`, with the default
    /// budget and no report store.
    pub(crate) fn recorder(
        &self,
        ledger: genai_evidence::adapters::ledger::Ledger,
    ) -> genai_evidence::recorder::Recorder {
        genai_evidence::recorder::Recorder::new(
            ledger,
            AuditManagerSink::new(
                self.auditmanager.clone(),
                DEMO_ASSESSMENT_ID.to_owned(),
                BTreeMap::new(),
                fast_retries(),
            ),
            None,
            genai_evidence::recorder::Budget::default(),
        )
    }

    pub(crate) async fn start() -> Self {
        Self::build(Seed::default_genai(), DEMO_ASSESSMENT_ID, BTreeMap::new()).await
    }

    pub(crate) async fn build(
        seed: Seed,
        assessment_id: &str,
        overrides: BTreeMap<String, ControlTarget>,
    ) -> Self {
        Self::build_on(
            rig::shared_moto().endpoint(),
            seed,
            assessment_id,
            overrides,
        )
        .await
    }

    /// A harness over a moto of the test's own (for a test that reads the whole account).
    pub(crate) async fn on_moto(moto: &rig::Moto) -> Self {
        Self::build_on(
            moto.endpoint(),
            Seed::default_genai(),
            DEMO_ASSESSMENT_ID,
            BTreeMap::new(),
        )
        .await
    }

    async fn build_on(
        moto_endpoint: &str,
        seed: Seed,
        assessment_id: &str,
        overrides: BTreeMap<String, ControlTarget>,
    ) -> Self {
        let emulator = Emulator::start(seed, Some(moto_endpoint.to_owned()))
            .await
            .expect("emulator starts");
        // Result tokens are opaque: the emulator takes only those it knows, so tell it each
        // sample event's own token (under the sample's rule), as Config, which issued it, would.
        rig::register_sample_tokens(&emulator);
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        let moto_aws = rig::sdk_config(moto_endpoint, 3).await;
        let auditmanager = aws_sdk_auditmanager::Client::new(&emulator_aws);
        let config = aws_sdk_config::Client::new(&emulator_aws);
        let sink = AuditManagerSink::new(
            auditmanager.clone(),
            assessment_id.to_owned(),
            overrides,
            fast_retries(),
        );
        let handler = ConfigRuleHandler::new(config.clone(), vec![Box::new(sink)]);
        Self {
            emulator,
            handler,
            auditmanager,
            config,
            s3: rig::s3_client(&moto_aws),
        }
    }

    /// Every evidence text filed on the control named `control_name` in `control_set`.
    pub(crate) async fn evidence(&self, control_set: &str, control_name: &str) -> Vec<String> {
        let control_id = self.control_id(control_set, control_name).await;
        let folders = self
            .auditmanager
            .get_evidence_folders_by_assessment_control()
            .assessment_id(DEMO_ASSESSMENT_ID)
            .control_set_id(control_set)
            .control_id(&control_id)
            .send()
            .await
            .expect("evidence folders");
        let mut texts = Vec::new();
        for folder in folders.evidence_folders() {
            let mut pages = self
                .auditmanager
                .get_evidence_by_evidence_folder()
                .assessment_id(DEMO_ASSESSMENT_ID)
                .control_set_id(control_set)
                .evidence_folder_id(folder.id().unwrap_or_default())
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                for evidence in page.expect("evidence page").evidence() {
                    if let Some(text) = evidence.attributes().and_then(|a| a.get("textResponse")) {
                        texts.push(text.clone());
                    }
                }
            }
        }
        texts
    }

    pub(crate) async fn control_id(&self, control_set: &str, control_name: &str) -> String {
        let out = self
            .auditmanager
            .get_assessment()
            .assessment_id(DEMO_ASSESSMENT_ID)
            .send()
            .await
            .expect("assessment");
        let framework = out
            .assessment()
            .and_then(|a| a.framework())
            .expect("framework");
        framework
            .control_sets()
            .iter()
            .filter(|s| s.id() == Some(control_set))
            .flat_map(|s| s.controls())
            .find(|c| c.name() == Some(control_name))
            .and_then(|c| c.id())
            .unwrap_or_else(|| panic!("no control {control_name:?} in {control_set:?}"))
            .to_owned()
    }

    /// The rule's stored evaluations as (resource id → (compliance, annotation)).
    pub(crate) async fn evaluations(&self) -> BTreeMap<String, (String, String)> {
        let mut pages = self
            .config
            .get_compliance_details_by_config_rule()
            .config_rule_name(RULE)
            .into_paginator()
            .send();
        let mut out = BTreeMap::new();
        while let Some(page) = pages.next().await {
            for result in page.expect("compliance details").evaluation_results() {
                let id = result
                    .evaluation_result_identifier()
                    .and_then(|i| i.evaluation_result_qualifier())
                    .and_then(|q| q.resource_id())
                    .unwrap_or_default()
                    .to_owned();
                let compliance = result
                    .compliance_type()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default();
                out.insert(
                    id,
                    (
                        compliance,
                        result.annotation().unwrap_or_default().to_owned(),
                    ),
                );
            }
        }
        out
    }
}

/// A sample event with its resource renamed (so tests sharing one moto never collide).
pub(crate) fn event_for(name: &str, resource_id: &str) -> Value {
    let mut event = rig::event(name);
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().expect("string")).expect("json");
    for key in ["configurationItem", "configurationItemSummary"] {
        if let Some(item) = invoking.get_mut(key).filter(|i| i.is_object()) {
            let old = item["resourceId"].as_str().unwrap_or_default().to_owned();
            let rename = |v: &mut Value| {
                if let Some(s) = v.as_str() {
                    *v = Value::String(s.replace(&old, resource_id));
                }
            };
            for field in ["resourceId", "resourceName", "ARN"] {
                if let Some(v) = item.get_mut(field) {
                    rename(v);
                }
            }
            if let Some(config) = item
                .get_mut("configuration")
                .and_then(|c| c.as_object_mut())
            {
                for field in ["name", "NotebookInstanceName", "Id"] {
                    if let Some(v) = config.get_mut(field) {
                        rename(v);
                    }
                }
            }
            if let Some(policy) =
                item.pointer_mut("/supplementaryConfiguration/BucketPolicy/policyText")
            {
                rename(policy);
            }
        }
    }
    event["invokingEvent"] = Value::String(invoking.to_string());
    event
}

/// A bucket name unique to this test run.
pub(crate) fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

//! One source of rule parameters. The template builds the Config rule's `InputParameters` and
//! every function's `RULE_PARAMETERS` as one text from the same template parameters (`template`
//! module); the sweep and the drift function evaluate with the settings read from it, the Config
//! rule with its event's `ruleParameters`, through the same parser. So the three functions get
//! the same values, and a verdict does not flip between them.

use std::collections::{BTreeMap, BTreeSet};

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use genai_evidence::adapters::config_item::{ConfigurationItem, Decoded, decode};
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::catalog::params::KNOWN_PARAMETERS;
use genai_evidence::catalog::{Params, find_check};
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::evaluate::{Subject, SubjectState, evaluate};
use genai_evidence::readers::Clients;
use genai_evidence::recorder::{Budget, Recorder};
use genai_evidence::settings::Settings;
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::cloudtrail_drift::{DriftHandler, DriftStatus};
use genai_evidence::triggers::config_rule::{ConfigRuleHandler, Summary, parse_event};
use genai_evidence::triggers::sweep::{SweepClients, SweepHandler, SweepOptions};
use serde_json::{Value, json};

use crate::support::{Harness, fast_retries, unique};
use crate::template::{EVERY_RULE_PARAMETER_SET, rule_parameters_text};

const UNUSED: &str = "iam_role_genai_access_recently_used";
const RETENTION: &str = "logs_log_group_retention";
const DAY_MS: i64 = 86_400_000;

/// The settings a function reads at cold start when `RULE_PARAMETERS` is `text`.
fn settings(text: &str) -> Settings {
    let text = text.to_owned();
    Settings::from_lookup(move |name| (name == "RULE_PARAMETERS").then(|| text.clone()))
        .expect("valid settings")
}

/// An SDK configuration for handlers that are built but never call AWS.
fn offline() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(rig::REGION))
        .build()
}

fn recorder(
    aws: &aws_config::SdkConfig,
    am: &aws_config::SdkConfig,
    store: &ReportStore,
) -> Recorder {
    Recorder::new(
        Ledger::new(aws_sdk_dynamodb::Client::new(aws), "genai-evidence-ledger"),
        AuditManagerSink::new(
            aws_sdk_auditmanager::Client::new(am),
            DEMO_ASSESSMENT_ID.to_owned(),
            BTreeMap::new(),
            fast_retries(),
        ),
        Some(store.clone()),
        Budget::default(),
    )
}

/// The sweep as its `main.rs` wires it: the settings' parameters.
fn sweep_handler(
    aws: &aws_config::SdkConfig,
    am: &aws_config::SdkConfig,
    store: ReportStore,
    settings: &Settings,
) -> SweepHandler {
    SweepHandler::new(
        SweepClients::for_regions(aws, &settings.sweep_regions),
        recorder(aws, am, &store),
        store,
        SweepOptions::default(),
    )
    .with_params(settings.params.clone())
}

/// The drift function as its `main.rs` wires it (without ledger or recorder here).
fn drift_handler(aws: &aws_config::SdkConfig, settings: &Settings) -> DriftHandler {
    DriftHandler::new(Clients::from_conf(aws), None, None, rig::REGION)
        .with_params(settings.params.clone())
}

/// A Config rule change notification for `item`, with `ruleParameters` `text`, in TestMode.
fn config_event(item: &Value, text: &str) -> Value {
    let mut event = rig::event("config-s3-bucket-compliant");
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"] = item.clone();
    event["invokingEvent"] = Value::String(invoking.to_string());
    event["ruleParameters"] = Value::String(text.to_owned());
    event["resultToken"] = json!("TESTMODE");
    event
}

/// A role with Bedrock permissions (inline), last used `days` ago.
fn role_item(days: i64) -> Value {
    let mut item: Value =
        serde_json::from_str(include_str!("../fixtures/iam/config-role-scoped.json")).unwrap();
    let now = Timestamp::now();
    let last = Timestamp::from_epoch_millis(now.epoch_millis() - days * DAY_MS - 60_000);
    item["configuration"]["roleLastUsed"]["lastUsedDate"] = json!(last.to_string());
    item["configurationItemCaptureTime"] = json!(now.to_string());
    item
}

fn verdict_in(summary: &Summary, check: &str) -> Verdict {
    summary
        .findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no finding of {check}: {summary:#?}"))
        .verdict
}

#[test]
fn the_three_functions_get_the_same_parameter_values_from_the_template_text() {
    let text = rule_parameters_text(EVERY_RULE_PARAMETER_SET);
    let settings = settings(&text);
    assert!(settings.ignored_parameters.is_empty());
    let aws = offline();
    let store = ReportStore::new(rig::s3_client(&aws), "genai-evidence-evidence", None);
    let sweep = sweep_handler(&aws, &aws, store, &settings);
    let drift = drift_handler(&aws, &settings);
    // The Config rule's event carries the same text as ruleParameters (InputParameters).
    let config = parse_event(&config_event(&role_item(1), &text)).unwrap();
    assert!(config.ignored_parameters.is_empty());

    let at = Timestamp::from_epoch_millis(1_786_000_000_000);
    let config = config.params.at(at);
    assert_eq!(sweep.params().at(at), config);
    assert_eq!(drift.params().at(at), config);
    // Field by field, and none is its default (so the comparison is not trivially true).
    for params in [sweep.params(), drift.params()] {
        let ids = |p: &Params| -> Vec<&str> { p.checks.iter().flatten().map(|c| c.id).collect() };
        assert_eq!(ids(params), ids(&config));
        assert_eq!(params.minimum_tls_version, config.minimum_tls_version);
        assert_eq!(
            params.max_access_key_age_days,
            config.max_access_key_age_days
        );
        assert_eq!(params.max_unused_days, config.max_unused_days);
        assert_eq!(
            params.minimum_log_retention_days,
            config.minimum_log_retention_days
        );
    }
    assert_eq!(config.differing(&Params::default()), KNOWN_PARAMETERS);
}

#[tokio::test]
async fn a_role_unused_for_45_days_fails_a_30_day_review_period_in_every_function() {
    let text = rule_parameters_text(&[("MaxUnusedDays", "30")]);
    let settings = settings(&text);
    let item = role_item(45);

    // The Config rule, end to end (evaluations in TestMode), with the deployment's parameters.
    let h = Harness::start().await;
    let rule =
        ConfigRuleHandler::new(h.config.clone(), Vec::new()).with_params(settings.params.clone());
    let summary = rule.handle(&config_event(&item, &text)).await.unwrap();
    assert_eq!(verdict_in(&summary, UNUSED), Verdict::NonCompliant);
    assert!(summary.differing_parameters.is_empty());

    // The sweep and the drift function decide on the same role state with their parameters.
    let aws = offline();
    let store = ReportStore::new(rig::s3_client(&aws), "genai-evidence-evidence", None);
    let sweep = sweep_handler(&aws, &aws, store, &settings);
    let drift = drift_handler(&aws, &settings);
    let parsed = ConfigurationItem::from_notification(&item).unwrap();
    let Decoded::Resource(role) = decode(&parsed) else {
        panic!("the role decodes");
    };
    let subject = Subject {
        resource: parsed.resource_ref(),
        observed_at: parsed.capture_time,
        observed_via: "test",
        state: SubjectState::Live(role),
        links: Vec::new(),
    };
    let now = Timestamp::now();
    let verdict = |params: &Params| {
        evaluate(&subject, &params.at(now), now)
            .into_iter()
            .find(|f| f.check.id == UNUSED)
            .expect("the check runs")
            .outcome
            .verdict
    };
    assert_eq!(verdict(sweep.params()), Verdict::NonCompliant);
    assert_eq!(verdict(drift.params()), Verdict::NonCompliant);
    // Under the defaults (90 days) the same role passes: the threshold is what decides.
    assert_eq!(verdict(&Params::default()), Verdict::Compliant);

    // The rule edited in the console: Config's ruleParameters decide the rule's verdict, and the
    // keys that now differ from RULE_PARAMETERS are reported.
    let edited = rule
        .handle(&config_event(&item, r#"{"maxUnusedDays":"60"}"#))
        .await
        .unwrap();
    assert_eq!(verdict_in(&edited, UNUSED), Verdict::Compliant);
    assert_eq!(edited.differing_parameters, ["maxUnusedDays"]);
}

#[tokio::test]
async fn the_drift_handler_evaluates_with_the_settings_parameters() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&aws);
    let group = format!("/genai/{}", unique("retention"));
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    logs.put_retention_policy()
        .log_group_name(&group)
        .retention_in_days(400)
        .send()
        .await
        .unwrap();
    let mut event = rig::event("drift-logs-putretentionpolicy");
    event["detail"]["requestParameters"] = json!({"logGroupName": group, "retentionInDays": 400});
    let verdict = |summary: &genai_evidence::triggers::cloudtrail_drift::DriftSummary| {
        assert_eq!(summary.status, DriftStatus::Evaluated, "{summary:#?}");
        summary
            .findings
            .iter()
            .find(|f| f.check == RETENTION)
            .unwrap_or_else(|| panic!("{summary:#?}"))
            .verdict
    };

    let defaults = drift_handler(&aws, &settings(&rule_parameters_text(&[])));
    assert_eq!(
        verdict(&defaults.handle(&event).await.unwrap()),
        Verdict::Compliant
    );
    let longer = settings(&rule_parameters_text(&[("MinimumLogRetentionDays", "731")]));
    let strict = drift_handler(&aws, &longer);
    assert_eq!(
        verdict(&strict.handle(&event).await.unwrap()),
        Verdict::NonCompliant
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_runs_the_checks_the_settings_select() {
    const TABLE: &str = "genai-evidence-ledger";
    const BUCKET: &str = "genai-evidence-evidence";
    const CHECK: &str = "s3_bucket_default_encryption_kms";
    let moto = rig::Moto::start().expect("moto starts");
    let aws = rig::sdk_config(moto.endpoint(), 3).await;
    rig::estate::ledger_table(&aws, TABLE).await.unwrap();
    let key = rig::estate::evidence_bucket(&aws, BUCKET).await.unwrap();
    rig::estate::genai(&aws, "acme").await.unwrap();
    let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
        .await
        .expect("emulator starts");
    let am = rig::sdk_config(&emulator.endpoint(), 3).await;
    let store = ReportStore::new(rig::s3_client(&aws), BUCKET, Some(key));
    let settings = settings(&rule_parameters_text(&[("Checks", CHECK)]));
    let sweep = sweep_handler(&aws, &am, store, &settings);

    let summary = sweep
        .handle(&rig::event("scheduled-sweep"), None)
        .await
        .unwrap();
    assert_eq!(summary.status, "complete", "{summary:#?}");
    // Only the selected check ran: one finding per bucket in scope, digests only for its controls.
    let buckets = summary
        .scope
        .iter()
        .filter(|e| e.resource_type == "AWS::S3::Bucket")
        .count();
    assert!(buckets > 0);
    assert_eq!(
        summary.verdicts.values().sum::<usize>(),
        buckets,
        "{summary:#?}"
    );
    let controls: BTreeSet<&str> = summary.digests.iter().map(|d| d.control).collect();
    let expected: BTreeSet<&str> = find_check(CHECK)
        .unwrap()
        .controls
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(controls, expected);
    moto.stop();
}

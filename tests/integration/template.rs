//! `template.yaml` against the code: each function is granted exactly the IAM actions its code
//! calls, the Config rule listens to what the trigger handles, and every function binary exists.
//!
//! The template is read with the SAM translator's own YAML loader (it understands `!Ref`, `!Sub`,
//! ...), from the project's venv.

use std::collections::BTreeSet;
use std::process::Command;

use genai_evidence::domain::resource::ResourceType;
use serde_json::Value;

/// The template as JSON, read with the SAM translator's own YAML loader.
pub(crate) fn template() -> Value {
    let path = rig::workspace_root().join("template.yaml");
    let out = Command::new(rig::venv_python())
        .args([
            "-c",
            "import json,sys; from samtranslator.yaml_helper import yaml_parse; print(json.dumps(yaml_parse(open(sys.argv[1]).read())))",
        ])
        .arg(&path)
        .output()
        .expect("the venv's python runs (make setup)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("template JSON")
}

/// A string or a list of strings (IAM `Action` and the like).
pub(crate) fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The function's inline policy statements.
pub(crate) fn statements(template: &Value, function: &str) -> Vec<Value> {
    let policies = &template["Resources"][function]["Properties"]["Policies"];
    policies
        .as_array()
        .expect("inline Policies")
        .iter()
        .flat_map(|p| p["Statement"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn config_rule_function_is_granted_exactly_what_its_code_calls() {
    let t = template();
    let granted: BTreeSet<String> = statements(&t, "ConfigRuleFunction")
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    let mut needed: BTreeSet<String> = genai_evidence::triggers::config_rule::REQUIRED_ACTIONS
        .iter()
        .chain(genai_evidence::sinks::auditmanager::REQUIRED_ACTIONS)
        .chain(genai_evidence::adapters::ledger::REQUIRED_ACTIONS)
        .chain(genai_evidence::adapters::iam::MANAGED_POLICY_READ_ACTIONS)
        .map(|a| a.to_string())
        .collect();
    // Lambda writes failed invocations to the KMS-encrypted dead-letter queue with the role.
    needed.extend(["kms:GenerateDataKey".to_owned(), "kms:Decrypt".to_owned()]);
    assert_eq!(granted, needed);
}

#[test]
fn scheduled_sweep_is_granted_exactly_what_its_code_calls_plus_the_collector_policy() {
    let t = template();
    let function = &t["Resources"]["ScheduledSweepFunction"]["Properties"];
    let granted: BTreeSet<String> = statements(&t, "ScheduledSweepFunction")
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    let mut needed: BTreeSet<String> = genai_evidence::triggers::sweep::REQUIRED_ACTIONS
        .iter()
        .chain(genai_evidence::sinks::auditmanager::REQUIRED_ACTIONS)
        .chain(genai_evidence::adapters::ledger::REQUIRED_ACTIONS)
        .chain(genai_evidence::sinks::reports::REQUIRED_ACTIONS)
        .map(|a| a.to_string())
        .collect();
    // Reports are SSE-KMS with the suite key, as are dead letters.
    needed.extend(["kms:GenerateDataKey".to_owned(), "kms:Decrypt".to_owned()]);
    assert_eq!(granted, needed);
    // The collectors' reads come from the generated managed policy, nothing else.
    assert!(
        function["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["Ref"] == "CollectorReadPolicy"),
        "the sweep reads through CollectorReadPolicy"
    );
    assert!(function["Timeout"].as_u64().unwrap() <= 900);
    let events = function["Events"].as_object().unwrap();
    assert!(
        events
            .values()
            .any(|e| e["Type"] == "Schedule" && e["Properties"]["Input"].is_null()),
        "a daily schedule delivers the Scheduled Event the sweep names its run after"
    );
    let resume = events
        .values()
        .find_map(|e| e["Properties"]["Input"].as_str())
        .expect("a continue schedule");
    assert_eq!(
        genai_evidence::triggers::sweep::parse_request(&serde_json::from_str(resume).unwrap())
            .unwrap(),
        genai_evidence::triggers::sweep::SweepRequest::Continue
    );
}

#[test]
fn the_ledger_and_evidence_bucket_are_encrypted_and_the_bucket_is_never_public() {
    let t = template();
    let table = &t["Resources"]["LedgerTable"]["Properties"];
    assert_eq!(table["SSESpecification"]["SSEEnabled"], true);
    assert_eq!(table["KeySchema"][0]["AttributeName"], "pk");
    assert_eq!(
        table["TimeToLiveSpecification"]["AttributeName"],
        "expires_at"
    );
    let bucket = &t["Resources"]["EvidenceBucket"]["Properties"];
    let default = &bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"];
    assert_eq!(default["SSEAlgorithm"], "aws:kms");
    for flag in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket["PublicAccessBlockConfiguration"][flag], true,
            "{flag}"
        );
    }
    let policy = t["Resources"]["EvidenceBucketPolicy"]["Properties"]["PolicyDocument"].to_string();
    assert!(policy.contains("aws:SecureTransport"));
}

#[test]
fn no_statement_grants_wildcard_actions_and_writes_are_scoped_to_their_resource() {
    let t = template();
    let functions: Vec<String> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(name, _)| name.clone())
        .collect();
    for statement in functions.iter().flat_map(|f| statements(&t, f)) {
        for action in strings(&statement["Action"]) {
            assert!(!action.contains('*'), "wildcard action {action}");
            let scoped = ["auditmanager:", "kms:", "dynamodb:", "s3:Put", "s3:Get"];
            if scoped.iter().any(|p| action.starts_with(p)) {
                assert_ne!(
                    statement["Resource"],
                    Value::String("*".into()),
                    "{action} must be scoped"
                );
            }
        }
    }
}

#[test]
fn config_rule_listens_to_every_message_type_and_resource_type_the_trigger_handles() {
    let t = template();
    let rule = &t["Resources"]["GenAiControlsRule"]["Properties"];
    let types: BTreeSet<String> = strings(&rule["Scope"]["ComplianceResourceTypes"])
        .into_iter()
        .collect();
    let checked: BTreeSet<String> = ResourceType::ALL
        .iter()
        .filter(|t| {
            t.recorded_by_config() && genai_evidence::catalog::checks_for(**t).next().is_some()
        })
        .map(|t| t.cfn_type().to_owned())
        .collect();
    assert_eq!(types, checked);
    let messages: BTreeSet<String> = rule["Source"]["SourceDetails"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["MessageType"].as_str())
        .map(str::to_owned)
        .collect();
    let expected: BTreeSet<String> = [
        "ConfigurationItemChangeNotification",
        "OversizedConfigurationItemChangeNotification",
        "ScheduledNotification",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(messages, expected);
    assert_eq!(rule["Source"]["Owner"], "CUSTOM_LAMBDA");
}

#[test]
fn every_function_builds_a_binary_of_the_workspace_and_logs_encrypted() {
    let t = template();
    for (name, resource) in t["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        assert_eq!(
            resource["Metadata"]["BuildMethod"], "rust-cargolambda",
            "{name}"
        );
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap();
        let manifest = rig::workspace_root()
            .join("functions")
            .join(binary)
            .join("Cargo.toml");
        assert!(manifest.exists(), "{name}: no crate for binary {binary}");
        let group = resource["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
            .as_str()
            .expect("own log group");
        assert!(
            t["Resources"][group]["Properties"]["KmsKeyId"].is_object(),
            "{group} is KMS-encrypted"
        );
    }
}

#[test]
fn the_collector_read_policy_grants_exactly_every_action_the_checks_read_with() {
    let t = template();
    let policy = &t["Resources"]["CollectorReadPolicy"];
    assert_eq!(policy["Type"], "AWS::IAM::ManagedPolicy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let granted: BTreeSet<String> = statements
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    let needed: BTreeSet<String> = genai_evidence::catalog::CHECKS
        .iter()
        .flat_map(|c| c.api_actions.iter().map(|a| a.to_string()))
        .collect();
    let missing: Vec<_> = needed.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&needed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, not needed {extra:?}: run `cargo run -q -p genai-evidence --bin catalog -- --actions | python3 tools/update_collector_policy.py`"
    );
    for statement in statements {
        assert_eq!(statement["Effect"], "Allow");
        for action in strings(&statement["Action"]) {
            let verb = action.split(':').nth(1).unwrap_or_default();
            assert!(
                ["Get", "List", "Describe"]
                    .iter()
                    .any(|p| verb.starts_with(p)),
                "{action} is not read-only"
            );
        }
    }
}

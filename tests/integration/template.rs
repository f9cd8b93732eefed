//! `template.yaml` against the code: each function is granted exactly the IAM actions its code
//! calls, the Config rule listens to what the trigger handles, every function binary exists, and
//! the Config rule and every function get the same rule parameters text.
//!
//! The template is read with the SAM translator's own YAML loader (it understands `!Ref`, `!Sub`,
//! ...), from the project's venv.

use std::collections::{BTreeMap, BTreeSet};
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
fn the_evidence_store_keeps_what_it_holds_tls_only_kms_only_versioned_optionally_worm() {
    let t = template();
    let table = &t["Resources"]["LedgerTable"];
    assert_eq!(
        table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(table["Properties"]["DeletionProtectionEnabled"], true);
    assert_eq!(table["DeletionPolicy"], "Retain");
    let bucket = &t["Resources"]["EvidenceBucket"];
    assert_eq!(bucket["DeletionPolicy"], "Retain");
    assert_eq!(
        bucket["Properties"]["VersioningConfiguration"]["Status"],
        "Enabled"
    );
    // Object Lock, COMPLIANCE mode, with the parameter's retention, only when it is above 0.
    let lock = &bucket["Properties"]["ObjectLockConfiguration"]["Fn::If"];
    assert_eq!(lock[0], "HasObjectLock");
    assert_eq!(lock[1]["Rule"]["DefaultRetention"]["Mode"], "COMPLIANCE");
    assert_eq!(
        lock[1]["Rule"]["DefaultRetention"]["Days"]["Ref"],
        "EvidenceObjectLockDays"
    );
    assert_eq!(
        bucket["Properties"]["ObjectLockEnabled"]["Fn::If"][0],
        "HasObjectLock"
    );
    assert_eq!(t["Parameters"]["EvidenceObjectLockDays"]["Default"], 0);
    // Deny: any request without TLS, and any object put without SSE-KMS.
    let statements =
        t["Resources"]["EvidenceBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .clone();
    let deny = |sid: &str| {
        statements
            .iter()
            .find(|s| s["Sid"] == sid && s["Effect"] == "Deny" && s["Principal"] == "*")
            .unwrap_or_else(|| panic!("no Deny {sid}"))
            .clone()
    };
    assert_eq!(
        deny("DenyInsecureTransport")["Condition"]["Bool"]["aws:SecureTransport"],
        "false"
    );
    let unencrypted = deny("DenyObjectsNotEncryptedWithKms");
    assert_eq!(unencrypted["Action"], "s3:PutObject");
    assert_eq!(
        unencrypted["Condition"]["StringNotEquals"]["s3:x-amz-server-side-encryption"],
        "aws:kms"
    );
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

/// The template after SAM's transform (Globals merged into each function), as CloudFormation
/// receives it. `CodeUri` points at a placeholder: nothing is built or uploaded.
fn translated(template: &Value) -> Value {
    let script = r#"
import json, sys
from samtranslator.translator.transform import transform
class NoManagedPolicies:
    def load(self):
        return {}
t = json.load(sys.stdin)
for r in t["Resources"].values():
    if r["Type"] == "AWS::Serverless::Function":
        r["Properties"]["CodeUri"] = "s3://placeholder/code.zip"
print(json.dumps(transform(t, {}, NoManagedPolicies())))
"#;
    let mut child = Command::new(rig::venv_python())
        .args(["-c", script])
        .env("AWS_DEFAULT_REGION", rig::REGION)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the venv's python runs (make setup)");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(template.to_string().as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("translated template JSON")
}

/// The text `value` (built with `Ref`, `Fn::Sub`, `Fn::If` and `Fn::Join` over template
/// parameters) comes to when the template parameters are `given`, their defaults otherwise.
fn resolve(t: &Value, value: &Value, given: &[(&str, &str)]) -> String {
    let parameter = |name: &str| -> String {
        if let Some((_, v)) = given.iter().find(|(n, _)| *n == name) {
            return (*v).to_owned();
        }
        match &t["Parameters"][name]["Default"] {
            Value::String(s) => s.clone(),
            Value::Null => panic!("{name} is not a template parameter with a default"),
            other => other.to_string(),
        }
    };
    let (function, args) = match value {
        Value::String(s) => return s.clone(),
        Value::Object(o) if o.len() == 1 => o.iter().next().unwrap(),
        other => panic!("cannot resolve {other}"),
    };
    match function.as_str() {
        "Ref" => parameter(args.as_str().unwrap()),
        "Fn::Join" => {
            let sep = args[0].as_str().unwrap();
            let parts: Vec<String> = args[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| resolve(t, p, given))
                .collect();
            parts.join(sep)
        }
        "Fn::If" => {
            let condition = &t["Conditions"][args[0].as_str().unwrap()];
            let branch = if holds(t, condition, given) { 1 } else { 2 };
            resolve(t, &args[branch], given)
        }
        "Fn::Sub" => {
            let (text, vars) = match args {
                Value::String(s) => (s.as_str(), serde_json::Map::new()),
                _ => (
                    args[0].as_str().unwrap(),
                    args[1].as_object().cloned().unwrap_or_default(),
                ),
            };
            let mut out = String::new();
            let mut rest = text;
            while let Some(start) = rest.find("${") {
                out.push_str(&rest[..start]);
                let end = rest[start..].find('}').expect("closed ${") + start;
                let name = &rest[start + 2..end];
                out.push_str(&match vars.get(name) {
                    Some(v) => resolve(t, v, given),
                    None => parameter(name),
                });
                rest = &rest[end + 1..];
            }
            out.push_str(rest);
            out
        }
        other => panic!("{other} is not expected in the rule parameters"),
    }
}

/// Whether a template condition holds for these parameter values.
fn holds(t: &Value, condition: &Value, given: &[(&str, &str)]) -> bool {
    let (function, args) = condition.as_object().unwrap().iter().next().unwrap();
    match function.as_str() {
        "Fn::Equals" => resolve(t, &args[0], given) == resolve(t, &args[1], given),
        "Fn::Not" => !holds(t, &args[0], given),
        "Condition" => holds(t, &t["Conditions"][args.as_str().unwrap()], given),
        other => panic!("{other} is not expected in a rule parameter condition"),
    }
}

/// The rule parameters' JSON text the deployed stack gives the Config rule (`InputParameters`)
/// and every function (`RULE_PARAMETERS`), when its template parameters are `given`.
pub(crate) fn rule_parameters_text(given: &[(&str, &str)]) -> String {
    let t = template();
    resolve(
        &t,
        &t["Resources"]["GenAiControlsRule"]["Properties"]["InputParameters"],
        given,
    )
}

/// Every template parameter a rule parameter is built from, set away from its default.
pub(crate) const EVERY_RULE_PARAMETER_SET: &[(&str, &str)] = &[
    (
        "Checks",
        "s3_bucket_tls_only, iam_role_genai_access_recently_used",
    ),
    ("MinimumTlsVersion", "1.3"),
    ("MaxAccessKeyAgeDays", "45"),
    ("MaxUnusedDays", "30"),
    ("MinimumLogRetentionDays", "731"),
];

#[test]
fn the_config_rule_and_every_function_get_one_rule_parameters_text_from_the_template_parameters() {
    use genai_evidence::catalog::Params;
    use genai_evidence::catalog::params::{KNOWN_PARAMETERS, TlsVersion};
    use genai_evidence::domain::time::Timestamp;

    let t = template();
    let input = &t["Resources"]["GenAiControlsRule"]["Properties"]["InputParameters"];
    assert!(input.is_object(), "InputParameters is built, not a literal");

    // As deployed (SAM's Globals merged): the three functions carry exactly the Config rule's
    // InputParameters as RULE_PARAMETERS, and no function sets its own.
    let deployed = translated(&t);
    let functions: BTreeMap<&str, &Value> = deployed["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::Function")
        .map(|(id, r)| {
            (
                id.as_str(),
                &r["Properties"]["Environment"]["Variables"]["RULE_PARAMETERS"],
            )
        })
        .collect();
    assert_eq!(
        functions.keys().copied().collect::<Vec<_>>(),
        [
            "CloudTrailDriftFunction",
            "ConfigRuleFunction",
            "ScheduledSweepFunction"
        ]
    );
    for (id, text) in &functions {
        assert_eq!(*text, input, "{id}'s RULE_PARAMETERS");
    }
    assert_eq!(
        &deployed["Resources"]["GenAiControlsRule"]["Properties"]["InputParameters"],
        input
    );
    for id in functions.keys() {
        assert!(
            t["Resources"][*id]["Properties"]["Environment"]["Variables"]["RULE_PARAMETERS"]
                .is_null(),
            "{id} sets its own RULE_PARAMETERS"
        );
    }

    let keys = |text: &str| -> BTreeSet<String> {
        serde_json::from_str::<serde_json::Map<String, Value>>(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .keys()
            .cloned()
            .collect()
    };
    let at = Timestamp::from_epoch_millis(0);

    // The template's defaults are the parser's defaults; empty optional parameters are left out.
    let defaults = rule_parameters_text(&[]);
    assert_eq!(
        keys(&defaults),
        [
            "maxAccessKeyAgeDays",
            "maxUnusedDays",
            "minimumLogRetentionDays"
        ]
        .map(str::to_owned)
        .into()
    );
    let parsed = Params::from_rule_parameters(Some(&defaults)).unwrap();
    assert!(parsed.ignored.is_empty(), "{:?}", parsed.ignored);
    assert_eq!(parsed.params.at(at), Params::default().at(at));

    // Every template parameter set: every key is one `from_rule_parameters` knows, each carries
    // its template parameter's value.
    let every = rule_parameters_text(EVERY_RULE_PARAMETER_SET);
    let known: BTreeSet<String> = KNOWN_PARAMETERS.iter().map(|k| k.to_string()).collect();
    assert_eq!(keys(&every), known, "{every}");
    let parsed = Params::from_rule_parameters(Some(&every)).unwrap();
    assert!(parsed.ignored.is_empty(), "{:?}", parsed.ignored);
    let p = parsed.params;
    let checks: Vec<&str> = p.checks.as_ref().unwrap().iter().map(|c| c.id).collect();
    assert_eq!(
        checks,
        ["s3_bucket_tls_only", "iam_role_genai_access_recently_used"]
    );
    assert_eq!(p.minimum_tls_version, Some(TlsVersion::V1_3));
    assert_eq!(
        (
            p.max_access_key_age_days,
            p.max_unused_days,
            p.minimum_log_retention_days
        ),
        (45, 30, 731)
    );

    // The template admits exactly the values the parser takes, and no text longer than Config's
    // 1,024 characters for InputParameters.
    let parameter = |name: &str| &t["Parameters"][name];
    let longest_checks = "a".repeat(parameter("Checks")["MaxLength"].as_u64().unwrap() as usize);
    let longest = rule_parameters_text(&[
        ("Checks", longest_checks.as_str()),
        ("MinimumTlsVersion", "1.3"),
        ("MaxAccessKeyAgeDays", "3653"),
        ("MaxUnusedDays", "3653"),
        ("MinimumLogRetentionDays", "3653"),
    ]);
    assert!(longest.chars().count() <= 1024, "{}", longest.len());
    assert_eq!(
        strings(&parameter("MinimumTlsVersion")["AllowedValues"]),
        ["", "1.2", "1.3"]
    );
    for name in [
        "MaxAccessKeyAgeDays",
        "MaxUnusedDays",
        "MinimumLogRetentionDays",
    ] {
        assert_eq!(parameter(name)["Type"], "Number", "{name}");
        assert_eq!(
            (
                parameter(name)["MinValue"].as_u64(),
                parameter(name)["MaxValue"].as_u64()
            ),
            (Some(1), Some(3653)),
            "{name}"
        );
    }
}

//! `template.yaml` against the code: each function is granted exactly the IAM actions its code
//! calls, the Config rule listens to what the trigger handles, every function binary exists, the
//! Config rules and every function get the same rule parameters text, and every asynchronous
//! delivery (Lambda's and EventBridge's) retries within bounds and ends, when it fails, in a
//! KMS-encrypted dead-letter queue (ARCHITECTURE.md, "Delivery semantics"). The organization's
//! side (the sweep-worker, its queue, the organization Config rule, `member-role.yaml`) is
//! `org_template`.
//!
//! The templates are read with the SAM translator's own YAML loader (it understands `!Ref`,
//! `!Sub`, ...), from the project's venv.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use genai_evidence::domain::resource::ResourceType;
use serde_json::{Value, json};

/// The template as JSON, read with the SAM translator's own YAML loader.
pub(crate) fn template() -> Value {
    template_file("template.yaml")
}

/// The member account's template (`member-role.yaml`, plain CloudFormation) as JSON.
pub(crate) fn member_template() -> Value {
    template_file("member-role.yaml")
}

/// The workspace's template `name` as JSON, read with the SAM translator's own YAML loader.
pub(crate) fn template_file(name: &str) -> Value {
    let path = rig::workspace_root().join(name);
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
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("template JSON")
}

/// Every action the function's inline statements grant.
pub(crate) fn granted_actions(template: &Value, function: &str) -> BTreeSet<String> {
    statements(template, function)
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect()
}

/// What a sweep function's code calls (the sweep's, the sinks', the ledger's, the reports', the
/// suite key's: reports and queues are SSE-KMS with it), plus `more`.
pub(crate) fn sweep_actions(more: &[&str]) -> BTreeSet<String> {
    genai_evidence::triggers::sweep::REQUIRED_ACTIONS
        .iter()
        .chain(genai_evidence::sinks::auditmanager::REQUIRED_ACTIONS)
        .chain(genai_evidence::sinks::securityhub::REQUIRED_ACTIONS)
        .chain(genai_evidence::adapters::ledger::REQUIRED_ACTIONS)
        .chain(genai_evidence::sinks::reports::REQUIRED_ACTIONS)
        .chain(more)
        .chain(&["kms:GenerateDataKey", "kms:Decrypt"])
        .map(|a| a.to_string())
        .collect()
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
        .chain(genai_evidence::sinks::securityhub::REQUIRED_ACTIONS)
        .chain(genai_evidence::adapters::ledger::REQUIRED_ACTIONS)
        .chain(genai_evidence::adapters::iam::MANAGED_POLICY_READ_ACTIONS)
        // A member's Config invokes the organization rule: read and answered with its role.
        .chain(genai_evidence::member::REQUIRED_ACTIONS)
        .map(|a| a.to_string())
        .collect();
    // Lambda writes failed invocations to the KMS-encrypted dead-letter queue with the role.
    needed.extend(["kms:GenerateDataKey".to_owned(), "kms:Decrypt".to_owned()]);
    assert_eq!(granted, needed);
    assert_member_role_only(&t, "ConfigRuleFunction");
}

/// `function` may assume the member role alone: that name, in accounts of the organization only.
pub(crate) fn assert_member_role_only(t: &Value, function: &str) {
    let assumes: Vec<Value> = statements(t, function)
        .into_iter()
        .filter(|s| strings(&s["Action"]).iter().any(|a| a.starts_with("sts:")))
        .collect();
    assert_eq!(assumes.len(), 1, "{function}: one sts statement");
    let statement = &assumes[0];
    assert_eq!(
        strings(&statement["Action"]),
        genai_evidence::member::REQUIRED_ACTIONS,
        "{function}"
    );
    assert_eq!(
        statement["Resource"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"}),
        "{function}: the member role's name, nothing else"
    );
    assert_eq!(
        statement["Condition"],
        json!({"StringEquals": {"aws:ResourceOrgID": {"Ref": "OrganizationId"}}}),
        "{function}: in accounts of the organization only"
    );
    assert_eq!(
        t["Parameters"]["MemberRoleName"]["Default"],
        genai_evidence::member::DEFAULT_ROLE_NAME
    );
    let variables = &t["Resources"][function]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        variables["MEMBER_ROLE_NAME"],
        json!({"Ref": "MemberRoleName"}),
        "{function}"
    );
    assert_eq!(
        variables["MEMBER_EXTERNAL_ID"],
        json!({"Ref": "MemberExternalId"}),
        "{function}"
    );
}

/// The access review reads IAM and records on its Config process check; it writes only its own
/// objects in the evidence bucket and uses only the ledger's single-item calls.
#[test]
fn access_review_is_granted_exactly_what_its_code_calls() {
    let t = template();
    let statements = statements(&t, "AccessReviewFunction");
    let granted: BTreeSet<String> = statements
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    let mut needed: BTreeSet<String> = genai_evidence::triggers::access_review::REVIEW_ACTIONS
        .iter()
        .chain(genai_evidence::sinks::auditmanager::REQUIRED_ACTIONS)
        .chain(genai_evidence::sinks::reports::REQUIRED_ACTIONS)
        .map(|a| a.to_string())
        .collect();
    needed.extend(
        [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "kms:GenerateDataKey",
            "kms:Decrypt",
        ]
        .map(str::to_owned),
    );
    assert_eq!(granted, needed);
    let writes = statements
        .iter()
        .find(|s| strings(&s["Action"]).contains(&"s3:PutObject".to_owned()))
        .unwrap();
    assert_eq!(
        writes["Resource"],
        json!({"Fn::Sub": "${EvidenceBucket.Arn}/access-review/*"})
    );
    let config = statements
        .iter()
        .find(|s| strings(&s["Action"]).contains(&"config:PutExternalEvaluation".to_owned()))
        .unwrap();
    assert_eq!(
        config["Resource"],
        json!({"Fn::GetAtt": ["AccessReviewProcessCheck", "Arn"]})
    );
    let rule = &t["Resources"]["AccessReviewProcessCheck"]["Properties"]["Source"];
    assert_eq!(rule["SourceIdentifier"], "AWS_CONFIG_PROCESS_CHECK");
}

#[test]
fn scheduled_sweep_is_granted_exactly_what_its_code_calls_plus_the_collector_policy() {
    let t = template();
    let function = &t["Resources"]["ScheduledSweepFunction"]["Properties"];
    // The organization-wide sweep's planner: the accounts, and the queue of units.
    let needed = sweep_actions(genai_evidence::triggers::organization::PLANNER_ACTIONS);
    assert_eq!(granted_actions(&t, "ScheduledSweepFunction"), needed);
    // The planner sends units to SweepQueue alone; the accounts' listing takes no narrower
    // resource than "*".
    for statement in statements(&t, "ScheduledSweepFunction") {
        for action in strings(&statement["Action"]) {
            if action.starts_with("sqs:") {
                assert_eq!(
                    statement["Resource"],
                    json!({"Fn::GetAtt": ["SweepQueue", "Arn"]}),
                    "{action}"
                );
            }
            if action.starts_with("organizations:List") {
                assert_eq!(statement["Resource"], "*", "{action}");
            }
        }
    }
    let variables = &function["Environment"]["Variables"];
    for (variable, parameter) in [
        ("ORGANIZATION_SWEEP", "OrganizationSweep"),
        ("MEMBER_ROLE_NAME", "MemberRoleName"),
        ("MEMBER_EXTERNAL_ID", "MemberExternalId"),
        ("ORGANIZATION_UNITS", "OrganizationUnits"),
        ("ACCOUNT_ALLOW_LIST", "AccountAllowList"),
        ("ACCOUNT_DENY_LIST", "AccountDenyList"),
    ] {
        assert_eq!(variables[variable], json!({"Ref": parameter}), "{variable}");
    }
    assert_eq!(variables["SWEEP_QUEUE_URL"], json!({"Ref": "SweepQueue"}));
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
    // The inline statements as written, and every statement of the roles as deployed (SAM adds
    // its own, such as sqs:SendMessage for an on-failure destination).
    let deployed = translated(&t);
    let written = functions.iter().flat_map(|f| statements(&t, f));
    let generated = functions.iter().flat_map(|f| role_statements(&deployed, f));
    for statement in written.chain(generated) {
        for action in strings(&statement["Action"]) {
            assert!(!action.contains('*'), "wildcard action {action}");
            let scoped = [
                "auditmanager:",
                "securityhub:",
                "kms:",
                "dynamodb:",
                "s3:Put",
                "s3:Get",
                "sqs:",
            ];
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
pub(crate) fn translated(template: &Value) -> Value {
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
    ("MaxBedrockApiKeyAgeDays", "60"),
    ("MinimumLogRetentionDays", "731"),
    ("GenAiDataEventServices", "agentcore"),
    ("MinimumContentFilterStrength", "MEDIUM"),
];

#[test]
fn the_config_rule_and_every_function_get_one_rule_parameters_text_from_the_template_parameters() {
    use genai_evidence::catalog::Params;
    use genai_evidence::catalog::params::{KNOWN_PARAMETERS, TlsVersion};
    use genai_evidence::domain::time::Timestamp;

    let t = template();
    let input = &t["Resources"]["GenAiControlsRule"]["Properties"]["InputParameters"];
    assert!(input.is_object(), "InputParameters is built, not a literal");

    // As deployed (SAM's Globals merged): the functions carry exactly the Config rule's
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
            "AccessReviewFunction",
            "CloudTrailDriftFunction",
            "ConfigRuleFunction",
            "ScheduledSweepFunction",
            "SweepWorkerFunction"
        ]
    );
    for (id, text) in &functions {
        assert_eq!(*text, input, "{id}'s RULE_PARAMETERS");
    }
    assert_eq!(
        &deployed["Resources"]["GenAiControlsRule"]["Properties"]["InputParameters"],
        input
    );
    // The organization rule, in every member account, with the same text.
    let organization = "GenAiControlsOrganizationRule";
    for t in [&t, &deployed] {
        assert_eq!(
            &t["Resources"][organization]["Properties"]["OrganizationCustomRuleMetadata"]["InputParameters"],
            input,
            "{organization}'s InputParameters"
        );
    }
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
            "maxBedrockApiKeyAgeDays",
            "minimumLogRetentionDays",
            "genaiDataEventServices",
            "minimumContentFilterStrength"
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
    assert_eq!(p.max_bedrock_api_key_age_days, 60);
    assert_eq!(
        p.genai_data_event_services,
        genai_evidence::catalog::params::DataEventServices::AgentCore
    );
    assert_eq!(
        p.minimum_content_filter_strength,
        genai_evidence::catalog::params::FilterStrength::Medium
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
        ("MaxBedrockApiKeyAgeDays", "3653"),
        ("MinimumLogRetentionDays", "3653"),
        ("GenAiDataEventServices", "bedrock,agentcore"),
        ("MinimumContentFilterStrength", "MEDIUM"),
    ]);
    assert!(longest.chars().count() <= 1024, "{}", longest.len());
    assert_eq!(
        strings(&parameter("MinimumTlsVersion")["AllowedValues"]),
        ["", "1.2", "1.3"]
    );
    for value in strings(&parameter("GenAiDataEventServices")["AllowedValues"]) {
        assert!(
            genai_evidence::catalog::params::DataEventServices::parse(&value).is_some(),
            "{value}"
        );
    }
    assert_eq!(
        strings(&parameter("MinimumContentFilterStrength")["AllowedValues"]),
        ["LOW", "MEDIUM", "HIGH"]
    );
    for name in [
        "MaxAccessKeyAgeDays",
        "MaxUnusedDays",
        "MaxBedrockApiKeyAgeDays",
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

/// Every statement of the inline policies of `function`'s execution role, as deployed (after
/// SAM's transform: the template's `Policies` and what SAM generates).
pub(crate) fn role_statements(deployed: &Value, function: &str) -> Vec<Value> {
    let role = deployed["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
        .as_str()
        .unwrap_or_else(|| panic!("{function} has a generated role"));
    deployed["Resources"][role]["Properties"]["Policies"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| {
            p["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// The logical id `{"Fn::GetAtt": [<id>, "Arn"]}` names.
pub(crate) fn arn_of(value: &Value) -> Option<&str> {
    match value["Fn::GetAtt"].as_array().map(Vec::as_slice) {
        Some([id, attribute]) if attribute == "Arn" => id.as_str(),
        _ => None,
    }
}

/// SQS's longest message retention, 14 days: what a dead letter is kept for.
pub(crate) const FOURTEEN_DAYS: u64 = 14 * 24 * 3600;

/// `queue` is a dead-letter queue that keeps what it holds: encrypted with the suite's customer
/// managed key, kept 14 days, reachable over TLS only (its one queue policy denies the rest).
pub(crate) fn assert_encrypted_dead_letter_queue(t: &Value, queue: &str) {
    assert_encrypted_queue(t, queue);
    assert_eq!(
        t["Resources"][queue]["Properties"]["MessageRetentionPeriod"].as_u64(),
        Some(FOURTEEN_DAYS),
        "{queue} keeps dead letters 14 days"
    );
}

/// `queue` is encrypted with the suite's customer managed key and reachable over TLS only (its
/// one queue policy denies the rest).
pub(crate) fn assert_encrypted_queue(t: &Value, queue: &str) {
    let resource = &t["Resources"][queue];
    assert_eq!(resource["Type"], "AWS::SQS::Queue", "{queue}");
    assert_eq!(
        resource["Properties"]["KmsMasterKeyId"],
        json!({"Ref": "SuiteKey"}),
        "{queue} is encrypted with the suite key"
    );
    let statements = queue_policy(t, queue)["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        statements.iter().any(|s| s["Effect"] == "Deny"
            && s["Principal"] == "*"
            && s["Action"] == "sqs:*"
            && s["Resource"] == json!({"Fn::GetAtt": [queue, "Arn"]})
            && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"),
        "{queue} denies requests without TLS"
    );
}

/// The one `AWS::SQS::QueuePolicy` of `queue` (a second would overwrite the first).
pub(crate) fn queue_policy<'a>(t: &'a Value, queue: &str) -> &'a Value {
    let policies: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| {
            r["Type"] == "AWS::SQS::QueuePolicy"
                && r["Properties"]["Queues"]
                    .as_array()
                    .is_some_and(|q| q.contains(&json!({"Ref": queue})))
        })
        .collect();
    assert_eq!(policies.len(), 1, "{queue} has exactly one queue policy");
    policies[0]
}

/// The functions Lambda invokes asynchronously: the Config rules' (Config invokes a custom rule,
/// and an organization one, asynchronously) and every function an EventBridge rule or schedule
/// targets.
pub(crate) fn asynchronously_invoked(t: &Value) -> BTreeSet<String> {
    let resources = t["Resources"].as_object().unwrap();
    let mut invoked = BTreeSet::new();
    for (name, resource) in resources {
        match resource["Type"].as_str().unwrap_or_default() {
            "AWS::Config::ConfigRule"
                if resource["Properties"]["Source"]["Owner"] == "CUSTOM_LAMBDA" =>
            {
                invoked.extend(
                    arn_of(&resource["Properties"]["Source"]["SourceIdentifier"])
                        .map(str::to_owned),
                );
            }
            // The members' Config invokes an organization custom rule asynchronously too.
            "AWS::Config::OrganizationConfigRule" => invoked.extend(
                arn_of(
                    &resource["Properties"]["OrganizationCustomRuleMetadata"]["LambdaFunctionArn"],
                )
                .map(str::to_owned),
            ),
            "AWS::Events::Rule" => invoked.extend(
                resource["Properties"]["Targets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|target| arn_of(&target["Arn"]))
                    .filter(|id| {
                        resources
                            .get(*id)
                            .is_some_and(|r| r["Type"] == "AWS::Serverless::Function")
                    })
                    .map(str::to_owned),
            ),
            "AWS::Serverless::Function" => {
                let events = resource["Properties"]["Events"].as_object();
                if events.into_iter().flatten().any(|(_, e)| {
                    EVENTBRIDGE_EVENT_TYPES.contains(&e["Type"].as_str().unwrap_or_default())
                }) {
                    invoked.insert(name.clone());
                }
            }
            _ => (),
        }
    }
    invoked
}

/// SAM event source types that make EventBridge (rules or EventBridge Scheduler) invoke the
/// function.
const EVENTBRIDGE_EVENT_TYPES: &[&str] = &[
    "Schedule",
    "ScheduleV2",
    "EventBridgeRule",
    "CloudWatchEvent",
];

#[test]
fn every_asynchronously_invoked_function_retries_boundedly_and_sends_failures_to_an_encrypted_queue()
 {
    let t = template();
    let deployed = translated(&t);
    let invoked = asynchronously_invoked(&t);
    assert_eq!(
        invoked,
        [
            "AccessReviewFunction",
            "CloudTrailDriftFunction",
            "ConfigRuleFunction",
            "ScheduledSweepFunction"
        ]
        .map(str::to_owned)
        .into(),
        "every function is invoked asynchronously; a new one must say how it is delivered"
    );
    let mut ages = BTreeMap::new();
    for function in &invoked {
        let properties = &t["Resources"][function.as_str()]["Properties"];
        // One record per failure: the on-failure destination, not also the older DLQ.
        assert!(
            properties["DeadLetterQueue"].is_null(),
            "{function}: the on-failure destination replaces DeadLetterQueue"
        );
        let config = &properties["EventInvokeConfig"];
        let retries = config["MaximumRetryAttempts"]
            .as_u64()
            .unwrap_or_else(|| panic!("{function}: MaximumRetryAttempts"));
        let age = config["MaximumEventAgeInSeconds"]
            .as_u64()
            .unwrap_or_else(|| panic!("{function}: MaximumEventAgeInSeconds"));
        assert!(
            (1..=2).contains(&retries),
            "{function}: {retries} retries (Lambda takes 0 to 2; every trigger's retry is idempotent, so at least 1)"
        );
        assert!(
            (60..=21_600).contains(&age),
            "{function}: maximum event age {age} s (Lambda takes 60 to 21,600)"
        );
        let on_failure = &config["DestinationConfig"]["OnFailure"];
        assert_eq!(on_failure["Type"], "SQS", "{function}");
        let queue = arn_of(&on_failure["Destination"])
            .unwrap_or_else(|| panic!("{function}: the destination is a queue of the stack"));
        assert_encrypted_dead_letter_queue(&t, queue);

        // As deployed: the function's EventInvokeConfig, and sqs:SendMessage on that queue only.
        let deployed_configs: Vec<&Value> = deployed["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| {
                r["Type"] == "AWS::Lambda::EventInvokeConfig"
                    && r["Properties"]["FunctionName"] == json!({"Ref": function})
            })
            .collect();
        assert_eq!(
            deployed_configs.len(),
            1,
            "{function}: one EventInvokeConfig"
        );
        let deployed_config = &deployed_configs[0]["Properties"];
        assert_eq!(deployed_config["Qualifier"], "$LATEST", "{function}");
        assert_eq!(deployed_config["MaximumRetryAttempts"], retries);
        assert_eq!(deployed_config["MaximumEventAgeInSeconds"], age);
        assert_eq!(
            arn_of(&deployed_config["DestinationConfig"]["OnFailure"]["Destination"]),
            Some(queue)
        );
        assert!(
            deployed["Resources"][function.as_str()]["Properties"]["DeadLetterConfig"].is_null(),
            "{function}: no second dead-letter target"
        );
        // Compared as text, sorted: the order of SAM's generated policies is not the point.
        let mut sqs: Vec<(String, String)> = role_statements(&deployed, function)
            .iter()
            .flat_map(|s| {
                strings(&s["Action"])
                    .into_iter()
                    .filter(|a| a.starts_with("sqs:"))
                    .map(|a| (a, s["Resource"].to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        sqs.sort();
        let mut expected = vec![(
            "sqs:SendMessage".to_owned(),
            json!({"Fn::GetAtt": [queue, "Arn"]}).to_string(),
        )];
        if function == "ScheduledSweepFunction" {
            // The planner of the organization-wide sweep enqueues its units.
            expected.push((
                "sqs:SendMessage".to_owned(),
                json!({"Fn::GetAtt": ["SweepQueue", "Arn"]}).to_string(),
            ));
        }
        expected.sort();
        assert_eq!(
            sqs, expected,
            "{function}: sends to its on-failure queue (and the sweep to SweepQueue), nothing else"
        );
        ages.insert(function.clone(), age);
    }

    // The ages follow from what each trigger's retry does (ARCHITECTURE.md, "Delivery semantics").
    // The Config rule: no older than the shortest RuleFrequency (a later notification supersedes).
    assert!(
        strings(&t["Parameters"]["RuleFrequency"]["AllowedValues"]).contains(&"One_Hour".into())
    );
    assert!(ages["ConfigRuleFunction"] <= 3600);
    // The sweep (one concurrent execution): a start throttled behind running invocations waits
    // in Lambda's queue for at least four of them.
    let sweep = &t["Resources"]["ScheduledSweepFunction"]["Properties"];
    assert_eq!(sweep["ReservedConcurrentExecutions"], 1);
    assert!(ages["ScheduledSweepFunction"] >= 4 * sweep["Timeout"].as_u64().unwrap());
    // The drift function: a retried event still finds its claim in the ledger.
    let claim_ttl =
        u64::from(genai_evidence::triggers::cloudtrail_drift::CLAIM_TTL_DAYS) * 24 * 3600;
    assert!(ages["CloudTrailDriftFunction"] < claim_ttl);
}

#[test]
fn every_eventbridge_target_has_a_retry_policy_and_an_encrypted_dead_letter_queue_only_its_rules_write()
 {
    let t = template();
    // As written: every EventBridge event source names a queue of the stack (`Type: SQS` would
    // have SAM create an unencrypted one) and a retry policy.
    for (function, resource) in t["Resources"].as_object().unwrap() {
        for (event, source) in resource["Properties"]["Events"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if !EVENTBRIDGE_EVENT_TYPES.contains(&source["Type"].as_str().unwrap_or_default()) {
                continue;
            }
            let properties = &source["Properties"];
            assert!(
                properties["DeadLetterConfig"]["Type"].is_null()
                    && arn_of(&properties["DeadLetterConfig"]["Arn"]).is_some(),
                "{function}.{event}: DeadLetterConfig names the stack's encrypted queue"
            );
            assert!(
                properties["RetryPolicy"].is_object(),
                "{function}.{event}: RetryPolicy"
            );
        }
    }

    // As deployed: every rule (SAM's and the template's own) and every EventBridge Scheduler
    // schedule that targets a function.
    let deployed = translated(&t);
    let resources = deployed["Resources"].as_object().unwrap();
    let mut targets: Vec<(String, Option<String>, Value)> = Vec::new();
    for (name, resource) in resources {
        let condition = resource["Condition"].as_str().map(str::to_owned);
        match resource["Type"].as_str().unwrap_or_default() {
            "AWS::Events::Rule" => {
                for target in resource["Properties"]["Targets"].as_array().unwrap() {
                    targets.push((name.clone(), condition.clone(), target.clone()));
                }
            }
            "AWS::Scheduler::Schedule" => {
                targets.push((
                    name.clone(),
                    condition,
                    resource["Properties"]["Target"].clone(),
                ));
            }
            _ => (),
        }
    }
    let rules: BTreeSet<&str> = targets.iter().map(|(n, _, _)| n.as_str()).collect();
    for expected in [
        "ScheduledSweepFunctionDaily",
        "ScheduledSweepFunctionContinue",
        "CloudTrailDriftFunctionBedrockCalls",
        "CloudTrailDriftIamRule",
    ] {
        assert!(rules.contains(expected), "{expected} among {rules:?}");
    }
    let mut writers: BTreeMap<String, BTreeSet<(String, Option<String>)>> = BTreeMap::new();
    for (rule, condition, target) in &targets {
        let function = arn_of(&target["Arn"]).unwrap_or_else(|| panic!("{rule}: target"));
        assert_eq!(
            deployed["Resources"][function]["Type"], "AWS::Lambda::Function",
            "{rule}"
        );
        let retry = &target["RetryPolicy"];
        let attempts = retry["MaximumRetryAttempts"]
            .as_u64()
            .unwrap_or_else(|| panic!("{rule}: RetryPolicy.MaximumRetryAttempts"));
        let age = retry["MaximumEventAgeInSeconds"]
            .as_u64()
            .unwrap_or_else(|| panic!("{rule}: RetryPolicy.MaximumEventAgeInSeconds"));
        assert!((1..=185).contains(&attempts), "{rule}: {attempts} attempts");
        assert!((60..=86_400).contains(&age), "{rule}: {age} s");
        let queue = arn_of(&target["DeadLetterConfig"]["Arn"])
            .unwrap_or_else(|| panic!("{rule}: DeadLetterConfig"));
        assert_encrypted_dead_letter_queue(&deployed, queue);
        writers
            .entry(queue.to_owned())
            .or_default()
            .insert((rule.clone(), condition.clone()));
    }
    // A continue request older than the next one is worth nothing: given up by then.
    let continuing = targets
        .iter()
        .find(|(_, _, target)| target["Input"] == r#"{"continue": true}"#)
        .expect("the continue schedule");
    let rate =
        t["Resources"]["ScheduledSweepFunction"]["Properties"]["Events"]["Continue"]["Properties"]
            ["Schedule"]
            .as_str()
            .unwrap();
    let minutes: u64 = rate
        .strip_prefix("rate(")
        .and_then(|r| r.strip_suffix(" minutes)"))
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("{rate}"));
    assert!(
        continuing.2["RetryPolicy"]["MaximumEventAgeInSeconds"]
            .as_u64()
            .unwrap()
            <= minutes * 60
    );

    // Each queue's policy lets EventBridge send exactly from the rules that use it, under the
    // rules' own conditions (IAM's rule exists in us-east-1 only).
    for (queue, rules) in &writers {
        let statements =
            queue_policy(&deployed, queue)["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap();
        let allows: Vec<&Value> = statements
            .iter()
            .filter(|s| s["Effect"] == "Allow")
            .collect();
        assert_eq!(allows.len(), 1, "{queue}: one Allow");
        let allow = allows[0];
        assert_eq!(
            allow["Principal"],
            json!({"Service": "events.amazonaws.com"})
        );
        assert_eq!(allow["Action"], "sqs:SendMessage");
        assert_eq!(allow["Resource"], json!({"Fn::GetAtt": [queue, "Arn"]}));
        let sources: BTreeSet<(String, Option<String>)> =
            allow["Condition"]["ArnEquals"]["aws:SourceArn"]
                .as_array()
                .unwrap_or_else(|| panic!("{queue}: aws:SourceArn names the rules"))
                .iter()
                .map(|source| match source["Fn::If"].as_array() {
                    Some(branches) => {
                        assert_eq!(branches[2], json!({"Ref": "AWS::NoValue"}));
                        (
                            arn_of(&branches[1]).unwrap().to_owned(),
                            branches[0].as_str().map(str::to_owned),
                        )
                    }
                    None => (arn_of(source).unwrap().to_owned(), None),
                })
                .collect();
        assert_eq!(&sources, rules, "{queue}: who may send");
    }
    // The suite key lets EventBridge encrypt into those queues, for this account's rules only.
    let key = &t["Resources"]["SuiteKey"]["Properties"]["KeyPolicy"]["Statement"];
    let events = key
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Principal"]["Service"] == "events.amazonaws.com")
        .expect("a key policy statement for EventBridge");
    assert_eq!(
        strings(&events["Action"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        ["kms:Decrypt", "kms:GenerateDataKey"]
            .map(str::to_owned)
            .into()
    );
    assert_eq!(
        events["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    assert_eq!(
        events["Condition"]["ArnLike"]["aws:SourceArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"})
    );
}

/// Every queue is KMS-encrypted with the suite key and TLS only; every one but SweepQueue (the
/// organization-wide sweep's units, `org_template`) is a dead-letter queue kept 14 days.
#[test]
fn every_queue_is_kms_encrypted_and_every_dead_letter_queue_is_kept_14_days() {
    let t = template();
    let deployed = translated(&t);
    // Deployed, so a queue SAM would generate (an unencrypted one) is counted too.
    let queues: Vec<&String> = deployed["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::SQS::Queue")
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        queues,
        [
            "DeadLetterQueue",
            "EventDeliveryDeadLetterQueue",
            "SweepQueue",
            "SweepQueueDeadLetterQueue"
        ],
        "Lambda's on-failure queue, EventBridge's dead-letter queue, the sweep's units and their dead-letter queue"
    );
    for queue in queues {
        if queue == "SweepQueue" {
            assert_encrypted_queue(&deployed, queue);
        } else {
            assert_encrypted_dead_letter_queue(&deployed, queue);
        }
    }
}

/// `sam local invoke` resolves a resource's `!Ref` to its logical id and a parameter without a
/// default to its name, so the functions would stop at start-up on `ASSESSMENT_ID
/// "AssessmentId"`. The README's documented line passes `events/sam-local-env.json`: it must
/// name exactly each function's own variables (SAM ignores unknown ones, so a stale name would
/// silently fall back to the template's unresolvable value), with values each function's
/// settings parse, the assessment id a UUID and, for the sweep, what it needs to start.
#[test]
fn sam_local_env_file_starts_every_function() {
    let t = template();
    let path = rig::workspace_root().join("events/sam-local-env.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let functions: BTreeMap<&String, &Value> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .collect();
    let listed: BTreeSet<&String> = file.as_object().unwrap().keys().collect();
    assert_eq!(
        listed,
        functions.keys().copied().collect::<BTreeSet<_>>(),
        "events/sam-local-env.json lists every function, and only those"
    );
    for (name, function) in functions {
        let own: BTreeSet<&String> = function["Properties"]["Environment"]["Variables"]
            .as_object()
            .expect("the function's own variables")
            .keys()
            .collect();
        let values = file[name.as_str()].as_object().unwrap();
        assert_eq!(
            values.keys().collect::<BTreeSet<_>>(),
            own,
            "{name}: the file names exactly the function's own variables (RULE_PARAMETERS comes from Globals and resolves locally)"
        );
        let settings = genai_evidence::settings::Settings::from_lookup(|key| {
            values.get(key).and_then(Value::as_str).map(str::to_owned)
        })
        .unwrap_or_else(|e| panic!("{name}: the file's values do not start the function: {e}"));
        let id = settings.assessment_id.as_deref().unwrap_or_default();
        assert!(
            genai_evidence::settings::is_uuid(id),
            "{name}: ASSESSMENT_ID {id:?}"
        );
        assert!(settings.ledger_table.is_some(), "{name}: LEDGER_TABLE");
        if name == "ScheduledSweepFunction" || name == "SweepWorkerFunction" {
            assert!(
                settings.evidence_bucket.is_some() && settings.evidence_kms_key.is_some(),
                "{name}: EVIDENCE_BUCKET and EVIDENCE_KMS_KEY"
            );
        }
    }
    let readme = std::fs::read_to_string(rig::workspace_root().join("README.md")).unwrap();
    assert!(
        readme.contains("sam local invoke ConfigRuleFunction --env-vars events/sam-local-env.json"),
        "the README documents the line this file is for"
    );
}

/// Every function that files may import Security Hub findings, only as this account's default
/// product in this region (no wildcard), and both sink switches reach every function from the
/// template parameters, with Audit Manager on and Security Hub off by default.
#[test]
fn security_hub_is_granted_only_on_the_accounts_own_default_product_and_the_sinks_are_switched_by_parameters()
 {
    let t = template();
    let product = json!({
        "Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"
    });
    for function in [
        "ConfigRuleFunction",
        "ScheduledSweepFunction",
        "SweepWorkerFunction",
        "CloudTrailDriftFunction",
    ] {
        let grants: Vec<Value> = statements(&t, function)
            .into_iter()
            .filter(|s| {
                strings(&s["Action"])
                    .iter()
                    .any(|a| a.starts_with("securityhub:"))
            })
            .collect();
        assert_eq!(grants.len(), 1, "{function}");
        assert_eq!(
            strings(&grants[0]["Action"]),
            ["securityhub:BatchImportFindings"]
        );
        assert_eq!(grants[0]["Resource"], product, "{function}");
    }
    let variables = &t["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        variables["AUDIT_MANAGER_SINK"],
        json!({"Ref": "AuditManagerSink"})
    );
    assert_eq!(
        variables["SECURITY_HUB_SINK"],
        json!({"Ref": "SecurityHubSink"})
    );
    let defaults = genai_evidence::settings::Sinks::default();
    for (parameter, on) in [
        ("AuditManagerSink", defaults.audit_manager),
        ("SecurityHubSink", defaults.security_hub),
    ] {
        let p = &t["Parameters"][parameter];
        assert_eq!(strings(&p["AllowedValues"]), ["enabled", "disabled"]);
        assert_eq!(
            p["Default"],
            if on { "enabled" } else { "disabled" },
            "{parameter}"
        );
    }
}
/// A template value with its intrinsic functions replaced as CloudFormation would for a stack
/// whose evidence bucket is `bucket`: `!GetAtt <Bucket>.Arn`, `!Sub ${<Bucket>.Arn}/...`, `!Ref`.
fn resolved_for(value: &Value, bucket: &str) -> Value {
    let arn = format!("arn:aws:s3:::{bucket}");
    match value {
        Value::Object(o) if o.contains_key("Fn::GetAtt") => json!(arn),
        Value::Object(o) if o.contains_key("Fn::Sub") => {
            json!(
                o["Fn::Sub"]
                    .as_str()
                    .unwrap()
                    .replace("${EvidenceBucket.Arn}", &arn)
            )
        }
        Value::Object(o) if o.contains_key("Ref") => json!(bucket),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), resolved_for(v, bucket)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolved_for(v, bucket)).collect())
        }
        other => other.clone(),
    }
}

/// The suite's own evidence bucket, as the template declares it, passes the suite's own S3
/// checks: the template's properties are written as the configuration item AWS Config would
/// record for it, decoded by the Config rule's decoder and evaluated by the catalog.
#[test]
fn the_suites_evidence_bucket_passes_the_suites_own_s3_checks() {
    use genai_evidence::adapters::config_item::{ConfigurationItem, Decoded, decode};
    use genai_evidence::domain::time::Timestamp;
    use genai_evidence::evaluate::{Subject, SubjectState, evaluate};

    let t = template();
    let bucket = "genai-evidence-evidencebucket-1a2b3c";
    let properties = &t["Resources"]["EvidenceBucket"]["Properties"];
    let encryption = &properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    let block = &properties["PublicAccessBlockConfiguration"];
    let logging = &properties["LoggingConfiguration"];
    assert_eq!(
        logging["DestinationBucketName"],
        json!({"Ref": "AccessLogsBucket"}),
        "the evidence bucket logs to the access-log bucket"
    );
    let policy = resolved_for(
        &t["Resources"]["EvidenceBucketPolicy"]["Properties"]["PolicyDocument"],
        bucket,
    );
    let item = json!({
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": "2026-12-04T00:00:00.000Z",
        "configurationItemStatus": "OK",
        "resourceType": "AWS::S3::Bucket",
        "resourceId": bucket,
        "resourceName": bucket,
        "ARN": format!("arn:aws:s3:::{bucket}"),
        "awsAccountId": "123456789012",
        "awsRegion": "us-east-1",
        "configuration": {"name": bucket},
        "supplementaryConfiguration": {
            "BucketPolicy": {"policyText": policy.to_string()},
            "ServerSideEncryptionConfiguration": {"rules": [{
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
                    "kmsMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000",
                },
                "bucketKeyEnabled": encryption["BucketKeyEnabled"],
            }]},
            "PublicAccessBlockConfiguration": {
                "blockPublicAcls": block["BlockPublicAcls"],
                "ignorePublicAcls": block["IgnorePublicAcls"],
                "blockPublicPolicy": block["BlockPublicPolicy"],
                "restrictPublicBuckets": block["RestrictPublicBuckets"],
            },
            "BucketLoggingConfiguration": {
                "destinationBucketName": "genai-evidence-accesslogsbucket-4d5e6f",
                "logFilePrefix": logging["LogFilePrefix"],
            },
        },
    });
    let item = ConfigurationItem::from_notification(&item).unwrap();
    let Decoded::Resource(resource) = decode(&item) else {
        panic!("the template's bucket decodes as a bucket");
    };
    let subject = Subject::new(
        item.resource_ref(),
        item.capture_time,
        "template.yaml",
        SubjectState::Live(resource),
    );
    let findings = evaluate(
        &subject,
        &genai_evidence::catalog::Params::default(),
        Timestamp::now(),
    );
    assert_eq!(
        findings.len(),
        genai_evidence::catalog::checks_for(ResourceType::S3Bucket).count()
    );
    for finding in findings {
        assert_eq!(
            finding.outcome.verdict,
            genai_evidence::domain::outcome::Verdict::Compliant,
            "{}: {}",
            finding.check.id,
            finding.outcome.observed
        );
    }
    let table = &t["Resources"]["LedgerTable"]["Properties"]["SSESpecification"];
    assert_eq!(table["SSEType"], "KMS");
    assert_eq!(
        table["KMSMasterKeyId"],
        json!({"Fn::GetAtt": ["SuiteKey", "Arn"]}),
        "the ledger is encrypted with the suite's key"
    );
}

/// The suite tells when it fails: each function's errors and its could-not-evaluate spike (on
/// the metric name, namespace and `Function` dimension its binary emits), and each dead-letter
/// queue's depth, alarm to one KMS-encrypted topic, e-mailed when an address is given.
#[test]
fn every_function_and_queue_has_an_alarm_on_an_encrypted_topic() {
    let t = template();
    let resources = t["Resources"].as_object().unwrap();
    let alarms: Vec<&Value> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::CloudWatch::Alarm")
        .collect();
    for alarm in &alarms {
        let p = &alarm["Properties"];
        assert_eq!(p["AlarmActions"], json!([{"Ref": "AlarmTopic"}]), "{p}");
        assert_eq!(p["TreatMissingData"], "notBreaching", "{p}");
    }
    let watches = |namespace: &str, metric: &str, dimension: &str, value: &Value| {
        alarms.iter().any(|a| {
            let p = &a["Properties"];
            p["Namespace"] == namespace
                && p["MetricName"] == metric
                && p["Dimensions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["Name"] == dimension && &d["Value"] == value)
        })
    };
    for (function, binary) in [
        ("ConfigRuleFunction", "config-rule"),
        ("ScheduledSweepFunction", "scheduled-sweep"),
        ("SweepWorkerFunction", "sweep-worker"),
        ("CloudTrailDriftFunction", "cloudtrail-drift"),
    ] {
        assert!(
            watches(
                "AWS/Lambda",
                "Errors",
                "FunctionName",
                &json!({"Ref": function})
            ),
            "{function}: Errors alarm"
        );
        assert!(
            watches(
                genai_evidence::metrics::NAMESPACE,
                genai_evidence::metrics::metric_name(
                    genai_evidence::domain::outcome::Verdict::CouldNotEvaluate
                ),
                "Function",
                &json!(binary)
            ),
            "{function}: could-not-evaluate alarm"
        );
        let main = std::fs::read_to_string(
            rig::workspace_root().join(format!("functions/{binary}/src/main.rs")),
        )
        .unwrap();
        assert!(
            main.contains(&format!(".emit(\"{binary}\")")),
            "{binary} emits its metrics under the name its alarm watches"
        );
    }
    for queue in [
        "DeadLetterQueue",
        "EventDeliveryDeadLetterQueue",
        "SweepQueueDeadLetterQueue",
    ] {
        assert!(
            watches(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "QueueName",
                &json!({"Fn::GetAtt": [queue, "QueueName"]})
            ),
            "{queue}: depth alarm"
        );
    }
    // SweepQueue is no dead-letter queue: it is watched for not draining, well before its units
    // expire.
    assert!(
        watches(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            "QueueName",
            &json!({"Fn::GetAtt": ["SweepQueue", "QueueName"]})
        ),
        "SweepQueue: age alarm"
    );
    let topic = &t["Resources"]["AlarmTopic"]["Properties"];
    assert_eq!(topic["KmsMasterKeyId"], json!({"Ref": "SuiteKey"}));
    let subscription = &t["Resources"]["AlarmEmailSubscription"];
    assert_eq!(subscription["Condition"], "HasAlarmEmail");
    assert_eq!(
        subscription["Properties"]["Endpoint"],
        json!({"Ref": "AlarmEmail"})
    );
}

/// checkov runs in `make lint` on both templates; a check a template does not meet is skipped
/// only in the template itself, on the resource, with the reason written next to it.
#[test]
fn every_checkov_skip_in_the_template_says_why() {
    let t = template();
    let mut skips = 0;
    let resources = t["Resources"].as_object().unwrap().iter();
    let member = member_template();
    let member_resources = member["Resources"].as_object().unwrap().iter();
    for (name, resource) in resources.chain(member_resources) {
        let Some(list) = resource["Metadata"]["checkov"]["skip"].as_array() else {
            continue;
        };
        for skip in list {
            let id = skip["id"].as_str().unwrap_or_default();
            let comment = skip["comment"].as_str().unwrap_or_default();
            assert!(id.starts_with("CKV_"), "{name}: {skip}");
            assert!(
                comment.split_whitespace().count() >= 8,
                "{name} skips {id} without a reason: {skip}"
            );
            skips += 1;
        }
    }
    assert!(skips > 0);
}

//! `template.yaml` against the CloudTrail drift code: the EventBridge rules route exactly the calls
//! the event map handles (no call listened to that the map skips as unmapped, no mapped call left
//! unrouted), IAM's rule exists only in us-east-1, and the function is granted exactly what its
//! code calls. `member-role.yaml` forwards the members' calls with the same patterns
//! (`org_template`).

use std::collections::{BTreeMap, BTreeSet};

use genai_evidence::drift::routed_events;
use serde_json::{Value, json};

use crate::template::{statements, strings, template};

const FUNCTION: &str = "CloudTrailDriftFunction";

/// A rule that invokes the drift function: its name, its pattern, its condition.
pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) pattern: Value,
    pub(crate) condition: Option<String>,
}

/// Every EventBridge rule targeting the function: the function's own `EventBridgeRule` events and
/// any `AWS::Events::Rule` whose target is the function.
pub(crate) fn drift_rules(t: &Value) -> Vec<Rule> {
    let mut rules = Vec::new();
    let events = t["Resources"][FUNCTION]["Properties"]["Events"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, event) in events {
        if event["Type"] == "EventBridgeRule" {
            rules.push(Rule {
                name,
                pattern: event["Properties"]["Pattern"].clone(),
                condition: None,
            });
        }
    }
    for (name, resource) in t["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::Events::Rule" {
            continue;
        }
        let targets_function = resource["Properties"]["Targets"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|target| target["Arn"] == json!({"Fn::GetAtt": [FUNCTION, "Arn"]}));
        if targets_function {
            rules.push(Rule {
                name: name.clone(),
                pattern: resource["Properties"]["EventPattern"].clone(),
                condition: resource["Condition"].as_str().map(str::to_owned),
            });
        }
    }
    rules
}

#[test]
fn the_drift_rules_route_exactly_the_calls_the_event_map_handles() {
    let t = template();
    let rules = drift_rules(&t);
    assert!(rules.len() >= 2, "a regional rule and an IAM rule");
    let mut routed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rule in &rules {
        let pattern = &rule.pattern;
        assert_eq!(
            strings(&pattern["detail-type"]),
            ["AWS API Call via CloudTrail"],
            "{}",
            rule.name
        );
        assert_eq!(
            pattern["detail"]["errorCode"],
            json!([{"exists": false}]),
            "{}: failed calls are filtered out by the rule",
            rule.name
        );
        let names = strings(&pattern["detail"]["eventName"]);
        assert!(!names.is_empty(), "{}: routes no eventName", rule.name);
        for source in strings(&pattern["source"]) {
            let set = routed.entry(source).or_default();
            for name in &names {
                assert!(
                    set.insert(name.clone()),
                    "{}: {name} routed twice",
                    rule.name
                );
            }
        }
    }
    let handled: BTreeMap<String, BTreeSet<String>> = routed_events()
        .into_iter()
        .map(|(source, names)| {
            (
                source.to_owned(),
                names.into_iter().map(str::to_owned).collect(),
            )
        })
        .collect();
    let mut problems = Vec::new();
    for (source, names) in &routed {
        let known = handled.get(source).cloned().unwrap_or_default();
        for name in names.difference(&known) {
            problems.push(format!(
                "the template routes {source} {name}, which the event map does not handle"
            ));
        }
    }
    for (source, names) in &handled {
        let listened = routed.get(source).cloned().unwrap_or_default();
        for name in names.difference(&listened) {
            problems.push(format!(
                "the event map handles {source} {name}, which no rule routes"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn iam_calls_are_routed_only_by_a_rule_deployed_in_us_east_1() {
    let t = template();
    assert_eq!(
        t["Conditions"]["IsUsEast1"],
        json!({"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]})
    );
    let rules = drift_rules(&t);
    let iam: Vec<&Rule> = rules
        .iter()
        .filter(|r| strings(&r.pattern["source"]).contains(&"aws.iam".to_owned()))
        .collect();
    assert_eq!(iam.len(), 1, "one IAM rule");
    assert_eq!(iam[0].condition.as_deref(), Some("IsUsEast1"));
    assert_eq!(
        strings(&iam[0].pattern["source"]),
        ["aws.iam"],
        "the IAM rule carries IAM only"
    );
    for rule in rules.iter().filter(|r| r.name != iam[0].name) {
        assert!(
            rule.condition.is_none(),
            "{}: regional rules exist in every region",
            rule.name
        );
    }
    // The explicit rule needs its own permission to invoke the function, under the same condition.
    let permission = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| {
            r["Type"] == "AWS::Lambda::Permission"
                && r["Properties"]["SourceArn"] == json!({"Fn::GetAtt": [iam[0].name, "Arn"]})
        })
        .expect("a permission for the IAM rule");
    assert_eq!(permission["Condition"], "IsUsEast1");
    assert_eq!(
        permission["Properties"]["Principal"],
        "events.amazonaws.com"
    );
}

#[test]
fn the_drift_function_is_granted_exactly_what_its_code_calls() {
    let t = template();
    let function = &t["Resources"][FUNCTION];
    assert_eq!(
        function["Metadata"]["BuildProperties"]["Binary"],
        "cloudtrail-drift"
    );
    let policies = function["Properties"]["Policies"].as_array().unwrap();
    // The read actions of the re-read are the readers', granted by the generated policy.
    assert!(
        policies.contains(&json!({"Ref": "CollectorReadPolicy"})),
        "the collectors' read policy is attached"
    );
    let statements = statements(&t, FUNCTION);
    let granted: BTreeSet<String> = statements
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    let mut needed: BTreeSet<String> = genai_evidence::triggers::cloudtrail_drift::REQUIRED_ACTIONS
        .iter()
        .chain(genai_evidence::adapters::ledger::REQUIRED_ACTIONS)
        .chain(genai_evidence::sinks::auditmanager::REQUIRED_ACTIONS)
        .chain(genai_evidence::sinks::securityhub::REQUIRED_ACTIONS)
        // A member's call (forwarded by member-role.yaml) is re-read with its member role.
        .chain(genai_evidence::member::REQUIRED_ACTIONS)
        .map(|a| a.to_string())
        .collect();
    // Lambda writes failed invocations to the KMS-encrypted dead-letter queue with the role.
    needed.extend(["kms:GenerateDataKey".to_owned(), "kms:Decrypt".to_owned()]);
    assert_eq!(granted, needed);
    crate::template::assert_member_role_only(&t, FUNCTION);
    for statement in statements {
        for action in strings(&statement["Action"]) {
            assert!(!action.contains('*'), "wildcard action {action}");
            assert_ne!(
                statement["Resource"],
                Value::String("*".into()),
                "{action} must be scoped"
            );
            if action.starts_with("dynamodb:") {
                assert_eq!(
                    statement["Resource"],
                    json!({"Fn::GetAtt": ["LedgerTable", "Arn"]})
                );
            }
        }
    }
    let variables = &function["Properties"]["Environment"]["Variables"];
    assert_eq!(variables["LEDGER_TABLE"], json!({"Ref": "LedgerTable"}));
    assert_eq!(variables["ASSESSMENT_ID"], json!({"Ref": "AssessmentId"}));
}

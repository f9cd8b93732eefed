//! The organization-wide suite in the templates against the code: `member-role.yaml`'s role grants
//! exactly what the suite reads a member with and trusts only the suite's function roles in the
//! organization, its rules forward exactly the calls `template.yaml`'s drift rules route, the
//! sweep-worker is granted exactly what its code calls and is polled from a KMS-encrypted queue
//! that redrives to its own dead-letter queue, and the organization Config rule runs the Config
//! rule function with the account rule's parameters.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::drift_template::drift_rules;
use crate::template::{
    FOURTEEN_DAYS, arn_of, assert_encrypted_dead_letter_queue, assert_encrypted_queue,
    assert_member_role_only, asynchronously_invoked, member_template, queue_policy,
    role_statements, statements, strings, template, translated,
};

const WORKER: &str = "SweepWorkerFunction";

/// The functions whose roles the member role trusts (SAM names each generated role
/// `<stack>-<LogicalId>Role-<suffix>`): exactly those granted `sts:AssumeRole` (the planner
/// lists accounts and enqueues; it reads no member).
const TRUSTED_FUNCTIONS: [&str; 3] = [
    "SweepWorkerFunction",
    "CloudTrailDriftFunction",
    "ConfigRuleFunction",
];

/// The suite's default bus in the member's region, where every forwarding rule sends.
const SUITE_BUS: &str =
    "arn:${AWS::Partition}:events:${AWS::Region}:${AdminAccountId}:event-bus/default";

#[test]
fn the_member_role_grants_exactly_the_readers_actions_and_trusts_only_the_suites_function_roles_in_the_organization()
 {
    let t = template();
    let m = member_template();
    let role = &m["Resources"]["MemberRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    let properties = &role["Properties"];
    assert_eq!(properties["RoleName"], json!({"Ref": "MemberRoleName"}));
    assert!(
        properties["Path"].is_null(),
        "the functions assume it by name alone"
    );
    assert!(properties["MaxSessionDuration"].as_u64().unwrap() <= 3600);
    // IAM is global: the named role is created by one region's stack instance only, or every
    // other region's would fail on the name.
    assert_eq!(role["Condition"], "CreatesMemberRole");
    assert_eq!(
        m["Conditions"]["CreatesMemberRole"],
        json!({"Fn::Equals": [{"Ref": "AWS::Region"}, {"Ref": "AdminRegion"}]})
    );

    // Both templates name the role alike and take the same external ids.
    assert_eq!(
        m["Parameters"]["MemberRoleName"]["Default"],
        genai_evidence::member::DEFAULT_ROLE_NAME
    );
    assert_eq!(
        m["Parameters"]["MemberRoleName"]["AllowedPattern"],
        t["Parameters"]["MemberRoleName"]["AllowedPattern"]
    );
    assert_eq!(
        m["Parameters"]["ExternalId"]["AllowedPattern"],
        t["Parameters"]["MemberExternalId"]["AllowedPattern"]
    );
    assert_eq!(m["Parameters"]["ExternalId"]["Default"], "");

    // One inline policy: exactly member::role_actions(), on "*", reads but the Config rule's
    // answer.
    assert!(
        properties["ManagedPolicyArns"].is_null(),
        "no managed policy"
    );
    assert!(properties["PermissionsBoundary"].is_null());
    let policies = properties["Policies"].as_array().unwrap();
    assert_eq!(policies.len(), 1, "one inline policy");
    let statements = policies[0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let mut granted: Vec<String> = statements
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    granted.sort();
    let listed = granted.len();
    granted.dedup();
    assert_eq!(granted.len(), listed, "no action granted twice");
    let needed = genai_evidence::member::role_actions();
    let missing: Vec<_> = needed.iter().filter(|a| !granted.contains(*a)).collect();
    let extra: Vec<_> = granted.iter().filter(|a| !needed.contains(*a)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, not needed {extra:?}: run `cargo run -q -p genai-evidence --bin catalog -- --actions | python3 tools/update_collector_policy.py`"
    );
    for statement in statements {
        assert_eq!(statement["Effect"], "Allow", "{statement}");
        assert_eq!(statement["Resource"], "*", "{statement}");
        assert!(
            statement["Condition"].is_null()
                && statement["NotAction"].is_null()
                && statement["NotResource"].is_null(),
            "{statement}"
        );
        for action in strings(&statement["Action"]) {
            assert!(!action.contains('*'), "wildcard action {action}");
            let verb = action.split(':').nth(1).unwrap_or_default();
            assert!(
                action == "config:PutEvaluations"
                    || ["Get", "List", "Describe", "BatchGet"]
                        .iter()
                        .any(|p| verb.starts_with(p)),
                "{action} is neither a read nor the Config rule's answer"
            );
        }
    }
    // The checks' reads are CollectorReadPolicy's, statement for statement.
    let collector =
        t["Resources"]["CollectorReadPolicy"]["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
    for read in collector {
        assert!(
            statements.contains(read),
            "CollectorReadPolicy's {} is not the member role's",
            read["Sid"]
        );
    }

    // Trust: the suite's account as the principal, narrowed to its three reading function roles, as
    // principals of the organization, with the external id when one is set. Nothing else.
    let trust = properties["AssumeRolePolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(trust.len(), 1, "one trust statement");
    let trust = &trust[0];
    assert_eq!(trust["Effect"], "Allow");
    assert_eq!(trust["Action"], "sts:AssumeRole");
    assert!(trust["NotPrincipal"].is_null() && trust["NotAction"].is_null());
    assert_eq!(
        trust["Principal"],
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AdminAccountId}:root"}})
    );
    let condition = trust["Condition"].as_object().unwrap();
    assert_eq!(
        condition
            .keys()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        BTreeSet::from(["ArnLike", "StringEquals"])
    );
    let equals = condition["StringEquals"].as_object().unwrap();
    assert_eq!(equals.len(), 2, "{equals:?}");
    assert_eq!(
        equals["aws:PrincipalOrgID"],
        json!({"Ref": "OrganizationId"})
    );
    assert_eq!(
        equals["sts:ExternalId"],
        json!({"Fn::If": ["HasExternalId", {"Ref": "ExternalId"}, {"Ref": "AWS::NoValue"}]})
    );
    assert_eq!(
        m["Conditions"]["HasExternalId"],
        json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "ExternalId"}, ""]}]})
    );
    assert_eq!(
        m["Parameters"]["OrganizationId"]["AllowedPattern"], "^o-[a-z0-9]{10,32}$",
        "the member role always names its organization"
    );
    let like = condition["ArnLike"].as_object().unwrap();
    assert_eq!(like.len(), 1, "{like:?}");
    let patterns: Vec<&str> = like["aws:PrincipalArn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Fn::Sub"].as_str().expect("a !Sub pattern"))
        .collect();
    let expected: Vec<String> = TRUSTED_FUNCTIONS
        .iter()
        .map(|f| {
            format!("arn:${{AWS::Partition}}:iam::${{AdminAccountId}}:role/${{SuiteStackName}}-{f}Role-*")
        })
        .collect();
    assert_eq!(patterns, expected);
    for pattern in &patterns {
        assert_eq!(
            pattern.matches('*').count(),
            1,
            "{pattern}: only the generated suffix is open"
        );
    }
    // A stack name CloudFormation would have to cut to fit a role name (64 characters) would
    // match no role: the longest role name, with a suffix of 13, must fit.
    let longest = TRUSTED_FUNCTIONS.iter().map(|f| f.len()).max().unwrap();
    let stack = m["Parameters"]["SuiteStackName"]["MaxLength"]
        .as_u64()
        .expect("SuiteStackName has a MaxLength") as usize;
    assert!(
        stack + 1 + longest + "Role".len() + 1 + 13 <= 64,
        "a {stack}-character stack name may be cut in a role name"
    );

    // The patterns name the suite's generated roles: each function's own, with no name or path
    // of the template's; and exactly the functions that may assume the role are trusted.
    let assuming: Vec<&str> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .filter(|(id, _)| {
            crate::template::statements(&t, id)
                .iter()
                .any(|s| strings(&s["Action"]).iter().any(|a| a == "sts:AssumeRole"))
        })
        .map(|(id, _)| id.as_str())
        .collect();
    let mut trusted = TRUSTED_FUNCTIONS.to_vec();
    trusted.sort_unstable();
    let mut assuming = assuming;
    assuming.sort_unstable();
    assert_eq!(assuming, trusted);
    let deployed = translated(&t);
    for function in TRUSTED_FUNCTIONS {
        let role = format!("{function}Role");
        assert_eq!(
            deployed["Resources"][function]["Properties"]["Role"],
            json!({"Fn::GetAtt": [role, "Arn"]}),
            "{function}: SAM generates its role"
        );
        let properties = &deployed["Resources"][role.as_str()]["Properties"];
        assert!(
            properties["RoleName"].is_null() && properties["Path"].is_null(),
            "{role}: named <stack>-{role}-<suffix> by CloudFormation"
        );
    }
    // The functions that assume it are trusted (the planner, trusted too, only lists the
    // organization and enqueues).
    let assuming: BTreeSet<&str> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .filter(|(name, _)| {
            statements_of(&t, name)
                .iter()
                .any(|s| strings(&s["Action"]).contains(&"sts:AssumeRole".to_owned()))
        })
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        assuming,
        BTreeSet::from([
            "CloudTrailDriftFunction",
            "ConfigRuleFunction",
            "SweepWorkerFunction"
        ])
    );
    assert!(assuming.iter().all(|f| TRUSTED_FUNCTIONS.contains(f)));
}

/// A function's inline statements, none when it has no `Policies`.
fn statements_of(t: &Value, function: &str) -> Vec<Value> {
    if t["Resources"][function]["Properties"]["Policies"].is_array() {
        statements(t, function)
    } else {
        Vec::new()
    }
}

#[test]
fn the_member_template_forwards_exactly_the_calls_the_drift_rules_route() {
    let t = template();
    let m = member_template();
    let mut unmatched: Vec<Value> = drift_rules(&t).into_iter().map(|r| r.pattern).collect();
    let forwarding: Vec<(&String, &Value)> = m["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Events::Rule")
        .collect();
    assert_eq!(
        forwarding.len(),
        unmatched.len(),
        "one forwarding rule per drift rule of template.yaml"
    );
    assert_eq!(
        m["Conditions"]["ForwardsDrift"],
        json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::AccountId"}, {"Ref": "AdminAccountId"}]}]}),
        "the suite's own account does not forward to itself"
    );
    assert_eq!(m["Conditions"]["IsUsEast1"], t["Conditions"]["IsUsEast1"]);
    assert_eq!(
        m["Conditions"]["ForwardsIamDrift"],
        json!({"Fn::And": [{"Condition": "ForwardsDrift"}, {"Condition": "IsUsEast1"}]})
    );
    let mut writers: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    for (name, rule) in &forwarding {
        let pattern = &rule["Properties"]["EventPattern"];
        let at = unmatched
            .iter()
            .position(|p| p == pattern)
            .unwrap_or_else(|| panic!("{name}: no drift rule of template.yaml has its pattern"));
        unmatched.remove(at);
        assert!(
            rule["Properties"]["EventBusName"].is_null(),
            "{name}: on the default bus, where CloudTrail's events are"
        );
        // IAM's events are delivered in us-east-1 only.
        let iam = strings(&pattern["source"]).contains(&"aws.iam".to_owned());
        let condition = if iam {
            "ForwardsIamDrift"
        } else {
            "ForwardsDrift"
        };
        assert_eq!(rule["Condition"], condition, "{name}");

        let targets = rule["Properties"]["Targets"].as_array().unwrap();
        assert_eq!(targets.len(), 1, "{name}: one target");
        let target = &targets[0];
        assert_eq!(
            target["Arn"],
            json!({ "Fn::Sub": SUITE_BUS }),
            "{name}: the suite's default bus"
        );
        assert_eq!(
            target["RoleArn"],
            json!({"Fn::GetAtt": ["DriftForwardingRole", "Arn"]}),
            "{name}"
        );
        let retry = &target["RetryPolicy"];
        let attempts = retry["MaximumRetryAttempts"].as_u64().unwrap();
        let age = retry["MaximumEventAgeInSeconds"].as_u64().unwrap();
        assert!((1..=185).contains(&attempts), "{name}: {attempts} attempts");
        assert!((60..=86_400).contains(&age), "{name}: {age} s");
        assert_eq!(
            arn_of(&target["DeadLetterConfig"]["Arn"]),
            Some("DriftForwardingDeadLetterQueue"),
            "{name}"
        );
        writers.insert(((*name).clone(), iam.then(|| "ForwardsIamDrift".to_owned())));
    }
    assert!(
        unmatched.is_empty(),
        "drift rules no member rule forwards: {unmatched:#?}"
    );

    // EventBridge puts the events with a role that may put them on that bus alone.
    let role = &m["Resources"]["DriftForwardingRole"];
    assert_eq!(role["Condition"], "ForwardsDrift");
    assert!(
        role["Properties"]["RoleName"].is_null(),
        "unnamed: each region's stack instance creates its own"
    );
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().unwrap().len(), 1);
    assert_eq!(
        trust[0]["Principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    assert_eq!(
        trust[0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let grants: Vec<&Value> = role["Properties"]["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap())
        .collect();
    assert_eq!(grants.len(), 1, "one statement");
    assert_eq!(strings(&grants[0]["Action"]), ["events:PutEvents"]);
    assert_eq!(grants[0]["Resource"], json!({ "Fn::Sub": SUITE_BUS }));

    // What EventBridge could not forward is kept 14 days, encrypted, in a queue only these rules
    // write, under the rules' own conditions.
    let queue = "DriftForwardingDeadLetterQueue";
    let properties = &m["Resources"][queue]["Properties"];
    assert_eq!(
        properties["KmsMasterKeyId"],
        json!({"Ref": "DriftForwardingKey"})
    );
    assert_eq!(
        properties["MessageRetentionPeriod"].as_u64(),
        Some(FOURTEEN_DAYS)
    );
    assert_eq!(
        m["Resources"]["DriftForwardingKey"]["Properties"]["EnableKeyRotation"],
        true
    );
    let statements = queue_policy(&m, queue)["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert!(
        statements.iter().any(|s| s["Effect"] == "Deny"
            && s["Principal"] == "*"
            && s["Action"] == "sqs:*"
            && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"),
        "{queue} denies requests without TLS"
    );
    let allows: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .collect();
    assert_eq!(allows.len(), 1, "{queue}: one Allow");
    assert_eq!(
        allows[0]["Principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    assert_eq!(allows[0]["Action"], "sqs:SendMessage");
    let sources: BTreeSet<(String, Option<String>)> =
        allows[0]["Condition"]["ArnEquals"]["aws:SourceArn"]
            .as_array()
            .unwrap()
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
    assert_eq!(sources, writers, "{queue}: who may send");
}

#[test]
fn the_sweep_worker_is_granted_exactly_what_its_code_calls_and_reports_partial_batch_failures() {
    let t = template();
    let function = &t["Resources"][WORKER];
    assert_eq!(
        function["Metadata"]["BuildProperties"]["Binary"],
        "sweep-worker"
    );
    let properties = &function["Properties"];
    let code: Vec<&str> = genai_evidence::triggers::organization::WORKER_ACTIONS
        .iter()
        .chain(genai_evidence::triggers::organization::POLLER_ACTIONS)
        .copied()
        .collect();
    assert_eq!(
        crate::template::granted_actions(&t, WORKER),
        crate::template::sweep_actions(&code)
    );
    assert!(
        properties["Policies"]
            .as_array()
            .unwrap()
            .contains(&json!({"Ref": "CollectorReadPolicy"})),
        "the suite's own account is read through CollectorReadPolicy, as the sweep reads it"
    );
    // What both call, the worker is granted as the sweep is: same resources, same conditions.
    let sweep = statements(&t, "ScheduledSweepFunction");
    for statement in statements(&t, WORKER) {
        for action in strings(&statement["Action"]) {
            assert!(!action.contains('*'), "wildcard action {action}");
            if action.starts_with("sqs:") {
                assert_eq!(
                    statement["Resource"],
                    json!({"Fn::GetAtt": ["SweepQueue", "Arn"]}),
                    "{action}: on SweepQueue alone"
                );
            } else if !action.starts_with("sts:") {
                let theirs = sweep
                    .iter()
                    .find(|s| strings(&s["Action"]).contains(&action))
                    .unwrap_or_else(|| panic!("{action}: the sweep is not granted it"));
                assert_eq!(statement["Resource"], theirs["Resource"], "{action}");
                assert_eq!(statement["Condition"], theirs["Condition"], "{action}");
            }
        }
    }
    assert_member_role_only(&t, WORKER);
    // The sweep's settings, and the organization's.
    assert_eq!(
        properties["Environment"]["Variables"],
        t["Resources"]["ScheduledSweepFunction"]["Properties"]["Environment"]["Variables"]
    );

    // Polled by an event source mapping of its own, not SAM's `Type: SQS` event, which would
    // attach AWSLambdaSQSQueueExecutionRole (the poller's actions on every queue).
    assert!(properties["Events"].is_null(), "no SAM event source");
    let deployed = translated(&t);
    let role = deployed["Resources"][WORKER]["Properties"]["Role"]["Fn::GetAtt"][0]
        .as_str()
        .unwrap();
    for managed in strings(&deployed["Resources"][role]["Properties"]["ManagedPolicyArns"]) {
        assert!(!managed.contains("SQS"), "{role}: {managed}");
    }
    for statement in role_statements(&deployed, WORKER) {
        for action in strings(&statement["Action"]) {
            if action.starts_with("sqs:") {
                assert_eq!(
                    statement["Resource"],
                    json!({"Fn::GetAtt": ["SweepQueue", "Arn"]}),
                    "{action}, as deployed"
                );
            }
        }
    }
    let mappings: Vec<&Value> = deployed["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Lambda::EventSourceMapping")
        .collect();
    assert_eq!(mappings.len(), 1, "one event source mapping");
    let mapping = &mappings[0]["Properties"];
    assert_eq!(mapping["FunctionName"], json!({"Ref": WORKER}));
    assert_eq!(arn_of(&mapping["EventSourceArn"]), Some("SweepQueue"));
    // Each unit is reported failed alone: the units done are deleted, not redone.
    assert_eq!(
        strings(&mapping["FunctionResponseTypes"]),
        ["ReportBatchItemFailures"]
    );
    let batch = mapping["BatchSize"].as_u64().unwrap();
    assert!((1..=10).contains(&batch), "batch of {batch}");
    assert_eq!(
        mapping["ScalingConfig"]["MaximumConcurrency"],
        json!({"Ref": "WorkerConcurrency"})
    );
    let concurrency = &t["Parameters"]["WorkerConcurrency"];
    assert_eq!(concurrency["Type"], "Number");
    assert_eq!(
        (
            concurrency["MinValue"].as_u64(),
            concurrency["MaxValue"].as_u64()
        ),
        (Some(2), Some(1000)),
        "Lambda's range for MaximumConcurrency"
    );
    assert!((2..=1000).contains(&concurrency["Default"].as_u64().unwrap()));
    // It polls only while the organization-wide sweep enqueues.
    assert_eq!(
        mapping["Enabled"],
        json!({"Fn::If": ["IsOrganizationSweep", true, false]})
    );
    assert_eq!(
        t["Conditions"]["IsOrganizationSweep"],
        json!({"Fn::Equals": [{"Ref": "OrganizationSweep"}, "enabled"]})
    );

    // A batch being handled is not delivered again: the queue hides it six times the function's
    // timeout (Lambda's advice), plus any batching window.
    let timeout = properties["Timeout"].as_u64().unwrap();
    assert!(timeout <= 900, "Lambda's limit");
    let visibility = t["Resources"]["SweepQueue"]["Properties"]["VisibilityTimeout"]
        .as_u64()
        .unwrap();
    let window = mapping["MaximumBatchingWindowInSeconds"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        visibility >= 6 * timeout + window,
        "visibility {visibility} s for a {timeout} s function"
    );
    assert!(visibility <= 43_200, "SQS's limit");

    // Polled, not invoked asynchronously: no EventInvokeConfig, and every other function is.
    assert!(properties["EventInvokeConfig"].is_null());
    let mut delivered = asynchronously_invoked(&t);
    assert!(!delivered.contains(WORKER));
    delivered.insert(WORKER.to_owned());
    let functions: BTreeSet<String> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(name, _)| name.clone())
        .collect();
    assert_eq!(
        functions, delivered,
        "every function is invoked asynchronously or polled"
    );
}

#[test]
fn the_sweep_queue_is_kms_encrypted_and_redrives_to_its_own_dead_letter_queue() {
    let t = template();
    assert_encrypted_queue(&t, "SweepQueue");
    assert_encrypted_dead_letter_queue(&t, "SweepQueueDeadLetterQueue");
    let queue = &t["Resources"]["SweepQueue"]["Properties"];
    let redrive = &queue["RedrivePolicy"];
    assert_eq!(
        arn_of(&redrive["deadLetterTargetArn"]),
        Some("SweepQueueDeadLetterQueue")
    );
    let receives = redrive["maxReceiveCount"].as_u64().unwrap();
    assert!(
        receives >= 5,
        "{receives} receives: Lambda's advice is at least 5, so throttling alone does not dead-letter a unit"
    );
    // Kept long enough to reach the dead-letter queue (a receive each visibility timeout), and
    // shorter than the dead-letter queue keeps it: a standard queue's dead letter keeps its
    // first enqueue time.
    let retention = queue["MessageRetentionPeriod"].as_u64().unwrap();
    let visibility = queue["VisibilityTimeout"].as_u64().unwrap();
    assert!(
        retention >= 2 * receives * visibility,
        "{retention} s is too short to dead-letter a unit"
    );
    assert!(retention < FOURTEEN_DAYS, "{retention} s");

    // Only SweepQueue may redrive into its dead-letter queue, and no other queue does.
    let allow = &t["Resources"]["SweepQueueDeadLetterQueue"]["Properties"]["RedriveAllowPolicy"];
    assert_eq!(allow["redrivePermission"], "byQueue");
    let name = queue["QueueName"]["Fn::Sub"]
        .as_str()
        .expect("SweepQueue is named, so its dead-letter queue can name it");
    assert_eq!(
        allow["sourceQueueArnList"],
        json!([{
            "Fn::Sub": format!("arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{name}")
        }])
    );
    for (id, resource) in t["Resources"].as_object().unwrap() {
        if resource["Type"] == "AWS::SQS::Queue" && id != "SweepQueue" {
            assert_ne!(
                arn_of(&resource["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]),
                Some("SweepQueueDeadLetterQueue"),
                "{id}"
            );
        }
    }

    // The planner and the worker send to it, and no other function.
    for (id, resource) in t["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let sends = statements_of(&t, id).iter().any(|s| {
            s["Resource"] == json!({"Fn::GetAtt": ["SweepQueue", "Arn"]})
                && strings(&s["Action"]).contains(&"sqs:SendMessage".to_owned())
        });
        let expected = id == "ScheduledSweepFunction" || id == WORKER;
        assert_eq!(sends, expected, "{id} sends units");
        if expected {
            assert_eq!(
                resource["Properties"]["Environment"]["Variables"]["SWEEP_QUEUE_URL"],
                json!({"Ref": "SweepQueue"}),
                "{id}"
            );
        }
    }
}

#[test]
fn the_organization_config_rule_runs_the_config_rule_function_with_the_same_parameters_and_members_may_invoke_it()
 {
    let t = template();
    let account_rule = &t["Resources"]["GenAiControlsRule"]["Properties"];
    let rule = &t["Resources"]["GenAiControlsOrganizationRule"];
    assert_eq!(rule["Type"], "AWS::Config::OrganizationConfigRule");
    assert_eq!(rule["Condition"], "IsOrganization");
    assert_eq!(
        t["Conditions"]["IsOrganization"],
        json!({"Fn::And": [{"Condition": "IsOrganizationSweep"}, {"Condition": "HasOrganizationId"}]})
    );
    let properties = &rule["Properties"];
    let metadata = &properties["OrganizationCustomRuleMetadata"];
    assert_eq!(
        metadata["LambdaFunctionArn"],
        json!({"Fn::GetAtt": ["ConfigRuleFunction", "Arn"]})
    );
    // The account rule's parameters text (one source of rule parameters), triggers, frequency
    // and resource types.
    assert_eq!(metadata["InputParameters"], account_rule["InputParameters"]);
    let details = account_rule["Source"]["SourceDetails"].as_array().unwrap();
    let messages: BTreeSet<String> = details
        .iter()
        .filter_map(|d| d["MessageType"].as_str())
        .map(str::to_owned)
        .collect();
    let triggers: BTreeSet<String> = strings(&metadata["OrganizationConfigRuleTriggerTypes"])
        .into_iter()
        .collect();
    assert_eq!(triggers, messages);
    let frequency = details
        .iter()
        .find(|d| d["MessageType"] == "ScheduledNotification")
        .unwrap();
    assert_eq!(
        metadata["MaximumExecutionFrequency"],
        frequency["MaximumExecutionFrequency"]
    );
    assert_eq!(
        strings(&metadata["ResourceTypesScope"]),
        strings(&account_rule["Scope"]["ComplianceResourceTypes"])
    );
    // This account is evaluated by the account rule, once; the two rules' names differ.
    assert_eq!(
        properties["ExcludedAccounts"],
        json!([{"Ref": "AWS::AccountId"}])
    );
    assert_ne!(
        properties["OrganizationConfigRuleName"],
        account_rule["ConfigRuleName"]
    );

    // Config of the member accounts may invoke the function (no SourceAccount names them all,
    // and aws:PrincipalOrgID is not set for a service principal); what holds an outsider's
    // event is the member role, assumed only inside the organization (aws:ResourceOrgID on the
    // function's sts:AssumeRole). The account rule's permission stays this account's.
    assert_eq!(rule["DependsOn"], "ConfigRuleOrganizationInvokePermission");
    let permission = &t["Resources"]["ConfigRuleOrganizationInvokePermission"];
    assert_eq!(permission["Type"], "AWS::Lambda::Permission");
    assert_eq!(permission["Condition"], "IsOrganization");
    let p = &permission["Properties"];
    assert_eq!(p["Action"], "lambda:InvokeFunction");
    assert_eq!(p["Principal"], "config.amazonaws.com");
    assert!(p["PrincipalOrgID"].is_null() && p["SourceAccount"].is_null());
    let assume = crate::template::statements(&t, "ConfigRuleFunction")
        .into_iter()
        .find(|s| crate::template::strings(&s["Action"]) == ["sts:AssumeRole"])
        .expect("the Config rule may assume the member role");
    assert_eq!(
        assume["Condition"]["StringEquals"]["aws:ResourceOrgID"],
        json!({"Ref": "OrganizationId"}),
        "{assume}"
    );
    assert_eq!(
        p["FunctionName"],
        json!({"Fn::GetAtt": ["ConfigRuleFunction", "Arn"]})
    );
    assert_eq!(
        t["Resources"]["ConfigRuleInvokePermission"]["Properties"]["SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    // OrganizationSweep enabled without an organization is refused at deploy time.
    let check = &t["Rules"]["OrganizationSweepNamesTheOrganization"];
    assert_eq!(
        check["RuleCondition"],
        json!({"Fn::Equals": [{"Ref": "OrganizationSweep"}, "enabled"]})
    );
    assert_eq!(
        check["Assertions"][0]["Assert"],
        json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]})
    );
    // The function reads a member's items and puts its evaluations with the member role.
    assert_member_role_only(&t, "ConfigRuleFunction");
}

/// The members forward their calls to this account's default bus: any account of the
/// organization may put events there, no one else, and only with the organization enabled.
#[test]
fn the_organization_may_put_its_drift_events_on_the_suites_default_bus() {
    let t = template();
    let policy = &t["Resources"]["OrganizationDriftBusPolicy"];
    assert_eq!(policy["Type"], "AWS::Events::EventBusPolicy");
    assert_eq!(policy["Condition"], "IsOrganization");
    let properties = &policy["Properties"];
    assert_eq!(properties["EventBusName"], "default");
    let statement = &properties["Statement"];
    assert_eq!(statement["Effect"], "Allow");
    assert_eq!(statement["Action"], "events:PutEvents");
    assert_eq!(
        statement["Resource"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"})
    );
    assert_eq!(
        statement["Condition"],
        json!({"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}})
    );
    // The drift rules match a member's events: no rule names an account.
    for rule in drift_rules(&t) {
        assert!(
            rule.pattern["account"].is_null(),
            "{}: matches the members' forwarded events too",
            rule.name
        );
    }
}

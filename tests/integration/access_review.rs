//! The access-review function end to end: IAM users, groups, roles, inline and managed policies
//! and access keys on moto; the calls moto does not implement (`GenerateServiceLastAccessedDetails`,
//! `GetServiceLastAccessedDetails`, `ListServiceSpecificCredentials`, Config's
//! `PutExternalEvaluation`) served by `aws-smithy-mocks` rules that assert the exact calls; the
//! evidence read back from the project's Audit Manager emulator; the HTML review rendered by
//! headless Chromium.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_emulator::{DEMO_ASSESSMENT_ID, Emulator, Seed};
use aws_sdk_config::operation::put_external_evaluation::PutExternalEvaluationOutput;
use aws_sdk_config::types::ComplianceType;
use aws_sdk_iam::operation::generate_service_last_accessed_details::GenerateServiceLastAccessedDetailsOutput;
use aws_sdk_iam::operation::get_service_last_accessed_details::GetServiceLastAccessedDetailsOutput;
use aws_sdk_iam::operation::list_service_specific_credentials::ListServiceSpecificCredentialsOutput;
use aws_sdk_iam::types::{
    JobStatusType, ServiceLastAccessed, ServiceSpecificCredentialMetadata, StatusType,
};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_types::DateTime;
use genai_evidence::adapters::ledger::Ledger;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::recorder::{Budget, Recorder};
use genai_evidence::review::{Flag, PrincipalKind, Review};
use genai_evidence::sinks::auditmanager::AuditManagerSink;
use genai_evidence::sinks::reports::ReportStore;
use genai_evidence::triggers::access_review::{
    AccessReviewError, AccessReviewHandler, ReviewClients, ReviewOptions, ReviewSummary,
};
use serde_json::{Value, json};

use crate::support::fast_retries;

const TABLE: &str = "review-ledger";
const BUCKET: &str = "review-evidence";
const ACCOUNT: &str = rig::ACCOUNT_ID;
pub(crate) const INVOKED_BY: &str =
    "Lambda request test (the caller is in CloudTrail's Invoke record)";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn date(text: &str) -> DateTime {
    DateTime::from_millis(Timestamp::parse(text).unwrap().epoch_millis())
}

pub(crate) struct Rig {
    pub(crate) moto: rig::Moto,
    _emulator: Emulator,
    pub(crate) moto_aws: aws_config::SdkConfig,
    emulator_aws: aws_config::SdkConfig,
    suite_key: String,
}

const INVOKE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"InvokeClaude","Effect":"Allow","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],"Resource":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"}]}"#;
const BEDROCK_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"EverythingBedrock","Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}"#;
const S3_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Publish","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-website/*"}]}"#;

fn trust(principal: Value) -> String {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":principal,"Action":"sts:AssumeRole"}]}).to_string()
}

impl Rig {
    pub(crate) async fn start() -> Self {
        let moto = rig::Moto::start().expect("moto starts");
        let moto_aws = rig::sdk_config(moto.endpoint(), 3).await;
        rig::estate::ledger_table(&moto_aws, TABLE).await.unwrap();
        let suite_key = rig::estate::evidence_bucket(&moto_aws, BUCKET)
            .await
            .unwrap();
        let emulator = Emulator::start(Seed::default_genai(), Some(moto.endpoint().to_owned()))
            .await
            .expect("emulator starts");
        let emulator_aws = rig::sdk_config(&emulator.endpoint(), 3).await;
        let rig = Self {
            moto,
            _emulator: emulator,
            moto_aws,
            emulator_aws,
            suite_key,
        };
        rig.seed_iam().await;
        rig
    }

    fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.moto_aws)
    }

    /// Roles (one invoking a model, one with bedrock:* trusted by another account, one with
    /// S3 only), a user with an inline invoke policy and an access key, and a group with a managed
    /// policy granting sagemaker:* and a member.
    async fn seed_iam(&self) {
        let iam = self.iam();
        let service = trust(json!({"Service": "bedrock.amazonaws.com"}));
        let other = trust(json!({"AWS": "arn:aws:iam::999988887777:root"}));
        for (role, trust, policy) in [
            ("acme-bedrock-app", &service, INVOKE),
            ("acme-legacy-ml", &other, BEDROCK_ALL),
            ("acme-web-deployer", &service, S3_ONLY),
        ] {
            iam.create_role()
                .role_name(role)
                .assume_role_policy_document(trust.as_str())
                .send()
                .await
                .unwrap();
            iam.put_role_policy()
                .role_name(role)
                .policy_name("access")
                .policy_document(policy)
                .send()
                .await
                .unwrap();
        }
        iam.create_user().user_name("alice").send().await.unwrap();
        iam.put_user_policy()
            .user_name("alice")
            .policy_name("invoke")
            .policy_document(INVOKE)
            .send()
            .await
            .unwrap();
        iam.create_access_key()
            .user_name("alice")
            .send()
            .await
            .unwrap();
        iam.create_group().group_name("ml").send().await.unwrap();
        let managed = iam
            .create_policy()
            .policy_name("ml-sagemaker-all")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllSageMaker","Effect":"Allow","Action":"sagemaker:*","Resource":"*"}]}"#,
            )
            .send()
            .await
            .unwrap();
        iam.attach_group_policy()
            .group_name("ml")
            .policy_arn(managed.policy().unwrap().arn().unwrap())
            .send()
            .await
            .unwrap();
        self.seed_identity_center(managed.policy().unwrap().policy_name().unwrap())
            .await;
        iam.create_user().user_name("bob").send().await.unwrap();
        iam.add_user_to_group()
            .group_name("ml")
            .user_name("bob")
            .send()
            .await
            .unwrap();
    }

    /// A permission set provisioned to the account and assigned to an Identity Center group: an
    /// inline invoke policy and a reference to the account's `customer_policy`.
    async fn seed_identity_center(&self, customer_policy: &str) {
        let sso = aws_sdk_ssoadmin::Client::new(&self.moto_aws);
        let instances = sso.list_instances().send().await.unwrap();
        let instance = instances.instances()[0].instance_arn().unwrap().to_owned();
        let set = sso
            .create_permission_set()
            .instance_arn(&instance)
            .name("MLEngineers")
            // moto answers its default (the number 3600) where the API has an ISO 8601 text.
            .session_duration("PT1H")
            .send()
            .await
            .unwrap();
        let set = set
            .permission_set()
            .unwrap()
            .permission_set_arn()
            .unwrap()
            .to_owned();
        sso.put_inline_policy_to_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&set)
            .inline_policy(INVOKE)
            .send()
            .await
            .unwrap();
        sso.attach_customer_managed_policy_reference_to_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&set)
            .customer_managed_policy_reference(
                aws_sdk_ssoadmin::types::CustomerManagedPolicyReference::builder()
                    .name(customer_policy)
                    .path("/")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        sso.provision_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&set)
            .target_type(aws_sdk_ssoadmin::types::ProvisionTargetType::AwsAccount)
            .target_id(ACCOUNT)
            .send()
            .await
            .unwrap();
        sso.create_account_assignment()
            .instance_arn(&instance)
            .target_id(ACCOUNT)
            .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
            .permission_set_arn(&set)
            .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
            .principal_id("9a67ml00-engineers")
            .send()
            .await
            .unwrap();
    }

    fn store(&self) -> ReportStore {
        ReportStore::new(
            rig::s3_client(&self.moto_aws),
            BUCKET,
            Some(self.suite_key.clone()),
        )
    }

    fn handler(&self, gaps: &Gaps) -> AccessReviewHandler {
        let recorder = Recorder::new(
            Ledger::new(aws_sdk_dynamodb::Client::new(&self.moto_aws), TABLE),
            AuditManagerSink::new(
                aws_sdk_auditmanager::Client::new(&self.emulator_aws),
                DEMO_ASSESSMENT_ID.to_owned(),
                BTreeMap::new(),
                fast_retries(),
            ),
            Some(self.store()),
            Budget::default(),
        );
        AccessReviewHandler::new(
            ReviewClients {
                iam: self.iam(),
                iam_gaps: gaps.iam.clone(),
                config: gaps.config.clone(),
                sso_admin: gaps
                    .sso_admin
                    .clone()
                    .unwrap_or_else(|| aws_sdk_ssoadmin::Client::new(&self.moto_aws)),
            },
            recorder,
            self.store(),
            ReviewOptions {
                poll_budget: std::time::Duration::from_millis(500),
                config_rule: Some("genai-evidence-access-review".into()),
                ..ReviewOptions::default()
            },
        )
    }

    /// Every evidence item on SECAI3.8: its text or its `s3ResourcePath`.
    async fn secai3_8(&self) -> Vec<String> {
        let am = aws_sdk_auditmanager::Client::new(&self.emulator_aws);
        let mut out: Vec<String> = crate::crash::evidence(&am)
            .await
            .into_iter()
            .filter(|(control, field, _)| {
                control.contains("SECAI3.8")
                    && (field == "s3ResourcePath" || field == "textResponse")
            })
            .map(|(_, _, value)| value)
            .collect();
        out.sort();
        out
    }

    async fn review(&self, id: &str) -> Review {
        self.store()
            .get_json(&format!("access-review/{id}/review.json"))
            .await
            .unwrap()
    }

    async fn object(&self, key: &str) -> (String, String) {
        let out = rig::s3_client(&self.moto_aws)
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .unwrap();
        let sse = out
            .server_side_encryption()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        let body = out.body.collect().await.unwrap().into_bytes();
        (String::from_utf8(body.to_vec()).unwrap(), sse)
    }
}

/// The calls moto lacks, served by mocks that count what they were asked.
pub(crate) struct Gaps {
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) config: aws_sdk_config::Client,
    /// Identity Center, when not moto's (a denied one).
    sso_admin: Option<aws_sdk_ssoadmin::Client>,
    rules: Vec<(String, Rule)>,
}

impl Gaps {
    pub(crate) fn calls(&self, name: &str) -> usize {
        self.rules
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, r)| r.num_calls())
            .sum()
    }
}

fn service_use(namespace: &str, last: Option<&str>) -> ServiceLastAccessed {
    ServiceLastAccessed::builder()
        .service_name(namespace)
        .service_namespace(namespace)
        .set_last_authenticated(last.map(date))
        .total_authenticated_entities(i32::from(last.is_some()))
        .build()
        .unwrap()
}

/// Jobs for every principal (`legacy_done`: whether acme-legacy-ml's report is ready; when it
/// is, it last used Bedrock in January), alice's Bedrock API key (no expiry), and the Config
/// process check.
pub(crate) fn gaps(legacy_done: bool) -> Gaps {
    let mut rules: Vec<(String, Rule)> = Vec::new();
    let principals = [
        ("role", "acme-bedrock-app", Some("2026-12-01T08:00:00Z")),
        ("role", "acme-legacy-ml", Some("2026-01-15T00:00:00Z")),
        ("user", "alice", Some("2026-12-02T08:00:00Z")),
        ("user", "bob", None),
        ("group", "ml", None),
        ("role", "acme-agent-runtime", Some("2026-12-03T08:00:00Z")),
    ];
    for (kind, name, last) in principals {
        let principal = arn(kind, name);
        let job = format!("job-{name}");
        let job_for_rule = job.clone();
        rules.push((
            "generate".into(),
            mock!(aws_sdk_iam::Client::generate_service_last_accessed_details)
                .match_requests(move |r| r.arn() == Some(principal.as_str()))
                .then_output(move || {
                    GenerateServiceLastAccessedDetailsOutput::builder()
                        .job_id(job_for_rule.clone())
                        .build()
                }),
        ));
        let ready = legacy_done || name != "acme-legacy-ml";
        let job_for_read = job.clone();
        rules.push((
            "get".into(),
            mock!(aws_sdk_iam::Client::get_service_last_accessed_details)
                .match_requests(move |r| r.job_id() == Some(job_for_read.as_str()))
                .then_output(move || {
                    let now = date("2026-12-03T00:00:00Z");
                    let builder = GetServiceLastAccessedDetailsOutput::builder()
                        .job_creation_date(now)
                        // Required by the SDK's builder even while the job runs.
                        .job_completion_date(now)
                        .is_truncated(false);
                    if ready {
                        builder
                            .job_status(JobStatusType::Completed)
                            .services_last_accessed(service_use("bedrock", last))
                            .services_last_accessed(service_use("s3", Some("2026-12-02T00:00:00Z")))
                            .build()
                            .unwrap()
                    } else {
                        builder
                            .job_status(JobStatusType::InProgress)
                            .set_services_last_accessed(Some(Vec::new()))
                            .build()
                            .unwrap()
                    }
                }),
        ));
    }
    rules.push((
        "keys".into(),
        mock!(aws_sdk_iam::Client::list_service_specific_credentials)
            .match_requests(|r| {
                r.user_name() == Some("alice") && r.service_name() == Some("bedrock.amazonaws.com")
            })
            .then_output(|| {
                ListServiceSpecificCredentialsOutput::builder()
                    .service_specific_credentials(
                        ServiceSpecificCredentialMetadata::builder()
                            .user_name("alice")
                            .status(StatusType::Active)
                            .service_user_name(format!("alice-at-{ACCOUNT}"))
                            .create_date(date("2026-03-01T00:00:00Z"))
                            .service_specific_credential_id("ACCAALICEBEDROCKKEY1")
                            .service_name("bedrock.amazonaws.com")
                            .build()
                            .unwrap(),
                    )
                    .is_truncated(false)
                    .build()
            }),
    ));
    rules.push((
        "keys".into(),
        mock!(aws_sdk_iam::Client::list_service_specific_credentials)
            .match_requests(|r| r.user_name() != Some("alice"))
            .then_output(|| {
                ListServiceSpecificCredentialsOutput::builder()
                    .set_service_specific_credentials(Some(Vec::new()))
                    .is_truncated(false)
                    .build()
            }),
    ));
    let mut iam_interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for (_, rule) in &rules {
        iam_interceptor = iam_interceptor.with_rule(rule);
    }
    let mut config_rules = Vec::new();
    for (name, compliance) in [
        ("config-compliant", ComplianceType::Compliant),
        ("config-non-compliant", ComplianceType::NonCompliant),
    ] {
        config_rules.push((
            name.to_owned(),
            mock!(aws_sdk_config::Client::put_external_evaluation)
                .match_requests(move |r| {
                    r.config_rule_name() == Some("genai-evidence-access-review")
                        && r.external_evaluation().is_some_and(|e| {
                            e.compliance_resource_type() == "AWS::::Account"
                                && e.compliance_resource_id() == ACCOUNT
                                && *e.compliance_type() == compliance
                        })
                })
                .then_output(|| PutExternalEvaluationOutput::builder().build()),
        ));
    }
    let mut config_interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for (_, rule) in &config_rules {
        config_interceptor = config_interceptor.with_rule(rule);
    }
    rules.extend(config_rules);
    let iam = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new(rig::REGION))
            .credentials_provider(aws_sdk_iam::config::Credentials::new(
                "testing", "testing", None, None, "mock",
            ))
            .http_client(create_mock_http_client())
            .interceptor(iam_interceptor)
            .build(),
    );
    let config = aws_sdk_config::Client::from_conf(
        aws_sdk_config::Config::builder()
            .behavior_version(aws_sdk_config::config::BehaviorVersion::latest())
            .region(aws_sdk_config::config::Region::new(rig::REGION))
            .credentials_provider(aws_sdk_config::config::Credentials::new(
                "testing", "testing", None, None, "mock",
            ))
            .http_client(create_mock_http_client())
            .interceptor(config_interceptor)
            .build(),
    );
    Gaps {
        iam,
        config,
        sso_admin: None,
        rules,
    }
}

pub(crate) fn schedule() -> Value {
    rig::event("access-review-schedule")
}

/// The next month's schedule event (EventBridge gives each its own id).
fn next_month() -> Value {
    let mut event = schedule();
    event["id"] = json!("0b8e2a4c-7d1f-4c3e-9a6b-5e2f8d1c3a70");
    event
}

pub(crate) fn attestation(review: &Review) -> Value {
    let decisions: Vec<Value> = review
        .flagged()
        .map(|p| json!({"principal": p.arn, "decision": if p.kind == PrincipalKind::BedrockApiKey { "revoke" } else { "keep" }}))
        .collect();
    json!({"attestation": {"review_id": review.id, "reviewer": "carol.auditor@example.com", "decisions": decisions, "note": "monthly review"}})
}

async fn run(rig: &Rig, gaps: &Gaps, event: &Value) -> ReviewSummary {
    rig.handler(gaps).handle(event, INVOKED_BY).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_lists_who_may_use_genai_flags_the_risky_and_is_filed_once_on_secai3_8() {
    let rig = Rig::start().await;

    // First invocation: every job started, one report not ready: the review waits for it.
    let waiting = gaps(false);
    let first = run(&rig, &waiting, &schedule()).await;
    assert_eq!(first.status, "collecting", "{first:#?}");
    assert_eq!(first.pending_jobs, 1);
    assert_eq!(
        waiting.calls("generate"),
        5,
        "one job per principal with GenAI access"
    );
    assert!(
        rig.secai3_8().await.is_empty(),
        "nothing is filed before the review is complete"
    );

    // The continuation collects it and publishes.
    let ready = gaps(true);
    let published = run(&rig, &ready, &json!({"continue": true})).await;
    assert_eq!(published.status, "published", "{published:#?}");
    assert_eq!(ready.calls("generate"), 0, "the jobs are not started again");
    let id = published.review_id.clone().unwrap();
    let review = rig.review(&id).await;
    let listed: Vec<(PrincipalKind, &str)> = {
        let mut v: Vec<_> = review
            .principals
            .iter()
            .map(|p| (p.kind, p.name.as_str()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        listed,
        [
            (PrincipalKind::User, "alice"),
            (PrincipalKind::User, "bob"),
            (PrincipalKind::Group, "ml"),
            (PrincipalKind::Role, "acme-bedrock-app"),
            (PrincipalKind::Role, "acme-legacy-ml"),
            (PrincipalKind::BedrockApiKey, "ACCAALICEBEDROCKKEY1"),
            (PrincipalKind::PermissionSet, "MLEngineers"),
        ],
        "exactly the principals granting GenAI actions (not the S3-only role)"
    );
    let app = review.principal(&arn("role", "acme-bedrock-app")).unwrap();
    assert_eq!(app.grants.len(), 1);
    assert_eq!(app.grants[0].statement, "InvokeClaude");
    assert_eq!(app.grants[0].policy, "inline policy \"access\"");
    assert!(app.flags.is_empty(), "{:?}", app.flags);
    assert_eq!(app.last_genai_use(), Some("2026-12-01T08:00:00.000Z"));
    let legacy = review.principal(&arn("role", "acme-legacy-ml")).unwrap();
    assert!(
        legacy
            .flags
            .iter()
            .any(|f| matches!(f, Flag::Unused { days: Some(d) } if *d > 300)),
        "last used Bedrock in January: {:?}",
        legacy.flags
    );
    assert!(
        legacy.flags.contains(&Flag::BroadGrant) && legacy.flags.contains(&Flag::CrossAccountTrust)
    );
    assert_eq!(legacy.trusted_accounts, ["999988887777"]);
    let key = review
        .principals
        .iter()
        .find(|p| p.kind == PrincipalKind::BedrockApiKey)
        .unwrap();
    assert_eq!(key.flags, [Flag::LongTermApiKey]);
    let set = review
        .principals
        .iter()
        .find(|p| p.kind == PrincipalKind::PermissionSet)
        .unwrap();
    assert_eq!(set.assignments, ["GROUP 9a67ml00-engineers"]);
    let statements: Vec<&str> = set.grants.iter().map(|g| g.statement.as_str()).collect();
    assert_eq!(
        statements,
        ["InvokeClaude", "AllSageMaker"],
        "{:?}",
        set.grants
    );
    assert!(set.flags.contains(&Flag::BroadGrant));
    assert!(review.notes.is_empty(), "{:?}", review.notes);
    let bob = review.principal(&arn("user", "bob")).unwrap();
    assert!(
        bob.grants[0].policy.contains("group ml's managed policy")
            && bob.grants[0].policy.ends_with("ml-sagemaker-all")
            && bob.grants[0].broad
    );

    // The objects, encrypted; the evidence: the summary and two paths, once.
    assert_eq!(published.objects.len(), 3);
    for file in ["review.json", "review.csv", "review.html"] {
        let (_, sse) = rig.object(&format!("access-review/{id}/{file}")).await;
        assert_eq!(sse, "aws:kms", "{file}");
    }
    let (csv, _) = rig.object(&format!("access-review/{id}/review.csv")).await;
    assert!(
        csv.lines()
            .any(|l| l.contains("acme-legacy-ml") && l.contains("EverythingBedrock")),
        "{csv}"
    );
    let evidence = rig.secai3_8().await;
    assert_eq!(evidence.len(), 3, "{evidence:#?}");
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("SECAI3.8 periodic access review")
                && e.contains("Riskiest first: IAM role acme-legacy-ml")),
        "{evidence:#?}"
    );
    assert!(evidence.contains(&format!("s3://{BUCKET}/access-review/{id}/review.html")));

    // A continuation with nothing in progress does nothing.
    let idle = run(&rig, &ready, &json!({"continue": true})).await;
    assert_eq!(idle.status, "idle");
    assert_eq!(rig.secai3_8().await, evidence);

    // Sign-off: malformed ones are clear errors that file nothing.
    let good = attestation(&review);
    let mut unknown_review = good.clone();
    unknown_review["attestation"]["review_id"] =
        json!("access-review-123456789012-20260101T000000Z");
    let mut unknown_principal = good.clone();
    unknown_principal["attestation"]["decisions"][0]["principal"] = json!(arn("user", "mallory"));
    let mut missing = good.clone();
    missing["attestation"]["decisions"]
        .as_array_mut()
        .unwrap()
        .pop();
    let mut no_decision = good.clone();
    no_decision["attestation"]["decisions"][0]
        .as_object_mut()
        .unwrap()
        .remove("decision");
    for (bad, says) in [
        (&unknown_review, "unknown review id"),
        (&unknown_principal, "is not a principal of review"),
        (&missing, "no decision for flagged principal"),
        (&no_decision, "missing field `decision`"),
    ] {
        let err = rig
            .handler(&ready)
            .handle(bad, INVOKED_BY)
            .await
            .unwrap_err();
        assert!(matches!(err, AccessReviewError::Attestation(_)), "{err}");
        assert_eq!(err.error_type(), "InvalidAttestation");
        assert!(err.to_string().contains(says), "{err}");
    }
    assert_eq!(
        rig.secai3_8().await,
        evidence,
        "a refused sign-off files nothing"
    );
    assert_eq!(ready.calls("config-compliant"), 0);

    // A valid one is filed once, recorded in the ledger and on the Config process check.
    let signed = run(&rig, &ready, &good).await;
    assert_eq!(signed.status, "signed", "{signed:#?}");
    assert_eq!(ready.calls("config-compliant"), 1);
    let after = rig.secai3_8().await;
    assert_eq!(after.len(), 4);
    assert!(
        after.iter().any(
            |e| e.contains("signed off by carol.auditor@example.com") && e.contains(INVOKED_BY)
        ),
        "{after:#?}"
    );
    let again = run(&rig, &ready, &good).await;
    assert_eq!(again.status, "already_signed");
    assert_eq!(
        rig.secai3_8().await,
        after,
        "a repeated sign-off files nothing new"
    );
    assert_eq!(ready.calls("config-compliant"), 1);
    let (html, _) = rig.object(&format!("access-review/{id}/review.html")).await;
    assert!(html.contains("signed off by carol.auditor@example.com"));
    let (state_version, state) = Ledger::new(aws_sdk_dynamodb::Client::new(&rig.moto_aws), TABLE)
        .get_versioned(genai_evidence::triggers::access_review::STATE_KEY)
        .await
        .unwrap();
    assert!(state_version > 0);
    assert_eq!(
        state.unwrap()["latest"]["signed"]["attestation"]["reviewer"],
        "carol.auditor@example.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_review_shows_what_changed_and_an_unsigned_one_past_its_deadline_is_non_compliant()
{
    let rig = Rig::start().await;
    let mut ready = gaps(true);
    // Not the organization's Identity Center administrator: the review says what it could not read.
    let denied = mock!(aws_sdk_ssoadmin::Client::list_instances).then_error(|| {
        aws_sdk_ssoadmin::operation::list_instances::ListInstancesError::AccessDeniedException(
            aws_sdk_ssoadmin::types::error::AccessDeniedException::builder()
                .message("User is not authorized to perform sso:ListInstances")
                .meta(
                    aws_smithy_types::error::ErrorMetadata::builder()
                        .code("AccessDeniedException")
                        .message("User is not authorized to perform sso:ListInstances")
                        .build(),
                )
                .build(),
        )
    });
    ready.sso_admin = Some(aws_sdk_ssoadmin::Client::from_conf(
        aws_sdk_ssoadmin::Config::builder()
            .behavior_version(aws_sdk_ssoadmin::config::BehaviorVersion::latest())
            .region(aws_sdk_ssoadmin::config::Region::new(rig::REGION))
            .credentials_provider(aws_sdk_ssoadmin::config::Credentials::new(
                "testing", "testing", None, None, "mock",
            ))
            .http_client(create_mock_http_client())
            .interceptor(MockResponseInterceptor::new().with_rule(&denied))
            .build(),
    ));
    let first = run(&rig, &ready, &schedule()).await;
    assert_eq!(first.status, "published", "{first:#?}");
    let first_id = first.review_id.unwrap();
    let filed = rig.secai3_8().await;
    // Lambda redelivers the schedule event (its invocation seemed to fail): no second review.
    let redelivered = run(&rig, &ready, &schedule()).await;
    assert_eq!(redelivered.status, "idle", "{redelivered:#?}");
    assert_eq!(
        rig.secai3_8().await,
        filed,
        "a redelivered schedule files nothing"
    );
    let first_review = rig.review(&first_id).await;
    assert_eq!(first_review.notes.len(), 1, "{:?}", first_review.notes);
    assert!(
        first_review.notes[0].starts_with(
            "IAM Identity Center permission sets could not be read: sso:ListInstances"
        ) && first_review.notes[0].contains("AccessDenied"),
        "{:?}",
        first_review.notes
    );
    assert!(
        !first_review
            .principals
            .iter()
            .any(|p| p.kind == PrincipalKind::PermissionSet)
    );

    // A month later: the app role's access is gone, a new role may invoke.
    let iam = rig.iam();
    iam.delete_role_policy()
        .role_name("acme-bedrock-app")
        .policy_name("access")
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("acme-agent-runtime")
        .assume_role_policy_document(trust(json!({"Service": "bedrock-agentcore.amazonaws.com"})))
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("acme-agent-runtime")
        .policy_name("access")
        .policy_document(INVOKE)
        .send()
        .await
        .unwrap();
    let later = Timestamp::from_epoch_millis(Timestamp::now().epoch_millis() + 31 * 86_400_000);
    let second = rig
        .handler(&ready)
        .handle_at(&next_month(), INVOKED_BY, later)
        .await
        .unwrap();
    assert_eq!(second.status, "published", "{second:#?}");
    let second_id = second.review_id.clone().unwrap();
    assert_ne!(second_id, first_id);
    let review = rig.review(&second_id).await;
    assert_eq!(
        review.changes.previous_review.as_deref(),
        Some(first_id.as_str())
    );
    assert_eq!(review.changes.added, [arn("role", "acme-agent-runtime")]);
    assert_eq!(review.changes.removed, [arn("role", "acme-bedrock-app")]);
    assert!(
        review
            .principal(&arn("role", "acme-agent-runtime"))
            .unwrap()
            .flags
            .contains(&Flag::Added)
    );

    // The first review was never signed: 31 days on, past its 14, it is filed as overdue.
    assert!(
        second
            .sign_off
            .as_deref()
            .is_some_and(|s| s.starts_with("NON_COMPLIANT")),
        "{second:#?}"
    );
    assert!(
        second
            .evidence
            .iter()
            .any(|e| e.starts_with("overdue: filed")),
        "{second:#?}"
    );
    assert_eq!(ready.calls("config-non-compliant"), 1);
    let overdue: Vec<String> = rig
        .secai3_8()
        .await
        .into_iter()
        .filter(|e| e.starts_with("NON_COMPLIANT"))
        .collect();
    assert_eq!(overdue.len(), 1, "{overdue:#?}");
    assert!(overdue[0].contains(&first_id));

    // The HTML review in headless Chromium: the table renders with the principals in it.
    let (html, _) = rig
        .object(&format!("access-review/{second_id}/review.html"))
        .await;
    let dir = std::env::temp_dir().join(format!("access-review-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("review.html");
    std::fs::write(&page, &html).unwrap();
    let dom = crate::report::chromium(&["--dump-dom".to_owned()], &page, &dir.join("profile-dom"));
    for p in &review.principals {
        assert!(dom.contains(&p.arn), "{} is not on the page", p.arn);
    }
    assert_eq!(
        dom.matches("<tr><td data-sort").count(),
        review.principals.len()
    );
    let shot = dir.join("review.png");
    crate::report::chromium(
        &[format!("--screenshot={}", shot.display())],
        &page,
        &dir.join("profile-shot"),
    );
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert_eq!(crate::report::png_size(&png), (1280, 2000));
    if let Some(keep) = std::env::var_os("ACCESS_REVIEW_SCREENSHOT") {
        std::fs::copy(&shot, PathBuf::from(keep)).unwrap();
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_item_the_days_budget_could_not_take_is_filed_by_a_later_invocation() {
    let rig = Rig::start().await;
    let ready = gaps(true);
    let prepared = Timestamp::parse("2026-12-03T06:00:00Z").unwrap();
    // SECAI3.8 has one slot left today: the summary takes it, the HTML and JSON wait.
    let ledger = Ledger::new(aws_sdk_dynamodb::Client::new(&rig.moto_aws), TABLE);
    assert_eq!(
        ledger
            .reserve("SECAI3.8", &prepared.day(), 99, 100)
            .await
            .unwrap(),
        99
    );
    let first = rig
        .handler(&ready)
        .handle_at(&schedule(), INVOKED_BY, prepared)
        .await
        .unwrap();
    assert_eq!(first.status, "published", "{first:#?}");
    assert_eq!(
        first
            .evidence
            .iter()
            .filter(|e| e.contains("not filed yet"))
            .count(),
        2,
        "{first:#?}"
    );
    assert_eq!(rig.secai3_8().await.len(), 1);

    // The continuation the same day: still no budget; nothing is dropped.
    let same_day = Timestamp::from_epoch_millis(prepared.epoch_millis() + 15 * 60_000);
    let waiting = rig
        .handler(&ready)
        .handle_at(&json!({"continue": true}), INVOKED_BY, same_day)
        .await
        .unwrap();
    assert_eq!(
        waiting
            .evidence
            .iter()
            .filter(|e| e.contains("not filed yet"))
            .count(),
        2,
        "{waiting:#?}"
    );
    assert_eq!(rig.secai3_8().await.len(), 1);

    // The next day's first continuation files both, once.
    let next_day = Timestamp::from_epoch_millis(prepared.epoch_millis() + 86_400_000);
    let filed = rig
        .handler(&ready)
        .handle_at(&json!({"continue": true}), INVOKED_BY, next_day)
        .await
        .unwrap();
    assert_eq!(
        filed
            .evidence
            .iter()
            .filter(|e| e.contains(": filed"))
            .count(),
        2,
        "{filed:#?}"
    );
    let again = rig
        .handler(&ready)
        .handle_at(&json!({"continue": true}), INVOKED_BY, next_day)
        .await
        .unwrap();
    assert!(again.evidence.is_empty(), "{again:#?}");
    let id = first.review_id.unwrap();
    let items = rig.secai3_8().await;
    assert_eq!(items.len(), 3, "{items:#?}");
    for file in ["review.html", "review.json"] {
        assert_eq!(
            items
                .iter()
                .filter(|i| i.ends_with(&format!("{id}/{file}")))
                .count(),
            1,
            "{items:#?}"
        );
    }
}

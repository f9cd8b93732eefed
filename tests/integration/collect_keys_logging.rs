//! Collectors of long-term Bedrock API keys, imported models, batch inference jobs, CloudTrail
//! data-event selectors and CloudWatch Logs data protection, read from the AWS API, then decided.
//!
//! moto gaps, so aws-smithy-mocks rules answer (and assert) the calls: moto's IAM has no
//! ListServiceSpecificCredentials / CreateServiceSpecificCredential; its Bedrock has no
//! ListImportedModels, GetImportedModel or ListModelInvocationJobs; its CloudWatch Logs has no
//! GetDataProtectionPolicy or DescribeAccountPolicies and reports no `dataProtectionStatus`.
//! moto implements PutEventSelectors / GetEventSelectors (advanced selectors too), so the
//! CloudTrail data-event check is read from moto.

use aws_sdk_bedrock::operation::get_imported_model::{
    GetImportedModelError, GetImportedModelOutput,
};
use aws_sdk_bedrock::operation::list_imported_models::ListImportedModelsOutput;
use aws_sdk_bedrock::operation::list_model_invocation_jobs::ListModelInvocationJobsOutput;
use aws_sdk_bedrock::primitives::DateTime;
use aws_sdk_bedrock::types::{
    ImportedModelSummary, ModelInvocationJobInputDataConfig, ModelInvocationJobOutputDataConfig,
    ModelInvocationJobS3InputDataConfig, ModelInvocationJobS3OutputDataConfig,
    ModelInvocationJobSummary,
};
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
use aws_smithy_mocks::{
    MockResponseInterceptor, RuleMode, create_mock_http_client, mock, mock_client,
};
use aws_smithy_types::error::ErrorMetadata;
use genai_evidence::adapters::{Scope, bedrock, cloudtrail, iam, logs};
use genai_evidence::catalog::{self, Params};
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::evaluate::{Subject, SubjectState, evaluate};

use crate::support::unique;

fn scope() -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: rig::REGION.into(),
    }
}

fn as_of() -> Timestamp {
    Timestamp::parse("2026-08-10T12:00:00Z").unwrap()
}

/// The verdict of one check on a collected subject, through the evaluator.
fn verdict(subject: &Subject, check: &str) -> Verdict {
    let params = Params {
        checks: Some(vec![catalog::find_check(check).unwrap()]),
        as_of: as_of(),
        ..Params::default()
    };
    let findings = evaluate(subject, &params, Timestamp::now());
    assert_eq!(findings.len(), 1, "{check} on {:?}", subject.resource);
    findings[0].outcome.verdict
}

fn named<'a>(subjects: &'a [Subject], id: &str) -> &'a Subject {
    subjects
        .iter()
        .find(|s| s.resource.resource_id == id)
        .unwrap_or_else(|| panic!("{id} not collected"))
}

fn date(text: &str) -> DateTime {
    DateTime::from_str(text, aws_smithy_types::date_time::Format::DateTime).unwrap()
}

fn denied() -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("AccessDeniedException")
        .message("not authorized")
        .build()
}

fn iam_mocked(interceptor: MockResponseInterceptor) -> aws_sdk_iam::Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new(rig::REGION))
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "testing", "testing", None, None, "mock",
        ))
        .http_client(create_mock_http_client())
        .interceptor(interceptor)
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

fn logs_mocked(interceptor: MockResponseInterceptor) -> aws_sdk_cloudwatchlogs::Client {
    let config = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version(aws_sdk_cloudwatchlogs::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudwatchlogs::config::Region::new(rig::REGION))
        .credentials_provider(aws_sdk_cloudwatchlogs::config::Credentials::new(
            "testing", "testing", None, None, "mock",
        ))
        .http_client(create_mock_http_client())
        .interceptor(interceptor)
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(config)
}

fn bedrock_key(
    user: &str,
    id: &str,
    active: bool,
    created: &str,
    expires: Option<&str>,
) -> aws_sdk_iam::types::ServiceSpecificCredentialMetadata {
    aws_sdk_iam::types::ServiceSpecificCredentialMetadata::builder()
        .user_name(user)
        .status(if active {
            aws_sdk_iam::types::StatusType::Active
        } else {
            aws_sdk_iam::types::StatusType::Inactive
        })
        .service_user_name(format!("{user}-at-{}", rig::ACCOUNT_ID))
        .create_date(date(created))
        .set_expiration_date(expires.map(date))
        .service_specific_credential_id(id)
        .service_name("bedrock.amazonaws.com")
        .build()
        .unwrap()
}

/// Every page of each user's Bedrock service-specific credentials is read, with the Bedrock
/// service name; a denied listing makes only that user's keys unreadable.
#[tokio::test]
async fn bedrock_api_keys_are_listed_page_by_page_per_user_and_decided() {
    use aws_sdk_iam::operation::get_login_profile::GetLoginProfileError;
    use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
    use aws_sdk_iam::operation::list_service_specific_credentials::{
        ListServiceSpecificCredentialsError, ListServiceSpecificCredentialsOutput,
    };
    use aws_sdk_iam::operation::list_users::ListUsersOutput;
    use aws_sdk_iam::types::UserDetail;

    let bedrock = |r: &aws_sdk_iam::operation::list_service_specific_credentials::ListServiceSpecificCredentialsInput,
                   user: &str| {
        r.user_name() == Some(user) && r.service_name() == Some("bedrock.amazonaws.com")
    };
    let first = mock!(aws_sdk_iam::Client::list_service_specific_credentials)
        .match_requests(move |r| bedrock(r, "alice") && r.marker().is_none())
        .then_output(|| {
            ListServiceSpecificCredentialsOutput::builder()
                .service_specific_credentials(bedrock_key(
                    "alice",
                    "ACCAALICEKEY00000001",
                    true,
                    "2026-08-01T00:00:00Z",
                    Some("2026-08-31T00:00:00Z"),
                ))
                .is_truncated(true)
                .marker("page-2")
                .build()
        });
    let second = mock!(aws_sdk_iam::Client::list_service_specific_credentials)
        .match_requests(move |r| bedrock(r, "alice") && r.marker() == Some("page-2"))
        .then_output(|| {
            ListServiceSpecificCredentialsOutput::builder()
                .service_specific_credentials(bedrock_key(
                    "alice",
                    "ACCAALICEKEY00000002",
                    true,
                    "2026-06-01T00:00:00Z",
                    None,
                ))
                .is_truncated(false)
                .build()
        });
    let bob = mock!(aws_sdk_iam::Client::list_service_specific_credentials)
        .match_requests(move |r| bedrock(r, "bob"))
        .then_error(|| ListServiceSpecificCredentialsError::generic(denied()));
    let users = mock!(aws_sdk_iam::Client::list_users).then_output(|| {
        ListUsersOutput::builder()
            .set_users(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let no_password = mock!(aws_sdk_iam::Client::get_login_profile).then_error(|| {
        GetLoginProfileError::generic(ErrorMetadata::builder().code("NoSuchEntity").build())
    });
    let no_keys = mock!(aws_sdk_iam::Client::list_access_keys).then_output(|| {
        ListAccessKeysOutput::builder()
            .set_access_key_metadata(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in [&first, &second, &bob, &users, &no_password, &no_keys] {
        interceptor = interceptor.with_rule(rule);
    }
    let client = iam_mocked(interceptor);

    let names = ["alice".to_owned(), "bob".to_owned()];
    let credentials = iam::read_credentials(&client, &names).await;
    assert_eq!(
        (first.num_calls(), second.num_calls(), bob.num_calls()),
        (1, 1, 1)
    );
    let alice = credentials["alice"].bedrock_api_keys.as_ref().unwrap();
    assert_eq!(alice.len(), 2, "both pages: {alice:?}");
    assert!(
        credentials["bob"]
            .bedrock_api_keys
            .as_ref()
            .unwrap_err()
            .reason
            .contains("iam:ListServiceSpecificCredentials failed with AccessDeniedException")
    );

    let details = iam::AuthorizationDetails {
        users: names
            .iter()
            .map(|n| {
                UserDetail::builder()
                    .user_name(n)
                    .user_id(format!("AIDA{}", n.to_uppercase()))
                    .arn(format!("arn:aws:iam::{}:user/{n}", rig::ACCOUNT_ID))
                    .build()
            })
            .collect(),
        ..Default::default()
    };
    let subjects = iam::subjects_from_details(&details, &credentials, &scope(), Timestamp::now());
    let check = "iam_user_bedrock_api_key_short_lived";
    assert_eq!(
        verdict(named(&subjects, "AIDAALICE"), check),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict(named(&subjects, "AIDABOB"), check),
        Verdict::CouldNotEvaluate
    );
}

/// Imported models: every page listed, each read with GetImportedModel (its key decides, its
/// key is linked); a denied read is unreadable, not a failure.
#[tokio::test]
async fn imported_models_are_listed_read_and_decided() {
    let summary = |name: &str| {
        ImportedModelSummary::builder()
            .model_arn(format!(
                "arn:aws:bedrock:us-east-1:{}:imported-model/{name}",
                rig::ACCOUNT_ID
            ))
            .model_name(name)
            .creation_time(date("2026-07-01T00:00:00Z"))
            .build()
            .unwrap()
    };
    let first = mock!(aws_sdk_bedrock::Client::list_imported_models)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            ListImportedModelsOutput::builder()
                .model_summaries(summary("im-cmk"))
                .model_summaries(summary("im-aws-key"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_bedrock::Client::list_imported_models)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            ListImportedModelsOutput::builder()
                .model_summaries(summary("im-denied"))
                .build()
        });
    let read = |name: &'static str, key: Option<&'static str>| {
        mock!(aws_sdk_bedrock::Client::get_imported_model)
            .match_requests(move |r| r.model_identifier().is_some_and(|id| id.ends_with(name)))
            .then_output(move || {
                GetImportedModelOutput::builder()
                    .model_arn(format!(
                        "arn:aws:bedrock:us-east-1:{}:imported-model/{name}",
                        rig::ACCOUNT_ID
                    ))
                    .model_name(name)
                    .set_model_kms_key_arn(key.map(str::to_owned))
                    .build()
            })
    };
    let cmk = read("im-cmk", Some(rig::seed::KEY_ARN));
    let aws_key = read("im-aws-key", None);
    let denied_read = mock!(aws_sdk_bedrock::Client::get_imported_model)
        .match_requests(|r| {
            r.model_identifier()
                .is_some_and(|id| id.ends_with("im-denied"))
        })
        .then_error(|| GetImportedModelError::generic(denied()));
    let client = mock_client!(
        aws_sdk_bedrock,
        RuleMode::MatchAny,
        [&first, &second, &cmk, &aws_key, &denied_read]
    );

    let subjects = bedrock::collect_imported_models(&client, &scope())
        .await
        .unwrap();
    assert_eq!(subjects.len(), 3);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    let check = "bedrock_imported_model_kms_key";
    let with_key = named(&subjects, "im-cmk");
    assert_eq!(verdict(with_key, check), Verdict::Compliant);
    assert_eq!(with_key.links.len(), 1, "{:?}", with_key.links);
    assert_eq!(
        verdict(named(&subjects, "im-aws-key"), check),
        Verdict::NonCompliant
    );
    let unread = named(&subjects, "im-denied");
    assert!(
        matches!(unread.state, SubjectState::Unreadable(_)),
        "{:?}",
        unread.state
    );
    assert_eq!(verdict(unread, check), Verdict::CouldNotEvaluate);
}

/// Batch inference jobs: every page listed; the summaries' output configuration decides, with
/// no per-job read; the output bucket, key and role are linked.
#[tokio::test]
async fn batch_inference_jobs_are_decided_from_their_listing() {
    let job = |name: &str, key: Option<&str>| {
        ModelInvocationJobSummary::builder()
            .job_arn(format!(
                "arn:aws:bedrock:us-east-1:{}:model-invocation-job/{name}",
                rig::ACCOUNT_ID
            ))
            .job_name(name)
            .model_id("anthropic.claude-3-haiku-20240307-v1:0")
            .role_arn(format!(
                "arn:aws:iam::{}:role/bedrock-batch",
                rig::ACCOUNT_ID
            ))
            .submit_time(date("2026-08-01T00:00:00Z"))
            .input_data_config(ModelInvocationJobInputDataConfig::S3InputDataConfig(
                ModelInvocationJobS3InputDataConfig::builder()
                    .s3_uri("s3://genai-batch-in/in.jsonl")
                    .build()
                    .unwrap(),
            ))
            .output_data_config(ModelInvocationJobOutputDataConfig::S3OutputDataConfig(
                ModelInvocationJobS3OutputDataConfig::builder()
                    .s3_uri("s3://genai-batch-out/out/")
                    .set_s3_encryption_key_id(key.map(str::to_owned))
                    .build()
                    .unwrap(),
            ))
            .build()
            .unwrap()
    };
    let first = mock!(aws_sdk_bedrock::Client::list_model_invocation_jobs)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            ListModelInvocationJobsOutput::builder()
                .invocation_job_summaries(job("batch-cmk", Some(rig::seed::KEY_ARN)))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_bedrock::Client::list_model_invocation_jobs)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            ListModelInvocationJobsOutput::builder()
                .invocation_job_summaries(job("batch-plain", None))
                .build()
        });
    let client = mock_client!(aws_sdk_bedrock, RuleMode::MatchAny, [&first, &second]);

    let subjects = bedrock::collect_model_invocation_jobs(&client, &scope())
        .await
        .unwrap();
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    let check = "bedrock_model_invocation_job_output_kms_key";
    let encrypted = named(&subjects, "batch-cmk");
    assert_eq!(verdict(encrypted, check), Verdict::Compliant);
    assert_eq!(encrypted.links.len(), 3, "{:?}", encrypted.links);
    assert_eq!(
        verdict(named(&subjects, "batch-plain"), check),
        Verdict::NonCompliant
    );
}

fn field(name: &str, equals: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector::builder()
        .field(name)
        .set_equals(Some(equals.iter().map(|s| s.to_string()).collect()))
        .build()
        .unwrap()
}

/// A logging trail whose advanced selectors select every GenAI data-event type passes; narrowed
/// to read-only events it fails (moto stores and returns advanced selectors).
#[tokio::test]
async fn genai_data_events_are_read_from_the_trails_advanced_selectors() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let s3_client = rig::s3_client(&aws);
    let client = aws_sdk_cloudtrail::Client::new(&aws);
    let bucket = unique("genai-data-events");
    s3_client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let name = unique("data-trail");
    client
        .create_trail()
        .name(&name)
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    client.start_logging().name(&name).send().await.unwrap();
    let put = |read_only: bool| {
        let mut data = vec![
            field("eventCategory", &["Data"]),
            field(
                "resources.type",
                catalog::cloudtrail::GENAI_DATA_EVENT_TYPES,
            ),
        ];
        if read_only {
            data.push(field("readOnly", &["true"]));
        }
        client
            .put_event_selectors()
            .trail_name(&name)
            .advanced_event_selectors(
                AdvancedEventSelector::builder()
                    .name("management")
                    .field_selectors(field("eventCategory", &["Management"]))
                    .build()
                    .unwrap(),
            )
            .advanced_event_selectors(
                AdvancedEventSelector::builder()
                    .name("genai data")
                    .set_field_selectors(Some(data))
                    .build()
                    .unwrap(),
            )
            .send()
    };
    let account = |subjects: Vec<Subject>| {
        subjects
            .into_iter()
            .find(|s| s.resource.resource_type == "AWS::::Account")
            .unwrap()
    };
    let check = "cloudtrail_genai_data_events_logged";

    put(false).await.unwrap();
    let (subjects, listed) = cloudtrail::collect_trails(&client, &scope()).await;
    listed.unwrap();
    assert_eq!(verdict(&account(subjects), check), Verdict::Compliant);

    put(true).await.unwrap();
    let (subjects, _) = cloudtrail::collect_trails(&client, &scope()).await;
    assert_eq!(verdict(&account(subjects), check), Verdict::NonCompliant);
    client.delete_trail().name(&name).send().await.unwrap();
}

const MASKING: &str = r#"{"Name":"genai-pii","Version":"2021-06-01","Statement":[{"Sid":"audit","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],"Operation":{"Audit":{"FindingsDestination":{}}}},{"Sid":"mask","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],"Operation":{"Deidentify":{"MaskConfig":{}}}}]}"#;

/// Log groups: the own policy is read only for a group whose status says it has one, the account
/// policies once (every page, DATA_PROTECTION_POLICY only) only when a group inherits one.
#[tokio::test]
async fn log_group_data_protection_is_read_only_where_the_listing_says_it_applies() {
    use aws_sdk_cloudwatchlogs::operation::describe_account_policies::{
        DescribeAccountPoliciesError, DescribeAccountPoliciesOutput,
    };
    use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsOutput;
    use aws_sdk_cloudwatchlogs::operation::get_data_protection_policy::GetDataProtectionPolicyOutput;
    use aws_sdk_cloudwatchlogs::types::{
        AccountPolicy, DataProtectionStatus, InheritedProperty, LogGroup, PolicyType,
    };

    let groups = mock!(aws_sdk_cloudwatchlogs::Client::describe_log_groups).then_output(|| {
        DescribeLogGroupsOutput::builder()
            .log_groups(
                LogGroup::builder()
                    .log_group_name("/aws/bedrock/own-policy")
                    .data_protection_status(DataProtectionStatus::Activated)
                    .build(),
            )
            .log_groups(
                LogGroup::builder()
                    .log_group_name("/aws/bedrock-agentcore/runtimes/inherits")
                    .inherited_properties(InheritedProperty::AccountDataProtection)
                    .build(),
            )
            .log_groups(
                LogGroup::builder()
                    .log_group_name("/aws/vendedlogs/bedrock-agentcore/none")
                    .build(),
            )
            .build()
    });
    let own = mock!(aws_sdk_cloudwatchlogs::Client::get_data_protection_policy)
        .match_requests(|r| r.log_group_identifier() == Some("/aws/bedrock/own-policy"))
        .then_output(|| {
            GetDataProtectionPolicyOutput::builder()
                .log_group_identifier("/aws/bedrock/own-policy")
                .policy_document(MASKING)
                .build()
        });
    let policy = |name: &str| {
        AccountPolicy::builder()
            .policy_name(name)
            .policy_type(PolicyType::DataProtectionPolicy)
            .policy_document(MASKING)
            .account_id(rig::ACCOUNT_ID)
            .build()
    };
    let account_first = mock!(aws_sdk_cloudwatchlogs::Client::describe_account_policies)
        .match_requests(|r| {
            r.policy_type() == Some(&PolicyType::DataProtectionPolicy) && r.next_token().is_none()
        })
        .then_output(move || {
            DescribeAccountPoliciesOutput::builder()
                .next_token("page-2")
                .build()
        });
    let account_second = mock!(aws_sdk_cloudwatchlogs::Client::describe_account_policies)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            DescribeAccountPoliciesOutput::builder()
                .account_policies(policy("org-masking"))
                .build()
        });
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in [&groups, &own, &account_first, &account_second] {
        interceptor = interceptor.with_rule(rule);
    }
    let client = logs_mocked(interceptor);

    let subjects = logs::collect_log_groups(&client, &scope(), None)
        .await
        .unwrap();
    assert_eq!(
        (
            own.num_calls(),
            account_first.num_calls(),
            account_second.num_calls()
        ),
        (1, 1, 1),
        "one own-policy read, the account policies once"
    );
    let check = "logs_genai_log_group_data_protection";
    assert_eq!(
        verdict(named(&subjects, "/aws/bedrock/own-policy"), check),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(
            named(&subjects, "/aws/bedrock-agentcore/runtimes/inherits"),
            check
        ),
        Verdict::Compliant
    );
    let none = named(&subjects, "/aws/vendedlogs/bedrock-agentcore/none");
    assert_eq!(verdict(none, check), Verdict::NonCompliant);
    assert!(
        !logs::genai_writer(none).is_empty(),
        "vended AgentCore logs are GenAI logs"
    );

    // Denied account policies: the inheriting group cannot be decided, the others still are.
    let groups_again =
        mock!(aws_sdk_cloudwatchlogs::Client::describe_log_groups).then_output(|| {
            DescribeLogGroupsOutput::builder()
                .log_groups(
                    LogGroup::builder()
                        .log_group_name("/aws/bedrock/inherits")
                        .inherited_properties(InheritedProperty::AccountDataProtection)
                        .build(),
                )
                .build()
        });
    let denied_account = mock!(aws_sdk_cloudwatchlogs::Client::describe_account_policies)
        .then_error(|| DescribeAccountPoliciesError::generic(denied()));
    let client = logs_mocked(
        MockResponseInterceptor::new()
            .rule_mode(RuleMode::MatchAny)
            .with_rule(&groups_again)
            .with_rule(&denied_account),
    );
    let subjects = logs::collect_log_groups(&client, &scope(), None)
        .await
        .unwrap();
    assert_eq!(
        verdict(named(&subjects, "/aws/bedrock/inherits"), check),
        Verdict::CouldNotEvaluate
    );
}

//! Collectors of bedrock read from the AWS API (moto, or aws-smithy-mocks where moto has no emulation).
//!
//! The invocation-logging collector runs against moto (Bedrock's logging configuration, CloudWatch
//! Logs log groups and S3 bucket encryption), each test in its own region since the configuration
//! is one per account and region. Every other collector uses aws-smithy-mocks rules that also
//! count the calls made: moto has no guardrails and no knowledge-base data sources, cannot deny a
//! call, and its custom models, customization jobs and agents cannot be read by the Rust SDK at all
//! (it answers `creationTime` as `2026-11-23 13:29:16` and agents' `createdAt` as epoch floats,
//! where the service model says RFC 3339 date-time, so every List/Get with a resource in it fails
//! to deserialize).

use aws_sdk_bedrock::config::Region;
use aws_sdk_bedrock::error::ErrorMetadata;
use aws_sdk_bedrock::operation::get_custom_model::{GetCustomModelError, GetCustomModelOutput};
use aws_sdk_bedrock::operation::get_guardrail::{GetGuardrailError, GetGuardrailOutput};
use aws_sdk_bedrock::operation::get_model_customization_job::{
    GetModelCustomizationJobError, GetModelCustomizationJobOutput,
};
use aws_sdk_bedrock::operation::get_model_invocation_logging_configuration::GetModelInvocationLoggingConfigurationError;
use aws_sdk_bedrock::operation::list_custom_models::ListCustomModelsOutput;
use aws_sdk_bedrock::operation::list_guardrails::{ListGuardrailsError, ListGuardrailsOutput};
use aws_sdk_bedrock::operation::list_model_customization_jobs::ListModelCustomizationJobsOutput;
use aws_sdk_bedrock::primitives::DateTime;
use aws_sdk_bedrock::types::{
    CloudWatchConfig, CustomModelSummary, GuardrailContentFilter, GuardrailContentFilterAction,
    GuardrailContentFilterType, GuardrailContentPolicy, GuardrailFilterStrength,
    GuardrailPiiEntity, GuardrailPiiEntityType, GuardrailSensitiveInformationAction,
    GuardrailSensitiveInformationPolicy, GuardrailStatus, GuardrailSummary, LoggingConfig,
    ModelCustomizationJobStatus, ModelCustomizationJobSummary, S3Config,
};
use aws_sdk_bedrockagent::operation::get_agent::{GetAgentError, GetAgentOutput};
use aws_sdk_bedrockagent::operation::get_data_source::{GetDataSourceError, GetDataSourceOutput};
use aws_sdk_bedrockagent::operation::list_agents::ListAgentsOutput;
use aws_sdk_bedrockagent::operation::list_data_sources::ListDataSourcesOutput;
use aws_sdk_bedrockagent::operation::list_knowledge_bases::{
    ListKnowledgeBasesError, ListKnowledgeBasesOutput,
};
use aws_sdk_bedrockagent::types::{
    AgentStatus, DataSourceStatus, DataSourceSummary, GuardrailConfiguration, KnowledgeBaseStatus,
    KnowledgeBaseSummary, ServerSideEncryptionConfiguration,
};
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration as BucketEncryptionConfiguration, ServerSideEncryptionRule,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use genai_evidence::adapters::Scope;
use genai_evidence::adapters::bedrock::{
    collect_agents, collect_custom_models, collect_data_sources, collect_guardrails,
    collect_invocation_logging, collect_model_customization_jobs,
};
use genai_evidence::catalog::{Params, bedrock};
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::error::AwsErrorKind;
use genai_evidence::evaluate::{Subject, evaluate};

use crate::support::unique;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE: &str = "arn:aws:iam::123456789012:role/bedrock-exec";

fn scope(region: &str) -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: region.into(),
    }
}

async fn moto_config(region: &str) -> aws_config::SdkConfig {
    rig::sdk_config(rig::shared_moto().endpoint(), 3)
        .await
        .into_builder()
        .region(Region::new(region.to_owned()))
        .build()
}

fn denied() -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("AccessDeniedException")
        .message("User is not authorized to perform this action")
        .build()
}

fn find<'a>(subjects: &'a [Subject], id: &str) -> &'a Subject {
    subjects
        .iter()
        .find(|s| s.resource.resource_id == id)
        .unwrap_or_else(|| panic!("no subject {id}"))
}

/// The verdict of one check on a collected subject, through the same evaluation the Lambda runs.
fn verdict_of(subject: &Subject, check_id: &str) -> (Verdict, String) {
    let finding = evaluate(
        subject,
        &Params::default(),
        genai_evidence::domain::time::Timestamp::now(),
    )
    .into_iter()
    .find(|f| f.check.id == check_id)
    .unwrap_or_else(|| panic!("{check_id} did not run on {}", subject.resource.resource_id));
    (finding.outcome.verdict, finding.outcome.observed)
}

fn now() -> DateTime {
    DateTime::from_secs(1_772_000_000)
}

// Custom models and customization jobs.

#[tokio::test]
async fn custom_models_are_read_on_every_page_and_a_denied_read_cannot_be_evaluated() {
    let summary = |name: &str| {
        CustomModelSummary::builder()
            .model_arn(format!(
                "arn:aws:bedrock:us-east-1:123456789012:custom-model/{name}"
            ))
            .model_name(name)
            .creation_time(now())
            .base_model_arn(
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
            )
            .base_model_name("Titan Text G1 - Express")
            .build()
            .unwrap()
    };
    let first = mock!(aws_sdk_bedrock::Client::list_custom_models)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            ListCustomModelsOutput::builder()
                .model_summaries(summary("with-cmk"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_bedrock::Client::list_custom_models)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            ListCustomModelsOutput::builder()
                .model_summaries(summary("aws-owned"))
                .model_summaries(summary("denied"))
                .build()
        });
    let model = |name: &str, key: Option<&str>| {
        GetCustomModelOutput::builder()
            .model_arn(format!(
                "arn:aws:bedrock:us-east-1:123456789012:custom-model/{name}"
            ))
            .model_name(name)
            .set_model_kms_key_arn(key.map(str::to_owned))
            .creation_time(now())
            .build()
            .unwrap()
    };
    let with_cmk = mock!(aws_sdk_bedrock::Client::get_custom_model)
        .match_requests(|r| {
            r.model_identifier()
                .is_some_and(|m| m.ends_with("/with-cmk"))
        })
        .then_output(move || model("with-cmk", Some(KEY)));
    let aws_owned = mock!(aws_sdk_bedrock::Client::get_custom_model)
        .match_requests(|r| {
            r.model_identifier()
                .is_some_and(|m| m.ends_with("/aws-owned"))
        })
        .then_output(move || model("aws-owned", None));
    let denied_read = mock!(aws_sdk_bedrock::Client::get_custom_model)
        .match_requests(|r| r.model_identifier().is_some_and(|m| m.ends_with("/denied")))
        .then_error(|| GetCustomModelError::generic(denied()));
    let client = mock_client!(
        aws_sdk_bedrock,
        RuleMode::MatchAny,
        [&first, &second, &with_cmk, &aws_owned, &denied_read]
    );

    let subjects = collect_custom_models(&client, &scope(rig::REGION))
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 3);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(
        (
            with_cmk.num_calls(),
            aws_owned.num_calls(),
            denied_read.num_calls()
        ),
        (1, 1, 1)
    );
    let id = bedrock::CUSTOM_MODEL_KMS_KEY.id;
    assert_eq!(
        verdict_of(find(&subjects, "with-cmk"), id).0,
        Verdict::Compliant
    );
    assert_eq!(
        verdict_of(find(&subjects, "aws-owned"), id).0,
        Verdict::NonCompliant
    );
    let (v, observed) = verdict_of(find(&subjects, "denied"), id);
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(
        observed.contains("bedrock:GetCustomModel") && observed.contains("AccessDeniedException"),
        "{observed}"
    );
}

#[tokio::test]
async fn customization_jobs_are_decided_by_their_output_model_key() {
    let summary = |name: &str| {
        ModelCustomizationJobSummary::builder()
            .job_arn(format!(
                "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{name}"
            ))
            .job_name(name)
            .base_model_arn(
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
            )
            .status(ModelCustomizationJobStatus::Completed)
            .creation_time(now())
            .build()
            .unwrap()
    };
    let list =
        mock!(aws_sdk_bedrock::Client::list_model_customization_jobs).then_output(move || {
            ListModelCustomizationJobsOutput::builder()
                .model_customization_job_summaries(summary("cmk-job"))
                .model_customization_job_summaries(summary("no-key-job"))
                .model_customization_job_summaries(summary("denied-job"))
                .build()
        });
    let job = |name: &str, key: Option<&str>| {
        GetModelCustomizationJobOutput::builder()
            .job_arn(format!(
                "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{name}"
            ))
            .job_name(name)
            .output_model_name(format!("{name}-model"))
            .role_arn(ROLE)
            .creation_time(now())
            .base_model_arn(
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
            )
            .set_output_model_kms_key_arn(key.map(str::to_owned))
            .build()
            .unwrap()
    };
    let cmk = mock!(aws_sdk_bedrock::Client::get_model_customization_job)
        .match_requests(|r| r.job_identifier() == Some("cmk-job"))
        .then_output(move || job("cmk-job", Some(KEY)));
    let no_key = mock!(aws_sdk_bedrock::Client::get_model_customization_job)
        .match_requests(|r| r.job_identifier() == Some("no-key-job"))
        .then_output(move || job("no-key-job", None));
    let denied_read = mock!(aws_sdk_bedrock::Client::get_model_customization_job)
        .match_requests(|r| r.job_identifier() == Some("denied-job"))
        .then_error(|| GetModelCustomizationJobError::generic(denied()));
    let client = mock_client!(
        aws_sdk_bedrock,
        RuleMode::MatchAny,
        [&list, &cmk, &no_key, &denied_read]
    );

    let subjects = collect_model_customization_jobs(&client, &scope(rig::REGION))
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 3);
    assert_eq!(
        (
            list.num_calls(),
            cmk.num_calls(),
            no_key.num_calls(),
            denied_read.num_calls()
        ),
        (1, 1, 1, 1)
    );
    let id = bedrock::CUSTOMIZATION_JOB_KMS_KEY.id;
    let good = find(&subjects, "cmk-job");
    assert_eq!(
        good.resource.resource_type,
        "AWS::Bedrock::ModelCustomizationJob"
    );
    assert_eq!(
        good.resource.arn.as_deref(),
        Some("arn:aws:bedrock:us-east-1:123456789012:model-customization-job/cmk-job")
    );
    assert_eq!(verdict_of(good, id).0, Verdict::Compliant);
    let (v, observed) = verdict_of(find(&subjects, "no-key-job"), id);
    assert_eq!(v, Verdict::NonCompliant, "{observed}");
    assert_eq!(
        verdict_of(find(&subjects, "denied-job"), id).0,
        Verdict::CouldNotEvaluate
    );
}

// Guardrails (moto has none).

fn guardrail_summary(id: &str) -> GuardrailSummary {
    GuardrailSummary::builder()
        .id(id)
        .arn(format!(
            "arn:aws:bedrock:us-east-1:123456789012:guardrail/{id}"
        ))
        .status(GuardrailStatus::Ready)
        .name(format!("{id}-name"))
        .version("DRAFT")
        .created_at(now())
        .updated_at(now())
        .build()
        .unwrap()
}

fn guardrail(
    id: &str,
) -> aws_sdk_bedrock::operation::get_guardrail::builders::GetGuardrailOutputBuilder {
    GetGuardrailOutput::builder()
        .name(format!("{id}-name"))
        .guardrail_id(id)
        .guardrail_arn(format!(
            "arn:aws:bedrock:us-east-1:123456789012:guardrail/{id}"
        ))
        .version("DRAFT")
        .status(GuardrailStatus::Ready)
        .created_at(now())
        .updated_at(now())
        .blocked_input_messaging("Blocked.")
        .blocked_outputs_messaging("Blocked.")
}

fn prompt_attack(strength: GuardrailFilterStrength) -> GuardrailContentPolicy {
    GuardrailContentPolicy::builder()
        .filters(
            GuardrailContentFilter::builder()
                .r#type(GuardrailContentFilterType::PromptAttack)
                .input_strength(strength)
                .output_strength(GuardrailFilterStrength::None)
                .input_action(GuardrailContentFilterAction::Block)
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn guardrails_are_listed_on_every_page_and_each_is_read_and_decided() {
    let first = mock!(aws_sdk_bedrock::Client::list_guardrails)
        .match_requests(|r| r.next_token().is_none() && r.guardrail_identifier().is_none())
        .then_output(|| {
            ListGuardrailsOutput::builder()
                .guardrails(guardrail_summary("hardened"))
                .next_token("t2")
                .build()
                .unwrap()
        });
    let second = mock!(aws_sdk_bedrock::Client::list_guardrails)
        .match_requests(|r| r.next_token() == Some("t2"))
        .then_output(|| {
            ListGuardrailsOutput::builder()
                .guardrails(guardrail_summary("weak"))
                .guardrails(guardrail_summary("denied"))
                .build()
                .unwrap()
        });
    let hardened = mock!(aws_sdk_bedrock::Client::get_guardrail)
        .match_requests(|r| r.guardrail_identifier() == Some("hardened"))
        .then_output(|| {
            guardrail("hardened")
                .kms_key_arn(KEY)
                .content_policy(prompt_attack(GuardrailFilterStrength::High))
                .sensitive_information_policy(
                    GuardrailSensitiveInformationPolicy::builder()
                        .pii_entities(
                            GuardrailPiiEntity::builder()
                                .r#type(GuardrailPiiEntityType::Email)
                                .action(GuardrailSensitiveInformationAction::Anonymize)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap()
        });
    let weak = mock!(aws_sdk_bedrock::Client::get_guardrail)
        .match_requests(|r| r.guardrail_identifier() == Some("weak"))
        .then_output(|| {
            guardrail("weak")
                .content_policy(prompt_attack(GuardrailFilterStrength::Low))
                .build()
                .unwrap()
        });
    let denied_read = mock!(aws_sdk_bedrock::Client::get_guardrail)
        .match_requests(|r| r.guardrail_identifier() == Some("denied"))
        .then_error(|| GetGuardrailError::generic(denied()));
    let client = mock_client!(
        aws_sdk_bedrock,
        RuleMode::MatchAny,
        [&first, &second, &hardened, &weak, &denied_read]
    );

    let subjects = collect_guardrails(&client, &scope(rig::REGION))
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 3);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(
        (
            hardened.num_calls(),
            weak.num_calls(),
            denied_read.num_calls()
        ),
        (1, 1, 1)
    );
    let checks = [
        bedrock::GUARDRAIL_KMS_KEY.id,
        bedrock::GUARDRAIL_PROMPT_ATTACK_FILTER.id,
        bedrock::GUARDRAIL_PII_FILTER.id,
    ];
    let good = find(&subjects, "hardened");
    assert_eq!(
        good.resource.arn.as_deref(),
        Some("arn:aws:bedrock:us-east-1:123456789012:guardrail/hardened")
    );
    for id in checks {
        let (v, observed) = verdict_of(good, id);
        assert_eq!(v, Verdict::Compliant, "{id}: {observed}");
        let (v, observed) = verdict_of(find(&subjects, "weak"), id);
        assert_eq!(v, Verdict::NonCompliant, "{id}: {observed}");
        let (v, observed) = verdict_of(find(&subjects, "denied"), id);
        assert_eq!(v, Verdict::CouldNotEvaluate, "{id}: {observed}");
        assert!(
            observed.contains("bedrock:GetGuardrail failed with AccessDeniedException"),
            "{observed}"
        );
    }
    let inventory = genai_evidence::adapters::bedrock::guardrail_inventory(
        &scope(rig::REGION),
        &Ok(subjects.clone()),
    );
    let (v, observed) = verdict_of(&inventory, "bedrock_guardrail_protective_exists");
    assert_eq!(
        v,
        Verdict::Compliant,
        "the hardened guardrail protects the region: {observed}"
    );
}

#[tokio::test]
async fn a_denied_guardrail_listing_is_an_error_not_a_verdict() {
    let list = mock!(aws_sdk_bedrock::Client::list_guardrails)
        .then_error(|| ListGuardrailsError::generic(denied()));
    let get = mock!(aws_sdk_bedrock::Client::get_guardrail)
        .then_error(|| GetGuardrailError::generic(denied()));
    let client = mock_client!(aws_sdk_bedrock, RuleMode::MatchAny, [&list, &get]);
    let collected = collect_guardrails(&client, &scope(rig::REGION)).await;
    let inventory =
        genai_evidence::adapters::bedrock::guardrail_inventory(&scope(rig::REGION), &collected);
    assert_eq!(
        verdict_of(&inventory, "bedrock_guardrail_protective_exists").0,
        Verdict::CouldNotEvaluate
    );
    let err = collected.expect_err("listing denied");
    assert_eq!(
        (err.operation, err.kind),
        ("bedrock:ListGuardrails", AwsErrorKind::AccessDenied)
    );
    assert_eq!((list.num_calls(), get.num_calls()), (1, 0));
}

// Agents.

#[tokio::test]
async fn agents_are_listed_on_every_page_and_decided_by_key_and_guardrail() {
    let summary = |id: &str| {
        aws_sdk_bedrockagent::types::AgentSummary::builder()
            .agent_id(id)
            .agent_name(format!("{id}-name"))
            .agent_status(AgentStatus::Prepared)
            .updated_at(now())
            .build()
            .unwrap()
    };
    let first = mock!(aws_sdk_bedrockagent::Client::list_agents)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            ListAgentsOutput::builder()
                .agent_summaries(summary("GUARDED01"))
                .next_token("a2")
                .build()
                .unwrap()
        });
    let second = mock!(aws_sdk_bedrockagent::Client::list_agents)
        .match_requests(|r| r.next_token() == Some("a2"))
        .then_output(move || {
            ListAgentsOutput::builder()
                .agent_summaries(summary("PLAIN0001"))
                .agent_summaries(summary("DENIED001"))
                .build()
                .unwrap()
        });
    let agent = |id: &str, key: Option<&str>, guardrail: Option<&str>| {
        let agent = aws_sdk_bedrockagent::types::Agent::builder()
            .agent_id(id)
            .agent_name(format!("{id}-name"))
            .agent_arn(format!("arn:aws:bedrock:us-east-1:123456789012:agent/{id}"))
            .agent_version("DRAFT")
            .agent_status(AgentStatus::Prepared)
            .idle_session_ttl_in_seconds(600)
            .agent_resource_role_arn(ROLE)
            .set_customer_encryption_key_arn(key.map(str::to_owned))
            .set_guardrail_configuration(guardrail.map(|g| {
                GuardrailConfiguration::builder()
                    .guardrail_identifier(g)
                    .guardrail_version("2")
                    .build()
            }))
            .created_at(now())
            .updated_at(now())
            .build()
            .unwrap();
        GetAgentOutput::builder().agent(agent).build()
    };
    let guarded = mock!(aws_sdk_bedrockagent::Client::get_agent)
        .match_requests(|r| r.agent_id() == Some("GUARDED01"))
        .then_output(move || agent("GUARDED01", Some(KEY), Some("q1w2e3r4t5y6")));
    let plain = mock!(aws_sdk_bedrockagent::Client::get_agent)
        .match_requests(|r| r.agent_id() == Some("PLAIN0001"))
        .then_output(move || agent("PLAIN0001", None, None));
    let denied_read = mock!(aws_sdk_bedrockagent::Client::get_agent)
        .match_requests(|r| r.agent_id() == Some("DENIED001"))
        .then_error(|| {
            GetAgentError::generic(
                aws_sdk_bedrockagent::error::ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .build(),
            )
        });
    let client = mock_client!(
        aws_sdk_bedrockagent,
        RuleMode::MatchAny,
        [&first, &second, &guarded, &plain, &denied_read]
    );

    let subjects = collect_agents(&client, &scope(rig::REGION))
        .await
        .expect("agents");
    assert_eq!(subjects.len(), 3);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(
        (
            guarded.num_calls(),
            plain.num_calls(),
            denied_read.num_calls()
        ),
        (1, 1, 1)
    );
    let guarded_agent = find(&subjects, "GUARDED01");
    assert_eq!(guarded_agent.resource.resource_type, "AWS::Bedrock::Agent");
    assert_eq!(
        guarded_agent.resource.arn.as_deref(),
        Some("arn:aws:bedrock:us-east-1:123456789012:agent/GUARDED01")
    );
    for id in [bedrock::AGENT_GUARDRAIL.id, bedrock::AGENT_KMS_KEY.id] {
        let (v, observed) = verdict_of(find(&subjects, "PLAIN0001"), id);
        assert_eq!(v, Verdict::NonCompliant, "{id}: {observed}");
    }
    let (v, observed) = verdict_of(find(&subjects, "GUARDED01"), bedrock::AGENT_GUARDRAIL.id);
    assert_eq!(v, Verdict::Compliant);
    assert!(observed.contains("q1w2e3r4t5y6 version 2"), "{observed}");
    assert_eq!(
        verdict_of(find(&subjects, "GUARDED01"), bedrock::AGENT_KMS_KEY.id).0,
        Verdict::Compliant
    );
    for id in [bedrock::AGENT_GUARDRAIL.id, bedrock::AGENT_KMS_KEY.id] {
        let (v, observed) = verdict_of(find(&subjects, "DENIED001"), id);
        assert_eq!(v, Verdict::CouldNotEvaluate, "{id}");
        assert!(observed.contains("bedrock:GetAgent"), "{observed}");
    }
}

// Knowledge-base data sources (moto has none).

#[tokio::test]
async fn data_sources_of_every_knowledge_base_are_read_and_decided() {
    let kb_summary = |id: &str| {
        KnowledgeBaseSummary::builder()
            .knowledge_base_id(id)
            .name(format!("{id}-name"))
            .status(KnowledgeBaseStatus::Active)
            .updated_at(now())
            .build()
            .unwrap()
    };
    let kbs = mock!(aws_sdk_bedrockagent::Client::list_knowledge_bases).then_output(move || {
        ListKnowledgeBasesOutput::builder()
            .knowledge_base_summaries(kb_summary("KBONE"))
            .knowledge_base_summaries(kb_summary("KBTWO"))
            .build()
            .unwrap()
    });
    let ds_summary = |kb: &str, id: &str| {
        DataSourceSummary::builder()
            .knowledge_base_id(kb)
            .data_source_id(id)
            .name(format!("{id}-name"))
            .status(DataSourceStatus::Available)
            .updated_at(now())
            .build()
            .unwrap()
    };
    let kb_one_first = mock!(aws_sdk_bedrockagent::Client::list_data_sources)
        .match_requests(|r| r.knowledge_base_id() == Some("KBONE") && r.next_token().is_none())
        .then_output(move || {
            ListDataSourcesOutput::builder()
                .data_source_summaries(ds_summary("KBONE", "DSCMK"))
                .next_token("n2")
                .build()
                .unwrap()
        });
    let kb_one_second = mock!(aws_sdk_bedrockagent::Client::list_data_sources)
        .match_requests(|r| r.knowledge_base_id() == Some("KBONE") && r.next_token() == Some("n2"))
        .then_output(move || {
            ListDataSourcesOutput::builder()
                .data_source_summaries(ds_summary("KBONE", "DSPLAIN"))
                .build()
                .unwrap()
        });
    let kb_two = mock!(aws_sdk_bedrockagent::Client::list_data_sources)
        .match_requests(|r| r.knowledge_base_id() == Some("KBTWO"))
        .then_output(move || {
            ListDataSourcesOutput::builder()
                .data_source_summaries(ds_summary("KBTWO", "DSDENIED"))
                .build()
                .unwrap()
        });
    let data_source = |kb: &str, id: &str, key: Option<&str>| {
        let mut ds = aws_sdk_bedrockagent::types::DataSource::builder()
            .knowledge_base_id(kb)
            .data_source_id(id)
            .name(format!("{id}-name"))
            .status(DataSourceStatus::Available)
            .created_at(now())
            .updated_at(now());
        if let Some(key) = key {
            ds = ds.server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .kms_key_arn(key)
                    .build(),
            );
        }
        GetDataSourceOutput::builder()
            .data_source(ds.build().unwrap())
            .build()
    };
    let cmk = mock!(aws_sdk_bedrockagent::Client::get_data_source)
        .match_requests(|r| {
            r.knowledge_base_id() == Some("KBONE") && r.data_source_id() == Some("DSCMK")
        })
        .then_output(move || data_source("KBONE", "DSCMK", Some(KEY)));
    let plain = mock!(aws_sdk_bedrockagent::Client::get_data_source)
        .match_requests(|r| {
            r.knowledge_base_id() == Some("KBONE") && r.data_source_id() == Some("DSPLAIN")
        })
        .then_output(move || data_source("KBONE", "DSPLAIN", None));
    let denied_read = mock!(aws_sdk_bedrockagent::Client::get_data_source)
        .match_requests(|r| {
            r.knowledge_base_id() == Some("KBTWO") && r.data_source_id() == Some("DSDENIED")
        })
        .then_error(|| {
            GetDataSourceError::generic(
                aws_sdk_bedrockagent::error::ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .build(),
            )
        });
    let client = mock_client!(
        aws_sdk_bedrockagent,
        RuleMode::MatchAny,
        [
            &kbs,
            &kb_one_first,
            &kb_one_second,
            &kb_two,
            &cmk,
            &plain,
            &denied_read
        ]
    );

    let subjects = collect_data_sources(&client, &scope(rig::REGION))
        .await
        .expect("data sources");
    assert_eq!(subjects.len(), 3);
    assert_eq!(kbs.num_calls(), 1);
    assert_eq!(
        (
            kb_one_first.num_calls(),
            kb_one_second.num_calls(),
            kb_two.num_calls()
        ),
        (1, 1, 1)
    );
    assert_eq!(
        (cmk.num_calls(), plain.num_calls(), denied_read.num_calls()),
        (1, 1, 1)
    );
    let id = bedrock::DATA_SOURCE_KMS_KEY.id;
    let good = find(&subjects, "KBONE|DSCMK");
    assert_eq!(good.resource.resource_type, "AWS::Bedrock::DataSource");
    assert_eq!(verdict_of(good, id).0, Verdict::Compliant);
    assert_eq!(
        verdict_of(find(&subjects, "KBONE|DSPLAIN"), id).0,
        Verdict::NonCompliant
    );
    let (v, observed) = verdict_of(find(&subjects, "KBTWO|DSDENIED"), id);
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(
        observed.contains("bedrock:GetDataSource failed with AccessDeniedException"),
        "{observed}"
    );
}

#[tokio::test]
async fn a_denied_knowledge_base_listing_is_an_error() {
    let kbs = mock!(aws_sdk_bedrockagent::Client::list_knowledge_bases).then_error(|| {
        ListKnowledgeBasesError::generic(
            aws_sdk_bedrockagent::error::ErrorMetadata::builder()
                .code("AccessDeniedException")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_bedrockagent, RuleMode::MatchAny, [&kbs]);
    let err = collect_data_sources(&client, &scope(rig::REGION))
        .await
        .expect_err("denied");
    assert_eq!(
        (err.operation, err.kind),
        ("bedrock:ListKnowledgeBases", AwsErrorKind::AccessDenied)
    );
    assert_eq!(kbs.num_calls(), 1);
}

// Invocation logging: one configuration per account and region, so each moto test has a region.

struct Clients {
    bedrock: aws_sdk_bedrock::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    s3: aws_sdk_s3::Client,
}

async fn clients(region: &str) -> Clients {
    let config = moto_config(region).await;
    Clients {
        bedrock: aws_sdk_bedrock::Client::new(&config),
        logs: aws_sdk_cloudwatchlogs::Client::new(&config),
        s3: rig::s3_client(&config),
    }
}

async fn bucket(c: &Clients, region: &str, algorithm: Option<ServerSideEncryption>) -> String {
    let name = unique("bedrock-logs");
    c.s3.create_bucket()
        .bucket(&name)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        )
        .send()
        .await
        .expect("bucket");
    if let Some(algorithm) = algorithm {
        let mut default = ServerSideEncryptionByDefault::builder().sse_algorithm(algorithm.clone());
        if algorithm == ServerSideEncryption::AwsKms {
            default = default.kms_master_key_id(KEY);
        }
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(default.build().unwrap())
            .build();
        c.s3.put_bucket_encryption()
            .bucket(&name)
            .server_side_encryption_configuration(
                BucketEncryptionConfiguration::builder()
                    .rules(rule)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("encryption");
    }
    name
}

async fn log_group(c: &Clients, key: Option<&str>) -> String {
    let name = format!("/aws/bedrock/{}", unique("invocations"));
    c.logs
        .create_log_group()
        .log_group_name(&name)
        .set_kms_key_id(key.map(str::to_owned))
        .send()
        .await
        .expect("log group");
    name
}

#[tokio::test]
async fn unconfigured_invocation_logging_fails_the_logging_checks_and_has_nothing_to_encrypt() {
    let region = "ap-northeast-1";
    let c = clients(region).await;
    let subjects = collect_invocation_logging(&c.bedrock, &c.logs, &c.s3, &scope(region))
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 1);
    let subject = find(&subjects, region);
    assert_eq!(
        subject.resource.resource_type,
        "AWS::Bedrock::ModelInvocationLoggingConfiguration"
    );
    for (id, expected) in [
        (
            bedrock::INVOCATION_LOGGING_ENABLED.id,
            Verdict::NonCompliant,
        ),
        (
            bedrock::INVOCATION_LOGGING_TEXT_DELIVERY.id,
            Verdict::NonCompliant,
        ),
        // No destination, so nothing to encrypt: SECAI3.3 is not where the failure belongs.
        (
            bedrock::INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED.id,
            Verdict::NotApplicable,
        ),
    ] {
        let (v, observed) = verdict_of(subject, id);
        assert_eq!(v, expected, "{id}: {observed}");
    }
}

#[tokio::test]
async fn invocation_logging_to_kms_encrypted_destinations_with_text_passes() {
    let region = "us-west-2";
    let c = clients(region).await;
    let group = log_group(&c, Some(KEY)).await;
    let large = bucket(&c, region, Some(ServerSideEncryption::AwsKms)).await;
    let logs_bucket = bucket(&c, region, Some(ServerSideEncryption::AwsKms)).await;
    let config = LoggingConfig::builder()
        .cloud_watch_config(
            CloudWatchConfig::builder()
                .log_group_name(&group)
                .role_arn(ROLE)
                .large_data_delivery_s3_config(
                    S3Config::builder().bucket_name(&large).build().unwrap(),
                )
                .build()
                .unwrap(),
        )
        .s3_config(
            S3Config::builder()
                .bucket_name(&logs_bucket)
                .key_prefix("bedrock/")
                .build()
                .unwrap(),
        )
        .text_data_delivery_enabled(true)
        .build();
    c.bedrock
        .put_model_invocation_logging_configuration()
        .logging_config(config)
        .send()
        .await
        .expect("put");

    let subjects = collect_invocation_logging(&c.bedrock, &c.logs, &c.s3, &scope(region))
        .await
        .expect("collected");
    let subject = find(&subjects, region);
    let (v, observed) = verdict_of(subject, bedrock::INVOCATION_LOGGING_ENABLED.id);
    assert_eq!(v, Verdict::Compliant, "{observed}");
    assert!(
        observed.contains(&group) && observed.contains(&logs_bucket) && observed.contains(&large),
        "{observed}"
    );
    assert_eq!(
        verdict_of(subject, bedrock::INVOCATION_LOGGING_TEXT_DELIVERY.id).0,
        Verdict::Compliant
    );
    let (v, observed) = verdict_of(
        subject,
        bedrock::INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED.id,
    );
    assert_eq!(v, Verdict::Compliant, "{observed}");
}

#[tokio::test]
async fn invocation_logging_without_text_to_unencrypted_destinations_fails() {
    let region = "eu-central-1";
    let c = clients(region).await;
    let group = log_group(&c, None).await;
    let logs_bucket = bucket(&c, region, Some(ServerSideEncryption::Aes256)).await;
    let config = LoggingConfig::builder()
        .cloud_watch_config(
            CloudWatchConfig::builder()
                .log_group_name(&group)
                .role_arn(ROLE)
                .build()
                .unwrap(),
        )
        .s3_config(
            S3Config::builder()
                .bucket_name(&logs_bucket)
                .build()
                .unwrap(),
        )
        .text_data_delivery_enabled(false)
        .build();
    c.bedrock
        .put_model_invocation_logging_configuration()
        .logging_config(config)
        .send()
        .await
        .expect("put");

    let subjects = collect_invocation_logging(&c.bedrock, &c.logs, &c.s3, &scope(region))
        .await
        .expect("collected");
    let subject = find(&subjects, region);
    assert_eq!(
        verdict_of(subject, bedrock::INVOCATION_LOGGING_ENABLED.id).0,
        Verdict::Compliant
    );
    assert_eq!(
        verdict_of(subject, bedrock::INVOCATION_LOGGING_TEXT_DELIVERY.id).0,
        Verdict::NonCompliant
    );
    let (v, observed) = verdict_of(
        subject,
        bedrock::INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED.id,
    );
    assert_eq!(v, Verdict::NonCompliant);
    assert!(
        observed.contains(&format!("log group {group} has no KMS key"))
            && observed.contains("AES256"),
        "{observed}"
    );
}

#[tokio::test]
async fn a_denied_logging_configuration_read_cannot_be_evaluated() {
    let get = mock!(aws_sdk_bedrock::Client::get_model_invocation_logging_configuration)
        .then_error(|| GetModelInvocationLoggingConfigurationError::generic(denied()));
    let bedrock_client = mock_client!(aws_sdk_bedrock, RuleMode::MatchAny, [&get]);
    let c = clients(rig::REGION).await;
    let subjects = collect_invocation_logging(&bedrock_client, &c.logs, &c.s3, &scope(rig::REGION))
        .await
        .expect("one subject");
    assert_eq!(get.num_calls(), 1);
    let subject = find(&subjects, rig::REGION);
    for id in [
        bedrock::INVOCATION_LOGGING_ENABLED.id,
        bedrock::INVOCATION_LOGGING_TEXT_DELIVERY.id,
        bedrock::INVOCATION_LOGGING_DESTINATIONS_ENCRYPTED.id,
    ] {
        let (v, observed) = verdict_of(subject, id);
        assert_eq!(v, Verdict::CouldNotEvaluate, "{id}");
        assert!(
            observed.contains(
                "bedrock:GetModelInvocationLoggingConfiguration failed with AccessDeniedException"
            ),
            "{observed}"
        );
    }
}

// The same collectors against moto, whose Bedrock responses the rig normalises to the API's
// ISO 8601 timestamps (tools/moto_server.py). moto fabricates an output key for every
// customization job, so only the compliant path is reachable there; the mocks above cover the rest.
// Agents stay on mocks: moto 5.2.5 routes the SDK's `GET /agents/{id}/` to an agent named "agents".

#[tokio::test]
async fn customization_jobs_and_their_custom_models_are_collected_from_moto() {
    let aws = moto_config("us-east-1").await;
    let client = aws_sdk_bedrock::Client::new(&aws);
    let job_name = crate::support::unique("genai-ft-job");
    let model_name = crate::support::unique("genai-ft-model");
    client
        .create_model_customization_job()
        .job_name(&job_name)
        .custom_model_name(&model_name)
        .role_arn(ROLE)
        .base_model_identifier("amazon.titan-text-express-v1")
        .custom_model_kms_key_id(KEY)
        .training_data_config(
            aws_sdk_bedrock::types::TrainingDataConfig::builder()
                .s3_uri("s3://genai-train/data.jsonl")
                .build(),
        )
        .output_data_config(
            aws_sdk_bedrock::types::OutputDataConfig::builder()
                .s3_uri("s3://genai-train/out/")
                .build()
                .unwrap(),
        )
        .hyper_parameters("epochCount", "1")
        .send()
        .await
        .expect("moto creates the job");

    let jobs = genai_evidence::adapters::bedrock::collect_model_customization_jobs(
        &client,
        &scope("us-east-1"),
    )
    .await
    .unwrap();
    let job = jobs
        .iter()
        .find(|s| s.resource.resource_id.contains(&job_name))
        .expect("the job is collected");
    assert_eq!(
        verdict_of(job, "bedrock_model_customization_job_output_kms_key").0,
        Verdict::Compliant
    );

    let models =
        genai_evidence::adapters::bedrock::collect_custom_models(&client, &scope("us-east-1"))
            .await
            .unwrap();
    let model = models
        .iter()
        .find(|s| s.resource.resource_id.contains(&model_name))
        .expect("the model is collected");
    assert_eq!(
        verdict_of(model, "bedrock_custom_model_kms_key").0,
        Verdict::Compliant
    );
}

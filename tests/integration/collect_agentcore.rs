//! Collectors of Bedrock AgentCore read from the AWS API: moto's `bedrock-agentcore-control` for
//! runtimes, gateways and memories (with moto's CloudWatch Logs deliveries), aws-smithy-mocks
//! rules that assert the exact calls for what moto lacks.
//!
//! Moto gaps: moto 5.2.5 implements no custom browsers, no custom code interpreters and no token
//! vault (no ListBrowsers/GetBrowser, ListCodeInterpreters/GetCodeInterpreter, GetTokenVault), so
//! those collectors run against aws-smithy-mocks. Its GetAgentRuntime ignores
//! `agentRuntimeVersion` and answers the current configuration for every version, so a runtime
//! whose older version was PUBLIC is proven with mocks too.

use aws_sdk_bedrockagentcorecontrol::Client;
use aws_sdk_bedrockagentcorecontrol::config::Region;
use aws_sdk_bedrockagentcorecontrol::error::ErrorMetadata;
use aws_sdk_bedrockagentcorecontrol::operation::get_agent_runtime::GetAgentRuntimeOutput;
use aws_sdk_bedrockagentcorecontrol::operation::get_browser::{GetBrowserError, GetBrowserOutput};
use aws_sdk_bedrockagentcorecontrol::operation::get_code_interpreter::GetCodeInterpreterOutput;
use aws_sdk_bedrockagentcorecontrol::operation::get_token_vault::{
    GetTokenVaultError, GetTokenVaultOutput,
};
use aws_sdk_bedrockagentcorecontrol::operation::list_agent_runtime_versions::ListAgentRuntimeVersionsOutput;
use aws_sdk_bedrockagentcorecontrol::operation::list_browsers::ListBrowsersOutput;
use aws_sdk_bedrockagentcorecontrol::operation::list_code_interpreters::ListCodeInterpretersOutput;
use aws_sdk_bedrockagentcorecontrol::primitives::DateTime;
use aws_sdk_bedrockagentcorecontrol::types::{
    AgentRuntime, AgentRuntimeArtifact, AgentRuntimeStatus, AuthorizerConfiguration,
    AuthorizerType, BrowserNetworkConfiguration, BrowserNetworkMode, BrowserStatus, BrowserSummary,
    CodeInterpreterNetworkConfiguration, CodeInterpreterNetworkMode, CodeInterpreterStatus,
    CodeInterpreterSummary, ContainerConfiguration, CustomJwtAuthorizerConfiguration,
    ExceptionLevel, GatewayProtocolType, KeyType, KmsConfiguration, NetworkConfiguration,
    NetworkMode, RecordingConfig, ResourceType, S3Location, VpcConfig,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use genai_evidence::adapters::Scope;
use genai_evidence::adapters::agentcore::{
    collect_browsers, collect_code_interpreters, collect_gateways, collect_memories,
    collect_runtimes, read_runtime, read_token_vault,
};
use genai_evidence::catalog::{Params, agentcore};
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::evaluate::{Subject, SubjectState, evaluate};

use crate::support::unique;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/4c5d6e7f-8091-42a3-b4c5-d6e7f8091a2b";
const ROLE: &str = "arn:aws:iam::123456789012:role/AgentCoreRuntime-claims";

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
    DateTime::from_secs(1_795_000_000)
}

fn artifact() -> AgentRuntimeArtifact {
    AgentRuntimeArtifact::ContainerConfiguration(
        ContainerConfiguration::builder()
            .container_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/claims-agent:1.4.2")
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn moto_runtimes_are_read_with_every_version_their_network_mode_and_their_authorizer() {
    let region = "eu-west-2";
    let client = Client::new(&moto_config(region).await);
    let public = client
        .create_agent_runtime()
        .agent_runtime_name(unique("faq").replace('-', "_"))
        .agent_runtime_artifact(artifact())
        .role_arn(ROLE)
        .network_configuration(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Public)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("created");
    let private = client
        .create_agent_runtime()
        .agent_runtime_name(unique("claims").replace('-', "_"))
        .agent_runtime_artifact(artifact())
        .role_arn(ROLE)
        .network_configuration(
            NetworkConfiguration::builder()
                .network_mode(NetworkMode::Vpc)
                .network_mode_config(
                    VpcConfig::builder()
                        .subnets("subnet-0a1b2c3d4e5f60718")
                        .security_groups("sg-0c3d4e5f607182930")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .authorizer_configuration(AuthorizerConfiguration::CustomJwtAuthorizer(
            CustomJwtAuthorizerConfiguration::builder()
                .discovery_url("https://idp.example.com/.well-known/openid-configuration")
                .allowed_clients("claims-web")
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .expect("created");

    let subjects = collect_runtimes(&client, &scope(region))
        .await
        .expect("collected");
    let network = agentcore::RUNTIME_VPC_NETWORK_MODE.id;
    let jwt = agentcore::RUNTIME_JWT_AUTHORIZER.id;
    let public = find(&subjects, public.agent_runtime_id());
    let (v, observed) = verdict_of(public, network);
    assert_eq!(v, Verdict::NonCompliant, "{observed}");
    assert!(observed.contains("PUBLIC"), "{observed}");
    assert_eq!(verdict_of(public, jwt).0, Verdict::NonCompliant);
    let private = find(&subjects, private.agent_runtime_id());
    assert_eq!(verdict_of(private, network).0, Verdict::Compliant);
    assert_eq!(verdict_of(private, jwt).0, Verdict::Compliant);
    assert!(
        private
            .links
            .iter()
            .any(|l| l.reason.contains("execution role")),
        "{:?}",
        private.links
    );
}

#[tokio::test]
async fn moto_gateways_and_memories_are_judged_on_authorizer_keys_debug_and_log_delivery() {
    let region = "eu-west-3";
    let conf = moto_config(region).await;
    let client = Client::new(&conf);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&conf);
    let open = client
        .create_gateway()
        .name(unique("open-tools"))
        .role_arn(ROLE)
        .protocol_type(GatewayProtocolType::Mcp)
        .authorizer_type(AuthorizerType::None)
        .exception_level(ExceptionLevel::Debug)
        .send()
        .await
        .expect("created");
    let hardened = client
        .create_gateway()
        .name(unique("claims-tools"))
        .role_arn(ROLE)
        .protocol_type(GatewayProtocolType::Mcp)
        .authorizer_type(AuthorizerType::AwsIam)
        .kms_key_arn(KEY)
        .send()
        .await
        .expect("created");
    let with_key = client
        .create_memory()
        .name(unique("claims_memory").replace('-', "_"))
        .event_expiry_duration(30)
        .encryption_key_arn(KEY)
        .send()
        .await
        .expect("created");
    let without_key = client
        .create_memory()
        .name(unique("chat_memory").replace('-', "_"))
        .event_expiry_duration(30)
        .send()
        .await
        .expect("created");
    // moto gap: its CloudWatch Logs refuses a delivery source for a bedrock-agentcore resource
    // ("Cannot access provided service"), so no gateway has a delivery here and both fail the
    // log-delivery check; a delivered gateway is decided in catalog_tests/agentcore.rs from
    // DescribeDeliverySources / DescribeDeliveries shapes.
    let gateways = collect_gateways(&client, &logs, &scope(region))
        .await
        .expect("collected");
    let open = find(&gateways, open.gateway_id());
    let hardened = find(&gateways, hardened.gateway_id());
    for (check, open_verdict, hardened_verdict) in [
        (
            &agentcore::GATEWAY_AUTHORIZER,
            Verdict::NonCompliant,
            Verdict::Compliant,
        ),
        (
            &agentcore::GATEWAY_KMS_KEY,
            Verdict::NonCompliant,
            Verdict::Compliant,
        ),
        (
            &agentcore::GATEWAY_EXCEPTION_LEVEL,
            Verdict::NonCompliant,
            Verdict::Compliant,
        ),
        (
            &agentcore::GATEWAY_LOG_DELIVERY,
            Verdict::NonCompliant,
            Verdict::NonCompliant,
        ),
        (
            &agentcore::GATEWAY_POLICY_ENGINE_ENFORCE,
            Verdict::NotApplicable,
            Verdict::NotApplicable,
        ),
    ] {
        assert_eq!(verdict_of(open, check.id).0, open_verdict, "{}", check.id);
        assert_eq!(
            verdict_of(hardened, check.id),
            (hardened_verdict, verdict_of(hardened, check.id).1),
            "{}",
            check.id
        );
    }

    let memories = collect_memories(&client, &logs, &scope(region))
        .await
        .expect("collected");
    let key = agentcore::MEMORY_KMS_KEY.id;
    let with_key = find(&memories, with_key.memory().expect("memory").id());
    let without_key = find(&memories, without_key.memory().expect("memory").id());
    assert_eq!(verdict_of(with_key, key).0, Verdict::Compliant);
    assert_eq!(verdict_of(without_key, key).0, Verdict::NonCompliant);
    assert_eq!(
        verdict_of(without_key, agentcore::MEMORY_LOG_DELIVERY.id).0,
        Verdict::NonCompliant
    );
}

#[tokio::test]
async fn every_runtime_version_is_read_and_an_older_public_one_fails_the_runtime() {
    let runtime = |version: &str, mode: NetworkMode| {
        GetAgentRuntimeOutput::builder()
            .agent_runtime_arn(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/claims-Qm7Xk2Lp9R",
            )
            .agent_runtime_name("claims")
            .agent_runtime_id("claims-Qm7Xk2Lp9R")
            .agent_runtime_version(version)
            .created_at(now())
            .last_updated_at(now())
            .role_arn(ROLE)
            .network_configuration(
                NetworkConfiguration::builder()
                    .network_mode(mode)
                    .build()
                    .unwrap(),
            )
            .status(AgentRuntimeStatus::Ready)
            .build()
            .unwrap()
    };
    let summary = |version: &str| {
        AgentRuntime::builder()
            .agent_runtime_arn(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/claims-Qm7Xk2Lp9R",
            )
            .agent_runtime_id("claims-Qm7Xk2Lp9R")
            .agent_runtime_version(version)
            .agent_runtime_name("claims")
            .description("")
            .last_updated_at(now())
            .status(AgentRuntimeStatus::Ready)
            .build()
            .unwrap()
    };
    let current = mock!(Client::get_agent_runtime)
        .match_requests(|r| r.agent_runtime_version().is_none())
        .then_output(move || runtime("2", NetworkMode::Vpc));
    let older = mock!(Client::get_agent_runtime)
        .match_requests(|r| r.agent_runtime_version() == Some("1"))
        .then_output(move || runtime("1", NetworkMode::Public));
    let first = mock!(Client::list_agent_runtime_versions)
        .match_requests(|r| {
            r.agent_runtime_id() == Some("claims-Qm7Xk2Lp9R") && r.next_token().is_none()
        })
        .then_output(move || {
            ListAgentRuntimeVersionsOutput::builder()
                .agent_runtimes(summary("2"))
                .next_token("page-2")
                .build()
                .unwrap()
        });
    let second = mock!(Client::list_agent_runtime_versions)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            ListAgentRuntimeVersionsOutput::builder()
                .agent_runtimes(summary("1"))
                .build()
                .unwrap()
        });
    let client = mock_client!(
        aws_sdk_bedrockagentcorecontrol,
        RuleMode::MatchAny,
        [&current, &older, &first, &second]
    );
    let subject = read_runtime(&client, &scope("us-east-1"), "claims-Qm7Xk2Lp9R").await;
    assert_eq!(
        (
            current.num_calls(),
            older.num_calls(),
            first.num_calls(),
            second.num_calls()
        ),
        (1, 1, 1, 1)
    );
    let (v, observed) = verdict_of(&subject, agentcore::RUNTIME_VPC_NETWORK_MODE.id);
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("version 1 is PUBLIC"), "{observed}");
}

#[tokio::test]
async fn only_custom_browsers_are_listed_on_every_page_and_a_denied_read_cannot_be_evaluated() {
    let summary = |id: &str| {
        BrowserSummary::builder()
            .browser_id(id)
            .browser_arn(format!(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-custom/{id}"
            ))
            .status(BrowserStatus::Ready)
            .created_at(now())
            .build()
            .unwrap()
    };
    let first = mock!(Client::list_browsers)
        .match_requests(|r| r.r#type() == Some(&ResourceType::Custom) && r.next_token().is_none())
        .then_output(move || {
            ListBrowsersOutput::builder()
                .browser_summaries(summary("private-1a2b3c4d5e"))
                .next_token("page-2")
                .build()
                .unwrap()
        });
    let second = mock!(Client::list_browsers)
        .match_requests(|r| {
            r.r#type() == Some(&ResourceType::Custom) && r.next_token() == Some("page-2")
        })
        .then_output(move || {
            ListBrowsersOutput::builder()
                .browser_summaries(summary("public-5e4d3c2b1a"))
                .browser_summaries(summary("denied-0f9e8d7c6b"))
                .build()
                .unwrap()
        });
    let browser = |id: &str, mode: BrowserNetworkMode, recording: Option<RecordingConfig>| {
        GetBrowserOutput::builder()
            .browser_id(id)
            .browser_arn(format!(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:browser-custom/{id}"
            ))
            .name(id)
            .execution_role_arn(ROLE)
            .network_configuration(
                BrowserNetworkConfiguration::builder()
                    .network_mode(mode)
                    .build(),
            )
            .set_recording(recording)
            .status(BrowserStatus::Ready)
            .created_at(now())
            .last_updated_at(now())
            .build()
            .unwrap()
    };
    let private = mock!(Client::get_browser)
        .match_requests(|r| r.browser_id() == Some("private-1a2b3c4d5e"))
        .then_output(move || {
            browser(
                "private-1a2b3c4d5e",
                BrowserNetworkMode::Vpc,
                Some(
                    RecordingConfig::builder()
                        .enabled(true)
                        .s3_location(
                            S3Location::builder()
                                .bucket("acme-agentcore-recordings")
                                .prefix("sessions/")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                ),
            )
        });
    let public = mock!(Client::get_browser)
        .match_requests(|r| r.browser_id() == Some("public-5e4d3c2b1a"))
        .then_output(move || browser("public-5e4d3c2b1a", BrowserNetworkMode::Public, None));
    let denied_read = mock!(Client::get_browser)
        .match_requests(|r| r.browser_id() == Some("denied-0f9e8d7c6b"))
        .then_error(|| GetBrowserError::generic(denied()));
    let client = mock_client!(
        aws_sdk_bedrockagentcorecontrol,
        RuleMode::MatchAny,
        [&first, &second, &private, &public, &denied_read]
    );
    let subjects = collect_browsers(&client, &scope("us-east-1"))
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 3);
    assert_eq!(
        (
            first.num_calls(),
            second.num_calls(),
            private.num_calls(),
            public.num_calls(),
            denied_read.num_calls()
        ),
        (1, 1, 1, 1, 1)
    );
    let network = agentcore::BROWSER_NETWORK_NOT_PUBLIC.id;
    let recording = agentcore::BROWSER_RECORDING.id;
    let private = find(&subjects, "private-1a2b3c4d5e");
    assert_eq!(verdict_of(private, network).0, Verdict::Compliant);
    assert_eq!(verdict_of(private, recording).0, Verdict::Compliant);
    assert!(
        private
            .links
            .iter()
            .any(|l| l.reason.contains("acme-agentcore-recordings")),
        "{:?}",
        private.links
    );
    let public = find(&subjects, "public-5e4d3c2b1a");
    assert_eq!(verdict_of(public, network).0, Verdict::NonCompliant);
    assert_eq!(verdict_of(public, recording).0, Verdict::NonCompliant);
    let (v, observed) = verdict_of(find(&subjects, "denied-0f9e8d7c6b"), network);
    assert_eq!(v, Verdict::CouldNotEvaluate);
    assert!(
        observed.contains("bedrock-agentcore:GetBrowser")
            && observed.contains("AccessDeniedException"),
        "{observed}"
    );
}

#[tokio::test]
async fn only_custom_code_interpreters_are_listed_and_sandbox_fails_as_public_does() {
    let summary = |id: &str| {
        CodeInterpreterSummary::builder()
            .code_interpreter_id(id)
            .code_interpreter_arn(format!(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:code-interpreter-custom/{id}"
            ))
            .status(CodeInterpreterStatus::Ready)
            .created_at(now())
            .build()
            .unwrap()
    };
    let list = mock!(Client::list_code_interpreters)
        .match_requests(|r| r.r#type() == Some(&ResourceType::Custom))
        .then_output(move || {
            ListCodeInterpretersOutput::builder()
                .code_interpreter_summaries(summary("vpc-calc-1a2b3c4d5e"))
                .code_interpreter_summaries(summary("sandbox-calc-5e4d3c2b1a"))
                .build()
                .unwrap()
        });
    let interpreter = |id: &str, mode: CodeInterpreterNetworkMode| {
        GetCodeInterpreterOutput::builder()
            .code_interpreter_id(id)
            .code_interpreter_arn(format!(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:code-interpreter-custom/{id}"
            ))
            .name(id)
            .execution_role_arn(ROLE)
            .network_configuration(
                CodeInterpreterNetworkConfiguration::builder()
                    .network_mode(mode)
                    .build(),
            )
            .status(CodeInterpreterStatus::Ready)
            .created_at(now())
            .last_updated_at(now())
            .build()
            .unwrap()
    };
    let vpc = mock!(Client::get_code_interpreter)
        .match_requests(|r| r.code_interpreter_id() == Some("vpc-calc-1a2b3c4d5e"))
        .then_output(move || interpreter("vpc-calc-1a2b3c4d5e", CodeInterpreterNetworkMode::Vpc));
    let sandbox = mock!(Client::get_code_interpreter)
        .match_requests(|r| r.code_interpreter_id() == Some("sandbox-calc-5e4d3c2b1a"))
        .then_output(move || {
            interpreter(
                "sandbox-calc-5e4d3c2b1a",
                CodeInterpreterNetworkMode::Sandbox,
            )
        });
    let client = mock_client!(
        aws_sdk_bedrockagentcorecontrol,
        RuleMode::MatchAny,
        [&list, &vpc, &sandbox]
    );
    let subjects = collect_code_interpreters(&client, &scope("us-east-1"))
        .await
        .expect("collected");
    assert_eq!(
        (list.num_calls(), vpc.num_calls(), sandbox.num_calls()),
        (1, 1, 1)
    );
    let id = agentcore::CODE_INTERPRETER_VPC_NETWORK_MODE.id;
    assert_eq!(
        verdict_of(find(&subjects, "vpc-calc-1a2b3c4d5e"), id).0,
        Verdict::Compliant
    );
    let (v, observed) = verdict_of(find(&subjects, "sandbox-calc-5e4d3c2b1a"), id);
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("SANDBOX"), "{observed}");
}

#[tokio::test]
async fn the_token_vault_is_read_once_and_a_missing_vault_is_gone_not_non_compliant() {
    let vault = mock!(Client::get_token_vault)
        .match_requests(|r| r.token_vault_id().is_none())
        .then_output(|| {
            GetTokenVaultOutput::builder()
                .token_vault_id("default")
                .kms_configuration(
                    KmsConfiguration::builder()
                        .key_type(KeyType::ServiceManagedKey)
                        .build()
                        .unwrap(),
                )
                .last_modified_date(now())
                .build()
                .unwrap()
        });
    let client = mock_client!(
        aws_sdk_bedrockagentcorecontrol,
        RuleMode::MatchAny,
        [&vault]
    );
    let subject = read_token_vault(&client, &scope("us-east-1")).await;
    assert_eq!(vault.num_calls(), 1);
    assert_eq!(subject.resource.resource_id, "us-east-1");
    let (v, observed) = verdict_of(&subject, agentcore::TOKEN_VAULT_KMS_KEY.id);
    assert_eq!(v, Verdict::NonCompliant);
    assert!(observed.contains("ServiceManagedKey"), "{observed}");

    let missing = mock!(Client::get_token_vault).then_error(|| {
        GetTokenVaultError::generic(
            ErrorMetadata::builder()
                .code("ResourceNotFoundException")
                .message("Token vault not found")
                .build(),
        )
    });
    let client = mock_client!(
        aws_sdk_bedrockagentcorecontrol,
        RuleMode::MatchAny,
        [&missing]
    );
    let subject = read_token_vault(&client, &scope("us-east-1")).await;
    assert!(
        matches!(subject.state, SubjectState::Gone(_)),
        "{:?}",
        subject.state
    );
}

//! The enforced-guardrail collector (`adapters::enforced_guardrails`) with aws-smithy-mocks
//! rules that assert the exact calls. Moto gap: moto has no Bedrock guardrails and no
//! `ListEnforcedGuardrailsConfiguration`; its Organizations has no `DescribeEffectivePolicy`
//! at all, and `BEDROCK_POLICY` is not among its supported policy types
//! (`moto/organizations/models.py` `SUPPORTED_POLICY_TYPES`), so no part of this read can run
//! against moto.

use aws_sdk_bedrock::error::ErrorMetadata;
use aws_sdk_bedrock::operation::get_guardrail::{GetGuardrailError, GetGuardrailOutput};
use aws_sdk_bedrock::operation::list_enforced_guardrails_configuration::ListEnforcedGuardrailsConfigurationOutput;
use aws_sdk_bedrock::primitives::DateTime;
use aws_sdk_bedrock::types::{
    AccountEnforcedGuardrailOutputConfiguration, ConfigurationOwner, GuardrailContentFilter,
    GuardrailContentFilterAction, GuardrailContentFilterType, GuardrailContentPolicy,
    GuardrailFilterStrength, GuardrailPiiEntity, GuardrailPiiEntityType,
    GuardrailSensitiveInformationAction, GuardrailSensitiveInformationPolicy, GuardrailStatus,
    ModelEnforcement, SelectiveContentGuarding, SelectiveGuardingMode,
};
use aws_sdk_organizations::operation::describe_effective_policy::{
    DescribeEffectivePolicyError, DescribeEffectivePolicyOutput,
};
use aws_sdk_organizations::types::error::AwsOrganizationsNotInUseException;
use aws_sdk_organizations::types::{EffectivePolicy, EffectivePolicyType};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use genai_evidence::adapters::Scope;
use genai_evidence::adapters::enforced_guardrails::collect_enforced_guardrails;
use genai_evidence::catalog::Params;
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::evaluate::{Subject, evaluate};

const ARN: &str = "arn:aws:bedrock:us-east-1:123456789012:guardrail/baseline";
const ORG_ARN: &str = "arn:aws:bedrock:us-east-1:111122223333:guardrail/orgguard";
const CHECK: &str = "bedrock_enforced_guardrail_all_models";

fn scope() -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: "us-east-1".into(),
    }
}

fn denied() -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("AccessDeniedException")
        .message("User is not authorized to perform this action")
        .build()
}

fn config(
    id: &str,
) -> aws_sdk_bedrock::types::builders::AccountEnforcedGuardrailOutputConfigurationBuilder {
    AccountEnforcedGuardrailOutputConfiguration::builder()
        .config_id(id)
        .guardrail_arn(ARN)
        .guardrail_id("baseline")
        .guardrail_version("3")
        .owner(ConfigurationOwner::Account)
        .created_at(DateTime::from_secs(1_772_000_000))
}

/// Version 3 of the baseline guardrail: a HIGH prompt-attack filter and a PII filter.
fn protective_version() -> GetGuardrailOutput {
    GetGuardrailOutput::builder()
        .name("baseline")
        .guardrail_id("baseline")
        .guardrail_arn(ARN)
        .version("3")
        .status(GuardrailStatus::Ready)
        .created_at(DateTime::from_secs(1_772_000_000))
        .updated_at(DateTime::from_secs(1_772_000_000))
        .blocked_input_messaging("Blocked.")
        .blocked_outputs_messaging("Blocked.")
        .content_policy(
            GuardrailContentPolicy::builder()
                .filters(
                    GuardrailContentFilter::builder()
                        .r#type(GuardrailContentFilterType::PromptAttack)
                        .input_strength(GuardrailFilterStrength::High)
                        .output_strength(GuardrailFilterStrength::None)
                        .input_action(GuardrailContentFilterAction::Block)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
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
}

fn verdict(subjects: &[Subject]) -> (Verdict, String) {
    assert_eq!(subjects.len(), 1, "one singleton per region");
    assert_eq!(
        subjects[0].resource.resource_type,
        "AWS::Bedrock::EnforcedGuardrailConfiguration"
    );
    assert_eq!(subjects[0].resource.resource_id, "us-east-1");
    let finding = evaluate(
        &subjects[0],
        &Params::default(),
        genai_evidence::domain::time::Timestamp::now(),
    )
    .into_iter()
    .find(|f| f.check.id == CHECK)
    .expect("the check ran");
    (finding.outcome.verdict, finding.outcome.observed)
}

#[tokio::test]
async fn every_page_of_account_configurations_is_read_with_the_named_versions_and_one_covering_all_models_passes()
 {
    let first = mock!(aws_sdk_bedrock::Client::list_enforced_guardrails_configuration)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListEnforcedGuardrailsConfigurationOutput::builder()
                .guardrails_config(
                    config("narrowed")
                        .model_enforcement(
                            ModelEnforcement::builder()
                                .included_models("anthropic.claude-sonnet-4-20250514-v1:0")
                                .set_excluded_models(Some(Vec::new()))
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .next_token("t2")
                .build()
                .unwrap()
        });
    let second = mock!(aws_sdk_bedrock::Client::list_enforced_guardrails_configuration)
        .match_requests(|r| r.next_token() == Some("t2"))
        .then_output(|| {
            ListEnforcedGuardrailsConfigurationOutput::builder()
                .guardrails_config(
                    config("everywhere")
                        .selective_content_guarding(
                            SelectiveContentGuarding::builder()
                                .system(SelectiveGuardingMode::Comprehensive)
                                .messages(SelectiveGuardingMode::Comprehensive)
                                .build(),
                        )
                        .build(),
                )
                .build()
                .unwrap()
        });
    let version = mock!(aws_sdk_bedrock::Client::get_guardrail)
        .match_requests(|r| {
            r.guardrail_identifier() == Some(ARN) && r.guardrail_version() == Some("3")
        })
        .then_output(protective_version);
    let bedrock = mock_client!(
        aws_sdk_bedrock,
        RuleMode::MatchAny,
        [&first, &second, &version]
    );
    let effective = mock!(aws_sdk_organizations::Client::describe_effective_policy)
        .match_requests(|r| {
            r.policy_type() == Some(&EffectivePolicyType::BedrockPolicy) && r.target_id().is_none()
        })
        .then_error(|| DescribeEffectivePolicyError::generic(denied()));
    let organizations = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&effective]);

    let subjects = collect_enforced_guardrails(&bedrock, &organizations, &scope())
        .await
        .expect("collected");
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(version.num_calls(), 2, "each configuration's version read");
    assert_eq!(effective.num_calls(), 1);
    let (v, observed) = verdict(&subjects);
    assert_eq!(v, Verdict::Compliant, "{observed}");
    assert!(observed.contains("everywhere"), "{observed}");
}

#[tokio::test]
async fn without_an_account_configuration_the_organization_view_decides() {
    let empty = || {
        mock!(aws_sdk_bedrock::Client::list_enforced_guardrails_configuration).then_output(|| {
            ListEnforcedGuardrailsConfigurationOutput::builder()
                .set_guardrails_config(Some(Vec::new()))
                .build()
                .unwrap()
        })
    };

    // Not in an organization: no organization policy applies, so nothing is enforced.
    let list = empty();
    let bedrock = mock_client!(aws_sdk_bedrock, RuleMode::MatchAny, [&list]);
    let standalone =
        mock!(aws_sdk_organizations::Client::describe_effective_policy).then_error(|| {
            DescribeEffectivePolicyError::AwsOrganizationsNotInUseException(
                AwsOrganizationsNotInUseException::builder()
                    .message("Your account is not a member of an organization.")
                    .build(),
            )
        });
    let organizations = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&standalone]);
    let subjects = collect_enforced_guardrails(&bedrock, &organizations, &scope())
        .await
        .unwrap();
    let (v, observed) = verdict(&subjects);
    assert_eq!(v, Verdict::NonCompliant, "{observed}");
    assert!(
        observed.contains("AWSOrganizationsNotInUseException"),
        "{observed}"
    );

    // Access denied: the organization may enforce one, so it cannot be decided.
    let list = empty();
    let bedrock = mock_client!(aws_sdk_bedrock, RuleMode::MatchAny, [&list]);
    let denied_view = mock!(aws_sdk_organizations::Client::describe_effective_policy)
        .then_error(|| DescribeEffectivePolicyError::generic(denied()));
    let organizations = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&denied_view]);
    let subjects = collect_enforced_guardrails(&bedrock, &organizations, &scope())
        .await
        .unwrap();
    let (v, observed) = verdict(&subjects);
    assert_eq!(v, Verdict::CouldNotEvaluate, "{observed}");
    assert!(
        observed
            .contains("organizations:DescribeEffectivePolicy failed with AccessDeniedException"),
        "{observed}"
    );

    // The organization's policy names a management-account guardrail this account cannot read.
    let list = empty();
    let org_version = mock!(aws_sdk_bedrock::Client::get_guardrail)
        .match_requests(|r| {
            r.guardrail_identifier() == Some(ORG_ARN) && r.guardrail_version() == Some("2")
        })
        .then_error(|| GetGuardrailError::generic(denied()));
    let bedrock = mock_client!(aws_sdk_bedrock, RuleMode::MatchAny, [&list, &org_version]);
    let policy = mock!(aws_sdk_organizations::Client::describe_effective_policy).then_output(
        || {
            DescribeEffectivePolicyOutput::builder()
                .effective_policy(
                    EffectivePolicy::builder()
                        .policy_type(EffectivePolicyType::BedrockPolicy)
                        .target_id("123456789012")
                        .policy_content(format!(
                            r#"{{"bedrock":{{"guardrail_inference":{{"us-east-1":{{"config_1":{{"identifier":{{"@@assign":"{ORG_ARN}:2"}}}}}}}}}}}}"#
                        ))
                        .build(),
                )
                .build()
        },
    );
    let organizations = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&policy]);
    let subjects = collect_enforced_guardrails(&bedrock, &organizations, &scope())
        .await
        .unwrap();
    assert_eq!(org_version.num_calls(), 1);
    let (v, observed) = verdict(&subjects);
    assert_eq!(v, Verdict::CouldNotEvaluate, "{observed}");
    assert!(observed.contains("config_1"), "{observed}");
}

#[tokio::test]
async fn a_denied_account_listing_cannot_be_decided_and_reads_no_version() {
    let list = mock!(aws_sdk_bedrock::Client::list_enforced_guardrails_configuration).then_error(
        || {
            aws_sdk_bedrock::operation::list_enforced_guardrails_configuration::ListEnforcedGuardrailsConfigurationError::generic(denied())
        },
    );
    let get = mock!(aws_sdk_bedrock::Client::get_guardrail).then_output(protective_version);
    let bedrock = mock_client!(aws_sdk_bedrock, RuleMode::MatchAny, [&list, &get]);
    let standalone =
        mock!(aws_sdk_organizations::Client::describe_effective_policy).then_error(|| {
            DescribeEffectivePolicyError::AwsOrganizationsNotInUseException(
                AwsOrganizationsNotInUseException::builder().build(),
            )
        });
    let organizations = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&standalone]);
    let subjects = collect_enforced_guardrails(&bedrock, &organizations, &scope())
        .await
        .unwrap();
    assert_eq!((list.num_calls(), get.num_calls()), (1, 0));
    let (v, observed) = verdict(&subjects);
    assert_eq!(v, Verdict::CouldNotEvaluate, "{observed}");
    assert!(
        observed.contains(
            "bedrock:ListEnforcedGuardrailsConfiguration failed with AccessDeniedException"
        ),
        "{observed}"
    );
}

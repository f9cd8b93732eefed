//! The iam checks decided from fixture files: Config configuration items and API
//! responses decoded by the adapters, then evaluated (the pure checks live in
//! `genai_evidence_core::catalog::iam`).

use serde_json::Value;

use crate::adapters::config_item::{ConfigurationItem, Decoded, decode};
#[allow(unused_imports)]
use crate::catalog::framework::*;
#[allow(unused_imports)]
use crate::catalog::*;
use crate::domain::outcome::Verdict;
#[allow(unused_imports)]
use crate::domain::outcome::*;
#[allow(unused_imports)]
use crate::domain::policy::*;
#[allow(unused_imports)]
use crate::domain::resource::*;
use crate::domain::resource::{Resource, Unreadable};
use crate::domain::resources::bedrock::GuardrailEnforcement;
#[allow(unused_imports)]
use crate::domain::resources::iam::*;
use crate::domain::resources::iam::{AccessKey, Password};
#[allow(unused_imports)]
use crate::domain::time::*;
use genai_evidence_core::catalog::iam::CHECKS;
use genai_evidence_core::catalog::iam::*;

const ROLE_SCOPED: &str = include_str!("../../../tests/fixtures/iam/config-role-scoped.json");
const ROLE_OVERPRIVILEGED: &str =
    include_str!("../../../tests/fixtures/iam/config-role-overprivileged.json");
const ROLE_NEVER_USED: &str =
    include_str!("../../../tests/fixtures/iam/config-role-sagemaker-wildcard-never-used.json");
const ROLE_ATTACHED_ONLY: &str =
    include_str!("../../../tests/fixtures/iam/config-role-attached-only.json");
const ROLE_SERVICE_LINKED: &str =
    include_str!("../../../tests/fixtures/iam/config-role-service-linked.json");
const USER_SCOPED: &str = include_str!("../../../tests/fixtures/iam/config-user-scoped.json");
const USER_ADMIN: &str = include_str!("../../../tests/fixtures/iam/config-user-admin.json");
const USER_IN_GROUP: &str = include_str!("../../../tests/fixtures/iam/config-user-in-group.json");
const POLICY_SCOPED: &str = include_str!("../../../tests/fixtures/iam/config-policy-scoped.json");
const POLICY_ADMIN: &str = include_str!("../../../tests/fixtures/iam/config-policy-admin.json");
const POLICY_GENAI: &str =
    include_str!("../../../tests/fixtures/iam/config-policy-genai-wildcard.json");
const POLICY_MALFORMED: &str =
    include_str!("../../../tests/fixtures/iam/config-policy-malformed-default.json");
const CREDS_FRESH: &str =
    include_str!("../../../tests/fixtures/iam/api-user-credentials-fresh.json");
const CREDS_STALE: &str =
    include_str!("../../../tests/fixtures/iam/api-user-credentials-stale.json");
const CREDS_DENIED: &str =
    include_str!("../../../tests/fixtures/iam/api-user-credentials-denied.json");
const CREDS_NONE: &str = include_str!("../../../tests/fixtures/iam/api-user-credentials-none.json");

fn params() -> Params {
    Params {
        as_of: Timestamp::parse("2026-08-10T12:00:00Z").unwrap(),
        ..Params::default()
    }
}

fn resource(text: &str) -> Resource {
    let item = ConfigurationItem::from_notification(&serde_json::from_str(text).unwrap()).unwrap();
    match decode(&item) {
        Decoded::Resource(r) => r,
        other => panic!("fixture did not decode: {other:?}"),
    }
}

fn role(text: &str) -> Role {
    match resource(text) {
        Resource::IamRole(r) => r,
        other => panic!("not a role: {other:?}"),
    }
}

fn user(text: &str) -> User {
    match resource(text) {
        Resource::IamUser(u) => u,
        other => panic!("not a user: {other:?}"),
    }
}

fn policy(text: &str) -> ManagedPolicy {
    match resource(text) {
        Resource::IamPolicy(p) => p,
        other => panic!("not a policy: {other:?}"),
    }
}

/// A Config-decoded user with the credential answers of an API-shaped fixture, as the API
/// collector would fill them.
fn with_credentials(mut user: User, api: &str) -> User {
    let api: Value = serde_json::from_str(api).unwrap();
    let time = |v: &Value| v.as_str().map(|s| Timestamp::parse(s).unwrap());
    let error = |v: &Value| {
        v.get("Error").map(|e| {
            Unreadable::new(format!(
                "{} failed with {}: {}",
                "iam call", e["Code"], e["Message"]
            ))
        })
    };
    user.password = match error(&api["GetLoginProfile"]) {
        Some(_) if api["GetLoginProfile"]["Error"]["Code"] == "NoSuchEntity" => Ok(None),
        Some(e) => Err(e),
        None => Ok(Some(Password {
            created: time(&api["GetLoginProfile"]["LoginProfile"]["CreateDate"]),
            last_used: time(&api["ListUsers"]["PasswordLastUsed"]),
        })),
    };
    user.access_keys = match error(&api["ListAccessKeys"]) {
        Some(e) => Err(e),
        None => Ok(api["ListAccessKeys"]["AccessKeyMetadata"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let id = k["AccessKeyId"].as_str().unwrap().to_owned();
                let answer = &api["GetAccessKeyLastUsed"][&id];
                AccessKey {
                    active: k["Status"] == "Active",
                    created: time(&k["CreateDate"]),
                    last_used: match error(answer) {
                        Some(e) => Err(e),
                        None => Ok(time(&answer["AccessKeyLastUsed"]["LastUsedDate"])),
                    },
                    id,
                }
            })
            .collect()),
    };
    user
}

fn assert_verdict(outcome: &Outcome, verdict: Verdict) {
    assert_eq!(outcome.verdict, verdict, "{outcome:?}");
    assert!(!outcome.observed.is_empty() && !outcome.rationale.is_empty());
}

#[test]
fn role_checks_pass_for_a_role_scoped_to_one_model_and_one_key() {
    let r = role(ROLE_SCOPED);
    for check in [
        &ROLE_NO_ADMIN_ACCESS,
        &ROLE_NO_GENAI_WILDCARD,
        &ROLE_NO_GENAI_FULL_ACCESS_POLICY,
        &ROLE_NO_KMS_DECRYPT_ALL_KEYS,
    ] {
        assert_verdict(
            &check.evaluate(&Resource::IamRole(r.clone()), &params()),
            Verdict::Compliant,
        );
    }
}

#[test]
fn role_with_admin_inline_policy_and_bedrock_full_access_fails_every_least_privilege_check() {
    let r = Resource::IamRole(role(ROLE_OVERPRIVILEGED));
    let admin = ROLE_NO_ADMIN_ACCESS.evaluate(&r, &params());
    assert_verdict(&admin, Verdict::NonCompliant);
    assert!(
        admin.observed.contains("\"Admin\"") && admin.observed.contains("do-everything"),
        "{}",
        admin.observed
    );
    assert_verdict(
        &ROLE_NO_GENAI_WILDCARD.evaluate(&r, &params()),
        Verdict::NonCompliant,
    );
    let full = ROLE_NO_GENAI_FULL_ACCESS_POLICY.evaluate(&r, &params());
    assert_verdict(&full, Verdict::NonCompliant);
    assert!(
        full.observed.contains("AmazonBedrockFullAccess"),
        "{}",
        full.observed
    );
    let decrypt = ROLE_NO_KMS_DECRYPT_ALL_KEYS.evaluate(&r, &params());
    assert_verdict(&decrypt, Verdict::NonCompliant);
}

#[test]
fn sagemaker_wildcard_and_decrypt_star_fail_without_an_admin_statement() {
    let r = Resource::IamRole(role(ROLE_NEVER_USED));
    assert_verdict(
        &ROLE_NO_ADMIN_ACCESS.evaluate(&r, &params()),
        Verdict::Compliant,
    );
    let genai = ROLE_NO_GENAI_WILDCARD.evaluate(&r, &params());
    assert_verdict(&genai, Verdict::NonCompliant);
    assert!(
        genai.observed.contains("AllSageMaker"),
        "{}",
        genai.observed
    );
    assert_verdict(
        &ROLE_NO_KMS_DECRYPT_ALL_KEYS.evaluate(&r, &params()),
        Verdict::NonCompliant,
    );
}

#[test]
fn role_with_only_managed_policies_from_config_cannot_be_evaluated_on_their_documents() {
    let r = Resource::IamRole(role(ROLE_ATTACHED_ONLY));
    for check in [
        &ROLE_NO_ADMIN_ACCESS,
        &ROLE_NO_GENAI_WILDCARD,
        &ROLE_NO_KMS_DECRYPT_ALL_KEYS,
        &ROLE_GENAI_ACCESS_RECENTLY_USED,
    ] {
        let outcome = check.evaluate(&r, &params());
        assert_verdict(&outcome, Verdict::CouldNotEvaluate);
        assert!(
            outcome.observed.contains("GetAccountAuthorizationDetails"),
            "{}",
            outcome.observed
        );
    }
    // The attachment list itself is in the item, so the full-access check decides.
    assert_verdict(
        &ROLE_NO_GENAI_FULL_ACCESS_POLICY.evaluate(&r, &params()),
        Verdict::Compliant,
    );
}

#[test]
fn role_full_access_check_cannot_decide_without_the_attachment_list() {
    let mut r = role(ROLE_SCOPED);
    r.attached_policies = Err(Unreadable::new(
        "AccessDenied on iam:ListAttachedRolePolicies",
    ));
    let outcome = ROLE_NO_GENAI_FULL_ACCESS_POLICY.evaluate(&Resource::IamRole(r), &params());
    assert_verdict(&outcome, Verdict::CouldNotEvaluate);
    assert!(outcome.observed.contains("AccessDenied"));
}

#[test]
fn service_linked_roles_are_not_applicable() {
    let r = Resource::IamRole(role(ROLE_SERVICE_LINKED));
    for check in CHECKS
        .iter()
        .filter(|c| c.resource_type() == crate::domain::resource::ResourceType::IamRole)
    {
        assert_verdict(&check.evaluate(&r, &params()), Verdict::NotApplicable);
    }
}

#[test]
fn a_role_used_last_week_passes_and_one_unused_since_december_fails_review() {
    let fresh =
        ROLE_GENAI_ACCESS_RECENTLY_USED.evaluate(&Resource::IamRole(role(ROLE_SCOPED)), &params());
    assert_verdict(&fresh, Verdict::Compliant);
    let stale = ROLE_GENAI_ACCESS_RECENTLY_USED
        .evaluate(&Resource::IamRole(role(ROLE_OVERPRIVILEGED)), &params());
    assert_verdict(&stale, Verdict::NonCompliant);
    assert!(stale.observed.contains("2025-12-20"), "{}", stale.observed);
    let longer = Params {
        max_unused_days: 365,
        ..params()
    };
    assert_verdict(
        &ROLE_GENAI_ACCESS_RECENTLY_USED
            .evaluate(&Resource::IamRole(role(ROLE_OVERPRIVILEGED)), &longer),
        Verdict::Compliant,
    );
}

#[test]
fn a_never_used_genai_role_fails_once_older_than_the_review_period() {
    let outcome = ROLE_GENAI_ACCESS_RECENTLY_USED
        .evaluate(&Resource::IamRole(role(ROLE_NEVER_USED)), &params());
    assert_verdict(&outcome, Verdict::NonCompliant);
    assert!(
        outcome.observed.contains("no recorded use"),
        "{}",
        outcome.observed
    );
    let early = Params {
        as_of: Timestamp::parse("2025-02-01T00:00:00Z").unwrap(),
        ..params()
    };
    assert_verdict(
        &ROLE_GENAI_ACCESS_RECENTLY_USED
            .evaluate(&Resource::IamRole(role(ROLE_NEVER_USED)), &early),
        Verdict::Compliant,
    );
}

#[test]
fn role_last_used_unreadable_or_without_genai_access() {
    let mut r = role(ROLE_SCOPED);
    r.last_used = Err(Unreadable::new(
        "the configuration item does not include roleLastUsed",
    ));
    assert_verdict(
        &ROLE_GENAI_ACCESS_RECENTLY_USED.evaluate(&Resource::IamRole(r.clone()), &params()),
        Verdict::CouldNotEvaluate,
    );
    r.policies.clear();
    assert_verdict(
        &ROLE_GENAI_ACCESS_RECENTLY_USED.evaluate(&Resource::IamRole(r), &params()),
        Verdict::NotApplicable,
    );
}

#[test]
fn user_checks_pass_for_a_scoped_user_without_groups() {
    let u = Resource::IamUser(user(USER_SCOPED));
    for check in [
        &USER_NO_ADMIN_ACCESS,
        &USER_NO_GENAI_WILDCARD,
        &USER_NO_GENAI_FULL_ACCESS_POLICY,
        &USER_NO_KMS_DECRYPT_ALL_KEYS,
    ] {
        assert_verdict(&check.evaluate(&u, &params()), Verdict::Compliant);
    }
}

#[test]
fn user_with_sagemaker_full_access_and_break_glass_policy_fails() {
    let u = Resource::IamUser(user(USER_ADMIN));
    for check in [
        &USER_NO_ADMIN_ACCESS,
        &USER_NO_GENAI_WILDCARD,
        &USER_NO_GENAI_FULL_ACCESS_POLICY,
        &USER_NO_KMS_DECRYPT_ALL_KEYS,
    ] {
        assert_verdict(&check.evaluate(&u, &params()), Verdict::NonCompliant);
    }
    let full = USER_NO_GENAI_FULL_ACCESS_POLICY.evaluate(&u, &params());
    assert!(
        full.observed.contains("AmazonSageMakerFullAccess") && full.observed.contains("directly"),
        "{}",
        full.observed
    );
}

#[test]
fn user_in_a_group_cannot_be_evaluated_from_a_config_item() {
    let u = Resource::IamUser(user(USER_IN_GROUP));
    for check in [
        &USER_NO_ADMIN_ACCESS,
        &USER_NO_GENAI_WILDCARD,
        &USER_NO_GENAI_FULL_ACCESS_POLICY,
        &USER_NO_KMS_DECRYPT_ALL_KEYS,
    ] {
        let outcome = check.evaluate(&u, &params());
        assert_verdict(&outcome, Verdict::CouldNotEvaluate);
    }
    let full = USER_NO_GENAI_FULL_ACCESS_POLICY.evaluate(&u, &params());
    assert!(
        full.observed.contains("group ml-analysts"),
        "{}",
        full.observed
    );
}

#[test]
fn full_access_through_a_group_fails() {
    let mut u = user(USER_IN_GROUP);
    u.groups[0].attached_policies = Ok(vec![AttachedPolicy {
        name: "AmazonBedrockFullAccess".into(),
        arn: "arn:aws:iam::aws:policy/AmazonBedrockFullAccess".into(),
        via_group: Some("ml-analysts".into()),
    }]);
    let outcome = USER_NO_GENAI_FULL_ACCESS_POLICY.evaluate(&Resource::IamUser(u), &params());
    assert_verdict(&outcome, Verdict::NonCompliant);
    assert!(
        outcome.observed.contains("through group ml-analysts"),
        "{}",
        outcome.observed
    );
}

#[test]
fn managed_policy_checks_read_only_the_default_version() {
    let scoped = Resource::IamPolicy(policy(POLICY_SCOPED));
    assert_verdict(
        &POLICY_NO_ADMIN_ACCESS.evaluate(&scoped, &params()),
        Verdict::Compliant,
    );
    assert_verdict(
        &POLICY_NO_GENAI_WILDCARD.evaluate(&scoped, &params()),
        Verdict::Compliant,
    );
    let admin = Resource::IamPolicy(policy(POLICY_ADMIN));
    assert_verdict(
        &POLICY_NO_ADMIN_ACCESS.evaluate(&admin, &params()),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &POLICY_NO_GENAI_WILDCARD.evaluate(&admin, &params()),
        Verdict::NonCompliant,
    );
    let genai = Resource::IamPolicy(policy(POLICY_GENAI));
    assert_verdict(
        &POLICY_NO_ADMIN_ACCESS.evaluate(&genai, &params()),
        Verdict::Compliant,
    );
    assert_verdict(
        &POLICY_NO_GENAI_WILDCARD.evaluate(&genai, &params()),
        Verdict::NonCompliant,
    );
}

#[test]
fn managed_policy_with_an_unreadable_default_version_cannot_be_evaluated() {
    let broken = Resource::IamPolicy(policy(POLICY_MALFORMED));
    for check in [&POLICY_NO_ADMIN_ACCESS, &POLICY_NO_GENAI_WILDCARD] {
        let outcome = check.evaluate(&broken, &params());
        assert_verdict(&outcome, Verdict::CouldNotEvaluate);
        assert!(
            outcome.observed.contains("could not be read"),
            "{}",
            outcome.observed
        );
    }
}

#[test]
fn config_items_leave_user_credentials_unreadable() {
    let u = Resource::IamUser(user(USER_SCOPED));
    assert_verdict(
        &USER_CREDENTIALS_RECENTLY_USED.evaluate(&u, &params()),
        Verdict::CouldNotEvaluate,
    );
    assert_verdict(
        &USER_ACCESS_KEYS_ROTATED.evaluate(&u, &params()),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn recently_used_password_and_key_pass_and_stale_ones_fail() {
    let fresh = Resource::IamUser(with_credentials(user(USER_SCOPED), CREDS_FRESH));
    assert_verdict(
        &USER_CREDENTIALS_RECENTLY_USED.evaluate(&fresh, &params()),
        Verdict::Compliant,
    );
    let stale = Resource::IamUser(with_credentials(user(USER_ADMIN), CREDS_STALE));
    let outcome = USER_CREDENTIALS_RECENTLY_USED.evaluate(&stale, &params());
    assert_verdict(&outcome, Verdict::NonCompliant);
    // The password was never used: its age counts from creation.
    assert!(
        outcome
            .observed
            .contains("console password last active 2025-02-01"),
        "{}",
        outcome.observed
    );
    assert!(
        outcome.observed.contains("AKIAQXZ5STALEKEY0003"),
        "{}",
        outcome.observed
    );
}

#[test]
fn denied_credential_reads_cannot_be_evaluated_and_no_credentials_is_not_applicable() {
    let denied = Resource::IamUser(with_credentials(user(USER_IN_GROUP), CREDS_DENIED));
    let outcome = USER_CREDENTIALS_RECENTLY_USED.evaluate(&denied, &params());
    assert_verdict(&outcome, Verdict::CouldNotEvaluate);
    assert!(
        outcome.observed.contains("AccessDenied"),
        "{}",
        outcome.observed
    );
    assert_verdict(
        &USER_ACCESS_KEYS_ROTATED.evaluate(&denied, &params()),
        Verdict::CouldNotEvaluate,
    );
    let none = Resource::IamUser(with_credentials(user(USER_SCOPED), CREDS_NONE));
    assert_verdict(
        &USER_CREDENTIALS_RECENTLY_USED.evaluate(&none, &params()),
        Verdict::NotApplicable,
    );
    assert_verdict(
        &USER_ACCESS_KEYS_ROTATED.evaluate(&none, &params()),
        Verdict::NotApplicable,
    );
}

#[test]
fn an_unreadable_key_last_use_cannot_be_evaluated_unless_another_credential_is_stale() {
    let mut u = with_credentials(user(USER_SCOPED), CREDS_FRESH);
    if let Ok(keys) = &mut u.access_keys {
        keys[0].last_used = Err(Unreadable::new(
            "iam:GetAccessKeyLastUsed failed with AccessDenied",
        ));
    }
    let outcome = USER_CREDENTIALS_RECENTLY_USED.evaluate(&Resource::IamUser(u.clone()), &params());
    assert_verdict(&outcome, Verdict::CouldNotEvaluate);
    u.password = Ok(Some(Password {
        created: Timestamp::parse("2024-01-01T00:00:00Z").ok(),
        last_used: None,
    }));
    assert_verdict(
        &USER_CREDENTIALS_RECENTLY_USED.evaluate(&Resource::IamUser(u), &params()),
        Verdict::NonCompliant,
    );
}

#[test]
fn only_active_keys_older_than_the_maximum_age_fail_rotation() {
    // The fresh fixture's old key is inactive, so only the June 2026 key counts.
    let fresh = Resource::IamUser(with_credentials(user(USER_SCOPED), CREDS_FRESH));
    assert_verdict(
        &USER_ACCESS_KEYS_ROTATED.evaluate(&fresh, &params()),
        Verdict::Compliant,
    );
    let stale = Resource::IamUser(with_credentials(user(USER_ADMIN), CREDS_STALE));
    let outcome = USER_ACCESS_KEYS_ROTATED.evaluate(&stale, &params());
    assert_verdict(&outcome, Verdict::NonCompliant);
    assert!(
        outcome.observed.contains("2025-01-15"),
        "{}",
        outcome.observed
    );
    let lenient = Params {
        max_access_key_age_days: 1000,
        ..params()
    };
    assert_verdict(
        &USER_ACCESS_KEYS_ROTATED.evaluate(&stale, &lenient),
        Verdict::Compliant,
    );
}

// Long-term Bedrock API keys: ListServiceSpecificCredentials answers decoded by the IAM adapter.

const BEDROCK_KEYS_EXPIRING: &str = include_str!(
    "../../../tests/fixtures/iam/list-service-specific-credentials-bedrock-expiring.json"
);
const BEDROCK_KEYS_LONG_TERM: &str = include_str!(
    "../../../tests/fixtures/iam/list-service-specific-credentials-bedrock-long-term.json"
);
const BEDROCK_KEYS_DENIED: &str =
    include_str!("../../../tests/fixtures/iam/list-service-specific-credentials-denied.json");

/// The SDK's `ServiceSpecificCredentialMetadata` list of a ListServiceSpecificCredentials answer.
fn sdk_service_credentials(
    api: &Value,
) -> Vec<aws_sdk_iam::types::ServiceSpecificCredentialMetadata> {
    use aws_sdk_iam::types::{ServiceSpecificCredentialMetadata, StatusType};
    use aws_smithy_types::DateTime;
    use aws_smithy_types::date_time::Format;
    let date = |v: &Value| {
        v.as_str()
            .map(|s| DateTime::from_str(s, Format::DateTime).unwrap())
    };
    api["ServiceSpecificCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            ServiceSpecificCredentialMetadata::builder()
                .user_name(c["UserName"].as_str().unwrap())
                .status(StatusType::from(c["Status"].as_str().unwrap()))
                .service_user_name(c["ServiceUserName"].as_str().unwrap())
                .set_service_credential_alias(
                    c["ServiceCredentialAlias"].as_str().map(str::to_owned),
                )
                .set_create_date(date(&c["CreateDate"]))
                .set_expiration_date(date(&c["ExpirationDate"]))
                .service_specific_credential_id(c["ServiceSpecificCredentialId"].as_str().unwrap())
                .service_name(c["ServiceName"].as_str().unwrap())
                .build()
                .unwrap()
        })
        .collect()
}

/// A user with the Bedrock API keys of a ListServiceSpecificCredentials fixture (or its error),
/// as the IAM adapter reads them.
fn with_bedrock_keys(mut user: User, api: &str) -> User {
    let api: Value = serde_json::from_str(api).unwrap();
    user.bedrock_api_keys = match api.get("Error") {
        Some(e) => Err(Unreadable::new(format!(
            "iam:ListServiceSpecificCredentials failed with {}: {}",
            e["Code"].as_str().unwrap(),
            e["Message"].as_str().unwrap()
        ))),
        None => Ok(crate::adapters::iam::service_credentials(
            &sdk_service_credentials(&api),
        )),
    };
    user
}

#[test]
fn an_active_bedrock_api_key_expiring_within_the_maximum_age_passes_and_inactive_ones_are_ignored()
{
    let user = with_bedrock_keys(user(USER_SCOPED), BEDROCK_KEYS_EXPIRING);
    let outcome = USER_BEDROCK_API_KEY_SHORT_LIVED.evaluate(&Resource::IamUser(user), &params());
    assert_verdict(&outcome, Verdict::Compliant);
    assert!(
        outcome.observed.starts_with("1 active"),
        "{}",
        outcome.observed
    );
}

#[test]
fn a_bedrock_api_key_without_expiry_or_living_a_year_fails() {
    let long_term = with_bedrock_keys(user(USER_SCOPED), BEDROCK_KEYS_LONG_TERM);
    let outcome =
        USER_BEDROCK_API_KEY_SHORT_LIVED.evaluate(&Resource::IamUser(long_term), &params());
    assert_verdict(&outcome, Verdict::NonCompliant);
    assert!(
        outcome
            .observed
            .contains("ACCAQXZ5BEDROCKKEY03 never expires")
            && outcome.observed.contains("ACCAQXZ5BEDROCKKEY04")
            && outcome.observed.contains("365 days later"),
        "{}",
        outcome.observed
    );
    // A parameter of a year and a half accepts the year-long key, never the one without expiry.
    let lenient = Params {
        max_bedrock_api_key_age_days: 540,
        ..params()
    };
    let again = with_bedrock_keys(user(USER_SCOPED), BEDROCK_KEYS_LONG_TERM);
    let outcome = USER_BEDROCK_API_KEY_SHORT_LIVED.evaluate(&Resource::IamUser(again), &lenient);
    assert_verdict(&outcome, Verdict::NonCompliant);
    assert!(!outcome.observed.contains("KEY04"), "{}", outcome.observed);
}

#[test]
fn an_unreadable_key_listing_or_a_config_item_cannot_decide_the_bedrock_api_key_check() {
    let user_denied = with_bedrock_keys(user(USER_SCOPED), BEDROCK_KEYS_DENIED);
    let outcome =
        USER_BEDROCK_API_KEY_SHORT_LIVED.evaluate(&Resource::IamUser(user_denied), &params());
    assert_verdict(&outcome, Verdict::CouldNotEvaluate);
    assert!(
        outcome.observed.contains("AccessDenied"),
        "{}",
        outcome.observed
    );
    let from_config =
        USER_BEDROCK_API_KEY_SHORT_LIVED.evaluate(&Resource::IamUser(user(USER_SCOPED)), &params());
    assert_verdict(&from_config, Verdict::CouldNotEvaluate);
    assert!(
        from_config
            .observed
            .contains("iam:ListServiceSpecificCredentials"),
        "{}",
        from_config.observed
    );
}

#[test]
fn a_user_whose_bedrock_api_keys_are_inactive_or_expired_is_not_applicable() {
    let mut user = with_bedrock_keys(user(USER_SCOPED), BEDROCK_KEYS_EXPIRING);
    let late = Params {
        as_of: Timestamp::parse("2026-09-01T00:00:00Z").unwrap(),
        ..params()
    };
    let outcome =
        USER_BEDROCK_API_KEY_SHORT_LIVED.evaluate(&Resource::IamUser(user.clone()), &late);
    assert_verdict(&outcome, Verdict::NotApplicable);
    user.bedrock_api_keys = Ok(Vec::new());
    let outcome = USER_BEDROCK_API_KEY_SHORT_LIVED.evaluate(&Resource::IamUser(user), &params());
    assert_verdict(&outcome, Verdict::NotApplicable);
}

const ROLE_INVOKE_GUARDED: &str =
    include_str!("../../../tests/fixtures/iam/config-role-invoke-guardrail-condition.json");
const ROLE_INVOKE_DENY: &str =
    include_str!("../../../tests/fixtures/iam/config-role-invoke-deny-without-guardrail.json");
const USER_SCOPED_INVOKE: &str =
    include_str!("../../../tests/fixtures/iam/config-user-scoped.json");

fn enforced() -> GuardrailEnforcement {
    GuardrailEnforcement::Enforced("us-east-1: account configuration a1b2c3d4e5".into())
}

fn not_enforced() -> GuardrailEnforcement {
    GuardrailEnforcement::NotEnforced("us-east-1: no enforced guardrail configuration".into())
}

#[test]
fn an_invoke_grant_constrained_by_a_guardrail_condition_or_a_deny_without_one_passes() {
    for fixture in [ROLE_INVOKE_GUARDED, ROLE_INVOKE_DENY] {
        let mut r = role(fixture);
        r.guardrail_enforcement = not_enforced();
        let outcome = ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(r), &params());
        assert_eq!(outcome.verdict, Verdict::Compliant, "{}", outcome.observed);
    }
}

#[test]
fn an_unconstrained_invoke_grant_fails_unless_an_enforced_guardrail_covers_every_model() {
    let mut r = role(ROLE_SCOPED);
    r.guardrail_enforcement = not_enforced();
    let outcome = ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(r.clone()), &params());
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    assert!(
        outcome
            .observed
            .contains("bedrock:InvokeModel (statement \"InvokeClaude\""),
        "{}",
        outcome.observed
    );
    r.guardrail_enforcement = enforced();
    let outcome = ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(r), &params());
    assert_eq!(outcome.verdict, Verdict::Compliant, "{}", outcome.observed);
    let mut u = user(USER_SCOPED_INVOKE);
    u.guardrail_enforcement = not_enforced();
    let outcome = USER_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamUser(u), &params());
    assert_eq!(
        outcome.verdict,
        Verdict::NonCompliant,
        "{}",
        outcome.observed
    );
}

#[test]
fn an_unconstrained_invoke_grant_with_unknown_enforcement_cannot_be_evaluated() {
    // As the Config rule decodes it: the enforced configuration was not read with the role.
    let outcome =
        ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(role(ROLE_SCOPED)), &params());
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate);
    assert!(
        outcome.observed.contains("not read"),
        "{}",
        outcome.observed
    );
    let mut u = user(USER_SCOPED_INVOKE);
    u.guardrail_enforcement = GuardrailEnforcement::Unknown(
        "us-east-1: organizations:DescribeEffectivePolicy failed with AccessDeniedException".into(),
    );
    let outcome = USER_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamUser(u), &params());
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate);
    // A service-linked role is not applicable.
    let outcome = ROLE_INVOKE_REQUIRES_GUARDRAIL
        .evaluate(&Resource::IamRole(role(ROLE_SERVICE_LINKED)), &params());
    assert_eq!(outcome.verdict, Verdict::NotApplicable);
}

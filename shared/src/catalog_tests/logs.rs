//! The logs data-protection check decided from fixture files: log group configuration items and
//! GetDataProtectionPolicy / DescribeAccountPolicies answers decoded by the CloudWatch Logs
//! adapter, then evaluated (the pure check lives in `genai_evidence_core::catalog::logs`).

use serde_json::Value;

use crate::adapters::config_item::{ConfigurationItem, Decoded, decode};
use crate::catalog::{Check, Params};
use crate::domain::outcome::{Outcome, Verdict};
use crate::domain::resource::{Resource, Unreadable};
use crate::domain::resources::logs::LogGroup;
use genai_evidence_core::catalog::logs::GENAI_LOG_GROUP_DATA_PROTECTION;

const GROUP_ITEM: &str = include_str!("../../../tests/fixtures/logs/log-group-encrypted-400d.json");
const OWN_MASKS: &str =
    include_str!("../../../tests/fixtures/logs/get-data-protection-policy-masks.json");
const OWN_AUDIT_ONLY: &str =
    include_str!("../../../tests/fixtures/logs/get-data-protection-policy-audit-only.json");
const ACCOUNT_MASKS: &str =
    include_str!("../../../tests/fixtures/logs/describe-account-policies-masks.json");

/// The log group of a Config item (which carries no data protection).
fn group_from_item() -> LogGroup {
    let item =
        ConfigurationItem::from_notification(&serde_json::from_str(GROUP_ITEM).unwrap()).unwrap();
    match decode(&item) {
        Decoded::Resource(Resource::LogsLogGroup(group)) => group,
        other => panic!("not a log group: {other:?}"),
    }
}

/// The group's own policy document from a GetDataProtectionPolicy answer.
fn own_policy(fixture: &str) -> Option<String> {
    let v: Value = serde_json::from_str(fixture).unwrap();
    v["policyDocument"].as_str().map(str::to_owned)
}

/// The account policies of a DescribeAccountPolicies answer, as the adapter reads them.
fn account_policies(
    fixture: &str,
) -> Vec<crate::domain::resources::logs::AccountDataProtectionPolicy> {
    use aws_sdk_cloudwatchlogs::types::{AccountPolicy, PolicyType, Scope};
    let v: Value = serde_json::from_str(fixture).unwrap();
    let list: Vec<AccountPolicy> = v["accountPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            AccountPolicy::builder()
                .set_policy_name(p["policyName"].as_str().map(str::to_owned))
                .set_policy_document(p["policyDocument"].as_str().map(str::to_owned))
                .set_policy_type(p["policyType"].as_str().map(PolicyType::from))
                .set_scope(p["scope"].as_str().map(Scope::from))
                .set_selection_criteria(p["selectionCriteria"].as_str().map(str::to_owned))
                .set_account_id(p["accountId"].as_str().map(str::to_owned))
                .build()
        })
        .collect();
    crate::adapters::logs::account_data_protection_policies(&list)
}

fn evaluate(check: &Check, group: LogGroup) -> Outcome {
    check.evaluate(&Resource::LogsLogGroup(group), &Params::default())
}

#[test]
fn an_own_or_account_policy_that_masks_an_identifier_passes() {
    let mut group = group_from_item();
    group.own_data_protection = Ok(own_policy(OWN_MASKS));
    group.account_data_protection = Ok(Vec::new());
    let outcome = evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, group.clone());
    assert_eq!(outcome.verdict, Verdict::Compliant, "{outcome:?}");
    assert!(
        outcome.observed.contains("EmailAddress"),
        "{}",
        outcome.observed
    );
    group.own_data_protection = Ok(None);
    group.account_data_protection = Ok(account_policies(ACCOUNT_MASKS));
    let outcome = evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, group);
    assert_eq!(outcome.verdict, Verdict::Compliant, "{outcome:?}");
    assert!(
        outcome.observed.contains("org-genai-masking"),
        "{}",
        outcome.observed
    );
}

#[test]
fn audit_only_no_policy_or_an_account_policy_excluding_the_group_fails() {
    let mut group = group_from_item();
    group.own_data_protection = Ok(own_policy(OWN_AUDIT_ONLY));
    group.account_data_protection = Ok(Vec::new());
    let outcome = evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, group.clone());
    assert_eq!(outcome.verdict, Verdict::NonCompliant, "{outcome:?}");
    assert!(
        outcome.observed.contains("only audits"),
        "{}",
        outcome.observed
    );
    group.own_data_protection = Ok(None);
    let outcome = evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, group.clone());
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    group.name = "/aws/lambda/noisy".into();
    group.account_data_protection = Ok(account_policies(ACCOUNT_MASKS));
    let outcome = evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, group);
    assert_eq!(outcome.verdict, Verdict::NonCompliant, "{outcome:?}");
}

#[test]
fn a_config_item_or_a_denied_policy_read_cannot_decide_unless_another_policy_masks() {
    let group = group_from_item();
    let outcome = evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, group.clone());
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate, "{outcome:?}");
    assert!(
        outcome.observed.contains("logs:GetDataProtectionPolicy"),
        "{}",
        outcome.observed
    );
    let mut denied = group;
    denied.own_data_protection = Err(Unreadable::new(
        "logs:GetDataProtectionPolicy failed with AccessDeniedException",
    ));
    denied.account_data_protection = Ok(Vec::new());
    assert_eq!(
        evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, denied.clone()).verdict,
        Verdict::CouldNotEvaluate
    );
    denied.account_data_protection = Ok(account_policies(ACCOUNT_MASKS));
    assert_eq!(
        evaluate(&GENAI_LOG_GROUP_DATA_PROTECTION, denied).verdict,
        Verdict::Compliant
    );
}

//! The Config rule on IAM role configuration items, which name attached managed policies but do
//! not carry their documents: AWS managed policies with known grants are recognised by ARN,
//! customer managed ones are read from IAM (moto) with GetPolicy / GetPolicyVersion.
//!
//! Evaluations are sent in TestMode (validated by Config, not stored), so the summary's reply is
//! what Config was told.

use genai_evidence::triggers::config_rule::{ConfigRuleHandler, Summary};
use serde_json::{Value, json};

use crate::support::{Harness, unique};

const ADMIN: &str = "iam_role_no_admin_access";

/// A change notification for a role with these attached managed policies and inline policies.
fn role_event(role: &str, attached: &[&str]) -> Value {
    let mut event = rig::event("config-s3-bucket-compliant");
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().expect("string")).expect("json");
    let item: Value = serde_json::from_str(include_str!(
        "../fixtures/iam/config-role-attached-only.json"
    ))
    .expect("fixture");
    let mut item = item;
    let id = format!("AROA{}", role.len());
    item["resourceId"] = json!(id);
    item["resourceName"] = json!(role);
    item["configuration"]["roleName"] = json!(role);
    item["configuration"]["roleId"] = json!(id);
    item["configuration"]["attachedManagedPolicies"] = attached
        .iter()
        .map(|arn| json!({"policyArn": arn, "policyName": arn.rsplit('/').next()}))
        .collect();
    invoking["configurationItem"] = item;
    event["invokingEvent"] = Value::String(invoking.to_string());
    event["resultToken"] = json!("TESTMODE");
    event
}

async fn handler(h: &Harness) -> (ConfigRuleHandler, aws_sdk_iam::Client) {
    let moto = rig::sdk_config(rig::shared_moto().endpoint(), 1).await;
    let iam = aws_sdk_iam::Client::new(&moto);
    (
        ConfigRuleHandler::new(h.config.clone(), Vec::new()).with_iam(iam.clone()),
        iam,
    )
}

async fn customer_policy(iam: &aws_sdk_iam::Client, name: &str, document: Value) -> String {
    iam.create_policy()
        .policy_name(name)
        .policy_document(document.to_string())
        .send()
        .await
        .expect("policy created in moto")
        .policy()
        .and_then(|p| p.arn())
        .expect("arn")
        .to_owned()
}

fn verdict_of(summary: &Summary, check: &str) -> (String, String) {
    let line = summary
        .findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no finding of {check}"));
    (line.verdict.as_str().to_owned(), line.observed.clone())
}

#[tokio::test]
async fn administrator_access_attached_to_a_role_is_non_compliant_in_the_config_rule() {
    let h = Harness::start().await;
    let (handler, _) = handler(&h).await;
    let summary = handler
        .handle(&role_event(
            &unique("genai-admin"),
            &["arn:aws:iam::aws:policy/AdministratorAccess"],
        ))
        .await
        .unwrap();
    let (verdict, observed) = verdict_of(&summary, ADMIN);
    assert_eq!(verdict, "NON_COMPLIANT", "{observed}");
    assert!(observed.contains("AdministratorAccess"), "{observed}");
    assert_eq!(summary.config.evaluations[0].compliance, "NON_COMPLIANT");
}

#[tokio::test]
async fn a_customer_policy_allowing_everything_is_read_from_iam_and_flagged() {
    let h = Harness::start().await;
    let (handler, iam) = handler(&h).await;
    let arn = customer_policy(
        &iam,
        &unique("allow-all"),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )
    .await;
    let summary = handler
        .handle(&role_event(&unique("genai-app"), &[&arn]))
        .await
        .unwrap();
    let (verdict, observed) = verdict_of(&summary, ADMIN);
    assert_eq!(verdict, "NON_COMPLIANT", "{observed}");
    assert!(observed.contains(&arn), "{observed}");
}

#[tokio::test]
async fn a_harmless_role_goes_to_config_as_compliant_not_not_applicable() {
    let h = Harness::start().await;
    let (handler, iam) = handler(&h).await;
    let arn = customer_policy(
        &iam,
        &unique("read-one-bucket"),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::genai-train-data/*"}]}),
    )
    .await;
    let summary = handler
        .handle(&role_event(&unique("genai-reader"), &[&arn, &arn]))
        .await
        .unwrap();
    assert_eq!(verdict_of(&summary, ADMIN).0, "COMPLIANT");
    assert_eq!(summary.config.evaluations[0].compliance, "COMPLIANT");
}

#[tokio::test]
async fn an_unreadable_policy_is_named_once_in_a_could_not_evaluate_reason() {
    let h = Harness::start().await;
    let (handler, _) = handler(&h).await;
    let missing = format!(
        "arn:aws:iam::123456789012:policy/{}",
        unique("deleted-meanwhile")
    );
    let also_missing = format!("arn:aws:iam::123456789012:policy/{}", unique("gone-too"));
    let summary = handler
        .handle(&role_event(
            &unique("genai-unknown"),
            &[&missing, &also_missing],
        ))
        .await
        .unwrap();
    let (verdict, observed) = verdict_of(&summary, ADMIN);
    assert_eq!(verdict, "COULD_NOT_EVALUATE", "{observed}");
    assert_eq!(observed.matches(&missing).count(), 1, "{observed}");
    assert_eq!(observed.matches(&also_missing).count(), 1, "{observed}");
    assert_eq!(
        observed
            .matches("(iam:GetPolicy failed with NoSuchEntity)")
            .count(),
        1,
        "the shared reason is stated once: {observed}"
    );
    assert!(!observed.contains("Response {"), "{observed}");
}

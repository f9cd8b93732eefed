//! Checks on KMS customer managed keys: rotation and key state (SECAI3.3), and a key policy
//! that does not open the key to everyone (SECAI3.7). AWS managed keys are not applicable.

use crate::catalog::framework::{SECAI3_3, SECAI3_7};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::policy::{Effect, Statement};
use crate::domain::resources::kms::{Key, KeyManager};

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[&ROTATION_ENABLED, &KEY_ENABLED, &POLICY_NOT_PUBLIC];

/// SECAI3.3: automatic rotation of the key material is enabled.
pub static ROTATION_ENABLED: Check = Check {
    id: "kms_key_rotation_enabled",
    version: 1,
    title: "KMS customer managed key has automatic key rotation enabled",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &[
        "kms:ListKeys",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
    ],
    passes_when: "GetKeyRotationStatus reports KeyRotationEnabled true. AWS managed keys, keys that cannot rotate automatically (asymmetric, HMAC, imported or custom key store material) and keys pending deletion are not applicable.",
    remediation: "aws kms enable-key-rotation --key-id <key-id> [--rotation-period-in-days 365]",
    evaluator: Evaluator::KmsKey(rotation_enabled),
};

/// SECAI3.3: the key is enabled and not pending deletion.
pub static KEY_ENABLED: Check = Check {
    id: "kms_key_enabled_not_pending_deletion",
    version: 1,
    title: "KMS customer managed key is enabled and not scheduled for deletion",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["kms:ListKeys", "kms:DescribeKey"],
    passes_when: "The key state is Enabled. Disabled, PendingDeletion, PendingImport, Unavailable and other states fail: data encrypted under the key cannot be read (or soon will not be). AWS managed keys are not applicable.",
    remediation: "If the key is still needed: aws kms cancel-key-deletion --key-id <key-id>, then aws kms enable-key --key-id <key-id>. Otherwise re-encrypt the data under another key first.",
    evaluator: Evaluator::KmsKey(key_enabled),
};

/// SECAI3.7: the key policy does not allow any principal at all without an account condition.
pub static POLICY_NOT_PUBLIC: Check = Check {
    id: "kms_key_policy_not_public",
    version: 1,
    title: "KMS customer managed key policy does not allow access to every AWS principal",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Critical,
    api_actions: &["kms:ListKeys", "kms:DescribeKey", "kms:GetKeyPolicy"],
    passes_when: "No Allow statement of the default key policy names Principal \"*\" or {\"AWS\":\"*\"} (or uses NotPrincipal) without a StringEquals or StringLike condition (other than \"*\") on aws:SourceAccount, aws:PrincipalAccount, aws:PrincipalOrgID or kms:CallerAccount. AWS managed keys are not applicable.",
    remediation: "Replace the wildcard principal with the account root or specific role ARNs, or add a condition such as \"StringEquals\":{\"kms:CallerAccount\":\"<account-id>\"} (aws kms put-key-policy --policy-name default).",
    evaluator: Evaluator::KmsKey(policy_not_public),
};

/// The condition keys that confine a wildcard principal to an account or organization.
const ACCOUNT_CONDITION_KEYS: &[&str] = &[
    "aws:SourceAccount",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "kms:CallerAccount",
];

/// `NotApplicable` for an AWS managed key, `CouldNotEvaluate` when the manager is unknown.
fn customer_managed(key: &Key) -> Option<Outcome> {
    match &key.manager {
        Err(unreadable) => Some(Outcome::could_not_evaluate(unreadable.reason.clone())),
        Ok(KeyManager::Aws) => Some(Outcome::not_applicable(
            format!("{} is an AWS managed key", key.id),
            "AWS sets the policy, rotation and lifecycle of AWS managed keys; the account cannot change them",
        )),
        Ok(KeyManager::Customer) => None,
    }
}

fn rotation_enabled(key: &Key, _params: &Params) -> Outcome {
    if let Some(outcome) = customer_managed(key) {
        return outcome;
    }
    if let Some(spec) = key.spec.as_deref().filter(|s| *s != "SYMMETRIC_DEFAULT") {
        return Outcome::not_applicable(
            format!("the key spec is {spec}"),
            "KMS rotates only symmetric encryption keys automatically",
        );
    }
    if let Some(origin) = key.origin.as_deref().filter(|o| *o != "AWS_KMS") {
        return Outcome::not_applicable(
            format!("the key material origin is {origin}"),
            "KMS does not rotate imported or custom key store key material automatically",
        );
    }
    if key.state.as_deref() == Ok("PendingDeletion") {
        return Outcome::not_applicable(
            "the key is pending deletion",
            "a key scheduled for deletion is reported by kms_key_enabled_not_pending_deletion; rotating it is moot",
        );
    }
    match key.rotation_enabled {
        Err(ref unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(true) => Outcome::compliant(
            "automatic key rotation is enabled",
            "KMS generates new key material on schedule, limiting how much data any one key version protects",
        ),
        Ok(false) => Outcome::non_compliant(
            "automatic key rotation is disabled",
            "without rotation the same key material protects the data indefinitely; SECAI3.3 expects keys to be rotated",
        ),
    }
}

fn key_enabled(key: &Key, _params: &Params) -> Outcome {
    if let Some(outcome) = customer_managed(key) {
        return outcome;
    }
    match key.state.as_deref() {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok("Enabled") => Outcome::compliant(
            "the key state is Enabled",
            "data encrypted under the key stays readable by authorized principals",
        ),
        Ok("PendingDeletion") => {
            let when = key
                .deletion_date
                .map(|d| format!(", to be deleted {d}"))
                .unwrap_or_default();
            Outcome::non_compliant(
                format!("the key state is PendingDeletion{when}"),
                "once deleted, every piece of data encrypted under the key is unrecoverable",
            )
        }
        Ok(state) => Outcome::non_compliant(
            format!("the key state is {state}"),
            "a key that is not Enabled cannot decrypt, so the data it protects is unavailable",
        ),
    }
}

/// An Allow to anyone (`*`, `{"AWS":"*"}` or a NotPrincipal) with no account-confining condition.
fn is_public(s: &Statement) -> bool {
    let anyone = s.not_principal.is_some() || s.principal.as_ref().is_some_and(|p| p.is_everyone());
    let confined = ACCOUNT_CONDITION_KEYS.iter().any(|k| {
        s.conditions_on(k).any(|c| {
            let operator = c
                .operator
                .trim_start_matches("ForAnyValue:")
                .trim_start_matches("ForAllValues:");
            let positive =
                operator.starts_with("StringEquals") || operator.starts_with("StringLike");
            positive && !c.values.is_empty() && !c.values.iter().any(|v| v == "*")
        })
    });
    s.effect == Effect::Allow && anyone && !confined
}

fn policy_not_public(key: &Key, _params: &Params) -> Outcome {
    if let Some(outcome) = customer_managed(key) {
        return outcome;
    }
    let policy = match &key.policy {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(policy) => policy,
    };
    match policy.statements.iter().find(|s| is_public(s)) {
        Some(s) => {
            let name = s
                .sid
                .as_deref()
                .map(|n| format!("statement {n:?}"))
                .unwrap_or_else(|| "a statement".into());
            Outcome::non_compliant(
                format!(
                    "{name} of the key policy allows every AWS principal without an account or organization condition"
                ),
                "any AWS account can use the key within the statement's actions; SECAI3.7 limits key use to the principals that need it",
            )
        }
        None => Outcome::compliant(
            format!(
                "none of the {} key policy statements allows every principal without an account condition",
                policy.statements.len()
            ),
            "only principals of the account (or those the policy names) can use the key",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_principal_confined_by_org_or_account_condition_is_not_public() {
        let doc = |text: &str| {
            crate::domain::policy::PolicyDocument::parse(text)
                .unwrap()
                .statements
                .remove(0)
        };
        assert!(!is_public(&doc(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}}"#
        )));
        assert!(is_public(&doc(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}"#
        )));
        assert!(is_public(&doc(
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":"kms:*","Resource":"*","Condition":{"StringLike":{"aws:SourceAccount":"*"}}}}"#
        )));
        assert!(!is_public(&doc(
            r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}}"#
        )));
    }
}

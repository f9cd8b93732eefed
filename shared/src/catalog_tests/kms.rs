//! The kms checks decided from fixture files: Config configuration items and API
//! responses decoded by the adapters, then evaluated (the pure checks live in
//! `genai_evidence_core::catalog::kms`).

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
use crate::domain::resource::{Resource, Unreadable};
#[allow(unused_imports)]
use crate::domain::resources::kms::*;
use genai_evidence_core::catalog::kms::CHECKS;
use genai_evidence_core::catalog::kms::*;

const COMPLIANT: &str = include_str!("../../../tests/fixtures/kms/config-key-compliant.json");
const PUBLIC_NO_ROTATION: &str =
    include_str!("../../../tests/fixtures/kms/config-key-public-no-rotation.json");
const PENDING_DELETION: &str =
    include_str!("../../../tests/fixtures/kms/config-key-pending-deletion.json");
const UNREADABLE: &str = include_str!("../../../tests/fixtures/kms/config-key-unreadable.json");
const AWS_MANAGED: &str = include_str!("../../../tests/fixtures/kms/config-key-aws-managed.json");
const ASYMMETRIC: &str = include_str!("../../../tests/fixtures/kms/config-key-asymmetric.json");

fn key(text: &str) -> Resource {
    let item = ConfigurationItem::from_notification(&serde_json::from_str(text).unwrap()).unwrap();
    match decode(&item) {
        Decoded::Resource(r @ Resource::KmsKey(_)) => r,
        other => panic!("fixture did not decode to a key: {other:?}"),
    }
}

fn verdict(check: &Check, text: &str) -> Outcome {
    let outcome = check.evaluate(&key(text), &Params::default());
    assert!(!outcome.observed.is_empty() && !outcome.rationale.is_empty());
    outcome
}

#[test]
fn enabled_rotating_key_with_account_scoped_policy_passes_every_check() {
    for check in CHECKS {
        assert_eq!(
            verdict(check, COMPLIANT).verdict,
            Verdict::Compliant,
            "{}",
            check.id
        );
    }
}

#[test]
fn key_without_rotation_fails_rotation() {
    let outcome = verdict(&ROTATION_ENABLED, PUBLIC_NO_ROTATION);
    assert_eq!(outcome.verdict, Verdict::NonCompliant, "{outcome:?}");
    assert!(outcome.observed.contains("disabled"));
}

#[test]
fn key_policy_allowing_every_aws_principal_without_condition_fails() {
    let outcome = verdict(&POLICY_NOT_PUBLIC, PUBLIC_NO_ROTATION);
    assert_eq!(outcome.verdict, Verdict::NonCompliant, "{outcome:?}");
    assert!(
        outcome.observed.contains("AllowEveryone"),
        "{}",
        outcome.observed
    );
}

#[test]
fn key_pending_deletion_fails_key_state_and_skips_rotation() {
    let outcome = verdict(&KEY_ENABLED, PENDING_DELETION);
    assert_eq!(outcome.verdict, Verdict::NonCompliant, "{outcome:?}");
    assert!(
        outcome.observed.contains("PendingDeletion") && outcome.observed.contains("to be deleted"),
        "{}",
        outcome.observed
    );
    assert_eq!(
        verdict(&ROTATION_ENABLED, PENDING_DELETION).verdict,
        Verdict::NotApplicable
    );
    assert_eq!(
        verdict(&KEY_ENABLED, PUBLIC_NO_ROTATION).verdict,
        Verdict::Compliant
    );
}

#[test]
fn key_item_without_state_rotation_or_policy_cannot_be_evaluated() {
    for check in CHECKS {
        let outcome = verdict(check, UNREADABLE);
        assert_eq!(
            outcome.verdict,
            Verdict::CouldNotEvaluate,
            "{}: {outcome:?}",
            check.id
        );
        assert!(
            outcome.observed.contains("configuration item has no"),
            "{}",
            outcome.observed
        );
    }
}

#[test]
fn unknown_key_manager_cannot_be_evaluated() {
    let Resource::KmsKey(mut k) = key(COMPLIANT) else {
        unreachable!()
    };
    k.manager = Err(Unreadable::new(
        "kms:DescribeKey failed with AccessDeniedException",
    ));
    for check in CHECKS {
        let outcome = check.evaluate(&Resource::KmsKey(k.clone()), &Params::default());
        assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate, "{}", check.id);
    }
}

#[test]
fn aws_managed_keys_are_not_applicable() {
    for check in CHECKS {
        assert_eq!(
            verdict(check, AWS_MANAGED).verdict,
            Verdict::NotApplicable,
            "{}",
            check.id
        );
    }
}

#[test]
fn asymmetric_keys_are_not_applicable_to_rotation() {
    assert_eq!(
        verdict(&ROTATION_ENABLED, ASYMMETRIC).verdict,
        Verdict::NotApplicable
    );
    assert_eq!(
        verdict(&KEY_ENABLED, ASYMMETRIC).verdict,
        Verdict::Compliant
    );
}

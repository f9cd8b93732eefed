//! Every check decided from realistic fixtures: the sample events in `events/` and extra
//! configuration items in `tests/fixtures/config-items/`. Each check has a compliant, a
//! non-compliant and a could-not-evaluate case.

use serde_json::Value;

use crate::adapters::config_item::{ConfigurationItem, Decoded, decode};
use crate::catalog::params::TlsVersion;
use crate::catalog::{Check, Params, s3, sagemaker};
use crate::domain::outcome::{Outcome, Verdict};
use crate::domain::resource::Resource;
use crate::domain::time::Timestamp;

fn item_from_event(event: &str) -> ConfigurationItem {
    let envelope: Value = serde_json::from_str(event).unwrap();
    let invoking: Value =
        serde_json::from_str(envelope["invokingEvent"].as_str().unwrap()).unwrap();
    ConfigurationItem::from_notification(&invoking["configurationItem"]).unwrap()
}

fn item(text: &str) -> ConfigurationItem {
    ConfigurationItem::from_notification(&serde_json::from_str(text).unwrap()).unwrap()
}

fn run(check: &Check, item: &ConfigurationItem, params: &Params) -> Outcome {
    match decode(item) {
        Decoded::Resource(resource) => check.evaluate(&resource, params),
        Decoded::Unreadable(u) => Outcome::could_not_evaluate(u.reason),
        Decoded::UnsupportedType => panic!("fixture type unsupported"),
    }
}

const COMPLIANT_BUCKET: &str = include_str!("../../../events/config-s3-bucket-compliant.json");
const NONCOMPLIANT_BUCKET: &str =
    include_str!("../../../events/config-s3-bucket-noncompliant.json");
const UNREADABLE_BUCKET: &str =
    include_str!("../../../tests/fixtures/config-items/s3-bucket-unreadable.json");
const PARTIAL_TLS_BUCKET: &str =
    include_str!("../../../tests/fixtures/config-items/s3-bucket-partial-tls-deny.json");
const TLS12_BUCKET: &str =
    include_str!("../../../tests/fixtures/config-items/s3-bucket-tls12-policy.json");
const API_SHAPE_BUCKET: &str =
    include_str!("../../../tests/fixtures/config-items/s3-bucket-api-shape.json");
const NOTEBOOK_WITH_KMS: &str = include_str!("../../../events/config-notebook-with-kms.json");
const NOTEBOOK_WITHOUT_KMS: &str = include_str!("../../../events/config-notebook-without-kms.json");
const UNREADABLE_NOTEBOOK: &str =
    include_str!("../../../tests/fixtures/config-items/notebook-unreadable.json");

#[test]
fn sse_kms_bucket_passes_default_encryption_kms() {
    let outcome = run(
        &s3::DEFAULT_ENCRYPTION_KMS,
        &item_from_event(COMPLIANT_BUCKET),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::Compliant, "{outcome:?}");
    assert!(
        outcome.observed.contains("SSE-KMS") && outcome.observed.contains("key/1234abcd"),
        "{}",
        outcome.observed
    );
}

#[test]
fn dsse_kms_bucket_passes_default_encryption_kms() {
    let outcome = run(
        &s3::DEFAULT_ENCRYPTION_KMS,
        &item(PARTIAL_TLS_BUCKET),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::Compliant);
    assert!(
        outcome
            .observed
            .contains("DSSE-KMS with the AWS managed key"),
        "{}",
        outcome.observed
    );
}

#[test]
fn sse_s3_alone_fails_default_encryption_kms() {
    let outcome = run(
        &s3::DEFAULT_ENCRYPTION_KMS,
        &item_from_event(NONCOMPLIANT_BUCKET),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    assert!(outcome.observed.contains("AES256"), "{}", outcome.observed);
}

#[test]
fn unreadable_encryption_configuration_is_could_not_evaluate() {
    let outcome = run(
        &s3::DEFAULT_ENCRYPTION_KMS,
        &item(UNREADABLE_BUCKET),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate, "{outcome:?}");
}

#[test]
fn deny_on_insecure_transport_passes_tls_only() {
    let outcome = run(
        &s3::TLS_ONLY,
        &item_from_event(COMPLIANT_BUCKET),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::Compliant, "{outcome:?}");
    assert!(outcome.observed.contains("DenyInsecureTransport"));
}

#[test]
fn boolean_condition_values_and_principal_lists_pass_tls_only() {
    let outcome = run(&s3::TLS_ONLY, &item(TLS12_BUCKET), &Params::default());
    assert_eq!(outcome.verdict, Verdict::Compliant, "{outcome:?}");
}

#[test]
fn a_bucket_without_policy_fails_tls_only() {
    let outcome = run(
        &s3::TLS_ONLY,
        &item_from_event(NONCOMPLIANT_BUCKET),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    assert!(outcome.observed.contains("no bucket policy"));
}

#[test]
fn a_deny_that_leaves_the_bucket_itself_out_fails_tls_only() {
    let outcome = run(&s3::TLS_ONLY, &item(PARTIAL_TLS_BUCKET), &Params::default());
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    assert!(
        outcome.observed.contains("does not cover"),
        "{}",
        outcome.observed
    );
}

#[test]
fn an_unparseable_bucket_policy_is_could_not_evaluate() {
    let outcome = run(&s3::TLS_ONLY, &item(UNREADABLE_BUCKET), &Params::default());
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate);
    assert!(
        outcome.observed.contains("could not be read"),
        "{}",
        outcome.observed
    );
}

#[test]
fn minimum_tls_version_needs_a_tls_version_deny() {
    let params = Params {
        minimum_tls_version: Some(TlsVersion::V1_2),
        ..Params::default()
    };
    assert_eq!(
        run(&s3::TLS_ONLY, &item(TLS12_BUCKET), &params).verdict,
        Verdict::Compliant
    );
    assert_eq!(
        run(&s3::TLS_ONLY, &item_from_event(COMPLIANT_BUCKET), &params).verdict,
        Verdict::NonCompliant
    );
    let stricter = Params {
        minimum_tls_version: Some(TlsVersion::V1_3),
        ..Params::default()
    };
    assert_eq!(
        run(&s3::TLS_ONLY, &item(TLS12_BUCKET), &stricter).verdict,
        Verdict::NonCompliant
    );
}

#[test]
fn api_shaped_items_with_json_string_values_decode_like_notifications() {
    let raw: Value = serde_json::from_str(API_SHAPE_BUCKET).unwrap();
    let supplementary = raw["supplementaryConfiguration"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect::<Vec<_>>();
    let item = ConfigurationItem::from_api_parts(
        "AWS::S3::Bucket".into(),
        "genai-invocation-logs".into(),
        None,
        Some("arn:aws:s3:::genai-invocation-logs".into()),
        "123456789012".into(),
        "us-east-1".into(),
        "OK",
        Timestamp::from_epoch_millis(0),
        raw["configuration"].as_str(),
        supplementary,
    );
    assert_eq!(
        run(&s3::DEFAULT_ENCRYPTION_KMS, &item, &Params::default()).verdict,
        Verdict::Compliant
    );
    assert_eq!(
        run(&s3::TLS_ONLY, &item, &Params::default()).verdict,
        Verdict::Compliant
    );
}

#[test]
fn notebook_with_kms_key_passes() {
    let outcome = run(
        &sagemaker::NOTEBOOK_KMS_KEY,
        &item_from_event(NOTEBOOK_WITH_KMS),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::Compliant);
}

#[test]
fn notebook_without_kms_key_fails() {
    let outcome = run(
        &sagemaker::NOTEBOOK_KMS_KEY,
        &item_from_event(NOTEBOOK_WITHOUT_KMS),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
}

#[test]
fn notebook_item_without_configuration_is_could_not_evaluate() {
    let outcome = run(
        &sagemaker::NOTEBOOK_KMS_KEY,
        &item(UNREADABLE_NOTEBOOK),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate);
}

#[test]
fn every_check_has_fixtures_for_its_resource_type() {
    let decoded: Vec<Resource> = [
        item_from_event(COMPLIANT_BUCKET),
        item_from_event(NOTEBOOK_WITH_KMS),
    ]
    .iter()
    .filter_map(|i| match decode(i) {
        Decoded::Resource(r) => Some(r),
        _ => None,
    })
    .collect();
    for check in crate::catalog::CHECKS {
        assert!(
            decoded
                .iter()
                .any(|r| r.resource_type() == check.resource_type()),
            "{} has no fixture of type {}",
            check.id,
            check.resource_type()
        );
    }
}

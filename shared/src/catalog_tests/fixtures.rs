//! Every check decided from realistic fixtures: the sample events in `events/` and extra
//! configuration items in `tests/fixtures/config-items/`. Each check has a compliant, a
//! non-compliant and a could-not-evaluate case.

use serde_json::Value;

use crate::adapters::config_item::{ConfigurationItem, Decoded, decode};
use crate::catalog::params::TlsVersion;
use crate::catalog::{Check, Params, cloudtrail, logs, s3, sagemaker};
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

const LOCKED_DOWN_BUCKET: &str =
    include_str!("../../../tests/fixtures/s3/bucket-locked-down-logged.json");
const PARTLY_PUBLIC_BUCKET: &str =
    include_str!("../../../tests/fixtures/s3/bucket-partly-public-unlogged.json");
const ODD_BUCKET: &str = include_str!("../../../tests/fixtures/s3/bucket-unreadable-settings.json");
const GOOD_TRAIL: &str =
    include_str!("../../../tests/fixtures/cloudtrail/trail-encrypted-validated.json");
const PLAIN_TRAIL: &str = include_str!("../../../tests/fixtures/cloudtrail/trail-plain.json");
const BROKEN_TRAIL: &str = include_str!("../../../tests/fixtures/cloudtrail/trail-unreadable.json");
const ACCOUNT_TRAILS: &str =
    include_str!("../../../tests/fixtures/cloudtrail/account-trails-api.json");
const GOOD_LOG_GROUP: &str =
    include_str!("../../../tests/fixtures/logs/log-group-encrypted-400d.json");
const PLAIN_LOG_GROUP: &str = include_str!("../../../tests/fixtures/logs/log-group-plain-30d.json");
const BROKEN_LOG_GROUP: &str =
    include_str!("../../../tests/fixtures/logs/log-group-unreadable.json");

#[test]
fn all_four_block_public_access_settings_pass() {
    assert_eq!(
        run(
            &s3::PUBLIC_ACCESS_BLOCKED,
            &item(LOCKED_DOWN_BUCKET),
            &Params::default()
        )
        .verdict,
        Verdict::Compliant
    );
}

#[test]
fn block_public_access_with_settings_off_fails_and_names_them() {
    let outcome = run(
        &s3::PUBLIC_ACCESS_BLOCKED,
        &item(PARTLY_PUBLIC_BUCKET),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    assert!(
        outcome
            .observed
            .contains("BlockPublicPolicy, RestrictPublicBuckets"),
        "{}",
        outcome.observed
    );
}

#[test]
fn malformed_bucket_settings_are_could_not_evaluate() {
    let odd = item(ODD_BUCKET);
    assert_eq!(
        run(&s3::PUBLIC_ACCESS_BLOCKED, &odd, &Params::default()).verdict,
        Verdict::CouldNotEvaluate
    );
    assert_eq!(
        run(&s3::ACCESS_LOGGING, &odd, &Params::default()).verdict,
        Verdict::CouldNotEvaluate
    );
}

#[test]
fn server_access_logging_to_a_target_passes_and_none_fails() {
    let on = run(
        &s3::ACCESS_LOGGING,
        &item(LOCKED_DOWN_BUCKET),
        &Params::default(),
    );
    assert_eq!(on.verdict, Verdict::Compliant);
    assert!(on.observed.contains("genai-access-logs"));
    assert_eq!(
        run(
            &s3::ACCESS_LOGGING,
            &item(PARTLY_PUBLIC_BUCKET),
            &Params::default()
        )
        .verdict,
        Verdict::NonCompliant
    );
}

#[test]
fn trail_encryption_and_validation_decide_from_the_trail_item() {
    let params = Params::default();
    assert_eq!(
        run(&cloudtrail::TRAIL_KMS, &item(GOOD_TRAIL), &params).verdict,
        Verdict::Compliant
    );
    assert_eq!(
        run(
            &cloudtrail::TRAIL_LOG_FILE_VALIDATION,
            &item(GOOD_TRAIL),
            &params
        )
        .verdict,
        Verdict::Compliant
    );
    assert_eq!(
        run(&cloudtrail::TRAIL_KMS, &item(PLAIN_TRAIL), &params).verdict,
        Verdict::NonCompliant
    );
    assert_eq!(
        run(
            &cloudtrail::TRAIL_LOG_FILE_VALIDATION,
            &item(PLAIN_TRAIL),
            &params
        )
        .verdict,
        Verdict::NonCompliant
    );
    assert_eq!(
        run(&cloudtrail::TRAIL_KMS, &item(BROKEN_TRAIL), &params).verdict,
        Verdict::CouldNotEvaluate
    );
    assert_eq!(
        run(
            &cloudtrail::TRAIL_LOG_FILE_VALIDATION,
            &item(BROKEN_TRAIL),
            &params
        )
        .verdict,
        Verdict::CouldNotEvaluate
    );
}

/// The account view from DescribeTrails-shaped JSON, keeping the named trails.
fn account(names: &[&str]) -> Resource {
    use crate::domain::resource::Unreadable;
    use crate::domain::resources::{account::Account, cloudtrail::Trail};
    let raw: Value = serde_json::from_str(ACCOUNT_TRAILS).unwrap();
    let trails = raw["trailList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| names.contains(&t["Name"].as_str().unwrap()))
        .map(|t| Trail {
            name: t["Name"].as_str().unwrap().to_owned(),
            kms_key_id: t["KmsKeyId"].as_str().map(str::to_owned),
            log_file_validation: t["LogFileValidationEnabled"].as_bool().unwrap(),
            multi_region: t["IsMultiRegionTrail"].as_bool().unwrap(),
            is_logging: match t["status"]["error"].as_str() {
                Some(code) => Err(Unreadable::new(format!(
                    "cloudtrail:GetTrailStatus failed with {code}"
                ))),
                None => Ok(t["status"]["IsLogging"].as_bool().unwrap()),
            },
            management_events: Ok(t["eventSelectors"][0]["IncludeManagementEvents"]
                .as_bool()
                .unwrap()),
            data_events: Ok(Vec::new()),
        })
        .collect();
    Resource::Account(Account {
        id: "123456789012".into(),
        trails: Ok(trails),
    })
}

#[test]
fn a_logging_multi_region_trail_with_management_events_passes() {
    let outcome = cloudtrail::MULTI_REGION_TRAIL_LOGGING
        .evaluate(&account(&["org-trail", "legacy-trail"]), &Params::default());
    assert_eq!(outcome.verdict, Verdict::Compliant);
    assert!(outcome.observed.contains("org-trail"));
}

#[test]
fn single_region_or_stopped_trails_fail_the_multi_region_check() {
    let outcome = cloudtrail::MULTI_REGION_TRAIL_LOGGING.evaluate(
        &account(&["legacy-trail", "stopped-trail"]),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    assert!(
        outcome.observed.contains("legacy-trail (single-region)")
            && outcome.observed.contains("stopped-trail (not logging)")
    );
    let none = cloudtrail::MULTI_REGION_TRAIL_LOGGING.evaluate(&account(&[]), &Params::default());
    assert!(none.observed.contains("no trail"));
}

#[test]
fn an_unreadable_trail_status_is_could_not_evaluate_not_a_failure() {
    let outcome = cloudtrail::MULTI_REGION_TRAIL_LOGGING.evaluate(
        &account(&["legacy-trail", "denied-trail"]),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate);
    assert!(outcome.observed.contains("denied-trail"));
}

#[test]
fn log_group_encryption_and_retention_decide_from_the_item() {
    let params = Params::default();
    assert_eq!(
        run(&logs::LOG_GROUP_KMS, &item(GOOD_LOG_GROUP), &params).verdict,
        Verdict::Compliant
    );
    assert_eq!(
        run(&logs::LOG_GROUP_RETENTION, &item(GOOD_LOG_GROUP), &params).verdict,
        Verdict::Compliant
    );
    assert_eq!(
        run(&logs::LOG_GROUP_KMS, &item(PLAIN_LOG_GROUP), &params).verdict,
        Verdict::NonCompliant
    );
    let short = run(&logs::LOG_GROUP_RETENTION, &item(PLAIN_LOG_GROUP), &params);
    assert_eq!(short.verdict, Verdict::NonCompliant);
    assert!(short.observed.contains("30 days"));
    assert_eq!(
        run(&logs::LOG_GROUP_KMS, &item(BROKEN_LOG_GROUP), &params).verdict,
        Verdict::CouldNotEvaluate
    );
    assert_eq!(
        run(&logs::LOG_GROUP_RETENTION, &item(BROKEN_LOG_GROUP), &params).verdict,
        Verdict::CouldNotEvaluate
    );
}

#[test]
fn retention_follows_the_rule_parameter() {
    let lenient = Params {
        minimum_log_retention_days: 30,
        ..Params::default()
    };
    assert_eq!(
        run(&logs::LOG_GROUP_RETENTION, &item(PLAIN_LOG_GROUP), &lenient).verdict,
        Verdict::Compliant
    );
}

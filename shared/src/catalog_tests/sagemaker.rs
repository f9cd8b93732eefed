//! The sagemaker checks decided from fixture files: Config configuration items and API
//! responses decoded by the adapters, then evaluated (the pure checks live in
//! `genai_evidence_core::catalog::sagemaker`).

use serde_json::Value;

use crate::adapters::config_item::{ConfigurationItem, Decoded, decode};
#[allow(unused_imports)]
use crate::catalog::framework::*;
#[allow(unused_imports)]
use crate::catalog::*;
use crate::domain::outcome::Verdict;
#[allow(unused_imports)]
use crate::domain::outcome::*;
use crate::domain::resource::{Resource, ResourceRef, ResourceType};
#[allow(unused_imports)]
use crate::domain::resources::sagemaker::*;
use crate::domain::time::Timestamp;
use crate::evaluate::{Subject, SubjectState, evaluate};
use genai_evidence_core::catalog::sagemaker::CHECKS;
use genai_evidence_core::catalog::sagemaker::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/sagemaker/", $name))
    };
}

fn item(text: &str) -> ConfigurationItem {
    ConfigurationItem::from_notification(&serde_json::from_str(text).unwrap()).unwrap()
}

/// Decodes a Config item fixture and runs the check, as the Config rule does.
fn run(check: &Check, text: &str) -> Outcome {
    match decode(&item(text)) {
        Decoded::Resource(resource) => check.evaluate(&resource, &Params::default()),
        Decoded::Unreadable(u) => Outcome::could_not_evaluate(u.reason),
        Decoded::UnsupportedType => panic!("fixture type unsupported"),
    }
}

/// A training job from a `DescribeTrainingJob` response fixture.
fn training_job(text: &str) -> TrainingJob {
    let v: Value = serde_json::from_str(text).unwrap();
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let b = |p: &str| v.pointer(p).and_then(Value::as_bool).unwrap_or(false);
    TrainingJob {
        name: s("/TrainingJobName").unwrap(),
        volume_kms_key_id: s("/ResourceConfig/VolumeKmsKeyId"),
        output_kms_key_id: s("/OutputDataConfig/KmsKeyId"),
        inter_container_traffic_encryption: b("/EnableInterContainerTrafficEncryption"),
        network_isolation: b("/EnableNetworkIsolation"),
    }
}

fn run_training(check: &Check, text: &str) -> Outcome {
    check.evaluate(
        &Resource::SageMakerTrainingJob(training_job(text)),
        &Params::default(),
    )
}

/// What the collector yields when DescribeTrainingJob is denied, run through the evaluator.
fn training_job_denied(check: &'static Check) -> Outcome {
    let subject = Subject {
        resource: ResourceRef {
            resource_type: ResourceType::SageMakerTrainingJob.cfn_type().into(),
            resource_id: "genai-finetune-secret".into(),
            arn: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        },
        observed_at: Timestamp::now(),
        observed_via: "AWS API (sagemaker:DescribeTrainingJob)",
        state: SubjectState::Unreadable(
            "sagemaker:DescribeTrainingJob failed with AccessDeniedException: not authorized"
                .into(),
        ),
        links: Vec::new(),
    };
    let params = Params {
        checks: Some(vec![check]),
        ..Params::default()
    };
    let findings = evaluate(&subject, &params, Timestamp::now());
    assert_eq!(findings.len(), 1);
    findings[0].outcome.clone()
}

/// Runs `check` on each Config item fixture, as the Config rule does, and asserts its verdict.
fn assert_cases(check: &Check, cases: &[(&str, Verdict)]) {
    for (text, verdict) in cases {
        assert_verdict(&run(check, text), *verdict);
    }
}

fn assert_verdict(outcome: &Outcome, verdict: Verdict) {
    assert_eq!(outcome.verdict, verdict, "{outcome:?}");
    assert!(!outcome.observed.is_empty() && !outcome.rationale.is_empty());
}

const NOTEBOOK_LOCKED: &str = fixture!("notebook-locked-down.json");
const NOTEBOOK_OPEN: &str = fixture!("notebook-open.json");
const NOTEBOOK_DEFAULTS: &str = fixture!("notebook-defaults.json");
const NOTEBOOK_UNREADABLE: &str = fixture!("notebook-unreadable.json");

#[test]
fn notebook_with_kms_key_passes_and_without_fails() {
    let ok = run(&NOTEBOOK_KMS_KEY, NOTEBOOK_LOCKED);
    assert_verdict(&ok, Verdict::Compliant);
    assert!(ok.observed.contains("key/1234abcd"), "{}", ok.observed);
    assert_verdict(
        &run(&NOTEBOOK_KMS_KEY, NOTEBOOK_OPEN),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &run(&NOTEBOOK_KMS_KEY, NOTEBOOK_UNREADABLE),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn notebook_root_access_must_be_disabled_and_unset_means_enabled() {
    assert_verdict(
        &run(&NOTEBOOK_ROOT_ACCESS_DISABLED, NOTEBOOK_LOCKED),
        Verdict::Compliant,
    );
    let open = run(&NOTEBOOK_ROOT_ACCESS_DISABLED, NOTEBOOK_OPEN);
    assert_verdict(&open, Verdict::NonCompliant);
    assert!(open.observed.contains("Enabled"), "{}", open.observed);
    let unset = run(&NOTEBOOK_ROOT_ACCESS_DISABLED, NOTEBOOK_DEFAULTS);
    assert_verdict(&unset, Verdict::NonCompliant);
    assert!(unset.observed.contains("not set"), "{}", unset.observed);
    assert_verdict(
        &run(&NOTEBOOK_ROOT_ACCESS_DISABLED, NOTEBOOK_UNREADABLE),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn notebook_direct_internet_access_must_be_disabled_and_unset_means_enabled() {
    assert_verdict(
        &run(&NOTEBOOK_NO_DIRECT_INTERNET_ACCESS, NOTEBOOK_LOCKED),
        Verdict::Compliant,
    );
    assert_verdict(
        &run(&NOTEBOOK_NO_DIRECT_INTERNET_ACCESS, NOTEBOOK_OPEN),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &run(&NOTEBOOK_NO_DIRECT_INTERNET_ACCESS, NOTEBOOK_DEFAULTS),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &run(&NOTEBOOK_NO_DIRECT_INTERNET_ACCESS, NOTEBOOK_UNREADABLE),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn notebook_in_a_subnet_passes_and_without_one_fails() {
    let ok = run(&NOTEBOOK_IN_VPC, NOTEBOOK_LOCKED);
    assert_verdict(&ok, Verdict::Compliant);
    assert!(ok.observed.contains("subnet-0abc1234"), "{}", ok.observed);
    assert_verdict(&run(&NOTEBOOK_IN_VPC, NOTEBOOK_OPEN), Verdict::NonCompliant);
    assert_verdict(
        &run(&NOTEBOOK_IN_VPC, NOTEBOOK_UNREADABLE),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn notebook_with_a_non_string_property_is_could_not_evaluate_not_non_compliant() {
    let mut v: Value = serde_json::from_str(NOTEBOOK_OPEN).unwrap();
    v["configuration"]["RootAccess"] = Value::from(1);
    let outcome = run(&NOTEBOOK_ROOT_ACCESS_DISABLED, &v.to_string());
    assert_verdict(&outcome, Verdict::CouldNotEvaluate);
    assert!(
        outcome.observed.contains("RootAccess"),
        "{}",
        outcome.observed
    );
}

#[test]
fn endpoint_config_needs_a_kms_key() {
    assert_verdict(
        &run(
            &ENDPOINT_CONFIG_KMS_KEY,
            fixture!("endpoint-config-kms.json"),
        ),
        Verdict::Compliant,
    );
    assert_verdict(
        &run(
            &ENDPOINT_CONFIG_KMS_KEY,
            fixture!("endpoint-config-no-kms.json"),
        ),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &run(
            &ENDPOINT_CONFIG_KMS_KEY,
            fixture!("endpoint-config-unreadable.json"),
        ),
        Verdict::CouldNotEvaluate,
    );
}

const TRAINING_PROTECTED: &str = fixture!("training-job-protected.json");
const TRAINING_UNPROTECTED: &str = fixture!("training-job-unprotected.json");

#[test]
fn training_job_volume_needs_a_kms_key() {
    assert_verdict(
        &run_training(&TRAINING_JOB_VOLUME_KMS_KEY, TRAINING_PROTECTED),
        Verdict::Compliant,
    );
    assert_verdict(
        &run_training(&TRAINING_JOB_VOLUME_KMS_KEY, TRAINING_UNPROTECTED),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &training_job_denied(&TRAINING_JOB_VOLUME_KMS_KEY),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn training_job_output_needs_a_kms_key() {
    assert_verdict(
        &run_training(&TRAINING_JOB_OUTPUT_KMS_KEY, TRAINING_PROTECTED),
        Verdict::Compliant,
    );
    assert_verdict(
        &run_training(&TRAINING_JOB_OUTPUT_KMS_KEY, TRAINING_UNPROTECTED),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &training_job_denied(&TRAINING_JOB_OUTPUT_KMS_KEY),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn training_job_needs_inter_container_traffic_encryption() {
    assert_verdict(
        &run_training(&TRAINING_JOB_INTER_CONTAINER_ENCRYPTION, TRAINING_PROTECTED),
        Verdict::Compliant,
    );
    assert_verdict(
        &run_training(
            &TRAINING_JOB_INTER_CONTAINER_ENCRYPTION,
            TRAINING_UNPROTECTED,
        ),
        Verdict::NonCompliant,
    );
    let denied = training_job_denied(&TRAINING_JOB_INTER_CONTAINER_ENCRYPTION);
    assert_verdict(&denied, Verdict::CouldNotEvaluate);
    assert!(
        denied.observed.contains("AccessDenied"),
        "{}",
        denied.observed
    );
}

#[test]
fn training_job_needs_network_isolation() {
    assert_verdict(
        &run_training(&TRAINING_JOB_NETWORK_ISOLATION, TRAINING_PROTECTED),
        Verdict::Compliant,
    );
    assert_verdict(
        &run_training(&TRAINING_JOB_NETWORK_ISOLATION, TRAINING_UNPROTECTED),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &training_job_denied(&TRAINING_JOB_NETWORK_ISOLATION),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn training_jobs_are_not_decoded_from_config_items() {
    let mut v: Value = serde_json::from_str(NOTEBOOK_LOCKED).unwrap();
    v["resourceType"] = Value::from("AWS::SageMaker::TrainingJob");
    assert_eq!(decode(&item(&v.to_string())), Decoded::UnsupportedType);
}

#[test]
fn model_needs_network_isolation() {
    assert_verdict(
        &run(&MODEL_NETWORK_ISOLATION, fixture!("model-isolated.json")),
        Verdict::Compliant,
    );
    assert_verdict(
        &run(
            &MODEL_NETWORK_ISOLATION,
            fixture!("model-not-isolated.json"),
        ),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &run(&MODEL_NETWORK_ISOLATION, fixture!("model-unreadable.json")),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn domain_needs_a_kms_key() {
    let ok = run(&DOMAIN_KMS_KEY, fixture!("domain-kms.json"));
    assert_verdict(&ok, Verdict::Compliant);
    assert_verdict(
        &run(&DOMAIN_KMS_KEY, fixture!("domain-no-kms.json")),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &run(&DOMAIN_KMS_KEY, fixture!("domain-unreadable.json")),
        Verdict::CouldNotEvaluate,
    );
    match decode(&item(fixture!("domain-kms.json"))) {
        Decoded::Resource(Resource::SageMakerDomain(d)) => {
            assert_eq!(
                (d.id.as_str(), d.name.as_deref()),
                ("d-abcd1234efgh", Some("genai-studio"))
            );
        }
        other => panic!("{other:?}"),
    }
}

const FG_ENCRYPTED: &str = fixture!("feature-group-encrypted.json");
const FG_UNENCRYPTED: &str = fixture!("feature-group-unencrypted.json");
const FG_OFFLINE_ONLY: &str = fixture!("feature-group-offline-only.json");
const FG_ONLINE_ONLY: &str = fixture!("feature-group-online-only.json");
const FG_UNREADABLE: &str = fixture!("feature-group-unreadable.json");

#[test]
fn feature_group_offline_store_needs_a_kms_key_and_absent_store_is_not_applicable() {
    let check = &FEATURE_GROUP_OFFLINE_STORE_KMS_KEY;
    assert_verdict(&run(check, FG_ENCRYPTED), Verdict::Compliant);
    assert_verdict(&run(check, FG_UNENCRYPTED), Verdict::NonCompliant);
    assert_verdict(&run(check, FG_OFFLINE_ONLY), Verdict::Compliant);
    assert_verdict(&run(check, FG_ONLINE_ONLY), Verdict::NotApplicable);
    assert_verdict(&run(check, FG_UNREADABLE), Verdict::CouldNotEvaluate);
}

#[test]
fn feature_group_online_store_needs_a_kms_key_and_absent_or_disabled_store_is_not_applicable() {
    let check = &FEATURE_GROUP_ONLINE_STORE_KMS_KEY;
    let ok = run(check, FG_ENCRYPTED);
    assert_verdict(&ok, Verdict::Compliant);
    assert!(ok.observed.contains("Standard"), "{}", ok.observed);
    assert_verdict(&run(check, FG_UNENCRYPTED), Verdict::NonCompliant);
    assert_verdict(&run(check, FG_ONLINE_ONLY), Verdict::Compliant);
    assert_verdict(&run(check, FG_OFFLINE_ONLY), Verdict::NotApplicable);
    let mut disabled: Value = serde_json::from_str(FG_UNENCRYPTED).unwrap();
    disabled["configuration"]["OnlineStoreConfig"]["EnableOnlineStore"] = Value::from(false);
    assert_verdict(&run(check, &disabled.to_string()), Verdict::NotApplicable);
    assert_verdict(&run(check, FG_UNREADABLE), Verdict::CouldNotEvaluate);
}

#[test]
fn data_quality_job_definition_needs_inter_container_encryption() {
    let check = &DATA_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION;
    assert_cases(
        check,
        &[
            (
                fixture!("data-quality-job-definition-encrypted.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("data-quality-job-definition-unencrypted.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("data-quality-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn model_quality_job_definition_needs_inter_container_encryption() {
    let check = &MODEL_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION;
    assert_cases(
        check,
        &[
            (
                fixture!("model-quality-job-definition-encrypted.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("model-quality-job-definition-unencrypted.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("model-quality-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn model_bias_job_definition_needs_inter_container_encryption() {
    let check = &MODEL_BIAS_JOB_INTER_CONTAINER_ENCRYPTION;
    assert_cases(
        check,
        &[
            (
                fixture!("model-bias-job-definition-encrypted.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("model-bias-job-definition-unencrypted.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("model-bias-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn model_explainability_job_definition_needs_inter_container_encryption() {
    let check = &MODEL_EXPLAINABILITY_JOB_INTER_CONTAINER_ENCRYPTION;
    assert_cases(
        check,
        &[
            (
                fixture!("model-explainability-job-definition-encrypted.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("model-explainability-job-definition-unencrypted.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("model-explainability-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn a_monitoring_check_does_not_judge_another_monitoring_type() {
    let outcome = run(
        &DATA_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION,
        fixture!("model-bias-job-definition-unencrypted.json"),
    );
    assert_verdict(&outcome, Verdict::NotApplicable);
}

#[test]
fn notebook_platform_must_be_supported_and_an_unreported_one_is_could_not_evaluate() {
    let check = &NOTEBOOK_SUPPORTED_PLATFORM;
    let ok = run(check, NOTEBOOK_LOCKED);
    assert_verdict(&ok, Verdict::Compliant);
    assert!(
        ok.observed.contains("notebook-al2023-v1"),
        "{}",
        ok.observed
    );
    let al2 = run(check, fixture!("notebook-al2-platform.json"));
    assert_verdict(&al2, Verdict::NonCompliant);
    assert!(al2.observed.contains("notebook-al2-v3"), "{}", al2.observed);
    let unreported = run(check, NOTEBOOK_DEFAULTS);
    assert_verdict(&unreported, Verdict::CouldNotEvaluate);
    assert!(
        unreported
            .observed
            .contains("PlatformIdentifier is not reported"),
        "{}",
        unreported.observed
    );
    assert_verdict(&run(check, NOTEBOOK_UNREADABLE), Verdict::CouldNotEvaluate);
    let mut malformed: Value = serde_json::from_str(NOTEBOOK_LOCKED).unwrap();
    malformed["configuration"]["PlatformIdentifier"] = Value::from(2023);
    assert_verdict(
        &run(check, &malformed.to_string()),
        Verdict::CouldNotEvaluate,
    );
}

const EC_TWO_INSTANCES: &str = fixture!("endpoint-config-kms.json");
const EC_SINGLE_INSTANCE: &str = fixture!("endpoint-config-single-instance.json");
const EC_SERVERLESS: &str = fixture!("endpoint-config-serverless.json");

#[test]
fn endpoint_config_instance_variants_need_more_than_one_instance_and_serverless_ones_are_skipped() {
    let check = &ENDPOINT_CONFIG_VARIANT_INSTANCE_COUNT;
    let ok = run(check, EC_TWO_INSTANCES);
    assert_verdict(&ok, Verdict::Compliant);
    assert!(ok.observed.contains("\"AllTraffic\": 2"), "{}", ok.observed);
    let single = run(check, EC_SINGLE_INSTANCE);
    assert_verdict(&single, Verdict::NonCompliant);
    assert!(
        single
            .observed
            .contains("\"Primary\" starts with 1 instance")
            && !single.observed.contains("Canary"),
        "{}",
        single.observed
    );
    assert_verdict(&run(check, EC_SERVERLESS), Verdict::NotApplicable);
    let mut mixed: Value = serde_json::from_str(EC_TWO_INSTANCES).unwrap();
    let serverless: Value = serde_json::from_str(EC_SERVERLESS).unwrap();
    mixed["configuration"]["ProductionVariants"]
        .as_array_mut()
        .unwrap()
        .push(serverless["configuration"]["ProductionVariants"][0].clone());
    assert_verdict(&run(check, &mixed.to_string()), Verdict::Compliant);
    let mut none: Value = serde_json::from_str(EC_TWO_INSTANCES).unwrap();
    none["configuration"]["ProductionVariants"] = Value::Array(Vec::new());
    assert_verdict(&run(check, &none.to_string()), Verdict::NotApplicable);
}

#[test]
fn endpoint_config_instance_count_that_cannot_be_read_is_could_not_evaluate() {
    let check = &ENDPOINT_CONFIG_VARIANT_INSTANCE_COUNT;
    assert_verdict(
        &run(check, fixture!("endpoint-config-unreadable.json")),
        Verdict::CouldNotEvaluate,
    );
    let malformed = run(check, fixture!("endpoint-config-variant-malformed.json"));
    assert_verdict(&malformed, Verdict::CouldNotEvaluate);
    assert!(
        malformed.observed.contains("InitialInstanceCount"),
        "{}",
        malformed.observed
    );
    let mut unreported: Value = serde_json::from_str(EC_TWO_INSTANCES).unwrap();
    unreported["configuration"]["ProductionVariants"][0]
        .as_object_mut()
        .unwrap()
        .remove("InitialInstanceCount");
    let outcome = run(check, &unreported.to_string());
    assert_verdict(&outcome, Verdict::CouldNotEvaluate);
    assert!(
        outcome.observed.contains("AllTraffic"),
        "{}",
        outcome.observed
    );
}

const MODEL_PRIVATE: &str = fixture!("model-private-registry.json");
const MODEL_PLATFORM: &str = fixture!("model-platform-registry.json");
const MODEL_ECR_DEFAULT: &str = fixture!("model-isolated.json");
const PIPELINE_PRIVATE: &str = fixture!("model-pipeline-private-registry.json");
const PIPELINE_MIXED: &str = fixture!("model-pipeline-mixed-registry.json");
const MODEL_MALFORMED_IMAGE_CONFIG: &str = fixture!("model-image-config-malformed.json");

#[test]
fn model_primary_container_must_pull_through_the_vpc_and_no_image_config_means_ecr() {
    let check = &MODEL_PRIMARY_CONTAINER_PRIVATE_REGISTRY;
    assert_verdict(&run(check, MODEL_PRIVATE), Verdict::Compliant);
    let platform = run(check, MODEL_PLATFORM);
    assert_verdict(&platform, Verdict::NonCompliant);
    assert!(
        platform.observed.contains("RepositoryAccessMode Platform"),
        "{}",
        platform.observed
    );
    let default = run(check, MODEL_ECR_DEFAULT);
    assert_verdict(&default, Verdict::NonCompliant);
    assert!(
        default.observed.contains("Amazon ECR"),
        "{}",
        default.observed
    );
    assert_verdict(&run(check, PIPELINE_PRIVATE), Verdict::NotApplicable);
    assert_verdict(
        &run(check, fixture!("model-unreadable.json")),
        Verdict::CouldNotEvaluate,
    );
    let malformed = run(check, MODEL_MALFORMED_IMAGE_CONFIG);
    assert_verdict(&malformed, Verdict::CouldNotEvaluate);
    assert!(
        malformed.observed.contains("PrimaryContainer.ImageConfig"),
        "{}",
        malformed.observed
    );
}

#[test]
fn model_pipeline_containers_must_all_pull_through_the_vpc() {
    let check = &MODEL_CONTAINERS_PRIVATE_REGISTRY;
    let ok = run(check, PIPELINE_PRIVATE);
    assert_verdict(&ok, Verdict::Compliant);
    assert!(ok.observed.contains("all 2"), "{}", ok.observed);
    let mixed = run(check, PIPELINE_MIXED);
    assert_verdict(&mixed, Verdict::NonCompliant);
    assert!(
        mixed
            .observed
            .contains("container \"predict\" has no ImageConfig")
            && !mixed.observed.contains("preprocess"),
        "{}",
        mixed.observed
    );
    assert_verdict(&run(check, MODEL_PRIVATE), Verdict::NotApplicable);
    assert_verdict(
        &run(check, fixture!("model-unreadable.json")),
        Verdict::CouldNotEvaluate,
    );
    let mut malformed: Value = serde_json::from_str(PIPELINE_PRIVATE).unwrap();
    malformed["configuration"]["Containers"][1] = Value::from("predict");
    assert_verdict(
        &run(check, &malformed.to_string()),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn data_quality_job_definition_needs_network_isolation() {
    let check = &DATA_QUALITY_JOB_NETWORK_ISOLATION;
    assert_cases(
        check,
        &[
            (
                fixture!("data-quality-job-definition-isolated.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("data-quality-job-definition-not-isolated.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("data-quality-job-definition-isolation-malformed.json"),
                Verdict::CouldNotEvaluate,
            ),
            (
                fixture!("data-quality-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn model_quality_job_definition_needs_network_isolation() {
    let check = &MODEL_QUALITY_JOB_NETWORK_ISOLATION;
    assert_cases(
        check,
        &[
            (
                fixture!("model-quality-job-definition-isolated.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("model-quality-job-definition-not-isolated.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("model-quality-job-definition-isolation-malformed.json"),
                Verdict::CouldNotEvaluate,
            ),
            (
                fixture!("model-quality-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn model_bias_job_definition_needs_network_isolation() {
    let check = &MODEL_BIAS_JOB_NETWORK_ISOLATION;
    assert_cases(
        check,
        &[
            (
                fixture!("model-bias-job-definition-isolated.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("model-bias-job-definition-not-isolated.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("model-bias-job-definition-isolation-malformed.json"),
                Verdict::CouldNotEvaluate,
            ),
            (
                fixture!("model-bias-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn model_explainability_job_definition_needs_network_isolation() {
    let check = &MODEL_EXPLAINABILITY_JOB_NETWORK_ISOLATION;
    assert_cases(
        check,
        &[
            (
                fixture!("model-explainability-job-definition-isolated.json"),
                Verdict::Compliant,
            ),
            (
                fixture!("model-explainability-job-definition-not-isolated.json"),
                Verdict::NonCompliant,
            ),
            (
                fixture!("model-explainability-job-definition-isolation-malformed.json"),
                Verdict::CouldNotEvaluate,
            ),
            (
                fixture!("model-explainability-job-definition-unreadable.json"),
                Verdict::CouldNotEvaluate,
            ),
        ],
    );
}

#[test]
fn monitoring_network_isolation_and_inter_container_encryption_are_read_apart() {
    let isolated = fixture!("data-quality-job-definition-isolated.json");
    assert_verdict(
        &run(&DATA_QUALITY_JOB_NETWORK_ISOLATION, isolated),
        Verdict::Compliant,
    );
    assert_verdict(
        &run(&DATA_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION, isolated),
        Verdict::NonCompliant,
    );
    let open = fixture!("model-bias-job-definition-not-isolated.json");
    assert_verdict(
        &run(&MODEL_BIAS_JOB_NETWORK_ISOLATION, open),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &run(&MODEL_BIAS_JOB_INTER_CONTAINER_ENCRYPTION, open),
        Verdict::Compliant,
    );
}

#[test]
fn every_sagemaker_check_is_registered_once() {
    assert_eq!(CHECKS.len(), 32);
    for check in CHECKS {
        assert_eq!(
            crate::catalog::find_check(check.id).map(|c| c.id),
            Some(check.id)
        );
    }
}

/// What a collector yields for a resource of `resource_type` whose Describe* (`action`) is
/// denied, run through the evaluator for `check`.
fn denied(check: &'static Check, resource_type: ResourceType, action: &str) -> Outcome {
    let subject = Subject {
        resource: ResourceRef {
            resource_type: resource_type.cfn_type().into(),
            resource_id: "genai-denied".into(),
            arn: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        },
        observed_at: Timestamp::now(),
        observed_via: "AWS API (sagemaker:Describe*)",
        state: SubjectState::Unreadable(format!(
            "{action} failed with AccessDeniedException: not authorized"
        )),
        links: Vec::new(),
    };
    let params = Params {
        checks: Some(vec![check]),
        ..Params::default()
    };
    let findings = evaluate(&subject, &params, Timestamp::now());
    assert_eq!(findings.len(), 1);
    findings[0].outcome.clone()
}

const SCHEDULE_PROTECTED: &str = fixture!("monitoring-schedule-embedded-protected.json");
const SCHEDULE_OPEN: &str = fixture!("monitoring-schedule-embedded-open.json");
const SCHEDULE_NAMED_ITEM: &str = fixture!("monitoring-schedule-named.json");
const SCHEDULE_MALFORMED: &str = fixture!("monitoring-schedule-network-malformed.json");
const SCHEDULE_NAMED_API: &str = fixture!("describe-monitoring-schedule-named.json");
const MQ_DEFINITION_API: &str = fixture!("describe-model-quality-job-definition-isolated.json");

/// A monitoring schedule from a `DescribeMonitoringSchedule` response that names its job
/// definition, with that definition read from its `Describe*JobDefinition` response (`Ok`) or
/// not (`Err`: why), as the collector resolves it.
fn named_schedule(schedule: &str, definition: Result<&str, &str>) -> Resource {
    let s: Value = serde_json::from_str(schedule).unwrap();
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let network = match definition {
        Ok(body) => {
            let d: Value = serde_json::from_str(body).unwrap();
            let b = |p: &str| d.pointer(p).and_then(Value::as_bool).unwrap_or(false);
            Ok(MonitoringNetwork {
                inter_container_traffic_encryption: b(
                    "/NetworkConfig/EnableInterContainerTrafficEncryption",
                ),
                network_isolation: b("/NetworkConfig/EnableNetworkIsolation"),
            })
        }
        Err(why) => Err(crate::domain::resource::Unreadable::new(why)),
    };
    Resource::SageMakerMonitoringSchedule(MonitoringSchedule {
        name: text(&s, "/MonitoringScheduleName").unwrap(),
        monitoring_type: text(&s, "/MonitoringScheduleConfig/MonitoringType"),
        definition_name: text(&s, "/MonitoringScheduleConfig/MonitoringJobDefinitionName"),
        network,
    })
}

const DEFINITION_DENIED: &str = "the ModelQuality job definition \"genai-model-quality-isolated\" the schedule names could not be read: sagemaker:DescribeModelQualityJobDefinition failed with AccessDeniedException: not authorized";

#[test]
fn monitoring_schedule_network_isolation_follows_the_embedded_or_named_definition() {
    let check = &MONITORING_SCHEDULE_NETWORK_ISOLATION;
    assert_cases(
        check,
        &[
            (SCHEDULE_PROTECTED, Verdict::Compliant),
            (SCHEDULE_OPEN, Verdict::NonCompliant),
            (SCHEDULE_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
    let named = check.evaluate(
        &named_schedule(SCHEDULE_NAMED_API, Ok(MQ_DEFINITION_API)),
        &Params::default(),
    );
    assert_verdict(&named, Verdict::Compliant);
    assert!(
        named.observed.contains("genai-model-quality-isolated"),
        "{}",
        named.observed
    );
}

#[test]
fn monitoring_schedule_inter_container_encryption_follows_the_embedded_or_named_definition() {
    let check = &MONITORING_SCHEDULE_INTER_CONTAINER_ENCRYPTION;
    assert_cases(
        check,
        &[
            (SCHEDULE_PROTECTED, Verdict::Compliant),
            (SCHEDULE_OPEN, Verdict::NonCompliant),
            (SCHEDULE_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
    // The named model quality definition is isolated but does not encrypt.
    assert_verdict(
        &check.evaluate(
            &named_schedule(SCHEDULE_NAMED_API, Ok(MQ_DEFINITION_API)),
            &Params::default(),
        ),
        Verdict::NonCompliant,
    );
}

#[test]
fn a_named_definition_that_cannot_be_read_is_could_not_evaluate_never_a_failure() {
    for check in [
        &MONITORING_SCHEDULE_NETWORK_ISOLATION,
        &MONITORING_SCHEDULE_INTER_CONTAINER_ENCRYPTION,
    ] {
        let outcome = check.evaluate(
            &named_schedule(SCHEDULE_NAMED_API, Err(DEFINITION_DENIED)),
            &Params::default(),
        );
        assert_verdict(&outcome, Verdict::CouldNotEvaluate);
        assert!(
            outcome.observed.contains("AccessDenied"),
            "{}",
            outcome.observed
        );
        // The Config item carries only the definition's name: the rule cannot decide it.
        let from_config = run(check, SCHEDULE_NAMED_ITEM);
        assert_verdict(&from_config, Verdict::CouldNotEvaluate);
        assert!(
            from_config
                .observed
                .contains("genai-model-quality-isolated"),
            "{}",
            from_config.observed
        );
        assert_verdict(
            &denied(
                check,
                ResourceType::SageMakerMonitoringSchedule,
                "sagemaker:DescribeMonitoringSchedule",
            ),
            Verdict::CouldNotEvaluate,
        );
    }
}

const EXPERIMENT_ENCRYPTED: &str = fixture!("inference-experiment-encrypted.json");
const EXPERIMENT_PLAIN: &str = fixture!("inference-experiment-unencrypted.json");
const EXPERIMENT_NO_CAPTURE: &str = fixture!("inference-experiment-no-capture.json");
const EXPERIMENT_MALFORMED: &str = fixture!("inference-experiment-malformed.json");

#[test]
fn inference_experiment_volume_needs_a_kms_key() {
    assert_cases(
        &INFERENCE_EXPERIMENT_VOLUME_KMS_KEY,
        &[
            (EXPERIMENT_ENCRYPTED, Verdict::Compliant),
            (EXPERIMENT_NO_CAPTURE, Verdict::Compliant),
            (EXPERIMENT_PLAIN, Verdict::NonCompliant),
            (EXPERIMENT_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
}

#[test]
fn inference_experiment_captured_data_needs_a_kms_key_and_no_capture_is_not_applicable() {
    assert_cases(
        &INFERENCE_EXPERIMENT_DATA_STORAGE_KMS_KEY,
        &[
            (EXPERIMENT_ENCRYPTED, Verdict::Compliant),
            (EXPERIMENT_PLAIN, Verdict::NonCompliant),
            (EXPERIMENT_NO_CAPTURE, Verdict::NotApplicable),
            (EXPERIMENT_MALFORMED, Verdict::CouldNotEvaluate),
        ],
    );
    assert_verdict(
        &denied(
            &INFERENCE_EXPERIMENT_DATA_STORAGE_KMS_KEY,
            ResourceType::SageMakerInferenceExperiment,
            "sagemaker:DescribeInferenceExperiment",
        ),
        Verdict::CouldNotEvaluate,
    );
}

/// A processing job from a `DescribeProcessingJob` response fixture.
fn processing_job(text: &str) -> Resource {
    let v: Value = serde_json::from_str(text).unwrap();
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Resource::SageMakerProcessingJob(ProcessingJob {
        name: s("/ProcessingJobName").unwrap(),
        volume_kms_key_id: s("/ProcessingResources/ClusterConfig/VolumeKmsKeyId"),
    })
}

/// A transform job from a `DescribeTransformJob` response fixture.
fn transform_job(text: &str) -> Resource {
    let v: Value = serde_json::from_str(text).unwrap();
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Resource::SageMakerTransformJob(TransformJob {
        name: s("/TransformJobName").unwrap(),
        volume_kms_key_id: s("/TransformResources/VolumeKmsKeyId"),
        output_kms_key_id: s("/TransformOutput/KmsKeyId"),
    })
}

#[test]
fn processing_job_volume_needs_a_kms_key() {
    let check = &PROCESSING_JOB_VOLUME_KMS_KEY;
    let params = Params::default();
    let ok = check.evaluate(
        &processing_job(fixture!("processing-job-kms.json")),
        &params,
    );
    assert_verdict(&ok, Verdict::Compliant);
    assert_verdict(
        &check.evaluate(
            &processing_job(fixture!("processing-job-no-kms.json")),
            &params,
        ),
        Verdict::NonCompliant,
    );
    assert_verdict(
        &denied(
            check,
            ResourceType::SageMakerProcessingJob,
            "sagemaker:DescribeProcessingJob",
        ),
        Verdict::CouldNotEvaluate,
    );
}

#[test]
fn transform_job_volume_and_output_each_need_a_kms_key() {
    let params = Params::default();
    for check in [&TRANSFORM_JOB_VOLUME_KMS_KEY, &TRANSFORM_JOB_OUTPUT_KMS_KEY] {
        assert_verdict(
            &check.evaluate(&transform_job(fixture!("transform-job-kms.json")), &params),
            Verdict::Compliant,
        );
        assert_verdict(
            &check.evaluate(
                &transform_job(fixture!("transform-job-no-kms.json")),
                &params,
            ),
            Verdict::NonCompliant,
        );
        assert_verdict(
            &denied(
                check,
                ResourceType::SageMakerTransformJob,
                "sagemaker:DescribeTransformJob",
            ),
            Verdict::CouldNotEvaluate,
        );
    }
}

#[test]
fn processing_and_transform_jobs_are_not_decoded_from_config_items() {
    for cfn in [
        "AWS::SageMaker::ProcessingJob",
        "AWS::SageMaker::TransformJob",
    ] {
        let mut v: Value = serde_json::from_str(NOTEBOOK_LOCKED).unwrap();
        v["resourceType"] = Value::from(cfn);
        assert_eq!(decode(&item(&v.to_string())), Decoded::UnsupportedType);
    }
}

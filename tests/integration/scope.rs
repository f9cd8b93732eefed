//! GenAI scope discovery against moto: the links the SageMaker and Bedrock collectors read from
//! their Describe/Get responses, the scope tag read with the Resource Groups Tagging API, and the
//! decisions a `ScopeMap` makes from both, with the reasons an auditor reads.
//!
//! moto is shared by the whole binary and other tests tag buckets too, so tag assertions look for
//! this test's resources rather than comparing whole lists (the paging test uses a tag key of its
//! own). Bedrock's logging configuration is one per region: this module uses `sa-east-1` alone.

use aws_sdk_bedrock::types::{CloudWatchConfig, LoggingConfig, S3Config};
use aws_sdk_resourcegroupstagging::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_resourcegroupstagging::operation::get_resources::GetResourcesError;
use aws_sdk_s3::types::{Tag, Tagging};
use aws_sdk_sagemaker::types::{
    AlgorithmSpecification, Channel, CheckpointConfig, DataSource, InstanceType, OutputDataConfig,
    ResourceConfig, S3DataSource, StoppingCondition, TrainingInputMode, TrainingInstanceType,
};
use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, create_mock_http_client, mock};
use aws_smithy_types::error::ErrorMetadata;
use genai_evidence::adapters::Scope;
use genai_evidence::adapters::bedrock::collect_invocation_logging;
use genai_evidence::adapters::sagemaker::{collect_notebook_instances, collect_training_jobs};
use genai_evidence::adapters::tagging::tagged_arns;
use genai_evidence::domain::scope::{Decision, InScope, ScopeMap, Target};
use genai_evidence::error::AwsErrorKind;
use genai_evidence::evaluate::Subject;

use crate::support::unique;

const TAG_KEY: &str = "genai-evidence";
/// A role referenced with its path: scope names it without (role names are unique).
const ROLE_WITH_PATH: &str = "arn:aws:iam::123456789012:role/service-role/genai-train";
const ROLE: &str = "arn:aws:iam::123456789012:role/genai-train";
const LOGGING_REGION: &str = "sa-east-1";

async fn moto_config(region: &str) -> aws_config::SdkConfig {
    rig::sdk_config(rig::shared_moto().endpoint(), 3)
        .await
        .into_builder()
        .region(Region::new(region.to_owned()))
        .build()
}

fn scope(region: &str) -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: region.into(),
    }
}

fn find<'a>(subjects: &'a [Subject], id: &str) -> &'a Subject {
    subjects
        .iter()
        .find(|s| s.resource.resource_id == id)
        .unwrap_or_else(|| panic!("{id} not collected"))
}

fn reasons(subject: &Subject) -> Vec<String> {
    subject.links.iter().map(|l| l.reason.clone()).collect()
}

async fn bucket(s3: &aws_sdk_s3::Client, prefix: &str, tag: Option<(&str, &str)>) -> String {
    let name = unique(prefix);
    s3.create_bucket()
        .bucket(&name)
        .send()
        .await
        .expect("create bucket");
    if let Some((key, value)) = tag {
        s3.put_bucket_tagging()
            .bucket(&name)
            .tagging(
                Tagging::builder()
                    .tag_set(Tag::builder().key(key).value(value).build().unwrap())
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("tag bucket");
    }
    name
}

#[tokio::test]
async fn a_seeded_account_puts_referenced_and_tagged_resources_in_scope_with_their_reasons() {
    let config = moto_config(rig::REGION).await;
    let s3 = rig::s3_client(&config);
    let kms = aws_sdk_kms::Client::new(&config);
    let sagemaker = aws_sdk_sagemaker::Client::new(&config);
    let tagging = aws_sdk_resourcegroupstagging::Client::new(&config);

    // Buckets: training input and output, a checkpoint bucket tagged out, a bucket tagged in
    // that nothing references, one that is neither, and the invocation log bucket.
    let data = bucket(&s3, "scope-train-data", None).await;
    let out = bucket(&s3, "scope-train-out", None).await;
    let ckpt = bucket(&s3, "scope-ckpt", Some((TAG_KEY, "exclude"))).await;
    let shared = bucket(&s3, "scope-shared", Some((TAG_KEY, "include"))).await;
    let other = bucket(&s3, "scope-other", None).await;
    let logs = bucket(&s3, "scope-invocation-logs", None).await;
    let key = kms.create_key().send().await.expect("create key");
    let key = key.key_metadata().expect("key metadata");
    let (key_id, key_arn) = (key.key_id().to_owned(), key.arn().expect("arn").to_owned());

    // A training job naming the key by ARN, its volume key by id, and the role with its path.
    let job = unique("scope-train");
    sagemaker
        .create_training_job()
        .training_job_name(&job)
        .algorithm_specification(
            AlgorithmSpecification::builder()
                .training_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/genai-train:7")
                .training_input_mode(TrainingInputMode::File)
                .build(),
        )
        .role_arn(ROLE_WITH_PATH)
        .input_data_config(
            Channel::builder()
                .channel_name("train")
                .data_source(
                    DataSource::builder()
                        .s3_data_source(
                            S3DataSource::builder()
                                .s3_uri(format!("s3://{data}/train/"))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .output_data_config(
            OutputDataConfig::builder()
                .s3_output_path(format!("s3://{out}/models/"))
                .kms_key_id(&key_arn)
                .build(),
        )
        .resource_config(
            ResourceConfig::builder()
                .instance_type(TrainingInstanceType::MlP32Xlarge)
                .instance_count(1)
                .volume_size_in_gb(50)
                .volume_kms_key_id(&key_id)
                .build(),
        )
        .checkpoint_config(
            CheckpointConfig::builder()
                .s3_uri(format!("s3://{ckpt}/checkpoints/"))
                .build(),
        )
        .stopping_condition(
            StoppingCondition::builder()
                .max_runtime_in_seconds(3600)
                .build(),
        )
        .send()
        .await
        .expect("create training job");

    // A notebook naming the same key by id.
    let notebook = unique("scope-nb");
    sagemaker
        .create_notebook_instance()
        .notebook_instance_name(&notebook)
        .instance_type(InstanceType::MlT3Medium)
        .role_arn(ROLE)
        .kms_key_id(&key_id)
        .send()
        .await
        .expect("create notebook");

    // Bedrock invocation logging to the log bucket and a log group.
    let bedrock_config = moto_config(LOGGING_REGION).await;
    let bedrock = aws_sdk_bedrock::Client::new(&bedrock_config);
    let cloudwatch = aws_sdk_cloudwatchlogs::Client::new(&bedrock_config);
    let group = unique("/aws/bedrock/scope");
    cloudwatch
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("log group");
    bedrock
        .put_model_invocation_logging_configuration()
        .logging_config(
            LoggingConfig::builder()
                .s3_config(S3Config::builder().bucket_name(&logs).build().unwrap())
                .cloud_watch_config(
                    CloudWatchConfig::builder()
                        .log_group_name(&group)
                        .role_arn(ROLE)
                        .build()
                        .unwrap(),
                )
                .text_data_delivery_enabled(true)
                .build(),
        )
        .send()
        .await
        .expect("put logging configuration");

    // The collectors' links, worded for an auditor.
    let jobs = collect_training_jobs(&sagemaker, &scope(rig::REGION))
        .await
        .expect("training jobs");
    let training = find(&jobs, &job);
    let of_job = format!("of SageMaker training job {job:?}");
    assert_eq!(
        reasons(training),
        [
            format!("role {ROLE}: execution role {of_job}"),
            format!("bucket {data:?}: training input (channel \"train\") {of_job}"),
            format!("bucket {out:?}: output {of_job}"),
            format!("KMS key {key_id}: output key {of_job}"),
            format!("KMS key {key_id}: volume key {of_job}"),
            format!("bucket {ckpt:?}: checkpoint location {of_job}"),
        ]
    );
    let notebooks = collect_notebook_instances(&sagemaker, &scope(rig::REGION))
        .await
        .expect("notebooks");
    let nb = find(&notebooks, &notebook);
    let of_nb = format!("of SageMaker notebook instance {notebook:?}");
    assert_eq!(
        reasons(nb),
        [
            format!("role {ROLE}: execution role {of_nb}"),
            format!("KMS key {key_id}: volume key {of_nb}"),
        ]
    );
    let logging = collect_invocation_logging(
        &bedrock,
        &cloudwatch,
        &rig::s3_client(&bedrock_config),
        &scope(LOGGING_REGION),
    )
    .await
    .expect("invocation logging");
    let of_logging = format!("of Bedrock model invocation logging in {LOGGING_REGION}");
    assert_eq!(
        reasons(&logging[0]),
        [
            format!("bucket {logs:?}: log destination {of_logging}"),
            format!("log group {group:?}: log destination {of_logging}"),
            format!("role {ROLE}: log delivery role {of_logging}"),
        ]
    );

    // The scope tag, read through the tagging API.
    let tagged = tagged_arns(&tagging, TAG_KEY).await.expect("tagged arns");
    for (arn, value) in [
        (format!("arn:aws:s3:::{ckpt}"), "exclude"),
        (format!("arn:aws:s3:::{shared}"), "include"),
    ] {
        assert!(
            tagged.iter().any(|(a, v)| *a == arn && v == value),
            "{arn}={value} missing from {tagged:?}"
        );
    }
    assert!(
        !tagged.iter().any(|(a, _)| a.ends_with(&other)),
        "an untagged bucket is not returned"
    );

    // Decisions.
    let mut map = ScopeMap::new(TAG_KEY);
    for subject in [training, nb, &logging[0]] {
        subject.links.iter().cloned().for_each(|l| map.insert(l));
    }
    for (arn, value) in &tagged {
        map.apply_tag(arn, value);
    }
    let bucket_target = |name: &str| Target::bucket(name).unwrap();
    assert_eq!(
        map.decide(&bucket_target(&out)),
        Decision::In(InScope {
            reasons: vec![format!("bucket {out:?}: output {of_job}")]
        })
    );
    assert_eq!(
        map.decide(&bucket_target(&shared)),
        Decision::In(InScope {
            reasons: vec![format!("tagged {TAG_KEY}=include")]
        })
    );
    assert_eq!(
        map.decide(&bucket_target(&ckpt)),
        Decision::Excluded {
            reason: format!("tagged {TAG_KEY}=exclude"),
            overridden: vec![format!("bucket {ckpt:?}: checkpoint location {of_job}")],
        }
    );
    assert_eq!(map.decide(&bucket_target(&other)), Decision::Out);
    assert!(map.decide(&bucket_target(&logs)).is_in());
    // The key, named by ARN in one place and by id in two, is one target with three reasons,
    // found by either form.
    let key_reasons = map.reasons(&Target::key(&key_arn).unwrap()).to_vec();
    assert_eq!(
        key_reasons,
        [
            format!("KMS key {key_id}: output key {of_job}"),
            format!("KMS key {key_id}: volume key {of_job}"),
            format!("KMS key {key_id}: volume key {of_nb}"),
        ]
    );
    assert!(map.decide_arn(&key_arn, &[]).is_in());
    // The role, referenced with and without its path, is one target.
    let Decision::In(role) = map.decide_arn(ROLE_WITH_PATH, &[]) else {
        panic!("the execution role is in scope");
    };
    assert_eq!(role.reasons.len(), 3, "{:?}", role.reasons);
    assert!(map.decide(&Target::log_group(&group).unwrap()).is_in());
    let in_scope: Vec<Target> = map.in_scope().into_iter().map(|(t, _)| t).collect();
    assert!(in_scope.contains(&bucket_target(&shared)) && in_scope.contains(&bucket_target(&data)));
    assert!(
        !in_scope.contains(&bucket_target(&ckpt)) && !in_scope.contains(&bucket_target(&other))
    );
}

#[tokio::test]
async fn tagged_arns_reads_every_page() {
    let config = moto_config(rig::REGION).await;
    let s3 = rig::s3_client(&config);
    let tagging = aws_sdk_resourcegroupstagging::Client::new(&config);
    // moto pages GetResources by 50 resources: 60 tagged buckets take two pages. The key is this
    // test's own, so the list is exactly ours.
    let key = unique("genai-evidence-paging");
    let mut expected = Vec::new();
    for i in 0..60 {
        let value = if i % 2 == 0 { "include" } else { "exclude" };
        let name = bucket(&s3, "scope-page", Some((&key, value))).await;
        expected.push((format!("arn:aws:s3:::{name}"), value.to_owned()));
    }
    bucket(&s3, "scope-page-other-key", Some(("unrelated", "include"))).await;
    let mut tagged = tagged_arns(&tagging, &key).await.expect("tagged arns");
    tagged.sort();
    expected.sort();
    assert_eq!(tagged, expected);
}

#[tokio::test]
async fn a_denied_tag_listing_is_an_access_denied_error() {
    let denied = mock!(aws_sdk_resourcegroupstagging::Client::get_resources).then_error(|| {
        GetResourcesError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("not authorized to perform tag:GetResources")
                .build(),
        )
    });
    let interceptor = MockResponseInterceptor::new()
        .rule_mode(RuleMode::MatchAny)
        .with_rule(&denied);
    let client = aws_sdk_resourcegroupstagging::Client::from_conf(
        aws_sdk_resourcegroupstagging::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(rig::REGION))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "mock"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build(),
    );
    let err = tagged_arns(&client, TAG_KEY).await.unwrap_err();
    assert_eq!(err.kind, AwsErrorKind::AccessDenied);
    assert_eq!(err.operation, "tag:GetResources");
}

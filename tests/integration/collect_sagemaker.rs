//! Collectors of sagemaker read from the AWS API (moto, or aws-smithy-mocks where moto has no emulation).
//!
//! moto implements List/Describe for notebook instances, endpoint configurations, training,
//! processing and transform jobs, models, domains and the Model Monitor job definitions; it has
//! no ListFeatureGroups, no monitoring schedules (Create/List/DescribeMonitoringSchedule) and no
//! inference experiments (List/DescribeInferenceExperiment), drops ProcessingResources on
//! CreateProcessingJob, and cannot deny a call, so feature groups, schedules, experiments and
//! access-denied reads use aws-smithy-mocks on a client built by hand (aws-sdk-sagemaker has no
//! `test-util` feature here).

use aws_sdk_sagemaker::Client;
use aws_sdk_sagemaker::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sagemaker::operation::describe_feature_group::{
    DescribeFeatureGroupError, DescribeFeatureGroupOutput,
};
use aws_sdk_sagemaker::operation::describe_notebook_instance::DescribeNotebookInstanceError;
use aws_sdk_sagemaker::operation::list_feature_groups::ListFeatureGroupsOutput;
use aws_sdk_sagemaker::operation::list_notebook_instances::ListNotebookInstancesOutput;
use aws_sdk_sagemaker::types::{
    AlgorithmSpecification, DataQualityAppSpecification, DataQualityJobInput, DirectInternetAccess,
    EndpointInput, FeatureGroupSummary, MonitoringClusterConfig, MonitoringNetworkConfig,
    MonitoringOutput, MonitoringOutputConfig, MonitoringResources, MonitoringS3Output,
    NotebookInstanceSummary, OfflineStoreConfig, OnlineStoreConfig, OnlineStoreSecurityConfig,
    OutputDataConfig, ProductionVariant, ResourceConfig, RootAccess, S3StorageConfig,
    StoppingCondition, TrainingInputMode, TrainingInstanceType,
};
use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, create_mock_http_client, mock};
use aws_smithy_types::error::ErrorMetadata;
use genai_evidence::adapters::Scope;
use genai_evidence::adapters::sagemaker::{
    collect_data_quality_job_definitions, collect_domains, collect_endpoint_configs,
    collect_feature_groups, collect_inference_experiments, collect_models,
    collect_monitoring_schedules, collect_notebook_instances, collect_processing_jobs,
    collect_training_jobs, collect_transform_jobs,
};
use genai_evidence::catalog::{Params, sagemaker};
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::evaluate::{Subject, SubjectState, evaluate};

use crate::support::unique;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE: &str = "arn:aws:iam::123456789012:role/sm-exec";

fn scope() -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: rig::REGION.into(),
    }
}

async fn moto_client() -> Client {
    Client::new(&rig::sdk_config(rig::shared_moto().endpoint(), 3).await)
}

/// A SageMaker client whose every call is answered by the interceptor's rules.
fn mocked(interceptor: MockResponseInterceptor) -> Client {
    let config = aws_sdk_sagemaker::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(rig::REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "mock"))
        .http_client(create_mock_http_client())
        .interceptor(interceptor)
        .build();
    Client::from_conf(config)
}

fn find<'a>(subjects: &'a [Subject], id: &str) -> &'a Subject {
    subjects
        .iter()
        .find(|s| s.resource.resource_id == id)
        .unwrap_or_else(|| panic!("{id} not collected"))
}

/// The verdict of one check on a collected subject, through the evaluator.
fn verdict(subject: &Subject, check: &'static genai_evidence::catalog::Check) -> Verdict {
    let params = Params {
        checks: Some(vec![check]),
        ..Params::default()
    };
    let findings = evaluate(
        subject,
        &params,
        genai_evidence::domain::time::Timestamp::now(),
    );
    assert_eq!(
        findings.len(),
        1,
        "{} does not apply to {:?}",
        check.id,
        subject.resource
    );
    findings[0].outcome.verdict
}

#[tokio::test]
async fn notebook_instances_are_collected_and_evaluated_from_moto() {
    let client = moto_client().await;
    let locked = unique("nb-locked");
    let open = unique("nb-open");
    client
        .create_notebook_instance()
        .notebook_instance_name(&locked)
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
        .role_arn(ROLE)
        .kms_key_id(KEY)
        .subnet_id("subnet-0abc1234")
        .security_group_ids("sg-0abc1234")
        .direct_internet_access(DirectInternetAccess::Disabled)
        .root_access(RootAccess::Disabled)
        .send()
        .await
        .expect("create locked notebook");
    client
        .create_notebook_instance()
        .notebook_instance_name(&open)
        .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
        .role_arn(ROLE)
        .direct_internet_access(DirectInternetAccess::Enabled)
        .root_access(RootAccess::Enabled)
        .send()
        .await
        .expect("create open notebook");

    let subjects = collect_notebook_instances(&client, &scope())
        .await
        .expect("collected");
    let locked = find(&subjects, &locked);
    assert_eq!(
        locked.resource.resource_type,
        "AWS::SageMaker::NotebookInstance"
    );
    assert!(
        locked
            .resource
            .arn
            .as_deref()
            .is_some_and(|a| a.contains(":notebook-instance/"))
    );
    assert_eq!(
        locked.observed_via,
        "AWS API (sagemaker:DescribeNotebookInstance)"
    );
    let open = find(&subjects, &open);
    for check in [
        &sagemaker::NOTEBOOK_KMS_KEY,
        &sagemaker::NOTEBOOK_ROOT_ACCESS_DISABLED,
        &sagemaker::NOTEBOOK_NO_DIRECT_INTERNET_ACCESS,
        &sagemaker::NOTEBOOK_IN_VPC,
    ] {
        assert_eq!(verdict(locked, check), Verdict::Compliant, "{}", check.id);
        assert_eq!(verdict(open, check), Verdict::NonCompliant, "{}", check.id);
    }
}

#[tokio::test]
async fn endpoint_configs_are_collected_and_evaluated_from_moto() {
    let client = moto_client().await;
    let with_key = unique("ec-kms");
    let without = unique("ec-plain");
    let model = unique("ec-model");
    client
        .create_model()
        .model_name(&model)
        .execution_role_arn(ROLE)
        .primary_container(
            aws_sdk_sagemaker::types::ContainerDefinition::builder()
                .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/genai-summarizer:3")
                .build(),
        )
        .send()
        .await
        .expect("create model");
    for (name, key) in [(&with_key, Some(KEY)), (&without, None)] {
        client
            .create_endpoint_config()
            .endpoint_config_name(name)
            .production_variants(
                ProductionVariant::builder()
                    .variant_name("AllTraffic")
                    .model_name(&model)
                    .initial_instance_count(1)
                    .instance_type(
                        aws_sdk_sagemaker::types::ProductionVariantInstanceType::MlM5Xlarge,
                    )
                    .build(),
            )
            .set_kms_key_id(key.map(str::to_owned))
            .send()
            .await
            .expect("create endpoint config");
    }
    let subjects = collect_endpoint_configs(&client, &scope())
        .await
        .expect("collected");
    assert_eq!(
        verdict(
            find(&subjects, &with_key),
            &sagemaker::ENDPOINT_CONFIG_KMS_KEY
        ),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(
            find(&subjects, &without),
            &sagemaker::ENDPOINT_CONFIG_KMS_KEY
        ),
        Verdict::NonCompliant
    );
}

#[tokio::test]
async fn training_jobs_are_collected_and_evaluated_from_moto() {
    let client = moto_client().await;
    let protected = unique("tj-protected");
    let quick = unique("tj-quick");
    for (name, safe) in [(&protected, true), (&quick, false)] {
        let mut output = OutputDataConfig::builder().s3_output_path("s3://genai-models/");
        let mut resources = ResourceConfig::builder()
            .instance_type(TrainingInstanceType::MlP32Xlarge)
            .instance_count(2)
            .volume_size_in_gb(50);
        if safe {
            output = output.kms_key_id(KEY);
            resources = resources.volume_kms_key_id(KEY);
        }
        client
            .create_training_job()
            .training_job_name(name)
            .algorithm_specification(
                AlgorithmSpecification::builder()
                    .training_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/genai-train:7")
                    .training_input_mode(TrainingInputMode::File)
                    .build(),
            )
            .role_arn(ROLE)
            .output_data_config(output.build())
            .resource_config(resources.build())
            .stopping_condition(
                StoppingCondition::builder()
                    .max_runtime_in_seconds(3600)
                    .build(),
            )
            .enable_network_isolation(safe)
            .enable_inter_container_traffic_encryption(safe)
            .send()
            .await
            .expect("create training job");
    }
    let subjects = collect_training_jobs(&client, &scope())
        .await
        .expect("collected");
    let protected = find(&subjects, &protected);
    let quick = find(&subjects, &quick);
    assert_eq!(
        protected.resource.resource_type,
        "AWS::SageMaker::TrainingJob"
    );
    for check in [
        &sagemaker::TRAINING_JOB_VOLUME_KMS_KEY,
        &sagemaker::TRAINING_JOB_OUTPUT_KMS_KEY,
        &sagemaker::TRAINING_JOB_INTER_CONTAINER_ENCRYPTION,
        &sagemaker::TRAINING_JOB_NETWORK_ISOLATION,
    ] {
        assert_eq!(
            verdict(protected, check),
            Verdict::Compliant,
            "{}",
            check.id
        );
        assert_eq!(verdict(quick, check), Verdict::NonCompliant, "{}", check.id);
    }
}

#[tokio::test]
async fn models_without_network_isolation_fail_from_moto() {
    // moto ignores EnableNetworkIsolation on CreateModel, so only the failing case is emulated; the
    // passing case is covered by the DescribeModel mapping test below.
    let client = moto_client().await;
    let name = unique("model-open");
    client
        .create_model()
        .model_name(&name)
        .execution_role_arn(ROLE)
        .primary_container(
            aws_sdk_sagemaker::types::ContainerDefinition::builder()
                .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/genai-summarizer:3")
                .build(),
        )
        .send()
        .await
        .expect("create model");
    let subjects = collect_models(&client, &scope()).await.expect("collected");
    assert_eq!(
        verdict(find(&subjects, &name), &sagemaker::MODEL_NETWORK_ISOLATION),
        Verdict::NonCompliant
    );
}

#[test]
fn describe_model_with_network_isolation_maps_to_compliant() {
    let out = aws_sdk_sagemaker::operation::describe_model::DescribeModelOutput::builder()
        .model_name("genai-summarizer")
        .enable_network_isolation(true)
        .build();
    let model = genai_evidence::adapters::sagemaker::model_from_api(&out, "genai-summarizer");
    assert!(model.network_isolation);
    let outcome = sagemaker::MODEL_NETWORK_ISOLATION.evaluate(
        &genai_evidence::domain::resource::Resource::SageMakerModel(model),
        &Params::default(),
    );
    assert_eq!(outcome.verdict, Verdict::Compliant);
}

#[tokio::test]
async fn domains_are_collected_by_id_and_evaluated_from_moto() {
    let client = moto_client().await;
    let mut ids = Vec::new();
    for key in [Some(KEY), None] {
        let out = client
            .create_domain()
            .domain_name(unique("studio"))
            .auth_mode(aws_sdk_sagemaker::types::AuthMode::Iam)
            .default_user_settings(
                aws_sdk_sagemaker::types::UserSettings::builder()
                    .execution_role(ROLE)
                    .build(),
            )
            .subnet_ids("subnet-0abc1234")
            .vpc_id("vpc-0abc1234")
            .set_kms_key_id(key.map(str::to_owned))
            .send()
            .await
            .expect("create domain");
        let arn = out.domain_arn().expect("domain arn");
        ids.push(arn.rsplit('/').next().expect("id").to_owned());
    }
    let subjects = collect_domains(&client, &scope()).await.expect("collected");
    assert_eq!(
        verdict(find(&subjects, &ids[0]), &sagemaker::DOMAIN_KMS_KEY),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(find(&subjects, &ids[1]), &sagemaker::DOMAIN_KMS_KEY),
        Verdict::NonCompliant
    );
}

#[tokio::test]
async fn data_quality_job_definitions_are_collected_by_arn_and_evaluated_from_moto() {
    let client = moto_client().await;
    let mut arns = Vec::new();
    for encrypted in [true, false] {
        let out = client
            .create_data_quality_job_definition()
            .job_definition_name(unique("dq"))
            .data_quality_app_specification(
                DataQualityAppSpecification::builder()
                    .image_uri("156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer")
                    .build(),
            )
            .data_quality_job_input(
                DataQualityJobInput::builder()
                    .endpoint_input(
                        EndpointInput::builder()
                            .endpoint_name("genai-summarizer")
                            .local_path("/opt/ml/processing/input")
                            .build(),
                    )
                    .build(),
            )
            .data_quality_job_output_config(
                MonitoringOutputConfig::builder()
                    .monitoring_outputs(
                        MonitoringOutput::builder()
                            .s3_output(
                                MonitoringS3Output::builder()
                                    .s3_uri("s3://genai-monitoring/reports")
                                    .local_path("/opt/ml/processing/output")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .job_resources(
                MonitoringResources::builder()
                    .cluster_config(
                        MonitoringClusterConfig::builder()
                            .instance_count(1)
                            .instance_type(aws_sdk_sagemaker::types::ProcessingInstanceType::MlM5Xlarge)
                            .volume_size_in_gb(20)
                            .build(),
                    )
                    .build(),
            )
            .network_config(MonitoringNetworkConfig::builder().enable_inter_container_traffic_encryption(encrypted).build())
            .role_arn(ROLE)
            .send()
            .await
            .expect("create job definition");
        arns.push(out.job_definition_arn().expect("arn").to_owned());
    }
    let subjects = collect_data_quality_job_definitions(&client, &scope())
        .await
        .expect("collected");
    let check = &sagemaker::DATA_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION;
    assert_eq!(
        verdict(find(&subjects, &arns[0]), check),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(find(&subjects, &arns[1]), check),
        Verdict::NonCompliant
    );
}

#[tokio::test]
async fn a_denied_describe_makes_the_notebook_could_not_evaluate() {
    let list = mock!(Client::list_notebook_instances).then_output(|| {
        ListNotebookInstancesOutput::builder()
            .notebook_instances(
                NotebookInstanceSummary::builder()
                    .notebook_instance_name("genai-secret-nb")
                    .notebook_instance_arn("arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/genai-secret-nb")
                    .build(),
            )
            .build()
    });
    let describe = mock!(Client::describe_notebook_instance).then_error(|| {
        DescribeNotebookInstanceError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("not authorized")
                .build(),
        )
    });
    let client = mocked(
        MockResponseInterceptor::new()
            .rule_mode(RuleMode::MatchAny)
            .with_rule(&list)
            .with_rule(&describe),
    );
    let subjects = collect_notebook_instances(&client, &scope())
        .await
        .expect("listing works");
    assert_eq!(subjects.len(), 1);
    assert!(
        matches!(&subjects[0].state, SubjectState::Unreadable(why) if why.contains("AccessDeniedException")),
        "{:?}",
        subjects[0].state
    );
    for check in sagemaker::CHECKS
        .iter()
        .filter(|c| c.id.starts_with("sagemaker_notebook_instance_"))
    {
        assert_eq!(
            verdict(&subjects[0], check),
            Verdict::CouldNotEvaluate,
            "{}",
            check.id
        );
    }
    assert_eq!((list.num_calls(), describe.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_denied_listing_is_an_error() {
    let list = mock!(Client::list_training_jobs).then_error(|| {
        aws_sdk_sagemaker::operation::list_training_jobs::ListTrainingJobsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .build(),
        )
    });
    let client = mocked(MockResponseInterceptor::new().with_rule(&list));
    let err = collect_training_jobs(&client, &scope())
        .await
        .expect_err("denied");
    assert_eq!(err.operation, "sagemaker:ListTrainingJobs");
    assert_eq!(err.kind, genai_evidence::error::AwsErrorKind::AccessDenied);
}

#[tokio::test]
async fn feature_groups_are_collected_over_pages_with_mocks() {
    let summary = |name: &str| {
        FeatureGroupSummary::builder()
            .feature_group_name(name)
            .feature_group_arn(format!(
                "arn:aws:sagemaker:us-east-1:123456789012:feature-group/{name}"
            ))
            .build()
    };
    let first = mock!(Client::list_feature_groups)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            ListFeatureGroupsOutput::builder()
                .feature_group_summaries(summary("fg-encrypted"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::list_feature_groups)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            ListFeatureGroupsOutput::builder()
                .feature_group_summaries(summary("fg-plain"))
                .feature_group_summaries(summary("fg-denied"))
                .build()
        });
    let encrypted = mock!(Client::describe_feature_group)
        .match_requests(|r| r.feature_group_name() == Some("fg-encrypted"))
        .then_output(|| {
            DescribeFeatureGroupOutput::builder()
                .feature_group_name("fg-encrypted")
                .offline_store_config(
                    OfflineStoreConfig::builder()
                        .s3_storage_config(
                            S3StorageConfig::builder()
                                .s3_uri("s3://genai-features/")
                                .kms_key_id(KEY)
                                .build(),
                        )
                        .build(),
                )
                .online_store_config(
                    OnlineStoreConfig::builder()
                        .enable_online_store(true)
                        .security_config(
                            OnlineStoreSecurityConfig::builder().kms_key_id(KEY).build(),
                        )
                        .build(),
                )
                .build()
        });
    let plain = mock!(Client::describe_feature_group)
        .match_requests(|r| r.feature_group_name() == Some("fg-plain"))
        .then_output(|| {
            DescribeFeatureGroupOutput::builder()
                .feature_group_name("fg-plain")
                .offline_store_config(
                    OfflineStoreConfig::builder()
                        .s3_storage_config(
                            S3StorageConfig::builder()
                                .s3_uri("s3://genai-features/")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let denied = mock!(Client::describe_feature_group)
        .match_requests(|r| r.feature_group_name() == Some("fg-denied"))
        .then_error(|| {
            DescribeFeatureGroupError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .build(),
            )
        });
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in [&first, &second, &encrypted, &plain, &denied] {
        interceptor = interceptor.with_rule(rule);
    }
    let client = mocked(interceptor);
    let subjects = collect_feature_groups(&client, &scope())
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 3);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    let offline = &sagemaker::FEATURE_GROUP_OFFLINE_STORE_KMS_KEY;
    let online = &sagemaker::FEATURE_GROUP_ONLINE_STORE_KMS_KEY;
    let enc = find(&subjects, "fg-encrypted");
    assert_eq!(
        (verdict(enc, offline), verdict(enc, online)),
        (Verdict::Compliant, Verdict::Compliant)
    );
    let plain_subject = find(&subjects, "fg-plain");
    assert_eq!(
        (
            verdict(plain_subject, offline),
            verdict(plain_subject, online)
        ),
        (Verdict::NonCompliant, Verdict::NotApplicable)
    );
    let denied_subject = find(&subjects, "fg-denied");
    assert_eq!(
        (
            verdict(denied_subject, offline),
            verdict(denied_subject, online)
        ),
        (Verdict::CouldNotEvaluate, Verdict::CouldNotEvaluate)
    );
}

#[tokio::test]
async fn processing_jobs_without_a_volume_key_fail_from_moto() {
    // moto drops ProcessingResources on CreateProcessingJob, so only the failing case is
    // emulated; the passing case is the DescribeProcessingJob mapping of the adapter's tests.
    let client = moto_client().await;
    let name = unique("pj-plain");
    client
        .create_processing_job()
        .processing_job_name(&name)
        .role_arn(ROLE)
        .app_specification(
            aws_sdk_sagemaker::types::AppSpecification::builder()
                .image_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/genai-preprocess:4")
                .build(),
        )
        .processing_resources(
            aws_sdk_sagemaker::types::ProcessingResources::builder()
                .cluster_config(
                    aws_sdk_sagemaker::types::ProcessingClusterConfig::builder()
                        .instance_count(1)
                        .instance_type(aws_sdk_sagemaker::types::ProcessingInstanceType::MlM5Xlarge)
                        .volume_size_in_gb(30)
                        .volume_kms_key_id(KEY)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("create processing job");
    let subjects = collect_processing_jobs(&client, &scope())
        .await
        .expect("collected");
    let job = find(&subjects, &name);
    assert_eq!(job.resource.resource_type, "AWS::SageMaker::ProcessingJob");
    assert_eq!(
        job.observed_via,
        "AWS API (sagemaker:DescribeProcessingJob)"
    );
    assert_eq!(
        verdict(job, &sagemaker::PROCESSING_JOB_VOLUME_KMS_KEY),
        Verdict::NonCompliant
    );
}

#[tokio::test]
async fn transform_jobs_are_collected_and_evaluated_from_moto() {
    let client = moto_client().await;
    let protected = unique("tf-protected");
    let plain = unique("tf-plain");
    for (name, key) in [(&protected, Some(KEY)), (&plain, None)] {
        client
            .create_transform_job()
            .transform_job_name(name)
            .model_name("genai-summarizer-v3")
            .transform_input(
                aws_sdk_sagemaker::types::TransformInput::builder()
                    .data_source(
                        aws_sdk_sagemaker::types::TransformDataSource::builder()
                            .s3_data_source(
                                aws_sdk_sagemaker::types::TransformS3DataSource::builder()
                                    .s3_data_type(aws_sdk_sagemaker::types::S3DataType::S3Prefix)
                                    .s3_uri("s3://genai-batch-input/claims/")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .transform_output(
                aws_sdk_sagemaker::types::TransformOutput::builder()
                    .s3_output_path("s3://genai-batch-results/")
                    .set_kms_key_id(key.map(str::to_owned))
                    .build(),
            )
            .transform_resources(
                aws_sdk_sagemaker::types::TransformResources::builder()
                    .instance_type(aws_sdk_sagemaker::types::TransformInstanceType::MlM5Xlarge)
                    .instance_count(1)
                    .set_volume_kms_key_id(key.map(str::to_owned))
                    .build(),
            )
            .send()
            .await
            .expect("create transform job");
    }
    let subjects = collect_transform_jobs(&client, &scope())
        .await
        .expect("collected");
    let protected = find(&subjects, &protected);
    let plain = find(&subjects, &plain);
    assert_eq!(
        protected.resource.resource_type,
        "AWS::SageMaker::TransformJob"
    );
    assert!(
        protected
            .links
            .iter()
            .any(|l| l.reason.contains("bucket \"genai-batch-input\"")),
        "{:?}",
        protected.links
    );
    for check in [
        &sagemaker::TRANSFORM_JOB_VOLUME_KMS_KEY,
        &sagemaker::TRANSFORM_JOB_OUTPUT_KMS_KEY,
    ] {
        assert_eq!(
            verdict(protected, check),
            Verdict::Compliant,
            "{}",
            check.id
        );
        assert_eq!(verdict(plain, check), Verdict::NonCompliant, "{}", check.id);
    }
}

/// A monitoring schedule summary as ListMonitoringSchedules returns it.
fn schedule_summary(name: &str) -> aws_sdk_sagemaker::types::MonitoringScheduleSummary {
    aws_sdk_sagemaker::types::MonitoringScheduleSummary::builder()
        .monitoring_schedule_name(name)
        .monitoring_schedule_arn(format!(
            "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/{name}"
        ))
        .build()
}

/// A DescribeMonitoringSchedule response naming `definition` of `kind`.
fn named_schedule(
    name: &str,
    definition: &str,
    kind: aws_sdk_sagemaker::types::MonitoringType,
) -> aws_sdk_sagemaker::operation::describe_monitoring_schedule::DescribeMonitoringScheduleOutput {
    aws_sdk_sagemaker::operation::describe_monitoring_schedule::DescribeMonitoringScheduleOutput::builder()
        .monitoring_schedule_name(name)
        .monitoring_schedule_arn(format!(
            "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/{name}"
        ))
        .monitoring_type(kind.clone())
        .monitoring_schedule_config(
            aws_sdk_sagemaker::types::MonitoringScheduleConfig::builder()
                .monitoring_job_definition_name(definition)
                .monitoring_type(kind)
                .build(),
        )
        .build()
}

/// moto has no monitoring schedules (no Create/List/DescribeMonitoringSchedule): the calls are
/// mocked, and the rules assert the exact calls, the named definitions included.
#[tokio::test]
async fn monitoring_schedules_are_listed_over_pages_and_named_definitions_are_read_by_type() {
    use aws_sdk_sagemaker::operation::describe_data_quality_job_definition::DescribeDataQualityJobDefinitionError;
    use aws_sdk_sagemaker::operation::describe_model_quality_job_definition::DescribeModelQualityJobDefinitionOutput;
    use aws_sdk_sagemaker::operation::describe_monitoring_schedule::DescribeMonitoringScheduleOutput;
    use aws_sdk_sagemaker::operation::list_monitoring_schedules::ListMonitoringSchedulesOutput;
    use aws_sdk_sagemaker::types::{
        MonitoringJobDefinition, MonitoringScheduleConfig, MonitoringType, NetworkConfig,
    };

    let first = mock!(Client::list_monitoring_schedules)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListMonitoringSchedulesOutput::builder()
                .monitoring_schedule_summaries(schedule_summary("dq-embedded"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::list_monitoring_schedules)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            ListMonitoringSchedulesOutput::builder()
                .monitoring_schedule_summaries(schedule_summary("mq-named"))
                .monitoring_schedule_summaries(schedule_summary("dq-named-denied"))
                .build()
        });
    let embedded = mock!(Client::describe_monitoring_schedule)
        .match_requests(|r| r.monitoring_schedule_name() == Some("dq-embedded"))
        .then_output(|| {
            DescribeMonitoringScheduleOutput::builder()
                .monitoring_schedule_name("dq-embedded")
                .monitoring_type(MonitoringType::DataQuality)
                .monitoring_schedule_config(
                    MonitoringScheduleConfig::builder()
                        .monitoring_type(MonitoringType::DataQuality)
                        .monitoring_job_definition(
                            MonitoringJobDefinition::builder()
                                .role_arn(ROLE)
                                .network_config(
                                    NetworkConfig::builder()
                                        .enable_network_isolation(true)
                                        .enable_inter_container_traffic_encryption(true)
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let mq_named = mock!(Client::describe_monitoring_schedule)
        .match_requests(|r| r.monitoring_schedule_name() == Some("mq-named"))
        .then_output(|| named_schedule("mq-named", "mq-isolated", MonitoringType::ModelQuality));
    let dq_named = mock!(Client::describe_monitoring_schedule)
        .match_requests(|r| r.monitoring_schedule_name() == Some("dq-named-denied"))
        .then_output(|| {
            named_schedule("dq-named-denied", "dq-secret", MonitoringType::DataQuality)
        });
    let mq_definition = mock!(Client::describe_model_quality_job_definition)
        .match_requests(|r| r.job_definition_name() == Some("mq-isolated"))
        .then_output(|| {
            DescribeModelQualityJobDefinitionOutput::builder()
                .job_definition_name("mq-isolated")
                .job_definition_arn(
                    "arn:aws:sagemaker:us-east-1:123456789012:model-quality-job-definition/mq-isolated",
                )
                .role_arn(ROLE)
                .network_config(
                    MonitoringNetworkConfig::builder()
                        .enable_network_isolation(true)
                        .enable_inter_container_traffic_encryption(false)
                        .build(),
                )
                .build()
        });
    let dq_definition = mock!(Client::describe_data_quality_job_definition)
        .match_requests(|r| r.job_definition_name() == Some("dq-secret"))
        .then_error(|| {
            DescribeDataQualityJobDefinitionError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized")
                    .build(),
            )
        });
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in [
        &first,
        &second,
        &embedded,
        &mq_named,
        &dq_named,
        &mq_definition,
        &dq_definition,
    ] {
        interceptor = interceptor.with_rule(rule);
    }
    let client = mocked(interceptor);
    let subjects = collect_monitoring_schedules(&client, &scope())
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 3);
    assert_eq!(
        [
            first.num_calls(),
            second.num_calls(),
            embedded.num_calls(),
            mq_named.num_calls(),
            dq_named.num_calls(),
            mq_definition.num_calls(),
            dq_definition.num_calls(),
        ],
        [1; 7]
    );
    let isolation = &sagemaker::MONITORING_SCHEDULE_NETWORK_ISOLATION;
    let encryption = &sagemaker::MONITORING_SCHEDULE_INTER_CONTAINER_ENCRYPTION;
    let embedded = find(&subjects, "dq-embedded");
    assert_eq!(
        embedded.resource.resource_type,
        "AWS::SageMaker::MonitoringSchedule"
    );
    assert_eq!(
        (verdict(embedded, isolation), verdict(embedded, encryption)),
        (Verdict::Compliant, Verdict::Compliant)
    );
    let named = find(&subjects, "mq-named");
    assert_eq!(
        (verdict(named, isolation), verdict(named, encryption)),
        (Verdict::Compliant, Verdict::NonCompliant)
    );
    assert!(
        named
            .links
            .iter()
            .any(|l| l.reason.contains("model quality job definition")),
        "{:?}",
        named.links
    );
    let denied = find(&subjects, "dq-named-denied");
    assert_eq!(
        (verdict(denied, isolation), verdict(denied, encryption)),
        (Verdict::CouldNotEvaluate, Verdict::CouldNotEvaluate)
    );
}

/// moto has no inference experiments (no List/DescribeInferenceExperiment): the calls are
/// mocked, and the rules assert the exact calls.
#[tokio::test]
async fn inference_experiments_are_listed_over_pages_and_evaluated_with_mocks() {
    use aws_sdk_sagemaker::operation::describe_inference_experiment::{
        DescribeInferenceExperimentError, DescribeInferenceExperimentOutput,
    };
    use aws_sdk_sagemaker::operation::list_inference_experiments::ListInferenceExperimentsOutput;
    use aws_sdk_sagemaker::types::{
        InferenceExperimentDataStorageConfig, InferenceExperimentSummary,
    };

    let summary = |name: &str| InferenceExperimentSummary::builder().name(name).build();
    let first = mock!(Client::list_inference_experiments)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            ListInferenceExperimentsOutput::builder()
                .inference_experiments(summary("shadow-encrypted"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::list_inference_experiments)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            ListInferenceExperimentsOutput::builder()
                .inference_experiments(summary("shadow-plain"))
                .inference_experiments(summary("shadow-denied"))
                .build()
        });
    let encrypted = mock!(Client::describe_inference_experiment)
        .match_requests(|r| r.name() == Some("shadow-encrypted"))
        .then_output(|| {
            DescribeInferenceExperimentOutput::builder()
                .name("shadow-encrypted")
                .arn("arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/shadow-encrypted")
                .role_arn(ROLE)
                .kms_key(KEY)
                .data_storage_config(
                    InferenceExperimentDataStorageConfig::builder()
                        .destination("s3://genai-experiment-capture/")
                        .kms_key(KEY)
                        .build(),
                )
                .build()
        });
    let plain = mock!(Client::describe_inference_experiment)
        .match_requests(|r| r.name() == Some("shadow-plain"))
        .then_output(|| {
            DescribeInferenceExperimentOutput::builder()
                .name("shadow-plain")
                .data_storage_config(
                    InferenceExperimentDataStorageConfig::builder()
                        .destination("s3://genai-experiment-capture/")
                        .build(),
                )
                .build()
        });
    let denied = mock!(Client::describe_inference_experiment)
        .match_requests(|r| r.name() == Some("shadow-denied"))
        .then_error(|| {
            DescribeInferenceExperimentError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .build(),
            )
        });
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in [&first, &second, &encrypted, &plain, &denied] {
        interceptor = interceptor.with_rule(rule);
    }
    let client = mocked(interceptor);
    let subjects = collect_inference_experiments(&client, &scope())
        .await
        .expect("collected");
    assert_eq!(subjects.len(), 3);
    assert_eq!(
        [
            first.num_calls(),
            second.num_calls(),
            encrypted.num_calls(),
            plain.num_calls(),
            denied.num_calls(),
        ],
        [1; 5]
    );
    let volume = &sagemaker::INFERENCE_EXPERIMENT_VOLUME_KMS_KEY;
    let capture = &sagemaker::INFERENCE_EXPERIMENT_DATA_STORAGE_KMS_KEY;
    let enc = find(&subjects, "shadow-encrypted");
    assert_eq!(
        enc.resource.arn.as_deref(),
        Some("arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/shadow-encrypted")
    );
    assert_eq!(
        (verdict(enc, volume), verdict(enc, capture)),
        (Verdict::Compliant, Verdict::Compliant)
    );
    let plain_subject = find(&subjects, "shadow-plain");
    assert_eq!(
        (
            verdict(plain_subject, volume),
            verdict(plain_subject, capture)
        ),
        (Verdict::NonCompliant, Verdict::NonCompliant)
    );
    let denied_subject = find(&subjects, "shadow-denied");
    assert_eq!(
        (
            verdict(denied_subject, volume),
            verdict(denied_subject, capture)
        ),
        (Verdict::CouldNotEvaluate, Verdict::CouldNotEvaluate)
    );
}

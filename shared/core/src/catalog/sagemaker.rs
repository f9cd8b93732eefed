//! Checks on SageMaker resources: encryption at rest with customer managed KMS keys (SECAI3.3),
//! inter-container traffic encryption (SECAI3.2), network, registry, platform and root-access
//! restrictions (SECAI3.7), and the redundancy of endpoint variants (RESPAI3.8, see
//! [`ENDPOINT_CONFIG_VARIANT_INSTANCE_COUNT`]).

use crate::catalog::framework::{RESPAI3_8, SECAI3_2, SECAI3_3, SECAI3_7};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::resources::sagemaker::{
    Domain, EndpointConfig, FeatureGroup, InferenceExperiment, Model, ModelContainer,
    MonitoringJobDefinition, MonitoringNetwork, MonitoringSchedule, NotebookInstance,
    ProcessingJob, ProductionVariant, TrainingJob, TransformJob,
};

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &NOTEBOOK_KMS_KEY,
    &NOTEBOOK_ROOT_ACCESS_DISABLED,
    &NOTEBOOK_NO_DIRECT_INTERNET_ACCESS,
    &NOTEBOOK_IN_VPC,
    &NOTEBOOK_SUPPORTED_PLATFORM,
    &ENDPOINT_CONFIG_KMS_KEY,
    &ENDPOINT_CONFIG_VARIANT_INSTANCE_COUNT,
    &TRAINING_JOB_VOLUME_KMS_KEY,
    &TRAINING_JOB_OUTPUT_KMS_KEY,
    &TRAINING_JOB_INTER_CONTAINER_ENCRYPTION,
    &TRAINING_JOB_NETWORK_ISOLATION,
    &MODEL_NETWORK_ISOLATION,
    &MODEL_PRIMARY_CONTAINER_PRIVATE_REGISTRY,
    &MODEL_CONTAINERS_PRIVATE_REGISTRY,
    &DOMAIN_KMS_KEY,
    &FEATURE_GROUP_OFFLINE_STORE_KMS_KEY,
    &FEATURE_GROUP_ONLINE_STORE_KMS_KEY,
    &DATA_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION,
    &MODEL_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION,
    &MODEL_BIAS_JOB_INTER_CONTAINER_ENCRYPTION,
    &MODEL_EXPLAINABILITY_JOB_INTER_CONTAINER_ENCRYPTION,
    &DATA_QUALITY_JOB_NETWORK_ISOLATION,
    &MODEL_QUALITY_JOB_NETWORK_ISOLATION,
    &MODEL_BIAS_JOB_NETWORK_ISOLATION,
    &MODEL_EXPLAINABILITY_JOB_NETWORK_ISOLATION,
    &MONITORING_SCHEDULE_NETWORK_ISOLATION,
    &MONITORING_SCHEDULE_INTER_CONTAINER_ENCRYPTION,
    &INFERENCE_EXPERIMENT_VOLUME_KMS_KEY,
    &INFERENCE_EXPERIMENT_DATA_STORAGE_KMS_KEY,
    &PROCESSING_JOB_VOLUME_KMS_KEY,
    &TRANSFORM_JOB_VOLUME_KMS_KEY,
    &TRANSFORM_JOB_OUTPUT_KMS_KEY,
];

const NOTEBOOK_ACTIONS: &[&str] = &[
    "sagemaker:ListNotebookInstances",
    "sagemaker:DescribeNotebookInstance",
];
const TRAINING_JOB_ACTIONS: &[&str] = &[
    "sagemaker:ListTrainingJobs",
    "sagemaker:DescribeTrainingJob",
];
const FEATURE_GROUP_ACTIONS: &[&str] = &[
    "sagemaker:ListFeatureGroups",
    "sagemaker:DescribeFeatureGroup",
];
const ENDPOINT_CONFIG_ACTIONS: &[&str] = &[
    "sagemaker:ListEndpointConfigs",
    "sagemaker:DescribeEndpointConfig",
];
const MODEL_ACTIONS: &[&str] = &["sagemaker:ListModels", "sagemaker:DescribeModel"];
const DATA_QUALITY_ACTIONS: &[&str] = &[
    "sagemaker:ListDataQualityJobDefinitions",
    "sagemaker:DescribeDataQualityJobDefinition",
];
const MODEL_QUALITY_ACTIONS: &[&str] = &[
    "sagemaker:ListModelQualityJobDefinitions",
    "sagemaker:DescribeModelQualityJobDefinition",
];
const MODEL_BIAS_ACTIONS: &[&str] = &[
    "sagemaker:ListModelBiasJobDefinitions",
    "sagemaker:DescribeModelBiasJobDefinition",
];
const MODEL_EXPLAINABILITY_ACTIONS: &[&str] = &[
    "sagemaker:ListModelExplainabilityJobDefinitions",
    "sagemaker:DescribeModelExplainabilityJobDefinition",
];
/// A monitoring schedule, and the job definition it names (read by its type's Describe*).
const MONITORING_SCHEDULE_ACTIONS: &[&str] = &[
    "sagemaker:ListMonitoringSchedules",
    "sagemaker:DescribeMonitoringSchedule",
    "sagemaker:DescribeDataQualityJobDefinition",
    "sagemaker:DescribeModelQualityJobDefinition",
    "sagemaker:DescribeModelBiasJobDefinition",
    "sagemaker:DescribeModelExplainabilityJobDefinition",
];
const INFERENCE_EXPERIMENT_ACTIONS: &[&str] = &[
    "sagemaker:ListInferenceExperiments",
    "sagemaker:DescribeInferenceExperiment",
];
const PROCESSING_JOB_ACTIONS: &[&str] = &[
    "sagemaker:ListProcessingJobs",
    "sagemaker:DescribeProcessingJob",
];
const TRANSFORM_JOB_ACTIONS: &[&str] = &[
    "sagemaker:ListTransformJobs",
    "sagemaker:DescribeTransformJob",
];

/// The notebook instance platforms SageMaker supports: the Security Hub control SageMaker.8 fixes
/// its `supportedPlatformIdentifierVersions` to `notebook-al2023-v1` (not customizable; earlier
/// copies of the control page named `notebook-al2-v3`, which is Amazon Linux 2). The list needs
/// no rule parameter: it changes when AWS retires a platform, and then with a new check version.
pub const SUPPORTED_NOTEBOOK_PLATFORMS: &[&str] = &["notebook-al2023-v1"];

/// SECAI3.3: the notebook's ML storage volume is encrypted with a customer managed KMS key.
pub static NOTEBOOK_KMS_KEY: Check = Check {
    id: "sagemaker_notebook_instance_kms_key",
    version: 1,
    title: "SageMaker notebook instance storage is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["SageMaker.21"],
    severity: Severity::Medium,
    api_actions: NOTEBOOK_ACTIONS,
    passes_when: "The notebook instance names a KmsKeyId for its ML storage volume.",
    remediation: "Notebook encryption cannot be changed in place: create a new notebook instance with --kms-key-id <key-arn>, move the work, delete the old one.",
    evaluator: Evaluator::SageMakerNotebookInstance(notebook_kms_key),
};

/// SECAI3.7: users of the notebook cannot become root (Security Hub SageMaker.3).
pub static NOTEBOOK_ROOT_ACCESS_DISABLED: Check = Check {
    id: "sagemaker_notebook_instance_root_access_disabled",
    version: 1,
    title: "SageMaker notebook instance has root access disabled",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.3"],
    severity: Severity::High,
    api_actions: NOTEBOOK_ACTIONS,
    passes_when: "The notebook instance's RootAccess is Disabled (when unset, SageMaker enables root access).",
    remediation: "Stop the notebook instance, then: aws sagemaker update-notebook-instance --notebook-instance-name <name> --root-access Disabled; start it again.",
    evaluator: Evaluator::SageMakerNotebookInstance(notebook_root_access_disabled),
};

/// SECAI3.7: the notebook reaches the internet only through its VPC (Security Hub SageMaker.1).
pub static NOTEBOOK_NO_DIRECT_INTERNET_ACCESS: Check = Check {
    id: "sagemaker_notebook_instance_no_direct_internet_access",
    version: 1,
    title: "SageMaker notebook instance has direct internet access disabled",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.1"],
    severity: Severity::High,
    api_actions: NOTEBOOK_ACTIONS,
    passes_when: "The notebook instance's DirectInternetAccess is Disabled (when unset, SageMaker enables it).",
    remediation: "Direct internet access cannot be changed in place: create a new notebook instance in a VPC subnet with --direct-internet-access Disabled, move the work, delete the old one.",
    evaluator: Evaluator::SageMakerNotebookInstance(notebook_no_direct_internet_access),
};

/// SECAI3.7: the notebook runs in a customer VPC (Security Hub SageMaker.2).
pub static NOTEBOOK_IN_VPC: Check = Check {
    id: "sagemaker_notebook_instance_in_vpc",
    version: 1,
    title: "SageMaker notebook instance is launched in a customer VPC subnet",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.2"],
    severity: Severity::High,
    api_actions: NOTEBOOK_ACTIONS,
    passes_when: "The notebook instance names a SubnetId, so its network interface is in a VPC the account controls.",
    remediation: "The subnet cannot be changed in place: create a new notebook instance with --subnet-id <subnet> --security-group-ids <sg>, move the work, delete the old one.",
    evaluator: Evaluator::SageMakerNotebookInstance(notebook_in_vpc),
};

/// SECAI3.3: endpoint instance storage is encrypted with a customer managed key.
pub static ENDPOINT_CONFIG_KMS_KEY: Check = Check {
    id: "sagemaker_endpoint_config_kms_key",
    version: 1,
    title: "SageMaker endpoint configuration encrypts endpoint storage with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: ENDPOINT_CONFIG_ACTIONS,
    passes_when: "The endpoint configuration names a KmsKeyId (AWS Config rule sagemaker-endpoint-configuration-kms-key-configured).",
    remediation: "Endpoint configurations are immutable: create a new one with --kms-key-id <key-arn>, point the endpoint at it with update-endpoint, delete the old one.",
    evaluator: Evaluator::SageMakerEndpointConfig(endpoint_config_kms_key),
};

/// SECAI3.3: the training job's ML storage volumes are encrypted with a customer managed key.
pub static TRAINING_JOB_VOLUME_KMS_KEY: Check = Check {
    id: "sagemaker_training_job_volume_kms_key",
    version: 1,
    title: "SageMaker training job encrypts its ML storage volumes with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRAINING_JOB_ACTIONS,
    passes_when: "The training job's ResourceConfig names a VolumeKmsKeyId.",
    remediation: "Training jobs are immutable: run future jobs with ResourceConfig.VolumeKmsKeyId=<key-arn> (or enforce it with an IAM condition on sagemaker:VolumeKmsKey).",
    evaluator: Evaluator::SageMakerTrainingJob(training_job_volume_kms_key),
};

/// SECAI3.3: the training job's model artifacts are encrypted with a customer managed key.
pub static TRAINING_JOB_OUTPUT_KMS_KEY: Check = Check {
    id: "sagemaker_training_job_output_kms_key",
    version: 1,
    title: "SageMaker training job encrypts its output artifacts with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRAINING_JOB_ACTIONS,
    passes_when: "The training job's OutputDataConfig names a KmsKeyId.",
    remediation: "Training jobs are immutable: run future jobs with OutputDataConfig.KmsKeyId=<key-arn> (or enforce it with an IAM condition on sagemaker:OutputKmsKey).",
    evaluator: Evaluator::SageMakerTrainingJob(training_job_output_kms_key),
};

/// SECAI3.2: traffic between the training job's containers is encrypted.
pub static TRAINING_JOB_INTER_CONTAINER_ENCRYPTION: Check = Check {
    id: "sagemaker_training_job_inter_container_encryption",
    version: 1,
    title: "SageMaker training job encrypts traffic between its containers",
    controls: &[&SECAI3_2],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRAINING_JOB_ACTIONS,
    passes_when: "The training job has EnableInterContainerTrafficEncryption set to true.",
    remediation: "Training jobs are immutable: run future jobs with --enable-inter-container-traffic-encryption (or enforce it with an IAM condition on sagemaker:InterContainerTrafficEncryption).",
    evaluator: Evaluator::SageMakerTrainingJob(training_job_inter_container_encryption),
};

/// SECAI3.7: the training job's containers have no network access.
pub static TRAINING_JOB_NETWORK_ISOLATION: Check = Check {
    id: "sagemaker_training_job_network_isolation",
    version: 1,
    title: "SageMaker training job runs its containers with network isolation",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRAINING_JOB_ACTIONS,
    passes_when: "The training job has EnableNetworkIsolation set to true.",
    remediation: "Training jobs are immutable: run future jobs with --enable-network-isolation (or enforce it with an IAM condition on sagemaker:NetworkIsolation).",
    evaluator: Evaluator::SageMakerTrainingJob(training_job_network_isolation),
};

/// SECAI3.7: the model's containers have no network access (Security Hub SageMaker.5).
pub static MODEL_NETWORK_ISOLATION: Check = Check {
    id: "sagemaker_model_network_isolation",
    version: 1,
    title: "SageMaker model runs its inference containers with network isolation",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.5"],
    severity: Severity::Medium,
    api_actions: MODEL_ACTIONS,
    passes_when: "The model has EnableNetworkIsolation set to true (AWS Config rule sagemaker-model-isolation-enabled).",
    remediation: "Models are immutable: create a new model with --enable-network-isolation, use it in a new endpoint configuration, delete the old model.",
    evaluator: Evaluator::SageMakerModel(model_network_isolation),
};

/// SECAI3.3: the Studio domain's storage is encrypted with a customer managed key.
pub static DOMAIN_KMS_KEY: Check = Check {
    id: "sagemaker_domain_kms_key",
    version: 1,
    title: "SageMaker domain encrypts its storage with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["sagemaker:ListDomains", "sagemaker:DescribeDomain"],
    passes_when: "The domain names a KmsKeyId for the EFS volume and other data it stores.",
    remediation: "The domain key cannot be changed in place: create a new domain with --kms-key-id <key-arn>, migrate user profiles and spaces, delete the old domain.",
    evaluator: Evaluator::SageMakerDomain(domain_kms_key),
};

/// SECAI3.3: the feature group's offline store is encrypted with a customer managed key
/// (Security Hub SageMaker.17).
pub static FEATURE_GROUP_OFFLINE_STORE_KMS_KEY: Check = Check {
    id: "sagemaker_feature_group_offline_store_kms_key",
    version: 1,
    title: "SageMaker feature group offline store is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["SageMaker.17"],
    severity: Severity::Medium,
    api_actions: FEATURE_GROUP_ACTIONS,
    passes_when: "The feature group's OfflineStoreConfig.S3StorageConfig names a KmsKeyId; a feature group without an offline store is not applicable.",
    remediation: "The offline store key cannot be changed in place: create a new feature group with OfflineStoreConfig.S3StorageConfig.KmsKeyId=<key-arn>, re-ingest, delete the old one.",
    evaluator: Evaluator::SageMakerFeatureGroup(feature_group_offline_store_kms_key),
};

/// SECAI3.3: the feature group's online store is encrypted with a customer managed key
/// (Security Hub SageMaker.18).
pub static FEATURE_GROUP_ONLINE_STORE_KMS_KEY: Check = Check {
    id: "sagemaker_feature_group_online_store_kms_key",
    version: 1,
    title: "SageMaker feature group online store is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["SageMaker.18"],
    severity: Severity::Medium,
    api_actions: FEATURE_GROUP_ACTIONS,
    passes_when: "The feature group's OnlineStoreConfig.SecurityConfig names a KmsKeyId; a feature group without an enabled online store is not applicable.",
    remediation: "The online store key cannot be changed in place: create a new feature group with OnlineStoreConfig.SecurityConfig.KmsKeyId=<key-arn>, re-ingest, delete the old one.",
    evaluator: Evaluator::SageMakerFeatureGroup(feature_group_online_store_kms_key),
};

/// SECAI3.2: data quality monitoring jobs encrypt inter-container traffic (SageMaker.9).
pub static DATA_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION: Check = Check {
    id: "sagemaker_data_quality_job_definition_inter_container_encryption",
    version: 1,
    title: "SageMaker data quality job definition encrypts traffic between its containers",
    controls: &[&SECAI3_2],
    security_hub: &["SageMaker.9"],
    severity: Severity::Medium,
    api_actions: DATA_QUALITY_ACTIONS,
    passes_when: "NetworkConfig.EnableInterContainerTrafficEncryption is true (AWS Config rule sagemaker-data-quality-job-encrypt-in-transit).",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableInterContainerTrafficEncryption=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerDataQualityJobDefinition(monitoring_inter_container_encryption),
};

/// SECAI3.2: model quality monitoring jobs encrypt inter-container traffic (SageMaker.13).
pub static MODEL_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION: Check = Check {
    id: "sagemaker_model_quality_job_definition_inter_container_encryption",
    version: 1,
    title: "SageMaker model quality job definition encrypts traffic between its containers",
    controls: &[&SECAI3_2],
    security_hub: &["SageMaker.13"],
    severity: Severity::Medium,
    api_actions: MODEL_QUALITY_ACTIONS,
    passes_when: "NetworkConfig.EnableInterContainerTrafficEncryption is true (AWS Config rule sagemaker-model-quality-job-encrypt-in-transit).",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableInterContainerTrafficEncryption=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelQualityJobDefinition(monitoring_inter_container_encryption),
};

/// SECAI3.2: model bias monitoring jobs encrypt inter-container traffic (SageMaker.15).
pub static MODEL_BIAS_JOB_INTER_CONTAINER_ENCRYPTION: Check = Check {
    id: "sagemaker_model_bias_job_definition_inter_container_encryption",
    version: 1,
    title: "SageMaker model bias job definition encrypts traffic between its containers",
    controls: &[&SECAI3_2],
    security_hub: &["SageMaker.15"],
    severity: Severity::Medium,
    api_actions: MODEL_BIAS_ACTIONS,
    passes_when: "NetworkConfig.EnableInterContainerTrafficEncryption is true (AWS Config rule sagemaker-model-bias-job-encrypt-in-transit), whatever the instance count: stricter than Security Hub SageMaker.15, which judges only definitions with an instance count of 2 or more.",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableInterContainerTrafficEncryption=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelBiasJobDefinition(monitoring_inter_container_encryption),
};

/// SECAI3.2: model explainability monitoring jobs encrypt inter-container traffic (SageMaker.10).
pub static MODEL_EXPLAINABILITY_JOB_INTER_CONTAINER_ENCRYPTION: Check = Check {
    id: "sagemaker_model_explainability_job_definition_inter_container_encryption",
    version: 1,
    title: "SageMaker model explainability job definition encrypts traffic between its containers",
    controls: &[&SECAI3_2],
    security_hub: &["SageMaker.10"],
    severity: Severity::Medium,
    api_actions: MODEL_EXPLAINABILITY_ACTIONS,
    passes_when: "NetworkConfig.EnableInterContainerTrafficEncryption is true (AWS Config rule sagemaker-model-explainability-job-encrypt-in-transit).",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableInterContainerTrafficEncryption=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelExplainabilityJobDefinition(
        monitoring_inter_container_encryption,
    ),
};

/// SECAI3.7: the notebook runs on a platform SageMaker still patches (Security Hub SageMaker.8).
///
/// The framework publishes no patch or vulnerability management control; SECAI3.7 is the Secure
/// control the notebook's other hardening checks (Security Hub SageMaker.1 to .3) map to.
pub static NOTEBOOK_SUPPORTED_PLATFORM: Check = Check {
    id: "sagemaker_notebook_instance_supported_platform",
    version: 1,
    title: "SageMaker notebook instance runs on a supported platform",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.8"],
    severity: Severity::Medium,
    api_actions: NOTEBOOK_ACTIONS,
    passes_when: "The notebook instance's PlatformIdentifier is notebook-al2023-v1, the platform Security Hub SageMaker.8 fixes as supported (AWS Config rule sagemaker-notebook-instance-platform-version). An unreported PlatformIdentifier is could-not-evaluate: the default platform has changed over time.",
    remediation: "Stop the notebook instance, back up its data, then: aws sagemaker update-notebook-instance --notebook-instance-name <name> --platform-identifier notebook-al2023-v1 (or create a new instance on it and move the work); start it again.",
    evaluator: Evaluator::SageMakerNotebookInstance(notebook_supported_platform),
};

/// Resilience: every instance-based production variant starts with more than one instance
/// (Security Hub SageMaker.4).
///
/// The framework's Resilience principle has no published control (`framework.rs` knows none),
/// so this maps to RESPAI3.8 Document Risks and Tolerances, the closest published control:
/// "implement specific controls to address identified risks and organizational risk
/// tolerances", here the availability risk of a variant that one instance failure takes down.
pub static ENDPOINT_CONFIG_VARIANT_INSTANCE_COUNT: Check = Check {
    id: "sagemaker_endpoint_config_production_variant_instance_count",
    version: 1,
    title: "SageMaker endpoint configuration starts every instance-based production variant with more than one instance",
    controls: &[&RESPAI3_8],
    security_hub: &["SageMaker.4"],
    severity: Severity::Medium,
    api_actions: ENDPOINT_CONFIG_ACTIONS,
    passes_when: "Every production variant that runs on instances has InitialInstanceCount greater than 1 (AWS Config rule sagemaker-endpoint-config-prod-instance-count). Serverless variants are skipped; a configuration without instance-based variants is not applicable.",
    remediation: "Endpoint configurations are immutable: create a new one whose instance-based variants have InitialInstanceCount 2 or more (SageMaker spreads them across Availability Zones), point the endpoint at it with update-endpoint, delete the old one.",
    evaluator: Evaluator::SageMakerEndpointConfig(endpoint_config_variant_instance_count),
};

/// SECAI3.7: the model's primary container pulls its image from a private registry through the
/// VPC (Security Hub SageMaker.16).
pub static MODEL_PRIMARY_CONTAINER_PRIVATE_REGISTRY: Check = Check {
    id: "sagemaker_model_primary_container_private_registry",
    version: 1,
    title: "SageMaker model's primary container pulls its image from a private registry in the VPC",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.16"],
    severity: Severity::Medium,
    api_actions: MODEL_ACTIONS,
    passes_when: "The primary container's ImageConfig.RepositoryAccessMode is Vpc (AWS Config rule sagemaker-model-private-registry-required). Platform fails, and so does no ImageConfig: SageMaker then pulls from Amazon ECR, as with Platform. A model without a primary container (an inference pipeline) is not applicable.",
    remediation: "Models are immutable: host the image in a private Docker registry reachable from the model's VPC, create a new model with PrimaryContainer.ImageConfig.RepositoryAccessMode=Vpc and a VpcConfig, use it in a new endpoint configuration, delete the old model.",
    evaluator: Evaluator::SageMakerModel(model_primary_container_private_registry),
};

/// SECAI3.7: every container of an inference pipeline pulls its image from a private registry
/// through the VPC (Security Hub SageMaker.19).
pub static MODEL_CONTAINERS_PRIVATE_REGISTRY: Check = Check {
    id: "sagemaker_model_containers_private_registry",
    version: 1,
    title: "SageMaker model's inference pipeline containers pull their images from a private registry in the VPC",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.19"],
    severity: Severity::Medium,
    api_actions: MODEL_ACTIONS,
    passes_when: "Every container in the model's Containers list has ImageConfig.RepositoryAccessMode Vpc (AWS Config rule sagemaker-model-multicontainer-private-registry); Platform or no ImageConfig (Amazon ECR) fails. A model with a primary container only is not applicable.",
    remediation: "Models are immutable: host each image in a private Docker registry reachable from the model's VPC, create a new model whose every Containers entry has ImageConfig.RepositoryAccessMode=Vpc and a VpcConfig, use it in a new endpoint configuration, delete the old model.",
    evaluator: Evaluator::SageMakerModel(model_containers_private_registry),
};

/// SECAI3.7: data quality monitoring jobs run without network access (Security Hub SageMaker.11).
pub static DATA_QUALITY_JOB_NETWORK_ISOLATION: Check = Check {
    id: "sagemaker_data_quality_job_definition_network_isolation",
    version: 1,
    title: "SageMaker data quality job definition runs its containers with network isolation",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.11"],
    severity: Severity::Medium,
    api_actions: DATA_QUALITY_ACTIONS,
    passes_when: "NetworkConfig.EnableNetworkIsolation is true (AWS Config rule sagemaker-data-quality-job-isolation); unset is false.",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableNetworkIsolation=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerDataQualityJobDefinition(monitoring_network_isolation),
};

/// SECAI3.7: model quality monitoring jobs run without network access (Security Hub
/// SageMaker.25).
pub static MODEL_QUALITY_JOB_NETWORK_ISOLATION: Check = Check {
    id: "sagemaker_model_quality_job_definition_network_isolation",
    version: 1,
    title: "SageMaker model quality job definition runs its containers with network isolation",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.25"],
    severity: Severity::Medium,
    api_actions: MODEL_QUALITY_ACTIONS,
    passes_when: "NetworkConfig.EnableNetworkIsolation is true (AWS Config rule sagemaker-model-quality-job-definition-isolation); unset is false.",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableNetworkIsolation=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelQualityJobDefinition(monitoring_network_isolation),
};

/// SECAI3.7: model bias monitoring jobs run without network access (Security Hub SageMaker.12).
pub static MODEL_BIAS_JOB_NETWORK_ISOLATION: Check = Check {
    id: "sagemaker_model_bias_job_definition_network_isolation",
    version: 1,
    title: "SageMaker model bias job definition runs its containers with network isolation",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.12"],
    severity: Severity::Medium,
    api_actions: MODEL_BIAS_ACTIONS,
    passes_when: "NetworkConfig.EnableNetworkIsolation is true (AWS Config rule sagemaker-model-bias-job-isolation); unset is false.",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableNetworkIsolation=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelBiasJobDefinition(monitoring_network_isolation),
};

/// SECAI3.7: model explainability monitoring jobs run without network access (Security Hub
/// SageMaker.20).
pub static MODEL_EXPLAINABILITY_JOB_NETWORK_ISOLATION: Check = Check {
    id: "sagemaker_model_explainability_job_definition_network_isolation",
    version: 1,
    title: "SageMaker model explainability job definition runs its containers with network isolation",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.20"],
    severity: Severity::Medium,
    api_actions: MODEL_EXPLAINABILITY_ACTIONS,
    passes_when: "NetworkConfig.EnableNetworkIsolation is true (AWS Config rule sagemaker-model-explainability-job-network-isolation); unset is false.",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableNetworkIsolation=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelExplainabilityJobDefinition(monitoring_network_isolation),
};

/// The trimmed key, if one is named.
/// SECAI3.7: the job a monitoring schedule runs has network isolation (Security Hub
/// SageMaker.14), whether the schedule embeds its job definition or names one.
pub static MONITORING_SCHEDULE_NETWORK_ISOLATION: Check = Check {
    id: "sagemaker_monitoring_schedule_network_isolation",
    version: 1,
    title: "SageMaker monitoring schedule runs its monitoring jobs with network isolation",
    controls: &[&SECAI3_7],
    security_hub: &["SageMaker.14"],
    severity: Severity::Medium,
    api_actions: MONITORING_SCHEDULE_ACTIONS,
    passes_when: "The NetworkConfig of the job the schedule runs has EnableNetworkIsolation true: the embedded MonitoringJobDefinition's, or that of the job definition named by MonitoringJobDefinitionName and MonitoringType (AWS Config rule sagemaker-monitoring-schedule-isolation). A named definition that cannot be read cannot be evaluated.",
    remediation: "Create a job definition with NetworkConfig.EnableNetworkIsolation=true (job definitions are immutable), then: aws sagemaker update-monitoring-schedule --monitoring-schedule-name <name> --monitoring-schedule-config MonitoringJobDefinitionName=<definition>,MonitoringType=<type>,ScheduleConfig={...}.",
    evaluator: Evaluator::SageMakerMonitoringSchedule(monitoring_schedule_network_isolation),
};

/// SECAI3.2: the job a monitoring schedule runs encrypts inter-container traffic (Security Hub
/// SageMaker.22).
pub static MONITORING_SCHEDULE_INTER_CONTAINER_ENCRYPTION: Check = Check {
    id: "sagemaker_monitoring_schedule_inter_container_encryption",
    version: 1,
    title: "SageMaker monitoring schedule runs monitoring jobs that encrypt traffic between their containers",
    controls: &[&SECAI3_2],
    security_hub: &["SageMaker.22"],
    severity: Severity::Medium,
    api_actions: MONITORING_SCHEDULE_ACTIONS,
    passes_when: "The NetworkConfig of the job the schedule runs (embedded, or the named job definition's) has EnableInterContainerTrafficEncryption true (AWS Config rule sagemaker-monitoring-schedule-traffic-encryption). A named definition that cannot be read cannot be evaluated.",
    remediation: "Create a job definition with NetworkConfig.EnableInterContainerTrafficEncryption=true (job definitions are immutable), then point the schedule at it with aws sagemaker update-monitoring-schedule.",
    evaluator: Evaluator::SageMakerMonitoringSchedule(
        monitoring_schedule_inter_container_encryption,
    ),
};

/// SECAI3.3: the instance storage volumes of an inference experiment are encrypted with a
/// customer managed key (Security Hub SageMaker.23).
pub static INFERENCE_EXPERIMENT_VOLUME_KMS_KEY: Check = Check {
    id: "sagemaker_inference_experiment_volume_kms_key",
    version: 1,
    title: "SageMaker inference experiment encrypts its instance storage volumes with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["SageMaker.23"],
    severity: Severity::Medium,
    api_actions: INFERENCE_EXPERIMENT_ACTIONS,
    passes_when: "The inference experiment names a KmsKey for the storage volumes of the instances hosting its variants.",
    remediation: "The volume key is set at creation: create a new inference experiment with --kms-key <key-arn>, stop the old one with aws sagemaker stop-inference-experiment.",
    evaluator: Evaluator::SageMakerInferenceExperiment(inference_experiment_volume_kms_key),
};

/// SECAI3.3: the data an inference experiment captures is encrypted with a customer managed key
/// (Security Hub SageMaker.24).
pub static INFERENCE_EXPERIMENT_DATA_STORAGE_KMS_KEY: Check = Check {
    id: "sagemaker_inference_experiment_data_storage_kms_key",
    version: 1,
    title: "SageMaker inference experiment encrypts the data it captures with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &["SageMaker.24"],
    severity: Severity::Medium,
    api_actions: INFERENCE_EXPERIMENT_ACTIONS,
    passes_when: "The inference experiment's DataStorageConfig names a KmsKey; an experiment without a DataStorageConfig captures no data and is not applicable.",
    remediation: "aws sagemaker update-inference-experiment --name <name> --data-storage-config Destination=<s3-uri>,KmsKey=<key-arn> (or create the experiment with it).",
    evaluator: Evaluator::SageMakerInferenceExperiment(inference_experiment_data_storage_kms_key),
};

/// SECAI3.3: the processing job's ML storage volumes are encrypted with a customer managed key.
pub static PROCESSING_JOB_VOLUME_KMS_KEY: Check = Check {
    id: "sagemaker_processing_job_volume_kms_key",
    version: 1,
    title: "SageMaker processing job encrypts its ML storage volumes with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: PROCESSING_JOB_ACTIONS,
    passes_when: "The processing job's ProcessingResources.ClusterConfig names a VolumeKmsKeyId.",
    remediation: "Processing jobs are immutable: run future jobs with ProcessingResources.ClusterConfig.VolumeKmsKeyId=<key-arn> (or enforce it with an IAM condition on sagemaker:VolumeKmsKey).",
    evaluator: Evaluator::SageMakerProcessingJob(processing_job_volume_kms_key),
};

/// SECAI3.3: the transform job's ML storage volumes are encrypted with a customer managed key.
pub static TRANSFORM_JOB_VOLUME_KMS_KEY: Check = Check {
    id: "sagemaker_transform_job_volume_kms_key",
    version: 1,
    title: "SageMaker transform job encrypts its ML storage volumes with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRANSFORM_JOB_ACTIONS,
    passes_when: "The transform job's TransformResources names a VolumeKmsKeyId.",
    remediation: "Transform jobs are immutable: run future jobs with TransformResources.VolumeKmsKeyId=<key-arn> (or enforce it with an IAM condition on sagemaker:VolumeKmsKey).",
    evaluator: Evaluator::SageMakerTransformJob(transform_job_volume_kms_key),
};

/// SECAI3.3: the transform job's results are encrypted with a customer managed key.
pub static TRANSFORM_JOB_OUTPUT_KMS_KEY: Check = Check {
    id: "sagemaker_transform_job_output_kms_key",
    version: 1,
    title: "SageMaker transform job encrypts its output in S3 with a customer managed KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRANSFORM_JOB_ACTIONS,
    passes_when: "The transform job's TransformOutput names a KmsKeyId.",
    remediation: "Transform jobs are immutable: run future jobs with TransformOutput.KmsKeyId=<key-arn> (or enforce it with an IAM condition on sagemaker:OutputKmsKey).",
    evaluator: Evaluator::SageMakerTransformJob(transform_job_output_kms_key),
};

fn key_of(key: Option<&str>) -> Option<&str> {
    key.map(str::trim).filter(|k| !k.is_empty())
}

fn notebook_kms_key(notebook: &NotebookInstance, _params: &Params) -> Outcome {
    match key_of(notebook.kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("the ML storage volume is encrypted with KMS key {key}"),
            "data on the notebook volume is encrypted under a customer managed key governed by key policy",
        ),
        None => Outcome::non_compliant(
            "no KmsKeyId is set, so the ML storage volume uses an AWS managed key",
            "SECAI3.3 needs customer managed keys for stored training data so access to it is governed by key policy",
        ),
    }
}

fn notebook_root_access_disabled(notebook: &NotebookInstance, _params: &Params) -> Outcome {
    match notebook.root_access.as_deref() {
        Some(value) if value.eq_ignore_ascii_case("Disabled") => Outcome::compliant(
            "RootAccess is Disabled",
            "notebook users cannot become root, so they cannot change the instance's software, network or credentials configuration",
        ),
        Some(value) => Outcome::non_compliant(
            format!("RootAccess is {value}"),
            "notebook users can become root on the instance; SECAI3.7 asks for least privilege (Security Hub SageMaker.3)",
        ),
        None => Outcome::non_compliant(
            "RootAccess is not set, so SageMaker enables root access",
            "notebook users can become root on the instance; SECAI3.7 asks for least privilege (Security Hub SageMaker.3)",
        ),
    }
}

fn notebook_no_direct_internet_access(notebook: &NotebookInstance, _params: &Params) -> Outcome {
    match notebook.direct_internet_access.as_deref() {
        Some(value) if value.eq_ignore_ascii_case("Disabled") => Outcome::compliant(
            "DirectInternetAccess is Disabled",
            "the notebook reaches networks only through its VPC, where routing and egress are controlled",
        ),
        Some(value) => Outcome::non_compliant(
            format!("DirectInternetAccess is {value}"),
            "the notebook reaches the internet through SageMaker's network, bypassing VPC egress controls (Security Hub SageMaker.1)",
        ),
        None => Outcome::non_compliant(
            "DirectInternetAccess is not set, so SageMaker enables it",
            "the notebook reaches the internet through SageMaker's network, bypassing VPC egress controls (Security Hub SageMaker.1)",
        ),
    }
}

fn notebook_in_vpc(notebook: &NotebookInstance, _params: &Params) -> Outcome {
    match key_of(notebook.subnet_id.as_deref()) {
        Some(subnet) => Outcome::compliant(
            format!("the notebook instance is in subnet {subnet}"),
            "its network interface is in a VPC the account controls with security groups and routing",
        ),
        None => Outcome::non_compliant(
            "no SubnetId is set, so the notebook instance runs outside any customer VPC",
            "without a VPC, security groups and network controls cannot restrict the notebook (Security Hub SageMaker.2)",
        ),
    }
}

fn endpoint_config_kms_key(config: &EndpointConfig, _params: &Params) -> Outcome {
    match key_of(config.kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("endpoint storage volumes are encrypted with KMS key {key}"),
            "data on the endpoint's instances is encrypted under a customer managed key governed by key policy",
        ),
        None => Outcome::non_compliant(
            "no KmsKeyId is set on the endpoint configuration",
            "the endpoint's storage volumes use an AWS managed key; SECAI3.3 needs a customer managed key",
        ),
    }
}

fn training_job_volume_kms_key(job: &TrainingJob, _params: &Params) -> Outcome {
    match key_of(job.volume_kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("ResourceConfig.VolumeKmsKeyId is {key}"),
            "training data on the job's ML storage volumes is encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "no ResourceConfig.VolumeKmsKeyId is set",
            "the training volumes use an AWS managed key; SECAI3.3 needs a customer managed key for training data at rest",
        ),
    }
}

fn training_job_output_kms_key(job: &TrainingJob, _params: &Params) -> Outcome {
    match key_of(job.output_kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("OutputDataConfig.KmsKeyId is {key}"),
            "the model artifacts written to S3 are encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "no OutputDataConfig.KmsKeyId is set",
            "model artifacts are written with the S3 default (an AWS managed key at best); SECAI3.3 needs a customer managed key",
        ),
    }
}

fn training_job_inter_container_encryption(job: &TrainingJob, _params: &Params) -> Outcome {
    if job.inter_container_traffic_encryption {
        Outcome::compliant(
            "EnableInterContainerTrafficEncryption is true",
            "data exchanged between the job's instances in distributed training is encrypted in transit",
        )
    } else {
        Outcome::non_compliant(
            "EnableInterContainerTrafficEncryption is false",
            "data exchanged between the job's instances travels unencrypted; SECAI3.2 needs encryption in transit",
        )
    }
}

fn training_job_network_isolation(job: &TrainingJob, _params: &Params) -> Outcome {
    if job.network_isolation {
        Outcome::compliant(
            "EnableNetworkIsolation is true",
            "the training containers cannot make outbound network calls, so code in them cannot send data out",
        )
    } else {
        Outcome::non_compliant(
            "EnableNetworkIsolation is false",
            "the training containers can make outbound network calls; SECAI3.7 asks for the least network access",
        )
    }
}

fn model_network_isolation(model: &Model, _params: &Params) -> Outcome {
    if model.network_isolation {
        Outcome::compliant(
            "EnableNetworkIsolation is true",
            "the inference containers cannot make outbound network calls (Security Hub SageMaker.5)",
        )
    } else {
        Outcome::non_compliant(
            "EnableNetworkIsolation is false or not set",
            "the inference containers can make outbound network calls; SECAI3.7 asks for the least network access (Security Hub SageMaker.5)",
        )
    }
}

fn domain_kms_key(domain: &Domain, _params: &Params) -> Outcome {
    match key_of(domain.kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("the domain's storage is encrypted with KMS key {key}"),
            "the domain's EFS volume and stored data are encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "no KmsKeyId is set on the domain",
            "the domain's EFS volume uses an AWS managed key; SECAI3.3 needs a customer managed key",
        ),
    }
}

fn feature_group_offline_store_kms_key(group: &FeatureGroup, _params: &Params) -> Outcome {
    let Some(store) = &group.offline_store else {
        return Outcome::not_applicable(
            "the feature group has no offline store",
            "there is no offline store whose encryption could be checked",
        );
    };
    match key_of(store.kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("the offline store is encrypted with KMS key {key}"),
            "feature data in the S3 offline store is encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "the offline store has no S3StorageConfig.KmsKeyId",
            "feature data in the S3 offline store is not under a customer managed key; SECAI3.3 needs one (Security Hub SageMaker.17)",
        ),
    }
}

fn feature_group_online_store_kms_key(group: &FeatureGroup, _params: &Params) -> Outcome {
    let Some(store) = &group.online_store else {
        return Outcome::not_applicable(
            "the feature group has no enabled online store",
            "there is no online store whose encryption could be checked",
        );
    };
    let tier = store
        .storage_type
        .as_deref()
        .map(|t| format!(" ({t} tier)"))
        .unwrap_or_default();
    match key_of(store.kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("the online store{tier} is encrypted with KMS key {key}"),
            "feature data in the online store is encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            format!("the online store{tier} has no SecurityConfig.KmsKeyId"),
            "feature data in the online store is not under a customer managed key; SECAI3.3 needs one (Security Hub SageMaker.18)",
        ),
    }
}

fn monitoring_inter_container_encryption(
    definition: &MonitoringJobDefinition,
    _params: &Params,
) -> Outcome {
    if definition.inter_container_traffic_encryption {
        Outcome::compliant(
            "NetworkConfig.EnableInterContainerTrafficEncryption is true",
            "data exchanged between the monitoring job's instances is encrypted in transit",
        )
    } else {
        Outcome::non_compliant(
            "NetworkConfig.EnableInterContainerTrafficEncryption is false or not set",
            "data exchanged between the monitoring job's instances travels unencrypted; SECAI3.2 needs encryption in transit",
        )
    }
}

fn monitoring_network_isolation(definition: &MonitoringJobDefinition, _params: &Params) -> Outcome {
    if definition.network_isolation {
        Outcome::compliant(
            "NetworkConfig.EnableNetworkIsolation is true",
            "the monitoring job's containers cannot make outbound network calls, so code in them cannot send data out",
        )
    } else {
        Outcome::non_compliant(
            "NetworkConfig.EnableNetworkIsolation is false or not set",
            "the monitoring job's containers can make outbound network calls; SECAI3.7 asks for the least network access",
        )
    }
}

fn notebook_supported_platform(notebook: &NotebookInstance, _params: &Params) -> Outcome {
    let Some(platform) = key_of(notebook.platform_identifier.as_deref()) else {
        return Outcome::could_not_evaluate(
            "PlatformIdentifier is not reported, and SageMaker's default platform has changed over time (notebook-al1-v1 once, notebook-al2023-v1 now), so the instance's platform cannot be inferred",
        );
    };
    if SUPPORTED_NOTEBOOK_PLATFORMS
        .iter()
        .any(|p| p.eq_ignore_ascii_case(platform))
    {
        Outcome::compliant(
            format!("PlatformIdentifier is {platform}"),
            "the notebook runs on a platform SageMaker supports, so it receives security updates and critical fixes",
        )
    } else {
        Outcome::non_compliant(
            format!(
                "PlatformIdentifier is {platform}; supported: {}",
                SUPPORTED_NOTEBOOK_PLATFORMS.join(", ")
            ),
            "the notebook runs on a platform SageMaker no longer supports, so it receives no SageMaker security updates or critical fixes (Security Hub SageMaker.8)",
        )
    }
}

/// `variant "name"`, or `variant <n>` (1-based) when it has no name.
fn variant_label(variant: &ProductionVariant, index: usize) -> String {
    match key_of(variant.name.as_deref()) {
        Some(name) => format!("variant {name:?}"),
        None => format!("variant {}", index + 1),
    }
}

fn endpoint_config_variant_instance_count(config: &EndpointConfig, _params: &Params) -> Outcome {
    let on_instances: Vec<(usize, &ProductionVariant)> = config
        .production_variants
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.serverless)
        .collect();
    if on_instances.is_empty() {
        let observed = if config.production_variants.is_empty() {
            "the endpoint configuration lists no production variants"
        } else {
            "every production variant is serverless"
        };
        return Outcome::not_applicable(
            observed,
            "only instance-based variants have an instance count to make redundant (Security Hub SageMaker.4 skips serverless ones)",
        );
    }
    let single: Vec<String> = on_instances
        .iter()
        .filter_map(|(i, v)| {
            v.initial_instance_count
                .filter(|n| *n <= 1)
                .map(|n| format!("{} starts with {n} instance(s)", variant_label(v, *i)))
        })
        .collect();
    if !single.is_empty() {
        return Outcome::non_compliant(
            single.join("; "),
            "a variant on one instance has no redundancy: one instance or Availability Zone failing takes it down (Security Hub SageMaker.4)",
        );
    }
    let unreported: Vec<String> = on_instances
        .iter()
        .filter(|(_, v)| v.initial_instance_count.is_none())
        .map(|(i, v)| variant_label(v, *i))
        .collect();
    if !unreported.is_empty() {
        return Outcome::could_not_evaluate(format!(
            "InitialInstanceCount is not reported for instance-based {}",
            unreported.join(", ")
        ));
    }
    let counts: Vec<String> = on_instances
        .iter()
        .map(|(i, v)| {
            format!(
                "{}: {}",
                variant_label(v, *i),
                v.initial_instance_count.unwrap_or_default()
            )
        })
        .collect();
    Outcome::compliant(
        format!(
            "every instance-based variant starts with more than one instance ({})",
            counts.join(", ")
        ),
        "SageMaker spreads each variant's instances across Availability Zones, so one instance or zone failing does not take the variant down",
    )
}

/// Whether the container's image comes from a private registry through the VPC.
fn pulls_through_vpc(container: &ModelContainer) -> bool {
    container
        .repository_access_mode
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case("Vpc"))
}

/// Where the container's image comes from, as observed.
fn image_source(container: &ModelContainer) -> String {
    match container.repository_access_mode.as_deref() {
        Some(mode) => format!("ImageConfig.RepositoryAccessMode {mode}"),
        None => "no ImageConfig, so its image comes from Amazon ECR".to_owned(),
    }
}

fn model_primary_container_private_registry(model: &Model, _params: &Params) -> Outcome {
    let Some(primary) = &model.primary_container else {
        return Outcome::not_applicable(
            format!(
                "the model has no primary container (it is an inference pipeline of {} container(s))",
                model.containers.len()
            ),
            "there is no primary container to judge; sagemaker_model_containers_private_registry judges a pipeline's containers",
        );
    };
    if pulls_through_vpc(primary) {
        Outcome::compliant(
            "the primary container's ImageConfig.RepositoryAccessMode is Vpc",
            "its image is pulled from a private Docker registry through the model's VPC, not over SageMaker's platform network",
        )
    } else {
        Outcome::non_compliant(
            format!("the primary container has {}", image_source(primary)),
            "its image is pulled over SageMaker's platform network, not from a private registry through the model's VPC; SECAI3.7 asks for the least network access (Security Hub SageMaker.16)",
        )
    }
}

/// `container "hostname"`, or `container <n>` (1-based) with its image when it has no hostname.
fn container_label(container: &ModelContainer, index: usize) -> String {
    match (
        key_of(container.hostname.as_deref()),
        key_of(container.image.as_deref()),
    ) {
        (Some(host), _) => format!("container {host:?}"),
        (None, Some(image)) => format!("container {} ({image})", index + 1),
        (None, None) => format!("container {}", index + 1),
    }
}

fn model_containers_private_registry(model: &Model, _params: &Params) -> Outcome {
    if model.containers.is_empty() {
        return Outcome::not_applicable(
            "the model has no Containers list (no inference pipeline)",
            "there are no pipeline containers to judge; sagemaker_model_primary_container_private_registry judges a primary container",
        );
    }
    let failing: Vec<String> = model
        .containers
        .iter()
        .enumerate()
        .filter(|(_, c)| !pulls_through_vpc(c))
        .map(|(i, c)| format!("{} has {}", container_label(c, i), image_source(c)))
        .collect();
    if failing.is_empty() {
        Outcome::compliant(
            format!(
                "all {} pipeline containers have ImageConfig.RepositoryAccessMode Vpc",
                model.containers.len()
            ),
            "every image is pulled from a private Docker registry through the model's VPC, not over SageMaker's platform network",
        )
    } else {
        Outcome::non_compliant(
            failing.join("; "),
            "those images are pulled over SageMaker's platform network, not from a private registry through the model's VPC; SECAI3.7 asks for the least network access (Security Hub SageMaker.19)",
        )
    }
}

/// Which job a schedule runs, for observations: the named definition, or the embedded one.
fn schedule_job(schedule: &MonitoringSchedule) -> String {
    match (
        key_of(schedule.definition_name.as_deref()),
        key_of(schedule.monitoring_type.as_deref()),
    ) {
        (Some(name), Some(kind)) => format!("the {kind} job definition {name:?} it names"),
        (Some(name), None) => format!("the job definition {name:?} it names"),
        (None, _) => "its embedded job definition".to_owned(),
    }
}

/// The network settings of the job a schedule runs, or the outcome when they are unreadable.
fn schedule_network(schedule: &MonitoringSchedule) -> Result<MonitoringNetwork, Outcome> {
    match &schedule.network {
        Ok(network) => Ok(*network),
        Err(u) => Err(Outcome::could_not_evaluate(format!(
            "the NetworkConfig of {} could not be read: {}",
            schedule_job(schedule),
            u.reason
        ))),
    }
}

fn monitoring_schedule_network_isolation(
    schedule: &MonitoringSchedule,
    _params: &Params,
) -> Outcome {
    let network = match schedule_network(schedule) {
        Ok(network) => network,
        Err(outcome) => return outcome,
    };
    let job = schedule_job(schedule);
    if network.network_isolation {
        Outcome::compliant(
            format!("NetworkConfig.EnableNetworkIsolation is true in {job}"),
            "the monitoring jobs' containers cannot make outbound network calls, so code in them cannot send data out",
        )
    } else {
        Outcome::non_compliant(
            format!("NetworkConfig.EnableNetworkIsolation is false or not set in {job}"),
            "the monitoring jobs' containers can make outbound network calls; SECAI3.7 asks for the least network access (Security Hub SageMaker.14)",
        )
    }
}

fn monitoring_schedule_inter_container_encryption(
    schedule: &MonitoringSchedule,
    _params: &Params,
) -> Outcome {
    let network = match schedule_network(schedule) {
        Ok(network) => network,
        Err(outcome) => return outcome,
    };
    let job = schedule_job(schedule);
    if network.inter_container_traffic_encryption {
        Outcome::compliant(
            format!("NetworkConfig.EnableInterContainerTrafficEncryption is true in {job}"),
            "data exchanged between the monitoring jobs' instances is encrypted in transit",
        )
    } else {
        Outcome::non_compliant(
            format!(
                "NetworkConfig.EnableInterContainerTrafficEncryption is false or not set in {job}"
            ),
            "data exchanged between the monitoring jobs' instances travels unencrypted; SECAI3.2 needs encryption in transit (Security Hub SageMaker.22)",
        )
    }
}

fn inference_experiment_volume_kms_key(
    experiment: &InferenceExperiment,
    _params: &Params,
) -> Outcome {
    match key_of(experiment.kms_key.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("KmsKey is {key}"),
            "the storage volumes of the instances hosting the experiment's variants are encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "no KmsKey is set on the inference experiment",
            "the instance storage volumes use an AWS managed key; SECAI3.3 needs a customer managed key (Security Hub SageMaker.23)",
        ),
    }
}

fn inference_experiment_data_storage_kms_key(
    experiment: &InferenceExperiment,
    _params: &Params,
) -> Outcome {
    let Some(storage) = &experiment.data_storage else {
        return Outcome::not_applicable(
            "the inference experiment has no DataStorageConfig",
            "it captures no requests or responses, so there is no captured data whose encryption could be checked",
        );
    };
    let destination = storage
        .destination
        .as_deref()
        .map(|d| format!(" (destination {d})"))
        .unwrap_or_default();
    match key_of(storage.kms_key.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("DataStorageConfig.KmsKey is {key}{destination}"),
            "the captured inference requests and responses are encrypted at rest under a customer managed key",
        ),
        None => Outcome::non_compliant(
            format!("DataStorageConfig has no KmsKey{destination}"),
            "captured inference requests and responses are written with the bucket's default encryption, not under a customer managed key; SECAI3.3 needs one (Security Hub SageMaker.24)",
        ),
    }
}

fn processing_job_volume_kms_key(job: &ProcessingJob, _params: &Params) -> Outcome {
    match key_of(job.volume_kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("ProcessingResources.ClusterConfig.VolumeKmsKeyId is {key}"),
            "data on the processing job's ML storage volumes is encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "no ProcessingResources.ClusterConfig.VolumeKmsKeyId is set",
            "the processing volumes use an AWS managed key; SECAI3.3 needs a customer managed key for data at rest",
        ),
    }
}

fn transform_job_volume_kms_key(job: &TransformJob, _params: &Params) -> Outcome {
    match key_of(job.volume_kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("TransformResources.VolumeKmsKeyId is {key}"),
            "data on the transform job's ML storage volumes is encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "no TransformResources.VolumeKmsKeyId is set",
            "the transform volumes use an AWS managed key; SECAI3.3 needs a customer managed key for data at rest",
        ),
    }
}

fn transform_job_output_kms_key(job: &TransformJob, _params: &Params) -> Outcome {
    match key_of(job.output_kms_key_id.as_deref()) {
        Some(key) => Outcome::compliant(
            format!("TransformOutput.KmsKeyId is {key}"),
            "the batch inference results written to S3 are encrypted under a customer managed key",
        ),
        None => Outcome::non_compliant(
            "no TransformOutput.KmsKeyId is set",
            "the batch inference results are written with the S3 default (an AWS managed key at best); SECAI3.3 needs a customer managed key",
        ),
    }
}

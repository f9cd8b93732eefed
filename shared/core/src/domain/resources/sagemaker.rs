//! SageMaker state the checks read.
//!
//! Every field here is read in one call (one Describe* or one configuration item), so a failed
//! read makes the whole resource unreadable rather than one field; the one exception is a
//! monitoring schedule's network settings, read from the job definition it names.
//! `Option<String>` means "not configured"; a boolean that AWS omits when it is off is `false`.

use crate::domain::resource::Readable;

/// The state of a SageMaker notebook instance that the checks read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookInstance {
    /// The notebook instance name.
    pub name: String,
    /// The KMS key that encrypts the ML storage volume, if any.
    pub kms_key_id: Option<String>,
    /// `RootAccess` as AWS reports it (`Enabled` or `Disabled`); `None` when not set, which
    /// SageMaker treats as `Enabled`.
    pub root_access: Option<String>,
    /// `DirectInternetAccess` as AWS reports it (`Enabled` or `Disabled`); `None` when not set,
    /// which SageMaker treats as `Enabled`.
    pub direct_internet_access: Option<String>,
    /// The VPC subnet the notebook's network interface is in, if it was launched in a VPC.
    pub subnet_id: Option<String>,
    /// `PlatformIdentifier` (e.g. `notebook-al2023-v1`): the Amazon Linux and JupyterLab version
    /// the instance runs; `None` when not reported.
    pub platform_identifier: Option<String>,
}

/// A SageMaker endpoint configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointConfig {
    /// The endpoint configuration name.
    pub name: String,
    /// The KMS key that encrypts the ML storage volumes of the endpoint's instances, if any.
    pub kms_key_id: Option<String>,
    /// `ProductionVariants`, in order (shadow variants are not among them).
    pub production_variants: Vec<ProductionVariant>,
}

/// One production variant of an endpoint configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductionVariant {
    /// `VariantName`, when reported.
    pub name: Option<String>,
    /// `InitialInstanceCount`; `None` when not reported (serverless variants have none).
    pub initial_instance_count: Option<i64>,
    /// Whether the variant has a `ServerlessConfig` (it runs on serverless capacity, not on
    /// instances).
    pub serverless: bool,
}

/// A SageMaker training job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingJob {
    /// The training job name.
    pub name: String,
    /// `ResourceConfig.VolumeKmsKeyId`: the key of the ML storage volumes, if any.
    pub volume_kms_key_id: Option<String>,
    /// `OutputDataConfig.KmsKeyId`: the key of the model artifacts written to S3, if any.
    pub output_kms_key_id: Option<String>,
    /// `EnableInterContainerTrafficEncryption`.
    pub inter_container_traffic_encryption: bool,
    /// `EnableNetworkIsolation`.
    pub network_isolation: bool,
}

/// A SageMaker model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The model name.
    pub name: String,
    /// `EnableNetworkIsolation`: the model's containers have no network access.
    pub network_isolation: bool,
    /// `PrimaryContainer`, if the model has one.
    pub primary_container: Option<ModelContainer>,
    /// `Containers`: the containers of an inference pipeline, in order (empty for a model with a
    /// primary container only).
    pub containers: Vec<ModelContainer>,
}

/// Where one of a model's containers pulls its image from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelContainer {
    /// `ContainerHostname`, when set.
    pub hostname: Option<String>,
    /// `Image`, when set.
    pub image: Option<String>,
    /// `ImageConfig.RepositoryAccessMode` (`Platform`: Amazon ECR; `Vpc`: a private Docker
    /// registry reached through the VPC); `None` when the container has no `ImageConfig`, which
    /// SageMaker treats as Amazon ECR.
    pub repository_access_mode: Option<String>,
}

/// A SageMaker (Studio) domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// The domain id.
    pub id: String,
    /// The domain name, when known.
    pub name: Option<String>,
    /// The KMS key that encrypts the domain's storage (the EFS volume and other data), if any.
    pub kms_key_id: Option<String>,
}

/// A SageMaker Feature Store feature group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureGroup {
    /// The feature group name.
    pub name: String,
    /// The offline store, if the feature group has one.
    pub offline_store: Option<OfflineStore>,
    /// The online store, if the feature group has one enabled.
    pub online_store: Option<OnlineStore>,
}

/// A feature group's offline store (S3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineStore {
    /// `OfflineStoreConfig.S3StorageConfig.KmsKeyId`, if set.
    pub kms_key_id: Option<String>,
}

/// A feature group's online store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineStore {
    /// `OnlineStoreConfig.SecurityConfig.KmsKeyId`, if set.
    pub kms_key_id: Option<String>,
    /// `OnlineStoreConfig.StorageType` (`Standard` or `InMemory`), if reported.
    pub storage_type: Option<String>,
}

/// A SageMaker Model Monitor job definition (data quality, model quality, bias or explainability).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringJobDefinition {
    /// The job definition name.
    pub name: String,
    /// `NetworkConfig.EnableInterContainerTrafficEncryption`.
    pub inter_container_traffic_encryption: bool,
    /// `NetworkConfig.EnableNetworkIsolation`.
    pub network_isolation: bool,
}

/// A SageMaker Model Monitor monitoring schedule.
///
/// A schedule either embeds its job (`MonitoringScheduleConfig.MonitoringJobDefinition`, data
/// quality only) or names a job definition (`MonitoringJobDefinitionName` with its
/// `MonitoringType`); the network settings of a named one are read from that definition, a
/// second read, so they can be unreadable on their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringSchedule {
    /// The monitoring schedule name.
    pub name: String,
    /// `MonitoringScheduleConfig.MonitoringType` (`DataQuality`, `ModelQuality`, `ModelBias`,
    /// `ModelExplainability`), when reported.
    pub monitoring_type: Option<String>,
    /// `MonitoringScheduleConfig.MonitoringJobDefinitionName`: the job definition the schedule
    /// runs; `None` when it embeds its job definition.
    pub definition_name: Option<String>,
    /// The `NetworkConfig` of the job the schedule runs (embedded or named).
    pub network: Readable<MonitoringNetwork>,
}

/// The network settings of a monitoring job (`NetworkConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringNetwork {
    /// `EnableInterContainerTrafficEncryption`.
    pub inter_container_traffic_encryption: bool,
    /// `EnableNetworkIsolation`.
    pub network_isolation: bool,
}

/// A SageMaker inference experiment (shadow testing of model variants on an endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferenceExperiment {
    /// The inference experiment name.
    pub name: String,
    /// `KmsKey`: the key of the storage volumes of the instances that host the experiment's
    /// variants, if any.
    pub kms_key: Option<String>,
    /// `DataStorageConfig`: where captured requests and responses are stored, if the experiment
    /// captures data.
    pub data_storage: Option<InferenceExperimentDataStorage>,
}

/// An inference experiment's `DataStorageConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferenceExperimentDataStorage {
    /// `Destination`: the S3 location, when reported.
    pub destination: Option<String>,
    /// `KmsKey`: the key of the captured data at rest, if any.
    pub kms_key: Option<String>,
}

/// A SageMaker processing job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingJob {
    /// The processing job name.
    pub name: String,
    /// `ProcessingResources.ClusterConfig.VolumeKmsKeyId`: the key of the ML storage volumes, if
    /// any.
    pub volume_kms_key_id: Option<String>,
}

/// A SageMaker batch transform job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformJob {
    /// The transform job name.
    pub name: String,
    /// `TransformResources.VolumeKmsKeyId`: the key of the ML storage volumes, if any.
    pub volume_kms_key_id: Option<String>,
    /// `TransformOutput.KmsKeyId`: the key of the results written to S3, if any.
    pub output_kms_key_id: Option<String>,
}

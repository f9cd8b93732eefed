//! SageMaker: configuration items decoded into the domain, and collectors that read the same
//! state from the SageMaker API (List* paginators, then one Describe* per resource).
//!
//! Config items of SageMaker types carry CloudFormation-style (PascalCase) properties under
//! `configuration`. Training, processing and transform jobs are not recorded by Config and are
//! only collected. A monitoring schedule that names its job definition is read with that
//! definition's Describe* too (the definition's own reader), so its network settings are the
//! definition's.

use aws_sdk_sagemaker::Client;
use aws_sdk_sagemaker::error::SdkError;
use aws_sdk_sagemaker::operation::describe_domain::DescribeDomainOutput;
use aws_sdk_sagemaker::operation::describe_endpoint_config::DescribeEndpointConfigOutput;
use aws_sdk_sagemaker::operation::describe_feature_group::DescribeFeatureGroupOutput;
use aws_sdk_sagemaker::operation::describe_inference_experiment::DescribeInferenceExperimentOutput;
use aws_sdk_sagemaker::operation::describe_model::DescribeModelOutput;
use aws_sdk_sagemaker::operation::describe_monitoring_schedule::DescribeMonitoringScheduleOutput;
use aws_sdk_sagemaker::operation::describe_notebook_instance::DescribeNotebookInstanceOutput;
use aws_sdk_sagemaker::operation::describe_processing_job::DescribeProcessingJobOutput;
use aws_sdk_sagemaker::operation::describe_training_job::DescribeTrainingJobOutput;
use aws_sdk_sagemaker::operation::describe_transform_job::DescribeTransformJobOutput;
use aws_sdk_sagemaker::types::{
    ContainerDefinition, MonitoringNetworkConfig, MonitoringOutputConfig, MonitoringResources,
    MonitoringType, NetworkConfig,
};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use genai_evidence_core::text::json_kind as kind;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::resource::{Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::sagemaker::{
    Domain, EndpointConfig, FeatureGroup, InferenceExperiment, InferenceExperimentDataStorage,
    Model, ModelContainer, MonitoringJobDefinition, MonitoringNetwork, MonitoringSchedule,
    NotebookInstance, OfflineStore, OnlineStore, ProcessingJob, ProductionVariant, TrainingJob,
    TransformJob,
};
use crate::domain::scope::{Link, Links};
use crate::domain::time::Timestamp;
use crate::error::{AwsError, AwsErrorKind};
use crate::evaluate::{Subject, SubjectState};

/// Decodes a SageMaker configuration item (training jobs are not recorded by Config, so their
/// type, like any other, is unsupported here).
pub fn decode_config_item(resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    use ResourceType as T;
    let decoder: fn(&ConfigurationItem, &Value) -> Result<Resource, Unreadable> =
        match resource_type {
            T::SageMakerNotebookInstance => {
                |i, c| decode_notebook(i, c).map(Resource::SageMakerNotebookInstance)
            }
            T::SageMakerEndpointConfig => {
                |i, c| decode_endpoint_config(i, c).map(Resource::SageMakerEndpointConfig)
            }
            T::SageMakerModel => |i, c| decode_model(i, c).map(Resource::SageMakerModel),
            T::SageMakerDomain => |i, c| decode_domain(i, c).map(Resource::SageMakerDomain),
            T::SageMakerFeatureGroup => {
                |i, c| decode_feature_group(i, c).map(Resource::SageMakerFeatureGroup)
            }
            T::SageMakerDataQualityJobDefinition => {
                |i, c| decode_monitoring(i, c).map(Resource::SageMakerDataQualityJobDefinition)
            }
            T::SageMakerModelQualityJobDefinition => {
                |i, c| decode_monitoring(i, c).map(Resource::SageMakerModelQualityJobDefinition)
            }
            T::SageMakerModelBiasJobDefinition => {
                |i, c| decode_monitoring(i, c).map(Resource::SageMakerModelBiasJobDefinition)
            }
            T::SageMakerModelExplainabilityJobDefinition => |i, c| {
                decode_monitoring(i, c).map(Resource::SageMakerModelExplainabilityJobDefinition)
            },
            T::SageMakerMonitoringSchedule => {
                |i, c| decode_schedule(i, c).map(Resource::SageMakerMonitoringSchedule)
            }
            T::SageMakerInferenceExperiment => {
                |i, c| decode_inference_experiment(i, c).map(Resource::SageMakerInferenceExperiment)
            }
            _ => return Decoded::UnsupportedType,
        };
    if !item.configuration.is_object() {
        return Decoded::Unreadable(Unreadable::new(
            "the configuration item has no configuration object",
        ));
    }
    match decoder(item, &item.configuration) {
        Ok(resource) => Decoded::Resource(resource),
        Err(unreadable) => Decoded::Unreadable(unreadable),
    }
}

fn decode_notebook(
    item: &ConfigurationItem,
    config: &Value,
) -> Result<NotebookInstance, Unreadable> {
    Ok(NotebookInstance {
        name: name_of(item, config, "/NotebookInstanceName")?,
        kms_key_id: text(config, "/KmsKeyId")?,
        root_access: text(config, "/RootAccess")?,
        direct_internet_access: text(config, "/DirectInternetAccess")?,
        subnet_id: text(config, "/SubnetId")?,
        platform_identifier: text(config, "/PlatformIdentifier")?,
    })
}

fn decode_endpoint_config(
    item: &ConfigurationItem,
    config: &Value,
) -> Result<EndpointConfig, Unreadable> {
    Ok(EndpointConfig {
        name: name_of(item, config, "/EndpointConfigName")?,
        kms_key_id: text(config, "/KmsKeyId")?,
        production_variants: objects(config, "ProductionVariants")?
            .iter()
            .map(decode_variant)
            .collect::<Result<_, _>>()?,
    })
}

fn decode_variant(variant: &Value) -> Result<ProductionVariant, Unreadable> {
    Ok(ProductionVariant {
        name: text(variant, "/VariantName")
            .map_err(|u| Unreadable::new(format!("ProductionVariants: {}", u.reason)))?,
        initial_instance_count: integer(variant, "/InitialInstanceCount", "ProductionVariants")?,
        serverless: match variant.get("ServerlessConfig") {
            None | Some(Value::Null) => false,
            Some(Value::Object(_)) => true,
            Some(_) => return Err(not_an_object("ProductionVariants.ServerlessConfig")),
        },
    })
}

fn decode_model(item: &ConfigurationItem, config: &Value) -> Result<Model, Unreadable> {
    Ok(Model {
        name: name_of(item, config, "/ModelName")?,
        network_isolation: flag(config, "/EnableNetworkIsolation")?,
        primary_container: match config.get("PrimaryContainer") {
            None | Some(Value::Null) => None,
            Some(container @ Value::Object(_)) => {
                Some(decode_container(container, "PrimaryContainer")?)
            }
            Some(_) => return Err(not_an_object("PrimaryContainer")),
        },
        containers: objects(config, "Containers")?
            .iter()
            .map(|c| decode_container(c, "Containers"))
            .collect::<Result<_, _>>()?,
    })
}

/// A container definition (`PrimaryContainer` or an entry of `Containers`, named by `what`).
fn decode_container(container: &Value, what: &str) -> Result<ModelContainer, Unreadable> {
    let repository_access_mode = match container.get("ImageConfig") {
        None | Some(Value::Null) => None,
        Some(Value::Object(_)) => text(container, "/ImageConfig/RepositoryAccessMode")
            .map_err(|u| Unreadable::new(format!("{what}: {}", u.reason)))?,
        Some(_) => return Err(not_an_object(&format!("{what}.ImageConfig"))),
    };
    let field = |pointer: &str| {
        text(container, pointer).map_err(|u| Unreadable::new(format!("{what}: {}", u.reason)))
    };
    Ok(ModelContainer {
        hostname: field("/ContainerHostname")?,
        image: field("/Image")?,
        repository_access_mode,
    })
}

fn decode_domain(item: &ConfigurationItem, config: &Value) -> Result<Domain, Unreadable> {
    Ok(Domain {
        id: text(config, "/DomainId")?.unwrap_or_else(|| item.resource_id.clone()),
        name: match text(config, "/DomainName")? {
            Some(name) => Some(name),
            None => item.resource_name.clone(),
        },
        kms_key_id: text(config, "/KmsKeyId")?,
    })
}

fn decode_feature_group(
    item: &ConfigurationItem,
    config: &Value,
) -> Result<FeatureGroup, Unreadable> {
    let offline_store = match config.get("OfflineStoreConfig") {
        None | Some(Value::Null) => None,
        Some(Value::Object(_)) => Some(OfflineStore {
            kms_key_id: text(config, "/OfflineStoreConfig/S3StorageConfig/KmsKeyId")?,
        }),
        Some(_) => return Err(not_an_object("OfflineStoreConfig")),
    };
    let online_store = match config.get("OnlineStoreConfig") {
        None | Some(Value::Null) => None,
        Some(Value::Object(_)) if !flag(config, "/OnlineStoreConfig/EnableOnlineStore")? => None,
        Some(Value::Object(_)) => Some(OnlineStore {
            kms_key_id: text(config, "/OnlineStoreConfig/SecurityConfig/KmsKeyId")?,
            storage_type: text(config, "/OnlineStoreConfig/StorageType")?,
        }),
        Some(_) => return Err(not_an_object("OnlineStoreConfig")),
    };
    Ok(FeatureGroup {
        name: name_of(item, config, "/FeatureGroupName")?,
        offline_store,
        online_store,
    })
}

fn decode_monitoring(
    item: &ConfigurationItem,
    config: &Value,
) -> Result<MonitoringJobDefinition, Unreadable> {
    Ok(MonitoringJobDefinition {
        name: name_of(item, config, "/JobDefinitionName")?,
        inter_container_traffic_encryption: flag(
            config,
            "/NetworkConfig/EnableInterContainerTrafficEncryption",
        )?,
        network_isolation: flag(config, "/NetworkConfig/EnableNetworkIsolation")?,
    })
}

fn decode_schedule(
    item: &ConfigurationItem,
    config: &Value,
) -> Result<MonitoringSchedule, Unreadable> {
    let schedule = match config.get("MonitoringScheduleConfig") {
        None | Some(Value::Null) => &Value::Null,
        Some(value @ Value::Object(_)) => value,
        Some(_) => return Err(not_an_object("MonitoringScheduleConfig")),
    };
    let field = |pointer: &str| {
        text(schedule, pointer)
            .map_err(|u| Unreadable::new(format!("MonitoringScheduleConfig.{}", u.reason)))
    };
    let definition_name = field("/MonitoringJobDefinitionName")?;
    let monitoring_type = field("/MonitoringType")?;
    let network = match (schedule.get("MonitoringJobDefinition"), &definition_name) {
        (Some(Value::Object(_)), _) => {
            let flag_of = |pointer: &str| {
                flag(
                    schedule,
                    &format!("/MonitoringJobDefinition/NetworkConfig/{pointer}"),
                )
                .map_err(|u| Unreadable::new(format!("MonitoringScheduleConfig.{}", u.reason)))
            };
            Ok(MonitoringNetwork {
                inter_container_traffic_encryption: flag_of(
                    "EnableInterContainerTrafficEncryption",
                )?,
                network_isolation: flag_of("EnableNetworkIsolation")?,
            })
        }
        (None | Some(Value::Null), Some(name)) => Err(Unreadable::new(format!(
            "the configuration item names the job definition {name:?} without its NetworkConfig, and the Config rule does not read job definitions (the sweep and the drift path do)"
        ))),
        (None | Some(Value::Null), None) => Err(Unreadable::new(
            "the configuration item's MonitoringScheduleConfig has neither a MonitoringJobDefinition nor a MonitoringJobDefinitionName",
        )),
        (Some(_), _) => {
            return Err(not_an_object(
                "MonitoringScheduleConfig.MonitoringJobDefinition",
            ));
        }
    };
    Ok(MonitoringSchedule {
        name: name_of(item, config, "/MonitoringScheduleName")?,
        monitoring_type,
        definition_name,
        network,
    })
}

fn decode_inference_experiment(
    item: &ConfigurationItem,
    config: &Value,
) -> Result<InferenceExperiment, Unreadable> {
    let data_storage = match config.get("DataStorageConfig") {
        None | Some(Value::Null) => None,
        Some(Value::Object(_)) => Some(InferenceExperimentDataStorage {
            destination: text(config, "/DataStorageConfig/Destination")?,
            kms_key: text(config, "/DataStorageConfig/KmsKey")?,
        }),
        Some(_) => return Err(not_an_object("DataStorageConfig")),
    };
    Ok(InferenceExperiment {
        name: name_of(item, config, "/Name")?,
        kms_key: text(config, "/KmsKey")?,
        data_storage,
    })
}

/// The resource's name from the configuration, else the item's resource name, else its id.
fn name_of(item: &ConfigurationItem, config: &Value, pointer: &str) -> Result<String, Unreadable> {
    Ok(text(config, pointer)?
        .or_else(|| item.resource_name.clone())
        .unwrap_or_else(|| item.resource_id.clone()))
}

/// A string property: absent, null or blank means "not configured".
fn text(config: &Value, pointer: &str) -> Result<Option<String>, Unreadable> {
    match config.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(other) => Err(Unreadable::new(format!(
            "{} in the configuration item is {}, not a string",
            property(pointer),
            kind(other)
        ))),
    }
}

/// A boolean property: absent or null is `false` (SageMaker's default for every flag read here);
/// the strings `true` / `false` are accepted as Config sometimes renders booleans that way.
fn flag(config: &Value, pointer: &str) -> Result<bool, Unreadable> {
    match config.pointer(pointer) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(Unreadable::new(format!(
            "{} in the configuration item is {}, not a boolean",
            property(pointer),
            kind(other)
        ))),
    }
}

/// The objects of an array property: absent or null is none; anything but an array of objects
/// is unreadable.
fn objects<'a>(config: &'a Value, name: &str) -> Result<&'a [Value], Unreadable> {
    match config.get(name) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => Ok(items),
        Some(Value::Array(_)) => Err(Unreadable::new(format!(
            "{name} in the configuration item has an entry that is not an object"
        ))),
        Some(other) => Err(Unreadable::new(format!(
            "{name} in the configuration item is {}, not an array",
            kind(other)
        ))),
    }
}

/// An integer property (`within` names the object it is in, for the reason): absent or null is
/// `None`; a string of digits is accepted as Config sometimes renders numbers that way.
fn integer(config: &Value, pointer: &str, within: &str) -> Result<Option<i64>, Unreadable> {
    let unreadable = |what: &str| {
        Unreadable::new(format!(
            "{within}.{} in the configuration item is {what}, not an integer",
            property(pointer)
        ))
    };
    match config.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| unreadable("a number that is not a whole one")),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| unreadable("a non-numeric string")),
        Some(other) => Err(unreadable(kind(other))),
    }
}

fn not_an_object(name: &str) -> Unreadable {
    Unreadable::new(format!("{name} in the configuration item is not an object"))
}

fn property(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

// ---------------------------------------------------------------------------------------------
// Collectors.
// ---------------------------------------------------------------------------------------------

/// A notebook instance from `DescribeNotebookInstance` (`name` is the listed name, used when the
/// response omits it).
pub fn notebook_from_api(out: &DescribeNotebookInstanceOutput, name: &str) -> NotebookInstance {
    NotebookInstance {
        name: out.notebook_instance_name().unwrap_or(name).to_owned(),
        kms_key_id: configured(out.kms_key_id()),
        root_access: out.root_access().map(|r| r.as_str().to_owned()),
        direct_internet_access: out.direct_internet_access().map(|d| d.as_str().to_owned()),
        subnet_id: configured(out.subnet_id()),
        platform_identifier: configured(out.platform_identifier()),
    }
}

/// An endpoint configuration from `DescribeEndpointConfig`.
pub fn endpoint_config_from_api(out: &DescribeEndpointConfigOutput, name: &str) -> EndpointConfig {
    EndpointConfig {
        name: out.endpoint_config_name().unwrap_or(name).to_owned(),
        kms_key_id: configured(out.kms_key_id()),
        production_variants: out
            .production_variants()
            .iter()
            .map(|v| ProductionVariant {
                name: configured(v.variant_name()),
                initial_instance_count: v.initial_instance_count().map(i64::from),
                serverless: v.serverless_config().is_some(),
            })
            .collect(),
    }
}

/// A training job from `DescribeTrainingJob`.
pub fn training_job_from_api(out: &DescribeTrainingJobOutput, name: &str) -> TrainingJob {
    TrainingJob {
        name: out.training_job_name().unwrap_or(name).to_owned(),
        volume_kms_key_id: configured(out.resource_config().and_then(|r| r.volume_kms_key_id())),
        output_kms_key_id: configured(out.output_data_config().and_then(|o| o.kms_key_id())),
        inter_container_traffic_encryption: out
            .enable_inter_container_traffic_encryption()
            .unwrap_or(false),
        network_isolation: out.enable_network_isolation().unwrap_or(false),
    }
}

/// A model from `DescribeModel`.
pub fn model_from_api(out: &DescribeModelOutput, name: &str) -> Model {
    Model {
        name: out.model_name().unwrap_or(name).to_owned(),
        network_isolation: out.enable_network_isolation().unwrap_or(false),
        primary_container: out.primary_container().map(container_from_api),
        containers: out.containers().iter().map(container_from_api).collect(),
    }
}

fn container_from_api(container: &ContainerDefinition) -> ModelContainer {
    ModelContainer {
        hostname: configured(container.container_hostname()),
        image: configured(container.image()),
        repository_access_mode: container
            .image_config()
            .and_then(|c| c.repository_access_mode())
            .map(|m| m.as_str().to_owned()),
    }
}

/// A domain from `DescribeDomain`.
pub fn domain_from_api(out: &DescribeDomainOutput, id: &str) -> Domain {
    Domain {
        id: out.domain_id().unwrap_or(id).to_owned(),
        name: out.domain_name().map(str::to_owned),
        kms_key_id: configured(out.kms_key_id()),
    }
}

/// A feature group from `DescribeFeatureGroup`. An online store is present only when
/// `EnableOnlineStore` is true.
pub fn feature_group_from_api(out: &DescribeFeatureGroupOutput, name: &str) -> FeatureGroup {
    FeatureGroup {
        name: out.feature_group_name().unwrap_or(name).to_owned(),
        offline_store: out.offline_store_config().map(|offline| OfflineStore {
            kms_key_id: configured(offline.s3_storage_config().and_then(|s| s.kms_key_id())),
        }),
        online_store: out
            .online_store_config()
            .filter(|online| online.enable_online_store().unwrap_or(false))
            .map(|online| OnlineStore {
                kms_key_id: configured(online.security_config().and_then(|s| s.kms_key_id())),
                storage_type: online.storage_type().map(|t| t.as_str().to_owned()),
            }),
    }
}

/// A Model Monitor job definition from the `NetworkConfig` of its Describe* response.
pub fn monitoring_job_definition_from_api(
    name: &str,
    network: Option<&MonitoringNetworkConfig>,
) -> MonitoringJobDefinition {
    MonitoringJobDefinition {
        name: name.to_owned(),
        inter_container_traffic_encryption: network
            .and_then(|n| n.enable_inter_container_traffic_encryption())
            .unwrap_or(false),
        network_isolation: network
            .and_then(|n| n.enable_network_isolation())
            .unwrap_or(false),
    }
}

/// The network settings of a `NetworkConfig` (an embedded monitoring job's, a processing
/// job's): an absent config or flag is off.
fn network_of(network: Option<&NetworkConfig>) -> MonitoringNetwork {
    MonitoringNetwork {
        inter_container_traffic_encryption: network
            .and_then(|n| n.enable_inter_container_traffic_encryption())
            .unwrap_or(false),
        network_isolation: network
            .and_then(|n| n.enable_network_isolation())
            .unwrap_or(false),
    }
}

/// A monitoring schedule from `DescribeMonitoringSchedule`, with the network settings of the
/// job it runs: those of its embedded job definition, else `named` (what reading the job
/// definition it names gave), else unreadable.
pub fn monitoring_schedule_from_api(
    out: &DescribeMonitoringScheduleOutput,
    name: &str,
    named: Option<Result<MonitoringNetwork, Unreadable>>,
) -> MonitoringSchedule {
    let config = out.monitoring_schedule_config();
    let embedded = config.and_then(|c| c.monitoring_job_definition());
    let definition_name = configured(config.and_then(|c| c.monitoring_job_definition_name()));
    let network = match (embedded, named) {
        (Some(definition), _) => Ok(network_of(definition.network_config())),
        (None, Some(named)) => named,
        (None, None) => Err(Unreadable::new(match &definition_name {
            Some(definition) => format!("the job definition {definition:?} was not read"),
            None => "MonitoringScheduleConfig has neither a MonitoringJobDefinition nor a MonitoringJobDefinitionName".to_owned(),
        })),
    };
    MonitoringSchedule {
        name: out.monitoring_schedule_name().unwrap_or(name).to_owned(),
        monitoring_type: config
            .and_then(|c| c.monitoring_type())
            .or(out.monitoring_type())
            .map(|t| t.as_str().to_owned()),
        definition_name,
        network,
    }
}

/// An inference experiment from `DescribeInferenceExperiment`.
pub fn inference_experiment_from_api(
    out: &DescribeInferenceExperimentOutput,
    name: &str,
) -> InferenceExperiment {
    InferenceExperiment {
        name: out.name().unwrap_or(name).to_owned(),
        kms_key: configured(out.kms_key()),
        data_storage: out
            .data_storage_config()
            .map(|d| InferenceExperimentDataStorage {
                destination: configured(d.destination()),
                kms_key: configured(d.kms_key()),
            }),
    }
}

/// A processing job from `DescribeProcessingJob`.
pub fn processing_job_from_api(out: &DescribeProcessingJobOutput, name: &str) -> ProcessingJob {
    ProcessingJob {
        name: out.processing_job_name().unwrap_or(name).to_owned(),
        volume_kms_key_id: configured(
            out.processing_resources()
                .and_then(|r| r.cluster_config())
                .and_then(|c| c.volume_kms_key_id()),
        ),
    }
}

/// A transform job from `DescribeTransformJob`.
pub fn transform_job_from_api(out: &DescribeTransformJobOutput, name: &str) -> TransformJob {
    TransformJob {
        name: out.transform_job_name().unwrap_or(name).to_owned(),
        volume_kms_key_id: configured(
            out.transform_resources()
                .and_then(|r| r.volume_kms_key_id()),
        ),
        output_kms_key_id: configured(out.transform_output().and_then(|o| o.kms_key_id())),
    }
}

// ---------------------------------------------------------------------------------------------
// Links: what each resource points at, read from the same Describe* response (no extra call).
// ---------------------------------------------------------------------------------------------

/// What a notebook instance points at: its execution role and its volume's KMS key.
pub fn notebook_links(out: &DescribeNotebookInstanceOutput, name: &str) -> Vec<Link> {
    let name = out.notebook_instance_name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker notebook instance {name:?}"));
    links
        .role(out.role_arn(), "execution role")
        .key(out.kms_key_id(), "volume key");
    links.into_vec()
}

/// What an endpoint configuration points at: its storage volume key, its data capture
/// destination and key, its asynchronous inference output and key, its execution role.
pub fn endpoint_config_links(out: &DescribeEndpointConfigOutput, name: &str) -> Vec<Link> {
    let name = out.endpoint_config_name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker endpoint configuration {name:?}"));
    links.key(out.kms_key_id(), "volume key");
    if let Some(capture) = out.data_capture_config() {
        links
            .bucket(capture.destination_s3_uri(), "data capture destination")
            .key(capture.kms_key_id(), "data capture key");
    }
    if let Some(output) = out.async_inference_config().and_then(|a| a.output_config()) {
        links
            .bucket(output.s3_output_path(), "asynchronous inference output")
            .bucket(
                output.s3_failure_path(),
                "asynchronous inference failure output",
            )
            .key(output.kms_key_id(), "asynchronous inference output key");
    }
    links.role(out.execution_role_arn(), "execution role");
    links.into_vec()
}

/// What a training job points at: its execution role, every S3 input channel, its output path
/// and key, its volume key, its checkpoint location.
pub fn training_job_links(out: &DescribeTrainingJobOutput, name: &str) -> Vec<Link> {
    let name = out.training_job_name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker training job {name:?}"));
    links.role(out.role_arn(), "execution role");
    for channel in out.input_data_config() {
        let uri = channel
            .data_source()
            .and_then(|d| d.s3_data_source())
            .and_then(|s| s.s3_uri());
        let relation = match channel.channel_name() {
            Some(channel) => format!("training input (channel {channel:?})"),
            None => "training input".to_owned(),
        };
        links.bucket(uri, &relation);
    }
    if let Some(output) = out.output_data_config() {
        links
            .bucket(output.s3_output_path(), "output")
            .key(output.kms_key_id(), "output key");
    }
    links
        .key(
            out.resource_config().and_then(|r| r.volume_kms_key_id()),
            "volume key",
        )
        .bucket(
            out.checkpoint_config().and_then(|c| c.s3_uri()),
            "checkpoint location",
        );
    links.into_vec()
}

/// What a model points at: its execution role and the model artifacts of every container.
pub fn model_links(out: &DescribeModelOutput, name: &str) -> Vec<Link> {
    let name = out.model_name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker model {name:?}"));
    links.role(out.execution_role_arn(), "execution role");
    for container in out.primary_container().into_iter().chain(out.containers()) {
        container_links(&mut links, container);
    }
    links.into_vec()
}

fn container_links(links: &mut Links, container: &ContainerDefinition) {
    links
        .bucket(container.model_data_url(), "model artifacts")
        .bucket(
            container
                .model_data_source()
                .and_then(|d| d.s3_data_source())
                .and_then(|s| s.s3_uri()),
            "model artifacts",
        );
    for extra in container.additional_model_data_sources() {
        links.bucket(
            extra.s3_data_source().and_then(|s| s.s3_uri()),
            "additional model artifacts",
        );
    }
}

/// What a domain points at: the default execution roles of its users and spaces, and its
/// storage key.
pub fn domain_links(out: &DescribeDomainOutput, id: &str) -> Vec<Link> {
    let owner = match out.domain_name() {
        Some(name) => format!(
            "SageMaker domain {name:?} ({})",
            out.domain_id().unwrap_or(id)
        ),
        None => format!("SageMaker domain {}", out.domain_id().unwrap_or(id)),
    };
    let mut links = Links::new(owner);
    links
        .role(
            out.default_user_settings().and_then(|u| u.execution_role()),
            "default user execution role",
        )
        .role(
            out.default_space_settings()
                .and_then(|s| s.execution_role()),
            "default space execution role",
        )
        .key(out.kms_key_id(), "storage key");
    links.into_vec()
}

/// What a feature group points at: its offline store bucket and key, its role, its online
/// store key.
pub fn feature_group_links(out: &DescribeFeatureGroupOutput, name: &str) -> Vec<Link> {
    let name = out.feature_group_name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker feature group {name:?}"));
    if let Some(storage) = out
        .offline_store_config()
        .and_then(|o| o.s3_storage_config())
    {
        links
            .bucket(storage.s3_uri(), "offline store")
            .key(storage.kms_key_id(), "offline store key");
    }
    links.role(out.role_arn(), "offline store role").key(
        out.online_store_config()
            .and_then(|o| o.security_config())
            .and_then(|s| s.kms_key_id()),
        "online store key",
    );
    links.into_vec()
}

/// What a Model Monitor job definition (`owner`, e.g. `SageMaker data quality job definition
/// "d"`) points at: its role, its output locations and key, its volume key.
pub fn monitoring_links(
    owner: &str,
    role_arn: Option<&str>,
    output: Option<&MonitoringOutputConfig>,
    resources: Option<&MonitoringResources>,
) -> Vec<Link> {
    let mut links = Links::new(owner);
    links.role(role_arn, "execution role");
    if let Some(output) = output {
        for location in output.monitoring_outputs() {
            links.bucket(location.s3_output().and_then(|s| s.s3_uri()), "output");
        }
        links.key(output.kms_key_id(), "output key");
    }
    links.key(
        resources
            .and_then(|r| r.cluster_config())
            .and_then(|c| c.volume_kms_key_id()),
        "volume key",
    );
    links.into_vec()
}

/// What an inference experiment points at: its role, its volume key, its data capture
/// destination and key.
pub fn inference_experiment_links(
    out: &DescribeInferenceExperimentOutput,
    name: &str,
) -> Vec<Link> {
    let name = out.name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker inference experiment {name:?}"));
    links
        .role(out.role_arn(), "execution role")
        .key(out.kms_key(), "volume key");
    if let Some(storage) = out.data_storage_config() {
        links
            .bucket(storage.destination(), "data capture destination")
            .key(storage.kms_key(), "data capture key");
    }
    links.into_vec()
}

/// What a processing job points at: its role, every S3 input and output, its output and volume
/// keys.
pub fn processing_job_links(out: &DescribeProcessingJobOutput, name: &str) -> Vec<Link> {
    let name = out.processing_job_name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker processing job {name:?}"));
    links.role(out.role_arn(), "execution role");
    for input in out.processing_inputs() {
        links.bucket(
            input.s3_input().and_then(|s| s.s3_uri()),
            "processing input",
        );
    }
    if let Some(output) = out.processing_output_config() {
        for location in output.outputs() {
            links.bucket(location.s3_output().and_then(|s| s.s3_uri()), "output");
        }
        links.key(output.kms_key_id(), "output key");
    }
    links.key(
        out.processing_resources()
            .and_then(|r| r.cluster_config())
            .and_then(|c| c.volume_kms_key_id()),
        "volume key",
    );
    links.into_vec()
}

/// What a transform job points at: its S3 input, its output path and key, its volume key, its
/// data capture destination and key.
pub fn transform_job_links(out: &DescribeTransformJobOutput, name: &str) -> Vec<Link> {
    let name = out.transform_job_name().unwrap_or(name);
    let mut links = Links::new(format!("SageMaker transform job {name:?}"));
    links.bucket(
        out.transform_input()
            .and_then(|i| i.data_source())
            .and_then(|d| d.s3_data_source())
            .and_then(|s| s.s3_uri()),
        "transform input",
    );
    if let Some(output) = out.transform_output() {
        links
            .bucket(output.s3_output_path(), "output")
            .key(output.kms_key_id(), "output key");
    }
    links.key(
        out.transform_resources()
            .and_then(|r| r.volume_kms_key_id()),
        "volume key",
    );
    if let Some(capture) = out.data_capture_config() {
        links
            .bucket(capture.destination_s3_uri(), "data capture destination")
            .key(capture.kms_key_id(), "data capture key");
    }
    links.into_vec()
}

fn configured(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A failed Describe*: not found (the resource was deleted, e.g. after it was listed) is gone;
/// anything else (access denied, throttling, ...) leaves the state unreadable. SageMaker says
/// "not found" two ways: `ResourceNotFound` (domains, feature groups, job definitions) and a
/// `ValidationException` whose message says so (`RecordNotFound` for notebook instances, "Could
/// not find ..." for endpoint configurations and models, "Requested resource not found" for
/// training jobs).
pub(crate) fn describe_failed<E>(
    operation: &'static str,
    err: SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> (SubjectState, Vec<Link>)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let deleted = matches!(&err, SdkError::ServiceError(s) if is_not_found(s.err().code(), s.err().message()));
    let mut error = AwsError::from_sdk(operation, err);
    if deleted {
        error.kind = AwsErrorKind::NotFound;
    }
    (super::failed_read(error), Vec::new())
}

/// Whether a SageMaker error code and message say the resource does not exist.
fn is_not_found(code: Option<&str>, message: Option<&str>) -> bool {
    match code {
        Some("ResourceNotFound") => true,
        Some("ValidationException") => message.is_some_and(|m| {
            let m = m.to_ascii_lowercase();
            m.contains("recordnotfound") || m.contains("could not find") || m.contains("not found")
        }),
        _ => false,
    }
}

fn subject(
    resource_type: ResourceType,
    resource_id: &str,
    arn: Option<&str>,
    scope: &Scope,
    observed_via: &'static str,
    (state, links): (SubjectState, Vec<Link>),
) -> Subject {
    Subject {
        resource: ResourceRef {
            resource_type: resource_type.cfn_type().into(),
            resource_id: resource_id.to_owned(),
            arn: arn.map(str::to_owned),
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
        },
        observed_at: Timestamp::now(),
        observed_via,
        state,
        links,
    }
}

/// Reads one SageMaker resource of `resource_type` by its name (its id for a domain) with its
/// Describe* call: the one read both the listing ([`collect`]) and the drift path (a resource a
/// call names) use, so both decide alike. Model Monitor job definitions are identified by ARN,
/// as Config identifies them.
pub async fn read_one(
    client: &Client,
    scope: &Scope,
    resource_type: ResourceType,
    name: &str,
) -> Subject {
    if let Some(subject) = read_monitoring(client, scope, resource_type, name).await {
        return subject;
    }
    if resource_type == ResourceType::SageMakerMonitoringSchedule {
        return read_schedule(client, scope, name).await;
    }
    let (state, arn) = describe(client, resource_type, name).await;
    let arn = arn.unwrap_or_else(|| sagemaker_arn(scope, arn_kind(resource_type), name));
    let (state, links) = match state {
        Ok((resource, links)) => (SubjectState::Live(resource), links),
        Err(failed) => failed,
    };
    subject(
        resource_type,
        name,
        Some(&arn),
        scope,
        describe_action(resource_type),
        (state, links),
    )
}

/// What one Describe* returned (a resource other than a monitoring job definition): the state
/// and links, or the failed state; and the ARN.
type Described = (
    Result<(Resource, Vec<Link>), (SubjectState, Vec<Link>)>,
    Option<String>,
);

/// Describes one SageMaker resource that is not a monitoring job definition.
async fn describe(client: &Client, resource_type: ResourceType, name: &str) -> Described {
    use ResourceType as T;
    match resource_type {
        T::SageMakerNotebookInstance => {
            let read = client
                .describe_notebook_instance()
                .notebook_instance_name(name)
                .send()
                .await;
            match read {
                Ok(out) => (
                    Ok((
                        Resource::SageMakerNotebookInstance(notebook_from_api(&out, name)),
                        notebook_links(&out, name),
                    )),
                    out.notebook_instance_arn().map(str::to_owned),
                ),
                Err(e) => (
                    Err(describe_failed("sagemaker:DescribeNotebookInstance", e)),
                    None,
                ),
            }
        }
        T::SageMakerEndpointConfig => {
            let read = client
                .describe_endpoint_config()
                .endpoint_config_name(name)
                .send()
                .await;
            match read {
                Ok(out) => (
                    Ok((
                        Resource::SageMakerEndpointConfig(endpoint_config_from_api(&out, name)),
                        endpoint_config_links(&out, name),
                    )),
                    out.endpoint_config_arn().map(str::to_owned),
                ),
                Err(e) => (
                    Err(describe_failed("sagemaker:DescribeEndpointConfig", e)),
                    None,
                ),
            }
        }
        T::SageMakerTrainingJob => {
            let read = client
                .describe_training_job()
                .training_job_name(name)
                .send()
                .await;
            match read {
                Ok(out) => (
                    Ok((
                        Resource::SageMakerTrainingJob(training_job_from_api(&out, name)),
                        training_job_links(&out, name),
                    )),
                    out.training_job_arn().map(str::to_owned),
                ),
                Err(e) => (
                    Err(describe_failed("sagemaker:DescribeTrainingJob", e)),
                    None,
                ),
            }
        }
        T::SageMakerModel => match client.describe_model().model_name(name).send().await {
            Ok(out) => (
                Ok((
                    Resource::SageMakerModel(model_from_api(&out, name)),
                    model_links(&out, name),
                )),
                out.model_arn().map(str::to_owned),
            ),
            Err(e) => (Err(describe_failed("sagemaker:DescribeModel", e)), None),
        },
        T::SageMakerDomain => match client.describe_domain().domain_id(name).send().await {
            Ok(out) => (
                Ok((
                    Resource::SageMakerDomain(domain_from_api(&out, name)),
                    domain_links(&out, name),
                )),
                out.domain_arn().map(str::to_owned),
            ),
            Err(e) => (Err(describe_failed("sagemaker:DescribeDomain", e)), None),
        },
        T::SageMakerFeatureGroup => {
            let read = client
                .describe_feature_group()
                .feature_group_name(name)
                .send()
                .await;
            match read {
                Ok(out) => (
                    Ok((
                        Resource::SageMakerFeatureGroup(feature_group_from_api(&out, name)),
                        feature_group_links(&out, name),
                    )),
                    out.feature_group_arn().map(str::to_owned),
                ),
                Err(e) => (
                    Err(describe_failed("sagemaker:DescribeFeatureGroup", e)),
                    None,
                ),
            }
        }
        other => describe_experiment_or_job(client, other, name).await,
    }
}

/// Describes one inference experiment, processing job or transform job.
async fn describe_experiment_or_job(
    client: &Client,
    resource_type: ResourceType,
    name: &str,
) -> Described {
    use ResourceType as T;
    match resource_type {
        T::SageMakerInferenceExperiment => {
            match client
                .describe_inference_experiment()
                .name(name)
                .send()
                .await
            {
                Ok(out) => (
                    Ok((
                        Resource::SageMakerInferenceExperiment(inference_experiment_from_api(
                            &out, name,
                        )),
                        inference_experiment_links(&out, name),
                    )),
                    out.arn().map(str::to_owned),
                ),
                Err(e) => (
                    Err(describe_failed("sagemaker:DescribeInferenceExperiment", e)),
                    None,
                ),
            }
        }
        T::SageMakerProcessingJob => {
            let read = client
                .describe_processing_job()
                .processing_job_name(name)
                .send()
                .await;
            match read {
                Ok(out) => (
                    Ok((
                        Resource::SageMakerProcessingJob(processing_job_from_api(&out, name)),
                        processing_job_links(&out, name),
                    )),
                    out.processing_job_arn().map(str::to_owned),
                ),
                Err(e) => (
                    Err(describe_failed("sagemaker:DescribeProcessingJob", e)),
                    None,
                ),
            }
        }
        T::SageMakerTransformJob => {
            let read = client
                .describe_transform_job()
                .transform_job_name(name)
                .send()
                .await;
            match read {
                Ok(out) => (
                    Ok((
                        Resource::SageMakerTransformJob(transform_job_from_api(&out, name)),
                        transform_job_links(&out, name),
                    )),
                    out.transform_job_arn().map(str::to_owned),
                ),
                Err(e) => (
                    Err(describe_failed("sagemaker:DescribeTransformJob", e)),
                    None,
                ),
            }
        }
        other => (
            Err((
                SubjectState::Unreadable(format!("{other} is not a SageMaker type")),
                Vec::new(),
            )),
            None,
        ),
    }
}

/// Reads one monitoring schedule by name with `DescribeMonitoringSchedule`, and the job
/// definition it names (if it names one rather than embedding it) with that definition's own
/// reader: the schedule's network settings are the definition's, and the definition's links are
/// the schedule's too. A named definition that cannot be read (denied, gone, an unknown
/// monitoring type) leaves the settings unreadable, never off.
async fn read_schedule(client: &Client, scope: &Scope, name: &str) -> Subject {
    const ACTION: &str = "AWS API (sagemaker:DescribeMonitoringSchedule)";
    let resource_type = ResourceType::SageMakerMonitoringSchedule;
    let read = client
        .describe_monitoring_schedule()
        .monitoring_schedule_name(name)
        .send()
        .await;
    let out = match read {
        Ok(out) => out,
        Err(e) => {
            let arn = sagemaker_arn(scope, arn_kind(resource_type), name);
            let failed = describe_failed("sagemaker:DescribeMonitoringSchedule", e);
            return subject(resource_type, name, Some(&arn), scope, ACTION, failed);
        }
    };
    let owner = format!(
        "SageMaker monitoring schedule {:?}",
        out.monitoring_schedule_name().unwrap_or(name)
    );
    let config = out.monitoring_schedule_config();
    let mut links = Vec::new();
    let mut named = None;
    if let Some(definition) = config.and_then(|c| c.monitoring_job_definition()) {
        links = monitoring_links(
            &owner,
            definition.role_arn(),
            definition.monitoring_output_config(),
            definition.monitoring_resources(),
        );
    } else if let Some(definition) =
        configured(config.and_then(|c| c.monitoring_job_definition_name()))
    {
        let kind = config
            .and_then(|c| c.monitoring_type())
            .or(out.monitoring_type());
        named = Some(read_named_definition(client, scope, kind, &definition, &mut links).await);
    }
    let schedule = monitoring_schedule_from_api(&out, name, named);
    let arn = out
        .monitoring_schedule_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| sagemaker_arn(scope, arn_kind(resource_type), name));
    subject(
        resource_type,
        name,
        Some(&arn),
        scope,
        ACTION,
        (
            SubjectState::Live(Resource::SageMakerMonitoringSchedule(schedule)),
            links,
        ),
    )
}

/// The job definition type a schedule's `MonitoringType` names.
fn definition_type(kind: &MonitoringType) -> Option<ResourceType> {
    use ResourceType as T;
    match kind {
        MonitoringType::DataQuality => Some(T::SageMakerDataQualityJobDefinition),
        MonitoringType::ModelQuality => Some(T::SageMakerModelQualityJobDefinition),
        MonitoringType::ModelBias => Some(T::SageMakerModelBiasJobDefinition),
        MonitoringType::ModelExplainability => Some(T::SageMakerModelExplainabilityJobDefinition),
        _ => None,
    }
}

/// Reads the job definition `name` of monitoring type `kind` with its type's reader: its
/// network settings (its links added to `links`), or why they could not be read.
async fn read_named_definition(
    client: &Client,
    scope: &Scope,
    kind: Option<&MonitoringType>,
    name: &str,
    links: &mut Vec<Link>,
) -> Result<MonitoringNetwork, Unreadable> {
    let Some(kind) = kind else {
        return Err(Unreadable::new(format!(
            "the schedule names the job definition {name:?} without a MonitoringType, so its type (and the Describe* that reads it) is unknown"
        )));
    };
    let Some(definition_type) = definition_type(kind) else {
        return Err(Unreadable::new(format!(
            "the schedule names the job definition {name:?} with MonitoringType {}, which genai-evidence cannot read",
            kind.as_str()
        )));
    };
    let Some(read) = read_monitoring(client, scope, definition_type, name).await else {
        return Err(Unreadable::new(format!("{definition_type} has no reader")));
    };
    match read.state {
        SubjectState::Live(
            Resource::SageMakerDataQualityJobDefinition(d)
            | Resource::SageMakerModelQualityJobDefinition(d)
            | Resource::SageMakerModelBiasJobDefinition(d)
            | Resource::SageMakerModelExplainabilityJobDefinition(d),
        ) => {
            links.extend(read.links);
            Ok(MonitoringNetwork {
                inter_container_traffic_encryption: d.inter_container_traffic_encryption,
                network_isolation: d.network_isolation,
            })
        }
        SubjectState::Gone(why) => Err(Unreadable::new(format!(
            "the {} job definition {name:?} the schedule names was not found ({why})",
            kind.as_str()
        ))),
        SubjectState::Unreadable(why) => Err(Unreadable::new(format!(
            "the {} job definition {name:?} the schedule names could not be read: {why}",
            kind.as_str()
        ))),
        SubjectState::Live(other) => Err(Unreadable::new(format!(
            "reading the job definition {name:?} gave a {}",
            other.resource_type()
        ))),
    }
}

/// The `AWS API (sagemaker:Describe*)` a type is read with.
fn describe_action(resource_type: ResourceType) -> &'static str {
    use ResourceType as T;
    match resource_type {
        T::SageMakerNotebookInstance => "AWS API (sagemaker:DescribeNotebookInstance)",
        T::SageMakerEndpointConfig => "AWS API (sagemaker:DescribeEndpointConfig)",
        T::SageMakerTrainingJob => "AWS API (sagemaker:DescribeTrainingJob)",
        T::SageMakerModel => "AWS API (sagemaker:DescribeModel)",
        T::SageMakerDomain => "AWS API (sagemaker:DescribeDomain)",
        T::SageMakerFeatureGroup => "AWS API (sagemaker:DescribeFeatureGroup)",
        T::SageMakerDataQualityJobDefinition => {
            "AWS API (sagemaker:DescribeDataQualityJobDefinition)"
        }
        T::SageMakerModelQualityJobDefinition => {
            "AWS API (sagemaker:DescribeModelQualityJobDefinition)"
        }
        T::SageMakerModelBiasJobDefinition => "AWS API (sagemaker:DescribeModelBiasJobDefinition)",
        T::SageMakerModelExplainabilityJobDefinition => {
            "AWS API (sagemaker:DescribeModelExplainabilityJobDefinition)"
        }
        T::SageMakerMonitoringSchedule => "AWS API (sagemaker:DescribeMonitoringSchedule)",
        T::SageMakerInferenceExperiment => "AWS API (sagemaker:DescribeInferenceExperiment)",
        T::SageMakerProcessingJob => "AWS API (sagemaker:DescribeProcessingJob)",
        T::SageMakerTransformJob => "AWS API (sagemaker:DescribeTransformJob)",
        _ => "not read",
    }
}

/// The resource kind in a type's ARNs (`notebook-instance`, `data-quality-job-definition`, ...).
fn arn_kind(resource_type: ResourceType) -> &'static str {
    use ResourceType as T;
    match resource_type {
        T::SageMakerNotebookInstance => "notebook-instance",
        T::SageMakerEndpointConfig => "endpoint-config",
        T::SageMakerTrainingJob => "training-job",
        T::SageMakerModel => "model",
        T::SageMakerDomain => "domain",
        T::SageMakerFeatureGroup => "feature-group",
        T::SageMakerDataQualityJobDefinition => "data-quality-job-definition",
        T::SageMakerModelQualityJobDefinition => "model-quality-job-definition",
        T::SageMakerModelBiasJobDefinition => "model-bias-job-definition",
        T::SageMakerModelExplainabilityJobDefinition => "model-explainability-job-definition",
        T::SageMakerMonitoringSchedule => "monitoring-schedule",
        T::SageMakerInferenceExperiment => "inference-experiment",
        T::SageMakerProcessingJob => "processing-job",
        T::SageMakerTransformJob => "transform-job",
        _ => "unknown",
    }
}

/// The ARN of a SageMaker resource named `name` (SageMaker writes names lower-case in ARNs).
fn sagemaker_arn(scope: &Scope, kind: &str, name: &str) -> String {
    format!(
        "arn:aws:sagemaker:{}:{}:{kind}/{}",
        scope.region,
        scope.account_id,
        name.to_ascii_lowercase()
    )
}

/// Reads one Model Monitor job definition by name with its Describe* call: its state, links,
/// and ARN (also its id).
macro_rules! read_monitoring {
    ($client:expr, $scope:expr, $name:expr, $describe:ident, $output:ident, $variant:ident, $kind:literal, $action:literal) => {{
        let (state, arn) = match $client.$describe().job_definition_name($name).send().await {
            Ok(out) => {
                let name = out.job_definition_name().unwrap_or($name);
                (
                    (
                        SubjectState::Live(Resource::$variant(monitoring_job_definition_from_api(
                            name,
                            out.network_config(),
                        ))),
                        monitoring_links(
                            &format!(concat!($kind, " {:?}"), name),
                            out.role_arn(),
                            out.$output(),
                            out.job_resources(),
                        ),
                    ),
                    out.job_definition_arn().map(str::to_owned),
                )
            }
            Err(e) => (describe_failed($action, e), None),
        };
        let arn =
            arn.unwrap_or_else(|| sagemaker_arn($scope, arn_kind(ResourceType::$variant), $name));
        subject(
            ResourceType::$variant,
            &arn,
            Some(&arn),
            $scope,
            concat!("AWS API (", $action, ")"),
            state,
        )
    }};
}

/// Reads one Model Monitor job definition by name; `None` for another type.
async fn read_monitoring(
    client: &Client,
    scope: &Scope,
    resource_type: ResourceType,
    name: &str,
) -> Option<Subject> {
    use ResourceType as T;
    Some(match resource_type {
        T::SageMakerDataQualityJobDefinition => read_monitoring!(
            client,
            scope,
            name,
            describe_data_quality_job_definition,
            data_quality_job_output_config,
            SageMakerDataQualityJobDefinition,
            "SageMaker data quality job definition",
            "sagemaker:DescribeDataQualityJobDefinition"
        ),
        T::SageMakerModelQualityJobDefinition => read_monitoring!(
            client,
            scope,
            name,
            describe_model_quality_job_definition,
            model_quality_job_output_config,
            SageMakerModelQualityJobDefinition,
            "SageMaker model quality job definition",
            "sagemaker:DescribeModelQualityJobDefinition"
        ),
        T::SageMakerModelBiasJobDefinition => read_monitoring!(
            client,
            scope,
            name,
            describe_model_bias_job_definition,
            model_bias_job_output_config,
            SageMakerModelBiasJobDefinition,
            "SageMaker model bias job definition",
            "sagemaker:DescribeModelBiasJobDefinition"
        ),
        T::SageMakerModelExplainabilityJobDefinition => read_monitoring!(
            client,
            scope,
            name,
            describe_model_explainability_job_definition,
            model_explainability_job_output_config,
            SageMakerModelExplainabilityJobDefinition,
            "SageMaker model explainability job definition",
            "sagemaker:DescribeModelExplainabilityJobDefinition"
        ),
        _ => return None,
    })
}

/// The names every page of a List* call returns (a failed page is the listing's `Err`).
macro_rules! list_pages {
    ($client:expr, $list:ident, $items:ident, $name:ident, $action:literal) => {{
        let mut names = Vec::new();
        let mut pages = $client.$list().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::from_sdk($action, e))?;
            names.extend(
                page.$items()
                    .iter()
                    .filter_map(|s| s.$name())
                    .map(str::to_owned),
            );
        }
        names
    }};
}

/// The names (domain ids) of every resource of `resource_type`, every page of its List* call.
async fn list_names(client: &Client, resource_type: ResourceType) -> Result<Vec<String>, AwsError> {
    use ResourceType as T;
    Ok(match resource_type {
        T::SageMakerNotebookInstance => list_pages!(
            client,
            list_notebook_instances,
            notebook_instances,
            notebook_instance_name,
            "sagemaker:ListNotebookInstances"
        ),
        T::SageMakerEndpointConfig => list_pages!(
            client,
            list_endpoint_configs,
            endpoint_configs,
            endpoint_config_name,
            "sagemaker:ListEndpointConfigs"
        ),
        T::SageMakerTrainingJob => list_pages!(
            client,
            list_training_jobs,
            training_job_summaries,
            training_job_name,
            "sagemaker:ListTrainingJobs"
        ),
        T::SageMakerModel => {
            list_pages!(
                client,
                list_models,
                models,
                model_name,
                "sagemaker:ListModels"
            )
        }
        T::SageMakerDomain => {
            list_pages!(
                client,
                list_domains,
                domains,
                domain_id,
                "sagemaker:ListDomains"
            )
        }
        T::SageMakerFeatureGroup => list_pages!(
            client,
            list_feature_groups,
            feature_group_summaries,
            feature_group_name,
            "sagemaker:ListFeatureGroups"
        ),
        T::SageMakerDataQualityJobDefinition => list_pages!(
            client,
            list_data_quality_job_definitions,
            job_definition_summaries,
            monitoring_job_definition_name,
            "sagemaker:ListDataQualityJobDefinitions"
        ),
        T::SageMakerModelQualityJobDefinition => list_pages!(
            client,
            list_model_quality_job_definitions,
            job_definition_summaries,
            monitoring_job_definition_name,
            "sagemaker:ListModelQualityJobDefinitions"
        ),
        T::SageMakerModelBiasJobDefinition => list_pages!(
            client,
            list_model_bias_job_definitions,
            job_definition_summaries,
            monitoring_job_definition_name,
            "sagemaker:ListModelBiasJobDefinitions"
        ),
        T::SageMakerModelExplainabilityJobDefinition => list_pages!(
            client,
            list_model_explainability_job_definitions,
            job_definition_summaries,
            monitoring_job_definition_name,
            "sagemaker:ListModelExplainabilityJobDefinitions"
        ),
        T::SageMakerMonitoringSchedule => list_pages!(
            client,
            list_monitoring_schedules,
            monitoring_schedule_summaries,
            monitoring_schedule_name,
            "sagemaker:ListMonitoringSchedules"
        ),
        T::SageMakerInferenceExperiment => list_pages!(
            client,
            list_inference_experiments,
            inference_experiments,
            name,
            "sagemaker:ListInferenceExperiments"
        ),
        T::SageMakerProcessingJob => list_pages!(
            client,
            list_processing_jobs,
            processing_job_summaries,
            processing_job_name,
            "sagemaker:ListProcessingJobs"
        ),
        T::SageMakerTransformJob => list_pages!(
            client,
            list_transform_jobs,
            transform_job_summaries,
            transform_job_name,
            "sagemaker:ListTransformJobs"
        ),
        _ => Vec::new(),
    })
}

/// Every resource of `resource_type`: its List* call (every page), then [`read_one`] each, at
/// most [`CONCURRENCY`](super::CONCURRENCY) in flight. A failed listing is the `Err`; a failed
/// Describe* is that resource's state (gone or unreadable).
pub async fn collect(
    client: &Client,
    scope: &Scope,
    resource_type: ResourceType,
) -> Result<Vec<Subject>, AwsError> {
    let names = list_names(client, resource_type).await?;
    Ok(super::bounded(names, |name| async move {
        read_one(client, scope, resource_type, &name).await
    })
    .await)
}

/// Defines the named collector of one SageMaker type.
macro_rules! collector {
    ($(#[$doc:meta])* $fn_name:ident, $variant:ident) => {
        $(#[$doc])*
        pub async fn $fn_name(client: &Client, scope: &Scope) -> Result<Vec<Subject>, AwsError> {
            collect(client, scope, ResourceType::$variant).await
        }
    };
}

collector!(
    /// Every notebook instance (`ListNotebookInstances`, then `DescribeNotebookInstance` each),
    /// identified by name as Config identifies them.
    collect_notebook_instances,
    SageMakerNotebookInstance
);
collector!(
    /// Every endpoint configuration, identified by name.
    collect_endpoint_configs,
    SageMakerEndpointConfig
);
collector!(
    /// Every training job, identified by name.
    collect_training_jobs,
    SageMakerTrainingJob
);
collector!(
    /// Every model, identified by name.
    collect_models,
    SageMakerModel
);
collector!(
    /// Every domain, identified by domain id.
    collect_domains,
    SageMakerDomain
);
collector!(
    /// Every feature group, identified by name.
    collect_feature_groups,
    SageMakerFeatureGroup
);
collector!(
    /// Every data quality job definition, identified by ARN.
    collect_data_quality_job_definitions,
    SageMakerDataQualityJobDefinition
);
collector!(
    /// Every model quality job definition, identified by ARN.
    collect_model_quality_job_definitions,
    SageMakerModelQualityJobDefinition
);
collector!(
    /// Every model bias job definition, identified by ARN.
    collect_model_bias_job_definitions,
    SageMakerModelBiasJobDefinition
);
collector!(
    /// Every model explainability job definition, identified by ARN.
    collect_model_explainability_job_definitions,
    SageMakerModelExplainabilityJobDefinition
);
collector!(
    /// Every monitoring schedule, identified by name, with the job definition it names read.
    collect_monitoring_schedules,
    SageMakerMonitoringSchedule
);
collector!(
    /// Every inference experiment, identified by name.
    collect_inference_experiments,
    SageMakerInferenceExperiment
);
collector!(
    /// Every processing job, identified by name.
    collect_processing_jobs,
    SageMakerProcessingJob
);
collector!(
    /// Every transform job, identified by name.
    collect_transform_jobs,
    SageMakerTransformJob
);

#[cfg(test)]
mod tests {
    use aws_sdk_sagemaker::types::{
        Channel, CheckpointConfig, DataCaptureConfig, DataSource, DirectInternetAccess,
        ImageConfig, MonitoringClusterConfig, MonitoringOutput, MonitoringS3Output,
        OfflineStoreConfig, OnlineStoreConfig, OnlineStoreSecurityConfig, OutputDataConfig,
        ProductionVariant, ProductionVariantServerlessConfig, RepositoryAccessMode, ResourceConfig,
        RootAccess, S3DataSource, S3StorageConfig, UserSettings,
    };

    use super::*;

    const KEY_ARN: &str =
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const ROLE: &str = "arn:aws:iam::123456789012:role/sm-exec";

    fn reasons(links: Vec<Link>) -> Vec<String> {
        links.into_iter().map(|l| l.reason).collect()
    }

    #[test]
    fn a_training_job_links_its_role_inputs_outputs_keys_and_checkpoints() {
        let channel = |name: &str, uri: &str| {
            Channel::builder()
                .channel_name(name)
                .data_source(
                    DataSource::builder()
                        .s3_data_source(S3DataSource::builder().s3_uri(uri).build())
                        .build(),
                )
                .build()
        };
        let out = DescribeTrainingJobOutput::builder()
            .training_job_name("churn-2026")
            .role_arn(ROLE)
            .input_data_config(channel("train", "s3://ml-data/train/"))
            .input_data_config(channel("validation", "s3://ml-data/validation/"))
            .output_data_config(
                OutputDataConfig::builder()
                    .s3_output_path("s3://ml-out/models/")
                    .kms_key_id(KEY_ARN)
                    .build(),
            )
            .resource_config(ResourceConfig::builder().volume_kms_key_id(KEY_ID).build())
            .checkpoint_config(
                CheckpointConfig::builder()
                    .s3_uri("s3://ml-ckpt/c/")
                    .build(),
            )
            .build();
        assert_eq!(
            reasons(training_job_links(&out, "listed-name")),
            [
                format!("role {ROLE}: execution role of SageMaker training job \"churn-2026\""),
                "bucket \"ml-data\": training input (channel \"train\") of SageMaker training job \"churn-2026\"".into(),
                "bucket \"ml-data\": training input (channel \"validation\") of SageMaker training job \"churn-2026\"".into(),
                "bucket \"ml-out\": output of SageMaker training job \"churn-2026\"".into(),
                format!("KMS key {KEY_ID}: output key of SageMaker training job \"churn-2026\""),
                format!("KMS key {KEY_ID}: volume key of SageMaker training job \"churn-2026\""),
                "bucket \"ml-ckpt\": checkpoint location of SageMaker training job \"churn-2026\"".into(),
            ]
        );
    }

    #[test]
    fn a_notebook_links_its_role_and_volume_key_and_nothing_when_unset() {
        let out = DescribeNotebookInstanceOutput::builder()
            .role_arn(ROLE)
            .kms_key_id(KEY_ID)
            .build();
        assert_eq!(
            reasons(notebook_links(&out, "nb-1")),
            [
                format!("role {ROLE}: execution role of SageMaker notebook instance \"nb-1\""),
                format!("KMS key {KEY_ID}: volume key of SageMaker notebook instance \"nb-1\""),
            ]
        );
        let bare = DescribeNotebookInstanceOutput::builder()
            .kms_key_id(" ")
            .build();
        assert!(notebook_links(&bare, "nb-2").is_empty());
    }

    #[test]
    fn endpoint_configs_models_domains_and_feature_groups_link_what_they_name() {
        let endpoint = DescribeEndpointConfigOutput::builder()
            .kms_key_id(KEY_ARN)
            .data_capture_config(
                DataCaptureConfig::builder()
                    .destination_s3_uri("s3://capture/ep/")
                    .kms_key_id("alias/capture")
                    .build(),
            )
            .build();
        assert_eq!(
            reasons(endpoint_config_links(&endpoint, "ec")),
            [
                format!("KMS key {KEY_ID}: volume key of SageMaker endpoint configuration \"ec\""),
                "bucket \"capture\": data capture destination of SageMaker endpoint configuration \"ec\"".into(),
                "KMS key alias/capture: data capture key of SageMaker endpoint configuration \"ec\"".into(),
            ]
        );

        let model = DescribeModelOutput::builder()
            .model_name("m")
            .execution_role_arn(ROLE)
            .primary_container(
                ContainerDefinition::builder()
                    .model_data_url("s3://artifacts/m/model.tar.gz")
                    .build(),
            )
            .containers(
                ContainerDefinition::builder()
                    .model_data_url("s3://more-artifacts/x.tar.gz")
                    .build(),
            )
            .build();
        assert_eq!(
            reasons(model_links(&model, "m")),
            [
                format!("role {ROLE}: execution role of SageMaker model \"m\""),
                "bucket \"artifacts\": model artifacts of SageMaker model \"m\"".into(),
                "bucket \"more-artifacts\": model artifacts of SageMaker model \"m\"".into(),
            ]
        );

        let domain = DescribeDomainOutput::builder()
            .domain_id("d-abc")
            .domain_name("studio")
            .default_user_settings(UserSettings::builder().execution_role(ROLE).build())
            .kms_key_id(KEY_ID)
            .build();
        assert_eq!(
            reasons(domain_links(&domain, "d-abc")),
            [
                format!(
                    "role {ROLE}: default user execution role of SageMaker domain \"studio\" (d-abc)"
                ),
                format!("KMS key {KEY_ID}: storage key of SageMaker domain \"studio\" (d-abc)"),
            ]
        );

        let group = DescribeFeatureGroupOutput::builder()
            .feature_group_name("fg")
            .role_arn(ROLE)
            .offline_store_config(
                OfflineStoreConfig::builder()
                    .s3_storage_config(
                        S3StorageConfig::builder()
                            .s3_uri("s3://features/fg")
                            .kms_key_id(KEY_ARN)
                            .build(),
                    )
                    .build(),
            )
            .online_store_config(
                OnlineStoreConfig::builder()
                    .enable_online_store(true)
                    .security_config(
                        OnlineStoreSecurityConfig::builder()
                            .kms_key_id("alias/online")
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            reasons(feature_group_links(&group, "fg")),
            [
                "bucket \"features\": offline store of SageMaker feature group \"fg\"".into(),
                format!("KMS key {KEY_ID}: offline store key of SageMaker feature group \"fg\""),
                format!("role {ROLE}: offline store role of SageMaker feature group \"fg\""),
                "KMS key alias/online: online store key of SageMaker feature group \"fg\"".into(),
            ]
        );
    }

    #[test]
    fn a_monitoring_job_definition_links_its_role_outputs_and_keys() {
        let output = MonitoringOutputConfig::builder()
            .monitoring_outputs(
                MonitoringOutput::builder()
                    .s3_output(
                        MonitoringS3Output::builder()
                            .s3_uri("s3://monitoring/dq/")
                            .build(),
                    )
                    .build(),
            )
            .kms_key_id(KEY_ID)
            .build();
        let resources = MonitoringResources::builder()
            .cluster_config(
                MonitoringClusterConfig::builder()
                    .volume_kms_key_id("alias/volumes")
                    .build(),
            )
            .build();
        assert_eq!(
            reasons(monitoring_links(
                "SageMaker data quality job definition \"dq\"",
                Some(ROLE),
                Some(&output),
                Some(&resources)
            )),
            [
                format!(
                    "role {ROLE}: execution role of SageMaker data quality job definition \"dq\""
                ),
                "bucket \"monitoring\": output of SageMaker data quality job definition \"dq\""
                    .into(),
                format!(
                    "KMS key {KEY_ID}: output key of SageMaker data quality job definition \"dq\""
                ),
                "KMS key alias/volumes: volume key of SageMaker data quality job definition \"dq\""
                    .into(),
            ]
        );
    }

    /// The resource a Config item fixture of `tests/fixtures/sagemaker/` decodes to.
    fn decoded(fixture: &str) -> Resource {
        let value: serde_json::Value = serde_json::from_str(fixture).unwrap();
        let item = ConfigurationItem::from_notification(&value).unwrap();
        match crate::adapters::config_item::decode(&item) {
            Decoded::Resource(resource) => resource,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_notebook_from_the_api_carries_its_platform_as_its_config_item_does() {
        let out = DescribeNotebookInstanceOutput::builder()
            .notebook_instance_name("genai-al2-nb")
            .kms_key_id(KEY_ARN)
            .root_access(RootAccess::Disabled)
            .direct_internet_access(DirectInternetAccess::Disabled)
            .subnet_id("subnet-0abc1234")
            .platform_identifier("notebook-al2-v3")
            .build();
        let api = notebook_from_api(&out, "genai-al2-nb");
        assert_eq!(api.platform_identifier.as_deref(), Some("notebook-al2-v3"));
        assert_eq!(
            Resource::SageMakerNotebookInstance(api),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/notebook-al2-platform.json"
            ))
        );
        let unreported =
            notebook_from_api(&DescribeNotebookInstanceOutput::builder().build(), "nb");
        assert_eq!(unreported.platform_identifier, None);
    }

    #[test]
    fn endpoint_variants_from_the_api_carry_instance_counts_and_serverless_as_config_items_do() {
        let variant = |name: &str, count: i32| {
            ProductionVariant::builder()
                .variant_name(name)
                .model_name("genai-summarizer")
                .initial_instance_count(count)
                .build()
        };
        let out = DescribeEndpointConfigOutput::builder()
            .endpoint_config_name("genai-single-instance-ec")
            .production_variants(variant("Primary", 1))
            .production_variants(variant("Canary", 2))
            .build();
        assert_eq!(
            Resource::SageMakerEndpointConfig(endpoint_config_from_api(&out, "listed")),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/endpoint-config-single-instance.json"
            ))
        );
        let serverless = DescribeEndpointConfigOutput::builder()
            .endpoint_config_name("genai-serverless-ec")
            .production_variants(
                ProductionVariant::builder()
                    .variant_name("AllTraffic")
                    .serverless_config(
                        ProductionVariantServerlessConfig::builder()
                            .memory_size_in_mb(4096)
                            .max_concurrency(5)
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            Resource::SageMakerEndpointConfig(endpoint_config_from_api(&serverless, "listed")),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/endpoint-config-serverless.json"
            ))
        );
    }

    #[test]
    fn model_containers_from_the_api_carry_their_repository_access_mode_as_config_items_do() {
        let container = |host: &str, image: &str, mode: Option<RepositoryAccessMode>| {
            let mut c = ContainerDefinition::builder()
                .container_hostname(host)
                .image(image);
            if let Some(mode) = mode {
                c = c.image_config(ImageConfig::builder().repository_access_mode(mode).build());
            }
            c.build()
        };
        let pipeline = DescribeModelOutput::builder()
            .model_name("genai-pipeline-mixed")
            .enable_network_isolation(true)
            .containers(container(
                "preprocess",
                "registry.ml.internal.example.com:5000/genai/preprocess:7",
                Some(RepositoryAccessMode::Vpc),
            ))
            .containers(container(
                "predict",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/genai-summarizer:3",
                None,
            ))
            .build();
        assert_eq!(
            Resource::SageMakerModel(model_from_api(&pipeline, "listed")),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/model-pipeline-mixed-registry.json"
            ))
        );
        let primary = DescribeModelOutput::builder()
            .model_name("genai-private-registry")
            .enable_network_isolation(true)
            .primary_container(container(
                "summarizer",
                "registry.ml.internal.example.com:5000/genai/summarizer:3",
                Some(RepositoryAccessMode::Vpc),
            ))
            .build();
        assert_eq!(
            Resource::SageMakerModel(model_from_api(&primary, "listed")),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/model-private-registry.json"
            ))
        );
    }

    #[test]
    fn a_monitoring_definition_from_the_api_reads_isolation_apart_from_encryption() {
        let network = MonitoringNetworkConfig::builder()
            .enable_network_isolation(true)
            .enable_inter_container_traffic_encryption(false)
            .build();
        let definition =
            monitoring_job_definition_from_api("genai-data-quality-isolated", Some(&network));
        assert_eq!(
            Resource::SageMakerDataQualityJobDefinition(definition),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/data-quality-job-definition-isolated.json"
            ))
        );
        let unset = monitoring_job_definition_from_api("d", None);
        assert!(!unset.network_isolation && !unset.inter_container_traffic_encryption);
    }

    #[test]
    fn a_monitoring_schedule_from_the_api_reads_an_embedded_definition_as_its_config_item_does() {
        use aws_sdk_sagemaker::types::{
            MonitoringJobDefinition as Embedded, MonitoringScheduleConfig,
        };
        let embedded = Embedded::builder()
            .network_config(
                NetworkConfig::builder()
                    .enable_network_isolation(true)
                    .enable_inter_container_traffic_encryption(true)
                    .build(),
            )
            .role_arn(ROLE)
            .build();
        let out = DescribeMonitoringScheduleOutput::builder()
            .monitoring_schedule_name("genai-dq-hourly-protected")
            .monitoring_type(MonitoringType::DataQuality)
            .monitoring_schedule_config(
                MonitoringScheduleConfig::builder()
                    .monitoring_job_definition(embedded)
                    .monitoring_type(MonitoringType::DataQuality)
                    .build(),
            )
            .build();
        assert_eq!(
            Resource::SageMakerMonitoringSchedule(monitoring_schedule_from_api(
                &out, "listed", None
            )),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/monitoring-schedule-embedded-protected.json"
            ))
        );
        let named = DescribeMonitoringScheduleOutput::builder()
            .monitoring_schedule_name("genai-mq-daily")
            .monitoring_schedule_config(
                MonitoringScheduleConfig::builder()
                    .monitoring_job_definition_name("genai-model-quality-isolated")
                    .monitoring_type(MonitoringType::ModelQuality)
                    .build(),
            )
            .build();
        let unread = monitoring_schedule_from_api(&named, "genai-mq-daily", None);
        assert_eq!(
            unread.definition_name.as_deref(),
            Some("genai-model-quality-isolated")
        );
        assert!(unread.network.is_err());
        let denied = Err(Unreadable::new("denied"));
        assert_eq!(
            monitoring_schedule_from_api(&named, "genai-mq-daily", Some(denied.clone())).network,
            denied
        );
    }

    #[test]
    fn an_inference_experiment_from_the_api_carries_its_keys_as_its_config_item_does() {
        use aws_sdk_sagemaker::types::InferenceExperimentDataStorageConfig;
        let out = DescribeInferenceExperimentOutput::builder()
            .name("genai-shadow-encrypted")
            .role_arn(ROLE)
            .kms_key(KEY_ARN)
            .data_storage_config(
                InferenceExperimentDataStorageConfig::builder()
                    .destination("s3://genai-experiment-capture/summarizer/")
                    .kms_key(KEY_ARN)
                    .build(),
            )
            .build();
        assert_eq!(
            Resource::SageMakerInferenceExperiment(inference_experiment_from_api(&out, "listed")),
            decoded(include_str!(
                "../../../tests/fixtures/sagemaker/inference-experiment-encrypted.json"
            ))
        );
        assert_eq!(
            reasons(inference_experiment_links(&out, "listed")),
            [
                format!(
                    "role {ROLE}: execution role of SageMaker inference experiment \"genai-shadow-encrypted\""
                ),
                format!(
                    "KMS key {KEY_ID}: volume key of SageMaker inference experiment \"genai-shadow-encrypted\""
                ),
                "bucket \"genai-experiment-capture\": data capture destination of SageMaker inference experiment \"genai-shadow-encrypted\"".into(),
                format!(
                    "KMS key {KEY_ID}: data capture key of SageMaker inference experiment \"genai-shadow-encrypted\""
                ),
            ]
        );
    }

    #[test]
    fn processing_and_transform_jobs_read_their_volume_and_output_keys_and_link_their_data() {
        use aws_sdk_sagemaker::types::{
            ProcessingClusterConfig, ProcessingInput, ProcessingOutput, ProcessingOutputConfig,
            ProcessingResources, ProcessingS3Input, ProcessingS3Output, TransformDataSource,
            TransformInput, TransformOutput, TransformResources, TransformS3DataSource,
        };
        let processing = DescribeProcessingJobOutput::builder()
            .processing_job_name("prep")
            .role_arn(ROLE)
            .processing_inputs(
                ProcessingInput::builder()
                    .s3_input(
                        ProcessingS3Input::builder()
                            .s3_uri("s3://raw-data/in/")
                            .build(),
                    )
                    .build(),
            )
            .processing_output_config(
                ProcessingOutputConfig::builder()
                    .outputs(
                        ProcessingOutput::builder()
                            .s3_output(
                                ProcessingS3Output::builder()
                                    .s3_uri("s3://features/out/")
                                    .build(),
                            )
                            .build(),
                    )
                    .kms_key_id("alias/output")
                    .build(),
            )
            .processing_resources(
                ProcessingResources::builder()
                    .cluster_config(
                        ProcessingClusterConfig::builder()
                            .volume_kms_key_id(KEY_ARN)
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            processing_job_from_api(&processing, "listed")
                .volume_kms_key_id
                .as_deref(),
            Some(KEY_ARN)
        );
        assert_eq!(
            reasons(processing_job_links(&processing, "listed")),
            [
                format!("role {ROLE}: execution role of SageMaker processing job \"prep\""),
                "bucket \"raw-data\": processing input of SageMaker processing job \"prep\"".into(),
                "bucket \"features\": output of SageMaker processing job \"prep\"".into(),
                "KMS key alias/output: output key of SageMaker processing job \"prep\"".into(),
                format!("KMS key {KEY_ID}: volume key of SageMaker processing job \"prep\""),
            ]
        );
        let transform = DescribeTransformJobOutput::builder()
            .transform_job_name("batch")
            .transform_input(
                TransformInput::builder()
                    .data_source(
                        TransformDataSource::builder()
                            .s3_data_source(
                                TransformS3DataSource::builder()
                                    .s3_uri("s3://batch-in/claims/")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .transform_output(
                TransformOutput::builder()
                    .s3_output_path("s3://batch-out/")
                    .kms_key_id("alias/output")
                    .build(),
            )
            .transform_resources(
                TransformResources::builder()
                    .volume_kms_key_id(KEY_ID)
                    .build(),
            )
            .build();
        let job = transform_job_from_api(&transform, "listed");
        assert_eq!(
            (
                job.volume_kms_key_id.as_deref(),
                job.output_kms_key_id.as_deref()
            ),
            (Some(KEY_ID), Some("alias/output"))
        );
        assert_eq!(
            reasons(transform_job_links(&transform, "listed")),
            [
                "bucket \"batch-in\": transform input of SageMaker transform job \"batch\"".into(),
                "bucket \"batch-out\": output of SageMaker transform job \"batch\"".into(),
                "KMS key alias/output: output key of SageMaker transform job \"batch\"".into(),
                format!("KMS key {KEY_ID}: volume key of SageMaker transform job \"batch\""),
            ]
        );
    }

    #[test]
    fn sagemaker_arns_are_built_lower_case_as_sagemaker_writes_them() {
        let scope = Scope {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        };
        assert_eq!(
            sagemaker_arn(&scope, "data-quality-job-definition", "Claims-DQ"),
            "arn:aws:sagemaker:us-east-1:123456789012:data-quality-job-definition/claims-dq"
        );
    }

    #[test]
    fn not_found_is_recognised_in_both_of_sagemakers_forms() {
        assert!(is_not_found(Some("ResourceNotFound"), None));
        assert!(is_not_found(
            Some("ValidationException"),
            Some("RecordNotFound")
        ));
        assert!(is_not_found(
            Some("ValidationException"),
            Some("Could not find model \"arn:aws:sagemaker:us-east-1:123456789012:model/m\".")
        ));
        assert!(is_not_found(
            Some("ValidationException"),
            Some("Requested resource not found.")
        ));
        assert!(!is_not_found(
            Some("ValidationException"),
            Some("1 validation error detected")
        ));
        assert!(!is_not_found(
            Some("AccessDeniedException"),
            Some("not found")
        ));
    }
}

//! Checks on SageMaker resources: encryption at rest with customer managed KMS keys (SECAI3.3),
//! inter-container traffic encryption (SECAI3.2), and network and root-access restrictions
//! (SECAI3.7).

use crate::catalog::framework::{SECAI3_2, SECAI3_3, SECAI3_7};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::resources::sagemaker::{
    Domain, EndpointConfig, FeatureGroup, Model, MonitoringJobDefinition, NotebookInstance,
    TrainingJob,
};

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &NOTEBOOK_KMS_KEY,
    &NOTEBOOK_ROOT_ACCESS_DISABLED,
    &NOTEBOOK_NO_DIRECT_INTERNET_ACCESS,
    &NOTEBOOK_IN_VPC,
    &ENDPOINT_CONFIG_KMS_KEY,
    &TRAINING_JOB_VOLUME_KMS_KEY,
    &TRAINING_JOB_OUTPUT_KMS_KEY,
    &TRAINING_JOB_INTER_CONTAINER_ENCRYPTION,
    &TRAINING_JOB_NETWORK_ISOLATION,
    &MODEL_NETWORK_ISOLATION,
    &DOMAIN_KMS_KEY,
    &FEATURE_GROUP_OFFLINE_STORE_KMS_KEY,
    &FEATURE_GROUP_ONLINE_STORE_KMS_KEY,
    &DATA_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION,
    &MODEL_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION,
    &MODEL_BIAS_JOB_INTER_CONTAINER_ENCRYPTION,
    &MODEL_EXPLAINABILITY_JOB_INTER_CONTAINER_ENCRYPTION,
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

/// SECAI3.3: the notebook's ML storage volume is encrypted with a customer managed KMS key.
pub static NOTEBOOK_KMS_KEY: Check = Check {
    id: "sagemaker_notebook_instance_kms_key",
    version: 1,
    title: "SageMaker notebook instance storage is encrypted with a customer managed KMS key",
    controls: &[&SECAI3_3],
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
    severity: Severity::Medium,
    api_actions: &[
        "sagemaker:ListEndpointConfigs",
        "sagemaker:DescribeEndpointConfig",
    ],
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
    severity: Severity::Medium,
    api_actions: &["sagemaker:ListModels", "sagemaker:DescribeModel"],
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
    severity: Severity::Medium,
    api_actions: &[
        "sagemaker:ListDataQualityJobDefinitions",
        "sagemaker:DescribeDataQualityJobDefinition",
    ],
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
    severity: Severity::Medium,
    api_actions: &[
        "sagemaker:ListModelQualityJobDefinitions",
        "sagemaker:DescribeModelQualityJobDefinition",
    ],
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
    severity: Severity::Medium,
    api_actions: &[
        "sagemaker:ListModelBiasJobDefinitions",
        "sagemaker:DescribeModelBiasJobDefinition",
    ],
    passes_when: "NetworkConfig.EnableInterContainerTrafficEncryption is true (AWS Config rule sagemaker-model-bias-job-encrypt-in-transit).",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableInterContainerTrafficEncryption=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelBiasJobDefinition(monitoring_inter_container_encryption),
};

/// SECAI3.2: model explainability monitoring jobs encrypt inter-container traffic (SageMaker.10).
pub static MODEL_EXPLAINABILITY_JOB_INTER_CONTAINER_ENCRYPTION: Check = Check {
    id: "sagemaker_model_explainability_job_definition_inter_container_encryption",
    version: 1,
    title: "SageMaker model explainability job definition encrypts traffic between its containers",
    controls: &[&SECAI3_2],
    severity: Severity::Medium,
    api_actions: &[
        "sagemaker:ListModelExplainabilityJobDefinitions",
        "sagemaker:DescribeModelExplainabilityJobDefinition",
    ],
    passes_when: "NetworkConfig.EnableInterContainerTrafficEncryption is true (AWS Config rule sagemaker-model-explainability-job-encrypt-in-transit).",
    remediation: "Job definitions are immutable: create a new one with NetworkConfig.EnableInterContainerTrafficEncryption=true, point the monitoring schedule at it, delete the old one.",
    evaluator: Evaluator::SageMakerModelExplainabilityJobDefinition(
        monitoring_inter_container_encryption,
    ),
};

/// The trimmed key, if one is named.
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

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::adapters::config_item::{ConfigurationItem, Decoded, decode};
    use crate::domain::outcome::Verdict;
    use crate::domain::resource::{Resource, ResourceRef, ResourceType};
    use crate::domain::time::Timestamp;
    use crate::evaluate::{Subject, SubjectState, evaluate};

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
        assert_verdict(
            &run(
                check,
                fixture!("data-quality-job-definition-encrypted.json"),
            ),
            Verdict::Compliant,
        );
        assert_verdict(
            &run(
                check,
                fixture!("data-quality-job-definition-unencrypted.json"),
            ),
            Verdict::NonCompliant,
        );
        assert_verdict(
            &run(
                check,
                fixture!("data-quality-job-definition-unreadable.json"),
            ),
            Verdict::CouldNotEvaluate,
        );
    }

    #[test]
    fn model_quality_job_definition_needs_inter_container_encryption() {
        let check = &MODEL_QUALITY_JOB_INTER_CONTAINER_ENCRYPTION;
        assert_verdict(
            &run(
                check,
                fixture!("model-quality-job-definition-encrypted.json"),
            ),
            Verdict::Compliant,
        );
        assert_verdict(
            &run(
                check,
                fixture!("model-quality-job-definition-unencrypted.json"),
            ),
            Verdict::NonCompliant,
        );
        assert_verdict(
            &run(
                check,
                fixture!("model-quality-job-definition-unreadable.json"),
            ),
            Verdict::CouldNotEvaluate,
        );
    }

    #[test]
    fn model_bias_job_definition_needs_inter_container_encryption() {
        let check = &MODEL_BIAS_JOB_INTER_CONTAINER_ENCRYPTION;
        assert_verdict(
            &run(check, fixture!("model-bias-job-definition-encrypted.json")),
            Verdict::Compliant,
        );
        assert_verdict(
            &run(
                check,
                fixture!("model-bias-job-definition-unencrypted.json"),
            ),
            Verdict::NonCompliant,
        );
        assert_verdict(
            &run(check, fixture!("model-bias-job-definition-unreadable.json")),
            Verdict::CouldNotEvaluate,
        );
    }

    #[test]
    fn model_explainability_job_definition_needs_inter_container_encryption() {
        let check = &MODEL_EXPLAINABILITY_JOB_INTER_CONTAINER_ENCRYPTION;
        assert_verdict(
            &run(
                check,
                fixture!("model-explainability-job-definition-encrypted.json"),
            ),
            Verdict::Compliant,
        );
        assert_verdict(
            &run(
                check,
                fixture!("model-explainability-job-definition-unencrypted.json"),
            ),
            Verdict::NonCompliant,
        );
        assert_verdict(
            &run(
                check,
                fixture!("model-explainability-job-definition-unreadable.json"),
            ),
            Verdict::CouldNotEvaluate,
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
    fn every_sagemaker_check_is_registered_once() {
        assert_eq!(CHECKS.len(), 17);
        for check in CHECKS {
            assert_eq!(
                crate::catalog::find_check(check.id).map(|c| c.id),
                Some(check.id)
            );
        }
    }
}

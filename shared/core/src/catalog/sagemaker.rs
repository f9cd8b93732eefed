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

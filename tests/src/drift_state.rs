//! The state each sample CloudTrail event in `events/drift-*.json` leaves behind, put into moto so
//! that `cloudtrail-drift` re-reads what the call really did: a trail whose logging is stopped, a
//! key with rotation disabled, a policy whose default version is the call's document, ...
//!
//! Every id and value comes from the sample event itself (`requestParameters`), so the seeded
//! resources are the ones the call names. What a call presupposes is created when missing (the
//! trail before `StopLogging`, the bucket before `DeleteBucketEncryption`), then the call is
//! applied, so a sample can be seeded on its own or after the others; a `Create*` sample can be
//! seeded once (again, moto answers that the resource exists, as AWS would).
//!
//! The samples are CloudTrail records, so their `requestParameters` are in CloudTrail's casing:
//! camelCase for every service, SageMaker included (`notebookInstanceName`,
//! `resourceConfig/volumeSizeInGB`), although SageMaker's API input is PascalCase. The readers
//! here use those keys; the PascalCase records kept in `events/negative/` are not a real shape
//! and are never seeded.
//!
//! Where moto cannot hold the state, nothing is seeded and [`leave_state_of`] says why:
//! guardrails and knowledge-base data sources (moto 5.2.5 does not implement their APIs) and
//! agents (moto draws agent ids at random, so no agent can carry the sample's id). Where moto
//! lacks only the call, the state it leaves is built another way: a log group created without a
//! key stands for `DisassociateKmsKey`, and a notebook re-created with the update's settings for
//! `UpdateNotebookInstance` (moto 5.2.5 has no `UpdateNotebookInstance`).

use aws_config::SdkConfig;
use serde_json::Value;

/// What [`leave_state_of`] did for one sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    /// moto now holds the state the call leaves behind.
    State,
    /// The call changes nothing a check reads (a failed, read-only or unmapped call).
    NothingToSeed,
    /// moto cannot hold the state; the reason.
    NotEmulated(&'static str),
}

/// The bucket the seeded trail delivers to.
pub const TRAIL_BUCKET: &str = "genai-org-trail-logs";

/// The customer managed stand-in for the AWS managed `AdministratorAccess` policy, which moto does
/// not load (it holds no AWS managed policies by default).
pub const ADMIN_EQUIVALENT_POLICY: &str = "AdministratorAccess-equivalent";

/// A string at `pointer` in the sample's `requestParameters`.
fn request(event: &Value, pointer: &str) -> Result<String, String> {
    event["detail"]["requestParameters"]
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("the sample has no requestParameters{pointer}"))
}

/// A number at `pointer` in the sample's `requestParameters`.
fn request_number(event: &Value, pointer: &str) -> Result<i32, String> {
    event["detail"]["requestParameters"]
        .pointer(pointer)
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| format!("the sample has no number at requestParameters{pointer}"))
}

/// The key id in a key ARN, else the text as given.
fn key_id(id: &str) -> &str {
    id.rsplit_once(":key/").map_or(id, |(_, key)| key)
}

/// Puts moto (`conf`) in the state the call of `events/<sample>.json` leaves behind.
pub async fn leave_state_of(conf: &SdkConfig, sample: &str) -> Result<Seeded, String> {
    let event = crate::event(sample);
    match sample {
        "drift-bedrock-createmodelcustomizationjob" => customization_job(conf, &event).await,
        "drift-bedrock-deletemodelinvocationloggingconfiguration" => {
            aws_sdk_bedrock::Client::new(conf)
                .delete_model_invocation_logging_configuration()
                .send()
                .await
                .map_err(|e| format!("delete_model_invocation_logging_configuration: {e:?}"))?;
            Ok(Seeded::State)
        }
        "drift-bedrock-deleteguardrail" => Ok(Seeded::NotEmulated(
            "moto 5.2.5 does not implement the guardrail APIs",
        )),
        "drift-bedrock-updatedatasource" => Ok(Seeded::NotEmulated(
            "moto 5.2.5 does not implement the knowledge-base data source APIs",
        )),
        "drift-bedrock-agentcore-updategateway" => Ok(Seeded::NotEmulated(
            "moto draws gateway ids at random: no gateway can carry the sample's id",
        )),
        "drift-bedrock-updateagent" => Ok(Seeded::NotEmulated(
            "moto draws agent ids at random: no agent can carry the sample's id",
        )),
        "drift-cloudtrail-stoplogging" => {
            let trail = request(&event, "/name")?;
            let client = aws_sdk_cloudtrail::Client::new(conf);
            logging_trail(conf, &client, &trail).await?;
            client
                .stop_logging()
                .name(&trail)
                .send()
                .await
                .map_err(|e| format!("stop_logging {trail}: {e:?}"))?;
            Ok(Seeded::State)
        }
        "drift-cloudtrail-deletetrail" => {
            let trail = request(&event, "/name")?;
            let client = aws_sdk_cloudtrail::Client::new(conf);
            logging_trail(conf, &client, &trail).await?;
            // By name: moto's DeleteTrail silently ignores an ARN (AWS takes either).
            let name = trail
                .rsplit_once(":trail/")
                .map_or(trail.as_str(), |(_, n)| n);
            client
                .delete_trail()
                .name(name)
                .send()
                .await
                .map_err(|e| format!("delete_trail {name}: {e:?}"))?;
            Ok(Seeded::State)
        }
        "drift-iam-attachrolepolicy" => admin_role(conf, &request(&event, "/roleName")?).await,
        "drift-iam-createpolicyversion" => policy_versions(conf, &event).await,
        "drift-kms-disablekeyrotation" => {
            let kms = aws_sdk_kms::Client::new(conf);
            let id = key(&kms, key_id(&request(&event, "/keyId")?)).await?;
            kms.enable_key_rotation()
                .key_id(&id)
                .send()
                .await
                .map_err(|e| format!("enable_key_rotation {id}: {e:?}"))?;
            kms.disable_key_rotation()
                .key_id(&id)
                .send()
                .await
                .map_err(|e| format!("disable_key_rotation {id}: {e:?}"))?;
            Ok(Seeded::State)
        }
        "drift-kms-schedulekeydeletion" => {
            let kms = aws_sdk_kms::Client::new(conf);
            let id = key(&kms, key_id(&request(&event, "/keyId")?)).await?;
            kms.schedule_key_deletion()
                .key_id(&id)
                .pending_window_in_days(request_number(&event, "/pendingWindowInDays")?)
                .send()
                .await
                .map_err(|e| format!("schedule_key_deletion {id}: {e:?}"))?;
            Ok(Seeded::State)
        }
        // moto's CloudWatch Logs has no AssociateKmsKey / DisassociateKmsKey: the state after the
        // call is a group created without a key.
        "drift-logs-disassociatekmskey" => {
            log_group(conf, &request(&event, "/logGroupName")?).await?;
            Ok(Seeded::State)
        }
        "drift-logs-putretentionpolicy" => {
            let name = request(&event, "/logGroupName")?;
            let logs = log_group(conf, &name).await?;
            logs.put_retention_policy()
                .log_group_name(&name)
                .retention_in_days(request_number(&event, "/retentionInDays")?)
                .send()
                .await
                .map_err(|e| format!("put_retention_policy {name}: {e:?}"))?;
            Ok(Seeded::State)
        }
        "drift-s3-deletebucketencryption" => {
            let name = request(&event, "/bucketName")?;
            let s3 = hardened_bucket(conf, &name).await?;
            s3.delete_bucket_encryption()
                .bucket(&name)
                .send()
                .await
                .map_err(|e| format!("delete_bucket_encryption {name}: {e:?}"))?;
            Ok(Seeded::State)
        }
        "drift-s3-deletebucketpublicaccessblock" => {
            let name = request(&event, "/bucketName")?;
            let s3 = hardened_bucket(conf, &name).await?;
            s3.delete_public_access_block()
                .bucket(&name)
                .send()
                .await
                .map_err(|e| format!("delete_public_access_block {name}: {e:?}"))?;
            Ok(Seeded::State)
        }
        "drift-sagemaker-createnotebookinstance" => notebook(conf, &event).await,
        "drift-sagemaker-updatenotebookinstance" => updated_notebook(conf, &event).await,
        "drift-sagemaker-createtrainingjob" => training_job(conf, &event).await,
        "drift-failed-call" | "drift-read-only-call" | "drift-unmapped-call" => {
            Ok(Seeded::NothingToSeed)
        }
        other => Err(format!(
            "no seeding for {other}: add the state its call leaves behind to rig::drift_state"
        )),
    }
}

/// The bucket, created hardened with SSE-KMS when missing (its state before the call).
async fn hardened_bucket(conf: &SdkConfig, name: &str) -> Result<aws_sdk_s3::Client, String> {
    let s3 = crate::s3_client(conf);
    if s3.head_bucket().bucket(name).send().await.is_err() {
        crate::seed::bucket(&s3, name, Some(crate::seed::KEY_ARN), true).await?;
    }
    Ok(s3)
}

/// The key with this id, created when missing (moto takes the id from the `_custom_key_id_` tag,
/// a `tools/moto_server.py` addition). Returns the id.
async fn key(kms: &aws_sdk_kms::Client, id: &str) -> Result<String, String> {
    if kms.describe_key().key_id(id).send().await.is_ok() {
        return Ok(id.to_owned());
    }
    let tag = aws_sdk_kms::types::Tag::builder()
        .tag_key("_custom_key_id_")
        .tag_value(id)
        .build()
        .map_err(|e| e.to_string())?;
    let created = kms
        .create_key()
        .description(format!("genai-evidence drift sample key {id}"))
        .tags(tag)
        .send()
        .await
        .map_err(|e| format!("create_key {id}: {e:?}"))?
        .key_metadata()
        .map(|m| m.key_id().to_owned())
        .ok_or("create_key returned no key")?;
    if created != id {
        return Err(format!(
            "moto created key {created}, not {id}: is tools/moto_server.py's custom key id in place?"
        ));
    }
    Ok(created)
}

/// A multi-region trail named `trail` (a name or an ARN) that logs, created when missing with its
/// bucket.
async fn logging_trail(
    conf: &SdkConfig,
    client: &aws_sdk_cloudtrail::Client,
    trail: &str,
) -> Result<(), String> {
    let name = trail.rsplit_once(":trail/").map_or(trail, |(_, n)| n);
    let exists = client
        .describe_trails()
        .trail_name_list(name)
        .send()
        .await
        .map_err(|e| format!("describe_trails: {e:?}"))?
        .trail_list()
        .iter()
        .any(|t| t.name() == Some(name));
    if !exists {
        let s3 = crate::s3_client(conf);
        if s3.head_bucket().bucket(TRAIL_BUCKET).send().await.is_err() {
            crate::seed::bucket(&s3, TRAIL_BUCKET, Some(crate::seed::KEY_ARN), false).await?;
        }
        client
            .create_trail()
            .name(name)
            .s3_bucket_name(TRAIL_BUCKET)
            .is_multi_region_trail(true)
            .enable_log_file_validation(true)
            .send()
            .await
            .map_err(|e| format!("create_trail {name}: {e:?}"))?;
    }
    client
        .start_logging()
        .name(name)
        .send()
        .await
        .map_err(|e| format!("start_logging {name}: {e:?}"))?;
    Ok(())
}

/// The log group, created without a KMS key when missing.
async fn log_group(conf: &SdkConfig, name: &str) -> Result<aws_sdk_cloudwatchlogs::Client, String> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(conf);
    let exists = logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(|e| format!("describe_log_groups: {e:?}"))?
        .log_groups()
        .iter()
        .any(|g| g.log_group_name() == Some(name));
    if !exists {
        logs.create_log_group()
            .log_group_name(name)
            .send()
            .await
            .map_err(|e| format!("create_log_group {name}: {e:?}"))?;
    }
    Ok(logs)
}

/// The role with an administrator policy attached: [`ADMIN_EQUIVALENT_POLICY`], a customer managed
/// policy with `AdministratorAccess`'s document (`*` on `*`), since moto has no AWS managed
/// policies.
async fn admin_role(conf: &SdkConfig, role: &str) -> Result<Seeded, String> {
    let iam = aws_sdk_iam::Client::new(conf);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    if iam.get_role().role_name(role).send().await.is_err() {
        iam.create_role()
            .role_name(role)
            .assume_role_policy_document(trust)
            .send()
            .await
            .map_err(|e| format!("create_role {role}: {e:?}"))?;
    }
    let arn = format!(
        "arn:aws:iam::{}:policy/{ADMIN_EQUIVALENT_POLICY}",
        crate::ACCOUNT_ID
    );
    if iam.get_policy().policy_arn(&arn).send().await.is_err() {
        iam.create_policy()
            .policy_name(ADMIN_EQUIVALENT_POLICY)
            .description("Customer managed stand-in for the AWS managed AdministratorAccess policy (moto loads no AWS managed policies)")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .send()
            .await
            .map_err(|e| format!("create_policy {ADMIN_EQUIVALENT_POLICY}: {e:?}"))?;
    }
    iam.attach_role_policy()
        .role_name(role)
        .policy_arn(&arn)
        .send()
        .await
        .map_err(|e| format!("attach_role_policy {role}: {e:?}"))?;
    Ok(Seeded::State)
}

/// The customer managed policy with two narrower versions, then the sample's document as the
/// default version (`v3`, as the sample's response says).
async fn policy_versions(conf: &SdkConfig, event: &Value) -> Result<Seeded, String> {
    let iam = aws_sdk_iam::Client::new(conf);
    let arn = request(event, "/policyArn")?;
    let name = arn.rsplit('/').next().unwrap_or(&arn).to_owned();
    let document = request(event, "/policyDocument")?;
    let model =
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
    let v1 = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"{model}"}}]}}"#
    );
    let v2 = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],"Resource":"{model}"}}]}}"#
    );
    if iam.get_policy().policy_arn(&arn).send().await.is_err() {
        iam.create_policy()
            .policy_name(&name)
            .policy_document(v1)
            .send()
            .await
            .map_err(|e| format!("create_policy {name}: {e:?}"))?;
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(v2)
            .set_as_default(true)
            .send()
            .await
            .map_err(|e| format!("create_policy_version {name}: {e:?}"))?;
    }
    iam.create_policy_version()
        .policy_arn(&arn)
        .policy_document(document)
        .set_as_default(true)
        .send()
        .await
        .map_err(|e| format!("create_policy_version {name}: {e:?}"))?;
    Ok(Seeded::State)
}

/// The notebook instance as the sample creates it (no KMS key, direct internet access and root
/// access enabled, no VPC); a `kmsKeyId`, `subnetId` or `securityGroupIds` the call names is
/// passed on.
async fn notebook(conf: &SdkConfig, event: &Value) -> Result<Seeded, String> {
    use aws_sdk_sagemaker::types::{DirectInternetAccess, InstanceType, RootAccess};
    let name = request(event, "/notebookInstanceName")?;
    aws_sdk_sagemaker::Client::new(conf)
        .create_notebook_instance()
        .notebook_instance_name(&name)
        .instance_type(InstanceType::from(
            request(event, "/instanceType")?.as_str(),
        ))
        .role_arn(request(event, "/roleArn")?)
        .direct_internet_access(DirectInternetAccess::from(
            request(event, "/directInternetAccess")?.as_str(),
        ))
        .root_access(RootAccess::from(request(event, "/rootAccess")?.as_str()))
        .volume_size_in_gb(request_number(event, "/volumeSizeInGB")?)
        .platform_identifier(request(event, "/platformIdentifier")?)
        .set_kms_key_id(request(event, "/kmsKeyId").ok())
        .set_subnet_id(request(event, "/subnetId").ok())
        .set_security_group_ids(
            event["detail"]["requestParameters"]["securityGroupIds"]
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                }),
        )
        .send()
        .await
        .map_err(|e| format!("create_notebook_instance {name}: {e:?}"))?;
    Ok(Seeded::State)
}

/// The notebook instance after the sample's `UpdateNotebookInstance`: created as
/// `drift-sagemaker-createnotebookinstance` makes it when missing, then given the settings the
/// update names (`rootAccess`, `instanceType`, `roleArn`, `volumeSizeInGB`,
/// `lifecycleConfigName`); what the update does not name is kept. moto 5.2.5 has no
/// `UpdateNotebookInstance`, so the instance is stopped (AWS updates only a stopped instance),
/// deleted and created again under the same name with the merged settings: the state a
/// `DescribeNotebookInstance` reads afterwards is the state the update leaves.
async fn updated_notebook(conf: &SdkConfig, event: &Value) -> Result<Seeded, String> {
    use aws_sdk_sagemaker::types::{InstanceType, RootAccess};
    let name = request(event, "/notebookInstanceName")?;
    let sagemaker = aws_sdk_sagemaker::Client::new(conf);
    let exists = sagemaker
        .describe_notebook_instance()
        .notebook_instance_name(&name)
        .send()
        .await
        .is_ok();
    if !exists {
        let create = crate::event("drift-sagemaker-createnotebookinstance");
        let created = request(&create, "/notebookInstanceName")?;
        if created != name {
            return Err(format!(
                "the update names notebook {name}, the create sample makes {created}: they must name the same notebook"
            ));
        }
        notebook(conf, &create).await?;
    }
    let before = sagemaker
        .describe_notebook_instance()
        .notebook_instance_name(&name)
        .send()
        .await
        .map_err(|e| format!("describe_notebook_instance {name}: {e:?}"))?;
    let optional = |pointer: &str| request(event, pointer).ok();
    let instance_type = match optional("/instanceType") {
        Some(t) => InstanceType::from(t.as_str()),
        None => before
            .instance_type()
            .cloned()
            .ok_or_else(|| format!("notebook {name} has no instance type"))?,
    };
    let role_arn = match optional("/roleArn") {
        Some(role) => role,
        None => before
            .role_arn()
            .map(str::to_owned)
            .ok_or_else(|| format!("notebook {name} has no role"))?,
    };
    let root_access = match optional("/rootAccess") {
        Some(access) => Some(RootAccess::from(access.as_str())),
        None => before.root_access().cloned(),
    };
    let volume_size = match request_number(event, "/volumeSizeInGB") {
        Ok(size) => Some(size),
        Err(_) => before.volume_size_in_gb(),
    };
    let lifecycle = optional("/lifecycleConfigName").or_else(|| {
        before
            .notebook_instance_lifecycle_config_name()
            .map(str::to_owned)
    });
    sagemaker
        .stop_notebook_instance()
        .notebook_instance_name(&name)
        .send()
        .await
        .map_err(|e| format!("stop_notebook_instance {name}: {e:?}"))?;
    sagemaker
        .delete_notebook_instance()
        .notebook_instance_name(&name)
        .send()
        .await
        .map_err(|e| format!("delete_notebook_instance {name}: {e:?}"))?;
    sagemaker
        .create_notebook_instance()
        .notebook_instance_name(&name)
        .instance_type(instance_type)
        .role_arn(role_arn)
        .set_subnet_id(before.subnet_id().map(str::to_owned))
        .set_security_group_ids(
            Some(before.security_groups().to_vec()).filter(|groups| !groups.is_empty()),
        )
        .set_kms_key_id(before.kms_key_id().map(str::to_owned))
        .set_direct_internet_access(before.direct_internet_access().cloned())
        .set_root_access(root_access)
        .set_volume_size_in_gb(volume_size)
        .set_lifecycle_config_name(lifecycle)
        .set_platform_identifier(before.platform_identifier().map(str::to_owned))
        .send()
        .await
        .map_err(|e| format!("create_notebook_instance {name} (the update's state): {e:?}"))?;
    Ok(Seeded::State)
}

/// The training job as the sample creates it (no volume or output key, no inter-container
/// encryption, no network isolation).
async fn training_job(conf: &SdkConfig, event: &Value) -> Result<Seeded, String> {
    use aws_sdk_sagemaker::types::{
        AlgorithmSpecification, Channel, DataSource, OutputDataConfig, ResourceConfig,
        S3DataSource, S3DataType, StoppingCondition, TrainingInputMode, TrainingInstanceType,
    };
    let flag = |pointer: &str| {
        event["detail"]["requestParameters"]
            .pointer(pointer)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let name = request(event, "/trainingJobName")?;
    let channel = Channel::builder()
        .channel_name(request(event, "/inputDataConfig/0/channelName")?)
        .data_source(
            DataSource::builder()
                .s3_data_source(
                    S3DataSource::builder()
                        .s3_data_type(S3DataType::from(
                            request(
                                event,
                                "/inputDataConfig/0/dataSource/s3DataSource/s3DataType",
                            )?
                            .as_str(),
                        ))
                        .s3_uri(request(
                            event,
                            "/inputDataConfig/0/dataSource/s3DataSource/s3Uri",
                        )?)
                        .build(),
                )
                .build(),
        )
        .build();
    aws_sdk_sagemaker::Client::new(conf)
        .create_training_job()
        .training_job_name(&name)
        .role_arn(request(event, "/roleArn")?)
        .algorithm_specification(
            AlgorithmSpecification::builder()
                .training_image(request(event, "/algorithmSpecification/trainingImage")?)
                .training_input_mode(TrainingInputMode::from(
                    request(event, "/algorithmSpecification/trainingInputMode")?.as_str(),
                ))
                .build(),
        )
        .input_data_config(channel)
        .output_data_config(
            OutputDataConfig::builder()
                .s3_output_path(request(event, "/outputDataConfig/s3OutputPath")?)
                .set_kms_key_id(request(event, "/outputDataConfig/kmsKeyId").ok())
                .build(),
        )
        .resource_config(
            ResourceConfig::builder()
                .instance_type(TrainingInstanceType::from(
                    request(event, "/resourceConfig/instanceType")?.as_str(),
                ))
                .instance_count(request_number(event, "/resourceConfig/instanceCount")?)
                .volume_size_in_gb(request_number(event, "/resourceConfig/volumeSizeInGB")?)
                .set_volume_kms_key_id(request(event, "/resourceConfig/volumeKmsKeyId").ok())
                .build(),
        )
        .stopping_condition(
            StoppingCondition::builder()
                .max_runtime_in_seconds(request_number(
                    event,
                    "/stoppingCondition/maxRuntimeInSeconds",
                )?)
                .build(),
        )
        .enable_network_isolation(flag("/enableNetworkIsolation"))
        .enable_inter_container_traffic_encryption(flag("/enableInterContainerTrafficEncryption"))
        .send()
        .await
        .map_err(|e| format!("create_training_job {name}: {e:?}"))?;
    Ok(Seeded::State)
}

/// The customization job as the sample starts it (no `customModelKmsKeyId`). moto records it, but
/// invents an output model key ARN for every job (`key/<model>-<job>-kms-key`).
async fn customization_job(conf: &SdkConfig, event: &Value) -> Result<Seeded, String> {
    use aws_sdk_bedrock::types::{CustomizationType, OutputDataConfig, TrainingDataConfig};
    let name = request(event, "/jobName")?;
    let mut create = aws_sdk_bedrock::Client::new(conf)
        .create_model_customization_job()
        .job_name(&name)
        .custom_model_name(request(event, "/customModelName")?)
        .role_arn(request(event, "/roleArn")?)
        .base_model_identifier(request(event, "/baseModelIdentifier")?)
        .customization_type(CustomizationType::from(
            request(event, "/customizationType")?.as_str(),
        ))
        .training_data_config(
            TrainingDataConfig::builder()
                .s3_uri(request(event, "/trainingDataConfig/s3Uri")?)
                .build(),
        )
        .output_data_config(
            OutputDataConfig::builder()
                .s3_uri(request(event, "/outputDataConfig/s3Uri")?)
                .build()
                .map_err(|e| e.to_string())?,
        );
    if let Some(parameters) = event["detail"]["requestParameters"]["hyperParameters"].as_object() {
        for (key, value) in parameters {
            create = create.hyper_parameters(key, value.as_str().unwrap_or_default());
        }
    }
    create
        .send()
        .await
        .map_err(|e| format!("create_model_customization_job {name}: {e:?}"))?;
    Ok(Seeded::State)
}

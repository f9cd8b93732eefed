//! Re-reading the live state of one resource, named by type and id, into [`Subject`]s: what the
//! CloudTrail drift path evaluates after an API call (the call is the trigger, never the evidence).
//!
//! Each type is read with the same collectors and `*_from_api` helpers the sweeps use, so a check
//! decides the same way from either path: one bucket with `s3::collect_buckets`, one key with
//! `kms::collect_key`, SageMaker and Bedrock resources with their Describe*/Get* call, trails and
//! the account's CloudTrail coverage with `cloudtrail::collect_trails`, a log group with
//! `DescribeLogGroups` by name prefix filtered to the exact name, IAM principals and policies with
//! one `GetAccountAuthorizationDetails` (plus the credentials of the users returned). A resource
//! AWS reports as not found is `Gone`; any other failed read is `Unreadable`.
//!
//! Eventual consistency: [`refresh_with_retry`] reads again, briefly, while the state still
//! contradicts the call (a resource just created or changed still not found, a deleted one still
//! there, a removed safeguard still passing): by default up to 3 reads, 0.5 s then 1 s apart.
//! After the last read the state is evaluated as it is: the read decides, never the event.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::adapters::{Scope, bedrock, cloudtrail, iam, kms, logs, s3, sagemaker};
use crate::catalog::Params;
use crate::domain::resource::{Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::bedrock::{CustomModel, ModelCustomizationJob};
use crate::domain::time::Timestamp;
use crate::drift::map::{Selector, Target};
use crate::error::{AwsError, AwsErrorKind};
use crate::evaluate::{Subject, SubjectState};

/// The SDK clients a refresh reads with (all for the function's own account and region; IAM is
/// global).
#[derive(Debug, Clone)]
pub struct RefreshClients {
    /// S3 (buckets, and the buckets invocation logs are delivered to).
    pub s3: aws_sdk_s3::Client,
    /// KMS.
    pub kms: aws_sdk_kms::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// SageMaker.
    pub sagemaker: aws_sdk_sagemaker::Client,
    /// Bedrock (custom models, customization jobs, guardrails, invocation logging).
    pub bedrock: aws_sdk_bedrock::Client,
    /// Agents for Amazon Bedrock (agents, knowledge base data sources).
    pub bedrock_agent: aws_sdk_bedrockagent::Client,
    /// CloudTrail.
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

impl RefreshClients {
    /// Every client from one SDK configuration (built once, at cold start).
    pub fn from_conf(conf: &aws_config::SdkConfig) -> Self {
        Self {
            s3: aws_sdk_s3::Client::new(conf),
            kms: aws_sdk_kms::Client::new(conf),
            iam: aws_sdk_iam::Client::new(conf),
            sagemaker: aws_sdk_sagemaker::Client::new(conf),
            bedrock: aws_sdk_bedrock::Client::new(conf),
            bedrock_agent: aws_sdk_bedrockagent::Client::new(conf),
            cloudtrail: aws_sdk_cloudtrail::Client::new(conf),
            logs: aws_sdk_cloudwatchlogs::Client::new(conf),
        }
    }
}

/// How a refresh retries while the state still contradicts the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadRetry {
    /// Reads at most, the first included (at least 1).
    pub reads: u32,
    /// The wait before the second read; each later wait doubles.
    pub first_delay: Duration,
}

impl Default for ReadRetry {
    /// 3 reads, 0.5 s then 1 s apart.
    fn default() -> Self {
        Self {
            reads: 3,
            first_delay: Duration::from_millis(500),
        }
    }
}

/// What a refresh read.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// The target's subject first, then any it reaches (an IAM policy's roles and users); empty
    /// for an IAM group with no members.
    pub subjects: Vec<Subject>,
    /// How many times the state was read.
    pub reads: u32,
    /// Whether the last read still contradicted the call (it is evaluated as read regardless).
    pub still_contradicts: bool,
}

/// How one target is read: which collector, by what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// `s3::collect_buckets` for one bucket.
    Bucket(String),
    /// `kms::collect_key`, after resolving an alias with `DescribeKey`.
    Key(String),
    /// One SageMaker Describe* by name (by id for a domain).
    SageMaker(ResourceType, String),
    /// `GetCustomModel`.
    CustomModel(String),
    /// `GetModelCustomizationJob`.
    CustomizationJob(String),
    /// `collect_guardrails`, then the guardrail with this id.
    Guardrail(String),
    /// `collect_guardrails`, then `guardrail_inventory`.
    GuardrailInventory,
    /// `GetAgent`.
    Agent(String),
    /// `GetDataSource` of `(knowledge base, data source)`.
    DataSource(String, String),
    /// `collect_invocation_logging`.
    InvocationLogging,
    /// `GetAccountAuthorizationDetails` and the selected principals' credentials.
    Iam(IamSelection),
    /// `collect_trails`, then the trail with this name.
    Trail(String),
    /// `collect_trails`, then the account's subject.
    Account,
    /// `DescribeLogGroups` by prefix, then the group with exactly this name.
    LogGroup(String),
}

/// Which IAM entities a refresh reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamSelection {
    /// The role with this name.
    Role(String),
    /// The user with this name.
    User(String),
    /// Every member of this group.
    GroupMembers(String),
    /// The customer managed policy with this ARN, and every role and user it is attached to.
    Policy(String),
}

/// How `target` is read; `None` for a combination of type and selector no collector reads (the
/// event map only produces readable ones, which a test checks).
pub fn plan(target: &Target) -> Option<Plan> {
    use ResourceType as T;
    let plan = match (target.resource_type, &target.selector) {
        (T::S3Bucket, Selector::Resource(name)) => Plan::Bucket(name.clone()),
        (T::KmsKey, Selector::Resource(id)) => Plan::Key(id.clone()),
        (
            t @ (T::SageMakerNotebookInstance
            | T::SageMakerEndpointConfig
            | T::SageMakerTrainingJob
            | T::SageMakerModel
            | T::SageMakerDomain
            | T::SageMakerFeatureGroup
            | T::SageMakerDataQualityJobDefinition
            | T::SageMakerModelQualityJobDefinition
            | T::SageMakerModelBiasJobDefinition
            | T::SageMakerModelExplainabilityJobDefinition),
            Selector::Resource(name),
        ) => Plan::SageMaker(t, name.clone()),
        (T::BedrockCustomModel, Selector::Resource(id)) => Plan::CustomModel(id.clone()),
        (T::BedrockModelCustomizationJob, Selector::Resource(id)) => {
            Plan::CustomizationJob(id.clone())
        }
        (T::BedrockGuardrail, Selector::Resource(id)) => Plan::Guardrail(id.clone()),
        (T::BedrockGuardrailInventory, Selector::Singleton) => Plan::GuardrailInventory,
        (T::BedrockAgent, Selector::Resource(id)) => Plan::Agent(id.clone()),
        (T::BedrockDataSource, Selector::Resource(id)) => {
            let (kb, ds) = id.split_once('|')?;
            Plan::DataSource(kb.to_owned(), ds.to_owned())
        }
        (T::BedrockInvocationLogging, Selector::Singleton) => Plan::InvocationLogging,
        (T::IamRole, Selector::Resource(name)) => Plan::Iam(IamSelection::Role(name.clone())),
        (T::IamUser, Selector::Resource(name)) => Plan::Iam(IamSelection::User(name.clone())),
        (T::IamUser, Selector::GroupMembers(group)) => {
            Plan::Iam(IamSelection::GroupMembers(group.clone()))
        }
        (T::IamPolicy, Selector::Resource(arn)) => Plan::Iam(IamSelection::Policy(arn.clone())),
        (T::CloudTrailTrail, Selector::Resource(name)) => Plan::Trail(name.clone()),
        (T::Account, Selector::Singleton) => Plan::Account,
        (T::LogsLogGroup, Selector::Resource(name)) => Plan::LogGroup(name.clone()),
        _ => return None,
    };
    Some(plan)
}

/// A subject with no links, observed now.
fn subject(
    scope: &Scope,
    resource_type: ResourceType,
    id: &str,
    arn: Option<String>,
    observed_via: &'static str,
    state: SubjectState,
) -> Subject {
    Subject::new(
        ResourceRef {
            resource_type: resource_type.cfn_type().into(),
            resource_id: id.to_owned(),
            arn,
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
        },
        Timestamp::now(),
        observed_via,
        state,
    )
}

/// A failed Get*: not found is gone, anything else unreadable.
fn failed(error: AwsError) -> SubjectState {
    if error.kind == AwsErrorKind::NotFound {
        SubjectState::Gone(format!("the resource no longer exists ({error})"))
    } else {
        SubjectState::Unreadable(error.to_string())
    }
}

/// Reads the target's live state once. `Err` only when not even the resources to report on can
/// be named (the IAM read for a group's members failed); every other failure is an unreadable
/// subject.
pub async fn refresh(
    clients: &RefreshClients,
    scope: &Scope,
    target: &Target,
) -> Result<Vec<Subject>, AwsError> {
    let Some(plan) = plan(target) else {
        return Ok(vec![subject(
            scope,
            target.resource_type,
            &target.selector.describe(),
            None,
            "not read",
            SubjectState::Unreadable(format!(
                "genai-evidence cannot re-read {} by {}",
                target.resource_type,
                target.selector.describe()
            )),
        )]);
    };
    let subjects = match plan {
        Plan::Bucket(name) => s3::collect_buckets(&clients.s3, scope, &[name]).await,
        Plan::Key(id) => vec![refresh_key(&clients.kms, scope, &id).await],
        Plan::SageMaker(resource_type, name) => {
            vec![refresh_sagemaker(&clients.sagemaker, scope, resource_type, &name).await]
        }
        Plan::CustomModel(id) => vec![refresh_custom_model(&clients.bedrock, scope, &id).await],
        Plan::CustomizationJob(id) => {
            vec![refresh_customization_job(&clients.bedrock, scope, &id).await]
        }
        Plan::Guardrail(id) => {
            let collected = bedrock::collect_guardrails(&clients.bedrock, scope).await;
            vec![pick_guardrail(scope, &id, collected)]
        }
        Plan::GuardrailInventory => {
            let collected = bedrock::collect_guardrails(&clients.bedrock, scope).await;
            vec![bedrock::guardrail_inventory(scope, &collected)]
        }
        Plan::Agent(id) => vec![refresh_agent(&clients.bedrock_agent, scope, &id).await],
        Plan::DataSource(kb, ds) => {
            vec![refresh_data_source(&clients.bedrock_agent, scope, &kb, &ds).await]
        }
        Plan::InvocationLogging => {
            match bedrock::collect_invocation_logging(
                &clients.bedrock,
                &clients.logs,
                &clients.s3,
                scope,
            )
            .await
            {
                Ok(subjects) => subjects,
                Err(error) => vec![subject(
                    scope,
                    ResourceType::BedrockInvocationLogging,
                    &scope.region,
                    None,
                    "AWS API (bedrock:GetModelInvocationLoggingConfiguration)",
                    SubjectState::Unreadable(error.to_string()),
                )],
            }
        }
        Plan::Iam(selection) => refresh_iam(&clients.iam, scope, &selection).await?,
        Plan::Trail(name) => {
            let (subjects, listed) = cloudtrail::collect_trails(&clients.cloudtrail, scope).await;
            vec![pick_trail(scope, &name, subjects, listed)]
        }
        Plan::Account => {
            let (subjects, _) = cloudtrail::collect_trails(&clients.cloudtrail, scope).await;
            subjects
                .into_iter()
                .filter(|s| s.resource.resource_type == ResourceType::Account.cfn_type())
                .collect()
        }
        Plan::LogGroup(name) => vec![refresh_log_group(&clients.logs, scope, &name).await],
    };
    Ok(subjects)
}

/// Reads the target, then again while the state still contradicts the call (see the module
/// documentation), waiting `retry.first_delay`, then twice that, and so on. Whether a removed
/// safeguard still passes is decided under `params`, the parameters the state is evaluated with.
pub async fn refresh_with_retry(
    clients: &RefreshClients,
    scope: &Scope,
    target: &Target,
    retry: ReadRetry,
    params: &Params,
) -> Result<Refreshed, AwsError> {
    let reads = retry.reads.max(1);
    let mut delay = retry.first_delay;
    let mut read = 1;
    loop {
        let subjects = refresh(clients, scope, target).await?;
        let contradicts = target.contradicted_by(&subjects, params);
        if !contradicts || read >= reads {
            if contradicts {
                tracing::info!(
                    resource_type = %target.resource_type,
                    resource = %target.selector.describe(),
                    kind = target.kind.as_str(),
                    reads = read,
                    "the state still does not show the call's effect; evaluating it as read"
                );
            }
            return Ok(Refreshed {
                subjects,
                reads: read,
                still_contradicts: contradicts,
            });
        }
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2);
        read += 1;
    }
}

/// An alias (`alias/name` or an alias ARN), which only `DescribeKey` resolves.
fn is_alias(id: &str) -> bool {
    id.starts_with("alias/") || id.contains(":alias/")
}

/// The key id in a key ARN, else the text as given.
fn key_id(id: &str) -> &str {
    id.rsplit_once(":key/").map_or(id, |(_, key)| key)
}

async fn refresh_key(client: &aws_sdk_kms::Client, scope: &Scope, id: &str) -> Subject {
    let key = if is_alias(id) {
        match client.describe_key().key_id(id).send().await {
            Ok(out) => match out.key_metadata().and_then(|m| m.arn()) {
                Some(arn) => arn.to_owned(),
                None => {
                    return subject(
                        scope,
                        ResourceType::KmsKey,
                        id,
                        None,
                        "AWS API (kms:DescribeKey)",
                        SubjectState::Unreadable(format!(
                            "kms:DescribeKey of {id} returned no key ARN"
                        )),
                    );
                }
            },
            Err(e) => {
                // An alias that names no key does not say the key is gone: it cannot be told
                // which key the call changed.
                let error = AwsError::from_sdk("kms:DescribeKey", e);
                return subject(
                    scope,
                    ResourceType::KmsKey,
                    id,
                    None,
                    "AWS API (kms:DescribeKey)",
                    SubjectState::Unreadable(format!(
                        "the alias could not be resolved to a key ({error})"
                    )),
                );
            }
        }
    } else {
        id.to_owned()
    };
    let mut subject = kms::collect_key(client, scope, &key).await;
    if matches!(subject.state, SubjectState::Gone(_)) {
        subject.resource.resource_id = key_id(&key).to_owned();
        if key.starts_with("arn:") {
            subject.resource.arn = Some(key);
        }
    }
    subject
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

/// Defines how to read one Model Monitor job definition by name (identified by ARN, as the
/// collectors and Config identify them).
macro_rules! monitoring_refresh {
    ($client:expr, $scope:expr, $name:expr, $describe:ident, $output:ident, $variant:ident, $kind:literal, $arn_kind:literal, $action:literal) => {{
        let (state, links, arn) = match $client.$describe().job_definition_name($name).send().await
        {
            Ok(out) => {
                let name = out.job_definition_name().unwrap_or($name);
                (
                    SubjectState::Live(Resource::$variant(
                        sagemaker::monitoring_job_definition_from_api(name, out.network_config()),
                    )),
                    sagemaker::monitoring_links(
                        &format!(concat!($kind, " {:?}"), name),
                        out.role_arn(),
                        out.$output(),
                        out.job_resources(),
                    ),
                    out.job_definition_arn().map(str::to_owned),
                )
            }
            Err(e) => {
                let (state, links) = sagemaker::describe_failed($action, e);
                (state, links, None)
            }
        };
        let arn = arn.unwrap_or_else(|| sagemaker_arn($scope, $arn_kind, $name));
        let mut subject = subject(
            $scope,
            ResourceType::$variant,
            &arn,
            Some(arn.clone()),
            concat!("AWS API (", $action, ")"),
            state,
        );
        subject.links = links;
        subject
    }};
}

/// Reads one SageMaker resource with its Describe* call, through the collectors' helpers.
async fn refresh_sagemaker(
    client: &aws_sdk_sagemaker::Client,
    scope: &Scope,
    resource_type: ResourceType,
    name: &str,
) -> Subject {
    use ResourceType as T;
    if let Some(subject) = refresh_monitoring(client, scope, resource_type, name).await {
        return subject;
    }
    let (state, links, arn, via) = match resource_type {
        T::SageMakerNotebookInstance => {
            let via = "AWS API (sagemaker:DescribeNotebookInstance)";
            match client
                .describe_notebook_instance()
                .notebook_instance_name(name)
                .send()
                .await
            {
                Ok(out) => (
                    SubjectState::Live(Resource::SageMakerNotebookInstance(
                        sagemaker::notebook_from_api(&out, name),
                    )),
                    sagemaker::notebook_links(&out, name),
                    out.notebook_instance_arn().map(str::to_owned),
                    via,
                ),
                Err(e) => failed_describe("sagemaker:DescribeNotebookInstance", e, via),
            }
        }
        T::SageMakerEndpointConfig => {
            let via = "AWS API (sagemaker:DescribeEndpointConfig)";
            match client
                .describe_endpoint_config()
                .endpoint_config_name(name)
                .send()
                .await
            {
                Ok(out) => (
                    SubjectState::Live(Resource::SageMakerEndpointConfig(
                        sagemaker::endpoint_config_from_api(&out, name),
                    )),
                    sagemaker::endpoint_config_links(&out, name),
                    out.endpoint_config_arn().map(str::to_owned),
                    via,
                ),
                Err(e) => failed_describe("sagemaker:DescribeEndpointConfig", e, via),
            }
        }
        T::SageMakerTrainingJob => {
            let via = "AWS API (sagemaker:DescribeTrainingJob)";
            match client
                .describe_training_job()
                .training_job_name(name)
                .send()
                .await
            {
                Ok(out) => (
                    SubjectState::Live(Resource::SageMakerTrainingJob(
                        sagemaker::training_job_from_api(&out, name),
                    )),
                    sagemaker::training_job_links(&out, name),
                    out.training_job_arn().map(str::to_owned),
                    via,
                ),
                Err(e) => failed_describe("sagemaker:DescribeTrainingJob", e, via),
            }
        }
        T::SageMakerModel => {
            let via = "AWS API (sagemaker:DescribeModel)";
            match client.describe_model().model_name(name).send().await {
                Ok(out) => (
                    SubjectState::Live(Resource::SageMakerModel(sagemaker::model_from_api(
                        &out, name,
                    ))),
                    sagemaker::model_links(&out, name),
                    out.model_arn().map(str::to_owned),
                    via,
                ),
                Err(e) => failed_describe("sagemaker:DescribeModel", e, via),
            }
        }
        T::SageMakerDomain => {
            let via = "AWS API (sagemaker:DescribeDomain)";
            match client.describe_domain().domain_id(name).send().await {
                Ok(out) => (
                    SubjectState::Live(Resource::SageMakerDomain(sagemaker::domain_from_api(
                        &out, name,
                    ))),
                    sagemaker::domain_links(&out, name),
                    out.domain_arn().map(str::to_owned),
                    via,
                ),
                Err(e) => failed_describe("sagemaker:DescribeDomain", e, via),
            }
        }
        T::SageMakerFeatureGroup => {
            let via = "AWS API (sagemaker:DescribeFeatureGroup)";
            match client
                .describe_feature_group()
                .feature_group_name(name)
                .send()
                .await
            {
                Ok(out) => (
                    SubjectState::Live(Resource::SageMakerFeatureGroup(
                        sagemaker::feature_group_from_api(&out, name),
                    )),
                    sagemaker::feature_group_links(&out, name),
                    out.feature_group_arn().map(str::to_owned),
                    via,
                ),
                Err(e) => failed_describe("sagemaker:DescribeFeatureGroup", e, via),
            }
        }
        other => not_sagemaker(other),
    };
    let mut subject = subject(scope, resource_type, name, arn, via, state);
    subject.links = links;
    subject
}

/// Reads one SageMaker Model Monitor job definition by name; `None` for another type.
async fn refresh_monitoring(
    client: &aws_sdk_sagemaker::Client,
    scope: &Scope,
    resource_type: ResourceType,
    name: &str,
) -> Option<Subject> {
    use ResourceType as T;
    Some(match resource_type {
        T::SageMakerDataQualityJobDefinition => {
            monitoring_refresh!(
                client,
                scope,
                name,
                describe_data_quality_job_definition,
                data_quality_job_output_config,
                SageMakerDataQualityJobDefinition,
                "SageMaker data quality job definition",
                "data-quality-job-definition",
                "sagemaker:DescribeDataQualityJobDefinition"
            )
        }
        T::SageMakerModelQualityJobDefinition => {
            monitoring_refresh!(
                client,
                scope,
                name,
                describe_model_quality_job_definition,
                model_quality_job_output_config,
                SageMakerModelQualityJobDefinition,
                "SageMaker model quality job definition",
                "model-quality-job-definition",
                "sagemaker:DescribeModelQualityJobDefinition"
            )
        }
        T::SageMakerModelBiasJobDefinition => {
            monitoring_refresh!(
                client,
                scope,
                name,
                describe_model_bias_job_definition,
                model_bias_job_output_config,
                SageMakerModelBiasJobDefinition,
                "SageMaker model bias job definition",
                "model-bias-job-definition",
                "sagemaker:DescribeModelBiasJobDefinition"
            )
        }
        T::SageMakerModelExplainabilityJobDefinition => {
            monitoring_refresh!(
                client,
                scope,
                name,
                describe_model_explainability_job_definition,
                model_explainability_job_output_config,
                SageMakerModelExplainabilityJobDefinition,
                "SageMaker model explainability job definition",
                "model-explainability-job-definition",
                "sagemaker:DescribeModelExplainabilityJobDefinition"
            )
        }
        _ => return None,
    })
}

fn not_sagemaker(other: ResourceType) -> Read {
    (
        SubjectState::Unreadable(format!("{other} is not a SageMaker type")),
        Vec::new(),
        None,
        "not read",
    )
}

type Read = (
    SubjectState,
    Vec<crate::domain::scope::Link>,
    Option<String>,
    &'static str,
);

fn failed_describe<E>(
    operation: &'static str,
    err: aws_sdk_sagemaker::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
    via: &'static str,
) -> Read
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    let (state, links) = sagemaker::describe_failed(operation, err);
    (state, links, None, via)
}

async fn refresh_custom_model(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetCustomModel)";
    match client.get_custom_model().model_identifier(id).send().await {
        Ok(out) => {
            let name = out.model_name().to_owned();
            let model = CustomModel {
                name: name.clone(),
                kms_key_arn: Ok(out.model_kms_key_arn().map(str::to_owned)),
            };
            let mut subject = subject(
                scope,
                ResourceType::BedrockCustomModel,
                &name,
                Some(out.model_arn().to_owned()),
                via,
                SubjectState::Live(Resource::BedrockCustomModel(model)),
            );
            subject.links = bedrock::custom_model_links(&out);
            subject
        }
        Err(e) => {
            let arn = id.starts_with("arn:").then(|| id.to_owned());
            let state = failed(AwsError::from_sdk("bedrock:GetCustomModel", e));
            subject(scope, ResourceType::BedrockCustomModel, id, arn, via, state)
        }
    }
}

async fn refresh_customization_job(
    client: &aws_sdk_bedrock::Client,
    scope: &Scope,
    id: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetModelCustomizationJob)";
    match client
        .get_model_customization_job()
        .job_identifier(id)
        .send()
        .await
    {
        Ok(out) => {
            let name = out.job_name().to_owned();
            let job = ModelCustomizationJob {
                name: name.clone(),
                output_model_kms_key_arn: Ok(out.output_model_kms_key_arn().map(str::to_owned)),
            };
            let mut subject = subject(
                scope,
                ResourceType::BedrockModelCustomizationJob,
                &name,
                Some(out.job_arn().to_owned()),
                via,
                SubjectState::Live(Resource::BedrockModelCustomizationJob(job)),
            );
            subject.links = bedrock::customization_job_links(&out);
            subject
        }
        Err(e) => {
            let arn = id.starts_with("arn:").then(|| id.to_owned());
            let state = failed(AwsError::from_sdk("bedrock:GetModelCustomizationJob", e));
            subject(
                scope,
                ResourceType::BedrockModelCustomizationJob,
                id,
                arn,
                via,
                state,
            )
        }
    }
}

/// The guardrail with `id` among those `collect_guardrails` read: gone when the listing no
/// longer has it, unreadable when the listing failed.
fn pick_guardrail(scope: &Scope, id: &str, collected: Result<Vec<Subject>, AwsError>) -> Subject {
    let via = "AWS API (bedrock:ListGuardrails, GetGuardrail)";
    match collected {
        Ok(subjects) => subjects
            .into_iter()
            .find(|s| s.resource.resource_id == id)
            .unwrap_or_else(|| {
                subject(
                    scope,
                    ResourceType::BedrockGuardrail,
                    id,
                    None,
                    via,
                    SubjectState::Gone(format!(
                        "bedrock:ListGuardrails no longer lists guardrail {id}"
                    )),
                )
            }),
        Err(error) => subject(
            scope,
            ResourceType::BedrockGuardrail,
            id,
            None,
            via,
            SubjectState::Unreadable(error.to_string()),
        ),
    }
}

async fn refresh_agent(client: &aws_sdk_bedrockagent::Client, scope: &Scope, id: &str) -> Subject {
    let via = "AWS API (bedrock:GetAgent)";
    match client.get_agent().agent_id(id).send().await {
        Ok(out) => match out.agent() {
            Some(agent) => {
                let mut subject = subject(
                    scope,
                    ResourceType::BedrockAgent,
                    id,
                    Some(agent.agent_arn().to_owned()),
                    via,
                    SubjectState::Live(Resource::BedrockAgent(bedrock::agent_from_api(id, agent))),
                );
                subject.links = bedrock::agent_links(agent);
                subject
            }
            None => subject(
                scope,
                ResourceType::BedrockAgent,
                id,
                None,
                via,
                SubjectState::Unreadable("bedrock:GetAgent returned no agent".into()),
            ),
        },
        Err(e) => {
            let state = failed(AwsError::from_sdk("bedrock:GetAgent", e));
            subject(scope, ResourceType::BedrockAgent, id, None, via, state)
        }
    }
}

async fn refresh_data_source(
    client: &aws_sdk_bedrockagent::Client,
    scope: &Scope,
    knowledge_base: &str,
    data_source: &str,
) -> Subject {
    let via = "AWS API (bedrock:GetDataSource)";
    let resource_id = format!("{knowledge_base}|{data_source}");
    let read = client
        .get_data_source()
        .knowledge_base_id(knowledge_base)
        .data_source_id(data_source)
        .send()
        .await;
    match read {
        Ok(out) => match out.data_source() {
            Some(source) => {
                let mut subject = subject(
                    scope,
                    ResourceType::BedrockDataSource,
                    &resource_id,
                    None,
                    via,
                    SubjectState::Live(Resource::BedrockDataSource(bedrock::data_source_from_api(
                        source,
                    ))),
                );
                subject.links = bedrock::data_source_links(source);
                subject
            }
            None => subject(
                scope,
                ResourceType::BedrockDataSource,
                &resource_id,
                None,
                via,
                SubjectState::Unreadable("bedrock:GetDataSource returned no data source".into()),
            ),
        },
        Err(e) => {
            let state = failed(AwsError::from_sdk("bedrock:GetDataSource", e));
            subject(
                scope,
                ResourceType::BedrockDataSource,
                &resource_id,
                None,
                via,
                state,
            )
        }
    }
}

/// The trail named `name` (or whose ARN ends in `trail/<name>`) among those `collect_trails`
/// read; a trail no longer listed is gone, unless the listing itself failed.
fn pick_trail(
    scope: &Scope,
    name: &str,
    subjects: Vec<Subject>,
    listed: Result<(), AwsError>,
) -> Subject {
    let via = "AWS API (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors)";
    let suffix = format!(":trail/{name}");
    if let Some(found) = subjects.into_iter().find(|s| {
        s.resource.resource_type == ResourceType::CloudTrailTrail.cfn_type()
            && (s.resource.resource_id == name
                || s.resource
                    .arn
                    .as_deref()
                    .is_some_and(|a| a.ends_with(&suffix)))
    }) {
        return found;
    }
    let state = match listed {
        Err(error) => SubjectState::Unreadable(error.to_string()),
        Ok(()) => SubjectState::Gone(format!(
            "cloudtrail:DescribeTrails lists no trail named {name} with its home in {}",
            scope.region
        )),
    };
    subject(scope, ResourceType::CloudTrailTrail, name, None, via, state)
}

async fn refresh_log_group(
    client: &aws_sdk_cloudwatchlogs::Client,
    scope: &Scope,
    name: &str,
) -> Subject {
    let via = "AWS API (logs:DescribeLogGroups)";
    let state = match logs::collect_log_groups(client, scope, Some(name)).await {
        Ok(subjects) => match subjects
            .into_iter()
            .find(|s| s.resource.resource_id == name)
        {
            Some(found) => return found,
            None => SubjectState::Gone(format!(
                "logs:DescribeLogGroups finds no log group named {name}"
            )),
        },
        Err(error) => SubjectState::Unreadable(error.to_string()),
    };
    subject(scope, ResourceType::LogsLogGroup, name, None, via, state)
}

/// The IAM entities `selection` names, from one `GetAccountAuthorizationDetails` and the
/// credentials of the users among them. A role, user or policy no longer returned is gone (named
/// by its name or ARN: a deleted entity's id cannot be read any more).
async fn refresh_iam(
    client: &aws_sdk_iam::Client,
    scope: &Scope,
    selection: &IamSelection,
) -> Result<Vec<Subject>, AwsError> {
    let via = "AWS API (iam:GetAccountAuthorizationDetails)";
    let (resource_type, id) = match selection {
        IamSelection::Role(name) => (ResourceType::IamRole, name.as_str()),
        IamSelection::User(name) => (ResourceType::IamUser, name.as_str()),
        IamSelection::Policy(arn) => (ResourceType::IamPolicy, arn.as_str()),
        IamSelection::GroupMembers(_) => (ResourceType::IamUser, ""),
    };
    let details = match iam::read_authorization_details(client).await {
        Ok(details) => details,
        Err(error) => {
            if let IamSelection::GroupMembers(_) = selection {
                return Err(error);
            }
            let arn = id.starts_with("arn:").then(|| id.to_owned());
            return Ok(vec![subject(
                scope,
                resource_type,
                id,
                arn,
                via,
                SubjectState::Unreadable(error.to_string()),
            )]);
        }
    };
    let users = selected_users(&details, selection);
    let credentials = iam::read_credentials(client, &users).await;
    let all = iam::subjects_from_details(&details, &credentials, scope, Timestamp::now());
    let mut picked: Vec<Subject> = Vec::new();
    let mut reached: Vec<Subject> = Vec::new();
    for s in all {
        // `Some(true)`: the entity asked for; `Some(false)`: one a policy reaches; `None`: neither.
        let pick = match (&s.state, selection) {
            (SubjectState::Live(Resource::IamRole(role)), IamSelection::Role(name)) => {
                (role.name == *name).then_some(true)
            }
            (SubjectState::Live(Resource::IamUser(user)), IamSelection::User(name)) => {
                (user.name == *name).then_some(true)
            }
            (SubjectState::Live(Resource::IamUser(user)), IamSelection::GroupMembers(_)) => {
                users.contains(&user.name).then_some(true)
            }
            (SubjectState::Live(Resource::IamPolicy(policy)), IamSelection::Policy(arn)) => {
                (policy.arn == *arn).then_some(true)
            }
            (SubjectState::Live(Resource::IamRole(role)), IamSelection::Policy(arn)) => {
                attached(&role.attached_policies, arn).then_some(false)
            }
            (SubjectState::Live(Resource::IamUser(user)), IamSelection::Policy(_)) => {
                users.contains(&user.name).then_some(false)
            }
            _ => None,
        };
        match pick {
            Some(true) => picked.push(s),
            Some(false) => reached.push(s),
            None => (),
        }
    }
    if picked.is_empty() && !matches!(selection, IamSelection::GroupMembers(_)) {
        // Named by name (or ARN); its identity derives the ARN, so the deletion replaces the
        // verdicts the sweep and the Config rule recorded under the role's or user's ARN.
        let arn = id.starts_with("arn:").then(|| id.to_owned());
        let global = Scope {
            account_id: scope.account_id.clone(),
            region: iam::GLOBAL_REGION.to_owned(),
        };
        picked.push(subject(
            &global,
            resource_type,
            id,
            arn,
            via,
            SubjectState::Gone(format!(
                "iam:GetAccountAuthorizationDetails no longer returns {} {id}",
                resource_type
            )),
        ));
    }
    picked.extend(reached);
    Ok(picked)
}

fn attached(
    list: &Result<Vec<crate::domain::resources::iam::AttachedPolicy>, Unreadable>,
    arn: &str,
) -> bool {
    list.as_ref()
        .is_ok_and(|policies| policies.iter().any(|p| p.arn == arn))
}

/// The users whose credentials the refresh reads: the named user, a group's members, or the
/// users a managed policy reaches (directly or through a group).
fn selected_users(details: &iam::AuthorizationDetails, selection: &IamSelection) -> Vec<String> {
    let names: BTreeSet<String> = match selection {
        IamSelection::Role(_) => BTreeSet::new(),
        IamSelection::User(name) => details
            .users
            .iter()
            .filter_map(|u| u.user_name())
            .filter(|n| n == name)
            .map(str::to_owned)
            .collect(),
        IamSelection::GroupMembers(group) => details
            .users
            .iter()
            .filter(|u| u.group_list().iter().any(|g| g == group))
            .filter_map(|u| u.user_name())
            .map(str::to_owned)
            .collect(),
        IamSelection::Policy(arn) => {
            let groups: BTreeSet<&str> = details
                .groups
                .iter()
                .filter(|g| {
                    g.attached_managed_policies()
                        .iter()
                        .any(|p| p.policy_arn() == Some(arn.as_str()))
                })
                .filter_map(|g| g.group_name())
                .collect();
            details
                .users
                .iter()
                .filter(|u| {
                    u.attached_managed_policies()
                        .iter()
                        .any(|p| p.policy_arn() == Some(arn.as_str()))
                        || u.group_list().iter().any(|g| groups.contains(g.as_str()))
                })
                .filter_map(|u| u.user_name())
                .map(str::to_owned)
                .collect()
        }
    };
    names.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::map::{Kind, ROUTES};

    #[test]
    fn every_mapped_target_has_a_way_to_be_read() {
        for route in ROUTES {
            for rule in route.targets {
                let selector = match rule.id {
                    crate::drift::map::IdRule::Singleton => Selector::Singleton,
                    crate::drift::map::IdRule::GroupMembers(_) => {
                        Selector::GroupMembers("g".into())
                    }
                    crate::drift::map::IdRule::DataSource { .. } => {
                        Selector::Resource("KB1|DS1".into())
                    }
                    crate::drift::map::IdRule::One(_) => Selector::Resource("r".into()),
                };
                let target = Target {
                    resource_type: rule.resource_type,
                    selector,
                    kind: Kind::Change,
                    checks: Vec::new(),
                };
                assert!(
                    plan(&target).is_some(),
                    "{}: no way to read {} by {:?}",
                    route.event_name,
                    rule.resource_type,
                    rule.id
                );
            }
        }
    }

    #[test]
    fn kms_aliases_are_resolved_and_key_arns_reduced_to_the_key_id() {
        assert!(is_alias("alias/genai-data"));
        assert!(is_alias(
            "arn:aws:kms:us-east-1:123456789012:alias/genai-data"
        ));
        assert!(!is_alias("1234abcd-12ab-34cd-56ef-1234567890ab"));
        assert_eq!(
            key_id("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            "1234abcd-12ab-34cd-56ef-1234567890ab"
        );
        assert_eq!(key_id("k"), "k");
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
}

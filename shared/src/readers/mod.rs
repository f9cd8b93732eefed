//! The reader registry: every resource type the suite reads, declared once, the way checks are
//! (`catalog::CHECKS`).
//!
//! A [`Reader`] says, for one [`ResourceType`]: which [`Service`] (sweep unit) reads it; how the
//! sweep lists it ([`Listing`]: every page, at most [`CONCURRENCY`](crate::adapters::CONCURRENCY)
//! reads in flight); what puts it in the GenAI scope ([`Scoping`]); how one is read by what an
//! API call names it with ([`Reader::read`], the drift path); how it is decoded from an AWS Config
//! configuration item ([`Reader::decode`], the Config rule); and which types its scope links name.
//! The sweep, the drift function and the Config rule all read through [`READERS`], with the
//! per-service adapters doing the SDK work, so a resource reads and fails alike in every path: a
//! failed read of the resource is gone (AWS says it does not exist) or unreadable with the reason
//! (see `adapters::failed_read`); a failed read of one field is that field's `Unreadable`.
//!
//! A new resource type is one entry here (plus its domain state, checks and adapter functions).

pub mod reread;

use futures_util::future::BoxFuture;

use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::adapters::{
    Scope, agentcore, bedrock, cloudtrail, enforced_guardrails, iam, kms, logs, s3, sagemaker,
};
use crate::domain::resource::ResourceType;
use crate::drift::map::{Selector, Target};
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

/// A service the sweep reads: one unit per region, or one per account for a global one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// Amazon Bedrock (and Agents for Amazon Bedrock).
    Bedrock,
    /// Amazon Bedrock AgentCore (its control plane, and the CloudWatch Logs deliveries of its
    /// resources).
    AgentCore,
    /// Amazon SageMaker.
    SageMaker,
    /// IAM (global).
    Iam,
    /// Amazon S3 (its bucket listing is global).
    S3,
    /// CloudTrail.
    CloudTrail,
    /// CloudWatch Logs.
    Logs,
    /// AWS KMS.
    Kms,
}

impl Service {
    /// Every service in the order a run takes them, so scope flows forward: Bedrock, AgentCore
    /// and SageMaker name the buckets, keys, roles and log groups they use; IAM and S3 next; then
    /// CloudTrail, Logs and KMS.
    pub const ORDER: &'static [Service] = &[
        Service::Bedrock,
        Service::AgentCore,
        Service::SageMaker,
        Service::Iam,
        Service::S3,
        Service::CloudTrail,
        Service::Logs,
        Service::Kms,
    ];

    /// The service's name in unit names: `bedrock`, `sagemaker`, `iam`, ...
    pub fn name(self) -> &'static str {
        match self {
            Service::Bedrock => "bedrock",
            Service::AgentCore => "agentcore",
            Service::SageMaker => "sagemaker",
            Service::Iam => "iam",
            Service::S3 => "s3",
            Service::CloudTrail => "cloudtrail",
            Service::Logs => "logs",
            Service::Kms => "kms",
        }
    }

    /// Whether one unit covers every region (IAM, and S3's bucket listing).
    pub fn is_global(self) -> bool {
        matches!(self, Service::Iam | Service::S3)
    }

    /// The service named `name` in a unit name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ORDER.iter().copied().find(|s| s.name() == name)
    }
}

/// The SDK clients readers read with, for one account and region (S3 and IAM through that
/// region's endpoint). Built once, at cold start.
#[derive(Debug, Clone)]
pub struct Clients {
    /// The region.
    pub region: String,
    /// Amazon Bedrock.
    pub bedrock: aws_sdk_bedrock::Client,
    /// Agents for Amazon Bedrock.
    pub bedrock_agent: aws_sdk_bedrockagent::Client,
    /// Amazon Bedrock AgentCore's control plane.
    pub bedrock_agentcore: aws_sdk_bedrockagentcorecontrol::Client,
    /// Amazon SageMaker.
    pub sagemaker: aws_sdk_sagemaker::Client,
    /// AWS KMS.
    pub kms: aws_sdk_kms::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// CloudTrail.
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// Resource Groups Tagging API (the sweep's scope tags).
    pub tagging: aws_sdk_resourcegroupstagging::Client,
    /// Amazon S3.
    pub s3: aws_sdk_s3::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// AWS Organizations (the effective Bedrock policy the account sees).
    pub organizations: aws_sdk_organizations::Client,
}

impl Clients {
    /// Every client of the region `conf` points at.
    pub fn from_conf(conf: &aws_config::SdkConfig) -> Self {
        Self {
            region: conf.region().map(|r| r.to_string()).unwrap_or_default(),
            bedrock: aws_sdk_bedrock::Client::new(conf),
            bedrock_agent: aws_sdk_bedrockagent::Client::new(conf),
            bedrock_agentcore: aws_sdk_bedrockagentcorecontrol::Client::new(conf),
            sagemaker: aws_sdk_sagemaker::Client::new(conf),
            kms: aws_sdk_kms::Client::new(conf),
            logs: aws_sdk_cloudwatchlogs::Client::new(conf),
            cloudtrail: aws_sdk_cloudtrail::Client::new(conf),
            tagging: aws_sdk_resourcegroupstagging::Client::new(conf),
            s3: aws_sdk_s3::Client::new(conf),
            iam: aws_sdk_iam::Client::new(conf),
            organizations: aws_sdk_organizations::Client::new(conf),
        }
    }
}

/// What a listing found: the subjects read, and the failure that stopped it, if any (a listing
/// can fail after some subjects were read, e.g. CloudTrail's account view without its trails).
#[derive(Debug)]
pub struct Listed {
    /// The subjects read.
    pub subjects: Vec<Subject>,
    /// Why the listing stopped short.
    pub failure: Option<AwsError>,
}

impl From<Result<Vec<Subject>, AwsError>> for Listed {
    fn from(result: Result<Vec<Subject>, AwsError>) -> Self {
        match result {
            Ok(subjects) => Self {
                subjects,
                failure: None,
            },
            Err(e) => Self {
                subjects: Vec::new(),
                failure: Some(e),
            },
        }
    }
}

/// Lists and reads every resource of a type (and of the types listed with it).
pub type ListFn = for<'a> fn(&'a Clients, &'a Scope) -> BoxFuture<'a, Listed>;
/// Lists the names of every resource of a type, cheaply, before any is read.
pub type NamesFn = for<'a> fn(&'a Clients) -> BoxFuture<'a, Result<Vec<String>, AwsError>>;
/// Reads what a selector names (one resource, a singleton, a group's members), with the
/// resources it reaches. `Err` only when not even the resources to report on can be named.
pub type ReadFn = for<'a> fn(
    &'a Clients,
    &'a Scope,
    &'a Selector,
) -> BoxFuture<'a, Result<Vec<Subject>, AwsError>>;
/// Decodes a live configuration item of the type.
pub type DecodeFn = fn(ResourceType, &ConfigurationItem) -> Decoded;
/// The reasons a subject is in scope by what it is (e.g. its name), before links and tags.
pub type OwnFn = fn(&Subject) -> Vec<String>;

/// How the sweep lists a type.
#[derive(Clone, Copy)]
pub enum Listing {
    /// Every resource, listed and read in one pass.
    All(ListFn),
    /// Listed by the reader of this other type, in the same pass (one IAM read returns roles,
    /// users and policies).
    With(ResourceType),
    /// Named by a cheap listing, decided by scope, and only those in scope read (S3 buckets).
    Named(NamesFn),
    /// Only those the scope links (or include tags) name are read (KMS keys).
    Linked,
}

/// What puts a resource of the type in the GenAI scope (an exclude tag always takes it out).
#[derive(Clone, Copy)]
pub enum Scoping {
    /// What it is: every one is in scope, with the reader's [`Reader::what`] as the reason.
    Nature,
    /// Its own reasons (e.g. a log group's name), or links and tags.
    Own(OwnFn),
    /// Links from GenAI resources, or tags.
    Links,
    /// IAM principals: links, tags or GenAI grants; policies: their own GenAI grants, or being
    /// attached to a principal in scope.
    Grants,
}

/// The selector forms a reader reads by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One resource, by the id a call names it with.
    Id,
    /// The account-and-region singleton.
    Singleton,
    /// The members of an IAM group.
    GroupMembers,
}

impl By {
    /// The form of `selector`.
    pub fn of(selector: &Selector) -> Self {
        match selector {
            Selector::Resource(_) => By::Id,
            Selector::Singleton => By::Singleton,
            Selector::GroupMembers(_) => By::GroupMembers,
        }
    }
}

/// How one resource type is read, in every path.
pub struct Reader {
    /// The type.
    pub resource_type: ResourceType,
    /// The sweep unit that reads it.
    pub service: Service,
    /// Why one is in scope by its nature, in scope reasons (`a SageMaker model`).
    pub what: &'static str,
    /// Its name in the plural, in errors (`SageMaker models`).
    pub plural: &'static str,
    /// How the sweep lists it.
    pub listing: Listing,
    /// What puts it in scope.
    pub scoping: Scoping,
    /// How what a call names is read (the drift path).
    pub read: ReadFn,
    /// The selector forms [`Reader::read`] accepts.
    pub read_by: &'static [By],
    /// How a Config item is decoded; `None` for a type AWS Config does not record.
    pub decode: Option<DecodeFn>,
    /// The types the scope links of its subjects name (read by later services).
    pub links: &'static [ResourceType],
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("resource_type", &self.resource_type)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// The id a selector names (`""` for a singleton; the group for a group's members).
fn id(selector: &Selector) -> &str {
    match selector {
        Selector::Resource(id) | Selector::GroupMembers(id) => id,
        Selector::Singleton => "",
    }
}

/// One subject, as a read's result.
fn one(subject: Subject) -> Result<Vec<Subject>, AwsError> {
    Ok(vec![subject])
}

use ResourceType as T;

/// The SageMaker reader of one type (they differ only in type and wording).
macro_rules! sagemaker_reader {
    ($variant:ident, $what:expr, $plural:literal, $decode:expr, $links:expr) => {
        Reader {
            resource_type: T::$variant,
            service: Service::SageMaker,
            what: $what,
            plural: $plural,
            listing: Listing::All(|c, s| {
                Box::pin(async move {
                    sagemaker::collect(&c.sagemaker, s, T::$variant)
                        .await
                        .into()
                })
            }),
            scoping: Scoping::Nature,
            read: |c, s, sel| {
                Box::pin(async move {
                    one(sagemaker::read_one(&c.sagemaker, s, T::$variant, id(sel)).await)
                })
            },
            read_by: &[By::Id],
            decode: $decode,
            links: $links,
        }
    };
}

/// What SageMaker resources link: their execution role, data buckets, keys.
const SAGEMAKER_LINKS: &[ResourceType] = &[T::IamRole, T::S3Bucket, T::KmsKey];
/// What a monitoring job definition means in scope reasons.
const MONITORING: &str = "a SageMaker monitoring job definition";

/// Every reader, one per [`ResourceType`], in the order a sweep unit reads them.
pub static READERS: &[Reader] = &[
    Reader {
        resource_type: T::BedrockCustomModel,
        service: Service::Bedrock,
        what: "a Bedrock custom model",
        plural: "custom models",
        listing: Listing::All(|c, s| {
            Box::pin(async move { bedrock::collect_custom_models(&c.bedrock, s).await.into() })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move { one(bedrock::read_custom_model(&c.bedrock, s, id(sel)).await) })
        },
        read_by: &[By::Id],
        decode: None,
        links: &[T::S3Bucket, T::KmsKey],
    },
    Reader {
        resource_type: T::BedrockModelCustomizationJob,
        service: Service::Bedrock,
        what: "a Bedrock model customization job",
        plural: "customization jobs",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                bedrock::collect_model_customization_jobs(&c.bedrock, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(
                async move { one(bedrock::read_customization_job(&c.bedrock, s, id(sel)).await) },
            )
        },
        read_by: &[By::Id],
        decode: None,
        links: &[T::S3Bucket, T::KmsKey, T::IamRole],
    },
    Reader {
        resource_type: T::BedrockGuardrail,
        service: Service::Bedrock,
        what: "a Bedrock guardrail",
        plural: "guardrails",
        // The guardrails and the region's inventory of them, from one listing.
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                let guardrails = bedrock::collect_guardrails(&c.bedrock, s).await;
                let inventory = bedrock::guardrail_inventory(s, &guardrails);
                let mut listed = Listed::from(guardrails);
                listed.subjects.push(inventory);
                listed
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move { one(bedrock::read_guardrail(&c.bedrock, s, id(sel)).await) })
        },
        read_by: &[By::Id],
        decode: Some(bedrock::decode_config_item),
        links: &[T::KmsKey],
    },
    Reader {
        resource_type: T::BedrockGuardrailInventory,
        service: Service::Bedrock,
        what: "the region's Bedrock guardrails (account-wide safeguard)",
        plural: "guardrail inventory",
        listing: Listing::With(T::BedrockGuardrail),
        scoping: Scoping::Nature,
        read: |c, s, _| {
            Box::pin(async move { one(bedrock::read_guardrail_inventory(&c.bedrock, s).await) })
        },
        read_by: &[By::Singleton],
        decode: None,
        links: &[],
    },
    Reader {
        resource_type: T::BedrockEnforcedGuardrails,
        service: Service::Bedrock,
        what: "the region's enforced Bedrock guardrails (account-wide safeguard)",
        plural: "enforced guardrail configurations",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                enforced_guardrails::collect_enforced_guardrails(&c.bedrock, &c.organizations, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, _| {
            Box::pin(async move {
                one(
                    enforced_guardrails::read_enforced_guardrails(&c.bedrock, &c.organizations, s)
                        .await,
                )
            })
        },
        read_by: &[By::Singleton],
        decode: None,
        links: &[],
    },
    Reader {
        resource_type: T::BedrockAgent,
        service: Service::Bedrock,
        what: "a Bedrock agent",
        plural: "agents",
        listing: Listing::All(|c, s| {
            Box::pin(async move { bedrock::collect_agents(&c.bedrock_agent, s).await.into() })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move { one(bedrock::read_agent(&c.bedrock_agent, s, id(sel)).await) })
        },
        read_by: &[By::Id],
        decode: None,
        links: &[T::IamRole, T::KmsKey],
    },
    Reader {
        resource_type: T::BedrockDataSource,
        service: Service::Bedrock,
        what: "a Bedrock knowledge base data source",
        plural: "knowledge base data sources",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                bedrock::collect_data_sources(&c.bedrock_agent, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        // Named `<knowledgeBaseId>|<dataSourceId>`, as the event map and Config name it.
        read: |c, s, sel| {
            Box::pin(async move {
                let Some((kb, ds)) = id(sel).split_once('|') else {
                    return one(cannot_read(s, T::BedrockDataSource, sel));
                };
                one(bedrock::read_data_source(&c.bedrock_agent, s, kb, ds).await)
            })
        },
        read_by: &[By::Id],
        decode: Some(bedrock::decode_config_item),
        links: &[T::S3Bucket, T::KmsKey],
    },
    Reader {
        resource_type: T::BedrockInvocationLogging,
        service: Service::Bedrock,
        what: "Bedrock model invocation logging (account-wide safeguard)",
        plural: "invocation logging",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                bedrock::collect_invocation_logging(&c.bedrock, &c.logs, &c.s3, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, _| {
            Box::pin(async move {
                Ok(bedrock::read_invocation_logging(&c.bedrock, &c.logs, &c.s3, s).await)
            })
        },
        read_by: &[By::Singleton],
        decode: None,
        links: &[T::S3Bucket, T::LogsLogGroup, T::IamRole],
    },
    Reader {
        resource_type: T::BedrockImportedModel,
        service: Service::Bedrock,
        what: "a Bedrock imported model",
        plural: "imported models",
        listing: Listing::All(|c, s| {
            Box::pin(async move { bedrock::collect_imported_models(&c.bedrock, s).await.into() })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move { one(bedrock::read_imported_model(&c.bedrock, s, id(sel)).await) })
        },
        read_by: &[By::Id],
        decode: None,
        links: &[T::KmsKey],
    },
    Reader {
        resource_type: T::BedrockModelInvocationJob,
        service: Service::Bedrock,
        what: "a Bedrock batch inference job",
        plural: "batch inference jobs",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                bedrock::collect_model_invocation_jobs(&c.bedrock, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move {
                one(bedrock::read_model_invocation_job(&c.bedrock, s, id(sel)).await)
            })
        },
        read_by: &[By::Id],
        decode: None,
        links: &[T::S3Bucket, T::KmsKey, T::IamRole],
    },
    Reader {
        resource_type: T::AgentCoreRuntime,
        service: Service::AgentCore,
        what: "a Bedrock AgentCore runtime",
        plural: "AgentCore runtimes",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                agentcore::collect_runtimes(&c.bedrock_agentcore, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(
                async move { one(agentcore::read_runtime(&c.bedrock_agentcore, s, id(sel)).await) },
            )
        },
        read_by: &[By::Id],
        decode: Some(agentcore::decode_config_item),
        links: &[T::IamRole],
    },
    Reader {
        resource_type: T::AgentCoreGateway,
        service: Service::AgentCore,
        what: "a Bedrock AgentCore gateway",
        plural: "AgentCore gateways",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                agentcore::collect_gateways(&c.bedrock_agentcore, &c.logs, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move {
                let deliveries = agentcore::read_deliveries(&c.logs).await;
                one(agentcore::read_gateway(&c.bedrock_agentcore, &deliveries, s, id(sel)).await)
            })
        },
        read_by: &[By::Id],
        decode: Some(agentcore::decode_config_item),
        links: &[T::IamRole, T::KmsKey],
    },
    Reader {
        resource_type: T::AgentCoreMemory,
        service: Service::AgentCore,
        what: "a Bedrock AgentCore memory",
        plural: "AgentCore memories",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                agentcore::collect_memories(&c.bedrock_agentcore, &c.logs, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move {
                let deliveries = agentcore::read_deliveries(&c.logs).await;
                one(agentcore::read_memory(&c.bedrock_agentcore, &deliveries, s, id(sel)).await)
            })
        },
        read_by: &[By::Id],
        decode: Some(agentcore::decode_config_item),
        links: &[T::IamRole, T::KmsKey],
    },
    Reader {
        resource_type: T::AgentCoreBrowser,
        service: Service::AgentCore,
        what: "a Bedrock AgentCore custom browser",
        plural: "AgentCore custom browsers",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                agentcore::collect_browsers(&c.bedrock_agentcore, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(
                async move { one(agentcore::read_browser(&c.bedrock_agentcore, s, id(sel)).await) },
            )
        },
        read_by: &[By::Id],
        decode: Some(agentcore::decode_config_item),
        links: &[T::IamRole, T::S3Bucket],
    },
    Reader {
        resource_type: T::AgentCoreCodeInterpreter,
        service: Service::AgentCore,
        what: "a Bedrock AgentCore custom code interpreter",
        plural: "AgentCore custom code interpreters",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                agentcore::collect_code_interpreters(&c.bedrock_agentcore, s)
                    .await
                    .into()
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move {
                one(agentcore::read_code_interpreter(&c.bedrock_agentcore, s, id(sel)).await)
            })
        },
        read_by: &[By::Id],
        decode: Some(agentcore::decode_config_item),
        links: &[T::IamRole],
    },
    Reader {
        resource_type: T::AgentCoreTokenVault,
        service: Service::AgentCore,
        what: "the region's Bedrock AgentCore token vault (account-wide safeguard)",
        plural: "AgentCore token vault",
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                Listed::from(Ok(vec![
                    agentcore::read_token_vault(&c.bedrock_agentcore, s).await,
                ]))
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, _| {
            Box::pin(async move { one(agentcore::read_token_vault(&c.bedrock_agentcore, s).await) })
        },
        read_by: &[By::Singleton],
        decode: None,
        links: &[T::KmsKey],
    },
    sagemaker_reader!(
        SageMakerNotebookInstance,
        "a SageMaker notebook instance",
        "notebook instances",
        Some(sagemaker::decode_config_item),
        &[T::IamRole, T::KmsKey]
    ),
    sagemaker_reader!(
        SageMakerEndpointConfig,
        "a SageMaker endpoint configuration",
        "endpoint configs",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerTrainingJob,
        "a SageMaker training job",
        "training jobs",
        None,
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerModel,
        "a SageMaker model",
        "models",
        Some(sagemaker::decode_config_item),
        &[T::IamRole, T::S3Bucket]
    ),
    sagemaker_reader!(
        SageMakerDomain,
        "a SageMaker domain",
        "domains",
        Some(sagemaker::decode_config_item),
        &[T::IamRole, T::KmsKey]
    ),
    sagemaker_reader!(
        SageMakerFeatureGroup,
        "a SageMaker feature group",
        "feature groups",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerDataQualityJobDefinition,
        MONITORING,
        "data quality job definitions",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerModelQualityJobDefinition,
        MONITORING,
        "model quality job definitions",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerModelBiasJobDefinition,
        MONITORING,
        "model bias job definitions",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerModelExplainabilityJobDefinition,
        MONITORING,
        "model explainability job definitions",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerMonitoringSchedule,
        "a SageMaker monitoring schedule",
        "monitoring schedules",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerInferenceExperiment,
        "a SageMaker inference experiment",
        "inference experiments",
        Some(sagemaker::decode_config_item),
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerProcessingJob,
        "a SageMaker processing job",
        "processing jobs",
        None,
        SAGEMAKER_LINKS
    ),
    sagemaker_reader!(
        SageMakerTransformJob,
        "a SageMaker transform job",
        "transform jobs",
        None,
        &[T::S3Bucket, T::KmsKey]
    ),
    Reader {
        resource_type: T::IamRole,
        service: Service::Iam,
        what: "an IAM role",
        plural: "IAM roles, users and policies",
        // Roles, users and customer managed policies from one GetAccountAuthorizationDetails.
        listing: Listing::All(|c, s| {
            Box::pin(async move { iam::collect_iam(&c.iam, s).await.into() })
        }),
        scoping: Scoping::Grants,
        read: |c, s, sel| {
            Box::pin(async move {
                iam::read_selection(&c.iam, s, &iam::IamSelection::Role(id(sel).to_owned())).await
            })
        },
        read_by: &[By::Id],
        decode: Some(iam::decode_config_item),
        links: &[],
    },
    Reader {
        resource_type: T::IamUser,
        service: Service::Iam,
        what: "an IAM user",
        plural: "IAM users",
        listing: Listing::With(T::IamRole),
        scoping: Scoping::Grants,
        read: |c, s, sel| {
            Box::pin(async move {
                let selection = match sel {
                    Selector::GroupMembers(group) => iam::IamSelection::GroupMembers(group.clone()),
                    other => iam::IamSelection::User(id(other).to_owned()),
                };
                iam::read_selection(&c.iam, s, &selection).await
            })
        },
        read_by: &[By::Id, By::GroupMembers],
        decode: Some(iam::decode_config_item),
        links: &[],
    },
    Reader {
        resource_type: T::IamPolicy,
        service: Service::Iam,
        what: "an IAM customer managed policy",
        plural: "IAM policies",
        listing: Listing::With(T::IamRole),
        scoping: Scoping::Grants,
        // The policy, and every role and user it is attached to.
        read: |c, s, sel| {
            Box::pin(async move {
                iam::read_selection(&c.iam, s, &iam::IamSelection::Policy(id(sel).to_owned())).await
            })
        },
        read_by: &[By::Id],
        decode: Some(iam::decode_config_item),
        links: &[],
    },
    Reader {
        resource_type: T::S3Bucket,
        service: Service::S3,
        what: "an S3 bucket",
        plural: "S3 buckets",
        listing: Listing::Named(|c| Box::pin(s3::list_bucket_names(&c.s3))),
        scoping: Scoping::Links,
        read: |c, s, sel| Box::pin(async move { one(s3::read_bucket(&c.s3, s, id(sel)).await) }),
        read_by: &[By::Id],
        decode: Some(s3::decode_config_item),
        links: &[],
    },
    Reader {
        resource_type: T::CloudTrailTrail,
        service: Service::CloudTrail,
        what: "CloudTrail records the GenAI API activity (account-wide safeguard)",
        plural: "trails",
        // The trails and the account's view of them, from one pass.
        listing: Listing::All(|c, s| {
            Box::pin(async move {
                let (subjects, listed) = cloudtrail::collect_trails(&c.cloudtrail, s).await;
                Listed {
                    subjects,
                    failure: listed.err(),
                }
            })
        }),
        scoping: Scoping::Nature,
        read: |c, s, sel| {
            Box::pin(async move { one(cloudtrail::read_trail(&c.cloudtrail, s, id(sel)).await) })
        },
        read_by: &[By::Id],
        decode: Some(cloudtrail::decode_config_item),
        links: &[],
    },
    Reader {
        resource_type: T::Account,
        service: Service::CloudTrail,
        what: "CloudTrail records the GenAI API activity (account-wide safeguard)",
        plural: "account CloudTrail coverage",
        listing: Listing::With(T::CloudTrailTrail),
        scoping: Scoping::Nature,
        read: |c, s, _| {
            Box::pin(async move { Ok(cloudtrail::read_account(&c.cloudtrail, s).await) })
        },
        read_by: &[By::Singleton],
        decode: None,
        links: &[],
    },
    Reader {
        resource_type: T::LogsLogGroup,
        service: Service::Logs,
        what: "a CloudWatch Logs log group",
        plural: "log groups",
        listing: Listing::All(|c, s| {
            Box::pin(async move { logs::collect_log_groups(&c.logs, s, None).await.into() })
        }),
        scoping: Scoping::Own(logs::genai_writer),
        // The singleton: every log group GenAI services write to by name (an account policy
        // changed), or one group by name or ARN.
        read: |c, s, sel| {
            Box::pin(async move {
                match sel {
                    Selector::Singleton => logs::read_genai_log_groups(&c.logs, s).await,
                    _ => one(logs::read_log_group(&c.logs, s, id(sel)).await),
                }
            })
        },
        read_by: &[By::Id, By::Singleton],
        decode: Some(logs::decode_config_item),
        links: &[],
    },
    Reader {
        resource_type: T::KmsKey,
        service: Service::Kms,
        what: "a KMS key",
        plural: "KMS keys",
        listing: Listing::Linked,
        scoping: Scoping::Links,
        read: |c, s, sel| Box::pin(async move { one(kms::read_key(&c.kms, s, id(sel)).await) }),
        read_by: &[By::Id],
        decode: Some(kms::decode_config_item),
        links: &[],
    },
];

/// The reader of `resource_type`.
pub fn reader(resource_type: ResourceType) -> Option<&'static Reader> {
    READERS.iter().find(|r| r.resource_type == resource_type)
}

/// The reader of the type a Config or CloudFormation type name names.
pub fn reader_of_cfn(cfn_type: &str) -> Option<&'static Reader> {
    ResourceType::from_cfn_type(cfn_type).and_then(reader)
}

/// The readers of `service`, in the order its unit reads them.
pub fn of(service: Service) -> impl Iterator<Item = &'static Reader> {
    READERS.iter().filter(move |r| r.service == service)
}

/// Decodes a live configuration item with its type's reader.
pub fn decode(item: &ConfigurationItem) -> Decoded {
    match ResourceType::from_cfn_type(&item.resource_type)
        .and_then(|t| Some((t, reader(t)?.decode?)))
    {
        Some((resource_type, decode)) => decode(resource_type, item),
        None => Decoded::UnsupportedType,
    }
}

/// Reads what `target` names, once, with its type's reader: the target's subject first, then
/// any it reaches (an IAM policy's roles and users). A target no reader reads by its selector is
/// one unreadable subject.
pub async fn read(
    clients: &Clients,
    scope: &Scope,
    target: &Target,
) -> Result<Vec<Subject>, AwsError> {
    match reader(target.resource_type) {
        Some(reader) if reader.read_by.contains(&By::of(&target.selector)) => {
            (reader.read)(clients, scope, &target.selector).await
        }
        _ => one(cannot_read(scope, target.resource_type, &target.selector)),
    }
}

/// The subject of a selector no reader reads.
fn cannot_read(scope: &Scope, resource_type: ResourceType, selector: &Selector) -> Subject {
    crate::adapters::subject_at(
        scope,
        resource_type,
        &selector.describe(),
        None,
        "not read",
        SubjectState::Unreadable(format!(
            "genai-evidence cannot re-read {resource_type} by {}",
            selector.describe()
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::map::{IdRule, ROUTES};

    #[test]
    fn every_resource_type_has_exactly_one_reader() {
        for t in ResourceType::ALL {
            let n = READERS.iter().filter(|r| r.resource_type == *t).count();
            assert_eq!(n, 1, "{t}: {n} readers");
        }
        assert_eq!(READERS.len(), ResourceType::ALL.len());
    }

    #[test]
    fn a_type_has_a_config_decoder_exactly_when_config_records_it() {
        for r in READERS {
            assert_eq!(
                r.decode.is_some(),
                r.resource_type.recorded_by_config(),
                "{}",
                r.resource_type
            );
        }
    }

    #[test]
    fn a_type_listed_with_another_is_listed_by_that_types_reader_in_the_same_unit() {
        for r in READERS {
            if let Listing::With(other) = r.listing {
                let lister = reader(other).expect("a reader");
                assert_eq!(lister.service, r.service, "{}", r.resource_type);
                assert!(
                    matches!(lister.listing, Listing::All(_)),
                    "{} is listed with {other}, which lists nothing itself",
                    r.resource_type
                );
            }
        }
    }

    #[test]
    fn scope_links_name_types_a_later_unit_reads() {
        let position = |s: Service| Service::ORDER.iter().position(|o| *o == s);
        for r in READERS {
            for linked in r.links {
                let target = reader(*linked).expect("a reader");
                assert!(
                    crate::domain::scope::Target::of(*linked, "x").is_some(),
                    "{}: links never name {linked}",
                    r.resource_type
                );
                assert!(
                    position(target.service) > position(r.service),
                    "{} links {linked}, read by {:?}, which runs before {:?}",
                    r.resource_type,
                    target.service,
                    r.service
                );
            }
        }
    }

    #[test]
    fn every_target_the_event_map_produces_has_a_reader_for_its_selector() {
        for route in ROUTES {
            for rule in route.targets {
                let selector = match rule.id {
                    IdRule::Singleton => Selector::Singleton,
                    IdRule::GroupMembers(_) => Selector::GroupMembers("g".into()),
                    IdRule::DataSource { .. } => Selector::Resource("KB1|DS1".into()),
                    IdRule::One(_) => Selector::Resource("r".into()),
                };
                let reader = reader(rule.resource_type).expect("a reader");
                assert!(
                    reader.read_by.contains(&By::of(&selector)),
                    "{}: no way to read {} by {:?}",
                    route.event_name,
                    rule.resource_type,
                    rule.id
                );
            }
        }
    }
}

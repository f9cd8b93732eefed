//! Amazon Bedrock state the checks read.

use crate::domain::resource::{Readable, Unreadable};

/// A Bedrock custom model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomModel {
    /// The model name.
    pub name: String,
    /// The KMS key the model is encrypted with (`GetCustomModel.modelKmsKeyArn`); `None` means
    /// an AWS owned key.
    pub kms_key_arn: Readable<Option<String>>,
}

/// A Bedrock model customization job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCustomizationJob {
    /// The job name.
    pub name: String,
    /// The KMS key the output model is encrypted with
    /// (`GetModelCustomizationJob.outputModelKmsKeyArn`); `None` means an AWS owned key.
    pub output_model_kms_key_arn: Readable<Option<String>>,
}

/// A Bedrock guardrail (its working draft, as `GetGuardrail` and AWS Config describe it, or one
/// numbered version read with `GetGuardrail` by version).
#[derive(Debug, Clone, PartialEq)]
pub struct Guardrail {
    /// The guardrail id.
    pub id: String,
    /// The guardrail name, when known.
    pub name: Option<String>,
    /// The KMS key the guardrail is encrypted with; `None` means an AWS owned key.
    pub kms_key_arn: Readable<Option<String>>,
    /// The content filters (`contentPolicy.filters`); empty when there is no content policy.
    pub content_filters: Readable<Vec<ContentFilter>>,
    /// The sensitive-information policy; `None` when there is none.
    pub sensitive_information: Readable<Option<SensitiveInformationPolicy>>,
    /// The contextual grounding filters (`contextualGroundingPolicy.filters`); empty when there
    /// is no contextual grounding policy.
    pub grounding_filters: Readable<Vec<GroundingFilter>>,
}

/// One contextual grounding filter of a guardrail.
#[derive(Debug, Clone, PartialEq)]
pub struct GroundingFilter {
    /// `GROUNDING` or `RELEVANCE`.
    pub filter_type: String,
    /// The confidence threshold below which a response is filtered (0 to 0.99).
    pub threshold: f64,
    /// Whether the filter is on; `None` when not stated (on by default).
    pub enabled: Option<bool>,
    /// `BLOCK` or `NONE` (detect only); `None` when not stated (blocks by default).
    pub action: Option<String>,
}

/// One content filter of a guardrail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFilter {
    /// `SEXUAL`, `VIOLENCE`, `HATE`, `INSULTS`, `MISCONDUCT` or `PROMPT_ATTACK`.
    pub filter_type: String,
    /// `NONE`, `LOW`, `MEDIUM` or `HIGH`.
    pub input_strength: String,
    /// Whether the filter evaluates prompts; `None` when not stated (on by default).
    pub input_enabled: Option<bool>,
    /// `BLOCK` or `NONE` (detect only); `None` when not stated (blocks by default).
    pub input_action: Option<String>,
    /// `NONE`, `LOW`, `MEDIUM` or `HIGH`, for model responses; `None` when not stated.
    pub output_strength: Option<String>,
    /// Whether the filter evaluates responses; `None` when not stated (on by default).
    pub output_enabled: Option<bool>,
    /// `BLOCK` or `NONE` (detect only) on responses; `None` when not stated (blocks by default).
    pub output_action: Option<String>,
}

/// A guardrail's sensitive-information (PII) policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveInformationPolicy {
    /// The PII entity types filtered, e.g. `EMAIL`, `US_SOCIAL_SECURITY_NUMBER`.
    pub pii_entity_types: Vec<String>,
    /// The names of the custom regex filters.
    pub regex_names: Vec<String>,
}

/// A Bedrock agent (its working draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The agent id.
    pub id: String,
    /// The agent name, when known.
    pub name: Option<String>,
    /// The KMS key the agent's resources are encrypted with (`customerEncryptionKeyArn`); `None`
    /// means an AWS owned key.
    pub kms_key_arn: Readable<Option<String>>,
    /// The guardrail attached to the agent; `None` when there is none.
    pub guardrail: Readable<Option<GuardrailAttachment>>,
}

/// The guardrail an agent applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardrailAttachment {
    /// The guardrail id or ARN.
    pub identifier: String,
    /// The guardrail version, when stated.
    pub version: Option<String>,
}

/// A Bedrock knowledge base data source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// The data source id.
    pub id: String,
    /// The knowledge base the data source belongs to, when known.
    pub knowledge_base_id: Option<String>,
    /// The KMS key transient ingestion data is encrypted with
    /// (`serverSideEncryptionConfiguration.kmsKeyArn`); `None` means an AWS owned key.
    pub kms_key_arn: Readable<Option<String>>,
}

/// The model invocation logging configuration of one account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvocationLogging {
    /// The region it applies to.
    pub region: String,
    /// The configuration; `None` when invocation logging is not configured.
    pub config: Readable<Option<LoggingConfig>>,
}

/// What model invocation logging records and where it delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingConfig {
    /// Whether prompts and completions as text are delivered (`textDataDeliveryEnabled`).
    pub text_data_delivery: bool,
    /// The CloudWatch Logs destination, when configured.
    pub cloudwatch: Option<LogGroupDestination>,
    /// The S3 buckets logs are delivered to: the `s3Config` bucket and the CloudWatch
    /// destination's large-data bucket, when configured.
    pub s3: Vec<BucketDestination>,
}

impl LoggingConfig {
    /// Whether at least one destination is configured.
    pub fn has_destination(&self) -> bool {
        self.cloudwatch.is_some() || !self.s3.is_empty()
    }
}

/// A CloudWatch Logs log group invocation logs are delivered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroupDestination {
    /// The log group name.
    pub log_group_name: String,
    /// The log group's KMS key (`DescribeLogGroups.kmsKeyId`); `None` means CloudWatch Logs'
    /// own encryption without a customer managed key.
    pub kms_key_id: Readable<Option<String>>,
}

/// An S3 bucket invocation logs are delivered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketDestination {
    /// Which setting names the bucket: `s3Config` or `cloudWatchConfig.largeDataDeliveryS3Config`.
    pub role: String,
    /// The bucket name.
    pub bucket_name: String,
    /// The bucket's default encryption; `None` when the bucket has no default encryption
    /// configuration.
    pub default_encryption: Readable<Option<BucketDefaultEncryption>>,
}

/// A bucket's default encryption rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketDefaultEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// The KMS key, when one is named.
    pub kms_key_id: Option<String>,
}

/// Every guardrail of one account and region, for the check that a protective one exists.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardrailInventory {
    /// The region.
    pub region: String,
    /// The guardrails; unreadable when they could not be listed.
    pub guardrails: Readable<Vec<Guardrail>>,
}

/// A model imported into Bedrock (Custom Model Import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedModel {
    /// The model name.
    pub name: String,
    /// The KMS key the model is encrypted with (`GetImportedModel.modelKmsKeyArn`); `None`
    /// means an AWS owned key.
    pub kms_key_arn: Readable<Option<String>>,
}

/// A Bedrock batch inference job (a model invocation job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInvocationJob {
    /// The job name.
    pub name: String,
    /// The KMS key the job's S3 output is encrypted with
    /// (`outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId`); `None` when none is named.
    pub output_kms_key_id: Readable<Option<String>>,
}

/// The guardrails enforced on every Bedrock inference call of one account and region: the
/// account's own enforced configurations (`ListEnforcedGuardrailsConfiguration`) and the
/// organization's effective Bedrock policy (`organizations:DescribeEffectivePolicy` with
/// `BEDROCK_POLICY`) as this account sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnforcedGuardrails {
    /// The region.
    pub region: String,
    /// The account's enforced configurations, each with the guardrail version it names.
    pub account: Readable<Vec<EnforcedGuardrailConfig>>,
    /// The organization's view.
    pub organization: OrganizationGuardrails,
}

/// One account-level enforced guardrail configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnforcedGuardrailConfig {
    /// The configuration id (`configId`).
    pub config_id: String,
    /// The guardrail it names (`guardrailArn`, else `guardrailId`).
    pub guardrail: String,
    /// The guardrail version (`guardrailVersion`): a number, or `DRAFT`; `None` when not stated.
    pub version: Option<String>,
    /// `modelEnforcement.includedModels`; `None` when the configuration has no model
    /// enforcement (it then applies to every model).
    pub included_models: Option<Vec<String>>,
    /// `modelEnforcement.excludedModels`.
    pub excluded_models: Vec<String>,
    /// `selectiveContentGuarding.system`: `COMPREHENSIVE` or `SELECTIVE`; `None` when not stated.
    pub system_guarding: Option<String>,
    /// `selectiveContentGuarding.messages`: `COMPREHENSIVE` or `SELECTIVE`; `None` when not stated.
    pub messages_guarding: Option<String>,
    /// `inputTags` (deprecated): `HONOR` or `IGNORE`; `None` when not stated.
    pub input_tags: Option<String>,
    /// The named version of the guardrail (`GetGuardrail` by id and version).
    pub guardrail_version: Readable<Guardrail>,
}

/// What the organization's effective `BEDROCK_POLICY` says for this account and region.
#[derive(Debug, Clone, PartialEq)]
pub enum OrganizationGuardrails {
    /// The effective policy was read: the guardrails it enforces in this region (possibly none).
    Read(Vec<OrganizationGuardrail>),
    /// No organization Bedrock policy applies, for the reason given (the account is in no
    /// organization, or has no effective policy of the type, which on the management account
    /// means the type is not enabled).
    NoPolicy(String),
    /// The organization view could not be read (access denied, throttled, ...).
    Unreadable(Unreadable),
}

/// One guardrail the organization's Bedrock policy enforces in the region.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationGuardrail {
    /// The policy's name for the configuration (e.g. `config_1`).
    pub name: String,
    /// The guardrail identifier as written (`arn:...:guardrail/<id>:<version>`).
    pub identifier: String,
    /// The version the identifier names (after its last `:`), when it names one.
    pub version: Option<String>,
    /// `input_tags` (`honor` or `ignore`), when stated.
    pub input_tags: Option<String>,
    /// The named version of the guardrail (`GetGuardrail`); a management account's guardrail
    /// is often unreadable from a member account.
    pub guardrail_version: Readable<Guardrail>,
}

/// Whether a guardrail passing `bedrock_enforced_guardrail_all_models` is enforced on every
/// model in every region the suite evaluates: what the checks on identities allowed to invoke
/// models need to know, read before them and carried to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardrailEnforcement {
    /// Enforced in every region evaluated (what enforces it).
    Enforced(String),
    /// Not enforced in at least one region (why).
    NotEnforced(String),
    /// Not known (why): the configuration could not be read or decided, or was not read by
    /// the path that read the identity.
    Unknown(String),
}

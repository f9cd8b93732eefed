//! Member accounts of an AWS Organization: the read-only role the suite assumes in each one
//! (`member-role.yaml`, deployed as a service-managed StackSet), and SDK configurations that
//! carry its credentials, built once per account and container.
//!
//! The suite runs in one delegated-administrator (or management) account. A resource of
//! another account is read, and its Config evaluations are put, with that account's member
//! role; evidence, the ledger and the reports stay in the administrator's account.

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::SdkConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::ProvideCredentials;
use tokio::sync::Mutex;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::error::AwsErrorKind;

/// The IAM actions a function needs to read a member account (on the member role only).
pub const REQUIRED_ACTIONS: &[&str] = &["sts:AssumeRole"];

/// The member role's default name (`MemberRoleName` in both templates).
pub const DEFAULT_ROLE_NAME: &str = "GenAiEvidenceMemberRead";

/// What the member role grants beside every check's read actions (the same union
/// `CollectorReadPolicy` grants): the scope tags, and the Config rule's calls, which an
/// organization rule makes in the member account (its evaluations are the member's).
pub const ROLE_EXTRA_ACTIONS: &[&str] = &[
    "tag:GetResources",
    "config:PutEvaluations",
    "config:GetResourceConfigHistory",
    "config:ListDiscoveredResources",
    "config:BatchGetResourceConfig",
    "config:GetComplianceDetailsByConfigRule",
];

/// Every action the member role grants: the checks' read actions and [`ROLE_EXTRA_ACTIONS`],
/// sorted, each once.
pub fn role_actions() -> Vec<String> {
    let mut actions: Vec<String> = crate::catalog::CHECKS
        .iter()
        .flat_map(|c| c.api_actions.iter().map(|a| (*a).to_owned()))
        .chain(ROLE_EXTRA_ACTIONS.iter().map(|a| (*a).to_owned()))
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

/// The role to assume in member accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRole {
    /// Its name, the same in every member account (`MEMBER_ROLE_NAME`).
    pub name: String,
    /// The external id its trust policy asks for (`MEMBER_EXTERNAL_ID`), if any.
    pub external_id: Option<String>,
}

impl Default for MemberRole {
    fn default() -> Self {
        Self {
            name: DEFAULT_ROLE_NAME.into(),
            external_id: None,
        }
    }
}

impl MemberRole {
    /// The role's ARN in `account` (partition `aws` unless the region says otherwise).
    pub fn arn(&self, account: &str, region: &str) -> String {
        format!(
            "arn:{}:iam::{account}:role/{}",
            crate::sinks::securityhub::partition_of(region),
            self.name
        )
    }
}

/// Why a member account cannot be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("member role {role} could not be assumed: {}{reason}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
pub struct MemberError {
    /// The role's ARN.
    pub role: String,
    /// STS's error code (`AccessDenied` when the role is missing or does not trust the suite).
    pub code: Option<String>,
    /// STS's message, or why the credentials could not be had.
    pub reason: String,
    /// The error's class (access denied when the role is missing or does not trust the suite).
    pub kind: AwsErrorKind,
}

impl MemberError {
    /// Whether trying again later may succeed (throttling, a transient failure).
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, AwsErrorKind::Throttled | AwsErrorKind::Transient)
    }
}

/// SDK configurations per account: the base one for the suite's own account, one with the
/// member role's credentials for every other. Successful ones are kept for the container's life
/// (the credentials refresh themselves); a failure is not kept, so the next use tries again.
#[derive(Debug, Clone)]
pub struct Accounts {
    base: SdkConfig,
    /// Where the role is assumed from (the base configuration unless told otherwise).
    sts: Option<SdkConfig>,
    own_account: String,
    role: MemberRole,
    cache: Arc<Mutex<HashMap<String, SdkConfig>>>,
}

impl Accounts {
    /// Configurations derived from `base` (the function's own credentials, in `own_account`).
    pub fn new(base: SdkConfig, own_account: impl Into<String>, role: MemberRole) -> Self {
        Self {
            base,
            sts: None,
            own_account: own_account.into(),
            role,
            cache: Arc::default(),
        }
    }

    /// The same, assuming roles through `sts` (its endpoint and credentials) while the
    /// members' configurations keep the base's endpoints: for a rig whose Config is one
    /// emulator and whose STS is another.
    pub fn with_sts_config(mut self, sts: SdkConfig) -> Self {
        self.sts = Some(sts);
        self
    }

    /// The suite's own account.
    pub fn own_account(&self) -> &str {
        &self.own_account
    }

    /// The member role.
    pub fn role(&self) -> &MemberRole {
        &self.role
    }

    /// The base configuration (the suite's own account).
    pub fn base(&self) -> &SdkConfig {
        &self.base
    }

    /// The configuration for `account`: the base one for the suite's own account (or an
    /// empty id), else one with the member role's credentials, assumed now (so a missing or
    /// untrusting role is known before any read is made with it).
    pub async fn config_for(&self, account: &str) -> Result<SdkConfig, MemberError> {
        if account.is_empty() || account == self.own_account {
            return Ok(self.base.clone());
        }
        if let Some(conf) = self.cache.lock().await.get(account) {
            return Ok(conf.clone());
        }
        let region = self
            .base
            .region()
            .map(ToString::to_string)
            .unwrap_or_default();
        let role = self.role.arn(account, &region);
        let mut builder = AssumeRoleProvider::builder(role.clone())
            .session_name("genai-evidence")
            .configure(self.sts.as_ref().unwrap_or(&self.base));
        if let Some(id) = &self.role.external_id {
            builder = builder.external_id(id.clone());
        }
        let provider = builder.build().await;
        if let Err(e) = provider.provide_credentials().await {
            return Err(member_error(&role, &e));
        }
        let conf = self
            .base
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build();
        self.cache
            .lock()
            .await
            .insert(account.to_owned(), conf.clone());
        Ok(conf)
    }
}

/// The STS error behind a failed assume, classified by its code.
fn member_error(role: &str, error: &(dyn std::error::Error + 'static)) -> MemberError {
    use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(sdk) = e.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>() {
            let kind = match sdk {
                SdkError::ServiceError(_) => match crate::error::classify_code(sdk.code()) {
                    AwsErrorKind::Other
                        if matches!(sdk.raw_response().map(|r| r.status().as_u16()), Some(403)) =>
                    {
                        AwsErrorKind::AccessDenied
                    }
                    kind => kind,
                },
                SdkError::TimeoutError(_)
                | SdkError::DispatchFailure(_)
                | SdkError::ResponseError(_) => AwsErrorKind::Transient,
                _ => AwsErrorKind::Other,
            };
            let reason = match (sdk.code(), sdk.message()) {
                (_, Some(message)) => genai_evidence_core::text::truncate_chars(message, 300),
                (Some(_), None) => "no message".to_owned(),
                _ => {
                    genai_evidence_core::text::truncate_chars(&crate::error::source_chain(sdk), 300)
                }
            };
            return MemberError {
                role: role.to_owned(),
                code: sdk.code().map(str::to_owned),
                reason,
                kind,
            };
        }
        source = e.source();
    }
    MemberError {
        role: role.to_owned(),
        code: None,
        reason: genai_evidence_core::text::truncate_chars(&crate::error::source_chain(error), 300),
        kind: AwsErrorKind::Other,
    }
}

/// The account of the function's own credentials (`GetCallerIdentity` needs no permission).
pub async fn own_account(aws: &SdkConfig) -> Result<String, crate::error::AwsError> {
    let out = aws_sdk_sts::Client::new(aws)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| crate::error::AwsError::from_sdk("sts:GetCallerIdentity", e))?;
    Ok(out.account().unwrap_or_default().to_owned())
}

/// The member accounts a function answers for, from its settings: with `ORGANIZATION_SWEEP`
/// enabled, every account but its own through the member role; otherwise none (a single
/// account deployment needs no STS call at all).
pub async fn from_settings(
    settings: &crate::settings::Settings,
    aws: &SdkConfig,
) -> Result<Option<Accounts>, crate::error::AwsError> {
    if !settings.organization_sweep {
        return Ok(None);
    }
    let own = own_account(aws).await?;
    Ok(Some(Accounts::new(
        aws.clone(),
        own,
        settings.member_role.clone(),
    )))
}

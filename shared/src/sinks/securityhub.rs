//! The Security Hub sink: findings as AWS Security Finding Format (ASFF) findings, imported with
//! `BatchImportFindings` into the Security Hub of the account that owns the resource.
//!
//! - One finding per check and resource ([`finding_id`], from `ResourceRef::identity()` and the
//!   check id), so a later import of the same check on the same resource updates it.
//! - The product is the account's default product
//!   (`arn:<partition>:securityhub:<region>:<account>:product/<account>/default`): Security Hub
//!   takes such a finding only from the account named in its `AwsAccountId`. A finding about
//!   another account's resource goes to that account's Security Hub with that account's
//!   credentials (a client per account; the planned organization fan-out builds one), or through
//!   a delegated administrator; this sink sends each account's findings in their own calls, so
//!   a refusal for one account leaves the others delivered.
//! - Verdicts: `COMPLIANT` → `PASSED`, `NON_COMPLIANT` → `FAILED`, `COULD_NOT_EVALUATE` →
//!   `WARNING` with the reason in `StatusReasons` (never `PASSED` or `FAILED`), `NOT_APPLICABLE`
//!   → `NOT_AVAILABLE` and archived (the resource is gone, out of scope, or the check no longer
//!   applies to it: nothing is left to act on).
//! - At most 100 findings a call. `FailedFindings` is read item by item: a throttling or
//!   internal error is retried alone with backoff, any other is reported with the id, code and
//!   message. A call that fails as a whole is retried when retryable, else every finding of it
//!   is reported.
//!
//! Which findings are sent at all (only changed verdicts, none lost) is the recorder's business
//! (`Recorder::deliver_to_security_hub`); [`EvidenceSink::file`] sends every finding it is given.

use std::time::Duration;

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, FindingProviderFields,
    FindingProviderSeverity, Partition, Recommendation, RecordState, Remediation, Resource,
    Severity, SeverityLabel, StatusReason, Workflow, WorkflowStatus,
};

use crate::catalog::security_hub::STANDARD_NAME;
use crate::catalog::{Check, Severity as CheckSeverity};
use crate::domain::outcome::Verdict;
use crate::domain::resource::{ResourceRef, ResourceType};
use crate::error::AwsError;
use crate::finding::Finding;
use crate::sinks::auditmanager::RetryPolicy;
use crate::sinks::text::truncate_chars;
use crate::sinks::{BoxFuture, Delivery, EvidenceSink, SinkReport, Undelivered};

/// The IAM actions the sink calls (granted on the account's default product ARN only).
pub const REQUIRED_ACTIONS: &[&str] = &["securityhub:BatchImportFindings"];

/// BatchImportFindings takes at most 100 findings per call.
pub const MAX_FINDINGS_PER_IMPORT: usize = 100;

/// The ASFF schema version.
pub const SCHEMA_VERSION: &str = "2018-10-08";

/// The finding type of every finding: a configuration check against best practices.
pub const FINDING_TYPE: &str = "Software and Configuration Checks/AWS Security Best Practices";

/// The status reason code of a could-not-evaluate finding.
pub const COULD_NOT_EVALUATE_REASON: &str = "COULD_NOT_EVALUATE";

/// ASFF's limits: `Id` 512 characters, `Title` 256, `Description` 1,024, recommendation text
/// 512, a status reason's description 2,048.
const MAX_ID: usize = 512;
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_RECOMMENDATION: usize = 512;
const MAX_REASON: usize = 2048;

/// Error codes in `FailedFindings` that a later attempt may get past.
const RETRYABLE_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "LimitExceededException",
    "InternalException",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// The partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The default product of `account` in `region`: the product ARN of findings an account imports
/// about itself.
pub fn product_arn(region: &str, account: &str) -> String {
    format!(
        "arn:{}:securityhub:{region}:{account}:product/{account}/default",
        partition_of(region)
    )
}

/// The finding's stable id: the check and the resource identity, so every function and every
/// run names the same finding the same way. An identity too long for ASFF's 512 characters is
/// cut and ends with a hash of the whole (FNV-1a, 64 bits), so it stays stable and distinct.
pub fn finding_id(check: &str, resource: &ResourceRef) -> String {
    let id = format!("genai-evidence/{check}/{}", resource.identity());
    if id.chars().count() <= MAX_ID {
        return id;
    }
    let hash = format!("/{:016x}", fnv1a(id.as_bytes()));
    let kept: String = id.chars().take(MAX_ID - hash.len()).collect();
    format!("{kept}{hash}")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The resource's ARN in its region's partition; the id where the resource has no ARN
/// (`AWS::::Account:<account>` for the account itself, as ASFF names an account).
pub fn resource_arn(resource: &ResourceRef) -> String {
    if let Some(arn) = resource.arn.as_deref().filter(|a| a.starts_with("arn:")) {
        return arn.to_owned();
    }
    let id = &resource.resource_id;
    if id.starts_with("arn:") {
        return id.clone();
    }
    let partition = partition_of(&resource.region);
    let account = &resource.account_id;
    match ResourceType::from_cfn_type(&resource.resource_type) {
        Some(ResourceType::S3Bucket) => format!("arn:{partition}:s3:::{id}"),
        Some(ResourceType::IamRole) if !is_iam_unique_id(id) => {
            format!("arn:{partition}:iam::{account}:role/{id}")
        }
        Some(ResourceType::IamUser) if !is_iam_unique_id(id) => {
            format!("arn:{partition}:iam::{account}:user/{id}")
        }
        Some(ResourceType::Account) => format!("AWS::::Account:{account}"),
        _ => id.clone(),
    }
}

fn is_iam_unique_id(id: &str) -> bool {
    ["AROA", "AIDA", "ANPA", "AGPA"]
        .iter()
        .any(|p| id.starts_with(p))
        && id.len() >= 16
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The ASFF resource type of a CloudFormation type; `Other` where ASFF has none.
pub fn asff_resource_type(resource_type: &str) -> &'static str {
    match ResourceType::from_cfn_type(resource_type) {
        Some(ResourceType::S3Bucket) => "AwsS3Bucket",
        Some(ResourceType::IamRole) => "AwsIamRole",
        Some(ResourceType::IamUser) => "AwsIamUser",
        Some(ResourceType::IamPolicy) => "AwsIamPolicy",
        Some(ResourceType::KmsKey) => "AwsKmsKey",
        Some(ResourceType::CloudTrailTrail) => "AwsCloudTrailTrail",
        Some(ResourceType::SageMakerNotebookInstance) => "AwsSageMakerNotebookInstance",
        Some(ResourceType::Account) => "AwsAccount",
        _ => "Other",
    }
}

/// `Compliance.RelatedRequirements`: the framework control ids, then each Security Hub control
/// the check decides, as `<standard name>/<control id>` (the form Security Hub's own control
/// findings use for a standard's requirement, e.g. `CIS AWS Foundations Benchmark v1.2.0/1.1`).
pub fn related_requirements(check: &Check) -> Vec<String> {
    check
        .controls
        .iter()
        .map(|c| c.id.to_owned())
        .chain(
            check
                .security_hub
                .iter()
                .map(|id| format!("{STANDARD_NAME}/{id}")),
        )
        .collect()
}

/// The ASFF compliance status of a verdict.
pub fn compliance_status(verdict: Verdict) -> ComplianceStatus {
    match verdict {
        Verdict::Compliant => ComplianceStatus::Passed,
        Verdict::NonCompliant => ComplianceStatus::Failed,
        Verdict::NotApplicable => ComplianceStatus::NotAvailable,
        Verdict::CouldNotEvaluate => ComplianceStatus::Warning,
    }
}

/// `ARCHIVED` for a verdict that leaves nothing to act on (not applicable: the resource is gone,
/// out of scope, or the check does not apply to it), `ACTIVE` otherwise.
pub fn record_state(verdict: Verdict) -> RecordState {
    match verdict {
        Verdict::NotApplicable => RecordState::Archived,
        _ => RecordState::Active,
    }
}

/// The severity label: the check's severity for a failure or a finding that could not be
/// evaluated; `INFORMATIONAL` for a pass or not applicable, as Security Hub labels its own
/// passed control findings.
pub fn severity_label(check: &Check, verdict: Verdict) -> SeverityLabel {
    match verdict {
        Verdict::Compliant | Verdict::NotApplicable => SeverityLabel::Informational,
        Verdict::NonCompliant | Verdict::CouldNotEvaluate => match check.severity {
            CheckSeverity::Critical => SeverityLabel::Critical,
            CheckSeverity::High => SeverityLabel::High,
            CheckSeverity::Medium => SeverityLabel::Medium,
            CheckSeverity::Low => SeverityLabel::Low,
        },
    }
}

/// The ASFF finding of `finding`, for the Security Hub of `hub_region` (the region the sink
/// calls; the product ARN's region).
pub fn to_asff(finding: &Finding, hub_region: &str) -> AwsSecurityFinding {
    let check = finding.check;
    let verdict = finding.outcome.verdict;
    let account = &finding.resource.account_id;
    let resource_region = match finding.resource.region.as_str() {
        "" | "global" => hub_region,
        region => region,
    };
    let label = severity_label(check, verdict);
    let mut compliance = Compliance::builder()
        .status(compliance_status(verdict))
        .set_related_requirements(Some(related_requirements(check)));
    if verdict == Verdict::CouldNotEvaluate {
        compliance = compliance.status_reasons(
            StatusReason::builder()
                .reason_code(COULD_NOT_EVALUATE_REASON)
                .description(truncate_chars(&finding.outcome.observed, MAX_REASON))
                .build(),
        );
    }
    let description = format!(
        "{verdict}: {} {} Check {} v{}.",
        finding.outcome.observed, finding.outcome.rationale, check.id, check.version
    );
    let at = finding.evaluated_at.to_string();
    let observed = finding.observed_at.to_string();
    AwsSecurityFinding::builder()
        .schema_version(SCHEMA_VERSION)
        .id(finding_id(check.id, &finding.resource))
        .product_arn(product_arn(hub_region, account))
        .product_name("genai-evidence")
        .company_name("genai-evidence")
        .generator_id(check.id)
        .aws_account_id(account)
        .region(hub_region)
        .types(FINDING_TYPE)
        .first_observed_at(&observed)
        .last_observed_at(&observed)
        .created_at(&observed)
        .updated_at(&at)
        .severity(Severity::builder().label(label.clone()).build())
        .finding_provider_fields(
            FindingProviderFields::builder()
                .severity(FindingProviderSeverity::builder().label(label).build())
                .types(FINDING_TYPE)
                .build(),
        )
        .title(truncate_chars(check.title, MAX_TITLE))
        .description(truncate_chars(&description, MAX_DESCRIPTION))
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(truncate_chars(check.remediation, MAX_RECOMMENDATION))
                        .build(),
                )
                .build(),
        )
        .resources(
            Resource::builder()
                .r#type(asff_resource_type(&finding.resource.resource_type))
                .id(resource_arn(&finding.resource))
                .partition(Partition::from(partition_of(resource_region)))
                .region(resource_region)
                .build(),
        )
        .compliance(compliance.build())
        .workflow(Workflow::builder().status(WorkflowStatus::New).build())
        .record_state(record_state(verdict))
        .build()
}

/// Imports findings into Security Hub.
pub struct SecurityHubSink {
    client: Client,
    region: String,
    retry: RetryPolicy,
}

impl SecurityHubSink {
    /// A sink calling Security Hub in `region` (the client's region) with `client`.
    pub fn new(client: Client, region: impl Into<String>, retry: RetryPolicy) -> Self {
        Self {
            client,
            region: region.into(),
            retry,
        }
    }

    /// The region whose Security Hub the findings go to.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Imports `findings` (any number: one account's at a time, 100 a call) and returns, finding
    /// by finding, whether Security Hub took it or why not.
    pub async fn import(&self, findings: &[&Finding]) -> Vec<Result<(), String>> {
        let mut results: Vec<Option<Result<(), String>>> = vec![None; findings.len()];
        let mut accounts: Vec<&str> = findings
            .iter()
            .map(|f| f.resource.account_id.as_str())
            .collect();
        accounts.sort_unstable();
        accounts.dedup();
        for account in accounts {
            let of_account: Vec<usize> = (0..findings.len())
                .filter(|&i| findings[i].resource.account_id == account)
                .collect();
            for chunk in of_account.chunks(MAX_FINDINGS_PER_IMPORT) {
                let asff: Vec<AwsSecurityFinding> = chunk
                    .iter()
                    .map(|&i| to_asff(findings[i], &self.region))
                    .collect();
                for (&i, result) in chunk.iter().zip(self.import_batch(asff).await) {
                    results[i] = Some(result);
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err("not sent".into())))
            .collect()
    }

    /// One call's findings (at most 100), retried as a whole when the call fails retryably and
    /// finding by finding when `FailedFindings` names them with a retryable code.
    async fn import_batch(&self, findings: Vec<AwsSecurityFinding>) -> Vec<Result<(), String>> {
        let mut results: Vec<Option<Result<(), String>>> = vec![None; findings.len()];
        let mut pending: Vec<usize> = (0..findings.len()).collect();
        let mut last_problem = String::new();
        let attempts = self.retry.attempts.max(1);
        for attempt in 0..attempts {
            if attempt > 0 {
                tokio::time::sleep(backoff(self.retry.base_delay, attempt)).await;
            }
            let sent = self
                .client
                .batch_import_findings()
                .set_findings(Some(pending.iter().map(|&i| findings[i].clone()).collect()))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("securityhub:BatchImportFindings", e));
            let failed = match sent {
                Ok(out) => out.failed_findings().to_vec(),
                Err(e) if e.is_retryable() => {
                    tracing::warn!(error = %e, attempt, "Security Hub import will be retried");
                    last_problem = e.to_string();
                    continue;
                }
                Err(e) => {
                    tracing::error!(error = %e, "Security Hub import rejected");
                    for &i in &pending {
                        results[i] = Some(Err(e.to_string()));
                    }
                    pending.clear();
                    break;
                }
            };
            let mut retry = Vec::new();
            for &i in &pending {
                let id = findings[i].id().unwrap_or_default();
                match failed.iter().find(|f| f.id() == Some(id)) {
                    None => results[i] = Some(Ok(())),
                    Some(failure) => {
                        let code = failure.error_code().unwrap_or_default();
                        let why = format!(
                            "Security Hub rejected finding {id}: {code}: {}",
                            failure.error_message().unwrap_or_default()
                        );
                        if RETRYABLE_CODES.contains(&code) {
                            last_problem = why;
                            retry.push(i);
                        } else {
                            tracing::error!(why, "Security Hub finding rejected");
                            results[i] = Some(Err(why));
                        }
                    }
                }
            }
            pending = retry;
            if pending.is_empty() {
                break;
            }
        }
        for &i in &pending {
            tracing::error!(
                last_problem,
                "Security Hub finding not delivered after retries"
            );
            results[i] = Some(Err(format!(
                "not delivered after {attempts} attempts: {last_problem}"
            )));
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err("not sent".into())))
            .collect()
    }

    async fn file_all(&self, findings: &[Finding]) -> SinkReport {
        let refs: Vec<&Finding> = findings.iter().collect();
        let results = self.import(&refs).await;
        let mut report = SinkReport {
            sink: "securityhub",
            ..SinkReport::default()
        };
        for (finding, result) in findings.iter().zip(results) {
            match result {
                Ok(()) => report.delivered.push(delivery(finding)),
                Err(reason) => report.undelivered.push(undelivered(finding, reason)),
            }
        }
        report
    }
}

fn backoff(base: Duration, attempt: u32) -> Duration {
    base * 2u32.saturating_pow(attempt.saturating_sub(1))
}

/// A delivered Security Hub finding, reported under the check's first framework control.
pub(crate) fn delivery(finding: &Finding) -> Delivery {
    Delivery {
        check: finding.check.id,
        control: finding.check.controls.first().map_or("", |c| c.id),
        resource_id: finding.resource.resource_id.clone(),
    }
}

/// A finding Security Hub did not take (a Security Hub finding spans the check's controls).
pub(crate) fn undelivered(finding: &Finding, reason: String) -> Undelivered {
    Undelivered {
        check: finding.check.id,
        control: None,
        resource_id: finding.resource.resource_id.clone(),
        reason,
    }
}

impl EvidenceSink for SecurityHubSink {
    fn name(&self) -> &'static str {
        "securityhub"
    }

    fn file<'a>(&'a self, findings: &'a [Finding]) -> BoxFuture<'a, SinkReport> {
        Box::pin(self.file_all(findings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CHECKS;
    use crate::domain::outcome::Outcome;
    use crate::domain::time::Timestamp;

    fn finding(resource_type: &str, id: &str, region: &str, outcome: Outcome) -> Finding {
        let check = CHECKS
            .iter()
            .copied()
            .find(|c| c.resource_type().cfn_type() == resource_type)
            .unwrap_or(CHECKS[0]);
        Finding {
            check,
            resource: ResourceRef {
                resource_type: resource_type.into(),
                resource_id: id.into(),
                arn: None,
                account_id: "123456789012".into(),
                region: region.into(),
            },
            outcome,
            observed_at: Timestamp::from_epoch_millis(1_780_000_000_000),
            observed_via: "test",
            evaluated_at: Timestamp::from_epoch_millis(1_780_000_060_000),
            context: Vec::new(),
        }
    }

    #[test]
    fn verdicts_map_to_compliance_statuses_and_could_not_evaluate_is_never_passed_or_failed() {
        assert_eq!(
            compliance_status(Verdict::Compliant),
            ComplianceStatus::Passed
        );
        assert_eq!(
            compliance_status(Verdict::NonCompliant),
            ComplianceStatus::Failed
        );
        assert_eq!(
            compliance_status(Verdict::NotApplicable),
            ComplianceStatus::NotAvailable
        );
        assert_eq!(
            compliance_status(Verdict::CouldNotEvaluate),
            ComplianceStatus::Warning
        );
        let f = finding(
            "AWS::S3::Bucket",
            "b",
            "us-east-1",
            Outcome::could_not_evaluate("AccessDenied on s3:GetEncryptionConfiguration"),
        );
        let asff = to_asff(&f, "us-east-1");
        let compliance = asff.compliance().unwrap();
        assert_eq!(compliance.status(), Some(&ComplianceStatus::Warning));
        let reason = &compliance.status_reasons()[0];
        assert_eq!(reason.reason_code(), Some(COULD_NOT_EVALUATE_REASON));
        assert!(reason.description().unwrap().contains("AccessDenied"));
        assert_eq!(asff.record_state(), Some(&RecordState::Active));
    }

    #[test]
    fn a_not_applicable_finding_is_archived() {
        let f = finding(
            "AWS::S3::Bucket",
            "b",
            "us-east-1",
            Outcome::not_applicable("the resource no longer exists", "deleted"),
        );
        let asff = to_asff(&f, "us-east-1");
        assert_eq!(asff.record_state(), Some(&RecordState::Archived));
        assert_eq!(
            asff.compliance().unwrap().status(),
            Some(&ComplianceStatus::NotAvailable)
        );
    }

    #[test]
    fn the_finding_id_is_stable_per_check_and_resource_and_fits_asff() {
        let a = finding(
            "AWS::S3::Bucket",
            "b",
            "us-east-1",
            Outcome::compliant("", ""),
        );
        let b = finding(
            "AWS::S3::Bucket",
            "b",
            "eu-west-1",
            Outcome::compliant("", ""),
        );
        // A bucket is global: the same finding whichever region read it.
        assert_eq!(
            finding_id(a.check.id, &a.resource),
            finding_id(b.check.id, &b.resource)
        );
        let long = ResourceRef {
            resource_type: "AWS::Bedrock::Guardrail".into(),
            resource_id: "g".repeat(900),
            arn: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        };
        let other = ResourceRef {
            resource_id: format!("{}h", "g".repeat(899)),
            ..long.clone()
        };
        let id = finding_id("c", &long);
        assert!(id.chars().count() <= MAX_ID);
        assert_eq!(id, finding_id("c", &long));
        assert_ne!(id, finding_id("c", &other));
    }

    #[test]
    fn arns_product_and_resource_follow_the_partition() {
        assert_eq!(
            product_arn("cn-north-1", "123456789012"),
            "arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default"
        );
        let f = finding(
            "AWS::S3::Bucket",
            "b",
            "us-gov-west-1",
            Outcome::compliant("", ""),
        );
        assert_eq!(resource_arn(&f.resource), "arn:aws-us-gov:s3:::b");
        let role = finding("AWS::IAM::Role", "r", "global", Outcome::compliant("", ""));
        let asff = to_asff(&role, "eu-west-1");
        let resource = &asff.resources()[0];
        assert_eq!(resource.r#type(), Some("AwsIamRole"));
        assert_eq!(resource.id(), Some("arn:aws:iam::123456789012:role/r"));
        assert_eq!(resource.region(), Some("eu-west-1"));
        assert_eq!(asff_resource_type("AWS::Logs::LogGroup"), "Other");
    }

    #[test]
    fn related_requirements_name_framework_controls_then_security_hub_controls() {
        let check = CHECKS
            .iter()
            .find(|c| !c.security_hub.is_empty())
            .expect("a check deciding a Security Hub control");
        let related = related_requirements(check);
        assert_eq!(related[0], check.controls[0].id);
        assert!(
            related.iter().any(|r| r
                == &format!(
                    "AI Security Best Practices v1.0.0/{}",
                    check.security_hub[0]
                )),
            "{related:?}"
        );
    }
}

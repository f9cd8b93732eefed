//! Checks on S3 buckets: encryption at rest with KMS (SECAI3.3) and TLS-only access (SECAI3.2).

use crate::catalog::framework::{SECAI3_2, SECAI3_3, SECAI3_7, SECAI3_15};
use crate::catalog::params::{Params, TlsVersion};
use crate::catalog::{Check, Evaluator, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::policy::{Effect, Statement};
use crate::domain::resources::s3::S3Bucket;

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &DEFAULT_ENCRYPTION_KMS,
    &TLS_ONLY,
    &PUBLIC_ACCESS_BLOCKED,
    &ACCESS_LOGGING,
];

/// SECAI3.3: default encryption is SSE-KMS or DSSE-KMS.
pub static DEFAULT_ENCRYPTION_KMS: Check = Check {
    id: "s3_bucket_default_encryption_kms",
    version: 1,
    title: "S3 bucket default encryption uses a KMS key (SSE-KMS or DSSE-KMS)",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["s3:ListAllMyBuckets", "s3:GetEncryptionConfiguration"],
    passes_when: "The bucket's default encryption rule is aws:kms or aws:kms:dsse. SSE-S3 (AES256) alone fails: every bucket has had it since January 2023, so it proves nothing.",
    remediation: "Set default encryption to SSE-KMS with a customer managed key: aws s3api put-bucket-encryption --bucket <name> --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"<key-arn>\"},\"BucketKeyEnabled\":true}]}'",
    evaluator: Evaluator::S3Bucket(default_encryption_kms),
};

/// SECAI3.2: the bucket policy refuses requests that are not sent over TLS.
pub static TLS_ONLY: Check = Check {
    id: "s3_bucket_tls_only",
    version: 1,
    title: "S3 bucket policy denies requests that do not use TLS",
    controls: &[&SECAI3_2],
    security_hub: &[],
    severity: Severity::High,
    api_actions: &["s3:ListAllMyBuckets", "s3:GetBucketPolicy"],
    passes_when: "A Deny statement for every principal covers all S3 actions on the bucket and its objects when aws:SecureTransport is false (and, with minimumTlsVersion, when aws:TLSVersion is lower).",
    remediation: "Add to the bucket policy: {\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::<name>\",\"arn:aws:s3:::<name>/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}",
    evaluator: Evaluator::S3Bucket(tls_only),
};

/// SECAI3.7: Block Public Access is on for the bucket, all four settings.
pub static PUBLIC_ACCESS_BLOCKED: Check = Check {
    id: "s3_bucket_public_access_blocked",
    version: 1,
    title: "S3 bucket blocks public access with all four Block Public Access settings",
    controls: &[&SECAI3_7],
    security_hub: &[],
    severity: Severity::Critical,
    api_actions: &["s3:ListAllMyBuckets", "s3:GetBucketPublicAccessBlock"],
    passes_when: "BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets are all true on the bucket.",
    remediation: "aws s3api put-public-access-block --bucket <name> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
    evaluator: Evaluator::S3Bucket(public_access_blocked),
};

/// SECAI3.15: server access logging records every request to the bucket.
pub static ACCESS_LOGGING: Check = Check {
    id: "s3_bucket_server_access_logging",
    version: 1,
    title: "S3 bucket server access logging is on",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: &["s3:ListAllMyBuckets", "s3:GetBucketLogging"],
    passes_when: "The bucket delivers server access logs to a target bucket.",
    remediation: "aws s3api put-bucket-logging --bucket <name> --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"<log-bucket>\",\"TargetPrefix\":\"<name>/\"}}'",
    evaluator: Evaluator::S3Bucket(access_logging),
};

fn public_access_blocked(bucket: &S3Bucket, _params: &Params) -> Outcome {
    let block = match &bucket.public_access_block {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(None) => {
            return Outcome::non_compliant(
                "the bucket has no Block Public Access configuration",
                "without it, a bucket policy or ACL can make training data or model artifacts public",
            );
        }
        Ok(Some(block)) => block,
    };
    let off: Vec<&str> = [
        ("BlockPublicAcls", block.block_public_acls),
        ("IgnorePublicAcls", block.ignore_public_acls),
        ("BlockPublicPolicy", block.block_public_policy),
        ("RestrictPublicBuckets", block.restrict_public_buckets),
    ]
    .into_iter()
    .filter(|(_, on)| !on)
    .map(|(name, _)| name)
    .collect();
    if off.is_empty() {
        Outcome::compliant(
            "all four Block Public Access settings are on",
            "no ACL or policy can grant public access to the bucket",
        )
    } else {
        Outcome::non_compliant(
            format!("Block Public Access is off for {}", off.join(", ")),
            "each setting that is off leaves a path to public access",
        )
    }
}

fn access_logging(bucket: &S3Bucket, _params: &Params) -> Outcome {
    match &bucket.access_log_target {
        Err(unreadable) => Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(Some(target)) => Outcome::compliant(
            format!("server access logs are delivered to bucket {target}"),
            "every request to the bucket is recorded with its requester",
        ),
        Ok(None) => Outcome::non_compliant(
            "server access logging is off",
            "without access logs, reads of training data or model artifacts leave no per-request record",
        ),
    }
}

fn default_encryption_kms(bucket: &S3Bucket, _params: &Params) -> Outcome {
    let rule = match &bucket.default_encryption {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(None) => {
            return Outcome::non_compliant(
                "the bucket has no default encryption configuration",
                "without a KMS default, objects are encrypted only with S3-owned keys (SSE-S3); SECAI3.3 needs SSE-KMS or DSSE-KMS so key use is governed by key policy and logged",
            );
        }
        Ok(Some(rule)) => rule,
    };
    let key = rule
        .kms_key_id
        .as_deref()
        .unwrap_or("the AWS managed key aws/s3");
    match rule.algorithm.as_str() {
        "aws:kms" | "aws:kms:dsse" => {
            let kind = if rule.algorithm == "aws:kms" {
                "SSE-KMS"
            } else {
                "DSSE-KMS"
            };
            Outcome::compliant(
                format!("default encryption is {kind} with {key}"),
                "new objects are encrypted at rest under a KMS key whose use is governed by key policy and logged in CloudTrail",
            )
        }
        "AES256" => Outcome::non_compliant(
            "default encryption is SSE-S3 (AES256)",
            "SSE-S3 uses S3-owned keys that no key policy governs; SECAI3.3 needs SSE-KMS or DSSE-KMS",
        ),
        other => Outcome::non_compliant(
            format!("default encryption algorithm is {other:?}"),
            "only aws:kms and aws:kms:dsse encrypt with a KMS key",
        ),
    }
}

fn tls_only(bucket: &S3Bucket, params: &Params) -> Outcome {
    let policy = match &bucket.policy {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(None) => {
            return Outcome::non_compliant(
                "the bucket has no bucket policy",
                "without a Deny on aws:SecureTransport=false, S3 accepts plain-HTTP requests to the bucket",
            );
        }
        Ok(Some(policy)) => policy,
    };
    let arn = bucket.arn();
    let objects = format!("{arn}/*");
    let transport = policy
        .statements
        .iter()
        .find(|s| denies_everyone_everything(s, &arn, &objects) && is_insecure_transport_test(s));
    let Some(transport) = transport else {
        let partial = policy.statements.iter().any(|s| {
            s.effect == Effect::Deny && s.conditions_on("aws:SecureTransport").next().is_some()
        });
        let observed = if partial {
            "a Deny on aws:SecureTransport exists but does not cover every principal, every S3 action, the bucket and its objects, or carries other conditions"
        } else {
            "the bucket policy has no statement denying requests with aws:SecureTransport=false"
        };
        return Outcome::non_compliant(
            observed,
            "S3 accepts plain-HTTP requests unless a bucket policy denies them",
        );
    };
    let name = transport
        .sid
        .as_deref()
        .map(|s| format!("statement {s:?}"))
        .unwrap_or_else(|| "a statement".into());
    if let Some(minimum) = params.minimum_tls_version {
        let enforced = policy
            .statements
            .iter()
            .filter(|s| denies_everyone_everything(s, &arn, &objects))
            .filter_map(minimum_tls_denied)
            .max();
        match enforced {
            Some(version) if version >= minimum => {
                return Outcome::compliant(
                    format!(
                        "{name} denies every S3 request without TLS, and a Deny refuses TLS below {}",
                        version.as_str()
                    ),
                    format!(
                        "plain HTTP and TLS below {} are refused for the bucket and its objects",
                        minimum.as_str()
                    ),
                );
            }
            _ => {
                return Outcome::non_compliant(
                    format!(
                        "{name} denies requests without TLS, but no Deny refuses aws:TLSVersion below {}",
                        minimum.as_str()
                    ),
                    format!(
                        "the rule parameter minimumTlsVersion requires TLS {} or later",
                        minimum.as_str()
                    ),
                );
            }
        }
    }
    Outcome::compliant(
        format!(
            "{name} denies every S3 action on the bucket and its objects to everyone when aws:SecureTransport is false"
        ),
        "requests that do not use TLS are refused",
    )
}

/// A Deny for everyone, on every S3 action, on the bucket and its objects.
fn denies_everyone_everything(s: &Statement, bucket_arn: &str, objects_arn: &str) -> bool {
    s.effect == Effect::Deny
        && s.not_principal.is_none()
        && s.principal.as_ref().is_some_and(|p| p.is_everyone())
        && s.covers_whole_service("s3")
        && s.covers_resource(bucket_arn)
        && s.covers_resource(objects_arn)
}

/// The statement's only condition is `aws:SecureTransport` is false.
fn is_insecure_transport_test(s: &Statement) -> bool {
    !s.conditions.is_empty()
        && s.conditions.iter().all(|c| {
            matches!(c.operator.as_str(), "Bool" | "BoolIfExists")
                && c.key == "aws:securetransport"
                && !c.values.is_empty()
                && c.values.iter().all(|v| v.eq_ignore_ascii_case("false"))
        })
}

/// The version below which the statement's only condition denies TLS, if it is such a test.
fn minimum_tls_denied(s: &Statement) -> Option<TlsVersion> {
    match s.conditions.as_slice() {
        [c] if c.operator == "NumericLessThan" && c.key == "aws:tlsversion" => {
            c.values.iter().filter_map(|v| TlsVersion::parse(v)).min()
        }
        _ => None,
    }
}

//! The Config rule's reply: one evaluation per resource, folded from that resource's findings.
//!
//! Config keeps one result per (rule, resource), so several checks on one resource fold into one
//! evaluation: any `NON_COMPLIANT` wins; otherwise any could-not-evaluate makes the result
//! `NOT_APPLICABLE` with a "could not evaluate" annotation (never `COMPLIANT`, and never the
//! `INSUFFICIENT_DATA` that PutEvaluations rejects); otherwise any `COMPLIANT` wins; otherwise
//! `NOT_APPLICABLE`.

use crate::adapters::config_api::PlannedEvaluation;
use crate::domain::outcome::Verdict;
use crate::domain::resource::ResourceRef;
use crate::domain::time::Timestamp;
use crate::finding::Finding;
use crate::sinks::text::{MAX_ANNOTATION, truncate_chars};

/// Folds one resource's findings into its evaluation. With no findings (no check covers the
/// resource), the evaluation is `NOT_APPLICABLE` with `why_none` as annotation.
pub fn fold(
    resource: &ResourceRef,
    ordering: Timestamp,
    findings: &[&Finding],
    why_none: &str,
) -> PlannedEvaluation {
    let with = |verdict: Verdict| {
        findings
            .iter()
            .filter(move |f| f.outcome.verdict == verdict)
    };
    let list = |verdict: Verdict| {
        with(verdict)
            .map(|f| format!("{}: {}", f.check.id, f.outcome.observed))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (compliance, annotation) = if findings.is_empty() {
        ("NOT_APPLICABLE", why_none.to_owned())
    } else if with(Verdict::NonCompliant).next().is_some() {
        ("NON_COMPLIANT", list(Verdict::NonCompliant))
    } else if with(Verdict::CouldNotEvaluate).next().is_some() {
        (
            "NOT_APPLICABLE",
            format!("COULD NOT EVALUATE {}", list(Verdict::CouldNotEvaluate)),
        )
    } else if with(Verdict::Compliant).next().is_some() {
        let ids: Vec<_> = with(Verdict::Compliant).map(|f| f.check.id).collect();
        ("COMPLIANT", format!("passes {}", ids.join(", ")))
    } else {
        ("NOT_APPLICABLE", list(Verdict::NotApplicable))
    };
    let annotation = truncate_chars(annotation.trim(), MAX_ANNOTATION);
    PlannedEvaluation {
        resource_type: resource.resource_type.clone(),
        resource_id: resource.resource_id.clone(),
        compliance,
        annotation: (!annotation.is_empty()).then_some(annotation),
        ordering,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{s3, sagemaker};
    use crate::domain::outcome::Outcome;

    fn finding(check: &'static crate::catalog::Check, outcome: Outcome) -> Finding {
        Finding {
            check,
            resource: resource(),
            outcome,
            observed_at: Timestamp::from_epoch_millis(1),
            observed_via: "test",
            evaluated_at: Timestamp::from_epoch_millis(2),
            context: Vec::new(),
        }
    }

    fn resource() -> ResourceRef {
        ResourceRef {
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: "b".into(),
            arn: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        }
    }

    fn folded(findings: &[Finding]) -> PlannedEvaluation {
        fold(
            &resource(),
            Timestamp::from_epoch_millis(1),
            &findings.iter().collect::<Vec<_>>(),
            "none apply",
        )
    }

    #[test]
    fn any_non_compliant_finding_makes_the_resource_non_compliant() {
        let e = folded(&[
            finding(&s3::TLS_ONLY, Outcome::compliant("ok", "ok")),
            finding(
                &s3::DEFAULT_ENCRYPTION_KMS,
                Outcome::non_compliant("AES256", "no"),
            ),
            finding(&s3::TLS_ONLY, Outcome::could_not_evaluate("AccessDenied")),
        ]);
        assert_eq!(e.compliance, "NON_COMPLIANT");
        assert!(
            e.annotation
                .unwrap()
                .contains("s3_bucket_default_encryption_kms: AES256")
        );
    }

    #[test]
    fn could_not_evaluate_is_never_sent_as_compliant() {
        let e = folded(&[
            finding(&s3::TLS_ONLY, Outcome::compliant("ok", "ok")),
            finding(
                &s3::DEFAULT_ENCRYPTION_KMS,
                Outcome::could_not_evaluate("AccessDenied on s3:GetEncryptionConfiguration"),
            ),
        ]);
        assert_eq!(e.compliance, "NOT_APPLICABLE");
        assert!(e.annotation.unwrap().starts_with("COULD NOT EVALUATE"));
    }

    #[test]
    fn no_findings_is_not_applicable_with_the_reason() {
        let e = folded(&[]);
        assert_eq!(
            (e.compliance, e.annotation.as_deref()),
            ("NOT_APPLICABLE", Some("none apply"))
        );
    }

    #[test]
    fn annotations_are_cut_to_256_characters_on_a_char_boundary() {
        let long = "é".repeat(400);
        let e = folded(&[finding(
            &sagemaker::NOTEBOOK_KMS_KEY,
            Outcome::non_compliant(long, "x"),
        )]);
        let annotation = e.annotation.unwrap();
        assert_eq!(annotation.chars().count(), 256);
        assert!(annotation.ends_with('…'));
    }
}

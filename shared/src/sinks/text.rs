//! The evidence text an auditor reads: one finding, at most 1,000 characters.

use crate::catalog::FrameworkControl;
use crate::domain::finding::Finding;

/// Audit Manager's limit for a `textResponse`.
pub const MAX_TEXT_RESPONSE: usize = 1000;
/// AWS Config's limit for an annotation.
pub const MAX_ANNOTATION: usize = 256;

/// Cuts `text` to at most `max` characters on a character boundary, ending with `…` when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Renders one finding as evidence for one framework control.
pub fn evidence_text(finding: &Finding, control: &FrameworkControl) -> String {
    let r = &finding.resource;
    let subject = r.arn.clone().unwrap_or_else(|| r.resource_id.clone());
    let head = format!(
        "{} {} | {}\nResource: {} {}\nAccount {}, region {}\n",
        control.id,
        control.name,
        finding.outcome.verdict,
        r.resource_type,
        subject,
        r.account_id,
        r.region
    );
    let tail = format!(
        "\nObserved at {} via {}; evaluated at {}.\nDecided by genai-evidence {} check {} v{}.",
        finding.observed_at,
        finding.observed_via,
        finding.evaluated_at,
        env!("CARGO_PKG_VERSION"),
        finding.check.id,
        finding.check.version
    );
    // Context (scope reasons, the actor of a change) may take up to a quarter of the text.
    let context = truncate_chars(
        &finding
            .context
            .iter()
            .map(|line| format!("\n{line}"))
            .collect::<String>(),
        MAX_TEXT_RESPONSE / 4,
    );
    let tail = format!("{context}{tail}");
    let budget = MAX_TEXT_RESPONSE.saturating_sub(head.chars().count() + tail.chars().count());
    let observed = format!("Observed: {}.", finding.outcome.observed);
    let why = format!("\nWhy: {}.", finding.outcome.rationale);
    let observed = truncate_chars(
        &observed,
        budget.saturating_sub(why.chars().count().min(budget / 2)),
    );
    let why = truncate_chars(&why, budget.saturating_sub(observed.chars().count()));
    truncate_chars(&format!("{head}{observed}{why}{tail}"), MAX_TEXT_RESPONSE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::framework::SECAI3_3;
    use crate::catalog::s3;
    use crate::domain::outcome::Outcome;
    use crate::domain::resource::ResourceRef;
    use crate::domain::time::Timestamp;

    fn finding(observed: String) -> Finding {
        Finding {
            check: &s3::DEFAULT_ENCRYPTION_KMS,
            resource: ResourceRef {
                resource_type: "AWS::S3::Bucket".into(),
                resource_id: "genai-train".into(),
                arn: Some("arn:aws:s3:::genai-train".into()),
                account_id: "123456789012".into(),
                region: "eu-west-1".into(),
            },
            outcome: Outcome::non_compliant(observed, "SSE-S3 uses S3-owned keys"),
            observed_at: Timestamp::parse("2026-11-20T09:15:02.120Z").unwrap(),
            observed_via: "AWS Config configuration item",
            evaluated_at: Timestamp::parse("2026-11-20T09:15:03.000Z").unwrap(),
            context: Vec::new(),
        }
    }

    #[test]
    fn evidence_text_says_what_an_auditor_needs() {
        let text = evidence_text(
            &finding("default encryption is SSE-S3 (AES256)".into()),
            &SECAI3_3,
        );
        for needle in [
            "SECAI3.3 Data Encryption At Rest",
            "NON_COMPLIANT",
            "AWS::S3::Bucket arn:aws:s3:::genai-train",
            "Account 123456789012, region eu-west-1",
            "Observed: default encryption is SSE-S3 (AES256).",
            "Why: SSE-S3 uses S3-owned keys.",
            "Observed at 2026-11-20T09:15:02.120Z via AWS Config configuration item",
            "check s3_bucket_default_encryption_kms v1",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }

    #[test]
    fn evidence_text_stays_within_1000_characters_and_keeps_its_frame() {
        let text = evidence_text(&finding("ü".repeat(5000)), &SECAI3_3);
        assert!(
            text.chars().count() <= MAX_TEXT_RESPONSE,
            "{}",
            text.chars().count()
        );
        assert!(
            text.contains("Why: SSE-S3"),
            "the rationale survives a long observation"
        );
        assert!(text.ends_with("v1."), "the provenance line survives");
    }
}

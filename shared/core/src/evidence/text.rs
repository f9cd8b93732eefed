//! The evidence text an auditor reads: one finding, at most 1,000 characters.

pub use crate::text::truncate_chars;

use crate::catalog::FrameworkControl;
use crate::finding::Finding;

/// Audit Manager's limit for a `textResponse`.
pub const MAX_TEXT_RESPONSE: usize = 1000;
/// AWS Config's limit for an annotation.
pub const MAX_ANNOTATION: usize = 256;

/// The characters of an evidence text always left to the observation and its rationale.
const MIN_BODY: usize = 300;

/// The context lines (each entry may hold several, separated by `\n`), each on its own line
/// and in order, within `budget` characters: lines that fit are kept whole; the first that does
/// not is cut to what is left (when that is worth it) and the rest are dropped.
fn context_lines(context: &[String], budget: usize) -> String {
    let mut out = String::new();
    let mut left = budget;
    for line in context.iter().flat_map(|entry| entry.lines()) {
        let line = format!("\n{line}");
        let n = line.chars().count();
        if n <= left {
            out.push_str(&line);
            left -= n;
        } else {
            if left > 40 {
                out.push_str(&truncate_chars(&line, left));
            }
            break;
        }
    }
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
    let observed = format!("Observed: {}.", finding.outcome.observed);
    let why = format!("\nWhy: {}.", finding.outcome.rationale);
    let frame = head.chars().count() + tail.chars().count();
    // Context (the CloudTrail event and its actor, scope reasons) comes before the observation
    // in priority, line by line: each line is kept whole while it fits, and only the line that
    // no longer fits is cut. The observation keeps at least `MIN_BODY` characters.
    let body = (observed.chars().count() + why.chars().count()).min(MIN_BODY);
    let context = context_lines(
        &finding.context,
        MAX_TEXT_RESPONSE.saturating_sub(frame + body),
    );
    let tail = format!("{context}{tail}");
    let budget = MAX_TEXT_RESPONSE.saturating_sub(head.chars().count() + tail.chars().count());
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

    #[test]
    fn a_long_actor_arn_is_kept_whole_and_the_event_id_and_name_are_never_cut() {
        let mut f = finding("default encryption was removed".into());
        let arn = format!(
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_GenAIPlatformAdministrators_0123456789abcdef/{}",
            "firstname.middlename.lastname@subsidiary.example-bank.co.uk"
        );
        f.context.push(format!(
            "CloudTrail event 5e3f8a92-7d41-4c0b-9e2a-6f1b3c8d4e70: DeleteBucketEncryption (s3.amazonaws.com) at 2026-11-20T09:15:00.000Z.\nActor: {arn} [AssumedRole] from 198.51.100.24."
        ));
        f.context.push(
            "bucket \"genai-train\": training data of SageMaker training job \"claims-ft\"".into(),
        );
        let text = evidence_text(&f, &SECAI3_3);
        assert!(text.chars().count() <= MAX_TEXT_RESPONSE);
        assert!(
            text.contains("\nCloudTrail event 5e3f8a92-7d41-4c0b-9e2a-6f1b3c8d4e70: DeleteBucketEncryption (s3.amazonaws.com)"),
            "{text}"
        );
        assert!(
            text.contains(&format!("\nActor: {arn} [AssumedRole]")),
            "{text}"
        );
        assert!(
            text.contains("Observed: default encryption was removed."),
            "{text}"
        );
        assert!(text.ends_with("v1."), "{text}");
    }

    #[test]
    fn context_past_the_budget_is_cut_on_its_own_line_and_the_rest_dropped() {
        let mut f = finding("x".into());
        f.context.push("first line kept whole".into());
        f.context.push("y".repeat(2000));
        f.context.push("never shown".into());
        let text = evidence_text(&f, &SECAI3_3);
        assert!(text.chars().count() <= MAX_TEXT_RESPONSE);
        assert!(text.contains("\nfirst line kept whole\n"), "{text}");
        assert!(!text.contains("never shown"));
        assert!(text.contains("Why: SSE-S3"), "{text}");
        assert!(text.ends_with("v1."));
    }
}

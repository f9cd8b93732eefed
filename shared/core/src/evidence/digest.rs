//! The per-control digest: one `textResponse` an auditor reads (counts by verdict, the worst
//! resources first, what changed) and the JSON report with every finding behind it. Pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::FrameworkControl;
use crate::domain::outcome::Verdict;
use crate::evidence::text::{MAX_TEXT_RESPONSE, truncate_chars};
use crate::finding::Finding;

/// At most this many characters of a finding's observation are quoted in a digest, so that
/// several resources fit (the report has every word).
const MAX_OBSERVED_IN_DIGEST: usize = 72;

/// What happened to a finding's evidence in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Filing {
    /// Same verdict as the last evidence: nothing filed on its own.
    Unchanged,
    /// Changed and filed as its own evidence item.
    Filed,
    /// Changed, and another invocation filed it first.
    FiledElsewhere,
    /// Changed past 90% of the day's budget: carried by the digest instead.
    Folded,
    /// Changed, but its own evidence item failed: carried by the digest, retried next run.
    Undelivered,
}

impl Filing {
    /// Whether the verdict changed since the last evidence.
    pub fn changed(self) -> bool {
        self != Filing::Unchanged
    }

    /// Whether the digest is this change's evidence (it was not filed on its own).
    pub fn needs_digest(self) -> bool {
        matches!(self, Filing::Folded | Filing::Undelivered)
    }
}

/// One finding under one framework control, as the JSON report and the digest read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportLine {
    /// The framework control.
    pub control: String,
    /// The check id.
    pub check: String,
    /// The check version.
    pub check_version: u16,
    /// The check's severity.
    pub severity: String,
    /// The resource type.
    pub resource_type: String,
    /// The resource id.
    pub resource_id: String,
    /// The ARN, when known.
    pub arn: Option<String>,
    /// The account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The verdict of the last evidence, if any.
    pub previous: Option<Verdict>,
    /// What happened to its evidence.
    pub filing: Filing,
    /// What was observed.
    pub observed: String,
    /// Why that verdict.
    pub rationale: String,
    /// Why the resource is in scope, who changed it.
    pub context: Vec<String>,
    /// When the state was observed.
    pub observed_at: String,
}

impl ReportLine {
    /// The line for `finding` under `control`.
    pub fn new(
        finding: &Finding,
        control: &FrameworkControl,
        previous: Option<Verdict>,
        filing: Filing,
    ) -> Self {
        let r = &finding.resource;
        Self {
            control: control.id.to_owned(),
            check: finding.check.id.to_owned(),
            check_version: finding.check.version,
            severity: finding.check.severity.to_string(),
            resource_type: r.resource_type.clone(),
            resource_id: r.resource_id.clone(),
            arn: r.arn.clone(),
            account_id: r.account_id.clone(),
            region: r.region.clone(),
            verdict: finding.outcome.verdict,
            previous,
            filing,
            observed: finding.outcome.observed.clone(),
            rationale: finding.outcome.rationale.clone(),
            context: finding.context.clone(),
            observed_at: finding.observed_at.to_string(),
        }
    }

    /// The resource as the digest names it.
    pub fn resource_label(&self) -> String {
        format!("{} {}", self.resource_type, self.resource_id)
    }
}

/// Orders lines worst first: verdict (non-compliant, could not evaluate, compliant, not
/// applicable), then severity, then resource.
pub fn sort_worst_first(lines: &mut [ReportLine]) {
    let severity_rank = |s: &str| match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        _ => 3,
    };
    lines.sort_by(|a, b| {
        (
            a.verdict.worst_first_rank(),
            severity_rank(&a.severity),
            &a.resource_type,
            &a.resource_id,
            &a.check,
        )
            .cmp(&(
                b.verdict.worst_first_rank(),
                severity_rank(&b.severity),
                &b.resource_type,
                &b.resource_id,
                &b.check,
            ))
    });
}

/// A stable fingerprint of what the digest states (verdicts per check and resource, not the
/// wording or times): two runs with the same fingerprint on the same day file one digest.
pub fn fingerprint(lines: &[ReportLine]) -> String {
    let mut keys: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}",
                l.control,
                l.check,
                l.resource_type,
                l.account_id,
                l.region,
                l.resource_id,
                l.verdict
            )
        })
        .collect();
    keys.sort();
    // FNV-1a, 64 bits: stable across Rust versions, unlike the std hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for key in &keys {
        for byte in key.bytes().chain(std::iter::once(b'\n')) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// A digest's id: the key of its once-a-day claim in the ledger (`digest#<control>#<day>#<fingerprint>`
/// of `lines`), the same for every run that states the same verdicts that day.
pub fn digest_id(control: &str, day: &str, lines: &[ReportLine]) -> String {
    format!("digest#{control}#{day}#{}", fingerprint(lines))
}

/// The digest text for `control`: at most 1,000 characters; `lines` must be sorted worst first.
pub fn digest_text(
    control: &FrameworkControl,
    run_label: &str,
    lines: &[ReportLine],
    report_path: &str,
) -> String {
    let mut counts: BTreeMap<Verdict, usize> = BTreeMap::new();
    for line in lines {
        *counts.entry(line.verdict).or_default() += 1;
    }
    let mut resources: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l.resource_type.as_str(),
                l.region.as_str(),
                l.resource_id.as_str(),
            )
        })
        .collect();
    resources.sort_unstable();
    resources.dedup();
    let count_text = [
        Verdict::NonCompliant,
        Verdict::CouldNotEvaluate,
        Verdict::Compliant,
        Verdict::NotApplicable,
    ]
    .iter()
    .map(|v| format!("{v} {}", counts.get(v).copied().unwrap_or(0)))
    .collect::<Vec<_>>()
    .join(", ");
    let changed = lines.iter().filter(|l| l.filing.changed()).count();
    let folded = lines.iter().filter(|l| l.filing.needs_digest()).count();
    let head = format!(
        "{} {} | DIGEST {run_label}\n{} findings on {} resources: {count_text}.\nChanged since the last evidence: {changed} ({} filed on their own, {folded} carried by this digest).\n",
        control.id,
        control.name,
        lines.len(),
        resources.len(),
        changed - folded,
    );
    let head = format!("{head}{}", accounts_line(lines));
    let tail = format!("\nEvery finding: {report_path}");
    let mut body = String::from("Worst first:");
    let budget = MAX_TEXT_RESPONSE.saturating_sub(head.chars().count() + tail.chars().count());
    // A type that could not be listed at all is one line per account and reason, not one per
    // type; an account whose member role could not be assumed comes first (nothing of it was
    // read), then the non-compliant resources, the other failed listings, the unevaluated ones.
    let mut unlisted: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for line in lines.iter().filter(|l| is_stand_in(l)) {
        *unlisted
            .entry((line.account_id.as_str(), stand_in_reason(line)))
            .or_default() += 1;
    }
    let mut unlisted: Vec<((&str, &str), usize)> = unlisted.into_iter().collect();
    unlisted
        .sort_by_key(|((account, reason), types)| (std::cmp::Reverse(*types), *account, *reason));
    let group = |((account, reason), types): &((&str, &str), usize)| {
        format!(
            "\n- {} account {account} ({types} resource type{}): {}",
            Verdict::CouldNotEvaluate,
            if *types == 1 { "" } else { "s" },
            truncate_chars(reason, MAX_OBSERVED_IN_DIGEST)
        )
    };
    let resource = |line: &ReportLine| {
        let mark = if line.filing.changed() {
            " (changed)"
        } else {
            ""
        };
        format!(
            "\n- {} {}{mark}: {} [{}]",
            line.verdict,
            line.resource_label(),
            truncate_chars(&line.observed, MAX_OBSERVED_IN_DIGEST),
            line.check
        )
    };
    let whole_account = |((_, reason), _): &&((&str, &str), usize)| reason.starts_with("sts:");
    let of = |verdict: Verdict| {
        lines
            .iter()
            .filter(move |l| l.verdict == verdict && !is_stand_in(l))
            .map(resource)
    };
    let entries: Vec<String> = unlisted
        .iter()
        .filter(whole_account)
        .map(group)
        .chain(of(Verdict::NonCompliant))
        .chain(unlisted.iter().filter(|g| !whole_account(g)).map(group))
        .chain(of(Verdict::CouldNotEvaluate))
        .collect();
    let mut shown = 0;
    for entry in &entries {
        // Leave room for the "... and N more" line.
        if body.chars().count() + entry.chars().count() + 40 > budget {
            break;
        }
        body.push_str(entry);
        shown += 1;
    }
    if entries.is_empty() {
        body.push_str(" none non-compliant or unevaluated.");
    } else if shown < entries.len() {
        body.push_str(&format!(
            "\n… and {} more in the report.",
            entries.len() - shown
        ));
    }
    truncate_chars(&format!("{head}{body}{tail}"), MAX_TEXT_RESPONSE)
}

/// A could-not-evaluate finding standing for every resource of a type that could not be listed
/// (resource id `*`).
fn is_stand_in(line: &ReportLine) -> bool {
    line.verdict == Verdict::CouldNotEvaluate && line.resource_id == "*"
}

/// What a stand-in says went wrong, without the resource type it names.
fn stand_in_reason(line: &ReportLine) -> &str {
    line.observed
        .split_once("so none could be evaluated: ")
        .map_or(line.observed.as_str(), |(_, why)| why)
}

/// Most accounts named in a digest's account line.
const MAX_ACCOUNTS_IN_DIGEST: usize = 12;

/// For findings of more than one account: how many, and the accounts with non-compliant or
/// unevaluated findings, most first (`111122223333 3/1`: non-compliant / could not evaluate).
fn accounts_line(lines: &[ReportLine]) -> String {
    let mut accounts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for line in lines {
        let counts = accounts.entry(line.account_id.as_str()).or_default();
        match line.verdict {
            Verdict::NonCompliant => counts.0 += 1,
            Verdict::CouldNotEvaluate => counts.1 += 1,
            _ => {}
        }
    }
    if accounts.len() < 2 {
        return String::new();
    }
    let mut failing: Vec<(&str, (usize, usize))> = accounts
        .iter()
        .filter(|(_, (n, c))| n + c > 0)
        .map(|(a, c)| (*a, *c))
        .collect();
    failing.sort_by_key(|(a, (n, c))| (std::cmp::Reverse(n + c), *a));
    let listed: Vec<String> = failing
        .iter()
        .take(MAX_ACCOUNTS_IN_DIGEST)
        .map(|(a, (n, c))| format!("{a} {n}/{c}"))
        .collect();
    let more = failing.len().saturating_sub(MAX_ACCOUNTS_IN_DIGEST);
    format!(
        "Accounts: {}; with non-compliant/unevaluated findings: {}{}.\n",
        accounts.len(),
        if listed.is_empty() {
            "none".to_owned()
        } else {
            listed.join(", ")
        },
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// The JSON report for `control` (the object the digest's `s3ResourcePath` names).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report<'a> {
    /// The framework control id.
    pub control: &'static str,
    /// Its name.
    pub control_name: &'static str,
    /// The run.
    pub run: &'a str,
    /// When the report was written.
    pub generated_at: String,
    /// What wrote it.
    pub generator: &'static str,
    /// Findings by verdict.
    pub counts: BTreeMap<&'static str, usize>,
    /// Findings by account and verdict, when the findings are of more than one account (an
    /// organization run's section per account).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub accounts: BTreeMap<&'a str, BTreeMap<&'static str, usize>>,
    /// Every finding, worst first.
    pub findings: &'a [ReportLine],
}

/// The report of `lines` for `control`.
pub fn report<'a>(
    control: &FrameworkControl,
    run_label: &'a str,
    generated_at: &str,
    lines: &'a [ReportLine],
) -> Report<'a> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut accounts: BTreeMap<&'a str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for line in lines {
        *counts.entry(line.verdict.as_str()).or_default() += 1;
        *accounts
            .entry(line.account_id.as_str())
            .or_default()
            .entry(line.verdict.as_str())
            .or_default() += 1;
    }
    if accounts.len() < 2 {
        accounts.clear();
    }
    Report {
        control: control.id,
        control_name: control.name,
        run: run_label,
        generated_at: generated_at.to_owned(),
        generator: concat!("genai-evidence ", env!("CARGO_PKG_VERSION")),
        counts,
        accounts,
        findings: lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::framework::SECAI3_3;

    fn line(id: &str, verdict: Verdict, filing: Filing) -> ReportLine {
        ReportLine {
            control: "SECAI3.3".into(),
            check: "s3_bucket_default_encryption_kms".into(),
            check_version: 1,
            severity: "high".into(),
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: id.into(),
            arn: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            verdict,
            previous: None,
            filing,
            observed: "default encryption is SSE-S3".into(),
            rationale: "needs SSE-KMS".into(),
            context: vec![format!("in scope: output of training job for {id}")],
            observed_at: "2026-11-23T03:00:00Z".into(),
        }
    }

    #[test]
    fn an_organizations_digest_names_the_accounts_and_gives_an_unreadable_account_one_line() {
        let mut lines = Vec::new();
        for (i, account) in ["111111111111", "222222222222", "333333333333"]
            .iter()
            .enumerate()
        {
            let mut l = line(
                &format!("bucket-{i}"),
                Verdict::NonCompliant,
                Filing::Unchanged,
            );
            l.account_id = (*account).into();
            lines.push(l);
        }
        for resource_type in ["AWS::S3::Bucket", "AWS::IAM::Role", "AWS::KMS::Key"] {
            let mut l = line("*", Verdict::CouldNotEvaluate, Filing::Unchanged);
            l.account_id = "444444444444".into();
            l.resource_type = resource_type.into();
            l.observed = format!(
                "no {resource_type} could be listed, so none could be evaluated: sts:AssumeRole failed: AccessDenied"
            );
            lines.push(l);
        }
        sort_worst_first(&mut lines);
        let text = digest_text(&SECAI3_3, "run", &lines, "s3://b/k.json");
        assert!(text.contains("Accounts: 4;"), "{text}");
        for account in [
            "111111111111 1/0",
            "222222222222 1/0",
            "333333333333 1/0",
            "444444444444 0/3",
        ] {
            assert!(text.contains(account), "{account} in {text}");
        }
        assert_eq!(
            text.matches(
                "account 444444444444 (3 resource types): sts:AssumeRole failed: AccessDenied"
            )
            .count(),
            1,
            "{text}"
        );
        let report = report(&SECAI3_3, "run", "2026-12-04T00:00:00Z", &lines);
        assert_eq!(report.accounts.len(), 4);
        assert_eq!(report.accounts["444444444444"]["COULD_NOT_EVALUATE"], 3);
        let single = report_of_one_account();
        assert!(
            single.is_empty(),
            "one account's report has no account sections"
        );
    }

    fn report_of_one_account() -> BTreeMap<&'static str, BTreeMap<&'static str, usize>> {
        let lines: &'static [ReportLine] =
            Box::leak(vec![line("b", Verdict::Compliant, Filing::Unchanged)].into_boxed_slice());
        report(&SECAI3_3, "run", "t", lines).accounts
    }

    #[test]
    fn digest_counts_every_verdict_lists_the_worst_first_and_fits_audit_manager() {
        let mut lines: Vec<ReportLine> = (0..300)
            .map(|i| {
                let verdict = match i % 3 {
                    0 => Verdict::Compliant,
                    1 => Verdict::NonCompliant,
                    _ => Verdict::CouldNotEvaluate,
                };
                line(&format!("bucket-{i:03}"), verdict, Filing::Unchanged)
            })
            .collect();
        lines[1].filing = Filing::Folded;
        sort_worst_first(&mut lines);
        assert_eq!(lines[0].verdict, Verdict::NonCompliant);
        let text = digest_text(&SECAI3_3, "run r1", &lines, "s3://ev/r1.json");
        assert!(text.chars().count() <= MAX_TEXT_RESPONSE);
        assert!(text.contains("300 findings on 300 resources"), "{text}");
        assert!(text.contains("NON_COMPLIANT 100, COULD_NOT_EVALUATE 100, COMPLIANT 100"));
        assert!(text.contains("1 carried by this digest"));
        assert!(text.contains("more in the report"));
        assert!(text.ends_with("Every finding: s3://ev/r1.json"));
        let first_listed = text.find("- NON_COMPLIANT").unwrap();
        let first_unevaluated = text.find("- COULD_NOT_EVALUATE").unwrap_or(usize::MAX);
        assert!(first_listed < first_unevaluated);
    }

    #[test]
    fn fingerprint_depends_on_verdicts_not_order_or_wording() {
        let a = vec![
            line("a", Verdict::Compliant, Filing::Unchanged),
            line("b", Verdict::NonCompliant, Filing::Filed),
        ];
        let mut b = a.clone();
        b.reverse();
        b[0].observed = "reworded".into();
        b[0].filing = Filing::Unchanged;
        assert_eq!(fingerprint(&a), fingerprint(&b));
        b[0].verdict = Verdict::Compliant;
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn a_digest_with_nothing_failing_says_so() {
        let lines = vec![line("a", Verdict::Compliant, Filing::Unchanged)];
        let text = digest_text(&SECAI3_3, "run r1", &lines, "s3://ev/r1.json");
        assert!(text.contains("none non-compliant or unevaluated"), "{text}");
        let report =
            serde_json::to_value(report(&SECAI3_3, "r1", "2026-11-23T03:00:00Z", &lines)).unwrap();
        assert_eq!(report["counts"]["COMPLIANT"], 1);
        assert_eq!(report["findings"][0]["resourceId"], "a");
    }
}

//! The functions' own health as CloudWatch metrics, in the embedded metric format (EMF): one
//! JSON line per dimension set on stdout, which Lambda's log stream turns into metrics with no
//! API call and no extra permission.
//!
//! Every invocation reports, in namespace [`NAMESPACE`]:
//! - by `Function`: findings by verdict (`Compliant`, `NonCompliant`, `NotApplicable`,
//!   `CouldNotEvaluate`), evidence `Filed`, `Folded` (left for the digest) and `Failed`
//!   (undelivered, retried by the next run), and `Throttles` (calls AWS throttled after the
//!   SDK's retries ran out, as reads that could not evaluate or listings that failed);
//! - by `Function` and `Control`: findings by verdict per framework control;
//! - by `Function` and `Reason`: `CouldNotEvaluate` per reason class ([`unreadable_reason`]:
//!   `accessDenied`, `throttled`, `notFound`, `invalid`, `transient`, `other`, `unreadableState`).
//!
//! A finding counts once by `Function` and once under each of its controls, as its evidence is
//! filed once per control. The
//! template's alarms read these (a could-not-evaluate spike) beside Lambda's own `Errors` and the
//! dead-letter queues' depth. Nothing customer-specific is a dimension: controls and reason
//! classes are a closed set, resource ids never appear.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::domain::outcome::Verdict;
use crate::error::{AwsErrorKind, classify_code};

/// The metrics' CloudWatch namespace.
pub const NAMESPACE: &str = "GenAiEvidence";

/// The four verdicts, in the order of [`Counts`].
const VERDICTS: [Verdict; 4] = [
    Verdict::Compliant,
    Verdict::NonCompliant,
    Verdict::NotApplicable,
    Verdict::CouldNotEvaluate,
];

/// Findings by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([u64; 4]);

impl Counts {
    /// The count of `verdict`.
    pub fn of(&self, verdict: Verdict) -> u64 {
        self.0[index(verdict)]
    }

    fn add(&mut self, verdict: Verdict) {
        self.0[index(verdict)] += 1;
    }

    fn metrics(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        VERDICTS.iter().map(|v| (metric_name(*v), self.of(*v)))
    }
}

fn index(verdict: Verdict) -> usize {
    match verdict {
        Verdict::Compliant => 0,
        Verdict::NonCompliant => 1,
        Verdict::NotApplicable => 2,
        Verdict::CouldNotEvaluate => 3,
    }
}

/// The metric name of a verdict's count.
pub fn metric_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Compliant => "Compliant",
        Verdict::NonCompliant => "NonCompliant",
        Verdict::NotApplicable => "NotApplicable",
        Verdict::CouldNotEvaluate => "CouldNotEvaluate",
    }
}

/// What one invocation did, counted for its metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Findings by verdict.
    pub verdicts: Counts,
    /// Findings by verdict, per framework control (a finding counts under each of its controls).
    pub by_control: BTreeMap<String, Counts>,
    /// Could-not-evaluate findings per reason class.
    pub unreadable_by_reason: BTreeMap<&'static str, u64>,
    /// Evidence items filed.
    pub filed: u64,
    /// Changes folded into the next digest.
    pub folded: u64,
    /// Changes or digests whose evidence could not be filed.
    pub failed: u64,
    /// Throttled calls that ran out of retries.
    pub throttles: u64,
}

impl Figures {
    /// Counts one finding, once overall and once under each of its framework controls;
    /// `observed` is what it says (the reason of a could-not-evaluate).
    pub fn count<'a>(
        &mut self,
        verdict: Verdict,
        observed: &str,
        controls: impl IntoIterator<Item = &'a str>,
    ) {
        self.verdicts.add(verdict);
        for control in controls {
            self.by_control
                .entry(control.to_owned())
                .or_default()
                .add(verdict);
        }
        if verdict == Verdict::CouldNotEvaluate {
            let reason = unreadable_reason(observed);
            *self.unreadable_by_reason.entry(reason).or_default() += 1;
            if reason == "throttled" {
                self.throttles += 1;
            }
        }
    }

    /// Counts what a recorder filed through the ledger.
    pub fn count_recorded(&mut self, report: &crate::recorder::RecordReport) {
        self.filed += report.filed as u64;
        self.folded += report.folded as u64;
        self.failed += report.undelivered.len() as u64;
    }

    /// Counts what a sink filed directly (without the ledger).
    pub fn count_sink(&mut self, report: &crate::sinks::SinkReport) {
        self.filed += report.delivered.len() as u64;
        self.failed += report.undelivered.len() as u64;
    }

    /// Counts a failed listing or call the invocation reports as an error line.
    pub fn count_error(&mut self, error: &str) {
        if unreadable_reason(error) == "throttled" {
            self.throttles += 1;
        }
    }

    /// The EMF lines of the figures, stamped `timestamp_ms` (milliseconds since the epoch).
    pub fn emf_lines(&self, function: &str, timestamp_ms: u64) -> Vec<String> {
        let mut overall: Vec<(&str, u64)> = self.verdicts.metrics().collect();
        overall.extend([
            ("Filed", self.filed),
            ("Folded", self.folded),
            ("Failed", self.failed),
            ("Throttles", self.throttles),
        ]);
        let mut lines = vec![document(timestamp_ms, &[("Function", function)], &overall)];
        for (control, counts) in &self.by_control {
            let metrics: Vec<(&str, u64)> = counts.metrics().collect();
            lines.push(document(
                timestamp_ms,
                &[("Function", function), ("Control", control)],
                &metrics,
            ));
        }
        for (reason, count) in &self.unreadable_by_reason {
            lines.push(document(
                timestamp_ms,
                &[("Function", function), ("Reason", reason)],
                &[("CouldNotEvaluate", *count)],
            ));
        }
        lines
    }

    /// Writes the EMF lines to stdout, where Lambda's log stream picks them up.
    pub fn emit(&self, function: &str) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or_default();
        for line in self.emf_lines(function, now) {
            println!("{line}");
        }
    }
}

/// One EMF document: the dimension values and the metrics (all counts) as top-level members.
fn document(timestamp_ms: u64, dimensions: &[(&str, &str)], metrics: &[(&str, u64)]) -> String {
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [dimensions.iter().map(|(name, _)| *name).collect::<Vec<_>>()],
                "Metrics": metrics
                    .iter()
                    .map(|(name, _)| json!({"Name": name, "Unit": "Count"}))
                    .collect::<Vec<_>>(),
            }],
        }),
    );
    for (name, value) in dimensions {
        doc.insert((*name).into(), Value::String((*value).into()));
    }
    for (name, value) in metrics {
        doc.insert((*name).into(), json!(value));
    }
    Value::Object(doc).to_string()
}

/// The reason class of a could-not-evaluate finding, from what it says: an AWS call that failed
/// with an error code (`... failed with <code>: ...`) is classed by that code, a call that failed
/// without one (`... failed: ...`, the network or a timeout) is `transient`, and anything else is
/// state that was read but could not be decided (`unreadableState`: a field missing or
/// malformed).
pub fn unreadable_reason(observed: &str) -> &'static str {
    if let Some((_, rest)) = observed.split_once(" failed with ") {
        let code = rest.split(':').next().unwrap_or_default().trim();
        return match classify_code(Some(code)) {
            AwsErrorKind::AccessDenied => "accessDenied",
            AwsErrorKind::Throttled => "throttled",
            AwsErrorKind::NotFound => "notFound",
            AwsErrorKind::Invalid => "invalid",
            AwsErrorKind::Transient => "transient",
            AwsErrorKind::Other => "other",
        };
    }
    if observed.contains(" failed: ") {
        return "transient";
    }
    "unreadableState"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(lines: &[String]) -> Vec<Value> {
        lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn each_dimension_set_is_one_emf_document_whose_metrics_are_its_members() {
        let mut figures = Figures::default();
        figures.count(Verdict::NonCompliant, "no key", ["SECAI3.3"]);
        figures.count(Verdict::Compliant, "a key", ["SECAI3.3"]);
        figures.count(
            Verdict::CouldNotEvaluate,
            "iam:GetAccountAuthorizationDetails failed with AccessDenied: not authorized",
            ["SECAI3.7"],
        );
        figures.filed = 2;
        let docs = parsed(&figures.emf_lines("config-rule", 1_700_000_000_000));
        assert_eq!(docs.len(), 1 + 2 + 1, "overall, two controls, one reason");
        for doc in &docs {
            let directive = &doc["_aws"]["CloudWatchMetrics"][0];
            assert_eq!(directive["Namespace"], NAMESPACE);
            assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000_u64);
            for dimension in directive["Dimensions"][0].as_array().unwrap() {
                assert!(doc[dimension.as_str().unwrap()].is_string(), "{doc}");
            }
            for metric in directive["Metrics"].as_array().unwrap() {
                assert!(doc[metric["Name"].as_str().unwrap()].is_u64(), "{doc}");
                assert_eq!(metric["Unit"], "Count");
            }
        }
        assert_eq!(docs[0]["Function"], "config-rule");
        assert_eq!(docs[0]["NonCompliant"], 1);
        assert_eq!(docs[0]["CouldNotEvaluate"], 1);
        assert_eq!(docs[0]["Filed"], 2);
        let secai33 = docs.iter().find(|d| d["Control"] == "SECAI3.3").unwrap();
        assert_eq!(
            (
                secai33["Compliant"].as_u64(),
                secai33["NonCompliant"].as_u64()
            ),
            (Some(1), Some(1))
        );
        let reason = docs.iter().find(|d| d["Reason"].is_string()).unwrap();
        assert_eq!(reason["Reason"], "accessDenied");
        assert_eq!(reason["CouldNotEvaluate"], 1);
    }

    #[test]
    fn could_not_evaluate_reasons_are_classed_by_the_error_code_they_quote() {
        assert_eq!(
            unreadable_reason("bedrock:ListGuardrails failed with ThrottlingException: slow down"),
            "throttled"
        );
        assert_eq!(
            unreadable_reason("s3:GetBucketPolicy failed with AccessDenied: no"),
            "accessDenied"
        );
        assert_eq!(
            unreadable_reason("kms:DescribeKey failed: dispatch failure: connection reset"),
            "transient"
        );
        assert_eq!(
            unreadable_reason(
                "sagemaker:ListFeatureGroups failed with UnknownOperationException: x"
            ),
            "other"
        );
        assert_eq!(
            unreadable_reason("KmsKeyId is not a string"),
            "unreadableState"
        );
        let mut figures = Figures::default();
        figures.count(
            Verdict::CouldNotEvaluate,
            "bedrock:ListGuardrails failed with ThrottlingException: slow down",
            ["GENAI-SAFE-GUARDRAILS", "GENAI-PRIVACY-PII"],
        );
        figures.count_error("logs:DescribeLogGroups failed with Throttling: Rate exceeded");
        figures.count_error("sagemaker:ListFeatureGroups failed with UnknownOperationException: x");
        assert_eq!(figures.throttles, 2);
        assert_eq!(
            figures.verdicts.of(Verdict::CouldNotEvaluate),
            1,
            "once overall"
        );
        assert_eq!(figures.by_control.len(), 2, "once under each control");
    }
}

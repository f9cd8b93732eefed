//! The Audit Manager sink: files each finding as a `textResponse` manual evidence item on the
//! assessment control that the framework control maps to.
//!
//! The mapping from a framework control id (`SECAI3.3`) to the assessment's
//! (`controlSetId`, `controlId`) is read once per container from `GetAssessment`: control names
//! may be `SECAI3.3: Data Encryption At Rest`, `SECAI3.3 Data Encryption At Rest` or only
//! `Data Encryption At Rest`, so all three match, and an explicit override map wins over names.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_auditmanager::Client;
use aws_sdk_auditmanager::types::ManualEvidence;
use tokio::sync::OnceCell;

use crate::catalog::{FRAMEWORK_CONTROLS, FrameworkControl};
use crate::error::AwsError;
use crate::finding::Finding;
use crate::sinks::text::evidence_text;
use crate::sinks::{BoxFuture, Delivery, EvidenceSink, SinkReport, Undelivered};

/// The IAM actions this sink calls (granted on the one assessment in `template.yaml`).
pub const REQUIRED_ACTIONS: &[&str] = &[
    "auditmanager:GetAssessment",
    "auditmanager:BatchImportEvidenceToAssessmentControl",
];

/// BatchImportEvidenceToAssessmentControl takes 1 to 50 items per call.
pub const MAX_ITEMS_PER_IMPORT: usize = 50;

/// Where evidence for one framework control goes in the assessment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlTarget {
    /// The control set id (the set's name).
    pub control_set_id: String,
    /// The control's UUID.
    pub control_id: String,
}

/// The parts of an assessment the mapping reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssessmentView {
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// Control sets with their controls.
    pub control_sets: Vec<ControlSetView>,
}

/// A control set of an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSetView {
    /// The set's id (its name).
    pub id: String,
    /// Its controls as (id, name).
    pub controls: Vec<(String, String)>,
}

/// Finds the one assessment control for `control`. Zero or several matches are errors that say
/// which names were seen.
pub fn resolve_control(
    view: &AssessmentView,
    control: &FrameworkControl,
    overrides: &BTreeMap<String, ControlTarget>,
) -> Result<ControlTarget, String> {
    if let Some(target) = overrides.get(control.id) {
        return Ok(target.clone());
    }
    let mut matches = Vec::new();
    for set in &view.control_sets {
        for (id, name) in &set.controls {
            if name_matches(name, control) {
                matches.push((
                    ControlTarget {
                        control_set_id: set.id.clone(),
                        control_id: id.clone(),
                    },
                    name.clone(),
                ));
            }
        }
    }
    match matches.len() {
        1 => Ok(matches.remove(0).0),
        0 => Err(format!(
            "no control in the assessment is named like {control} (tried \"{id}: …\", \"{id} …\" and \"{name}\"); set CONTROL_MAP to map it",
            id = control.id,
            name = control.name
        )),
        _ => Err(format!(
            "{} controls in the assessment match {control}: {}; set CONTROL_MAP to choose one",
            matches.len(),
            matches
                .iter()
                .map(|(t, n)| format!("{n:?} in {:?}", t.control_set_id))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `SECAI3.3: Data…`, `SECAI3.3 Data…`, `SECAI3.3` or exactly the control's name.
fn name_matches(name: &str, control: &FrameworkControl) -> bool {
    let name = name.trim();
    if name.eq_ignore_ascii_case(control.name) {
        return true;
    }
    let Some(rest) = name
        .get(..control.id.len())
        .filter(|p| p.eq_ignore_ascii_case(control.id))
        .map(|_| &name[control.id.len()..])
    else {
        return false;
    };
    // `SECAI3.3` must not match `SECAI3.30` or `SECAI3.3.1`.
    let mut chars = rest.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_ascii_digit() => false,
        Some('.') => !chars.next().is_some_and(|c| c.is_ascii_digit()),
        Some(_) => true,
    }
}

/// How often and how patiently imports are retried after the SDK's own retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per batch, including the first.
    pub attempts: u32,
    /// Delay before the second attempt; doubles after each.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            base_delay: Duration::from_millis(250),
        }
    }
}

type Resolved = BTreeMap<&'static str, Result<ControlTarget, String>>;

/// Files findings into one Audit Manager assessment.
pub struct AuditManagerSink {
    client: Client,
    assessment_id: String,
    overrides: BTreeMap<String, ControlTarget>,
    retry: RetryPolicy,
    resolved: OnceCell<Resolved>,
}

impl AuditManagerSink {
    /// A sink for `assessment_id`, with explicit control mappings that win over name matching.
    pub fn new(
        client: Client,
        assessment_id: String,
        overrides: BTreeMap<String, ControlTarget>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            client,
            assessment_id,
            overrides,
            retry,
            resolved: OnceCell::new(),
        }
    }

    /// The control mapping, read from GetAssessment on first use and kept for the container's
    /// life. A failed read is not kept, so the next invocation tries again.
    async fn resolved(&self) -> Result<&Resolved, String> {
        self.resolved
            .get_or_try_init(|| async {
                let view = self.read_assessment().await.map_err(|e| e.to_string())?;
                if view.status != "ACTIVE" {
                    return Err(format!(
                        "assessment {} is {}; Audit Manager accepts manual evidence only on ACTIVE assessments",
                        self.assessment_id, view.status
                    ));
                }
                let resolved: Resolved =
                    FRAMEWORK_CONTROLS.iter().map(|c| (c.id, resolve_control(&view, c, &self.overrides))).collect();
                for (id, result) in &resolved {
                    if let Err(why) = result {
                        tracing::debug!(control = id, why, "framework control has no assessment control");
                    }
                }
                Ok(resolved)
            })
            .await
    }

    async fn read_assessment(&self) -> Result<AssessmentView, AwsError> {
        let out = self
            .client
            .get_assessment()
            .assessment_id(&self.assessment_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("auditmanager:GetAssessment", e))?;
        let Some(assessment) = out.assessment() else {
            return Ok(AssessmentView::default());
        };
        let status = assessment
            .metadata()
            .and_then(|m| m.status())
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        let control_sets = assessment
            .framework()
            .map(|f| f.control_sets())
            .unwrap_or_default()
            .iter()
            .map(|set| ControlSetView {
                id: set.id().unwrap_or_default().to_owned(),
                controls: set
                    .controls()
                    .iter()
                    .map(|c| {
                        (
                            c.id().unwrap_or_default().to_owned(),
                            c.name().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
            })
            .collect();
        Ok(AssessmentView {
            status,
            control_sets,
        })
    }

    async fn file_all(&self, findings: &[Finding]) -> SinkReport {
        let mut report = SinkReport {
            sink: "auditmanager",
            ..SinkReport::default()
        };
        let resolved = match self.resolved().await {
            Ok(resolved) => resolved,
            Err(why) => {
                tracing::error!(assessment = %self.assessment_id, why, "cannot file evidence");
                for f in findings {
                    for c in f.check.controls {
                        report.undelivered.push(undelivered(f, c, why.clone()));
                    }
                }
                return report;
            }
        };
        let mut by_target: BTreeMap<&ControlTarget, Vec<Item<'_>>> = BTreeMap::new();
        for finding in findings {
            for control in finding.check.controls {
                match resolved.get(control.id) {
                    Some(Ok(target)) => by_target.entry(target).or_default().push(Item {
                        finding,
                        control,
                        text: evidence_text(finding, control),
                    }),
                    Some(Err(why)) => {
                        tracing::error!(
                            control = control.id,
                            check = finding.check.id,
                            why,
                            "evidence not filed"
                        );
                        report
                            .undelivered
                            .push(undelivered(finding, control, why.clone()));
                    }
                    None => report.undelivered.push(undelivered(
                        finding,
                        control,
                        "control unknown to the catalog".into(),
                    )),
                }
            }
        }
        for (target, items) in by_target {
            let mut items = items;
            items.dedup_by(|a, b| a.text == b.text);
            for chunk in items.chunks(MAX_ITEMS_PER_IMPORT) {
                let evidence: Vec<EvidenceItem> = chunk
                    .iter()
                    .map(|i| EvidenceItem::Text(i.text.clone()))
                    .collect();
                let results = self.import(target, &evidence).await;
                for (item, result) in chunk.iter().zip(results) {
                    match result {
                        Ok(()) => report.delivered.push(Delivery {
                            check: item.finding.check.id,
                            control: item.control.id,
                            resource_id: item.finding.resource.resource_id.clone(),
                        }),
                        Err(why) => {
                            report
                                .undelivered
                                .push(undelivered(item.finding, item.control, why));
                        }
                    }
                }
            }
        }
        report
    }

    /// The assessment control evidence for `control` goes to, or why there is none (the
    /// assessment is unreadable or inactive, or no control matches).
    pub async fn target(&self, control: &FrameworkControl) -> Result<ControlTarget, String> {
        let resolved = self.resolved().await?;
        match resolved.get(control.id) {
            Some(result) => result.clone(),
            None => Err(format!("{} is unknown to the catalog", control.id)),
        }
    }

    /// Imports evidence items (any number: sent in batches of 50) on one assessment control and
    /// returns, item by item, whether it was delivered or why not. Throttled or failed calls and
    /// the items a 200 answer lists as failed with a retryable code are retried with backoff.
    pub async fn import(
        &self,
        target: &ControlTarget,
        items: &[EvidenceItem],
    ) -> Vec<Result<(), String>> {
        let mut results: Vec<Result<(), String>> = Vec::with_capacity(items.len());
        for chunk in items.chunks(MAX_ITEMS_PER_IMPORT) {
            results.extend(self.import_batch(target, chunk).await);
        }
        results
    }

    async fn import_batch(
        &self,
        target: &ControlTarget,
        items: &[EvidenceItem],
    ) -> Vec<Result<(), String>> {
        let mut results: Vec<Option<Result<(), String>>> = vec![None; items.len()];
        let mut pending: Vec<usize> = (0..items.len()).collect();
        let mut last_problem = String::new();
        for attempt in 0..self.retry.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(self.retry.base_delay * 2u32.saturating_pow(attempt - 1)).await;
            }
            let evidence: Vec<ManualEvidence> =
                pending.iter().map(|&i| items[i].to_manual()).collect();
            let sent = self
                .client
                .batch_import_evidence_to_assessment_control()
                .assessment_id(&self.assessment_id)
                .control_set_id(&target.control_set_id)
                .control_id(&target.control_id)
                .set_manual_evidence(Some(evidence))
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk("auditmanager:BatchImportEvidenceToAssessmentControl", e)
                });
            let errors = match sent {
                Ok(out) => out.errors().to_vec(),
                Err(e) if e.is_retryable() => {
                    tracing::warn!(error = %e, attempt, "evidence import will be retried");
                    last_problem = e.to_string();
                    continue;
                }
                Err(e) => {
                    tracing::error!(error = %e, "evidence import rejected");
                    for &i in &pending {
                        results[i] = Some(Err(e.to_string()));
                    }
                    pending.clear();
                    break;
                }
            };
            let mut retry = Vec::new();
            for &i in &pending {
                let failure = errors
                    .iter()
                    .find(|e| e.manual_evidence().is_some_and(|m| items[i].is(m)));
                match failure {
                    None => results[i] = Some(Ok(())),
                    Some(err) => {
                        let code = err.error_code().unwrap_or_default();
                        let why = format!(
                            "Audit Manager item error {code}: {}",
                            err.error_message().unwrap_or_default()
                        );
                        if code == "429" || code.starts_with('5') {
                            last_problem = why;
                            retry.push(i);
                        } else {
                            tracing::error!(why, "evidence item rejected");
                            results[i] = Some(Err(why));
                        }
                    }
                }
            }
            let unmatched = errors.iter().filter(|e| {
                !e.manual_evidence()
                    .is_some_and(|m| items.iter().any(|i| i.is(m)))
            });
            for e in unmatched {
                tracing::warn!(
                    code = e.error_code().unwrap_or_default(),
                    "Audit Manager reported an error for an item it did not echo"
                );
            }
            pending = retry;
            if pending.is_empty() {
                break;
            }
        }
        for &i in &pending {
            tracing::error!(last_problem, "evidence not delivered after retries");
            results[i] = Some(Err(format!(
                "not delivered after {} attempts: {last_problem}",
                self.retry.attempts
            )));
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err("not sent".into())))
            .collect()
    }
}

/// One manual evidence item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceItem {
    /// A `textResponse` (1 to 1,000 characters).
    Text(String),
    /// An `s3ResourcePath` (`s3://bucket/key`).
    S3Path(String),
}

impl EvidenceItem {
    fn to_manual(&self) -> ManualEvidence {
        match self {
            EvidenceItem::Text(text) => ManualEvidence::builder().text_response(text).build(),
            EvidenceItem::S3Path(path) => ManualEvidence::builder().s3_resource_path(path).build(),
        }
    }

    /// Whether Audit Manager's echo of an item is this one.
    fn is(&self, echo: &ManualEvidence) -> bool {
        match self {
            EvidenceItem::Text(text) => echo.text_response() == Some(text.as_str()),
            EvidenceItem::S3Path(path) => echo.s3_resource_path() == Some(path.as_str()),
        }
    }
}

impl EvidenceSink for AuditManagerSink {
    fn name(&self) -> &'static str {
        "auditmanager"
    }

    fn file<'a>(&'a self, findings: &'a [Finding]) -> BoxFuture<'a, SinkReport> {
        Box::pin(self.file_all(findings))
    }
}

struct Item<'a> {
    finding: &'a Finding,
    control: &'static FrameworkControl,
    text: String,
}

fn undelivered(
    finding: &Finding,
    control: &'static FrameworkControl,
    reason: String,
) -> Undelivered {
    Undelivered {
        check: finding.check.id,
        control: Some(control.id),
        resource_id: finding.resource.resource_id.clone(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::framework::{SECAI3_2, SECAI3_3};

    fn view(names: &[(&str, &str)]) -> AssessmentView {
        AssessmentView {
            status: "ACTIVE".into(),
            control_sets: vec![ControlSetView {
                id: "Secure".into(),
                controls: names
                    .iter()
                    .map(|(id, n)| (id.to_string(), n.to_string()))
                    .collect(),
            }],
        }
    }

    #[test]
    fn control_names_match_in_all_three_published_forms() {
        for name in [
            "SECAI3.3: Data Encryption At Rest",
            "SECAI3.3 Data Encryption At Rest",
            "Data Encryption At Rest",
        ] {
            let v = view(&[
                ("c-1", name),
                ("c-2", "SECAI3.2 Data Encryption In Transit"),
            ]);
            assert_eq!(
                resolve_control(&v, &SECAI3_3, &BTreeMap::new())
                    .unwrap()
                    .control_id,
                "c-1",
                "{name}"
            );
        }
    }

    #[test]
    fn a_longer_id_does_not_match_a_shorter_one() {
        let v = view(&[
            ("c-1", "SECAI3.30 Something Else"),
            ("c-2", "SECAI3.3.1 Sub control"),
        ]);
        assert!(resolve_control(&v, &SECAI3_3, &BTreeMap::new()).is_err());
    }

    #[test]
    fn zero_or_several_matches_are_errors_naming_the_control() {
        let none = resolve_control(
            &view(&[("c-1", "Least Privilege")]),
            &SECAI3_2,
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(none.contains("SECAI3.2"), "{none}");
        let two = view(&[
            ("c-1", "SECAI3.3: Data Encryption At Rest"),
            ("c-2", "Data Encryption At Rest"),
        ]);
        let err = resolve_control(&two, &SECAI3_3, &BTreeMap::new()).unwrap_err();
        assert!(err.contains("2 controls"), "{err}");
    }

    #[test]
    fn an_override_wins_over_names() {
        let target = ControlTarget {
            control_set_id: "Custom".into(),
            control_id: "c-9".into(),
        };
        let overrides = BTreeMap::from([("SECAI3.3".to_owned(), target.clone())]);
        let v = view(&[("c-1", "SECAI3.3: Data Encryption At Rest")]);
        assert_eq!(resolve_control(&v, &SECAI3_3, &overrides).unwrap(), target);
    }
}

//! The auditor's report of a completed run: one HTML page (`evidence/<day>/report-<run>.html`)
//! beside the JSON reports, rendered by the pure core ([`crate::sinks::html`]) one control at a
//! time from the lines each digest was filed with, then filed as `s3ResourcePath` evidence on
//! every control whose digest it stands beside.

use serde::Serialize;

use crate::catalog::FrameworkControl;
use crate::recorder::{DigestOutcome, DigestReport};
use crate::sinks::digest::{ReportLine, digest_id};
use crate::sinks::html::{self, ControlSummary, Evidence, Head};
use crate::sinks::trend::{Counts, RunCounts};

/// What became of the run's HTML report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// Where it was written (`s3://…`); `None` when it could not be.
    pub path: Option<String>,
    /// Why it could not be written.
    pub error: Option<String>,
    /// Why the trend shows this run only (the ledger's window could not be recorded or read).
    pub trend_error: Option<String>,
    /// Its evidence on each control, in the digests' order.
    pub filed: Vec<ReportFiling>,
}

/// The report's evidence on one control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportFiling {
    /// The framework control.
    pub control: &'static str,
    /// What happened (as for a digest).
    pub outcome: DigestOutcome,
}

/// The report being rendered: the summary rows and the sections of the controls done so far.
#[derive(Default)]
pub(super) struct Builder {
    summaries: Vec<ControlSummary>,
    /// Per summary: whether its digest is filed (by this run or earlier today).
    digest_filed: Vec<bool>,
    sections: String,
}

impl Builder {
    /// Renders `control`'s section from `lines` (as its digest filed them, in its JSON report's
    /// order), the digest `digest` filed on `day`.
    pub(super) fn add(
        &mut self,
        control: &'static FrameworkControl,
        lines: &[ReportLine],
        digest: &DigestReport,
        day: &str,
    ) {
        let evidence = Evidence {
            digest_id: digest_id(control.id, day, lines),
            outcome: match &digest.outcome {
                DigestOutcome::Filed(_) => "filed, with its JSON report".to_owned(),
                DigestOutcome::AlreadyFiled => {
                    "already filed today (a digest stating the same verdicts)".to_owned()
                }
                DigestOutcome::Deferred(why) => format!("not filed yet: {why}"),
            },
            report_path: match &digest.outcome {
                DigestOutcome::Filed(path) => Some(path.clone()),
                _ => None,
            },
        };
        self.sections
            .push_str(&html::section(control, lines, &evidence));
        self.digest_filed
            .push(!matches!(digest.outcome, DigestOutcome::Deferred(_)));
        self.summaries.push(ControlSummary {
            control,
            counts: Counts::of(lines),
            evidence,
        });
    }

    /// The controls whose report evidence is to be filed, with their digest ids: those whose
    /// digest is filed (now or earlier today); a deferred digest's control waits for the next run,
    /// with its digest.
    pub(super) fn to_file(&self) -> Vec<(&'static FrameworkControl, String)> {
        self.summaries
            .iter()
            .zip(&self.digest_filed)
            .filter(|(_, filed)| **filed)
            .map(|(s, _)| (s.control, s.evidence.digest_id.clone()))
            .collect()
    }

    /// The whole page.
    pub(super) fn document(&self, head: &Head<'_>, trend: &[RunCounts]) -> String {
        html::document(head, &self.summaries, trend, &self.sections)
    }
}

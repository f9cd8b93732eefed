//! Verdict counts per framework control and sweep run: the auditor's report's summary bars and
//! its trend over the last runs (the ledger keeps the window, `trend#runs`). Pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::outcome::Verdict;
use crate::evidence::digest::ReportLine;

/// How many runs the trend shows (and the ledger keeps).
pub const TREND_RUNS: usize = 10;

/// Findings by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// `NON_COMPLIANT` findings.
    pub non_compliant: usize,
    /// `COULD_NOT_EVALUATE` findings.
    pub could_not_evaluate: usize,
    /// `COMPLIANT` findings.
    pub compliant: usize,
    /// `NOT_APPLICABLE` findings.
    pub not_applicable: usize,
}

impl Counts {
    /// The verdicts in the order a report shows them: the worst first.
    pub const ORDER: [Verdict; 4] = [
        Verdict::NonCompliant,
        Verdict::CouldNotEvaluate,
        Verdict::Compliant,
        Verdict::NotApplicable,
    ];

    /// The counts of `lines`' verdicts.
    pub fn of(lines: &[ReportLine]) -> Self {
        let mut counts = Self::default();
        for line in lines {
            counts.add(line.verdict);
        }
        counts
    }

    /// Counts one more `verdict`.
    pub fn add(&mut self, verdict: Verdict) {
        *self.slot(verdict) += 1;
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Counts) {
        for verdict in Self::ORDER {
            *self.slot(verdict) += other.get(verdict);
        }
    }

    /// The count of `verdict`.
    pub fn get(&self, verdict: Verdict) -> usize {
        match verdict {
            Verdict::NonCompliant => self.non_compliant,
            Verdict::CouldNotEvaluate => self.could_not_evaluate,
            Verdict::Compliant => self.compliant,
            Verdict::NotApplicable => self.not_applicable,
        }
    }

    /// Every finding counted.
    pub fn total(&self) -> usize {
        self.non_compliant + self.could_not_evaluate + self.compliant + self.not_applicable
    }

    fn slot(&mut self, verdict: Verdict) -> &mut usize {
        match verdict {
            Verdict::NonCompliant => &mut self.non_compliant,
            Verdict::CouldNotEvaluate => &mut self.could_not_evaluate,
            Verdict::Compliant => &mut self.compliant,
            Verdict::NotApplicable => &mut self.not_applicable,
        }
    }
}

/// One completed run's counts, per framework control id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunCounts {
    /// The run id.
    pub run: String,
    /// When the run started (RFC 3339): the trend's order.
    pub started_at: String,
    /// Findings by verdict, per control id.
    pub controls: BTreeMap<String, Counts>,
}

/// Adds `entry` to `window` (oldest first) unless its run is already there, then keeps the
/// last `keep` runs by start time. Returns whether the window changed (a rerun of a run already
/// counted changes nothing).
pub fn push_run(window: &mut Vec<RunCounts>, entry: RunCounts, keep: usize) -> bool {
    if window.iter().any(|r| r.run == entry.run) {
        return false;
    }
    window.push(entry);
    window.sort_by(|a, b| (&a.started_at, &a.run).cmp(&(&b.started_at, &b.run)));
    let extra = window.len().saturating_sub(keep);
    window.drain(..extra);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, at: &str, non_compliant: usize) -> RunCounts {
        RunCounts {
            run: id.into(),
            started_at: at.into(),
            controls: BTreeMap::from([(
                "SECAI3.3".to_owned(),
                Counts {
                    non_compliant,
                    ..Counts::default()
                },
            )]),
        }
    }

    #[test]
    fn the_window_keeps_the_last_runs_by_start_time_and_counts_a_run_once() {
        let mut window = Vec::new();
        for day in 1..=12 {
            let at = format!("2026-11-{day:02}T03:00:00Z");
            assert!(push_run(&mut window, run(&format!("r{day}"), &at, day), 10));
        }
        assert_eq!(window.len(), 10);
        assert_eq!(window[0].run, "r3");
        assert_eq!(window[9].run, "r12");
        assert!(!push_run(
            &mut window,
            run("r12", "2026-11-12T03:00:00Z", 99),
            10
        ));
        assert_eq!(window[9].controls["SECAI3.3"].non_compliant, 12);
        // A run that started before the window's oldest one falls out at once.
        push_run(&mut window, run("r0", "2026-10-01T03:00:00Z", 0), 10);
        assert_eq!(window[0].run, "r3");
    }

    #[test]
    fn counts_add_up_by_verdict_and_serialise_in_camel_case() {
        let mut counts = Counts::default();
        for v in [
            Verdict::NonCompliant,
            Verdict::NonCompliant,
            Verdict::CouldNotEvaluate,
            Verdict::Compliant,
        ] {
            counts.add(v);
        }
        assert_eq!(counts.get(Verdict::NonCompliant), 2);
        assert_eq!(counts.total(), 4);
        let json = serde_json::to_value(counts).unwrap();
        assert_eq!(json["couldNotEvaluate"], 1);
        assert_eq!(serde_json::from_value::<Counts>(json).unwrap(), counts);
    }
}

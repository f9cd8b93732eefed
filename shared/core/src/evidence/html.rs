//! The auditor's report of one sweep run: one self-contained HTML5 page (inline CSS, no script,
//! no external asset), every text escaped. Pure.
//!
//! A summary per framework control (its verdict counts as a horizontal bar drawn with inline
//! CSS widths, and the trend over the last runs), then one section per control: the
//! `NON_COMPLIANT` and `COULD_NOT_EVALUATE` findings first, then the rest, each with why its
//! resource is in scope, the observation, the check's remediation and the evidence it belongs to.
//!
//! Sections are rendered one control at a time ([`section`]) from the lines the sweep holds for
//! that control's digest, so no second copy of every finding is kept; [`document`] joins the
//! summary and the sections once every control is done.

use std::fmt::Write as _;

use crate::catalog::{FrameworkControl, find_check};
use crate::domain::outcome::Verdict;
use crate::evidence::digest::{Filing, ReportLine};
use crate::evidence::trend::{Counts, RunCounts};

/// The run the report is of.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// The run id.
    pub run: &'a str,
    /// The account swept.
    pub account_id: &'a str,
    /// When the run started (RFC 3339).
    pub started_at: &'a str,
    /// When the report was rendered (RFC 3339).
    pub generated_at: &'a str,
    /// Where the report itself is filed (`s3://…`).
    pub path: &'a str,
}

/// The evidence one control's findings belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The digest's id in the ledger ([`crate::evidence::digest::digest_id`]).
    pub digest_id: String,
    /// What became of the digest, in words (`filed`, `already filed today`, `deferred: …`).
    pub outcome: String,
    /// The JSON report this run wrote for the control, when it wrote one.
    pub report_path: Option<String>,
}

/// One control's line in the summary.
#[derive(Debug, Clone)]
pub struct ControlSummary {
    /// The control.
    pub control: &'static FrameworkControl,
    /// Its findings by verdict in this run.
    pub counts: Counts,
    /// The evidence its findings belong to.
    pub evidence: Evidence,
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1b1b1b}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 4px;border-top:2px solid #ccc;padding-top:12px}\
h3{font-size:15px;margin:14px 0 6px}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
th{background:#f3f3f3}code{font-size:12px;word-break:break-all}ul{margin:0;padding-left:16px}\
.meta{color:#555;margin:2px 0}.bar{display:flex;width:260px;height:14px;background:#eee;border:1px solid #bbb}\
.bar span{display:block;height:100%}.nc{background:#c62828}.cne{background:#ef8f00}\
.ok{background:#2e7d32}.na{background:#9e9e9e}\
.v{color:#fff;padding:1px 4px;border-radius:3px;font-size:12px;white-space:nowrap}\
.trend{display:flex;align-items:flex-end;gap:2px;height:28px}\
.trend span{display:flex;flex-direction:column-reverse;width:10px;height:100%;background:#eee}\
.trend span i{display:block;width:100%}.trend span.now{outline:1px solid #333}\
.pass td{color:#444}small{color:#555}";

/// Escapes `text` for HTML text and attribute values; control characters (which HTML5 does not
/// allow) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The class a verdict is drawn with.
fn class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::NonCompliant => "nc",
        Verdict::CouldNotEvaluate => "cne",
        Verdict::Compliant => "ok",
        Verdict::NotApplicable => "na",
    }
}

/// The id of a control's section (letters, digits and `-` only).
fn anchor(control: &FrameworkControl) -> String {
    let id: String = control
        .id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("control-{id}")
}

/// `part` of `whole` as a CSS percentage with one decimal (`0.0%` of nothing).
fn percent(part: usize, whole: usize) -> String {
    let tenths = (part * 1000).checked_div(whole).unwrap_or(0);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

fn counts_text(counts: &Counts) -> String {
    Counts::ORDER
        .iter()
        .map(|v| format!("{v} {}", counts.get(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The counts as a horizontal bar, each verdict's share an inline CSS width.
fn bar(counts: &Counts) -> String {
    let mut out = format!(
        "<div class=\"bar\" role=\"img\" aria-label=\"{}\">",
        escape(&counts_text(counts))
    );
    for verdict in Counts::ORDER {
        let n = counts.get(verdict);
        if n > 0 {
            let _ = write!(
                out,
                "<span class=\"{}\" style=\"width:{}\"></span>",
                class(verdict),
                percent(n, counts.total())
            );
        }
    }
    out.push_str("</div>");
    out
}

/// The control's counts over the runs of `trend` (oldest first), one small stacked column per
/// run, then the non-compliant counts in words.
fn trend_cell(control: &FrameworkControl, trend: &[RunCounts], run: &str) -> String {
    let mut columns = String::from("<div class=\"trend\">");
    let mut words = Vec::new();
    for entry in trend {
        let counts = entry.controls.get(control.id).copied().unwrap_or_default();
        let now = if entry.run == run {
            " class=\"now\""
        } else {
            ""
        };
        let _ = write!(
            columns,
            "<span{now} title=\"{}\">",
            escape(&format!(
                "run {} ({}): {}",
                entry.run,
                entry.started_at,
                counts_text(&counts)
            ))
        );
        for verdict in Counts::ORDER.iter().rev() {
            let n = counts.get(*verdict);
            if n > 0 {
                let _ = write!(
                    columns,
                    "<i class=\"{}\" style=\"height:{}\"></i>",
                    class(*verdict),
                    percent(n, counts.total())
                );
            }
        }
        columns.push_str("</span>");
        words.push(if entry.controls.contains_key(control.id) {
            counts.non_compliant.to_string()
        } else {
            "–".to_owned()
        });
    }
    columns.push_str("</div>");
    let _ = write!(
        columns,
        "<small>NON_COMPLIANT over the last {} run(s): {}</small>",
        trend.len(),
        words.join(" → ")
    );
    columns
}

/// The whole report: the head, the summary of `summaries` (one row per control, in order) with
/// the trend of `trend` (oldest run first), then `sections` (the [`section`]s, joined).
pub fn document(
    head: &Head<'_>,
    summaries: &[ControlSummary],
    trend: &[RunCounts],
    sections: &str,
) -> String {
    let mut total = Counts::default();
    for s in summaries {
        total.merge(&s.counts);
    }
    let mut out = String::with_capacity(sections.len() + 4096 + summaries.len() * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<p class=\"meta\">Account {account}, run {run}, started {started}; \
         rendered {generated} by {generator}.</p>\n<p class=\"meta\">This report: <code>{path}</code></p>\n\
         <p class=\"meta\">{controls} framework control(s), {findings} findings: {counts}.</p>\n",
        title = escape(&format!("GenAI evidence: sweep run {}", head.run)),
        account = escape(head.account_id),
        run = escape(head.run),
        started = escape(head.started_at),
        generated = escape(head.generated_at),
        generator = escape(concat!("genai-evidence ", env!("CARGO_PKG_VERSION"))),
        path = escape(head.path),
        controls = summaries.len(),
        findings = total.total(),
        counts = escape(&counts_text(&total)),
    );
    out.push_str(
        "<h2 id=\"summary\">Summary per framework control</h2>\n<table>\n<thead><tr>\
         <th>Control</th><th>Verdicts</th><th>Counts</th><th>Trend</th><th>Digest</th>\
         </tr></thead>\n<tbody>\n",
    );
    for s in summaries {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{anchor}\">{id}</a> {name}<br><small>{principle}</small></td>\
             <td>{bar}</td><td>{counts}</td><td>{trend}</td><td>{outcome}</td></tr>",
            anchor = anchor(s.control),
            id = escape(s.control.id),
            name = escape(s.control.name),
            principle = escape(s.control.principle.name()),
            bar = bar(&s.counts),
            counts = escape(&counts_text(&s.counts)),
            trend = trend_cell(s.control, trend, head.run),
            outcome = escape(&s.evidence.outcome),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(sections);
    out.push_str("</body>\n</html>\n");
    out
}

/// One control's section from its lines (`lines` in the order of the control's JSON report:
/// their index there is each finding's place in it). The `NON_COMPLIANT` and
/// `COULD_NOT_EVALUATE` findings come first, then the rest, each group in `lines`' order.
pub fn section(control: &FrameworkControl, lines: &[ReportLine], evidence: &Evidence) -> String {
    let counts = Counts::of(lines);
    let mut out = String::with_capacity(1024 + lines.len() * 1024);
    let _ = write!(
        out,
        "<section id=\"{anchor}\">\n<h2>{id} {name}</h2>\n\
         <p class=\"meta\">Principle {principle}. {total} findings: {counts}.</p>\n{bar}\n\
         <p class=\"meta\">Digest <code>{digest}</code>: {outcome}.",
        anchor = anchor(control),
        id = escape(control.id),
        name = escape(control.name),
        principle = escape(control.principle.name()),
        total = counts.total(),
        counts = escape(&counts_text(&counts)),
        bar = bar(&counts),
        digest = escape(&evidence.digest_id),
        outcome = escape(&evidence.outcome),
    );
    if let Some(path) = &evidence.report_path {
        let _ = write!(out, " Every finding: <code>{}</code>.", escape(path));
    }
    out.push_str("</p>\n");
    let failing =
        |l: &ReportLine| matches!(l.verdict, Verdict::NonCompliant | Verdict::CouldNotEvaluate);
    let groups: [(&str, bool); 2] = [
        ("Non-compliant and could not be evaluated", true),
        ("Compliant and not applicable", false),
    ];
    for (title, wanted) in groups {
        let rows: Vec<(usize, &ReportLine)> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| failing(l) == wanted)
            .collect();
        let _ = writeln!(out, "<h3>{title} ({})</h3>", rows.len());
        if rows.is_empty() {
            out.push_str("<p>None.</p>\n");
            continue;
        }
        out.push_str(
            "<table>\n<thead><tr><th>Verdict</th><th>Resource</th><th>Check</th>\
             <th>Why in scope</th><th>Observation</th><th>Remediation</th><th>Evidence</th>\
             </tr></thead>\n<tbody>\n",
        );
        for (index, line) in rows {
            row(&mut out, index, line, evidence);
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    out
}

/// What became of a finding's own evidence, in words.
fn filing_words(filing: Filing) -> &'static str {
    match filing {
        Filing::Unchanged => "unchanged since its last evidence",
        Filing::Filed => "changed: filed as its own evidence item",
        Filing::FiledElsewhere => "changed: filed by another function",
        Filing::Folded => "changed: carried by the digest (daily budget)",
        Filing::Undelivered => "changed: carried by the digest (its own item failed)",
    }
}

/// One finding's row; `index` is its place in the control's JSON report.
fn row(out: &mut String, index: usize, line: &ReportLine, evidence: &Evidence) {
    let check = find_check(&line.check);
    let scope = if line.context.is_empty() {
        "<small>(no reason recorded)</small>".to_owned()
    } else {
        let items: String = line
            .context
            .iter()
            .map(|c| {
                format!(
                    "<li>{}</li>",
                    escape(c.strip_prefix("In scope: ").unwrap_or(c))
                )
            })
            .collect();
        format!("<ul>{items}</ul>")
    };
    let location = [
        line.arn.clone(),
        Some(format!("account {}", line.account_id)),
        Some(line.region.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let pointer = evidence
        .report_path
        .as_ref()
        .map(|p| {
            format!(
                "<br><code>{}</code>",
                escape(&format!("{p}#/findings/{index}"))
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<tr class=\"{row_class}\"><td><span class=\"v {class}\">{verdict}</span></td>\
         <td>{resource_type}<br><code>{resource_id}</code><br><small>{location}</small></td>\
         <td><code>{check_id}</code> v{version} ({severity})<br>{title}</td>\
         <td>{scope}</td>\
         <td>{observed}<br><small>{rationale}</small><br><small>observed {observed_at}</small></td>\
         <td>{remediation}</td>\
         <td>digest <code>{digest}</code>{pointer}<br><small>{filing}</small></td></tr>",
        row_class = if matches!(
            line.verdict,
            Verdict::NonCompliant | Verdict::CouldNotEvaluate
        ) {
            "fail"
        } else {
            "pass"
        },
        class = class(line.verdict),
        verdict = line.verdict,
        resource_type = escape(&line.resource_type),
        resource_id = escape(&line.resource_id),
        location = escape(&location),
        check_id = escape(&line.check),
        version = line.check_version,
        severity = escape(&line.severity),
        title = escape(check.map_or("(a check this version does not know)", |c| c.title)),
        observed = escape(&line.observed),
        rationale = escape(&line.rationale),
        observed_at = escape(&line.observed_at),
        remediation = escape(check.map_or("", |c| c.remediation)),
        digest = escape(&evidence.digest_id),
        filing = filing_words(line.filing),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::framework::SECAI3_3;
    use std::collections::BTreeMap;

    fn line(id: &str, verdict: Verdict) -> ReportLine {
        ReportLine {
            control: "SECAI3.3".into(),
            check: "s3_bucket_default_encryption_kms".into(),
            check_version: 1,
            severity: "high".into(),
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: id.into(),
            arn: Some(format!("arn:aws:s3:::{id}")),
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            verdict,
            previous: None,
            filing: Filing::Unchanged,
            observed: format!("observed on {id}"),
            rationale: "needs SSE-KMS".into(),
            context: vec![format!("In scope: output of training job for {id}")],
            observed_at: "2026-11-23T03:00:00Z".into(),
        }
    }

    fn evidence() -> Evidence {
        Evidence {
            digest_id: "digest#SECAI3.3#2026-11-23#00ff".into(),
            outcome: "filed".into(),
            report_path: Some("s3://ev/evidence/2026-11-23/SECAI3.3/r1.json".into()),
        }
    }

    fn head() -> Head<'static> {
        Head {
            run: "r1",
            account_id: "123456789012",
            started_at: "2026-11-23T03:00:00Z",
            generated_at: "2026-11-23T03:05:00Z",
            path: "s3://ev/evidence/2026-11-23/report-r1.html",
        }
    }

    #[test]
    fn hostile_text_is_escaped_everywhere_it_is_shown() {
        let hostile = "<script>alert('x')</script>\"&\u{0}";
        let mut bad = line(hostile, Verdict::NonCompliant);
        bad.observed = hostile.into();
        bad.rationale = hostile.into();
        bad.context = vec![hostile.into()];
        bad.resource_type = hostile.into();
        bad.arn = Some(hostile.into());
        bad.region = hostile.into();
        bad.check = hostile.into();
        let mut evidence = evidence();
        evidence.digest_id = hostile.into();
        evidence.outcome = hostile.into();
        evidence.report_path = Some(hostile.into());
        let sections = section(&SECAI3_3, &[bad], &evidence);
        let head = Head {
            run: hostile,
            account_id: hostile,
            started_at: hostile,
            generated_at: hostile,
            path: hostile,
        };
        let trend = vec![RunCounts {
            run: hostile.into(),
            started_at: hostile.into(),
            controls: BTreeMap::new(),
        }];
        let summary = ControlSummary {
            control: &SECAI3_3,
            counts: Counts::default(),
            evidence,
        };
        let html = document(&head, &[summary], &trend, &sections);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert('x')"));
        assert!(!html.contains('\u{0}'));
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;\u{fffd}")
        );
        // Only the renderer's own tags: every `<` opens a tag of its own vocabulary.
        for tag in html.split('<').skip(1) {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            assert!(
                [
                    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
                    "p", "code", "table", "thead", "tbody", "tr", "th", "td", "a", "br", "small",
                    "div", "span", "i", "section", "ul", "li",
                ]
                .contains(&name.as_str())
                    || tag.starts_with("!DOCTYPE"),
                "unexpected tag <{tag:.20}"
            );
        }
    }

    #[test]
    fn failing_findings_come_first_in_the_order_of_the_report() {
        let lines = vec![
            line("ok-a", Verdict::Compliant),
            line("bad-b", Verdict::NonCompliant),
            line("na-c", Verdict::NotApplicable),
            line("unknown-d", Verdict::CouldNotEvaluate),
            line("bad-e", Verdict::NonCompliant),
        ];
        let html = section(&SECAI3_3, &lines, &evidence());
        let at = |id: &str| html.find(&format!("<code>{id}</code>")).unwrap();
        assert!(at("bad-b") < at("unknown-d"));
        assert!(at("unknown-d") < at("bad-e"));
        assert!(at("bad-e") < at("ok-a"));
        assert!(at("ok-a") < at("na-c"));
        let failing_heading = html
            .find("Non-compliant and could not be evaluated (3)")
            .unwrap();
        let passing_heading = html.find("Compliant and not applicable (2)").unwrap();
        assert!(failing_heading < at("bad-b") && at("bad-e") < passing_heading);
        // Each finding points at its own place in the control's JSON report.
        assert!(html.contains("r1.json#/findings/1</code>"));
        assert!(html.contains("r1.json#/findings/3</code>"));
        // The check's remediation and the scope reason are on the row.
        assert!(html.contains("output of training job for bad-b"));
        let check = find_check("s3_bucket_default_encryption_kms").unwrap();
        assert!(html.contains(&escape(check.remediation)));
    }

    #[test]
    fn counts_are_drawn_as_bar_widths_and_the_trend_names_every_run() {
        let lines = vec![
            line("a", Verdict::NonCompliant),
            line("b", Verdict::Compliant),
            line("c", Verdict::Compliant),
            line("d", Verdict::CouldNotEvaluate),
            line("e", Verdict::Compliant),
            line("f", Verdict::Compliant),
            line("g", Verdict::Compliant),
            line("h", Verdict::Compliant),
        ];
        let counts = Counts::of(&lines);
        let html_bar = bar(&counts);
        assert!(
            html_bar.contains("class=\"nc\" style=\"width:12.5%\""),
            "{html_bar}"
        );
        assert!(html_bar.contains("class=\"cne\" style=\"width:12.5%\""));
        assert!(html_bar.contains("class=\"ok\" style=\"width:75.0%\""));
        assert!(!html_bar.contains("class=\"na\""));
        let runs: Vec<RunCounts> = (1..=3)
            .map(|i| RunCounts {
                run: format!("r{i}"),
                started_at: format!("2026-11-2{i}T03:00:00Z"),
                controls: BTreeMap::from([(
                    "SECAI3.3".to_owned(),
                    Counts {
                        non_compliant: 4 - i,
                        compliant: i,
                        ..Counts::default()
                    },
                )]),
            })
            .collect();
        let summary = ControlSummary {
            control: &SECAI3_3,
            counts,
            evidence: evidence(),
        };
        let mut head = head();
        head.run = "r3";
        let sections = section(&SECAI3_3, &lines, &summary.evidence);
        let html = document(&head, &[summary], &runs, &sections);
        assert!(
            html.contains("NON_COMPLIANT over the last 3 run(s): 3 → 2 → 1"),
            "{html}"
        );
        assert!(html.contains("<span class=\"now\" title=\"run r3"));
        assert!(html.contains("1 framework control(s), 8 findings: NON_COMPLIANT 1, COULD_NOT_EVALUATE 1, COMPLIANT 6, NOT_APPLICABLE 0."));
        assert!(html.contains("<a href=\"#control-SECAI3-3\">SECAI3.3</a>"));
        assert!(html.contains("<section id=\"control-SECAI3-3\">"));
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.ends_with("</body>\n</html>\n"));
        assert_eq!(percent(1, 0), "0.0%");
    }
}

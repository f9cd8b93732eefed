//! The access review as an auditor reads it: a CSV (one row per principal and grant) and one
//! self-contained HTML page (no external assets; readable without JavaScript, a small inline
//! script only sorts the table when a header is clicked).

use std::fmt::Write as _;

use super::attest::SignOffStatus;
use super::{Flag, Review, ReviewedPrincipal, ServiceActivity};
use crate::evidence::html::escape;

/// The CSV columns.
pub const CSV_HEADER: &str = "review_id,kind,principal_arn,name,flags,last_used,last_genai_use,service_activity,trusted_accounts_or_assignments,policy,statement,actions,broad,notes";

/// One CSV field, quoted when it must be, with formula-leading characters neutralised (a cell
/// starting with `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet shows it as text).
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn flags_text(p: &ReviewedPrincipal) -> String {
    p.flags
        .iter()
        .map(Flag::label)
        .collect::<Vec<_>>()
        .join("; ")
}

fn activity_text(p: &ReviewedPrincipal) -> String {
    match &p.services {
        ServiceActivity::Read { services } => services
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    s.namespace,
                    s.last_authenticated.as_deref().unwrap_or("never")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        ServiceActivity::Pending { job_id } => format!("pending (job {job_id})"),
        ServiceActivity::Unreadable { reason } => format!("unreadable: {reason}"),
        ServiceActivity::NotRead => "not read".into(),
    }
}

/// The review as CSV: a header, then one row per principal and grant (a principal without a
/// readable grant has one row with empty grant columns).
pub fn csv(review: &Review) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for p in &review.principals {
        let common = [
            review.id.clone(),
            p.kind.label().to_owned(),
            p.arn.clone(),
            p.name.clone(),
            flags_text(p),
            p.last_used.clone().unwrap_or_default(),
            p.last_genai_use().unwrap_or_default().to_owned(),
            activity_text(p),
            p.trusted_accounts
                .iter()
                .chain(&p.assignments)
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
        ];
        let notes = p.notes.join("; ");
        let grants: Vec<[String; 4]> = if p.grants.is_empty() {
            vec![Default::default()]
        } else {
            p.grants
                .iter()
                .map(|g| {
                    [
                        g.policy.clone(),
                        g.statement.clone(),
                        g.actions.join(" "),
                        g.broad.to_string(),
                    ]
                })
                .collect()
        };
        for grant in grants {
            let row: Vec<String> = common
                .iter()
                .chain(grant.iter())
                .chain(std::iter::once(&notes))
                .map(|f| csv_field(f))
                .collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1b1b1b}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 6px}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:4px 6px;\
text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f3f3f3;cursor:pointer}\
code{font-size:12px}.meta{color:#555;margin:2px 0}.flag{display:inline-block;background:#c62828;\
color:#fff;border-radius:3px;padding:0 4px;margin:1px;font-size:12px}.flag.mild{background:#ef8f00}\
ul{margin:0;padding-left:16px}small{color:#555}.ok{color:#2e7d32}.late{color:#c62828;font-weight:bold}";

/// Sorts the table by the clicked column (text order; the `data-sort` value when a cell has
/// one). The page reads the same without it.
const SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach(function(th,i){\
th.addEventListener('click',function(){var t=th.closest('table'),b=t.tBodies[0],\
r=Array.from(b.rows),d=th.dataset.dir==='asc'?-1:1;th.dataset.dir=d===1?'asc':'desc';\
r.sort(function(x,y){var a=x.cells[i].dataset.sort||x.cells[i].textContent,\
c=y.cells[i].dataset.sort||y.cells[i].textContent;return a.localeCompare(c,undefined,{numeric:true})*d;});\
r.forEach(function(row){b.appendChild(row);});});});";

fn flag_html(flag: &Flag) -> String {
    let mild = matches!(flag, Flag::Added | Flag::GrantsChanged | Flag::Unreadable);
    format!(
        "<span class=\"flag{}\">{}</span>",
        if mild { " mild" } else { "" },
        escape(&flag.label())
    )
}

fn principal_row(p: &ReviewedPrincipal) -> String {
    let grants: String = p
        .grants
        .iter()
        .map(|g| {
            format!(
                "<li>{}{} <small>{} {}</small></li>",
                escape(&g.actions.join(", ")),
                if g.broad { " <b>(broad)</b>" } else { "" },
                escape(&g.policy),
                escape(&g.statement)
            )
        })
        .collect();
    let notes: String = p
        .notes
        .iter()
        .map(|n| format!("<li>{}</li>", escape(n)))
        .collect();
    format!(
        "<tr><td data-sort=\"{risk:04}\">{flags}</td><td>{kind}</td>\
         <td>{name}<br><code>{arn}</code></td><td><ul>{grants}</ul></td>\
         <td>{last_used}</td><td>{genai}<br><small>{activity}</small></td>\
         <td>{trusted}</td><td><ul>{notes}</ul></td></tr>\n",
        risk = 9999 - p.risk().min(9999),
        flags = if p.flags.is_empty() {
            "<span class=\"ok\">none</span>".to_owned()
        } else {
            p.flags.iter().map(flag_html).collect::<String>()
        },
        kind = p.kind.label(),
        name = escape(&p.name),
        arn = escape(&p.arn),
        last_used = escape(p.last_used.as_deref().unwrap_or("never or unknown")),
        genai = escape(p.last_genai_use().unwrap_or("—")),
        activity = escape(&activity_text(p)),
        trusted = escape(
            &p.trusted_accounts
                .iter()
                .chain(&p.assignments)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

fn list(title: &str, items: &[String]) -> String {
    if items.is_empty() {
        return format!("<p>{}: none.</p>\n", escape(title));
    }
    let lis: String = items
        .iter()
        .map(|i| format!("<li><code>{}</code></li>", escape(i)))
        .collect();
    format!(
        "<p>{} ({}):</p><ul>{lis}</ul>\n",
        escape(title),
        items.len()
    )
}

/// The review as one self-contained HTML page, with its sign-off status.
pub fn html(review: &Review, status: &SignOffStatus) -> String {
    let mut out = String::new();
    let title = format!("Access review {} (SECAI3.8)", review.id);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let counts: Vec<String> = review
        .counts()
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let status_html = match status {
        SignOffStatus::Signed { at, reviewer } => format!(
            "<span class=\"ok\">signed off by {} at {}</span>",
            escape(reviewer),
            escape(at)
        ),
        SignOffStatus::Awaiting { deadline } => {
            format!("awaiting sign-off until {}", escape(deadline))
        }
        SignOffStatus::Overdue {
            deadline,
            days_late,
        } => format!(
            "<span class=\"late\">overdue: not signed off by {} ({days_late} day(s) late)</span>",
            escape(deadline)
        ),
    };
    let _ = write!(
        out,
        "<p class=\"meta\">Account {} · prepared {} · principals unused for more than {} days and \
         Bedrock API keys living more than {} days are flagged{}</p>\n\
         <p class=\"meta\">Sign-off: {status_html}</p>\n<p class=\"meta\">{}</p>\n",
        escape(&review.account),
        escape(&review.generated_at),
        review.unused_after_days,
        review.max_api_key_age_days,
        if review.complete {
            ""
        } else {
            " · per-service activity still being collected for some principals"
        },
        escape(&counts.join(" · ")),
    );
    for note in &review.notes {
        let _ = writeln!(out, "<p class=\"meta late\">Not read: {}</p>", escape(note));
    }
    out.push_str(
        "<h2>Principals with generative-AI access (riskiest first)</h2>\n\
         <table class=\"sortable\"><thead><tr><th>Flags</th><th>Kind</th><th>Principal</th>\
         <th>Granted by</th><th>Last used</th><th>Last GenAI use</th><th>Trusted accounts / assigned to</th>\
         <th>Notes</th></tr></thead>\n<tbody>\n",
    );
    for p in &review.principals {
        out.push_str(&principal_row(p));
    }
    out.push_str("</tbody></table>\n<h2>Changes since the previous review</h2>\n");
    let c = &review.changes;
    let _ = writeln!(
        out,
        "<p class=\"meta\">Previous review: {}</p>",
        escape(
            c.previous_review
                .as_deref()
                .unwrap_or("none (this is the first)")
        )
    );
    out.push_str(&list("Principals added", &c.added));
    out.push_str(&list("Principals removed", &c.removed));
    out.push_str(&list("Grants added", &c.grants_added));
    out.push_str(&list("Grants removed", &c.grants_removed));
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

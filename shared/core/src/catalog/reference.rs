//! The controls reference, generated from the registry: the plain catalog listing and the
//! Markdown of `docs/controls.md`.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::catalog::security_hub::{self, Coverage, STANDARD};
use crate::catalog::{CHECKS, Check, FRAMEWORK_CONTROLS};

/// One line per check: id, framework controls, resource type.
pub fn listing() -> String {
    let mut out = String::new();
    for check in CHECKS.iter() {
        let controls: Vec<&str> = check.controls.iter().map(|c| c.id).collect();
        let _ = writeln!(
            out,
            "{:<58} {:<32} {}",
            check.id,
            controls.join(","),
            check.resource_type()
        );
    }
    let _ = writeln!(
        out,
        "{} checks over {} resource types",
        CHECKS.len(),
        resource_types().len()
    );
    out
}

/// Every IAM action the checks' collectors read with, sorted and unique.
pub fn actions() -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = CHECKS
        .iter()
        .flat_map(|c| c.api_actions.iter().copied())
        .collect();
    set.into_iter().collect()
}

fn resource_types() -> BTreeSet<&'static str> {
    CHECKS
        .iter()
        .map(|c| c.resource_type().cfn_type())
        .collect()
}

/// `docs/controls.md`.
pub fn markdown() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Controls reference\n");
    let _ = writeln!(
        out,
        "Generated from the check registry by `cargo run -q -p genai-evidence --bin catalog -- --markdown > docs/controls.md`; \
         a test fails when this file is stale.\n"
    );
    let _ = writeln!(
        out,
        "**{} checks** over **{} resource types**, producing evidence for the AWS Audit Manager \
         *AWS Generative AI Best Practices Framework v2*.\n",
        CHECKS.len(),
        resource_types().len()
    );
    let _ = writeln!(out, "## By framework control\n");
    let _ = writeln!(out, "| Control | Name | Principle | Checks |");
    let _ = writeln!(out, "|---|---|---|---|");
    for control in FRAMEWORK_CONTROLS {
        let checks: Vec<String> = CHECKS
            .iter()
            .filter(|c| c.controls.iter().any(|k| k.id == control.id))
            .map(|c| format!("`{}`", c.id))
            .collect();
        if checks.is_empty() {
            continue;
        }
        let id = if control.published {
            control.id.to_owned()
        } else {
            format!("{} (local id; AWS has not published one)", control.id)
        };
        let _ = writeln!(
            out,
            "| {id} | {} | {} | {} |",
            control.name,
            control.principle,
            checks.join(", ")
        );
    }
    write_security_hub(&mut out);
    let _ = writeln!(out, "\n## Checks\n");
    write_checks_table(&mut out);
    for check in CHECKS.iter() {
        write_check(&mut out, check);
    }
    out
}

/// The parity table: each control of the Security Hub standard, the checks that decide it (from
/// their `security_hub`), or why none does.
fn write_security_hub(out: &mut String) {
    let _ = writeln!(out, "\n## Security Hub {}\n", security_hub::STANDARD_NAME);
    let _ = writeln!(
        out,
        "The standard (`{}`) has {} controls; checks decide **{}** of them. A check decides a \
         control when it judges the control's fail condition on the same resource type; where \
         its verdict can differ from Security Hub's, the row says how.\n",
        security_hub::STANDARD_ARN,
        STANDARD.len(),
        security_hub::decided_count()
    );
    let _ = writeln!(out, "| Control | Title | Severity | Resource | Checks |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for control in STANDARD {
        let cell = match control.coverage {
            Coverage::Decided { differs } => {
                let checks: Vec<String> = control.checks().map(|c| format!("`{}`", c.id)).collect();
                match differs {
                    Some(note) => format!("{}; differs: {note}", checks.join(", ")),
                    None => checks.join(", "),
                }
            }
            Coverage::Undecidable(why) => format!("not decidable from resource state: {why}"),
            Coverage::NotYet(what) => format!("not yet: {what}"),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | `{}` | {} |",
            control.id, control.title, control.severity, control.resource_type, cell
        );
    }
}

/// One row per check: id, resource, severity, framework controls, Security Hub controls.
fn write_checks_table(out: &mut String) {
    let _ = writeln!(
        out,
        "| Check | Resource | Severity | Controls | Security Hub |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for check in CHECKS.iter() {
        let controls: Vec<&str> = check.controls.iter().map(|c| c.id).collect();
        let security_hub = if check.security_hub.is_empty() {
            "-".to_owned()
        } else {
            check.security_hub.join(", ")
        };
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} |",
            check.id,
            check.resource_type(),
            check.severity,
            controls.join(", "),
            security_hub
        );
    }
    let _ = writeln!(out);
}

fn write_check(out: &mut String, check: &Check) {
    let controls: Vec<String> = check
        .controls
        .iter()
        .map(|c| format!("{} {}", c.id, c.name))
        .collect();
    let _ = writeln!(out, "### `{}` (v{})\n", check.id, check.version);
    let _ = writeln!(out, "{}\n", check.title);
    let _ = writeln!(out, "- Control: {}", controls.join("; "));
    let _ = writeln!(
        out,
        "- Resource: `{}`{}",
        check.resource_type(),
        if check.resource_type().recorded_by_config() {
            " (recorded by AWS Config)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "- Severity: {}", check.severity);
    if !check.security_hub.is_empty() {
        let _ = writeln!(
            out,
            "- Security Hub: {} ({})",
            check.security_hub.join(", "),
            security_hub::STANDARD_NAME
        );
    }
    let _ = writeln!(out, "- Passes when: {}", check.passes_when);
    let _ = writeln!(
        out,
        "- Remediation: {}",
        check.remediation.replace('|', "\\|")
    );
    let actions: Vec<String> = check.api_actions.iter().map(|a| format!("`{a}`")).collect();
    let _ = writeln!(out, "- Reads with: {}\n", actions.join(", "));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_controls_md_is_up_to_date_with_the_registry() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/controls.md");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == markdown(),
            "docs/controls.md is stale: run `cargo run -q -p genai-evidence --bin catalog -- --markdown > docs/controls.md`"
        );
    }

    #[test]
    fn the_readme_states_the_registrys_counts() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let readme = std::fs::read_to_string(&path).unwrap_or_default();
        let stated = format!(
            "The catalog holds {} checks over {} resource types",
            CHECKS.len(),
            resource_types().len()
        );
        assert!(
            readme.contains(&stated),
            "README.md must say \"{stated}\" (What it checks)"
        );
    }

    #[test]
    fn the_reference_lists_every_standard_control_and_each_checks_security_hub_ids() {
        let text = markdown();
        for control in STANDARD {
            assert!(
                text.contains(&format!("| {} | {} |", control.id, control.title)),
                "{} is missing from the parity table",
                control.id
            );
        }
        for check in CHECKS.iter() {
            let row = text
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", check.id)))
                .unwrap_or_else(|| panic!("{} has no row in the checks table", check.id));
            let expected = if check.security_hub.is_empty() {
                "-".to_owned()
            } else {
                check.security_hub.join(", ")
            };
            assert!(row.ends_with(&format!("| {expected} |")), "{row}");
        }
    }

    #[test]
    fn the_listing_counts_what_the_reference_counts() {
        let listing = listing();
        let last = listing.lines().last().unwrap();
        assert!(last.starts_with(&format!(
            "{} checks over {} resource types",
            CHECKS.len(),
            resource_types().len()
        )));
        assert!(markdown().contains(&format!(
            "**{} checks** over **{} resource types**",
            CHECKS.len(),
            resource_types().len()
        )));
        assert_eq!(listing.lines().count(), CHECKS.len() + 1);
    }
}

//! Typed configuration of the functions, read once from the environment at cold start.

use std::collections::BTreeMap;

use crate::catalog::Params;
use crate::catalog::params::ParamError;
use crate::sinks::auditmanager::ControlTarget;

/// The functions' settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The Audit Manager assessment evidence goes to; `None` turns the Audit Manager sink off.
    pub assessment_id: Option<String>,
    /// Which sinks are on (`AUDIT_MANAGER_SINK`, `SECURITY_HUB_SINK`).
    pub sinks: Sinks,
    /// Explicit framework control → assessment control mappings (`CONTROL_MAP`).
    pub control_overrides: BTreeMap<String, ControlTarget>,
    /// The evidence ledger's DynamoDB table (`LEDGER_TABLE`); `None` files without a ledger
    /// (every evaluation becomes evidence: only for local experiments).
    pub ledger_table: Option<String>,
    /// The evidence bucket for digest reports and sweep checkpoints (`EVIDENCE_BUCKET`).
    pub evidence_bucket: Option<String>,
    /// The KMS key reports are encrypted with (`EVIDENCE_KMS_KEY`); the bucket default otherwise.
    pub evidence_kms_key: Option<String>,
    /// The tag key that opts resources in or out of the GenAI scope (`SCOPE_TAG_KEY`, default
    /// `genai-evidence`).
    pub scope_tag_key: String,
    /// The regions the sweep covers (`SWEEP_REGIONS`, comma-separated; default: the function's
    /// own region).
    pub sweep_regions: Vec<String>,
    /// The rule parameters every function evaluates with (`RULE_PARAMETERS`: the same JSON text
    /// the template gives the Config rule as `InputParameters`, parsed by the same
    /// [`Params::from_rule_parameters`]; unset or empty: the defaults). The sweep and the drift
    /// function evaluate with these; the Config rule evaluates with its event's `ruleParameters`
    /// and warns about any key whose value differs from these.
    pub params: Params,
    /// `RULE_PARAMETERS` keys the suite does not know: ignored (logged when the settings are read).
    pub ignored_parameters: Vec<String>,
    /// Whether the sweep covers the organization (`ORGANIZATION_SWEEP`, `enabled` or
    /// `disabled`, default disabled): the schedule plans and enqueues, the worker sweeps.
    pub organization_sweep: bool,
    /// The role assumed in member accounts (`MEMBER_ROLE_NAME`, `MEMBER_EXTERNAL_ID`).
    pub member_role: crate::member::MemberRole,
    /// Which accounts an organization run covers (`ORGANIZATION_UNITS`, `ACCOUNT_ALLOW_LIST`,
    /// `ACCOUNT_DENY_LIST`, comma-separated).
    pub account_filter: crate::adapters::organizations::AccountFilter,
    /// The sweep queue's URL (`SWEEP_QUEUE_URL`), needed by an organization sweep.
    pub sweep_queue_url: Option<String>,
}

/// Which evidence sinks are switched on: `AUDIT_MANAGER_SINK` (default `enabled`) and
/// `SECURITY_HUB_SINK` (default `disabled`), each `enabled` or `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sinks {
    /// Audit Manager evidence (it also needs `ASSESSMENT_ID`).
    pub audit_manager: bool,
    /// Security Hub findings (ASFF, BatchImportFindings).
    pub security_hub: bool,
}

impl Default for Sinks {
    fn default() -> Self {
        Self {
            audit_manager: true,
            security_hub: false,
        }
    }
}

/// The default tag key for scope opt-in/out.
pub const DEFAULT_SCOPE_TAG_KEY: &str = "genai-evidence";

/// A setting is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// `ASSESSMENT_ID` is not an Audit Manager assessment id.
    #[error("ASSESSMENT_ID {0:?} is not an assessment id (a lower-case UUID, 36 characters)")]
    AssessmentId(String),
    /// `CONTROL_MAP` is not the expected JSON.
    #[error(
        "CONTROL_MAP is not a JSON object of {{\"SECAI3.3\": {{\"controlSetId\": \"...\", \"controlId\": \"...\"}}}}: {0}"
    )]
    ControlMap(String),
    /// `RULE_PARAMETERS` is not a JSON object, or a known parameter in it has a bad value (the
    /// error names it).
    #[error("RULE_PARAMETERS: {0}")]
    RuleParameters(#[from] ParamError),
    /// A sink switch is neither `enabled` nor `disabled`.
    #[error("{name} is {value:?}: it must be enabled or disabled")]
    Switch {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// An account list holds something that is not a 12-digit account id.
    #[error("{name} holds {value:?}: expected comma-separated 12-digit account ids")]
    AccountList {
        /// The variable.
        name: &'static str,
        /// The bad entry (cut to 64 characters).
        value: String,
    },
    /// A setting another one needs is missing.
    #[error("{name} is needed because {why}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What needs it.
        why: &'static str,
    },
}

/// `enabled` / `disabled` (any case; unset or empty: `default`).
fn switch(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, SettingsError> {
    match lookup(name)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") => Ok(default),
        Some("enabled") => Ok(true),
        Some("disabled") => Ok(false),
        Some(other) => Err(SettingsError::Switch {
            name,
            value: other.to_owned(),
        }),
    }
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let assessment_id = match lookup("ASSESSMENT_ID")
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(id) if is_uuid(&id) => Some(id),
            Some(bad) => return Err(SettingsError::AssessmentId(bad)),
        };
        let control_overrides = match lookup("CONTROL_MAP").filter(|s| !s.trim().is_empty()) {
            None => BTreeMap::new(),
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| SettingsError::ControlMap(e.to_string()))?
            }
        };
        let defaults = Sinks::default();
        let sinks = Sinks {
            audit_manager: switch(&lookup, "AUDIT_MANAGER_SINK", defaults.audit_manager)?,
            security_hub: switch(&lookup, "SECURITY_HUB_SINK", defaults.security_hub)?,
        };
        let rule_parameters = Params::from_rule_parameters(lookup("RULE_PARAMETERS").as_deref())?;
        if !rule_parameters.ignored.is_empty() {
            tracing::warn!(
                ignored = ?rule_parameters.ignored,
                known = ?crate::catalog::params::KNOWN_PARAMETERS,
                "RULE_PARAMETERS has keys this suite does not know: ignored"
            );
        }
        let optional = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let list = |name: &str| -> Vec<String> {
            optional(name)
                .map(|v| {
                    v.split(',')
                        .map(|r| r.trim().to_owned())
                        .filter(|r| !r.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let account_filter = crate::adapters::organizations::AccountFilter {
            units: list("ORGANIZATION_UNITS"),
            allow: list("ACCOUNT_ALLOW_LIST"),
            deny: list("ACCOUNT_DENY_LIST"),
        };
        for (name, ids) in [
            ("ACCOUNT_ALLOW_LIST", &account_filter.allow),
            ("ACCOUNT_DENY_LIST", &account_filter.deny),
        ] {
            if let Some(bad) = ids
                .iter()
                .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(SettingsError::AccountList {
                    name,
                    value: genai_evidence_core::text::truncate_chars(bad, 64),
                });
            }
        }
        let organization_sweep = switch(&lookup, "ORGANIZATION_SWEEP", false)?;
        let sweep_queue_url = optional("SWEEP_QUEUE_URL");
        if organization_sweep && sweep_queue_url.is_none() {
            return Err(SettingsError::Missing {
                name: "SWEEP_QUEUE_URL",
                why: "ORGANIZATION_SWEEP is enabled",
            });
        }
        Ok(Self {
            assessment_id,
            sinks,
            control_overrides,
            ledger_table: optional("LEDGER_TABLE"),
            evidence_bucket: optional("EVIDENCE_BUCKET"),
            evidence_kms_key: optional("EVIDENCE_KMS_KEY"),
            scope_tag_key: optional("SCOPE_TAG_KEY")
                .unwrap_or_else(|| DEFAULT_SCOPE_TAG_KEY.into()),
            sweep_regions: optional("SWEEP_REGIONS")
                .map(|v| {
                    v.split(',')
                        .map(|r| r.trim().to_owned())
                        .filter(|r| !r.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            params: rule_parameters.params,
            ignored_parameters: rule_parameters.ignored,
            organization_sweep,
            member_role: crate::member::MemberRole {
                name: optional("MEMBER_ROLE_NAME")
                    .unwrap_or_else(|| crate::member::DEFAULT_ROLE_NAME.into()),
                external_id: optional("MEMBER_EXTERNAL_ID"),
            },
            account_filter,
            sweep_queue_url,
        })
    }
}

/// `^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`, as Audit Manager ids are.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup of `pairs`, standing in for the environment.
    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn organization_settings_need_a_queue_and_account_lists_hold_account_ids() {
        let single = Settings::from_lookup(env(&[])).unwrap();
        assert!(!single.organization_sweep);
        assert_eq!(single.member_role, crate::member::MemberRole::default());
        let org = Settings::from_lookup(env(&[
            ("ORGANIZATION_SWEEP", "enabled"),
            ("SWEEP_QUEUE_URL", "http://127.0.0.1:1/123456789012/q"),
            ("MEMBER_ROLE_NAME", "Reader"),
            ("MEMBER_EXTERNAL_ID", "x-1"),
            ("ORGANIZATION_UNITS", "ou-ab12-cdef3456, ou-ab12-99999999"),
            ("ACCOUNT_DENY_LIST", "111122223333"),
        ]))
        .unwrap();
        assert!(org.organization_sweep);
        assert_eq!(org.member_role.name, "Reader");
        assert_eq!(org.member_role.external_id.as_deref(), Some("x-1"));
        assert_eq!(org.account_filter.units.len(), 2);
        assert!(!org.account_filter.admits("111122223333"));
        let no_queue =
            Settings::from_lookup(env(&[("ORGANIZATION_SWEEP", "enabled")])).unwrap_err();
        assert!(
            no_queue.to_string().contains("SWEEP_QUEUE_URL"),
            "{no_queue}"
        );
        let bad =
            Settings::from_lookup(env(&[("ACCOUNT_ALLOW_LIST", "1234,111122223333")])).unwrap_err();
        assert!(bad.to_string().contains("ACCOUNT_ALLOW_LIST"), "{bad}");
    }

    #[test]
    fn settings_validate_the_assessment_id_and_control_map() {
        let ok = Settings::from_lookup(env(&[
            ("ASSESSMENT_ID", "9f1c7c55-3b2a-4c1e-9d7e-5a0b6c2d8e41"),
            ("CONTROL_MAP", r#"{"SECAI3.8":{"controlSetId":"Secure","controlId":"0b7a1c2d-0000-4000-8000-000000000008"}}"#),
        ]))
        .unwrap();
        assert_eq!(ok.control_overrides["SECAI3.8"].control_set_id, "Secure");
        assert!(
            Settings::from_lookup(env(&[]))
                .unwrap()
                .assessment_id
                .is_none()
        );
        let bad = Settings::from_lookup(env(&[("ASSESSMENT_ID", "my-assessment")])).unwrap_err();
        assert!(bad.to_string().contains("ASSESSMENT_ID"));
        let bad = Settings::from_lookup(env(&[("CONTROL_MAP", "[1]")])).unwrap_err();
        assert!(bad.to_string().contains("CONTROL_MAP"));
    }

    #[test]
    fn audit_manager_is_on_and_security_hub_off_unless_switched() {
        assert_eq!(
            Settings::from_lookup(env(&[])).unwrap().sinks,
            Sinks {
                audit_manager: true,
                security_hub: false
            }
        );
        let switched = Settings::from_lookup(env(&[
            ("AUDIT_MANAGER_SINK", "disabled"),
            ("SECURITY_HUB_SINK", " Enabled "),
        ]))
        .unwrap();
        assert_eq!(
            switched.sinks,
            Sinks {
                audit_manager: false,
                security_hub: true
            }
        );
        let bad = Settings::from_lookup(env(&[("SECURITY_HUB_SINK", "yes")])).unwrap_err();
        assert!(bad.to_string().contains("SECURITY_HUB_SINK"), "{bad}");
    }

    #[test]
    fn rule_parameters_are_read_with_the_config_rules_parser() {
        let env =
            |text: &'static str| move |k: &str| (k == "RULE_PARAMETERS").then(|| text.to_owned());
        let at = crate::domain::time::Timestamp::from_epoch_millis(0);
        let text = r#"{"maxUnusedDays":"30","minimumTlsVersion":"1.3","otherTool":"x"}"#;
        let settings = Settings::from_lookup(env(text)).unwrap();
        let rule = Params::from_rule_parameters(Some(text)).unwrap();
        assert_eq!(settings.params.at(at), rule.params.at(at));
        assert_eq!(settings.params.max_unused_days, 30);
        assert_eq!(settings.ignored_parameters, ["otherTool"]);
        // Unset or empty: the defaults, as a Config rule without InputParameters.
        for unset in [
            Settings::from_lookup(|_| None),
            Settings::from_lookup(env(" ")),
        ] {
            assert_eq!(unset.unwrap().params.at(at), Params::default().at(at));
        }
        // A bad value stops the function at cold start, naming the variable and the parameter.
        let bad = Settings::from_lookup(env(r#"{"maxUnusedDays":"0"}"#)).unwrap_err();
        assert!(
            matches!(
                bad,
                SettingsError::RuleParameters(ParamError::Invalid {
                    name: "maxUnusedDays",
                    ..
                })
            ),
            "{bad}"
        );
        assert!(
            bad.to_string().starts_with("RULE_PARAMETERS: ")
                && bad.to_string().contains("maxUnusedDays")
        );
        assert!(Settings::from_lookup(env("[1]")).is_err());
    }
}

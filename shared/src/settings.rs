//! Typed configuration of the functions, read once from the environment at cold start.

use std::collections::BTreeMap;

use crate::sinks::auditmanager::ControlTarget;

/// The functions' settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The Audit Manager assessment evidence goes to; `None` turns the Audit Manager sink off.
    pub assessment_id: Option<String>,
    /// Explicit framework control → assessment control mappings (`CONTROL_MAP`).
    pub control_overrides: BTreeMap<String, ControlTarget>,
}

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
}

impl Settings {
    /// Reads `ASSESSMENT_ID` and `CONTROL_MAP` from the process environment.
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
        Ok(Self {
            assessment_id,
            control_overrides,
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

    #[test]
    fn settings_validate_the_assessment_id_and_control_map() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
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
}

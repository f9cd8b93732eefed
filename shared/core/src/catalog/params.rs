//! Rule parameters: the knobs a deployment sets on the checks, validated once per invocation.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::catalog::{CHECKS, Check, find_check};
use crate::domain::time::Timestamp;
use crate::text::{json_kind, truncate_chars};

/// Validated parameters.
#[derive(Debug, Clone)]
pub struct Params {
    /// Only these checks run; `None` runs every check that covers the resource type.
    pub checks: Option<Vec<&'static Check>>,
    /// When set, TLS-only bucket policies must also deny TLS versions below this one.
    pub minimum_tls_version: Option<TlsVersion>,
    /// Access keys older than this many days fail (`maxAccessKeyAgeDays`, default 90).
    pub max_access_key_age_days: u32,
    /// Credentials and roles unused for more than this many days fail (`maxUnusedDays`, default 90).
    pub max_unused_days: u32,
    /// Long-term Bedrock API keys older than this many days, or living longer, fail
    /// (`maxBedrockApiKeyAgeDays`, default 90).
    pub max_bedrock_api_key_age_days: u32,
    /// Log groups must keep logs at least this many days (`minimumLogRetentionDays`, default 365).
    pub minimum_log_retention_days: u32,
    /// Whose CloudTrail data events must be logged (`genaiDataEventServices`: `bedrock`,
    /// `agentcore`, or both, the default).
    pub genai_data_event_services: DataEventServices,
    /// Guardrail content filters must filter at least this strongly on input and output
    /// (`minimumContentFilterStrength`, default HIGH).
    pub minimum_content_filter_strength: FilterStrength,
    /// The instant ages are measured at (the trigger's time; checks never read the clock).
    pub as_of: Timestamp,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            checks: None,
            minimum_tls_version: None,
            max_access_key_age_days: 90,
            max_unused_days: 90,
            max_bedrock_api_key_age_days: 90,
            minimum_log_retention_days: 365,
            genai_data_event_services: DataEventServices::BedrockAndAgentCore,
            minimum_content_filter_strength: FilterStrength::High,
            as_of: Timestamp::now(),
        }
    }
}

/// Equal when every rule parameter has the same effective value (checks compared as a set of
/// ids) and `as_of` is the same instant.
impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.as_of == other.as_of && self.differing(other).is_empty()
    }
}

/// A TLS version a policy can require with `aws:TLSVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.2.
    V1_2,
    /// TLS 1.3.
    V1_3,
}

impl TlsVersion {
    /// `1.2` or `1.3`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::V1_2 => "1.2",
            TlsVersion::V1_3 => "1.3",
        }
    }

    /// Parses `1.2` or `1.3`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "1.2" => Some(TlsVersion::V1_2),
            "1.3" => Some(TlsVersion::V1_3),
            _ => None,
        }
    }
}

/// The services whose CloudTrail data-event resource types `cloudtrail_genai_data_events_logged`
/// requires (an account without AgentCore, or without Bedrock agents and knowledge bases, narrows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataEventServices {
    /// Amazon Bedrock and Bedrock AgentCore.
    BedrockAndAgentCore,
    /// Amazon Bedrock only.
    Bedrock,
    /// Bedrock AgentCore only.
    AgentCore,
}

impl DataEventServices {
    /// `bedrock,agentcore`, `bedrock` or `agentcore`.
    pub fn as_str(self) -> &'static str {
        match self {
            DataEventServices::BedrockAndAgentCore => "bedrock,agentcore",
            DataEventServices::Bedrock => "bedrock",
            DataEventServices::AgentCore => "agentcore",
        }
    }

    /// Parses a comma-separated set of `bedrock` and `agentcore` (order and spaces ignored).
    pub fn parse(text: &str) -> Option<Self> {
        let mut names: Vec<&str> = text.split(',').map(str::trim).collect();
        names.sort_unstable();
        names.dedup();
        match names.as_slice() {
            ["agentcore", "bedrock"] => Some(DataEventServices::BedrockAndAgentCore),
            ["bedrock"] => Some(DataEventServices::Bedrock),
            ["agentcore"] => Some(DataEventServices::AgentCore),
            _ => None,
        }
    }

    /// Whether the data-event resource type `resource_type` (`AWS::Bedrock::...` or
    /// `AWS::BedrockAgentCore::...`) is required.
    pub fn requires(self, resource_type: &str) -> bool {
        let agentcore = resource_type.starts_with("AWS::BedrockAgentCore::");
        match self {
            DataEventServices::BedrockAndAgentCore => true,
            DataEventServices::Bedrock => !agentcore,
            DataEventServices::AgentCore => agentcore,
        }
    }
}

/// A guardrail content filter strength (`NONE` is no filtering and is never a minimum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FilterStrength {
    /// `LOW`.
    Low,
    /// `MEDIUM`.
    Medium,
    /// `HIGH`.
    High,
}

impl FilterStrength {
    /// `LOW`, `MEDIUM` or `HIGH`.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterStrength::Low => "LOW",
            FilterStrength::Medium => "MEDIUM",
            FilterStrength::High => "HIGH",
        }
    }

    /// Parses `LOW`, `MEDIUM` or `HIGH` (any case); `NONE` and anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "LOW" => Some(FilterStrength::Low),
            "MEDIUM" => Some(FilterStrength::Medium),
            "HIGH" => Some(FilterStrength::High),
            _ => None,
        }
    }
}

/// A rule parameter was not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// `ruleParameters` is not a JSON object of strings.
    #[error("ruleParameters is not a JSON object: {0}")]
    NotAnObject(String),
    /// A known parameter with a bad value.
    #[error("rule parameter {name:?} has an invalid value {value:?}: {why}")]
    Invalid {
        /// The parameter's name.
        name: &'static str,
        /// The value given, as JSON text cut to 64 characters.
        value: String,
        /// What is wrong with it.
        why: String,
    },
}

/// The parameters this suite reads from `ruleParameters`.
pub const KNOWN_PARAMETERS: &[&str] = &[
    "checks",
    "minimumTlsVersion",
    "maxAccessKeyAgeDays",
    "maxUnusedDays",
    "maxBedrockApiKeyAgeDays",
    "minimumLogRetentionDays",
    "genaiDataEventServices",
    "minimumContentFilterStrength",
];

/// At most this many ignored parameter names are reported (each cut to 64 characters).
const MAX_IGNORED_LISTED: usize = 20;

/// What `ruleParameters` held: the validated parameters, and the keys this suite does not know,
/// which are ignored (a misspelling, or another tool's key in a shared conformance pack).
#[derive(Debug, Clone)]
pub struct RuleParameters {
    /// The parameters, defaults where not given.
    pub params: Params,
    /// The unknown keys, ignored (at most 20 listed, each cut to 64 characters; more are
    /// counted in the last entry).
    pub ignored: Vec<String>,
}

impl Params {
    /// Validates the `ruleParameters` JSON text of a Config rule event (absent or empty means
    /// defaults). Values may be strings (as the Config console writes them) or lists. A key
    /// the suite does not know is ignored and reported, never an error: Config invokes the rule
    /// asynchronously, so an error would stop every evaluation unseen. A known key with a bad
    /// value is an error.
    pub fn from_rule_parameters(text: Option<&str>) -> Result<RuleParameters, ParamError> {
        let text = match text.map(str::trim) {
            None | Some("") => {
                return Ok(RuleParameters {
                    params: Self::default(),
                    ignored: Vec::new(),
                });
            }
            Some(t) => t,
        };
        // Parsed as any JSON first: serde's "invalid type" error for a non-object would quote it.
        let map: BTreeMap<String, Value> =
            match serde_json::from_str(text).map_err(|e| ParamError::NotAnObject(e.to_string()))? {
                Value::Object(map) => map.into_iter().collect(),
                other => {
                    return Err(ParamError::NotAnObject(format!(
                        "found {}",
                        json_kind(&other)
                    )));
                }
            };
        let mut params = Self::default();
        let mut ignored = Vec::new();
        for (name, value) in map {
            match name.as_str() {
                "checks" => params.checks = Some(parse_checks(&value)?),
                "minimumTlsVersion" => {
                    let text = value.as_str().unwrap_or_default();
                    let version = TlsVersion::parse(text).ok_or_else(|| ParamError::Invalid {
                        name: "minimumTlsVersion",
                        value: quoted(&value),
                        why: "expected \"1.2\" or \"1.3\"".into(),
                    })?;
                    params.minimum_tls_version = Some(version);
                }
                "maxAccessKeyAgeDays" => {
                    params.max_access_key_age_days = parse_days("maxAccessKeyAgeDays", &value)?
                }
                "maxUnusedDays" => params.max_unused_days = parse_days("maxUnusedDays", &value)?,
                "maxBedrockApiKeyAgeDays" => {
                    params.max_bedrock_api_key_age_days =
                        parse_days("maxBedrockApiKeyAgeDays", &value)?
                }
                "minimumLogRetentionDays" => {
                    params.minimum_log_retention_days =
                        parse_days("minimumLogRetentionDays", &value)?
                }
                "genaiDataEventServices" => {
                    let text = value.as_str().unwrap_or_default();
                    params.genai_data_event_services =
                        DataEventServices::parse(text).ok_or_else(|| ParamError::Invalid {
                            name: "genaiDataEventServices",
                            value: quoted(&value),
                            why: "expected \"bedrock,agentcore\", \"bedrock\" or \"agentcore\""
                                .into(),
                        })?;
                }
                "minimumContentFilterStrength" => {
                    let text = value.as_str().unwrap_or_default();
                    params.minimum_content_filter_strength = FilterStrength::parse(text)
                        .ok_or_else(|| ParamError::Invalid {
                            name: "minimumContentFilterStrength",
                            value: quoted(&value),
                            why: "expected \"LOW\", \"MEDIUM\" or \"HIGH\"".into(),
                        })?;
                }
                _ => ignored.push(name),
            }
        }
        let unlisted = ignored.len().saturating_sub(MAX_IGNORED_LISTED);
        let mut ignored: Vec<String> = ignored
            .iter()
            .take(MAX_IGNORED_LISTED)
            .map(|name| crate::text::truncate_chars(name, 64))
            .collect();
        if unlisted > 0 {
            ignored.push(format!("(and {unlisted} more)"));
        }
        Ok(RuleParameters { params, ignored })
    }

    /// The same parameters, measuring ages at `as_of` (each invocation sets its own time).
    pub fn at(&self, as_of: Timestamp) -> Self {
        Self {
            as_of,
            ..self.clone()
        }
    }

    /// The names (as in [`KNOWN_PARAMETERS`]) of the parameters whose effective value, defaults
    /// included, differs between `self` and `other`; `as_of` is not a rule parameter and is not
    /// compared.
    pub fn differing(&self, other: &Self) -> Vec<&'static str> {
        let ids = |p: &Self| {
            p.checks.as_ref().map(|list| {
                list.iter()
                    .map(|c| c.id)
                    .collect::<std::collections::BTreeSet<_>>()
            })
        };
        let mut names = Vec::new();
        if ids(self) != ids(other) {
            names.push("checks");
        }
        if self.minimum_tls_version != other.minimum_tls_version {
            names.push("minimumTlsVersion");
        }
        if self.max_access_key_age_days != other.max_access_key_age_days {
            names.push("maxAccessKeyAgeDays");
        }
        if self.max_unused_days != other.max_unused_days {
            names.push("maxUnusedDays");
        }
        if self.max_bedrock_api_key_age_days != other.max_bedrock_api_key_age_days {
            names.push("maxBedrockApiKeyAgeDays");
        }
        if self.minimum_log_retention_days != other.minimum_log_retention_days {
            names.push("minimumLogRetentionDays");
        }
        if self.genai_data_event_services != other.genai_data_event_services {
            names.push("genaiDataEventServices");
        }
        if self.minimum_content_filter_strength != other.minimum_content_filter_strength {
            names.push("minimumContentFilterStrength");
        }
        names
    }

    /// The checks to run on a resource of this type.
    pub fn checks_for(
        &self,
        resource_type: crate::domain::resource::ResourceType,
    ) -> Vec<&'static Check> {
        let chosen: Vec<&'static Check> = match &self.checks {
            Some(list) => list.clone(),
            None => CHECKS.to_vec(),
        };
        chosen
            .into_iter()
            .filter(|c| c.resource_type() == resource_type)
            .collect()
    }
}

/// A parameter's value as JSON text, cut to 64 characters: an error quotes it, never whole.
fn quoted(value: &Value) -> String {
    truncate_chars(&value.to_string(), 64)
}

/// A whole number of days from 1 to 3653, given as a number or a string (the Config console
/// writes every parameter as a string).
fn parse_days(name: &'static str, value: &Value) -> Result<u32, ParamError> {
    let days = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match days {
        Some(d @ 1..=3653) => Ok(d as u32),
        _ => Err(ParamError::Invalid {
            name,
            value: quoted(value),
            why: "expected a whole number of days from 1 to 3653".into(),
        }),
    }
}

fn parse_checks(value: &Value) -> Result<Vec<&'static Check>, ParamError> {
    let invalid = |why: String| ParamError::Invalid {
        name: "checks",
        value: quoted(value),
        why,
    };
    let ids: Vec<String> = match value {
        Value::String(s) => s
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid("list items must be strings".into()))
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(invalid(
                "expected a comma-separated string of check ids".into(),
            ));
        }
    };
    if ids.is_empty() {
        return Err(invalid("names no check".into()));
    }
    ids.iter()
        .map(|id| {
            find_check(id)
                .ok_or_else(|| invalid(format!("no check has id {:?}", truncate_chars(id, 64))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_or_empty_parameters_mean_defaults() {
        assert!(
            Params::from_rule_parameters(None)
                .unwrap()
                .params
                .checks
                .is_none()
        );
        assert!(
            Params::from_rule_parameters(Some("{}"))
                .unwrap()
                .params
                .checks
                .is_none()
        );
    }

    #[test]
    fn checks_parameter_selects_checks_by_id() {
        let p = Params::from_rule_parameters(Some(
            r#"{"checks":"s3_bucket_tls_only, s3_bucket_default_encryption_kms"}"#,
        ))
        .unwrap()
        .params;
        let ids: Vec<_> = p.checks.unwrap().iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            ["s3_bucket_tls_only", "s3_bucket_default_encryption_kms"]
        );
    }

    #[test]
    fn bad_parameters_are_errors_that_name_the_parameter() {
        let e = Params::from_rule_parameters(Some(r#"{"checks":"no_such_check"}"#)).unwrap_err();
        assert!(
            e.to_string().contains("\"checks\"") && e.to_string().contains("no_such_check"),
            "{e}"
        );
        let e = Params::from_rule_parameters(Some(r#"{"minimumTlsVersion":"1.1"}"#)).unwrap_err();
        assert!(e.to_string().contains("minimumTlsVersion"), "{e}");
        let e = Params::from_rule_parameters(Some(r#"{"maxUnusedDays":"0"}"#)).unwrap_err();
        assert!(e.to_string().contains("maxUnusedDays"), "{e}");
        let e = Params::from_rule_parameters(Some(r#"{"minimumContentFilterStrength":"NONE"}"#))
            .unwrap_err();
        assert!(
            e.to_string().contains("minimumContentFilterStrength"),
            "{e}"
        );
        let medium =
            Params::from_rule_parameters(Some(r#"{"minimumContentFilterStrength":"medium"}"#))
                .unwrap()
                .params;
        assert_eq!(
            medium.minimum_content_filter_strength,
            FilterStrength::Medium
        );
        let ok = Params::from_rule_parameters(Some(
            r#"{"maxUnusedDays":"45","minimumLogRetentionDays":400}"#,
        ))
        .unwrap()
        .params;
        assert_eq!(
            (ok.max_unused_days, ok.minimum_log_retention_days),
            (45, 400)
        );
        assert!(matches!(
            Params::from_rule_parameters(Some("not json")),
            Err(ParamError::NotAnObject(_))
        ));
    }

    #[test]
    fn unknown_keys_are_ignored_and_reported_while_known_ones_still_apply() {
        let parsed = Params::from_rule_parameters(Some(
            r#"{"maxUnusedDay":"30","maxUnusedDays":"45","conformancePackOwner":"custodian"}"#,
        ))
        .unwrap();
        assert_eq!(parsed.params.max_unused_days, 45);
        assert_eq!(parsed.ignored, ["conformancePackOwner", "maxUnusedDay"]);
        // A known key with a bad value is still an error, even beside unknown ones.
        let e = Params::from_rule_parameters(Some(r#"{"other":"x","maxUnusedDays":"-3"}"#))
            .unwrap_err();
        assert!(e.to_string().contains("maxUnusedDays"), "{e}");
    }

    #[test]
    fn differing_names_each_parameter_whose_effective_value_differs() {
        let parse = |text: &str| Params::from_rule_parameters(Some(text)).unwrap().params;
        let at = Timestamp::from_epoch_millis(0);
        let defaults = Params::default().at(at);
        // Defaults written out are the defaults; the order of the checks does not matter.
        let explicit = parse(
            r#"{"maxUnusedDays":"90","maxAccessKeyAgeDays":90,"minimumLogRetentionDays":"365"}"#,
        )
        .at(at);
        assert!(explicit.differing(&defaults).is_empty());
        assert_eq!(explicit, defaults);
        assert_eq!(
            parse(r#"{"checks":"s3_bucket_tls_only,iam_user_access_keys_rotated"}"#).differing(
                &parse(r#"{"checks":"iam_user_access_keys_rotated, s3_bucket_tls_only"}"#)
            ),
            Vec::<&str>::new()
        );
        let every = parse(
            r#"{"checks":"s3_bucket_tls_only","minimumTlsVersion":"1.2","maxAccessKeyAgeDays":"30","maxUnusedDays":"30","maxBedrockApiKeyAgeDays":"30","minimumLogRetentionDays":"731","genaiDataEventServices":"bedrock","minimumContentFilterStrength":"MEDIUM"}"#,
        )
        .at(at);
        assert_eq!(every.differing(&defaults), KNOWN_PARAMETERS);
        assert_ne!(every, defaults);
        // `as_of` is no rule parameter, but equal parameters also measure from the same instant.
        let later = defaults.at(Timestamp::from_epoch_millis(1));
        assert!(later.differing(&defaults).is_empty());
        assert_ne!(later, defaults);
    }

    #[test]
    fn genai_data_event_services_take_either_service_or_both_in_any_order() {
        let parse = |text: &str| {
            Params::from_rule_parameters(Some(text)).map(|p| p.params.genai_data_event_services)
        };
        assert_eq!(
            parse(r#"{"genaiDataEventServices":"agentcore, bedrock"}"#),
            Ok(DataEventServices::BedrockAndAgentCore)
        );
        assert_eq!(
            parse(r#"{"genaiDataEventServices":"bedrock"}"#),
            Ok(DataEventServices::Bedrock)
        );
        let e = parse(r#"{"genaiDataEventServices":"sagemaker"}"#).unwrap_err();
        assert!(e.to_string().contains("genaiDataEventServices"), "{e}");
        assert!(DataEventServices::Bedrock.requires("AWS::Bedrock::AgentAlias"));
        assert!(!DataEventServices::Bedrock.requires("AWS::BedrockAgentCore::Gateway"));
        assert!(!DataEventServices::AgentCore.requires("AWS::Bedrock::AgentAlias"));
    }

    #[test]
    fn ignored_names_are_bounded_in_length_and_number() {
        let mut keys: Vec<String> = (0..30).map(|i| format!("\"k{i:02}\":\"v\"")).collect();
        keys.push(format!("\"{}\":\"v\"", "z".repeat(10_000)));
        let text = format!("{{{}}}", keys.join(","));
        let parsed = Params::from_rule_parameters(Some(&text)).unwrap();
        assert_eq!(parsed.ignored.len(), 21);
        assert_eq!(parsed.ignored[20], "(and 11 more)");
        assert!(parsed.ignored.iter().all(|n| n.chars().count() <= 64));
    }
}

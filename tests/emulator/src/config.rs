//! AWS Config (JSON 1.1, `X-Amz-Target: StarlingDoveService.<Operation>`) emulation:
//! `PutEvaluations` and `GetComplianceDetailsByConfigRule` are served here; every other
//! Config operation is forwarded to an optional upstream emulator (moto).
//!
//! Result tokens are opaque, as in AWS: nothing about a token names its rule. The emulator
//! keeps a registry of the tokens it knows, each mapped to the rule it was issued for, and a
//! token gets into it in one of two ways:
//! - the emulator issues it ([`crate::Emulator::issue_result_token`], or
//!   `POST /_emulator/config/result-tokens` with `{"configRuleName": "r"}`): a long
//!   standard-base64 blob shaped like the tokens Config puts into rule events (an encoded
//!   `{"encryptedData":[...],"materialSetSerialNumber":1,"ivParameterSpec":{...}}`), built
//!   deterministically from a counter;
//! - a harness registers a token it already has under a rule
//!   ([`crate::Emulator::register_result_token`], or the same route with
//!   `{"configRuleName": "r", "resultToken": "..."}`), for example the `resultToken` of a
//!   sample event, standing in for Config, which issued it.
//!
//! `PutEvaluations` with a token that is not in the registry is an
//! `InvalidResultTokenException`; results are stored under the token's rule. With `TestMode`
//! any non-empty token is accepted and nothing is stored, as in AWS.
//!
//! A rule is known once a token was issued or registered for it, or once a `PutConfigRule`
//! for it was forwarded upstream and answered with a 2xx. `GetComplianceDetailsByConfigRule`
//! on a rule that is not known is a `NoSuchConfigRuleException`.
//!
//! Evaluations are kept per AWS account, as AWS keeps them: `PutEvaluations` stores them in the
//! caller's account (the account of the credentials that signed the request, see
//! [`crate::accounts`], which also says when that is the default account 123456789012), and
//! `GetComplianceDetailsByConfigRule` answers with the caller's account's evaluations of the
//! rule only, paginated within them. The token registry and the known rules are shared by all
//! accounts (a harness registers a token once, whichever account then uses it), so a rule known
//! to one account is known, with no evaluations, to every other.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use hyper::StatusCode;
use hyper::body::Bytes;
use hyper::http::request::Parts;
use serde_json::{Map, Value, json};

use crate::accounts::Accounts;
use crate::faults::Faults;
use crate::http::{AMZ_JSON_1_1, HttpResponse, decode_token, epoch_now, json, page};
use crate::upstream::Upstream;

/// The `X-Amz-Target` prefix of AWS Config operations.
pub(crate) const TARGET_PREFIX: &str = "StarlingDoveService.";

const COMPLIANCE_TYPES_ACCEPTED: [&str; 3] = ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"];
const COMPLIANCE_TYPES_ALL: [&str; 4] = [
    "COMPLIANT",
    "NON_COMPLIANT",
    "NOT_APPLICABLE",
    "INSUFFICIENT_DATA",
];

/// Longest `ConfigRuleName` Config accepts.
const MAX_RULE_NAME_CHARS: usize = 128;
/// Longest `ConfigRuleName` `GetComplianceDetailsByConfigRule` accepts (its input model says
/// `StringWithCharLimit64`, unlike the 128 of the rule itself).
const MAX_DETAILS_RULE_NAME_CHARS: usize = 64;
/// Signed bytes of `encryptedData` in an issued token (real tokens carry several hundred).
const TOKEN_DATA_BYTES: usize = 160;

/// (account, rule name, resource type, resource id): Config keeps one result per key.
type Key = (String, String, String, String);

/// The latest stored evaluation of one resource for one rule.
#[derive(Debug, Clone)]
struct Stored {
    compliance_type: String,
    annotation: Option<String>,
    ordering_timestamp: f64,
    recorded: f64,
    result_token: String,
}

/// The result-token registry and the rules the emulated Config knows.
#[derive(Debug, Default)]
struct Rules {
    /// Result token -> the rule it was issued (or registered) for.
    tokens: HashMap<String, String>,
    /// Rules with a token, or created with a forwarded `PutConfigRule`.
    known: BTreeSet<String>,
    /// How many tokens the emulator generated (the seed of the next one).
    issued: u64,
}

/// The emulated AWS Config.
#[derive(Debug)]
pub(crate) struct ConfigService {
    results: Mutex<BTreeMap<Key, Stored>>,
    rules: Mutex<Rules>,
    accounts: Accounts,
    upstream: Option<Upstream>,
}

/// Checks `rule` the way Config constrains `ConfigRuleName`: 1 to 128 characters, not blank.
pub(crate) fn check_rule_name(rule: &str) -> Result<(), String> {
    let n = rule.chars().count();
    if n == 0 {
        Err("configRuleName must be a non-empty string".to_owned())
    } else if n > MAX_RULE_NAME_CHARS {
        Err(format!(
            "configRuleName must be at most {MAX_RULE_NAME_CHARS} characters, not {n}"
        ))
    } else if rule.chars().all(char::is_whitespace) {
        Err("configRuleName must contain a non-whitespace character".to_owned())
    } else {
        Ok(())
    }
}

/// The next value of a SplitMix64 sequence (deterministic, no `rand` needed).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Token number `n`: the standard base64 of
/// `{"encryptedData":[<signed bytes>],"materialSetSerialNumber":1,"ivParameterSpec":{"iv":[...]}}`,
/// the shape of the result tokens Config puts into rule events.
fn opaque_token(n: u64) -> String {
    let mut state = n ^ 0x5DEE_CE66_D1CE_4E5B;
    let mut signed_bytes = |len: usize| -> String {
        (0..len)
            .map(|_| (splitmix64(&mut state) as u8 as i8).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let data = signed_bytes(TOKEN_DATA_BYTES);
    let iv = signed_bytes(16);
    let json = format!(
        r#"{{"encryptedData":[{data}],"materialSetSerialNumber":1,"ivParameterSpec":{{"iv":[{iv}]}}}}"#
    );
    base64(json.as_bytes())
}

/// Standard base64 (RFC 4648, `+/`, `=` padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `ConfigRule.ConfigRuleName` of a `PutConfigRule` body, if it has one.
fn put_config_rule_name(body: &[u8]) -> Option<String> {
    let doc: Value = serde_json::from_slice(body).ok()?;
    doc.get("ConfigRule")?
        .get("ConfigRuleName")?
        .as_str()
        .map(str::to_owned)
}

/// A JSON 1.1 error: HTTP 400 with `{"__type": name, "message": ...}`.
#[derive(Debug)]
struct ConfigError {
    name: &'static str,
    message: String,
}

fn error(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        message: message.into(),
    }
}

fn validation(field: &str, constraint: &str) -> ConfigError {
    error(
        "ValidationException",
        format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"
        ),
    )
}

impl ConfigError {
    fn into_response(self) -> HttpResponse {
        json(
            StatusCode::BAD_REQUEST,
            AMZ_JSON_1_1,
            &json!({"__type": self.name, "message": self.message}),
        )
    }
}

/// A string member with a length range, or `None` when absent.
fn opt_string<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    min: usize,
    max: usize,
) -> Result<Option<&'a str>, ConfigError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < min {
                Err(validation(
                    name,
                    &format!("Member must have length greater than or equal to {min}"),
                ))
            } else if n > max {
                Err(validation(
                    name,
                    &format!("Member must have length less than or equal to {max}"),
                ))
            } else {
                Ok(Some(s))
            }
        }
        Some(_) => Err(error(
            "SerializationException",
            format!("{name} must be a string"),
        )),
    }
}

fn required_string<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    min: usize,
    max: usize,
) -> Result<&'a str, ConfigError> {
    opt_string(obj, name, min, max)?.ok_or_else(|| validation(name, "Member must not be null"))
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ConfigError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => Ok(obj),
        _ => Err(error(
            "SerializationException",
            "The request body is not a JSON object",
        )),
    }
}

/// One validated evaluation.
struct Evaluation<'a> {
    resource_type: &'a str,
    resource_id: &'a str,
    compliance_type: &'a str,
    annotation: Option<&'a str>,
    ordering_timestamp: f64,
    /// `OrderingTimestamp` as sent (echoed back unchanged).
    ordering_sent: &'a Value,
}

impl Evaluation<'_> {
    /// The evaluation as an `Evaluation` structure of the model: only its members, so that
    /// whatever else a request carried is never echoed back in `FailedEvaluations`.
    fn echo(&self) -> Value {
        let mut item = json!({
            "ComplianceResourceType": self.resource_type,
            "ComplianceResourceId": self.resource_id,
            "ComplianceType": self.compliance_type,
            "OrderingTimestamp": self.ordering_sent,
        });
        if let (Some(annotation), Some(obj)) = (self.annotation, item.as_object_mut()) {
            obj.insert(
                "Annotation".to_owned(),
                Value::String(annotation.to_owned()),
            );
        }
        item
    }
}

impl ConfigService {
    pub(crate) fn new(upstream: Option<Upstream>) -> Self {
        Self {
            results: Mutex::new(BTreeMap::new()),
            rules: Mutex::new(Rules::default()),
            accounts: Accounts::new(upstream.clone()),
            upstream,
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<Key, Stored>> {
        self.results.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_rules(&self) -> MutexGuard<'_, Rules> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Generates a new opaque result token for `rule` and registers it; the rule becomes known.
    pub(crate) fn issue_token(&self, rule: &str) -> Result<String, String> {
        check_rule_name(rule)?;
        let mut rules = self.lock_rules();
        let token = loop {
            rules.issued += 1;
            let token = opaque_token(rules.issued);
            // Skip a token a harness happened to register already.
            if !rules.tokens.contains_key(&token) {
                break token;
            }
        };
        rules.tokens.insert(token.clone(), rule.to_owned());
        rules.known.insert(rule.to_owned());
        Ok(token)
    }

    /// Registers a token issued elsewhere (e.g. a sample event's) for `rule`; the rule becomes
    /// known. Registering a token again for the same rule is a no-op; for another rule, an error.
    pub(crate) fn register_token(&self, rule: &str, token: &str) -> Result<(), String> {
        check_rule_name(rule)?;
        if token.is_empty() {
            return Err("resultToken must be a non-empty string".to_owned());
        }
        let mut rules = self.lock_rules();
        if let Some(other) = rules.tokens.get(token).filter(|other| *other != rule) {
            return Err(format!(
                "that resultToken is already registered for rule {other:?}"
            ));
        }
        rules.tokens.insert(token.to_owned(), rule.to_owned());
        rules.known.insert(rule.to_owned());
        Ok(())
    }

    /// The rule `token` belongs to, if it is registered.
    fn rule_of(&self, token: &str) -> Option<String> {
        self.lock_rules().tokens.get(token).cloned()
    }

    fn is_known(&self, rule: &str) -> bool {
        self.lock_rules().known.contains(rule)
    }

    /// Serves one Config request; `operation` is the `X-Amz-Target` suffix.
    pub(crate) async fn handle(
        &self,
        faults: &Faults,
        operation: &str,
        parts: &Parts,
        body: Bytes,
    ) -> HttpResponse {
        faults.record_call(operation);
        let result = match operation {
            "PutEvaluations" => {
                let account = self.accounts.caller(&parts.headers).await;
                self.put_evaluations(faults, &account, &body)
            }
            "GetComplianceDetailsByConfigRule" => {
                let account = self.accounts.caller(&parts.headers).await;
                self.compliance_details(&account, &body)
            }
            _ => {
                return match &self.upstream {
                    None => error(
                        "UnknownOperationException",
                        format!("{operation} is not implemented by the emulator and no upstream is configured"),
                    )
                    .into_response(),
                    Some(upstream) => {
                        let created = (operation == "PutConfigRule")
                            .then(|| put_config_rule_name(&body))
                            .flatten();
                        match upstream.forward(parts, body).await {
                            Ok(resp) => {
                                if let Some(rule) = created.filter(|_| resp.status().is_success()) {
                                    self.lock_rules().known.insert(rule);
                                }
                                resp
                            }
                            Err(message) => json(
                                StatusCode::BAD_GATEWAY,
                                AMZ_JSON_1_1,
                                &json!({"__type": "InternalFailure", "message": message}),
                            ),
                        }
                    }
                };
            }
        };
        match result {
            Ok(value) => json(StatusCode::OK, AMZ_JSON_1_1, &value),
            Err(err) => err.into_response(),
        }
    }

    /// Stores the evaluations in `account`, the caller's.
    fn put_evaluations(
        &self,
        faults: &Faults,
        account: &str,
        body: &[u8],
    ) -> Result<Value, ConfigError> {
        let req = parse_object(body)?;
        let sent: &[Value] = match req.get("Evaluations") {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(error(
                    "SerializationException",
                    "Evaluations must be a list",
                ));
            }
        };
        if sent.len() > 100 {
            return Err(validation(
                "evaluations",
                "Member must have length less than or equal to 100",
            ));
        }
        let mut evaluations = Vec::with_capacity(sent.len());
        for item in sent {
            let Some(obj) = item.as_object() else {
                return Err(error(
                    "SerializationException",
                    "An evaluation must be a structure",
                ));
            };
            let resource_type = required_string(obj, "ComplianceResourceType", 1, 256)?;
            let resource_id = required_string(obj, "ComplianceResourceId", 1, 768)?;
            let annotation = opt_string(obj, "Annotation", 1, 256)?;
            let (ordering_timestamp, ordering_sent) = match obj.get("OrderingTimestamp") {
                None | Some(Value::Null) => {
                    return Err(validation("OrderingTimestamp", "Member must not be null"));
                }
                Some(v) => (
                    v.as_f64().ok_or_else(|| {
                        error(
                            "SerializationException",
                            "OrderingTimestamp must be epoch seconds",
                        )
                    })?,
                    v,
                ),
            };
            let compliance_type = match obj.get("ComplianceType") {
                None | Some(Value::Null) => {
                    return Err(validation("ComplianceType", "Member must not be null"));
                }
                Some(Value::String(s)) if COMPLIANCE_TYPES_ACCEPTED.contains(&s.as_str()) => {
                    s.as_str()
                }
                Some(other) => {
                    return Err(error(
                        "InvalidParameterValueException",
                        format!(
                            "The ComplianceType {other} is not valid for PutEvaluations: use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE."
                        ),
                    ));
                }
            };
            evaluations.push(Evaluation {
                resource_type,
                resource_id,
                compliance_type,
                annotation,
                ordering_timestamp,
                ordering_sent,
            });
        }
        let token = match req.get("ResultToken") {
            Some(Value::String(s)) if !s.is_empty() => s.as_str(),
            _ => {
                return Err(error(
                    "InvalidParameterValueException",
                    "The ResultToken must be a non-empty string.",
                ));
            }
        };
        let test_mode = match req.get("TestMode") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(error(
                    "SerializationException",
                    "TestMode must be a boolean",
                ));
            }
        };
        if test_mode {
            return Ok(json!({"FailedEvaluations": []}));
        }
        let Some(rule) = self.rule_of(token) else {
            return Err(error(
                "InvalidResultTokenException",
                "The resultToken provided is invalid",
            ));
        };

        let now = epoch_now(faults.clock_offset());
        let mut failed = Vec::new();
        let mut results = self.lock();
        for e in evaluations {
            if faults.take_evaluation_failure() {
                failed.push(e.echo());
                continue;
            }
            let key = (
                account.to_owned(),
                rule.clone(),
                e.resource_type.to_owned(),
                e.resource_id.to_owned(),
            );
            if results
                .get(&key)
                .is_some_and(|old| old.ordering_timestamp > e.ordering_timestamp)
            {
                continue; // Config ignores an evaluation older than the one it has.
            }
            results.insert(
                key,
                Stored {
                    compliance_type: e.compliance_type.to_owned(),
                    annotation: e.annotation.map(str::to_owned),
                    ordering_timestamp: e.ordering_timestamp,
                    recorded: now,
                    result_token: token.to_owned(),
                },
            );
        }
        Ok(json!({"FailedEvaluations": failed}))
    }

    /// Answers from `account`'s evaluations, the caller's.
    fn compliance_details(&self, account: &str, body: &[u8]) -> Result<Value, ConfigError> {
        let req = parse_object(body)?;
        let rule = required_string(&req, "ConfigRuleName", 1, MAX_DETAILS_RULE_NAME_CHARS)?;
        let types: Option<Vec<&str>> = match req.get("ComplianceTypes") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                if items.len() > 3 {
                    return Err(validation(
                        "complianceTypes",
                        "Member must have length less than or equal to 3",
                    ));
                }
                let mut types = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_str() {
                        Some(t) if COMPLIANCE_TYPES_ALL.contains(&t) => types.push(t),
                        _ => {
                            return Err(validation(
                                "complianceTypes",
                                "Member must satisfy enum value set: [COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA]",
                            ));
                        }
                    }
                }
                Some(types).filter(|t| !t.is_empty())
            }
            Some(_) => {
                return Err(error(
                    "SerializationException",
                    "ComplianceTypes must be a list",
                ));
            }
        };
        let limit = match req.get("Limit") {
            None | Some(Value::Null) => 100,
            Some(v) => match v.as_i64() {
                Some(0) => 100,
                Some(n @ 1..=100) => usize::try_from(n).unwrap_or(100),
                Some(n) if n < 0 => {
                    return Err(validation(
                        "limit",
                        "Member must have value greater than or equal to 0",
                    ));
                }
                Some(_) => {
                    return Err(validation(
                        "limit",
                        "Member must have value less than or equal to 100",
                    ));
                }
                None => return Err(error("SerializationException", "Limit must be an integer")),
            },
        };
        let offset = match opt_string(&req, "NextToken", 0, usize::MAX)? {
            None | Some("") => 0,
            Some(token) => decode_token(token).ok_or_else(|| {
                error(
                    "InvalidNextTokenException",
                    "The specified next token is invalid.",
                )
            })?,
        };
        if !self.is_known(rule) {
            return Err(error(
                "NoSuchConfigRuleException",
                format!(
                    "The ConfigRule '{rule}' provided in the request is invalid. Please check the configRule name"
                ),
            ));
        }

        let results = self.lock();
        let matching: Vec<(&Key, &Stored)> = results
            .iter()
            .filter(|((a, r, _, _), s)| {
                a == account
                    && r == rule
                    && types
                        .as_ref()
                        .is_none_or(|t| t.contains(&s.compliance_type.as_str()))
            })
            .collect();
        let (range, next) = page(matching.len(), offset, limit);
        let items: Vec<Value> = matching[range]
            .iter()
            .map(|((_, rule, resource_type, resource_id), s)| {
                let mut item = json!({
                    "EvaluationResultIdentifier": {
                        "EvaluationResultQualifier": {
                            "ConfigRuleName": rule,
                            "ResourceType": resource_type,
                            "ResourceId": resource_id,
                        },
                        "OrderingTimestamp": s.ordering_timestamp,
                    },
                    "ComplianceType": s.compliance_type,
                    "ResultRecordedTime": s.recorded,
                    "ConfigRuleInvokedTime": s.recorded,
                    "ResultToken": s.result_token,
                });
                if let (Some(annotation), Some(obj)) = (&s.annotation, item.as_object_mut()) {
                    obj.insert("Annotation".to_owned(), Value::String(annotation.clone()));
                }
                item
            })
            .collect();
        let mut answer = json!({"EvaluationResults": items});
        if let (Some(next), Some(obj)) = (next, answer.as_object_mut()) {
            obj.insert("NextToken".to_owned(), Value::String(next));
        }
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard base64 decoding, for checking what the encoder produced.
    fn unbase64(text: &str) -> Vec<u8> {
        let value = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => u32::from(c - b'A'),
                b'a'..=b'z' => u32::from(c - b'a') + 26,
                b'0'..=b'9' => u32::from(c - b'0') + 52,
                b'+' => 62,
                b'/' => 63,
                other => panic!("{:?} is not standard base64", char::from(other)),
            }
        };
        let mut out = Vec::new();
        for chunk in text.as_bytes().chunks(4) {
            let digits: Vec<u8> = chunk.iter().copied().filter(|&c| c != b'=').collect();
            let n = digits
                .iter()
                .enumerate()
                .fold(0, |n, (i, &c)| n | value(c) << (18 - 6 * i));
            for i in 0..digits.len().saturating_sub(1) {
                out.push((n >> (16 - 8 * i)) as u8);
            }
        }
        out
    }

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
            assert_eq!(unbase64(encoded), plain.as_bytes());
        }
    }

    #[test]
    fn issued_tokens_are_long_dotless_base64_blobs_shaped_like_configs() {
        let config = ConfigService::new(None);
        let first = config.issue_token("genai-evidence-controls").unwrap();
        let second = config.issue_token("genai-evidence-controls").unwrap();
        assert_ne!(first, second, "every issued token is new");
        for token in [&first, &second] {
            assert!(token.len() >= 300, "{} chars", token.len());
            assert!(!token.contains('.'));
            assert!(token.starts_with("eyJlbmNyeXB0ZWREYXRhIjpb"), "{token}");
            let doc: Value = serde_json::from_slice(&unbase64(token)).unwrap();
            assert_eq!(
                doc["encryptedData"].as_array().unwrap().len(),
                TOKEN_DATA_BYTES
            );
            assert!(
                doc["encryptedData"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|b| (-128..=127).contains(&b.as_i64().unwrap()))
            );
            assert_eq!(doc["ivParameterSpec"]["iv"].as_array().unwrap().len(), 16);
            assert_eq!(
                config.rule_of(token).as_deref(),
                Some("genai-evidence-controls")
            );
        }
        assert_eq!(
            ConfigService::new(None).issue_token("other").unwrap(),
            first,
            "deterministic: a fresh emulator issues the same sequence"
        );
    }

    #[test]
    fn a_token_belongs_to_one_rule() {
        let config = ConfigService::new(None);
        config.register_token("rule-a", "opaque-1").unwrap();
        config.register_token("rule-a", "opaque-1").unwrap();
        let err = config.register_token("rule-b", "opaque-1").unwrap_err();
        assert!(err.contains("rule-a"), "{err}");
        assert_eq!(config.rule_of("opaque-1").as_deref(), Some("rule-a"));
        assert!(config.is_known("rule-a"));
        assert!(!config.is_known("rule-b"));
        assert!(config.register_token("rule-a", "").is_err());
    }

    #[test]
    fn rule_names_follow_the_config_rule_name_constraints() {
        assert!(check_rule_name("r").is_ok());
        assert!(check_rule_name(&"r".repeat(128)).is_ok());
        assert!(check_rule_name(&"r".repeat(129)).is_err());
        assert!(check_rule_name("").is_err());
        assert!(check_rule_name("   ").is_err());
        let config = ConfigService::new(None);
        assert!(config.issue_token("").is_err());
        assert!(config.register_token(&"é".repeat(129), "t").is_err());
    }

    #[test]
    fn the_rule_name_of_a_put_config_rule_body_is_found() {
        assert_eq!(
            put_config_rule_name(br#"{"ConfigRule":{"ConfigRuleName":"r1","Source":{}}}"#)
                .as_deref(),
            Some("r1")
        );
        assert_eq!(put_config_rule_name(br#"{"ConfigRule":{}}"#), None);
        assert_eq!(put_config_rule_name(b"not json"), None);
    }
}

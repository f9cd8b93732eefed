//! AWS Config (JSON 1.1, `X-Amz-Target: StarlingDoveService.<Operation>`) emulation:
//! `PutEvaluations` and `GetComplianceDetailsByConfigRule` are served here; every other
//! Config operation is forwarded to an optional upstream emulator (moto).
//!
//! Result tokens are opaque in AWS. The emulator's convention: the rule a token belongs to is
//! the part of the token before its first `.` (for example `secai33-kms.0001` belongs to rule
//! `secai33-kms`); a token without a `.` is an `InvalidResultTokenException`.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hyper::StatusCode;
use hyper::body::Bytes;
use hyper::http::request::Parts;
use serde_json::{Map, Value, json};

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

/// (rule name, resource type, resource id): Config keeps one result per key.
type Key = (String, String, String);

/// The latest stored evaluation of one resource for one rule.
#[derive(Debug, Clone)]
struct Stored {
    compliance_type: String,
    annotation: Option<String>,
    ordering_timestamp: f64,
    recorded: f64,
    result_token: String,
}

/// The emulated AWS Config.
#[derive(Debug)]
pub(crate) struct ConfigService {
    results: Mutex<BTreeMap<Key, Stored>>,
    upstream: Option<Upstream>,
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

/// One validated evaluation, together with the object as sent.
struct Evaluation<'a> {
    sent: &'a Value,
    resource_type: &'a str,
    resource_id: &'a str,
    compliance_type: &'a str,
    annotation: Option<&'a str>,
    ordering_timestamp: f64,
}

impl ConfigService {
    pub(crate) fn new(upstream: Option<Upstream>) -> Self {
        Self {
            results: Mutex::new(BTreeMap::new()),
            upstream,
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<Key, Stored>> {
        self.results.lock().unwrap_or_else(PoisonError::into_inner)
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
            "PutEvaluations" => self.put_evaluations(faults, &body),
            "GetComplianceDetailsByConfigRule" => self.compliance_details(&body),
            _ => {
                return match &self.upstream {
                    None => error(
                        "UnknownOperationException",
                        format!("{operation} is not implemented by the emulator and no upstream is configured"),
                    )
                    .into_response(),
                    Some(upstream) => match upstream.forward(parts, body).await {
                        Ok(resp) => resp,
                        Err(message) => json(
                            StatusCode::BAD_GATEWAY,
                            AMZ_JSON_1_1,
                            &json!({"__type": "InternalFailure", "message": message}),
                        ),
                    },
                };
            }
        };
        match result {
            Ok(value) => json(StatusCode::OK, AMZ_JSON_1_1, &value),
            Err(err) => err.into_response(),
        }
    }

    fn put_evaluations(&self, faults: &Faults, body: &[u8]) -> Result<Value, ConfigError> {
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
            let ordering_timestamp = match obj.get("OrderingTimestamp") {
                None | Some(Value::Null) => {
                    return Err(validation("OrderingTimestamp", "Member must not be null"));
                }
                Some(v) => v.as_f64().ok_or_else(|| {
                    error(
                        "SerializationException",
                        "OrderingTimestamp must be epoch seconds",
                    )
                })?,
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
                sent: item,
                resource_type,
                resource_id,
                compliance_type,
                annotation,
                ordering_timestamp,
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
        let rule = match token.split_once('.') {
            Some((rule, _)) if !rule.is_empty() => rule,
            _ => {
                return Err(error(
                    "InvalidResultTokenException",
                    "The specified ResultToken is invalid (emulator convention: <rule-name>.<anything>).",
                ));
            }
        };

        let now = epoch_now(faults.clock_offset());
        let mut failed = Vec::new();
        let mut results = self.lock();
        for e in evaluations {
            if faults.take_evaluation_failure() {
                failed.push(e.sent.clone());
                continue;
            }
            let key = (
                rule.to_owned(),
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

    fn compliance_details(&self, body: &[u8]) -> Result<Value, ConfigError> {
        let req = parse_object(body)?;
        let rule = required_string(&req, "ConfigRuleName", 1, 128)?;
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

        let results = self.lock();
        let matching: Vec<(&Key, &Stored)> = results
            .iter()
            .filter(|((r, _, _), s)| {
                r == rule
                    && types
                        .as_ref()
                        .is_none_or(|t| t.contains(&s.compliance_type.as_str()))
            })
            .collect();
        let (range, next) = page(matching.len(), offset, limit);
        let items: Vec<Value> = matching[range]
            .iter()
            .map(|((rule, resource_type, resource_id), s)| {
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

//! An EventBridge "AWS API Call via CloudTrail" event parsed into a typed [`ApiCall`].
//!
//! The envelope is EventBridge's (`detail-type`, `source`, `account`, `region`, `time`), the
//! `detail` is the CloudTrail record (aws-contracts.md §5.1). Only what the drift path needs is
//! kept: who called what, where, when, whether it failed, and the request and response bodies the
//! event map reads resource ids from. Malformed input is an [`EventError`], never a panic.

use crate::text::json_kind as kind;
use serde_json::Value;

use crate::domain::time::Timestamp;

/// The `detail-type` of CloudTrail API call events.
pub const DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// Who made the call, as CloudTrail's `userIdentity` and the request describe it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// `userIdentity.arn`, else the session issuer's ARN, else the principal type (with the
    /// service that invoked the call, for `AWSService`).
    pub arn: String,
    /// `userIdentity.type` (`IAMUser`, `AssumedRole`, `Root`, `AWSService`, ...); `Unknown` when
    /// the record has none.
    pub principal_type: String,
    /// `sourceIPAddress` (an IP, or a service name for calls AWS made on the caller's behalf);
    /// `unknown` when the record has none.
    pub source_ip: String,
    /// `userAgent`, when recorded.
    pub user_agent: Option<String>,
}

/// One API call, from its CloudTrail record.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall {
    /// `detail.eventID`: unique per call, the key deliveries are de-duplicated by.
    pub event_id: String,
    /// `detail.eventSource`, e.g. `s3.amazonaws.com`.
    pub event_source: String,
    /// `detail.eventName`, e.g. `DeleteBucketEncryption`.
    pub event_name: String,
    /// `detail.eventTime` (the envelope's `time` when the record has none).
    pub event_time: Timestamp,
    /// `detail.awsRegion` (the envelope's `region` when the record has none).
    pub region: String,
    /// The envelope's `account` (`detail.recipientAccountId` when the envelope has none).
    pub account: String,
    /// `detail.readOnly`; `false` when not recorded (classification also looks at the name).
    pub read_only: bool,
    /// `detail.errorCode`: the call failed and changed nothing.
    pub error_code: Option<String>,
    /// Who made the call.
    pub actor: Actor,
    /// `detail.requestParameters` (`null` when the record has none).
    pub request_parameters: Value,
    /// `detail.responseElements` (`null` when the record has none).
    pub response_elements: Value,
}

/// The payload is not a usable CloudTrail API call event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The payload is not a JSON object.
    #[error("the event is not a JSON object (found {0}): expected an EventBridge event")]
    NotAnObject(&'static str),
    /// The payload is an EventBridge event of another kind.
    #[error(
        "the event's detail-type is {0}, not \"AWS API Call via CloudTrail\": this function handles CloudTrail API call events only"
    )]
    WrongDetailType(String),
    /// A field the contract requires is missing, null or empty.
    #[error("the event has no {0}")]
    Missing(&'static str),
    /// A field has the wrong JSON type.
    #[error("the event's {field} is {found}, expected {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// The JSON type found.
        found: &'static str,
        /// The JSON type expected.
        expected: &'static str,
    },
    /// A field that names the call is longer than any real one.
    #[error("the event's {field} has {chars} characters, more than the {max} a real event has")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length in characters.
        chars: usize,
        /// The most accepted.
        max: usize,
    },
    /// A time field is not RFC 3339.
    #[error("the event's {field} is not an RFC 3339 date-time: {text:?}")]
    BadTime {
        /// The field.
        field: &'static str,
        /// Its text.
        text: String,
    },
}

/// The longest event id accepted (CloudTrail's are UUIDs; EventBridge's ids too).
const MAX_EVENT_ID: usize = 128;
/// The longest event name, event source, region or account accepted.
const MAX_NAME: usize = 128;
/// The longest actor text kept (an ARN is at most 2,048 characters); longer is cut.
const MAX_ACTOR_TEXT: usize = 2048;

/// `text` when it has at most `max` characters, else an error naming the field and the length
/// (never the text: hostile input stays out of errors and logs).
fn bounded(text: String, field: &'static str, max: usize) -> Result<String, EventError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(EventError::TooLong { field, chars, max });
    }
    Ok(text)
}

/// `text` cut to `max` characters (for what only describes the call: actor, IP, user agent).
fn clipped(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        text
    } else {
        crate::text::truncate_chars(&text, max)
    }
}

/// A string field: `Ok(None)` when absent, null or blank, an error when of another type.
fn optional_text(
    object: &serde_json::Map<String, Value>,
    key: &str,
    field: &'static str,
) -> Result<Option<String>, EventError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(other) => Err(EventError::WrongType {
            field,
            found: kind(other),
            expected: "a string",
        }),
    }
}

fn required_text(
    object: &serde_json::Map<String, Value>,
    key: &str,
    field: &'static str,
) -> Result<String, EventError> {
    optional_text(object, key, field)?.ok_or(EventError::Missing(field))
}

fn time(text: Option<String>, field: &'static str) -> Result<Option<Timestamp>, EventError> {
    text.map(|t| {
        Timestamp::parse(&t).map_err(|_| EventError::BadTime {
            field,
            text: clipped(t, 64),
        })
    })
    .transpose()
}

/// Parses an EventBridge "AWS API Call via CloudTrail" event.
pub fn parse(value: &Value) -> Result<ApiCall, EventError> {
    let envelope = value
        .as_object()
        .ok_or_else(|| EventError::NotAnObject(kind(value)))?;
    match envelope.get("detail-type") {
        Some(Value::String(t)) if t == DETAIL_TYPE => (),
        Some(Value::String(t)) => {
            return Err(EventError::WrongDetailType(format!(
                "{:?}",
                clipped(t.clone(), MAX_NAME)
            )));
        }
        None | Some(Value::Null) => return Err(EventError::Missing("detail-type")),
        Some(other) => {
            return Err(EventError::WrongType {
                field: "detail-type",
                found: kind(other),
                expected: "a string",
            });
        }
    }
    let detail = match envelope.get("detail") {
        None | Some(Value::Null) => return Err(EventError::Missing("detail")),
        Some(Value::Object(detail)) => detail,
        Some(other) => {
            return Err(EventError::WrongType {
                field: "detail",
                found: kind(other),
                expected: "an object",
            });
        }
    };
    // Trimmed or forwarded records exist without `eventID`: the envelope's `id` (unique per
    // EventBridge event, and the same on a redelivery) de-duplicates them instead.
    let event_id = match optional_text(detail, "eventID", "detail.eventID")? {
        Some(id) => id,
        None => required_text(envelope, "id", "detail.eventID")?,
    };
    let event_id = bounded(event_id, "detail.eventID", MAX_EVENT_ID)?;
    let event_source = bounded(
        required_text(detail, "eventSource", "detail.eventSource")?,
        "detail.eventSource",
        MAX_NAME,
    )?;
    let event_name = bounded(
        required_text(detail, "eventName", "detail.eventName")?,
        "detail.eventName",
        MAX_NAME,
    )?;
    let event_time = match time(
        optional_text(detail, "eventTime", "detail.eventTime")?,
        "detail.eventTime",
    )? {
        Some(t) => t,
        None => time(optional_text(envelope, "time", "time")?, "time")?
            .ok_or(EventError::Missing("detail.eventTime"))?,
    };
    let region = match optional_text(detail, "awsRegion", "detail.awsRegion")? {
        Some(region) => region,
        None => required_text(envelope, "region", "detail.awsRegion")?,
    };
    let region = bounded(region, "detail.awsRegion", MAX_NAME)?;
    let account = match optional_text(envelope, "account", "account")? {
        Some(account) => account,
        None => required_text(detail, "recipientAccountId", "account")?,
    };
    let account = bounded(account, "account", MAX_NAME)?;
    let read_only = match detail.get("readOnly") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        // Older records and some services write it as a string.
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(other) => {
            return Err(EventError::WrongType {
                field: "detail.readOnly",
                found: kind(other),
                expected: "a boolean",
            });
        }
    };
    // Only whether the call failed matters; the code is quoted in the skip message, so it is cut.
    let error_code =
        optional_text(detail, "errorCode", "detail.errorCode")?.map(|code| clipped(code, MAX_NAME));
    let actor = actor(detail)?;
    let body = |key: &str| detail.get(key).cloned().unwrap_or(Value::Null);
    Ok(ApiCall {
        event_id,
        event_source,
        event_name,
        event_time,
        region,
        account,
        read_only,
        error_code,
        actor,
        request_parameters: body("requestParameters"),
        response_elements: body("responseElements"),
    })
}

fn actor(detail: &serde_json::Map<String, Value>) -> Result<Actor, EventError> {
    let source_ip = optional_text(detail, "sourceIPAddress", "detail.sourceIPAddress")?
        .unwrap_or_else(|| "unknown".to_owned());
    let user_agent = optional_text(detail, "userAgent", "detail.userAgent")?;
    let identity = match detail.get("userIdentity") {
        None | Some(Value::Null) => {
            return Ok(Actor {
                arn: "unknown (the record has no userIdentity)".into(),
                principal_type: "Unknown".into(),
                source_ip,
                user_agent,
            });
        }
        Some(Value::Object(identity)) => identity,
        Some(other) => {
            return Err(EventError::WrongType {
                field: "detail.userIdentity",
                found: kind(other),
                expected: "an object",
            });
        }
    };
    let text = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let principal_type = text(identity.get("type")).unwrap_or_else(|| "Unknown".into());
    let issuer = identity
        .get("sessionContext")
        .and_then(|c| c.get("sessionIssuer"))
        .and_then(|i| i.get("arn"));
    let arn = text(identity.get("arn"))
        .or_else(|| text(issuer))
        .unwrap_or_else(|| match text(identity.get("invokedBy")) {
            Some(by) => format!("{principal_type} {by}"),
            None => match text(identity.get("accountId")) {
                Some(account) => format!("{principal_type} in account {account}"),
                None => principal_type.clone(),
            },
        });
    Ok(Actor {
        arn: clipped(arn, MAX_ACTOR_TEXT),
        principal_type: clipped(principal_type, MAX_NAME),
        source_ip: clipped(source_ip, MAX_NAME),
        user_agent: user_agent.map(|agent| clipped(agent, MAX_ACTOR_TEXT)),
    })
}

impl ApiCall {
    /// The lines added to the evidence the call triggers: first which CloudTrail event it was
    /// (its id and name, which an auditor needs to find the record, so they stand on their own
    /// line and are never cut), then who made it and from where.
    pub fn actor_line(&self) -> String {
        format!(
            "CloudTrail event {}: {} ({}) at {}.\nActor: {} [{}] from {}.",
            self.event_id,
            self.event_name,
            self.event_source,
            self.event_time,
            self.actor.arn,
            self.actor.principal_type,
            self.actor.source_ip,
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Value {
        json!({
            "version": "0",
            "id": "b03f6e6c-1a74-4f69-e219-84e2498d7f20",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.cloudtrail",
            "account": "123456789012",
            "time": "2026-08-10T12:00:01Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "eventVersion": "1.08",
                "userIdentity": {
                    "type": "AssumedRole",
                    "principalId": "AROAEXAMPLE:alice",
                    "arn": "arn:aws:sts::123456789012:assumed-role/Admin/alice",
                    "accountId": "123456789012",
                    "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::123456789012:role/Admin"}}
                },
                "eventTime": "2026-08-10T12:00:00Z",
                "eventSource": "cloudtrail.amazonaws.com",
                "eventName": "StopLogging",
                "awsRegion": "us-east-1",
                "sourceIPAddress": "203.0.113.10",
                "userAgent": "aws-cli/2.17.0",
                "requestParameters": {"name": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"},
                "responseElements": null,
                "eventID": "3c5e2a4f-5f3b-4a8e-9d6c-2b1a0e9f8d7c",
                "readOnly": false,
                "eventType": "AwsApiCall",
                "recipientAccountId": "123456789012"
            }
        })
    }

    #[test]
    fn a_cloudtrail_event_parses_into_a_typed_call_with_its_actor() {
        let call = parse(&sample()).unwrap();
        assert_eq!(call.event_name, "StopLogging");
        assert_eq!(call.event_source, "cloudtrail.amazonaws.com");
        assert_eq!(call.event_id, "3c5e2a4f-5f3b-4a8e-9d6c-2b1a0e9f8d7c");
        assert_eq!(call.event_time.to_string(), "2026-08-10T12:00:00.000Z");
        assert_eq!(
            (call.region.as_str(), call.account.as_str()),
            ("us-east-1", "123456789012")
        );
        assert!(!call.read_only && call.error_code.is_none());
        assert_eq!(
            call.actor.arn,
            "arn:aws:sts::123456789012:assumed-role/Admin/alice"
        );
        assert_eq!(call.actor.principal_type, "AssumedRole");
        assert_eq!(call.actor.source_ip, "203.0.113.10");
        assert_eq!(call.actor.user_agent.as_deref(), Some("aws-cli/2.17.0"));
        assert_eq!(
            call.request_parameters["name"],
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"
        );
        assert!(call.response_elements.is_null());
        let line = call.actor_line();
        for part in [
            "StopLogging",
            "arn:aws:sts::123456789012:assumed-role/Admin/alice",
            "203.0.113.10",
            "2026-08-10T12:00:00.000Z",
            "3c5e2a4f-5f3b-4a8e-9d6c-2b1a0e9f8d7c",
        ] {
            assert!(line.contains(part), "{line} lacks {part}");
        }
    }

    #[test]
    fn the_actor_falls_back_to_the_session_issuer_then_the_principal_type() {
        let mut event = sample();
        event["detail"]["userIdentity"]
            .as_object_mut()
            .unwrap()
            .remove("arn");
        assert_eq!(
            parse(&event).unwrap().actor.arn,
            "arn:aws:iam::123456789012:role/Admin"
        );
        event["detail"]["userIdentity"] =
            json!({"type": "AWSService", "invokedBy": "bedrock.amazonaws.com"});
        let actor = parse(&event).unwrap().actor;
        assert_eq!(actor.arn, "AWSService bedrock.amazonaws.com");
        assert_eq!(actor.principal_type, "AWSService");
        event["detail"]["userIdentity"] = json!({"type": "Root", "accountId": "123456789012"});
        assert_eq!(
            parse(&event).unwrap().actor.arn,
            "Root in account 123456789012"
        );
        event["detail"]
            .as_object_mut()
            .unwrap()
            .remove("userIdentity");
        event["detail"]
            .as_object_mut()
            .unwrap()
            .remove("sourceIPAddress");
        let actor = parse(&event).unwrap().actor;
        assert_eq!(actor.principal_type, "Unknown");
        assert_eq!(actor.source_ip, "unknown");
    }

    #[test]
    fn failed_and_read_only_calls_are_recorded_as_such() {
        let mut event = sample();
        event["detail"]["errorCode"] = json!("AccessDenied");
        event["detail"]["readOnly"] = json!(true);
        let call = parse(&event).unwrap();
        assert_eq!(call.error_code.as_deref(), Some("AccessDenied"));
        assert!(call.read_only);
    }

    #[test]
    fn missing_times_and_regions_fall_back_to_the_envelope() {
        let mut event = sample();
        let detail = event["detail"].as_object_mut().unwrap();
        detail.remove("eventTime");
        detail.remove("awsRegion");
        let call = parse(&event).unwrap();
        assert_eq!(call.event_time.to_string(), "2026-08-10T12:00:01.000Z");
        assert_eq!(call.region, "us-east-1");
    }

    #[test]
    fn malformed_events_are_clear_errors_not_panics() {
        let cases: Vec<(Value, &str)> = vec![
            (json!([1, 2]), "not a JSON object"),
            (json!("text"), "not a JSON object"),
            (json!({"detail": {}}), "no detail-type"),
            (
                json!({"detail-type": "EC2 Instance State-change Notification", "detail": {}}),
                "not \"AWS API Call via CloudTrail\"",
            ),
            (
                json!({"detail-type": "AWS API Call via CloudTrail"}),
                "no detail",
            ),
            (
                json!({"detail-type": "AWS API Call via CloudTrail", "detail": "x"}),
                "detail is a string",
            ),
        ];
        for (event, expected) in cases {
            let error = parse(&event).unwrap_err().to_string();
            assert!(error.contains(expected), "{error} lacks {expected}");
        }
        for field in ["eventName", "eventSource"] {
            let mut event = sample();
            event["detail"].as_object_mut().unwrap().remove(field);
            let error = parse(&event).unwrap_err().to_string();
            assert!(error.contains(&format!("detail.{field}")), "{error}");
            let mut event = sample();
            event["detail"][field] = json!(42);
            let error = parse(&event).unwrap_err().to_string();
            assert!(error.contains("a number"), "{error}");
        }
        let mut event = sample();
        event["detail"]["eventTime"] = json!("yesterday");
        assert!(matches!(
            parse(&event),
            Err(EventError::BadTime {
                field: "detail.eventTime",
                ..
            })
        ));
        let mut event = sample();
        event["detail"]["userIdentity"] = json!("alice");
        assert!(parse(&event).is_err());
    }

    #[test]
    fn a_record_without_event_id_is_claimed_by_the_envelope_id() {
        let mut event = sample();
        event["detail"].as_object_mut().unwrap().remove("eventID");
        assert_eq!(
            parse(&event).unwrap().event_id,
            "b03f6e6c-1a74-4f69-e219-84e2498d7f20"
        );
        event.as_object_mut().unwrap().remove("id");
        let error = parse(&event).unwrap_err().to_string();
        assert!(error.contains("detail.eventID"), "{error}");
        let mut event = sample();
        event["detail"]["eventID"] = json!(42);
        assert!(parse(&event).unwrap_err().to_string().contains("a number"));
    }

    #[test]
    fn oversized_names_are_rejected_by_length_without_echoing_them() {
        for (pointer, field) in [
            ("/detail/eventID", "detail.eventID"),
            ("/detail/eventName", "detail.eventName"),
            ("/detail/eventSource", "detail.eventSource"),
            ("/detail/awsRegion", "detail.awsRegion"),
        ] {
            let mut event = sample();
            *event.pointer_mut(pointer).unwrap() = json!("A".repeat(1 << 20));
            let error = parse(&event).unwrap_err().to_string();
            assert!(
                error.contains(field) && error.contains("1048576"),
                "{error}"
            );
            assert!(
                error.len() < 200,
                "the error echoes the input: {} bytes",
                error.len()
            );
        }
        let mut event = sample();
        event["detail"]["userIdentity"]["arn"] = json!("x".repeat(1 << 20));
        event["detail"]["userAgent"] = json!("y".repeat(1 << 20));
        let call = parse(&event).unwrap();
        assert!(call.actor.arn.chars().count() <= MAX_ACTOR_TEXT);
        assert!(call.actor.user_agent.unwrap().chars().count() <= MAX_ACTOR_TEXT);
    }
}

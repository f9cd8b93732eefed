//! AWS Config configuration items, and their decoding into the domain's resources.
//!
//! Two shapes reach us: the notification shape inside a rule's `invokingEvent` (`ARN`,
//! `awsAccountId`, JSON objects) and the API shape of `GetResourceConfigHistory` and
//! `BatchGetResourceConfig` (`arn`, `accountId`, and `configuration` / `supplementaryConfiguration`
//! values as JSON *strings*). Both become one [`ConfigurationItem`].

use genai_evidence_core::text::{json_kind, truncate_chars};
use serde_json::{Map, Value};

use crate::domain::resource::{Readable, Resource, ResourceRef, Unreadable};
use crate::domain::time::Timestamp;

/// `configurationItemStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemStatus {
    /// `OK`.
    Ok,
    /// `ResourceDiscovered`.
    ResourceDiscovered,
    /// `ResourceNotRecorded`.
    ResourceNotRecorded,
    /// `ResourceDeleted`.
    ResourceDeleted,
    /// `ResourceDeletedNotRecorded`.
    ResourceDeletedNotRecorded,
    /// Any other value, kept as sent.
    Other(String),
}

impl ItemStatus {
    fn parse(text: &str) -> Self {
        match text {
            "OK" => ItemStatus::Ok,
            "ResourceDiscovered" => ItemStatus::ResourceDiscovered,
            "ResourceNotRecorded" => ItemStatus::ResourceNotRecorded,
            "ResourceDeleted" => ItemStatus::ResourceDeleted,
            "ResourceDeletedNotRecorded" => ItemStatus::ResourceDeletedNotRecorded,
            other => ItemStatus::Other(other.to_owned()),
        }
    }

    /// The status as Config writes it.
    pub fn as_str(&self) -> &str {
        match self {
            ItemStatus::Ok => "OK",
            ItemStatus::ResourceDiscovered => "ResourceDiscovered",
            ItemStatus::ResourceNotRecorded => "ResourceNotRecorded",
            ItemStatus::ResourceDeleted => "ResourceDeleted",
            ItemStatus::ResourceDeletedNotRecorded => "ResourceDeletedNotRecorded",
            ItemStatus::Other(s) => s,
        }
    }

    /// Only `OK` and `ResourceDiscovered` items describe a live, recorded resource.
    pub fn is_live(&self) -> bool {
        matches!(self, ItemStatus::Ok | ItemStatus::ResourceDiscovered)
    }
}

/// A configuration item, whichever shape it arrived in.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigurationItem {
    /// `resourceType`.
    pub resource_type: String,
    /// `resourceId`.
    pub resource_id: String,
    /// `resourceName`.
    pub resource_name: Option<String>,
    /// `ARN` / `arn`.
    pub arn: Option<String>,
    /// `awsAccountId` / `accountId`.
    pub account_id: String,
    /// `awsRegion`.
    pub region: String,
    /// `configurationItemStatus`.
    pub status: ItemStatus,
    /// `configurationItemCaptureTime`.
    pub capture_time: Timestamp,
    /// `configuration` (JSON `null` when absent, e.g. for deleted resources).
    pub configuration: Value,
    /// `supplementaryConfiguration`, with string values parsed as JSON where they are JSON.
    pub supplementary: Map<String, Value>,
}

/// A configuration item could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration item is malformed: {0}")]
pub struct ItemError(pub String);

impl ConfigurationItem {
    /// Reads the notification shape (`invokingEvent.configurationItem`). A field of another
    /// type than Config writes, or a required one blank, is an error naming it: never a default.
    pub fn from_notification(value: &Value) -> Result<Self, ItemError> {
        let object = value
            .as_object()
            .ok_or_else(|| ItemError("configurationItem is not an object".into()))?;
        let text = |key: &str| -> Result<Option<String>, ItemError> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(ItemError(format!(
                    "configurationItem.{key} is {}, not a string",
                    json_kind(other)
                ))),
            }
        };
        let required = |key: &str| {
            text(key)?
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| ItemError(format!("configurationItem has no {key}")))
        };
        let capture = required("configurationItemCaptureTime")?;
        let supplementary = match object.get("supplementaryConfiguration") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => parse_string_values(map.clone()),
            Some(other) => {
                return Err(ItemError(format!(
                    "configurationItem.supplementaryConfiguration is {}, not an object",
                    json_kind(other)
                )));
            }
        };
        Ok(Self {
            resource_type: required("resourceType")?,
            resource_id: required("resourceId")?,
            resource_name: text("resourceName")?,
            arn: text("ARN")?.or(text("arn")?),
            account_id: text("awsAccountId")?
                .or(text("accountId")?)
                .unwrap_or_default(),
            region: text("awsRegion")?.unwrap_or_default(),
            status: ItemStatus::parse(&required("configurationItemStatus")?),
            capture_time: capture_time(&capture, "configurationItem.configurationItemCaptureTime")?,
            configuration: match object.get("configuration") {
                Some(Value::String(s)) => {
                    serde_json::from_str(s).unwrap_or(Value::String(s.clone()))
                }
                Some(v) => v.clone(),
                None => Value::Null,
            },
            supplementary,
        })
    }

    /// Builds an item from the API shape's parts (the SDK adapter supplies them).
    #[allow(clippy::too_many_arguments)]
    pub fn from_api_parts(
        resource_type: String,
        resource_id: String,
        resource_name: Option<String>,
        arn: Option<String>,
        account_id: String,
        region: String,
        status: &str,
        capture_time: Timestamp,
        configuration: Option<&str>,
        supplementary: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let configuration = match configuration {
            Some(text) => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
            }
            None => Value::Null,
        };
        let supplementary = supplementary
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        Self {
            resource_type,
            resource_id,
            resource_name,
            arn,
            account_id,
            region,
            status: ItemStatus::parse(status),
            capture_time,
            configuration,
            supplementary: parse_string_values(supplementary),
        }
    }

    /// The item's `configuration` object, or why a decoder cannot read one (a JSON `null`, or
    /// not an object), naming the resource type.
    pub fn configuration_object(&self) -> Result<&Map<String, Value>, Unreadable> {
        self.configuration.as_object().ok_or_else(|| {
            Unreadable::new(format!(
                "the {} configuration item has no configuration object",
                self.resource_type
            ))
        })
    }

    /// Where the item's resource is.
    pub fn resource_ref(&self) -> ResourceRef {
        ResourceRef {
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
            arn: self.arn.clone(),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
        }
    }
}

/// The date-time `text` of the field `field` (a capture or notification time), or an error
/// naming the field (the text cut: a hostile value never travels whole into an error).
pub fn capture_time(text: &str, field: &str) -> Result<Timestamp, ItemError> {
    Timestamp::parse(text).map_err(|_| {
        ItemError(format!(
            "{field} is not an RFC 3339 date-time: {:?}",
            truncate_chars(text, 64)
        ))
    })
}

/// A string field of a configuration item's object: absent or null is `None`; another type is
/// unreadable, the reason naming the field as `what` (never a default in its place).
pub fn text_field(object: &Map<String, Value>, key: &str, what: &str) -> Readable<Option<String>> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Unreadable::new(format!(
            "{what} in the configuration item is {}, not a string",
            json_kind(other)
        ))),
    }
}

/// A boolean field of a configuration item's object: absent or null is `false`; another type is
/// unreadable, the reason naming the field as `what`.
pub fn flag_field(object: &Map<String, Value>, key: &str, what: &str) -> Readable<bool> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(Unreadable::new(format!(
            "{what} in the configuration item is {}, not a boolean",
            json_kind(other)
        ))),
    }
}

/// API shapes carry supplementary values as JSON strings; parse those that are JSON objects or
/// arrays (a string that happens to be a JSON string stays as it is).
fn parse_string_values(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(key, value)| {
            let parsed = match &value {
                Value::String(s) if s.trim_start().starts_with(['{', '[']) => {
                    serde_json::from_str(s).unwrap_or(value)
                }
                _ => value,
            };
            (key, parsed)
        })
        .collect()
}

/// What a configuration item says about a resource the catalog can check.
#[allow(
    clippy::large_enum_variant,
    reason = "transient: one value per resource, moved straight through collect → evaluate; boxing would add an allocation each"
)]
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// The resource's state.
    Resource(Resource),
    /// The item's type is not one any check reads.
    UnsupportedType,
    /// The item is for a known type but its configuration cannot be read.
    Unreadable(Unreadable),
}

/// Decodes a live item into the domain model, with the decoder its type's
/// [reader](crate::readers) declares.
pub fn decode(item: &ConfigurationItem) -> Decoded {
    crate::readers::decode(item)
}

//! AWS Config configuration items, and their decoding into the domain's resources.
//!
//! Two shapes reach us: the notification shape inside a rule's `invokingEvent` (`ARN`,
//! `awsAccountId`, JSON objects) and the API shape of `GetResourceConfigHistory` and
//! `BatchGetResourceConfig` (`arn`, `accountId`, and `configuration` / `supplementaryConfiguration`
//! values as JSON *strings*). Both become one [`ConfigurationItem`].

use serde_json::{Map, Value};

use crate::domain::resource::{Resource, ResourceRef, Unreadable};
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
    /// Reads the notification shape (`invokingEvent.configurationItem`).
    pub fn from_notification(value: &Value) -> Result<Self, ItemError> {
        let object = value
            .as_object()
            .ok_or_else(|| ItemError("configurationItem is not an object".into()))?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let required = |key: &str| {
            text(key).ok_or_else(|| ItemError(format!("configurationItem has no {key}")))
        };
        let capture = required("configurationItemCaptureTime")?;
        let supplementary = match object.get("supplementaryConfiguration") {
            Some(Value::Object(map)) => parse_string_values(map.clone()),
            _ => Map::new(),
        };
        Ok(Self {
            resource_type: required("resourceType")?,
            resource_id: required("resourceId")?,
            resource_name: text("resourceName"),
            arn: text("ARN").or_else(|| text("arn")),
            account_id: text("awsAccountId")
                .or_else(|| text("accountId"))
                .unwrap_or_default(),
            region: text("awsRegion").unwrap_or_default(),
            status: ItemStatus::parse(&required("configurationItemStatus")?),
            capture_time: Timestamp::parse(&capture).map_err(|e| ItemError(e.to_string()))?,
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

//! CloudTrail: trail configuration items decoded into the domain, and trails collected from the
//! CloudTrail API with their logging state and event selectors, plus the account-level view.

use aws_sdk_cloudtrail::types::ReadWriteType;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded, flag_field, text_field};
use crate::domain::resource::{Readable, Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::account::Account;
use crate::domain::resources::cloudtrail::{DataEventSelection, Trail};
use crate::domain::time::Timestamp;
use crate::error::AwsError;
use crate::evaluate::{Subject, SubjectState};

/// Decodes an `AWS::CloudTrail::Trail` configuration item. Config does not record whether a trail
/// is logging, so that field is unreadable from an item.
pub fn decode_config_item(_resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    let config = match item.configuration_object() {
        Ok(config) => config,
        Err(unreadable) => return Decoded::Unreadable(unreadable),
    };
    // A field of another type makes the trail unreadable, naming it: never a default in its place.
    let fields = (|| {
        Ok::<_, Unreadable>((
            text_field(config, "name", "name")?,
            text_field(config, "kmsKeyId", "kmsKeyId")?,
            flag_field(
                config,
                "logFileValidationEnabled",
                "logFileValidationEnabled",
            )?,
            flag_field(config, "isMultiRegionTrail", "isMultiRegionTrail")?,
        ))
    })();
    let (name, kms_key_id, log_file_validation, multi_region) = match fields {
        Ok(fields) => fields,
        Err(unreadable) => return Decoded::Unreadable(unreadable),
    };
    let custom = Unreadable::new(
        "the trail has custom event selectors, which its configuration item does not list",
    );
    // Without custom selectors a trail records management events and no data event.
    let (management_events, data_events) = match config
        .get("hasCustomEventSelectors")
        .and_then(Value::as_bool)
    {
        Some(false) => (Ok(true), Ok(Vec::new())),
        _ => (Err(custom.clone()), Err(custom)),
    };
    Decoded::Resource(Resource::CloudTrailTrail(Trail {
        name: name.unwrap_or_else(|| item.resource_id.clone()),
        kms_key_id,
        log_file_validation,
        multi_region,
        is_logging: Err(Unreadable::new(
            "AWS Config does not record whether a trail is logging",
        )),
        management_events,
        data_events,
    }))
}

/// Every trail that applies to the region (`DescribeTrails`, with shadow trails of multi-region
/// trails), each with `GetTrailStatus` and `GetEventSelectors`; and one account-level subject
/// holding them all. A failed listing makes the account subject unreadable and is returned.
pub async fn collect_trails(
    client: &aws_sdk_cloudtrail::Client,
    scope: &Scope,
) -> (Vec<Subject>, Result<(), AwsError>) {
    let account_ref = ResourceRef {
        resource_type: ResourceType::Account.cfn_type().into(),
        resource_id: scope.account_id.clone(),
        arn: None,
        account_id: scope.account_id.clone(),
        region: scope.region.clone(),
    };
    let via = "AWS API (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors)";
    let listed = match client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) => {
            let error = AwsError::from_sdk("cloudtrail:DescribeTrails", e);
            let account = Account {
                id: scope.account_id.clone(),
                trails: Err(Unreadable::new(error.to_string())),
            };
            let subject = Subject {
                resource: account_ref,
                observed_at: Timestamp::now(),
                observed_via: via,
                state: SubjectState::Live(Resource::Account(account)),
                links: Vec::new(),
            };
            return (vec![subject], Err(error));
        }
    };
    let mut trails = Vec::new();
    let mut subjects = Vec::new();
    for listed in listed.trail_list() {
        let name = listed.name().unwrap_or_default().to_owned();
        let arn = listed.trail_arn().map(str::to_owned);
        let id = arn.clone().unwrap_or_else(|| name.clone());
        let is_logging: Readable<bool> = match client.get_trail_status().name(&id).send().await {
            Ok(status) => Ok(status.is_logging().unwrap_or(false)),
            Err(e) => Err(Unreadable::new(
                AwsError::from_sdk("cloudtrail:GetTrailStatus", e).to_string(),
            )),
        };
        let (management_events, data_events) =
            match client.get_event_selectors().trail_name(&id).send().await {
                Ok(out) => (Ok(records_management_events(&out)), Ok(data_events(&out))),
                Err(e) => {
                    let unreadable = Unreadable::new(
                        AwsError::from_sdk("cloudtrail:GetEventSelectors", e).to_string(),
                    );
                    (Err(unreadable.clone()), Err(unreadable))
                }
            };
        let trail = Trail {
            name: name.clone(),
            kms_key_id: listed.kms_key_id().map(str::to_owned),
            log_file_validation: listed.log_file_validation_enabled().unwrap_or(false),
            multi_region: listed.is_multi_region_trail().unwrap_or(false),
            is_logging,
            management_events,
            data_events,
        };
        // A shadow of another region's multi-region trail counts for the account, not as a trail here.
        if listed.home_region().is_none_or(|home| home == scope.region) {
            subjects.push(Subject {
                resource: ResourceRef {
                    resource_type: ResourceType::CloudTrailTrail.cfn_type().into(),
                    resource_id: name,
                    arn,
                    account_id: scope.account_id.clone(),
                    region: scope.region.clone(),
                },
                observed_at: Timestamp::now(),
                observed_via: via,
                state: SubjectState::Live(Resource::CloudTrailTrail(trail.clone())),
                links: Vec::new(),
            });
        }
        trails.push(trail);
    }
    subjects.push(Subject {
        resource: account_ref,
        observed_at: Timestamp::now(),
        observed_via: via,
        state: SubjectState::Live(Resource::Account(Account {
            id: scope.account_id.clone(),
            trails: Ok(trails),
        })),
        links: Vec::new(),
    });
    (subjects, Ok(()))
}

/// Basic selectors with management events on (All or WriteOnly), or advanced selectors that
/// select the Management category. A trail with no selectors of either kind has CloudTrail's
/// default: all management events.
fn records_management_events(
    out: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> bool {
    if out.event_selectors().is_empty() && out.advanced_event_selectors().is_empty() {
        return true;
    }
    let basic = out.event_selectors().iter().any(|s| {
        s.include_management_events().unwrap_or(true)
            && !matches!(s.read_write_type(), Some(ReadWriteType::ReadOnly))
    });
    let advanced = out.advanced_event_selectors().iter().any(|s| {
        s.field_selectors()
            .iter()
            .any(|f| f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management"))
    });
    basic || advanced
}

/// The data events a trail's selectors select, one entry per (selector, resource type).
///
/// An advanced selector selects data events when its `eventCategory` equals `Data`; its
/// `resources.type` values are the types; `readOnly` (equal or not equal to `true` / `false`)
/// makes it read-only or write-only; any other field, or another operator on these, narrows it
/// (`narrowed_by`). A basic selector's data resources select every resource of their type when a
/// value is the bare `arn:<partition>` or `arn:<partition>:<service>` prefix, with its
/// `ReadWriteType` (CloudTrail takes basic data resources for S3, Lambda and DynamoDB only, so
/// Bedrock coverage comes from advanced selectors).
pub fn data_events(
    out: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> Vec<DataEventSelection> {
    let mut selections = Vec::new();
    for selector in out.advanced_event_selectors() {
        let fields = selector.field_selectors();
        let data = fields
            .iter()
            .any(|f| f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Data"));
        if !data {
            continue;
        }
        let (mut read, mut write) = (true, true);
        let mut narrowed = Vec::new();
        let mut types: Vec<&String> = Vec::new();
        for f in fields {
            let only_equals = f.starts_with().is_empty()
                && f.ends_with().is_empty()
                && f.not_starts_with().is_empty()
                && f.not_ends_with().is_empty();
            match f.field() {
                "eventCategory" if only_equals && f.not_equals().is_empty() => {}
                "resources.type" if only_equals && f.not_equals().is_empty() => {
                    types.extend(f.equals());
                }
                "readOnly" if only_equals => {
                    let is = |v: &str| f.equals().iter().any(|e| e == v);
                    let is_not = |v: &str| f.not_equals().iter().any(|e| e == v);
                    read &= !(is("false") || is_not("true"));
                    write &= !(is("true") || is_not("false"));
                }
                other => narrowed.push(other.to_owned()),
            }
        }
        narrowed.dedup();
        for resource_type in types {
            selections.push(DataEventSelection {
                resource_type: resource_type.clone(),
                read,
                write,
                narrowed_by: (!narrowed.is_empty()).then(|| narrowed.join(", ")),
            });
        }
    }
    for selector in out.event_selectors() {
        let (read, write) = match selector.read_write_type() {
            Some(ReadWriteType::ReadOnly) => (true, false),
            Some(ReadWriteType::WriteOnly) => (false, true),
            _ => (true, true),
        };
        for resource in selector.data_resources() {
            let Some(resource_type) = resource.r#type() else {
                continue;
            };
            let every = resource
                .values()
                .iter()
                .any(|v| v.starts_with("arn:") && v.trim_end_matches(':').split(':').count() <= 3);
            selections.push(DataEventSelection {
                resource_type: resource_type.to_owned(),
                read,
                write,
                narrowed_by: (!every).then(|| "DataResources.Values".to_owned()),
            });
        }
    }
    selections
}

/// The trail named `name` (or whose ARN ends in `trail/<name>`) among those `collect_trails`
/// read; a trail no longer listed is gone, unless the listing itself failed.
fn pick_trail(
    scope: &Scope,
    name: &str,
    subjects: Vec<Subject>,
    listed: Result<(), AwsError>,
) -> Subject {
    let via = "AWS API (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors)";
    let suffix = format!(":trail/{name}");
    if let Some(found) = subjects.into_iter().find(|s| {
        s.resource.resource_type == ResourceType::CloudTrailTrail.cfn_type()
            && (s.resource.resource_id == name
                || s.resource
                    .arn
                    .as_deref()
                    .is_some_and(|a| a.ends_with(&suffix)))
    }) {
        return found;
    }
    let state = match listed {
        Err(error) => SubjectState::Unreadable(error.to_string()),
        Ok(()) => SubjectState::Gone(format!(
            "cloudtrail:DescribeTrails lists no trail named {name} with its home in {}",
            scope.region
        )),
    };
    super::subject_at(scope, ResourceType::CloudTrailTrail, name, None, via, state)
}

/// One trail by name or ARN, among those [`collect_trails`] reads (a trail's state includes the
/// account-level view it is part of).
pub async fn read_trail(client: &aws_sdk_cloudtrail::Client, scope: &Scope, name: &str) -> Subject {
    let (subjects, listed) = collect_trails(client, scope).await;
    pick_trail(scope, name, subjects, listed)
}

/// The account's CloudTrail coverage in the scope's region, from [`collect_trails`].
pub async fn read_account(client: &aws_sdk_cloudtrail::Client, scope: &Scope) -> Vec<Subject> {
    let (subjects, _) = collect_trails(client, scope).await;
    subjects
        .into_iter()
        .filter(|s| s.resource.resource_type == ResourceType::Account.cfn_type())
        .collect()
}

//! KMS: key configuration items decoded into the domain, and keys collected from the KMS API
//! (ListKeys, then DescribeKey, GetKeyRotationStatus and GetKeyPolicy per key).

use aws_sdk_kms::types::{KeyManagerType, KeyMetadata, KeySpec};
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::policy::PolicyDocument;
use crate::domain::resource::{Readable, Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::kms::{Key, KeyManager};
use crate::domain::time::Timestamp;
use crate::error::{AwsError, AwsErrorKind};
use crate::evaluate::{Subject, SubjectState};

/// How the API collector observes keys.
const OBSERVED_VIA: &str = "AWS API (kms:DescribeKey)";

/// Decodes an `AWS::KMS::Key` configuration item.
pub fn decode_config_item(resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    if resource_type != ResourceType::KmsKey {
        return Decoded::UnsupportedType;
    }
    let config = match item.configuration_object() {
        Ok(config) => config,
        Err(unreadable) => return Decoded::Unreadable(unreadable),
    };
    let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_owned);
    let manager = match text("keyManager").as_deref() {
        Some(m) => parse_manager(m),
        None => Err(Unreadable::new("the configuration item has no keyManager")),
    };
    let state =
        text("keyState").ok_or_else(|| Unreadable::new("the configuration item has no keyState"));
    let rotation_enabled = match item.supplementary.get("KeyRotationStatus") {
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(Unreadable::new(format!(
            "supplementaryConfiguration.KeyRotationStatus is {}, not a boolean",
            genai_evidence_core::text::truncate_chars(&other.to_string(), 64)
        ))),
        None => Err(Unreadable::new(
            "the configuration item has no supplementaryConfiguration.KeyRotationStatus",
        )),
    };
    let policy = match item.supplementary.get("Policy") {
        Some(Value::String(s)) => PolicyDocument::parse(s),
        Some(v @ Value::Object(_)) => PolicyDocument::from_value(v),
        Some(other) => Err(crate::domain::policy::PolicyError::Malformed(format!(
            "Policy is {}",
            genai_evidence_core::text::json_kind(other)
        ))),
        None => {
            return Decoded::Resource(Resource::KmsKey(Key {
                policy: Err(Unreadable::new(
                    "the configuration item has no supplementaryConfiguration.Policy",
                )),
                ..decoded_key(item, config, manager, state, rotation_enabled)
            }));
        }
    }
    .map_err(|e| {
        Unreadable::new(format!(
            "the key policy in the configuration item could not be read: {e}"
        ))
    });
    Decoded::Resource(Resource::KmsKey(Key {
        policy,
        ..decoded_key(item, config, manager, state, rotation_enabled)
    }))
}

fn decoded_key(
    item: &ConfigurationItem,
    config: &serde_json::Map<String, Value>,
    manager: Readable<KeyManager>,
    state: Readable<String>,
    rotation_enabled: Readable<bool>,
) -> Key {
    let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_owned);
    Key {
        id: text("keyId").unwrap_or_else(|| item.resource_id.clone()),
        arn: item.arn.clone().or_else(|| text("arn")),
        manager,
        state,
        spec: text("keySpec").or_else(|| text("customerMasterKeySpec")),
        origin: text("origin"),
        deletion_date: match config.get("deletionDate") {
            Some(Value::Number(n)) => n.as_i64().map(Timestamp::from_epoch_millis),
            Some(Value::String(s)) => Timestamp::parse(s).ok(),
            _ => None,
        },
        rotation_enabled,
        policy: Err(Unreadable::new("not read")),
    }
}

fn parse_manager(text: &str) -> Readable<KeyManager> {
    match text {
        "CUSTOMER" => Ok(KeyManager::Customer),
        "AWS" => Ok(KeyManager::Aws),
        other => Err(Unreadable::new(format!(
            "the configuration item's keyManager {:?} is neither CUSTOMER nor AWS",
            genai_evidence_core::text::truncate_chars(other, 64)
        ))),
    }
}

/// Collects every key of the account and region: ListKeys (every page), then per key
/// DescribeKey, GetKeyRotationStatus and GetKeyPolicy (`default`). A failed listing is an error;
/// a failed per-key read makes that key's fields unreadable.
pub async fn collect_keys(
    client: &aws_sdk_kms::Client,
    scope: &Scope,
) -> Result<Vec<Subject>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = client.list_keys().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("kms:ListKeys", e))?;
        ids.extend(
            page.keys()
                .iter()
                .filter_map(|k| k.key_id().map(str::to_owned)),
        );
    }
    let mut subjects = Vec::with_capacity(ids.len());
    for id in ids {
        subjects.push(collect_key(client, scope, &id).await);
    }
    Ok(subjects)
}

/// Reads one key by id or ARN into a subject.
pub async fn collect_key(client: &aws_sdk_kms::Client, scope: &Scope, key_id: &str) -> Subject {
    let describe = client
        .describe_key()
        .key_id(key_id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("kms:DescribeKey", e))
        .and_then(|o| {
            o.key_metadata().cloned().ok_or_else(|| AwsError {
                operation: "kms:DescribeKey",
                kind: AwsErrorKind::Other,
                code: None,
                message: "the response has no KeyMetadata".into(),
            })
        });
    let symmetric = describe
        .as_ref()
        .map(|m| m.key_spec().is_none_or(|s| *s == KeySpec::SymmetricDefault))
        .unwrap_or(true);
    let rotation = if symmetric {
        client
            .get_key_rotation_status()
            .key_id(key_id)
            .send()
            .await
            .map(|o| Some(o.key_rotation_enabled()))
            .map_err(|e| AwsError::from_sdk("kms:GetKeyRotationStatus", e))
    } else {
        Ok(None)
    };
    let policy = client
        .get_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .send()
        .await
        .map(|o| o.policy().map(str::to_owned))
        .map_err(|e| AwsError::from_sdk("kms:GetKeyPolicy", e));
    key_subject(scope, key_id, describe, rotation, policy, Timestamp::now())
}

/// Builds a key's subject from the answers of its three reads. `rotation` is `Ok(None)` when it
/// was not asked (keys that cannot rotate). A key DescribeKey no longer finds is gone; any other
/// failure of a read makes the fields it feeds unreadable.
pub fn key_subject(
    scope: &Scope,
    key_id: &str,
    describe: Result<KeyMetadata, AwsError>,
    rotation: Result<Option<bool>, AwsError>,
    policy: Result<Option<String>, AwsError>,
    observed_at: Timestamp,
) -> Subject {
    let arn = describe
        .as_ref()
        .ok()
        .and_then(|m| m.arn().map(str::to_owned));
    let id = describe
        .as_ref()
        .map(|m| m.key_id().to_owned())
        .unwrap_or_else(|_| key_id.to_owned());
    let resource = ResourceRef {
        resource_type: ResourceType::KmsKey.cfn_type().into(),
        resource_id: id.clone(),
        arn: arn.clone(),
        account_id: scope.account_id.clone(),
        region: scope.region.clone(),
    };
    let state = match describe {
        Err(e) if e.kind == AwsErrorKind::NotFound => super::failed_read(e),
        describe => {
            let meta = describe.map_err(|e| Unreadable::new(e.to_string()));
            let key = Key {
                id,
                arn,
                manager: meta
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|m| match m.key_manager() {
                        Some(KeyManagerType::Customer) => Ok(KeyManager::Customer),
                        Some(KeyManagerType::Aws) => Ok(KeyManager::Aws),
                        other => Err(Unreadable::new(format!(
                            "DescribeKey reported key manager {other:?}"
                        ))),
                    }),
                state: meta.as_ref().map_err(Clone::clone).and_then(|m| {
                    m.key_state()
                        .map(|s| s.as_str().to_owned())
                        .ok_or_else(|| Unreadable::new("DescribeKey reported no KeyState"))
                }),
                spec: meta
                    .as_ref()
                    .ok()
                    .and_then(|m| m.key_spec())
                    .map(|s| s.as_str().to_owned()),
                origin: meta
                    .as_ref()
                    .ok()
                    .and_then(|m| m.origin())
                    .map(|o| o.as_str().to_owned()),
                deletion_date: meta
                    .as_ref()
                    .ok()
                    .and_then(|m| m.deletion_date())
                    .and_then(|d| d.to_millis().ok())
                    .map(Timestamp::from_epoch_millis),
                rotation_enabled: match rotation {
                    Ok(Some(enabled)) => Ok(enabled),
                    Ok(None) => Err(Unreadable::new(
                        "rotation status not read: the key spec cannot rotate automatically",
                    )),
                    Err(e) => Err(Unreadable::new(e.to_string())),
                },
                policy: match policy {
                    Ok(Some(text)) => PolicyDocument::parse(&text).map_err(|e| {
                        Unreadable::new(format!("the key policy could not be read: {e}"))
                    }),
                    Ok(None) => Err(Unreadable::new("GetKeyPolicy returned no policy")),
                    Err(e) => Err(Unreadable::new(e.to_string())),
                },
            };
            SubjectState::Live(Resource::KmsKey(key))
        }
    };
    Subject {
        resource,
        observed_at,
        observed_via: OBSERVED_VIA,
        state,
        links: Vec::new(),
    }
}

/// An alias (`alias/name` or an alias ARN), which only `DescribeKey` resolves.
fn is_alias(id: &str) -> bool {
    id.starts_with("alias/") || id.contains(":alias/")
}

/// The key id in a key ARN, else the text as given.
fn key_id(id: &str) -> &str {
    id.rsplit_once(":key/").map_or(id, |(_, key)| key)
}

/// One key by id, ARN or alias (an alias resolved with `DescribeKey` first), as a call names it;
/// a key gone is identified by its key id (and its ARN when named by one).
pub async fn read_key(client: &aws_sdk_kms::Client, scope: &Scope, id: &str) -> Subject {
    let key = if is_alias(id) {
        let resolved = match client.describe_key().key_id(id).send().await {
            Ok(out) => out
                .key_metadata()
                .and_then(|m| m.arn())
                .map(str::to_owned)
                .ok_or_else(|| format!("kms:DescribeKey of {id} returned no key ARN")),
            // An alias that names no key does not say the key is gone: it cannot be told which
            // key the call changed.
            Err(e) => Err(format!(
                "the alias could not be resolved to a key ({})",
                AwsError::from_sdk("kms:DescribeKey", e)
            )),
        };
        match resolved {
            Ok(arn) => arn,
            Err(reason) => {
                return super::subject_at(
                    scope,
                    ResourceType::KmsKey,
                    id,
                    None,
                    "AWS API (kms:DescribeKey)",
                    SubjectState::Unreadable(reason),
                );
            }
        }
    } else {
        id.to_owned()
    };
    let mut subject = collect_key(client, scope, &key).await;
    if matches!(subject.state, SubjectState::Gone(_)) {
        subject.resource.resource_id = key_id(&key).to_owned();
        if key.starts_with("arn:") {
            subject.resource.arn = Some(key);
        }
    }
    subject
}

#[cfg(test)]
mod tests {
    use aws_sdk_kms::types::KeyState;

    use super::*;

    #[test]
    fn kms_aliases_are_resolved_and_key_arns_reduced_to_the_key_id() {
        assert!(is_alias("alias/genai-data"));
        assert!(is_alias(
            "arn:aws:kms:us-east-1:123456789012:alias/genai-data"
        ));
        assert!(!is_alias("1234abcd-12ab-34cd-56ef-1234567890ab"));
        assert_eq!(
            key_id("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            "1234abcd-12ab-34cd-56ef-1234567890ab"
        );
        assert_eq!(key_id("k"), "k");
    }
    use crate::domain::outcome::Verdict;

    fn scope() -> Scope {
        Scope {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
        }
    }

    fn denied(operation: &'static str) -> AwsError {
        AwsError {
            operation,
            kind: AwsErrorKind::AccessDenied,
            code: Some("AccessDeniedException".into()),
            message: "not authorized".into(),
        }
    }

    fn metadata() -> KeyMetadata {
        KeyMetadata::builder()
            .key_id("1234abcd-12ab-34cd-56ef-1234567890ab")
            .arn("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
            .key_manager(KeyManagerType::Customer)
            .key_state(KeyState::Enabled)
            .key_spec(KeySpec::SymmetricDefault)
            .build()
            .unwrap()
    }

    fn outcomes(subject: &Subject) -> Vec<(&'static str, Verdict)> {
        crate::evaluate::evaluate(
            subject,
            &crate::catalog::Params::default(),
            Timestamp::now(),
        )
        .into_iter()
        .map(|f| (f.check.id, f.outcome.verdict))
        .collect()
    }

    #[test]
    fn denied_rotation_and_policy_reads_make_only_those_checks_unevaluable() {
        let subject = key_subject(
            &scope(),
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            Ok(metadata()),
            Err(denied("kms:GetKeyRotationStatus")),
            Err(denied("kms:GetKeyPolicy")),
            Timestamp::now(),
        );
        assert_eq!(
            outcomes(&subject),
            [
                ("kms_key_rotation_enabled", Verdict::CouldNotEvaluate),
                ("kms_key_enabled_not_pending_deletion", Verdict::Compliant),
                ("kms_key_policy_not_public", Verdict::CouldNotEvaluate),
            ]
        );
        let SubjectState::Live(Resource::KmsKey(key)) = &subject.state else {
            panic!("{subject:?}")
        };
        assert!(
            key.rotation_enabled
                .as_ref()
                .unwrap_err()
                .reason
                .contains("AccessDeniedException")
        );
    }

    #[test]
    fn denied_describe_leaves_every_check_unevaluable_and_not_found_means_gone() {
        let subject = key_subject(
            &scope(),
            "k",
            Err(denied("kms:DescribeKey")),
            Ok(Some(true)),
            Ok(None),
            Timestamp::now(),
        );
        assert!(
            outcomes(&subject)
                .iter()
                .all(|(_, v)| *v == Verdict::CouldNotEvaluate)
        );
        let gone = AwsError {
            kind: AwsErrorKind::NotFound,
            code: Some("NotFoundException".into()),
            ..denied("kms:DescribeKey")
        };
        let subject = key_subject(
            &scope(),
            "k",
            Err(gone),
            Ok(None),
            Ok(None),
            Timestamp::now(),
        );
        assert!(matches!(subject.state, SubjectState::Gone(_)));
    }
}

//! S3: bucket configuration items decoded into the domain, and bucket state collected from the
//! S3 API (one call per setting, for the buckets asked for).

use std::error::Error as StdError;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;

use crate::adapters::Scope;
use crate::adapters::config_item::{ConfigurationItem, Decoded};
use crate::domain::policy::PolicyDocument;
use crate::domain::resource::{Readable, Resource, ResourceRef, ResourceType, Unreadable};
use crate::domain::resources::s3::{BucketEncryption, PublicAccessBlock, S3Bucket};
use crate::domain::time::Timestamp;
use crate::error::{AwsError, AwsErrorKind};
use crate::evaluate::{Subject, SubjectState};

/// Decodes an `AWS::S3::Bucket` configuration item.
pub fn decode_config_item(_resource_type: ResourceType, item: &ConfigurationItem) -> Decoded {
    Decoded::Resource(Resource::S3Bucket(decode_bucket(item)))
}

fn decode_bucket(item: &ConfigurationItem) -> S3Bucket {
    let name = item
        .configuration
        .get("name")
        .and_then(Value::as_str)
        .or(item.resource_name.as_deref())
        .unwrap_or(&item.resource_id)
        .to_owned();
    let partition = item
        .arn
        .as_deref()
        .and_then(|arn| arn.split(':').nth(1))
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_owned();
    S3Bucket {
        name,
        partition,
        default_encryption: bucket_encryption(
            item.supplementary.get("ServerSideEncryptionConfiguration"),
        ),
        policy: bucket_policy(item.supplementary.get("BucketPolicy")),
        public_access_block: public_access_block(
            item.supplementary.get("PublicAccessBlockConfiguration"),
        ),
        access_log_target: access_log_target(item.supplementary.get("BucketLoggingConfiguration")),
    }
}

fn bucket_encryption(value: Option<&Value>) -> Readable<Option<BucketEncryption>> {
    let config = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(config)) => config,
        Some(_) => {
            return Err(Unreadable::new(
                "ServerSideEncryptionConfiguration in the configuration item is not an object",
            ));
        }
    };
    let Some(rules) = config.get("rules").and_then(Value::as_array) else {
        return Err(Unreadable::new(
            "ServerSideEncryptionConfiguration in the configuration item has no rules list",
        ));
    };
    let rule = rules.iter().find_map(|rule| {
        let default = rule.get("applyServerSideEncryptionByDefault")?;
        Some(BucketEncryption {
            algorithm: default.get("sseAlgorithm")?.as_str()?.to_owned(),
            kms_key_id: default
                .get("kmsMasterKeyID")
                .and_then(Value::as_str)
                .map(str::to_owned),
            bucket_key_enabled: rule
                .get("bucketKeyEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    });
    Ok(rule)
}

fn bucket_policy(value: Option<&Value>) -> Readable<Option<PolicyDocument>> {
    let text = match value.and_then(|v| v.get("policyText")) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text,
        Some(_) => {
            return Err(Unreadable::new(
                "BucketPolicy.policyText in the configuration item is not a string",
            ));
        }
    };
    PolicyDocument::parse(text).map(Some).map_err(|e| {
        Unreadable::new(format!(
            "the bucket policy in the configuration item could not be read: {e}"
        ))
    })
}

fn public_access_block(value: Option<&Value>) -> Readable<Option<PublicAccessBlock>> {
    let config = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(config)) => config,
        Some(_) => {
            return Err(Unreadable::new(
                "PublicAccessBlockConfiguration in the configuration item is not an object",
            ));
        }
    };
    let flag = |key: &str| {
        super::config_item::flag_field(
            config,
            key,
            &format!("PublicAccessBlockConfiguration.{key}"),
        )
    };
    Ok(Some(PublicAccessBlock {
        block_public_acls: flag("blockPublicAcls")?,
        ignore_public_acls: flag("ignorePublicAcls")?,
        block_public_policy: flag("blockPublicPolicy")?,
        restrict_public_buckets: flag("restrictPublicBuckets")?,
    }))
}

fn access_log_target(value: Option<&Value>) -> Readable<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(config)) => Ok(config
            .get("destinationBucketName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)),
        Some(_) => Err(Unreadable::new(
            "BucketLoggingConfiguration in the configuration item is not an object",
        )),
    }
}

/// The names of every bucket the caller owns (`ListBuckets`, every page).
pub async fn list_bucket_names(client: &aws_sdk_s3::Client) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut pages = client.list_buckets().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("s3:ListAllMyBuckets", e))?;
        names.extend(
            page.buckets()
                .iter()
                .filter_map(|b| b.name())
                .map(str::to_owned),
        );
    }
    Ok(names)
}

/// Reads the checked settings of each named bucket. Each setting is its own call; a failed call
/// makes that setting unreadable, and a documented "not configured" answer makes it `None`.
pub async fn collect_buckets(
    client: &aws_sdk_s3::Client,
    scope: &Scope,
    names: &[String],
) -> Vec<Subject> {
    super::bounded(names, |name| read_bucket(client, scope, name)).await
}

/// Reads one bucket's checked settings (four calls).
pub async fn read_bucket(client: &aws_sdk_s3::Client, scope: &Scope, name: &str) -> Subject {
    let encryption = client.get_bucket_encryption().bucket(name).send().await;
    // A bucket deleted since it was listed (or named by a call) is gone, not unreadable.
    if let Err(e) = &encryption
        && e.as_service_error().and_then(|s| s.code()) == Some("NoSuchBucket")
    {
        let error = AwsError {
            operation: "s3:GetEncryptionConfiguration",
            kind: AwsErrorKind::NotFound,
            code: Some("NoSuchBucket".into()),
            message: format!("the bucket {name} does not exist"),
        };
        return super::subject_at(
            scope,
            ResourceType::S3Bucket,
            name,
            Some(format!("arn:aws:s3:::{name}")),
            "AWS API (s3:GetEncryptionConfiguration)",
            super::failed_read(error),
        );
    }
    let default_encryption = setting(
        "s3:GetEncryptionConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        encryption,
    )
    .map(|out| {
        out.and_then(|o| {
            o.server_side_encryption_configuration()?
                .rules()
                .iter()
                .find_map(|rule| {
                    let default = rule.apply_server_side_encryption_by_default()?;
                    Some(BucketEncryption {
                        algorithm: default.sse_algorithm().as_str().to_owned(),
                        kms_key_id: default.kms_master_key_id().map(str::to_owned),
                        bucket_key_enabled: rule.bucket_key_enabled().unwrap_or(false),
                    })
                })
        })
    });
    let policy = setting(
        "s3:GetBucketPolicy",
        "NoSuchBucketPolicy",
        client.get_bucket_policy().bucket(name).send().await,
    )
    .and_then(
        |out| match out.and_then(|o| o.policy().map(str::to_owned)) {
            None => Ok(None),
            Some(text) => PolicyDocument::parse(&text)
                .map(Some)
                .map_err(|e| Unreadable::new(format!("the bucket policy could not be read: {e}"))),
        },
    );
    let block = client.get_public_access_block().bucket(name).send().await;
    let public_access_block = setting(
        "s3:GetBucketPublicAccessBlock",
        "NoSuchPublicAccessBlockConfiguration",
        block,
    )
    .map(|out| {
        out.and_then(|o| {
            o.public_access_block_configuration()
                .map(|c| PublicAccessBlock {
                    block_public_acls: c.block_public_acls().unwrap_or(false),
                    ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                    block_public_policy: c.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                })
        })
    });
    let logging = client.get_bucket_logging().bucket(name).send().await;
    let access_log_target = setting("s3:GetBucketLogging", "", logging)
        .map(|out| out.and_then(|o| o.logging_enabled().map(|l| l.target_bucket().to_owned())));
    let bucket = S3Bucket {
        name: name.to_owned(),
        partition: "aws".into(),
        default_encryption,
        policy,
        public_access_block,
        access_log_target,
    };
    Subject {
        resource: ResourceRef {
            resource_type: ResourceType::S3Bucket.cfn_type().into(),
            resource_id: name.to_owned(),
            arn: Some(bucket.arn()),
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
        },
        observed_at: Timestamp::now(),
        observed_via: "AWS API (s3:GetEncryptionConfiguration, GetBucketPolicy, GetBucketPublicAccessBlock, GetBucketLogging)",
        state: SubjectState::Live(Resource::S3Bucket(bucket)),
        links: Vec::new(),
    }
}

/// One bucket setting: the output, `None` for the documented "not configured" error code, or
/// unreadable for any other failure (access denied, throttling, ...).
fn setting<T, E>(
    operation: &'static str,
    absent_code: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Readable<Option<T>>
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e)
            if !absent_code.is_empty()
                && e.as_service_error().and_then(|s| s.code()) == Some(absent_code) =>
        {
            Ok(None)
        }
        Err(e) => Err(Unreadable::new(
            AwsError::from_sdk(operation, e).to_string(),
        )),
    }
}

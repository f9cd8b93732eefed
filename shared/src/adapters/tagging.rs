//! Resource Groups Tagging API: every resource of the region that carries the GenAI scope tag,
//! for [`ScopeMap::apply_tag`](crate::domain::scope::ScopeMap::apply_tag).
//!
//! The tagging API answers per region and covers S3 buckets (from any region's endpoint, for the
//! buckets of that region), KMS keys, log groups, SageMaker and Bedrock resources; IAM roles and
//! users are not among them: their tags come with `iam:GetAccountAuthorizationDetails`
//! (`Role::tags`, `User::tags`).

use aws_sdk_resourcegroupstagging::types::TagFilter;

use crate::error::AwsError;

/// The IAM actions this module calls.
pub const REQUIRED_ACTIONS: &[&str] = &["tag:GetResources"];

/// Every resource tagged with `tag_key` (any value), as `(ARN, value)` in the order the API
/// returns them: `GetResources` with a tag filter on the key, every page. A failed page is an
/// error (a partial list would silently put excluded resources back in scope).
pub async fn tagged_arns(
    client: &aws_sdk_resourcegroupstagging::Client,
    tag_key: &str,
) -> Result<Vec<(String, String)>, AwsError> {
    let mut tagged = Vec::new();
    let mut pages = client
        .get_resources()
        .tag_filters(TagFilter::builder().key(tag_key).build())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("tag:GetResources", e))?;
        for mapping in page.resource_tag_mapping_list() {
            let Some(arn) = mapping.resource_arn() else {
                continue;
            };
            if let Some(tag) = mapping.tags().iter().find(|t| t.key() == tag_key) {
                tagged.push((arn.to_owned(), tag.value().to_owned()));
            }
        }
    }
    Ok(tagged)
}

//! AWS managed policies whose grants are known and fixed, recognised by ARN: a Config
//! configuration item names an attached managed policy's ARN but never its document, and these
//! are the ones a least-privilege check must not miss (AdministratorAccess above all).
//!
//! Each entry carries the statements of the policy's current default version that the IAM
//! checks can match: everything granted on `*`, every GenAI service grant, every KMS grant. The
//! statements left out grant narrower, service-specific reads (EC2 describes, `iam:ListRoles`,
//! `iam:PassRole` to named service roles, ...) that no check matches. Sources: the IAM User
//! Guide's "AWS managed policies for job functions" (AdministratorAccess, PowerUserAccess), the
//! IAM managed policy reference (IAMFullAccess), the Amazon Bedrock user guide's "AWS managed
//! policies for Amazon Bedrock" (AmazonBedrockFullAccess) and the SageMaker AI developer guide's
//! "AWS managed policies for Amazon SageMaker AI" (AmazonSageMakerFullAccess).

use crate::domain::policy::PolicyDocument;

/// `(ARN, document)` of every AWS managed policy recognised by ARN.
const KNOWN: &[(&str, &str)] = &[
    (
        "arn:aws:iam::aws:policy/AdministratorAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ),
    (
        "arn:aws:iam::aws:policy/PowerUserAccess",
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},
            {"Effect":"Allow","Action":["account:GetAccountInformation","account:GetPrimaryEmail","account:ListRegions","iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization"],"Resource":"*"}]}"#,
    ),
    (
        "arn:aws:iam::aws:policy/IAMFullAccess",
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}"#,
    ),
    (
        "arn:aws:iam::aws:policy/AmazonBedrockFullAccess",
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"BedrockAll","Effect":"Allow","Action":["bedrock:*"],"Resource":"*"},
            {"Sid":"DescribeKey","Effect":"Allow","Action":["kms:DescribeKey"],"Resource":"arn:*:kms:*:::*"},
            {"Sid":"APIsWithAllResourceAccess","Effect":"Allow","Action":["iam:ListRoles","ec2:DescribeVpcs","ec2:DescribeSubnets","ec2:DescribeSecurityGroups"],"Resource":"*"}]}"#,
    ),
    (
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"AllowAllNonAdminSageMakerActions","Effect":"Allow","Action":["sagemaker:*","sagemaker-geospatial:*"],"NotResource":["arn:aws:sagemaker:*:*:domain/*","arn:aws:sagemaker:*:*:user-profile/*","arn:aws:sagemaker:*:*:app/*","arn:aws:sagemaker:*:*:space/*","arn:aws:sagemaker:*:*:partner-app/*","arn:aws:sagemaker:*:*:flow-definition/*","arn:aws:sagemaker:*:*:training-plan/*","arn:aws:sagemaker:*:*:reserved-capacity/*"]},
            {"Sid":"AllowKmsReads","Effect":"Allow","Action":["kms:DescribeKey","kms:ListAliases"],"Resource":"*"}]}"#,
    ),
];

/// The known document of the AWS managed policy `arn` (any partition), if it is one of those
/// recognised by ARN.
pub fn known_document(arn: &str) -> Option<PolicyDocument> {
    let name = arn.strip_prefix("arn:")?.split_once(":iam::aws:policy/")?.1;
    KNOWN
        .iter()
        .find(|(known, _)| known.rsplit('/').next() == Some(name))
        .and_then(|(_, text)| PolicyDocument::parse(text).ok())
}

/// Whether `arn` is an AWS managed policy (`arn:<partition>:iam::aws:policy/...`).
pub fn is_aws_managed(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.contains(":iam::aws:policy/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_document_parses_and_is_found_by_its_arn_in_any_partition() {
        for (arn, _) in KNOWN {
            let document = known_document(arn).unwrap_or_else(|| panic!("{arn} does not parse"));
            assert!(!document.statements.is_empty(), "{arn}");
            let gov = arn.replace("arn:aws:", "arn:aws-us-gov:");
            assert!(known_document(&gov).is_some(), "{gov}");
        }
    }

    #[test]
    fn administrator_access_allows_every_action_on_every_resource() {
        let document = known_document("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        let statement = &document.statements[0];
        assert!(statement.covers_action("iam:CreateUser") && statement.covers_resource("*"));
    }

    #[test]
    fn unknown_and_customer_managed_policies_are_not_guessed() {
        assert!(known_document("arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
        assert!(known_document("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        assert!(is_aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(!is_aws_managed("arn:aws:iam::123456789012:policy/p"));
    }
}

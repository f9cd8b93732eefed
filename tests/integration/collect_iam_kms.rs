//! Collectors of iam_kms read from the AWS API (moto, or aws-smithy-mocks where moto has no emulation).
//!
//! IAM is read in bulk (GetAccountAuthorizationDetails) plus per-user credential calls; KMS key by
//! key. moto is shared by every test of the binary, so names are unique and subjects are picked
//! out of the listing by name or id.

use genai_evidence::adapters::{Scope, iam, kms};
use genai_evidence::catalog::Params;
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::domain::resource::Resource;
use genai_evidence::domain::time::Timestamp;
use genai_evidence::evaluate::{Subject, SubjectState, evaluate};

use crate::support::unique;

fn scope() -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: rig::REGION.into(),
    }
}

fn verdict_with(subject: &Subject, check: &str, params: &Params) -> Verdict {
    evaluate(subject, params, Timestamp::now())
        .into_iter()
        .find(|f| f.check.id == check)
        .map(|f| f.outcome.verdict)
        .unwrap_or_else(|| panic!("{check} did not run on {}", subject.resource.resource_id))
}

fn verdict(subject: &Subject, check: &str) -> Verdict {
    verdict_with(subject, check, &Params::default())
}

fn named<'a>(subjects: &'a [Subject], name: &str) -> &'a Subject {
    subjects
        .iter()
        .find(|s| {
            s.resource
                .arn
                .as_deref()
                .is_some_and(|a| a.ends_with(&format!("/{name}")))
        })
        .unwrap_or_else(|| panic!("{name} was not collected"))
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const SCOPED: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"InvokeOneModel","Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},{"Sid":"OneKey","Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}"#;
const WIDE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllBedrock","Effect":"Allow","Action":"bedrock:*","Resource":"*"},{"Sid":"DecryptAll","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#;
const ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}]}"#;

#[tokio::test]
async fn iam_roles_users_and_policies_are_read_in_bulk_and_decided() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let client = aws_sdk_iam::Client::new(&aws);
    let (good_role, wide_role) = (unique("genai-scoped-role"), unique("genai-wide-role"));
    let (good_user, group_user, group) = (
        unique("genai-scoped-user"),
        unique("genai-group-user"),
        unique("genai-admins"),
    );
    let admin_policy = unique("genai-admin-policy");

    for role in [&good_role, &wide_role] {
        client
            .create_role()
            .role_name(role)
            .assume_role_policy_document(TRUST)
            .send()
            .await
            .unwrap();
    }
    client
        .put_role_policy()
        .role_name(&good_role)
        .policy_name("scoped")
        .policy_document(SCOPED)
        .send()
        .await
        .unwrap();
    client
        .put_role_policy()
        .role_name(&wide_role)
        .policy_name("wide")
        .policy_document(WIDE)
        .send()
        .await
        .unwrap();
    let created = client
        .create_policy()
        .policy_name(&admin_policy)
        .policy_document(ADMIN)
        .send()
        .await
        .unwrap();
    let admin_arn = created.policy().and_then(|p| p.arn()).unwrap().to_owned();
    // moto does not load AWS managed policies (AmazonBedrockFullAccess is decided in the pure
    // tests); a customer managed policy shows attached documents are resolved from the bulk read.
    client
        .attach_role_policy()
        .role_name(&wide_role)
        .policy_arn(&admin_arn)
        .send()
        .await
        .unwrap();

    client
        .create_user()
        .user_name(&good_user)
        .send()
        .await
        .unwrap();
    client
        .put_user_policy()
        .user_name(&good_user)
        .policy_name("scoped")
        .policy_document(SCOPED)
        .send()
        .await
        .unwrap();
    client
        .create_access_key()
        .user_name(&good_user)
        .send()
        .await
        .unwrap();
    client
        .create_login_profile()
        .user_name(&good_user)
        .password("Correct-Horse-9!")
        .send()
        .await
        .unwrap();
    // The second user is an administrator only through a customer managed policy on its group.
    client
        .create_user()
        .user_name(&group_user)
        .send()
        .await
        .unwrap();
    client
        .create_group()
        .group_name(&group)
        .send()
        .await
        .unwrap();
    client
        .add_user_to_group()
        .group_name(&group)
        .user_name(&group_user)
        .send()
        .await
        .unwrap();
    client
        .attach_group_policy()
        .group_name(&group)
        .policy_arn(&admin_arn)
        .send()
        .await
        .unwrap();

    let subjects = iam::collect_iam(&client, &scope()).await.unwrap();
    assert!(
        subjects
            .iter()
            .all(|s| s.observed_via.contains("GetAccountAuthorizationDetails"))
    );
    // AWS managed policies feed documents but are not subjects themselves.
    assert!(!subjects.iter().any(|s| {
        s.resource
            .arn
            .as_deref()
            .is_some_and(|a| a.contains(":iam::aws:policy/"))
    }));

    let good = named(&subjects, &good_role);
    assert_eq!(good.resource.resource_type, "AWS::IAM::Role");
    for check in [
        "iam_role_no_admin_access",
        "iam_role_no_genai_wildcard_on_all_resources",
        "iam_role_no_genai_full_access_policy",
        "iam_role_no_kms_decrypt_all_keys",
        "iam_role_genai_access_recently_used",
    ] {
        assert_eq!(verdict(good, check), Verdict::Compliant, "{check}");
    }
    let wide = named(&subjects, &wide_role);
    assert_eq!(
        verdict(wide, "iam_role_no_admin_access"),
        Verdict::NonCompliant,
        "the attached policy's default version is read"
    );
    assert_eq!(
        verdict(wide, "iam_role_no_genai_wildcard_on_all_resources"),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict(wide, "iam_role_no_genai_full_access_policy"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(wide, "iam_role_no_kms_decrypt_all_keys"),
        Verdict::NonCompliant
    );
    // moto reports RoleLastUsed without a date: never used, so the age counts from creation.
    let later = Params {
        as_of: Timestamp::from_epoch_millis(Timestamp::now().epoch_millis() + 200 * 86_400_000),
        ..Params::default()
    };
    assert_eq!(
        verdict_with(wide, "iam_role_genai_access_recently_used", &later),
        Verdict::NonCompliant
    );

    let user = named(&subjects, &good_user);
    let SubjectState::Live(Resource::IamUser(state)) = &user.state else {
        panic!("{user:?}")
    };
    let keys = state.access_keys.as_ref().unwrap();
    assert_eq!(keys.len(), 1);
    assert!(
        keys[0].active && keys[0].last_used.is_ok(),
        "GetAccessKeyLastUsed makes last use readable: {keys:?}"
    );
    assert!(
        matches!(state.password, Ok(Some(_))),
        "{:?}",
        state.password
    );
    assert_eq!(
        verdict(user, "iam_user_no_admin_access"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(user, "iam_user_credentials_recently_used"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(user, "iam_user_access_keys_rotated"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict_with(user, "iam_user_access_keys_rotated", &later),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict_with(user, "iam_user_credentials_recently_used", &later),
        Verdict::NonCompliant
    );

    let in_group = named(&subjects, &group_user);
    assert_eq!(
        verdict(in_group, "iam_user_no_admin_access"),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict(in_group, "iam_user_no_genai_full_access_policy"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(in_group, "iam_user_credentials_recently_used"),
        Verdict::NotApplicable
    );

    let policy = named(&subjects, &admin_policy);
    assert_eq!(policy.resource.resource_type, "AWS::IAM::Policy");
    assert_eq!(
        verdict(policy, "iam_policy_no_admin_access"),
        Verdict::NonCompliant
    );
}

#[tokio::test]
async fn kms_keys_are_read_key_by_key_and_decided() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let client = aws_sdk_kms::Client::new(&aws);
    let good = client
        .create_key()
        .description(unique("genai-good-key"))
        .send()
        .await
        .unwrap();
    let good = good.key_metadata().unwrap().key_id().to_owned();
    client
        .enable_key_rotation()
        .key_id(&good)
        .send()
        .await
        .unwrap();
    let bad = client
        .create_key()
        .description(unique("genai-bad-key"))
        .send()
        .await
        .unwrap();
    let bad = bad.key_metadata().unwrap().key_id().to_owned();
    let public = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Everyone","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
    client
        .put_key_policy()
        .key_id(&bad)
        .policy_name("default")
        .policy(public)
        .send()
        .await
        .unwrap();
    client
        .schedule_key_deletion()
        .key_id(&bad)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();

    let subjects = kms::collect_keys(&client, &scope()).await.unwrap();
    let find = |id: &str| {
        subjects
            .iter()
            .find(|s| s.resource.resource_id == id)
            .unwrap_or_else(|| panic!("{id} not collected"))
    };
    let good = find(&good);
    assert_eq!(good.resource.resource_type, "AWS::KMS::Key");
    assert_eq!(
        verdict(good, "kms_key_rotation_enabled"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(good, "kms_key_enabled_not_pending_deletion"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(good, "kms_key_policy_not_public"),
        Verdict::Compliant
    );
    let bad = find(&bad);
    assert_eq!(
        verdict(bad, "kms_key_enabled_not_pending_deletion"),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict(bad, "kms_key_policy_not_public"),
        Verdict::NonCompliant
    );
}

#[tokio::test]
async fn kms_key_rotation_off_fails_and_unknown_keys_are_gone() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let client = aws_sdk_kms::Client::new(&aws);
    let key = client
        .create_key()
        .description(unique("genai-norotate-key"))
        .send()
        .await
        .unwrap();
    let key = key.key_metadata().unwrap().key_id().to_owned();
    let subject = kms::collect_key(&client, &scope(), &key).await;
    assert_eq!(
        verdict(&subject, "kms_key_rotation_enabled"),
        Verdict::NonCompliant
    );
    let missing = kms::collect_key(&client, &scope(), "00000000-0000-0000-0000-00000000dead").await;
    assert!(
        matches!(missing.state, SubjectState::Gone(_)),
        "{missing:?}"
    );
    assert_eq!(
        verdict(&missing, "kms_key_rotation_enabled"),
        Verdict::NotApplicable
    );
}

#[tokio::test]
async fn a_failing_per_key_read_yields_could_not_evaluate_never_non_compliant() {
    // Nothing listens on port 9: every per-key read fails at dispatch, as an unreachable or
    // denied endpoint would, and each check must say it could not decide.
    let broken = rig::sdk_config("http://127.0.0.1:9", 1).await;
    let client = aws_sdk_kms::Client::new(&broken);
    let subject = kms::collect_key(&client, &scope(), "1234abcd-12ab-34cd-56ef-1234567890ab").await;
    for check in [
        "kms_key_rotation_enabled",
        "kms_key_enabled_not_pending_deletion",
        "kms_key_policy_not_public",
    ] {
        assert_eq!(
            verdict(&subject, check),
            Verdict::CouldNotEvaluate,
            "{check}"
        );
    }
    let findings = evaluate(&subject, &Params::default(), Timestamp::now());
    assert!(
        findings
            .iter()
            .all(|f| f.outcome.observed.contains("kms:DescribeKey")),
        "{findings:?}"
    );
    // A failed bulk IAM read is an error for the whole collection, not a verdict.
    let err = iam::collect_iam(&aws_sdk_iam::Client::new(&broken), &scope())
        .await
        .unwrap_err();
    assert_eq!(err.operation, "iam:GetAccountAuthorizationDetails");
}

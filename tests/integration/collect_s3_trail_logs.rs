//! Collectors of S3, CloudTrail and CloudWatch Logs read from the AWS API (moto), then the checks
//! decide from what they read.

use genai_evidence::adapters::{Scope, cloudtrail, logs, s3};
use genai_evidence::catalog::{self, Params};
use genai_evidence::domain::outcome::Verdict;
use genai_evidence::evaluate::{Subject, evaluate};

use crate::support::unique;

fn scope() -> Scope {
    Scope {
        account_id: rig::ACCOUNT_ID.into(),
        region: rig::REGION.into(),
    }
}

fn verdict(subject: &Subject, check: &str) -> Verdict {
    evaluate(
        subject,
        &Params::default(),
        genai_evidence::domain::time::Timestamp::now(),
    )
    .into_iter()
    .find(|f| f.check.id == check)
    .map(|f| f.outcome.verdict)
    .unwrap_or_else(|| panic!("{check} did not run on {}", subject.resource.resource_id))
}

#[tokio::test]
async fn buckets_are_read_setting_by_setting_from_the_s3_api() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let client = rig::s3_client(&aws);
    let (good, bare) = (unique("genai-collect-good"), unique("genai-collect-bare"));
    rig::seed::bucket(&client, &good, Some(rig::seed::KEY_ARN), true)
        .await
        .unwrap();
    client.create_bucket().bucket(&bare).send().await.unwrap();
    let log_target = unique("genai-collect-logs");
    client
        .create_bucket()
        .bucket(&log_target)
        .send()
        .await
        .unwrap();
    let delivery = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": format!("arn:aws:s3:::{log_target}/*")}]});
    client
        .put_bucket_policy()
        .bucket(&log_target)
        .policy(delivery.to_string())
        .send()
        .await
        .unwrap();
    let block = aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    client
        .put_public_access_block()
        .bucket(&good)
        .public_access_block_configuration(block)
        .send()
        .await
        .unwrap();
    let logging = aws_sdk_s3::types::BucketLoggingStatus::builder()
        .logging_enabled(
            aws_sdk_s3::types::LoggingEnabled::builder()
                .target_bucket(&log_target)
                .target_prefix("logs/")
                .build()
                .unwrap(),
        )
        .build();
    client
        .put_bucket_logging()
        .bucket(&good)
        .bucket_logging_status(logging)
        .send()
        .await
        .unwrap();

    let listed = s3::list_bucket_names(&client).await.unwrap();
    assert!(listed.contains(&good) && listed.contains(&bare));
    let subjects = s3::collect_buckets(&client, &scope(), &[good.clone(), bare.clone()]).await;

    for check in [
        "s3_bucket_default_encryption_kms",
        "s3_bucket_tls_only",
        "s3_bucket_public_access_blocked",
        "s3_bucket_server_access_logging",
    ] {
        assert_eq!(
            verdict(&subjects[0], check),
            Verdict::Compliant,
            "{check} on {good}"
        );
    }
    assert_eq!(
        verdict(&subjects[1], "s3_bucket_tls_only"),
        Verdict::NonCompliant,
        "no policy"
    );
    assert_eq!(
        verdict(&subjects[1], "s3_bucket_public_access_blocked"),
        Verdict::NonCompliant,
        "no block"
    );
    assert_eq!(
        verdict(&subjects[1], "s3_bucket_server_access_logging"),
        Verdict::NonCompliant,
        "no logging"
    );
}

#[tokio::test]
async fn a_bucket_that_no_longer_exists_is_gone_not_unreadable() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 1).await;
    let client = rig::s3_client(&aws);
    let missing = unique("genai-collect-missing");
    let subjects = s3::collect_buckets(&client, &scope(), std::slice::from_ref(&missing)).await;

    assert!(
        matches!(
            subjects[0].state,
            genai_evidence::evaluate::SubjectState::Gone(_)
        ),
        "NoSuchBucket on the first read means the bucket is gone"
    );
    for check in catalog::checks_for(genai_evidence::domain::resource::ResourceType::S3Bucket) {
        assert_eq!(
            verdict(&subjects[0], check.id),
            Verdict::NotApplicable,
            "{}",
            check.id
        );
    }
}

#[tokio::test]
async fn a_bucket_whose_settings_cannot_be_read_could_not_evaluate() {
    // Nothing listens on a port just released: every read fails (connection refused), which says
    // nothing about the bucket, so every setting is unreadable.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let aws = rig::sdk_config(&format!("http://127.0.0.1:{port}"), 1).await;
    let client = rig::s3_client(&aws);
    let subjects = s3::collect_buckets(&client, &scope(), &["genai-unreachable".to_owned()]).await;

    for check in catalog::checks_for(genai_evidence::domain::resource::ResourceType::S3Bucket) {
        assert_eq!(
            verdict(&subjects[0], check.id),
            Verdict::CouldNotEvaluate,
            "{}",
            check.id
        );
    }
}

#[tokio::test]
async fn trails_and_the_account_view_are_read_from_cloudtrail() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let s3_client = rig::s3_client(&aws);
    let client = aws_sdk_cloudtrail::Client::new(&aws);
    let bucket = unique("genai-trail-logs");
    s3_client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let (org, local) = (unique("org-trail"), unique("local-trail"));
    client
        .create_trail()
        .name(&org)
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .kms_key_id(rig::seed::KEY_ARN)
        .send()
        .await
        .unwrap();
    client.start_logging().name(&org).send().await.unwrap();
    client
        .create_trail()
        .name(&local)
        .s3_bucket_name(&bucket)
        .send()
        .await
        .unwrap();

    let (subjects, listed) = cloudtrail::collect_trails(&client, &scope()).await;
    listed.unwrap();
    let trail = |name: &str| {
        subjects
            .iter()
            .find(|s| s.resource.resource_id == name)
            .unwrap()
    };
    assert_eq!(
        verdict(trail(&org), "cloudtrail_trail_kms_encryption"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(trail(&org), "cloudtrail_trail_log_file_validation"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(trail(&local), "cloudtrail_trail_kms_encryption"),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict(trail(&local), "cloudtrail_trail_log_file_validation"),
        Verdict::NonCompliant
    );
    let account = subjects
        .iter()
        .find(|s| s.resource.resource_type == "AWS::::Account")
        .unwrap();
    let found = evaluate(
        account,
        &Params::default(),
        genai_evidence::domain::time::Timestamp::now(),
    );
    assert_eq!(
        found[0].outcome.verdict,
        Verdict::Compliant,
        "{}",
        found[0].outcome.observed
    );

    client.stop_logging().name(&org).send().await.unwrap();
    let (subjects, _) = cloudtrail::collect_trails(&client, &scope()).await;
    let account = subjects
        .iter()
        .find(|s| s.resource.resource_type == "AWS::::Account")
        .unwrap();
    assert_eq!(
        verdict(account, "cloudtrail_multi_region_trail_logging"),
        Verdict::NonCompliant,
        "logging stopped"
    );
}

#[tokio::test]
async fn an_unreachable_cloudtrail_makes_the_account_check_could_not_evaluate() {
    let aws = rig::sdk_config("http://127.0.0.1:9", 1).await;
    let (subjects, listed) =
        cloudtrail::collect_trails(&aws_sdk_cloudtrail::Client::new(&aws), &scope()).await;
    assert!(listed.is_err());
    assert_eq!(
        verdict(&subjects[0], "cloudtrail_multi_region_trail_logging"),
        Verdict::CouldNotEvaluate
    );
}

#[tokio::test]
async fn log_groups_are_read_page_by_page_from_cloudwatch_logs() {
    let aws = rig::sdk_config(rig::shared_moto().endpoint(), 3).await;
    let client = aws_sdk_cloudwatchlogs::Client::new(&aws);
    let prefix = format!("/genai/{}", unique("collect"));
    client
        .create_log_group()
        .log_group_name(format!("{prefix}/encrypted"))
        .kms_key_id(rig::seed::KEY_ARN)
        .send()
        .await
        .unwrap();
    client
        .put_retention_policy()
        .log_group_name(format!("{prefix}/encrypted"))
        .retention_in_days(400)
        .send()
        .await
        .unwrap();
    for i in 0..55 {
        client
            .create_log_group()
            .log_group_name(format!("{prefix}/plain-{i:02}"))
            .send()
            .await
            .unwrap();
    }
    client
        .put_retention_policy()
        .log_group_name(format!("{prefix}/plain-00"))
        .retention_in_days(30)
        .send()
        .await
        .unwrap();

    let subjects = logs::collect_log_groups(&client, &scope(), Some(&prefix))
        .await
        .unwrap();

    assert_eq!(
        subjects.len(),
        56,
        "every page is read (DescribeLogGroups returns 50 per page)"
    );
    let group = |suffix: &str| {
        subjects
            .iter()
            .find(|s| s.resource.resource_id == format!("{prefix}/{suffix}"))
            .unwrap()
    };
    assert_eq!(
        verdict(group("encrypted"), "logs_log_group_kms_encryption"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(group("encrypted"), "logs_log_group_retention"),
        Verdict::Compliant
    );
    assert_eq!(
        verdict(group("plain-00"), "logs_log_group_kms_encryption"),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict(group("plain-00"), "logs_log_group_retention"),
        Verdict::NonCompliant
    );
    assert_eq!(
        verdict(group("plain-01"), "logs_log_group_retention"),
        Verdict::Compliant,
        "never expires"
    );
}

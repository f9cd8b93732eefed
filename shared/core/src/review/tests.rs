//! The review built from hand-made IAM state: which principals it lists, what it flags, what
//! changed, and how a sign-off is checked against it.

use std::collections::BTreeMap;

use super::attest::{AttestError, Attestation, SignOffStatus};
use super::*;
use crate::domain::resource::Unreadable;
use crate::domain::resources::bedrock::GuardrailEnforcement;
use crate::domain::resources::iam::{AccessKey, Password, ServiceCredential};

const ACCOUNT: &str = "123456789012";

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn policy(source: &str, json: &str) -> GrantedPolicy {
    GrantedPolicy {
        source: source.into(),
        document: Ok(PolicyDocument::parse(json).unwrap()),
    }
}

const INVOKE: &str = r#"{"Statement":[{"Sid":"Invoke","Effect":"Allow","Action":["bedrock:InvokeModel","s3:GetObject"],"Resource":"*"}]}"#;
const BEDROCK_ALL: &str = r#"{"Statement":{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}}"#;
const S3_ONLY: &str = r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
const TRUST_OTHER: &str = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}}"#;
const TRUST_SERVICE: &str = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;

fn role(
    name: &str,
    policies: Vec<GrantedPolicy>,
    last_used: Option<&str>,
    trust: &str,
) -> RoleState {
    RoleState {
        role: Role {
            name: name.into(),
            id: format!("AROA{name}"),
            arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            path: "/".into(),
            created: Some(at("2025-01-01T00:00:00Z")),
            policies,
            attached_policies: Ok(Vec::new()),
            last_used: Ok(last_used.map(at)),
            tags: BTreeMap::new(),
            guardrail_enforcement: GuardrailEnforcement::not_read(),
        },
        trust: Ok(PolicyDocument::parse(trust).unwrap()),
    }
}

fn user(name: &str, policies: Vec<GrantedPolicy>, keys: Vec<ServiceCredential>) -> User {
    User {
        name: name.into(),
        id: format!("AIDA{name}"),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        created: Some(at("2025-01-01T00:00:00Z")),
        policies,
        attached_policies: Ok(Vec::new()),
        groups: Vec::new(),
        password: Ok(Some(Password {
            created: None,
            last_used: Some(at("2026-11-30T09:00:00Z")),
        })),
        access_keys: Ok(vec![AccessKey {
            id: "AKIAEXAMPLE".into(),
            active: true,
            created: None,
            last_used: Err(Unreadable::new("AccessDenied on iam:GetAccessKeyLastUsed")),
        }]),
        bedrock_api_keys: Ok(keys),
        tags: BTreeMap::new(),
        guardrail_enforcement: GuardrailEnforcement::not_read(),
    }
}

fn input() -> ReviewInput {
    let mut activity = BTreeMap::new();
    activity.insert(
        format!("arn:aws:iam::{ACCOUNT}:role/app"),
        ServiceActivity::Read {
            services: vec![ServiceUse {
                namespace: "bedrock".into(),
                last_authenticated: Some("2026-12-01T10:00:00Z".into()),
            }],
        },
    );
    activity.insert(
        format!("arn:aws:iam::{ACCOUNT}:role/stale"),
        ServiceActivity::Read {
            services: vec![ServiceUse {
                namespace: "bedrock".into(),
                last_authenticated: None,
            }],
        },
    );
    ReviewInput {
        account: ACCOUNT.into(),
        at: at("2026-12-03T12:00:00Z"),
        roles: vec![
            role(
                "app",
                vec![policy("inline policy \"invoke\"", INVOKE)],
                Some("2026-12-01T10:00:00Z"),
                TRUST_SERVICE,
            ),
            // Used lately, but never for GenAI: per-service data says so, and it counts.
            role(
                "stale",
                vec![policy("inline policy \"all\"", BEDROCK_ALL)],
                Some("2026-12-02T00:00:00Z"),
                TRUST_OTHER,
            ),
            role(
                "web",
                vec![policy("inline policy \"s3\"", S3_ONLY)],
                None,
                TRUST_SERVICE,
            ),
        ],
        users: vec![user(
            "alice",
            vec![policy("inline policy \"invoke\"", INVOKE)],
            vec![ServiceCredential {
                id: "ACCAKEY1".into(),
                active: true,
                created: Some(at("2026-01-01T00:00:00Z")),
                expires: None,
            }],
        )],
        groups: vec![GroupState {
            name: "ml".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:group/ml"),
            created: None,
            policies: vec![policy(
                "managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
                r#"{"Statement":{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}}"#,
            )],
        }],
        permission_sets: Ok(vec![PermissionSetState {
            arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-ml".into(),
            name: "MLEngineers".into(),
            created: None,
            policies: vec![policy(
                "inline policy of permission set MLEngineers",
                INVOKE,
            )],
            assignments: Ok(vec!["GROUP 9a67-ml-engineers".into()]),
        }]),
        activity,
        unused_after_days: 90,
        max_api_key_age_days: 30,
    }
}

fn flags(review: &Review, arn_end: &str) -> Vec<Flag> {
    review
        .principals
        .iter()
        .find(|p| p.arn.ends_with(arn_end))
        .unwrap_or_else(|| panic!("{arn_end} is not in the review"))
        .flags
        .clone()
}

#[test]
fn the_review_lists_exactly_the_principals_that_grant_genai_actions_with_the_granting_statement() {
    let review = build(&input(), None);
    let arns: Vec<&str> = review.principals.iter().map(|p| p.arn.as_str()).collect();
    assert_eq!(review.principals.len(), 6, "{arns:?}");
    let set = review
        .principal("arn:aws:sso:::permissionSet/ssoins-1/ps-ml")
        .unwrap();
    assert_eq!(set.kind, PrincipalKind::PermissionSet);
    assert_eq!(set.assignments, ["GROUP 9a67-ml-engineers"]);
    assert_eq!(set.grants[0].statement, "Invoke");
    assert!(
        !arns.iter().any(|a| a.ends_with("role/web")),
        "an S3-only role has no GenAI access"
    );
    let app = review
        .principal(&format!("arn:aws:iam::{ACCOUNT}:role/app"))
        .unwrap();
    assert_eq!(app.grants.len(), 1);
    assert_eq!(app.grants[0].statement, "Invoke");
    assert_eq!(app.grants[0].actions, ["bedrock:InvokeModel"]);
    assert!(app.flags.is_empty(), "{:?}", app.flags);
    assert_eq!(review.id, "access-review-123456789012-20261203T120000Z");
}

#[test]
fn a_stale_principal_a_broad_grant_cross_account_trust_and_a_long_term_api_key_are_flagged() {
    let review = build(&input(), None);
    let stale = flags(&review, "role/stale");
    assert!(stale.contains(&Flag::Unused { days: None }), "{stale:?}");
    assert!(stale.contains(&Flag::BroadGrant) && stale.contains(&Flag::CrossAccountTrust));
    assert_eq!(
        flags(&review, "bedrock-api-key/ACCAKEY1"),
        [Flag::LongTermApiKey]
    );
    assert_eq!(flags(&review, "group/ml"), [Flag::BroadGrant]);
    // Alice signed in three days ago but one key's use is unreadable: not "unused", but not clean.
    assert_eq!(flags(&review, "user/alice"), [Flag::Unreadable]);
    assert_eq!(
        review.principals[0].arn,
        format!("arn:aws:iam::{ACCOUNT}:role/stale"),
        "riskiest first"
    );
    assert!(
        review.summary().contains("Riskiest first: IAM role stale"),
        "{}",
        review.summary()
    );
}

#[test]
fn a_second_review_shows_principals_and_grants_added_and_removed() {
    let first = build(&input(), None);
    let mut next = input();
    next.at = at("2027-01-03T12:00:00Z");
    next.roles.remove(0);
    next.users[0]
        .policies
        .push(policy("inline policy \"all\"", BEDROCK_ALL));
    next.roles.push(role(
        "newcomer",
        vec![policy("inline policy \"invoke\"", INVOKE)],
        None,
        TRUST_SERVICE,
    ));
    let second = build(&next, Some(&first));
    let c = &second.changes;
    assert_eq!(c.previous_review.as_deref(), Some(first.id.as_str()));
    assert_eq!(c.added, [format!("arn:aws:iam::{ACCOUNT}:role/newcomer")]);
    assert_eq!(c.removed, [format!("arn:aws:iam::{ACCOUNT}:role/app")]);
    assert!(
        c.grants_added
            .iter()
            .any(|g| g.contains("user/alice: inline policy \"all\"")),
        "{c:?}"
    );
    assert!(flags(&second, "role/newcomer").contains(&Flag::Added));
    assert!(flags(&second, "user/alice").contains(&Flag::GrantsChanged));
}

#[test]
fn pending_service_activity_leaves_the_review_incomplete_and_falls_back_to_the_general_last_use() {
    let mut i = input();
    i.activity.insert(
        format!("arn:aws:iam::{ACCOUNT}:role/stale"),
        ServiceActivity::Pending {
            job_id: "job-1".into(),
        },
    );
    let review = build(&i, None);
    assert!(!review.complete);
    let stale = flags(&review, "role/stale");
    assert!(
        !stale.iter().any(|f| matches!(f, Flag::Unused { .. })),
        "{stale:?}"
    );
}

fn signed(review: &Review) -> serde_json::Value {
    let decisions: Vec<serde_json::Value> = review
        .flagged()
        .map(|p| serde_json::json!({"principal": p.arn, "decision": "keep"}))
        .collect();
    serde_json::json!({"review_id": review.id, "reviewer": "carol@example.com", "decisions": decisions})
}

#[test]
fn a_sign_off_must_name_the_review_decide_every_flagged_principal_and_nothing_else() {
    let review = build(&input(), None);
    let ok = Attestation::parse(&signed(&review)).unwrap();
    assert_eq!(ok.validate(&review), Ok(()));
    let mut unknown_review = signed(&review);
    unknown_review["review_id"] = "access-review-1".into();
    assert!(matches!(
        Attestation::parse(&unknown_review)
            .unwrap()
            .validate(&review),
        Err(AttestError::UnknownReview(_))
    ));
    let mut unknown_principal = signed(&review);
    unknown_principal["decisions"][0]["principal"] =
        "arn:aws:iam::123456789012:user/mallory".into();
    assert!(matches!(
        Attestation::parse(&unknown_principal)
            .unwrap()
            .validate(&review),
        Err(AttestError::UnknownPrincipal { index: 0, .. })
    ));
    let mut missing = signed(&review);
    missing["decisions"].as_array_mut().unwrap().pop();
    let err = Attestation::parse(&missing)
        .unwrap()
        .validate(&review)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no decision for flagged principal(s)"),
        "{err}"
    );
    let mut no_decision = signed(&review);
    no_decision["decisions"][0]
        .as_object_mut()
        .unwrap()
        .remove("decision");
    let err = Attestation::parse(&no_decision).unwrap_err();
    assert!(
        err.to_string().contains("missing field `decision`"),
        "{err}"
    );
    let mut bad_kind = signed(&review);
    bad_kind["decisions"][0]["decision"] = "maybe".into();
    assert!(
        Attestation::parse(&bad_kind)
            .unwrap_err()
            .to_string()
            .contains("unknown variant `maybe`")
    );
    let mut extra = signed(&review);
    extra["approved"] = true.into();
    assert!(
        Attestation::parse(&extra)
            .unwrap_err()
            .to_string()
            .contains("unknown field `approved`")
    );
    let mut empty = signed(&review);
    empty["reviewer"] = " ".into();
    assert_eq!(
        Attestation::parse(&empty).unwrap_err().to_string(),
        "attestation field `reviewer`: must not be empty"
    );
}

#[test]
fn an_unsigned_review_is_awaiting_until_its_deadline_then_overdue() {
    let generated = at("2026-12-01T00:00:00Z");
    assert!(matches!(
        SignOffStatus::of(generated, None, at("2026-12-10T00:00:00Z"), 14),
        SignOffStatus::Awaiting { .. }
    ));
    let late = SignOffStatus::of(generated, None, at("2026-12-20T00:00:00Z"), 14);
    assert_eq!(
        late,
        SignOffStatus::Overdue {
            deadline: "2026-12-15T00:00:00.000Z".into(),
            days_late: 5
        }
    );
    assert!(
        late.evidence_text("r", ACCOUNT)
            .starts_with("NON_COMPLIANT")
    );
}

#[test]
fn the_csv_has_one_row_per_grant_and_neutralises_formulas() {
    let mut i = input();
    i.roles[0].role.policies[0].source = "=HYPERLINK(\"x\")".into();
    let review = build(&i, None);
    let csv = render::csv(&review);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], render::CSV_HEADER);
    assert_eq!(
        lines.len(),
        1 + review
            .principals
            .iter()
            .map(|p| p.grants.len().max(1))
            .sum::<usize>()
    );
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
}

#[test]
fn the_html_page_escapes_what_it_shows_and_loads_nothing() {
    let mut i = input();
    i.roles[0].role.name = "<script>alert(1)</script>".into();
    let review = build(&i, None);
    let page = render::html(
        &review,
        &SignOffStatus::Awaiting {
            deadline: "2026-12-17T12:00:00Z".into(),
        },
    );
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for external in ["src=", "href=\"http", "@import", "url("] {
        assert!(!page.contains(external), "{external}");
    }
    assert_eq!(
        page.matches("<tr><td data-sort").count(),
        review.principals.len()
    );
}

#[test]
fn unreadable_identity_center_permission_sets_are_said_not_left_out_silently() {
    let mut i = input();
    i.permission_sets = Err(Unreadable::new(
        "sso:ListInstances failed with AccessDeniedException",
    ));
    let review = build(&i, None);
    assert_eq!(
        review.notes,
        [
            "IAM Identity Center permission sets could not be read: sso:ListInstances failed with AccessDeniedException"
        ]
    );
    assert!(
        review.summary().contains("Not read: IAM Identity Center"),
        "{}",
        review.summary()
    );
    let page = render::html(
        &review,
        &SignOffStatus::Awaiting {
            deadline: "d".into(),
        },
    );
    assert!(page.contains("Not read: IAM Identity Center permission sets could not be read"));
}

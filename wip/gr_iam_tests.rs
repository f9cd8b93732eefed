
const ROLE_INVOKE_GUARDED: &str =
    include_str!("../../../tests/fixtures/iam/config-role-invoke-guardrail-condition.json");
const ROLE_INVOKE_DENY: &str =
    include_str!("../../../tests/fixtures/iam/config-role-invoke-deny-without-guardrail.json");
const USER_SCOPED_INVOKE: &str =
    include_str!("../../../tests/fixtures/iam/config-user-scoped.json");

fn enforced() -> GuardrailEnforcement {
    GuardrailEnforcement::Enforced("us-east-1: account configuration a1b2c3d4e5".into())
}

fn not_enforced() -> GuardrailEnforcement {
    GuardrailEnforcement::NotEnforced("us-east-1: no enforced guardrail configuration".into())
}

#[test]
fn an_invoke_grant_constrained_by_a_guardrail_condition_or_a_deny_without_one_passes() {
    for fixture in [ROLE_INVOKE_GUARDED, ROLE_INVOKE_DENY] {
        let mut r = role(fixture);
        r.guardrail_enforcement = not_enforced();
        let outcome = ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(r), &params());
        assert_eq!(outcome.verdict, Verdict::Compliant, "{}", outcome.observed);
    }
}

#[test]
fn an_unconstrained_invoke_grant_fails_unless_an_enforced_guardrail_covers_every_model() {
    let mut r = role(ROLE_SCOPED);
    r.guardrail_enforcement = not_enforced();
    let outcome =
        ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(r.clone()), &params());
    assert_eq!(outcome.verdict, Verdict::NonCompliant);
    assert!(
        outcome.observed.contains("bedrock:InvokeModel (statement \"InvokeClaude\""),
        "{}",
        outcome.observed
    );
    r.guardrail_enforcement = enforced();
    let outcome = ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(r), &params());
    assert_eq!(outcome.verdict, Verdict::Compliant, "{}", outcome.observed);
    let mut u = user(USER_SCOPED_INVOKE);
    u.guardrail_enforcement = not_enforced();
    let outcome = USER_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamUser(u), &params());
    assert_eq!(outcome.verdict, Verdict::NonCompliant, "{}", outcome.observed);
}

#[test]
fn an_unconstrained_invoke_grant_with_unknown_enforcement_cannot_be_evaluated() {
    // As the Config rule decodes it: the enforced configuration was not read with the role.
    let outcome =
        ROLE_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamRole(role(ROLE_SCOPED)), &params());
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate);
    assert!(outcome.observed.contains("not read"), "{}", outcome.observed);
    let mut u = user(USER_SCOPED_INVOKE);
    u.guardrail_enforcement = GuardrailEnforcement::Unknown(
        "us-east-1: organizations:DescribeEffectivePolicy failed with AccessDeniedException".into(),
    );
    let outcome = USER_INVOKE_REQUIRES_GUARDRAIL.evaluate(&Resource::IamUser(u), &params());
    assert_eq!(outcome.verdict, Verdict::CouldNotEvaluate);
    // A service-linked role is not applicable.
    let outcome = ROLE_INVOKE_REQUIRES_GUARDRAIL
        .evaluate(&Resource::IamRole(role(ROLE_SERVICE_LINKED)), &params());
    assert_eq!(outcome.verdict, Verdict::NotApplicable);
}

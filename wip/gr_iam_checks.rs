
/// The Bedrock runtime actions that invoke a model and take a `bedrock:GuardrailIdentifier`
/// condition.
const INVOKE_ACTIONS: &[&str] = &[
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:Converse",
    "bedrock:ConverseStream",
];

/// The condition key naming the guardrail a call applies.
const GUARDRAIL_KEY: &str = "bedrock:GuardrailIdentifier";

/// The actions the invoke-guardrail checks read with: the principal's policies, and the
/// enforced guardrails that make a condition unnecessary.
const INVOKE_GUARDRAIL_ACTIONS: &[&str] = &[
    AUTHORIZATION_DETAILS,
    "bedrock:ListEnforcedGuardrailsConfiguration",
    "bedrock:GetGuardrail",
    "organizations:DescribeEffectivePolicy",
];

/// SECAI3.7 and Safe: every grant of model invocation to the role requires a guardrail, unless
/// a protective guardrail is enforced on every model.
pub static ROLE_INVOKE_REQUIRES_GUARDRAIL: Check = Check {
    id: "iam_role_bedrock_invoke_requires_guardrail",
    version: 1,
    title: "IAM role may invoke Bedrock models only with a guardrail, or a protective guardrail is enforced on every model",
    controls: &[&SECAI3_7, &SAFE_GUARDRAILS],
    security_hub: &[],
    severity: Severity::High,
    api_actions: INVOKE_GUARDRAIL_ACTIONS,
    passes_when: INVOKE_PASSES_WHEN,
    remediation: INVOKE_REMEDIATION,
    evaluator: Evaluator::IamRole(role_invoke_requires_guardrail),
};

/// SECAI3.7 and Safe: as [`ROLE_INVOKE_REQUIRES_GUARDRAIL`], for a user (its own and its
/// groups' policies).
pub static USER_INVOKE_REQUIRES_GUARDRAIL: Check = Check {
    id: "iam_user_bedrock_invoke_requires_guardrail",
    version: 1,
    title: "IAM user may invoke Bedrock models only with a guardrail, or a protective guardrail is enforced on every model",
    controls: &[&SECAI3_7, &SAFE_GUARDRAILS],
    security_hub: &[],
    severity: Severity::High,
    api_actions: INVOKE_GUARDRAIL_ACTIONS,
    passes_when: INVOKE_PASSES_WHEN,
    remediation: INVOKE_REMEDIATION,
    evaluator: Evaluator::IamUser(user_invoke_requires_guardrail),
};

const INVOKE_PASSES_WHEN: &str = "Every Allow statement covering bedrock:InvokeModel, InvokeModelWithResponseStream, Converse or ConverseStream (wildcards and NotAction included) has a bedrock:GuardrailIdentifier condition naming a guardrail (StringEquals, StringLike, ArnEquals or ArnLike, not just \"*\"), or a Deny of that action on every resource, conditioned only on bedrock:GuardrailIdentifier being absent (Null true) or another guardrail (StringNotEquals, StringNotLike, ArnNotEquals, ArnNotLike), covers it; or bedrock_enforced_guardrail_all_models passes in every region evaluated. Principals allowed no invocation, and service-linked roles, are not applicable.";
const INVOKE_REMEDIATION: &str = "Add \"Condition\": {\"StringEquals\": {\"bedrock:GuardrailIdentifier\": \"<guardrail-arn>:<version>\"}} to the Allow of bedrock:InvokeModel*/Converse*, or a Deny of those actions with \"Condition\": {\"Null\": {\"bedrock:GuardrailIdentifier\": \"true\"}}; or enforce a protective guardrail on every model (aws bedrock put-enforced-guardrail-configuration).";

/// An Allow of `action` on some resource that names the guardrail it requires.
fn requires_guardrail(s: &Statement) -> bool {
    s.conditions_on(GUARDRAIL_KEY).any(|c| {
        let operator = c.operator.trim_start_matches("ForAnyValue:").trim_start_matches("ForAllValues:");
        let positive = matches!(
            operator.to_ascii_lowercase().as_str(),
            "stringequals" | "stringequalsignorecase" | "stringlike" | "arnequals" | "arnlike"
        );
        positive && c.values.iter().any(|v| !v.trim().is_empty() && v.trim() != "*")
    })
}

/// A Deny of `action` on every resource that applies exactly when no guardrail, or another
/// guardrail, is named.
fn denies_without_guardrail(s: &Statement, action: &str) -> bool {
    let every_resource = s.covers_resource("arn:aws:bedrock:us-east-1::foundation-model/any")
        && s.covers_resource("arn:aws:bedrock:eu-west-3:111122223333:inference-profile/other");
    let only_guardrail_conditions = !s.conditions.is_empty()
        && s.conditions.iter().all(|c| {
            c.key == GUARDRAIL_KEY.to_ascii_lowercase()
                && match c.operator.to_ascii_lowercase().as_str() {
                    "null" => c.values.iter().all(|v| v.eq_ignore_ascii_case("true")),
                    "stringnotequals" | "stringnotequalsignorecase" | "stringnotlike"
                    | "arnnotequals" | "arnnotlike" => true,
                    _ => false,
                }
        });
    s.effect == Effect::Deny && s.covers_action(action) && every_resource && only_guardrail_conditions
}

/// The invoke actions some readable Allow grants without a guardrail condition and no readable
/// Deny covers, each with where it is granted.
fn unguarded_grants(policies: &[GrantedPolicy]) -> Vec<String> {
    let statements: Vec<(&GrantedPolicy, &Statement)> = policies
        .iter()
        .filter_map(|p| p.document.as_ref().ok().map(|d| (p, d)))
        .flat_map(|(p, d)| d.statements.iter().map(move |s| (p, s)))
        .collect();
    let mut found = Vec::new();
    for action in INVOKE_ACTIONS {
        let denied = statements
            .iter()
            .any(|(_, s)| denies_without_guardrail(s, action));
        if denied {
            continue;
        }
        if let Some((policy, statement)) = statements.iter().find(|(_, s)| {
            s.effect == Effect::Allow && s.covers_action(action) && !requires_guardrail(s)
        }) {
            found.push(format!(
                "{action} ({} of {})",
                statement_name(statement),
                policy.source
            ));
        }
    }
    found
}

/// Whether any readable Allow grants an invoke action at all.
fn grants_invoke(policies: &[GrantedPolicy]) -> bool {
    policies
        .iter()
        .filter_map(|p| p.document.as_ref().ok())
        .flat_map(|d| d.statements.iter())
        .any(|s| s.effect == Effect::Allow && INVOKE_ACTIONS.iter().any(|a| s.covers_action(a)))
}

fn invoke_requires_guardrail(
    who: &str,
    policies: &[GrantedPolicy],
    enforcement: &GuardrailEnforcement,
) -> Outcome {
    let unread: Vec<(&str, &str)> = policies
        .iter()
        .filter_map(|p| p.document.as_ref().err().map(|u| (p.source.as_str(), u.reason.as_str())))
        .collect();
    let unguarded = unguarded_grants(policies);
    if unguarded.is_empty() {
        if !unread.is_empty() {
            return Outcome::could_not_evaluate(format!(
                "no readable policy of {who} allows model invocation without a guardrail, but {} document(s) could not be read: {}",
                unread.len(),
                unread_by_reason(&unread)
            ));
        }
        if !grants_invoke(policies) {
            return Outcome::not_applicable(
                format!("no policy of {who} allows bedrock:InvokeModel* or bedrock:Converse*"),
                "the principal cannot invoke models, so there is no invocation to guard",
            );
        }
        return Outcome::compliant(
            format!("every grant of model invocation to {who} requires a guardrail (bedrock:GuardrailIdentifier)"),
            "the principal cannot invoke a model without a guardrail applied",
        );
    }
    let granted = unguarded.join("; ");
    match enforcement {
        GuardrailEnforcement::Enforced(how) => Outcome::compliant(
            format!("{who} may invoke without naming a guardrail ({granted}), but a protective guardrail is enforced on every model: {how}"),
            "the enforced guardrail applies to every invocation whatever the caller names",
        ),
        GuardrailEnforcement::NotEnforced(why) => Outcome::non_compliant(
            format!("{who} may invoke models without a guardrail: {granted}; and no protective guardrail is enforced on every model ({why})"),
            "an invocation without a guardrail is not screened for harmful content, prompt attacks or personal data",
        ),
        GuardrailEnforcement::Unknown(why) => Outcome::could_not_evaluate(format!(
            "{who} may invoke models without naming a guardrail ({granted}), and whether a protective guardrail is enforced on every model is unknown: {why}"
        )),
    }
}

fn role_invoke_requires_guardrail(role: &Role, _params: &Params) -> Outcome {
    if let Some(na) = service_linked(role) {
        return na;
    }
    invoke_requires_guardrail("the role", &role.policies, &role.guardrail_enforcement)
}

fn user_invoke_requires_guardrail(user: &User, _params: &Params) -> Outcome {
    invoke_requires_guardrail("the user", &user.policies, &user.guardrail_enforcement)
}

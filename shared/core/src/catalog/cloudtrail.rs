//! Checks on CloudTrail: trail encryption and integrity (SECAI3.3, SECAI3.15), and one account-level
//! check that a multi-region trail is logging management events (SECAI3.15).

use crate::catalog::framework::{SECAI3_3, SECAI3_15};
use crate::catalog::{Check, Evaluator, Params, Severity};
use crate::domain::outcome::Outcome;
use crate::domain::resource::Readable;
use crate::domain::resources::account::Account;
use crate::domain::resources::cloudtrail::Trail;

/// The checks of this module, in a stable order.
pub static CHECKS: &[&Check] = &[
    &TRAIL_KMS,
    &TRAIL_LOG_FILE_VALIDATION,
    &MULTI_REGION_TRAIL_LOGGING,
    &GENAI_DATA_EVENTS_LOGGED,
];

const TRAIL_ACTIONS: &[&str] = &[
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
];

/// SECAI3.3: trail log files are encrypted with a KMS key.
pub static TRAIL_KMS: Check = Check {
    id: "cloudtrail_trail_kms_encryption",
    version: 1,
    title: "CloudTrail trail log files are encrypted with a KMS key",
    controls: &[&SECAI3_3],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRAIL_ACTIONS,
    passes_when: "The trail names a KmsKeyId (SSE-KMS for its log files).",
    remediation: "aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn> (the key policy must let cloudtrail.amazonaws.com encrypt).",
    evaluator: Evaluator::CloudTrailTrail(trail_kms),
};

/// SECAI3.15: log file integrity validation is on.
pub static TRAIL_LOG_FILE_VALIDATION: Check = Check {
    id: "cloudtrail_trail_log_file_validation",
    version: 1,
    title: "CloudTrail trail validates log file integrity",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRAIL_ACTIONS,
    passes_when: "LogFileValidationEnabled is true, so tampering with delivered log files is detectable.",
    remediation: "aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
    evaluator: Evaluator::CloudTrailTrail(trail_log_file_validation),
};

/// SECAI3.15: the account has a multi-region trail that is logging management events.
pub static MULTI_REGION_TRAIL_LOGGING: Check = Check {
    id: "cloudtrail_multi_region_trail_logging",
    version: 1,
    title: "A multi-region CloudTrail trail is logging management events",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::High,
    api_actions: TRAIL_ACTIONS,
    passes_when: "At least one trail is multi-region, is logging now, and records management events (every Bedrock and SageMaker control-plane call).",
    remediation: "aws cloudtrail create-trail --name org-trail --s3-bucket-name <bucket> --is-multi-region-trail --enable-log-file-validation --kms-key-id <key-arn> && aws cloudtrail start-logging --name org-trail",
    evaluator: Evaluator::Account(multi_region_trail_logging),
};

fn trail_kms(trail: &Trail, _params: &Params) -> Outcome {
    match trail.kms_key_id.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => Outcome::compliant(
            format!("log files are encrypted with KMS key {key}"),
            "API activity records are encrypted under a key whose use is governed and logged",
        ),
        None => Outcome::non_compliant(
            "the trail names no KMS key; log files use SSE-S3 only",
            "SECAI3.3 needs KMS encryption for the audit record of GenAI activity",
        ),
    }
}

fn trail_log_file_validation(trail: &Trail, _params: &Params) -> Outcome {
    if trail.log_file_validation {
        Outcome::compliant(
            "log file validation is on",
            "digest files make any change to delivered log files detectable",
        )
    } else {
        Outcome::non_compliant(
            "log file validation is off",
            "a changed or deleted log file would go unnoticed",
        )
    }
}

fn multi_region_trail_logging(account: &Account, _params: &Params) -> Outcome {
    let trails = match &account.trails {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(trails) => trails,
    };
    let known = |r: &Readable<bool>| r.as_ref().ok().copied();
    if let Some(good) = trails.iter().find(|t| {
        t.multi_region
            && known(&t.is_logging) == Some(true)
            && known(&t.management_events) == Some(true)
    }) {
        return Outcome::compliant(
            format!(
                "trail {} is multi-region, logging, and records management events",
                good.name
            ),
            "every control-plane call to Bedrock, SageMaker, IAM and KMS in every region is recorded with its caller",
        );
    }
    let undecided: Vec<&str> = trails
        .iter()
        .filter(|t| t.multi_region)
        .filter(|t| {
            known(&t.is_logging) != Some(false) && known(&t.management_events) != Some(false)
        })
        .filter(|t| t.is_logging.is_err() || t.management_events.is_err())
        .map(|t| t.name.as_str())
        .collect();
    if !undecided.is_empty() {
        return Outcome::could_not_evaluate(format!(
            "the logging state of multi-region trail(s) {} could not be read",
            undecided.join(", ")
        ));
    }
    let observed = if trails.is_empty() {
        "the account has no trail".to_owned()
    } else {
        let described: Vec<String> = trails
            .iter()
            .map(|t| {
                let mut gaps = Vec::new();
                if !t.multi_region {
                    gaps.push("single-region");
                }
                if known(&t.is_logging) == Some(false) {
                    gaps.push("not logging");
                }
                if known(&t.management_events) == Some(false) {
                    gaps.push("no management events");
                }
                format!("{} ({})", t.name, gaps.join(", "))
            })
            .collect();
        format!("no trail qualifies: {}", described.join("; "))
    };
    Outcome::non_compliant(
        observed,
        "without it, who called GenAI APIs, and when, is not recorded in every region",
    )
}

// Data events of the GenAI resource types (SECAI3.15).

/// The CloudTrail data-event resource types of Bedrock and Bedrock AgentCore whose calls carry
/// prompts, retrievals and agent activity (CloudTrail User Guide, "Logging data events": the
/// InvokeModel and Converse family are management events and need no data selector).
pub const GENAI_DATA_EVENT_TYPES: &[&str] = &[
    "AWS::Bedrock::AgentAlias",
    "AWS::Bedrock::AsyncInvoke",
    "AWS::Bedrock::FlowAlias",
    "AWS::Bedrock::Guardrail",
    "AWS::Bedrock::InlineAgent",
    "AWS::Bedrock::KnowledgeBase",
    "AWS::Bedrock::Model",
    "AWS::Bedrock::PromptVersion",
    "AWS::BedrockAgentCore::Browser",
    "AWS::BedrockAgentCore::BrowserCustom",
    "AWS::BedrockAgentCore::CodeInterpreter",
    "AWS::BedrockAgentCore::CodeInterpreterCustom",
    "AWS::BedrockAgentCore::Gateway",
    "AWS::BedrockAgentCore::Memory",
    "AWS::BedrockAgentCore::Runtime",
    "AWS::BedrockAgentCore::RuntimeEndpoint",
];

/// SECAI3.15: a logging trail records the data events of every GenAI resource type, read and write.
pub static GENAI_DATA_EVENTS_LOGGED: Check = Check {
    id: "cloudtrail_genai_data_events_logged",
    version: 1,
    title: "CloudTrail trails log read and write data events of every Bedrock and AgentCore resource type",
    controls: &[&SECAI3_15],
    security_hub: &[],
    severity: Severity::Medium,
    api_actions: TRAIL_ACTIONS,
    passes_when: "For each data-event resource type of the services genaiDataEventServices names (default bedrock,agentcore: Bedrock agent aliases, async invocations, flow aliases, guardrails, inline agents, knowledge bases, models, prompt versions; AgentCore browsers, code interpreters, gateways, memories, runtimes and runtime endpoints), a trail that is logging in the region selects its data events, read-only and write, for every resource of the type (a selector narrowed by ARN, event name or another field does not count).",
    remediation: "aws cloudtrail put-event-selectors --trail-name <trail> --advanced-event-selectors '[{\"Name\":\"Management\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]}]},{\"Name\":\"GenAI data events\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},{\"Field\":\"resources.type\",\"Equals\":[\"AWS::Bedrock::AgentAlias\",\"AWS::Bedrock::KnowledgeBase\",...]}]}]' (one selector per resource type if a selector takes only one).",
    evaluator: Evaluator::Account(genai_data_events_logged),
};

fn genai_data_events_logged(account: &Account, params: &Params) -> Outcome {
    let trails = match &account.trails {
        Err(unreadable) => return Outcome::could_not_evaluate(unreadable.reason.clone()),
        Ok(trails) => trails,
    };
    let logging: Vec<&Trail> = trails
        .iter()
        .filter(|t| matches!(t.is_logging, Ok(true)))
        .collect();
    let covers = |resource_type: &str, read: bool| {
        logging.iter().any(|t| {
            t.data_events.as_ref().is_ok_and(|selections| {
                selections.iter().any(|s| {
                    s.resource_type == resource_type
                        && s.narrowed_by.is_none()
                        && if read { s.read } else { s.write }
                })
            })
        })
    };
    let services = params.genai_data_event_services;
    let required: Vec<&str> = GENAI_DATA_EVENT_TYPES
        .iter()
        .copied()
        .filter(|t| services.requires(t))
        .collect();
    let mut missing = Vec::new();
    for resource_type in &required {
        let gaps: Vec<&str> = [(true, "read"), (false, "write")]
            .into_iter()
            .filter(|(read, _)| !covers(resource_type, *read))
            .map(|(_, what)| what)
            .collect();
        if !gaps.is_empty() {
            missing.push(format!("{resource_type} ({})", gaps.join(", ")));
        }
    }
    if missing.is_empty() {
        let names: Vec<&str> = logging.iter().map(|t| t.name.as_str()).collect();
        return Outcome::compliant(
            format!(
                "logging trail(s) {} select read and write data events of all {} resource types of {} (genaiDataEventServices)",
                names.join(", "),
                required.len(),
                services.as_str()
            ),
            "agent invocations, retrievals, guardrail evaluations and AgentCore calls are recorded with their caller",
        );
    }
    // A trail that may be logging and whose selectors could not be read could close the gap.
    let undecided: Vec<String> = trails
        .iter()
        .filter(|t| !matches!(t.is_logging, Ok(false)))
        .filter_map(|t| match (&t.is_logging, &t.data_events) {
            (_, Err(u)) | (Err(u), Ok(_)) => Some(format!("{} ({})", t.name, u.reason)),
            _ => None,
        })
        .collect();
    if !undecided.is_empty() {
        return Outcome::could_not_evaluate(format!(
            "the data events of {} are not logged by a trail read, and the state of trail(s) {} could not be read",
            missing.join(", "),
            undecided.join("; ")
        ));
    }
    let narrowed: Vec<String> = logging
        .iter()
        .flat_map(|t| {
            t.data_events
                .as_ref()
                .map(|s| s.as_slice())
                .unwrap_or_default()
                .iter()
                .filter_map(move |s| {
                    let by = s.narrowed_by.as_deref()?;
                    Some(format!(
                        "{} on {} narrowed by {by}",
                        t.name, s.resource_type
                    ))
                })
        })
        .collect();
    let mut observed = if logging.is_empty() {
        "no trail is logging in the region".to_owned()
    } else {
        format!(
            "no logging trail selects data events of {}",
            missing.join(", ")
        )
    };
    if !narrowed.is_empty() {
        observed.push_str(&format!(
            " (selectors that do not count: {})",
            narrowed.join("; ")
        ));
    }
    Outcome::non_compliant(
        observed,
        "without data events, who invoked agents, knowledge bases, guardrails and AgentCore resources, and when, is not recorded",
    )
}

//! The AWS Security Hub CSPM "AI Security Best Practices" standard v1.0.0 (31 controls), and how
//! far the catalog decides it.
//!
//! Which checks decide a control is never written here: it is derived from the checks'
//! [`security_hub`](crate::catalog::Check::security_hub) metadata. Each control here says only
//! whether checks decide it ([`Coverage::Decided`], with how ours differs when it does), why
//! resource state cannot decide it ([`Coverage::Undecidable`]), or what is missing before a
//! check can ([`Coverage::NotYet`]); a test holds the two sides together.
//!
//! Source: the standard's page and the Bedrock, Bedrock AgentCore and SageMaker control pages of
//! the Security Hub user guide (`securityhub/latest/userguide/standards-ai-security.md`,
//! `bedrock-controls.md`, `bedrockagentcore-controls.md`, `sagemaker-controls.md`), for titles,
//! severities, resource types and fail conditions.

use crate::catalog::{CHECKS, Check, Severity};

/// The standard's ARN; `<region>` is the Region code.
pub const STANDARD_ARN: &str =
    "arn:aws:securityhub:<region>::standards/ai-security-best-practices/v/1.0.0";

/// The standard's name, as Security Hub shows it.
pub const STANDARD_NAME: &str = "AI Security Best Practices v1.0.0";

/// How far the catalog decides one control of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Checks decide it: those whose `security_hub` names the control. `differs` says where
    /// their verdict can differ from Security Hub's, if anywhere.
    Decided {
        /// Where our verdict can differ from the control's, in one sentence.
        differs: Option<&'static str>,
    },
    /// Resource state cannot decide it, and why.
    Undecidable(&'static str),
    /// No check decides it yet: what is missing.
    NotYet(&'static str),
}

/// One control of the standard.
#[derive(Debug)]
pub struct StandardControl {
    /// The Security Hub control id, e.g. `SageMaker.1`.
    pub id: &'static str,
    /// The control's title.
    pub title: &'static str,
    /// Security Hub's severity of a failed finding.
    pub severity: Severity,
    /// The resource type it evaluates (CloudFormation / Config spelling).
    pub resource_type: &'static str,
    /// How far the catalog decides it.
    pub coverage: Coverage,
}

impl StandardControl {
    /// The checks that decide the control: every check whose `security_hub` names it.
    pub fn checks(&self) -> impl Iterator<Item = &'static Check> + '_ {
        CHECKS
            .iter()
            .copied()
            .filter(move |c| c.security_hub.contains(&self.id))
    }
}

/// How the monitoring schedule checks differ from SageMaker.14 and .22.
const SCHEDULE_NAMED_DEFINITION: Coverage = Coverage::Decided {
    differs: Some(
        "a schedule's Config item carries only the name of a job definition it names, so the Config rule answers could-not-evaluate for it; the sweep and the drift path read the named definition",
    ),
};

macro_rules! standard {
    ($($id:literal, $severity:ident, $resource:literal, $title:literal, $coverage:expr;)*) => {
        /// The 31 controls of the standard, in the standard's order.
        pub static STANDARD: &[StandardControl] = &[
            $(StandardControl {
                id: $id,
                title: $title,
                severity: Severity::$severity,
                resource_type: $resource,
                coverage: $coverage,
            },)*
        ];
    };
}

const DECIDED: Coverage = Coverage::Decided { differs: None };

standard! {
    "Bedrock.1", Medium, "AWS::Bedrock::DataSource",
        "Amazon Bedrock data sources should be encrypted with customer managed AWS KMS keys", DECIDED;
    "BedrockAgentCore.1", High, "AWS::BedrockAgentCore::Runtime",
        "Bedrock AgentCore runtimes should be configured with VPC network mode",
        Coverage::Decided { differs: Some("ours is stricter, judging every version ListAgentRuntimeVersions lists (an endpoint can still serve an older PUBLIC one), where Security Hub judges the current configuration") };
    "BedrockAgentCore.2", High, "AWS::BedrockAgentCore::Gateway",
        "Bedrock AgentCore Gateways should require authorization for inbound requests", DECIDED;
    "BedrockAgentCore.3", Medium, "AWS::BedrockAgentCore::Memory",
        "Bedrock AgentCore Memory should be encrypted with customer managed AWS KMS keys", DECIDED;
    "BedrockAgentCore.4", Medium, "AWS::BedrockAgentCore::Gateway",
        "Bedrock AgentCore Gateway should be encrypted with customer managed AWS KMS keys", DECIDED;
    "BedrockAgentCore.5", High, "AWS::BedrockAgentCore::BrowserCustom",
        "Bedrock AgentCore custom browsers should not use public network mode", DECIDED;
    "BedrockAgentCore.6", Medium, "AWS::BedrockAgentCore::BrowserCustom",
        "Bedrock AgentCore custom browsers should have session recording enabled", DECIDED;
    "BedrockAgentCore.7", High, "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Bedrock AgentCore custom code interpreters should use a private network configuration", DECIDED;
    "SageMaker.1", High, "AWS::SageMaker::NotebookInstance",
        "Amazon SageMaker notebook instances should not have direct internet access", DECIDED;
    "SageMaker.2", High, "AWS::SageMaker::NotebookInstance",
        "SageMaker notebook instances should be launched in a custom VPC", DECIDED;
    "SageMaker.3", High, "AWS::SageMaker::NotebookInstance",
        "Users should not have root access to SageMaker notebook instances", DECIDED;
    "SageMaker.4", Medium, "AWS::SageMaker::EndpointConfig",
        "SageMaker endpoint production variants should have an initial instance count greater than 1", DECIDED;
    "SageMaker.5", Medium, "AWS::SageMaker::Model",
        "SageMaker models should have network isolation enabled", DECIDED;
    "SageMaker.8", Medium, "AWS::SageMaker::NotebookInstance",
        "SageMaker notebook instances should run on supported platforms",
        Coverage::Decided { differs: Some("a notebook whose PlatformIdentifier is not reported is could-not-evaluate here") };
    "SageMaker.9", Medium, "AWS::SageMaker::DataQualityJobDefinition",
        "SageMaker data quality job definitions should have inter-container traffic encryption enabled", DECIDED;
    "SageMaker.10", Medium, "AWS::SageMaker::ModelExplainabilityJobDefinition",
        "SageMaker model explainability job definitions should have inter-container traffic encryption enabled", DECIDED;
    "SageMaker.11", Medium, "AWS::SageMaker::DataQualityJobDefinition",
        "SageMaker data quality job definitions should have network isolation enabled", DECIDED;
    "SageMaker.12", Medium, "AWS::SageMaker::ModelBiasJobDefinition",
        "SageMaker model bias job definitions should have network isolation enabled", DECIDED;
    "SageMaker.13", Medium, "AWS::SageMaker::ModelQualityJobDefinition",
        "SageMaker model quality job definitions should have inter-container traffic encryption enabled", DECIDED;
    "SageMaker.14", Medium, "AWS::SageMaker::MonitoringSchedule",
        "SageMaker monitoring schedules should have network isolation enabled", SCHEDULE_NAMED_DEFINITION;
    "SageMaker.15", Medium, "AWS::SageMaker::ModelBiasJobDefinition",
        "SageMaker model bias job definitions should have inter-container traffic encryption enabled",
        Coverage::Decided { differs: Some("ours is stricter, failing definitions with an instance count of 1 too, which Security Hub passes") };
    "SageMaker.16", Medium, "AWS::SageMaker::Model",
        "SageMaker models should use private registry in VPC for primary containers",
        Coverage::Decided { differs: Some("a model without a primary container (an inference pipeline) is not applicable here, SageMaker.19 judges it") };
    "SageMaker.17", Medium, "AWS::SageMaker::FeatureGroup",
        "SageMaker feature group offline stores should be encrypted with AWS KMS keys", DECIDED;
    "SageMaker.18", Medium, "AWS::SageMaker::FeatureGroup",
        "SageMaker feature group online stores with standard storage should be encrypted with AWS KMS keys",
        Coverage::Decided { differs: Some("ours is stricter, judging every enabled online store (InMemory and Standard_V2 too), where Security Hub judges Standard storage only") };
    "SageMaker.19", Medium, "AWS::SageMaker::Model",
        "SageMaker models should use private registry in VPC for multi-container inference pipelines", DECIDED;
    "SageMaker.20", High, "AWS::SageMaker::ModelExplainabilityJobDefinition",
        "SageMaker model explainability job definitions should have network isolation enabled", DECIDED;
    "SageMaker.21", Medium, "AWS::SageMaker::NotebookInstance",
        "SageMaker notebook instances should be encrypted with customer managed AWS KMS keys", DECIDED;
    "SageMaker.22", Medium, "AWS::SageMaker::MonitoringSchedule",
        "SageMaker monitoring schedules should have inter-container traffic encryption enabled", SCHEDULE_NAMED_DEFINITION;
    "SageMaker.23", Medium, "AWS::SageMaker::InferenceExperiment",
        "SageMaker inference experiments should have instance storage volume encrypted with customer managed AWS KMS keys", DECIDED;
    "SageMaker.24", Medium, "AWS::SageMaker::InferenceExperiment",
        "SageMaker inference experiments should have data storage encrypted with customer managed AWS KMS keys", DECIDED;
    "SageMaker.25", High, "AWS::SageMaker::ModelQualityJobDefinition",
        "SageMaker model quality job definitions should have network isolation enabled", DECIDED;
}

/// The control of the standard with this id.
pub fn standard_control(id: &str) -> Option<&'static StandardControl> {
    STANDARD.iter().find(|c| c.id == id)
}

/// How many of the standard's controls checks decide.
pub fn decided_count() -> usize {
    STANDARD
        .iter()
        .filter(|c| matches!(c.coverage, Coverage::Decided { .. }))
        .count()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_standard_has_its_31_controls_once_each() {
        assert_eq!(STANDARD.len(), 31);
        let ids: HashSet<&str> = STANDARD.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), STANDARD.len());
        for control in STANDARD {
            assert!(!control.title.is_empty(), "{}", control.id);
            assert!(control.resource_type.starts_with("AWS::"), "{}", control.id);
        }
    }

    #[test]
    fn every_control_is_decided_by_a_check_or_says_why_not_and_never_both() {
        for control in STANDARD {
            let deciding = control.checks().count();
            match control.coverage {
                Coverage::Decided { differs } => {
                    assert!(
                        deciding > 0,
                        "{} is marked decided but no check names it",
                        control.id
                    );
                    assert!(differs.is_none_or(|d| !d.is_empty()), "{}", control.id);
                }
                Coverage::Undecidable(why) | Coverage::NotYet(why) => {
                    assert_eq!(
                        deciding, 0,
                        "{} is decided by a check but also says why it is not",
                        control.id
                    );
                    assert!(!why.is_empty(), "{} gives no reason", control.id);
                }
            }
        }
    }

    #[test]
    fn every_security_hub_id_on_a_check_names_a_control_of_the_standard_for_its_type() {
        for check in CHECKS.iter() {
            for id in check.security_hub {
                let control = standard_control(id)
                    .unwrap_or_else(|| panic!("{} names {id}, not in the standard", check.id));
                assert_eq!(
                    control.resource_type,
                    check.resource_type().cfn_type(),
                    "{} reads another resource type than {id}",
                    check.id
                );
            }
        }
    }

    #[test]
    fn the_decided_count_counts_the_controls_checks_name() {
        let named: HashSet<&str> = CHECKS
            .iter()
            .flat_map(|c| c.security_hub.iter().copied())
            .collect();
        assert_eq!(decided_count(), named.len());
    }
}

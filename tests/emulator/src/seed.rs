//! The data an emulator starts with: account, Region, assessments, control sets and controls.
//!
//! [`Seed::default_genai`] is the demo world. Tests that need other shapes (for example control
//! names that match a pattern twice) build their own [`Seed`] from the public fields or with the
//! small builder methods.

use std::io;

use crate::http::is_uuid;

/// Id of the ACTIVE demo assessment in [`Seed::default_genai`].
pub const DEMO_ASSESSMENT_ID: &str = "9f1c7c55-3b2a-4c1e-9d7e-5a0b6c2d8e41";
/// Id of the INACTIVE assessment in [`Seed::default_genai`].
pub const INACTIVE_ASSESSMENT_ID: &str = "4d2e8a10-7b3c-4f5e-8a9b-0c1d2e3f4a5b";
/// Name of the framework both default assessments are built from.
pub const GENAI_FRAMEWORK_NAME: &str = "AWS Generative AI Best Practices Framework v2";
/// Id of that framework in the emulator (a fixed UUID; the real one differs per Region).
pub const GENAI_FRAMEWORK_ID: &str = "6f8e3b1a-2c4d-4e5f-9a0b-1c2d3e4f5a6b";

/// Everything an [`crate::Emulator`] knows when it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    /// Twelve-digit AWS account id used in ARNs and evidence records.
    pub account_id: String,
    /// Region used in ARNs.
    pub region: String,
    /// Assessments, in the order `ListAssessments` returns them.
    pub assessments: Vec<SeedAssessment>,
}

/// Status of a seeded assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentStatus {
    /// Collects evidence; manual evidence can be imported.
    Active,
    /// Read-only; manual evidence imports are rejected.
    Inactive,
}

impl AssessmentStatus {
    /// The API spelling (`ACTIVE` / `INACTIVE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
        }
    }
}

/// One assessment and the framework it was created from.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedAssessment {
    /// Lower-case UUID.
    pub id: String,
    /// Assessment name.
    pub name: String,
    /// Assessment description.
    pub description: String,
    /// ACTIVE or INACTIVE.
    pub status: AssessmentStatus,
    /// Compliance type shown in the metadata.
    pub compliance_type: String,
    /// Creation time, epoch seconds.
    pub creation_time: f64,
    /// Framework id (a UUID).
    pub framework_id: String,
    /// Framework name.
    pub framework_name: String,
    /// Framework description.
    pub framework_description: String,
    /// Control sets; their `id` is the set NAME, as in the real API.
    pub control_sets: Vec<SeedControlSet>,
}

/// One control set of an assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedControlSet {
    /// The control set name, which the API uses as its id.
    pub id: String,
    /// Description.
    pub description: String,
    /// Controls of this set.
    pub controls: Vec<SeedControl>,
}

/// One control of a control set.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedControl {
    /// Lower-case UUID.
    pub id: String,
    /// Control name as the console shows it.
    pub name: String,
    /// Description.
    pub description: String,
}

impl SeedControl {
    /// A control with an empty description.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: String::new(),
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

impl SeedControlSet {
    /// A control set with the given name (= id) and controls.
    pub fn new(id: impl Into<String>, controls: Vec<SeedControl>) -> Self {
        let id = id.into();
        Self {
            description: format!("{id} controls"),
            id,
            controls,
        }
    }
}

impl SeedAssessment {
    /// An assessment on the GenAI framework with no control sets yet.
    pub fn new(id: impl Into<String>, name: impl Into<String>, status: AssessmentStatus) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            status,
            compliance_type: "AWS Generative AI".to_owned(),
            creation_time: 1_767_225_600.0, // 2026-01-01T00:00:00Z
            framework_id: GENAI_FRAMEWORK_ID.to_owned(),
            framework_name: GENAI_FRAMEWORK_NAME.to_owned(),
            framework_description: "Best practices for generative AI workloads (emulated)."
                .to_owned(),
            control_sets: Vec::new(),
        }
    }

    /// Appends a control set.
    pub fn with_control_set(mut self, set: SeedControlSet) -> Self {
        self.control_sets.push(set);
        self
    }

    /// Finds a control by control-set name and control name.
    pub fn control(&self, control_set: &str, control_name: &str) -> Option<&SeedControl> {
        self.control_sets
            .iter()
            .find(|s| s.id == control_set)?
            .controls
            .iter()
            .find(|c| c.name == control_name)
    }
}

/// The deterministic control UUID number `n` used by the default seed.
pub fn control_uuid(n: u64) -> String {
    format!("0b7a1c2d-0000-4000-8000-{n:012x}")
}

impl Seed {
    /// An empty world for the given account and Region.
    pub fn new(account_id: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            account_id: account_id.into(),
            region: region.into(),
            assessments: Vec::new(),
        }
    }

    /// Appends an assessment.
    pub fn with_assessment(mut self, assessment: SeedAssessment) -> Self {
        self.assessments.push(assessment);
        self
    }

    /// Finds an assessment by id.
    pub fn assessment(&self, id: &str) -> Option<&SeedAssessment> {
        self.assessments.iter().find(|a| a.id == id)
    }

    /// The demo world: account `123456789012` in `us-east-1`, the ACTIVE assessment
    /// [`DEMO_ASSESSMENT_ID`] with the eight GenAI control sets, and the INACTIVE assessment
    /// [`INACTIVE_ASSESSMENT_ID`] built from the same framework (so with the same control ids,
    /// as in Audit Manager, where assessment controls keep the framework's control ids).
    pub fn default_genai() -> Self {
        let sets = genai_control_sets();
        let mut active = SeedAssessment::new(
            DEMO_ASSESSMENT_ID,
            "GenAI best practices (demo)",
            AssessmentStatus::Active,
        );
        active.description = "Demo assessment for the genai-evidence suite.".to_owned();
        active.control_sets = sets.clone();
        let mut inactive = SeedAssessment::new(
            INACTIVE_ASSESSMENT_ID,
            "Closed assessment",
            AssessmentStatus::Inactive,
        );
        inactive.description = "A completed assessment (read-only).".to_owned();
        inactive.control_sets = sets;
        Self::new("123456789012", "us-east-1")
            .with_assessment(active)
            .with_assessment(inactive)
    }

    /// Checks the seed against the API's id rules, so that the emulator never serves ids the
    /// real service could not have.
    pub fn validate(&self) -> io::Result<()> {
        let bad = |msg: String| Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!("account id {:?} is not 12 digits", self.account_id));
        }
        for (i, a) in self.assessments.iter().enumerate() {
            if !is_uuid(&a.id) {
                return bad(format!("assessment id {:?} is not a lower-case UUID", a.id));
            }
            if self.assessments[..i].iter().any(|o| o.id == a.id) {
                return bad(format!("assessment id {:?} is used twice", a.id));
            }
            for (j, set) in a.control_sets.iter().enumerate() {
                if set.id.is_empty() || set.id.chars().count() > 300 {
                    return bad(format!("control set id {:?} is not 1..=300 chars", set.id));
                }
                if a.control_sets[..j].iter().any(|o| o.id == set.id) {
                    return bad(format!("control set {:?} is used twice", set.id));
                }
                for c in &set.controls {
                    if !is_uuid(&c.id) {
                        return bad(format!("control id {:?} is not a lower-case UUID", c.id));
                    }
                    let dup = a
                        .control_sets
                        .iter()
                        .flat_map(|s| &s.controls)
                        .filter(|o| o.id == c.id)
                        .count();
                    if dup > 1 {
                        return bad(format!("control id {:?} is used twice in {}", c.id, a.id));
                    }
                }
            }
        }
        Ok(())
    }
}

fn genai_control_sets() -> Vec<SeedControlSet> {
    let mut n = 0_u64;
    let mut control = |name: &str, description: &str| {
        n += 1;
        SeedControl::new(control_uuid(n), name).with_description(description)
    };
    vec![
        SeedControlSet::new(
            "Responsible",
            vec![
                control(
                    "RESPAI3.8: Document Risks and Tolerances",
                    "Document the risks of the AI system and the organisation's tolerance for them.",
                ),
                control(
                    "RESPAI3.9 Develop AI RACI",
                    "Define who is responsible, accountable, consulted and informed for AI systems.",
                ),
                control(
                    "Continuous Risk Monitoring",
                    "RESPAI3.13: Monitor AI risks continuously and act on changes.",
                ),
                control(
                    "RESPAI3.15: Ethical Guidelines",
                    "Establish and follow ethical guidelines for AI development and use.",
                ),
            ],
        ),
        SeedControlSet::new(
            "Safe",
            vec![control(
                "Guardrails for harmful content",
                "Filter harmful prompts and model outputs with guardrails.",
            )],
        ),
        SeedControlSet::new(
            "Fair",
            vec![control(
                "Bias monitoring",
                "Monitor model outputs for bias across groups.",
            )],
        ),
        SeedControlSet::new(
            "Sustainable",
            vec![control(
                "Model reuse documentation",
                "Document reuse of existing models instead of training new ones.",
            )],
        ),
        SeedControlSet::new(
            "Resilience",
            vec![control(
                "Real-time monitoring and alerting",
                "Monitor AI workloads in real time and alert on anomalies.",
            )],
        ),
        SeedControlSet::new(
            "Privacy",
            vec![control(
                "PII detection and redaction",
                "Detect and redact personal data in prompts, outputs and training data.",
            )],
        ),
        SeedControlSet::new(
            "Accuracy",
            vec![
                control(
                    "ACCUAI3.4: Regular Audits",
                    "Audit models and data regularly for accuracy.",
                ),
                control(
                    "ACCUAI3.6 Source Verification",
                    "Verify the sources of training and grounding data.",
                ),
                control(
                    "ACCUAI3.14: Quality Data Sourcing",
                    "Source training data of known quality.",
                ),
                control(
                    "Error analysis",
                    "Analyse model errors and feed the findings back into development.",
                ),
            ],
        ),
        SeedControlSet::new(
            "Secure",
            vec![
                control(
                    "SECAI3.2: Data Encryption In Transit",
                    "Encrypt data in transit to and from AI services.",
                ),
                control(
                    "SECAI3.3 Data Encryption At Rest",
                    "Encrypt training data, models and outputs at rest.",
                ),
                control(
                    "Least Privilege",
                    "Grant AI workloads and users only the permissions they need.",
                ),
                control(
                    "SECAI3.8: Periodic Reviews",
                    "Review access and configuration of AI systems periodically.",
                ),
                control(
                    "SECAI3.15: Access Logging",
                    "Log access to models, data and endpoints.",
                ),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_seed_is_valid_and_has_the_eight_genai_control_sets() {
        let seed = Seed::default_genai();
        seed.validate().unwrap();
        let a = seed.assessment(DEMO_ASSESSMENT_ID).unwrap();
        let ids: Vec<&str> = a.control_sets.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Responsible",
                "Safe",
                "Fair",
                "Sustainable",
                "Resilience",
                "Privacy",
                "Accuracy",
                "Secure"
            ]
        );
        assert!(a.control("Secure", "Least Privilege").is_some());
        assert_eq!(
            seed.assessment(INACTIVE_ASSESSMENT_ID).unwrap().status,
            AssessmentStatus::Inactive
        );
    }

    #[test]
    fn seed_with_a_non_uuid_control_id_is_rejected() {
        let seed = Seed::new("123456789012", "us-east-1").with_assessment(
            SeedAssessment::new(DEMO_ASSESSMENT_ID, "x", AssessmentStatus::Active)
                .with_control_set(SeedControlSet::new(
                    "S",
                    vec![SeedControl::new("nope", "c")],
                )),
        );
        assert!(seed.validate().is_err());
    }
}

//! The controls of the AWS Audit Manager "AWS Generative AI Best Practices Framework v2" that
//! this suite produces evidence for, with their published ids and names.
//!
//! Only twelve of the framework's 110 controls have ids and names published as text (AWS
//! Security Blog, 2025-01-02; see `../shared/reference/aws-contracts.md` §1.2). The rest are
//! matched by name in the assessment at run time, or mapped with an explicit override.

use std::fmt;

/// The framework's eight principles; in an assessment each is a control set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principle {
    /// Ethical guidelines for deployment and use.
    Responsible,
    /// Boundaries that prevent harmful output.
    Safe,
    /// Impact on different groups of users.
    Fair,
    /// Efficiency and sustainable power.
    Sustainable,
    /// Integrity and availability.
    Resilience,
    /// Protection of sensitive data.
    Privacy,
    /// Accurate, reliable, robust systems.
    Accuracy,
    /// Prevention of unauthorised access.
    Secure,
}

impl Principle {
    /// Every principle, in the framework's order.
    pub const ALL: [Principle; 8] = [
        Principle::Responsible,
        Principle::Safe,
        Principle::Fair,
        Principle::Sustainable,
        Principle::Resilience,
        Principle::Privacy,
        Principle::Accuracy,
        Principle::Secure,
    ];

    /// The principle's name.
    pub fn name(self) -> &'static str {
        match self {
            Principle::Responsible => "Responsible",
            Principle::Safe => "Safe",
            Principle::Fair => "Fair",
            Principle::Sustainable => "Sustainable",
            Principle::Resilience => "Resilience",
            Principle::Privacy => "Privacy",
            Principle::Accuracy => "Accuracy",
            Principle::Secure => "Secure",
        }
    }
}

impl fmt::Display for Principle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One framework control.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FrameworkControl {
    /// The published id, e.g. `SECAI3.3`.
    pub id: &'static str,
    /// The published name, e.g. `Data Encryption At Rest`.
    pub name: &'static str,
    /// The principle (control set) it sits under.
    pub principle: Principle,
    /// Whether AWS published the id. Unpublished controls carry a local id (`GENAI-…`) and are
    /// found in an assessment by their name, or mapped with `CONTROL_MAP`.
    pub published: bool,
}

impl fmt::Display for FrameworkControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.name)
    }
}

macro_rules! controls {
    ($($konst:ident = $id:literal, $name:literal, $principle:ident, $published:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "` ", $name, ".")]
            pub const $konst: FrameworkControl =
                FrameworkControl { id: $id, name: $name, principle: Principle::$principle, published: $published };
        )*
        /// Every control the suite knows, in id order within each principle.
        pub const FRAMEWORK_CONTROLS: &[&FrameworkControl] = &[$(&$konst),*];
    };
}

controls! {
    RESPAI3_8 = "RESPAI3.8", "Document Risks and Tolerances", Responsible, true;
    RESPAI3_9 = "RESPAI3.9", "Develop AI RACI", Responsible, true;
    RESPAI3_13 = "RESPAI3.13", "Continuous Risk Monitoring", Responsible, true;
    RESPAI3_15 = "RESPAI3.15", "Ethical Guidelines", Responsible, true;
    ACCUAI3_4 = "ACCUAI3.4", "Regular Audits", Accuracy, true;
    ACCUAI3_6 = "ACCUAI3.6", "Source Verification", Accuracy, true;
    ACCUAI3_14 = "ACCUAI3.14", "Quality Data Sourcing", Accuracy, true;
    SECAI3_2 = "SECAI3.2", "Data Encryption In Transit", Secure, true;
    SECAI3_3 = "SECAI3.3", "Data Encryption At Rest", Secure, true;
    SECAI3_7 = "SECAI3.7", "Least Privilege", Secure, true;
    SECAI3_8 = "SECAI3.8", "Periodic Reviews", Secure, true;
    SECAI3_15 = "SECAI3.15", "Access Logging", Secure, true;
    SAFE_GUARDRAILS = "GENAI-SAFE-GUARDRAILS", "Guardrails for harmful content", Safe, false;
    PRIVACY_PII = "GENAI-PRIVACY-PII", "PII detection and redaction", Privacy, false;
}

/// The control with this id, if the suite knows it.
pub fn framework_control(id: &str) -> Option<&'static FrameworkControl> {
    FRAMEWORK_CONTROLS.iter().copied().find(|c| c.id == id)
}

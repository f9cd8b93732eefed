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
}

impl fmt::Display for FrameworkControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.name)
    }
}

macro_rules! controls {
    ($($konst:ident = $id:literal, $name:literal, $principle:ident;)*) => {
        $(
            #[doc = concat!("`", $id, "` ", $name, ".")]
            pub const $konst: FrameworkControl =
                FrameworkControl { id: $id, name: $name, principle: Principle::$principle };
        )*
        /// Every control the suite knows, in id order within each principle.
        pub const FRAMEWORK_CONTROLS: &[&FrameworkControl] = &[$(&$konst),*];
    };
}

controls! {
    RESPAI3_8 = "RESPAI3.8", "Document Risks and Tolerances", Responsible;
    RESPAI3_9 = "RESPAI3.9", "Develop AI RACI", Responsible;
    RESPAI3_13 = "RESPAI3.13", "Continuous Risk Monitoring", Responsible;
    RESPAI3_15 = "RESPAI3.15", "Ethical Guidelines", Responsible;
    ACCUAI3_4 = "ACCUAI3.4", "Regular Audits", Accuracy;
    ACCUAI3_6 = "ACCUAI3.6", "Source Verification", Accuracy;
    ACCUAI3_14 = "ACCUAI3.14", "Quality Data Sourcing", Accuracy;
    SECAI3_2 = "SECAI3.2", "Data Encryption In Transit", Secure;
    SECAI3_3 = "SECAI3.3", "Data Encryption At Rest", Secure;
    SECAI3_7 = "SECAI3.7", "Least Privilege", Secure;
    SECAI3_8 = "SECAI3.8", "Periodic Reviews", Secure;
    SECAI3_15 = "SECAI3.15", "Access Logging", Secure;
}

/// The control with this id, if the suite knows it.
pub fn framework_control(id: &str) -> Option<&'static FrameworkControl> {
    FRAMEWORK_CONTROLS.iter().copied().find(|c| c.id == id)
}

//! genai-evidence: continuous, auditor-ready evidence that an AWS account's generative-AI
//! workloads meet the AWS Audit Manager *generative AI best practices framework*.
//!
//! Data flows one way: a **trigger** ([`triggers`]) parses a Lambda event; the **readers**
//! ([`readers`], one registry entry per resource type) read resource state through the
//! **adapters** ([`adapters`]), which translate it into the pure **domain** ([`domain`]);
//! the **catalog** ([`catalog`]) of checks evaluates it ([`evaluate`]) into findings; **sinks**
//! ([`sinks`]) file the findings (Audit Manager evidence, Config evaluations).
//!
//! `domain`, `catalog` and `evaluate` do no IO and know no SDK type. See `ARCHITECTURE.md`.

// No function of the library longer than 120 lines (clippy.toml sets the threshold): the
// readers, units and checks stay small enough to read at once.
#![warn(clippy::too_many_lines)]

pub use genai_evidence_core::{catalog, domain, drift, evaluate, finding, review};

pub mod adapters;
pub mod aws;
pub mod error;
pub mod member;
pub mod metrics;
pub mod readers;
pub mod recorder;
pub mod settings;
pub mod sinks;
pub mod triggers;

#[cfg(test)]
mod catalog_tests;

#[cfg(test)]
mod proptests;

#[cfg(test)]
mod invariants {
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }

    #[test]
    fn every_module_starts_with_a_doc_line() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        for (path, text) in files {
            assert!(
                text.starts_with("//!"),
                "{path} does not start with a //! line"
            );
        }
    }
}

//! Property-based hostile-input suites of the library's parsers: the Config rule event
//! (`config_event`), every configuration item decoder (`config_item`), the sweep's schedule and
//! continue events (`sweep`), the access review's schedule, continue and attestation events
//! (`access_review`), and the corpus of inputs that once failed (`corpus`, from
//! `tests/fixtures/malformed/`). Each starts from the real shapes (`events/`, `tests/fixtures/`)
//! and mutates them (`hostile`, shared with the core's suites). A run has each suite's default
//! number of cases, or `PROPTEST_CASES` (`make fuzz`).

mod access_review;
mod config_event;
mod config_item;
mod corpus;
#[path = "../../core/src/proptests/hostile.rs"]
pub(crate) mod hostile;
mod sweep;

use std::path::{Path, PathBuf};

use serde_json::Value;

use hostile::Target;

/// A real event and the places in it a mutation may hit.
pub(crate) struct Sample {
    /// Its path, relative to the repository root.
    pub(crate) name: String,
    pub(crate) event: Value,
    pub(crate) targets: Vec<Target>,
}

impl Sample {
    pub(crate) fn new(name: String, event: Value) -> Self {
        Self {
            name,
            targets: hostile::targets(&event),
            event,
        }
    }
}

/// The events under `events/` whose file name starts with `prefix`: exactly `count` of them.
pub(crate) fn event_samples(prefix: &str, count: usize) -> Vec<Sample> {
    let samples: Vec<Sample> = json_files("events")
        .into_iter()
        .filter(|(name, _)| name.starts_with(&format!("events/{prefix}")))
        .map(|(name, event)| Sample::new(name, event))
        .collect();
    assert_eq!(samples.len(), count, "events/{prefix}*");
    samples
}

/// The repository's root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `*.json` file under `dir` (relative to the repository root), recursively, by path,
/// parsed; but not the hostile corpus (`malformed/`: its files are not all JSON).
pub(crate) fn json_files(dir: &str) -> Vec<(String, Value)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("malformed") {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let root = root();
    let mut paths = Vec::new();
    walk(&root.join(dir), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, value)
        })
        .collect()
}

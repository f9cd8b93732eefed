//! Property-based hostile-input suites of the core's parsers: CloudTrail events and the event map
//! (`cloudtrail`), IAM policy documents (`policy`), rule parameters (`params`). Each starts from
//! the real shapes (the samples in `events/`, the policies in `tests/fixtures/` and `events/`, the
//! template's rule parameters) and mutates them (`hostile`). A run has each suite's default number
//! of cases, or `PROPTEST_CASES` (`make fuzz`).

mod cloudtrail;
pub(crate) mod hostile;
mod params;
mod policy;

use serde_json::Value;

/// Every `*.json` file under `dir` (relative to the repository root), recursively, by path,
/// parsed; but not the hostile corpus (`malformed/`: its files are not all JSON). (The whole module is test code, declared under `cfg(test)` in `lib.rs`; the attribute
/// here says so to the crate's no-IO invariant too.)
#[cfg(test)]
pub(crate) fn json_files(dir: &str) -> Vec<(String, Value)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
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
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
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

//! Prints the check catalog (id, framework controls, resource type); `--markdown` prints
//! `docs/controls.md`; `--actions` prints every IAM action the collectors read with.

use genai_evidence::catalog::reference;

fn main() {
    let flag = std::env::args().nth(1).unwrap_or_default();
    match flag.as_str() {
        "--markdown" => print!("{}", reference::markdown()),
        "--actions" => print!("{}", reference::actions().join("\n") + "\n"),
        _ => print!("{}", reference::listing()),
    }
}

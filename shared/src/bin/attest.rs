//! `attest`: writes the access-review sign-off event for people who do not write JSON by hand.
//! It checks the attestation as the function will (the function also checks it against the
//! review), and prints the event to give `aws lambda invoke --payload`.
//!
//! ```text
//! cargo run -q -p genai-evidence --bin attest -- --review <review id> --reviewer <name> \
//!     --keep <principal arn>[=<note>] --revoke <arn>[=<note>] --accept <arn>[=<note>] [--note <text>]
//! ```

use genai_evidence::review::attest::{Attestation, Decision, DecisionKind};

const USAGE: &str = "usage: attest --review <review id> --reviewer <name> [--keep|--revoke|--accept <principal arn>[=<note>]]... [--note <text>]";

fn parse(args: &[String]) -> Result<Attestation, String> {
    let mut review = None;
    let mut reviewer = None;
    let mut note = None;
    let mut decisions = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?
            .clone();
        let decision = match flag.as_str() {
            "--review" => {
                review = Some(value);
                continue;
            }
            "--reviewer" => {
                reviewer = Some(value);
                continue;
            }
            "--note" => {
                note = Some(value);
                continue;
            }
            "--keep" => DecisionKind::Keep,
            "--revoke" => DecisionKind::Revoke,
            "--accept" => DecisionKind::AcceptedRisk,
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        };
        // An ARN has no '=', so the first one starts the note.
        let (principal, note) = match value.split_once('=') {
            Some((arn, note)) => (arn.to_owned(), Some(note.to_owned())),
            None => (value, None),
        };
        decisions.push(Decision {
            principal,
            decision,
            note,
        });
    }
    let attestation = Attestation {
        review_id: review.ok_or_else(|| format!("--review is required\n{USAGE}"))?,
        reviewer: reviewer.ok_or_else(|| format!("--reviewer is required\n{USAGE}"))?,
        decisions,
        note,
    };
    let value = serde_json::to_value(&attestation).map_err(|e| e.to_string())?;
    Attestation::parse(&value).map_err(|e| e.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(attestation) => {
            println!("{}", serde_json::json!({ "attestation": attestation }));
        }
        Err(e) => {
            eprintln!("attest: {e}");
            std::process::exit(2);
        }
    }
}

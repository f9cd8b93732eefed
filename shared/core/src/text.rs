//! Cutting text to a character budget, on a character boundary (evidence, annotations, error
//! messages and logs never carry more than they may), and naming a JSON value's kind without
//! echoing it.

use serde_json::Value;

/// The JSON kind of a value, for an error that names a field (never the value itself: it may be
/// customer data, or hostile and unbounded).
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Cuts `text` to at most `max` characters on a character boundary, ending with `…` when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_on_a_character_boundary_with_an_ellipsis() {
        assert_eq!(truncate_chars("short", 10), "short");
        assert_eq!(truncate_chars("üüüüü", 3), "üü…");
        assert_eq!(truncate_chars("abc", 0), "…");
    }
}

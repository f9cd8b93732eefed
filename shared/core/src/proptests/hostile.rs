//! Hostile JSON for the property suites: a real sample (an event from `events/`, a fixture from
//! `tests/fixtures/`) with one node mutated: removed, nulled, retyped, duplicated, made huge
//! (1 MiB strings, 10,000-element lists), nested hundreds of levels deep, or given hostile text.
//! A JSON string that holds JSON (`invokingEvent`, `ruleParameters`, a policy text) is a layer of
//! its own: a mutation can land inside it, and the string is written back from the mutated JSON.
//!
//! Test code only, shared by the core's and the library's suites (the library includes this file
//! by path).

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, contextualize_config};
use serde_json::{Value, json};

/// The length of a huge string: 1 MiB.
pub(crate) const HUGE_STRING: usize = 1 << 20;
/// The length of a huge list.
pub(crate) const HUGE_ARRAY: usize = 10_000;
/// The most characters an error message may have: hostile input stays out of errors and logs.
pub(crate) const MAX_ERROR_CHARS: usize = 2048;

/// A suite's configuration: `cases` by default, `PROPTEST_CASES` when set (`make fuzz`). A
/// failure is shrunk and reported with its input; it is not written to a file (add it to
/// `tests/fixtures/malformed/` instead).
pub(crate) fn config(cases: u32) -> Config {
    contextualize_config(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    })
}

/// What is done to the chosen node.
#[derive(Debug, Clone)]
pub(crate) enum Hostile {
    /// The field (or list element) is removed.
    Remove,
    /// The node is replaced: by null, another type, or hostile text.
    Replace(Value),
    /// The node becomes a list of itself twice.
    Duplicate,
    /// In text, the key is written twice, with a number before (`hostile_last: false`) or after
    /// the real value; JSON keeps the last one.
    DuplicateKey {
        /// The number comes last, so it is the value kept.
        hostile_last: bool,
    },
    /// A 1 MiB string (the node's own text repeated, when it is a string).
    HugeString,
    /// A list of 10,000 elements (copies of the node when it is a scalar).
    HugeArray,
    /// The node wrapped in this many levels of lists and objects.
    Deep(usize),
}

/// Where a mutation lands: a JSON pointer, then a pointer inside the JSON text held by that
/// string, and so on (`["/invokingEvent", "/configurationItem/resourceId"]`).
pub(crate) type Target = Vec<String>;

/// One mutation of a sample.
#[derive(Debug, Clone)]
pub(crate) struct Mutation {
    /// Which node, as an index into the sample's targets.
    pub(crate) at: Index,
    /// What is done to it.
    pub(crate) hostile: Hostile,
}

/// Numbers no field expects: limits, overflows of `u32` and `i64`, fractions, negatives.
fn hostile_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => proptest::sample::select(vec![
            json!(0),
            json!(-1),
            json!(4_294_967_297_u64),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(-0.0),
            json!(1e308),
        ]),
        1 => any::<i64>().prop_map(|n| json!(n)),
    ]
}

/// Text no field expects: empty, blank, control characters, JSON-looking text, bad escapes and
/// dates, right-to-left overrides, and any printable text.
pub(crate) fn hostile_text() -> impl Strategy<Value = String> {
    const FIXED: &[&str] = &[
        "",
        "   ",
        "\u{0}\u{1}\u{1b}[2J",
        "null",
        "true",
        "-1",
        "1e400",
        "{",
        "[]",
        "{\"Statement\":",
        "%",
        "%zz%E2%82",
        "\u{202e}gnp.exe",
        "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü",
        "*",
        "arn:aws:::::",
        "9999-99-99T99:99:99Z",
        "2026-02-30T00:00:00+25:00",
    ];
    prop_oneof![
        3 => proptest::sample::select(FIXED).prop_map(str::to_owned),
        1 => "\\PC{0,48}",
        1 => "[ -~]{0,24}",
    ]
}

/// A value of another JSON type.
fn retyped() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        hostile_number(),
        Just(json!([])),
        Just(json!([1, "a", null, {}])),
        Just(json!({})),
        Just(json!({"k": "v", "": [true]})),
        hostile_text().prop_map(Value::String),
    ]
}

/// Any mutation.
pub(crate) fn hostile() -> impl Strategy<Value = Hostile> {
    prop_oneof![
        3 => Just(Hostile::Remove),
        2 => Just(Hostile::Replace(Value::Null)),
        5 => retyped().prop_map(Hostile::Replace),
        1 => Just(Hostile::Duplicate),
        1 => any::<bool>().prop_map(|hostile_last| Hostile::DuplicateKey { hostile_last }),
        1 => Just(Hostile::HugeString),
        1 => Just(Hostile::HugeArray),
        1 => (129_usize..400).prop_map(Hostile::Deep),
    ]
}

/// Any mutation at any node.
pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    (any::<Index>(), hostile()).prop_map(|(at, hostile)| Mutation { at, hostile })
}

/// The pointer of `key` under `parent`.
fn child(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// The JSON a string holds, when it holds an object or a list.
fn embedded(text: &str) -> Option<Value> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with(['{', '[']) {
        return None;
    }
    serde_json::from_str(text)
        .ok()
        .filter(|v: &Value| v.is_object() || v.is_array())
}

/// Every node of `value` (the root too), and every node inside the JSON its strings hold.
pub(crate) fn targets(value: &Value) -> Vec<Target> {
    let mut out = Vec::new();
    collect(value, String::new(), &mut out);
    out
}

fn collect(value: &Value, here: String, out: &mut Vec<Target>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                collect(v, child(&here, key), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect(v, format!("{here}/{i}"), out);
            }
        }
        Value::String(text) => {
            if let Some(inner) = embedded(text) {
                for mut target in targets(&inner) {
                    target.insert(0, here.clone());
                    out.push(target);
                }
            }
        }
        _ => (),
    }
    out.push(vec![here]);
}

/// The segments of a target's pointers (unescaped), outermost first: the field names an error
/// may name.
pub(crate) fn segments(target: &[String]) -> Vec<String> {
    target
        .iter()
        .flat_map(|pointer| pointer.split('/').skip(1))
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// True when `message` names one of the fields on the way to the mutated node (in any case:
/// `statement` names `Statement`).
pub(crate) fn names_a_field(message: &str, target: &[String]) -> bool {
    let message = message.to_lowercase();
    segments(target)
        .iter()
        .filter(|s| !s.is_empty() && s.parse::<usize>().is_err())
        .any(|s| message.contains(&s.to_lowercase()))
}

/// The node the mutation replaces `original` with (`None`: it is removed).
fn replacement(original: &Value, hostile: &Hostile) -> Option<Value> {
    let small_leaf = |v: &Value| !v.is_object() && !v.is_array();
    Some(match hostile {
        Hostile::Remove => return None,
        Hostile::Replace(v) => v.clone(),
        Hostile::Duplicate => json!([original, original]),
        Hostile::DuplicateKey { hostile_last } => {
            if *hostile_last {
                json!(7)
            } else {
                original.clone()
            }
        }
        Hostile::HugeString => {
            let seed = original.as_str().filter(|s| !s.is_empty()).unwrap_or("A");
            let mut text = seed.repeat(HUGE_STRING / seed.len() + 1);
            let mut cut = HUGE_STRING;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            Value::String(text)
        }
        Hostile::HugeArray => {
            if small_leaf(original) {
                Value::Array(vec![original.clone(); HUGE_ARRAY])
            } else {
                Value::Array((0..HUGE_ARRAY).map(|i| json!(i)).collect())
            }
        }
        Hostile::Deep(levels) => {
            let mut v = if small_leaf(original) {
                original.clone()
            } else {
                json!("x")
            };
            for level in 0..*levels {
                v = if level % 2 == 0 {
                    json!([v])
                } else {
                    json!({ "k": v })
                };
            }
            v
        }
    })
}

/// `value` with `hostile` done at `pointer` (the root when empty: removing it leaves null).
fn apply(value: &mut Value, pointer: &str, hostile: &Hostile) {
    let Some(original) = value.pointer(pointer).cloned() else {
        return;
    };
    let new = replacement(&original, hostile);
    if pointer.is_empty() {
        *value = new.unwrap_or(Value::Null);
        return;
    }
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let key = last.replace("~1", "/").replace("~0", "~");
    match (value.pointer_mut(parent), new) {
        (Some(Value::Object(map)), None) => {
            map.remove(&key);
        }
        (Some(Value::Array(items)), None) => {
            if let Ok(i) = key.parse::<usize>() {
                items.remove(i);
            }
        }
        (Some(Value::Object(map)), Some(new)) => {
            map.insert(key, new);
        }
        (Some(Value::Array(items)), Some(new)) => {
            if let Some(slot) = key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = new;
            }
        }
        _ => (),
    }
}

/// `sample` with the mutation done, as JSON (a duplicate key keeps its last value, as a JSON
/// parser would).
pub(crate) fn mutate(sample: &Value, target: &[String], hostile: &Hostile) -> Value {
    let mut value = sample.clone();
    match target {
        [] => (),
        [pointer] => apply(&mut value, pointer, hostile),
        [layer, inner @ ..] => {
            if let Some(Value::String(text)) = value.pointer(layer)
                && let Some(embedded) = embedded(text)
            {
                let text = mutate_text(&embedded, inner, hostile);
                if let Some(slot) = value.pointer_mut(layer) {
                    *slot = Value::String(text);
                }
            }
        }
    }
    value
}

/// `sample` with the mutation done, as JSON text (a duplicate key is written twice).
pub(crate) fn mutate_text(sample: &Value, target: &[String], hostile: &Hostile) -> String {
    match (target, hostile) {
        ([pointer], Hostile::DuplicateKey { hostile_last }) if !pointer.is_empty() => {
            let mut out = String::new();
            write(sample, "", (pointer, *hostile_last), &mut out);
            out
        }
        _ => mutate(sample, target, hostile).to_string(),
    }
}

/// Writes `value` as JSON, with the key at `pointer` written twice: `7` and its value.
fn write(value: &Value, here: &str, duplicate: (&str, bool), out: &mut String) {
    let (pointer, hostile_last) = duplicate;
    match value {
        Value::Object(map) => {
            out.push('{');
            let mut first = true;
            let mut entry = |key: &str, v: &Value, path: &str, out: &mut String| {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&Value::String(key.to_owned()).to_string());
                out.push(':');
                write(v, path, duplicate, out);
            };
            for (key, v) in map {
                let path = child(here, key);
                if path == pointer {
                    let decoy = json!(7);
                    let (a, b) = if hostile_last {
                        (v, &decoy)
                    } else {
                        (&decoy, v)
                    };
                    entry(key, a, &path, out);
                    entry(key, b, &path, out);
                } else {
                    entry(key, v, &path, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let path = format!("{here}/{i}");
                if path == pointer {
                    // A list element has no key to repeat: it is given twice instead.
                    write(v, &path, duplicate, out);
                    out.push(',');
                }
                write(v, &path, duplicate, out);
            }
            out.push(']');
        }
        leaf => out.push_str(&leaf.to_string()),
    }
}

/// The reasons of every `Unreadable` in a value's debug text (`Unreadable { reason: "..." }`).
pub(crate) fn unreadable_reasons(debug: &str) -> Vec<String> {
    const MARK: &str = "Unreadable { reason: \"";
    let mut out = Vec::new();
    let mut rest = debug;
    while let Some(start) = rest.find(MARK) {
        let body = &rest[start + MARK.len()..];
        let mut reason = String::new();
        let mut chars = body.char_indices();
        let mut end = body.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        reason.push(escaped);
                    }
                }
                '"' => {
                    end = i;
                    break;
                }
                c => reason.push(c),
            }
        }
        out.push(reason);
        rest = &body[end..];
    }
    out
}

#[test]
fn mutations_land_where_their_target_says_in_every_layer() {
    let sample = json!({
        "a": {"b": [1, 2]},
        "inner": "{\"x\": {\"y\": true}}",
    });
    let all = targets(&sample);
    assert!(all.contains(&vec!["/a/b/1".to_owned()]));
    assert!(all.contains(&vec!["/inner".to_owned(), "/x/y".to_owned()]));
    assert!(all.contains(&vec![String::new()]));
    let removed = mutate(&sample, &["/a/b/0".to_owned()], &Hostile::Remove);
    assert_eq!(removed["a"]["b"], json!([2]));
    let inner = mutate(
        &sample,
        &["/inner".to_owned(), "/x/y".to_owned()],
        &Hostile::Replace(json!("no")),
    );
    assert_eq!(inner["inner"], json!("{\"x\":{\"y\":\"no\"}}"));
    let text = mutate_text(
        &sample,
        &["/a".to_owned()],
        &Hostile::DuplicateKey { hostile_last: true },
    );
    assert!(text.starts_with("{\"a\":{\"b\":[1,2]},\"a\":7,"), "{text}");
    let kept: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(kept["a"], json!(7));
    let huge = mutate(&sample, &["/a/b/0".to_owned()], &Hostile::HugeString);
    assert_eq!(huge["a"]["b"][0].as_str().unwrap().len(), HUGE_STRING);
    let deep = mutate(&sample, &["/a".to_owned()], &Hostile::Deep(300));
    assert!(serde_json::from_str::<Value>(&deep.to_string()).is_err());
    assert!(names_a_field(
        "the event has no detail.eventName",
        &["/detail/eventName".to_owned()]
    ));
    assert!(!names_a_field(
        "something failed",
        &["/detail/0".to_owned()]
    ));
    assert_eq!(
        unreadable_reasons(
            r#"X { a: Err(Unreadable { reason: "no \"k\" here" }), b: Err(Unreadable { reason: "two" }) }"#
        ),
        ["no \"k\" here", "two"]
    );
}

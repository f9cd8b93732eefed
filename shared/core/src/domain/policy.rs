//! IAM policy documents (identity, bucket and key policies) as data, with the matching rules
//! checks need: string-or-list fields, `NotAction`/`NotResource`, wildcards and conditions.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::text::{json_kind, truncate_chars};

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// Who a resource policy statement applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"Principal": "*"`.
    Everyone,
    /// `"Principal": {"AWS": [...], "Service": [...], ...}`.
    Typed(BTreeMap<String, Vec<String>>),
}

impl Principal {
    /// True for `"*"` and for `{"AWS": "*"}` (alone or in a list): anyone at all.
    pub fn is_everyone(&self) -> bool {
        match self {
            Principal::Everyone => true,
            Principal::Typed(map) => map
                .get("AWS")
                .is_some_and(|ids| ids.iter().any(|id| id == "*")),
        }
    }
}

/// One condition test: `"Operator": {"key": [values]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator, e.g. `Bool`, `StringEquals`, `NumericLessThan`.
    pub operator: String,
    /// The condition key, lower-cased (IAM keys are case-insensitive).
    pub key: String,
    /// The values, each as text (`false` and `"false"` are the same to IAM).
    pub values: Vec<String>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal`, if any (identity policies have none).
    pub principal: Option<Principal>,
    /// `NotPrincipal`, if any.
    pub not_principal: Option<Principal>,
    /// `Action` or `NotAction`.
    pub action: ActionSet,
    /// `Resource` or `NotResource`.
    pub resource: ResourceSet,
    /// Every condition test, flattened.
    pub conditions: Vec<Condition>,
}

/// `Action` or `NotAction` patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSet {
    /// `Action`: the statement covers actions matching one of these.
    Only(Vec<String>),
    /// `NotAction`: the statement covers every action matching none of these.
    AllExcept(Vec<String>),
}

/// `Resource` or `NotResource` patterns (a missing element counts as `*`, as in resource policies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceSet {
    /// `Resource`.
    Only(Vec<String>),
    /// `NotResource`.
    AllExcept(Vec<String>),
}

/// Why a policy text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not JSON.
    #[error("policy is not valid JSON: {0}")]
    NotJson(String),
    /// The JSON is not a policy document.
    #[error("policy document is malformed: {0}")]
    Malformed(String),
}

impl PolicyDocument {
    /// Parses a policy from its JSON text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| PolicyError::NotJson(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Parses a policy as IAM returns it: URL-encoded JSON (plain JSON is accepted too).
    pub fn parse_url_encoded(text: &str) -> Result<Self, PolicyError> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            return Self::parse(text);
        }
        let decoded = percent_decode(text)
            .ok_or_else(|| PolicyError::NotJson("bad percent-encoding".into()))?;
        Self::parse(&decoded)
    }

    /// Parses a policy from a JSON value.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let object = value
            .as_object()
            .ok_or_else(|| PolicyError::Malformed("not a JSON object".into()))?;
        let statements = match object.get("Statement") {
            None => return Err(PolicyError::Malformed("no Statement".into())),
            Some(Value::Array(items)) => items
                .iter()
                .map(Statement::from_value)
                .collect::<Result<_, _>>()?,
            Some(single @ Value::Object(_)) => vec![Statement::from_value(single)?],
            Some(_) => {
                return Err(PolicyError::Malformed(
                    "Statement is neither an object nor a list".into(),
                ));
            }
        };
        Ok(Self { statements })
    }
}

impl Statement {
    fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let object = value
            .as_object()
            .ok_or_else(|| PolicyError::Malformed("statement is not an object".into()))?;
        let effect = match object.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            other => {
                // Named by kind, or cut: a document's text never travels whole into an error.
                let found = match object.get("Effect") {
                    None => "missing".to_owned(),
                    Some(Value::String(_)) => {
                        format!("{:?}", truncate_chars(other.unwrap_or(""), 64))
                    }
                    Some(v) => json_kind(v).to_owned(),
                };
                return Err(PolicyError::Malformed(format!(
                    "statement Effect is {found}, expected \"Allow\" or \"Deny\""
                )));
            }
        };
        let action = match (object.get("Action"), object.get("NotAction")) {
            (Some(a), None) => ActionSet::Only(string_list(a, "Action")?),
            (None, Some(n)) => ActionSet::AllExcept(string_list(n, "NotAction")?),
            _ => {
                return Err(PolicyError::Malformed(
                    "statement needs exactly one of Action and NotAction".into(),
                ));
            }
        };
        let resource = match (object.get("Resource"), object.get("NotResource")) {
            (Some(r), None) => ResourceSet::Only(string_list(r, "Resource")?),
            (None, Some(n)) => ResourceSet::AllExcept(string_list(n, "NotResource")?),
            (None, None) => ResourceSet::Only(vec!["*".into()]),
            (Some(_), Some(_)) => {
                return Err(PolicyError::Malformed(
                    "statement has both Resource and NotResource".into(),
                ));
            }
        };
        let mut conditions = Vec::new();
        if let Some(block) = object.get("Condition") {
            let operators = block
                .as_object()
                .ok_or_else(|| PolicyError::Malformed("Condition is not an object".into()))?;
            for (operator, tests) in operators {
                let tests = tests.as_object().ok_or_else(|| {
                    PolicyError::Malformed(format!(
                        "Condition {} is not an object",
                        truncate_chars(operator, 64)
                    ))
                })?;
                for (key, values) in tests {
                    conditions.push(Condition {
                        operator: operator.clone(),
                        key: key.to_ascii_lowercase(),
                        values: string_list(values, "Condition value")?,
                    });
                }
            }
        }
        Ok(Self {
            sid: object.get("Sid").and_then(Value::as_str).map(str::to_owned),
            effect,
            principal: object
                .get("Principal")
                .map(|p| principal(p, "Principal"))
                .transpose()?,
            not_principal: object
                .get("NotPrincipal")
                .map(|p| principal(p, "NotPrincipal"))
                .transpose()?,
            action,
            resource,
            conditions,
        })
    }

    /// True when the statement applies to `action` (IAM action names are case-insensitive).
    pub fn covers_action(&self, action: &str) -> bool {
        match &self.action {
            ActionSet::Only(patterns) => patterns.iter().any(|p| wildcard_match(p, action, true)),
            ActionSet::AllExcept(patterns) => {
                !patterns.iter().any(|p| wildcard_match(p, action, true))
            }
        }
    }

    /// True when the statement applies to every action of a service prefix (`s3:*`, `*`, or a
    /// `NotAction` that excludes nothing of that service).
    pub fn covers_whole_service(&self, service: &str) -> bool {
        let all = format!("{service}:*");
        match &self.action {
            ActionSet::Only(patterns) => patterns
                .iter()
                .any(|p| p == "*" || p.eq_ignore_ascii_case(&all)),
            ActionSet::AllExcept(patterns) => !patterns.iter().any(|p| {
                let prefix = p.split(':').next().unwrap_or("");
                p == "*" || prefix == "*" || prefix.eq_ignore_ascii_case(service)
            }),
        }
    }

    /// True when the statement applies to the resource ARN `arn` (ARNs match case-sensitively).
    pub fn covers_resource(&self, arn: &str) -> bool {
        match &self.resource {
            ResourceSet::Only(patterns) => patterns.iter().any(|p| wildcard_match(p, arn, false)),
            ResourceSet::AllExcept(patterns) => {
                !patterns.iter().any(|p| wildcard_match(p, arn, false))
            }
        }
    }

    /// The condition tests on `key` (given in any case).
    pub fn conditions_on<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a Condition> + 'a {
        let key = key.to_ascii_lowercase();
        self.conditions.iter().filter(move |c| c.key == key)
    }
}

/// A `Principal` or `NotPrincipal` (`what`, which an error names).
fn principal(value: &Value, what: &str) -> Result<Principal, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(Principal::Everyone),
        Value::String(s) => Ok(Principal::Typed(BTreeMap::from([(
            "AWS".to_owned(),
            vec![s.clone()],
        )]))),
        Value::Object(map) => {
            let mut typed = BTreeMap::new();
            for (kind, ids) in map {
                typed.insert(kind.clone(), string_list(ids, what)?);
            }
            Ok(Principal::Typed(typed))
        }
        _ => Err(PolicyError::Malformed(format!(
            "{what} is neither a string nor an object"
        ))),
    }
}

/// A field that IAM accepts as one string or a list of strings; booleans and numbers (condition
/// values) are kept as their text.
fn string_list(value: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(PolicyError::Malformed(format!(
            "{what} holds {}",
            json_kind(v)
        ))),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

/// IAM wildcard matching: `*` is any run of characters, `?` any one character.
pub fn wildcard_match(pattern: &str, value: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| {
        if case_insensitive {
            s.to_ascii_lowercase()
        } else {
            s.to_owned()
        }
    };
    let (p, v) = (fold(pattern), fold(value));
    let (p, v) = (p.as_bytes(), v.as_bytes());
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_iam() {
        assert!(wildcard_match(
            "bedrock:Invoke*",
            "bedrock:InvokeModel",
            true
        ));
        assert!(wildcard_match("s3:*", "S3:GetObject", true));
        assert!(wildcard_match(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/key",
            false
        ));
        assert!(!wildcard_match("arn:aws:s3:::b/*", "arn:aws:s3:::b", false));
        assert!(wildcard_match("arn:aws:s3:::b?", "arn:aws:s3:::bx", false));
        assert!(!wildcard_match("ARN:aws:s3:::b", "arn:aws:s3:::b", false));
    }

    #[test]
    fn single_statements_and_string_fields_parse_like_lists() {
        let doc = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*",
               "Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":false}}}}"#,
        )
        .unwrap();
        let s = &doc.statements[0];
        assert!(s.principal.as_ref().unwrap().is_everyone());
        assert_eq!(
            s.conditions_on("AWS:SecureTransport")
                .next()
                .unwrap()
                .values,
            vec!["false"]
        );
        assert!(s.covers_whole_service("s3"));
    }

    #[test]
    fn not_action_covers_everything_but_what_it_names() {
        let doc = PolicyDocument::parse(
            r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#,
        )
        .unwrap();
        let s = &doc.statements[0];
        assert!(s.covers_action("bedrock:InvokeModel"));
        assert!(!s.covers_action("iam:CreateUser"));
        assert!(s.covers_whole_service("bedrock"));
        assert!(!s.covers_whole_service("iam"));
    }

    #[test]
    fn url_encoded_documents_from_iam_decode() {
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
        let doc = PolicyDocument::parse_url_encoded(encoded).unwrap();
        assert!(doc.statements[0].covers_action("anything:AtAll"));
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        assert!(matches!(
            PolicyDocument::parse("{"),
            Err(PolicyError::NotJson(_))
        ));
        assert!(matches!(
            PolicyDocument::parse("[]"),
            Err(PolicyError::Malformed(_))
        ));
        assert!(matches!(
            PolicyDocument::parse(r#"{"Statement":[{"Effect":"Maybe","Action":"*"}]}"#),
            Err(PolicyError::Malformed(_))
        ));
        assert!(matches!(
            PolicyDocument::parse(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"x"}]}"#
            ),
            Err(PolicyError::Malformed(_))
        ));
    }
}

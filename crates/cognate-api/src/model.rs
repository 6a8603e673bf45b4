//! The botocore model of cognito-idp, loaded once: which operations exist, which are
//! unsigned, and the shapes every request is validated against before it reaches the domain.

use cognate_core::CognitoError;
use serde_json::Value;
use std::collections::HashMap;

mod pattern;
use pattern::Pattern;

/// Operation and error-type names as `&'static str` (metric labels without allocation).
static NAMES: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
    std::sync::OnceLock::new();

/// The protocol's own errors, beside the model's exception shapes.
const PROTOCOL_ERRORS: &[&str] = &[
    "SerializationException",
    "UnknownOperationException",
    "InvalidSignatureException",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "UnrecognizedClientException",
    "RequestEntityTooLargeException",
    "RequestTimeoutException",
    "NotImplementedException",
];

fn static_names(raw: &Value) -> std::collections::HashSet<&'static str> {
    let operations = raw["operations"].as_object().into_iter().flatten();
    let exceptions = raw["shapes"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, s)| s["exception"].as_bool() == Some(true));
    // Leaked once per process: a few hundred short names.
    operations
        .chain(exceptions)
        .map(|(name, _)| &*Box::leak(name.clone().into_boxed_str()))
        .chain(PROTOCOL_ERRORS.iter().copied())
        .collect()
}

/// `name` as a `&'static str` when it is an operation or error type of the model (once a
/// model has been loaded), else `None`.
pub fn static_name(name: &str) -> Option<&'static str> {
    NAMES.get()?.get(name).copied()
}

const MODEL_JSON: &str = include_str!("../model/cognito-idp-2016-04-18.json");

/// Shapes whose model constraints are narrower than what Cognito accepts: `DomainType` is
/// a prefix pattern, yet the same member carries custom domains (`auth.example.com`). The
/// domain layer validates these values itself.
const RELAXED_SHAPES: &[&str] = &["DomainType"];

/// Values longer than this are not repeated in validation messages (they are left out, as
/// for sensitive members: `Value at 'x' failed ...`), so an answer never grows with its input.
const MAX_ECHOED_VALUE: usize = 256;
/// Validation messages list at most this many failures (the count is still exact).
const MAX_LISTED_ERRORS: usize = 10;

#[derive(Debug)]
pub struct Operation {
    pub name: String,
    pub input: Option<String>,
    /// `authtype: none`: authorized by ClientId, token or session instead of SigV4.
    pub unsigned: bool,
}

#[derive(Debug)]
enum Shape {
    Structure {
        members: Vec<(String, String)>,
        required: Vec<String>,
    },
    List {
        member: String,
        min: Option<i64>,
        max: Option<i64>,
    },
    Map {
        key: String,
        value: String,
        min: Option<i64>,
        max: Option<i64>,
    },
    String {
        min: Option<i64>,
        max: Option<i64>,
        pattern: Option<Pattern>,
        enums: Vec<String>,
        sensitive: bool,
    },
    Number {
        integral: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    Timestamp,
    Blob,
}

pub struct Model {
    operations: HashMap<String, Operation>,
    shapes: HashMap<String, Shape>,
}

impl Model {
    pub fn load() -> Self {
        let raw: Value = serde_json::from_str(MODEL_JSON).expect("embedded model is valid JSON");
        let mut operations = HashMap::new();
        for (name, op) in raw["operations"].as_object().expect("operations") {
            operations.insert(
                name.clone(),
                Operation {
                    name: name.clone(),
                    input: op["input"]["shape"].as_str().map(str::to_owned),
                    unsigned: op["authtype"].as_str() == Some("none"),
                },
            );
        }
        let mut shapes = HashMap::new();
        for (name, s) in raw["shapes"].as_object().expect("shapes") {
            let shape = if RELAXED_SHAPES.contains(&name.as_str()) {
                Shape::String {
                    min: Some(1),
                    max: Some(253),
                    pattern: None,
                    enums: Vec::new(),
                    sensitive: false,
                }
            } else {
                parse_shape(s)
            };
            shapes.insert(name.clone(), shape);
        }
        NAMES.get_or_init(|| static_names(&raw));
        Self { operations, shapes }
    }

    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(String::as_str)
    }

    /// Validates a request body against the operation's input shape, with AWS's wording:
    /// `1 validation error detected: Value at 'password' failed to satisfy constraint: ...`.
    pub fn validate(&self, op: &Operation, input: &Value) -> Result<(), CognitoError> {
        let Some(shape) = &op.input else {
            return Ok(());
        };
        let mut errors = Vec::new();
        self.check(shape, input, "", &mut errors);
        if errors.is_empty() {
            return Ok(());
        }
        let n = errors.len();
        let plural = if n == 1 { "error" } else { "errors" };
        // A huge list of bad items must not make a huge message: the count stays exact.
        errors.truncate(MAX_LISTED_ERRORS);
        Err(CognitoError::invalid_parameter(format!(
            "{n} validation {plural} detected: {}",
            errors.join("; ")
        )))
    }

    fn check(&self, shape_name: &str, v: &Value, path: &str, errors: &mut Vec<String>) {
        let Some(shape) = self.shapes.get(shape_name) else {
            return;
        };
        let at = |value: Option<&str>, constraint: String| match value
            .filter(|v| v.len() <= MAX_ECHOED_VALUE)
        {
            Some(val) => {
                format!("Value '{val}' at '{path}' failed to satisfy constraint: {constraint}")
            }
            None => format!("Value at '{path}' failed to satisfy constraint: {constraint}"),
        };
        match shape {
            Shape::Structure { members, required } => {
                let Some(obj) = v.as_object() else {
                    errors.push(at(None, "Member must be a structure".into()));
                    return;
                };
                for r in required {
                    if obj.get(r).is_none_or(Value::is_null) {
                        errors.push(format!(
                            "Value null at '{}' failed to satisfy constraint: Member must not be null",
                            join(path, &lower_camel(r))
                        ));
                    }
                }
                for (member, target) in members {
                    if let Some(mv) = obj.get(member).filter(|x| !x.is_null()) {
                        self.check(target, mv, &join(path, &lower_camel(member)), errors);
                    }
                }
            }
            Shape::List { member, min, max } => {
                let Some(items) = v.as_array() else {
                    errors.push(at(None, "Member must be a list".into()));
                    return;
                };
                check_size(items.len() as i64, *min, *max, |c| errors.push(at(None, c)));
                for (i, item) in items.iter().enumerate() {
                    self.check(member, item, &format!("{path}.{}.member", i + 1), errors);
                }
            }
            Shape::Map {
                key,
                value,
                min,
                max,
            } => {
                let Some(obj) = v.as_object() else {
                    errors.push(at(None, "Member must be a map".into()));
                    return;
                };
                check_size(obj.len() as i64, *min, *max, |c| errors.push(at(None, c)));
                for (k, item) in obj {
                    let k_shown = if k.len() <= MAX_ECHOED_VALUE {
                        k.as_str()
                    } else {
                        "(key too long)"
                    };
                    self.check(
                        key,
                        &Value::String(k.clone()),
                        &format!("{path}.{k_shown}.key"),
                        errors,
                    );
                    self.check(value, item, &format!("{path}.{k_shown}.value"), errors);
                }
            }
            Shape::String {
                min,
                max,
                pattern,
                enums,
                sensitive,
            } => {
                let Some(s) = v.as_str() else {
                    errors.push(at(None, "Member must be a string".into()));
                    return;
                };
                let shown = (!sensitive).then_some(s);
                let len = s.chars().count() as i64;
                if let Some(min) = min.filter(|m| len < *m) {
                    errors.push(at(
                        shown,
                        format!("Member must have length greater than or equal to {min}"),
                    ));
                }
                if let Some(max) = max.filter(|m| len > *m) {
                    errors.push(at(
                        shown,
                        format!("Member must have length less than or equal to {max}"),
                    ));
                }
                if let Some(p) = pattern
                    && !p.matches(s)
                {
                    errors.push(at(
                        shown,
                        format!(
                            "Member must satisfy regular expression pattern: {}",
                            p.source
                        ),
                    ));
                }
                if !enums.is_empty() && !enums.iter().any(|e| e == s) {
                    errors.push(at(
                        shown,
                        format!("Member must satisfy enum value set: [{}]", enums.join(", ")),
                    ));
                }
            }
            Shape::Number { integral, min, max } => {
                let Some(n) = v.as_f64() else {
                    errors.push(at(None, "Member must be a number".into()));
                    return;
                };
                if *integral && !(v.is_i64() || v.is_u64()) {
                    errors.push(at(Some(&v.to_string()), "Member must be an integer".into()));
                    return;
                }
                let shown = v.to_string();
                if let Some(min) = min.filter(|m| n < *m) {
                    errors.push(at(
                        Some(&shown),
                        format!("Member must have value greater than or equal to {min}"),
                    ));
                }
                if let Some(max) = max.filter(|m| n > *m) {
                    errors.push(at(
                        Some(&shown),
                        format!("Member must have value less than or equal to {max}"),
                    ));
                }
            }
            Shape::Boolean => {
                if !v.is_boolean() {
                    errors.push(at(None, "Member must be a boolean".into()));
                }
            }
            Shape::Timestamp => {
                if !v.is_number() {
                    errors.push(at(
                        None,
                        "Member must be a timestamp in epoch seconds".into(),
                    ));
                }
            }
            Shape::Blob => {
                if !v.is_string() {
                    errors.push(at(None, "Member must be a base64-encoded string".into()));
                }
            }
        }
    }
}

fn check_size(len: i64, min: Option<i64>, max: Option<i64>, mut push: impl FnMut(String)) {
    if let Some(min) = min.filter(|m| len < *m) {
        push(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = max.filter(|m| len > *m) {
        push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
}

/// AWS names members in validation messages in lowerCamelCase (`UserPoolId` → `userPoolId`).
fn lower_camel(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

fn parse_shape(s: &Value) -> Shape {
    let int = |k: &str| s[k].as_i64();
    let float = |k: &str| s[k].as_f64();
    match s["type"].as_str().unwrap_or("") {
        "structure" => Shape::Structure {
            members: s["members"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                v["shape"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            required: s["required"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        },
        "list" => Shape::List {
            member: s["member"]["shape"].as_str().unwrap_or_default().to_owned(),
            min: int("min"),
            max: int("max"),
        },
        "map" => Shape::Map {
            key: s["key"]["shape"].as_str().unwrap_or_default().to_owned(),
            value: s["value"]["shape"].as_str().unwrap_or_default().to_owned(),
            min: int("min"),
            max: int("max"),
        },
        "string" => Shape::String {
            min: int("min"),
            max: int("max"),
            pattern: s["pattern"].as_str().map(Pattern::new),
            enums: s["enum"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            sensitive: s["sensitive"].as_bool().unwrap_or(false),
        },
        "integer" | "long" => Shape::Number {
            integral: true,
            min: float("min"),
            max: float("max"),
        },
        "boolean" => Shape::Boolean,
        "timestamp" => Shape::Timestamp,
        "blob" => Shape::Blob,
        _ => Shape::Blob,
    }
}

#[cfg(test)]
mod tests {
    use super::pattern::compile_pattern;
    use super::*;
    use serde_json::json;

    #[test]
    fn every_operation_and_pattern_loads() {
        let m = Model::load();
        assert_eq!(m.operations.len(), 141);
        assert_eq!(m.operations.values().filter(|o| o.unsigned).count(), 34);
        let patterns: Vec<&Pattern> = m
            .shapes
            .values()
            .filter_map(|s| match s {
                Shape::String {
                    pattern: Some(p), ..
                } => Some(p),
                _ => None,
            })
            .collect();
        let uncompilable: Vec<&str> = patterns
            .iter()
            .filter(|p| compile_pattern(&p.source).is_none())
            .map(|p| p.source.as_str())
            .collect();
        // Only the look-behind of the terms ID pattern is beyond the regex crate.
        assert_eq!(uncompilable, ["^[0-9A-Za-z\\.\\-_]*(?<!\\.)$"]);
    }

    #[test]
    fn aws_style_messages() {
        let m = Model::load();
        let op = m.operation("DescribeUserPool").unwrap();
        let e = m.validate(op, &json!({})).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        );
        let e = m
            .validate(op, &json!({"UserPoolId": "bad id"}))
            .unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'bad id' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
        );
        let e = m.validate(op, &json!({"UserPoolId": 5})).unwrap_err();
        assert!(
            e.message
                .contains("at 'userPoolId' failed to satisfy constraint: Member must be a string")
        );
        let op = m.operation("AdminSetUserPassword").unwrap();
        let e = m
            .validate(
                op,
                &json!({"UserPoolId": "us-east-1_abc", "Username": "u", "Password": ""}),
            )
            .unwrap_err();
        assert!(
            e.message
                .contains("Value at 'password' failed to satisfy constraint"),
            "{}",
            e.message
        );
        let op = m.operation("ListUsers").unwrap();
        let e = m
            .validate(op, &json!({"UserPoolId": "us-east-1_abc", "Limit": 61}))
            .unwrap_err();
        assert!(
            e.message
                .contains("Member must have value less than or equal to 60"),
            "{}",
            e.message
        );
    }
}

//! The attribute schema of a pool: Cognito's standard attributes, `custom:` attributes, and
//! the checks applied to attribute values written by admins and users.

use crate::error::{CognitoError, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct StringConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct NumberConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
}

/// `SchemaAttributeType`. Stored with every member resolved; input may omit most.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_data_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_only_attribute: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<NumberConstraints>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringConstraints>,
}

impl SchemaAttribute {
    pub fn data_type(&self) -> &str {
        self.attribute_data_type.as_deref().unwrap_or("String")
    }
    pub fn is_mutable(&self) -> bool {
        self.mutable.unwrap_or(true)
    }
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(false)
    }
    pub fn is_custom(&self) -> bool {
        self.name.starts_with("custom:") || self.name.starts_with("dev:custom:")
    }
}

/// (name, type, mutable, min length) of Cognito's standard attributes, in the order
/// DescribeUserPool lists them.
const STANDARD: &[(&str, &str, bool, &str)] = &[
    ("sub", "String", false, "1"),
    ("name", "String", true, "0"),
    ("given_name", "String", true, "0"),
    ("family_name", "String", true, "0"),
    ("middle_name", "String", true, "0"),
    ("nickname", "String", true, "0"),
    ("preferred_username", "String", true, "0"),
    ("profile", "String", true, "0"),
    ("picture", "String", true, "0"),
    ("website", "String", true, "0"),
    ("email", "String", true, "0"),
    ("email_verified", "Boolean", true, ""),
    ("gender", "String", true, "0"),
    ("birthdate", "String", true, "10"),
    ("zoneinfo", "String", true, "0"),
    ("locale", "String", true, "0"),
    ("phone_number", "String", true, "0"),
    ("phone_number_verified", "Boolean", true, ""),
    ("address", "String", true, "0"),
    ("updated_at", "Number", true, ""),
    ("identities", "String", true, "0"),
];

pub fn is_standard(name: &str) -> bool {
    STANDARD.iter().any(|(n, ..)| *n == name)
}

fn standard_attribute(name: &str, data_type: &str, mutable: bool, min: &str) -> SchemaAttribute {
    let mut a = SchemaAttribute {
        name: name.to_owned(),
        attribute_data_type: Some(data_type.to_owned()),
        developer_only_attribute: Some(false),
        mutable: Some(mutable),
        required: Some(name == "sub"),
        ..Default::default()
    };
    match data_type {
        "String" => {
            let max = if name == "birthdate" { "10" } else { "2048" };
            a.string_attribute_constraints = Some(StringConstraints {
                min_length: Some(min.into()),
                max_length: Some(max.into()),
            });
        }
        "Number" => {
            a.number_attribute_constraints = Some(NumberConstraints {
                min_value: Some("0".into()),
                max_value: None,
            });
        }
        _ => {}
    }
    a
}

/// The schema of a new pool: the standard attributes, adjusted by what the request's `Schema`
/// says of them, followed by its custom attributes.
pub fn build_pool_schema(requested: Vec<SchemaAttribute>) -> Result<Vec<SchemaAttribute>> {
    let mut schema: Vec<SchemaAttribute> = STANDARD
        .iter()
        .map(|(n, t, m, min)| standard_attribute(n, t, *m, min))
        .collect();
    let mut custom = Vec::new();
    for attr in requested {
        if attr.name.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "Attribute name must be provided.",
            ));
        }
        if let Some(std) = schema.iter_mut().find(|a| a.name == attr.name) {
            if attr.name == "sub" && (attr.mutable == Some(true) || attr.required == Some(false)) {
                return Err(CognitoError::invalid_parameter(
                    "Invalid attribute sub: it cannot be changed.",
                ));
            }
            let other_type = attr
                .attribute_data_type
                .as_ref()
                .is_some_and(|t| Some(t) != std.attribute_data_type.as_ref());
            if other_type || attr.developer_only_attribute == Some(true) {
                return Err(CognitoError::invalid_parameter(format!(
                    "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
                    attr.name
                )));
            }
            if let Some(r) = attr.required {
                std.required = Some(r);
            }
            if let Some(m) = attr.mutable {
                std.mutable = Some(m);
            }
            // The same bounds as custom attributes: integers, min <= max, strings <= 2048.
            if let Some(c) = attr.string_attribute_constraints {
                check_bounds(&c.min_length, &c.max_length, Some(2048))?;
                std.string_attribute_constraints = Some(c);
            }
            if let Some(c) = attr.number_attribute_constraints {
                check_bounds(&c.min_value, &c.max_value, None)?;
                std.number_attribute_constraints = Some(c);
            }
        } else {
            custom.push(attr);
        }
    }
    add_custom_attributes(&mut schema, custom)?;
    Ok(schema)
}

/// Appends `custom:` attributes (AddCustomAttributes or a new pool's Schema).
pub fn add_custom_attributes(
    schema: &mut Vec<SchemaAttribute>,
    attributes: Vec<SchemaAttribute>,
) -> Result<()> {
    let existing = schema.iter().filter(|a| a.is_custom()).count();
    if existing + attributes.len() > 50 {
        return Err(CognitoError::invalid_parameter(
            "A user pool can have at most 50 custom attributes.",
        ));
    }
    for attr in attributes {
        let base = attr
            .name
            .strip_prefix("custom:")
            .unwrap_or(&attr.name)
            .to_owned();
        if base.is_empty() || base.chars().count() > 20 {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid custom attribute name {}: the name must be 1 to 20 characters.",
                attr.name
            )));
        }
        if attr.required == Some(true) {
            return Err(CognitoError::invalid_parameter(
                "Required custom attributes are not supported currently.",
            ));
        }
        let developer_only = attr.developer_only_attribute.unwrap_or(false);
        let full = if developer_only {
            format!("dev:custom:{base}")
        } else {
            format!("custom:{base}")
        };
        if schema
            .iter()
            .any(|a| a.name == full || a.name == format!("custom:{base}"))
        {
            return Err(CognitoError::invalid_parameter(format!(
                "Existing attribute already has name {full}."
            )));
        }
        let data_type = attr
            .attribute_data_type
            .clone()
            .unwrap_or_else(|| "String".into());
        let mut resolved = SchemaAttribute {
            name: full,
            attribute_data_type: Some(data_type.clone()),
            developer_only_attribute: Some(developer_only),
            mutable: Some(attr.mutable.unwrap_or(true)),
            required: Some(false),
            ..Default::default()
        };
        match data_type.as_str() {
            "String" => {
                let c = attr.string_attribute_constraints.unwrap_or_default();
                check_bounds(&c.min_length, &c.max_length, Some(2048))?;
                resolved.string_attribute_constraints = Some(c);
            }
            "Number" => {
                let c = attr.number_attribute_constraints.unwrap_or_default();
                check_bounds(&c.min_value, &c.max_value, None)?;
                resolved.number_attribute_constraints = Some(c);
            }
            _ => {}
        }
        schema.push(resolved);
    }
    Ok(())
}

fn check_bounds(min: &Option<String>, max: &Option<String>, cap: Option<i64>) -> Result<()> {
    let parse = |v: &Option<String>| -> Result<Option<i64>> {
        v.as_deref()
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    CognitoError::invalid_parameter(format!(
                        "Invalid constraint value {s}: must be an integer."
                    ))
                })
            })
            .transpose()
    };
    let (lo, hi) = (parse(min)?, parse(max)?);
    if let (Some(lo), Some(hi)) = (lo, hi)
        && lo > hi
    {
        return Err(CognitoError::invalid_parameter(
            "Invalid attribute constraints: minimum is greater than maximum.",
        ));
    }
    if let (Some(cap), Some(hi)) = (cap, hi)
        && hi > cap
    {
        return Err(CognitoError::invalid_parameter(format!(
            "Invalid attribute constraints: maximum length cannot exceed {cap}."
        )));
    }
    Ok(())
}

/// Checks one attribute value against its schema entry's type and constraints.
pub fn check_value(attr: &SchemaAttribute, value: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(CognitoError::invalid_parameter(format!(
            "Invalid user attributes: {}: {why}",
            attr.name
        )))
    };
    match attr.data_type() {
        "Boolean" => {
            // Cognito takes any case ("True"); it is stored as `true` / `false`.
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                return bad("Attribute value must be true or false.");
            }
        }
        "Number" => {
            let Ok(n) = value.parse::<f64>() else {
                return bad("Number attribute value must be a number.");
            };
            if let Some(c) = &attr.number_attribute_constraints {
                if let Some(min) = c.min_value.as_deref().and_then(|m| m.parse::<f64>().ok())
                    && n < min
                {
                    return bad("Number is less than the minimum value.");
                }
                if let Some(max) = c.max_value.as_deref().and_then(|m| m.parse::<f64>().ok())
                    && n > max
                {
                    return bad("Number is greater than the maximum value.");
                }
            }
        }
        "DateTime" => {}
        _ => {
            let len = value.chars().count() as i64;
            if let Some(c) = &attr.string_attribute_constraints {
                if let Some(min) = c.min_length.as_deref().and_then(|m| m.parse::<i64>().ok())
                    && len < min
                {
                    return bad("String is shorter than the minimum length.");
                }
                let max = c
                    .max_length
                    .as_deref()
                    .and_then(|m| m.parse::<i64>().ok())
                    .unwrap_or(2048);
                if len > max {
                    return bad("String is longer than the maximum length.");
                }
            }
        }
    }
    if INDEXED.contains(&attr.name.as_str()) && value.len() > MAX_INDEXED_BYTES {
        // The column is indexed for look-ups and filters; PostgreSQL indexes hold at most
        // about 2.7 KB an entry.
        return bad("String is longer than the maximum length.");
    }
    match attr.name.as_str() {
        "email" if !looks_like_email(value) => Err(CognitoError::invalid_parameter(
            "Invalid email address format.",
        )),
        "phone_number" if !looks_like_phone(value) => Err(CognitoError::invalid_parameter(
            "Invalid phone number format.",
        )),
        "birthdate" if !looks_like_date(value) => {
            bad("Birthdate must be in the format YYYY-MM-DD.")
        }
        _ => Ok(()),
    }
}

/// Attributes stored in indexed columns of their own (ListUsers filters, sign-in aliases), in
/// the store's column order.
pub const INDEXED: [&str; 6] = [
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
];
/// The most bytes (UTF-8) an indexed attribute value holds: 2,048 characters of ASCII.
const MAX_INDEXED_BYTES: usize = 2048;

/// The value as stored: booleans in lower case (`True` → `true`), everything else as given.
pub fn canonical_value(attr: &SchemaAttribute, value: &str) -> String {
    if attr.data_type() == "Boolean" {
        value.to_ascii_lowercase()
    } else {
        value.to_owned()
    }
}

pub fn looks_like_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    !local.is_empty() && !domain.is_empty() && !v.chars().any(char::is_whitespace)
}

pub fn looks_like_phone(v: &str) -> bool {
    let digits = v.strip_prefix('+').unwrap_or("");
    (2..=16).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

fn looks_like_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_schema_and_custom_attributes() {
        let schema = build_pool_schema(vec![
            SchemaAttribute {
                name: "email".into(),
                required: Some(true),
                ..Default::default()
            },
            SchemaAttribute {
                name: "tier".into(),
                attribute_data_type: Some("Number".into()),
                ..Default::default()
            },
        ])
        .unwrap();
        assert!(schema.iter().any(|a| a.name == "email" && a.is_required()));
        assert!(
            schema
                .iter()
                .any(|a| a.name == "custom:tier" && a.data_type() == "Number")
        );
        let err = build_pool_schema(vec![SchemaAttribute {
            name: "x".into(),
            required: Some(true),
            ..Default::default()
        }])
        .unwrap_err();
        assert_eq!(
            err.message,
            "Required custom attributes are not supported currently."
        );
    }

    #[test]
    fn value_checks() {
        let schema = build_pool_schema(vec![]).unwrap();
        let email = schema.iter().find(|a| a.name == "email").unwrap();
        assert!(check_value(email, "a@b.c").is_ok());
        assert!(check_value(email, "nope").is_err());
        let phone = schema.iter().find(|a| a.name == "phone_number").unwrap();
        assert!(check_value(phone, "+15551234567").is_ok());
        assert!(check_value(phone, "555").is_err());
    }
}

//! The `ListUsers` filter grammar: `<attribute> = "<value>"` (exact) or `<attribute> ^= "<value>"`
//! (prefix), one attribute, spaces optional, `\"` escapes a quote. An empty filter lists all.

use crate::error::{CognitoError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Equals,
    Prefix,
}

/// A parsed filter, in terms the store understands. `column` is one of a fixed set of
/// column names, never caller input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    Column {
        column: &'static str,
        op: FilterOp,
        value: String,
    },
    Enabled(bool),
    /// The filter can match no user (e.g. `status = "Sleeping"`).
    Nothing,
}

/// Searchable attributes and the store column each lives in.
const SEARCHABLE: &[(&str, &str)] = &[
    ("username", "username"),
    ("email", "email"),
    ("phone_number", "phone_number"),
    ("name", "name"),
    ("given_name", "given_name"),
    ("family_name", "family_name"),
    ("preferred_username", "preferred_username"),
    ("cognito:user_status", "status"),
    ("sub", "sub"),
];

fn parse_error() -> CognitoError {
    CognitoError::invalid_parameter("Error while parsing filter.")
}

pub fn parse(filter: &str) -> Result<Option<UserFilter>> {
    let s = filter.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .ok_or_else(parse_error)?;
    let (name, rest) = s.split_at(name_end);
    let rest = rest.trim_start();
    let (op, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (FilterOp::Prefix, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (FilterOp::Equals, r)
    } else {
        return Err(parse_error());
    };
    let rest = rest.trim_start();
    let mut chars = rest.strip_prefix('"').ok_or_else(parse_error)?.chars();
    let mut value = String::new();
    loop {
        match chars.next() {
            None => return Err(parse_error()),
            Some('\\') => value.push(chars.next().ok_or_else(parse_error)?),
            Some('"') => break,
            Some(c) => value.push(c),
        }
    }
    if !chars.as_str().trim().is_empty() {
        return Err(parse_error());
    }
    if name == "status" {
        let matches = |word: &str| match op {
            FilterOp::Equals => word == value,
            FilterOp::Prefix => word.starts_with(&value),
        };
        return Ok(Some(match (matches("Enabled"), matches("Disabled")) {
            (true, false) => UserFilter::Enabled(true),
            (false, true) => UserFilter::Enabled(false),
            // Only an empty prefix matches both words: every user.
            (true, true) => return Ok(None),
            (false, false) => UserFilter::Nothing,
        }));
    }
    let column = SEARCHABLE
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .ok_or_else(parse_error)?;
    // User statuses compare case-insensitively; they are stored upper-case.
    let value = if column == "status" {
        value.to_uppercase()
    } else {
        value
    };
    Ok(Some(UserFilter::Column { column, op, value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(
            parse("email^=\"testuser\"").unwrap(),
            Some(UserFilter::Column {
                column: "email",
                op: FilterOp::Prefix,
                value: "testuser".into()
            })
        );
        assert_eq!(
            parse(r#"family_name = "O\"Brien""#).unwrap(),
            Some(UserFilter::Column {
                column: "family_name",
                op: FilterOp::Equals,
                value: "O\"Brien".into()
            })
        );
        assert_eq!(
            parse("cognito:user_status = \"confirmed\"").unwrap(),
            Some(UserFilter::Column {
                column: "status",
                op: FilterOp::Equals,
                value: "CONFIRMED".into()
            })
        );
        assert_eq!(
            parse("status = \"Disabled\"").unwrap(),
            Some(UserFilter::Enabled(false))
        );
        for bad in [
            "email",
            "email = x",
            "email = \"x",
            "custom:tier = \"1\"",
            "email ~ \"x\"",
            "email = \"x\" extra",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().message,
                "Error while parsing filter.",
                "{bad}"
            );
        }
    }
}

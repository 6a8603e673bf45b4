//! Request bodies from the model's shapes, preferring the known resources, and the ways
//! they are broken.

use super::Known;
use crate::common::PASSWORD;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

const ODD_STRINGS: &[&str] = &[
    "",
    " ",
    "null",
    "us-east-1_",
    "us-east-1_doesNotExist",
    "../../etc/passwd",
    "' OR 1=1 --",
    "\u{0}",
    "\u{202e}rtl",
    "😀😀😀",
    "%00%ff",
    "{\"nested\":\"json\"}",
    "<script>alert(1)</script>",
    "a\r\nX-Injected: 1",
    "userAttributes.email",
    "username = \"x\"",
    "email ^= \"",
    "name = \"\\\"",
    "cg1.!!!",
    "cg1.dGVzdA",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
];

pub(super) struct Gen<'a> {
    pub(super) shapes: &'a Map<String, Value>,
    pub(super) rng: StdRng,
    pub(super) known: &'a Known,
    /// Whether the operation at hand would delete the known pool or client: then they are
    /// not offered, so the rest of the run keeps reaching the domain with them.
    pub(super) destructive: bool,
}

impl Gen<'_> {
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    pub(super) fn odd_string(&mut self) -> String {
        match self.rng.random_range(0..10) {
            0 => "x".repeat(self.rng.random_range(1..70_000)),
            1 => (0..self.rng.random_range(1..40))
                .map(|_| char::from_u32(self.rng.random_range(0x20..0x2FFF)).unwrap_or('?'))
                .collect(),
            _ => ODD_STRINGS[self.rng.random_range(0..ODD_STRINGS.len())].to_owned(),
        }
    }

    /// A value for a member, preferring the real resource its name refers to.
    fn known_value(&mut self, member: &str) -> Option<Value> {
        if self.destructive || !self.chance(0.7) {
            return None;
        }
        let k = self.known;
        let v = match member {
            "UserPoolId" => k.pool.clone(),
            "ClientId" => k.client.clone(),
            "ClientSecret" => k.secret.clone(),
            "ResourceArn" => k.arn.clone(),
            "AccessToken" => k.access_token.clone(),
            "RefreshToken" | "Token" => k.refresh_token.clone(),
            "Username" => ["fuzz-user", "fuzz-new", "ghost"][self.rng.random_range(0..3)].into(),
            "GroupName" => "fuzz-group".into(),
            "Password" | "TemporaryPassword" | "ProposedPassword" | "PreviousPassword" => {
                PASSWORD.into()
            }
            "Domain" => "fuzz-domain".into(),
            "Identifier" => "https://api.fuzz".into(),
            "AuthFlow" => [
                "USER_PASSWORD_AUTH",
                "ADMIN_USER_PASSWORD_AUTH",
                "REFRESH_TOKEN_AUTH",
                "USER_SRP_AUTH",
            ][self.rng.random_range(0..4)]
            .into(),
            "AuthParameters" | "ChallengeResponses" => {
                return Some(json!({
                    "USERNAME": "fuzz-user", "PASSWORD": PASSWORD,
                    "REFRESH_TOKEN": k.refresh_token, "NEW_PASSWORD": PASSWORD,
                    "SECRET_HASH": "AAAA", "SRP_A": "ab",
                }));
            }
            _ => return None,
        };
        Some(Value::String(v))
    }

    pub(super) fn value(&mut self, shape_name: &str, member: &str, depth: usize) -> Value {
        if let Some(v) = self.known_value(member) {
            return v;
        }
        let shape = self.shapes[shape_name].clone();
        match shape["type"].as_str().unwrap_or("string") {
            "structure" if depth < 4 => {
                let required: Vec<&str> = shape["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut out = Map::new();
                if let Some(members) = shape["members"].as_object() {
                    for (name, m) in members {
                        let wanted = if required.contains(&name.as_str()) {
                            0.95
                        } else {
                            0.35
                        };
                        if self.chance(wanted) {
                            let target = m["shape"].as_str().unwrap_or_default().to_owned();
                            out.insert(name.clone(), self.value(&target, name, depth + 1));
                        }
                    }
                }
                Value::Object(out)
            }
            "structure" => json!({}),
            "list" => {
                let member_shape = shape["member"]["shape"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let n = self.rng.random_range(0..4);
                Value::Array(
                    (0..n)
                        .map(|_| self.value(&member_shape, "", depth + 1))
                        .collect(),
                )
            }
            "map" => {
                let value_shape = shape["value"]["shape"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let mut out = Map::new();
                for _ in 0..self.rng.random_range(0..4) {
                    let key = self.odd_string();
                    let key: String = key.chars().take(64).collect();
                    out.insert(key, self.value(&value_shape, "", depth + 1));
                }
                Value::Object(out)
            }
            "integer" | "long" => {
                let min = shape["min"].as_i64().unwrap_or(-5);
                let max = shape["max"].as_i64().unwrap_or(100_000);
                if self.chance(0.8) && min <= max {
                    json!(self.rng.random_range(min..=max))
                } else {
                    json!(self.rng.random_range(-1_000_000_000i64..1_000_000_000))
                }
            }
            "boolean" => json!(self.chance(0.5)),
            "timestamp" => json!(self.rng.random_range(0..2_000_000_000i64)),
            "blob" => json!("aGVsbG8="),
            _ => {
                if let Some(values) = shape["enum"].as_array()
                    && !values.is_empty()
                    && self.chance(0.85)
                {
                    return values[self.rng.random_range(0..values.len())].clone();
                }
                if self.chance(0.5) {
                    let n = self.rng.random_range(1..24);
                    Value::String(
                        (0..n)
                            .map(|_| char::from(self.rng.random_range(b'a'..=b'z')))
                            .collect(),
                    )
                } else {
                    Value::String(self.odd_string())
                }
            }
        }
    }

    /// Breaks a well-formed body in one of several ways.
    pub(super) fn mutate(&mut self, body: Value) -> Vec<u8> {
        let mut body = body;
        match self.rng.random_range(0..10) {
            0 => return b"{\"unterminated\": ".to_vec(),
            1 => return b"[]".to_vec(),
            2 => return Vec::new(),
            3 => return vec![0xff, 0xfe, b'{', b'}'],
            4 => {
                return json!({"deep": (0..200).fold(json!(1), |acc, _| json!([acc]))})
                    .to_string()
                    .into_bytes();
            }
            _ => {}
        }
        if let Value::Object(map) = &mut body {
            let keys: Vec<String> = map.keys().cloned().collect();
            if !keys.is_empty() {
                let key = keys[self.rng.random_range(0..keys.len())].clone();
                let replacement = match self.rng.random_range(0..7) {
                    0 => Value::Null,
                    1 => json!(12345),
                    2 => json!([1, "two", {"three": 3}]),
                    3 => json!({"unexpected": true}),
                    4 => json!(true),
                    5 => json!(1e308),
                    _ => Value::String(self.odd_string()),
                };
                if self.chance(0.2) {
                    map.remove(&key);
                } else {
                    map.insert(key, replacement);
                }
            }
            map.insert("UnknownMember".into(), json!("x"));
        }
        body.to_string().into_bytes()
    }
}

//! The claims of a verified Cognito ID or access token.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Claims of a verified token. ID and access tokens share this shape: the ID token fills
/// `aud`, `cognito_username`, `nonce` and the user's attributes (in [`extra`](Self::extra)),
/// the access token fills `client_id`, `username` and `scope`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user's immutable ID.
    #[serde(default)]
    pub sub: String,
    /// Issuer.
    #[serde(default)]
    pub iss: String,
    /// `id` or `access`.
    #[serde(default)]
    pub token_use: String,
    /// Expiry, seconds since the epoch.
    #[serde(default)]
    pub exp: u64,
    /// Issue time, seconds since the epoch.
    #[serde(default)]
    pub iat: u64,
    /// Time of the sign-in, kept across refreshes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<u64>,
    /// Audience (ID tokens): the client ID.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aud: Vec<String>,
    /// The client the access token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// User name (access tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// User name (ID tokens).
    #[serde(
        default,
        rename = "cognito:username",
        skip_serializing_if = "Option::is_none"
    )]
    pub cognito_username: Option<String>,
    /// The user's groups (`cognito:groups`); empty when the user is in none.
    #[serde(
        default,
        rename = "cognito:groups",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<String>,
    /// Granted scopes, space separated (access tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The login's nonce (ID tokens from the hosted UI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Token ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Every other claim: `email`, `email_verified`, `custom:*`, `identities`, ...
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Claims {
    /// The user name: `cognito:username` (ID token), else `username` (access token), else `sub`.
    pub fn username(&self) -> &str {
        self.cognito_username
            .as_deref()
            .or(self.username.as_deref())
            .unwrap_or(&self.sub)
    }

    /// The `email` attribute, if the token carries one (ID tokens).
    pub fn email(&self) -> Option<&str> {
        self.extra.get("email").and_then(Value::as_str)
    }

    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Whether the user is in every one of `groups` (true for an empty list).
    pub fn in_all_groups<G: AsRef<str>>(&self, groups: &[G]) -> bool {
        groups.iter().all(|g| self.in_group(g.as_ref()))
    }

    /// Whether the user is in at least one of `groups` (false for an empty list).
    pub fn in_any_group<G: AsRef<str>>(&self, groups: &[G]) -> bool {
        groups.iter().any(|g| self.in_group(g.as_ref()))
    }

    /// Whether the access token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.split(' ').any(|granted| granted == scope))
    }

    /// The claims extractors yield while checks are disabled and no others are configured:
    /// user `test-user` in no group.
    pub fn test_user() -> Self {
        Claims {
            sub: "00000000-0000-4000-8000-000000000000".into(),
            iss: "disabled".into(),
            token_use: "access".into(),
            exp: u64::MAX,
            iat: 0,
            auth_time: None,
            aud: Vec::new(),
            client_id: None,
            username: Some("test-user".into()),
            cognito_username: Some("test-user".into()),
            groups: Vec::new(),
            scope: None,
            nonce: None,
            jti: None,
            extra: Map::new(),
        }
    }
}

/// `aud` is a string in Cognito tokens and may be a list elsewhere.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

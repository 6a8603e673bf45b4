//! ID, access and refresh tokens with the claims Cognito puts in them (REFERENCE.md §6), and
//! verification of our own access tokens for the operations that take one.

pub mod keys;
pub mod verified;

use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::group::Group;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::store::{AuthSession, RefreshTokenRecord};
use crate::user::User;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";
/// Cognito's refresh tokens are JWEs; ours are opaque random values behind the same header,
/// so clients that look at the shape see what they expect, and nothing readable.
const REFRESH_PREFIX: &str = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ";

/// `AuthenticationResultType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    pub access_token: String,
    pub expires_in: i64,
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// A sign-in without DEVICE_KEY in a pool that tracks devices: the device to confirm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_device_metadata: Option<crate::device::NewDeviceMetadata>,
}

/// What a sign-in or refresh issues tokens for.
pub struct Issue<'a> {
    pub pool: &'a UserPool,
    pub client: &'a AppClient,
    pub user: &'a User,
    pub origin_jti: &'a str,
    pub auth_time_s: i64,
    /// Space-separated scopes for the access token (API sign-ins: the admin scope).
    pub scope: &'a str,
    /// OAuth sign-ins copy the authorization request's nonce into the ID token.
    pub nonce: Option<&'a str>,
    /// Tokens from the OAuth endpoints carry `version: 2` and `at_hash`; an ID token only
    /// when `openid` was granted.
    pub oauth: bool,
    /// The device of the sign-in (`device_key` claim of the access token).
    pub device_key: Option<&'a str>,
    /// PreTokenGeneration's `triggerSource` (`TokenGeneration_*`).
    pub source: &'static str,
}

impl Issue<'_> {
    pub fn wants_id_token(&self) -> bool {
        !self.oauth || self.scope.split(' ').any(|s| s == "openid")
    }
}

/// `at_hash`: base64url of the left half of SHA-256 of the access token (OIDC Core 3.1.3.6).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    B64URL.encode(&digest[..16])
}

/// A verified access token.
#[derive(Debug, Clone)]
pub struct AccessClaims {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub origin_jti: String,
    pub scope: String,
    /// Every claim of the token (shared with the verified-token cache).
    pub claims: std::sync::Arc<Value>,
}

pub fn new_refresh_token() -> (String, String) {
    let mut raw = [0u8; 48];
    aws_lc_rs::rand::fill(&mut raw).expect("system randomness");
    let token = format!("{REFRESH_PREFIX}.{}", B64URL.encode(raw));
    let hash = refresh_token_hash(&token);
    (token, hash)
}

pub fn refresh_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Groups in precedence order (lowest first, unset last), as Cognito lists them.
fn by_precedence(mut groups: Vec<Group>) -> Vec<Group> {
    groups.sort_by_key(|g| (g.precedence.unwrap_or(i64::MAX), g.group_name.clone()));
    groups
}

/// `cognito:preferred_role`: the role of the best-ranked group that has one, unless several
/// groups share that rank with different roles.
fn preferred_role(groups: &[Group]) -> Option<String> {
    let with_role: Vec<&Group> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let best = with_role.first()?;
    let rank = best.precedence.unwrap_or(i64::MAX);
    let tied: Vec<&&Group> = with_role
        .iter()
        .filter(|g| g.precedence.unwrap_or(i64::MAX) == rank)
        .collect();
    if tied.iter().any(|g| g.role_arn != best.role_arn) {
        return None;
    }
    best.role_arn.clone()
}

/// A user attribute as an ID token claim: `*_verified` are booleans, `updated_at` a number,
/// `identities` an array, everything else (custom attributes included) a string.
fn attribute_claim(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => Value::Bool(value == "true"),
        "updated_at" => value
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(value)),
        "identities" => identities_claim(value),
        _ => Value::from(value),
    }
}

/// `identities` as the ID token carries it: the attribute's array, with `primary` and
/// `dateCreated` written as strings (as Cognito's tokens do).
fn identities_claim(value: &str) -> Value {
    let Ok(Value::Array(mut list)) = serde_json::from_str::<Value>(value) else {
        return Value::from(value);
    };
    for identity in list.iter_mut().filter_map(Value::as_object_mut) {
        for key in ["primary", "dateCreated"] {
            if let Some(v) = identity.get_mut(key)
                && !v.is_string()
            {
                *v = Value::from(v.to_string());
            }
        }
    }
    Value::Array(list)
}

impl Cognito {
    /// `iss` of a pool's tokens: `<issuer base URL>/<poolId>`.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.issuer_base.trim_end_matches('/'), pool_id)
    }

    /// Signs a fresh access token and, unless an OAuth grant lacks `openid`, an ID token.
    pub async fn mint(&self, t: &Issue<'_>) -> Result<(String, Option<String>)> {
        let now = self.clock.now();
        let iat = now.seconds();
        let pool_id = &t.pool.id;
        let groups = by_precedence(
            self.store
                .list_groups_of_user(pool_id, &t.user.username_key, None, 1000)
                .await?,
        );
        let group_names: Vec<&str> = groups.iter().map(|g| g.group_name.as_str()).collect();
        let settings = &t.client.settings;
        let event_id = crate::ids::uuid();
        let iss = self.issuer(pool_id);

        let mut access = Map::new();
        access.insert("sub".into(), json!(t.user.sub));
        if let Some(device_key) = t.device_key {
            access.insert("device_key".into(), json!(device_key));
        }
        if !group_names.is_empty() {
            access.insert("cognito:groups".into(), json!(group_names));
        }
        access.insert("iss".into(), json!(iss));
        if t.oauth {
            access.insert("version".into(), json!(2));
        }
        access.insert("client_id".into(), json!(settings.client_id));
        access.insert("origin_jti".into(), json!(t.origin_jti));
        access.insert("event_id".into(), json!(event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!(t.scope));
        access.insert("auth_time".into(), json!(t.auth_time_s));
        access.insert("exp".into(), json!(iat + settings.access_token_seconds()));
        access.insert("iat".into(), json!(iat));
        access.insert("jti".into(), json!(crate::ids::uuid()));
        access.insert("username".into(), json!(t.user.username));

        let mut id = Map::new();
        id.insert("sub".into(), json!(t.user.sub));
        if !group_names.is_empty() {
            id.insert("cognito:groups".into(), json!(group_names));
            let roles: Vec<&str> = groups
                .iter()
                .filter_map(|g| g.role_arn.as_deref())
                .collect();
            if !roles.is_empty() {
                id.insert("cognito:roles".into(), json!(roles));
            }
            if let Some(role) = preferred_role(&groups) {
                id.insert("cognito:preferred_role".into(), json!(role));
            }
        }
        for a in &t.user.attributes {
            let readable =
                settings.read_attributes.is_empty() || settings.read_attributes.contains(&a.name);
            if a.name == "sub" || a.name.starts_with("dev:") || !readable {
                continue;
            }
            id.insert(a.name.clone(), attribute_claim(&a.name, &a.value));
        }
        id.insert("iss".into(), json!(iss));
        id.insert("cognito:username".into(), json!(t.user.username));
        if let Some(nonce) = t.nonce {
            id.insert("nonce".into(), json!(nonce));
        }
        id.insert("origin_jti".into(), json!(t.origin_jti));
        id.insert("aud".into(), json!(settings.client_id));
        id.insert("event_id".into(), json!(event_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("auth_time".into(), json!(t.auth_time_s));
        id.insert("exp".into(), json!(iat + settings.id_token_seconds()));
        id.insert("iat".into(), json!(iat));
        id.insert("jti".into(), json!(crate::ids::uuid()));

        self.pre_token_generation(t, &groups, &mut id, &mut access)
            .await?;
        let access_key = self
            .keys
            .active(&*self.store, &self.secrets, pool_id, keys::ACCESS, now)
            .await?;
        let access_token = keys::sign_jwt(&access_key, &Value::Object(access))?;
        crate::metrics::tokens_issued("access");
        if !t.wants_id_token() {
            return Ok((access_token, None));
        }
        if t.oauth {
            id.insert("at_hash".into(), json!(at_hash(&access_token)));
        }
        let id_key = self
            .keys
            .active(&*self.store, &self.secrets, pool_id, keys::ID, now)
            .await?;
        let id_token = keys::sign_jwt(&id_key, &Value::Object(id))?;
        crate::metrics::tokens_issued("id");
        Ok((access_token, Some(id_token)))
    }

    /// A new sign-in: records the session and its refresh token, and issues all three tokens.
    pub async fn start_session(&self, t: &Issue<'_>) -> Result<AuthenticationResult> {
        let now = self.clock.now();
        let (refresh, hash) = new_refresh_token();
        let session = AuthSession {
            origin_jti: t.origin_jti.to_owned(),
            pool_id: t.pool.id.clone(),
            username_key: t.user.username_key.clone(),
            client_id: t.client.client_id().to_owned(),
            auth_time_ms: t.auth_time_s * 1000,
            expires_ms: now.millis() + t.client.settings.refresh_token_seconds() * 1000,
            revoked_ms: None,
            scope: t.oauth.then(|| t.scope.to_owned()),
            device_key: t.device_key.map(str::to_owned),
        };
        let record = RefreshTokenRecord {
            token_hash: hash,
            origin_jti: t.origin_jti.to_owned(),
            pool_id: t.pool.id.clone(),
            created_ms: now.millis(),
            replaced_ms: None,
        };
        // Signed first: a PreTokenGeneration refusal leaves no session behind.
        let (access_token, id_token) = self.mint(t).await?;
        self.store.insert_auth_session(&session, &record).await?;
        crate::metrics::tokens_issued("refresh");
        Ok(AuthenticationResult {
            access_token,
            expires_in: t.client.settings.access_token_seconds(),
            token_type: "Bearer",
            id_token,
            refresh_token: Some(refresh),
            new_device_metadata: None,
        })
    }

    /// Verifies an access token issued by this Cognate for the API operations that take one:
    /// signature, expiry, `token_use`, revocation, and that the user still exists and is enabled.
    /// The session and the user come in one read (deleting a pool deletes both).
    pub async fn verify_access_token(&self, token: &str) -> Result<(AccessClaims, User)> {
        let invalid = || CognitoError::not_authorized("Invalid Access Token");
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        let kid = header.kid.ok_or_else(invalid)?;
        let (key, pool_id) = self
            .keys
            .verifying_key(&*self.store, &kid)
            .await?
            .ok_or_else(invalid)?;
        if header.alg != jsonwebtoken::Algorithm::RS256 {
            return Err(invalid());
        }
        // Expiry is checked against our clock below; audience does not apply to access tokens.
        let claims = self.keys.verified.claims(token, &key).ok_or_else(invalid)?;
        let str_claim = |n: &str| claims.get(n).and_then(Value::as_str).map(str::to_owned);
        if str_claim("token_use").as_deref() != Some("access")
            || str_claim("iss") != Some(self.issuer(&pool_id))
        {
            return Err(invalid());
        }
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or_else(invalid)?;
        if self.clock.now().seconds() >= exp {
            return Err(CognitoError::not_authorized("Access Token has expired"));
        }
        let origin_jti = str_claim("origin_jti").ok_or_else(invalid)?;
        let found = self.store.get_auth_session_with_user(&origin_jti).await?;
        let Some((session, user)) = found.filter(|(s, _)| s.revoked_ms.is_none()) else {
            return Err(CognitoError::not_authorized(
                "Access Token has been revoked",
            ));
        };
        if session.pool_id != pool_id {
            return Err(invalid());
        }
        let username = str_claim("username").ok_or_else(invalid)?;
        let user = user.ok_or_else(|| CognitoError::not_authorized("User does not exist."))?;
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        let access = AccessClaims {
            pool_id,
            client_id: str_claim("client_id").ok_or_else(invalid)?,
            username,
            origin_jti,
            scope: str_claim("scope").unwrap_or_default(),
            claims,
        };
        Ok((access, user))
    }

    /// The pool an access token verified by [`Self::verify_access_token`] belongs to.
    pub(crate) async fn pool_of(&self, claims: &AccessClaims) -> Result<Arc<UserPool>> {
        self.store
            .get_pool(&claims.pool_id)
            .await?
            .ok_or_else(|| CognitoError::not_authorized("Invalid Access Token"))
    }

    /// Like [`Self::verify_access_token`], for the self-service operations, which also need
    /// the `aws.cognito.signin.user.admin` scope.
    pub async fn authorize_self_service(&self, token: &str) -> Result<(AccessClaims, User)> {
        let (claims, user) = self.verify_access_token(token).await?;
        if !claims.scope.split(' ').any(|s| s == ADMIN_SCOPE) {
            return Err(CognitoError::not_authorized(
                "Access Token does not have required scopes",
            ));
        }
        Ok((claims, user))
    }

    /// The JWKS document of a pool.
    pub async fn jwks(&self, pool_id: &str) -> Result<Value> {
        let keys = self
            .keys
            .published(&*self.store, pool_id, self.clock.now())
            .await?;
        let keys: Vec<Value> = keys
            .iter()
            .map(|k| json!({"alg": "RS256", "e": k.e, "kid": k.kid, "kty": "RSA", "n": k.n, "use": "sig"}))
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// Rotates a pool's signing keys (our extension; `cognate rotate-keys`).
    pub async fn rotate_signing_keys(&self, pool_id: &str) -> Result<()> {
        if self.store.get_pool(pool_id).await?.is_none() {
            return Err(CognitoError::pool_not_found(pool_id));
        }
        self.keys
            .rotate(&*self.store, &self.secrets, pool_id, self.clock.now())
            .await
    }
}

/// The claims of an RS256 JWS whose signature `key` verifies.
fn verified_payload(token: &str, key: &aws_lc_rs::signature::ParsedPublicKey) -> Option<Value> {
    let (signed, signature) = token.rsplit_once('.')?;
    let (_, payload) = signed.split_once('.')?;
    let signature = B64URL.decode(signature).ok()?;
    key.verify_sig(signed.as_bytes(), &signature).ok()?;
    let claims: Value = serde_json::from_slice(&B64URL.decode(payload).ok()?).ok()?;
    claims.is_object().then_some(claims)
}

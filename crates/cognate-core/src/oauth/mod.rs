//! The OAuth 2.0 / OpenID Connect endpoints' rules (REFERENCE.md §7): authorize, the code and
//! implicit grants, the token endpoint, userInfo, revocation and logout. The web crate turns
//! HTTP into these calls and their results into redirects, pages and JSON.

pub mod hosted;
pub mod web_session;

use crate::client::AppClient;
use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::store::{AuthCode, CodeRedemption};
use crate::tokens::{Issue, keys};
use crate::user::User;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const CODE_LIFETIME_MS: i64 = 5 * 60 * 1000;
pub const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// The query of `/oauth2/authorize` (also carried through `/login`).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub identity_provider: Option<String>,
    pub idp_identifier: Option<String>,
    pub prompt: Option<String>,
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
}

/// A valid authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeGrant {
    pub pool: UserPool,
    pub client: AppClient,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<(String, String)>,
    pub prompt: Option<String>,
}

/// Why an authorize request fails, and where the answer goes.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizeError {
    /// The client or redirect URI cannot be trusted: show an error page, redirect nowhere.
    Page(String),
    /// Tell the client, at its (verified) redirect URI, as RFC 6749 §4.1.2.1 says.
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: Option<String>,
        state: Option<String>,
    },
}

/// An error of the token, userInfo or revoke endpoints (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: Option<String>,
}

impl OAuthError {
    fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: Some(description.into()),
        }
    }
    fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Self::new(400, error, description)
    }
    fn invalid_client() -> Self {
        Self::new(401, "invalid_client", "Client authentication failed.")
    }
    fn invalid_grant(description: impl Into<String>) -> Self {
        Self::bad("invalid_grant", description)
    }
    fn internal(e: CognitoError) -> Self {
        tracing::error!(error = %e, "OAuth endpoint failed");
        Self::new(500, "server_error", "Internal server error.")
    }
}

/// The form of `POST /oauth2/token` and `/oauth2/revoke`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenForm {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub token: Option<String>,
}

fn hash_code(code: &str) -> String {
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Appends query parameters to a redirect URI that may already have a query.
pub fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(&form_encode(k));
        out.push('=');
        out.push_str(&form_encode(v));
        sep = '&';
    }
    out
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn pkce_matches(method: &str, challenge: &str, verifier: &str) -> bool {
    let computed = match method {
        "S256" => B64URL.encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_owned(),
    };
    bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

impl Cognito {
    /// The pool a Host header names, through a custom domain or a prefix domain's first label.
    pub async fn pool_for_host(&self, host: &str) -> Result<Option<String>> {
        let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        if let Some(d) = self.store.get_domain(&host).await? {
            return Ok(Some(d.pool_id));
        }
        if let Some((prefix, _)) = host.split_once('.')
            && let Some(d) = self.store.get_domain(prefix).await?
            && d.custom_domain_config.is_none()
        {
            return Ok(Some(d.pool_id));
        }
        Ok(None)
    }

    /// The client of an OAuth request, with its pool; `host_pool` limits it to a domain's pool.
    async fn oauth_client(
        &self,
        client_id: &str,
        host_pool: Option<&str>,
    ) -> Result<Option<(UserPool, AppClient)>> {
        let Some(client) = self.store.get_client(client_id).await? else {
            return Ok(None);
        };
        if host_pool.is_some_and(|p| p != client.pool_id()) {
            return Ok(None);
        }
        let Some(pool) = self.store.get_pool(client.pool_id()).await? else {
            return Ok(None);
        };
        Ok(Some((pool, client)))
    }

    /// Validates an authorization request. Until the client and redirect URI are known to be
    /// good, errors are pages; after that they go back to the redirect URI.
    pub async fn validate_authorize(
        &self,
        p: &AuthorizeParams,
        host_pool: Option<&str>,
    ) -> std::result::Result<AuthorizeGrant, AuthorizeError> {
        let page = |m: &str| AuthorizeError::Page(m.to_owned());
        let client_id = p
            .client_id
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| page("Required String parameter 'client_id' is not present"))?;
        let (pool, client) = self
            .oauth_client(client_id, host_pool)
            .await
            .map_err(|_| page("An internal error occurred."))?
            .ok_or_else(|| page("Invalid client_id"))?;
        let redirect_uri = p
            .redirect_uri
            .clone()
            .ok_or_else(|| page("redirect_mismatch"))?;
        if !client
            .settings
            .callback_urls
            .iter()
            .any(|u| u == &redirect_uri)
        {
            return Err(page("redirect_mismatch"));
        }
        let state = p.state.clone();
        let fail = |error: &'static str, description: &str| AuthorizeError::Redirect {
            redirect_uri: redirect_uri.clone(),
            error,
            description: Some(description.to_owned()),
            state: state.clone(),
        };
        let settings = &client.settings;
        if !settings.allowed_oauth_flows_user_pool_client {
            return Err(fail(
                "unauthorized_client",
                "Client is not enabled for OAuth2.0 flows.",
            ));
        }
        let response_type = match p.response_type.as_deref() {
            None | Some("") => return Err(fail("invalid_request", "response_type is required.")),
            Some("code") => ResponseType::Code,
            Some("token") => ResponseType::Token,
            Some(_) => {
                return Err(fail(
                    "unsupported_response_type",
                    "response_type must be code or token.",
                ));
            }
        };
        let flow = match response_type {
            ResponseType::Code => "code",
            ResponseType::Token => "implicit",
        };
        if !settings.allowed_oauth_flows.iter().any(|f| f == flow) {
            return Err(fail(
                "unauthorized_client",
                &format!("The {flow} flow is not allowed for this client."),
            ));
        }
        let scopes: Vec<String> = match p.scope.as_deref().map(str::trim).filter(|s| !s.is_empty())
        {
            None => settings.allowed_oauth_scopes.clone(),
            Some(requested) => {
                let mut out: Vec<String> = Vec::new();
                for s in requested.split_whitespace() {
                    if !settings.allowed_oauth_scopes.iter().any(|a| a == s) {
                        return Err(fail(
                            "invalid_scope",
                            &format!("Scope {s} is not allowed for this client."),
                        ));
                    }
                    if !out.iter().any(|o| o == s) {
                        out.push(s.to_owned());
                    }
                }
                out
            }
        };
        let code_challenge = match (
            p.code_challenge.as_deref(),
            p.code_challenge_method.as_deref(),
        ) {
            (None, None) => None,
            (Some(c), Some(m @ ("S256" | "plain"))) if !c.is_empty() => {
                Some((c.to_owned(), m.to_owned()))
            }
            (Some(_), None) => {
                return Err(fail(
                    "invalid_request",
                    "code_challenge_method is required with code_challenge.",
                ));
            }
            (None, Some(_)) => {
                return Err(fail(
                    "invalid_request",
                    "code_challenge is required with code_challenge_method.",
                ));
            }
            _ => {
                return Err(fail(
                    "invalid_request",
                    "code_challenge_method must be S256 or plain.",
                ));
            }
        };
        if let Some(idp) = p.identity_provider.as_deref() {
            let supported = settings
                .supported_identity_providers
                .iter()
                .any(|s| s == idp);
            if idp != "COGNITO" || !(supported || settings.supported_identity_providers.is_empty())
            {
                return Err(fail(
                    "invalid_request",
                    &format!("Identity provider {idp} is not supported by this client."),
                ));
            }
        }
        if p.idp_identifier.is_some() {
            return Err(fail(
                "invalid_request",
                "No identity provider matches idp_identifier.",
            ));
        }
        Ok(AuthorizeGrant {
            pool,
            client,
            redirect_uri,
            response_type,
            scopes,
            state,
            nonce: p.nonce.clone(),
            code_challenge,
            prompt: p.prompt.clone(),
        })
    }

    /// Completes an authorization for a signed-in user: the redirect that carries the code
    /// (code flow) or the tokens (implicit flow) back to the client.
    pub async fn complete_authorize(
        &self,
        g: &AuthorizeGrant,
        user: &User,
        auth_time_ms: i64,
    ) -> Result<String> {
        let now = self.clock.now().millis();
        let scope = g.scopes.join(" ");
        match g.response_type {
            ResponseType::Code => {
                let code = crate::ids::uuid();
                self.store
                    .insert_auth_code(
                        &AuthCode {
                            code_hash: hash_code(&code),
                            pool_id: g.pool.id.clone(),
                            client_id: g.client.client_id().to_owned(),
                            redirect_uri: g.redirect_uri.clone(),
                            username_key: user.username_key.clone(),
                            scope,
                            nonce: g.nonce.clone(),
                            code_challenge: g.code_challenge.as_ref().map(|c| c.0.clone()),
                            code_challenge_method: g.code_challenge.as_ref().map(|c| c.1.clone()),
                            auth_time_ms,
                            expires_ms: now + CODE_LIFETIME_MS,
                        },
                        now,
                    )
                    .await?;
                let mut params = vec![("code", code.as_str())];
                if let Some(s) = g.state.as_deref() {
                    params.push(("state", s));
                }
                Ok(with_query(&g.redirect_uri, &params))
            }
            ResponseType::Token => {
                let origin_jti = crate::ids::uuid();
                let result = self
                    .start_session(&Issue {
                        pool: &g.pool,
                        client: &g.client,
                        user,
                        origin_jti: &origin_jti,
                        auth_time_s: auth_time_ms / 1000,
                        scope: &scope,
                        nonce: g.nonce.as_deref(),
                        oauth: true,
                    })
                    .await?;
                // The implicit grant never returns a refresh token.
                let expires_in = result.expires_in.to_string();
                let mut params = vec![("access_token", result.access_token.as_str())];
                if let Some(id) = result.id_token.as_deref() {
                    params.push(("id_token", id));
                }
                params.push(("token_type", "Bearer"));
                params.push(("expires_in", &expires_in));
                if let Some(s) = g.state.as_deref() {
                    params.push(("state", s));
                }
                let fragment: Vec<String> = params
                    .iter()
                    .map(|(k, v)| format!("{k}={}", form_encode(v)))
                    .collect();
                Ok(format!("{}#{}", g.redirect_uri, fragment.join("&")))
            }
        }
    }

    /// Authenticates the client of a token or revoke request: HTTP Basic, or the form's
    /// client_id (+ client_secret). Clients with a secret must present it.
    async fn token_client(
        &self,
        form: &TokenForm,
        basic: Option<(String, String)>,
        host_pool: Option<&str>,
    ) -> std::result::Result<(UserPool, AppClient), OAuthError> {
        let (client_id, secret) = match basic {
            Some((id, secret)) => (id, Some(secret)),
            None => (
                form.client_id
                    .clone()
                    .ok_or_else(OAuthError::invalid_client)?,
                form.client_secret.clone(),
            ),
        };
        let (pool, client) = self
            .oauth_client(&client_id, host_pool)
            .await
            .map_err(OAuthError::internal)?
            .ok_or_else(OAuthError::invalid_client)?;
        if client.has_secret() {
            let ok = match secret.as_deref() {
                Some(s) => self
                    .client_secret_matches(&client, s)
                    .map_err(OAuthError::internal)?,
                None => false,
            };
            if !ok {
                return Err(OAuthError::invalid_client());
            }
        }
        Ok((pool, client))
    }

    /// `POST /oauth2/token`.
    pub async fn token_endpoint(
        &self,
        form: TokenForm,
        basic: Option<(String, String)>,
        host_pool: Option<&str>,
    ) -> std::result::Result<Value, OAuthError> {
        let grant_type = form
            .grant_type
            .clone()
            .ok_or_else(|| OAuthError::bad("invalid_request", "grant_type is required."))?;
        if !matches!(
            grant_type.as_str(),
            "authorization_code" | "refresh_token" | "client_credentials"
        ) {
            return Err(OAuthError::bad(
                "unsupported_grant_type",
                format!("Unsupported grant_type {grant_type}."),
            ));
        }
        let (pool, client) = self.token_client(&form, basic, host_pool).await?;
        match grant_type.as_str() {
            "authorization_code" => self.redeem_code(&pool, &client, &form).await,
            "refresh_token" => self.refresh_grant(&pool, &client, &form).await,
            _ => self.client_credentials(&pool, &client, &form).await,
        }
    }

    async fn redeem_code(
        &self,
        pool: &UserPool,
        client: &AppClient,
        form: &TokenForm,
    ) -> std::result::Result<Value, OAuthError> {
        if !client
            .settings
            .allowed_oauth_flows
            .iter()
            .any(|f| f == "code")
        {
            return Err(OAuthError::bad(
                "unauthorized_client",
                "The code flow is not allowed for this client.",
            ));
        }
        let code = form
            .code
            .as_deref()
            .ok_or_else(|| OAuthError::bad("invalid_request", "code is required."))?;
        let now = self.clock.now().millis();
        let hash = hash_code(code);
        let record = match self
            .store
            .redeem_auth_code(&hash, now)
            .await
            .map_err(|e| OAuthError::internal(e.into()))?
        {
            CodeRedemption::Fresh(r) => r,
            CodeRedemption::Reused { origin_jti } => {
                // A replayed code may be stolen: revoke what it issued (RFC 6749 §4.1.2).
                if let Some(jti) = origin_jti {
                    self.store
                        .revoke_auth_session(&jti, now)
                        .await
                        .map_err(|e| OAuthError::internal(e.into()))?;
                }
                return Err(OAuthError::invalid_grant(
                    "The authorization code has already been used.",
                ));
            }
            CodeRedemption::Unknown => {
                return Err(OAuthError::invalid_grant("Invalid authorization code."));
            }
        };
        if record.client_id != client.client_id() || record.pool_id != pool.id {
            return Err(OAuthError::invalid_grant("Invalid authorization code."));
        }
        if now > record.expires_ms {
            return Err(OAuthError::invalid_grant(
                "The authorization code has expired.",
            ));
        }
        if form.redirect_uri.as_deref() != Some(record.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the authorization request.",
            ));
        }
        if let (Some(challenge), Some(method)) =
            (&record.code_challenge, &record.code_challenge_method)
        {
            let verifier = form.code_verifier.as_deref().unwrap_or("");
            if verifier.is_empty() || !pkce_matches(method, challenge, verifier) {
                return Err(OAuthError::invalid_grant(
                    "The code_verifier does not match the code_challenge.",
                ));
            }
        }
        let user = self
            .store
            .get_user(&pool.id, &record.username_key)
            .await
            .map_err(|e| OAuthError::internal(e.into()))?
            .filter(|u| u.enabled)
            .ok_or_else(|| {
                OAuthError::invalid_grant("The user no longer exists or is disabled.")
            })?;
        let origin_jti = crate::ids::uuid();
        let result = self
            .start_session(&Issue {
                pool,
                client,
                user: &user,
                origin_jti: &origin_jti,
                auth_time_s: record.auth_time_ms / 1000,
                scope: &record.scope,
                nonce: record.nonce.as_deref(),
                oauth: true,
            })
            .await
            .map_err(OAuthError::internal)?;
        self.store
            .set_auth_code_session(&hash, &origin_jti)
            .await
            .map_err(|e| OAuthError::internal(e.into()))?;
        Ok(token_json(
            &result.access_token,
            result.id_token.as_deref(),
            result.refresh_token.as_deref(),
            result.expires_in,
        ))
    }

    async fn refresh_grant(
        &self,
        pool: &UserPool,
        client: &AppClient,
        form: &TokenForm,
    ) -> std::result::Result<Value, OAuthError> {
        let token = form
            .refresh_token
            .as_deref()
            .ok_or_else(|| OAuthError::bad("invalid_request", "refresh_token is required."))?;
        let rotate = client.settings.refresh_token_rotation_enabled();
        match self
            .refresh(
                pool,
                client,
                token,
                crate::auth::RefreshCheck::Authenticated,
                rotate,
            )
            .await
        {
            Ok((r, _)) => Ok(token_json(
                &r.access_token,
                r.id_token.as_deref(),
                r.refresh_token.as_deref(),
                r.expires_in,
            )),
            Err(e) if e.kind == ErrorKind::InternalError => Err(OAuthError::internal(e)),
            Err(e) => Err(OAuthError::invalid_grant(e.message)),
        }
    }

    async fn client_credentials(
        &self,
        pool: &UserPool,
        client: &AppClient,
        form: &TokenForm,
    ) -> std::result::Result<Value, OAuthError> {
        let settings = &client.settings;
        if !settings
            .allowed_oauth_flows
            .iter()
            .any(|f| f == "client_credentials")
            || !client.has_secret()
        {
            return Err(OAuthError::bad(
                "unauthorized_client",
                "The client_credentials flow is not allowed for this client.",
            ));
        }
        let allowed: Vec<&String> = settings
            .allowed_oauth_scopes
            .iter()
            .filter(|s| !STANDARD_SCOPES.contains(&s.as_str()))
            .collect();
        let scopes: Vec<String> = match form
            .scope
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => allowed.iter().map(|s| s.to_string()).collect(),
            Some(req) => {
                let mut out = Vec::new();
                for s in req.split_whitespace() {
                    if !allowed.iter().any(|a| *a == s) {
                        return Err(OAuthError::bad(
                            "invalid_scope",
                            format!("Scope {s} is not allowed for this client."),
                        ));
                    }
                    out.push(s.to_owned());
                }
                out
            }
        };
        if scopes.is_empty() {
            return Err(OAuthError::bad(
                "invalid_scope",
                "The client has no custom scopes to grant.",
            ));
        }
        let now = self.clock.now();
        let iat = now.seconds();
        let expires_in = settings.access_token_seconds();
        let claims = json!({
            "sub": settings.client_id,
            "token_use": "access",
            "scope": scopes.join(" "),
            "auth_time": iat,
            "iss": self.issuer(&pool.id),
            "exp": iat + expires_in,
            "iat": iat,
            "version": 2,
            "jti": crate::ids::uuid(),
            "client_id": settings.client_id,
        });
        let key = self
            .keys
            .active(&*self.store, &self.secrets, &pool.id, keys::ACCESS, now)
            .await
            .map_err(OAuthError::internal)?;
        let access = keys::sign_jwt(&key, &claims).map_err(OAuthError::internal)?;
        Ok(json!({"access_token": access, "expires_in": expires_in, "token_type": "Bearer"}))
    }

    /// `GET|POST /oauth2/userInfo`: the user's attributes, narrowed by the token's scopes.
    pub async fn user_info(&self, bearer: Option<&str>) -> std::result::Result<Value, OAuthError> {
        let token = bearer.ok_or_else(|| {
            OAuthError::bad("invalid_request", "Bad OAuth2 request at UserInfo Endpoint")
        })?;
        let invalid = || {
            OAuthError::new(
                401,
                "invalid_token",
                "Access token is expired, disabled, or deleted, or the user has globally signed out.",
            )
        };
        let (claims, user, _) = self
            .verify_access_token(token)
            .await
            .map_err(|_| invalid())?;
        let scopes: Vec<&str> = claims.scope.split(' ').collect();
        if !scopes.contains(&"openid") {
            return Err(invalid());
        }
        const PROFILE: &[&str] = &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
            "address",
        ];
        let narrowed = scopes
            .iter()
            .any(|s| matches!(*s, "email" | "phone" | "profile"));
        let wanted = |name: &str| {
            !narrowed
                || (scopes.contains(&"email") && (name == "email" || name == "email_verified"))
                || (scopes.contains(&"phone")
                    && (name == "phone_number" || name == "phone_number_verified"))
                || (scopes.contains(&"profile")
                    && (PROFILE.contains(&name) || name.starts_with("custom:")))
        };
        let mut out = Map::new();
        out.insert("sub".into(), json!(user.sub));
        for a in &user.attributes {
            if a.name != "sub" && !a.name.starts_with("dev:") && wanted(&a.name) {
                out.insert(a.name.clone(), json!(a.value));
            }
        }
        out.insert("username".into(), json!(user.username));
        Ok(Value::Object(out))
    }

    /// `POST /oauth2/revoke`.
    pub async fn revoke_endpoint(
        &self,
        form: TokenForm,
        basic: Option<(String, String)>,
        host_pool: Option<&str>,
    ) -> std::result::Result<(), OAuthError> {
        let token = form
            .token
            .clone()
            .ok_or_else(|| OAuthError::bad("invalid_request", "token is required."))?;
        let (_, client) = self.token_client(&form, basic, host_pool).await?;
        if !client.settings.enable_token_revocation {
            return Err(OAuthError::bad(
                "invalid_request",
                "Token revocation is not enabled for this client.",
            ));
        }
        match self.revoke_token_for(&client, &token).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind == ErrorKind::UnsupportedTokenType => {
                Err(OAuthError::bad("unsupported_token_type", e.message))
            }
            Err(e) if e.kind == ErrorKind::Unauthorized => Err(OAuthError::invalid_client()),
            Err(e) => Err(OAuthError::internal(e)),
        }
    }

    /// `GET /logout`: where to send the browser once the hosted-UI cookie is cleared.
    /// `Err` is an error page.
    pub async fn logout_target(
        &self,
        client_id: Option<&str>,
        logout_uri: Option<&str>,
        redirect_uri: Option<&str>,
        host_pool: Option<&str>,
        login_params: &AuthorizeParams,
    ) -> std::result::Result<String, String> {
        let client_id = client_id.ok_or("Required String parameter 'client_id' is not present")?;
        let (_, client) = self
            .oauth_client(client_id, host_pool)
            .await
            .map_err(|_| "An internal error occurred.".to_owned())?
            .ok_or("Invalid client_id")?;
        if let Some(uri) = logout_uri {
            if client.settings.logout_urls.iter().any(|u| u == uri) {
                return Ok(uri.to_owned());
            }
            return Err("The logout_uri is not registered for this client.".into());
        }
        if let Some(uri) = redirect_uri {
            if !client.settings.callback_urls.iter().any(|u| u == uri) {
                return Err("redirect_mismatch".into());
            }
            if login_params.response_type.is_none() {
                return Err("Required String parameter 'response_type' is not present".into());
            }
            let query = serde_urlencoded(login_params);
            return Ok(format!("/login?{query}"));
        }
        Err("Either logout_uri or redirect_uri and response_type are required.".into())
    }
}

fn serde_urlencoded(p: &AuthorizeParams) -> String {
    let v = serde_json::to_value(p).unwrap_or_default();
    let mut parts = Vec::new();
    if let Value::Object(m) = v {
        for (k, v) in m {
            if let Value::String(s) = v {
                parts.push(format!("{k}={}", form_encode(&s)));
            }
        }
    }
    parts.join("&")
}

fn token_json(access: &str, id: Option<&str>, refresh: Option<&str>, expires_in: i64) -> Value {
    let mut out = Map::new();
    out.insert("access_token".into(), json!(access));
    if let Some(id) = id {
        out.insert("id_token".into(), json!(id));
    }
    if let Some(r) = refresh {
        out.insert("refresh_token".into(), json!(r));
    }
    out.insert("token_type".into(), json!("Bearer"));
    out.insert("expires_in".into(), json!(expires_in));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(pkce_matches(
            "S256",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            verifier
        ));
        assert!(!pkce_matches(
            "S256",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "other"
        ));
        assert!(pkce_matches("plain", "abc", "abc"));
    }

    #[test]
    fn query_building() {
        assert_eq!(
            with_query(
                "http://localhost:5000/postlogin",
                &[("code", "a b"), ("state", "x&y")]
            ),
            "http://localhost:5000/postlogin?code=a%20b&state=x%26y"
        );
        assert_eq!(
            with_query("https://app/cb?x=1", &[("code", "c")]),
            "https://app/cb?x=1&code=c"
        );
    }
}

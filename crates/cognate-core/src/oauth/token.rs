//! `/oauth2/token`, `/oauth2/userInfo` and `/oauth2/revoke`.

use super::{OAuthError, STANDARD_SCOPES, TokenForm, hash_code, pkce_matches};
use crate::client::AppClient;
use crate::error::ErrorKind;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::tokens::{Issue, keys};
use serde_json::{Map, Value, json};
use std::sync::Arc;

impl Cognito {
    /// Authenticates the client of a token or revoke request: HTTP Basic, or the form's
    /// client_id (+ client_secret). Clients with a secret must present it.
    async fn token_client(
        &self,
        form: &TokenForm,
        basic: Option<(String, String)>,
        host_pool: Option<&str>,
    ) -> std::result::Result<(Arc<UserPool>, AppClient), OAuthError> {
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
        let internal = |e: crate::StoreError| OAuthError::internal(e.into());
        let found = self
            .store
            .find_auth_code(&hash)
            .await
            .map_err(internal)?
            .filter(|f| f.code.client_id == client.client_id() && f.code.pool_id == pool.id)
            // Another client's code is unknown to this one, and stays usable by its own.
            .ok_or_else(|| OAuthError::invalid_grant("Invalid authorization code."))?;
        if found.used {
            // A replayed code may be stolen: revoke what it issued (RFC 6749 §4.1.2).
            if let Some(jti) = &found.origin_jti {
                self.store
                    .revoke_auth_session(jti, now)
                    .await
                    .map_err(internal)?;
            }
            return Err(OAuthError::invalid_grant(
                "The authorization code has already been used.",
            ));
        }
        let record = found.code;
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
        // Spent only now that the request checks out, and only once whoever races.
        if !self
            .store
            .spend_auth_code(&hash, now)
            .await
            .map_err(internal)?
        {
            return Err(OAuthError::invalid_grant(
                "The authorization code has already been used.",
            ));
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
                device_key: None,
                source: crate::triggers::tokens::HOSTED_AUTH,
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
                None,
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
        let mut claims = json!({
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
        let metadata = match form.aws_client_metadata.as_deref() {
            None => None,
            Some(text) => Some(
                serde_json::from_str::<serde_json::Map<String, Value>>(text)
                    .ok()
                    .filter(|m| m.values().all(Value::is_string))
                    .ok_or_else(|| {
                        OAuthError::bad(
                            "invalid_request",
                            "aws_client_metadata must be a JSON object of strings.",
                        )
                    })?,
            ),
        };
        if let Some(claims) = claims.as_object_mut() {
            self.pre_token_generation_m2m(pool, client, claims, metadata)
                .await
                .map_err(OAuthError::internal)?;
        }
        let key = self
            .keys
            .active(&*self.store, &self.secrets, &pool.id, keys::ACCESS, now)
            .await
            .map_err(OAuthError::internal)?;
        let access = keys::sign_jwt(&key, &claims).map_err(OAuthError::internal)?;
        crate::metrics::tokens_issued("access");
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
        let (claims, user) = self
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

//! `/oauth2/authorize` and `/logout`: validating the request, and where the browser goes next.

use super::{
    AuthCode, AuthorizeError, AuthorizeGrant, AuthorizeParams, ResponseType, form_encode,
    hash_code, with_query,
};
use crate::error::Result;
use crate::federation::StoredIdentityProvider;
use crate::service::Cognito;
use crate::tokens::Issue;
use crate::user::User;
use serde_json::Value;

/// Codes live five minutes.
const CODE_LIFETIME_MS: i64 = 5 * 60 * 1000;

impl Cognito {
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
        let identity_provider = self
            .requested_provider(p, &pool.id, &settings.supported_identity_providers)
            .await
            .map_err(|m| fail("invalid_request", &m))?;
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
            identity_provider,
        })
    }

    /// The identity provider an authorization request names (`identity_provider`, or
    /// `idp_identifier`), if not Cognito's own sign-in; one the client supports.
    async fn requested_provider(
        &self,
        p: &AuthorizeParams,
        pool_id: &str,
        supported: &[String],
    ) -> std::result::Result<Option<StoredIdentityProvider>, String> {
        let allowed = |name: &str| supported.iter().any(|s| s == name);
        let unsupported =
            |name: &str| format!("Identity provider {name} is not supported by this client.");
        let found = match (p.identity_provider.as_deref(), p.idp_identifier.as_deref()) {
            (Some("COGNITO"), _) => {
                return match allowed("COGNITO") || supported.is_empty() {
                    true => Ok(None),
                    false => Err(unsupported("COGNITO")),
                };
            }
            (Some(name), _) => {
                let idp = self.store.get_identity_provider(pool_id, name).await;
                idp.ok().flatten().ok_or_else(|| unsupported(name))?
            }
            (None, Some(identifier)) => {
                let idp = self
                    .store
                    .get_identity_provider_by_identifier(pool_id, identifier)
                    .await;
                idp.ok()
                    .flatten()
                    .ok_or_else(|| "No identity provider matches idp_identifier.".to_owned())?
            }
            (None, None) => return Ok(None),
        };
        match allowed(&found.provider_name) {
            true => Ok(Some(found)),
            false => Err(unsupported(&found.provider_name)),
        }
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
                        device_key: None,
                        source: crate::triggers::tokens::HOSTED_AUTH,
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

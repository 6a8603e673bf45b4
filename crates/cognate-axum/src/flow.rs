//! The authorization-code flow: login redirect (PKCE S256, `state`, `nonce`), callback (code
//! exchange and token checks), refresh, and logout (revocation and the provider's `/logout`).

use std::time::Duration;

use axum::response::{IntoResponse, IntoResponseParts, Redirect, Response, ResponseParts};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::claims::Claims;
use crate::cognito::Cognito;
use crate::config::{ACCESS_COOKIE, FLOW_COOKIE, ID_COOKIE, REFRESH_COOKIE};
use crate::cookies::{SetCookies, read_private};
use crate::error::{AuthError, TokenError};
use crate::verify::TokenKind;

/// How long a login may take between the redirect and the callback.
const FLOW_COOKIE_AGE: Duration = Duration::from_secs(15 * 60);

/// What the login redirect leaves in the browser for the callback to check.
#[derive(Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
}

/// The query of the provider's redirect to the callback URL.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackParams {
    /// The authorization code.
    pub code: Option<String>,
    /// The `state` sent at login, returned unchanged.
    pub state: Option<String>,
    /// An OAuth error code, instead of `code`.
    pub error: Option<String>,
    /// A description of `error`.
    pub error_description: Option<String>,
}

/// The redirect to the provider's `/oauth2/authorize`, with the cookie that lets the
/// callback check the answer. Return it from a handler.
#[derive(Debug)]
pub struct LoginRedirect {
    location: String,
    cookies: SetCookies,
}

impl LoginRedirect {
    /// The authorize URL the browser is sent to.
    pub fn location(&self) -> &str {
        &self.location
    }
}

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        (self.cookies, Redirect::to(&self.location)).into_response()
    }
}

/// The tokens a token endpoint returned. `Debug` does not show them.
#[derive(Clone, Deserialize)]
pub struct Tokens {
    /// The access token (also kept in the access cookie).
    pub access_token: String,
    /// The ID token (also kept in the ID cookie).
    pub id_token: Option<String>,
    /// The refresh token: at login, and on refresh when the client rotates them.
    pub refresh_token: Option<String>,
    /// Lifetime of the access token in seconds.
    pub expires_in: Option<u64>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A completed login or refresh: verified claims, the tokens, and the cookies that keep
/// them. Return it from a handler (it is [`IntoResponseParts`]) to set the cookies.
#[derive(Debug)]
#[non_exhaustive]
pub struct Session {
    /// Claims of the verified ID token.
    pub id_claims: Claims,
    /// Claims of the verified access token.
    pub access_claims: Claims,
    /// The tokens, for calling APIs on the user's behalf.
    pub tokens: Tokens,
    /// The application value that rode through `state` (login only).
    pub app_state: Option<String>,
    cookies: SetCookies,
}

impl IntoResponseParts for Session {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.cookies.into_response_parts(res)
    }
}

/// The redirect to the provider's `/logout`, with the cookies cleared.
#[derive(Debug)]
pub struct LogoutRedirect {
    location: String,
    cookies: SetCookies,
    revoked: bool,
}

impl LogoutRedirect {
    /// The provider's logout URL.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Whether a refresh token was revoked at the provider.
    pub fn revoked(&self) -> bool {
        self.revoked
    }
}

impl IntoResponse for LogoutRedirect {
    fn into_response(self) -> Response {
        (self.cookies, Redirect::to(&self.location)).into_response()
    }
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// PKCE S256: BASE64URL(SHA256(verifier)).
pub(crate) fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `state` is `<random>` or `<random>.<base64url(app value)>`: the random part defeats
/// CSRF, the rest carries the application's value through the provider.
fn app_state_of(state: &str) -> Option<String> {
    let (_, encoded) = state.split_once('.')?;
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    String::from_utf8(bytes).ok()
}

impl Cognito {
    /// Starts a login: a redirect to `<domain>/oauth2/authorize` with PKCE S256, a fresh
    /// `state` and `nonce`, and `app_state` (if any) riding in `state`; it comes back as
    /// [`Session::app_state`]. Keep `app_state` short: it travels in URLs.
    pub fn start_login(&self, app_state: Option<&str>) -> LoginRedirect {
        let inner = &self.inner;
        let mut state = random_token(24);
        if let Some(value) = app_state {
            state.push('.');
            state.push_str(&URL_SAFE_NO_PAD.encode(value));
        }
        let flow = Flow {
            state,
            nonce: random_token(24),
            verifier: random_token(32),
        };
        let mut url = inner.authorize_url.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &inner.config.client_id)
                .append_pair("redirect_uri", &inner.config.redirect_url)
                .append_pair("state", &flow.state)
                .append_pair("nonce", &flow.nonce)
                .append_pair("code_challenge", &code_challenge(&flow.verifier))
                .append_pair("code_challenge_method", "S256");
            if !inner.config.scopes.is_empty() {
                query.append_pair("scope", &inner.config.scopes.join(" "));
            }
        }
        let mut cookies = SetCookies::new(&inner.key);
        let sealed = serde_json::to_string(&flow).unwrap_or_default();
        cookies.add_private(inner.cookies.build_flow(sealed, FLOW_COOKIE_AGE));
        LoginRedirect {
            location: url.into(),
            cookies,
        }
    }

    /// Finishes a login at the callback URL: checks `state` against this browser's login,
    /// exchanges the code (with the PKCE verifier) at `<domain>/oauth2/token`, and verifies
    /// both tokens (the ID token's `nonce` included).
    pub async fn finish_login(
        &self,
        headers: &HeaderMap,
        params: &CallbackParams,
    ) -> Result<Session, AuthError> {
        let inner = &self.inner;
        if let Some(error) = &params.error {
            return Err(AuthError::Provider {
                error: error.clone(),
                description: params.error_description.clone().unwrap_or_default(),
            });
        }
        let flow: Flow = read_private(headers, &inner.key, FLOW_COOKIE)
            .and_then(|sealed| serde_json::from_str(&sealed).ok())
            .ok_or(AuthError::StateMismatch)?;
        if params.state.as_deref() != Some(flow.state.as_str()) {
            return Err(AuthError::StateMismatch);
        }
        let code = params.code.as_deref().ok_or(AuthError::MissingCode)?;
        let tokens = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("client_id", &inner.config.client_id),
                ("code", code),
                ("redirect_uri", &inner.config.redirect_url),
                ("code_verifier", &flow.verifier),
            ])
            .await?;
        let mut session = self.session(tokens, Some(&flow.nonce)).await?;
        session.app_state = app_state_of(&flow.state);
        session.cookies.add(inner.cookies.removal(FLOW_COOKIE));
        Ok(session)
    }

    /// Exchanges the refresh token from the encrypted refresh cookie for new tokens
    /// (`refresh_token` grant) and verifies them.
    pub async fn refresh(&self, headers: &HeaderMap) -> Result<Session, AuthError> {
        let inner = &self.inner;
        let refresh_token = read_private(headers, &inner.key, REFRESH_COOKIE)
            .ok_or(AuthError::MissingRefreshToken)?;
        let tokens = self
            .token_request(&[
                ("grant_type", "refresh_token"),
                ("client_id", &inner.config.client_id),
                ("refresh_token", &refresh_token),
            ])
            .await?;
        // Refreshed ID tokens carry no nonce of this browser's making: none to check.
        self.session(tokens, None).await
    }

    /// Signs out: revokes the refresh token at `<domain>/oauth2/revoke` (failures are
    /// logged, not fatal), clears the cookies and redirects to the provider's `/logout` with
    /// `client_id` and `logout_uri`, which ends the hosted-UI session too.
    pub async fn logout(&self, headers: &HeaderMap) -> LogoutRedirect {
        let inner = &self.inner;
        let mut revoked = false;
        if let Some(token) = read_private(headers, &inner.key, REFRESH_COOKIE) {
            match self.revoke(&token).await {
                Ok(()) => revoked = true,
                Err(error) => tracing::warn!(%error, "refresh token revocation failed"),
            }
        }
        LogoutRedirect {
            location: inner.logout_url.to_string(),
            cookies: self.clear_cookies(),
            revoked,
        }
    }

    /// Cookies that remove every cookie this crate sets.
    pub fn clear_cookies(&self) -> SetCookies {
        let settings = &self.inner.cookies;
        let mut cookies = SetCookies::new(&self.inner.key);
        for name in [ACCESS_COOKIE, ID_COOKIE, REFRESH_COOKIE, FLOW_COOKIE] {
            cookies.add(settings.removal(name));
        }
        cookies
    }

    async fn revoke(&self, token: &str) -> Result<(), AuthError> {
        let config = &self.inner.config;
        let mut form = vec![("token", token)];
        let mut request = self.inner.http.post(self.inner.revoke_url.clone());
        match &config.client_secret {
            Some(secret) => request = request.basic_auth(&config.client_id, Some(secret)),
            None => form.push(("client_id", &config.client_id)),
        }
        let response = request.form(&form).send().await?;
        check_status("revoke", response).await.map(drop)
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<Tokens, AuthError> {
        let config = &self.inner.config;
        let mut request = self
            .inner
            .http
            .post(self.inner.token_url.clone())
            .form(form);
        if let Some(secret) = &config.client_secret {
            request = request.basic_auth(&config.client_id, Some(secret));
        }
        let response = check_status("token", request.send().await?).await?;
        Ok(response.json().await?)
    }

    /// Verifies a token response and builds the cookies that keep it.
    async fn session(&self, tokens: Tokens, nonce: Option<&str>) -> Result<Session, AuthError> {
        let inner = &self.inner;
        let id_token = tokens
            .id_token
            .as_deref()
            .ok_or(AuthError::MissingIdToken)?;
        let verifier = &inner.verifier;
        let id_claims = verifier.verify(id_token, TokenKind::Id, nonce).await?;
        let access_claims = verifier
            .verify(&tokens.access_token, TokenKind::Access, None)
            .await?;
        if id_claims.sub != access_claims.sub {
            return Err(TokenError::SubjectMismatch.into());
        }
        let (settings, config) = (&inner.cookies, &inner.config);
        let mut cookies = SetCookies::new(&inner.key);
        cookies.add(settings.build(
            ACCESS_COOKIE,
            tokens.access_token.clone(),
            config.cookie_age,
        ));
        cookies.add(settings.build(ID_COOKIE, id_token.to_owned(), config.cookie_age));
        if let (true, Some(refresh)) = (config.refresh_flow, &tokens.refresh_token) {
            let age = config.refresh_cookie_age;
            cookies.add_private(settings.build(REFRESH_COOKIE, refresh.clone(), age));
        }
        Ok(Session {
            id_claims,
            access_claims,
            tokens,
            app_state: None,
            cookies,
        })
    }
}

/// Turns a non-2xx answer into [`AuthError::Endpoint`] with the start of its body.
async fn check_status(
    endpoint: &'static str,
    response: reqwest::Response,
) -> Result<reqwest::Response, AuthError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let mut body = response.text().await.unwrap_or_default();
    if let Some((cut, _)) = body.char_indices().nth(500) {
        body.truncate(cut);
    }
    Err(AuthError::Endpoint {
        endpoint,
        status: status.as_u16(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_rfc_7636_example() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            code_challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn app_state_rides_after_the_random_part() {
        let encoded = format!("abc.{}", URL_SAFE_NO_PAD.encode("/reports?id=7"));
        assert_eq!(app_state_of(&encoded).as_deref(), Some("/reports?id=7"));
        assert_eq!(app_state_of("abc"), None);
        assert_eq!(app_state_of("abc.!!"), None);
    }
}

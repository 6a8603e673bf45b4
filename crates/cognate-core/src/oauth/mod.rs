//! The OAuth 2.0 / OpenID Connect endpoints' rules (REFERENCE.md §7): authorize, the code and
//! implicit grants, the token endpoint, userInfo, revocation and logout. The web crate turns
//! HTTP into these calls and their results into redirects, pages and JSON.

mod authorize;
pub mod hosted;
mod token;
pub mod web_session;

use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::store::AuthCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

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

/// Where a browser request arrived (see [`Cognito::site`]).
#[derive(Debug, Clone)]
pub struct Site {
    /// The pool whose domain the host is.
    pub pool: Option<String>,
    /// The hosted UI's base URL on that host, without a trailing `/`.
    pub base: String,
}

/// Whether `host` (a `Host` header, with or without a port) is a loopback name, served over
/// plain HTTP in development.
pub fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => format!("[{}]", rest.split(']').next().unwrap_or_default()),
        None => host.split(':').next().unwrap_or_default().to_owned(),
    };
    matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

/// A valid authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeGrant {
    pub pool: Arc<UserPool>,
    pub client: AppClient,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<(String, String)>,
    pub prompt: Option<String>,
    /// The upstream provider the request names (`identity_provider`, `idp_identifier`);
    /// `None`: Cognate's own sign-in.
    pub identity_provider: Option<crate::federation::StoredIdentityProvider>,
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
    pub(crate) fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: Some(description.into()),
        }
    }
    pub(crate) fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Self::new(400, error, description)
    }
    pub(crate) fn invalid_client() -> Self {
        Self::new(401, "invalid_client", "Client authentication failed.")
    }
    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::bad("invalid_grant", description)
    }
    pub(crate) fn internal(e: CognitoError) -> Self {
        use crate::error::ErrorKind::*;
        // A trigger's refusal is the request's answer, not a server fault.
        if matches!(
            e.kind,
            UserLambdaValidation | UnexpectedLambda | InvalidLambdaResponse
        ) {
            return Self::new(400, "invalid_request", &e.message);
        }
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
    /// `client_credentials` only: a JSON object of strings for a V3 PreTokenGeneration
    /// trigger's `clientMetadata` (AWS developer guide, "The token endpoint").
    pub aws_client_metadata: Option<String>,
}

pub(crate) fn hash_code(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
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

pub(crate) fn pkce_matches(method: &str, challenge: &str, verifier: &str) -> bool {
    let computed = match method {
        "S256" => B64URL.encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_owned(),
    };
    bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

impl Cognito {
    /// The pool a Host header names, through a custom domain or a prefix domain's first label.
    /// Where a browser request to `host` arrived: the pool whose domain it is, and the hosted
    /// UI's base URL there (that domain; `--issuer-url` elsewhere). Upstream providers send
    /// the browser back to this base, where its cookies are.
    pub async fn site(&self, host: &str) -> Site {
        let pool = self.pool_for_host(host).await.ok().flatten();
        let base = match &pool {
            Some(_) => {
                let scheme = if loopback_host(host) { "http" } else { "https" };
                format!("{scheme}://{host}")
            }
            None => self.issuer_base.trim_end_matches('/').to_owned(),
        };
        Site { pool, base }
    }

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
    pub(crate) async fn oauth_client(
        &self,
        client_id: &str,
        host_pool: Option<&str>,
    ) -> Result<Option<(Arc<UserPool>, AppClient)>> {
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

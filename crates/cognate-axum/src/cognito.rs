//! [`Cognito`]: the checked configuration, the HTTP client and the key cache, shared by
//! every handler and extractor.

use std::sync::Arc;

use axum_extra::extract::cookie::Key;
use url::Url;

use crate::claims::Claims;
use crate::config::Config;
use crate::cookies::CookieSettings;
use crate::error::{AuthError, ConfigError};
use crate::jwks::JwksCache;
use crate::verify::{TokenKind, Verifier};

/// A handle on one user pool app client: cheap to clone, put it in your router's state.
///
/// Extractors find it through [`FromRef`](axum::extract::FromRef), so the state is either a
/// `Cognito` or a struct with a `Cognito` field and `#[derive(FromRef)]` (or a hand-written
/// `FromRef` impl).
#[derive(Clone)]
pub struct Cognito {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) issuer: String,
    pub(crate) authorize_url: Url,
    pub(crate) token_url: Url,
    pub(crate) revoke_url: Url,
    pub(crate) logout_url: Url,
    pub(crate) callback_path: String,
    pub(crate) http: reqwest::Client,
    pub(crate) verifier: Verifier,
    pub(crate) key: Key,
    pub(crate) cookies: CookieSettings,
    pub(crate) disabled_claims: Claims,
}

impl std::fmt::Debug for Cognito {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cognito")
            .field("issuer", &self.inner.issuer)
            .field("client_id", &self.inner.config.client_id)
            .field("domain", &self.inner.config.domain)
            .finish_non_exhaustive()
    }
}

fn absolute_url(field: &'static str, value: &str) -> Result<Url, ConfigError> {
    if value.trim().is_empty() {
        return Err(ConfigError::Missing(field));
    }
    match Url::parse(value) {
        Ok(url) if url.has_host() => Ok(url),
        _ => Err(ConfigError::InvalidUrl {
            field,
            value: value.to_owned(),
        }),
    }
}

fn endpoint(domain: &Url, path: &str) -> Url {
    let mut url = domain.clone();
    let base = domain.path().trim_end_matches('/');
    url.set_path(&format!("{base}{path}"));
    url.set_query(None);
    url
}

impl Cognito {
    /// Checks `config` and builds the handle. The JWKS is fetched on first use; call
    /// [`prefetch_jwks`](Self::prefetch_jwks) to fetch it at startup instead.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        if config.user_pool_id.trim().is_empty() {
            return Err(ConfigError::Missing("user_pool_id"));
        }
        if config.client_id.trim().is_empty() {
            return Err(ConfigError::Missing("client_id"));
        }
        // The region only serves to build the default issuer.
        if config.region.trim().is_empty() && config.issuer.is_none() {
            return Err(ConfigError::Missing("region"));
        }
        let domain = absolute_url("domain", &config.domain)?;
        let redirect = absolute_url("redirect_url", &config.redirect_url)?;
        let logout_target = absolute_url("logout_url", &config.logout_url)?;
        let issuer = config.issuer();
        absolute_url("issuer", &issuer)?;
        let jwks_url = absolute_url("jwks_url", &config.jwks_url())?;
        for (field, path) in [
            ("login_path", &config.login_path),
            ("refresh_path", &config.refresh_path),
            ("logout_path", &config.logout_path),
            ("after_login_path", &config.after_login_path),
        ] {
            if !path.starts_with('/') {
                return Err(ConfigError::InvalidUrl {
                    field,
                    value: path.clone(),
                });
            }
        }

        let key = match &config.cookie_secret {
            Some(secret) if secret.len() < 32 => return Err(ConfigError::ShortCookieSecret),
            Some(secret) => Key::derive_from(secret.as_bytes()),
            None if config.refresh_flow => return Err(ConfigError::MissingCookieSecret),
            None => Key::generate(),
        };
        let http = reqwest::Client::builder()
            .timeout(config.http_timeout)
            .user_agent(concat!("cognate-axum/", env!("CARGO_PKG_VERSION")))
            .build()?;

        let mut logout_url = endpoint(&domain, "/logout");
        logout_url
            .query_pairs_mut()
            .append_pair("client_id", &config.client_id)
            .append_pair("logout_uri", logout_target.as_str());

        let jwks = JwksCache::new(jwks_url.into(), http.clone(), config.jwks_refetch_interval);
        let verifier = Verifier::new(jwks, &issuer, &config.client_id, config.expiration_leeway);
        let cookies = CookieSettings {
            domain: config.cookie_domain.clone(),
            secure: config.cookie_secure.unwrap_or(redirect.scheme() == "https"),
            same_site: config.cookie_same_site,
        };
        let disabled_claims = config
            .disabled_claims
            .clone()
            .unwrap_or_else(Claims::test_user);
        let inner = Inner {
            issuer,
            authorize_url: endpoint(&domain, "/oauth2/authorize"),
            token_url: endpoint(&domain, "/oauth2/token"),
            revoke_url: endpoint(&domain, "/oauth2/revoke"),
            logout_url,
            callback_path: redirect.path().to_owned(),
            http,
            verifier,
            key,
            cookies,
            disabled_claims,
            config,
        };
        Ok(Cognito {
            inner: Arc::new(inner),
        })
    }

    /// The configuration this handle was built from.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The issuer tokens must carry.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The provider's `/logout` URL with `client_id` and `logout_uri`.
    pub fn provider_logout_url(&self) -> &str {
        self.inner.logout_url.as_str()
    }

    /// Fetches the JWKS now, so a wrong issuer or an unreachable provider shows at startup.
    pub async fn prefetch_jwks(&self) -> Result<(), AuthError> {
        self.inner.verifier.jwks.reload().await
    }

    /// How many times the JWKS has been fetched: once at first use, then once per unknown
    /// `kid` at most every `jwks_refetch_interval`. For metrics and tests.
    pub fn jwks_fetch_count(&self) -> u64 {
        self.inner.verifier.jwks.fetch_count()
    }

    /// Verifies an access token (signature, `iss`, `exp`, `iat`, `token_use: access`,
    /// `client_id`), for tokens that arrive other than in the cookie (a WebSocket message,
    /// a queue).
    pub async fn verify_access_token(&self, token: &str) -> Result<Claims, AuthError> {
        self.inner
            .verifier
            .verify(token, TokenKind::Access, None)
            .await
    }

    /// Verifies an ID token (signature, `iss`, `aud`, `exp`, `iat`, `token_use: id`);
    /// `nonce`, when given, must match the token's.
    pub async fn verify_id_token(
        &self,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<Claims, AuthError> {
        self.inner
            .verifier
            .verify(token, TokenKind::Id, nonce)
            .await
    }

    /// Whether checks are switched off ([`Config::disabled`]).
    pub fn is_disabled(&self) -> bool {
        self.inner.config.disabled
    }
}

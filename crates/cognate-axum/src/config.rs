//! Configuration: the same settings a Cognito-protected web app already has.

use std::time::Duration;

use axum_extra::extract::cookie::SameSite;

use crate::claims::Claims;
use crate::error::ConfigError;

/// Name of the HttpOnly cookie that holds the access token.
pub const ACCESS_COOKIE: &str = "cognito_access_token";
/// Name of the HttpOnly cookie that holds the ID token.
pub const ID_COOKIE: &str = "cognito_id_token";
/// Name of the encrypted HttpOnly cookie that holds the refresh token.
pub const REFRESH_COOKIE: &str = "cognito_refresh_token";
/// Name of the encrypted, short-lived cookie that carries `state`, `nonce` and the PKCE
/// verifier from the login redirect to the callback.
pub const FLOW_COOKIE: &str = "cognito_login_flow";

/// What an extractor answers when nobody is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unauthenticated {
    /// Answer `401 Unauthorized` (APIs, pages fetched by scripts).
    #[default]
    Status401,
    /// Answer `303 See Other` to the login route, carrying the requested path in `state` so
    /// the callback can send the user back. With the refresh flow on and a refresh cookie
    /// present, redirect to the refresh route first.
    RedirectToLogin,
}

/// Settings for [`Cognito`](crate::Cognito).
///
/// The first fields mirror what flask-cognito-lib apps set (`AWS_REGION`,
/// `AWS_COGNITO_USER_POOL_ID`, `AWS_COGNITO_DOMAIN`, ...; see [`Config::from_env`]). Build one
/// with [`Config::new`] and change the public fields you need:
///
/// ```
/// use cognate_axum::Config;
///
/// let mut config = Config::new(
///     "eu-west-1",
///     "eu-west-1_AbCdEf123",
///     "https://myapp.auth.eu-west-1.amazoncognito.com",
///     "1example23456789",
/// );
/// config.redirect_url = "https://app.example.com/postlogin".into();
/// config.logout_url = "https://app.example.com/".into();
/// config.client_secret = Some("s3cr3t".into());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// AWS region of the user pool (`eu-west-1`); used to build the default issuer.
    pub region: String,
    /// User pool ID (`eu-west-1_AbCdEf123`).
    pub user_pool_id: String,
    /// Domain URL serving `/oauth2/*` and `/logout`: the pool's hosted-UI domain on AWS
    /// (`https://myapp.auth.eu-west-1.amazoncognito.com`), the base URL on Cognate.
    pub domain: String,
    /// App client ID: the ID token's `aud` and the access token's `client_id`.
    pub client_id: String,
    /// App client secret; `None` for public clients (no secret, `client_id` in the body).
    pub client_secret: Option<String>,
    /// Callback URL registered on the app client; the provider sends the code here.
    pub redirect_url: String,
    /// Sign-out URL registered on the app client; the provider's `/logout` sends users here.
    pub logout_url: String,
    /// `Max-Age` of the access and ID token cookies. Default 30 minutes.
    pub cookie_age: Duration,
    /// Clock skew allowed on `exp` and `iat`. Default zero.
    pub expiration_leeway: Duration,
    /// Scopes asked for at `/oauth2/authorize`; empty asks for all the client's scopes. The
    /// client must allow `openid`, since the callback needs an ID token.
    pub scopes: Vec<String>,
    /// `Domain` attribute of the cookies; `None` keeps them host-only.
    pub cookie_domain: Option<String>,
    /// `SameSite` attribute of the token cookies. Default `Lax`. The login-flow cookie is
    /// always `Lax` (or `None` if this is `None`): the provider's redirect back is cross-site.
    pub cookie_same_site: SameSite,
    /// `Secure` attribute of the cookies; `None` sets it when `redirect_url` is `https`.
    pub cookie_secure: Option<bool>,
    /// Keep the refresh token in an encrypted cookie and serve the refresh route.
    pub refresh_flow: bool,
    /// `Max-Age` of the refresh cookie. Default one day.
    pub refresh_cookie_age: Duration,
    /// Secret (at least 32 bytes) from which the cookie encryption key is derived. Required
    /// with `refresh_flow`; without it a random key per process encrypts the login-flow
    /// cookie, which breaks logins that start on one node and end on another.
    pub cookie_secret: Option<String>,
    /// Issuer override for providers that are not on amazonaws.com (Cognate:
    /// `<base url>/<poolId>`). Default `https://cognito-idp.<region>.amazonaws.com/<poolId>`.
    pub issuer: Option<String>,
    /// JWKS URL override. Default `<issuer>/.well-known/jwks.json`.
    pub jwks_url: Option<String>,
    /// Least time between two JWKS fetches caused by unknown `kid`s. Default one minute.
    pub jwks_refetch_interval: Duration,
    /// Timeout of each call to the provider. Default 10 seconds.
    pub http_timeout: Duration,
    /// What extractors answer when nobody is signed in.
    pub unauthenticated: Unauthenticated,
    /// Accept `Authorization: Bearer <access token>` when there is no access token cookie.
    /// Default `true`.
    pub accept_bearer: bool,
    /// Path of the login route (served by [`Cognito::routes`](crate::Cognito::routes)).
    pub login_path: String,
    /// Path of the refresh route.
    pub refresh_path: String,
    /// Path of the logout route.
    pub logout_path: String,
    /// Where the callback route sends users whose `state` carries no local path.
    pub after_login_path: String,
    /// Turn every check off: extractors let every request through with
    /// [`disabled_claims`](Self::disabled_claims) and ignore group rules. For an
    /// application's own tests only.
    pub disabled: bool,
    /// Claims extractors yield while `disabled`; `None` yields [`Claims::test_user`].
    pub disabled_claims: Option<Claims>,
}

impl Config {
    /// Settings for a pool and app client, with defaults for everything else.
    /// `redirect_url` and `logout_url` still have to be set.
    pub fn new(
        region: impl Into<String>,
        user_pool_id: impl Into<String>,
        domain: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        Config {
            region: region.into(),
            user_pool_id: user_pool_id.into(),
            domain: domain.into(),
            client_id: client_id.into(),
            client_secret: None,
            redirect_url: String::new(),
            logout_url: String::new(),
            cookie_age: Duration::from_secs(1800),
            expiration_leeway: Duration::ZERO,
            scopes: Vec::new(),
            cookie_domain: None,
            cookie_same_site: SameSite::Lax,
            cookie_secure: None,
            refresh_flow: false,
            refresh_cookie_age: Duration::from_secs(86_400),
            cookie_secret: None,
            issuer: None,
            jwks_url: None,
            jwks_refetch_interval: Duration::from_secs(60),
            http_timeout: Duration::from_secs(10),
            unauthenticated: Unauthenticated::Status401,
            accept_bearer: true,
            login_path: "/login".into(),
            refresh_path: "/refresh".into(),
            logout_path: "/logout".into(),
            after_login_path: "/".into(),
            disabled: false,
            disabled_claims: None,
        }
    }

    /// Reads the settings from flask-cognito-lib's variable names:
    ///
    /// | variable | field |
    /// |---|---|
    /// | `AWS_REGION` (required) | `region` |
    /// | `AWS_COGNITO_USER_POOL_ID` (required) | `user_pool_id` |
    /// | `AWS_COGNITO_DOMAIN` (required) | `domain` |
    /// | `AWS_COGNITO_USER_POOL_CLIENT_ID` (required) | `client_id` |
    /// | `AWS_COGNITO_USER_POOL_CLIENT_SECRET` | `client_secret` |
    /// | `AWS_COGNITO_REDIRECT_URL` (required) | `redirect_url` |
    /// | `AWS_COGNITO_LOGOUT_URL` (required) | `logout_url` |
    /// | `AWS_COGNITO_COOKIE_AGE_SECONDS` | `cookie_age` |
    /// | `AWS_COGNITO_EXPIRATION_LEEWAY` | `expiration_leeway` (seconds) |
    /// | `AWS_COGNITO_SCOPES` (space or comma separated) | `scopes` |
    /// | `AWS_COGNITO_COOKIE_DOMAIN` | `cookie_domain` |
    /// | `AWS_COGNITO_COOKIE_SAMESITE` (`Lax`, `Strict`, `None`) | `cookie_same_site` |
    /// | `AWS_COGNITO_REFRESH_FLOW_ENABLED` | `refresh_flow` |
    /// | `AWS_COGNITO_REFRESH_COOKIE_AGE_SECONDS` | `refresh_cookie_age` |
    /// | `AWS_COGNITO_COOKIE_SECRET` | `cookie_secret` |
    /// | `AWS_COGNITO_ISSUER` | `issuer` |
    /// | `AWS_COGNITO_JWKS_URL` | `jwks_url` |
    /// | `AWS_COGNITO_DISABLED` | `disabled` |
    ///
    /// The refresh cookie is always encrypted, so `AWS_COGNITO_REFRESH_COOKIE_ENCRYPTED` is
    /// not read.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) over any source of variables (a map in tests, a
    /// secrets store, ...).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let required = |name: &'static str| get(name).ok_or(ConfigError::MissingVariable(name));
        let seconds = |name: &'static str| -> Result<Option<Duration>, ConfigError> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map(Duration::from_secs)
                        .map_err(|_| ConfigError::InvalidVariable(name))
                })
                .transpose()
        };
        let flag = |name: &'static str| -> Result<Option<bool>, ConfigError> {
            get(name)
                .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => Ok(true),
                    "0" | "false" | "no" | "off" => Ok(false),
                    _ => Err(ConfigError::InvalidVariable(name)),
                })
                .transpose()
        };

        let mut config = Config::new(
            required("AWS_REGION")?,
            required("AWS_COGNITO_USER_POOL_ID")?,
            required("AWS_COGNITO_DOMAIN")?,
            required("AWS_COGNITO_USER_POOL_CLIENT_ID")?,
        );
        config.client_secret = get("AWS_COGNITO_USER_POOL_CLIENT_SECRET");
        config.redirect_url = required("AWS_COGNITO_REDIRECT_URL")?;
        config.logout_url = required("AWS_COGNITO_LOGOUT_URL")?;
        if let Some(age) = seconds("AWS_COGNITO_COOKIE_AGE_SECONDS")? {
            config.cookie_age = age;
        }
        if let Some(leeway) = seconds("AWS_COGNITO_EXPIRATION_LEEWAY")? {
            config.expiration_leeway = leeway;
        }
        if let Some(scopes) = get("AWS_COGNITO_SCOPES") {
            config.scopes = scopes
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        config.cookie_domain = get("AWS_COGNITO_COOKIE_DOMAIN");
        if let Some(same_site) = get("AWS_COGNITO_COOKIE_SAMESITE") {
            config.cookie_same_site = match same_site.trim().to_ascii_lowercase().as_str() {
                "lax" => SameSite::Lax,
                "strict" => SameSite::Strict,
                "none" => SameSite::None,
                _ => return Err(ConfigError::InvalidVariable("AWS_COGNITO_COOKIE_SAMESITE")),
            };
        }
        if let Some(on) = flag("AWS_COGNITO_REFRESH_FLOW_ENABLED")? {
            config.refresh_flow = on;
        }
        if let Some(age) = seconds("AWS_COGNITO_REFRESH_COOKIE_AGE_SECONDS")? {
            config.refresh_cookie_age = age;
        }
        config.cookie_secret = get("AWS_COGNITO_COOKIE_SECRET");
        config.issuer = get("AWS_COGNITO_ISSUER");
        config.jwks_url = get("AWS_COGNITO_JWKS_URL");
        if let Some(disabled) = flag("AWS_COGNITO_DISABLED")? {
            config.disabled = disabled;
        }
        Ok(config)
    }

    /// The issuer tokens must carry: the override, or Cognito's
    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`.
    pub fn issuer(&self) -> String {
        match &self.issuer {
            Some(issuer) => issuer.trim_end_matches('/').to_owned(),
            None => format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                self.region, self.user_pool_id
            ),
        }
    }

    /// Where the signing keys are: the override, or `<issuer>/.well-known/jwks.json`.
    pub fn jwks_url(&self) -> String {
        match &self.jwks_url {
            Some(url) => url.clone(),
            None => format!("{}/.well-known/jwks.json", self.issuer()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::Cognito;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const REQUIRED: [(&str, &str); 6] = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_COGNITO_USER_POOL_ID", "eu-west-1_AbC"),
        (
            "AWS_COGNITO_DOMAIN",
            "https://x.auth.eu-west-1.amazoncognito.com",
        ),
        ("AWS_COGNITO_USER_POOL_CLIENT_ID", "client"),
        ("AWS_COGNITO_REDIRECT_URL", "https://app.example/postlogin"),
        ("AWS_COGNITO_LOGOUT_URL", "https://app.example/"),
    ];

    #[test]
    fn reads_flask_cognito_lib_variables() {
        let mut vars = REQUIRED.to_vec();
        vars.extend([
            ("AWS_COGNITO_COOKIE_AGE_SECONDS", "600"),
            ("AWS_COGNITO_EXPIRATION_LEEWAY", "5"),
            ("AWS_COGNITO_SCOPES", "openid, email profile"),
            ("AWS_COGNITO_COOKIE_SAMESITE", "Strict"),
            ("AWS_COGNITO_REFRESH_FLOW_ENABLED", "True"),
            ("AWS_COGNITO_DISABLED", "false"),
        ]);
        let config = Config::from_lookup(env(&vars)).unwrap();
        assert_eq!(config.cookie_age, Duration::from_secs(600));
        assert_eq!(config.expiration_leeway, Duration::from_secs(5));
        assert_eq!(config.scopes, ["openid", "email", "profile"]);
        assert_eq!(config.cookie_same_site, SameSite::Strict);
        assert!(config.refresh_flow && !config.disabled);
        assert_eq!(
            config.issuer(),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"
        );
        assert_eq!(
            config.jwks_url(),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json"
        );

        let missing = Config::from_lookup(env(&REQUIRED[1..]));
        assert!(matches!(
            missing,
            Err(ConfigError::MissingVariable("AWS_REGION"))
        ));
        let mut bad = REQUIRED.to_vec();
        bad.push(("AWS_COGNITO_COOKIE_AGE_SECONDS", "soon"));
        assert!(matches!(
            Config::from_lookup(env(&bad)),
            Err(ConfigError::InvalidVariable(
                "AWS_COGNITO_COOKIE_AGE_SECONDS"
            ))
        ));
    }

    #[test]
    fn issuer_override_for_cognate() {
        let mut config = Config::from_lookup(env(&REQUIRED)).unwrap();
        config.issuer = Some("http://localhost:9229/eu-west-1_AbC/".into());
        assert_eq!(config.issuer(), "http://localhost:9229/eu-west-1_AbC");
        assert_eq!(
            config.jwks_url(),
            "http://localhost:9229/eu-west-1_AbC/.well-known/jwks.json"
        );
    }

    #[test]
    fn refuses_settings_that_cannot_work() {
        let base = Config::from_lookup(env(&REQUIRED)).unwrap();
        let check = |change: fn(&mut Config)| {
            let mut config = base.clone();
            change(&mut config);
            Cognito::new(config).err()
        };
        assert!(check(|_| {}).is_none());
        assert!(matches!(
            check(|c| c.refresh_flow = true),
            Some(ConfigError::MissingCookieSecret)
        ));
        assert!(matches!(
            check(|c| c.cookie_secret = Some("short".into())),
            Some(ConfigError::ShortCookieSecret)
        ));
        assert!(matches!(
            check(|c| c.domain = "not a url".into()),
            Some(ConfigError::InvalidUrl {
                field: "domain",
                ..
            })
        ));
        assert!(matches!(
            check(|c| c.redirect_url = String::new()),
            Some(ConfigError::Missing("redirect_url"))
        ));
        assert!(matches!(
            check(|c| c.login_path = "login".into()),
            Some(ConfigError::InvalidUrl {
                field: "login_path",
                ..
            })
        ));
    }
}

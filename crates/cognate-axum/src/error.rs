//! Errors of configuration, of the login flow and of token checks, and the responses
//! extractors answer with.

use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL setting does not parse or is not absolute.
    #[error("{field} is not a valid absolute URL: {value:?}")]
    InvalidUrl {
        /// The setting's name.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// A required setting is empty.
    #[error("{0} must be set")]
    Missing(&'static str),
    /// `refresh_flow` is on but `cookie_secret` is not set.
    #[error("refresh_flow needs cookie_secret to encrypt the refresh cookie")]
    MissingCookieSecret,
    /// `cookie_secret` is shorter than 32 bytes.
    #[error("cookie_secret must be at least 32 bytes")]
    ShortCookieSecret,
    /// A required environment variable is not set.
    #[error("environment variable {0} is not set")]
    MissingVariable(&'static str),
    /// An environment variable holds a value that cannot be read.
    #[error("environment variable {0} has an invalid value")]
    InvalidVariable(&'static str),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a well-formed JWS, or claims of the wrong type.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header's `alg` is not RS256.
    #[error("unsupported algorithm")]
    UnsupportedAlgorithm,
    /// The header has no `kid`.
    #[error("token header has no kid")]
    MissingKid,
    /// The signature does not verify with the key named by `kid`.
    #[error("bad signature")]
    BadSignature,
    /// A required claim is absent.
    #[error("missing claim {0}")]
    MissingClaim(String),
    /// `iss` is not the configured issuer.
    #[error("wrong issuer")]
    WrongIssuer,
    /// The ID token's `aud` is not the client ID.
    #[error("wrong audience")]
    WrongAudience,
    /// The access token's `client_id` is not the client ID.
    #[error("wrong client_id")]
    WrongClientId,
    /// `exp` is past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `iat` is in the future (beyond the leeway).
    #[error("token issued in the future")]
    IssuedInFuture,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not valid yet")]
    NotYetValid,
    /// `token_use` is not the one expected here (an ID token where an access token belongs,
    /// or the reverse).
    #[error("token_use is {found:?}, expected {expected:?}")]
    WrongTokenUse {
        /// What this check wanted (`id` or `access`).
        expected: &'static str,
        /// What the token says.
        found: String,
    },
    /// The ID token's `nonce` is not the one sent at login.
    #[error("wrong nonce")]
    WrongNonce,
    /// The ID and access tokens name different users.
    #[error("ID and access tokens have different subjects")]
    SubjectMismatch,
}

/// Something that stopped a login, refresh or token check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No token in the request.
    #[error("not signed in")]
    MissingToken,
    /// The token failed a check.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The token names a `kid` that the JWKS does not have (after a refetch, or while
    /// refetches are rate limited).
    #[error("unknown signing key {0:?}")]
    UnknownKey(String),
    /// The JWKS could not be fetched or read.
    #[error("JWKS unavailable: {0}")]
    Jwks(String),
    /// The callback's `state` is not the one this browser's login started with, or no login
    /// was started in this browser.
    #[error("state does not match the login in progress")]
    StateMismatch,
    /// The provider redirected back with `?error=`.
    #[error("provider refused the login: {error} {description}")]
    Provider {
        /// The OAuth error code (`access_denied`, `invalid_scope`, ...).
        error: String,
        /// `error_description`, if any.
        description: String,
    },
    /// The callback carries neither `code` nor `error`.
    #[error("callback has no code")]
    MissingCode,
    /// The token or revocation endpoint answered with an error.
    #[error("{endpoint} answered {status}: {body}")]
    Endpoint {
        /// `token` or `revoke`.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// Body of the answer (an OAuth error object), cut to 500 characters.
        body: String,
    },
    /// The token endpoint answered without an ID token (the client lacks `openid`).
    #[error("token endpoint returned no id_token: allow and request the openid scope")]
    MissingIdToken,
    /// A refresh was asked for without a refresh cookie.
    #[error("no refresh token")]
    MissingRefreshToken,
    /// The provider could not be reached.
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
}

impl AuthError {
    /// Whether the fault is on the provider's side (JWKS or endpoint unreachable), as opposed
    /// to the request's.
    pub fn is_provider_unavailable(&self) -> bool {
        matches!(self, AuthError::Jwks(_) | AuthError::Http(_))
            || matches!(self, AuthError::Endpoint { status, .. } if *status >= 500)
    }
}

impl IntoResponse for AuthError {
    /// 503 when the provider is unavailable, 400 otherwise; the body names the reason.
    fn into_response(self) -> Response {
        let status = if self.is_provider_unavailable() {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::BAD_REQUEST
        };
        (status, format!("Sign-in failed: {self}")).into_response()
    }
}

/// What an extractor answers instead of running the handler.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthRejection {
    /// Nobody is signed in (or the token failed a check): `401 Unauthorized`.
    Unauthorized(AuthError),
    /// Nobody is signed in and the configuration asks for a redirect: `303 See Other` to this
    /// location (the login or refresh route).
    Redirect(String),
    /// Signed in without the required group: `403 Forbidden`.
    Forbidden,
    /// The provider's keys could not be fetched: `503 Service Unavailable`.
    Unavailable(AuthError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Unauthorized(_) => {
                (StatusCode::UNAUTHORIZED, "Unauthorized").into_response()
            }
            AuthRejection::Redirect(to) => Redirect::to(&to).into_response(),
            AuthRejection::Forbidden => (StatusCode::FORBIDDEN, "Forbidden").into_response(),
            AuthRejection::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "Sign-in unavailable").into_response()
            }
        }
    }
}

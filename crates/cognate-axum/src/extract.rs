//! Extractors that admit only signed-in users, optionally only members of some groups.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::claims::Claims;
use crate::cognito::Cognito;
use crate::config::{ACCESS_COOKIE, ID_COOKIE, REFRESH_COOKIE, Unauthenticated};
use crate::cookies::read_cookie;
use crate::error::{AuthError, AuthRejection, TokenError};
use crate::verify::TokenKind;

/// A group requirement checked against `cognito:groups`. Define one with
/// [`group_policy!`](crate::group_policy) and name it in
/// [`AuthRequired<P>`](AuthRequired) or [`IdToken<P>`](IdToken).
pub trait GroupPolicy: Send + Sync + 'static {
    /// Whether the verified claims satisfy the requirement.
    fn allows(claims: &Claims) -> bool;
}

/// The policy that any signed-in user satisfies.
#[derive(Debug, Clone, Copy)]
pub struct AnyUser;

impl GroupPolicy for AnyUser {
    fn allows(_: &Claims) -> bool {
        true
    }
}

/// Defines a [`GroupPolicy`]: members of all the listed groups (`all_of`) or of at least one
/// (`any_of`).
///
/// ```
/// use cognate_axum::{AuthRequired, group_policy};
///
/// group_policy!(pub Admins = all_of["admin"]);
/// group_policy!(
///     /// Editors or reviewers.
///     pub Staff = any_of["editor", "reviewer"]
/// );
///
/// async fn dashboard(user: AuthRequired<Staff>) -> String {
///     format!("hello {}", user.username())
/// }
/// ```
#[macro_export]
macro_rules! group_policy {
    ($(#[$meta:meta])* $vis:vis $name:ident = all_of[$($group:expr),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name;
        impl $crate::GroupPolicy for $name {
            fn allows(claims: &$crate::Claims) -> bool {
                claims.in_all_groups(&[$($group),+])
            }
        }
    };
    ($(#[$meta:meta])* $vis:vis $name:ident = any_of[$($group:expr),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name;
        impl $crate::GroupPolicy for $name {
            fn allows(claims: &$crate::Claims) -> bool {
                claims.in_any_group(&[$($group),+])
            }
        }
    };
}

/// The verified access token of the request's user, who satisfies `P`.
///
/// The token comes from the HttpOnly access cookie, or from `Authorization: Bearer` when
/// [`accept_bearer`](crate::Config::accept_bearer) is on. Not signed in (no token, or one that
/// fails a check): `401`, or a redirect to login with
/// [`Unauthenticated::RedirectToLogin`]. Signed in but not allowed by `P`: `403`. Keys come
/// from the cached JWKS: no network call per request.
///
/// `Option<AuthRequired<P>>` yields `None` instead of rejecting.
#[derive(Debug, Clone)]
pub struct AuthRequired<P: GroupPolicy = AnyUser> {
    /// The verified claims.
    pub claims: Claims,
    checks_disabled: bool,
    _policy: PhantomData<fn() -> P>,
}

/// The verified ID token of the request's user (profile attributes such as `email`), who
/// satisfies `P`. Read from the HttpOnly ID cookie; rejections as for [`AuthRequired`].
#[derive(Debug, Clone)]
pub struct IdToken<P: GroupPolicy = AnyUser> {
    /// The verified claims.
    pub claims: Claims,
    _policy: PhantomData<fn() -> P>,
}

impl<P: GroupPolicy> AuthRequired<P> {
    /// The verified claims.
    pub fn into_claims(self) -> Claims {
        self.claims
    }

    /// `403` unless the user is in every one of `groups` (checked at run time, for rules
    /// known only then). Always passes while checks are disabled.
    pub fn require_all<G: AsRef<str>>(&self, groups: &[G]) -> Result<(), AuthRejection> {
        self.require(self.claims.in_all_groups(groups))
    }

    /// `403` unless the user is in at least one of `groups`. Always passes while checks are
    /// disabled.
    pub fn require_any<G: AsRef<str>>(&self, groups: &[G]) -> Result<(), AuthRejection> {
        self.require(self.claims.in_any_group(groups))
    }

    fn require(&self, allowed: bool) -> Result<(), AuthRejection> {
        if allowed || self.checks_disabled {
            Ok(())
        } else {
            Err(AuthRejection::Forbidden)
        }
    }
}

impl<P: GroupPolicy> IdToken<P> {
    /// The verified claims.
    pub fn into_claims(self) -> Claims {
        self.claims
    }
}

impl<P: GroupPolicy> Deref for AuthRequired<P> {
    type Target = Claims;
    fn deref(&self) -> &Claims {
        &self.claims
    }
}

impl<P: GroupPolicy> Deref for IdToken<P> {
    type Target = Claims;
    fn deref(&self) -> &Claims {
        &self.claims
    }
}

/// Finds and verifies the token of `kind`, then applies `P`. Returns the claims and whether
/// checks are disabled.
async fn authenticate<P: GroupPolicy>(
    parts: &Parts,
    cognito: &Cognito,
    kind: TokenKind,
) -> Result<(Claims, bool), AuthRejection> {
    if cognito.is_disabled() {
        return Ok((cognito.inner.disabled_claims.clone(), true));
    }
    let config = cognito.config();
    let token = match kind {
        TokenKind::Access => read_cookie(&parts.headers, ACCESS_COOKIE)
            .or_else(|| config.accept_bearer.then(|| bearer(parts)).flatten()),
        TokenKind::Id => read_cookie(&parts.headers, ID_COOKIE),
    };
    let result = match token {
        Some(token) => cognito.inner.verifier.verify(token, kind, None).await,
        None => Err(AuthError::MissingToken),
    };
    let claims = match result {
        Ok(claims) => claims,
        Err(error) if error.is_provider_unavailable() => {
            return Err(AuthRejection::Unavailable(error));
        }
        Err(error) => return Err(unauthenticated(parts, cognito, error)),
    };
    if P::allows(&claims) {
        Ok((claims, false))
    } else {
        Err(AuthRejection::Forbidden)
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthenticated(parts: &Parts, cognito: &Cognito, error: AuthError) -> AuthRejection {
    tracing::debug!(%error, "request not authenticated");
    let config = cognito.config();
    if config.unauthenticated != Unauthenticated::RedirectToLogin {
        return AuthRejection::Unauthorized(error);
    }
    let back_to = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    // A missing or expired token with a refresh cookie at hand is worth a refresh first;
    // any other failure would fail again after one.
    let refreshable = matches!(
        error,
        AuthError::MissingToken | AuthError::Token(TokenError::Expired)
    );
    let path = if config.refresh_flow
        && refreshable
        && read_cookie(&parts.headers, REFRESH_COOKIE).is_some()
    {
        &config.refresh_path
    } else {
        &config.login_path
    };
    AuthRejection::Redirect(cognito.login_location(path, back_to))
}

impl<S, P> FromRequestParts<S> for AuthRequired<P>
where
    S: Send + Sync,
    Cognito: FromRef<S>,
    P: GroupPolicy,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let cognito = Cognito::from_ref(state);
        let (claims, checks_disabled) =
            authenticate::<P>(parts, &cognito, TokenKind::Access).await?;
        Ok(AuthRequired {
            claims,
            checks_disabled,
            _policy: PhantomData,
        })
    }
}

impl<S, P> OptionalFromRequestParts<S> for AuthRequired<P>
where
    S: Send + Sync,
    Cognito: FromRef<S>,
    P: GroupPolicy,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <Self as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(auth) => Ok(Some(auth)),
            Err(rejection @ AuthRejection::Unavailable(_)) => Err(rejection),
            Err(_) => Ok(None),
        }
    }
}

impl<S, P> FromRequestParts<S> for IdToken<P>
where
    S: Send + Sync,
    Cognito: FromRef<S>,
    P: GroupPolicy,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let cognito = Cognito::from_ref(state);
        let (claims, _) = authenticate::<P>(parts, &cognito, TokenKind::Id).await?;
        Ok(IdToken {
            claims,
            _policy: PhantomData,
        })
    }
}

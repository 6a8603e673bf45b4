//! Ready-made routes: login, callback, refresh and logout.
//!
//! [`Cognito::routes`] mounts them at the configured paths. To do more at the callback
//! (create the user in your database, say), write your own handler around
//! [`Cognito::finish_login`] instead.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::cognito::Cognito;
use crate::config::{FLOW_COOKIE, REFRESH_COOKIE, Unauthenticated};
use crate::cookies::SetCookies;
use crate::flow::{CallbackParams, LoginRedirect, LogoutRedirect};

/// The `?state=` query of the login and refresh routes: an application value (for the
/// ready-made callback, the local path to return to).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StateParam {
    /// The application value.
    pub state: Option<String>,
}

impl Cognito {
    /// A router with the login, callback, refresh (when `refresh_flow` is on) and logout
    /// routes, at `login_path`, the path of `redirect_url`, `refresh_path` and `logout_path`.
    /// It carries its own state, so it merges into a router of any state:
    /// `app.merge(cognito.routes())`.
    pub fn routes<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let config = self.config();
        let mut router = Router::new()
            .route(&config.login_path, get(login))
            .route(&self.inner.callback_path, get(callback))
            .route(&config.logout_path, get(logout).post(logout));
        if config.refresh_flow {
            router = router.route(&config.refresh_path, get(refresh).post(refresh));
        }
        router.with_state(self.clone())
    }

    /// `target` if it is a path on this site, else `after_login_path`: the state comes back
    /// from outside, so it must not become an open redirect.
    pub fn local_redirect_target(&self, target: Option<&str>) -> String {
        match target {
            Some(path) if is_local_path(path) => path.to_owned(),
            _ => self.config().after_login_path.clone(),
        }
    }

    /// `path?state=<back_to>`: the login or refresh route, carrying the page to return to.
    pub(crate) fn login_location(&self, path: &str, back_to: &str) -> String {
        let encoded: String = url::form_urlencoded::byte_serialize(back_to.as_bytes()).collect();
        format!("{path}?state={encoded}")
    }
}

fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(char::is_control)
}

/// `GET login_path?state=..`: redirects to the provider's authorize endpoint.
pub async fn login(
    State(cognito): State<Cognito>,
    Query(query): Query<StateParam>,
) -> LoginRedirect {
    cognito.start_login(query.state.as_deref())
}

/// `GET <redirect_url path>?code=..&state=..`: finishes the login, sets the token cookies and
/// redirects to the local path that rode through `state`, or to `after_login_path`.
/// Failures answer 400 (503 if the provider is unreachable) and clear the login-flow cookie.
pub async fn callback(
    State(cognito): State<Cognito>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    match cognito.finish_login(&headers, &params).await {
        Ok(session) => {
            let target = cognito.local_redirect_target(session.app_state.as_deref());
            (session, Redirect::to(&target)).into_response()
        }
        Err(error) => {
            tracing::info!(%error, "login callback refused");
            let mut cookies = SetCookies::new(&cognito.inner.key);
            cookies.add(cognito.inner.cookies.removal(FLOW_COOKIE));
            (cookies, error).into_response()
        }
    }
}

/// `GET|POST refresh_path[?state=/path]`: refreshes the tokens from the refresh cookie.
/// Success: `204 No Content`, or a redirect to the local path in `state`. Failure: the
/// refresh cookie is cleared and the answer is `401` (a redirect to login, keeping `state`,
/// when a `state` was given or the configuration asks for redirects).
pub async fn refresh(
    State(cognito): State<Cognito>,
    headers: HeaderMap,
    Query(query): Query<StateParam>,
) -> Response {
    match cognito.refresh(&headers).await {
        Ok(session) => match query.state.as_deref() {
            Some(state) => {
                let target = cognito.local_redirect_target(Some(state));
                (session, Redirect::to(&target)).into_response()
            }
            None => (session, StatusCode::NO_CONTENT).into_response(),
        },
        Err(error) if error.is_provider_unavailable() => error.into_response(),
        Err(error) => {
            tracing::info!(%error, "refresh refused");
            let mut cookies = SetCookies::new(&cognito.inner.key);
            cookies.add(cognito.inner.cookies.removal(REFRESH_COOKIE));
            let config = cognito.config();
            let redirect = config.unauthenticated == Unauthenticated::RedirectToLogin;
            match query.state.as_deref() {
                Some(state) => {
                    let to = cognito.login_location(&config.login_path, state);
                    (cookies, Redirect::to(&to)).into_response()
                }
                None if redirect => (cookies, Redirect::to(&config.login_path)).into_response(),
                None => (cookies, StatusCode::UNAUTHORIZED).into_response(),
            }
        }
    }
}

/// `GET|POST logout_path`: revokes the refresh token, clears the cookies and redirects to the
/// provider's `/logout?client_id=..&logout_uri=..`.
pub async fn logout(State(cognito): State<Cognito>, headers: HeaderMap) -> LogoutRedirect {
    cognito.logout(&headers).await
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert!(is_local_path("/reports?id=1"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/a\nb",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}

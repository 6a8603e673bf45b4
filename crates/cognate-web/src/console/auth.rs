//! Signing in to the console and out of it: the form with "Access key ID" and "Secret access
//! key", a session cookie (HttpOnly, SameSite=Lax, Secure except on loopback), lockout after
//! repeated failures (in `cognate-core/src/console/`).

use super::{ConsoleState, cookie_name, render, signed_in};
use crate::security::{self, CsrfForm, csrf_ok, csrf_token};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use cognate_core::console::{ConsoleRefusal, SESSION_LIFETIME_MS};
use serde::Deserialize;
use std::sync::Arc;

const SIGN_IN: CsrfForm<'static> = CsrfForm {
    action: "/console/signin",
    query: "",
};

#[derive(Template)]
#[template(path = "console/signin.html")]
struct SignInPage {
    signout_csrf: Option<String>,
    error: Option<&'static str>,
    csrf: String,
    access_key_id: String,
}

/// `GET /console`: the pools when signed in, else the sign-in page.
pub(super) async fn home(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    match signed_in(&state, &jar, &headers).await {
        Ok(_) => Redirect::to("/console/pools").into_response(),
        Err(to_sign_in) => to_sign_in,
    }
}

fn page(
    state: &ConsoleState,
    headers: &HeaderMap,
    jar: CookieJar,
    error: Option<&'static str>,
    access_key_id: String,
    status: StatusCode,
) -> Response {
    let host = security::host(headers);
    let (jar, csrf) = csrf_token(&state.cognito.secrets, jar, &host, SIGN_IN);
    let page = SignInPage {
        signout_csrf: None,
        error,
        csrf,
        access_key_id,
    };
    (jar, render(page, status)).into_response()
}

/// `GET /console/signin`.
pub(super) async fn form(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    page(&state, &headers, jar, None, String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// `POST /console/signin`.
pub(super) async fn submit(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    Form(f): Form<SignInForm>,
) -> Response {
    let host = security::host(&headers);
    let id = f.access_key_id.unwrap_or_default();
    if !csrf_ok(
        &state.cognito.secrets,
        &jar,
        &host,
        SIGN_IN,
        f.csrf.as_deref(),
    ) {
        let expired = Some("The form expired. Sign in again.");
        return page(&state, &headers, jar, expired, id, StatusCode::FORBIDDEN);
    }
    let secret = f.secret_access_key.unwrap_or_default();
    match state
        .cognito
        .console_sign_in(&state.keys, &id, &secret, peer.map(|p| p.0.0.ip()))
        .await
    {
        Ok(sealed) => {
            let cookie = security::cookie(
                cookie_name(&host),
                sealed,
                &host,
                SESSION_LIFETIME_MS / 1000,
            );
            (jar.add(cookie), Redirect::to("/console/pools")).into_response()
        }
        Err(refusal) => {
            let status = match refusal {
                ConsoleRefusal::Wrong => StatusCode::UNAUTHORIZED,
                ConsoleRefusal::Locked => StatusCode::TOO_MANY_REQUESTS,
                ConsoleRefusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            };
            page(&state, &headers, jar, Some(refusal.message()), id, status)
        }
    }
}

#[derive(Deserialize)]
pub(super) struct SignOutForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// `POST /console/signout`: ends the session cookie.
pub(super) async fn sign_out(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<SignOutForm>,
) -> Response {
    let host = security::host(&headers);
    let session = match signed_in(&state, &jar, &headers).await {
        Ok(s) => s,
        Err(to_sign_in) => return to_sign_in,
    };
    let form = CsrfForm {
        action: "/console/signout",
        query: &session.id,
    };
    if !csrf_ok(&state.cognito.secrets, &jar, &host, form, f.csrf.as_deref()) {
        return super::fail(StatusCode::FORBIDDEN, "The form expired.");
    }
    if let Err(e) = state.cognito.console_sign_out(&session).await {
        tracing::error!(error = %e.message, "console sign-out not recorded");
        return super::fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "Signing out failed. Try again.",
        );
    }
    let jar = jar.add(security::expired(cookie_name(&host), &host));
    (jar, Redirect::to("/console/signin")).into_response()
}

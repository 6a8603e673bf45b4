//! Cognate's web console at `/console`: administrators sign in with the admin credentials
//! (`auth.rs`) and see and manage user pools (`pools.rs`). Server-rendered (askama templates
//! in `templates/console/`, one stylesheet), no JavaScript; every form carries a CSRF token
//! bound to the browser and the form. Who may sign in, and the sessions, are in
//! `cognate-core/src/console/`; what the pages do is the domain's operations, as the API
//! calls them.

mod auth;
mod clients;
mod pools;
mod settings;
mod users;
mod wizard;

use crate::security;
use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use cognate_core::Cognito;
use cognate_core::console::{AdminApi, ConsoleSession};
use std::sync::Arc;

/// The session cookie: `__Host-` prefixed where cookies are `Secure`.
const COOKIE: &str = "cognate-console";
const SECURE_COOKIE: &str = "__Host-cognate-console";

pub(crate) struct ConsoleState {
    cognito: Arc<Cognito>,
    /// The admin credentials: (access key ID, secret access key).
    keys: Vec<(String, String)>,
    /// The API the pages call, with its validation.
    api: Arc<dyn AdminApi>,
    /// Where messages go, as the message-delivery step says it.
    delivery: Vec<String>,
}

/// The console's routes, for the admin credentials `keys`, calling `api`.
pub fn router(
    cognito: Arc<Cognito>,
    keys: Vec<(String, String)>,
    api: Arc<dyn AdminApi>,
    delivery: Vec<String>,
) -> Router {
    let state = Arc::new(ConsoleState {
        cognito,
        keys,
        api,
        delivery,
    });
    Router::new()
        .route("/console", get(auth::home))
        .route("/console/signin", get(auth::form).post(auth::submit))
        .route("/console/signout", post(auth::sign_out))
        .route("/console/style.css", get(style))
        .route("/console/pools", get(pools::list))
        .route("/console/pools/new", get(wizard::start).post(wizard::step))
        .route("/console/pools/{pool_id}", get(pools::detail))
        .route("/console/pools/{pool_id}/clients", post(clients::create))
        .route(
            "/console/pools/{pool_id}/clients/{client_id}",
            get(clients::client).post(clients::update),
        )
        .route(
            "/console/pools/{pool_id}/users",
            get(users::list).post(users::create),
        )
        .route(
            "/console/pools/{pool_id}/users/{username}",
            get(users::user).post(users::act),
        )
        .route("/console/pools/{pool_id}/groups/{group}", get(users::group))
        .route(
            "/console/pools/{pool_id}/settings",
            get(settings::show).post(settings::change),
        )
        .route_layer(axum::middleware::from_fn(security::refuse_nul))
        .with_state(state)
}

fn cookie_name(host: &str) -> &'static str {
    match security::secure(host) {
        true => SECURE_COOKIE,
        false => COOKIE,
    }
}

/// The signed-in administrator, or the way to the sign-in page.
async fn signed_in(
    state: &ConsoleState,
    jar: &CookieJar,
    headers: &HeaderMap,
) -> Result<ConsoleSession, Response> {
    let host = security::host(headers);
    let to_sign_in = || Redirect::to("/console/signin").into_response();
    let Some(cookie) = jar.get(cookie_name(&host)) else {
        return Err(to_sign_in());
    };
    state
        .cognito
        .console_session(&state.keys, cookie.value())
        .await
        .ok_or_else(to_sign_in)
}

/// The administrator asking about `pool_id` (signed in, the pool ID well formed), or the page
/// to answer instead.
async fn admin_of_pool(
    state: &ConsoleState,
    jar: &CookieJar,
    headers: &HeaderMap,
    pool_id: &str,
) -> Result<ConsoleSession, Response> {
    let session = signed_in(state, jar, headers).await?;
    checked_pool(pool_id).map_err(|refused| *refused)?;
    Ok(session)
}

/// The administrator posting `form` about `pool_id`, with the CSRF token of forms for
/// `action`; else the page to answer instead.
async fn admin_post(
    state: &ConsoleState,
    jar: &CookieJar,
    headers: &HeaderMap,
    pool_id: &str,
    action: &'static str,
    form: &std::collections::HashMap<String, String>,
) -> Result<ConsoleSession, Response> {
    let session = admin_of_pool(state, jar, headers, pool_id).await?;
    let expected = security::CsrfForm {
        action,
        query: &session.id,
    };
    let presented = form.get("_csrf").map(String::as_str);
    let host = security::host(headers);
    match security::csrf_ok(&state.cognito.secrets, jar, &host, expected, presented) {
        true => Ok(session),
        false => Err(fail(StatusCode::FORBIDDEN, "The form expired.")),
    }
}

/// The tokens of a page: its forms' (for `action`) and the sign-out form's.
fn page_tokens(
    state: &ConsoleState,
    jar: CookieJar,
    headers: &HeaderMap,
    session: &ConsoleSession,
    action: &'static str,
) -> (CookieJar, String, String) {
    let form = security::CsrfForm {
        action,
        query: &session.id,
    };
    let host = security::host(headers);
    let (jar, csrf) = security::csrf_token(&state.cognito.secrets, jar, &host, form);
    let (jar, signout) = sign_out_token(state, jar, headers, session);
    (jar, csrf, signout)
}

/// The CSRF token of the sign-out form every signed-in page carries.
fn sign_out_token(
    state: &ConsoleState,
    jar: CookieJar,
    headers: &HeaderMap,
    session: &ConsoleSession,
) -> (CookieJar, String) {
    let form = security::CsrfForm {
        action: "/console/signout",
        query: &session.id,
    };
    security::csrf_token(&state.cognito.secrets, jar, &security::host(headers), form)
}

/// The console's pages: the hosted pages' headers, and forms that may post only here (the
/// console never sends a form elsewhere, so unlike the hosted UI it can say so).
fn harden(resp: Response) -> Response {
    let mut resp = security::harden(resp);
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'; default-src 'self'; form-action 'self'; base-uri 'none'; img-src 'self' data:; script-src 'none'"),
    );
    resp
}

fn render(t: impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => harden((status, Html(html)).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "console template failed");
            harden((StatusCode::INTERNAL_SERVER_ERROR, "Internal server error.").into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    signout_csrf: Option<String>,
    message: &'a str,
}

/// A console error page: the message, and the way back to the pools.
fn fail(status: StatusCode, message: impl AsRef<str>) -> Response {
    let page = ErrorPage {
        signout_csrf: None,
        message: message.as_ref(),
    };
    render(page, status)
}

/// A pool ID as Cognito makes them (`<region>_<letters and digits>`): others are not looked
/// up, nor put into the page's links.
fn checked_pool(pool_id: &str) -> Result<(), Box<Response>> {
    let well_formed = pool_id.split_once('_').is_some_and(|(region, id)| {
        !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    match well_formed && pool_id.len() <= 55 {
        true => Ok(()),
        false => Err(Box::new(fail(
            StatusCode::NOT_FOUND,
            "User pool does not exist.",
        ))),
    }
}

async fn style() -> Response {
    let mut resp = include_str!("console.css").into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// A time as the console shows it: UTC, to the minute.
fn when(t: cognate_core::time::Timestamp) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(t.seconds())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.format(&f).unwrap_or_default()
}

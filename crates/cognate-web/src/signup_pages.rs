//! The hosted pages of self-service, at Cognito's paths, each taking the parameters of
//! `/oauth2/authorize` and continuing that request: `/signup`, `/confirm` (and `/resendcode`),
//! `/forgotPassword`, `/confirmForgotPassword`, linked from the sign-in page; and
//! `/confirmUser`, the target of the link `CONFIRM_WITH_LINK` pools email. Forms carry CSRF
//! tokens bound to the page and its request; the pages' own parameters (`username`,
//! `notice`) ride along in the query.

use crate::pages::{branding, csrf_failure, error_page, grant, redirect, render, username_label};
use crate::security::{self, CsrfForm, csrf_ok, csrf_token, harden};
use askama::Template;
use axum::Form;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use cognate_core::Cognito;
use cognate_core::oauth::AuthorizeParams;
use cognate_core::pool::UserPool;
use cognate_core::user::Attribute;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "notice.html")]
struct Notice {
    custom_css: Option<String>,
    logo_url: Option<String>,
    title: &'static str,
    message: String,
}

fn notice(title: &'static str, message: String, status: StatusCode) -> Response {
    let page = Notice {
        custom_css: None,
        logo_url: None,
        title,
        message,
    };
    match page.render() {
        Ok(html) => harden((status, Html(html)).into_response()),
        Err(_) => {
            harden((StatusCode::INTERNAL_SERVER_ERROR, "Internal server error.").into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ConfirmUserQuery {
    client_id: Option<String>,
    user_name: Option<String>,
    confirmation_code: Option<String>,
}

/// `GET /confirmUser?client_id=…&user_name=…&confirmation_code=…`.
pub async fn confirm_user(
    State(cognito): State<Arc<Cognito>>,
    Query(q): Query<ConfirmUserQuery>,
) -> Response {
    let (Some(client_id), Some(user_name), Some(code)) =
        (q.client_id, q.user_name, q.confirmation_code)
    else {
        return notice(
            "Confirmation failed",
            "The confirmation link is incomplete.".into(),
            StatusCode::BAD_REQUEST,
        );
    };
    match cognito
        .confirm_sign_up_link(&client_id, &user_name, &code)
        .await
    {
        Ok(()) => notice(
            "Registration confirmed",
            "Your registration has been confirmed. You can sign in now.".into(),
            StatusCode::OK,
        ),
        Err(e) if e.kind == cognate_core::ErrorKind::InternalError => notice(
            "Confirmation failed",
            "An internal error occurred.".into(),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        Err(e) => {
            tracing::info!(%client_id, error = %e.kind.name(), "confirmation link refused");
            notice("Confirmation failed", e.message, StatusCode::BAD_REQUEST)
        }
    }
}

/// The pages' own query parameters, beside the authorization request's.
const OWN_PARAMS: &[&str] = &["username", "notice"];

/// The authorization request alone: `raw` without the pages' own parameters.
pub(crate) fn authorize_query(raw: &str) -> String {
    raw.split('&')
        .filter(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            !kv.is_empty() && !OWN_PARAMS.contains(&key)
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// One query parameter, decoded.
fn param(raw: &str, name: &str) -> Option<String> {
    raw.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn encode(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// What the sign-in page says when another page sent the user there.
pub(crate) fn notice_of(raw: &str) -> Option<&'static str> {
    match param(raw, "notice").as_deref() {
        Some("confirmed") => Some("Your account is confirmed. Sign in to continue."),
        Some("reset") => Some("Your password has been changed. Sign in with the new one."),
        Some("registered") => {
            Some("Your account was created. It must be confirmed before you can sign in.")
        }
        _ => None,
    }
}

/// The pool's password rules, in words.
fn policy_text(pool: &UserPool) -> String {
    let p = pool.password_policy();
    let mut rules = vec![format!("at least {} characters", p.minimum_length)];
    for (on, what) in [
        (p.require_uppercase, "an uppercase letter"),
        (p.require_lowercase, "a lowercase letter"),
        (p.require_numbers, "a number"),
        (p.require_symbols, "a symbol"),
    ] {
        if on {
            rules.push(what.to_owned());
        }
    }
    let last = rules.pop().unwrap_or_default();
    if rules.is_empty() {
        format!("Your password needs {last}.")
    } else {
        format!("Your password needs {} and {last}.", rules.join(", "))
    }
}

/// An input of the sign-up form beside the username and password.
struct Field {
    name: String,
    label: String,
    kind: &'static str,
    value: String,
    required: bool,
}

/// The pool's required attributes, and the email or phone number it verifies, unless the
/// username already is one.
fn sign_up_fields(pool: &UserPool, values: &HashMap<String, String>) -> Vec<Field> {
    let mut names: Vec<(String, bool)> = pool
        .schema_attributes
        .iter()
        .filter(|a| a.is_required() && a.name != "sub")
        .map(|a| (a.name.clone(), true))
        .collect();
    for verified in &pool.auto_verified_attributes {
        if !names.iter().any(|(n, _)| n == verified) {
            names.push((verified.clone(), false));
        }
    }
    names
        .into_iter()
        .filter(|(n, _)| !pool.username_attributes.contains(n))
        .map(|(name, required)| Field {
            label: name.replace('_', " ").replace("custom:", ""),
            kind: match name.as_str() {
                "email" => "email",
                "phone_number" => "tel",
                _ => "text",
            },
            value: values
                .get(&format!("attr_{name}"))
                .cloned()
                .unwrap_or_default(),
            name,
            required,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    error: Option<String>,
    query: String,
    authorize_query: String,
    csrf: String,
    username_label: &'static str,
    username: String,
    fields: Vec<Field>,
    policy: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
    query: String,
    csrf: String,
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPasswordPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    error: Option<String>,
    query: String,
    csrf: String,
    username_label: &'static str,
    username: String,
}

#[derive(Template)]
#[template(path = "confirm_forgot_password.html")]
struct ConfirmForgotPasswordPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
    query: String,
    csrf: String,
    policy: String,
}

/// The shared opening of every page: the authorization request checked, the form's CSRF
/// token, the branding.
struct Opened {
    g: cognate_core::oauth::AuthorizeGrant,
    jar: CookieJar,
    csrf: String,
    brand: crate::pages::Branding,
    query: String,
}

async fn open(
    cognito: &Cognito,
    headers: &HeaderMap,
    raw: Option<String>,
    p: &AuthorizeParams,
    jar: CookieJar,
    action: &'static str,
) -> Result<Opened, Response> {
    let g = grant(cognito, headers, p).await?;
    let query = raw.unwrap_or_default();
    let (jar, csrf) = csrf_token(
        &cognito.secrets,
        jar,
        &security::host(headers),
        CsrfForm {
            action,
            query: &query,
        },
    );
    let brand = branding(cognito, &g).await;
    Ok(Opened {
        g,
        jar,
        csrf,
        brand,
        query,
    })
}

fn checked(
    cognito: &Cognito,
    headers: &HeaderMap,
    jar: &CookieJar,
    action: &'static str,
    raw: &Option<String>,
    form: &HashMap<String, String>,
) -> bool {
    csrf_ok(
        &cognito.secrets,
        jar,
        &security::host(headers),
        CsrfForm {
            action,
            query: raw.as_deref().unwrap_or(""),
        },
        form.get("_csrf").map(String::as_str),
    )
}

fn internal(e: &cognate_core::CognitoError) -> Option<Response> {
    (e.kind == cognate_core::ErrorKind::InternalError).then(|| {
        error_page(
            "An internal error occurred.",
            StatusCode::INTERNAL_SERVER_ERROR,
        )
    })
}

fn sign_up_page(
    o: Opened,
    error: Option<String>,
    values: &HashMap<String, String>,
    status: StatusCode,
) -> Response {
    let page = SignUpPage {
        custom_css: o.brand.css,
        logo_url: o.brand.logo,
        error,
        authorize_query: authorize_query(&o.query),
        query: o.query,
        csrf: o.csrf,
        username_label: username_label(&o.g.pool),
        username: values.get("username").cloned().unwrap_or_default(),
        fields: sign_up_fields(&o.g.pool, values),
        policy: policy_text(&o.g.pool),
    };
    (o.jar, render(page, status)).into_response()
}

/// `GET /signup`.
pub async fn sign_up_form(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
) -> Response {
    match open(&cognito, &headers, raw, &p, jar, "/signup").await {
        Ok(o)
            if o.g
                .pool
                .admin_create_user_config
                .allow_admin_create_user_only =>
        {
            error_page(
                "Sign-up is not permitted for this application.",
                StatusCode::FORBIDDEN,
            )
        }
        Ok(o) => sign_up_page(o, None, &HashMap::new(), StatusCode::OK),
        Err(r) => r,
    }
}

/// `POST /signup`: the user is created and sent to `/confirm` (or to sign-in, when the pool
/// sends no code).
pub async fn sign_up_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !checked(&cognito, &headers, &jar, "/signup", &raw, &form) {
        return csrf_failure();
    }
    let o = match open(&cognito, &headers, raw, &p, jar, "/signup").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let username = form.get("username").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let attributes: Vec<Attribute> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("attr_").map(|n| Attribute::new(n, v)))
        .filter(|a| !a.value.is_empty())
        .collect();
    match cognito
        .sign_up_with(&o.g.pool, &o.g.client, &username, &password, &attributes)
        .await
    {
        Ok(done) => {
            tracing::info!(pool_id = %o.g.pool.id, client_id = %o.g.client.client_id(), "hosted sign-up");
            let back = authorize_query(&o.query);
            let to = if done.code_delivery_details.is_some() {
                format!("/confirm?{back}&username={}", encode(&username))
            } else {
                format!("/login?{back}&notice=registered")
            };
            (o.jar, redirect(&to)).into_response()
        }
        Err(e) => internal(&e)
            .unwrap_or_else(|| sign_up_page(o, Some(e.message), &form, StatusCode::BAD_REQUEST)),
    }
}

fn confirm_page(o: Opened, error: Option<String>, status: StatusCode) -> Response {
    let notice = match param(&o.query, "notice").as_deref() {
        Some("resent") => Some("We have sent you a new code."),
        _ => Some("We have sent you a code by email or text message. Enter it below."),
    };
    let page = ConfirmPage {
        custom_css: o.brand.css,
        logo_url: o.brand.logo,
        notice,
        error,
        query: o.query,
        csrf: o.csrf,
    };
    (o.jar, render(page, status)).into_response()
}

/// `GET /confirm?...&username=…`.
pub async fn confirm_form(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
) -> Response {
    match open(&cognito, &headers, raw, &p, jar, "/confirm").await {
        Ok(o) => confirm_page(o, None, StatusCode::OK),
        Err(r) => r,
    }
}

/// `POST /confirm`: the code confirms the account; sign-in follows, for the same request.
pub async fn confirm_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !checked(&cognito, &headers, &jar, "/confirm", &raw, &form) {
        return csrf_failure();
    }
    let o = match open(&cognito, &headers, raw, &p, jar, "/confirm").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let username = param(&o.query, "username").unwrap_or_default();
    let code = form.get("code").cloned().unwrap_or_default();
    let result = match cognito.find_user_opt(&o.g.pool, &username).await {
        Ok(Some(user)) => {
            cognito
                .confirm_with_code(&o.g.pool, user, &code, false)
                .await
        }
        Ok(None) => Err(cognate_core::CognitoError::new(
            cognate_core::ErrorKind::CodeMismatch,
            "Invalid verification code provided, please try again.",
        )),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let to = format!("/login?{}&notice=confirmed", authorize_query(&o.query));
            (o.jar, redirect(&to)).into_response()
        }
        Err(e) => internal(&e)
            .unwrap_or_else(|| confirm_page(o, Some(e.message), StatusCode::BAD_REQUEST)),
    }
}

/// `GET /resendcode?...&username=…`: a new code, back to `/confirm`.
pub async fn resend_code(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    let g = match grant(&cognito, &headers, &p).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let query = raw.unwrap_or_default();
    let username = param(&query, "username").unwrap_or_default();
    let user = match cognito.find_user_opt(&g.pool, &username).await {
        Ok(u) => u,
        Err(_) => {
            return error_page(
                "An internal error occurred.",
                StatusCode::INTERNAL_SERVER_ERROR,
            );
        }
    };
    match cognito
        .resend_with(&g.pool, &g.client, &username, user)
        .await
    {
        Ok(_) => redirect(&format!(
            "/confirm?{}&username={}&notice=resent",
            authorize_query(&query),
            encode(&username)
        )),
        Err(e) => error_page(e.message, StatusCode::BAD_REQUEST),
    }
}

fn forgot_page(o: Opened, error: Option<String>, username: String, status: StatusCode) -> Response {
    let page = ForgotPasswordPage {
        custom_css: o.brand.css,
        logo_url: o.brand.logo,
        error,
        query: o.query,
        csrf: o.csrf,
        username_label: username_label(&o.g.pool),
        username,
    };
    (o.jar, render(page, status)).into_response()
}

/// `GET /forgotPassword`.
pub async fn forgot_password_form(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
) -> Response {
    match open(&cognito, &headers, raw, &p, jar, "/forgotPassword").await {
        Ok(o) => forgot_page(o, None, String::new(), StatusCode::OK),
        Err(r) => r,
    }
}

/// `POST /forgotPassword`: a reset code, then `/confirmForgotPassword`.
pub async fn forgot_password_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !checked(&cognito, &headers, &jar, "/forgotPassword", &raw, &form) {
        return csrf_failure();
    }
    let o = match open(&cognito, &headers, raw, &p, jar, "/forgotPassword").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let username = form.get("username").cloned().unwrap_or_default();
    let user = match cognito.find_user_opt(&o.g.pool, &username).await {
        Ok(u) => u,
        Err(e) => {
            return internal(&e).unwrap_or_else(|| error_page(e.message, StatusCode::BAD_REQUEST));
        }
    };
    match cognito
        .forgot_password_with(&o.g.pool, &o.g.client, &username, user)
        .await
    {
        Ok(_) => {
            let to = format!(
                "/confirmForgotPassword?{}&username={}",
                authorize_query(&o.query),
                encode(&username)
            );
            (o.jar, redirect(&to)).into_response()
        }
        Err(e) => internal(&e)
            .unwrap_or_else(|| forgot_page(o, Some(e.message), username, StatusCode::BAD_REQUEST)),
    }
}

fn confirm_forgot_page(o: Opened, error: Option<String>, status: StatusCode) -> Response {
    let page = ConfirmForgotPasswordPage {
        custom_css: o.brand.css,
        logo_url: o.brand.logo,
        notice: Some("If the account exists, we have sent a code to reset its password."),
        error,
        policy: policy_text(&o.g.pool),
        query: o.query,
        csrf: o.csrf,
    };
    (o.jar, render(page, status)).into_response()
}

/// `GET /confirmForgotPassword?...&username=…`.
pub async fn confirm_forgot_password_form(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
) -> Response {
    match open(&cognito, &headers, raw, &p, jar, "/confirmForgotPassword").await {
        Ok(o) => confirm_forgot_page(o, None, StatusCode::OK),
        Err(r) => r,
    }
}

/// `POST /confirmForgotPassword`: the new password; sign-in follows.
pub async fn confirm_forgot_password_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !checked(
        &cognito,
        &headers,
        &jar,
        "/confirmForgotPassword",
        &raw,
        &form,
    ) {
        return csrf_failure();
    }
    let o = match open(&cognito, &headers, raw, &p, jar, "/confirmForgotPassword").await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let username = param(&o.query, "username").unwrap_or_default();
    let code = form.get("code").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let user = match cognito.find_user_opt(&o.g.pool, &username).await {
        Ok(u) => u,
        Err(e) => {
            return internal(&e).unwrap_or_else(|| error_page(e.message, StatusCode::BAD_REQUEST));
        }
    };
    match cognito
        .confirm_forgot_password_with(&o.g.pool, &o.g.client, user, &code, &password)
        .await
    {
        Ok(()) => {
            let to = format!("/login?{}&notice=reset", authorize_query(&o.query));
            (o.jar, redirect(&to)).into_response()
        }
        Err(e) => internal(&e)
            .unwrap_or_else(|| confirm_forgot_page(o, Some(e.message), StatusCode::BAD_REQUEST)),
    }
}

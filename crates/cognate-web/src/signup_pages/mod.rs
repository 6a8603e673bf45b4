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

/// A posted form: its CSRF token checked against this browser and this page, then the page
/// opened as for a GET.
async fn submitted(
    cognito: &Cognito,
    headers: &HeaderMap,
    raw: Option<String>,
    p: &AuthorizeParams,
    jar: CookieJar,
    action: &'static str,
    form: &HashMap<String, String>,
) -> Result<Opened, Response> {
    let genuine = csrf_ok(
        &cognito.secrets,
        &jar,
        &security::host(headers),
        CsrfForm {
            action,
            query: raw.as_deref().unwrap_or(""),
        },
        form.get("_csrf").map(String::as_str),
    );
    if !genuine {
        tracing::info!(
            page = action,
            "hosted form refused: missing or forged CSRF token"
        );
        return Err(csrf_failure());
    }
    open(cognito, headers, raw, p, jar, action).await
}

fn internal(e: &cognate_core::CognitoError) -> Option<Response> {
    (e.kind == cognate_core::ErrorKind::InternalError).then(|| {
        error_page(
            "An internal error occurred.",
            StatusCode::INTERNAL_SERVER_ERROR,
        )
    })
}

mod recovery;
mod sign_up;

pub use recovery::{
    confirm_forgot_password_form, confirm_forgot_password_submit, forgot_password_form,
    forgot_password_submit,
};
pub use sign_up::{
    confirm_form, confirm_submit, confirm_user, resend_code, sign_up_form, sign_up_submit,
};

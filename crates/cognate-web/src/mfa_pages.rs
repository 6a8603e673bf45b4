//! The second factor on the hosted pages, after the password (and a new password, when one
//! was required): the code page (authenticator app, text message or email), the choice of
//! factor, and authenticator setup with a QR code of the `otpauth://` URI and the key in
//! text. Each form is CSRF-protected and carries the sealed challenge session, so any node
//! continues it; wrong codes count toward the same lockout as the API's.

use crate::pages::{Branding, branding, csrf_failure, error_page, finish, grant, render};
use crate::security::{self, CsrfForm, csrf_ok, csrf_token};
use askama::Template;
use axum::Form;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use cognate_core::Cognito;
use cognate_core::auth::AuthResponse;
use cognate_core::mfa::challenge::Next;
use cognate_core::mfa::{EMAIL_OTP, MFA_SETUP, SELECT_MFA_TYPE, SMS_MFA, SOFTWARE_TOKEN_MFA};
use cognate_core::oauth::{AuthorizeGrant, AuthorizeParams};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "mfa_code.html")]
struct CodePage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    error: Option<String>,
    query: String,
    csrf: String,
    session: String,
    challenge: String,
    destination: String,
    prompt: String,
}

#[derive(Template)]
#[template(path = "mfa_select.html")]
struct SelectPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    error: Option<String>,
    query: String,
    csrf: String,
    session: String,
    choices: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "mfa_setup.html")]
struct SetupPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    error: Option<String>,
    query: String,
    csrf: String,
    session: String,
    /// `None` when the URI is too long for a QR code: the key in text still works.
    qr_svg: Option<String>,
    secret_grouped: String,
}

const CODE_FORM: &str = "/login/mfa";
const SELECT_FORM: &str = "/login/mfa/select";
const SETUP_FORM: &str = "/login/mfa/setup";

/// What the hosted pages need of a request: its authorization request and CSRF context.
struct Ctx<'a> {
    cognito: &'a Cognito,
    headers: &'a HeaderMap,
    host: String,
    query: String,
    grant: AuthorizeGrant,
    brand: Branding,
}

impl Ctx<'_> {
    fn csrf(&self, jar: CookieJar, action: &'static str) -> (CookieJar, String) {
        csrf_token(
            &self.cognito.secrets,
            jar,
            &self.host,
            CsrfForm {
                action,
                query: &self.query,
            },
        )
    }
}

fn factor_label(factor: &str) -> Option<&'static str> {
    match factor {
        SOFTWARE_TOKEN_MFA => Some("Authenticator app"),
        SMS_MFA => Some("Text message (SMS)"),
        EMAIL_OTP => Some("Email"),
        _ => None,
    }
}

fn prompt(challenge: &str, destination: &str) -> String {
    match challenge {
        SMS_MFA => format!("We sent a code by text message to {destination}. Enter it to sign in."),
        EMAIL_OTP => format!("We sent a code by email to {destination}. Enter it to sign in."),
        _ => "Enter the code from your authenticator app.".into(),
    }
}

/// A JSON list in a challenge parameter (`MFAS_CAN_CHOOSE`, `MFAS_CAN_SETUP`).
fn listed(challenge: &AuthResponse, name: &str) -> Vec<String> {
    challenge
        .challenge_parameters
        .get(name)
        .and_then(|v| v.as_str())
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// The key in groups of four, easier to type.
fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The QR code of `uri` as inline SVG (our own markup: rectangles and a path, no script).
fn qr_svg(uri: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::L).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    svg.find("<svg").map(|at| svg[at..].to_owned())
}

fn internal_error(e: &cognate_core::CognitoError) -> Option<Response> {
    (e.kind == cognate_core::ErrorKind::InternalError).then(|| {
        tracing::error!(error = %e, "hosted second factor failed");
        error_page(
            "An internal error occurred.",
            StatusCode::INTERNAL_SERVER_ERROR,
        )
    })
}

/// The page for a second-factor challenge (answers a 200, or 400 with `error`).
async fn challenge_page(
    ctx: &Ctx<'_>,
    jar: CookieJar,
    challenge: &AuthResponse,
    error: Option<String>,
) -> Response {
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    let name = challenge.challenge_name.as_deref().unwrap_or_default();
    let session = challenge.session.clone().unwrap_or_default();
    match name {
        SOFTWARE_TOKEN_MFA | SMS_MFA | EMAIL_OTP => {
            let destination = challenge
                .challenge_parameters
                .get("CODE_DELIVERY_DESTINATION")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            code_page(ctx, jar, name, session, destination, error)
        }
        SELECT_MFA_TYPE => {
            let choices = listed(challenge, "MFAS_CAN_CHOOSE")
                .into_iter()
                .filter_map(|f| factor_label(&f).map(|label| (f, label)))
                .collect();
            let (jar, csrf) = ctx.csrf(jar, SELECT_FORM);
            let page = SelectPage {
                custom_css: ctx.brand.css.clone(),
                logo_url: ctx.brand.logo.clone(),
                error,
                query: ctx.query.clone(),
                csrf,
                session,
                choices,
            };
            (jar, render(page, status)).into_response()
        }
        MFA_SETUP => {
            let g = &ctx.grant;
            let setup = match Cognito::web_can_set_up(&listed(challenge, "MFAS_CAN_SETUP")) {
                Ok(()) => {
                    ctx.cognito
                        .web_totp_setup(&g.pool, &g.client, &session)
                        .await
                }
                Err(e) => Err(e),
            };
            match setup {
                Ok(setup) => setup_page(ctx, jar, setup, error),
                Err(e) => internal_error(&e)
                    .unwrap_or_else(|| error_page(e.message, StatusCode::BAD_REQUEST)),
            }
        }
        other => {
            tracing::error!(challenge = %other, "no hosted page for this challenge");
            error_page(
                "An internal error occurred.",
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}

fn code_page(
    ctx: &Ctx<'_>,
    jar: CookieJar,
    challenge: &str,
    session: String,
    destination: String,
    error: Option<String>,
) -> Response {
    let (jar, csrf) = ctx.csrf(jar, CODE_FORM);
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    let page = CodePage {
        custom_css: ctx.brand.css.clone(),
        logo_url: ctx.brand.logo.clone(),
        error,
        query: ctx.query.clone(),
        csrf,
        session,
        challenge: challenge.to_owned(),
        prompt: prompt(challenge, &destination),
        destination,
    };
    (jar, render(page, status)).into_response()
}

fn setup_page(
    ctx: &Ctx<'_>,
    jar: CookieJar,
    setup: cognate_core::mfa::hosted::TotpSetup,
    error: Option<String>,
) -> Response {
    let qr_svg = qr_svg(&setup.uri);
    let (jar, csrf) = ctx.csrf(jar, SETUP_FORM);
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    let page = SetupPage {
        custom_css: ctx.brand.css.clone(),
        logo_url: ctx.brand.logo.clone(),
        error,
        query: ctx.query.clone(),
        csrf,
        session: setup.session,
        qr_svg,
        secret_grouped: grouped(&setup.secret),
    };
    (jar, render(page, status)).into_response()
}

/// What follows a step of the sign-in: the browser signed in, or the next challenge's page.
async fn next(ctx: &Ctx<'_>, jar: CookieJar, next: Next) -> Response {
    match next {
        Next::Done(user) => {
            let now = ctx.cognito.clock.now().millis();
            finish(ctx.cognito, ctx.headers, jar, &ctx.grant, &user, now).await
        }
        Next::Challenge(challenge) => challenge_page(ctx, jar, &challenge, None).await,
    }
}

/// Called by the sign-in and new-password pages when a second factor is asked.
pub(crate) async fn second_factor(
    cognito: &Cognito,
    headers: &HeaderMap,
    jar: CookieJar,
    query: String,
    g: AuthorizeGrant,
    challenge: &AuthResponse,
) -> Response {
    tracing::info!(pool_id = %g.pool.id, client_id = %g.client.client_id(), challenge = ?challenge.challenge_name, "hosted sign-in: second factor");
    let brand = branding(cognito, &g).await;
    let ctx = Ctx {
        cognito,
        headers,
        host: security::host(headers),
        query,
        grant: g,
        brand,
    };
    challenge_page(&ctx, jar, challenge, None).await
}

/// Checks the form's CSRF token and the authorization request: the context, or the answer.
async fn context<'a>(
    cognito: &'a Cognito,
    headers: &'a HeaderMap,
    raw: Option<String>,
    p: &AuthorizeParams,
    jar: &CookieJar,
    action: &'static str,
    token: Option<&str>,
) -> Result<Ctx<'a>, Response> {
    let query = raw.unwrap_or_default();
    let host = security::host(headers);
    let form = CsrfForm {
        action,
        query: &query,
    };
    if !csrf_ok(&cognito.secrets, jar, &host, form, token) {
        tracing::info!(%action, "hosted second factor refused: missing or forged CSRF token");
        return Err(csrf_failure());
    }
    let g = grant(cognito, headers, p).await?;
    let brand = branding(cognito, &g).await;
    Ok(Ctx {
        cognito,
        headers,
        host,
        query,
        grant: g,
        brand,
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    session: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    code: String,
}

pub async fn code_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<CodeForm>,
) -> Response {
    let ctx = match context(
        &cognito,
        &headers,
        raw,
        &p,
        &jar,
        CODE_FORM,
        form.csrf.as_deref(),
    )
    .await
    {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let challenge = match form.challenge.as_str() {
        c @ (SOFTWARE_TOKEN_MFA | SMS_MFA | EMAIL_OTP) => c,
        _ => return error_page("Invalid request.", StatusCode::BAD_REQUEST),
    };
    let key = cognate_core::mfa::codes::code_key(challenge);
    let responses = HashMap::from([(key.to_owned(), form.code.trim().to_owned())]);
    let g = &ctx.grant;
    match cognito
        .web_answer_mfa(&g.pool, &g.client, &form.session, challenge, &responses)
        .await
    {
        Ok(n) => next(&ctx, jar, n).await,
        Err(e) => {
            if let Some(r) = internal_error(&e) {
                return r;
            }
            tracing::info!(pool_id = %g.pool.id, client_id = %g.client.client_id(), error = %e.kind.name(), "hosted second factor failed");
            // A session spent or expired cannot take another code: sign in again.
            if e.message.starts_with("Invalid session") {
                return error_page(e.message, StatusCode::BAD_REQUEST);
            }
            code_page(
                &ctx,
                jar,
                challenge,
                form.session,
                form.destination,
                Some(e.message),
            )
        }
    }
}

#[derive(Deserialize)]
pub struct SelectForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    session: String,
    #[serde(default)]
    answer: String,
}

pub async fn select_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<SelectForm>,
) -> Response {
    let ctx = match context(
        &cognito,
        &headers,
        raw,
        &p,
        &jar,
        SELECT_FORM,
        form.csrf.as_deref(),
    )
    .await
    {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let responses = HashMap::from([("ANSWER".to_owned(), form.answer)]);
    let g = &ctx.grant;
    match cognito
        .web_answer_mfa(
            &g.pool,
            &g.client,
            &form.session,
            SELECT_MFA_TYPE,
            &responses,
        )
        .await
    {
        Ok(n) => next(&ctx, jar, n).await,
        Err(e) => {
            internal_error(&e).unwrap_or_else(|| error_page(e.message, StatusCode::BAD_REQUEST))
        }
    }
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    session: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    device_name: String,
}

pub async fn setup_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<SetupForm>,
) -> Response {
    let ctx = match context(
        &cognito,
        &headers,
        raw,
        &p,
        &jar,
        SETUP_FORM,
        form.csrf.as_deref(),
    )
    .await
    {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let g = &ctx.grant;
    let name = Some(form.device_name.trim().to_owned()).filter(|n| !n.is_empty());
    match cognito
        .web_totp_verify(&g.pool, &g.client, &form.session, form.code.trim(), name)
        .await
    {
        Ok(n) => next(&ctx, jar, n).await,
        Err(e) => {
            if let Some(r) = internal_error(&e) {
                return r;
            }
            // The same key again, with the message: the session may try another code.
            match cognito
                .web_totp_pending(&g.pool, &g.client, &form.session)
                .await
            {
                Ok(setup) => setup_page(&ctx, jar, setup, Some(e.message)),
                Err(_) => error_page(e.message, StatusCode::BAD_REQUEST),
            }
        }
    }
}

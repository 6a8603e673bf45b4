//! The hosted pages: `/oauth2/authorize`, `/login` (and its new-password step), `/logout`
//! and `/error`. Server-rendered, no JavaScript, CSRF-protected forms, no framing.

use crate::security::{self, CsrfForm, csrf_ok, csrf_token, harden};
use askama::Template;
use axum::Form;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use cognate_core::Cognito;
use cognate_core::oauth::hosted::WebSignIn;
use cognate_core::oauth::web_session::{COOKIE_NAME, LIFETIME_SECONDS};
use cognate_core::oauth::{AuthorizeError, AuthorizeGrant, AuthorizeParams, with_query};
use cognate_core::pool::UserPool;
use cognate_core::user::{Attribute, User};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    error: Option<String>,
    /// Said after a confirmation or a password reset sent the user here.
    notice: Option<&'static str>,
    query: String,
    /// The authorization request alone, for the links to the other pages.
    authorize_query: String,
    csrf: String,
    username_label: &'static str,
    username: String,
    /// Whether the pool lets users sign themselves up.
    sign_up: bool,
    /// The client's identity providers, and whether its users may also use the form.
    providers: Vec<crate::federation_pages::ProviderLink>,
    own_sign_in: bool,
}

#[derive(Template)]
#[template(path = "new_password.html")]
struct NewPasswordPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    error: Option<String>,
    query: String,
    csrf: String,
    session: String,
    required: Vec<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    custom_css: Option<String>,
    logo_url: Option<String>,
    message: String,
}

/// The pool's or client's UI customization (SetUICustomization): CSS and logo.
#[derive(Default, Clone)]
pub(crate) struct Branding {
    pub(crate) css: Option<String>,
    pub(crate) logo: Option<String>,
}

pub(crate) async fn branding(cognito: &Cognito, g: &AuthorizeGrant) -> Branding {
    match cognito
        .effective_ui_customization(&g.pool.id, g.client.client_id())
        .await
    {
        Ok(Some(ui)) => Branding {
            logo: ui
                .image
                .as_ref()
                .map(|_| cognito.ui_image_url(&g.pool.id, &ui.client_id)),
            css: ui.css,
        },
        Ok(None) => Branding::default(),
        Err(e) => {
            tracing::warn!(error = %e, "UI customization unavailable");
            Branding::default()
        }
    }
}

pub(crate) fn render(t: impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => harden((status, Html(html)).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            harden((StatusCode::INTERNAL_SERVER_ERROR, "Internal server error.").into_response())
        }
    }
}

pub(crate) fn error_page(message: impl Into<String>, status: StatusCode) -> Response {
    render(
        ErrorPage {
            custom_css: None,
            logo_url: None,
            message: message.into(),
        },
        status,
    )
}

/// `302 Found`, as Cognito answers (the browser follows with a GET, also after a POST).
pub(crate) fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => harden((StatusCode::FOUND, [(header::LOCATION, v)]).into_response()),
        Err(_) => error_page("Invalid redirect.", StatusCode::BAD_REQUEST),
    }
}

/// What the username field asks for, by the pool's sign-in options.
pub(crate) fn username_label(pool: &UserPool) -> &'static str {
    let email = pool.username_attributes.iter().any(|a| a == "email");
    let phone = pool.username_attributes.iter().any(|a| a == "phone_number");
    match (email, phone) {
        (true, true) => "Email or phone number",
        (true, false) => "Email",
        (false, true) => "Phone number",
        _ if pool.alias_attributes.iter().any(|a| a == "email") => "Username or email",
        _ => "Username",
    }
}

/// The answer to a failed authorization: an error page, or the error sent to the client.
pub(crate) fn authorize_failure(e: AuthorizeError, response_type: Option<&str>) -> Response {
    match e {
        AuthorizeError::Page(message) => error_page(message, StatusCode::BAD_REQUEST),
        AuthorizeError::Redirect {
            redirect_uri,
            error,
            description,
            state,
        } => {
            let mut params = vec![("error", error)];
            if let Some(d) = description.as_deref() {
                params.push(("error_description", d));
            }
            if let Some(s) = state.as_deref() {
                params.push(("state", s));
            }
            let url = with_query(&redirect_uri, &params);
            // The implicit flow answers in the fragment (RFC 6749 §4.2.2.1).
            let url = if response_type == Some("token") {
                url.replacen('?', "#", 1)
            } else {
                url
            };
            redirect(&url)
        }
    }
}

pub(crate) async fn grant(
    cognito: &Cognito,
    headers: &HeaderMap,
    p: &AuthorizeParams,
) -> Result<AuthorizeGrant, Response> {
    let host_pool = cognito
        .pool_for_host(&security::host(headers))
        .await
        .ok()
        .flatten();
    cognito
        .validate_authorize(p, host_pool.as_deref())
        .await
        .map_err(|e| {
            let client_id = p.client_id.as_deref().unwrap_or("");
            match &e {
                // Unknown clients, unregistered redirect URIs: nothing goes back to the client.
                AuthorizeError::Page(reason) => {
                    tracing::info!(%client_id, %reason, "authorization request refused")
                }
                AuthorizeError::Redirect { error, .. } => {
                    tracing::info!(%client_id, %error, "authorization request refused to the client")
                }
            }
            authorize_failure(e, p.response_type.as_deref())
        })
}

/// Signs the browser in (the hosted-UI cookie) and sends it back to the client.
pub(crate) async fn finish(
    cognito: &Cognito,
    headers: &HeaderMap,
    jar: CookieJar,
    g: &AuthorizeGrant,
    user: &User,
    auth_time_ms: i64,
) -> Response {
    let host = security::host(headers);
    let value = cognito.seal_web_session(&g.pool, user, auth_time_ms);
    let jar = jar.add(security::cookie(
        COOKIE_NAME,
        value,
        &host,
        LIFETIME_SECONDS,
    ));
    match cognito.complete_authorize(g, user, auth_time_ms).await {
        Ok(url) => {
            tracing::info!(pool_id = %g.pool.id, client_id = %g.client.client_id(), sub = %user.sub, "hosted sign-in succeeded");
            (jar, redirect(&url)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "authorization failed");
            error_page(
                "An internal error occurred.",
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}

pub async fn authorize(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
) -> Response {
    let g = match grant(&cognito, &headers, &p).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    if g.identity_provider.is_some() {
        return crate::federation_pages::start(&cognito, &headers, jar, &g, &p).await;
    }
    if g.prompt.as_deref() != Some("login")
        && let Some(cookie) = jar.get(COOKIE_NAME)
        && let Some((user, auth_time_ms)) = cognito.open_web_session(cookie.value(), &g.pool).await
    {
        // Single sign-on: a second authorize within the session skips the form.
        return finish(&cognito, &headers, jar, &g, &user, auth_time_ms).await;
    }
    if g.prompt.as_deref() == Some("none") {
        return authorize_failure(
            AuthorizeError::Redirect {
                redirect_uri: g.redirect_uri.clone(),
                error: "login_required",
                description: Some("The user is not signed in.".into()),
                state: g.state.clone(),
            },
            p.response_type.as_deref(),
        );
    }
    redirect(&format!("/login?{}", raw.unwrap_or_default()))
}

pub async fn login_form(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
) -> Response {
    let g = match grant(&cognito, &headers, &p).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let query = raw.unwrap_or_default();
    let (jar, csrf) = csrf_token(
        &cognito.secrets,
        jar,
        &security::host(&headers),
        login_form_of(&query),
    );
    let brand = branding(&cognito, &g).await;
    let providers =
        crate::federation_pages::provider_links(&g, &crate::signup_pages::authorize_query(&query));
    let page = LoginPage {
        custom_css: brand.css,
        logo_url: brand.logo,
        error: None,
        notice: crate::signup_pages::notice_of(&query),
        authorize_query: crate::signup_pages::authorize_query(&query),
        query,
        csrf,
        username_label: username_label(&g.pool),
        username: String::new(),
        sign_up: !g.pool.admin_create_user_config.allow_admin_create_user_only,
        providers,
        own_sign_in: crate::federation_pages::own_sign_in(&g),
    };
    (jar, render(page, StatusCode::OK)).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

fn login_form_of(query: &str) -> CsrfForm<'_> {
    CsrfForm {
        action: "/login",
        query,
    }
}

fn new_password_form_of(query: &str) -> CsrfForm<'_> {
    CsrfForm {
        action: "/login/new-password",
        query,
    }
}

pub(crate) fn csrf_failure() -> Response {
    error_page(
        "The form has expired or did not come from this site. Go back and try again.",
        StatusCode::FORBIDDEN,
    )
}

pub async fn login_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let query = raw.unwrap_or_default();
    let host = security::host(&headers);
    let form_id = login_form_of(&query);
    if !csrf_ok(&cognito.secrets, &jar, &host, form_id, form.csrf.as_deref()) {
        tracing::info!("hosted sign-in refused: missing or forged CSRF token");
        return csrf_failure();
    }
    let g = match grant(&cognito, &headers, &p).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let username = form.username.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    let (jar, csrf) = csrf_token(&cognito.secrets, jar, &host, form_id);
    let brand = branding(&cognito, &g).await;
    let again = |error: String, csrf: String| LoginPage {
        custom_css: brand.css.clone(),
        logo_url: brand.logo.clone(),
        error: Some(error),
        notice: None,
        authorize_query: crate::signup_pages::authorize_query(&query),
        query: query.clone(),
        csrf,
        username_label: username_label(&g.pool),
        username: username.clone(),
        sign_up: !g.pool.admin_create_user_config.allow_admin_create_user_only,
        providers: crate::federation_pages::provider_links(
            &g,
            &crate::signup_pages::authorize_query(&query),
        ),
        own_sign_in: crate::federation_pages::own_sign_in(&g),
    };
    if username.is_empty() || password.is_empty() {
        return (
            jar,
            render(
                again("Enter your username and password.".into(), csrf),
                StatusCode::BAD_REQUEST,
            ),
        )
            .into_response();
    }
    match cognito
        .web_sign_in(&g.pool, &g.client, &username, &password)
        .await
    {
        Ok(WebSignIn::SignedIn(user)) => {
            let now = cognito.clock.now().millis();
            finish(&cognito, &headers, jar, &g, &user, now).await
        }
        Ok(WebSignIn::SecondFactor(challenge)) => {
            crate::mfa_pages::second_factor(&cognito, &headers, jar, query, g, &challenge).await
        }
        Ok(WebSignIn::NewPasswordRequired { session, required }) => {
            tracing::info!(pool_id = %g.pool.id, client_id = %g.client.client_id(), "hosted sign-in: new password required");
            let (jar, csrf) =
                csrf_token(&cognito.secrets, jar, &host, new_password_form_of(&query));
            let page = NewPasswordPage {
                custom_css: brand.css.clone(),
                logo_url: brand.logo.clone(),
                error: None,
                query,
                csrf,
                session,
                required,
            };
            (jar, render(page, StatusCode::OK)).into_response()
        }
        Err(e) if e.kind == cognate_core::ErrorKind::InternalError => error_page(
            "An internal error occurred.",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        // The same messages as the API: wrong password, lockout, disabled, unconfirmed...
        Err(e) => {
            tracing::info!(pool_id = %g.pool.id, client_id = %g.client.client_id(), error = %e.kind.name(), "hosted sign-in failed");
            (jar, render(again(e.message, csrf), StatusCode::BAD_REQUEST)).into_response()
        }
    }
}

pub async fn new_password_submit(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(p): Query<AuthorizeParams>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let query = raw.unwrap_or_default();
    let host = security::host(&headers);
    let form_id = new_password_form_of(&query);
    if !csrf_ok(
        &cognito.secrets,
        &jar,
        &host,
        form_id,
        form.get("_csrf").map(String::as_str),
    ) {
        tracing::info!("hosted new password refused: missing or forged CSRF token");
        return csrf_failure();
    }
    let g = match grant(&cognito, &headers, &p).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let session = form.get("session").cloned().unwrap_or_default();
    let new_password = form.get("new_password").cloned().unwrap_or_default();
    let attributes: Vec<Attribute> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("attr_").map(|n| Attribute::new(n, v)))
        .collect();
    let required: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
    match cognito
        .web_new_password(&g.pool, &g.client, &session, &new_password, &attributes)
        .await
    {
        Ok(WebSignIn::SignedIn(user)) => {
            let now = cognito.clock.now().millis();
            finish(&cognito, &headers, jar, &g, &user, now).await
        }
        Ok(WebSignIn::SecondFactor(challenge)) => {
            crate::mfa_pages::second_factor(&cognito, &headers, jar, query, g, &challenge).await
        }
        Ok(WebSignIn::NewPasswordRequired { .. }) => error_page(
            "An internal error occurred.",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        Err(e) if e.kind == cognate_core::ErrorKind::InternalError => error_page(
            "An internal error occurred.",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        Err(e) => {
            let (jar, csrf) = csrf_token(&cognito.secrets, jar, &host, form_id);
            let brand = branding(&cognito, &g).await;
            let page = NewPasswordPage {
                custom_css: brand.css,
                logo_url: brand.logo,
                error: Some(e.message),
                query,
                csrf,
                session,
                required,
            };
            (jar, render(page, StatusCode::BAD_REQUEST)).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct LogoutQuery {
    client_id: Option<String>,
    logout_uri: Option<String>,
    redirect_uri: Option<String>,
    #[serde(flatten)]
    login: AuthorizeParams,
}

pub async fn logout(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    Query(q): Query<LogoutQuery>,
    jar: CookieJar,
) -> Response {
    let host = security::host(&headers);
    let host_pool = cognito.pool_for_host(&host).await.ok().flatten();
    let mut login = q.login.clone();
    login.client_id = q.client_id.clone();
    login.redirect_uri = q.redirect_uri.clone();
    match cognito
        .logout_target(
            q.client_id.as_deref(),
            q.logout_uri.as_deref(),
            q.redirect_uri.as_deref(),
            host_pool.as_deref(),
            &login,
        )
        .await
    {
        // Signing out of the hosted UI ends its cookie; tokens already issued stay valid,
        // as on Cognito (apps revoke their refresh token themselves). A SAML provider that
        // signs out too is visited first.
        Ok(url) => {
            let jar = jar.add(security::expired(COOKIE_NAME, &host));
            let (jar, provider) = crate::saml_pages::provider_logout(
                &cognito,
                jar,
                &host,
                q.client_id.as_deref(),
                host_pool.as_deref(),
                &url,
            )
            .await;
            (jar, redirect(provider.as_deref().unwrap_or(&url))).into_response()
        }
        Err(message) => error_page(message, StatusCode::BAD_REQUEST),
    }
}

#[derive(Deserialize)]
pub struct ErrorQuery {
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn error(Query(q): Query<ErrorQuery>) -> Response {
    let message = q
        .error_description
        .or(q.error)
        .unwrap_or_else(|| "An error occurred.".into());
    error_page(message, StatusCode::BAD_REQUEST)
}

/// `/ui-images/<poolId>/<clientId|ALL>`: the logo of a UI customization. Served with a
/// locked-down policy: SVG logos must not run anything.
pub async fn ui_image(
    State(cognito): State<Arc<Cognito>>,
    axum::extract::Path((pool_id, client_id)): axum::extract::Path<(String, String)>,
) -> Response {
    match cognito.ui_customization_image(&pool_id, &client_id).await {
        Ok(Some(image)) => {
            let mut resp = image.bytes.into_response();
            let h = resp.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&image.content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            h.insert(
                "x-content-type-options",
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            resp
        }
        Ok(None) => (StatusCode::NOT_FOUND, "No such image.").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "UI image failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error.").into_response()
        }
    }
}

//! `/signup`, `/confirm`, `/resendcode`, and `/confirmUser` (the emailed confirmation link).

use super::*;

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
    let o = match submitted(&cognito, &headers, raw, &p, jar, "/signup", &form).await {
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
        .sign_up_with(
            &o.g.pool,
            &o.g.client,
            &username,
            &password,
            &attributes,
            cognate_core::triggers::sign_up::Passed {
                client_id: Some(o.g.client.client_id()),
                ..Default::default()
            },
        )
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
    let o = match submitted(&cognito, &headers, raw, &p, jar, "/confirm", &form).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let username = param(&o.query, "username").unwrap_or_default();
    let code = form.get("code").cloned().unwrap_or_default();
    let result = match cognito.find_user_opt(&o.g.pool, &username).await {
        Ok(Some(user)) => {
            cognito
                .confirm_with_code(
                    &o.g.pool,
                    user,
                    &code,
                    false,
                    cognate_core::triggers::sign_up::Passed {
                        client_id: Some(o.g.client.client_id()),
                        ..Default::default()
                    },
                )
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

//! `/forgotPassword` and `/confirmForgotPassword`.

use super::*;

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
    let o = match submitted(&cognito, &headers, raw, &p, jar, "/forgotPassword", &form).await {
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
    let o = match submitted(
        &cognito,
        &headers,
        raw,
        &p,
        jar,
        "/confirmForgotPassword",
        &form,
    )
    .await
    {
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

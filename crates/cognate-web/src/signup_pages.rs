//! The hosted pages of self-service sign-up: `/confirmUser`, the target of the confirmation
//! link that `CONFIRM_WITH_LINK` pools email.

use crate::security::harden;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cognate_core::Cognito;
use serde::Deserialize;
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

//! A pool's domain and identity providers in the console, and the development outbox: the
//! domain prefix made or removed (CreateUserPoolDomain, DeleteUserPoolDomain), providers
//! listed, added with their `ProviderDetails` and attribute mapping as typed (the API's rules
//! judge them), and deleted; the messages no sender was configured for.

use super::{ConsoleState, render, when};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use cognate_core::console::ConsoleSession;
use cognate_core::console::wizard::{PROVIDER_TYPES, key_values};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) struct ProviderRow {
    name: String,
    kind: String,
    created: String,
}

pub(super) struct MessageRow {
    to: String,
    subject: String,
    body: String,
    created: String,
}

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    signout_csrf: Option<String>,
    pool_id: String,
    csrf: String,
    domain: Option<String>,
    providers: Vec<ProviderRow>,
    kinds: &'static [&'static str],
    messages: Vec<MessageRow>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &ConsoleState,
    headers: &HeaderMap,
    jar: CookieJar,
    session: &ConsoleSession,
    pool_id: String,
    outcome: Result<Option<String>, String>,
) -> Response {
    let region = super::pools::region_of(&pool_id);
    let described = match state
        .api
        .call(&region, "DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await
    {
        Ok(v) => v["UserPool"].clone(),
        Err(e) => return super::fail(StatusCode::NOT_FOUND, e.message),
    };
    let listed = state
        .api
        .call(
            &region,
            "ListIdentityProviders",
            json!({"UserPoolId": pool_id, "MaxResults": 60}),
        )
        .await
        .map(|v| v["Providers"].as_array().cloned().unwrap_or_default())
        .unwrap_or_default();
    let providers = listed
        .iter()
        .map(|p| ProviderRow {
            name: p["ProviderName"].as_str().unwrap_or_default().to_owned(),
            kind: p["ProviderType"].as_str().unwrap_or_default().to_owned(),
            created: p["CreationDate"]
                .as_f64()
                .map(|s| when(cognate_core::time::Timestamp((s * 1000.0) as i64)))
                .unwrap_or_default(),
        })
        .collect();
    let messages = state
        .cognito
        .development_outbox(1000)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.pool_id == pool_id)
        .take(50)
        .map(|m| MessageRow {
            to: m.to,
            subject: m.subject.unwrap_or_default(),
            body: m.body,
            created: when(cognate_core::time::Timestamp(m.created_at)),
        })
        .collect();
    let (jar, csrf, signout) =
        super::page_tokens(state, jar, headers, session, "/console/settings");
    let (notice, error, status) = match outcome {
        Ok(n) => (n, None, StatusCode::OK),
        Err(e) => (None, Some(e), StatusCode::BAD_REQUEST),
    };
    let view = SettingsPage {
        signout_csrf: Some(signout),
        pool_id,
        csrf,
        domain: described["Domain"].as_str().map(str::to_owned),
        providers,
        kinds: &PROVIDER_TYPES,
        messages,
        notice,
        error,
    };
    (jar, render(view, status)).into_response()
}

/// `GET /console/pools/<poolId>/settings`.
pub(super) async fn show(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(pool_id): Path<String>,
) -> Response {
    let session = match super::admin_of_pool(&state, &jar, &headers, &pool_id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    page(&state, &headers, jar, &session, pool_id, Ok(None)).await
}

/// `POST /console/pools/<poolId>/settings`: make or remove the domain, add or delete a
/// provider.
pub(super) async fn change(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(pool_id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let session =
        match super::admin_post(&state, &jar, &headers, &pool_id, "/console/settings", &f).await {
            Ok(s) => s,
            Err(answer) => return answer,
        };
    let text = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let pool = json!(pool_id);
    let (op, input, done) = match f.get("action").map(String::as_str) {
        Some("create_domain") => (
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": text("domain")}),
            "Domain created.",
        ),
        Some("delete_domain") => (
            "DeleteUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": text("domain")}),
            "Domain deleted.",
        ),
        Some("create_provider") => (
            "CreateIdentityProvider",
            json!({
                "UserPoolId": pool,
                "ProviderName": text("provider_name"),
                "ProviderType": text("provider_type"),
                "ProviderDetails": key_values(&text("provider_details")),
                "AttributeMapping": key_values(&text("attribute_mapping")),
            }),
            "Identity provider added.",
        ),
        Some("delete_provider") => (
            "DeleteIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": text("provider_name")}),
            "Identity provider deleted.",
        ),
        _ => return super::fail(StatusCode::BAD_REQUEST, "Unknown action."),
    };
    let outcome = state
        .api
        .call(&super::pools::region_of(&pool_id), op, input)
        .await
        .map(|_| Some(done.to_owned()))
        .map_err(|e| e.message);
    page(&state, &headers, jar, &session, pool_id, outcome).await
}

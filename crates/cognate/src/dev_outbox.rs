//! The development outbox: messages no sender was configured for (REFERENCE: issue "Sign-up,
//! confirmation ... with real message delivery"), so a developer or a test reads a code
//! without a mail server.
//!
//! - `GET /_cognate/outbox.json`: newest first, `[{id, poolId, medium, to, subject, body,
//!   createdAt}]`; `?poolId=`, `?to=` and `?limit=` (default 100, at most 1000) narrow it.
//! - `GET /_cognate/outbox`: the same as a page.
//!
//! The messages hold codes and temporary passwords: on a loopback listener anyone local may
//! read them; on any other address they need the admin credentials, as HTTP Basic
//! (`access key ID : secret access key`).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use cognate_core::Cognito;
use cognate_core::messaging::OutboxView;
use serde::Deserialize;
use std::sync::Arc;
use subtle::ConstantTimeEq;

struct Outbox {
    cognito: Arc<Cognito>,
    /// `None` on a loopback listener: no credentials asked.
    admin_keys: Option<Vec<(String, String)>>,
}

pub fn router(cognito: Arc<Cognito>, loopback: bool, keys: Vec<(String, String)>) -> Router {
    let state = Arc::new(Outbox {
        cognito,
        admin_keys: (!loopback).then_some(keys),
    });
    Router::new()
        .route("/_cognate/outbox", get(page))
        .route("/_cognate/outbox.json", get(json))
        .with_state(state)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    pool_id: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
}

fn allowed(outbox: &Outbox, headers: &HeaderMap) -> bool {
    let Some(keys) = &outbox.admin_keys else {
        return true;
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let Some((id, secret)) = presented.as_deref().and_then(|p| p.split_once(':')) else {
        return false;
    };
    keys.iter().any(|(k, s)| {
        bool::from(k.as_bytes().ct_eq(id.as_bytes()) & s.as_bytes().ct_eq(secret.as_bytes()))
    })
}

fn refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"cognate outbox\"")],
        "The outbox needs the admin credentials (HTTP Basic: access key ID and secret access key).",
    )
        .into_response()
}

async fn messages(outbox: &Outbox, f: &Filter) -> Result<Vec<OutboxView>, Response> {
    let limit = f.limit.unwrap_or(100).clamp(1, 1000);
    match outbox.cognito.development_outbox(1000).await {
        Ok(all) => Ok(all
            .into_iter()
            .filter(|m| f.pool_id.as_deref().is_none_or(|p| m.pool_id == p))
            .filter(|m| f.to.as_deref().is_none_or(|t| m.to.eq_ignore_ascii_case(t)))
            .take(limit)
            .collect()),
        Err(e) => {
            tracing::error!(error = %e.message, "outbox unavailable");
            Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "The outbox is unavailable.",
            )
                .into_response())
        }
    }
}

async fn json(
    State(outbox): State<Arc<Outbox>>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    if !allowed(&outbox, &headers) {
        return refused();
    }
    match messages(&outbox, &f).await {
        Ok(list) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(list)).into_response(),
        Err(r) => r,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(
    State(outbox): State<Arc<Outbox>>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    if !allowed(&outbox, &headers) {
        return refused();
    }
    let list = match messages(&outbox, &f).await {
        Ok(list) => list,
        Err(r) => return r,
    };
    let mut rows = String::new();
    for m in &list {
        rows.push_str(&format!(
            "<article><h2>{} to {}</h2><p class=\"meta\">{} · pool {} · {}</p>{}<pre>{}</pre></article>",
            m.medium.as_str(),
            escape(&m.to),
            m.created_at,
            escape(&m.pool_id),
            escape(&m.id),
            m.subject
                .as_deref()
                .map(|s| format!("<p><strong>{}</strong></p>", escape(s)))
                .unwrap_or_default(),
            escape(&m.body)
        ));
    }
    if list.is_empty() {
        rows.push_str("<p>No messages yet.</p>");
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cognate outbox</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}}\
article{{border-bottom:1px solid #ddd;padding:.5rem 0}}h2{{font-size:1rem}}.meta{{color:#555;font-size:.85rem}}\
pre{{white-space:pre-wrap}}</style></head><body><h1>Development outbox</h1>\
<p>Messages kept because no sender is configured for their medium, newest first \
(<a href=\"/_cognate/outbox.json\">JSON</a>).</p>{rows}</body></html>"
    );
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        Html(html),
    )
        .into_response()
}

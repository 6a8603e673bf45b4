//! The server's own routes: what it is (`GET /`), liveness and readiness for load balancers.
//!
//! - `GET /health` and `GET /health/live`: the process answers (no database access), for
//!   liveness probes: restarting a node does not help when the database is down.
//! - `GET /health/ready`: the store answers within 2 s; `503` otherwise, for readiness probes
//!   and load balancers, which should send no traffic to a node that cannot serve it.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cognate_store::SqlStore;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

struct Service {
    store: SqlStore,
    issuer_base: String,
}

pub fn router(store: SqlStore, issuer_base: &str) -> Router {
    let state = Arc::new(Service {
        store,
        issuer_base: issuer_base.to_owned(),
    });
    Router::new()
        .route("/", get(root))
        .route("/health", get(live))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .with_state(state)
}

async fn live() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

async fn ready(State(s): State<Arc<Service>>) -> Response {
    match s.store.ping(Duration::from_secs(2)).await {
        Ok(()) => axum::Json(json!({"status": "ok", "store": "ok"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"status": "unavailable", "store": "unreachable"})),
            )
                .into_response()
        }
    }
}

/// A small page naming the service and where to go next (a browser opening the port sees
/// this rather than a blank 405).
async fn root(State(s): State<Arc<Service>>) -> Response {
    let base = html_escape(&s.issuer_base);
    let version = env!("CARGO_PKG_VERSION");
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cognate</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
<body style=\"font-family:sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5\">\
<h1>Cognate {version}</h1>\
<p>A self-hosted identity provider compatible with Amazon Cognito User Pools.</p>\
<ul>\
<li>The <code>cognito-idp</code> API is served here: point an AWS SDK or aws-cli at this address \
(<code>aws cognito-idp list-user-pools --max-results 10 --endpoint-url {base}</code>).</li>\
<li>Token issuer of a pool: <code>{base}/&lt;pool id&gt;</code>, with \
<code>/.well-known/openid-configuration</code> and <code>/.well-known/jwks.json</code> under it.</li>\
<li>Hosted UI: <code>{base}/oauth2/authorize?client_id=&lt;client id&gt;&amp;response_type=code&amp;redirect_uri=&lt;callback URL&gt;</code></li>\
<li>Health: <a href=\"/health/live\">/health/live</a>, <a href=\"/health/ready\">/health/ready</a>. \
Metrics: <a href=\"/metrics\">/metrics</a> (when enabled).</li>\
</ul>\
<p>Documentation: the README and the <code>docs/</code> folder of the Cognate source.</p>\
</body></html>"
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

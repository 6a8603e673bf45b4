//! What every request passes through on its way in and out: a request ID (`x-amzn-RequestId`,
//! in every log line of the request), metrics by route and status, and a log line for server
//! errors. The API adds its own per-operation metrics (cognate-api).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::Response;
use cognate_core::ids::RequestId;
use std::time::Instant;

/// A request being served: its ID, route, start time and log span.
pub struct Observation {
    id: String,
    route: &'static str,
    started: Instant,
    span: tracing::Span,
}

/// Gives the request its ID (a request extension every adapter reads) and its span, whose
/// `op` field the API fills in.
pub fn begin(req: &mut Request) -> Observation {
    let id = cognate_core::ids::request_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let route = route_label(req.method().as_str(), req.uri().path());
    let span = tracing::info_span!("request", request_id = %id, route, op = tracing::field::Empty);
    Observation {
        id,
        route,
        started: Instant::now(),
        span,
    }
}

impl Observation {
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Records the answer: metrics (the API counts its own, by operation), a log line for a
    /// server error, and the `x-amzn-RequestId` header.
    pub fn finish(self, resp: &mut Response) {
        let status = resp.status().as_u16();
        if self.route != "api" {
            metrics::counter!("cognate_http_requests_total", "route" => self.route, "status" => status_class(status))
                .increment(1);
            metrics::histogram!("cognate_http_request_duration_seconds", "route" => self.route)
                .record(self.started.elapsed().as_secs_f64());
        }
        if status >= 500 && status != 501 {
            self.span
                .in_scope(|| tracing::error!(status, "request failed"));
        }
        if let Ok(v) = HeaderValue::from_str(&self.id) {
            resp.headers_mut().entry("x-amzn-requestid").or_insert(v);
        }
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The route a request is for, from a fixed set, so metrics labels stay few whatever the paths.
pub fn route_label(method: &str, path: &str) -> &'static str {
    match path {
        "/" if method == "POST" || method == "OPTIONS" => "api",
        "/" => "root",
        "/health" | "/health/live" | "/health/ready" => "health",
        "/metrics" => "metrics",
        "/oauth2/authorize" => "authorize",
        "/oauth2/token" => "token",
        "/oauth2/userInfo" => "userinfo",
        "/oauth2/revoke" => "revoke",
        "/login" => "login",
        "/login/new-password" => "new_password",
        "/logout" => "logout",
        "/error" => "error",
        p if p.ends_with("/.well-known/jwks.json") => "jwks",
        p if p.ends_with("/.well-known/openid-configuration") => "discovery",
        p if p.starts_with("/ui-images/") => "ui_images",
        "/_cognate/outbox" | "/_cognate/outbox.json" => "outbox",
        "/confirmUser" => "confirm_user",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn routes_are_a_fixed_set() {
        assert_eq!(super::route_label("POST", "/"), "api");
        assert_eq!(
            super::route_label("GET", "/us-east-1_abc/.well-known/jwks.json"),
            "jwks"
        );
        assert_eq!(super::route_label("GET", "/anything/else"), "other");
    }
}

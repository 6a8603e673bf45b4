//! `/oauth2/token`, `/oauth2/userInfo` and `/oauth2/revoke`: JSON in RFC 6749's shapes.

use crate::security;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cognate_core::Cognito;
use cognate_core::oauth::{OAuthError, TokenForm};
use serde_json::{Value, json};
use std::sync::Arc;

/// `Authorization: Basic base64(client_id:client_secret)` (the parts form-encoded, RFC 6749 §2.3.1).
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(B64.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((percent_decode(id), percent_decode(secret)))
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(|t| t.trim().to_owned())
}

fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

fn oauth_error(e: OAuthError) -> Response {
    let mut body = json!({"error": e.error});
    if let Some(d) = &e.description {
        body["error_description"] = Value::from(d.clone());
    }
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = (status, axum::Json(body)).into_response();
    if e.status == 401 {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"cognate\""),
        );
    }
    no_store(resp)
}

async fn host_pool(cognito: &Cognito, headers: &HeaderMap) -> Option<String> {
    cognito
        .pool_for_host(&security::host(headers))
        .await
        .ok()
        .flatten()
}

pub async fn token(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(OAuthError {
            status: 400,
            error: "invalid_request",
            description: Some("The request body must be application/x-www-form-urlencoded.".into()),
        });
    };
    let pool = host_pool(&cognito, &headers).await;
    // Logged from a fixed set: the field is the client's text.
    let grant_type = match form.grant_type.as_deref() {
        Some("authorization_code") => "authorization_code",
        Some("refresh_token") => "refresh_token",
        Some("client_credentials") => "client_credentials",
        Some(_) => "unsupported",
        None => "missing",
    };
    match cognito
        .token_endpoint(form, basic_auth(&headers), pool.as_deref())
        .await
    {
        Ok(body) => {
            tracing::info!(%grant_type, "token issued");
            no_store(axum::Json(body).into_response())
        }
        Err(e) => {
            tracing::info!(%grant_type, error = %e.error, "token request refused");
            oauth_error(e)
        }
    }
}

pub async fn user_info(State(cognito): State<Arc<Cognito>>, headers: HeaderMap) -> Response {
    match cognito.user_info(bearer(&headers).as_deref()).await {
        Ok(body) => no_store(axum::Json(body).into_response()),
        Err(e) => {
            let challenge = format!(
                "error=\"{}\", error_description=\"{}\"",
                e.error,
                e.description.clone().unwrap_or_default()
            );
            let mut resp = oauth_error(e);
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            resp
        }
    }
}

pub async fn revoke(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(OAuthError {
            status: 400,
            error: "invalid_request",
            description: Some("The request body must be application/x-www-form-urlencoded.".into()),
        });
    };
    let pool = host_pool(&cognito, &headers).await;
    match cognito
        .revoke_endpoint(form, basic_auth(&headers), pool.as_deref())
        .await
    {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(e) => oauth_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {}", B64.encode("client:s%3Acret"))).unwrap(),
        );
        assert_eq!(basic_auth(&h), Some(("client".into(), "s:cret".into())));
        assert_eq!(percent_decode("a%2"), "a%2");
    }
}

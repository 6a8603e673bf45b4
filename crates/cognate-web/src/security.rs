//! Cookies, CSRF and the headers every hosted page carries.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognate_core::secrets::SecretBox;
use subtle::ConstantTimeEq;

/// The CSRF cookie: `__Host-` prefixed where cookies are `Secure` (the browser then refuses it
/// from a sibling domain or over plain HTTP), plain on loopback development hosts.
const CSRF_COOKIE_SECURE: &str = "__Host-cognate-csrf";
const CSRF_COOKIE_LOOPBACK: &str = "cognate-csrf";
/// How long the CSRF cookie lives after the last form was shown (a console session's length).
const CSRF_SECONDS: i64 = 8 * 3600;

fn csrf_cookie_name(host: &str) -> &'static str {
    if secure(host) {
        CSRF_COOKIE_SECURE
    } else {
        CSRF_COOKIE_LOOPBACK
    }
}

pub fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned()
}

/// Cookies are `Secure` except on plain-HTTP loopback hosts used in development.
pub(crate) fn secure(host: &str) -> bool {
    !cognate_core::oauth::loopback_host(host)
}

pub fn cookie(
    name: &'static str,
    value: String,
    host: &str,
    max_age_seconds: i64,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure(host))
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .build()
}

/// A cookie the browser also sends on a cross-site form post back to this host (an identity
/// provider answering with `response_mode=form_post`, a SAML provider posting its response):
/// `SameSite=None`, which browsers accept only with `Secure` — also on plain-HTTP loopback
/// hosts, which browsers count as secure (so development against a real provider works).
pub fn cross_site_cookie(
    name: &'static str,
    value: String,
    host: &str,
    max_age_seconds: i64,
) -> Cookie<'static> {
    let mut c = cookie(name, value, host, max_age_seconds);
    c.set_same_site(SameSite::None);
    c.set_secure(true);
    c
}

pub fn expired(name: &'static str, host: &str) -> Cookie<'static> {
    cookie(name, String::new(), host, 0)
}

/// The form a CSRF token is for: the path it posts to and its query (the authorization
/// request it continues).
#[derive(Clone, Copy)]
pub struct CsrfForm<'a> {
    pub action: &'static str,
    pub query: &'a str,
}

/// The token a form carries: HMAC-SHA256, under a key derived from the master key, of this
/// browser's random cookie value and the form it is for. Unlike a plain double-submit token,
/// it cannot be forged by someone who can plant a cookie (they cannot compute the MAC), and
/// it is good only for the form it was made for.
fn csrf_mac(secrets: &SecretBox, nonce: &str, form: CsrfForm<'_>) -> String {
    let data = format!("{nonce}\n{}?{}", form.action, form.query);
    B64URL.encode(secrets.mac("hosted-ui-csrf", data.as_bytes()))
}

/// The CSRF token for `form`, creating this browser's cookie when missing.
pub fn csrf_token(
    secrets: &SecretBox,
    jar: CookieJar,
    host: &str,
    form: CsrfForm<'_>,
) -> (CookieJar, String) {
    let name = csrf_cookie_name(host);
    if let Some(c) = jar.get(name)
        && c.value().len() >= 32
    {
        let (nonce, token) = (c.value().to_owned(), csrf_mac(secrets, c.value(), form));
        // Renewed with every form, so a page kept open keeps working.
        return (jar.add(cookie(name, nonce, host, CSRF_SECONDS)), token);
    }
    let mut raw = [0u8; 32];
    cognate_core::secrets::fill_random(&mut raw);
    let nonce = B64URL.encode(raw);
    let token = csrf_mac(secrets, &nonce, form);
    (jar.add(cookie(name, nonce, host, CSRF_SECONDS)), token)
}

/// Whether the form's `_csrf` field is the token of this browser's cookie for this form
/// (compared in constant time).
pub fn csrf_ok(
    secrets: &SecretBox,
    jar: &CookieJar,
    host: &str,
    form: CsrfForm<'_>,
    presented: Option<&str>,
) -> bool {
    match (jar.get(csrf_cookie_name(host)), presented) {
        (Some(c), Some(p)) if c.value().len() >= 32 && !p.is_empty() => {
            let expected = csrf_mac(secrets, c.value(), form);
            bool::from(expected.as_bytes().ct_eq(p.as_bytes()))
        }
        _ => false,
    }
}

/// Refuses requests that carry U+0000 anywhere Cognate reads text: the path and query, a form
/// body, HTTP Basic credentials. No client ID, code, token or name holds it, and PostgreSQL
/// cannot compare with it. `400 invalid_request` on the OAuth endpoints, a plain 400 elsewhere.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    /// Hosted-UI forms and token requests are small; larger bodies are refused as such.
    const MAX_FORM_BYTES: usize = 64 * 1024;
    let oauth = req.uri().path().starts_with("/oauth2/");
    let refuse = |status: StatusCode, why: &str| -> Response {
        if oauth {
            let body = serde_json::json!({"error": "invalid_request", "error_description": why});
            (status, axum::Json(body)).into_response()
        } else {
            (status, why.to_owned()).into_response()
        }
    };
    let nul = "The request contains a NUL character.";
    if has_nul(req.uri().to_string().as_bytes()) {
        return refuse(StatusCode::BAD_REQUEST, nul);
    }
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        });
    if basic.is_some_and(|b| b.contains(&0)) {
        return refuse(StatusCode::BAD_REQUEST, nul);
    }
    if req.method() != axum::http::Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large or was not received whole.",
            );
        }
    };
    if has_nul(&bytes) {
        return refuse(StatusCode::BAD_REQUEST, nul);
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// A raw NUL byte, or one percent-encoded (`%00`).
fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
        || bytes
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Anti-framing and no-caching headers for the hosted pages.
pub fn harden(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'; default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'none'"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    resp
}

#[cfg(test)]
mod tests {
    #[test]
    fn secure_except_on_loopback() {
        assert!(!super::secure("localhost:9229"));
        assert!(!super::secure("127.0.0.1:9229"));
        assert!(!super::secure("[::1]:9229"));
        assert!(super::secure("auth.example.com"));
    }
}

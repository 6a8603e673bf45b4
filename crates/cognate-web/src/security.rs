//! Cookies, CSRF and the headers every hosted page carries.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use subtle::ConstantTimeEq;

pub const CSRF_COOKIE: &str = "XSRF-TOKEN";

pub fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned()
}

/// Cookies are `Secure` except on plain-HTTP loopback hosts used in development.
fn secure(host: &str) -> bool {
    let name = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_owned()
    };
    !matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
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

pub fn expired(name: &'static str, host: &str) -> Cookie<'static> {
    cookie(name, String::new(), host, 0)
}

/// The CSRF token of this browser (double-submit: an HttpOnly cookie that every form
/// repeats in a hidden field), created when missing.
pub fn csrf_token(jar: CookieJar, host: &str) -> (CookieJar, String) {
    if let Some(c) = jar.get(CSRF_COOKIE)
        && c.value().len() >= 32
    {
        let v = c.value().to_owned();
        return (jar, v);
    }
    let mut raw = [0u8; 32];
    cognate_core::secrets::fill_random(&mut raw);
    let token = B64URL.encode(raw);
    (
        jar.add(cookie(CSRF_COOKIE, token.clone(), host, 3600)),
        token,
    )
}

pub fn csrf_ok(jar: &CookieJar, presented: Option<&str>) -> bool {
    match (jar.get(CSRF_COOKIE), presented) {
        (Some(c), Some(p)) if !p.is_empty() => bool::from(c.value().as_bytes().ct_eq(p.as_bytes())),
        _ => false,
    }
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

//! The cookies that carry tokens: all HttpOnly (page scripts never read them), the refresh
//! and login-flow ones encrypted and authenticated with a key derived from `cookie_secret`.

use std::time::Duration;

use axum::response::{IntoResponseParts, ResponseParts};
use axum_extra::extract::cookie::{Cookie, CookieJar, Key, PrivateCookieJar, SameSite};
use http::HeaderMap;
use http::header::COOKIE;

/// The value of cookie `name` in the request, without parsing the other cookies (this runs
/// on every request).
pub(crate) fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.trim_matches('"'))
        })
        .filter(|value| !value.is_empty())
}

/// Attributes shared by every cookie this crate sets.
#[derive(Debug, Clone)]
pub(crate) struct CookieSettings {
    pub(crate) domain: Option<String>,
    pub(crate) secure: bool,
    pub(crate) same_site: SameSite,
}

impl CookieSettings {
    /// An HttpOnly cookie for the whole site.
    pub(crate) fn build(
        &self,
        name: &'static str,
        value: String,
        max_age: Duration,
    ) -> Cookie<'static> {
        self.build_with(name, value, max_age, self.same_site)
    }

    /// The login-flow cookie must come back on the provider's cross-site redirect, which
    /// `SameSite=Strict` would block.
    pub(crate) fn build_flow(&self, value: String, max_age: Duration) -> Cookie<'static> {
        let same_site = match self.same_site {
            SameSite::None => SameSite::None,
            _ => SameSite::Lax,
        };
        self.build_with(crate::config::FLOW_COOKIE, value, max_age, same_site)
    }

    fn build_with(
        &self,
        name: &'static str,
        value: String,
        max_age: Duration,
        same_site: SameSite,
    ) -> Cookie<'static> {
        let mut cookie = Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(same_site)
            .max_age(cookie::time::Duration::seconds(
                i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
            ))
            .build();
        if let Some(domain) = &self.domain {
            cookie.set_domain(domain.clone());
        }
        cookie
    }

    /// A cookie that makes the browser forget `name`.
    pub(crate) fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut cookie = self.build(name, String::new(), Duration::ZERO);
        cookie.make_removal();
        cookie
    }
}

/// Decrypts cookie `name` from the request; `None` if absent or not sealed by `key`.
pub(crate) fn read_private(headers: &HeaderMap, key: &Key, name: &'static str) -> Option<String> {
    // Set-Cookie values are percent-encoded (the sealed value is base64 with `/`, `+`, `=`).
    let sealed = percent_encoding::percent_decode_str(read_cookie(headers, name)?)
        .decode_utf8()
        .ok()?;
    PrivateCookieJar::new(key.clone())
        .decrypt(Cookie::new(name, sealed.into_owned()))
        .map(|cookie| cookie.value().to_owned())
}

/// `Set-Cookie` headers for a response: plain ones and encrypted ones. Return it from a
/// handler (it is [`IntoResponseParts`]). `Debug` shows the cookie names only.
pub struct SetCookies {
    plain: CookieJar,
    // An Option only so `add_private` can move the jar out and back in.
    private: Option<PrivateCookieJar>,
}

impl SetCookies {
    pub(crate) fn new(key: &Key) -> Self {
        SetCookies {
            plain: CookieJar::new(),
            private: Some(PrivateCookieJar::new(key.clone())),
        }
    }

    pub(crate) fn add(&mut self, cookie: Cookie<'static>) {
        self.plain = std::mem::take(&mut self.plain).add(cookie);
    }

    pub(crate) fn add_private(&mut self, cookie: Cookie<'static>) {
        self.private = self.private.take().map(|jar| jar.add(cookie));
    }
}

impl std::fmt::Debug for SetCookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plain = self.plain.iter().map(|c| c.name().to_owned());
        let private = self.private.iter().flat_map(|jar| jar.iter());
        let names: Vec<String> = plain.chain(private.map(|c| c.name().to_owned())).collect();
        f.debug_struct("SetCookies").field("names", &names).finish()
    }
}

impl IntoResponseParts for SetCookies {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        let res = self.plain.into_response_parts(res)?;
        self.private.into_response_parts(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            "a=1; cognito_access_token=tok.en.x; b=2".parse().unwrap(),
        );
        headers.append(COOKIE, "c=3".parse().unwrap());
        assert_eq!(
            read_cookie(&headers, "cognito_access_token"),
            Some("tok.en.x")
        );
        assert_eq!(read_cookie(&headers, "c"), Some("3"));
        assert_eq!(read_cookie(&headers, "cognito"), None);
    }

    #[test]
    fn private_cookies_round_trip_and_reject_other_keys() {
        let name = crate::config::REFRESH_COOKIE;
        let key = Key::generate();
        let settings = CookieSettings {
            domain: None,
            secure: true,
            same_site: SameSite::Lax,
        };
        let mut set = SetCookies::new(&key);
        set.add_private(settings.build(name, "secret-token".into(), Duration::from_secs(60)));
        let response = (set, "").into_response();
        let set_cookie = response.headers()[http::header::SET_COOKIE]
            .to_str()
            .unwrap();
        assert!(!set_cookie.contains("secret-token"));
        assert!(set_cookie.contains("HttpOnly"));
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            set_cookie.split(';').next().unwrap().parse().unwrap(),
        );
        assert_eq!(
            read_private(&headers, &key, name).as_deref(),
            Some("secret-token")
        );
        assert_eq!(read_private(&headers, &Key::generate(), name), None);
    }
}

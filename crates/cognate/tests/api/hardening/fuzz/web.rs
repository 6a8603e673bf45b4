//! Random requests to the OAuth endpoints and hosted pages.

use super::generate::Gen;
use crate::common::PASSWORD;
use rand::Rng;

/// One random request to a web endpoint: (description, request).
pub(super) fn web_request(
    g: &mut Gen<'_>,
    http: &reqwest::Client,
    url: &str,
) -> (String, reqwest::RequestBuilder) {
    let k = g.known;
    let pick = |g: &mut Gen<'_>, real: &str| {
        if g.chance(0.6) {
            real.to_owned()
        } else {
            g.odd_string().chars().take(3000).collect()
        }
    };
    let client_id = pick(g, &k.client);
    let redirect = pick(g, "http://localhost:5000/postlogin");
    let state = pick(g, "st");
    let query = serde_urlencoded_pairs(&[
        ("client_id", client_id.as_str()),
        (
            "response_type",
            ["code", "token", "id_token", "bogus"][g.rng.random_range(0..4)],
        ),
        ("redirect_uri", redirect.as_str()),
        ("state", state.as_str()),
        (
            "scope",
            [
                "openid",
                "openid email",
                "aws.cognito.signin.user.admin",
                "x y z",
            ][g.rng.random_range(0..4)],
        ),
        (
            "code_challenge",
            if g.chance(0.5) {
                "abc"
            } else {
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            },
        ),
        (
            "code_challenge_method",
            ["S256", "plain", "md5"][g.rng.random_range(0..3)],
        ),
        (
            "prompt",
            ["login", "none", "consent"][g.rng.random_range(0..3)],
        ),
    ]);
    let form_value = g.odd_string().chars().take(5000).collect::<String>();
    match g.rng.random_range(0..10) {
        0 => (
            "GET /oauth2/authorize".into(),
            http.get(format!("{url}/oauth2/authorize?{query}")),
        ),
        1 => (
            "GET /login".into(),
            http.get(format!("{url}/login?{query}")),
        ),
        2 => (
            "POST /login".into(),
            http.post(format!("{url}/login?{query}"))
                .header("cookie", format!("cognate-csrf={}", "a".repeat(43)))
                .form(&[
                    ("_csrf", form_value.as_str()),
                    ("username", "fuzz-user"),
                    ("password", PASSWORD),
                ]),
        ),
        3 => (
            "POST /login/new-password".into(),
            http.post(format!("{url}/login/new-password?{query}"))
                .form(&[
                    ("_csrf", "x"),
                    ("session", form_value.as_str()),
                    ("new_password", "p"),
                ]),
        ),
        4 => {
            let grant = [
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "password",
                "",
            ][g.rng.random_range(0..5)];
            let token = pick(g, &k.refresh_token);
            let mut req = http.post(format!("{url}/oauth2/token")).form(&[
                ("grant_type", grant),
                ("code", form_value.as_str()),
                ("refresh_token", token.as_str()),
                ("redirect_uri", redirect.as_str()),
                ("client_id", client_id.as_str()),
                ("code_verifier", "v"),
                ("scope", "openid"),
            ]);
            if g.chance(0.5) {
                req = req.basic_auth(&k.client, Some(pick(g, &k.secret)));
            }
            ("POST /oauth2/token".into(), req)
        }
        5 => {
            let bearer = pick(g, &k.access_token);
            let req = if g.chance(0.5) {
                http.get(format!("{url}/oauth2/userInfo"))
            } else {
                http.post(format!("{url}/oauth2/userInfo"))
            };
            (
                "userInfo".into(),
                req.header("authorization", format!("Bearer {bearer}")),
            )
        }
        6 => {
            let token = pick(g, &k.refresh_token);
            (
                "POST /oauth2/revoke".into(),
                http.post(format!("{url}/oauth2/revoke"))
                    .basic_auth(&k.client, Some(&k.secret))
                    .form(&[("token", token.as_str()), ("client_id", client_id.as_str())]),
            )
        }
        7 => {
            let logout = pick(g, "http://localhost:5000/postlogout");
            let q = serde_urlencoded_pairs(&[
                ("client_id", client_id.as_str()),
                ("logout_uri", logout.as_str()),
            ]);
            ("GET /logout".into(), http.get(format!("{url}/logout?{q}")))
        }
        8 => {
            let pool = pick(g, &k.pool);
            let which = ["jwks.json", "openid-configuration"][g.rng.random_range(0..2)];
            let pool = percent_encode(&pool);
            (
                "well-known".into(),
                http.get(format!("{url}/{pool}/.well-known/{which}")),
            )
        }
        _ => {
            let path = percent_encode(&g.odd_string().chars().take(200).collect::<String>());
            let method = [
                reqwest::Method::GET,
                reqwest::Method::POST,
                reqwest::Method::PUT,
                reqwest::Method::DELETE,
                reqwest::Method::OPTIONS,
            ][g.rng.random_range(0..5)]
            .clone();
            (
                format!("{method} /ui-images or other"),
                http.request(method, format!("{url}/ui-images/{path}/x"))
                    .body(form_value),
            )
        }
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

//! What the OAuth tests share: the setup guide's client, a browser-like HTTP client, and the
//! steps of the hosted sign-in.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{ExplicitAuthFlowsType as F, OAuthFlowType};
use base64::Engine;
use serde_json::Value;
use sha2::Digest;

pub const CALLBACK: &str = "http://localhost:5000/postlogin";
pub const SIGN_OUT: &str = "http://localhost:5000/postlogout";

pub struct OAuthFixture {
    pub pool: String,
    pub client_id: String,
    pub secret: String,
}

/// A public code-flow client of `pool` (scopes `openid`, `email`, `profile`; callback
/// [`CALLBACK`]) that supports `providers`; its ID.
pub async fn code_flow_client(
    c: &aws_sdk_cognitoidentityprovider::Client,
    pool: &str,
    providers: &[&str],
) -> String {
    c.create_user_pool_client()
        .user_pool_id(pool)
        .client_name("app")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(CALLBACK)
        .set_supported_identity_providers(Some(providers.iter().map(|p| (*p).to_owned()).collect()))
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

/// The setup guide's client: confidential, code flow, hosted UI, callback and sign-out URLs.
pub async fn oauth_fixture(t: &TestServer) -> OAuthFixture {
    let c = &t.client;
    let pool = create_pool(c, "guide").await;
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("seed-app")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows(OAuthFlowType::Implicit)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(CALLBACK)
        .logout_urls(SIGN_OUT)
        .supported_identity_providers("COGNITO")
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    create_user(
        c,
        &pool,
        "alice",
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("given_name", "Alice"),
        ],
    )
    .await;
    OAuthFixture {
        pool,
        client_id: client.client_id.unwrap(),
        secret: client.client_secret.unwrap(),
    }
}

/// A browser-like HTTP client: keeps cookies, does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once(['?', '#'])?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(v: &str) -> String {
    let bytes = v.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub fn pkce() -> (String, String) {
    let verifier = "a-short-verifier-of-34-characters!".to_owned();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub fn authorize_url(base: &str, client_id: &str, extra: &str) -> String {
    format!(
        "{base}/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fpostlogin&state=st-123&scope=openid+email+profile&nonce=n-456{extra}"
    )
}

/// authorize → login form → POST credentials; returns the redirect to the callback.
pub async fn sign_in_through_pages(
    b: &reqwest::Client,
    base: &str,
    url: &str,
    username: &str,
    password: &str,
) -> String {
    let r = b.get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let login = format!("{base}{}", location(&r));
    assert!(login.contains("/login?"), "{login}");
    let page = b.get(&login).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    assert!(html.contains("<label for=\"username\""));
    let csrf = hidden(&html, "_csrf");
    let r = b
        .post(&login)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302, "{}", r.text().await.unwrap());
    location(&r)
}

pub async fn token_request(
    base: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

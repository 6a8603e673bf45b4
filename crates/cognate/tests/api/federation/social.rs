//! Social providers pointed at compatible servers through their `ProviderDetails`: Google at
//! a second Cognate pool (an OpenID provider like Google), Facebook at a Graph API stand-in
//! started here (the token by `GET`, no ID token, the mapped fields asked for by name).

use super::links::{federated_sign_in_as, id_token_at};
use super::oidc::{base, upstream};
use crate::common::{TestServer, create_pool, start};
use crate::oauth_support::{CALLBACK, location};
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType as Kind;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde_json::json;
use std::collections::HashMap;

#[tokio::test]
async fn google_signs_in_through_the_endpoints_it_is_given() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, up_sub) = upstream(&t).await;
    let c = &t.client;
    let pool = create_pool(c, "google").await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(Kind::Google)
        .provider_details("client_id", &up_client)
        .provider_details("client_secret", &up_secret)
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", format!("{base}/{up_pool}"))
        .provider_details("authorize_url", format!("{base}/oauth2/authorize"))
        .provider_details("token_url", format!("{base}/oauth2/token"))
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap();
    let client = social_client(&t, &pool, "Google").await;
    let landed = federated_sign_in_as(&base, &client, "Google").await;
    let id = id_token_at(&base, &client, &landed).await;
    assert_eq!(id["cognito:username"], format!("google_{up_sub}").as_str());
    assert_eq!(id["email"], "ada@upstream.test");
    assert_eq!(id["identities"][0]["providerType"], "Google");
}

/// The Graph API stand-in: its dialog approves at once, its token endpoint checks the
/// secret, `/me` answers the fields asked for.
async fn graph_api() -> u16 {
    let app = axum::Router::new()
        .route(
            "/dialog/oauth",
            axum::routing::get(|Query(q): Query<HashMap<String, String>>| async move {
                let back = format!("{}?code=fb-code&state={}", q["redirect_uri"], urlencode(&q["state"]));
                Redirect::to(&back)
            }),
        )
        .route(
            "/oauth/access_token",
            axum::routing::get(|Query(q): Query<HashMap<String, String>>| async move {
                if q.get("client_secret").map(String::as_str) != Some("fb-secret")
                    || q.get("code").map(String::as_str) != Some("fb-code")
                {
                    return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": {"message": "bad"}}))).into_response();
                }
                axum::Json(json!({"access_token": "fb-token", "token_type": "bearer", "expires_in": 5183944})).into_response()
            }),
        )
        .route(
            "/me",
            axum::routing::get(|headers: HeaderMap, Query(q): Query<HashMap<String, String>>| async move {
                if headers.get("authorization").and_then(|h| h.to_str().ok()) != Some("Bearer fb-token") {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let all = json!({"id": "10224567", "email": "mark@fb.test", "name": "Mark", "birthday": "01/01/1990"});
                let fields: Vec<&str> = q.get("fields").map(|f| f.split(',').collect()).unwrap_or_default();
                let only: serde_json::Map<String, serde_json::Value> = fields
                    .iter()
                    .filter_map(|f| all.get(f).map(|v| ((*f).to_owned(), v.clone())))
                    .collect();
                axum::Json(only).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

fn urlencode(s: &str) -> String {
    reqwest::Url::parse_with_params("http://x/", &[("v", s)])
        .unwrap()
        .query()
        .unwrap()
        .trim_start_matches("v=")
        .to_owned()
}

#[tokio::test]
async fn facebook_signs_in_through_a_graph_api_stand_in() {
    let t = start().await;
    let base = base(&t);
    let graph = format!("http://localhost:{}", graph_api().await);
    let c = &t.client;
    let pool = create_pool(c, "facebook").await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Facebook")
        .provider_type(Kind::Facebook)
        .provider_details("client_id", "fb-app")
        .provider_details("client_secret", "fb-secret")
        .provider_details("authorize_scopes", "public_profile,email")
        .provider_details("authorize_url", format!("{graph}/dialog/oauth"))
        .provider_details("token_url", format!("{graph}/oauth/access_token"))
        .provider_details("attributes_url", format!("{graph}/me?fields="))
        .attribute_mapping("email", "email")
        .attribute_mapping("name", "name")
        .send()
        .await
        .unwrap();
    let client = social_client(&t, &pool, "Facebook").await;
    let landed = federated_sign_in_as(&base, &client, "Facebook").await;
    assert!(landed.starts_with(CALLBACK), "{landed}");
    let id = id_token_at(&base, &client, &landed).await;
    assert_eq!(id["cognito:username"], "facebook_10224567");
    assert_eq!(id["email"], "mark@fb.test");
    assert_eq!(id["name"], "Mark");
    assert_eq!(id["identities"][0]["providerType"], "Facebook");
    assert_eq!(id["identities"][0]["userId"], "10224567");
}

async fn social_client(t: &TestServer, pool: &str, provider: &str) -> String {
    crate::oauth_support::code_flow_client(&t.client, pool, &["COGNITO", provider]).await
}

/// The key a Sign in with Apple provider is configured with (a test key), and its public half
/// (Apple's copy, to check client secrets).
const APPLE_CLIENT_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjf4jye8JPMvrwVY/
CXFutEAFivInnDOVtROd4kuiBlihRANCAAS3Vexq8VVfPwN8RJeBFOPJP57Hze9k
q4nxpNzRqka7DvscJfOODQGZC1Xn5z0Dgqm00X3/nBtW8WYxhOPdDZm3
-----END PRIVATE KEY-----";
const APPLE_CLIENT_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEt1XsavFVXz8DfESXgRTjyT+ex83v
ZKuJ8aTc0apGuw77HCXzjg0BmQtV5+c9A4KptNF9/5wbVvFmMYTj3Q2Ztw==
-----END PUBLIC KEY-----";
/// The stand-in's own signing key (a test key) and its JWK coordinates.
const APPLE_SIGNING_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDQBO+lKNvh6byXea
RN7Dc9M52eJ2XqTgAFRQPpZHHq2hRANCAAThiNhyiBNxjRnrF5eOLNnC3bXo++Sd
sFdAXJJr+qPJuALt5J75EKBFeFO5uPc1HWplz3av/oSmpHkEeAsAf+t5
-----END PRIVATE KEY-----";
const APPLE_SIGNING_X: &str = "4YjYcogTcY0Z6xeXjizZwt216PvknbBXQFySa_qjybg";
const APPLE_SIGNING_Y: &str = "Au3knvkQoEV4U7m49zUdamXPdq_-hKakeQR4CwB_63k";

/// A Sign in with Apple stand-in: discovery, an authorization page that answers by form post
/// (with the `user` field), a token endpoint that checks the client secret JWT, its keys.
async fn apple() -> String {
    use axum::extract::Form;
    use std::sync::{Arc, Mutex};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let nonce: Arc<Mutex<String>> = Arc::default();
    let (iss, n1, n2) = (issuer.clone(), nonce.clone(), nonce.clone());
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || {
                let i = iss.clone();
                async move {
                    axum::Json(json!({
                        "issuer": i,
                        "authorization_endpoint": format!("{i}/auth/authorize"),
                        "token_endpoint": format!("{i}/auth/token"),
                        "jwks_uri": format!("{i}/auth/keys"),
                        "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    }))
                }
            }),
        )
        .route(
            "/auth/authorize",
            axum::routing::get(move |Query(q): Query<HashMap<String, String>>| async move {
                assert_eq!(q["response_mode"], "form_post");
                *n1.lock().unwrap() = q["nonce"].clone();
                let user = r#"{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"ada@privaterelay.test"}"#;
                axum::response::Html(format!(
                    r#"<form method="post" action="{}"><input name="code" value="apple-code"><input name="state" value="{}"><input name="user" value='{user}'></form>"#,
                    q["redirect_uri"], q["state"]
                ))
            }),
        )
        .route(
            "/auth/token",
            axum::routing::post(move |Form(f): Form<HashMap<String, String>>| {
                let (issuer, nonce) = (issuer.clone(), n2.clone());
                async move {
                    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
                    let mut v = Validation::new(Algorithm::ES256);
                    v.set_audience(&["https://appleid.apple.com"]);
                    v.set_issuer(&["TEAM123456"]);
                    let key = DecodingKey::from_ec_pem(APPLE_CLIENT_PUBLIC.as_bytes()).unwrap();
                    let secret = jsonwebtoken::decode::<serde_json::Value>(&f["client_secret"], &key, &v);
                    let Ok(secret) = secret else {
                        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_client"}))).into_response();
                    };
                    assert_eq!(secret.claims["sub"], "com.example.web");
                    assert_eq!(secret.header.kid.as_deref(), Some("KEY1234567"));
                    assert_eq!(f["code"], "apple-code");
                    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
                    let mut header = Header::new(Algorithm::ES256);
                    header.kid = Some("apple-key-1".into());
                    let id_token = jsonwebtoken::encode(
                        &header,
                        &json!({
                            "iss": issuer, "aud": "com.example.web", "sub": "001234.abcd",
                            "iat": now, "exp": now + 600, "nonce": nonce.lock().unwrap().clone(),
                            "email": "ada@privaterelay.test", "email_verified": "true",
                        }),
                        &EncodingKey::from_ec_pem(APPLE_SIGNING_KEY.as_bytes()).unwrap(),
                    )
                    .unwrap();
                    axum::Json(json!({"access_token": "apple-access", "token_type": "Bearer", "expires_in": 3600, "id_token": id_token})).into_response()
                }
            }),
        )
        .route(
            "/auth/keys",
            axum::routing::get(|| async {
                axum::Json(json!({"keys": [{
                    "kty": "EC", "crv": "P-256", "x": APPLE_SIGNING_X, "y": APPLE_SIGNING_Y,
                    "kid": "apple-key-1", "alg": "ES256", "use": "sig",
                }]}))
            }),
        );
    let url = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// The value of `name` in the stand-in's form.
fn field(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=")).unwrap() + name.len() + 14;
    let quote = &html[at..at + 1];
    html[at + 1..].split(quote).next().unwrap().to_owned()
}

#[tokio::test]
async fn sign_in_with_apple_signs_a_client_secret_and_reads_its_form_post() {
    let t = start().await;
    let base = base(&t);
    let apple = apple().await;
    let c = &t.client;
    let pool = create_pool(c, "apple").await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("SignInWithApple")
        .provider_type(Kind::SignInWithApple)
        .provider_details("client_id", "com.example.web")
        .provider_details("team_id", "TEAM123456")
        .provider_details("key_id", "KEY1234567")
        .provider_details("private_key", APPLE_CLIENT_KEY)
        .provider_details("authorize_scopes", "email name")
        .provider_details("oidc_issuer", &apple)
        .provider_details("authorize_url", format!("{apple}/auth/authorize"))
        .provider_details("token_url", format!("{apple}/auth/token"))
        .attribute_mapping("email", "email")
        .attribute_mapping("given_name", "firstName")
        .send()
        .await
        .unwrap();
    let client = social_client(&t, &pool, "SignInWithApple").await;
    let b = crate::oauth_support::browser();
    let url = super::oidc::authorize(&base, &client).replace(
        "identity_provider=Upstream",
        "identity_provider=SignInWithApple",
    );
    let r = b.get(url).send().await.unwrap();
    let html = b
        .get(location(&r))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = html
        .split("action=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(action, format!("{base}/oauth2/idpresponse"));
    let r = b
        .post(action)
        .form(&[
            ("code", field(&html, "code")),
            ("state", field(&html, "state")),
            ("user", field(&html, "user")),
        ])
        .send()
        .await
        .unwrap();
    let landed = location(&r);
    let id = id_token_at(&base, &client, &landed).await;
    assert_eq!(id["cognito:username"], "signinwithapple_001234.abcd");
    assert_eq!(id["email"], "ada@privaterelay.test");
    assert_eq!(id["given_name"], "Ada", "from Apple's form post");
    assert_eq!(id["identities"][0]["providerType"], "SignInWithApple");
}

/// A Login with Amazon stand-in: its consent approves at once, its token endpoint takes the
/// client's credentials in the form, its profile answers `user_id`.
async fn amazon() -> String {
    use axum::extract::Form;
    let app = axum::Router::new()
        .route(
            "/ap/oa",
            axum::routing::get(|Query(q): Query<HashMap<String, String>>| async move {
                Redirect::to(&format!("{}?code=amzn-code&state={}", q["redirect_uri"], urlencode(&q["state"])))
            }),
        )
        .route(
            "/auth/o2/token",
            axum::routing::post(|Form(f): Form<HashMap<String, String>>| async move {
                let ok = f.get("client_secret").map(String::as_str) == Some("amzn-secret")
                    && f.get("client_id").map(String::as_str) == Some("amzn-app")
                    && f.get("code").map(String::as_str) == Some("amzn-code");
                match ok {
                    true => axum::Json(json!({"access_token": "Atza|token", "token_type": "bearer", "expires_in": 3600})).into_response(),
                    false => (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_client"}))).into_response(),
                }
            }),
        )
        .route(
            "/user/profile",
            axum::routing::get(|headers: HeaderMap| async move {
                match headers.get("authorization").and_then(|h| h.to_str().ok()) {
                    Some("Bearer Atza|token") => axum::Json(json!({"user_id": "amzn1.account.AF2", "email": "jeff@amazon.test", "name": "Jeff"})).into_response(),
                    _ => StatusCode::UNAUTHORIZED.into_response(),
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn login_with_amazon_signs_in_through_a_stand_in() {
    let t = start().await;
    let base = base(&t);
    let amazon = amazon().await;
    let c = &t.client;
    let pool = create_pool(c, "amazon").await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("LoginWithAmazon")
        .provider_type(Kind::LoginWithAmazon)
        .provider_details("client_id", "amzn-app")
        .provider_details("client_secret", "amzn-secret")
        .provider_details("authorize_scopes", "profile")
        .provider_details("authorize_url", format!("{amazon}/ap/oa"))
        .provider_details("token_url", format!("{amazon}/auth/o2/token"))
        .provider_details("attributes_url", format!("{amazon}/user/profile"))
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap();
    let client = social_client(&t, &pool, "LoginWithAmazon").await;
    let landed = federated_sign_in_as(&base, &client, "LoginWithAmazon").await;
    let id = id_token_at(&base, &client, &landed).await;
    assert_eq!(id["cognito:username"], "loginwithamazon_amzn1.account.af2");
    assert_eq!(id["email"], "jeff@amazon.test");
    assert_eq!(
        id["identities"][0]["userId"], "amzn1.account.AF2",
        "the subject keeps its case"
    );
}

//! Social providers pointed at compatible servers through their `ProviderDetails`: Google at
//! a second Cognate pool (an OpenID provider like Google), Facebook at a Graph API stand-in
//! started here (the token by `GET`, no ID token, the mapped fields asked for by name).

use super::links::{federated_sign_in_as, id_token_at};
use super::oidc::{base, upstream};
use crate::common::{TestServer, create_pool, start};
use crate::oauth_support::CALLBACK;
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType as Kind, OAuthFlowType};
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
    t.client
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("app")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(CALLBACK)
        .supported_identity_providers("COGNITO")
        .supported_identity_providers(provider)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

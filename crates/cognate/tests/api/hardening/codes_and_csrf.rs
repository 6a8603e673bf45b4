//! Authorization codes belong to their client, and hosted-UI forms carry CSRF tokens that
//! cannot be forged by planting a cookie.

use crate::fixture::{PASSWORD, T, t};
use crate::oauth::{
    authorize_url, browser, hidden, location, query_param, sign_in_through_pages, token_request,
};
use aws_sdk_cognitoidentityprovider::types::OAuthFlowType;

const CALLBACK: &str = "http://localhost:5000/postlogin";

/// A confidential code-flow client of the setup guide's shape: (client ID, secret).
async fn guide_client(t: &T, pool: &str) -> (String, String) {
    let c = t
        .client
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("guide")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .callback_urls(CALLBACK)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    (c.client_id.unwrap(), c.client_secret.unwrap())
}

#[tokio::test]
async fn code_presented_by_another_client_stays_usable_by_its_own() {
    let t = t();
    let pool = t.pool().await;
    t.user(&pool, "alice", &[]).await;
    let (owner, owner_secret) = guide_client(&t, &pool).await;
    let (thief, thief_secret) = guide_client(&t, &pool).await;
    let b = browser();
    let callback = sign_in_through_pages(
        &b,
        &t.url,
        &authorize_url(&t.url, &owner, ""),
        "alice",
        PASSWORD,
    )
    .await;
    let code = query_param(&callback, "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (status, body) = token_request(&t.url, &form, Some((&thief, &thief_secret))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body) = token_request(&t.url, &form, Some((&owner, &owner_secret))).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());
}

/// The login page of a fresh authorization: (browser, login URL).
async fn login_page(t: &T) -> (reqwest::Client, String) {
    let pool = t.pool().await;
    t.user(&pool, "alice", &[]).await;
    let (client, _) = guide_client(t, &pool).await;
    let b = browser();
    let r = b
        .get(authorize_url(&t.url, &client, ""))
        .send()
        .await
        .unwrap();
    (b, format!("{}{}", t.url, location(&r)))
}

#[tokio::test]
async fn planted_cookie_with_matching_field_is_refused() {
    let t = t();
    let (_, login) = login_page(&t).await;
    // An attacker who can set a cookie on the victim's browser, and fill the form the same.
    let planted = "a".repeat(43);
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(&login)
        .header("cookie", format!("cognate-csrf={planted}"))
        .form(&[
            ("_csrf", planted.as_str()),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[tokio::test]
async fn token_of_another_authorization_request_is_refused() {
    let t = t();
    let (b, login) = login_page(&t).await;
    let page = b.get(&login).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "_csrf");
    // The same browser, the token of this form, posted to another authorization request.
    let other = login.replace("state=st-123", "state=st-999");
    let r = b
        .post(&other)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = b
        .post(&login)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
}

#[tokio::test]
async fn csrf_cookie_is_host_prefixed_where_cookies_are_secure() {
    let t = t();
    let (_, login) = login_page(&t).await;
    // The same page, asked for under a public host name (as behind a TLS proxy).
    let r = reqwest::Client::new()
        .get(&login)
        .header("host", "auth.example.com")
        .send()
        .await
        .unwrap();
    let cookies: Vec<&str> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let csrf = cookies
        .iter()
        .find(|c| c.contains("csrf"))
        .expect("a CSRF cookie");
    assert!(csrf.starts_with("__Host-cognate-csrf="), "{csrf}");
    assert!(csrf.contains("Secure") && csrf.contains("Path=/") && !csrf.contains("Domain"));
    assert!(csrf.contains("HttpOnly"));
}

//! More of the OAuth endpoints: client_credentials with resource-server scopes, the implicit
//! grant, the hosted new-password step, account states on the login page, and logout back to
//! the login form.

use crate::common::*;
use crate::oauth::{
    authorize_url, browser, hidden, location, oauth_fixture, query_param, sign_in_through_pages,
};
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};
use serde_json::Value;

#[tokio::test]
async fn client_credentials_with_resource_server_scopes() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "machines").await;
    c.create_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .name("Orders API")
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("Read orders")
                .build()
                .unwrap(),
        )
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("write")
                .scope_description("Write orders")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("worker")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("orders/read")
        .allowed_o_auth_scopes("orders/write")
        .allowed_o_auth_flows_user_pool_client(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let (id, secret) = (client.client_id.unwrap(), client.client_secret.unwrap());
    let token = |scope: Option<&'static str>, secret: String| {
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let req = reqwest::Client::new()
            .post(format!("{}/oauth2/token", t.url()))
            .basic_auth(&id, Some(secret))
            .form(&form);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = token(None, secret.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    let (reachable, public) = pool_urls(&t, &pool);
    let claims = verify_with_jwks(
        body["access_token"].as_str().unwrap(),
        &reachable,
        &public,
        None,
    )
    .await;
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["client_id"], id.as_str());
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["scope"], "orders/read orders/write");

    let (status, body) = token(Some("orders/read"), secret.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        jsonwebtoken::dangerous::insecure_decode::<Value>(body["access_token"].as_str().unwrap())
            .unwrap()
            .claims["scope"],
        "orders/read"
    );
    let (status, body) = token(Some("orders/delete"), secret.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let (status, body) = token(None, "wrong".into()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn implicit_grant_returns_tokens_in_the_fragment() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let url = authorize_url(&t.url(), &f.client_id, "")
        .replace("response_type=code", "response_type=token");
    let to = sign_in_through_pages(&browser(), &t.url(), &url, "alice", PASSWORD).await;
    let (before, fragment) = to.split_once('#').expect("tokens in the fragment");
    assert_eq!(before, "http://localhost:5000/postlogin");
    assert!(
        fragment.contains("access_token=")
            && fragment.contains("id_token=")
            && !fragment.contains("refresh_token")
    );
    assert_eq!(query_param(&to, "state").as_deref(), Some("st-123"));
    assert_eq!(query_param(&to, "token_type").as_deref(), Some("Bearer"));
}

#[tokio::test]
async fn hosted_new_password_and_account_states() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let base = t.url();
    t.client
        .admin_create_user()
        .user_pool_id(&f.pool)
        .username("newbie")
        .temporary_password("Temp-Pass-123")
        .send()
        .await
        .unwrap();
    let b = browser();
    let r = b
        .get(authorize_url(&base, &f.client_id, ""))
        .send()
        .await
        .unwrap();
    let login = format!("{base}{}", location(&r));
    let csrf = hidden(
        &b.get(&login).send().await.unwrap().text().await.unwrap(),
        "_csrf",
    );
    let r = b
        .post(&login)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "newbie"),
            ("password", "Temp-Pass-123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Change password"));
    let session = hidden(&html, "session");
    // Each form has its own token: the new-password form's is not the login form's.
    let login_csrf = csrf;
    let csrf = hidden(&html, "_csrf");
    assert_ne!(csrf, login_csrf);
    let action = format!(
        "{base}/login/new-password?{}",
        login.split_once('?').unwrap().1
    );
    let r = b
        .post(&action)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("session", session.as_str()),
            ("new_password", "weak"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Password does not conform to policy: Password not long enough")
    );
    let r = b
        .post(&action)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("session", session.as_str()),
            ("new_password", "Brand-New-Pass-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert!(query_param(&location(&r), "code").is_some());
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&f.pool)
        .username("newbie")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");

    // A disabled user sees the API's message.
    t.client
        .admin_disable_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let fresh = browser();
    let r = fresh
        .get(authorize_url(&base, &f.client_id, ""))
        .send()
        .await
        .unwrap();
    let login = format!("{base}{}", location(&r));
    let csrf = hidden(
        &fresh
            .get(&login)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "_csrf",
    );
    let r = fresh
        .post(&login)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("User is disabled."));

    // Logout with redirect_uri and response_type goes back to the login form.
    let r = b
        .get(format!("{base}/logout?client_id={}&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fpostlogin&response_type=code&state=again", f.client_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let to = location(&r);
    assert!(to.starts_with("/login?"), "{to}");
    assert_eq!(query_param(&to, "state").as_deref(), Some("again"));
    let page = b.get(format!("{base}{to}")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
}

//! Two Cognate nodes on one database (PostgreSQL when COGNATE_TEST_DATABASE_URL is set, else
//! one SQLite file): nothing either must agree on lives in only one node's memory.

use crate::common::*;
use cognate::config::Storage;

async fn two_nodes() -> (TestServer, TestServer) {
    let storage = match std::env::var("COGNATE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Storage::Url(fresh_postgres_database(&url).await),
        _ => Storage::DataDir(temp_dir("nodes")),
    };
    let mut cfg = config(storage);
    cfg.db_max_connections = 4;
    // Behind a load balancer every node has the same public issuer.
    cfg.issuer_url = Some("https://auth.example.test".into());
    if let Storage::DataDir(dir) = &cfg.storage {
        cfg.data_dir = dir.clone();
    }
    let a = start_with_config(cfg.clone()).await;
    let b = start_with_config(cfg).await;
    (a, b)
}

#[tokio::test]
async fn nodes_share_users_tokens_revocations_keys_and_lockouts() {
    let (a, b) = two_nodes().await;
    let f = sign_in_fixture(&a.client, false).await;

    // A user created on A signs in on B, and B's access token works on A.
    let on_b = password_sign_in(&b.client, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let on_b = on_b.authentication_result().unwrap();
    a.client
        .get_user()
        .access_token(on_b.access_token().unwrap())
        .send()
        .await
        .unwrap();

    // A refresh token from A refreshes on B.
    let on_a = password_sign_in(&a.client, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let on_a = on_a.authentication_result().unwrap();
    let refreshed = b
        .client
        .initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", on_a.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        refreshed
            .authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );

    // A token revoked on B is refused on A at once, even one A has already checked (its
    // signature is remembered; its session is read on every request).
    a.client
        .get_user()
        .access_token(on_a.access_token().unwrap())
        .send()
        .await
        .unwrap();
    b.client
        .revoke_token()
        .token(on_a.refresh_token().unwrap())
        .client_id(&f.client_id)
        .send()
        .await
        .unwrap();
    let (_, msg) = err(a
        .client
        .get_user()
        .access_token(on_a.access_token().unwrap())
        .send()
        .await);
    assert_eq!(msg, "Access Token has been revoked");
    let (_, msg) = err(a
        .client
        .initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", on_a.refresh_token().unwrap())
        .send()
        .await);
    assert_eq!(msg, "Refresh Token has been revoked");

    // A key rotated on A is published by B at once, and tokens A signs verify on B.
    let jwks = |t: &TestServer| {
        let url = format!("{}/{}/.well-known/jwks.json", t.url(), f.pool);
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(jwks(&b).await["keys"].as_array().unwrap().len(), 2);
    a.server.cognito.rotate_signing_keys(&f.pool).await.unwrap();
    assert_eq!(jwks(&b).await["keys"].as_array().unwrap().len(), 4);
    let after = password_sign_in(&a.client, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let after = after.authentication_result().unwrap();
    let published = jwks(&b).await;
    let kid = jsonwebtoken::decode_header(after.id_token().unwrap())
        .unwrap()
        .kid
        .unwrap();
    assert!(
        published["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str())
    );
    b.client
        .get_user()
        .access_token(after.access_token().unwrap())
        .send()
        .await
        .unwrap();

    // Lockout counts failures made on both nodes.
    for node in [&a, &b, &a, &b, &a] {
        let (_, msg) =
            err(password_sign_in(&node.client, &f.client_id, "alice", "Wrong-Pass-1").await);
        assert_eq!(msg, "Incorrect username or password.");
    }
    let (_, msg) = err(password_sign_in(&b.client, &f.client_id, "alice", PASSWORD).await);
    assert_eq!(msg, "Password attempts exceeded");

    a.server.shutdown().await.unwrap();
    b.server.shutdown().await.unwrap();
}

/// An authorization code issued by node A is redeemed on node B, once.
#[tokio::test]
async fn authorization_code_from_one_node_redeemed_on_another() {
    use crate::oauth::{authorize_url, browser, oauth_fixture, query_param, sign_in_through_pages};
    let (a, b) = two_nodes().await;
    let f = oauth_fixture(&a).await;
    let callback = sign_in_through_pages(
        &browser(),
        &a.url(),
        &authorize_url(&a.url(), &f.client_id, ""),
        "alice",
        PASSWORD,
    )
    .await;
    let code = query_param(&callback, "code").unwrap();
    let redeem = |node: &TestServer| {
        reqwest::Client::new()
            .post(format!("{}/oauth2/token", node.url()))
            .basic_auth(&f.client_id, Some(&f.secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "http://localhost:5000/postlogin"),
            ])
            .send()
    };
    let r = redeem(&b).await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    let r = redeem(&a).await.unwrap();
    assert_eq!(
        r.status().as_u16(),
        400,
        "a code works once, whichever node sees it"
    );
}

/// Several nodes starting at once on an empty database: migrations run once, under a lock.
#[tokio::test]
async fn nodes_starting_together_migrate_once() {
    let Ok(url) = std::env::var("COGNATE_TEST_DATABASE_URL") else {
        // SQLite's single-writer lock serializes migrations the same way; nothing to race.
        return;
    };
    if url.is_empty() {
        return;
    }
    let db = fresh_postgres_database(&url).await;
    let starts = (0..3).map(|_| {
        let mut cfg = config(Storage::Url(db.clone()));
        cfg.db_max_connections = 2;
        start_with_config(cfg)
    });
    let nodes = futures_join_all(starts).await;
    let pool = create_pool(&nodes[0].client, "shared").await;
    for n in &nodes {
        n.client
            .describe_user_pool()
            .user_pool_id(&pool)
            .send()
            .await
            .unwrap();
    }
}

async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

//! Rotation: refresh tokens replaced at each use (reuse detected), and signing keys replaced
//! while tokens they signed stay valid.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType as F, FeatureType, RefreshTokenRotationType,
};
use serde_json::Value;

#[tokio::test]
async fn refresh_token_rotation() {
    let t = start().await;
    let c = &t.client;
    let f = sign_in_fixture(c, true).await;
    let secret = f.secret.clone().unwrap();
    c.update_user_pool_client()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(0)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let out = c
        .initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("SECRET_HASH", secret_hash(&secret, "alice", &f.client_id))
        .send()
        .await
        .unwrap();
    let original = out
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();

    let (code, _) = err(c
        .initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &original)
        .auth_parameters("SECRET_HASH", secret_hash(&secret, "alice", &f.client_id))
        .send()
        .await);
    assert_eq!(
        code, "InvalidParameterException",
        "rotation clients refresh with GetTokensFromRefreshToken"
    );

    let (code, _) = err(c
        .get_tokens_from_refresh_token()
        .refresh_token(&original)
        .client_id(&f.client_id)
        .send()
        .await);
    assert_eq!(
        code, "NotAuthorizedException",
        "the client secret is required"
    );
    let rotated = c
        .get_tokens_from_refresh_token()
        .refresh_token(&original)
        .client_id(&f.client_id)
        .client_secret(&secret)
        .send()
        .await
        .unwrap();
    let next = rotated
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    assert_ne!(next, original);
    // The rotated-out token is refused after the (zero) grace period, and its session ends.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (code, _) = err(c
        .get_tokens_from_refresh_token()
        .refresh_token(&original)
        .client_id(&f.client_id)
        .client_secret(&secret)
        .send()
        .await);
    assert_eq!(code, "RefreshTokenReuseException");
    let (_, msg) = err(c
        .get_tokens_from_refresh_token()
        .refresh_token(&next)
        .client_id(&f.client_id)
        .client_secret(&secret)
        .send()
        .await);
    assert_eq!(msg, "Refresh Token has been revoked");
}

#[tokio::test]
async fn key_rotation_keeps_old_tokens_valid() {
    let t = start().await;
    let c = &t.client;
    let f = sign_in_fixture(c, false).await;
    let before = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let before = before.authentication_result().unwrap();
    let jwks = |url: String| async move {
        reqwest::get(url)
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let url = format!("{}/{}/.well-known/jwks.json", t.url(), f.pool);
    assert_eq!(jwks(url.clone()).await["keys"].as_array().unwrap().len(), 2);

    t.server.cognito.rotate_signing_keys(&f.pool).await.unwrap();
    let published = jwks(url.clone()).await;
    assert_eq!(
        published["keys"].as_array().unwrap().len(),
        4,
        "old keys stay published"
    );
    let after = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let after = after.authentication_result().unwrap();
    let kid = |t: &str| jsonwebtoken::decode_header(t).unwrap().kid.unwrap();
    assert_ne!(
        kid(before.id_token().unwrap()),
        kid(after.id_token().unwrap())
    );
    let (reachable, public) = pool_urls(&t, &f.pool);
    verify_with_jwks(
        before.id_token().unwrap(),
        &reachable,
        &public,
        Some(&f.client_id),
    )
    .await;
    verify_with_jwks(
        after.id_token().unwrap(),
        &reachable,
        &public,
        Some(&f.client_id),
    )
    .await;
    c.get_user()
        .access_token(before.access_token().unwrap())
        .send()
        .await
        .unwrap();

    let missing = reqwest::get(format!(
        "{}/us-east-1_nothere00/.well-known/jwks.json",
        t.url()
    ))
    .await
    .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

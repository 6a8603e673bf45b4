//! Verifiers: stored sealed with every password, replaced when the password changes, added
//! at the next password sign-in for passwords set before they were stored; and the claim's
//! clock window.

use super::{answer, claim, srp_sign_in, start};
use crate::assert_cognito_err;
use crate::common::{create_pool, create_user, start as own_server, start_with_clock};
use crate::fixture::{PASSWORD, t};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType as Flow};

const INCORRECT: &str = "Incorrect username or password.";

async fn srp_and_password_client(c: &Client, pool: &str) -> String {
    let created = c
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("app")
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .auth_session_validity(15)
        .send()
        .await
        .unwrap();
    created.user_pool_client.unwrap().client_id.unwrap()
}

#[tokio::test]
async fn a_new_password_replaces_the_verifier() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_and_password_client(&t.client, &pool).await;
    t.user(&pool, "rosalind", &[]).await;
    t.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("rosalind")
        .password("Another-Pass-4")
        .permanent(true)
        .send()
        .await
        .unwrap();
    let old = srp_sign_in(&t.client, &pool, &client, None, "rosalind", PASSWORD).await;
    assert_cognito_err!(old, NotAuthorizedException, INCORRECT);
    let new = srp_sign_in(
        &t.client,
        &pool,
        &client,
        None,
        "rosalind",
        "Another-Pass-4",
    )
    .await;
    assert!(new.unwrap().authentication_result().is_some());
}

#[tokio::test]
async fn a_signed_up_user_signs_in_with_srp_once_confirmed() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_and_password_client(&t.client, &pool).await;
    t.client
        .sign_up()
        .client_id(&client)
        .username("katherine")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    t.client
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("katherine")
        .send()
        .await
        .unwrap();
    let done = srp_sign_in(&t.client, &pool, &client, None, "katherine", PASSWORD).await;
    assert!(done.unwrap().authentication_result().is_some());
}

#[tokio::test]
async fn the_verifier_is_sealed_at_rest() {
    let t = own_server().await;
    let pool = create_pool(&t.client, "sealed").await;
    create_user(&t.client, &pool, "hedy", &[]).await;
    let store = &t.server.cognito.store;
    let user = store.get_user(&pool, "hedy").await.unwrap().unwrap();
    let sealed = user.srp_verifier.expect("a verifier with the password");
    assert!(sealed.starts_with("v1."), "sealed, not the verifier itself");
    let owner = format!("srp-verifier:{pool}:{}", user.sub);
    let opened = t.server.cognito.secrets.open(&sealed, &owner).unwrap();
    assert_eq!(opened.len(), 16 + 384, "salt and verifier");
    let other = cognate_core::secrets::SecretBox::new(&[0x42u8; 32]);
    assert!(
        other.open(&sealed, &owner).is_none(),
        "another master key cannot open it"
    );
    t.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_password_from_before_verifiers_gets_one_at_the_next_password_sign_in() {
    let t = own_server().await;
    let c = &t.client;
    let pool = create_pool(c, "legacy").await;
    let client = srp_and_password_client(c, &pool).await;
    create_user(c, &pool, "annie", &[]).await;
    let store = &t.server.cognito.store;
    let mut user = store.get_user(&pool, "annie").await.unwrap().unwrap();
    user.srp_verifier = None;
    store.update_user(&user).await.unwrap();

    // Without a verifier SRP fails as a wrong password would, but does not lock the user out.
    for _ in 0..6 {
        let r = srp_sign_in(c, &pool, &client, None, "annie", PASSWORD).await;
        assert_cognito_err!(r, NotAuthorizedException, INCORRECT);
    }
    let signed_in = c
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "annie")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    assert!(signed_in.unwrap().authentication_result().is_some());
    let done = srp_sign_in(c, &pool, &client, None, "annie", PASSWORD).await;
    assert!(done.unwrap().authentication_result().is_some());
    t.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_claim_minutes_away_from_the_servers_clock_is_refused() {
    let (t, clock) = start_with_clock().await;
    let c = &t.client;
    let pool = create_pool(c, "clock").await;
    let client = srp_and_password_client(c, &pool).await;
    create_user(c, &pool, "margaret", &[]).await;

    // The client's clock 10 minutes behind the server's: a stale claim.
    let (srp, out) = start(c, &pool, &client, None, "margaret", PASSWORD).await;
    clock.advance_seconds(600);
    assert_cognito_err!(
        answer(c, &client, claim(&srp, &out)).await,
        NotAuthorizedException,
        INCORRECT
    );

    // And 10 minutes ahead of it: a claim from the future.
    clock.advance_seconds(-1200);
    let (srp, out) = start(c, &pool, &client, None, "margaret", PASSWORD).await;
    assert_cognito_err!(
        answer(c, &client, claim(&srp, &out)).await,
        NotAuthorizedException,
        INCORRECT
    );

    // In time, the same user signs in, so neither refusal counted toward lockout.
    clock.advance_seconds(600);
    let done = srp_sign_in(c, &pool, &client, None, "margaret", PASSWORD).await;
    assert!(done.unwrap().authentication_result().is_some());
    t.server.shutdown().await.unwrap();
}

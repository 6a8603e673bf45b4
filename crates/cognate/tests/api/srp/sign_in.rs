//! Signing in with SRP: tokens for the right password, for every name a user signs in with.

use super::{answer, challenge, claim, srp_client, srp_sign_in, start};
use crate::fixture::{PASSWORD, t};
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow,
    UsernameAttributeType,
};

fn claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn srp_sign_in_with_the_right_password_returns_tokens() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "ada", &[]).await;
    let (srp, out) = start(&t.client, &pool, &client, None, "ada", PASSWORD).await;
    let p = challenge(&out);
    assert_eq!(
        out.session(),
        None,
        "Cognito sends no Session with PASSWORD_VERIFIER"
    );
    let mut names: Vec<&str> = p.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ]
    );
    assert_eq!(p["USER_ID_FOR_SRP"], "ada");
    assert!(!p["SRP_B"].starts_with("00") && !p["SALT"].starts_with("00"));
    let done = answer(&t.client, &client, claim(&srp, &out)).await.unwrap();
    let tokens = done.authentication_result().unwrap();
    let access = claims(tokens.access_token().unwrap());
    assert_eq!(access["username"], "ada");
    assert_eq!(access["token_use"], "access");
    assert!(tokens.refresh_token().is_some());
}

#[tokio::test]
async fn an_email_alias_signs_in_as_the_internal_username() {
    let t = t();
    let pool = t
        .pool_with(|r| r.alias_attributes(AliasAttributeType::Email))
        .await;
    let client = srp_client(&t, &pool).await;
    t.user(
        &pool,
        "grace",
        &[("email", "grace@srp.test"), ("email_verified", "true")],
    )
    .await;
    let (srp, out) = start(&t.client, &pool, &client, None, "grace@srp.test", PASSWORD).await;
    assert_eq!(challenge(&out)["USER_ID_FOR_SRP"], "grace");
    assert_eq!(challenge(&out)["USERNAME"], "grace");
    let done = answer(&t.client, &client, claim(&srp, &out)).await.unwrap();
    let id = claims(done.authentication_result().unwrap().id_token().unwrap());
    assert_eq!(id["cognito:username"], "grace");
}

#[tokio::test]
async fn an_email_username_pool_answers_with_the_generated_username() {
    let t = t();
    let pool = t
        .pool_with(|r| r.username_attributes(UsernameAttributeType::Email))
        .await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "linus@srp.test", &[("email_verified", "true")])
        .await;
    let (srp, out) = start(&t.client, &pool, &client, None, "linus@srp.test", PASSWORD).await;
    let user_id = challenge(&out)["USER_ID_FOR_SRP"].clone();
    assert!(uuid::Uuid::parse_str(&user_id).is_ok(), "{user_id}");
    let done = answer(&t.client, &client, claim(&srp, &out)).await.unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn a_confidential_client_sends_the_secret_hash_of_each_step() {
    let t = t();
    let pool = t.pool().await;
    let created = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("secret")
        .generate_secret(true)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let (client, secret) = (created.client_id.unwrap(), created.client_secret.unwrap());
    t.user(&pool, "edsger", &[]).await;
    let done = srp_sign_in(&t.client, &pool, &client, Some(&secret), "edsger", PASSWORD).await;
    assert!(done.unwrap().authentication_result().is_some());

    // Without the secret hash, step one is refused.
    let err = t
        .client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "edsger")
        .auth_parameters("SRP_A", "02")
        .send()
        .await;
    crate::assert_cognito_err!(
        err,
        NotAuthorizedException,
        format!("Client {client} is configured for secret but secret was not received")
    );
}

#[tokio::test]
async fn a_temporary_password_proven_with_srp_asks_for_a_new_one() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user_with_temporary_password(&pool, "barbara").await;
    let done = srp_sign_in(&t.client, &pool, &client, None, "barbara", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        done.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let tokens = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(done.session().unwrap())
        .challenge_responses("USERNAME", "barbara")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-7")
        .send()
        .await
        .unwrap();
    assert!(tokens.authentication_result().is_some());
    // The new password's verifier is stored with it.
    let again = srp_sign_in(
        &t.client,
        &pool,
        &client,
        None,
        "barbara",
        "Brand-New-Pass-7",
    )
    .await;
    assert!(again.unwrap().authentication_result().is_some());
}

#[tokio::test]
async fn admin_initiate_auth_takes_srp_too() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "alan", &[("email", "alan@srp.test")]).await;
    let srp = aws_cognito_srp::SrpClient::new(
        aws_cognito_srp::User::new(&pool, "alan", PASSWORD),
        &client,
        None,
    );
    let out = t
        .client
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "alan")
        .auth_parameters("SRP_A", srp.get_auth_parameters().a)
        .send()
        .await
        .unwrap();
    let p = out.challenge_parameters().unwrap();
    let v = srp
        .verify(
            &p["SECRET_BLOCK"],
            &p["USER_ID_FOR_SRP"],
            &p["SALT"],
            &p["SRP_B"],
        )
        .unwrap();
    let done = t
        .client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool)
        .client_id(&client)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", "alan")
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", v.password_claim_secret_block)
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", v.password_claim_signature)
        .challenge_responses("TIMESTAMP", v.timestamp)
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
}

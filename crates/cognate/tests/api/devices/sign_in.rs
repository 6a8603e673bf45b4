//! Device authentication: a remembered device signs in with SRP instead of MFA
//! (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER, the client side from aws-cognito-srp), an
//! unknown device key refused before the password claim is spent, and refresh bound to the
//! device.

use super::{Confirmed, claims, confirm, device_pool};
use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, T, t};
use crate::mfa::{add_token, now_seconds, prefer_totp, totp_at};
use aws_cognito_srp::{SrpClient, TrackedDevice, User};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, SoftwareTokenMfaConfigType, UserPoolMfaType,
};
use std::collections::HashMap;

/// A device pool with optional TOTP, an SRP client, and a user with a preferred token who
/// confirmed the device of a first, MFA-challenged sign-in: (pool, client, secret, device).
pub(crate) async fn remembered(t: &T, name: &str) -> (String, String, String, Confirmed) {
    let (pool, _) = device_pool(t, false).await;
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let client = crate::srp::srp_client(t, &pool).await;
    t.user(&pool, name, &[]).await;
    let first = t.sign_in(&client, name, PASSWORD).await.unwrap();
    let token = first
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    let secret = add_token(t, token, now_seconds() - 30).await;
    prefer_totp(t, token).await;

    let challenged = t.sign_in(&client, name, PASSWORD).await.unwrap();
    assert_eq!(
        challenged.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let done = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(challenged.session().unwrap())
        .challenge_responses("USERNAME", name)
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", totp_at(&secret, now_seconds()))
        .send()
        .await
        .unwrap();
    let (device, _) = confirm(t, &pool, done.authentication_result().unwrap()).await;
    (pool, client, secret, device)
}

/// USER_SRP_AUTH with DEVICE_KEY, then the password claim with it: the answer.
pub(crate) async fn password_step(
    t: &T,
    pool: &str,
    client: &str,
    name: &str,
    device_key: &str,
) -> (
    HashMap<String, String>,
    Result<
        aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
        aws_sdk_cognitoidentityprovider::error::SdkError<
            aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError,
        >,
    >,
){
    let srp = SrpClient::new(User::new(pool, name, PASSWORD), client, None);
    let out = t
        .client
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("SRP_A", srp.get_auth_parameters().a)
        .auth_parameters("DEVICE_KEY", device_key)
        .send()
        .await
        .unwrap();
    let mut responses = crate::srp::claim(&srp, &out);
    responses.insert("DEVICE_KEY".into(), device_key.into());
    let answer = crate::srp::answer(&t.client, client, responses.clone()).await;
    (responses, answer)
}

/// A remembered device's whole sign-in, as amazon-cognito-identity-js does it: the password
/// with its key, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER. The tokens.
pub(crate) async fn device_sign_in(
    t: &T,
    pool: &str,
    client: &str,
    name: &str,
    device: &Confirmed,
) -> aws_sdk_cognitoidentityprovider::types::AuthenticationResultType {
    let (_, answer) = password_step(t, pool, client, name, &device.key).await;
    let out = answer.unwrap();
    let srp = SrpClient::new(
        TrackedDevice::new(pool, name, &device.group_key, &device.key, &device.password),
        client,
        None,
    );
    let step = t
        .client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", name)
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("SRP_A", srp.get_auth_parameters().a)
        .send()
        .await
        .unwrap();
    let p = step.challenge_parameters().unwrap();
    let claim = srp
        .verify(&p["SECRET_BLOCK"], name, &p["SALT"], &p["SRP_B"])
        .unwrap();
    t.client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .session(step.session().unwrap())
        .challenge_responses("USERNAME", name)
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &claim.password_claim_secret_block,
        )
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", claim.password_claim_signature)
        .challenge_responses("TIMESTAMP", &claim.timestamp)
        .send()
        .await
        .unwrap()
        .authentication_result
        .expect("tokens")
}

#[tokio::test]
async fn a_remembered_device_signs_in_without_mfa() {
    let t = t();
    let (pool, client, _, device) = remembered(&t, "ada").await;
    let (_, answer) = password_step(&t, &pool, &client, "ada", &device.key).await;
    let out = answer.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );

    let srp = SrpClient::new(
        TrackedDevice::new(
            &pool,
            "ada",
            &device.group_key,
            &device.key,
            &device.password,
        ),
        &client,
        None,
    );
    let verifier_step = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "ada")
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("SRP_A", srp.get_auth_parameters().a)
        .send()
        .await
        .unwrap();
    assert_eq!(
        verifier_step.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let p = verifier_step.challenge_parameters().unwrap();
    let claim = srp
        .verify(&p["SECRET_BLOCK"], "ada", &p["SALT"], &p["SRP_B"])
        .unwrap();
    let respond = |signature: String| {
        t.client
            .respond_to_auth_challenge()
            .client_id(&client)
            .challenge_name(ChallengeNameType::DevicePasswordVerifier)
            .session(verifier_step.session().unwrap())
            .challenge_responses("USERNAME", "ada")
            .challenge_responses("DEVICE_KEY", &device.key)
            .challenge_responses(
                "PASSWORD_CLAIM_SECRET_BLOCK",
                &claim.password_claim_secret_block,
            )
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
            .challenge_responses("TIMESTAMP", &claim.timestamp)
            .send()
    };
    let done = respond(claim.password_claim_signature.clone())
        .await
        .unwrap();
    let tokens = done.authentication_result().expect("tokens, no MFA");
    assert!(tokens.new_device_metadata().is_none());
    assert_eq!(
        claims(tokens.access_token().unwrap())["device_key"],
        device.key.as_str()
    );
    // The session answered once.
    let r = respond(claim.password_claim_signature.clone()).await;
    assert_cognito_err!(
        r,
        NotAuthorizedException,
        "Invalid session for the user, session can only be used once."
    );
}

#[tokio::test]
async fn a_tampered_device_claim_is_refused() {
    let t = t();
    let (pool, client, _, device) = remembered(&t, "bea").await;
    let (_, answer) = password_step(&t, &pool, &client, "bea", &device.key).await;
    let out = answer.unwrap();
    // A device that does not know the device password.
    let srp = SrpClient::new(
        TrackedDevice::new(
            &pool,
            "bea",
            &device.group_key,
            &device.key,
            "not-the-password",
        ),
        &client,
        None,
    );
    let step = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "bea")
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("SRP_A", srp.get_auth_parameters().a)
        .send()
        .await
        .unwrap();
    let p = step.challenge_parameters().unwrap();
    let claim = srp
        .verify(&p["SECRET_BLOCK"], "bea", &p["SALT"], &p["SRP_B"])
        .unwrap();
    let r = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .session(step.session().unwrap())
        .challenge_responses("USERNAME", "bea")
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &claim.password_claim_secret_block,
        )
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &claim.password_claim_signature)
        .challenge_responses("TIMESTAMP", &claim.timestamp)
        .send()
        .await;
    assert_cognito_err!(r, NotAuthorizedException, "Incorrect username or password.");
}

#[tokio::test]
async fn an_unknown_device_key_is_refused_before_the_claim_is_spent() {
    let t = t();
    let (pool, client, _, _) = remembered(&t, "cal").await;
    let (mut responses, answer) =
        password_step(&t, &pool, &client, "cal", "us-east-1_unknown").await;
    assert_cognito_err!(answer, ResourceNotFoundException, "Device does not exist.");
    // The same claim without the key, as amazon-cognito-identity-js retries: MFA is asked.
    responses.remove("DEVICE_KEY");
    let out = crate::srp::answer(&t.client, &client, responses)
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
}

#[tokio::test]
async fn a_confirmed_devices_tokens_refresh_with_its_key() {
    let t = t();
    let (pool, client) = device_pool(&t, false).await;
    t.user(&pool, "dot", &[]).await;
    let out = t.sign_in(&client, "dot", PASSWORD).await.unwrap();
    let (device, _) = confirm(&t, &pool, out.authentication_result().unwrap()).await;
    let refresh = |key: Option<&str>| {
        let mut r = t
            .client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &device.refresh_token);
        if let Some(k) = key {
            r = r.auth_parameters("DEVICE_KEY", k);
        }
        r.send()
    };
    assert_cognito_err!(
        refresh(None).await,
        NotAuthorizedException,
        "Invalid Refresh Token"
    );
    assert_cognito_err!(
        refresh(Some("us-east-1_other")).await,
        NotAuthorizedException,
        "Invalid Refresh Token"
    );
    let ok = refresh(Some(&device.key)).await.unwrap();
    let access = ok.authentication_result().unwrap().access_token().unwrap();
    assert_eq!(claims(access)["device_key"], device.key.as_str());
    // Forgetting the device ends the sign-ins made from it.
    t.client
        .forget_device()
        .access_token(access)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_cognito_err!(
        refresh(Some(&device.key)).await,
        NotAuthorizedException,
        "Refresh Token has been revoked"
    );
    assert_cognito_err!(
        refresh(None).await,
        NotAuthorizedException,
        "Refresh Token has been revoked"
    );
}

/// Under PreventUserExistenceErrors, a DEVICE_KEY with an unknown name gets the answer a known
/// name with an unknown device gets: the check tells nothing about which users exist.
#[tokio::test]
async fn the_device_check_does_not_reveal_users() {
    use aws_sdk_cognitoidentityprovider::types::{
        ExplicitAuthFlowsType as Flow, PreventUserExistenceErrorTypes,
    };
    let t = t();
    let (pool, _) = device_pool(&t, false).await;
    let client = t
        .app_client_with(&pool, |r| {
            r.explicit_auth_flows(Flow::AllowUserSrpAuth)
                .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        })
        .await;
    t.user(&pool, "known", &[]).await;
    for name in ["known", "nobody"] {
        let (_, answer) = password_step(&t, &pool, &client, name, "us-east-1_unknown").await;
        assert_cognito_err!(answer, ResourceNotFoundException, "Device does not exist.");
    }
}

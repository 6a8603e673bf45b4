//! Signing in with a TOTP factor: the challenge, codes of the step and one either side, a
//! code used once, wrong codes counted toward lockout, SRP and refresh.

use super::{now_seconds, totp_at, totp_user};
use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, T, t};
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};

async fn first_factor(t: &T, client: &str, name: &str) -> InitiateAuthOutput {
    let out = t.sign_in(client, name, PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    out
}

async fn answer(
    t: &T,
    client: &str,
    name: &str,
    session: &str,
    code: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError,
    >,
>{
    t.client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", name)
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code)
        .send()
        .await
}

#[tokio::test]
async fn a_user_with_a_token_is_asked_for_a_code() {
    let t = t();
    let (_, client, secret) = totp_user(&t, "ada").await;
    let out = first_factor(&t, &client, "ada").await;
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["USER_ID_FOR_SRP"], "ada");
    assert_eq!(params["FRIENDLY_DEVICE_NAME"], "phone");
    assert!(out.authentication_result().is_none());
    let done = answer(
        &t,
        &client,
        "ada",
        out.session().unwrap(),
        &totp_at(&secret, now_seconds()),
    )
    .await
    .unwrap();
    let tokens = done.authentication_result().unwrap();
    // Refreshing never asks for the second factor.
    let refreshed = t
        .client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert!(refreshed.authentication_result().is_some());
}

#[tokio::test]
async fn a_code_of_the_next_step_is_accepted_and_then_used_up() {
    let t = t();
    let (_, client, secret) = totp_user(&t, "barbara").await;
    let out = first_factor(&t, &client, "barbara").await;
    let code = totp_at(&secret, now_seconds() + 30);
    assert!(
        answer(&t, &client, "barbara", out.session().unwrap(), &code)
            .await
            .is_ok()
    );
    let again = first_factor(&t, &client, "barbara").await;
    let r = answer(&t, &client, "barbara", again.session().unwrap(), &code).await;
    assert_cognito_err!(
        r,
        ExpiredCodeException,
        "Your software token has already been used once."
    );
    // The current step's code is older than the one used: refused too.
    let older = totp_at(&secret, now_seconds());
    if older != code {
        let r = answer(&t, &client, "barbara", again.session().unwrap(), &older).await;
        assert_cognito_err!(
            r,
            ExpiredCodeException,
            "Your software token has already been used once."
        );
    }
}

/// One code answered twice at once, in two sign-ins: one signs in, the other is told the
/// code was used (its single use is recorded atomically in the store).
#[tokio::test]
async fn one_code_answered_in_parallel_signs_in_once() {
    let t = t();
    let (_, client, secret) = totp_user(&t, "grace").await;
    let first = first_factor(&t, &client, "grace").await;
    let second = first_factor(&t, &client, "grace").await;
    let code = totp_at(&secret, now_seconds());
    let (a, b) = tokio::join!(
        answer(&t, &client, "grace", first.session().unwrap(), &code),
        answer(&t, &client, "grace", second.session().unwrap(), &code)
    );
    let (won, lost) = match (a, b) {
        (Ok(won), lost @ Err(_)) | (lost @ Err(_), Ok(won)) => (won, lost),
        (a, b) => panic!("exactly one must sign in: {a:?} {b:?}"),
    };
    assert!(won.authentication_result().is_some());
    assert_cognito_err!(
        lost,
        ExpiredCodeException,
        "Your software token has already been used once."
    );
}

#[tokio::test]
async fn wrong_codes_are_refused_and_count_toward_lockout() {
    let t = t();
    let (_, client, secret) = totp_user(&t, "mallory").await;
    let out = first_factor(&t, &client, "mallory").await;
    let session = out.session().unwrap();
    for _ in 0..5 {
        let r = answer(&t, &client, "mallory", session, "123456").await;
        assert_cognito_err!(r, CodeMismatchException, "Invalid code received for user");
    }
    let r = answer(
        &t,
        &client,
        "mallory",
        session,
        &totp_at(&secret, now_seconds()),
    )
    .await;
    assert_cognito_err!(r, NotAuthorizedException, "Password attempts exceeded");
}

/// A used code is refused as used, and does not count toward lockout (only wrong codes do).
#[tokio::test]
async fn a_used_code_does_not_count_toward_lockout() {
    let t = t();
    let (_, client, secret) = totp_user(&t, "ivan").await;
    let code = totp_at(&secret, now_seconds());
    let first = first_factor(&t, &client, "ivan").await;
    assert!(
        answer(&t, &client, "ivan", first.session().unwrap(), &code)
            .await
            .is_ok()
    );
    for _ in 0..6 {
        let again = first_factor(&t, &client, "ivan").await;
        let r = answer(&t, &client, "ivan", again.session().unwrap(), &code).await;
        assert_cognito_err!(
            r,
            ExpiredCodeException,
            "Your software token has already been used once."
        );
    }
    let last = first_factor(&t, &client, "ivan").await;
    let fresh = totp_at(&secret, now_seconds() + 30);
    assert!(
        answer(&t, &client, "ivan", last.session().unwrap(), &fresh)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_session_answers_once() {
    let t = t();
    let (_, client, secret) = totp_user(&t, "peggy").await;
    let out = first_factor(&t, &client, "peggy").await;
    let session = out.session().unwrap();
    assert!(
        answer(
            &t,
            &client,
            "peggy",
            session,
            &totp_at(&secret, now_seconds())
        )
        .await
        .is_ok()
    );
    let r = answer(
        &t,
        &client,
        "peggy",
        session,
        &totp_at(&secret, now_seconds() + 30),
    )
    .await;
    assert_cognito_err!(
        r,
        NotAuthorizedException,
        "Invalid session for the user, session can only be used once."
    );
}

#[tokio::test]
async fn srp_sign_in_is_asked_for_the_code_too() {
    let t = t();
    let (pool, _, secret) = totp_user(&t, "alan").await;
    let client = crate::srp::srp_client(&t, &pool).await;
    let done = crate::srp::srp_sign_in(&t.client, &pool, &client, None, "alan", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        done.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let tokens = answer(
        &t,
        &client,
        "alan",
        done.session().unwrap(),
        &totp_at(&secret, now_seconds()),
    )
    .await
    .unwrap();
    assert!(tokens.authentication_result().is_some());
}

#[tokio::test]
async fn mfa_off_on_the_pool_keeps_the_users_token_but_asks_for_none() {
    use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
    let t = t();
    let (pool, client, _) = totp_user(&t, "hedy").await;
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Off)
        .send()
        .await
        .unwrap();
    let out = t.sign_in(&client, "hedy", PASSWORD).await.unwrap();
    assert!(out.authentication_result().is_some());
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("hedy")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);
}

//! MFA_SETUP on an ON pool (AssociateSoftwareToken and VerifySoftwareToken with the
//! challenge's Session), after NEW_PASSWORD_REQUIRED too, and SELECT_MFA_TYPE.

use super::{now_seconds, totp_at, totp_pool};
use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, T, t};
use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, SmsConfigurationType, SmsMfaConfigType, SmsMfaSettingsType,
    SoftwareTokenMfaConfigType, UserPoolMfaType,
};

/// Sets up TOTP from an MFA_SETUP session; returns the secret and the tokens' answer.
async fn set_up(t: &T, client: &str, name: &str, session: &str) -> String {
    let associated = t
        .client
        .associate_software_token()
        .session(session)
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    let next = associated.session().expect("a new session").to_owned();
    assert_ne!(next, session);
    let early = t
        .client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(&next)
        .challenge_responses("USERNAME", name)
        .send()
        .await;
    assert_cognito_err!(
        early,
        InvalidParameterException,
        "User has not verified software token mfa"
    );
    let verified = t
        .client
        .verify_software_token()
        .session(&next)
        .user_code(totp_at(&secret, now_seconds() - 30))
        .friendly_device_name("laptop")
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status().unwrap().as_str(), "SUCCESS");
    let done = t
        .client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(verified.session().unwrap())
        .challenge_responses("USERNAME", name)
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    secret
}

#[tokio::test]
async fn an_on_pool_sets_up_totp_at_the_first_sign_in() {
    let t = t();
    let (pool, client) = totp_pool(&t, UserPoolMfaType::On).await;
    t.user(&pool, "grace", &[]).await;
    let out = t.sign_in(&client, "grace", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["MFAS_CAN_SETUP"], "[\"SOFTWARE_TOKEN_MFA\"]");
    assert_eq!(params["USER_ID_FOR_SRP"], "grace");
    let secret = set_up(&t, &client, "grace", out.session().unwrap()).await;

    // From now on the token is asked for.
    let again = t.sign_in(&client, "grace", PASSWORD).await.unwrap();
    assert_eq!(
        again.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    assert_eq!(
        again.challenge_parameters().unwrap()["FRIENDLY_DEVICE_NAME"],
        "laptop"
    );
    let done = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(again.session().unwrap())
        .challenge_responses("USERNAME", "grace")
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", totp_at(&secret, now_seconds()))
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("grace")
        .send()
        .await
        .unwrap();
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
}

#[tokio::test]
async fn a_new_password_is_followed_by_mfa_setup() {
    let t = t();
    let (pool, client) = totp_pool(&t, UserPoolMfaType::On).await;
    t.user_with_temporary_password(&pool, "katherine").await;
    let out = t.sign_in(&client, "katherine", PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let next = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "katherine")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-7")
        .send()
        .await
        .unwrap();
    assert_eq!(next.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    set_up(&t, &client, "katherine", next.session().unwrap()).await;
}

#[tokio::test]
async fn several_factors_without_a_preference_ask_which() {
    let t = t();
    let pool = t.pool().await;
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code is {####}")
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let client = t.app_client(&pool).await;
    t.user(&pool, "alan", &[("phone_number", "+15555550100")])
        .await;
    let token = super::access_token(&t, &client, "alan").await;
    let secret = super::add_token(&t, &token, now_seconds() - 30).await;
    t.client
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("alan")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .software_token_mfa_settings(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = t.sign_in(&client, "alan", PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectMfaType)
    );
    assert_eq!(
        out.challenge_parameters().unwrap()["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]"
    );
    let chosen = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::SelectMfaType)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "alan")
        .challenge_responses("ANSWER", "SOFTWARE_TOKEN_MFA")
        .send()
        .await
        .unwrap();
    assert_eq!(
        chosen.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let done = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(chosen.session().unwrap())
        .challenge_responses("USERNAME", "alan")
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", totp_at(&secret, now_seconds()))
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn mfa_setup_finishes_only_with_the_session_of_a_verification() {
    let t = t();
    let (pool, client) = totp_pool(&t, UserPoolMfaType::Optional).await;
    t.user(&pool, "eve", &[]).await;
    // A token verified earlier but never enabled.
    let token = super::access_token(&t, &client, "eve").await;
    super::add_token(&t, &token, now_seconds() - 30).await;
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    let out = t.sign_in(&client, "eve", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    // Answering with the sign-in's own session (no code proven in it) gives no tokens.
    let r = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "eve")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "User has not verified software token mfa"
    );
}

#[tokio::test]
async fn a_setup_session_cannot_replace_a_token_enrolled_since() {
    let t = t();
    let (pool, client) = totp_pool(&t, UserPoolMfaType::On).await;
    t.user(&pool, "trudy", &[]).await;
    let stale = t.sign_in(&client, "trudy", PASSWORD).await.unwrap();
    let fresh = t.sign_in(&client, "trudy", PASSWORD).await.unwrap();
    set_up(&t, &client, "trudy", fresh.session().unwrap()).await;
    let r = t
        .client
        .associate_software_token()
        .session(stale.session().unwrap())
        .send()
        .await;
    assert_cognito_err!(r, NotAuthorizedException, "Invalid session for the user.");
}

#[tokio::test]
async fn a_second_session_of_a_temporary_password_cannot_set_it_again() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user_with_temporary_password(&pool, "walt").await;
    let first = t.sign_in(&client, "walt", PASSWORD).await.unwrap();
    let second = t.sign_in(&client, "walt", PASSWORD).await.unwrap();
    let answer = |session: String, password: &'static str| {
        t.client
            .respond_to_auth_challenge()
            .client_id(&client)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", "walt")
            .challenge_responses("NEW_PASSWORD", password)
            .send()
    };
    assert!(
        answer(first.session().unwrap().to_owned(), "Walt-Chosen-1")
            .await
            .is_ok()
    );
    let r = answer(second.session().unwrap().to_owned(), "Mallory-Set-1").await;
    assert_cognito_err!(r, NotAuthorizedException, "Invalid session for the user.");
    assert!(t.sign_in(&client, "walt", "Walt-Chosen-1").await.is_ok());
}

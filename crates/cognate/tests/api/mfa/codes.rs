//! SMS_MFA and EMAIL_OTP: the code goes out through the outbox (read here from the
//! development outbox), the challenge names where, wrong codes count toward lockout.

use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, T, t};
use crate::signup::{code_in, newest_message};
use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, EmailMfaConfigType, EmailMfaSettingsType, SmsConfigurationType,
    SmsMfaConfigType, SmsMfaSettingsType, UserPoolMfaType,
};

fn sms_config() -> SmsMfaConfigType {
    SmsMfaConfigType::builder()
        .sms_authentication_message("Your sign-in code is {####}")
        .sms_configuration(
            SmsConfigurationType::builder()
                .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                .build(),
        )
        .build()
}

async fn pool_with(t: &T, mfa: UserPoolMfaType, email: bool) -> (String, String) {
    let pool = t.pool().await;
    let mut req = t
        .client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .sms_mfa_configuration(sms_config())
        .mfa_configuration(mfa);
    if email {
        req = req.email_mfa_configuration(
            EmailMfaConfigType::builder()
                .subject("Sign-in code")
                .message("Code: {####}")
                .build(),
        );
    }
    req.send().await.unwrap();
    let client = t.app_client(&pool).await;
    (pool, client)
}

async fn answer(
    t: &T,
    client: &str,
    challenge: ChallengeNameType,
    session: &str,
    name: &str,
    key: &str,
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
        .challenge_name(challenge)
        .session(session)
        .challenge_responses("USERNAME", name)
        .challenge_responses(key, code)
        .send()
        .await
}

#[tokio::test]
async fn an_on_pool_texts_a_code_to_a_user_with_a_phone() {
    let t = t();
    let (pool, client) = pool_with(&t, UserPoolMfaType::On, false).await;
    let phone = "+15555550142";
    t.user(
        &pool,
        "ada",
        &[("phone_number", phone), ("phone_number_verified", "true")],
    )
    .await;
    let out = t.sign_in(&client, "ada", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(params["CODE_DELIVERY_DESTINATION"], "+*******0142");
    let message = newest_message(&t, phone).await;
    assert!(
        message["body"]
            .as_str()
            .unwrap()
            .starts_with("Your sign-in code is ")
    );
    let session = out.session().unwrap();
    let wrong = answer(
        &t,
        &client,
        ChallengeNameType::SmsMfa,
        session,
        "ada",
        "SMS_MFA_CODE",
        "000000x",
    )
    .await;
    assert_cognito_err!(
        wrong,
        CodeMismatchException,
        "Invalid code or auth state for the user."
    );
    let done = answer(
        &t,
        &client,
        ChallengeNameType::SmsMfa,
        session,
        "ada",
        "SMS_MFA_CODE",
        &code_in(&message),
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn an_email_factor_sends_the_code_by_email() {
    let t = t();
    let (pool, client) = pool_with(&t, UserPoolMfaType::Optional, true).await;
    let email = "grace.mfa@example.com";
    t.user(
        &pool,
        "grace",
        &[("email", email), ("email_verified", "true")],
    )
    .await;
    t.client
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("grace")
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = t.sign_in(&client, "grace", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(params["CODE_DELIVERY_DESTINATION"], "g***@e***.com");
    let message = newest_message(&t, email).await;
    assert_eq!(message["subject"], "Sign-in code");
    let done = answer(
        &t,
        &client,
        ChallengeNameType::EmailOtp,
        out.session().unwrap(),
        "grace",
        "EMAIL_OTP_CODE",
        &code_in(&message),
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn a_code_is_spent_once() {
    let t = t();
    let (pool, client) = pool_with(&t, UserPoolMfaType::Optional, false).await;
    let phone = "+15555550143";
    t.user(&pool, "linus", &[("phone_number", phone)]).await;
    t.client
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("linus")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let out = t.sign_in(&client, "linus", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let code = code_in(&newest_message(&t, phone).await);
    let session = out.session().unwrap();
    assert!(
        answer(
            &t,
            &client,
            ChallengeNameType::SmsMfa,
            session,
            "linus",
            "SMS_MFA_CODE",
            &code
        )
        .await
        .is_ok()
    );
    let again = t.sign_in(&client, "linus", PASSWORD).await.unwrap();
    // The first code was spent; a new one was sent for the new sign-in.
    let r = answer(
        &t,
        &client,
        ChallengeNameType::SmsMfa,
        again.session().unwrap(),
        "linus",
        "SMS_MFA_CODE",
        &code,
    )
    .await;
    assert!(r.is_err());
}

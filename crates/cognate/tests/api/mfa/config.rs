//! The pool's MFA configuration and what users set for themselves.

use super::{access_token, now_seconds, totp_at, totp_pool};
use crate::assert_cognito_err;
use crate::fixture::t;
use aws_sdk_cognitoidentityprovider::types::{
    EmailMfaConfigType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};

#[tokio::test]
async fn a_new_pool_has_mfa_off() {
    let t = t();
    let pool = t.pool().await;
    let config = t
        .client
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(config.software_token_mfa_configuration().is_none());
}

#[tokio::test]
async fn mfa_on_with_totp_is_kept_and_returned() {
    let t = t();
    let (pool, _) = totp_pool(&t, UserPoolMfaType::On).await;
    let config = t
        .client
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert!(config.software_token_mfa_configuration().unwrap().enabled());
    let described = t
        .client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().mfa_configuration(),
        Some(&UserPoolMfaType::On)
    );
}

#[tokio::test]
async fn mfa_needs_a_factor_and_off_takes_none() {
    let t = t();
    let pool = t.pool().await;
    let r = t
        .client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
    );
    let r = t
        .client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Off)
        .email_mfa_configuration(EmailMfaConfigType::builder().subject("Code").build())
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
    );
}

#[tokio::test]
async fn update_user_pool_cannot_turn_mfa_on() {
    let t = t();
    let pool = t.pool().await;
    let r = t
        .client
        .update_user_pool()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Cannot turn MFA functionality ON, once the user pool has been created."
    );
}

#[tokio::test]
async fn update_user_pool_keeps_the_factors() {
    let t = t();
    let (pool, _) = totp_pool(&t, UserPoolMfaType::Optional).await;
    t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let config = t
        .client
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(config.software_token_mfa_configuration().unwrap().enabled());
}

#[tokio::test]
async fn a_pool_without_totp_refuses_to_associate_a_token() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user(&pool, "ada", &[]).await;
    let token = access_token(&t, &client, "ada").await;
    let r = t
        .client
        .associate_software_token()
        .access_token(&token)
        .send()
        .await;
    assert_cognito_err!(
        r,
        SoftwareTokenMFANotFoundException,
        "Software Token MFA has not been enabled by the userPool."
    );
}

#[tokio::test]
async fn a_token_is_verified_with_a_code_and_shown_once_preferred() {
    let t = t();
    let (pool, client) = totp_pool(&t, UserPoolMfaType::Optional).await;
    t.user(&pool, "grace", &[]).await;
    let token = access_token(&t, &client, "grace").await;
    let secret = t
        .client
        .associate_software_token()
        .access_token(&token)
        .send()
        .await
        .unwrap()
        .secret_code
        .unwrap();
    assert_eq!(secret.len(), 52);
    assert!(
        secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
    );
    let wrong = t
        .client
        .verify_software_token()
        .access_token(&token)
        .user_code("000000")
        .send()
        .await;
    assert_cognito_err!(
        wrong,
        EnableSoftwareTokenMFAException,
        "Code mismatch and fail enable Software Token MFA"
    );
    // Before the token is verified it cannot be enabled.
    let early = t
        .client
        .set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await;
    assert_cognito_err!(
        early,
        InvalidParameterException,
        "User has not verified software token mfa"
    );
    let ok = t
        .client
        .verify_software_token()
        .access_token(&token)
        .user_code(totp_at(&secret, now_seconds()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().unwrap().as_str(), "SUCCESS");
    assert!(ok.session().is_none());
    let user = t
        .client
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert!(
        user.user_mfa_setting_list().is_empty(),
        "nothing enabled until a preference is set"
    );
    assert_eq!(user.preferred_mfa_setting(), None);
    super::prefer_totp(&t, &token).await;
    let user = t
        .client
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
    let admin = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("grace")
        .send()
        .await
        .unwrap();
    assert_eq!(admin.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);
    assert_eq!(admin.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
}

#[tokio::test]
async fn a_factor_without_its_delivery_cannot_be_enabled() {
    let t = t();
    let (pool, client) = totp_pool(&t, UserPoolMfaType::Optional).await;
    t.user(&pool, "linus", &[]).await;
    let token = access_token(&t, &client, "linus").await;
    let r = t
        .client
        .set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
    );
    let r = t
        .client
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("linus")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "User does not have delivery config set to turn on SMS_MFA"
    );
}

//! ForgotPassword, ConfirmForgotPassword and AdminResetUserPassword.

use super::{code_in, email, messages_to, newest_message};
use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, T, t};
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, PreventUserExistenceErrorTypes, RecoveryOptionNameType,
    RecoveryOptionType,
};

const NEW_PASSWORD: &str = "Brand-New-Pass-7";

/// A pool, a client, and a confirmed user `name` with a verified email; returns them.
async fn user_with_email(t: &T, name: &str) -> (String, String, String) {
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    let address = email(name);
    t.user(
        &pool,
        name,
        &[("email", &address), ("email_verified", "true")],
    )
    .await;
    (pool, client, address)
}

async fn forgot(t: &T, client: &str, name: &str) -> Result<String, (String, String)> {
    t.client
        .forgot_password()
        .client_id(client)
        .username(name)
        .send()
        .await
        .map(|o| {
            o.code_delivery_details()
                .unwrap()
                .destination()
                .unwrap()
                .to_owned()
        })
        .map_err(|e| crate::common::err::<(), _>(Err(e)))
}

async fn reset(
    t: &T,
    client: &str,
    name: &str,
    code: &str,
    password: &str,
) -> Result<(), (String, String)> {
    t.client
        .confirm_forgot_password()
        .client_id(client)
        .username(name)
        .confirmation_code(code)
        .password(password)
        .send()
        .await
        .map(drop)
        .map_err(|e| crate::common::err::<(), _>(Err(e)))
}

#[tokio::test]
async fn a_reset_code_sets_a_new_password() {
    let t = t();
    let (_, client, address) = user_with_email(&t, "rita").await;
    assert_eq!(forgot(&t, &client, "rita").await.unwrap(), "r***@e***.com");
    let code = code_in(&newest_message(&t, &address).await);
    reset(&t, &client, "rita", &code, NEW_PASSWORD)
        .await
        .unwrap();
    t.sign_in(&client, "rita", NEW_PASSWORD).await.unwrap();
    let r = t.sign_in(&client, "rita", PASSWORD).await;
    assert_cognito_err!(r, NotAuthorizedException, "Incorrect username or password.");
    // Single use.
    assert_eq!(
        reset(&t, &client, "rita", &code, "Another-Pass-8")
            .await
            .unwrap_err()
            .0,
        "ExpiredCodeException"
    );
}

#[tokio::test]
async fn a_weak_password_keeps_the_code() {
    let t = t();
    let (_, client, address) = user_with_email(&t, "sam").await;
    forgot(&t, &client, "sam").await.unwrap();
    let code = code_in(&newest_message(&t, &address).await);
    assert_eq!(
        reset(&t, &client, "sam", &code, "weak").await.unwrap_err(),
        (
            "InvalidPasswordException".into(),
            "Password does not conform to policy: Password not long enough".into()
        )
    );
    reset(&t, &client, "sam", &code, NEW_PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wrong_or_unrequested_code_is_refused() {
    let t = t();
    let (_, client, address) = user_with_email(&t, "tom").await;
    assert_eq!(
        reset(&t, &client, "tom", "123456", NEW_PASSWORD)
            .await
            .unwrap_err(),
        (
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        )
    );
    forgot(&t, &client, "tom").await.unwrap();
    let code = code_in(&newest_message(&t, &address).await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        reset(&t, &client, "tom", wrong, NEW_PASSWORD)
            .await
            .unwrap_err(),
        (
            "CodeMismatchException".into(),
            "Invalid verification code provided, please try again.".into()
        )
    );
}

#[tokio::test]
async fn without_a_verified_channel_no_code_can_be_sent() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user(&pool, "uma", &[("email", &email("uma"))]).await;
    assert_eq!(
        forgot(&t, &client, "uma").await.unwrap_err(),
        (
            "InvalidParameterException".into(),
            "Cannot reset password for the user as there is no registered/verified email or phone_number".into()
        )
    );
}

#[tokio::test]
async fn the_recovery_setting_chooses_the_channel() {
    let t = t();
    let pool = t
        .pool_with(|r| {
            r.account_recovery_setting(
                AccountRecoverySettingType::builder()
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedEmail)
                            .priority(1)
                            .build()
                            .unwrap(),
                    )
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedPhoneNumber)
                            .priority(2)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
        })
        .await;
    let client = t.app_client(&pool).await;
    let address = email("vic");
    t.user(
        &pool,
        "vic",
        &[
            ("email", &address),
            ("email_verified", "true"),
            ("phone_number", "+15555550123"),
            ("phone_number_verified", "true"),
        ],
    )
    .await;
    assert_eq!(forgot(&t, &client, "vic").await.unwrap(), "v***@e***.com");
    // With no setting, the phone comes first.
    let default_pool = t.pool().await;
    let default_client = t.app_client(&default_pool).await;
    t.user(
        &default_pool,
        "vic",
        &[
            ("email", &email("vic2")),
            ("email_verified", "true"),
            ("phone_number", "+15555550199"),
            ("phone_number_verified", "true"),
        ],
    )
    .await;
    assert_eq!(
        forgot(&t, &default_client, "vic").await.unwrap(),
        "+*******0199"
    );
    let sms = newest_message(&t, "+15555550199").await;
    assert_eq!(sms["medium"], "SMS");
}

#[tokio::test]
async fn unknown_users_are_named_or_hidden_as_the_client_says() {
    let t = t();
    let pool = t.pool().await;
    let legacy = t.app_client(&pool).await;
    assert_eq!(
        forgot(&t, &legacy, "nobody").await.unwrap_err(),
        (
            "UserNotFoundException".into(),
            "Username/client id combination not found.".into()
        )
    );
    let hiding = t
        .app_client_with(&pool, |r| {
            r.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        })
        .await;
    assert_eq!(
        forgot(&t, &hiding, "nobody@example.com").await.unwrap(),
        "n***@e***.com"
    );
    assert_eq!(
        reset(&t, &hiding, "nobody", "123456", NEW_PASSWORD)
            .await
            .unwrap_err()
            .0,
        "CodeMismatchException"
    );
}

#[tokio::test]
async fn asking_for_reset_codes_is_capped_per_hour() {
    let t = t();
    let (_, client, address) = user_with_email(&t, "wes").await;
    for _ in 0..5 {
        forgot(&t, &client, "wes").await.unwrap();
    }
    assert_eq!(
        forgot(&t, &client, "wes").await.unwrap_err(),
        (
            "LimitExceededException".into(),
            "Attempt limit exceeded, please try after some time.".into()
        )
    );
    messages_to(&t, &address, 5).await;
}

#[tokio::test]
async fn admin_reset_requires_a_new_password_and_sends_a_code() {
    let t = t();
    let (pool, client, address) = user_with_email(&t, "xena").await;
    t.client
        .admin_reset_user_password()
        .user_pool_id(&pool)
        .username("xena")
        .send()
        .await
        .unwrap();
    let r = t.sign_in(&client, "xena", PASSWORD).await;
    assert_cognito_err!(
        r,
        PasswordResetRequiredException,
        "Password reset required for the user"
    );
    let code = code_in(&newest_message(&t, &address).await);
    reset(&t, &client, "xena", &code, NEW_PASSWORD)
        .await
        .unwrap();
    t.sign_in(&client, "xena", NEW_PASSWORD).await.unwrap();
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("xena")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
}

//! Codes expire as Cognito's do (24 h for sign-up and attributes, 1 h for a password reset), and
//! hourly caps start again after the hour. Time is moved by the test.

use super::{code_in, email, newest_message_at};
use crate::common::{PASSWORD, attr, start_with_clock};
use aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType;

const EXPIRED: (&str, &str) = (
    "ExpiredCodeException",
    "Invalid code provided, please request a code again.",
);

async fn email_pool(c: &aws_sdk_cognitoidentityprovider::Client) -> (String, String) {
    let pool = c
        .create_user_pool()
        .pool_name("expiry")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    (pool, client)
}

#[tokio::test]
async fn a_sign_up_code_expires_after_a_day() {
    let (t, clock) = start_with_clock().await;
    let (_, client) = email_pool(&t.client).await;
    let address = email("late");
    t.client
        .sign_up()
        .client_id(&client)
        .username("late")
        .password(PASSWORD)
        .user_attributes(attr("email", &address))
        .send()
        .await
        .unwrap();
    let code = code_in(&newest_message_at(&t.url(), &address).await);
    clock.advance_seconds(24 * 3600 + 1);
    let r = t
        .client
        .confirm_sign_up()
        .client_id(&client)
        .username("late")
        .confirmation_code(&code)
        .send()
        .await;
    let (code_type, message) = crate::common::err(r);
    assert_eq!((code_type.as_str(), message.as_str()), EXPIRED);
}

#[tokio::test]
async fn a_reset_code_expires_after_an_hour_and_caps_start_again() {
    let (t, clock) = start_with_clock().await;
    let (pool, client) = email_pool(&t.client).await;
    let address = email("hour");
    crate::common::create_user(
        &t.client,
        &pool,
        "hour",
        &[("email", &address), ("email_verified", "true")],
    )
    .await;
    for _ in 0..5 {
        t.client
            .forgot_password()
            .client_id(&client)
            .username("hour")
            .send()
            .await
            .unwrap();
    }
    assert!(
        t.client
            .forgot_password()
            .client_id(&client)
            .username("hour")
            .send()
            .await
            .is_err()
    );
    let code = code_in(&newest_message_at(&t.url(), &address).await);
    clock.advance_seconds(3601);
    let r = t
        .client
        .confirm_forgot_password()
        .client_id(&client)
        .username("hour")
        .confirmation_code(&code)
        .password("Brand-New-Pass-7")
        .send()
        .await;
    let (code_type, message) = crate::common::err(r);
    assert_eq!((code_type.as_str(), message.as_str()), EXPIRED);
    // A new hour: codes may be asked for again.
    t.client
        .forgot_password()
        .client_id(&client)
        .username("hour")
        .send()
        .await
        .unwrap();
}

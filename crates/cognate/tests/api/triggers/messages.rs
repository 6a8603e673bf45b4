//! CustomMessage: the function writes the text around placeholders it sees instead of the
//! code; Cognate puts the code (a temporary password, a username) in and sends it.

use super::{Behaviour, WEBHOOK_ARN, pool_with, triggers};
use crate::common::attr;
use crate::fixture::PASSWORD;
use crate::signup::newest_message_at;
use aws_sdk_cognitoidentityprovider::types::{LambdaConfigType, VerifiedAttributeType};
use serde_json::json;

fn custom_message() -> LambdaConfigType {
    LambdaConfigType::builder()
        .custom_message(WEBHOOK_ARN)
        .build()
}

#[tokio::test]
async fn the_sign_up_code_goes_out_in_the_functions_words() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, custom_message()).await;
    tr.t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(custom_message())
        .send()
        .await
        .unwrap();
    tr.hooked.behave(Behaviour::Respond(json!({
        "emailSubject": "Welcome to Acme",
        "emailMessage": "Hi! Your Acme code is {####}.",
        "smsMessage": null
    })));
    tr.t.client
        .sign_up()
        .client_id(&client)
        .username("ada")
        .password(PASSWORD)
        .user_attributes(attr("email", "ada@acme.test"))
        .send()
        .await
        .unwrap();
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "CustomMessage_SignUp");
    assert_eq!(event["request"]["codeParameter"], "{####}");
    assert_eq!(event["request"]["linkParameter"], "{##Click Here##}");
    assert_eq!(event["request"]["usernameParameter"], json!(null));
    let message = newest_message_at(&tr.t.url(), "ada@acme.test").await;
    assert_eq!(message["subject"], "Welcome to Acme");
    let body = message["body"].as_str().unwrap();
    assert!(body.starts_with("Hi! Your Acme code is "), "{body}");
    let code = &body["Hi! Your Acme code is ".len()..body.len() - 1];
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{body}"
    );
    // The function never saw the code.
    assert!(!event.to_string().contains(code));

    // A text without the placeholder cannot carry the code: the pool's own text goes out.
    tr.hooked
        .behave(Behaviour::Respond(json!({"emailMessage": "Hello!"})));
    tr.t.client
        .resend_confirmation_code()
        .client_id(&client)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tr.hooked.last()["triggerSource"],
        "CustomMessage_ResendCode"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let m = newest_message_at(&tr.t.url(), "ada@acme.test").await;
        if m["body"]
            .as_str()
            .unwrap()
            .starts_with("Your verification code is ")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{m}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn invitations_and_reset_codes_are_written_by_the_function_too() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, custom_message()).await;
    tr.hooked.behave(Behaviour::Respond(json!({
        "emailSubject": "Your Acme account",
        "emailMessage": "Sign in as {username} with {####}"
    })));
    tr.t.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("bob")
        .temporary_password("Temp-Pass-123")
        .user_attributes(attr("email", "bob@acme.test"))
        .user_attributes(attr("email_verified", "true"))
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "CustomMessage_AdminCreateUser");
    assert_eq!(event["request"]["usernameParameter"], "{username}");
    let invitation = newest_message_at(&tr.t.url(), "bob@acme.test").await;
    assert_eq!(invitation["body"], "Sign in as bob with Temp-Pass-123");

    tr.t.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("bob")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    tr.hooked.behave(Behaviour::Respond(
        json!({"emailMessage": "Reset with {####}"}),
    ));
    tr.t.client
        .forgot_password()
        .client_id(&client)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tr.hooked.last()["triggerSource"],
        "CustomMessage_ForgotPassword"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let m = newest_message_at(&tr.t.url(), "bob@acme.test").await;
        if m["body"].as_str().unwrap().starts_with("Reset with ") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{m}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_refused_attribute_message_leaves_the_attribute_unchanged() {
    let tr = triggers().await;
    let (pool, _) = pool_with(&tr.t, custom_message()).await;
    tr.t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(custom_message())
        .send()
        .await
        .unwrap();
    crate::common::create_user(&tr.t.client, &pool, "eve", &[("email", "eve@old.test")]).await;
    tr.hooked.behave(Behaviour::Throw("no mail today".into()));
    let r =
        tr.t.client
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("eve")
            .user_attributes(attr("email", "eve@new.test"))
            .send()
            .await;
    crate::assert_cognito_err!(
        r,
        UserLambdaValidationException,
        "CustomMessage failed with error no mail today."
    );
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "CustomMessage_UpdateUserAttribute");
    assert_eq!(
        event["request"]["userAttributes"]["email"], "eve@new.test",
        "the function sees the attributes as they would be"
    );
    let user =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("eve")
            .send()
            .await
            .unwrap();
    let email = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email")
        .and_then(|a| a.value());
    assert_eq!(email, Some("eve@old.test"), "nothing was written");
}

//! PreSignUp and PostConfirmation: their events field by field, their answers applied, and
//! what a throwing, garbled or slow function gives.

use super::{Behaviour, LAMBDA_ARN, SECRET, WEBHOOK_ARN, pool_with, triggers};
use crate::assert_cognito_err;
use crate::common::attr;
use crate::fixture::PASSWORD;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, LambdaConfigType};
use hmac::{Hmac, Mac};
use serde_json::json;

fn pre_sign_up(arn: &str) -> LambdaConfigType {
    LambdaConfigType::builder().pre_sign_up(arn).build()
}

#[tokio::test]
async fn pre_sign_up_sees_the_sign_up_and_can_confirm_it() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, pre_sign_up(WEBHOOK_ARN)).await;
    tr.hooked.behave(Behaviour::Respond(
        json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}),
    ));
    let out =
        tr.t.client
            .sign_up()
            .client_id(&client)
            .username("ada")
            .password(PASSWORD)
            .user_attributes(attr("email", "ada@example.com"))
            .validation_data(
                AttributeType::builder()
                    .name("invite")
                    .value("xyz")
                    .build()
                    .unwrap(),
            )
            .client_metadata("source", "test")
            .send()
            .await
            .unwrap();
    assert!(out.user_confirmed());
    assert!(
        out.code_delivery_details().is_none(),
        "no code for a confirmed user"
    );

    let event = tr.hooked.last();
    assert_eq!(event["version"], "1");
    assert_eq!(event["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["userPoolId"], pool.as_str());
    assert_eq!(event["userName"], "ada");
    assert_eq!(event["callerContext"]["clientId"], client.as_str());
    assert!(event["callerContext"]["awsSdkVersion"].is_string());
    let request = &event["request"];
    assert_eq!(request["userAttributes"]["email"], "ada@example.com");
    assert_eq!(
        request["userAttributes"]["cognito:user_status"],
        "UNCONFIRMED"
    );
    assert!(request["userAttributes"]["sub"].is_string());
    assert_eq!(request["validationData"], json!({"invite": "xyz"}));
    assert_eq!(request["clientMetadata"], json!({"source": "test"}));
    assert_eq!(event["response"], json!({}));

    // The webhook request is signed with the shared secret, over its timestamp and body.
    let (_, headers, body) = tr.hooked.events.lock().unwrap().last().cloned().unwrap();
    let signature = headers["x-cognate-signature"].to_str().unwrap().to_owned();
    let timestamp = headers["x-cognate-timestamp"].to_str().unwrap().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - timestamp.parse::<i64>().unwrap()).abs() < 60);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(signature, expected);

    let user =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("ada")
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "email_verified" && a.value() == Some("true"))
    );
    // Confirmed by the trigger, the user signs in.
    tr.t.client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ada")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("signed in");
}

#[tokio::test]
async fn a_throwing_pre_sign_up_creates_no_user() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, pre_sign_up(LAMBDA_ARN)).await;
    tr.invoked
        .behave(Behaviour::Throw("Email domain not allowed".into()));
    let r =
        tr.t.client
            .sign_up()
            .client_id(&client)
            .username("mallory")
            .password(PASSWORD)
            .send()
            .await;
    assert_cognito_err!(
        r,
        UserLambdaValidationException,
        "PreSignUp failed with error Email domain not allowed."
    );
    assert_eq!(tr.invoked.last()["triggerSource"], "PreSignUp_SignUp");
    let r =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("mallory")
            .send()
            .await;
    assert_cognito_err!(r, UserNotFoundException, "User does not exist.");

    // AdminCreateUser runs it too, with its own source.
    let r =
        tr.t.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username("mallory")
            .send()
            .await;
    assert_cognito_err!(
        r,
        UserLambdaValidationException,
        "PreSignUp failed with error Email domain not allowed."
    );
    assert_eq!(
        tr.invoked.last()["triggerSource"],
        "PreSignUp_AdminCreateUser"
    );
    assert_eq!(
        tr.invoked.last()["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
}

#[tokio::test]
async fn garbled_and_slow_functions_give_their_exceptions() {
    let tr = triggers().await;
    let (_, client) = pool_with(&tr.t, pre_sign_up(WEBHOOK_ARN)).await;
    let sign_up = |name: &'static str| {
        tr.t.client
            .sign_up()
            .client_id(&client)
            .username(name)
            .password(PASSWORD)
            .send()
    };
    tr.hooked.behave(Behaviour::Garbage);
    assert_cognito_err!(
        sign_up("garbled").await,
        InvalidLambdaResponseException,
        "Unrecognizable lambda output"
    );
    tr.hooked.behave(Behaviour::Huge);
    assert_cognito_err!(
        sign_up("huge").await,
        UnexpectedLambdaException,
        "PreSignUp invocation failed due to error AccessDeniedException."
    );
    tr.hooked.behave(Behaviour::Slow(6_000));
    assert_cognito_err!(
        sign_up("slow").await,
        UnexpectedLambdaException,
        "PreSignUp invocation failed due to error TimeoutError."
    );
}

/// The same failures through the Lambda `Invoke` API, and a throw through a webhook.
#[tokio::test]
async fn both_paths_give_the_same_exceptions() {
    let tr = triggers().await;
    let (_, invoked) = pool_with(&tr.t, pre_sign_up(LAMBDA_ARN)).await;
    let (_, hooked) = pool_with(&tr.t, pre_sign_up(WEBHOOK_ARN)).await;
    let sign_up = |client: &str, name: &'static str| {
        tr.t.client
            .sign_up()
            .client_id(client)
            .username(name)
            .password(PASSWORD)
            .send()
    };
    tr.invoked.behave(Behaviour::Garbage);
    assert_cognito_err!(
        sign_up(&invoked, "garbled").await,
        InvalidLambdaResponseException,
        "Unrecognizable lambda output"
    );
    tr.invoked.behave(Behaviour::Slow(6_000));
    assert_cognito_err!(
        sign_up(&invoked, "slow").await,
        UnexpectedLambdaException,
        "PreSignUp invocation failed due to error TimeoutError."
    );
    tr.hooked
        .behave(Behaviour::Throw("Sign-ups are closed".into()));
    assert_cognito_err!(
        sign_up(&hooked, "thrown").await,
        UserLambdaValidationException,
        "PreSignUp failed with error Sign-ups are closed."
    );
}

#[tokio::test]
async fn post_confirmation_runs_after_confirming_and_its_failure_keeps_the_confirmation() {
    let tr = triggers().await;
    let config = LambdaConfigType::builder()
        .post_confirmation(LAMBDA_ARN)
        .build();
    let (pool, client) = pool_with(&tr.t, config).await;
    tr.t.client
        .sign_up()
        .client_id(&client)
        .username("bob")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(tr.invoked.count(), 0, "not at sign-up");
    tr.invoked
        .behave(Behaviour::Throw("provisioning failed".into()));
    let r =
        tr.t.client
            .admin_confirm_sign_up()
            .user_pool_id(&pool)
            .username("bob")
            .send()
            .await;
    assert_cognito_err!(
        r,
        UserLambdaValidationException,
        "PostConfirmation failed with error provisioning failed."
    );
    let event = tr.invoked.last();
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        event["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    let user =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("bob")
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
}

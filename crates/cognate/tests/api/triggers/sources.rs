//! The trigger sources the other trigger tests do not reach: PostConfirmation after a password
//! reset, PreTokenGeneration after the hosted sign-in and after device authentication, and
//! CustomMessage for an attribute's verification code and an MFA code. Each event compared
//! field by field with Cognito's shape.

use super::{WEBHOOK_ARN, triggers};
use crate::fixture::{PASSWORD, T};
use crate::signup::{code_in, newest_message_at};
use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, DeviceConfigurationType, LambdaConfigType, SmsConfigurationType,
    SmsMfaConfigType, UserPoolMfaType,
};
use serde_json::{Value, json};

fn caller(client: Option<&str>) -> Value {
    json!({
        "awsSdkVersion": "aws-sdk-unknown-unknown",
        "clientId": client.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
    })
}

#[tokio::test]
async fn post_confirmation_runs_after_a_password_reset() {
    let tr = triggers().await;
    let t = T {
        client: tr.t.client.clone(),
        url: tr.t.url(),
    };
    let pool = t
        .pool_with(|r| {
            r.lambda_config(
                LambdaConfigType::builder()
                    .post_confirmation(WEBHOOK_ARN)
                    .build(),
            )
        })
        .await;
    let client = t.app_client(&pool).await;
    t.user(
        &pool,
        "ada",
        &[("email", "ada@reset.test"), ("email_verified", "true")],
    )
    .await;
    t.client
        .forgot_password()
        .client_id(&client)
        .username("ada")
        .send()
        .await
        .unwrap();
    let code = code_in(&newest_message_at(&t.url, "ada@reset.test").await);
    t.client
        .confirm_forgot_password()
        .client_id(&client)
        .username("ada")
        .confirmation_code(code)
        .password("Another-Passw0rd!")
        .client_metadata("flow", "reset")
        .send()
        .await
        .unwrap();
    let event = tr.hooked.last();
    let sub = event["request"]["userAttributes"]["sub"].clone();
    assert_eq!(
        event,
        json!({
            "version": "1",
            "triggerSource": "PostConfirmation_ConfirmForgotPassword",
            "region": "us-east-1",
            "userPoolId": pool,
            "userName": "ada",
            "callerContext": caller(Some(&client)),
            "request": {
                "userAttributes": {
                    "sub": sub,
                    "email": "ada@reset.test",
                    "email_verified": "true",
                    "cognito:user_status": "CONFIRMED"
                },
                "clientMetadata": {"flow": "reset"}
            },
            "response": {}
        })
    );
}

#[tokio::test]
async fn pre_token_generation_tells_a_hosted_sign_in_by_its_source() {
    use crate::oauth_support::{
        CALLBACK, authorize_url, browser, query_param, sign_in_through_pages, token_request,
    };
    let tr = triggers().await;
    let c = &tr.t.client;
    let pool = crate::common::create_pool(c, "hosted-tokens").await;
    c.update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(
            LambdaConfigType::builder()
                .pre_token_generation(WEBHOOK_ARN)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let client = crate::oauth_support::code_flow_client(c, &pool, &["COGNITO"]).await;
    crate::common::create_user(c, &pool, "ada", &[("email", "ada@hosted.test")]).await;
    let base = tr.t.url();
    let redirect = sign_in_through_pages(
        &browser(),
        &base,
        &authorize_url(&base, &client, ""),
        "ada",
        PASSWORD,
    )
    .await;
    let code = query_param(&redirect, "code").expect("a code");
    let (status, tokens) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let event = tr.hooked.last();
    let sub = event["request"]["userAttributes"]["sub"].clone();
    assert_eq!(
        event,
        json!({
            "version": "1",
            "triggerSource": "TokenGeneration_HostedAuth",
            "region": "us-east-1",
            "userPoolId": pool,
            "userName": "ada",
            "callerContext": caller(Some(&client)),
            "request": {
                "userAttributes": {
                    "sub": sub,
                    "email": "ada@hosted.test",
                    "cognito:user_status": "CONFIRMED"
                },
                "groupConfiguration": {
                    "groupsToOverride": [],
                    "iamRolesToOverride": [],
                    "preferredRole": null
                },
                "clientMetadata": null
            },
            "response": {}
        })
    );
}

#[tokio::test]
async fn pre_token_generation_tells_device_authentication_by_its_source() {
    let tr = triggers().await;
    let t = T {
        client: tr.t.client.clone(),
        url: tr.t.url(),
    };
    let (pool, client, _, device) = crate::devices::sign_in::remembered(&t, "ada").await;
    // The trigger joins the pool's device and MFA settings (UpdateUserPool resets what it is
    // not given).
    t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .lambda_config(
            LambdaConfigType::builder()
                .pre_token_generation(WEBHOOK_ARN)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let tokens = crate::devices::sign_in::device_sign_in(&t, &pool, &client, "ada", &device).await;
    assert!(tokens.id_token().is_some());
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "TokenGeneration_AuthenticateDevice");
    assert_eq!(event["userName"], "ada");
    assert_eq!(event["callerContext"], caller(Some(&client)));
    assert_eq!(
        event["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
}

#[tokio::test]
async fn custom_message_writes_attribute_and_sign_in_codes() {
    let tr = triggers().await;
    let t = T {
        client: tr.t.client.clone(),
        url: tr.t.url(),
    };
    tr.hooked.behave(super::Behaviour::Respond(json!({
        "emailMessage": "Acme code {####}",
        "smsMessage": "Acme sign-in code {####}"
    })));
    let pool = t
        .pool_with(|r| {
            r.lambda_config(
                LambdaConfigType::builder()
                    .custom_message(WEBHOOK_ARN)
                    .build(),
            )
        })
        .await;
    let client = t.app_client(&pool).await;
    t.user(
        &pool,
        "ada",
        &[
            ("email", "ada@codes.test"),
            ("phone_number", "+15555550188"),
            ("phone_number_verified", "true"),
        ],
    )
    .await;

    // An attribute's verification code, asked for with an access token.
    let signed_in = t.sign_in(&client, "ada", PASSWORD).await.unwrap();
    let access = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    t.client
        .get_user_attribute_verification_code()
        .access_token(access)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "CustomMessage_VerifyUserAttribute");
    assert_eq!(event["request"]["codeParameter"], "{####}");
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ada@codes.test"
    );
    let message = newest_message_at(&t.url, "ada@codes.test").await;
    assert!(
        message["body"].as_str().unwrap().starts_with("Acme code "),
        "{message}"
    );

    // An SMS sign-in code.
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    let challenged = t.sign_in(&client, "ada", PASSWORD).await.unwrap();
    assert_eq!(
        challenged.challenge_name(),
        Some(&ChallengeNameType::SmsMfa)
    );
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "CustomMessage_Authentication");
    assert_eq!(event["userName"], "ada");
    let text = newest_message_at(&t.url, "+15555550188").await;
    assert!(
        text["body"]
            .as_str()
            .unwrap()
            .starts_with("Acme sign-in code "),
        "{text}"
    );
}

//! A `LambdaConfig` is kept only when Cognate can run it: each function reachable, each
//! trigger one it runs; and then exactly as given.

use super::WEBHOOK_ARN;
use crate::assert_cognito_err;
use crate::fixture::t;
use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;

/// Every member of the model's `LambdaConfigType` is kept and returned exactly.
#[tokio::test]
async fn every_trigger_of_the_model_is_kept_and_returned() {
    use aws_sdk_cognitoidentityprovider::types::*;
    let tr = super::triggers_with(|cfg| cfg.kms.endpoint = Some("http://127.0.0.1:9".into())).await;
    let pool = crate::common::create_pool(&tr.t.client, "config").await;
    let arn = WEBHOOK_ARN;
    let config = LambdaConfigType::builder()
        .pre_sign_up(arn)
        .custom_message(arn)
        .post_confirmation(arn)
        .pre_authentication(arn)
        .post_authentication(arn)
        .define_auth_challenge(arn)
        .create_auth_challenge(arn)
        .verify_auth_challenge_response(arn)
        .pre_token_generation(arn)
        .user_migration(arn)
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                .lambda_arn(arn)
                .build()
                .unwrap(),
        )
        .custom_sms_sender(
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                .lambda_arn(arn)
                .build()
                .unwrap(),
        )
        .custom_email_sender(
            CustomEmailLambdaVersionConfigType::builder()
                .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                .lambda_arn(arn)
                .build()
                .unwrap(),
        )
        .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .inbound_federation(
            InboundFederationLambdaType::builder()
                .lambda_version(InboundFederationLambdaVersionType::V10)
                .lambda_arn(arn)
                .build()
                .unwrap(),
        )
        .build();
    tr.t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(config.clone())
        .send()
        .await
        .expect("every trigger is one Cognate runs");
    let described =
        tr.t.client
            .describe_user_pool()
            .user_pool_id(&pool)
            .send()
            .await
            .unwrap();
    assert_eq!(
        described.user_pool().unwrap().lambda_config(),
        Some(&config)
    );
}

#[tokio::test]
async fn a_function_with_no_route_is_refused() {
    // The shared server has no Lambda endpoint and no webhooks.
    let t = t();
    let pool = t.pool().await;
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:nowhere";
    let r = t
        .client
        .update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(LambdaConfigType::builder().pre_sign_up(arn).build())
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        format!(
            "No route to Lambda function {arn}: configure --lambda-endpoint or a webhook for it."
        )
    );
    let described = t
        .client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(
        described
            .user_pool()
            .unwrap()
            .lambda_config()
            .unwrap()
            .pre_sign_up()
            .is_none()
    );
}

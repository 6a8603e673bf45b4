//! A `LambdaConfig` is kept only when Cognate can run it: each function reachable, each
//! trigger one it runs.

use super::{WEBHOOK_ARN, triggers};
use crate::assert_cognito_err;
use crate::fixture::t;
use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;

#[tokio::test]
async fn a_trigger_cognate_does_not_run_yet_is_refused_by_name() {
    let tr = triggers().await;
    let pool = crate::common::create_pool(&tr.t.client, "config").await;
    let r =
        tr.t.client
            .update_user_pool()
            .user_pool_id(&pool)
            .lambda_config(
                LambdaConfigType::builder()
                    .inbound_federation(
                        aws_sdk_cognitoidentityprovider::types::InboundFederationLambdaType::builder()
                            .lambda_version(aws_sdk_cognitoidentityprovider::types::InboundFederationLambdaVersionType::V10)
                            .lambda_arn(WEBHOOK_ARN)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "The InboundFederation trigger is not supported by Cognate yet."
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

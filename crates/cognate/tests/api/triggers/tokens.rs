//! PreTokenGeneration V1 and V2, and Pre/PostAuthentication: the events, and the claims,
//! scopes and groups they change, read from tokens verified with the pool's JWKS.

use super::{Behaviour, LAMBDA_ARN, WEBHOOK_ARN, pool_with, triggers};
use crate::assert_cognito_err;
use crate::fixture::PASSWORD;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, LambdaConfigType, PreTokenGenerationLambdaVersionType,
    PreTokenGenerationVersionConfigType,
};
use serde_json::{Value, json};

/// The claims of `token`, checked against the pool's JWKS (its signature holds).
async fn verified(base: &str, pool: &str, token: &str) -> Value {
    let jwks: jsonwebtoken::jwk::JwkSet =
        reqwest::get(format!("{base}/{pool}/.well-known/jwks.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwks.find(&kid).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap()
        .claims
}

async fn sign_in(
    tr: &super::Triggers,
    client: &str,
    name: &str,
) -> aws_sdk_cognitoidentityprovider::types::AuthenticationResultType {
    tr.t.client
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
}

#[tokio::test]
async fn v2_changes_both_tokens_and_the_scopes() {
    let tr = triggers().await;
    let config = LambdaConfigType::builder()
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                .lambda_arn(WEBHOOK_ARN)
                .build()
                .unwrap(),
        )
        .build();
    let (pool, client) = pool_with(&tr.t, config).await;
    crate::common::create_user(&tr.t.client, &pool, "ada", &[("email", "ada@example.com")]).await;
    tr.hooked.behave(Behaviour::Respond(json!({
        "claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": "acme", "sub": "forged"},
                "claimsToSuppress": ["email"]
            },
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"plan": {"tier": "gold", "seats": 5}},
                "scopesToAdd": ["orders/read"],
                "scopesToSuppress": ["aws.cognito.signin.user.admin"]
            },
            "groupOverrideDetails": {"groupsToOverride": ["admins"]}
        }
    })));
    let tokens = sign_in(&tr, &client, "ada").await;
    let event = tr.hooked.last();
    assert_eq!(event["version"], "2");
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(
        event["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    assert_eq!(
        event["request"]["groupConfiguration"]["groupsToOverride"],
        json!([])
    );

    let base = tr.t.url();
    let id = verified(&base, &pool, tokens.id_token().unwrap()).await;
    assert_eq!(id["tenant"], "acme");
    assert_ne!(id["sub"], "forged", "sub cannot be overridden");
    assert!(id.get("email").is_none(), "suppressed");
    assert_eq!(id["cognito:groups"], json!(["admins"]));
    let access = verified(&base, &pool, tokens.access_token().unwrap()).await;
    assert_eq!(access["plan"], json!({"tier": "gold", "seats": 5}));
    assert_eq!(access["scope"], "orders/read");
    assert_eq!(access["cognito:groups"], json!(["admins"]));

    // Refresh runs it again, with its own source.
    tr.t.client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        tr.hooked.last()["triggerSource"],
        "TokenGeneration_RefreshTokens"
    );
}

#[tokio::test]
async fn v1_changes_the_id_token() {
    let tr = triggers().await;
    let config = LambdaConfigType::builder()
        .pre_token_generation(LAMBDA_ARN)
        .build();
    let (pool, client) = pool_with(&tr.t, config).await;
    crate::common::create_user(&tr.t.client, &pool, "bob", &[]).await;
    tr.invoked.behave(Behaviour::Respond(json!({
        "claimsOverrideDetails": {"claimsToAddOrOverride": {"department": "sales"}}
    })));
    let tokens = sign_in(&tr, &client, "bob").await;
    assert_eq!(tr.invoked.last()["version"], "1");
    assert!(tr.invoked.last()["request"].get("scopes").is_none());
    let base = tr.t.url();
    let id = verified(&base, &pool, tokens.id_token().unwrap()).await;
    assert_eq!(id["department"], "sales");
    let access = verified(&base, &pool, tokens.access_token().unwrap()).await;
    assert!(
        access.get("department").is_none(),
        "V1 leaves the access token alone"
    );
}

#[tokio::test]
async fn pre_and_post_authentication_can_refuse_a_sign_in() {
    let tr = triggers().await;
    let config = LambdaConfigType::builder()
        .pre_authentication(WEBHOOK_ARN)
        .post_authentication(LAMBDA_ARN)
        .build();
    let (pool, client) = pool_with(&tr.t, config).await;
    crate::common::create_user(&tr.t.client, &pool, "cy", &[]).await;
    // InitiateAuth's ClientMetadata reaches PreAuthentication as validationData, and no
    // other trigger (AWS API reference, InitiateAuth: ClientMetadata).
    tr.t.client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "cy")
        .auth_parameters("PASSWORD", PASSWORD)
        .client_metadata("app", "kiosk")
        .send()
        .await
        .unwrap();
    let pre = tr.hooked.last();
    assert_eq!(pre["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(pre["request"]["userNotFound"], false);
    assert_eq!(pre["request"]["validationData"], json!({"app": "kiosk"}));
    let post = tr.invoked.last();
    assert_eq!(post["triggerSource"], "PostAuthentication_Authentication");
    assert_eq!(post["request"]["newDeviceUsed"], false);
    assert_eq!(post["request"]["clientMetadata"], Value::Null);

    let attempt = || {
        tr.t.client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "cy")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
    };
    tr.invoked
        .behave(Behaviour::Throw("outside office hours".into()));
    assert_cognito_err!(
        attempt().await,
        UserLambdaValidationException,
        "PostAuthentication failed with error outside office hours."
    );
    tr.hooked
        .behave(Behaviour::Throw("account under review".into()));
    let before = tr.invoked.count();
    assert_cognito_err!(
        attempt().await,
        UserLambdaValidationException,
        "PreAuthentication failed with error account under review."
    );
    assert_eq!(
        tr.invoked.count(),
        before,
        "no PostAuthentication after a refused start"
    );
}

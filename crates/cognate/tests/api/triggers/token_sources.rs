//! PreTokenGeneration beyond a plain sign-in: the trigger source of a sign-in finished by a
//! new password, and V3 on machine-to-machine tokens of the `client_credentials` grant
//! (AWS developer guide, "Pre token generation Lambda trigger": event versions and sources).

use super::{Behaviour, WEBHOOK_ARN, pool_with, triggers};
use crate::common::{pool_urls, verify_with_jwks};
use crate::fixture::PASSWORD;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, LambdaConfigType, MessageActionType, OAuthFlowType,
    PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType,
    ResourceServerScopeType,
};
use serde_json::{Value, json};

fn config(version: PreTokenGenerationLambdaVersionType) -> LambdaConfigType {
    LambdaConfigType::builder()
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_version(version)
                .lambda_arn(WEBHOOK_ARN)
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn a_sign_in_finished_by_a_new_password_has_its_own_source() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, config(PreTokenGenerationLambdaVersionType::V20)).await;
    tr.t.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("nina")
        .temporary_password("Temp-Passw0rd!")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let first =
        tr.t.client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "nina")
            .auth_parameters("PASSWORD", "Temp-Passw0rd!")
            .send()
            .await
            .unwrap();
    assert_eq!(
        first.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let before = tr.hooked.count();
    let done =
        tr.t.client
            .respond_to_auth_challenge()
            .client_id(&client)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(first.session().unwrap())
            .challenge_responses("USERNAME", "nina")
            .challenge_responses("NEW_PASSWORD", PASSWORD)
            .client_metadata("step", "new-password")
            .send()
            .await
            .unwrap();
    assert!(done.authentication_result().is_some());
    assert_eq!(tr.hooked.count(), before + 1, "one token generation");
    let event = tr.hooked.last();
    assert_eq!(
        event["triggerSource"],
        "TokenGeneration_NewPasswordChallenge"
    );
    assert_eq!(event["userName"], "nina");
    // RespondToAuthChallenge's ClientMetadata reaches the triggers it runs.
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({"step": "new-password"})
    );
}

/// A confidential client allowed `client_credentials` for `orders/read`: (id, secret).
async fn machine_client(tr: &super::Triggers, pool: &str) -> (String, String) {
    let c = &tr.t.client;
    c.create_resource_server()
        .user_pool_id(pool)
        .identifier("orders")
        .name("Orders API")
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("Read orders")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("worker")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("orders/read")
        .allowed_o_auth_flows_user_pool_client(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    (client.client_id.unwrap(), client.client_secret.unwrap())
}

async fn client_token(tr: &super::Triggers, id: &str, secret: &str) -> (u16, Value) {
    client_token_with(tr, id, secret, &[]).await
}

async fn client_token_with(
    tr: &super::Triggers,
    id: &str,
    secret: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    form.extend_from_slice(extra);
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", tr.t.url()))
        .basic_auth(id, Some(secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn v3_changes_machine_to_machine_access_tokens() {
    let tr = triggers().await;
    let (pool, _) = pool_with(&tr.t, config(PreTokenGenerationLambdaVersionType::V30)).await;
    let (id, secret) = machine_client(&tr, &pool).await;
    tr.hooked.behave(Behaviour::Respond(json!({
        "claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"ignored": "no ID token"}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": "acme", "client_id": "forged"},
                "scopesToAdd": ["orders/audit"]
            }
        }
    })));
    let (status, body) = client_token_with(
        &tr,
        &id,
        &secret,
        &[("aws_client_metadata", r#"{"tenant":"acme"}"#)],
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let event = tr.hooked.last();
    assert_eq!(event["version"], "3");
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({"tenant": "acme"})
    );
    assert_eq!(event["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(event["userPoolId"], pool.as_str());
    assert_eq!(event["userName"], "ClientCredentials");
    assert_eq!(event["callerContext"]["clientId"], id.as_str());
    assert_eq!(event["request"]["scopes"], json!(["orders/read"]));
    assert_eq!(event["request"]["userAttributes"], json!({}));
    assert_eq!(event["request"]["groupConfiguration"], Value::Null);

    let (reachable, public) = pool_urls(&tr.t, &pool);
    let claims = verify_with_jwks(
        body["access_token"].as_str().unwrap(),
        &reachable,
        &public,
        None,
    )
    .await;
    assert_eq!(claims["tenant"], "acme");
    assert_eq!(claims["client_id"], id.as_str(), "client_id cannot change");
    assert_eq!(claims["scope"], "orders/read orders/audit");
    assert!(claims.get("ignored").is_none());

    let (status, body) =
        client_token_with(&tr, &id, &secret, &[("aws_client_metadata", "[1]")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // A refusal is the grant's answer, not a server fault.
    tr.hooked
        .behave(Behaviour::Throw("machine not allowed".into()));
    let (status, body) = client_token(&tr, &id, &secret).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["error_description"],
        "PreTokenGeneration failed with error machine not allowed."
    );
}

#[tokio::test]
async fn v2_does_not_run_for_machine_to_machine_tokens() {
    let tr = triggers().await;
    let (pool, _) = pool_with(&tr.t, config(PreTokenGenerationLambdaVersionType::V20)).await;
    let (id, secret) = machine_client(&tr, &pool).await;
    let before = tr.hooked.count();
    let (status, body) = client_token(&tr, &id, &secret).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(tr.hooked.count(), before, "V2 is for users' tokens only");
}

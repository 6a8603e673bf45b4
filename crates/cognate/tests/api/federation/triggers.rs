//! The triggers of a federated sign-in: InboundFederation rewrites what the provider said
//! before it is mapped, and PreSignUp runs for the user it makes
//! (`PreSignUp_ExternalProvider`), each event compared with Cognito's shape.

use super::links::{federated_sign_in, id_token_at};
use super::oidc::{base, downstream, upstream};
use crate::triggers::{Behaviour, LAMBDA_ARN, WEBHOOK_ARN, triggers};
use aws_sdk_cognitoidentityprovider::types::{
    InboundFederationLambdaType, InboundFederationLambdaVersionType, LambdaConfigType,
};
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn inbound_federation_and_pre_sign_up_run_at_a_first_federated_sign_in() {
    let tr = triggers().await;
    let t = &tr.t;
    let base = base(t);
    let (up_pool, up_client, up_secret, up_sub) = upstream(t).await;
    let (pool, client) = downstream(t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;
    t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up(LAMBDA_ARN)
                .inbound_federation(
                    InboundFederationLambdaType::builder()
                        .lambda_version(InboundFederationLambdaVersionType::V10)
                        .lambda_arn(WEBHOOK_ARN)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    tr.hooked.behave(Behaviour::Script(Arc::new(|event| {
        json!({"userAttributesToMap": {
            "email": event["request"]["attributes"]["idToken"]["email"],
            "given_name": "Countess Ada",
        }})
    })));

    let landed = federated_sign_in(&base, &client).await;
    let id = id_token_at(&base, &client, &landed).await;
    assert_eq!(
        id["given_name"], "Countess Ada",
        "the function's attributes were mapped"
    );
    assert_eq!(id["email"], "ada@upstream.test");

    let username = format!("upstream_{up_sub}");
    let inbound = tr.hooked.last();
    assert_eq!(inbound["version"], "1");
    assert_eq!(
        inbound["triggerSource"],
        "InboundFederation_ExternalProvider"
    );
    assert_eq!(inbound["userPoolId"], pool.as_str());
    assert_eq!(inbound["userName"], username.as_str());
    assert_eq!(inbound["callerContext"]["clientId"], client.as_str());
    let request = &inbound["request"];
    assert_eq!(request["providerName"], "Upstream");
    assert_eq!(request["providerType"], "OIDC");
    assert_eq!(request["attributes"]["idToken"]["sub"], up_sub.as_str());
    assert_eq!(
        request["attributes"]["idToken"]["email_verified"], "true",
        "strings only"
    );
    assert_eq!(request["attributes"]["userInfo"]["given_name"], "Ada");
    assert_eq!(
        request["attributes"]["tokenResponse"]["token_type"],
        "Bearer"
    );

    let pre_sign_up = tr.invoked.last();
    assert_eq!(pre_sign_up["triggerSource"], "PreSignUp_ExternalProvider");
    assert_eq!(pre_sign_up["userName"], username.as_str());
    assert_eq!(pre_sign_up["callerContext"]["clientId"], client.as_str());
    let attributes = &pre_sign_up["request"]["userAttributes"];
    assert_eq!(attributes["cognito:user_status"], "EXTERNAL_PROVIDER");
    assert_eq!(attributes["given_name"], "Countess Ada");
    let identities: serde_json::Value =
        serde_json::from_str(attributes["identities"].as_str().unwrap()).unwrap();
    assert_eq!(identities[0]["providerName"], "Upstream");
    assert_eq!(identities[0]["primary"], true);
    assert_eq!(tr.invoked.count(), 1);

    // A refusal by PreSignUp makes no user, and the client hears it.
    tr.invoked
        .behave(Behaviour::Throw("Federated sign-ups are closed".into()));
    t.client
        .admin_delete_user()
        .user_pool_id(&pool)
        .username(&username)
        .send()
        .await
        .unwrap();
    let landed = federated_sign_in(&base, &client).await;
    assert_eq!(
        crate::oauth_support::query_param(&landed, "error_description").as_deref(),
        Some("PreSignUp failed with error Federated sign-ups are closed."),
        "{landed}"
    );
    let users = t
        .client
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(users.users().is_empty());
}

//! UserMigration: unknown names signing in with a password, or asking for a reset, are
//! brought over from the old system by the function.

use super::{Behaviour, WEBHOOK_ARN, pool_with, triggers};
use crate::assert_cognito_err;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, LambdaConfigType};
use serde_json::json;

fn migration() -> LambdaConfigType {
    LambdaConfigType::builder()
        .user_migration(WEBHOOK_ARN)
        .build()
}

#[tokio::test]
async fn a_user_of_the_old_system_signs_in_and_is_migrated() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, migration()).await;
    tr.hooked.behave(Behaviour::Respond(json!({
        "userAttributes": {"email": "legacy@old.test", "email_verified": "true", "name": "Legacy"},
        "finalUserStatus": "CONFIRMED",
        "messageAction": "SUPPRESS"
    })));
    let sign_in = || {
        tr.t.client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "legacy")
            .auth_parameters("PASSWORD", "Old-System-Pass-1")
            .send()
    };
    let out = sign_in().await.unwrap();
    assert!(out.authentication_result().is_some());
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "UserMigration_Authentication");
    assert_eq!(event["userName"], "legacy");
    assert_eq!(event["request"]["password"], "Old-System-Pass-1");
    let user =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("legacy")
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "name" && a.value() == Some("Legacy"))
    );
    // Migrated once: the next sign-in is Cognate's own.
    let calls = tr.hooked.count();
    sign_in().await.unwrap();
    assert_eq!(tr.hooked.count(), calls);
}

#[tokio::test]
async fn a_name_the_function_does_not_know_stays_unknown() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, migration()).await;
    tr.hooked.behave(Behaviour::Throw("Bad password".into()));
    let r =
        tr.t.client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "stranger")
            .auth_parameters("PASSWORD", "Whatever-Pass-1")
            .send()
            .await;
    assert_cognito_err!(r, UserNotFoundException, "User does not exist.");
    let r =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("stranger")
            .send()
            .await;
    assert_cognito_err!(r, UserNotFoundException, "User does not exist.");
}

#[tokio::test]
async fn a_forgotten_password_migrates_the_user_to_reset_it() {
    let tr = triggers().await;
    let (pool, client) = pool_with(&tr.t, migration()).await;
    tr.hooked.behave(Behaviour::Respond(json!({
        "userAttributes": {"email": "old@old.test", "email_verified": "true"},
        "messageAction": "SUPPRESS"
    })));
    let out =
        tr.t.client
            .forgot_password()
            .client_id(&client)
            .username("oldtimer")
            .send()
            .await
            .unwrap();
    assert_eq!(
        out.code_delivery_details().unwrap().destination(),
        Some("o***@o***.test")
    );
    let event = tr.hooked.last();
    assert_eq!(event["triggerSource"], "UserMigration_ForgotPassword");
    assert!(event["request"].get("password").is_none());
    let user =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("oldtimer")
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "RESET_REQUIRED");
}

/// For a client with a secret, an unknown name is not looked up in the old system until the
/// SECRET_HASH proves the client.
#[tokio::test]
async fn no_migration_without_the_clients_secret_hash() {
    let tr = triggers().await;
    let (pool, _) = pool_with(&tr.t, migration()).await;
    let client = tr
        .t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("confidential")
        .generate_secret(true)
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth,
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let before = tr.hooked.count();
    let r =
        tr.t.client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "guess")
            .auth_parameters("PASSWORD", "Guess-Pass-1")
            .send()
            .await;
    assert_cognito_err!(
        r,
        NotAuthorizedException,
        format!("Client {client} is configured for secret but secret was not received")
    );
    assert_eq!(tr.hooked.count(), before, "the function was not called");
}

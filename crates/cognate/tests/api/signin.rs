//! Sign-in flows and challenges through the official SDK, with their error paths.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as F,
    PreventUserExistenceErrorTypes, SchemaAttributeType,
};

#[tokio::test]
async fn password_flows_and_new_password_challenge() {
    let t = start().await;
    let c = &t.client;
    let pool = c
        .create_user_pool()
        .pool_name("guide")
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .explicit_auth_flows(F::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("newbie")
        .temporary_password("Temp-Pass-123")
        .user_attributes(attr("given_name", "New"))
        .send()
        .await
        .unwrap();

    let out = password_sign_in(c, &client_id, "newbie", "Temp-Pass-123")
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    assert!(out.authentication_result().is_none());
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["USER_ID_FOR_SRP"], "newbie");
    assert_eq!(params["requiredAttributes"], r#"["userAttributes.email"]"#);
    let shown: serde_json::Value = serde_json::from_str(&params["userAttributes"]).unwrap();
    assert_eq!(shown["given_name"], "New");
    let session = out.session().unwrap().to_owned();
    assert!(session.len() >= 20);

    let respond = |password: &str, email: Option<&str>, session: &str| {
        let mut r = c
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", "newbie")
            .challenge_responses("NEW_PASSWORD", password);
        if let Some(e) = email {
            r = r.challenge_responses("userAttributes.email", e);
        }
        r.send()
    };
    let (code, msg) = err(respond("Brand-New-Pass-1", None, &session).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Invalid attributes given, email is missing"
        )
    );
    let (code, msg) = err(respond("weak", Some("newbie@example.com"), &session).await);
    assert_eq!(code, "InvalidPasswordException");
    assert_eq!(
        msg,
        "Password does not conform to policy: Password not long enough"
    );
    let done = respond("Brand-New-Pass-1", Some("newbie@example.com"), &session)
        .await
        .unwrap();
    let result = done.authentication_result().unwrap();
    assert!(
        result.access_token().is_some()
            && result.id_token().is_some()
            && result.refresh_token().is_some()
    );
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    assert!(done.challenge_parameters().unwrap().is_empty());

    let (code, msg) = err(respond("Brand-New-Pass-1", Some("newbie@example.com"), &session).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session can only be used once."
        )
    );
    let (code, msg) = err(respond(
        "Brand-New-Pass-1",
        Some("x@example.com"),
        "bm90IGEgcmVhbCBzZXNzaW9uIGF0IGFsbA==",
    )
    .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "Invalid session for the user.")
    );

    let user = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("newbie")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "email" && a.value() == Some("newbie@example.com"))
    );

    let again = password_sign_in(c, &client_id, "newbie", "Brand-New-Pass-1")
        .await
        .unwrap();
    assert!(again.authentication_result().is_some());

    for flow in [
        AuthFlowType::AdminUserPasswordAuth,
        AuthFlowType::AdminNoSrpAuth,
    ] {
        let out = c
            .admin_initiate_auth()
            .user_pool_id(&pool)
            .client_id(&client_id)
            .auth_flow(flow)
            .auth_parameters("USERNAME", "newbie")
            .auth_parameters("PASSWORD", "Brand-New-Pass-1")
            .send()
            .await
            .unwrap();
        assert!(out.authentication_result().unwrap().id_token().is_some());
    }
    let (code, msg) = err(c
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "newbie")
        .auth_parameters("PASSWORD", "Brand-New-Pass-1")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Initiate Auth method not supported."
        )
    );

    // The admin twin of the challenge.
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("second")
        .temporary_password("Temp-Pass-123")
        .user_attributes(attr("email", "second@example.com"))
        .send()
        .await
        .unwrap();
    let out = c
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "second")
        .auth_parameters("PASSWORD", "Temp-Pass-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_parameters().unwrap()["requiredAttributes"],
        "[]"
    );
    let done = c
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "second")
        .challenge_responses("NEW_PASSWORD", "Second-Pass-123")
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn sign_in_errors() {
    let t = start().await;
    let c = &t.client;
    let f = sign_in_fixture(c, false).await;

    let (code, msg) = err(password_sign_in(c, &f.client_id, "alice", "Wrong-Pass-1").await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (code, msg) = err(password_sign_in(c, &f.client_id, "nobody", "Wrong-Pass-1").await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let (code, msg) = err(c
        .initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("PASSWORD", "x")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Missing required parameter USERNAME"
        )
    );
    let (code, msg) =
        err(password_sign_in(c, "0000000000000000000000000a", "alice", PASSWORD).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "User pool client 0000000000000000000000000a does not exist."
        )
    );

    // PreventUserExistenceErrors hides whether the user exists.
    c.update_user_pool_client()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap();
    let (code, msg) = err(password_sign_in(c, &f.client_id, "nobody", "Wrong-Pass-1").await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );

    // A flow the client does not allow.
    c.update_user_pool_client()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .explicit_auth_flows(F::AllowUserSrpAuth)
        .send()
        .await
        .unwrap();
    let (code, msg) = err(password_sign_in(c, &f.client_id, "alice", PASSWORD).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client"
        )
    );
    let (code, msg) = err(c
        .admin_initiate_auth()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Auth flow not enabled for this client"
        )
    );

    // Account states.
    let g = sign_in_fixture(c, false).await;
    c.admin_disable_user()
        .user_pool_id(&g.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let (code, msg) = err(password_sign_in(c, &g.client_id, "alice", PASSWORD).await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "User is disabled.")
    );
    c.admin_enable_user()
        .user_pool_id(&g.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    for (state, code, msg) in [
        (
            "UNCONFIRMED",
            "UserNotConfirmedException",
            "User is not confirmed.",
        ),
        (
            "RESET_REQUIRED",
            "PasswordResetRequiredException",
            "Password reset required for the user",
        ),
    ] {
        let store = &t.server.cognito.store;
        let mut user = store.get_user(&g.pool, "alice").await.unwrap().unwrap();
        user.status = state.into();
        store.update_user(&user).await.unwrap();
        let got = err(password_sign_in(c, &g.client_id, "alice", PASSWORD).await);
        assert_eq!((got.0.as_str(), got.1.as_str()), (code, msg));
    }
}

#[tokio::test]
async fn secret_hash_is_required_and_checked() {
    let t = start().await;
    let c = &t.client;
    let f = sign_in_fixture(c, true).await;
    let secret = f.secret.clone().unwrap();
    let base = || {
        c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
    };
    let (code, msg) = err(base().send().await);
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        msg,
        format!(
            "Client {} is configured for secret but secret was not received",
            f.client_id
        )
    );
    let (code, msg) = err(base()
        .auth_parameters("SECRET_HASH", secret_hash("wrong", "alice", &f.client_id))
        .send()
        .await);
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        msg,
        format!("Unable to verify secret hash for client {}", f.client_id)
    );
    let ok = base()
        .auth_parameters("SECRET_HASH", secret_hash(&secret, "alice", &f.client_id))
        .send()
        .await
        .unwrap();
    let refresh = ok
        .authentication_result()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();

    // Refreshing needs it too.
    let refresh_req = || {
        c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh)
    };
    let (code, _) = err(refresh_req().send().await);
    assert_eq!(code, "NotAuthorizedException");
    let out = refresh_req()
        .auth_parameters("SECRET_HASH", secret_hash(&secret, "alice", &f.client_id))
        .send()
        .await
        .unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
}

#[tokio::test]
async fn expired_sessions_and_temporary_passwords() {
    let (t, clock) = start_with_clock().await;
    let c = &t.client;
    let f = sign_in_fixture(c, false).await;
    c.admin_create_user()
        .user_pool_id(&f.pool)
        .username("late")
        .temporary_password("Temp-Pass-123")
        .send()
        .await
        .unwrap();
    let out = password_sign_in(c, &f.client_id, "late", "Temp-Pass-123")
        .await
        .unwrap();
    clock.advance_seconds(3 * 60 + 1);
    let (code, msg) = err(c
        .respond_to_auth_challenge()
        .client_id(&f.client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "late")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-1")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );

    clock.advance_seconds(8 * 86_400);
    let (code, msg) = err(password_sign_in(c, &f.client_id, "late", "Temp-Pass-123").await);
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        msg,
        "Temporary password has expired and must be reset by an administrator."
    );
}

#[tokio::test]
async fn lockout_after_repeated_failures() {
    let (t, clock) = start_with_clock().await;
    let c = &t.client;
    let f = sign_in_fixture(c, false).await;
    for _ in 0..5 {
        let (_, msg) = err(password_sign_in(c, &f.client_id, "alice", "Wrong-Pass-1").await);
        assert_eq!(msg, "Incorrect username or password.");
    }
    // Locked: even the right password is refused, and the refusal does not extend the lock.
    for _ in 0..3 {
        let (code, msg) = err(password_sign_in(c, &f.client_id, "alice", PASSWORD).await);
        assert_eq!(
            (code.as_str(), msg.as_str()),
            ("NotAuthorizedException", "Password attempts exceeded")
        );
    }
    clock.advance_seconds(2);
    let (_, msg) = err(password_sign_in(c, &f.client_id, "alice", "Wrong-Pass-1").await);
    assert_eq!(msg, "Incorrect username or password.");
    // The sixth failure locks for two seconds.
    clock.advance_seconds(1);
    let (_, msg) = err(password_sign_in(c, &f.client_id, "ALICE", PASSWORD).await);
    assert_eq!(
        msg, "Password attempts exceeded",
        "any spelling of the name shares the counter"
    );
    clock.advance_seconds(2);
    assert!(
        password_sign_in(c, &f.client_id, "alice", PASSWORD)
            .await
            .unwrap()
            .authentication_result()
            .is_some()
    );
    // Success resets the count.
    let (_, msg) = err(password_sign_in(c, &f.client_id, "alice", "Wrong-Pass-1").await);
    assert_eq!(msg, "Incorrect username or password.");
    assert!(
        password_sign_in(c, &f.client_id, "alice", PASSWORD)
            .await
            .is_ok()
    );
}

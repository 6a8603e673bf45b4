//! Lockout: with PreventUserExistenceErrors it says nothing about which users exist (unknown
//! names are locked out after the same five failures); parallel guesses cannot outrun it; a
//! challenge session is bound to its user, not to a name.

use crate::assert_cognito_err;
use crate::fixture::t;

#[tokio::test]
async fn unknown_user_is_locked_out_like_a_known_one() {
    let t = t();
    let pool = t.pool().await;
    let client = t
        .app_client_with(&pool, |r| {
            r.prevent_user_existence_errors(
                aws_sdk_cognitoidentityprovider::types::PreventUserExistenceErrorTypes::Enabled,
            )
        })
        .await;
    t.user(&pool, "known", &[]).await;
    for name in ["known", "ghost"] {
        for _ in 0..5 {
            let r = t.sign_in(&client, name, "Wrong-Password-1").await;
            assert_cognito_err!(r, NotAuthorizedException, "Incorrect username or password.");
        }
        let r = t.sign_in(&client, name, "Wrong-Password-1").await;
        assert_cognito_err!(r, NotAuthorizedException, "Password attempts exceeded");
    }
}

#[tokio::test]
async fn without_prevention_unknown_users_are_named_not_locked() {
    let t = t();
    let pool = t.pool().await;
    let client = t
        .app_client_with(&pool, |r| {
            r.prevent_user_existence_errors(
                aws_sdk_cognitoidentityprovider::types::PreventUserExistenceErrorTypes::Legacy,
            )
        })
        .await;
    for _ in 0..7 {
        let r = t.sign_in(&client, "ghost", "Wrong-Password-1").await;
        assert_cognito_err!(r, UserNotFoundException, "User does not exist.");
    }
}

/// Guesses sent all at once cannot outrun the count: each is counted before its password is
/// checked, so of twelve parallel wrong passwords five are checked and the rest locked out.
#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_lockout() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user(&pool, "target", &[]).await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (sdk, client) = (t.client.clone(), client.clone());
        guesses.spawn(async move {
            sdk.initiate_auth()
                .client_id(client)
                .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", "target")
                .auth_parameters("PASSWORD", format!("Wrong-Password-{i}"))
                .send()
                .await
        });
    }
    let mut messages = Vec::new();
    while let Some(r) = guesses.join_next().await {
        let e = r.unwrap().expect_err("a wrong password");
        messages.push(e.into_service_error().meta().message().unwrap().to_owned());
    }
    let checked = messages
        .iter()
        .filter(|m| *m == "Incorrect username or password.")
        .count();
    let locked = messages
        .iter()
        .filter(|m| *m == "Password attempts exceeded")
        .count();
    assert_eq!((checked, locked), (5, 7), "{messages:?}");
}

/// A challenge session belongs to the user it was issued to, not to their name: deleted and
/// created again, the name is someone else.
#[tokio::test]
async fn a_session_does_not_pass_to_a_new_user_of_the_same_name() {
    use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user_with_temporary_password(&pool, "reborn").await;
    let out = t
        .sign_in(&client, "reborn", crate::fixture::PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    t.client
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("reborn")
        .send()
        .await
        .unwrap();
    t.user_with_temporary_password(&pool, "reborn").await;
    let r = t
        .client
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "reborn")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-1")
        .send()
        .await;
    // The user the session was issued to does not exist any more.
    assert_cognito_err!(r, UserNotFoundException, "User does not exist.");
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("reborn")
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.user_status().unwrap().as_str(),
        "FORCE_CHANGE_PASSWORD"
    );
}

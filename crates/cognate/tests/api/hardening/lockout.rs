//! With PreventUserExistenceErrors, lockout says nothing about which users exist: unknown
//! names are locked out after the same five failures.

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

//! Verifying attributes, and the invitations AdminCreateUser sends.

use super::{code_in, email, messages_to, newest_message};
use crate::assert_cognito_err;
use crate::common::attr;
use crate::fixture::{PASSWORD, T, t};
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, ChallengeNameType, DeliveryMediumType, MessageActionType,
    MessageTemplateType, UserAttributeUpdateSettingsType, VerifiedAttributeType,
};

/// A pool that verifies emails (optionally only before updating them), a client, a confirmed
/// user with a verified email, and that user's access token.
async fn signed_in(t: &T, hold_back: bool) -> (String, String, String) {
    let pool = t
        .pool_with(|r| {
            let r = r.auto_verified_attributes(VerifiedAttributeType::Email);
            if hold_back {
                r.user_attribute_update_settings(
                    UserAttributeUpdateSettingsType::builder()
                        .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                        .build(),
                )
            } else {
                r
            }
        })
        .await;
    let client = t.app_client(&pool).await;
    let old = email("old");
    t.user(
        &pool,
        "vera",
        &[("email", &old), ("email_verified", "true")],
    )
    .await;
    let token = t
        .sign_in(&client, "vera", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    (pool, token, old)
}

async fn email_of(t: &T, pool: &str) -> (String, String) {
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(pool)
        .username("vera")
        .send()
        .await
        .unwrap();
    let get = |n: &str| {
        user.user_attributes()
            .iter()
            .find(|a| a.name() == n)
            .and_then(|a| a.value())
            .unwrap_or_default()
            .to_owned()
    };
    (get("email"), get("email_verified"))
}

#[tokio::test]
async fn a_changed_email_gets_a_code_that_verifies_it() {
    let t = t();
    let (pool, token, _) = signed_in(&t, false).await;
    let new = email("new");
    let out = t
        .client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", &new))
        .send()
        .await
        .unwrap();
    assert_eq!(out.code_delivery_details_list().len(), 1);
    assert_eq!(email_of(&t, &pool).await, (new.clone(), "false".into()));
    let code = code_in(&newest_message(&t, &new).await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = t
        .client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(wrong)
        .send()
        .await;
    assert_cognito_err!(
        r,
        CodeMismatchException,
        "Invalid verification code provided, please try again."
    );
    t.client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(email_of(&t, &pool).await, (new, "true".into()));
}

#[tokio::test]
async fn a_held_back_email_changes_only_once_verified() {
    let t = t();
    let (pool, token, old) = signed_in(&t, true).await;
    let new = email("pending");
    t.client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", &new))
        .send()
        .await
        .unwrap();
    assert_eq!(
        email_of(&t, &pool).await,
        (old, "true".into()),
        "the old email stays"
    );
    let code = code_in(&newest_message(&t, &new).await);
    t.client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(email_of(&t, &pool).await, (new, "true".into()));
}

#[tokio::test]
async fn a_code_can_be_asked_for_and_is_capped() {
    let t = t();
    let (_, token, old) = signed_in(&t, false).await;
    for _ in 0..5 {
        let out = t
            .client
            .get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("email")
            .send()
            .await
            .unwrap();
        assert_eq!(
            out.code_delivery_details().unwrap().attribute_name(),
            Some("email")
        );
    }
    messages_to(&t, &old, 5).await;
    let r = t
        .client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await;
    assert_cognito_err!(
        r,
        LimitExceededException,
        "Attempt limit exceeded, please try after some time."
    );
}

#[tokio::test]
async fn an_administrator_may_mark_an_email_verified_without_a_code() {
    let t = t();
    let (pool, _, _) = signed_in(&t, false).await;
    let new = email("admin-set");
    t.client
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("vera")
        .user_attributes(attr("email", &new))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    assert_eq!(email_of(&t, &pool).await, (new.clone(), "true".into()));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let list: Vec<serde_json::Value> =
        reqwest::get(format!("{}/_cognate/outbox.json?to={new}", t.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(list.is_empty(), "no code was sent: {list:?}");
}

#[tokio::test]
async fn admin_create_user_emails_the_temporary_password() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    let address = email("invited");
    t.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("invited")
        .temporary_password(PASSWORD)
        .user_attributes(attr("email", &address))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let m = newest_message(&t, &address).await;
    assert_eq!(m["subject"], "Your temporary password");
    assert_eq!(
        m["body"],
        format!("Your username is invited and temporary password is {PASSWORD}. ")
    );
    let out = t.sign_in(&client, "invited", PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
}

#[tokio::test]
async fn invitations_follow_the_template_and_message_action() {
    let t = t();
    let pool = t
        .pool_with(|r| {
            r.admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .invite_message_template(
                        MessageTemplateType::builder()
                            .email_subject("Welcome aboard")
                            .email_message("Hello {username}, your password is {####}")
                            .build(),
                    )
                    .build(),
            )
        })
        .await;
    // Without DesiredDeliveryMediums and without a phone, the email is used.
    let address = email("templated");
    t.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("templated")
        .user_attributes(attr("email", &address))
        .send()
        .await
        .unwrap();
    let first = newest_message(&t, &address).await;
    assert_eq!(first["subject"], "Welcome aboard");
    let body = first["body"].as_str().unwrap();
    assert!(
        body.starts_with("Hello templated, your password is "),
        "{body}"
    );
    // RESEND: a new temporary password, a new invitation.
    t.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("templated")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap();
    let both = messages_to(&t, &address, 2).await;
    assert_ne!(both[0]["body"], both[1]["body"]);
    // SUPPRESS: nothing.
    let quiet = email("quiet");
    t.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("quiet")
        .user_attributes(attr("email", &quiet))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let list: Vec<serde_json::Value> =
        reqwest::get(format!("{}/_cognate/outbox.json?to={quiet}", t.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert!(list.is_empty());
}

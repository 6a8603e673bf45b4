//! ConfirmSignUp, ResendConfirmationCode and the confirmation link.

use super::sign_up::email_pool;
use super::{code_in, email, messages_to, newest_message};
use crate::assert_cognito_err;
use crate::common::attr;
use crate::fixture::{PASSWORD, T, t};
use aws_sdk_cognitoidentityprovider::types::{
    DefaultEmailOptionType, PreventUserExistenceErrorTypes, VerificationMessageTemplateType,
    VerifiedAttributeType,
};

/// Signs `name` up with a fresh email; returns the email.
async fn signed_up(t: &T, client: &str, name: &str) -> String {
    let address = email(name);
    t.client
        .sign_up()
        .client_id(client)
        .username(name)
        .password(PASSWORD)
        .user_attributes(attr("email", &address))
        .send()
        .await
        .unwrap();
    address
}

async fn confirm(t: &T, client: &str, name: &str, code: &str) -> Result<(), (String, String)> {
    t.client
        .confirm_sign_up()
        .client_id(client)
        .username(name)
        .confirmation_code(code)
        .send()
        .await
        .map(drop)
        .map_err(|e| crate::common::err::<(), _>(Err(e)))
}

#[tokio::test]
async fn the_emailed_code_confirms_and_verifies_the_email() {
    let t = t();
    let (pool, client) = email_pool(&t).await;
    let address = signed_up(&t, &client, "ada").await;
    let code = code_in(&newest_message(&t, &address).await);
    confirm(&t, &client, "ada", &code).await.unwrap();
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    let verified = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email_verified");
    assert_eq!(verified.and_then(|a| a.value()), Some("true"));
    t.sign_in(&client, "ada", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_wrong_code_is_a_mismatch_and_leaves_the_user_unconfirmed() {
    let t = t();
    let (pool, client) = email_pool(&t).await;
    let address = signed_up(&t, &client, "bob").await;
    let code = code_in(&newest_message(&t, &address).await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        confirm(&t, &client, "bob", wrong).await.unwrap_err(),
        (
            "CodeMismatchException".into(),
            "Invalid verification code provided, please try again.".into()
        )
    );
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "UNCONFIRMED");
    confirm(&t, &client, "bob", &code).await.unwrap();
}

#[tokio::test]
async fn a_confirmed_user_cannot_be_confirmed_again() {
    let t = t();
    let (_, client) = email_pool(&t).await;
    let address = signed_up(&t, &client, "cy").await;
    let code = code_in(&newest_message(&t, &address).await);
    confirm(&t, &client, "cy", &code).await.unwrap();
    assert_eq!(
        confirm(&t, &client, "cy", &code).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "User cannot be confirmed. Current status is CONFIRMED".into()
        )
    );
    let r = t
        .client
        .resend_confirmation_code()
        .client_id(&client)
        .username("cy")
        .send()
        .await;
    assert_cognito_err!(r, InvalidParameterException, "User is already confirmed.");
}

#[tokio::test]
async fn a_resent_code_replaces_the_first() {
    let t = t();
    let (_, client) = email_pool(&t).await;
    let address = signed_up(&t, &client, "dee").await;
    let first = code_in(&newest_message(&t, &address).await);
    let out = t
        .client
        .resend_confirmation_code()
        .client_id(&client)
        .username("dee")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().unwrap().destination(),
        Some("d***@e***.com")
    );
    let both = messages_to(&t, &address, 2).await;
    let second = code_in(&both[0]);
    if first != second {
        let r = confirm(&t, &client, "dee", &first).await;
        assert_eq!(r.unwrap_err().0, "CodeMismatchException");
    }
    confirm(&t, &client, "dee", &second).await.unwrap();
}

#[tokio::test]
async fn resending_is_capped_per_hour() {
    let t = t();
    let (_, client) = email_pool(&t).await;
    signed_up(&t, &client, "eve").await;
    for _ in 0..5 {
        t.client
            .resend_confirmation_code()
            .client_id(&client)
            .username("eve")
            .send()
            .await
            .unwrap();
    }
    let r = t
        .client
        .resend_confirmation_code()
        .client_id(&client)
        .username("eve")
        .send()
        .await;
    assert_cognito_err!(
        r,
        LimitExceededException,
        "Attempt limit exceeded, please try after some time."
    );
}

#[tokio::test]
async fn unknown_users_are_named_or_hidden_as_the_client_says() {
    let t = t();
    let (pool, legacy) = email_pool(&t).await;
    let r = t
        .client
        .resend_confirmation_code()
        .client_id(&legacy)
        .username("ghost")
        .send()
        .await;
    assert_cognito_err!(
        r,
        UserNotFoundException,
        "Username/client id combination not found."
    );
    let r = t
        .client
        .confirm_sign_up()
        .client_id(&legacy)
        .username("ghost")
        .confirmation_code("123456")
        .send()
        .await;
    assert_cognito_err!(
        r,
        UserNotFoundException,
        "Username/client id combination not found."
    );

    let hiding = t
        .app_client_with(&pool, |r| {
            r.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        })
        .await;
    let out = t
        .client
        .resend_confirmation_code()
        .client_id(&hiding)
        .username("ghost@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().unwrap().destination(),
        Some("g***@e***.com")
    );
    let r = t
        .client
        .confirm_sign_up()
        .client_id(&hiding)
        .username("ghost")
        .confirmation_code("123456")
        .send()
        .await;
    assert_cognito_err!(
        r,
        CodeMismatchException,
        "Invalid verification code provided, please try again."
    );
}

#[tokio::test]
async fn link_pools_email_a_link_that_confirms() {
    let t = t();
    let pool = t
        .pool_with(|r| {
            r.auto_verified_attributes(VerifiedAttributeType::Email)
                .verification_message_template(
                    VerificationMessageTemplateType::builder()
                        .default_email_option(DefaultEmailOptionType::ConfirmWithLink)
                        .email_message_by_link("Welcome! {##Confirm my account##}")
                        .email_subject_by_link("Confirm your account")
                        .build(),
                )
        })
        .await;
    let client = t.app_client(&pool).await;
    let address = signed_up(&t, &client, "fay").await;
    let message = newest_message(&t, &address).await;
    assert_eq!(message["subject"], "Confirm your account");
    let body = message["body"].as_str().unwrap();
    let href = body
        .split("href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    assert!(href.contains("/confirmUser?client_id="), "{href}");
    assert!(body.contains(">Confirm my account</a>"), "{body}");
    let local = format!("{}/confirmUser?{}", t.url, href.split_once('?').unwrap().1);
    let page = reqwest::get(&local).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Your registration has been confirmed")
    );
    t.sign_in(&client, "fay", PASSWORD).await.unwrap();
}

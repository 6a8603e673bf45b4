//! SignUp: who may sign up, with what, and what it answers.

use super::{email, newest_message};
use crate::assert_cognito_err;
use crate::common::attr;
use crate::fixture::{PASSWORD, T, t};
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, SchemaAttributeType, VerifiedAttributeType,
};

/// A pool that verifies emails, with a client allowed the password flow.
pub async fn email_pool(t: &T) -> (String, String) {
    let pool = t
        .pool_with(|r| r.auto_verified_attributes(VerifiedAttributeType::Email))
        .await;
    let client = t.app_client(&pool).await;
    (pool, client)
}

#[tokio::test]
async fn sign_up_creates_an_unconfirmed_user_and_emails_a_code() {
    let t = t();
    let (pool, client) = email_pool(&t).await;
    let address = email("signup");
    let out = t
        .client
        .sign_up()
        .client_id(&client)
        .username("newcomer")
        .password(PASSWORD)
        .user_attributes(attr("email", &address))
        .send()
        .await
        .unwrap();
    assert!(!out.user_confirmed());
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.delivery_medium().unwrap().as_str(), "EMAIL");
    assert_eq!(details.attribute_name(), Some("email"));
    assert_eq!(details.destination(), Some("s***@e***.com"));
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("newcomer")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "UNCONFIRMED");
    let sub = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap();
    assert_eq!(sub.value(), Some(out.user_sub()));
    let message = newest_message(&t, &address).await;
    assert_eq!(message["medium"], "EMAIL");
    assert_eq!(message["subject"], "Your verification code");
    assert!(
        message["body"]
            .as_str()
            .unwrap()
            .starts_with("Your verification code is ")
    );
    assert_eq!(message["poolId"], pool.as_str());
}

#[tokio::test]
async fn unconfirmed_user_cannot_sign_in() {
    let t = t();
    let (_, client) = email_pool(&t).await;
    t.client
        .sign_up()
        .client_id(&client)
        .username("waiting")
        .password(PASSWORD)
        .user_attributes(attr("email", &email("waiting")))
        .send()
        .await
        .unwrap();
    let r = t.sign_in(&client, "waiting", PASSWORD).await;
    assert_cognito_err!(r, UserNotConfirmedException, "User is not confirmed.");
}

#[tokio::test]
async fn taken_username_is_refused() {
    let t = t();
    let (pool, client) = email_pool(&t).await;
    t.user(&pool, "taken", &[]).await;
    let r = t
        .client
        .sign_up()
        .client_id(&client)
        .username("taken")
        .password(PASSWORD)
        .send()
        .await;
    assert_cognito_err!(r, UsernameExistsException, "User already exists");
}

#[tokio::test]
async fn email_username_pools_refuse_a_second_account_for_an_email() {
    let t = t();
    let pool = t
        .pool_with(|r| {
            r.username_attributes(
                aws_sdk_cognitoidentityprovider::types::UsernameAttributeType::Email,
            )
            .auto_verified_attributes(VerifiedAttributeType::Email)
        })
        .await;
    let client = t.app_client(&pool).await;
    let address = email("twice");
    let first = t
        .client
        .sign_up()
        .client_id(&client)
        .username(&address)
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username(&address)
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.username(),
        first.user_sub(),
        "the internal username is the sub"
    );
    let r = t
        .client
        .sign_up()
        .client_id(&client)
        .username(address.to_uppercase())
        .password(PASSWORD)
        .send()
        .await;
    assert_cognito_err!(
        r,
        UsernameExistsException,
        "An account with the given email already exists."
    );
}

#[tokio::test]
async fn missing_required_attribute_is_refused() {
    let t = t();
    let pool = t
        .pool_with(|r| {
            r.schema(
                SchemaAttributeType::builder()
                    .name("email")
                    .required(true)
                    .build(),
            )
        })
        .await;
    let client = t.app_client(&pool).await;
    let r = t
        .client
        .sign_up()
        .client_id(&client)
        .username("noemail")
        .password(PASSWORD)
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Attributes did not conform to the schema: email: The attribute is required"
    );
}

#[tokio::test]
async fn weak_password_names_the_rule_in_sign_up_words() {
    let t = t();
    let (_, client) = email_pool(&t).await;
    let r = t
        .client
        .sign_up()
        .client_id(&client)
        .username("weak")
        .password("short")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidPasswordException,
        "Password did not conform with policy: Password not long enough"
    );
}

#[tokio::test]
async fn sign_up_cannot_set_verification_flags_or_unwritable_attributes() {
    let t = t();
    let (pool, _) = email_pool(&t).await;
    let client = t
        .app_client_with(&pool, |r| r.write_attributes("email"))
        .await;
    for (name, value) in [("email_verified", "true"), ("name", "Mallory")] {
        let r = t
            .client
            .sign_up()
            .client_id(&client)
            .username("sneaky")
            .password(PASSWORD)
            .user_attributes(attr("email", &email("sneaky")))
            .user_attributes(attr(name, value))
            .send()
            .await;
        assert_cognito_err!(
            r,
            NotAuthorizedException,
            "A client attempted to write unauthorized attribute"
        );
    }
}

#[tokio::test]
async fn admin_only_pools_refuse_sign_up() {
    let t = t();
    let pool = t
        .pool_with(|r| {
            r.admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .allow_admin_create_user_only(true)
                    .build(),
            )
        })
        .await;
    let client = t.app_client(&pool).await;
    let r = t
        .client
        .sign_up()
        .client_id(&client)
        .username("outsider")
        .password(PASSWORD)
        .send()
        .await;
    assert_cognito_err!(
        r,
        NotAuthorizedException,
        "SignUp is not permitted for this user pool"
    );
}

#[tokio::test]
async fn clients_with_a_secret_need_the_secret_hash() {
    let t = t();
    let (pool, _) = email_pool(&t).await;
    let created = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("confidential")
        .generate_secret(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let (id, secret) = (created.client_id.unwrap(), created.client_secret.unwrap());
    let r = t
        .client
        .sign_up()
        .client_id(&id)
        .username("hashless")
        .password(PASSWORD)
        .send()
        .await;
    assert_cognito_err!(
        r,
        NotAuthorizedException,
        &format!("Client {id} is configured for secret but secret was not received")
    );
    t.client
        .sign_up()
        .client_id(&id)
        .secret_hash(crate::common::secret_hash(&secret, "hashed", &id))
        .username("hashed")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn without_auto_verified_attributes_no_code_is_sent() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    let out = t
        .client
        .sign_up()
        .client_id(&client)
        .username("quiet")
        .password(PASSWORD)
        .user_attributes(attr("email", &email("quiet")))
        .send()
        .await
        .unwrap();
    assert!(out.code_delivery_details().is_none());
    assert!(!out.user_confirmed());
}

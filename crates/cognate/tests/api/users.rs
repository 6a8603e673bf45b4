use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{
    MessageActionType, UserStatusType, UsernameAttributeType, UsernameConfigurationType,
};

#[tokio::test]
async fn admin_user_lifecycle() {
    let t = start().await;
    let c = &t.client;
    let pool = c
        .create_user_pool()
        .pool_name("users")
        .alias_attributes("email".into())
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();

    let user = c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("Alice")
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .user_attributes(attr("given_name", "Alice"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.username(), Some("Alice"));
    assert_eq!(
        user.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(user.enabled);
    let sub = user
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_owned();
    assert_eq!(uuid_version(&sub), Some('4'));

    // By username (case-insensitively here), by verified email alias, and by sub.
    for name in ["alice", "ALICE", "alice@example.com", sub.as_str()] {
        let got = c
            .admin_get_user()
            .user_pool_id(&pool)
            .username(name)
            .send()
            .await
            .unwrap();
        assert_eq!(got.username(), "Alice", "looked up by {name}");
    }

    let (code, msg) = err(c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UsernameExistsException", "User account already exists")
    );

    let (code, msg) = err(c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("bob")
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "AliasExistsException",
            "An account with the given email already exists."
        )
    );

    let (code, msg) = err(c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol@example.com")
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "Username cannot be of email format, since user pool is configured for email alias."
    );

    let (code, msg) = err(c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("dave")
        .temporary_password("short")
        .send()
        .await);
    assert_eq!(code, "InvalidPasswordException");
    assert_eq!(
        msg,
        "Password does not conform to policy: Password not long enough"
    );

    // A changed email is unverified again.
    c.admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("email", "alice@new.example.com"))
        .user_attributes(attr("family_name", "Liddell"))
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let value = |n: &str| {
        got.user_attributes()
            .iter()
            .find(|a| a.name() == n)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(value("email").as_deref(), Some("alice@new.example.com"));
    assert_eq!(value("email_verified").as_deref(), Some("false"));
    assert_eq!(value("family_name").as_deref(), Some("Liddell"));

    let (code, msg) = err(c
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("sub", "x"))
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "Attributes did not conform to the schema: sub: Attribute cannot be updated."
    );
    let (code, msg) = err(c
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("custom:nothing", "x"))
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "Attributes did not conform to the schema: custom:nothing: Attribute does not exist in the schema."
    );

    c.admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attribute_names("family_name")
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert!(
        !got.user_attributes()
            .iter()
            .any(|a| a.name() == "family_name")
    );

    c.admin_disable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert!(
        !c.admin_get_user()
            .user_pool_id(&pool)
            .username("alice")
            .send()
            .await
            .unwrap()
            .enabled
    );
    c.admin_enable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert!(
        c.admin_get_user()
            .user_pool_id(&pool)
            .username("alice")
            .send()
            .await
            .unwrap()
            .enabled
    );

    let (code, msg) = err(c
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password("nouppercase1!")
        .permanent(true)
        .send()
        .await);
    assert_eq!(code, "InvalidPasswordException");
    assert_eq!(
        msg,
        "Password does not conform to policy: Password must have uppercase characters"
    );
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password("Correct-Horse-9")
        .permanent(true)
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password("Temporary-Pass-1")
        .permanent(false)
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );

    let (code, msg) = err(c
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"
        )
    );

    // RESEND issues a new temporary password to a user who has not signed in yet.
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap();

    c.admin_delete_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let r = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await;
    let e = r.unwrap_err().into_service_error();
    assert!(e.is_user_not_found_exception());
    assert_eq!(
        aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata::message(&e),
        Some("User does not exist.")
    );
    let (code, msg) = err(c
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
}

#[tokio::test]
async fn email_as_username() {
    let t = start().await;
    let c = &t.client;
    let pool = c
        .create_user_pool()
        .pool_name("email-users")
        .username_attributes(UsernameAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let (code, msg) = err(c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("not-an-email")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("InvalidParameterException", "Username should be an email.")
    );

    let user = c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("erin@example.com")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    let sub = user
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap();
    // The internal username is the sub; the email is an attribute and a sign-in name.
    assert_eq!(user.username(), Some(sub));
    assert!(
        user.attributes()
            .iter()
            .any(|a| a.name() == "email" && a.value() == Some("erin@example.com"))
    );
    let got = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("erin@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), sub);

    let (code, msg) = err(c
        .admin_create_user()
        .user_pool_id(&pool)
        .username("erin@example.com")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "UsernameExistsException",
            "An account with the given email already exists."
        )
    );
}

#[tokio::test]
async fn usernames_are_case_insensitive_unless_configured() {
    let t = start().await;
    let c = &t.client;
    let default_pool = create_pool(c, "ci").await;
    let p = c
        .describe_user_pool()
        .user_pool_id(&default_pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert!(!p.username_configuration.unwrap().case_sensitive);
    c.admin_create_user()
        .user_pool_id(&default_pool)
        .username("Frank")
        .send()
        .await
        .unwrap();
    let (code, _) = err(c
        .admin_create_user()
        .user_pool_id(&default_pool)
        .username("frank")
        .send()
        .await);
    assert_eq!(code, "UsernameExistsException");
    let got = c
        .admin_get_user()
        .user_pool_id(&default_pool)
        .username("FRANK")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), "Frank");

    let sensitive = c
        .create_user_pool()
        .pool_name("cs")
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    c.admin_create_user()
        .user_pool_id(&sensitive)
        .username("Frank")
        .send()
        .await
        .unwrap();
    c.admin_create_user()
        .user_pool_id(&sensitive)
        .username("frank")
        .send()
        .await
        .unwrap();
    let (code, _) = err(c
        .admin_get_user()
        .user_pool_id(&sensitive)
        .username("FRANK")
        .send()
        .await);
    assert_eq!(code, "UserNotFoundException");
}

fn uuid_version(s: &str) -> Option<char> {
    (s.len() == 36
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase() || c == '-'))
    .then(|| s.chars().nth(14))
    .flatten()
}

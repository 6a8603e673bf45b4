//! Where Cognate answered differently from Cognito: each the minimal input that differed.

use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, t};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, NumberAttributeConstraintsType, SchemaAttributeType,
    StringAttributeConstraintsType, VerificationMessageTemplateType,
};

fn email_with_lengths(min: &str, max: &str) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name("email")
        .attribute_data_type("String".into())
        .string_attribute_constraints(
            StringAttributeConstraintsType::builder()
                .min_length(min)
                .max_length(max)
                .build(),
        )
        .build()
}

#[tokio::test]
async fn standard_attribute_constraints_are_checked() {
    let t = t();
    for (min, max, message) in [
        (
            "invalid_value",
            "10",
            "Invalid constraint value invalid_value: must be an integer.",
        ),
        (
            "0",
            "2049",
            "Invalid attribute constraints: maximum length cannot exceed 2048.",
        ),
        (
            "2",
            "1",
            "Invalid attribute constraints: minimum is greater than maximum.",
        ),
    ] {
        let r = t
            .client
            .create_user_pool()
            .pool_name("constraints")
            .schema(email_with_lengths(min, max))
            .send()
            .await;
        assert_cognito_err!(r, InvalidParameterException, message);
    }
    let r = t
        .client
        .create_user_pool()
        .pool_name("constraints")
        .schema(
            SchemaAttributeType::builder()
                .name("updated_at")
                .number_attribute_constraints(
                    NumberAttributeConstraintsType::builder()
                        .min_value("10")
                        .max_value("5")
                        .build(),
                )
                .build(),
        )
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Invalid attribute constraints: minimum is greater than maximum."
    );
}

#[tokio::test]
async fn standard_attribute_cannot_become_developer_only_or_change_type() {
    let t = t();
    let message = "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email";
    let developer_only = SchemaAttributeType::builder()
        .name("email")
        .developer_only_attribute(true)
        .build();
    let r = t
        .client
        .create_user_pool()
        .pool_name("dev-only")
        .schema(developer_only)
        .send()
        .await;
    assert_cognito_err!(r, InvalidParameterException, message);
    let number = SchemaAttributeType::builder()
        .name("email")
        .attribute_data_type("Number".into())
        .build();
    let r = t
        .client
        .create_user_pool()
        .pool_name("dev-only")
        .schema(number)
        .send()
        .await;
    assert_cognito_err!(r, InvalidParameterException, message);
}

#[tokio::test]
async fn verification_flags_take_any_case_and_are_stored_lower_case() {
    let t = t();
    let pool = t.pool().await;
    t.user(
        &pool,
        "alice",
        &[("email", "alice@example.com"), ("email_verified", "True")],
    )
    .await;
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let flag = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email_verified")
        .unwrap();
    assert_eq!(flag.value(), Some("true"));
}

#[tokio::test]
async fn admin_initiate_auth_refuses_user_password_auth() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user(&pool, "alice", &[]).await;
    let r = t
        .client
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Initiate Auth method not supported."
    );
}

#[tokio::test]
async fn initiate_auth_refuses_the_admin_flows() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    for flow in [
        AuthFlowType::AdminUserPasswordAuth,
        AuthFlowType::AdminNoSrpAuth,
    ] {
        let r = t
            .client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(flow)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await;
        assert_cognito_err!(
            r,
            InvalidParameterException,
            "Initiate Auth method not supported."
        );
    }
}

#[tokio::test]
async fn verification_template_with_code_and_link_messages_is_refused() {
    let t = t();
    let template = VerificationMessageTemplateType::builder()
        .email_message("Your code is {####}")
        .email_message_by_link("Click {##here##}")
        .build();
    let r = t
        .client
        .create_user_pool()
        .pool_name("both")
        .verification_message_template(template.clone())
        .send()
        .await;
    assert_cognito_err!(r, InvalidParameterException, "The message is invalid.");
    let pool = t.pool().await;
    let r = t
        .client
        .update_user_pool()
        .user_pool_id(&pool)
        .verification_message_template(template)
        .send()
        .await;
    assert_cognito_err!(r, InvalidParameterException, "The message is invalid.");
}

/// A known oddity of Cognito, matched on purpose (docs/compatibility.md).
#[tokio::test]
async fn list_users_refuses_attributes_some_listed_users_lack() {
    let t = t();
    let pool = t.pool().await;
    t.user(&pool, "ada", &[("given_name", "Ada")]).await;
    t.user(&pool, "bob", &[]).await;
    let r = t
        .client
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("given_name")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "One or more requested attributes do not exist."
    );
    let only_ada = t
        .client
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("given_name")
        .filter("username = \"ada\"")
        .send()
        .await
        .unwrap();
    assert_eq!(only_ada.users().len(), 1);
}

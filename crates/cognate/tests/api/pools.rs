use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, PasswordPolicyType, SchemaAttributeType, StringAttributeConstraintsType,
    UserPoolPolicyType, UsernameConfigurationType,
};

#[tokio::test]
async fn create_describe_update_list_delete() {
    let t = start().await;
    let c = &t.client;
    let created = c
        .create_user_pool()
        .pool_name("guide-pool")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_symbols(false)
                        .temporary_password_validity_days(3)
                        .build(),
                )
                .build(),
        )
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .auto_verified_attributes("email".into())
        .alias_attributes("email".into())
        .user_pool_tags("team", "identity")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let id = created.id.clone().unwrap();
    assert!(id.starts_with("us-east-1_"), "{id}");
    assert_eq!(id.len(), "us-east-1_".len() + 9);
    assert_eq!(
        created.arn.as_deref(),
        Some(format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}").as_str())
    );
    let policy = created
        .policies
        .as_ref()
        .unwrap()
        .password_policy
        .as_ref()
        .unwrap();
    assert_eq!(policy.minimum_length, Some(10));
    assert!(!policy.require_symbols);
    assert_eq!(policy.temporary_password_validity_days, 3);
    assert!(created.creation_date.is_some());
    assert!(
        created
            .schema_attributes()
            .iter()
            .any(|a| a.name() == Some("email"))
    );
    assert!(
        created
            .schema_attributes()
            .iter()
            .any(|a| a.name() == Some("sub") && a.required() == Some(true))
    );

    let described = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(described.name(), Some("guide-pool"));
    assert_eq!(described.estimated_number_of_users, 0);
    assert!(!described.username_configuration.unwrap().case_sensitive);
    assert_eq!(
        described
            .user_pool_tags
            .unwrap()
            .get("team")
            .map(String::as_str),
        Some("identity")
    );

    // UpdateUserPool resets what it does not name, as Cognito does.
    c.update_user_pool()
        .user_pool_id(&id)
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Off)
        .send()
        .await
        .unwrap();
    let updated = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(
        updated
            .policies
            .unwrap()
            .password_policy
            .unwrap()
            .minimum_length,
        Some(8)
    );
    assert!(updated.last_modified_date.unwrap() >= updated.creation_date.unwrap());

    for i in 0..3 {
        create_pool(c, &format!("extra-{i}")).await;
    }
    let first = c.list_user_pools().max_results(3).send().await.unwrap();
    assert_eq!(first.user_pools().len(), 3);
    let token = first.next_token().expect("a second page").to_owned();
    let second = c
        .list_user_pools()
        .max_results(3)
        .next_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.user_pools().len(), 1);
    assert!(second.next_token().is_none());

    c.delete_user_pool().user_pool_id(&id).send().await.unwrap();
    let (code, msg) = err(c.describe_user_pool().user_pool_id(&id).send().await);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(msg, format!("User pool {id} does not exist."));
}

#[tokio::test]
async fn errors_and_validation() {
    let t = start().await;
    let c = &t.client;
    let (code, msg) = err(c
        .describe_user_pool()
        .user_pool_id("us-east-1_nothere00")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "User pool us-east-1_nothere00 does not exist."
        )
    );

    let (code, msg) = err(c
        .create_user_pool()
        .pool_name("both")
        .alias_attributes("email".into())
        .username_attributes("email".into())
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
    );

    let (code, msg) = err(c
        .create_user_pool()
        .pool_name("p")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(5).build())
                .build(),
        )
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"
    );

    let id = create_pool(c, "protected").await;
    c.update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(aws_sdk_cognitoidentityprovider::types::DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();
    let (code, _) = err(c.delete_user_pool().user_pool_id(&id).send().await);
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn custom_attributes() {
    let t = start().await;
    let c = &t.client;
    let id = c
        .create_user_pool()
        .pool_name("custom")
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::Number)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    c.add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("department")
                .attribute_data_type(AttributeDataType::String)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .min_length("1")
                        .max_length("16")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let names: Vec<_> = pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .collect();
    assert!(
        names.contains(&"custom:tier") && names.contains(&"custom:department"),
        "{names:?}"
    );

    let (code, msg) = err(c
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(SchemaAttributeType::builder().name("department").build())
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "Existing attribute already has name custom:department."
    );

    // Values are checked against the custom attribute's type and constraints.
    let (code, msg) = err(c
        .admin_create_user()
        .user_pool_id(&id)
        .username("carol")
        .user_attributes(attr("custom:department", "a-name-that-is-far-too-long"))
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("custom:department"), "{msg}");
    c.admin_create_user()
        .user_pool_id(&id)
        .username("carol")
        .user_attributes(attr("custom:department", "sales"))
        .user_attributes(attr("custom:tier", "3"))
        .send()
        .await
        .unwrap();
    let u = c
        .admin_get_user()
        .user_pool_id(&id)
        .username("carol")
        .send()
        .await
        .unwrap();
    assert!(
        u.user_attributes()
            .iter()
            .any(|a| a.name() == "custom:tier" && a.value() == Some("3"))
    );
}

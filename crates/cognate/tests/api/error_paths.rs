//! At least one error path, with its exact Cognito type and message, for every operation
//! whose other tests cover only the happy path.

use crate::common::*;

const NO_POOL: &str = "us-east-1_nothere00";

fn no_pool() -> (String, String) {
    (
        "ResourceNotFoundException".into(),
        format!("User pool {NO_POOL} does not exist."),
    )
}

fn user_not_found() -> (String, String) {
    (
        "UserNotFoundException".into(),
        "User does not exist.".into(),
    )
}

fn group_not_found() -> (String, String) {
    (
        "ResourceNotFoundException".into(),
        "Group not found.".into(),
    )
}

#[tokio::test]
async fn pool_client_and_domain_operations() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "errors").await;
    let missing_client = "0000000000000000000000000a";
    let no_client = (
        "ResourceNotFoundException".to_owned(),
        format!("User pool client {missing_client} does not exist."),
    );

    assert_eq!(
        err(c.update_user_pool().user_pool_id(NO_POOL).send().await),
        no_pool()
    );
    assert_eq!(
        err(c
            .list_user_pool_clients()
            .user_pool_id(NO_POOL)
            .send()
            .await),
        no_pool()
    );
    assert_eq!(
        err(c
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(missing_client)
            .send()
            .await),
        no_client
    );
    assert_eq!(
        err(c
            .delete_user_pool_client()
            .user_pool_id(&pool)
            .client_id(missing_client)
            .send()
            .await),
        no_client
    );
    assert_eq!(
        err(c
            .list_user_pool_client_secrets()
            .user_pool_id(&pool)
            .client_id(missing_client)
            .send()
            .await),
        no_client
    );
    assert_eq!(
        err(c
            .update_user_pool_domain()
            .user_pool_id(&pool)
            .domain("not-mine")
            .send()
            .await),
        (
            "InvalidParameterException".to_owned(),
            "No such domain or user pool exists.".to_owned()
        )
    );
    assert_eq!(
        err(c
            .add_custom_attributes()
            .user_pool_id(NO_POOL)
            .custom_attributes(
                aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                    .name("x")
                    .build()
            )
            .send()
            .await),
        no_pool()
    );
}

#[tokio::test]
async fn user_operations() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "errors").await;
    assert_eq!(
        err(c
            .admin_disable_user()
            .user_pool_id(&pool)
            .username("ghost")
            .send()
            .await),
        user_not_found()
    );
    assert_eq!(
        err(c
            .admin_enable_user()
            .user_pool_id(&pool)
            .username("ghost")
            .send()
            .await),
        user_not_found()
    );
    assert_eq!(
        err(c
            .admin_delete_user_attributes()
            .user_pool_id(&pool)
            .username("ghost")
            .user_attribute_names("name")
            .send()
            .await),
        user_not_found()
    );
    assert_eq!(
        err(c
            .admin_set_user_password()
            .user_pool_id(&pool)
            .username("ghost")
            .password("Abcdef-12345")
            .send()
            .await),
        user_not_found()
    );
    assert_eq!(
        err(c
            .admin_confirm_sign_up()
            .user_pool_id(&pool)
            .username("ghost")
            .send()
            .await),
        user_not_found()
    );
    assert_eq!(
        err(c.list_users().user_pool_id(NO_POOL).send().await),
        no_pool()
    );
    assert_eq!(
        err(c
            .admin_get_user()
            .user_pool_id(NO_POOL)
            .username("x")
            .send()
            .await),
        no_pool()
    );

    c.admin_create_user()
        .user_pool_id(&pool)
        .username("hal")
        .send()
        .await
        .unwrap();
    assert_eq!(
        err(c
            .admin_delete_user_attributes()
            .user_pool_id(&pool)
            .username("hal")
            .user_attribute_names("sub")
            .send()
            .await),
        (
            "InvalidParameterException".to_owned(),
            "Attributes did not conform to the schema: sub: The attribute is required".to_owned()
        )
    );
    assert_eq!(
        err(c
            .admin_create_user()
            .user_pool_id(&pool)
            .username("ivy")
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Resend)
            .send()
            .await),
        user_not_found()
    );
    assert_eq!(
        err(c
            .admin_create_user()
            .user_pool_id(&pool)
            .username("bad")
            .user_attributes(attr("email", "no-at-sign"))
            .send()
            .await),
        (
            "InvalidParameterException".to_owned(),
            "Invalid email address format.".to_owned()
        )
    );
}

#[tokio::test]
async fn group_and_tag_operations() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "errors").await;
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("jo")
        .send()
        .await
        .unwrap();
    assert_eq!(
        err(c
            .update_group()
            .user_pool_id(&pool)
            .group_name("none")
            .description("d")
            .send()
            .await),
        group_not_found()
    );
    assert_eq!(
        err(c.list_groups().user_pool_id(NO_POOL).send().await),
        no_pool()
    );
    assert_eq!(
        err(c
            .admin_remove_user_from_group()
            .user_pool_id(&pool)
            .username("jo")
            .group_name("none")
            .send()
            .await),
        group_not_found()
    );
    assert_eq!(
        err(c
            .admin_list_groups_for_user()
            .user_pool_id(&pool)
            .username("ghost")
            .send()
            .await),
        user_not_found()
    );
    assert_eq!(
        err(c
            .list_users_in_group()
            .user_pool_id(&pool)
            .group_name("none")
            .send()
            .await),
        group_not_found()
    );
    assert_eq!(
        err(c
            .create_group()
            .user_pool_id(NO_POOL)
            .group_name("g")
            .send()
            .await),
        no_pool()
    );

    let foreign = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_nothere00";
    assert_eq!(
        err(c
            .tag_resource()
            .resource_arn(foreign)
            .tags("k", "v")
            .send()
            .await),
        no_pool()
    );
    assert_eq!(
        err(c
            .untag_resource()
            .resource_arn(foreign)
            .tag_keys("k")
            .send()
            .await),
        no_pool()
    );
    let (code, _) = err(c
        .tag_resource()
        .resource_arn("not-an-arn")
        .tags("k", "v")
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
}

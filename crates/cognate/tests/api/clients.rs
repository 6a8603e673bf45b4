use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, OAuthFlowType, TimeUnitsType, TokenValidityUnitsType,
};

#[tokio::test]
async fn confidential_client_of_the_setup_guide() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "guide").await;
    let created = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("seed-app")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls("http://localhost:5000/postlogin")
        .logout_urls("http://localhost:5000/postlogout")
        .supported_identity_providers("COGNITO")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .access_token_validity(30)
        .id_token_validity(30)
        .refresh_token_validity(7)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Minutes)
                .refresh_token(TimeUnitsType::Days)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = created.client_id.clone().unwrap();
    assert_eq!(id.len(), 26);
    assert!(
        id.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit())
    );
    let secret = created.client_secret.clone().unwrap();
    assert!(secret.len() >= 40);
    assert_eq!(created.callback_urls(), ["http://localhost:5000/postlogin"]);
    assert_eq!(created.allowed_o_auth_flows_user_pool_client, Some(true));
    assert_eq!(created.enable_token_revocation, Some(true));
    assert_eq!(created.auth_session_validity, Some(3));

    // The secret comes back from DescribeUserPoolClient (it is encrypted at rest, not hashed).
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(described.client_secret.as_deref(), Some(secret.as_str()));
    assert_eq!(described.access_token_validity, Some(30));
    assert_eq!(
        described.token_validity_units.unwrap().access_token,
        Some(TimeUnitsType::Minutes)
    );

    let updated = c
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_name("renamed")
        .refresh_token_validity(30)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(updated.client_name(), Some("renamed"));
    assert_eq!(updated.client_secret.as_deref(), Some(secret.as_str()));
    // Cognito resets omitted members on update.
    assert!(updated.callback_urls().is_empty());

    let public = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("spa")
        .send()
        .await
        .unwrap();
    let public = public.user_pool_client.unwrap();
    assert!(public.client_secret.is_none());
    assert_eq!(
        public.explicit_auth_flows().len(),
        3,
        "Cognito's default flows"
    );

    let page1 = c
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page1.user_pool_clients().len(), 1);
    let page2 = c
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(1)
        .next_token(page1.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page2.user_pool_clients().len(), 1);
    assert!(page2.next_token().is_none());

    c.delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap();
    let (code, msg) = err(c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(msg, format!("User pool client {id} does not exist."));
}

#[tokio::test]
async fn client_validation_errors() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "v").await;
    let base = || {
        c.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("x")
    };

    let (code, msg) = err(base().callback_urls("http://example.com/cb").send().await);
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("http://example.com/cb"), "{msg}");

    let (code, msg) = err(base()
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_flows_user_pool_client(true)
        .send()
        .await);
    assert_eq!(code, "InvalidOAuthFlowException");
    assert_eq!(
        msg,
        "client_credentials flow can not be selected if client does not have a client secret."
    );

    let (code, msg) = err(base()
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("orders/read")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls("https://app.example.com/cb")
        .send()
        .await);
    assert_eq!(code, "ScopeDoesNotExistException");
    assert_eq!(msg, "Invalid scope requested: orders/read");

    let (code, msg) = err(base()
        .access_token_validity(2)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .build(),
        )
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Invalid range for token validity."
        )
    );

    let (code, msg) = err(base().read_attributes("custom:nothere").send().await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "Invalid read attributes specified while creating a client"
    );

    let (code, msg) = err(c
        .create_user_pool_client()
        .user_pool_id("us-east-1_nothere00")
        .client_name("x")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "User pool us-east-1_nothere00 does not exist."
        )
    );
}

#[tokio::test]
async fn secret_rotation() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "rot").await;
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("conf")
        .generate_secret(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = client.client_id().unwrap();
    let list = c
        .list_user_pool_client_secrets()
        .user_pool_id(&pool)
        .client_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(list.client_secrets().len(), 1);
    let original = list.client_secrets()[0]
        .client_secret_id()
        .unwrap()
        .to_owned();
    assert!(
        list.client_secrets()[0].client_secret_value().is_none(),
        "listing never shows values"
    );

    let added = c
        .add_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(id)
        .send()
        .await
        .unwrap()
        .client_secret_descriptor
        .unwrap();
    assert!(added.client_secret_value().is_some());
    let (code, _) = err(c
        .add_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(id)
        .send()
        .await);
    assert_eq!(code, "LimitExceededException");

    c.delete_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(id)
        .client_secret_id(&original)
        .send()
        .await
        .unwrap();
    let list = c
        .list_user_pool_client_secrets()
        .user_pool_id(&pool)
        .client_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(list.client_secrets().len(), 1);
    assert_eq!(
        list.client_secrets()[0].client_secret_id(),
        added.client_secret_id()
    );
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client.unwrap().client_secret(),
        added.client_secret_value()
    );

    let (code, msg) = err(c
        .delete_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(id)
        .client_secret_id(added.client_secret_id().unwrap())
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(msg, "The only client secret of a client cannot be deleted.");
}

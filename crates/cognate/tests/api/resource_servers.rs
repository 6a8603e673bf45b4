//! Resource servers: custom scopes, their pagination, their use by app clients, and their
//! removal with the pool.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};

fn scope(name: &str, description: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(description)
        .build()
        .unwrap()
}

async fn create_server(c: &Client, pool: &str, identifier: &str, scopes: &[&str]) {
    let mut req = c
        .create_resource_server()
        .user_pool_id(pool)
        .identifier(identifier)
        .name("api");
    for s in scopes {
        req = req.scopes(scope(s, &format!("{s} access")));
    }
    req.send().await.expect("create resource server");
}

#[tokio::test]
async fn create_describe_update_delete() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "resource-servers").await;

    let created = c
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("https://orders.example.com")
        .name("Orders API")
        .scopes(scope("read", "Read orders"))
        .scopes(scope("write", "Create and change orders"))
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(created.user_pool_id(), Some(pool.as_str()));
    assert_eq!(created.identifier(), Some("https://orders.example.com"));
    assert_eq!(created.name(), Some("Orders API"));
    let names: Vec<_> = created.scopes().iter().map(|s| s.scope_name()).collect();
    assert_eq!(names, ["read", "write"]);
    assert_eq!(
        created.scopes()[1].scope_description(),
        "Create and change orders"
    );

    let (code, msg) = err(c
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("https://orders.example.com")
        .name("Again")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "A resource server with identifier https://orders.example.com already exists."
        )
    );
    let (code, msg) = err(c
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("dup")
        .name("dup")
        .scopes(scope("read", "a"))
        .scopes(scope("read", "b"))
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "Duplicate scope name read in the resource server."
        )
    );
    // The scope name may not contain a slash: the model's pattern excludes it.
    let (code, msg) = err(c
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("bad")
        .name("bad")
        .scopes(scope("a/b", "x"))
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert!(
        msg.contains("at 'scopes.1.member.scopeName' failed to satisfy constraint"),
        "{msg}"
    );

    let described = c
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("https://orders.example.com")
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(described, created);

    // Update replaces the name and the scopes; omitted scopes mean none.
    let updated = c
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier("https://orders.example.com")
        .name("Orders")
        .scopes(scope("admin", "Everything"))
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(updated.name(), Some("Orders"));
    let names: Vec<_> = updated.scopes().iter().map(|s| s.scope_name()).collect();
    assert_eq!(names, ["admin"]);
    let cleared = c
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier("https://orders.example.com")
        .name("Orders")
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert!(cleared.scopes().is_empty());

    let not_found = (
        "ResourceNotFoundException".to_owned(),
        "Resource server nothere does not exist.".to_owned(),
    );
    assert_eq!(
        err(c
            .describe_resource_server()
            .user_pool_id(&pool)
            .identifier("nothere")
            .send()
            .await),
        not_found
    );
    assert_eq!(
        err(c
            .update_resource_server()
            .user_pool_id(&pool)
            .identifier("nothere")
            .name("x")
            .send()
            .await),
        not_found
    );
    assert_eq!(
        err(c
            .delete_resource_server()
            .user_pool_id(&pool)
            .identifier("nothere")
            .send()
            .await),
        not_found
    );
    let no_pool = (
        "ResourceNotFoundException".to_owned(),
        "User pool us-east-1_nothere00 does not exist.".to_owned(),
    );
    assert_eq!(
        err(c
            .create_resource_server()
            .user_pool_id("us-east-1_nothere00")
            .identifier("x")
            .name("x")
            .send()
            .await),
        no_pool
    );
    assert_eq!(
        err(c
            .list_resource_servers()
            .user_pool_id("us-east-1_nothere00")
            .send()
            .await),
        no_pool
    );

    c.delete_resource_server()
        .user_pool_id(&pool)
        .identifier("https://orders.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        err(c
            .describe_resource_server()
            .user_pool_id(&pool)
            .identifier("https://orders.example.com")
            .send()
            .await)
        .0,
        "ResourceNotFoundException"
    );
}

#[tokio::test]
async fn list_pages_through_every_server() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "rs-pages").await;
    let other = create_pool(c, "rs-other").await;
    create_server(c, &other, "elsewhere", &["x"]).await;

    let empty = c
        .list_resource_servers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(empty.resource_servers().is_empty());
    assert!(empty.next_token().is_none());

    let mut expected: Vec<String> = (0..7).map(|i| format!("api-{i}")).collect();
    for id in expected.iter().rev() {
        create_server(c, &pool, id, &["read"]).await;
    }
    expected.sort();

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = c
            .list_resource_servers()
            .user_pool_id(&pool)
            .max_results(3)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.resource_servers().len() <= 3);
        seen.extend(
            page.resource_servers()
                .iter()
                .map(|s| s.identifier().unwrap().to_owned()),
        );
        match page.next_token() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen, expected,
        "every server once, in order, none of the other pool"
    );
    assert_eq!(pages, 3);

    let all = c
        .list_resource_servers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(all.resource_servers().len(), 7, "MaxResults defaults to 50");
    assert!(all.next_token().is_none());

    let (code, msg) = err(c
        .list_resource_servers()
        .user_pool_id(&pool)
        .max_results(51)
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"
        )
    );
    let (code, msg) = err(c
        .list_resource_servers()
        .user_pool_id(&pool)
        .next_token("forged")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("InvalidParameterException", "Invalid pagination token.")
    );
}

#[tokio::test]
async fn app_clients_may_name_existing_custom_scopes() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "rs-clients").await;
    create_server(c, &pool, "orders", &["read", "write"]).await;
    let client = || {
        c.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("m2m")
            .generate_secret(true)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_flows_user_pool_client(true)
    };

    let created = client()
        .allowed_o_auth_scopes("orders/read")
        .allowed_o_auth_scopes("orders/write")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        created.allowed_o_auth_scopes(),
        ["orders/read", "orders/write"]
    );

    // A scope the server does not define, or a server that does not exist, is refused.
    for missing in ["orders/delete", "billing/read"] {
        let (code, msg) = err(client().allowed_o_auth_scopes(missing).send().await);
        assert_eq!(
            (code.as_str(), msg.as_str()),
            (
                "ScopeDoesNotExistException",
                format!("Invalid scope requested: {missing}").as_str()
            )
        );
    }

    // Updates are checked the same way, against the servers as they are now.
    let id = created.client_id().unwrap();
    let update = || {
        c.update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(id)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_flows_user_pool_client(true)
    };
    create_server(c, &pool, "https://billing.example.com", &["read"]).await;
    let updated = update()
        .allowed_o_auth_scopes("https://billing.example.com/read")
        .allowed_o_auth_scopes("orders/read")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        updated.allowed_o_auth_scopes(),
        ["https://billing.example.com/read", "orders/read"]
    );
    let (code, _) = err(update()
        .allowed_o_auth_scopes("https://billing.example.com/write")
        .send()
        .await);
    assert_eq!(code, "ScopeDoesNotExistException");

    // Scopes of another pool's servers are not this pool's.
    let other = create_pool(c, "rs-clients-other").await;
    let (code, msg) = err(c
        .create_user_pool_client()
        .user_pool_id(&other)
        .client_name("x")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .callback_urls("https://app.example.com/cb")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("orders/read")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ScopeDoesNotExistException",
            "Invalid scope requested: orders/read"
        )
    );

    // What the OAuth endpoints will offer for client_credentials.
    let scopes = t
        .server
        .cognito
        .resource_server_scopes(&pool)
        .await
        .unwrap();
    assert_eq!(
        scopes,
        [
            "https://billing.example.com/read",
            "orders/read",
            "orders/write"
        ]
    );

    // Deleting a server leaves the clients that named its scopes alone.
    c.delete_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .send()
        .await
        .unwrap();
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        described.allowed_o_auth_scopes(),
        ["https://billing.example.com/read", "orders/read"]
    );
    assert_eq!(
        t.server
            .cognito
            .resource_server_scopes(&pool)
            .await
            .unwrap(),
        ["https://billing.example.com/read"]
    );
}

#[tokio::test]
async fn deleting_the_pool_deletes_its_servers() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "rs-cascade").await;
    create_server(c, &pool, "orders", &["read"]).await;
    create_server(c, &pool, "billing", &["read"]).await;
    c.delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(
        t.server
            .cognito
            .resource_server_scopes(&pool)
            .await
            .unwrap()
            .is_empty()
    );
    let (code, _) = err(c
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .send()
        .await);
    assert_eq!(code, "ResourceNotFoundException");
}

//! Concurrent reads and writes on the store a team's own test suite uses (`--in-memory`) never
//! answer 500 "database is locked": the same guarantees as the file store.

use crate::common::{PASSWORD, config, create_user, start_with_config};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognate::config::Storage;
use std::sync::Arc;

#[tokio::test]
async fn in_memory_store_answers_concurrent_writes_and_reads_without_server_errors() {
    let t = start_with_config(config(Storage::InMemory)).await;
    let c = Arc::new(t.client.clone());
    let pool = crate::common::create_pool(&c, "load").await;
    let pool_arn = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .arn
        .unwrap();
    let client_id = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("load")
        .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    create_user(&c, &pool, "signer", &[]).await;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1200usize {
        let (c, pool, arn, client_id) =
            (c.clone(), pool.clone(), pool_arn.clone(), client_id.clone());
        tasks.spawn(async move {
            let failed = |e: &dyn std::fmt::Debug| format!("request {i}: {e:?}");
            match i % 6 {
                0 => c
                    .admin_create_user()
                    .user_pool_id(&pool)
                    .username(format!("user-{i}"))
                    .message_action(
                        aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress,
                    )
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&e)),
                1 => c
                    .list_tags_for_resource()
                    .resource_arn(&arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&e)),
                2 if i % 24 == 2 => c
                    .admin_initiate_auth()
                    .user_pool_id(&pool)
                    .client_id(&client_id)
                    .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                    .auth_parameters("USERNAME", "signer")
                    .auth_parameters("PASSWORD", PASSWORD)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&e)),
                3 => c
                    .tag_resource()
                    .resource_arn(&arn)
                    .tags(format!("k{}", i % 10), format!("v{i}"))
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&e)),
                4 => c
                    .list_users()
                    .user_pool_id(&pool)
                    .limit(10)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&e)),
                _ => c
                    .admin_get_user()
                    .user_pool_id(&pool)
                    .username("signer")
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&e)),
            }
        });
        // Keep about 64 in flight.
        while tasks.len() >= 64 {
            tasks.join_next().await.unwrap().unwrap().unwrap();
        }
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().unwrap();
    }
}

use crate::common::*;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::MessageActionType;

async fn all_users(c: &Client, pool: &str, filter: Option<&str>, limit: i32) -> Vec<String> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut req = c.list_users().user_pool_id(pool).limit(limit);
        if let Some(f) = filter {
            req = req.filter(f);
        }
        if let Some(t) = token.take() {
            req = req.pagination_token(t);
        }
        let page = req.send().await.unwrap();
        assert!(page.users().len() <= limit as usize);
        names.extend(
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_owned()),
        );
        match page.pagination_token() {
            Some(t) => token = Some(t.to_owned()),
            None => return names,
        }
    }
}

#[tokio::test]
async fn filters_and_pagination_over_three_hundred_users() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "many").await;
    for i in 0..300 {
        let family = if i % 3 == 0 { "Reddy" } else { "Smith" };
        c.admin_create_user()
            .user_pool_id(&pool)
            .username(format!("user{i:03}"))
            .user_attributes(attr(
                "email",
                &format!(
                    "user{i:03}@{}.example.com",
                    if i < 100 { "alpha" } else { "beta" }
                ),
            ))
            .user_attributes(attr("family_name", family))
            .user_attributes(attr("given_name", &format!("Given{i}")))
            .message_action(MessageActionType::Suppress)
            .temporary_password("Temp-Pass-123")
            .send()
            .await
            .unwrap();
    }
    c.admin_disable_user()
        .user_pool_id(&pool)
        .username("user007")
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("user008")
        .password("Perm-Pass-123")
        .permanent(true)
        .send()
        .await
        .unwrap();

    let all = all_users(c, &pool, None, 60).await;
    assert_eq!(all.len(), 300);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 300, "no user repeated across pages");

    assert_eq!(
        all_users(c, &pool, Some("family_name = \"Reddy\""), 17)
            .await
            .len(),
        100
    );
    assert_eq!(
        all_users(c, &pool, Some("email ^= \"user1\""), 60)
            .await
            .len(),
        100
    );
    assert_eq!(
        all_users(c, &pool, Some("email^=\"user00\""), 5)
            .await
            .len(),
        10
    );
    assert_eq!(
        all_users(c, &pool, Some("username = \"user042\""), 60).await,
        vec!["user042"]
    );
    assert_eq!(
        all_users(c, &pool, Some("given_name ^= \"Given29\""), 60)
            .await
            .len(),
        11
    );
    assert_eq!(
        all_users(c, &pool, Some("status = \"Disabled\""), 60).await,
        vec!["user007"]
    );
    assert_eq!(
        all_users(c, &pool, Some("cognito:user_status = \"CONFIRMED\""), 60).await,
        vec!["user008"]
    );
    assert_eq!(
        all_users(
            c,
            &pool,
            Some("cognito:user_status = \"force_change_password\""),
            60
        )
        .await
        .len(),
        299
    );
    assert!(
        all_users(c, &pool, Some("email = \"nobody@example.com\""), 60)
            .await
            .is_empty()
    );
    assert_eq!(all_users(c, &pool, Some(""), 60).await.len(), 300);

    let sub = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("user123")
        .send()
        .await
        .unwrap();
    let sub = sub
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_owned();
    assert_eq!(
        all_users(c, &pool, Some(&format!("sub = \"{sub}\"")), 60).await,
        vec!["user123"]
    );

    // AttributesToGet narrows the attributes returned.
    let page = c
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("email")
        .limit(2)
        .send()
        .await
        .unwrap();
    for u in page.users() {
        let names: Vec<_> = u.attributes().iter().map(|a| a.name()).collect();
        assert_eq!(names, ["email"]);
    }

    for bad in [
        "email",
        "email = nobody",
        "custom:tier = \"1\"",
        "email ~= \"x\"",
    ] {
        let (code, msg) = err(c.list_users().user_pool_id(&pool).filter(bad).send().await);
        assert_eq!(
            (code.as_str(), msg.as_str()),
            ("InvalidParameterException", "Error while parsing filter."),
            "{bad}"
        );
    }
    let (code, msg) = err(c
        .list_users()
        .user_pool_id(&pool)
        .pagination_token("forged")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("InvalidParameterException", "Invalid pagination token.")
    );
    let (code, msg) = err(c.list_users().user_pool_id(&pool).limit(61).send().await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
    );
}

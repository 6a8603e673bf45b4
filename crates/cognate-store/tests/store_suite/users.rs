//! Users: look-ups by key and alias, and ListUsers filters.

use super::*;

#[tokio::test]
async fn users_lookups_and_filters() {
    let (stores, _dir) = backends().await;
    for (backend, s) in stores {
        let p = "us-east-1_p";
        s.insert_pool(&pool(p)).await.unwrap();
        s.insert_user(&user(
            p,
            "Alice",
            "sub-a",
            &[("email", "Alice@Example.com"), ("family_name", "Liddell")],
        ))
        .await
        .unwrap();
        s.insert_user(&user(
            p,
            "bob",
            "sub-b",
            &[("email", "bob@example.com"), ("phone_number", "+15550001")],
        ))
        .await
        .unwrap();
        s.insert_user(&user(
            p,
            "carl",
            "sub-c",
            &[
                ("email", "carl@example.org"),
                ("preferred_username", "Charlie"),
            ],
        ))
        .await
        .unwrap();
        assert!(
            matches!(
                s.insert_user(&user(p, "ALICE", "sub-x", &[])).await,
                Err(StoreError::Conflict(_))
            ),
            "{backend}"
        );
        assert!(
            matches!(
                s.insert_user(&user(p, "dora", "sub-a", &[])).await,
                Err(StoreError::Conflict(_))
            ),
            "{backend}"
        );
        assert_eq!(s.count_users(p).await.unwrap(), 3);

        assert_eq!(
            s.get_user(p, "alice").await.unwrap().unwrap().username,
            "Alice",
            "{backend}"
        );
        let by = |attr: &'static str, v: &'static str, fold: bool| {
            let s = s.clone();
            async move {
                s.find_users_by_attribute(p, attr, v, fold)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|u| u.username)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            by("email", "alice@example.com", true).await,
            ["Alice"],
            "{backend}"
        );
        assert!(
            by("email", "alice@example.com", false).await.is_empty(),
            "{backend}"
        );
        assert_eq!(by("phone_number", "+15550001", false).await, ["bob"]);
        assert_eq!(by("preferred_username", "charlie", true).await, ["carl"]);
        assert_eq!(by("sub", "sub-c", false).await, ["carl"]);

        let list = |f: Option<UserFilter>, after: Option<&'static str>, limit: usize| {
            let s = s.clone();
            async move {
                s.list_users(p, f.as_ref(), after, limit)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|u| u.username)
                    .collect::<Vec<_>>()
            }
        };
        let parse = |f: &str| user_filter::parse(f).unwrap();
        assert_eq!(
            list(None, None, 10).await,
            ["Alice", "bob", "carl"],
            "{backend}"
        );
        assert_eq!(list(None, Some("alice"), 1).await, ["bob"], "{backend}");
        assert_eq!(
            list(parse("email ^= \"b\""), None, 10).await,
            ["bob"],
            "{backend}"
        );
        assert_eq!(
            list(parse("email = \"carl@example.org\""), None, 10).await,
            ["carl"],
            "{backend}"
        );
        assert_eq!(
            list(parse("family_name ^= \"\""), None, 10).await,
            ["Alice"],
            "{backend}"
        );
        assert_eq!(
            list(parse("username = \"bob\""), None, 10).await,
            ["bob"],
            "{backend}"
        );

        let mut bob = s.get_user(p, "bob").await.unwrap().unwrap();
        bob.enabled = false;
        bob.set_attr("email", "robert@example.com");
        s.update_user(&bob).await.unwrap();
        assert_eq!(
            list(parse("status = \"Disabled\""), None, 10).await,
            ["bob"],
            "{backend}"
        );
        assert_eq!(
            list(parse("email ^= \"rob\""), None, 10).await,
            ["bob"],
            "{backend}"
        );
        assert!(
            list(parse("email ^= \"bob\""), None, 10).await.is_empty(),
            "{backend}"
        );

        s.insert_group(&group(p, "admins")).await.unwrap();
        s.insert_group(&group(p, "editors")).await.unwrap();
        assert!(matches!(
            s.insert_group(&group(p, "admins")).await,
            Err(StoreError::Conflict(_))
        ));
        s.add_user_to_group(p, "admins", "alice").await.unwrap();
        s.add_user_to_group(p, "admins", "alice").await.unwrap();
        s.add_user_to_group(p, "editors", "alice").await.unwrap();
        s.add_user_to_group(p, "editors", "bob").await.unwrap();
        let groups: Vec<_> = s
            .list_groups_of_user(p, "alice", None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.group_name)
            .collect();
        assert_eq!(groups, ["admins", "editors"], "{backend}");
        let members: Vec<_> = s
            .list_users_in_group(p, "editors", None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(members, ["Alice", "bob"], "{backend}");
        s.delete_user(p, "bob").await.unwrap();
        assert_eq!(
            s.list_users_in_group(p, "editors", None, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        s.remove_user_from_group(p, "editors", "alice")
            .await
            .unwrap();
        assert!(
            s.list_users_in_group(p, "editors", None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        s.delete_group(p, "admins").await.unwrap();
        assert!(
            s.list_groups_of_user(p, "alice", None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(s.list_groups(p, None, 10).await.unwrap().len(), 1);
    }
}

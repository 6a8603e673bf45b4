use crate::common::*;

#[tokio::test]
async fn groups_and_membership() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "groups").await;
    let admin = c
        .create_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .description("Administrators")
        .precedence(1)
        .role_arn("arn:aws:iam::000000000000:role/admin")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(admin.precedence(), Some(1));
    assert!(admin.creation_date().is_some());
    c.create_group()
        .user_pool_id(&pool)
        .group_name("editor")
        .send()
        .await
        .unwrap();
    let (code, msg) = err(c
        .create_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "GroupExistsException",
            "A group with the name admin already exists."
        )
    );

    let g = c
        .get_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(g.description(), Some("Administrators"));
    let updated = c
        .update_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .precedence(0)
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(updated.precedence(), Some(0));
    assert_eq!(
        updated.description(),
        Some("Administrators"),
        "unnamed members are kept"
    );

    let (code, msg) = err(c
        .get_group()
        .user_pool_id(&pool)
        .group_name("nobody")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("ResourceNotFoundException", "Group not found.")
    );

    for u in ["ann", "ben", "cat"] {
        c.admin_create_user()
            .user_pool_id(&pool)
            .username(u)
            .send()
            .await
            .unwrap();
    }
    c.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ann")
        .group_name("admin")
        .send()
        .await
        .unwrap();
    c.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ann")
        .group_name("editor")
        .send()
        .await
        .unwrap();
    c.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ann")
        .group_name("editor")
        .send()
        .await
        .unwrap();
    c.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ben")
        .group_name("editor")
        .send()
        .await
        .unwrap();

    let (code, msg) = err(c
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("zed")
        .group_name("admin")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let (code, msg) = err(c
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ann")
        .group_name("nope")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("ResourceNotFoundException", "Group not found.")
    );

    let of_ann = c
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = of_ann
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["admin", "editor"]);
    let page = c
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("ann")
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.groups().len(), 1);
    assert!(page.next_token().is_some());

    let editors = c
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("editor")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = editors
        .users()
        .iter()
        .filter_map(|u| u.username())
        .collect();
    assert_eq!(names, ["ann", "ben"]);

    let groups = c
        .list_groups()
        .user_pool_id(&pool)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups().len(), 1);
    let rest = c
        .list_groups()
        .user_pool_id(&pool)
        .limit(1)
        .next_token(groups.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.groups()[0].group_name(), Some("editor"));
    assert!(rest.next_token().is_none());

    c.admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("ann")
        .group_name("editor")
        .send()
        .await
        .unwrap();
    let editors = c
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("editor")
        .send()
        .await
        .unwrap();
    assert_eq!(editors.users().len(), 1);

    // Deleting a group or a user removes the memberships.
    c.delete_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .send()
        .await
        .unwrap();
    let of_ann = c
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert!(of_ann.groups().is_empty());
    c.admin_delete_user()
        .user_pool_id(&pool)
        .username("ben")
        .send()
        .await
        .unwrap();
    let editors = c
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("editor")
        .send()
        .await
        .unwrap();
    assert!(editors.users().is_empty());
    let (code, _) = err(c
        .delete_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .send()
        .await);
    assert_eq!(code, "ResourceNotFoundException");
}

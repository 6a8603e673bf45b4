//! Users and groups in the console: created, found with the ListUsers filter grammar, and
//! changed through the user page's actions, as the API then shows them.

use super::signin::signed_in;
use crate::common::{create_pool, start};
use crate::oauth_support::{hidden, location};

/// The CSRF token of the page's first form after `marker`.
fn token_after(html: &str, marker: &str) -> String {
    hidden(&html[html.find(marker).expect(marker)..], "_csrf")
}

#[tokio::test]
async fn users_and_groups_are_made_found_and_changed_in_the_console() {
    let t = start().await;
    let c = &t.client;
    let base = t.url();
    let pool = create_pool(c, "people").await;
    let (b, _) = signed_in(&base).await;
    let users_url = format!("{base}/console/pools/{pool}/users");
    let html = b
        .get(&users_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("No users found."));
    let csrf = token_after(&html, "<h2>Create user</h2>");
    let post = |form: Vec<(&'static str, String)>| {
        let b = b.clone();
        let url = users_url.clone();
        async move { b.post(url).form(&form).send().await.unwrap() }
    };
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("what", "user".into()),
        ("username", "ada".into()),
        ("email", "ada@example.com".into()),
        ("email_verified", "on".into()),
        ("temporary_password", "Temp-Passw0rd!".into()),
    ])
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("what", "group".into()),
        ("group_name", "admin".into()),
        ("description", "Administrators".into()),
        ("precedence", "1".into()),
    ])
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        location(&r),
        format!("/console/pools/{pool}/users?done=group")
    );
    let said = b
        .get(format!("{base}{}", location(&r)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(said.contains("Group created."));
    let group = c
        .get_group()
        .user_pool_id(&pool)
        .group_name("admin")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(group.precedence(), Some(1));
    // The API's own errors come back on the page; without the token nothing happens.
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("what", "user".into()),
        ("username", "ada".into()),
        ("send_invitation", "on".into()),
    ])
    .await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("User account already exists")
    );
    // No invitation and no password: nobody could ever sign in as that user.
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("what", "user".into()),
        ("username", "bob".into()),
    ])
    .await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Set a temporary password, or send an invitation.")
    );
    let r = post(vec![("what", "user".into()), ("username", "eve".into())]).await;
    assert_eq!(r.status().as_u16(), 403);

    // Found by the filter grammar; a bad filter says why.
    let html = b
        .get(format!("{users_url}?filter=email+%5E%3D+%22ada%22"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("/users/ada\"") && html.contains("FORCE_CHANGE_PASSWORD"),
        "{html}"
    );
    let r = b
        .get(format!("{users_url}?filter=nonsense"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    // The user page's actions.
    let user_url = format!("{users_url}/ada");
    let html = b.get(&user_url).send().await.unwrap().text().await.unwrap();
    let csrf = token_after(&html, "<h2>Actions</h2>");
    let act = |action: &'static str, extra: Vec<(&'static str, String)>| {
        let b = b.clone();
        let url = user_url.clone();
        let mut form = vec![("_csrf", csrf.clone()), ("action", action.to_owned())];
        form.extend(extra);
        async move {
            let r = b.post(&url).form(&form).send().await.unwrap();
            if r.status().as_u16() != 303 {
                return (r.status().as_u16(), r.text().await.unwrap());
            }
            // Done: the page is read again by GET, saying what was done.
            let done = format!("{}{}", url.split("/console").next().unwrap(), location(&r));
            let r = b.get(done).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = act(
        "set_password",
        vec![
            ("password", "Perm-Passw0rd!".into()),
            ("permanent", "on".into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Password set.") && html.contains("CONFIRMED"));
    let (status, html) = act("set_password", vec![("password", "short".into())]).await;
    assert_eq!(status, 400);
    assert!(
        html.contains("Password does not conform to policy"),
        "{html}"
    );
    let (_, html) = act("add_to_group", vec![("group", "admin".into())]).await;
    assert!(html.contains("Added to the group."));
    let (_, html) = act(
        "set_attribute",
        vec![("name", "given_name".into()), ("value", "Ada".into())],
    )
    .await;
    assert!(html.contains("Attribute saved."));
    let (_, html) = act("disable", vec![]).await;
    assert!(html.contains("User disabled.") && html.contains("Enable user"));
    let (_, html) = act("sign_out", vec![]).await;
    assert!(html.contains("Signed out of every session."));

    let user = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert!(!user.enabled());
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "given_name" && a.value() == Some("Ada"))
    );
    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups()[0].group_name(), Some("admin"));
    let html = b
        .get(format!("{base}/console/pools/{pool}/groups/admin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Administrators") && html.contains("/users/ada\""));

    let (status, html) = act("delete", vec![]).await;
    assert_eq!(status, 400);
    assert!(html.contains("Tick the box to confirm deleting the user."));
    let r = b
        .post(&user_url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "delete"),
            ("confirm", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), format!("/console/pools/{pool}/users"));
    assert!(
        c.admin_get_user()
            .user_pool_id(&pool)
            .username("ada")
            .send()
            .await
            .is_err()
    );
}

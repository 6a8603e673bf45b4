//! App clients in the console: made, shown with their secret, and edited without losing the
//! settings the form does not show.

use super::signin::signed_in;
use crate::common::{create_pool, start};
use crate::oauth_support::{hidden, location};
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType as F;

#[tokio::test]
async fn an_app_client_is_made_shown_and_edited_keeping_the_rest() {
    let t = start().await;
    let c = &t.client;
    let base = t.url();
    let pool = create_pool(c, "clients").await;
    let (b, _) = signed_in(&base).await;
    let pool_url = format!("{base}/console/pools/{pool}");
    let html = b.get(&pool_url).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(
        &html[html.find("<h3>Create app client</h3>").unwrap()..],
        "_csrf",
    );
    let r = b
        .post(format!("{pool_url}/clients"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("client_name", "web"),
            ("generate_secret", "on"),
            ("callback_urls", "http://localhost:5000/postlogin"),
            ("sign_out_urls", "http://localhost:5000/postlogout"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let client_page = location(&r);
    let client_id = client_page.rsplit('/').next().unwrap().to_owned();
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let secret = described.client_secret().unwrap().to_owned();
    assert_eq!(described.allowed_o_auth_flows()[0].as_str(), "code");
    let html = b
        .get(format!("{base}{client_page}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&secret) && html.contains("View hosted UI"));

    // A setting the form does not show, made through the API, survives an edit in the console.
    c.update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .client_name("web")
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .allowed_o_auth_flows(described.allowed_o_auth_flows()[0].clone())
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls("http://localhost:5000/postlogin")
        .send()
        .await
        .unwrap();
    let html = b
        .get(format!("{base}{client_page}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(
        &html[html.find("<h2>Edit app client</h2>").unwrap()..],
        "_csrf",
    );
    let r = b
        .post(format!("{base}{client_page}"))
        .form(&[
            ("_csrf", csrf.as_str()),
            (
                "callback_urls",
                "http://localhost:5000/postlogin\nhttps://app.example.com/cb",
            ),
            ("sign_out_urls", "http://localhost:5000/postlogout"),
            ("access_minutes", "2"),
            ("id_minutes", "2"),
            ("refresh_days", "7"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let saved = b
        .get(format!("{base}{}", location(&r)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(saved.contains("Changes saved."));
    let after = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(after.callback_urls().len(), 2);
    assert_eq!(after.access_token_validity(), Some(2));
    assert!(
        after
            .explicit_auth_flows()
            .contains(&F::AllowUserPasswordAuth)
    );
    assert_eq!(after.client_secret(), Some(secret.as_str()));
    // A bad value: the API's message on the page, nothing changed.
    let r = b
        .post(format!("{base}{client_page}"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("callback_urls", "http://example.com/cb"),
            ("access_minutes", "2"),
            ("id_minutes", "2"),
            ("refresh_days", "7"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("is not a valid redirect URL")
    );
}

/// Long lists come a page at a time: app clients on the pool's page, users on theirs.
#[tokio::test]
async fn long_lists_of_clients_and_users_are_paged() {
    let t = start().await;
    let c = &t.client;
    let base = t.url();
    let pool = create_pool(c, "many").await;
    for i in 0..61 {
        c.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name(format!("client-{i:02}"))
            .send()
            .await
            .unwrap();
        c.admin_create_user()
            .user_pool_id(&pool)
            .username(format!("user-{i:02}"))
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    }
    let (b, _) = signed_in(&base).await;
    let get = |url: String| {
        let b = b.clone();
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let count = |html: &str, what: &str| html.matches(what).count();
    let first = get(format!("{base}/console/pools/{pool}")).await;
    assert_eq!(count(&first, ">client-"), 60);
    let next = first
        .split("href=\"/console/pools/")
        .find_map(|s| {
            s.split_once("?clients_next=")
                .map(|(_, rest)| rest.split('"').next().unwrap().to_owned())
        })
        .expect("a next page of app clients");
    let second = get(format!("{base}/console/pools/{pool}?clients_next={next}")).await;
    assert_eq!(count(&second, ">client-"), 1);

    let first = get(format!("{base}/console/pools/{pool}/users")).await;
    assert_eq!(count(&first, ">user-"), 60);
    let next = first
        .split("&amp;next=")
        .nth(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .expect("a next page of users");
    let second = get(format!(
        "{base}/console/pools/{pool}/users?filter=&next={next}"
    ))
    .await;
    assert_eq!(count(&second, ">user-"), 1);
}

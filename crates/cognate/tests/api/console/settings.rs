//! A pool's domain, identity providers and development outbox in the console.

use super::signin::signed_in;
use crate::common::{create_pool, start};
use crate::oauth_support::hidden;

#[tokio::test]
async fn the_domain_providers_and_outbox_of_a_pool() {
    let t = start().await;
    let c = &t.client;
    let base = t.url();
    let pool = create_pool(c, "settings").await;
    // An invitation by email, with no mail server: it waits in the development outbox.
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("ada")
        .user_attributes(crate::common::attr("email", "ada@example.com"))
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let (b, _) = signed_in(&base).await;
    let url = format!("{base}/console/pools/{pool}/settings");
    let html = b.get(&url).send().await.unwrap().text().await.unwrap();
    // The invitation the user was sent, kept in the development outbox.
    assert!(html.contains("ada@example.com"), "{html}");
    let csrf = hidden(&html[html.find("<h1>Domain</h1>").unwrap()..], "_csrf");
    let post = |form: Vec<(&'static str, &str)>| {
        let (b, url) = (b.clone(), url.clone());
        let form: Vec<(&'static str, String)> =
            form.into_iter().map(|(k, v)| (k, v.to_owned())).collect();
        async move {
            let r = b.post(url).form(&form).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = post(vec![
        ("_csrf", &csrf),
        ("action", "create_domain"),
        ("domain", "settings-page"),
    ])
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Domain created.") && html.contains("<strong>settings-page</strong>"));
    let (status, html) = post(vec![
        ("_csrf", &csrf),
        ("action", "create_provider"),
        ("provider_name", "Corp"),
        ("provider_type", "OIDC"),
    ])
    .await;
    assert_eq!(status, 400);
    assert!(html.contains("class=\"error\""), "{html}");
    let details = "client_id=corp-app\nclient_secret=s3cret\nauthorize_scopes=openid email\noidc_issuer=https://idp.example.com\nattributes_request_method=GET";
    let (status, html) = post(vec![
        ("_csrf", &csrf),
        ("action", "create_provider"),
        ("provider_name", "Corp"),
        ("provider_type", "OIDC"),
        ("provider_details", details),
        ("attribute_mapping", "email=email"),
    ])
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Identity provider added.") && html.contains("<td>Corp</td>"));
    let provider = c
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(
        provider.provider_details().unwrap()["client_id"],
        "corp-app"
    );
    assert_eq!(provider.attribute_mapping().unwrap()["email"], "email");
    let (_, html) = post(vec![
        ("_csrf", &csrf),
        ("action", "delete_provider"),
        ("provider_name", "Corp"),
    ])
    .await;
    assert!(html.contains("Identity provider deleted."));
    let (_, html) = post(vec![
        ("_csrf", &csrf),
        ("action", "delete_domain"),
        ("domain", "settings-page"),
    ])
    .await;
    assert!(html.contains("Domain deleted."));
    let described = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool().unwrap().domain(), None);
    let (status, _) = post(vec![("action", "delete_domain"), ("domain", "x")]).await;
    assert_eq!(status, 403);
}

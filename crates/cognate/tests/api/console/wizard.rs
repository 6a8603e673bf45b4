//! The create-pool wizard over HTTP: the guide's five steps, Review and Create, then what the
//! API shows of the pool made; errors next to their field, and nothing half made.

use super::signin::signed_in;
use crate::common::start;
use crate::oauth_support::{hidden, location};

/// Posts the step shown in `page` with `fields`, going `go` (next, back, create).
async fn post_step(
    b: &reqwest::Client,
    base: &str,
    page: &str,
    fields: &[(&str, &str)],
    go: &str,
) -> reqwest::Response {
    // The wizard's own form (the header's sign-out form has a token too).
    let page = &page[page
        .find("action=\"/console/pools/new\"")
        .expect("the wizard form")..];
    let mut form: Vec<(String, String)> = ["_csrf", "draft", "region", "step"]
        .iter()
        .map(|k| ((*k).to_owned(), hidden(page, k)))
        .collect();
    form.extend(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    form.push(("go".into(), go.into()));
    b.post(format!("{base}/console/pools/new"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The guide's answers to a step (step 5's domain prefix `domain`).
fn guide(step: usize, domain: &str) -> Vec<(&'static str, String)> {
    let owned = |v: &[(&'static str, &str)]| v.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    match step {
        1 => owned(&[
            ("sign_in_username", "on"),
            ("sign_in_email", "on"),
            ("federated", "on"),
            ("provider_name", "Corp"),
            ("provider_type", "OIDC"),
            (
                "provider_details",
                "client_id=corp-app\nclient_secret=s3cret\nauthorize_scopes=openid email\noidc_issuer=https://idp.example.com\nattributes_request_method=GET",
            ),
            ("provider_mapping", "email=email"),
        ]),
        2 => owned(&[
            ("password_policy", "custom"),
            ("min_length", "10"),
            ("require_numbers", "on"),
            ("require_lowercase", "on"),
            ("temporary_password_days", "7"),
            ("mfa", "OPTIONAL"),
            ("mfa_totp", "on"),
            ("self_service_recovery", "on"),
        ]),
        3 => owned(&[
            ("self_registration", "on"),
            ("verify", "email"),
            ("required_email", "on"),
            ("custom_type", "String"),
        ]),
        4 => owned(&[("from_email", "")]),
        _ => vec![
            ("pool_name", "seed-pool".to_owned()),
            ("hosted_ui", "on".to_owned()),
            ("domain", domain.to_owned()),
            ("client_type", "confidential".to_owned()),
            ("client_name", "seed-app".to_owned()),
            ("generate_secret", "on".to_owned()),
            (
                "callback_urls",
                "http://localhost:5000/postlogin".to_owned(),
            ),
            (
                "sign_out_urls",
                "http://localhost:5000/postlogout".to_owned(),
            ),
            ("access_token_minutes", "60".to_owned()),
            ("id_token_minutes", "60".to_owned()),
            ("refresh_token_days", "30".to_owned()),
        ],
    }
}

/// Walks steps 1–5 with the guide's answers (`edit` replaces one field of one step) and
/// presses Create: the answer, and the Review page it was pressed on.
async fn walk(
    b: &reqwest::Client,
    base: &str,
    domain: &str,
    edit: Option<(usize, &'static str, &str)>,
) -> (reqwest::Response, String) {
    let r = b
        .get(format!("{base}/console/pools/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let mut page = r.text().await.unwrap();
    assert!(
        page.contains("Step 1: Configure sign-in experience"),
        "{page}"
    );
    for step in 1..=5 {
        let mut fields = guide(step, domain);
        if let Some((s, k, v)) = edit
            && s == step
        {
            fields.retain(|(key, _)| *key != k);
            fields.push((k, v.to_owned()));
        }
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = post_step(b, base, &page, &borrowed, "next").await;
        assert_eq!(r.status().as_u16(), 200, "step {step}");
        page = r.text().await.unwrap();
    }
    assert!(page.contains("Step 6: Review and create"), "{page}");
    assert!(page.contains("seed-pool"), "{page}");
    (post_step(b, base, &page, &[], "create").await, page)
}

#[tokio::test]
async fn the_guides_five_steps_make_the_pool_client_and_domain() {
    let t = start().await;
    let base = t.url();
    let (b, _) = signed_in(&base).await;
    let (r, review) = walk(&b, &base, "guide-wizard", None).await;
    assert_eq!(r.status().as_u16(), 303, "{:?}", r.text().await);
    let pool_page = location(&r);
    let pool_id = pool_page.rsplit('/').next().unwrap().to_owned();

    let c = &t.client;
    let pool = c
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.name(), Some("seed-pool"));
    assert_eq!(pool.alias_attributes(), ["email".into()]);
    assert_eq!(pool.domain(), Some("guide-wizard"));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(10));
    assert!(!policy.require_symbols());
    let mfa = c
        .get_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(mfa.mfa_configuration().unwrap().as_str(), "OPTIONAL");
    assert!(mfa.software_token_mfa_configuration().unwrap().enabled());
    let clients = c
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let client_id = clients.user_pool_clients()[0]
        .client_id()
        .unwrap()
        .to_owned();
    let client = c
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        client.callback_urls(),
        ["http://localhost:5000/postlogin".to_owned()]
    );
    assert_eq!(
        client.logout_urls(),
        ["http://localhost:5000/postlogout".to_owned()]
    );
    assert_eq!(client.access_token_validity(), Some(60));
    assert_eq!(
        client.supported_identity_providers(),
        ["COGNITO".to_owned(), "Corp".to_owned()]
    );
    let provider = c
        .describe_identity_provider()
        .user_pool_id(&pool_id)
        .provider_name("Corp")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(
        provider.provider_details().unwrap()["oidc_issuer"],
        "https://idp.example.com"
    );
    let secret = client.client_secret().unwrap().to_owned();

    // The console shows the client's ID and secret, and the way to its hosted UI.
    let html = b
        .get(format!("{base}{pool_page}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let client_page = format!("/console/pools/{pool_id}/clients/{client_id}");
    assert!(html.contains(&client_page), "{html}");
    let html = b
        .get(format!("{base}{client_page}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&client_id) && html.contains(&secret));
    assert!(html.contains("View hosted UI"));

    // Create again from the same Review page (a second press, a reload): no second pool.
    let r = post_step(&b, &base, &review, &[], "create").await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("This user pool was already created")
    );
    let pools = c.list_user_pools().max_results(60).send().await.unwrap();
    assert_eq!(pools.user_pools().len(), 1);
}

#[tokio::test]
async fn bad_answers_come_back_next_to_their_field_and_leave_nothing_behind() {
    let t = start().await;
    let base = t.url();
    let (b, _) = signed_in(&base).await;
    let field_error = |html: &str, field: &str| {
        let marker = format!("id=\"{field}-error\">");
        let start = html
            .find(&marker)
            .unwrap_or_else(|| panic!("no error for {field}: {html}"))
            + marker.len();
        html[start..].split("</p>").next().unwrap().to_owned()
    };
    // A password policy shorter than Cognito allows: the API's own message, at step 2.
    let (r, _) = walk(&b, &base, "bad-one", Some((2, "min_length", "3"))).await;
    assert_eq!(r.status().as_u16(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("Step 2: Configure security requirements"));
    assert!(
        field_error(&html, "min_length").contains("minimumLength"),
        "{html}"
    );
    // A callback URL that is not one.
    let (r, _) = walk(
        &b,
        &base,
        "bad-two",
        Some((5, "callback_urls", "http://example.com/cb")),
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Step 5: Integrate your app"), "{html}");
    assert_eq!(
        field_error(&html, "callback_urls"),
        "http://example.com/cb is not a valid redirect URL: it must be absolute, without a fragment, and use HTTPS unless it is http://localhost."
    );
    // Corrected, the same draft goes on to Create: nothing was made the first time.
    let fields = guide(5, "bad-two");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let review = post_step(&b, &base, &html, &fields, "next")
        .await
        .text()
        .await
        .unwrap();
    assert!(review.contains("Step 6: Review and create"), "{review}");
    let r = post_step(&b, &base, &review, &[], "create").await;
    assert_eq!(r.status().as_u16(), 303, "{:?}", r.text().await);
    delete_made_pool(&t, &location(&r)).await;
    // A provider without the details its type needs: step 1, next to the details.
    let (r, _) = walk(
        &b,
        &base,
        "bad-three",
        Some((1, "provider_details", "client_id=x")),
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Step 1: Configure sign-in experience"),
        "{html}"
    );
    assert!(
        field_error(&html, "provider_details").contains("required idp details"),
        "{html}"
    );
    // A domain another pool has.
    let (r, _) = walk(&b, &base, "taken-domain", None).await;
    assert_eq!(r.status().as_u16(), 303);
    let (r, _) = walk(&b, &base, "taken-domain", None).await;
    let html = r.text().await.unwrap();
    assert!(
        field_error(&html, "domain").contains("Domain already"),
        "{html}"
    );
    // Only the one pool that was created exists.
    let pools = t
        .client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(pools.user_pools().len(), 1);

    // No sign-in option at all: refused at step 1.
    let r = b
        .get(format!("{base}/console/pools/new"))
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    let r = post_step(&b, &base, &page, &[], "next").await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Select at least one sign-in option."));
    // Without the CSRF token, or with another draft, nothing happens.
    let r = b
        .post(format!("{base}/console/pools/new"))
        .form(&[("draft", hidden(&page, "draft")), ("go", "create".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = post_step(
        &b,
        &base,
        &page.replace(&hidden(&page, "draft"), "forged"),
        &[],
        "next",
    )
    .await;
    assert_eq!(r.status().as_u16(), 400);
}

/// Deletes the pool a wizard made (its page is `page`), domain first.
async fn delete_made_pool(t: &crate::common::TestServer, page: &str) {
    let pool = page.rsplit('/').next().unwrap();
    let c = &t.client;
    let domain = c
        .describe_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap();
    if let Some(d) = domain.user_pool().and_then(|p| p.domain()) {
        c.delete_user_pool_domain()
            .user_pool_id(pool)
            .domain(d)
            .send()
            .await
            .unwrap();
    }
    c.delete_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap();
}

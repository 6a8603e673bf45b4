//! Hosted UI (classic) branding: pool-wide and per-client CSS and logo.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::primitives::Blob;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
];
const SVG: &[u8] =
    br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
const POOL_CSS: &str =
    ".logo-customizable { max-width: 60%; }\n.banner-customizable { background-color: #123456; }";
const CLIENT_CSS: &str =
    ".submitButton-customizable, .submitButton-customizable:hover { color: #fff; }";

/// A pool with a domain (Cognito requires one for branding) and two app clients.
async fn branded_pool(c: &Client, name: &str) -> (String, String, String) {
    let pool = create_pool(c, name).await;
    c.create_user_pool_domain()
        .user_pool_id(&pool)
        .domain(format!("{name}-auth"))
        .send()
        .await
        .unwrap();
    let mut clients = Vec::new();
    for n in ["web", "mobile"] {
        clients.push(
            c.create_user_pool_client()
                .user_pool_id(&pool)
                .client_name(n)
                .send()
                .await
                .unwrap()
                .user_pool_client
                .unwrap()
                .client_id
                .unwrap(),
        );
    }
    let mobile = clients.pop().unwrap();
    (pool, clients.pop().unwrap(), mobile)
}

#[tokio::test]
async fn client_settings_override_the_pool_wide_ones() {
    let t = start().await;
    let c = &t.client;
    let (pool, web, mobile) = branded_pool(c, "ui-override").await;

    // Nothing set: only the IDs come back.
    let empty = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    assert_eq!(empty.user_pool_id(), Some(pool.as_str()));
    assert_eq!(empty.client_id(), Some("ALL"));
    assert!(empty.css().is_none() && empty.image_url().is_none() && empty.css_version().is_none());

    // Pool-wide: no ClientId.
    let all = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(POOL_CSS)
        .image_file(Blob::new(PNG))
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    assert_eq!(all.client_id(), Some("ALL"));
    assert_eq!(all.css(), Some(POOL_CSS));
    let url = all.image_url().unwrap();
    assert!(url.starts_with("http"), "{url}");
    assert!(url.ends_with(&format!("/ui-images/{pool}/ALL")), "{url}");
    let version = all.css_version().unwrap();
    assert!(
        version.len() == 14 && version.bytes().all(|b| b.is_ascii_digit()),
        "{version}"
    );
    assert!(all.creation_date().is_some());
    assert_eq!(all.creation_date(), all.last_modified_date());

    // Client-level, for the web client only (an SVG logo).
    let own = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&web)
        .css(CLIENT_CSS)
        .image_file(Blob::new(SVG))
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    assert_eq!(own.client_id(), Some(web.as_str()));
    assert!(
        own.image_url()
            .unwrap()
            .ends_with(&format!("/ui-images/{pool}/{web}"))
    );

    let get = |client: Option<&str>| {
        c.get_ui_customization()
            .user_pool_id(&pool)
            .set_client_id(client.map(str::to_owned))
            .send()
    };
    let of_web = get(Some(&web)).await.unwrap().ui_customization.unwrap();
    assert_eq!(of_web.client_id(), Some(web.as_str()));
    assert_eq!(of_web.css(), Some(CLIENT_CSS));
    let of_mobile = get(Some(&mobile)).await.unwrap().ui_customization.unwrap();
    assert_eq!(
        of_mobile.client_id(),
        Some("ALL"),
        "falls back to the pool's"
    );
    assert_eq!(of_mobile.css(), Some(POOL_CSS));
    let of_pool = get(None).await.unwrap().ui_customization.unwrap();
    assert_eq!(of_pool.css(), Some(POOL_CSS));
    assert_eq!(
        get(Some("ALL")).await.unwrap().ui_customization.unwrap(),
        of_pool
    );

    // What the hosted pages apply.
    let cognito = &t.server.cognito;
    let eff = cognito
        .effective_ui_customization(&pool, &web)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (eff.client_id.as_str(), eff.css.as_deref()),
        (web.as_str(), Some(CLIENT_CSS))
    );
    let logo = eff.image.unwrap();
    assert_eq!(
        (logo.content_type.as_str(), logo.bytes.as_slice()),
        ("image/svg+xml", SVG)
    );
    let eff = cognito
        .effective_ui_customization(&pool, &mobile)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (eff.client_id.as_str(), eff.css.as_deref()),
        ("ALL", Some(POOL_CSS))
    );
    let logo = eff.image.unwrap();
    assert_eq!(
        (logo.content_type.as_str(), logo.bytes.as_slice()),
        ("image/png", PNG)
    );
    let logo = cognito
        .ui_customization_image(&pool, "ALL")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(logo.bytes, PNG);

    // Setting again replaces CSS and logo together and keeps the creation date.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let again = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id("ALL")
        .image_file(Blob::new(JPEG))
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    assert!(again.css().is_none(), "an omitted CSS is removed");
    assert_eq!(again.creation_date(), all.creation_date());
    assert!(again.last_modified_date() > all.last_modified_date());
    let logo = cognito
        .effective_ui_customization(&pool, &mobile)
        .await
        .unwrap()
        .unwrap()
        .image
        .unwrap();
    assert_eq!(logo.content_type, "image/jpeg");

    // Deleting a client deletes its branding; its ID then falls back to the pool's.
    c.delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&web)
        .send()
        .await
        .unwrap();
    assert!(
        cognito
            .ui_customization_image(&pool, &web)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        cognito
            .effective_ui_customization(&pool, &web)
            .await
            .unwrap()
            .unwrap()
            .client_id,
        "ALL"
    );
}

#[tokio::test]
async fn bad_css_and_images_are_refused() {
    let t = start().await;
    let c = &t.client;
    let (pool, web, _) = branded_pool(c, "ui-refused").await;
    let set = || c.set_ui_customization().user_pool_id(&pool).client_id(&web);

    let (code, msg) = err(set()
        .css(".logo-customizable { color: red }\n.evil { color: red }")
        .send()
        .await);
    assert_eq!(code, "InvalidParameterException");
    assert!(
        msg.starts_with("The CSS selector .evil is not allowed. Use only these classes: .background-customizable, "),
        "{msg}"
    );
    let (code, msg) = err(set()
        .css("@import url(https://evil.example/x.css);")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "The CSS must not contain at-rules such as @import, @media, @supports or @page."
        )
    );
    let (code, msg) = err(set()
        .css(".label-customizable { color: red } </style><script>x()</script>")
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "The CSS must not contain HTML."
        )
    );
    let (code, msg) = err(set().css(".label-customizable { color: red ").send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "The CSS is malformed: a declaration block is not closed."
        )
    );

    let (code, msg) = err(set()
        .image_file(Blob::new(b"GIF89a\x01\0\x01\0".to_vec()))
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "The image file must be a PNG, JPEG or SVG image."
        )
    );
    let (code, msg) = err(set()
        .image_file(Blob::new(
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
        ))
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "The SVG image must not contain scripts, event handlers, entities or embedded documents."
        )
    );
    let mut big = PNG.to_vec();
    big.resize(100 * 1024 + 1, 0);
    let (code, msg) = err(set().image_file(Blob::new(big)).send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "The image file is 102401 bytes; it must be no larger than 100 KB (102400 bytes)."
        )
    );
    let mut just_fits = PNG.to_vec();
    just_fits.resize(100 * 1024, 0);
    set().image_file(Blob::new(just_fits)).send().await.unwrap();

    let (code, msg) = err(set().css("x".repeat(131_073)).send().await);
    assert_eq!(code, "InvalidParameterException");
    assert!(
        msg.contains("at 'cSS' failed to satisfy constraint: Member must have length less than or equal to 131072"),
        "{}",
        &msg[msg.len().saturating_sub(200)..]
    );

    // Nothing refused was stored.
    let stored = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(&web)
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    assert!(stored.css().is_none());
    assert!(stored.image_url().is_some());
}

#[tokio::test]
async fn error_paths() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "ui-errors").await;

    let (code, msg) = err(c
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(POOL_CSS)
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidParameterException",
            "A domain must be associated with this user pool."
        )
    );

    let missing = "0000000000000000000000000a";
    let no_client = (
        "ResourceNotFoundException".to_owned(),
        format!("User pool client {missing} does not exist."),
    );
    assert_eq!(
        err(c
            .set_ui_customization()
            .user_pool_id(&pool)
            .client_id(missing)
            .send()
            .await),
        no_client
    );
    assert_eq!(
        err(c
            .get_ui_customization()
            .user_pool_id(&pool)
            .client_id(missing)
            .send()
            .await),
        no_client
    );
    let no_pool = (
        "ResourceNotFoundException".to_owned(),
        "User pool us-east-1_nothere00 does not exist.".to_owned(),
    );
    assert_eq!(
        err(c
            .get_ui_customization()
            .user_pool_id("us-east-1_nothere00")
            .send()
            .await),
        no_pool
    );
    assert_eq!(
        err(c
            .set_ui_customization()
            .user_pool_id("us-east-1_nothere00")
            .send()
            .await),
        no_pool
    );
}

#[tokio::test]
async fn deleting_the_pool_deletes_its_branding() {
    let t = start().await;
    let c = &t.client;
    let (pool, web, _) = branded_pool(c, "ui-cascade").await;
    for client in ["ALL", web.as_str()] {
        c.set_ui_customization()
            .user_pool_id(&pool)
            .client_id(client)
            .css(POOL_CSS)
            .image_file(Blob::new(PNG))
            .send()
            .await
            .unwrap();
    }
    c.delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain("ui-cascade-auth")
        .send()
        .await
        .unwrap();
    c.delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let cognito = &t.server.cognito;
    assert!(
        cognito
            .effective_ui_customization(&pool, &web)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        cognito
            .ui_customization_image(&pool, "ALL")
            .await
            .unwrap()
            .is_none()
    );
}

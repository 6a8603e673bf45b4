//! Signing in to the console and what a session may see.

use crate::common::{
    ACCESS_KEY, SECRET_KEY, config, create_pool, start, start_with_clock, start_with_config,
};
use crate::oauth_support::{browser, hidden, location};
use cognate::config::Storage;

/// The sign-in form's CSRF token (and the browser's cookie for it).
async fn sign_in_form(b: &reqwest::Client, base: &str) -> String {
    let page = b
        .get(format!("{base}/console/signin"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<label for=\"access_key_id\">Access key ID</label>"));
    assert!(html.contains("<label for=\"secret_access_key\">Secret access key</label>"));
    hidden(&html, "_csrf")
}

async fn post_sign_in(
    b: &reqwest::Client,
    base: &str,
    csrf: &str,
    id: &str,
    secret: &str,
) -> reqwest::Response {
    b.post(format!("{base}/console/signin"))
        .form(&[
            ("_csrf", csrf),
            ("access_key_id", id),
            ("secret_access_key", secret),
        ])
        .send()
        .await
        .unwrap()
}

/// A browser signed in to the console, and its session cookie (`name=value`).
pub(super) async fn signed_in(base: &str) -> (reqwest::Client, String) {
    let b = browser();
    let csrf = sign_in_form(&b, base).await;
    let r = post_sign_in(&b, base, &csrf, ACCESS_KEY, SECRET_KEY).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/console/pools");
    let cookie = r
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("cognate-console="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    (b, cookie.split(';').next().unwrap().to_owned())
}

#[tokio::test]
async fn an_administrator_signs_in_sees_the_pools_and_signs_out_everywhere() {
    let t = start().await;
    let base = t.url();
    let pool = create_pool(&t.client, "console").await;
    // Not signed in: to the sign-in page.
    let r = browser()
        .get(format!("{base}/console/pools"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/console/signin");

    let (b, cookie) = signed_in(&base).await;
    let r = b.get(format!("{base}/console/pools")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"/console/pools/{pool}\"")),
        "{html}"
    );
    let r = b
        .get(format!("{base}/console/pools/{pool}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains(&pool));
    let signout = hidden(&html, "_csrf");

    // A copy of the session cookie, kept by someone else.
    let copy = || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{base}/console/pools"))
            .header(reqwest::header::COOKIE, cookie.clone())
    };
    assert_eq!(copy().send().await.unwrap().status().as_u16(), 200);

    // Sign-out needs its CSRF token, then ends the session, also for the copy.
    let r = b
        .post(format!("{base}/console/signout"))
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = b
        .post(format!("{base}/console/signout"))
        .form(&[("_csrf", signout.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/console/signin");
    let r = copy().send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/console/signin");
}

#[tokio::test]
async fn wrong_credentials_a_missing_csrf_token_and_repeated_failures_are_refused() {
    // The clock stands still: the lockout cannot run out between two requests.
    let (t, _clock) = start_with_clock().await;
    let base = t.url();
    let b = browser();
    let csrf = sign_in_form(&b, &base).await;
    let r = post_sign_in(&b, &base, "", ACCESS_KEY, SECRET_KEY).await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("The form expired. Sign in again.")
    );
    let r = post_sign_in(
        &b,
        &base,
        "forged-token-forged-token",
        ACCESS_KEY,
        SECRET_KEY,
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);

    for _ in 0..5 {
        let r = post_sign_in(&b, &base, &csrf, ACCESS_KEY, "not-the-secret").await;
        assert_eq!(r.status().as_u16(), 401);
        let html = r.text().await.unwrap();
        assert!(html.contains("The access key ID or secret access key is incorrect."));
        // The ID typed stays in the form; the secret does not.
        assert!(html.contains(ACCESS_KEY) && !html.contains("not-the-secret"));
    }
    // Locked: even the right secret is refused for now.
    let r = post_sign_in(&b, &base, &csrf, ACCESS_KEY, SECRET_KEY).await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins with this access key ID. Try again later.")
    );
    // From another address the administrator still signs in: the access key ID is no secret,
    // so failures count per ID and address (else anyone could lock the administrator out).
    let elsewhere = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let token = sign_in_form(&elsewhere, &base).await;
    let r = post_sign_in(&elsewhere, &base, &token, ACCESS_KEY, SECRET_KEY).await;
    assert_eq!(r.status().as_u16(), 303);
    // An unknown access key ID is refused as a wrong secret is.
    let r = post_sign_in(&b, &base, &csrf, "AKIANOBODY", SECRET_KEY).await;
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn forged_and_user_sessions_are_refused_and_the_console_can_be_off() {
    let t = start().await;
    let base = t.url();
    for forged in [
        "cognate-console=",
        "cognate-console=abc",
        "cognate-console=eyJhIjoxfQ",
    ] {
        let r = browser()
            .get(format!("{base}/console/pools"))
            .header(reqwest::header::COOKIE, forged)
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/console/signin", "{forged}");
    }
    // A user's hosted-UI session (sealed by the same server) is no administrator's.
    let pool = create_pool(&t.client, "users").await;
    crate::common::create_user(&t.client, &pool, "ada", &[]).await;
    let cognito = &t.server.cognito;
    let described = cognito.store.get_pool(&pool).await.unwrap().unwrap();
    let key = described.username_key("ada");
    let user = cognito.store.get_user(&pool, &key).await.unwrap().unwrap();
    let session = cognito.seal_web_session(&described, &user, 0);
    for name in ["cognate-console", "cognito"] {
        let r = browser()
            .get(format!("{base}/console/pools"))
            .header(reqwest::header::COOKIE, format!("{name}={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/console/signin", "{name}");
    }

    let mut off = config(Storage::InMemory);
    off.console = false;
    let t = start_with_config(off).await;
    let r = browser()
        .get(format!("{}/console/signin", t.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

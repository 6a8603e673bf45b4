//! The OAuth 2.0 / OpenID Connect endpoints and hosted pages over plain HTTP: the code flow
//! with PKCE end to end, single sign-on, logout, the other grants, and the negative cases.

use crate::common::*;
pub use crate::oauth_support::*;
use base64::Engine;
use serde_json::Value;
use sha2::Digest;

#[tokio::test]
async fn code_flow_with_pkce_sso_and_logout() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let base = t.url();
    let b = browser();
    let (verifier, challenge) = pkce();
    let url = authorize_url(
        &base,
        &f.client_id,
        &format!("&code_challenge={challenge}&code_challenge_method=S256"),
    );
    let callback = sign_in_through_pages(&b, &base, &url, "alice", PASSWORD).await;
    assert!(callback.starts_with(CALLBACK), "{callback}");
    assert_eq!(query_param(&callback, "state").as_deref(), Some("st-123"));
    let code = query_param(&callback, "code").unwrap();

    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", verifier.as_str()),
    ];
    let (status, tokens) = token_request(&base, &form, Some((&f.client_id, &f.secret))).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap();
    let (reachable, public) = pool_urls(&t, &f.pool);
    let id = verify_with_jwks(
        tokens["id_token"].as_str().unwrap(),
        &reachable,
        &public,
        Some(&f.client_id),
    )
    .await;
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["email"], "alice@example.com");
    let expected_at_hash = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(&sha2::Sha256::digest(access.as_bytes())[..16]);
    assert_eq!(id["at_hash"], expected_at_hash.as_str());
    let claims = verify_with_jwks(access, &reachable, &public, None).await;
    assert_eq!(claims["scope"], "openid email profile");
    assert_eq!(claims["version"], 2);

    // The code works once; a replay is refused and revokes what it issued.
    let (status, err) = token_request(&base, &form, Some((&f.client_id, &f.secret))).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let r = reqwest::Client::new()
        .get(format!("{base}/oauth2/userInfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        401,
        "tokens of a replayed code are revoked"
    );

    // Sign in again: single sign-on through the cookie, no form.
    let r = b
        .get(authorize_url(&base, &f.client_id, ""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let callback = location(&r);
    assert!(
        callback.starts_with(CALLBACK),
        "silent sign-in expected, got {callback}"
    );
    let code = query_param(&callback, "code").unwrap();
    let (status, tokens) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("client_id", &f.client_id),
            ("client_secret", &f.secret),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "client_secret_post works too: {tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    let info: Value = reqwest::Client::new()
        .get(format!("{base}/oauth2/userInfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["username"], "alice");
    assert_eq!(info["email"], "alice@example.com");
    assert_eq!(info["email_verified"], "true");
    assert_eq!(info["given_name"], "Alice");

    // Refresh grant keeps the scopes and the ID token.
    let (status, refreshed) = token_request(
        &base,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        Some((&f.client_id, &f.secret)),
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(refreshed["id_token"].is_string());
    assert!(refreshed.get("refresh_token").is_none());

    // Revoke, then the refresh token is dead.
    let r = reqwest::Client::new()
        .post(format!("{base}/oauth2/revoke"))
        .basic_auth(&f.client_id, Some(&f.secret))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (status, err) = token_request(
        &base,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        Some((&f.client_id, &f.secret)),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Logout lands on the sign-out URL and ends the hosted-UI session.
    let r = b
        .get(format!(
            "{base}/logout?client_id={}&logout_uri=http%3A%2F%2Flocalhost%3A5000%2Fpostlogout",
            f.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(location(&r), SIGN_OUT);
    let r = b
        .get(authorize_url(&base, &f.client_id, ""))
        .send()
        .await
        .unwrap();
    assert!(
        location(&r).starts_with("/login?"),
        "after logout the form is shown again"
    );
}

#[tokio::test]
async fn negative_cases() {
    let (t, clock) = start_with_clock().await;
    let f = oauth_fixture(&t).await;
    let base = t.url();
    let b = browser();

    // An unregistered redirect URI gets an error page, never a redirect.
    let r = b
        .get(format!("{base}/oauth2/authorize?response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", f.client_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers().get("location").is_none());
    assert!(r.text().await.unwrap().contains("redirect_mismatch"));
    let r = b
        .get(format!(
            "{base}/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=x"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    // A scope the client does not allow goes back to the client as invalid_scope.
    let r = b
        .get(
            authorize_url(&base, &f.client_id, "")
                .replace("scope=openid+email+profile", "scope=openid+phone"),
        )
        .send()
        .await
        .unwrap();
    let to = location(&r);
    assert!(to.starts_with(CALLBACK));
    assert_eq!(query_param(&to, "error").as_deref(), Some("invalid_scope"));
    assert_eq!(query_param(&to, "state").as_deref(), Some("st-123"));
    let r = b
        .get(authorize_url(
            &base,
            &f.client_id,
            "&code_challenge=abc&code_challenge_method=S512",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("invalid_request")
    );
    let r = b
        .get(authorize_url(&base, &f.client_id, "&prompt=none"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("login_required")
    );

    // A form without its CSRF token is refused.
    let r = b
        .get(authorize_url(&base, &f.client_id, ""))
        .send()
        .await
        .unwrap();
    let login = format!("{base}{}", location(&r));
    let r = b
        .post(&login)
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = b
        .post(&login)
        .form(&[
            ("_csrf", "forged-forged-forged-forged-forged"),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    // Wrong password: the API's message on the page.
    let html = b.get(&login).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&html, "_csrf");
    let r = b
        .post(&login)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "alice"),
            ("password", "Wrong-Pass-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Incorrect username or password.")
    );

    let (verifier, challenge) = pkce();
    let url = authorize_url(
        &base,
        &f.client_id,
        &format!("&code_challenge={challenge}&code_challenge_method=S256"),
    );
    let fresh = browser();
    let callback = sign_in_through_pages(&fresh, &base, &url, "alice", PASSWORD).await;
    let code = query_param(&callback, "code").unwrap();

    // Wrong secret, wrong verifier, wrong redirect URI.
    let (status, err) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
        Some((&f.client_id, "wrong-secret")),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, err) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", "not-the-verifier"),
        ],
        Some((&f.client_id, &f.secret)),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Each failed redemption spent the code: get a new one for the remaining checks.
    let again = |b: reqwest::Client| {
        let base = base.clone();
        let url = url.clone();
        async move {
            let r = b.get(&url).send().await.unwrap();
            let to = location(&r);
            assert!(to.starts_with(CALLBACK), "{to} {base}");
            query_param(&to, "code").unwrap()
        }
    };
    let code = again(fresh.clone()).await;
    let (status, err) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://localhost:5000/other"),
            ("code_verifier", &verifier),
        ],
        Some((&f.client_id, &f.secret)),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // An expired code.
    let code = again(fresh.clone()).await;
    clock.advance_seconds(5 * 60 + 1);
    let (status, err) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
        Some((&f.client_id, &f.secret)),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        err["error_description"],
        "The authorization code has expired."
    );

    let (status, err) = token_request(
        &base,
        &[("grant_type", "password")],
        Some((&f.client_id, &f.secret)),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, err) =
        token_request(&base, &[("code", "x")], Some((&f.client_id, &f.secret))).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, err) = token_request(
        &base,
        &[("grant_type", "client_credentials")],
        Some((&f.client_id, &f.secret)),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("unauthorized_client"))
    );

    // A sign-out URL that is not registered.
    let r = b
        .get(format!(
            "{base}/logout?client_id={}&logout_uri=https%3A%2F%2Fevil.example%2F",
            f.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers().get("location").is_none());

    // userInfo without a token, or with a bad one.
    let r = reqwest::Client::new()
        .get(format!("{base}/oauth2/userInfo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = reqwest::Client::new()
        .get(format!("{base}/oauth2/userInfo"))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
}

#[tokio::test]
async fn branding_and_domains() {
    use aws_sdk_cognitoidentityprovider::primitives::Blob;
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let base = t.url();
    // A 1×1 PNG.
    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap();
    // Cognito customizes the hosted UI of a pool that has a domain.
    t.client
        .create_user_pool_domain()
        .user_pool_id(&f.pool)
        .domain("seed-auth")
        .send()
        .await
        .unwrap();
    t.client
        .set_ui_customization()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .css(".submitButton-customizable { background-color: #123456; }")
        .image_file(Blob::new(png.clone()))
        .send()
        .await
        .unwrap();
    let b = browser();
    let r = b
        .get(authorize_url(&base, &f.client_id, ""))
        .send()
        .await
        .unwrap();
    let html = b
        .get(format!("{base}{}", location(&r)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("background-color: #123456"),
        "the client's CSS is applied"
    );
    let logo = format!("/ui-images/{}/{}", f.pool, f.client_id);
    assert!(html.contains(&logo), "the logo is shown");
    let image = reqwest::get(format!("{base}{logo}")).await.unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    assert!(
        image.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(image.bytes().await.unwrap().to_vec(), png);

    // Under a pool's domain (matched by the Host header) only that pool's clients are served.
    let other = oauth_fixture(&t).await;
    let on_domain = |client_id: &str| {
        b.get(authorize_url(&base, client_id, ""))
            .header(reqwest::header::HOST, "seed-auth.auth.example.test")
            .send()
    };
    let r = on_domain(&f.client_id).await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert!(location(&r).starts_with("/login?"));
    let r = on_domain(&other.client_id).await.unwrap();
    assert_eq!(
        r.status().as_u16(),
        400,
        "a client of another pool is not served under this domain"
    );
}

//! Login redirect and callback: PKCE, state, nonce, the code exchange and the token checks.

use std::sync::atomic::Ordering;

use axum::body::to_bytes;
use axum::response::Response;
use cookie::SameSite;
use http::StatusCode;
use serde_json::json;

use crate::common::{
    CLIENT_ID, CLIENT_SECRET, Mock, REDIRECT_URL, app, cookie_header, get_with_cookie, location,
    login, now, set_cookies, urlencode,
};

async fn body(response: Response) -> String {
    String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn login_redirects_to_authorize_with_pkce_state_and_nonce() {
    let mock = Mock::start().await;
    let mut config = mock.config();
    config.scopes = vec!["openid".into(), "email".into()];
    let app = app(cognate_axum::Cognito::new(config).unwrap());
    let response = get_with_cookie(&app, "/login", "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(
        to.as_str().split('?').next().unwrap(),
        format!("{}/oauth2/authorize", mock.base)
    );
    let query: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["redirect_uri"], REDIRECT_URL);
    assert_eq!(query["scope"], "openid email");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43);
    assert!(query["state"].len() >= 32 && query["nonce"].len() >= 32);
    let flow = set_cookies(&response);
    assert_eq!(flow.len(), 1);
    assert_eq!(flow[0].name(), cognate_axum::FLOW_COOKIE);
    assert_eq!(flow[0].http_only(), Some(true));
    assert_eq!(flow[0].same_site(), Some(SameSite::Lax));
    // Encrypted: neither the state nor the nonce shows in the cookie.
    assert!(!flow[0].value().contains(query["nonce"].as_str()));
}

#[tokio::test]
async fn login_sets_http_only_cookies_and_the_user_is_signed_in() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let response = login(&app, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let cookies = set_cookies(&response);
    let find = |name: &str| cookies.iter().find(|c| c.name() == name).unwrap().clone();
    for name in [
        cognate_axum::ACCESS_COOKIE,
        cognate_axum::ID_COOKIE,
        cognate_axum::REFRESH_COOKIE,
    ] {
        let cookie = find(name);
        assert_eq!(cookie.http_only(), Some(true), "{name}");
        assert_eq!(cookie.same_site(), Some(SameSite::Lax), "{name}");
        assert_eq!(cookie.secure(), Some(true), "{name}: https redirect URL");
        assert_eq!(cookie.path(), Some("/"), "{name}");
    }
    assert_eq!(
        find(cognate_axum::ACCESS_COOKIE).max_age(),
        Some(cookie::time::Duration::seconds(1800))
    );
    let refresh = find(cognate_axum::REFRESH_COOKIE);
    assert_eq!(
        refresh.max_age(),
        Some(cookie::time::Duration::seconds(86_400))
    );
    assert!(
        !refresh.value().contains("refresh-"),
        "the refresh cookie is encrypted"
    );
    assert_eq!(
        find(cognate_axum::FLOW_COOKIE).value(),
        "",
        "the flow cookie is removed"
    );

    let cookie = cookie_header(&response);
    let me = get_with_cookie(&app, "/me", &cookie).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(body(me).await, "alice");
    let profile = get_with_cookie(&app, "/profile", &cookie).await;
    assert_eq!(body(profile).await, "alice@example.com");
}

#[tokio::test]
async fn same_site_strict_and_cookie_domain_are_applied() {
    let mock = Mock::start().await;
    let mut config = mock.config();
    config.cookie_same_site = cognate_axum::SameSite::Strict;
    config.cookie_domain = Some("app.example".into());
    let app = app(cognate_axum::Cognito::new(config).unwrap());
    let response = login(&app, None).await;
    for cookie in set_cookies(&response)
        .iter()
        .filter(|c| !c.value().is_empty())
    {
        assert_eq!(
            cookie.same_site(),
            Some(SameSite::Strict),
            "{}",
            cookie.name()
        );
        assert_eq!(cookie.domain(), Some("app.example"), "{}", cookie.name());
    }
    // The login-flow cookie stays Lax: it must survive the provider's cross-site redirect.
    let start = get_with_cookie(&app, "/login", "").await;
    assert_eq!(set_cookies(&start)[0].same_site(), Some(SameSite::Lax));
}

#[tokio::test]
async fn pkce_verifier_and_client_secret_reach_the_token_endpoint() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let response = login(&app, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let requests = mock.state.token_requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.authorization.as_deref(),
        Some(Mock::basic_auth().as_str())
    );
    assert_eq!(request.form["grant_type"], "authorization_code");
    assert_eq!(request.form["redirect_uri"], REDIRECT_URL);
    assert_eq!(request.form["client_id"], CLIENT_ID);
    // The mock accepted it, so SHA-256 of this verifier is the challenge sent at login.
    assert_eq!(request.form["code_verifier"].len(), 43);
    assert!(!request.form.contains_key("client_secret"));
    assert!(!format!("{:?}", request.form).contains(CLIENT_SECRET));
}

#[tokio::test]
async fn a_code_is_useless_with_another_logins_verifier() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let first = get_with_cookie(&app, "/login", "").await;
    let second = get_with_cookie(&app, "/login", "").await;
    // Authorize with the first login's challenge but the second's state.
    let mut url = url::Url::parse(&location(&first)).unwrap();
    let second_state = url::Url::parse(&location(&second))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                second_state.clone()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let back = client.get(url).send().await.unwrap();
    let back = url::Url::parse(back.headers()["location"].to_str().unwrap()).unwrap();
    let callback = format!("/postlogin?{}", back.query().unwrap());
    let response = get_with_cookie(&app, &callback, &cookie_header(&second)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body(response).await.contains("invalid_grant"));
}

#[tokio::test]
async fn public_clients_send_client_id_without_basic_auth() {
    let mock = Mock::start().await;
    let mut config = mock.config();
    config.client_secret = None;
    let app = app(cognate_axum::Cognito::new(config).unwrap());
    assert_eq!(login(&app, None).await.status(), StatusCode::SEE_OTHER);
    let request = mock.state.token_requests.lock().unwrap()[0].clone();
    assert_eq!(request.authorization, None);
    assert_eq!(request.form["client_id"], CLIENT_ID);
}

#[tokio::test]
async fn an_application_value_rides_through_state() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let response = login(&app, Some("/reports?id=7")).await;
    assert_eq!(location(&response), "/reports?id=7");
    // Values that are not local paths never become redirects.
    let response = login(&app, Some("https://evil.example/")).await;
    assert_eq!(location(&response), "/");

    // finish_login hands the value to custom callbacks.
    let cognito = mock.cognito();
    let start = cognito.start_login(Some("opaque value ✓"));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let back = client.get(start.location()).send().await.unwrap();
    let back = url::Url::parse(back.headers()["location"].to_str().unwrap()).unwrap();
    let params: cognate_axum::CallbackParams = serde_json::from_value(json!(
        back.query_pairs()
            .into_owned()
            .collect::<std::collections::HashMap<_, _>>()
    ))
    .unwrap();
    let response = axum::response::IntoResponse::into_response(start);
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        cookie_header(&response).parse().unwrap(),
    );
    let session = cognito.finish_login(&headers, &params).await.unwrap();
    assert_eq!(session.app_state.as_deref(), Some("opaque value ✓"));
    assert_eq!(session.id_claims.username(), "alice");
    assert_eq!(session.access_claims.client_id.as_deref(), Some(CLIENT_ID));
    assert!(session.tokens.refresh_token.is_some());
    let debug = format!("{session:?}");
    assert!(
        !debug.contains(&session.tokens.access_token),
        "Debug hides the tokens"
    );
    assert!(!debug.contains(session.tokens.refresh_token.as_deref().unwrap()));
}

#[tokio::test]
async fn state_mismatch_is_refused() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let start = get_with_cookie(&app, "/login", "").await;
    let flow = cookie_header(&start);
    let wrong = get_with_cookie(&app, "/postlogin?code=abc&state=forged", &flow).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert!(body(wrong).await.contains("state"));
    // The right state from another browser (no flow cookie) is refused too.
    let to = url::Url::parse(&location(&start)).unwrap();
    let state = to
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let uri = format!("/postlogin?code=abc&state={}", urlencode(&state));
    let response = get_with_cookie(&app, &uri, "").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        mock.state.token_requests.lock().unwrap().is_empty(),
        "no code exchange"
    );
}

#[tokio::test]
async fn provider_errors_are_reported() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let uri = "/postlogin?error=access_denied&error_description=User+cancelled&state=x";
    let response = get_with_cookie(&app, uri, "").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body(response).await.contains("access_denied"));
}

/// Each rule of the callback's token checks, through the whole login.
#[tokio::test]
async fn callback_refuses_tokens_that_fail_a_check() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let id_cases = [
        (
            "wrong issuer",
            json!({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/x"}),
        ),
        ("wrong audience", json!({"aud": "another-client"})),
        ("missing claim exp", json!({"exp": null})),
        ("token expired", json!({"exp": now() - 10})),
        ("missing claim iat", json!({"iat": null})),
        ("wrong nonce", json!({"nonce": "forged"})),
        ("wrong nonce", json!({"nonce": null})),
        ("token_use is \"access\"", json!({"token_use": "access"})),
    ];
    for (reason, overrides) in id_cases {
        *mock.state.id_overrides.lock().unwrap() = overrides;
        let response = login(&app, None).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{reason}");
        let text = body(response).await;
        assert!(text.contains(reason), "{reason}: {text}");
    }
    *mock.state.id_overrides.lock().unwrap() = json!({});
    let access_cases = [
        ("wrong client_id", json!({"client_id": "another-client"})),
        ("token_use is \"id\"", json!({"token_use": "id"})),
        ("different subjects", json!({"sub": "someone-else"})),
    ];
    for (reason, overrides) in access_cases {
        *mock.state.access_overrides.lock().unwrap() = overrides;
        let response = login(&app, None).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{reason}");
        let text = body(response).await;
        assert!(text.contains(reason), "{reason}: {text}");
    }
    *mock.state.access_overrides.lock().unwrap() = json!({});
    mock.state.sign_with_b.store(true, Ordering::SeqCst);
    let response = login(&app, None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body(response).await.contains("unknown signing key"));
}

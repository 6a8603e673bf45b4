//! The extractors: groups, 401 vs redirect, bearer tokens, the key cache, the off switch.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use cognate_axum::{ACCESS_COOKIE, Claims, Cognito, Unauthenticated};
use http::{Request, StatusCode};
use tower::ServiceExt;

use crate::common::{Mock, app, get_with_cookie, key_a, key_b, location, urlencode};

fn access_cookie(token: &str) -> String {
    format!("{ACCESS_COOKIE}={token}")
}

async fn status(app: &axum::Router, uri: &str, cookie: &str) -> StatusCode {
    get_with_cookie(app, uri, cookie).await.status()
}

#[tokio::test]
async fn group_rules_all_of_and_any_of() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let cases: [(&[&str], [StatusCode; 4]); 5] = [
        // groups        /admin, /admin-ops, /staff, /runtime (editor or admin)
        (
            &[],
            [
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
            ],
        ),
        (
            &["admin"],
            [
                StatusCode::OK,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ],
        ),
        (
            &["admin", "ops"],
            [
                StatusCode::OK,
                StatusCode::OK,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ],
        ),
        (
            &["reviewer"],
            [
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
                StatusCode::FORBIDDEN,
            ],
        ),
        (
            &["editor", "ops"],
            [
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::OK,
                StatusCode::OK,
            ],
        ),
    ];
    for (groups, expected) in cases {
        mock.state.set_groups(groups);
        let cookie = access_cookie(&mock.access_token());
        for (uri, want) in ["/admin", "/admin-ops", "/staff", "/runtime"]
            .into_iter()
            .zip(expected)
        {
            assert_eq!(
                status(&app, uri, &cookie).await,
                want,
                "{uri} with {groups:?}"
            );
        }
        assert_eq!(status(&app, "/me", &cookie).await, StatusCode::OK);
    }
    // Not signed in is 401 even where a group is required.
    assert_eq!(status(&app, "/admin", "").await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unauthenticated_is_401_or_a_redirect_to_login() {
    let mock = Mock::start().await;
    let app401 = app(mock.cognito());
    assert_eq!(status(&app401, "/me", "").await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        status(&app401, "/me", "cognito_access_token=garbage").await,
        StatusCode::UNAUTHORIZED
    );

    let mut config = mock.config();
    config.unauthenticated = Unauthenticated::RedirectToLogin;
    let redirecting = app(Cognito::new(config).unwrap());
    let response = get_with_cookie(&redirecting, "/me?x=1&y=2", "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/login?state={}", urlencode("/me?x=1&y=2"))
    );
    // The login route takes the path as the application value...
    let start = get_with_cookie(&redirecting, &location(&response), "").await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    // ... and a full login then lands back on it.
    let back = crate::common::login(&redirecting, Some("/me?x=1&y=2")).await;
    assert_eq!(location(&back), "/me?x=1&y=2");
    // Signed in without the group is still 403, not a redirect.
    let cookie = access_cookie(&mock.access_token());
    assert_eq!(
        status(&redirecting, "/admin", &cookie).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn optional_extractor_yields_none_when_signed_out() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let body = |r: axum::response::Response| async move {
        String::from_utf8(to_bytes(r.into_body(), 1024).await.unwrap().to_vec()).unwrap()
    };
    assert_eq!(
        body(get_with_cookie(&app, "/maybe", "").await).await,
        "anonymous"
    );
    let cookie = access_cookie(&mock.access_token());
    assert_eq!(
        body(get_with_cookie(&app, "/maybe", &cookie).await).await,
        "alice"
    );
}

#[tokio::test]
async fn bearer_tokens_are_accepted_unless_switched_off() {
    let mock = Mock::start().await;
    let token = mock.access_token();
    let request = || {
        Request::get("/me")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let on = app(mock.cognito());
    assert_eq!(
        on.oneshot(request()).await.unwrap().status(),
        StatusCode::OK
    );
    let mut config = mock.config();
    config.accept_bearer = false;
    let off = app(Cognito::new(config).unwrap());
    assert_eq!(
        off.oneshot(request()).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn jwks_is_fetched_once_and_refetched_once_per_unknown_kid() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let app = app(cognito.clone());
    let cookie = access_cookie(&mock.access_token());
    for _ in 0..200 {
        assert_eq!(status(&app, "/me", &cookie).await, StatusCode::OK);
    }
    assert_eq!(mock.state.jwks_fetches(), 1);
    assert_eq!(cognito.jwks_fetch_count(), 1);

    // The provider rotates to key B: the first token with the new kid causes one refetch.
    mock.state.jwks.lock().unwrap().push(key_b().jwk());
    let rotated = access_cookie(&key_b().sign(&mock.state.access_claims()));
    assert_eq!(status(&app, "/me", &rotated).await, StatusCode::OK);
    assert_eq!(mock.state.jwks_fetches(), 2);
    for _ in 0..50 {
        assert_eq!(status(&app, "/me", &rotated).await, StatusCode::OK);
    }
    assert_eq!(mock.state.jwks_fetches(), 2);

    // Made-up kids: refetches are rate limited, so a flood costs no fetch.
    for n in 0..50 {
        let header = serde_json::json!({"kid": format!("forged-{n}"), "alg": "RS256"});
        let forged = access_cookie(&key_a().sign_with_header(&header, &mock.state.access_claims()));
        assert_eq!(status(&app, "/me", &forged).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(mock.state.jwks_fetches(), 2);
    // Known keys keep working throughout.
    assert_eq!(status(&app, "/me", &cookie).await, StatusCode::OK);
}

#[tokio::test]
async fn unknown_kid_refetch_is_rate_limited() {
    let mock = Mock::start().await;
    let mut config = mock.config();
    config.jwks_refetch_interval = Duration::from_millis(300);
    let cognito = Cognito::new(config).unwrap();
    cognito.prefetch_jwks().await.unwrap();
    assert_eq!(mock.state.jwks_fetches(), 1);
    let unknown = key_b().sign(&mock.state.access_claims());
    assert!(cognito.verify_access_token(&unknown).await.is_err());
    assert_eq!(
        mock.state.jwks_fetches(),
        2,
        "one refetch for the unknown kid"
    );
    // Key B appears, but within the interval no refetch happens...
    mock.state.jwks.lock().unwrap().push(key_b().jwk());
    assert!(cognito.verify_access_token(&unknown).await.is_err());
    assert_eq!(mock.state.jwks_fetches(), 2);
    // ... after it, one does, and the token verifies.
    tokio::time::sleep(Duration::from_millis(350)).await;
    cognito.verify_access_token(&unknown).await.unwrap();
    assert_eq!(mock.state.jwks_fetches(), 3);
}

#[tokio::test]
async fn concurrent_first_requests_share_one_fetch() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let token = mock.access_token();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (cognito, token) = (cognito.clone(), token.clone());
            tokio::spawn(async move { cognito.verify_access_token(&token).await.map(drop) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(mock.state.jwks_fetches(), 1);
}

#[tokio::test]
async fn unreachable_jwks_is_503_not_401() {
    let mock = Mock::start().await;
    mock.state.jwks_down.store(true, Ordering::SeqCst);
    let app = app(mock.cognito());
    let cookie = access_cookie(&mock.access_token());
    assert_eq!(
        status(&app, "/me", &cookie).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // Failures back off: an immediate second request does not fetch again.
    assert_eq!(
        status(&app, "/me", &cookie).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(mock.state.jwks_fetches(), 1);
    mock.state.jwks_down.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(status(&app, "/me", &cookie).await, StatusCode::OK);
}

#[tokio::test]
async fn disabled_checks_let_every_request_through() {
    let mock = Mock::start().await;
    let mut config = mock.config();
    config.disabled = true;
    let app = app(Cognito::new(config.clone()).unwrap());
    for uri in ["/me", "/admin", "/admin-ops", "/staff", "/runtime"] {
        assert_eq!(status(&app, uri, "").await, StatusCode::OK, "{uri}");
    }
    assert_eq!(
        status(&app, "/me", "cognito_access_token=garbage").await,
        StatusCode::OK
    );
    let me = get_with_cookie(&app, "/me", "").await;
    assert_eq!(to_bytes(me.into_body(), 1024).await.unwrap(), "test-user");
    assert_eq!(
        mock.state.jwks_fetches(),
        0,
        "no provider calls while disabled"
    );

    // The claims to yield can be chosen.
    let mut claims = Claims::test_user();
    claims.username = Some("bob".into());
    claims.cognito_username = None;
    config.disabled_claims = Some(claims);
    let app = crate::common::app(Cognito::new(config).unwrap());
    let me = get_with_cookie(&app, "/me", "").await;
    assert_eq!(to_bytes(me.into_body(), 1024).await.unwrap(), "bob");
}

//! Refresh through the encrypted refresh cookie, and logout.

use std::sync::atomic::Ordering;

use cognate_axum::{
    ACCESS_COOKIE, Cognito, FLOW_COOKIE, ID_COOKIE, REFRESH_COOKIE, Unauthenticated,
};
use http::StatusCode;
use serde_json::json;

use crate::common::{
    CLIENT_ID, LOGOUT_URL, Mock, app, cookie_header, get_with_cookie, key_a, location, login, now,
    set_cookies, urlencode,
};

#[tokio::test]
async fn refresh_uses_the_refresh_cookie() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let cookie = cookie_header(&login(&app, None).await);
    let response = get_with_cookie(&app, "/refresh", &cookie).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let requests = mock.state.token_requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let refresh = &requests[1];
    assert_eq!(refresh.form["grant_type"], "refresh_token");
    assert!(refresh.form["refresh_token"].starts_with("eyJjdHkiOiJKV1Qi.refresh-"));
    assert_eq!(refresh.form["client_id"], CLIENT_ID);
    assert_eq!(
        refresh.authorization.as_deref(),
        Some(Mock::basic_auth().as_str())
    );
    let mut names: Vec<_> = set_cookies(&response)
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [ACCESS_COOKIE, ID_COOKIE],
        "no rotation: the refresh cookie stays"
    );
    let me = get_with_cookie(&app, "/me", &cookie_header(&response)).await;
    assert_eq!(me.status(), StatusCode::OK);

    // With ?state=, the refresh redirects back.
    let response = get_with_cookie(&app, "/refresh?state=%2Freports", &cookie).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/reports");
}

#[tokio::test]
async fn a_refused_refresh_clears_the_refresh_cookie() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let cookie = cookie_header(&login(&app, None).await);
    mock.state.refresh_fails.store(true, Ordering::SeqCst);
    let response = get_with_cookie(&app, "/refresh", &cookie).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let cleared = set_cookies(&response);
    assert_eq!(cleared[0].name(), REFRESH_COOKIE);
    assert_eq!(cleared[0].value(), "");
    let response = get_with_cookie(&app, "/refresh?state=%2Fme", &cookie).await;
    assert_eq!(location(&response), "/login?state=%2Fme");
    // No refresh cookie at all.
    let response = get_with_cookie(&app, "/refresh", "").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_session_is_refreshed_then_sent_back() {
    let mock = Mock::start().await;
    let mut config = mock.config();
    config.unauthenticated = Unauthenticated::RedirectToLogin;
    let app = app(Cognito::new(config).unwrap());
    let cookie = cookie_header(&login(&app, None).await);
    let refresh = cookie
        .split("; ")
        .find(|c| c.starts_with(REFRESH_COOKIE))
        .unwrap()
        .to_owned();
    let expired = key_a().sign(&{
        let mut claims = mock.state.access_claims();
        claims["exp"] = json!(now() - 60);
        claims
    });
    let stale = format!("{ACCESS_COOKIE}={expired}; {refresh}");
    let response = get_with_cookie(&app, "/me?tab=1", &stale).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/refresh?state={}", urlencode("/me?tab=1"))
    );
    let refreshed = get_with_cookie(&app, &location(&response), &stale).await;
    assert_eq!(location(&refreshed), "/me?tab=1");
    let fresh = format!("{}; {refresh}", cookie_header(&refreshed));
    let me = get_with_cookie(&app, "/me?tab=1", &fresh).await;
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_clears_cookies_and_redirects_to_provider_logout() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let cookie = cookie_header(&login(&app, None).await);
    let response = get_with_cookie(&app, "/logout", &cookie).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!(
            "{}/logout?client_id={CLIENT_ID}&logout_uri={}",
            mock.base,
            urlencode(LOGOUT_URL)
        )
    );
    let revocations = mock.state.revocations.lock().unwrap().clone();
    assert_eq!(revocations.len(), 1);
    assert!(revocations[0].form["token"].starts_with("eyJjdHkiOiJKV1Qi.refresh-"));
    assert_eq!(
        revocations[0].authorization.as_deref(),
        Some(Mock::basic_auth().as_str())
    );
    assert!(!revocations[0].form.contains_key("client_id"));
    let cleared = set_cookies(&response);
    let mut names: Vec<_> = cleared.iter().map(|c| c.name()).collect();
    names.sort();
    assert_eq!(
        names,
        [ACCESS_COOKIE, ID_COOKIE, FLOW_COOKIE, REFRESH_COOKIE]
    );
    for cookie in &cleared {
        assert_eq!(cookie.value(), "");
        assert_eq!(cookie.max_age(), Some(cookie::time::Duration::ZERO));
    }
}

#[tokio::test]
async fn public_clients_revoke_with_client_id() {
    let mock = Mock::start().await;
    let mut config = mock.config();
    config.client_secret = None;
    let cognito = Cognito::new(config).unwrap();
    let app = app(cognito.clone());
    let cookie = cookie_header(&login(&app, None).await);
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::COOKIE, cookie.parse().unwrap());
    let logout = cognito.logout(&headers).await;
    assert!(logout.revoked());
    let revocation = mock.state.revocations.lock().unwrap()[0].clone();
    assert_eq!(revocation.authorization, None);
    assert_eq!(revocation.form["client_id"], CLIENT_ID);
    // Signed out without a refresh cookie: nothing to revoke, still a redirect.
    let logout = cognito.logout(&http::HeaderMap::new()).await;
    assert!(!logout.revoked());
    assert!(
        logout
            .location()
            .starts_with(&format!("{}/logout?", mock.base))
    );
    assert_eq!(mock.state.revocations.lock().unwrap().len(), 1);
}

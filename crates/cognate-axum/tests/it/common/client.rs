//! The app under test and helpers to drive it like a browser.

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use axum::routing::get;
use cognate_axum::{AuthRequired, Cognito, IdToken, group_policy};
use http::{Request, StatusCode};
use tower::ServiceExt;

group_policy!(pub Admins = all_of["admin"]);
group_policy!(pub AdminAndOps = all_of["admin", "ops"]);
group_policy!(pub Staff = any_of["editor", "reviewer"]);

/// An app with protected routes and the ready-made login routes.
pub fn app(cognito: Cognito) -> Router {
    Router::new()
        .route(
            "/me",
            get(|user: AuthRequired| async move { user.username().to_owned() }),
        )
        .route("/admin", get(|_: AuthRequired<Admins>| async { "admin" }))
        .route(
            "/admin-ops",
            get(|_: AuthRequired<AdminAndOps>| async { "admin-ops" }),
        )
        .route("/staff", get(|_: AuthRequired<Staff>| async { "staff" }))
        .route(
            "/runtime",
            get(|user: AuthRequired| async move {
                user.require_any(&["editor", "admin"])?;
                Ok::<_, cognate_axum::AuthRejection>("runtime")
            }),
        )
        .route(
            "/profile",
            get(|id: IdToken| async move { id.email().unwrap_or_default().to_owned() }),
        )
        .route(
            "/maybe",
            get(|user: Option<AuthRequired>| async move {
                user.map_or("anonymous".to_owned(), |u| u.username().to_owned())
            }),
        )
        .merge(cognito.routes())
        .with_state(cognito)
}

/// Sends `GET uri` to `app` with a `Cookie` header.
pub async fn get_with_cookie(app: &Router, uri: &str, cookie: &str) -> Response {
    let mut request = Request::get(uri);
    if !cookie.is_empty() {
        request = request.header(http::header::COOKIE, cookie);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

/// The cookies a response sets, parsed.
pub fn set_cookies(response: &Response) -> Vec<cookie::Cookie<'static>> {
    response
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .map(|v| cookie::Cookie::parse(v.to_str().unwrap().to_owned()).unwrap())
        .collect()
}

/// A `Cookie` header carrying the non-removal cookies of `response`.
pub fn cookie_header(response: &Response) -> String {
    set_cookies(response)
        .iter()
        .filter(|c| !c.value().is_empty())
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn location(response: &Response) -> String {
    response.headers()[http::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// Runs the whole login: app login route, mock authorize, app callback. Returns the callback's
/// response.
pub async fn login(app: &Router, app_state: Option<&str>) -> Response {
    let uri = match app_state {
        Some(state) => format!("/login?state={}", urlencode(state)),
        None => "/login".to_owned(),
    };
    let start = get_with_cookie(app, &uri, "").await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let flow_cookie = cookie_header(&start);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let provider = client.get(location(&start)).send().await.unwrap();
    let back = provider.headers()["location"].to_str().unwrap().to_owned();
    let back = url::Url::parse(&back).unwrap();
    let callback = format!("{}?{}", back.path(), back.query().unwrap());
    get_with_cookie(app, &callback, &flow_cookie).await
}

pub fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

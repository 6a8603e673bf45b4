//! The setup guide's example app (flask-cognito-lib's example, in Rust): routes protected by a
//! Cognito user pool, or by Cognate, through [`cognate_axum`].
//!
//! | route | who |
//! |---|---|
//! | `/` | everyone |
//! | `/login`, `/postlogin` (callback), `/refresh`, `/logout` | [`Cognito::routes`] |
//! | `/claims` | signed-in users: their verified claims |
//! | `/admin` | members of `admin` |
//! | `/edit` | members of `admin` or `editor` |
//! | `/postlogout` | where the provider's logout sends the browser |
//!
//! The settings come from flask-cognito-lib's variables ([`config_from_env`]); unset ones
//! default to [`DEFAULTS`], which match `examples/seed-app/bootstrap.toml`.

use std::future::Future;

use axum::Router;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use cognate_axum::{
    AuthRejection, AuthRequired, Claims, Cognito, Config, ConfigError, IdToken, Unauthenticated,
    group_policy,
};
use rand::Rng;

group_policy!(
    /// Members of `admin`.
    pub Admins = all_of["admin"]
);
group_policy!(
    /// Members of `admin` or `editor`.
    pub Editors = any_of["admin", "editor"]
);

/// Settings used when the variable is not set: the pool, domain and client of
/// `examples/seed-app/bootstrap.toml`, served by Cognate on `http://localhost:9229`.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("AWS_REGION", "us-east-1"),
    ("AWS_COGNITO_USER_POOL_ID", "us-east-1_SeedApp01"),
    ("AWS_COGNITO_DOMAIN", "http://localhost:9229"),
    (
        "AWS_COGNITO_USER_POOL_CLIENT_ID",
        "seedappexampleclient000001",
    ),
    (
        "AWS_COGNITO_USER_POOL_CLIENT_SECRET",
        "seedappexamplesecretdonotuseinproduction000001",
    ),
    // With SEED_APP_URL set, these two follow it (`<url>/postlogin`, `<url>/postlogout`).
    (
        "AWS_COGNITO_REDIRECT_URL",
        "http://localhost:5000/postlogin",
    ),
    ("AWS_COGNITO_LOGOUT_URL", "http://localhost:5000/postlogout"),
    ("AWS_COGNITO_SCOPES", "openid email profile"),
    ("AWS_COGNITO_REFRESH_FLOW_ENABLED", "true"),
    // As long as the client's access and ID tokens (60 minutes) and refresh token (30 days).
    ("AWS_COGNITO_COOKIE_AGE_SECONDS", "3600"),
    ("AWS_COGNITO_REFRESH_COOKIE_AGE_SECONDS", "2592000"),
];

/// Where the app is reached (`SEED_APP_URL`), default `http://localhost:5000`: the one
/// setting its callback and sign-out URLs and its listening port follow.
pub const DEFAULT_APP_URL: &str = "http://localhost:5000";

/// The app's public base URL from `lookup` (`SEED_APP_URL`), without a trailing `/`.
pub fn app_url(lookup: impl Fn(&str) -> Option<String>) -> String {
    lookup("SEED_APP_URL")
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_APP_URL.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// The address to listen on: `SEED_APP_LISTEN`, else the loopback interface at the port of
/// the app's URL (80 or 443 when it names none).
pub fn listen_address(lookup: impl Fn(&str) -> Option<String>) -> String {
    if let Some(listen) = lookup("SEED_APP_LISTEN").filter(|v| !v.trim().is_empty()) {
        return listen;
    }
    let url = app_url(&lookup);
    let authority = url.split_once("://").map(|(_, r)| r).unwrap_or(&url);
    let authority = authority.split('/').next().unwrap_or(authority);
    let port = match authority.rsplit_once(':') {
        Some((_, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => p.to_owned(),
        _ if url.starts_with("https://") => "443".to_owned(),
        _ => "80".to_owned(),
    };
    format!("127.0.0.1:{port}")
}

/// [`config_from`] over the process environment.
pub fn config_from_env() -> Result<Config, ConfigError> {
    config_from(|name| std::env::var(name).ok())
}

/// The app's settings: flask-cognito-lib's variables through `lookup`, else [`DEFAULTS`].
///
/// Two defaults are computed: `AWS_COGNITO_ISSUER` is `<domain>/<pool id>` (Cognate's issuer)
/// unless the domain is an `amazoncognito.com` one, where Cognito's own issuer applies; and
/// `AWS_COGNITO_COOKIE_SECRET` is random, so sessions end when the app restarts. Signed-out
/// visitors of protected pages are sent to the hosted sign-in page, and the callback lands on
/// `/claims`.
pub fn config_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let given = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let base = app_url(&lookup);
    let value = |name: &str| {
        given(name)
            .or_else(|| match name {
                "AWS_COGNITO_REDIRECT_URL" => Some(format!("{base}/postlogin")),
                "AWS_COGNITO_LOGOUT_URL" => Some(format!("{base}/postlogout")),
                _ => None,
            })
            .or_else(|| {
                DEFAULTS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            })
    };
    let mut config = Config::from_lookup(|name| match name {
        "AWS_COGNITO_ISSUER" => given(name).or_else(|| {
            let domain = value("AWS_COGNITO_DOMAIN")?;
            let pool = value("AWS_COGNITO_USER_POOL_ID")?;
            (!domain.contains(".amazoncognito.com"))
                .then(|| format!("{}/{pool}", domain.trim_end_matches('/')))
        }),
        "AWS_COGNITO_COOKIE_SECRET" => given(name).or_else(|| Some(random_secret())),
        _ => value(name),
    })?;
    config.unauthenticated = Unauthenticated::RedirectToLogin;
    config.after_login_path = "/claims".into();
    Ok(config)
}

fn random_secret() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(48)
        .map(char::from)
        .collect()
}

/// The app's routes, the sign-in routes of `cognito` included.
pub fn router(cognito: Cognito) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/claims", get(claims))
        .route("/admin", get(admin))
        .route("/edit", get(edit))
        .route("/postlogout", get(postlogout))
        .merge(cognito.routes())
        .with_state(cognito)
}

/// Serves the app on `listener` until `shutdown` completes; then the port is released.
pub async fn serve(
    listener: tokio::net::TcpListener,
    cognito: Cognito,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(cognito))
        .with_graceful_shutdown(shutdown)
        .await
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, user: Option<&Claims>, body: &str) -> Html<String> {
    let account = match user {
        Some(user) => format!(
            "signed in as <b id=\"user\">{}</b> \
             <form method=\"post\" action=\"/refresh?state=/claims\"><button>Refresh tokens</button></form> \
             <a href=\"/logout\">Sign out</a>",
            escape(user.username())
        ),
        None => "<a href=\"/login\">Sign in</a>".into(),
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · seed-app</title>\
         <style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto}}form{{display:inline}}\
         pre{{background:#f4f4f4;padding:1rem;overflow:auto}}</style></head><body>\
         <nav><a href=\"/\">Home</a> · <a href=\"/claims\">Claims</a> · <a href=\"/admin\">Admin</a> · \
         <a href=\"/edit\">Edit</a> | {account}</nav><h1>{title}</h1>{body}</body></html>"
    ))
}

fn groups(user: &Claims) -> String {
    if user.groups.is_empty() {
        "none".into()
    } else {
        escape(&user.groups.join(", "))
    }
}

fn pretty(claims: &Claims) -> String {
    escape(&serde_json::to_string_pretty(claims).unwrap_or_default())
}

/// Open to everyone.
async fn home(user: Option<AuthRequired>) -> Html<String> {
    let body = match &user {
        Some(user) => format!(
            "<p>Welcome back. Your groups: <span id=\"groups\">{}</span>.</p>",
            groups(user)
        ),
        None => {
            "<p>This page is public. <a href=\"/login\">Sign in</a> to see your claims.</p>".into()
        }
    };
    page("Home", user.as_deref(), &body)
}

/// Signed-in users: the verified claims of both tokens (never the tokens themselves).
async fn claims(user: AuthRequired, id: IdToken) -> Html<String> {
    let body = format!(
        "<p>Groups: <span id=\"groups\">{}</span></p>\
         <h2>Access token</h2><pre id=\"access-claims\">{}</pre>\
         <h2>ID token</h2><pre id=\"id-claims\">{}</pre>",
        groups(&user),
        pretty(&user),
        pretty(&id)
    );
    page("Claims", Some(&user), &body)
}

/// `403` as a page that says which group is missing; other rejections as they are.
fn refused(rejection: AuthRejection, needed: &str) -> Response {
    match rejection {
        AuthRejection::Forbidden => (
            axum::http::StatusCode::FORBIDDEN,
            page(
                "Forbidden",
                None,
                &format!("<p id=\"forbidden\">This page is for members of {needed}.</p>"),
            ),
        )
            .into_response(),
        other => other.into_response(),
    }
}

/// Members of `admin` only.
async fn admin(user: Result<AuthRequired<Admins>, AuthRejection>) -> Response {
    match user {
        Ok(user) => {
            let body = format!(
                "<p id=\"welcome\">Administrators only. Your groups: <span id=\"groups\">{}</span>.</p>",
                groups(&user)
            );
            page("Admin", Some(&user), &body).into_response()
        }
        Err(rejection) => refused(rejection, "the admin group"),
    }
}

/// Members of `admin` or `editor`.
async fn edit(user: Result<AuthRequired<Editors>, AuthRejection>) -> Response {
    match user {
        Ok(user) => {
            let body = format!(
                "<p id=\"welcome\">Editors and administrators. Your groups: <span id=\"groups\">{}</span>.</p>",
                groups(&user)
            );
            page("Edit", Some(&user), &body).into_response()
        }
        Err(rejection) => refused(rejection, "the admin or editor group"),
    }
}

/// The sign-out URL: the provider's `/logout` ends here.
async fn postlogout() -> Html<String> {
    page(
        "Signed out",
        None,
        "<p id=\"signed-out\">You have signed out.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_bootstrap_file_and_variables_win() {
        let config = config_from(|_| None).unwrap();
        assert_eq!(config.user_pool_id, "us-east-1_SeedApp01");
        assert_eq!(config.issuer(), "http://localhost:9229/us-east-1_SeedApp01");
        assert_eq!(config.scopes, ["openid", "email", "profile"]);
        assert!(config.refresh_flow && config.cookie_secret.is_some());
        let bootstrap = include_str!("../bootstrap.toml");
        for (_, value) in &DEFAULTS[1..7] {
            let bare = value.trim_start_matches("http://localhost:9229");
            assert!(bootstrap.contains(bare), "{value} is in bootstrap.toml");
        }

        let moved =
            |name: &str| (name == "SEED_APP_URL").then(|| "http://localhost:5055/".to_owned());
        let config = config_from(moved).unwrap();
        assert_eq!(config.redirect_url, "http://localhost:5055/postlogin");
        assert_eq!(listen_address(moved), "127.0.0.1:5055");
        assert_eq!(listen_address(|_| None), "127.0.0.1:5000");

        let config = config_from(|name| {
            (name == "AWS_COGNITO_DOMAIN")
                .then(|| "https://app.auth.us-east-1.amazoncognito.com".to_owned())
        })
        .unwrap();
        assert_eq!(
            config.issuer(),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SeedApp01"
        );
    }
}

//! Federated sign-in in the browser: `/oauth2/authorize` naming a provider goes to the
//! upstream (`start`), which sends the browser back to `/oauth2/idpresponse`. The rules,
//! the upstream calls and the checks are in `cognate-core/src/federation/oidc.rs`.

use crate::pages::{authorize_failure, finish, redirect};
use crate::security;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use cognate_core::Cognito;
use cognate_core::federation::oidc::{BINDING_COOKIE, SECURE_BINDING_COOKIE};
use cognate_core::oauth::{AuthorizeGrant, AuthorizeParams};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The binding cookie's name on `host`: `__Host-` prefixed where cookies are `Secure`.
pub(crate) fn binding_cookie_name(host: &str) -> &'static str {
    match security::secure(host) {
        true => SECURE_BINDING_COOKIE,
        false => BINDING_COOKIE,
    }
}

/// How long the binding cookie lives: the sealed state's own lifetime.
const BINDING_SECONDS: i64 = 10 * 60;

/// Sends the browser to the upstream the request names, bound to it by a cookie.
pub(crate) async fn start(
    cognito: &Cognito,
    headers: &HeaderMap,
    jar: CookieJar,
    g: &AuthorizeGrant,
    p: &AuthorizeParams,
) -> Response {
    let Some(idp) = &g.identity_provider else {
        return redirect("/error");
    };
    let host = security::host(headers);
    let site = cognito.site(&host).await;
    match cognito.start_federation(g, idp, p, &site).await {
        Ok(start) => {
            let name = binding_cookie_name(&host);
            let cookie = match start.form_post {
                true => {
                    security::cross_site_cookie(name, start.binding_cookie, &host, BINDING_SECONDS)
                }
                false => security::cookie(name, start.binding_cookie, &host, BINDING_SECONDS),
            };
            let jar = jar.add(cookie);
            tracing::info!(pool_id = %g.pool.id, provider = %idp.provider_name, "federated sign-in started");
            (jar, redirect(&start.redirect)).into_response()
        }
        Err(e) => authorize_failure(e, p.response_type.as_deref()),
    }
}

/// `GET /oauth2/idpresponse`: the upstream's answer in the query.
pub async fn idp_response(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    jar: CookieJar,
) -> Response {
    answered(&cognito, &headers, q, jar).await
}

/// `POST /oauth2/idpresponse`: the answer as a form (`response_mode=form_post`, as Sign in
/// with Apple sends it).
pub async fn idp_response_post(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(q): Form<HashMap<String, String>>,
) -> Response {
    answered(&cognito, &headers, q, jar).await
}

async fn answered(
    cognito: &Cognito,
    headers: &HeaderMap,
    q: HashMap<String, String>,
    jar: CookieJar,
) -> Response {
    let answer: Map<String, Value> = q.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
    let host = security::host(headers);
    let name = binding_cookie_name(&host);
    let binding = jar.get(name).map(|c| c.value().to_owned());
    let jar = jar.add(security::expired(name, &host));
    match cognito.finish_federation(&answer, binding.as_deref()).await {
        Ok((g, user)) => {
            let now = cognito.clock.now().millis();
            tracing::info!(pool_id = %g.pool.id, sub = %user.sub, "federated sign-in succeeded");
            finish(cognito, headers, jar, &g, &user, now).await
        }
        Err(e) => (jar, authorize_failure(e, None)).into_response(),
    }
}

/// A "Sign in with ..." link of the login page.
pub(crate) struct ProviderLink {
    pub name: String,
    pub href: String,
}

/// The links to the client's identity providers, each the authorization request
/// (`authorize_query`) naming it.
pub(crate) fn provider_links(g: &AuthorizeGrant, authorize_query: &str) -> Vec<ProviderLink> {
    let request: Vec<&str> = authorize_query
        .split('&')
        .filter(|kv| {
            let key = kv.split('=').next().unwrap_or_default();
            !kv.is_empty() && key != "identity_provider" && key != "idp_identifier"
        })
        .collect();
    let request = request.join("&");
    g.client
        .settings
        .supported_identity_providers
        .iter()
        .filter(|p| *p != "COGNITO")
        .map(|name| ProviderLink {
            name: name.clone(),
            href: format!(
                "/oauth2/authorize?{request}&identity_provider={}",
                cognate_core::oauth::form_encode(name)
            ),
        })
        .collect()
}

/// Whether the client lets users sign in with Cognate's own form (`COGNITO` supported, or
/// no provider named at all).
pub(crate) fn own_sign_in(g: &AuthorizeGrant) -> bool {
    let supported = &g.client.settings.supported_identity_providers;
    supported.is_empty() || supported.iter().any(|p| p == "COGNITO")
}

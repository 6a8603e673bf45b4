//! SAML 2.0 in the browser: the assertion consumer service `POST /saml2/idpresponse`, the
//! sign-out answer `POST /saml2/logout`, the pool's service-provider metadata
//! `GET /saml2/metadata/<poolId>`, and the sign-out at the provider that `/logout` starts.
//! The rules and checks are in `cognate-core/src/federation/saml/`.

use crate::federation_pages::binding_cookie_name;
use crate::pages::{authorize_failure, error_page, finish, redirect};
use crate::security;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use cognate_core::Cognito;
use cognate_core::federation::saml::logout::{SECURE_SESSION_COOKIE, SESSION_COOKIE};
use serde::Deserialize;
use std::sync::Arc;

/// The SAML session cookie's name on `host`.
fn session_cookie_name(host: &str) -> &'static str {
    match security::secure(host) {
        true => SECURE_SESSION_COOKIE,
        false => SESSION_COOKIE,
    }
}

/// As long as the hosted UI's own session.
const SESSION_SECONDS: i64 = cognate_core::oauth::web_session::LIFETIME_SECONDS;

#[derive(Deserialize)]
pub struct SamlPost {
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

/// `POST /saml2/idpresponse`: a provider's `SAMLResponse`, SP- or IdP-initiated.
pub async fn idp_response(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SamlPost>,
) -> Response {
    let Some(saml_response) = form.saml_response.filter(|r| !r.is_empty()) else {
        return error_page(
            "Required String parameter 'SAMLResponse' is not present",
            StatusCode::BAD_REQUEST,
        );
    };
    let host = security::host(&headers);
    let site = cognito.site(&host).await;
    let name = binding_cookie_name(&host);
    let binding = jar.get(name).map(|c| c.value().to_owned());
    let jar = jar.add(security::expired(name, &host));
    match cognito
        .finish_saml(
            &saml_response,
            form.relay_state.as_deref(),
            binding.as_deref(),
            &site,
        )
        .await
    {
        Ok((g, user, session)) => {
            let sealed = cognito.seal_saml_session(&session);
            let jar = jar.add(security::cookie(
                session_cookie_name(&host),
                sealed,
                &host,
                SESSION_SECONDS,
            ));
            let now = cognito.clock.now().millis();
            tracing::info!(pool_id = %g.pool.id, sub = %user.sub, "SAML sign-in succeeded");
            finish(&cognito, &headers, jar, &g, &user, now).await
        }
        Err(e) => (jar, authorize_failure(e, None)).into_response(),
    }
}

/// `POST /saml2/logout`: the provider's `LogoutResponse`; on to the sign-out URL.
pub async fn logout_response(
    State(cognito): State<Arc<Cognito>>,
    Form(form): Form<SamlPost>,
) -> Response {
    let (Some(saml_response), Some(relay_state)) = (form.saml_response, form.relay_state) else {
        return error_page(
            "Invalid samlResponse or relayState from identity provider",
            StatusCode::BAD_REQUEST,
        );
    };
    match cognito
        .finish_saml_logout(&saml_response, &relay_state)
        .await
    {
        Ok(target) => redirect(&target),
        Err(message) => error_page(message, StatusCode::BAD_REQUEST),
    }
}

/// `/logout` of a browser signed in through a SAML provider that signs out too: the
/// redirect to that provider (which comes back to `target`), and the cookie ended.
pub(crate) async fn provider_logout(
    cognito: &Cognito,
    jar: CookieJar,
    host: &str,
    client_id: Option<&str>,
    host_pool: Option<&str>,
    target: &str,
) -> (CookieJar, Option<String>) {
    let name = session_cookie_name(host);
    let Some(session) = jar
        .get(name)
        .and_then(|c| cognito.open_saml_session(c.value()))
    else {
        return (jar, None);
    };
    let jar = jar.add(security::expired(name, host));
    let Some(client_id) = client_id else {
        return (jar, None);
    };
    let url = cognito
        .saml_logout_redirect(&session, client_id, host_pool, target)
        .await;
    (jar, url)
}

#[derive(Deserialize)]
pub struct MetadataQuery {
    identity_provider: Option<String>,
}

/// `GET /saml2/metadata/<poolId>[?identity_provider=<name>]`: the pool's SP metadata.
pub async fn metadata(
    State(cognito): State<Arc<Cognito>>,
    headers: HeaderMap,
    Path(pool_id): Path<String>,
    Query(q): Query<MetadataQuery>,
) -> Response {
    let site = cognito.site(&security::host(&headers)).await;
    let exists = cognito
        .store
        .get_pool(&pool_id)
        .await
        .ok()
        .flatten()
        .is_some();
    // On a pool's domain, only that pool's metadata.
    if !exists || site.pool.as_ref().is_some_and(|p| *p != pool_id) {
        return error_page("User pool does not exist.", StatusCode::NOT_FOUND);
    }
    match cognito
        .sp_metadata(&pool_id, q.identity_provider.as_deref(), &site.base)
        .await
    {
        Ok(xml) => {
            let mut resp = xml.into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/samlmetadata+xml"),
            );
            resp
        }
        Err(e) => error_page(e.message, StatusCode::NOT_FOUND),
    }
}

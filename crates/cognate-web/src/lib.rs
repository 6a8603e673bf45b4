//! The browser- and relying-party-facing endpoints of Cognate. For now: each pool's OpenID
//! Connect discovery document and its JWKS, at the paths Cognito uses
//! (`/<poolId>/.well-known/...`), so `iss` + `/.well-known/jwks.json` resolves here.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cognate_core::{Cognito, CognitoError};
use serde_json::{Value, json};
use std::sync::Arc;

pub fn router(cognito: Arc<Cognito>) -> Router {
    Router::new()
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(discovery),
        )
        .with_state(cognito)
}

fn json_response(value: Value, cache_seconds: u32) -> Response {
    let mut resp = axum::Json(value).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={cache_seconds}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}

fn not_found(e: CognitoError) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"message": e.message})),
    )
        .into_response()
}

async fn pool_exists(cognito: &Cognito, pool_id: &str) -> Result<(), Response> {
    match cognito.store.get_pool(pool_id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(not_found(CognitoError::pool_not_found(pool_id))),
        Err(e) => Err(internal(e.into())),
    }
}

fn internal(e: CognitoError) -> Response {
    tracing::error!(error = %e, "well-known document failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(json!({"message": "Internal server error."})),
    )
        .into_response()
}

async fn jwks(State(cognito): State<Arc<Cognito>>, Path(pool_id): Path<String>) -> Response {
    if let Err(r) = pool_exists(&cognito, &pool_id).await {
        return r;
    }
    match cognito.jwks(&pool_id).await {
        // Short cache: a rotation must show up quickly on every node and client.
        Ok(doc) => json_response(doc, 60),
        Err(e) => internal(e),
    }
}

async fn discovery(State(cognito): State<Arc<Cognito>>, Path(pool_id): Path<String>) -> Response {
    if let Err(r) = pool_exists(&cognito, &pool_id).await {
        return r;
    }
    let issuer = cognito.issuer(&pool_id);
    json_response(
        json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "cognito:username", "cognito:groups", "email", "email_verified", "phone_number", "phone_number_verified"],
        }),
        300,
    )
}

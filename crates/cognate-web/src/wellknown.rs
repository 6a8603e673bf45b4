//! `/<poolId>/.well-known/jwks.json` and `openid-configuration`.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_core::{Cognito, CognitoError};
use serde_json::{Value, json};
use std::sync::Arc;

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

pub fn internal(e: CognitoError) -> Response {
    tracing::error!(error = %e, "request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(json!({"message": "Internal server error."})),
    )
        .into_response()
}

async fn pool_exists(cognito: &Cognito, pool_id: &str) -> Result<(), Response> {
    match cognito.store.get_pool(pool_id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err((
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": CognitoError::pool_not_found(pool_id).message})),
        )
            .into_response()),
        Err(e) => Err(internal(e.into())),
    }
}

pub async fn jwks(State(cognito): State<Arc<Cognito>>, Path(pool_id): Path<String>) -> Response {
    if let Err(r) = pool_exists(&cognito, &pool_id).await {
        return r;
    }
    match cognito.jwks(&pool_id).await {
        // Short cache: a rotation must show up quickly on every node and client.
        Ok(doc) => json_response(doc, 60),
        Err(e) => internal(e),
    }
}

/// Endpoints are named on the issuer's host, where Cognate serves them at the root.
pub async fn discovery(
    State(cognito): State<Arc<Cognito>>,
    Path(pool_id): Path<String>,
) -> Response {
    if let Err(r) = pool_exists(&cognito, &pool_id).await {
        return r;
    }
    let issuer = cognito.issuer(&pool_id);
    let base = cognito.issuer_base.trim_end_matches('/');
    json_response(
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "revocation_endpoint": format!("{base}/oauth2/revoke"),
            "end_session_endpoint": format!("{base}/logout"),
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "refresh_token", "implicit", "client_credentials"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "cognito:username", "cognito:groups", "email", "email_verified", "phone_number", "phone_number_verified", "name", "given_name", "family_name"],
        }),
        300,
    )
}

//! The console's user pools: the list of a region's pools (paginated) and a pool's details
//! with its app clients, read through the same operations as ListUserPools,
//! DescribeUserPool and ListUserPoolClients.

use super::{ConsoleState, render, sign_out_token, signed_in, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use std::sync::Arc;

const DEFAULT_REGION: &str = "us-east-1";

pub(super) struct PoolRow {
    id: String,
    name: String,
    created: String,
}

#[derive(Template)]
#[template(path = "console/pools.html")]
struct PoolsPage {
    signout_csrf: Option<String>,
    region: String,
    pools: Vec<PoolRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct PoolsQuery {
    region: Option<String>,
    next: Option<String>,
}

/// A region name as AWS writes them (`us-east-1`), else the default.
/// The region of a pool ID (`<region>_<id>`).
pub(super) fn region_of(pool_id: &str) -> String {
    region(pool_id.split_once('_').map(|(r, _)| r))
}

pub(super) fn region(asked: Option<&str>) -> String {
    asked
        .filter(|r| {
            !r.is_empty()
                && r.len() <= 32
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .unwrap_or(DEFAULT_REGION)
        .to_owned()
}

/// `GET /console/pools[?region=&next=]`.
pub(super) async fn list(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(q): Query<PoolsQuery>,
) -> Response {
    let session = match signed_in(&state, &jar, &headers).await {
        Ok(s) => s,
        Err(to_sign_in) => return to_sign_in,
    };
    let region = region(q.region.as_deref());
    let page = match state
        .cognito
        .list_user_pools(&region, 60, q.next.as_deref())
        .await
    {
        Ok(page) => page,
        Err(e) => return super::fail(StatusCode::BAD_REQUEST, e.message),
    };
    let (jar, signout) = sign_out_token(&state, jar, &headers, &session);
    let view = PoolsPage {
        signout_csrf: Some(signout),
        region,
        pools: page
            .items
            .into_iter()
            .map(|p| PoolRow {
                id: p.id,
                name: p.name,
                created: when(p.creation_date),
            })
            .collect(),
        next: page.next.map(|n| cognate_core::oauth::form_encode(&n)),
    };
    (jar, render(view, StatusCode::OK)).into_response()
}

pub(super) struct ClientRow {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "console/pool.html")]
struct PoolPage {
    signout_csrf: Option<String>,
    /// The new-client form's token.
    csrf: String,
    region: String,
    id: String,
    name: String,
    arn: String,
    users: i64,
    created: String,
    modified: String,
    mfa: String,
    sign_in: String,
    sign_up: &'static str,
    domain: Option<String>,
    deletion_protection: String,
    clients: Vec<ClientRow>,
    clients_next: Option<String>,
}

/// `GET /console/pools/<poolId>`.
#[derive(Deserialize)]
pub(super) struct PoolQuery {
    clients_next: Option<String>,
}

pub(super) async fn detail(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(pool_id): Path<String>,
    Query(q): Query<PoolQuery>,
) -> Response {
    let session = match super::admin_of_pool(&state, &jar, &headers, &pool_id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let region = region_of(&pool_id);
    let view = match state.cognito.describe_user_pool(&region, &pool_id).await {
        Ok(v) => v,
        Err(e) => return super::fail(StatusCode::NOT_FOUND, e.message),
    };
    let clients = match state
        .cognito
        .list_user_pool_clients(&region, &pool_id, Some(60), q.clients_next.as_deref())
        .await
    {
        Ok(page) => page,
        Err(e) => return super::fail(StatusCode::NOT_FOUND, e.message),
    };
    let pool = view.pool;
    let sign_in = match (&pool.username_attributes[..], &pool.alias_attributes[..]) {
        ([], []) => "User name".to_owned(),
        (names, []) => names.join(", "),
        ([], aliases) => format!("User name, or {}", aliases.join(", ")),
        (names, aliases) => format!("{}; {}", names.join(", "), aliases.join(", ")),
    };
    let (jar, signout) = sign_out_token(&state, jar, &headers, &session);
    let form = crate::security::CsrfForm {
        action: "/console/clients",
        query: &session.id,
    };
    let host = crate::security::host(&headers);
    let (jar, csrf) = crate::security::csrf_token(&state.cognito.secrets, jar, &host, form);
    let page = PoolPage {
        signout_csrf: Some(signout),
        csrf,
        region,
        id: pool.id,
        name: pool.name,
        arn: pool.arn,
        users: view.estimated_number_of_users,
        created: when(pool.creation_date),
        modified: when(pool.last_modified_date),
        mfa: pool.mfa_configuration,
        sign_in,
        sign_up: match pool.admin_create_user_config.allow_admin_create_user_only {
            true => "Disabled (administrators create users)",
            false => "Enabled",
        },
        domain: view.domain.or(view.custom_domain),
        deletion_protection: pool.deletion_protection,
        clients_next: clients.next.map(|n| cognate_core::oauth::form_encode(&n)),
        clients: clients
            .items
            .into_iter()
            .map(|c| ClientRow {
                id: c.client_id,
                name: c.client_name,
            })
            .collect(),
    };
    (jar, render(page, StatusCode::OK)).into_response()
}

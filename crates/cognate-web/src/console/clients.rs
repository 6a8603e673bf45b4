//! A pool's app clients in the console: one's ID, secret and the way to its hosted UI
//! (DescribeUserPoolClient), a new one made (CreateUserPoolClient), and its URLs and token
//! lifetimes changed (UpdateUserPoolClient with every other setting kept as it was: Cognito
//! resets what an update leaves out).

use super::pools::region_of;
use super::{ConsoleState, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use cognate_core::console::ConsoleSession;
use cognate_core::console::wizard::number;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "console/client.html")]
struct ClientPage {
    signout_csrf: Option<String>,
    csrf: String,
    pool_id: String,
    client_id: String,
    name: String,
    secret: Option<String>,
    callbacks: String,
    sign_outs: String,
    flows: String,
    scopes: String,
    auth_flows: String,
    access_minutes: String,
    id_minutes: String,
    refresh_days: String,
    /// The client's `TokenValidityUnits` (Cognito's defaults: hours, hours, days).
    units: [String; 3],
    hosted_ui: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

fn lines(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn url_list(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

async fn describe(state: &ConsoleState, pool_id: &str, client_id: &str) -> Result<Value, String> {
    let input = json!({"UserPoolId": pool_id, "ClientId": client_id});
    state
        .api
        .call(&region_of(pool_id), "DescribeUserPoolClient", input)
        .await
        .map(|v| v["UserPoolClient"].clone())
        .map_err(|e| e.message)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &ConsoleState,
    headers: &HeaderMap,
    jar: CookieJar,
    session: &ConsoleSession,
    pool_id: String,
    client_id: String,
    outcome: Result<Option<String>, String>,
) -> Response {
    let c = match describe(state, &pool_id, &client_id).await {
        Ok(c) => c,
        Err(e) => return super::fail(StatusCode::NOT_FOUND, e),
    };
    let first_callback = c["CallbackURLs"][0].as_str().map(str::to_owned);
    let hosted_ui = first_callback
        .filter(|_| c["AllowedOAuthFlowsUserPoolClient"] == json!(true))
        .map(|cb| {
            cognate_core::oauth::with_query(
                &format!(
                    "{}/oauth2/authorize",
                    state.cognito.issuer_base.trim_end_matches('/')
                ),
                &[
                    ("client_id", client_id.as_str()),
                    ("response_type", "code"),
                    ("redirect_uri", cb.as_str()),
                ],
            )
        });
    let (jar, csrf, signout) = super::page_tokens(state, jar, headers, session, "/console/clients");
    let (notice, error, status) = match outcome {
        Ok(n) => (n, None, StatusCode::OK),
        Err(e) => (None, Some(e), StatusCode::BAD_REQUEST),
    };
    let view = ClientPage {
        signout_csrf: Some(signout),
        csrf,
        pool_id,
        name: c["ClientName"].as_str().unwrap_or_default().to_owned(),
        client_id,
        secret: c["ClientSecret"].as_str().map(str::to_owned),
        callbacks: lines(&c["CallbackURLs"]),
        sign_outs: lines(&c["LogoutURLs"]),
        flows: lines(&c["AllowedOAuthFlows"]).replace('\n', ", "),
        scopes: lines(&c["AllowedOAuthScopes"]).replace('\n', " "),
        auth_flows: lines(&c["ExplicitAuthFlows"]).replace('\n', ", "),
        access_minutes: c["AccessTokenValidity"].to_string(),
        id_minutes: c["IdTokenValidity"].to_string(),
        refresh_days: c["RefreshTokenValidity"].to_string(),
        units: [
            ("AccessToken", "hours"),
            ("IdToken", "hours"),
            ("RefreshToken", "days"),
        ]
        .map(|(k, default)| {
            c["TokenValidityUnits"][k]
                .as_str()
                .unwrap_or(default)
                .to_owned()
        }),
        hosted_ui,
        notice,
        error,
    };
    (jar, render(view, status)).into_response()
}

#[derive(serde::Deserialize)]
pub(super) struct ClientQuery {
    saved: Option<String>,
}

/// `GET /console/pools/<poolId>/clients/<clientId>[?saved=1]`.
pub(super) async fn client(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path((pool_id, client_id)): Path<(String, String)>,
    Query(q): Query<ClientQuery>,
) -> Response {
    let session = match super::admin_of_pool(&state, &jar, &headers, &pool_id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    page(
        &state,
        &headers,
        jar,
        &session,
        pool_id,
        client_id,
        Ok(q.saved.map(|_| "Changes saved.".to_owned())),
    )
    .await
}

/// `POST /console/pools/<poolId>/clients/<clientId>`: new URLs and token lifetimes, every
/// other setting as it was. The client's token units are kept, so lifetimes are minutes for
/// access and ID tokens and days for refresh tokens only when the client says so.
pub(super) async fn update(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path((pool_id, client_id)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let session =
        match super::admin_post(&state, &jar, &headers, &pool_id, "/console/clients", &f).await {
            Ok(s) => s,
            Err(answer) => return answer,
        };
    let mut c = match describe(&state, &pool_id, &client_id).await {
        Ok(c) => c,
        Err(e) => return super::fail(StatusCode::NOT_FOUND, e),
    };
    if let Some(settings) = c.as_object_mut() {
        for read_only in ["ClientSecret", "CreationDate", "LastModifiedDate"] {
            settings.remove(read_only);
        }
    }
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    c["CallbackURLs"] = json!(url_list(&text("callback_urls")));
    c["LogoutURLs"] = json!(url_list(&text("sign_out_urls")));
    c["AccessTokenValidity"] = number(&text("access_minutes"));
    c["IdTokenValidity"] = number(&text("id_minutes"));
    c["RefreshTokenValidity"] = number(&text("refresh_days"));
    let region = region_of(&pool_id);
    match state.api.call(&region, "UpdateUserPoolClient", c).await {
        Ok(_) => Redirect::to(&format!(
            "/console/pools/{pool_id}/clients/{client_id}?saved=1"
        ))
        .into_response(),
        Err(e) => {
            page(
                &state,
                &headers,
                jar,
                &session,
                pool_id,
                client_id,
                Err(e.message),
            )
            .await
        }
    }
}

/// `POST /console/pools/<poolId>/clients`: a new app client (code flow on the hosted UI).
pub(super) async fn create(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(pool_id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if let Err(answer) =
        super::admin_post(&state, &jar, &headers, &pool_id, "/console/clients", &f).await
    {
        return answer;
    }
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (callback_text, sign_out_text) = (text("callback_urls"), text("sign_out_urls"));
    let callbacks = url_list(&callback_text);
    let mut input = json!({
        "UserPoolId": pool_id,
        "ClientName": text("client_name").trim(),
        "GenerateSecret": f.contains_key("generate_secret"),
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        "SupportedIdentityProviders": ["COGNITO"],
        "PreventUserExistenceErrors": "ENABLED",
    });
    if !callbacks.is_empty() {
        input["AllowedOAuthFlowsUserPoolClient"] = json!(true);
        input["AllowedOAuthFlows"] = json!(["code"]);
        input["AllowedOAuthScopes"] = json!(["openid", "email", "phone", "profile"]);
        input["CallbackURLs"] = json!(callbacks);
        let sign_outs = url_list(&sign_out_text);
        if !sign_outs.is_empty() {
            input["LogoutURLs"] = json!(sign_outs);
        }
    }
    let region = region_of(&pool_id);
    match state.api.call(&region, "CreateUserPoolClient", input).await {
        Ok(made) => {
            let id = made["UserPoolClient"]["ClientId"]
                .as_str()
                .unwrap_or_default();
            Redirect::to(&format!("/console/pools/{pool_id}/clients/{id}")).into_response()
        }
        Err(e) => super::fail(StatusCode::BAD_REQUEST, e.message),
    }
}

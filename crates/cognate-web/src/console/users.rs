//! The console's users and groups of a pool, as the AWS console has them: the users list
//! (paginated, searchable with ListUsers' filter grammar) with a create-user form, a user's
//! page (attributes, status, MFA, groups) with its actions, the groups with a create form and
//! each group's members. Every read and change is an API call (`AdminApi`), so the rules and
//! messages are the API's; every form carries a CSRF token bound to the session and page.

use super::{ConsoleState, render, sign_out_token};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use cognate_core::console::ConsoleSession;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// A row of a table: its cells, and where the first one links.
pub(super) struct Row {
    link: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    signout_csrf: Option<String>,
    pool_id: String,
    csrf: String,
    filter: String,
    users: Vec<Row>,
    next: Option<String>,
    groups: Vec<Row>,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage {
    signout_csrf: Option<String>,
    pool_id: String,
    username: String,
    csrf: String,
    status: String,
    enabled: bool,
    attributes: Vec<(String, String)>,
    mfa: String,
    groups: Vec<String>,
    all_groups: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn attribute(user: &Value, list: &str, name: &str) -> String {
    user[list]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["Name"] == name))
        .and_then(|x| x["Value"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[derive(Deserialize)]
pub(super) struct UsersQuery {
    filter: Option<String>,
    next: Option<String>,
    /// `user` or `group`: what was just created.
    done: Option<String>,
}

/// The pool's groups, page after page (ListGroups), up to 1,200.
async fn groups_of_pool(state: &ConsoleState, region: &str, pool_id: &str) -> Vec<Value> {
    let (mut groups, mut next) = (Vec::new(), None::<String>);
    for _ in 0..20 {
        let mut input = json!({"UserPoolId": pool_id, "Limit": 60});
        if let Some(token) = &next {
            input["NextToken"] = json!(token);
        }
        let Ok(page) = state.api.call(region, "ListGroups", input).await else {
            break;
        };
        groups.extend(page["Groups"].as_array().cloned().unwrap_or_default());
        next = page["NextToken"].as_str().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    groups
}

#[allow(clippy::too_many_arguments)]
async fn users_page(
    state: &ConsoleState,
    headers: &HeaderMap,
    jar: CookieJar,
    session: &ConsoleSession,
    pool_id: String,
    filter: String,
    next: Option<String>,
    notice: Option<&'static str>,
    error: Option<(StatusCode, String)>,
) -> Response {
    let region = super::pools::region_of(&pool_id);
    let mut input = json!({"UserPoolId": pool_id, "Limit": 60});
    if !filter.trim().is_empty() {
        input["Filter"] = json!(filter.trim());
    }
    if let Some(token) = &next {
        input["PaginationToken"] = json!(token);
    }
    let (listed, error) = match state.api.call(&region, "ListUsers", input).await {
        Ok(v) => (v, error),
        Err(e) => (Value::Null, Some((StatusCode::BAD_REQUEST, e.message))),
    };
    let users = listed["Users"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|u| {
            let name = u["Username"].as_str().unwrap_or_default().to_owned();
            Row {
                link: format!(
                    "/console/pools/{pool_id}/users/{}",
                    cognate_core::oauth::form_encode(&name)
                ),
                cells: vec![
                    name,
                    attribute(u, "Attributes", "email"),
                    u["UserStatus"].as_str().unwrap_or_default().to_owned(),
                    match u["Enabled"].as_bool() {
                        Some(false) => "Disabled".into(),
                        _ => "Enabled".into(),
                    },
                ],
            }
        })
        .collect();
    let groups = groups_of_pool(state, &region, &pool_id)
        .await
        .iter()
        .map(|g| {
            let name = g["GroupName"].as_str().unwrap_or_default().to_owned();
            Row {
                link: format!(
                    "/console/pools/{pool_id}/groups/{}",
                    cognate_core::oauth::form_encode(&name)
                ),
                cells: vec![
                    name,
                    g["Description"].as_str().unwrap_or_default().to_owned(),
                ],
            }
        })
        .collect();
    let (jar, csrf, signout) = super::page_tokens(state, jar, headers, session, "/console/users");
    let status = error.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    let page = UsersPage {
        signout_csrf: Some(signout),
        pool_id,
        csrf,
        filter,
        users,
        next: listed["PaginationToken"]
            .as_str()
            .map(cognate_core::oauth::form_encode),
        groups,
        notice,
        error: error.map(|(_, m)| m),
    };
    (jar, render(page, status)).into_response()
}

/// `GET /console/pools/<poolId>/users[?filter=&next=]`.
pub(super) async fn list(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(pool_id): Path<String>,
    Query(q): Query<UsersQuery>,
) -> Response {
    let session = match super::admin_of_pool(&state, &jar, &headers, &pool_id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let filter = q.filter.unwrap_or_default();
    let notice = match q.done.as_deref() {
        Some("user") => Some("User created."),
        Some("group") => Some("Group created."),
        _ => None,
    };
    users_page(
        &state, &headers, jar, &session, pool_id, filter, q.next, notice, None,
    )
    .await
}

/// `POST /console/pools/<poolId>/users`: create a user, or a group.
pub(super) async fn create(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(pool_id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let session =
        match super::admin_post(&state, &jar, &headers, &pool_id, "/console/users", &f).await {
            Ok(s) => s,
            Err(answer) => return answer,
        };
    let text = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let region = super::pools::region_of(&pool_id);
    let (op, input) = match f.get("what").map(String::as_str) {
        Some("group") => ("CreateGroup", {
            let mut group = json!({"UserPoolId": pool_id, "GroupName": text("group_name"), "Description": text("description")});
            let precedence = text("precedence");
            if !precedence.is_empty() {
                group["Precedence"] = precedence
                    .parse::<i64>()
                    .map_or_else(|_| json!(precedence), |n| json!(n));
            }
            group
        }),
        _ => {
            let mut input = json!({"UserPoolId": pool_id, "Username": text("username")});
            let email = text("email");
            if !email.is_empty() {
                input["UserAttributes"] = json!([
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": if f.contains_key("email_verified") { "true" } else { "false" }},
                ]);
                input["DesiredDeliveryMediums"] = json!(["EMAIL"]);
            }
            let password = f.get("temporary_password").cloned().unwrap_or_default();
            if !password.is_empty() {
                input["TemporaryPassword"] = json!(password);
            } else if !f.contains_key("send_invitation") {
                // Nobody would ever learn a generated password.
                let error = Some((
                    StatusCode::BAD_REQUEST,
                    "Set a temporary password, or send an invitation.".to_owned(),
                ));
                return users_page(
                    &state,
                    &headers,
                    jar,
                    &session,
                    pool_id,
                    String::new(),
                    None,
                    None,
                    error,
                )
                .await;
            }
            if !f.contains_key("send_invitation") {
                input["MessageAction"] = json!("SUPPRESS");
            }
            ("AdminCreateUser", input)
        }
    };
    match state.api.call(&region, op, input).await {
        Ok(_) => {
            let done = if op == "CreateGroup" { "group" } else { "user" };
            Redirect::to(&format!("/console/pools/{pool_id}/users?done={done}")).into_response()
        }
        Err(e) => {
            let error = Some((StatusCode::BAD_REQUEST, e.message));
            users_page(
                &state,
                &headers,
                jar,
                &session,
                pool_id,
                String::new(),
                None,
                None,
                error,
            )
            .await
        }
    }
}

async fn user_page(
    state: &ConsoleState,
    headers: &HeaderMap,
    jar: CookieJar,
    session: &ConsoleSession,
    pool_id: String,
    username: String,
    outcome: Result<Option<String>, String>,
) -> Response {
    let region = super::pools::region_of(&pool_id);
    let input = json!({"UserPoolId": pool_id, "Username": username});
    let user = match state.api.call(&region, "AdminGetUser", input.clone()).await {
        Ok(u) => u,
        Err(e) => return super::fail(StatusCode::NOT_FOUND, e.message),
    };
    let mut with_limit = input;
    with_limit["Limit"] = json!(60);
    let groups: Vec<String> = match state
        .api
        .call(&region, "AdminListGroupsForUser", with_limit)
        .await
    {
        Ok(v) => v["Groups"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|g| g["GroupName"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let all_groups = groups_of_pool(state, &region, &pool_id)
        .await
        .iter()
        .filter_map(|g| g["GroupName"].as_str().map(str::to_owned))
        .filter(|g| !groups.contains(g))
        .collect();
    let mfa = strings(&user["UserMFASettingList"]);
    let (jar, csrf, signout) = super::page_tokens(state, jar, headers, session, "/console/user");
    let (notice, error, status) = match outcome {
        Ok(notice) => (notice, None, StatusCode::OK),
        Err(e) => (None, Some(e), StatusCode::BAD_REQUEST),
    };
    let page = UserPage {
        signout_csrf: Some(signout),
        pool_id,
        username,
        csrf,
        status: user["UserStatus"].as_str().unwrap_or_default().to_owned(),
        enabled: user["Enabled"].as_bool() != Some(false),
        attributes: user["UserAttributes"]
            .as_array()
            .map(|a| a.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|a| {
                (
                    a["Name"].as_str().unwrap_or_default().to_owned(),
                    a["Value"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        mfa: match mfa.is_empty() {
            true => "No MFA set up".into(),
            false => mfa.join(", "),
        },
        groups,
        all_groups,
        notice,
        error,
    };
    (jar, render(page, status)).into_response()
}

#[derive(Deserialize)]
pub(super) struct UserQuery {
    done: Option<String>,
}

/// `GET /console/pools/<poolId>/users/<username>[?done=<action>]`.
pub(super) async fn user(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path((pool_id, username)): Path<(String, String)>,
    Query(q): Query<UserQuery>,
) -> Response {
    let session = match super::admin_of_pool(&state, &jar, &headers, &pool_id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let done = q
        .done
        .and_then(|a| action_call(&a, "", "", &HashMap::new()).map(|(_, _, said)| said.to_owned()));
    user_page(&state, &headers, jar, &session, pool_id, username, Ok(done)).await
}

/// The API call an action of the user page makes, and what to say when it is done.
fn action_call(
    action: &str,
    pool_id: &str,
    username: &str,
    f: &HashMap<String, String>,
) -> Option<(&'static str, Value, &'static str)> {
    let user = json!({"UserPoolId": pool_id, "Username": username});
    let with = |extra: Value| {
        let mut v = user.clone();
        if let (Some(v), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
            v.extend(extra.clone());
        }
        v
    };
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    Some(match action {
        "disable" => ("AdminDisableUser", user, "User disabled."),
        "enable" => ("AdminEnableUser", user, "User enabled."),
        "sign_out" => (
            "AdminUserGlobalSignOut",
            user,
            "Signed out of every session.",
        ),
        "set_password" => (
            "AdminSetUserPassword",
            with(json!({"Password": text("password"), "Permanent": f.contains_key("permanent")})),
            "Password set.",
        ),
        "reset_password" => (
            "AdminResetUserPassword",
            user,
            "Password reset: the user gets a code.",
        ),
        "set_attribute" => (
            "AdminUpdateUserAttributes",
            with(
                json!({"UserAttributes": [{"Name": text("name").trim(), "Value": text("value")}]}),
            ),
            "Attribute saved.",
        ),
        "add_to_group" => (
            "AdminAddUserToGroup",
            with(json!({"GroupName": text("group")})),
            "Added to the group.",
        ),
        "remove_from_group" => (
            "AdminRemoveUserFromGroup",
            with(json!({"GroupName": text("group")})),
            "Removed from the group.",
        ),
        "delete" => ("AdminDeleteUser", user, "User deleted."),
        _ => return None,
    })
}

/// `POST /console/pools/<poolId>/users/<username>`: one of the user page's actions.
pub(super) async fn act(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path((pool_id, username)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let session =
        match super::admin_post(&state, &jar, &headers, &pool_id, "/console/user", &f).await {
            Ok(s) => s,
            Err(answer) => return answer,
        };
    let action = f.get("action").map(String::as_str).unwrap_or_default();
    let Some((op, input, _)) = action_call(action, &pool_id, &username, &f) else {
        return super::fail(StatusCode::BAD_REQUEST, "Unknown action.");
    };
    if op == "AdminDeleteUser" && !f.contains_key("confirm") {
        let outcome = Err("Tick the box to confirm deleting the user.".to_owned());
        return user_page(&state, &headers, jar, &session, pool_id, username, outcome).await;
    }
    let outcome = state
        .api
        .call(&super::pools::region_of(&pool_id), op, input)
        .await
        .map_err(|e| e.message);
    let user_url = format!(
        "/console/pools/{pool_id}/users/{}",
        cognate_core::oauth::form_encode(&username)
    );
    match outcome {
        Ok(_) if op == "AdminDeleteUser" => {
            Redirect::to(&format!("/console/pools/{pool_id}/users")).into_response()
        }
        // Done: back to the page by GET, so reloading it does not do it again.
        Ok(_) => Redirect::to(&format!("{user_url}?done={action}")).into_response(),
        Err(e) => user_page(&state, &headers, jar, &session, pool_id, username, Err(e)).await,
    }
}

#[derive(Template)]
#[template(path = "console/group.html")]
struct GroupPage {
    signout_csrf: Option<String>,
    pool_id: String,
    name: String,
    description: String,
    members: Vec<Row>,
}

/// `GET /console/pools/<poolId>/groups/<group>`: the group and its members.
pub(super) async fn group(
    State(state): State<Arc<ConsoleState>>,
    headers: HeaderMap,
    jar: CookieJar,
    Path((pool_id, name)): Path<(String, String)>,
) -> Response {
    let session = match super::admin_of_pool(&state, &jar, &headers, &pool_id).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let region = super::pools::region_of(&pool_id);
    let input = json!({"UserPoolId": pool_id, "GroupName": name});
    let group = match state.api.call(&region, "GetGroup", input.clone()).await {
        Ok(g) => g["Group"].clone(),
        Err(e) => return super::fail(StatusCode::NOT_FOUND, e.message),
    };
    let members = match state.api.call(&region, "ListUsersInGroup", input).await {
        Ok(v) => v["Users"].as_array().cloned().unwrap_or_default(),
        Err(e) => return super::fail(StatusCode::BAD_REQUEST, e.message),
    };
    let (jar, signout) = sign_out_token(&state, jar, &headers, &session);
    let page = GroupPage {
        signout_csrf: Some(signout),
        members: members
            .iter()
            .map(|u| {
                let username = u["Username"].as_str().unwrap_or_default().to_owned();
                Row {
                    link: format!(
                        "/console/pools/{pool_id}/users/{}",
                        cognate_core::oauth::form_encode(&username)
                    ),
                    cells: vec![username, attribute(u, "Attributes", "email")],
                }
            })
            .collect(),
        pool_id,
        name,
        description: group["Description"].as_str().unwrap_or_default().to_owned(),
    };
    (jar, render(page, StatusCode::OK)).into_response()
}

//! Groups, users and memberships.

use super::check_request;
use super::file::{GroupSpec, UserSpec};
use cognate_core::group::GroupRequest;
use cognate_core::password;
use cognate_core::pool::UserPool;
use cognate_core::user::{AdminCreateUserRequest, Attribute};
use cognate_core::{Cognito, CognitoError};
use serde_json::json;

fn message(e: CognitoError) -> String {
    e.message
}

/// Creates the group, or brings the members the file states to its values.
pub(super) async fn ensure_group(
    c: &Cognito,
    pool: &UserPool,
    spec: &GroupSpec,
) -> Result<(), String> {
    let region = pool.region();
    let existing = c
        .store
        .get_group(&pool.id, &spec.name)
        .await
        .map_err(|e| message(e.into()))?;
    let req = GroupRequest {
        group_name: spec.name.clone(),
        user_pool_id: pool.id.clone(),
        description: spec.description.clone(),
        role_arn: spec.role_arn.clone(),
        precedence: spec.precedence,
    };
    let body = json!({
        "GroupName": req.group_name, "UserPoolId": req.user_pool_id,
        "Description": req.description, "RoleArn": req.role_arn, "Precedence": req.precedence,
    });
    check_request("CreateGroup", &body)?;
    match existing {
        None => {
            c.create_group(region, req).await.map_err(message)?;
            tracing::info!(pool_id = %pool.id, group = %spec.name, "bootstrap created the group");
        }
        Some(group) => {
            if differs(&spec.description, &group.description)
                || differs(&spec.role_arn, &group.role_arn)
                || differs(&spec.precedence, &group.precedence)
            {
                c.update_group(region, req).await.map_err(message)?;
                tracing::info!(pool_id = %pool.id, group = %spec.name, "bootstrap updated the group");
            }
        }
    }
    Ok(())
}

/// Whether the file states a value other than the stored one.
fn differs<T: PartialEq>(file: &Option<T>, stored: &Option<T>) -> bool {
    file.is_some() && file != stored
}

/// Sets the user's password (the file's, or a generated one, which is returned).
async fn set_password(
    c: &Cognito,
    pool: &UserPool,
    spec: &UserSpec,
) -> Result<Option<String>, String> {
    let (password, generated) = match &spec.password {
        Some(p) => (p.clone(), false),
        None => (password::generate_temporary(pool.password_policy()), true),
    };
    c.admin_set_user_password(
        pool.region(),
        &pool.id,
        &spec.username,
        &password,
        spec.permanent,
    )
    .await
    .map_err(message)?;
    Ok(generated.then_some(password))
}

/// Creates the user if missing, brings the attributes the file states to its values, adds the
/// memberships. Returns the password it generated, if it did.
pub(super) async fn ensure_user(
    c: &Cognito,
    pool: &UserPool,
    spec: &UserSpec,
) -> Result<Option<String>, String> {
    let region = pool.region();
    let attributes: Vec<Attribute> = spec
        .attributes
        .iter()
        .map(|(name, value)| Attribute::new(name, value.as_text()))
        .collect();
    let existing = c
        .find_user_opt(pool, &spec.username)
        .await
        .map_err(message)?;
    let generated = match existing {
        None => {
            // Checked against the policy before anything is written.
            let first = spec
                .password
                .clone()
                .unwrap_or_else(|| password::generate_temporary(pool.password_policy()));
            let body = json!({
                "UserPoolId": pool.id, "Username": spec.username,
                "UserAttributes": attributes, "TemporaryPassword": first,
            });
            check_request("AdminCreateUser", &body)?;
            let req = AdminCreateUserRequest {
                user_pool_id: pool.id.clone(),
                username: spec.username.clone(),
                user_attributes: attributes,
                temporary_password: Some(first.clone()),
                force_alias_creation: false,
                message_action: Some("SUPPRESS".into()),
                desired_delivery_mediums: None,
                validation_data: None,
                client_metadata: None,
            };
            c.admin_create_user(region, req).await.map_err(message)?;
            tracing::info!(pool_id = %pool.id, username = %spec.username, "bootstrap created the user");
            if spec.permanent {
                c.admin_set_user_password(region, &pool.id, &spec.username, &first, true)
                    .await
                    .map_err(message)?;
            }
            spec.password.is_none().then_some(first)
        }
        Some(user) => {
            let changed: Vec<Attribute> = attributes
                .into_iter()
                .filter(|a| user.attr(&a.name) != Some(a.value.as_str()))
                .collect();
            if !changed.is_empty() {
                let body = json!({
                    "UserPoolId": pool.id, "Username": spec.username, "UserAttributes": changed,
                });
                check_request("AdminUpdateUserAttributes", &body)?;
                c.admin_update_user_attributes(region, &pool.id, &spec.username, changed)
                    .await
                    .map_err(message)?;
                tracing::info!(pool_id = %pool.id, username = %spec.username, "bootstrap updated the user's attributes");
            }
            if spec.reset_password {
                let generated = set_password(c, pool, spec).await?;
                tracing::info!(pool_id = %pool.id, username = %spec.username, "bootstrap reset the user's password");
                generated
            } else {
                None
            }
        }
    };
    for group in &spec.groups {
        c.admin_add_user_to_group(region, &pool.id, &spec.username, group)
            .await
            .map_err(|e| format!("group {group:?}: {}", e.message))?;
    }
    Ok(generated)
}

//! Pools, their domain and their app clients.
//!
//! Existing resources are updated by laying the file's settings (in the API's PascalCase
//! names) over the stored ones: only what the file states changes, and nothing is written when
//! the result equals what is stored.

use super::check_request;
use super::file::{ClientSpec, PoolSpec};
use cognate_core::client::{AppClient, CreateUserPoolClientRequest, UpdateUserPoolClientRequest};
use cognate_core::domain::DomainRequest;
use cognate_core::pool::{CreateUserPoolRequest, UpdateUserPoolRequest, UserPool};
use cognate_core::{Cognito, CognitoError, ErrorKind};
use serde_json::{Value, json};
use std::sync::Arc;

fn message(e: CognitoError) -> String {
    e.message
}

fn invalid(e: serde_json::Error) -> String {
    format!("invalid settings: {e}")
}

/// Drops nulls, empty lists and the dates, so that stored and desired settings compare.
fn normalize(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|k, v| {
            !(v.is_null()
                || v.as_array().is_some_and(|a| a.is_empty())
                || k == "LastModifiedDate"
                || k == "CreationDate")
        });
        map.values_mut().for_each(normalize);
    }
}

/// Lays `over` onto `base`: objects merge member by member, anything else replaces.
fn overlay(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    continue;
                }
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => overlay(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// `Some(after)` when laying the file over `stored` changes something.
fn changed(stored: Value, desired: &Value) -> Option<Value> {
    let mut before = stored;
    normalize(&mut before);
    let mut after = before.clone();
    overlay(&mut after, desired);
    for name in WHOLE_SETTINGS {
        if let Some(whole) = desired.get(*name) {
            after[*name] = whole.clone();
        }
    }
    normalize(&mut after);
    (after != before).then_some(after)
}

/// The pool settings the file states, in the names `UserPool` is stored under.
fn pool_settings(spec: &PoolSpec) -> Value {
    let mut v = json!({
        "Name": spec.name,
        "Policies": {"PasswordPolicy": spec.password_policy},
        "MfaConfiguration": spec.mfa_configuration,
        "AutoVerifiedAttributes": spec.auto_verified_attributes,
        "DeletionProtection": spec.deletion_protection.map(|on| if on { "ACTIVE" } else { "INACTIVE" }),
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": spec.allow_admin_create_user_only},
        "UserPoolTags": spec.tags,
        "VerificationMessageTemplate": spec.verification_message_template.as_ref().map(|t| {
            let mut t = json!(t);
            // Stored with its default, so that a file that leaves it out compares equal.
            if t["DefaultEmailOption"].is_null() {
                t["DefaultEmailOption"] = json!("CONFIRM_WITH_CODE");
            }
            t
        }),
        "EmailConfiguration": spec.email_configuration,
        "AccountRecoverySetting": spec.account_recovery.as_ref().map(|names| json!({
            "RecoveryMechanisms": names.iter().enumerate()
                .map(|(i, name)| json!({"Name": name, "Priority": i + 1}))
                .collect::<Vec<_>>(),
        })),
        "UserAttributeUpdateSettings": spec.attributes_require_verification_before_update.as_ref()
            .map(|names| json!({"AttributesRequireVerificationBeforeUpdate": names})),
    });
    if let Some(invite) = &spec.invite_message_template {
        v["AdminCreateUserConfig"]["InviteMessageTemplate"] = json!(invite);
    }
    normalize(&mut v);
    v
}

/// Members the file states as a whole: they replace the stored value instead of merging
/// into it (a template that moves from code to link must lose its code message).
const WHOLE_SETTINGS: &[&str] = &[
    "VerificationMessageTemplate",
    "EmailConfiguration",
    "AccountRecoverySetting",
];

async fn find_pool(
    c: &Cognito,
    region: &str,
    spec: &PoolSpec,
) -> Result<Option<Arc<UserPool>>, String> {
    if let Some(id) = &spec.id {
        return match c.pool(region, id).await {
            Ok(pool) => Ok(Some(pool)),
            Err(e) if e.kind == ErrorKind::ResourceNotFound => Ok(None),
            Err(e) => Err(message(e)),
        };
    }
    let mut found: Vec<String> = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_user_pools(region, 60, token.as_deref())
            .await
            .map_err(message)?;
        found.extend(
            page.items
                .into_iter()
                .filter(|p| p.name == spec.name)
                .map(|p| p.id),
        );
        token = page.next;
        if token.is_none() {
            break;
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [id] => c.pool(region, id).await.map(Some).map_err(message),
        ids => Err(format!(
            "{} pools in {region} have this name ({}): give the pool's id",
            ids.len(),
            ids.join(", ")
        )),
    }
}

/// Settings Cognito fixes when the pool is created.
fn check_create_only(spec: &PoolSpec, pool: &UserPool) -> Result<(), String> {
    let fixed = |name: &str, file: &Option<Vec<String>>, stored: &Vec<String>| match file {
        Some(f) if f != stored => Err(format!(
            "{name} cannot change once the pool exists (it has {stored:?}, the file says {f:?})"
        )),
        _ => Ok(()),
    };
    fixed(
        "username_attributes",
        &spec.username_attributes,
        &pool.username_attributes,
    )?;
    fixed(
        "alias_attributes",
        &spec.alias_attributes,
        &pool.alias_attributes,
    )?;
    match spec.username_case_sensitive {
        Some(file) if file != pool.case_sensitive() => Err(format!(
            "username_case_sensitive cannot change once the pool exists (it is {})",
            pool.case_sensitive()
        )),
        _ => Ok(()),
    }
}

/// What applying `spec` would refuse because of what the store already holds, found without
/// writing: settings that cannot change on an existing pool, a domain of another pool.
pub(super) async fn check_against_store(c: &Cognito, spec: &PoolSpec) -> Result<(), String> {
    let region = spec.region();
    let existing = find_pool(c, &region, spec).await?;
    if let Some(pool) = &existing {
        check_create_only(spec, pool)?;
    }
    if let Some(domain) = &spec.domain {
        let holder = c
            .store
            .get_domain(domain)
            .await
            .map_err(|e| message(e.into()))?;
        if let Some(other) = holder
            && existing.as_ref().is_none_or(|p| p.id != other.pool_id)
        {
            return Err(format!(
                "domain {domain:?}: the domain belongs to pool {}",
                other.pool_id
            ));
        }
    }
    Ok(())
}

/// Finds or creates the pool, then brings the settings the file states to its values.
pub(super) async fn ensure_pool(c: &Cognito, spec: &PoolSpec) -> Result<Arc<UserPool>, String> {
    let region = spec.region();
    let settings = pool_settings(spec);
    let Some(pool) = find_pool(c, &region, spec).await? else {
        let mut body = settings;
        overlay(
            &mut body,
            &json!({
                "PoolName": spec.name,
                "UsernameAttributes": spec.username_attributes,
                "AliasAttributes": spec.alias_attributes,
                "UsernameConfiguration": spec.username_case_sensitive.map(|b| json!({"CaseSensitive": b})),
            }),
        );
        check_request("CreateUserPool", &body)?;
        let req: CreateUserPoolRequest = serde_json::from_value(body).map_err(invalid)?;
        let created = match &spec.id {
            Some(id) => c.create_user_pool_with_id(&region, id, req).await,
            None => c.create_user_pool(&region, req).await,
        }
        .map_err(message)?;
        tracing::info!(pool_id = %created.pool.id, "bootstrap created the user pool");
        return Ok(Arc::new(created.pool));
    };
    check_create_only(spec, &pool)?;
    let stored = serde_json::to_value(&pool).map_err(invalid)?;
    let Some(mut after) = changed(stored, &settings) else {
        return Ok(pool);
    };
    if let Value::Object(m) = &mut after {
        m.insert("UserPoolId".into(), Value::from(pool.id.clone()));
        let name = m.get("Name").cloned().unwrap_or(Value::Null);
        m.insert("PoolName".into(), name);
    }
    check_request("UpdateUserPool", &after)?;
    let req: UpdateUserPoolRequest = serde_json::from_value(after).map_err(invalid)?;
    c.update_user_pool(&region, req).await.map_err(message)?;
    tracing::info!(pool_id = %pool.id, "bootstrap updated the user pool");
    c.pool(&region, &pool.id).await.map_err(message)
}

/// Gives the pool the prefix domain the file names (replacing another prefix domain).
pub(super) async fn ensure_domain(
    c: &Cognito,
    spec: &PoolSpec,
    pool: &UserPool,
) -> Result<(), String> {
    let Some(domain) = &spec.domain else {
        return Ok(());
    };
    let region = pool.region();
    let current = c
        .store
        .list_domains_of_pool(&pool.id)
        .await
        .map_err(|e| message(e.into()))?;
    if current.iter().any(|d| &d.domain == domain) {
        return Ok(());
    }
    // Checked before the pool's former domain is removed.
    let taken = c.store.get_domain(domain).await;
    if let Some(other) = taken.map_err(|e| message(e.into()))? {
        return Err(format!("the domain belongs to pool {}", other.pool_id));
    }
    for old in current.iter().filter(|d| d.custom_domain_config.is_none()) {
        c.delete_user_pool_domain(region, &pool.id, &old.domain)
            .await
            .map_err(message)?;
        tracing::info!(pool_id = %pool.id, domain = %old.domain, "bootstrap removed the former domain");
    }
    check_request(
        "CreateUserPoolDomain",
        &json!({"Domain": domain, "UserPoolId": pool.id}),
    )?;
    let req = DomainRequest {
        domain: domain.clone(),
        user_pool_id: pool.id.clone(),
        managed_login_version: None,
        custom_domain_config: None,
    };
    c.create_user_pool_domain(region, req)
        .await
        .map_err(message)?;
    tracing::info!(pool_id = %pool.id, %domain, "bootstrap created the domain");
    Ok(())
}

fn client_settings(spec: &ClientSpec) -> Result<Value, String> {
    let mut v = serde_json::to_value(spec).map_err(invalid)?;
    if spec.allowed_oauth_flows_user_pool_client.is_none()
        && spec
            .allowed_oauth_flows
            .as_ref()
            .is_some_and(|f| !f.is_empty())
        && let Value::Object(m) = &mut v
    {
        m.insert("AllowedOAuthFlowsUserPoolClient".into(), Value::Bool(true));
    }
    normalize(&mut v);
    Ok(v)
}

async fn find_client(
    c: &Cognito,
    pool: &UserPool,
    spec: &ClientSpec,
) -> Result<Option<AppClient>, String> {
    if let Some(id) = &spec.client_id {
        return match c
            .store
            .get_client(id)
            .await
            .map_err(|e| message(e.into()))?
        {
            Some(client) if client.pool_id() == pool.id => Ok(Some(client)),
            Some(client) => Err(format!(
                "client ID {id} already belongs to pool {}",
                client.pool_id()
            )),
            None => Ok(None),
        };
    }
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_user_pool_clients(pool.region(), &pool.id, None, token.as_deref())
            .await
            .map_err(message)?;
        found.extend(
            page.items
                .into_iter()
                .filter(|d| d.client_name == spec.name)
                .map(|d| d.client_id),
        );
        token = page.next;
        if token.is_none() {
            break;
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [id] => c.client_by_id(id).await.map(Some).map_err(message),
        ids => Err(format!(
            "{} clients of the pool have this name ({}): give the client_id",
            ids.len(),
            ids.join(", ")
        )),
    }
}

/// Finds or creates the client, brings its settings to the file's, and gives it the file's
/// secret (replacing the former ones) when one is fixed.
pub(super) async fn ensure_client(
    c: &Cognito,
    pool: &UserPool,
    spec: &ClientSpec,
) -> Result<(), String> {
    let region = pool.region();
    let settings = client_settings(spec)?;
    let Some(client) = find_client(c, pool, spec).await? else {
        let mut body = settings;
        overlay(
            &mut body,
            &json!({
                "UserPoolId": pool.id,
                "ClientSecret": spec.client_secret,
                "GenerateSecret": spec.generate_secret.or(spec.client_secret.as_ref().map(|_| true)),
            }),
        );
        check_request("CreateUserPoolClient", &body)?;
        let req: CreateUserPoolClientRequest = serde_json::from_value(body).map_err(invalid)?;
        let created = match &spec.client_id {
            Some(id) => c.create_user_pool_client_with_id(region, id, req).await,
            None => c.create_user_pool_client(region, req).await,
        }
        .map_err(message)?;
        tracing::info!(pool_id = %pool.id, client_id = %created.settings.client_id, "bootstrap created the app client");
        return Ok(());
    };
    let client_id = client.client_id().to_owned();
    let stored = serde_json::to_value(&client.settings).map_err(invalid)?;
    if let Some(after) = changed(stored, &settings) {
        check_request("UpdateUserPoolClient", &after)?;
        let req: UpdateUserPoolClientRequest = serde_json::from_value(after).map_err(invalid)?;
        c.update_user_pool_client(region, req)
            .await
            .map_err(message)?;
        tracing::info!(pool_id = %pool.id, %client_id, "bootstrap updated the app client");
    }
    ensure_secret(c, pool, &client, spec).await
}

async fn ensure_secret(
    c: &Cognito,
    pool: &UserPool,
    client: &AppClient,
    spec: &ClientSpec,
) -> Result<(), String> {
    let (region, client_id) = (pool.region(), client.client_id());
    if !client.has_secret() && (spec.client_secret.is_some() || spec.generate_secret == Some(true))
    {
        return Err("the existing client has no secret, and a public client cannot get one: delete it to create it again".into());
    }
    if client.has_secret() && spec.generate_secret == Some(false) {
        return Err("the existing client has a secret, which cannot be removed: delete it to create it again".into());
    }
    let Some(wanted) = &spec.client_secret else {
        return Ok(());
    };
    if c.client_secrets(client).map_err(message)?.contains(wanted) {
        return Ok(());
    }
    let old: Vec<String> = client.secrets.iter().map(|s| s.id.clone()).collect();
    // A client holds at most two secrets, and its only secret cannot be deleted.
    if old.len() >= 2 {
        c.delete_user_pool_client_secret(region, &pool.id, client_id, &old[0])
            .await
            .map_err(message)?;
    }
    c.add_user_pool_client_secret(region, &pool.id, client_id, Some(wanted.clone()))
        .await
        .map_err(message)?;
    for id in old.iter().skip(usize::from(old.len() >= 2)) {
        c.delete_user_pool_client_secret(region, &pool.id, client_id, id)
            .await
            .map_err(message)?;
    }
    tracing::info!(pool_id = %pool.id, %client_id, "bootstrap replaced the client secret");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_changes_only_what_is_stated() {
        let stored = json!({"A": 1, "B": {"X": 1, "Y": 2}, "C": [], "LastModifiedDate": 5});
        assert_eq!(
            changed(stored.clone(), &json!({"A": 1, "B": {"X": 1}})),
            None
        );
        assert_eq!(changed(stored.clone(), &json!({"C": []})), None);
        assert_eq!(
            changed(stored, &json!({"B": {"Y": 3}, "D": null})),
            Some(json!({"A": 1, "B": {"X": 1, "Y": 3}}))
        );
    }
}

use super::{Ctx, field, input, output, paged};
use cognate_core::Result;
use cognate_core::user::Attribute;
use serde_json::{Value, json};

pub async fn create(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let user = cx
        .cognito
        .admin_create_user(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "User": output(user)? }))
}

pub async fn get(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .admin_get_user(cx.region()?, field(&v, "UserPoolId"), field(&v, "Username"))
            .await?,
    )
}

pub async fn delete(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_delete_user(cx.region()?, field(&v, "UserPoolId"), field(&v, "Username"))
        .await?;
    Ok(json!({}))
}

pub async fn update_attributes(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let attrs: Vec<Attribute> = input(v.get("UserAttributes").cloned().unwrap_or_default())?;
    cx.cognito
        .admin_update_user_attributes(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            attrs,
        )
        .await?;
    Ok(json!({}))
}

pub async fn delete_attributes(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let names: Vec<String> = input(v.get("UserAttributeNames").cloned().unwrap_or_default())?;
    cx.cognito
        .admin_delete_user_attributes(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            names,
        )
        .await?;
    Ok(json!({}))
}

pub async fn set_enabled(cx: &Ctx<'_>, v: Value, enabled: bool) -> Result<Value> {
    cx.cognito
        .admin_set_user_enabled(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            enabled,
        )
        .await?;
    Ok(json!({}))
}

pub async fn set_password(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let permanent = v.get("Permanent").and_then(Value::as_bool).unwrap_or(false);
    cx.cognito
        .admin_set_user_password(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            field(&v, "Password"),
            permanent,
        )
        .await?;
    Ok(json!({}))
}

pub async fn confirm_sign_up(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_confirm_sign_up(cx.region()?, field(&v, "UserPoolId"), field(&v, "Username"))
        .await?;
    Ok(json!({}))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let page = cx.cognito.list_users(cx.region()?, input(v)?).await?;
    paged(page, "Users", "PaginationToken")
}

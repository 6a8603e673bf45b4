//! Remembered devices: ConfirmDevice and the device operations, as the user and as an
//! administrator.

use super::{Ctx, field, input, opt_field, opt_int, output, paged};
use cognate_core::Result;
use cognate_core::device::ops::Owner;
use cognate_core::error::CognitoError;
use serde_json::{Value, json};

/// The user of the request's access token (required, although the model leaves it optional
/// on GetDevice and ForgetDevice: nothing else names the user).
fn token_owner(v: &Value) -> Result<Owner<'_>> {
    v.get("AccessToken")
        .and_then(Value::as_str)
        .map(Owner::Token)
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter AccessToken"))
}

fn admin_owner<'v>(cx: &'v Ctx<'_>, v: &'v Value) -> Result<Owner<'v>> {
    Ok(Owner::Admin {
        region: cx.region()?,
        pool_id: field(v, "UserPoolId"),
        username: field(v, "Username"),
    })
}

pub async fn confirm(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(cx.cognito.confirm_device(input(v)?).await?)
}

pub async fn get(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let device = cx
        .cognito
        .get_device(token_owner(&v)?, field(&v, "DeviceKey"))
        .await?;
    Ok(json!({ "Device": output(device)? }))
}

pub async fn admin_get(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let device = cx
        .cognito
        .get_device(admin_owner(cx, &v)?, field(&v, "DeviceKey"))
        .await?;
    Ok(json!({ "Device": output(device)? }))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let token = opt_field(&v, "PaginationToken");
    let page = cx
        .cognito
        .list_devices(token_owner(&v)?, opt_int(&v, "Limit"), token.as_deref())
        .await?;
    paged(page, "Devices", "PaginationToken")
}

pub async fn admin_list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let token = opt_field(&v, "PaginationToken");
    let page = cx
        .cognito
        .list_devices(admin_owner(cx, &v)?, opt_int(&v, "Limit"), token.as_deref())
        .await?;
    paged(page, "Devices", "PaginationToken")
}

pub async fn update_status(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let status = opt_field(&v, "DeviceRememberedStatus");
    cx.cognito
        .update_device_status(token_owner(&v)?, field(&v, "DeviceKey"), status.as_deref())
        .await?;
    Ok(json!({}))
}

pub async fn admin_update_status(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let status = opt_field(&v, "DeviceRememberedStatus");
    cx.cognito
        .update_device_status(
            admin_owner(cx, &v)?,
            field(&v, "DeviceKey"),
            status.as_deref(),
        )
        .await?;
    Ok(json!({}))
}

pub async fn forget(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .forget_device(token_owner(&v)?, field(&v, "DeviceKey"))
        .await?;
    Ok(json!({}))
}

pub async fn admin_forget(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .forget_device(admin_owner(cx, &v)?, field(&v, "DeviceKey"))
        .await?;
    Ok(json!({}))
}

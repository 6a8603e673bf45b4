//! MFA: the pool's configuration, software tokens, users' preferences and legacy settings.

use super::{Ctx, field, input, opt_field, output};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn set_pool_config(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .set_user_pool_mfa_config(cx.region()?, input(v)?)
            .await?,
    )
}

pub async fn get_pool_config(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .get_user_pool_mfa_config(cx.region()?, field(&v, "UserPoolId"))
            .await?,
    )
}

pub async fn associate_software_token(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .associate_software_token(
                opt_field(&v, "AccessToken").as_deref(),
                opt_field(&v, "Session").as_deref(),
            )
            .await?,
    )
}

pub async fn verify_software_token(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(cx.cognito.verify_software_token(input(v)?).await?)
}

pub async fn set_preference(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito.set_user_mfa_preference(None, input(v)?).await?;
    Ok(json!({}))
}

pub async fn admin_set_preference(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .set_user_mfa_preference(Some(cx.region()?), input(v)?)
        .await?;
    Ok(json!({}))
}

pub async fn admin_set_user_settings(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let options: Vec<Value> = input(v.get("MFAOptions").cloned().unwrap_or_default())?;
    cx.cognito
        .admin_set_user_settings(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            options,
        )
        .await?;
    Ok(json!({}))
}

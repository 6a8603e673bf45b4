//! ForgotPassword and ConfirmForgotPassword (unsigned), AdminResetUserPassword (signed).

use super::{Ctx, field, input, output};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn forgot_password(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(cx.cognito.forgot_password(input(v)?).await?)
}

pub async fn confirm_forgot_password(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito.confirm_forgot_password(input(v)?).await?;
    Ok(json!({}))
}

pub async fn admin_reset_user_password(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_reset_user_password(cx.region()?, field(&v, "UserPoolId"), field(&v, "Username"))
        .await?;
    Ok(json!({}))
}

//! SignUp, ConfirmSignUp, ResendConfirmationCode: unsigned, authorized by the app client.

use super::{Ctx, input, output};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn sign_up(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(cx.cognito.sign_up(input(v)?).await?)
}

pub async fn confirm_sign_up(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito.confirm_sign_up(input(v)?).await?;
    Ok(json!({}))
}

pub async fn resend_confirmation_code(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(cx.cognito.resend_confirmation_code(input(v)?).await?)
}

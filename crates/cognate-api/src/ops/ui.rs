use super::{Ctx, field, input, opt_field, output};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn set(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let c = cx
        .cognito
        .set_ui_customization(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "UICustomization": output(c)? }))
}

pub async fn get(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let c = cx
        .cognito
        .get_ui_customization(
            cx.region()?,
            field(&v, "UserPoolId"),
            opt_field(&v, "ClientId").as_deref(),
        )
        .await?;
    Ok(json!({ "UICustomization": output(c)? }))
}

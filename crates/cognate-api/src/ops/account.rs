use super::{Ctx, field, input, opt_field, output};
use cognate_core::Result;
use cognate_core::user::Attribute;
use serde_json::{Value, json};

pub async fn get_user(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(cx.cognito.get_user(field(&v, "AccessToken")).await?)
}

pub async fn update_attributes(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let attrs: Vec<Attribute> = input(v.get("UserAttributes").cloned().unwrap_or_default())?;
    let sent = cx
        .cognito
        .update_user_attributes(field(&v, "AccessToken"), attrs)
        .await?;
    Ok(json!({ "CodeDeliveryDetailsList": output(sent)? }))
}

pub async fn get_verification_code(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .get_user_attribute_verification_code(
                field(&v, "AccessToken"),
                field(&v, "AttributeName"),
            )
            .await?,
    )
}

pub async fn verify_attribute(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .verify_user_attribute(
            field(&v, "AccessToken"),
            field(&v, "AttributeName"),
            field(&v, "Code"),
        )
        .await?;
    Ok(json!({}))
}

pub async fn delete_attributes(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let names: Vec<String> = input(v.get("UserAttributeNames").cloned().unwrap_or_default())?;
    cx.cognito
        .delete_user_attributes_self(field(&v, "AccessToken"), names)
        .await?;
    Ok(json!({}))
}

pub async fn delete_user(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_user_self(field(&v, "AccessToken"))
        .await?;
    Ok(json!({}))
}

pub async fn change_password(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .change_password(
            field(&v, "AccessToken"),
            opt_field(&v, "PreviousPassword").as_deref(),
            field(&v, "ProposedPassword"),
        )
        .await?;
    Ok(json!({}))
}

pub async fn set_user_settings(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let options: Vec<Value> = input(v.get("MFAOptions").cloned().unwrap_or_default())?;
    cx.cognito
        .set_user_settings(field(&v, "AccessToken"), options)
        .await?;
    Ok(json!({}))
}

use super::{Ctx, field, input, opt_field, opt_int, output, paged};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn create(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let idp = cx
        .cognito
        .create_identity_provider(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "IdentityProvider": output(idp)? }))
}

pub async fn describe(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let idp = cx
        .cognito
        .identity_provider(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "ProviderName"),
        )
        .await?;
    Ok(json!({ "IdentityProvider": output(idp)? }))
}

pub async fn by_identifier(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let idp = cx
        .cognito
        .identity_provider_by_identifier(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "IdpIdentifier"),
        )
        .await?;
    Ok(json!({ "IdentityProvider": output(idp)? }))
}

pub async fn update(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let idp = cx
        .cognito
        .update_identity_provider(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "IdentityProvider": output(idp)? }))
}

pub async fn delete(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_identity_provider(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "ProviderName"),
        )
        .await?;
    Ok(json!({}))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let page = cx
        .cognito
        .list_identity_providers(
            cx.region()?,
            field(&v, "UserPoolId"),
            opt_int(&v, "MaxResults"),
            opt_field(&v, "NextToken").as_deref(),
        )
        .await?;
    paged(page, "Providers", "NextToken")
}

pub async fn link(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_link_provider_for_user(cx.region()?, input(v)?)
        .await?;
    Ok(json!({}))
}

pub async fn disable(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_disable_provider_for_user(cx.region()?, input(v)?)
        .await?;
    Ok(json!({}))
}

pub async fn signing_certificate(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let certificate = cx
        .cognito
        .get_signing_certificate(cx.region()?, field(&v, "UserPoolId"))
        .await?;
    Ok(json!({ "Certificate": certificate }))
}

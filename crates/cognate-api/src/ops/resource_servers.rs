use super::{Ctx, field, input, opt_field, opt_int, output, paged};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn create(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let s = cx
        .cognito
        .create_resource_server(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "ResourceServer": output(s)? }))
}

pub async fn describe(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let s = cx
        .cognito
        .resource_server(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Identifier"),
        )
        .await?;
    Ok(json!({ "ResourceServer": output(s)? }))
}

pub async fn update(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let s = cx
        .cognito
        .update_resource_server(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "ResourceServer": output(s)? }))
}

pub async fn delete(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_resource_server(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Identifier"),
        )
        .await?;
    Ok(json!({}))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let page = cx
        .cognito
        .list_resource_servers(
            cx.region()?,
            field(&v, "UserPoolId"),
            opt_int(&v, "MaxResults"),
            opt_field(&v, "NextToken").as_deref(),
        )
        .await?;
    paged(page, "ResourceServers", "NextToken")
}

use super::{Ctx, field, input, opt_field, opt_int, output, paged};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn create(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let client = cx
        .cognito
        .create_user_pool_client(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "UserPoolClient": output(client)? }))
}

pub async fn describe(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let client = cx
        .cognito
        .describe_user_pool_client(cx.region()?, field(&v, "UserPoolId"), field(&v, "ClientId"))
        .await?;
    Ok(json!({ "UserPoolClient": output(client)? }))
}

pub async fn update(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let client = cx
        .cognito
        .update_user_pool_client(cx.region()?, input(v)?)
        .await?;
    Ok(json!({ "UserPoolClient": output(client)? }))
}

pub async fn delete(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_user_pool_client(cx.region()?, field(&v, "UserPoolId"), field(&v, "ClientId"))
        .await?;
    Ok(json!({}))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let page = cx
        .cognito
        .list_user_pool_clients(
            cx.region()?,
            field(&v, "UserPoolId"),
            opt_int(&v, "MaxResults"),
            opt_field(&v, "NextToken").as_deref(),
        )
        .await?;
    paged(page, "UserPoolClients", "NextToken")
}

pub async fn add_secret(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let d = cx
        .cognito
        .add_user_pool_client_secret(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "ClientId"),
            opt_field(&v, "ClientSecret"),
        )
        .await?;
    Ok(json!({ "ClientSecretDescriptor": output(d)? }))
}

pub async fn list_secrets(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let secrets = cx
        .cognito
        .list_user_pool_client_secrets(cx.region()?, field(&v, "UserPoolId"), field(&v, "ClientId"))
        .await?;
    Ok(json!({ "ClientSecrets": output(secrets)? }))
}

pub async fn delete_secret(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_user_pool_client_secret(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "ClientId"),
            field(&v, "ClientSecretId"),
        )
        .await?;
    Ok(json!({}))
}

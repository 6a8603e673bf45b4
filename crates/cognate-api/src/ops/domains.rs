use super::{Ctx, field, input, output};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn create(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .create_user_pool_domain(cx.region()?, input(v)?)
            .await?,
    )
}

pub async fn describe(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let d = cx
        .cognito
        .describe_user_pool_domain(cx.region()?, field(&v, "Domain"))
        .await?;
    Ok(json!({ "DomainDescription": output(d)? }))
}

pub async fn update(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .update_user_pool_domain(cx.region()?, input(v)?)
            .await?,
    )
}

pub async fn delete(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_user_pool_domain(cx.region()?, field(&v, "UserPoolId"), field(&v, "Domain"))
        .await?;
    Ok(json!({}))
}

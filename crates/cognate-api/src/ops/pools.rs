use super::{Ctx, field, input, opt_field, output, paged};
use cognate_core::Result;
use cognate_core::schema::SchemaAttribute;
use serde_json::{Value, json};

pub async fn create(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let pool = cx.cognito.create_user_pool(cx.region()?, input(v)?).await?;
    Ok(json!({ "UserPool": output(pool)? }))
}

pub async fn describe(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let pool = cx
        .cognito
        .describe_user_pool(cx.region()?, field(&v, "UserPoolId"))
        .await?;
    Ok(json!({ "UserPool": output(pool)? }))
}

pub async fn update(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito.update_user_pool(cx.region()?, input(v)?).await?;
    Ok(json!({}))
}

pub async fn delete(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_user_pool(cx.region()?, field(&v, "UserPoolId"))
        .await?;
    Ok(json!({}))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let max = v.get("MaxResults").and_then(Value::as_i64).unwrap_or(60);
    let page = cx
        .cognito
        .list_user_pools(cx.region()?, max, opt_field(&v, "NextToken").as_deref())
        .await?;
    paged(page, "UserPools", "NextToken")
}

pub async fn add_custom_attributes(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let attrs: Vec<SchemaAttribute> =
        input(v.get("CustomAttributes").cloned().unwrap_or_default())?;
    cx.cognito
        .add_custom_attributes(cx.region()?, field(&v, "UserPoolId"), attrs)
        .await?;
    Ok(json!({}))
}

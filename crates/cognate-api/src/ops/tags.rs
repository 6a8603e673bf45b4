use super::{Ctx, field, input};
use cognate_core::Result;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub async fn tag(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let tags: BTreeMap<String, String> = input(v.get("Tags").cloned().unwrap_or_default())?;
    cx.cognito
        .tag_resource(cx.region()?, field(&v, "ResourceArn"), tags)
        .await?;
    Ok(json!({}))
}

pub async fn untag(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let keys: Vec<String> = input(v.get("TagKeys").cloned().unwrap_or_default())?;
    cx.cognito
        .untag_resource(cx.region()?, field(&v, "ResourceArn"), &keys)
        .await?;
    Ok(json!({}))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let tags = cx
        .cognito
        .list_tags_for_resource(cx.region()?, field(&v, "ResourceArn"))
        .await?;
    Ok(json!({ "Tags": tags }))
}

use super::{Ctx, field, input, opt_field, opt_int, output, paged};
use cognate_core::Result;
use serde_json::{Value, json};

pub async fn create(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let g = cx.cognito.create_group(cx.region()?, input(v)?).await?;
    Ok(json!({ "Group": output(g)? }))
}

pub async fn get(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let g = cx
        .cognito
        .group(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "GroupName"),
        )
        .await?;
    Ok(json!({ "Group": output(g)? }))
}

pub async fn update(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let g = cx.cognito.update_group(cx.region()?, input(v)?).await?;
    Ok(json!({ "Group": output(g)? }))
}

pub async fn delete(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .delete_group(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "GroupName"),
        )
        .await?;
    Ok(json!({}))
}

pub async fn list(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let page = cx
        .cognito
        .list_groups(
            cx.region()?,
            field(&v, "UserPoolId"),
            opt_int(&v, "Limit"),
            opt_field(&v, "NextToken").as_deref(),
        )
        .await?;
    paged(page, "Groups", "NextToken")
}

pub async fn add_user(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_add_user_to_group(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            field(&v, "GroupName"),
        )
        .await?;
    Ok(json!({}))
}

pub async fn remove_user(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_remove_user_from_group(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            field(&v, "GroupName"),
        )
        .await?;
    Ok(json!({}))
}

pub async fn groups_for_user(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let page = cx
        .cognito
        .admin_list_groups_for_user(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "Username"),
            opt_int(&v, "Limit"),
            opt_field(&v, "NextToken").as_deref(),
        )
        .await?;
    paged(page, "Groups", "NextToken")
}

pub async fn users_in_group(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let page = cx
        .cognito
        .list_users_in_group(
            cx.region()?,
            field(&v, "UserPoolId"),
            field(&v, "GroupName"),
            opt_int(&v, "Limit"),
            opt_field(&v, "NextToken").as_deref(),
        )
        .await?;
    paged(page, "Users", "NextToken")
}

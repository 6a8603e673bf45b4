use super::{Ctx, field, input, opt_field, output};
use cognate_core::Result;
use cognate_core::auth::Caller;
use serde_json::{Value, json};

pub async fn initiate(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(cx.cognito.initiate_auth(Caller::Public, input(v)?).await?)
}

pub async fn admin_initiate(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let pool_id = field(&v, "UserPoolId").to_owned();
    let caller = Caller::Admin {
        region: cx.region()?,
        pool_id: &pool_id,
    };
    output(cx.cognito.initiate_auth(caller, input(v)?).await?)
}

pub async fn respond(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    output(
        cx.cognito
            .respond_to_auth_challenge(Caller::Public, input(v)?)
            .await?,
    )
}

pub async fn admin_respond(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let pool_id = field(&v, "UserPoolId").to_owned();
    let caller = Caller::Admin {
        region: cx.region()?,
        pool_id: &pool_id,
    };
    output(
        cx.cognito
            .respond_to_auth_challenge(caller, input(v)?)
            .await?,
    )
}

pub async fn get_tokens_from_refresh_token(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    let result = cx.cognito.get_tokens_from_refresh_token(input(v)?).await?;
    Ok(json!({ "AuthenticationResult": output(result)? }))
}

pub async fn revoke_token(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .revoke_token(
            field(&v, "Token"),
            field(&v, "ClientId"),
            opt_field(&v, "ClientSecret").as_deref(),
        )
        .await?;
    Ok(json!({}))
}

pub async fn global_sign_out(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito.global_sign_out(field(&v, "AccessToken")).await?;
    Ok(json!({}))
}

pub async fn admin_user_global_sign_out(cx: &Ctx<'_>, v: Value) -> Result<Value> {
    cx.cognito
        .admin_user_global_sign_out(cx.region()?, field(&v, "UserPoolId"), field(&v, "Username"))
        .await?;
    Ok(json!({}))
}

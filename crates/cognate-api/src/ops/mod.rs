//! One module per resource family; each handler turns the validated JSON input into a
//! domain call and the result back into JSON.

mod account;
mod auth;
mod clients;
mod devices;
mod domains;
mod groups;
mod identity_providers;
mod mfa;
mod pools;
mod recovery;
mod resource_servers;
mod signup;
mod tags;
mod ui;
mod users;

use cognate_core::page::Page;
use cognate_core::{Cognito, CognitoError, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub struct Ctx<'a> {
    pub cognito: &'a Cognito,
    /// From the SigV4 credential scope; absent on unsigned calls.
    pub region: Option<String>,
}

impl Ctx<'_> {
    /// The region of a signed call. Every operation built so far is signed.
    pub fn region(&self) -> Result<&str> {
        self.region
            .as_deref()
            .ok_or_else(|| CognitoError::not_authorized("Missing Authentication Token"))
    }
}

/// Deserializes validated input into a request type.
pub fn input<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v)
        .map_err(|e| CognitoError::invalid_parameter(format!("Invalid request: {e}")))
}

/// A page of results under `items_key`, with the next page's token under `token_key`
/// (`NextToken` or `PaginationToken`) unless this is the last page.
pub fn paged<T: Serialize>(page: Page<T>, items_key: &str, token_key: &str) -> Result<Value> {
    let mut out = serde_json::Map::new();
    out.insert(items_key.to_owned(), output(page.items)?);
    if let Some(t) = page.next {
        out.insert(token_key.to_owned(), Value::String(t));
    }
    Ok(Value::Object(out))
}

pub fn output<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v)
        .map_err(|e| CognitoError::internal(format!("cannot encode response: {e}")))
}

/// A string member the model marks required (validation has already checked it).
pub fn field<'v>(v: &'v Value, name: &str) -> &'v str {
    v.get(name).and_then(Value::as_str).unwrap_or_default()
}

pub fn opt_field(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_owned)
}

pub fn opt_int(v: &Value, name: &str) -> Option<i64> {
    v.get(name).and_then(Value::as_i64)
}

pub async fn dispatch(cx: &Ctx<'_>, op: &str, v: Value) -> Result<Value> {
    match op {
        "CreateUserPool" => pools::create(cx, v).await,
        "DescribeUserPool" => pools::describe(cx, v).await,
        "UpdateUserPool" => pools::update(cx, v).await,
        "DeleteUserPool" => pools::delete(cx, v).await,
        "ListUserPools" => pools::list(cx, v).await,
        "AddCustomAttributes" => pools::add_custom_attributes(cx, v).await,

        "CreateUserPoolClient" => clients::create(cx, v).await,
        "DescribeUserPoolClient" => clients::describe(cx, v).await,
        "UpdateUserPoolClient" => clients::update(cx, v).await,
        "DeleteUserPoolClient" => clients::delete(cx, v).await,
        "ListUserPoolClients" => clients::list(cx, v).await,
        "AddUserPoolClientSecret" => clients::add_secret(cx, v).await,
        "ListUserPoolClientSecrets" => clients::list_secrets(cx, v).await,
        "DeleteUserPoolClientSecret" => clients::delete_secret(cx, v).await,

        "CreateUserPoolDomain" => domains::create(cx, v).await,
        "DescribeUserPoolDomain" => domains::describe(cx, v).await,
        "UpdateUserPoolDomain" => domains::update(cx, v).await,
        "DeleteUserPoolDomain" => domains::delete(cx, v).await,

        "AdminCreateUser" => users::create(cx, v).await,
        "AdminGetUser" => users::get(cx, v).await,
        "AdminDeleteUser" => users::delete(cx, v).await,
        "AdminUpdateUserAttributes" => users::update_attributes(cx, v).await,
        "AdminDeleteUserAttributes" => users::delete_attributes(cx, v).await,
        "AdminDisableUser" => users::set_enabled(cx, v, false).await,
        "AdminEnableUser" => users::set_enabled(cx, v, true).await,
        "AdminSetUserPassword" => users::set_password(cx, v).await,
        "AdminConfirmSignUp" => users::confirm_sign_up(cx, v).await,
        "ListUsers" => users::list(cx, v).await,

        "CreateGroup" => groups::create(cx, v).await,
        "GetGroup" => groups::get(cx, v).await,
        "UpdateGroup" => groups::update(cx, v).await,
        "DeleteGroup" => groups::delete(cx, v).await,
        "ListGroups" => groups::list(cx, v).await,
        "AdminAddUserToGroup" => groups::add_user(cx, v).await,
        "AdminRemoveUserFromGroup" => groups::remove_user(cx, v).await,
        "AdminListGroupsForUser" => groups::groups_for_user(cx, v).await,
        "ListUsersInGroup" => groups::users_in_group(cx, v).await,

        "CreateResourceServer" => resource_servers::create(cx, v).await,
        "DescribeResourceServer" => resource_servers::describe(cx, v).await,
        "UpdateResourceServer" => resource_servers::update(cx, v).await,
        "DeleteResourceServer" => resource_servers::delete(cx, v).await,
        "ListResourceServers" => resource_servers::list(cx, v).await,

        "CreateIdentityProvider" => identity_providers::create(cx, v).await,
        "DescribeIdentityProvider" => identity_providers::describe(cx, v).await,
        "UpdateIdentityProvider" => identity_providers::update(cx, v).await,
        "DeleteIdentityProvider" => identity_providers::delete(cx, v).await,
        "ListIdentityProviders" => identity_providers::list(cx, v).await,
        "GetIdentityProviderByIdentifier" => identity_providers::by_identifier(cx, v).await,
        "AdminLinkProviderForUser" => identity_providers::link(cx, v).await,
        "AdminDisableProviderForUser" => identity_providers::disable(cx, v).await,
        "GetSigningCertificate" => identity_providers::signing_certificate(cx, v).await,

        "SetUICustomization" => ui::set(cx, v).await,
        "GetUICustomization" => ui::get(cx, v).await,

        "TagResource" => tags::tag(cx, v).await,
        "UntagResource" => tags::untag(cx, v).await,
        "ListTagsForResource" => tags::list(cx, v).await,

        "InitiateAuth" => auth::initiate(cx, v).await,
        "AdminInitiateAuth" => auth::admin_initiate(cx, v).await,
        "RespondToAuthChallenge" => auth::respond(cx, v).await,
        "AdminRespondToAuthChallenge" => auth::admin_respond(cx, v).await,
        "GetTokensFromRefreshToken" => auth::get_tokens_from_refresh_token(cx, v).await,
        "RevokeToken" => auth::revoke_token(cx, v).await,
        "GlobalSignOut" => auth::global_sign_out(cx, v).await,
        "AdminUserGlobalSignOut" => auth::admin_user_global_sign_out(cx, v).await,

        "GetUser" => account::get_user(cx, v).await,
        "UpdateUserAttributes" => account::update_attributes(cx, v).await,
        "DeleteUserAttributes" => account::delete_attributes(cx, v).await,
        "GetUserAttributeVerificationCode" => account::get_verification_code(cx, v).await,
        "VerifyUserAttribute" => account::verify_attribute(cx, v).await,
        "DeleteUser" => account::delete_user(cx, v).await,
        "ChangePassword" => account::change_password(cx, v).await,
        "SetUserSettings" => account::set_user_settings(cx, v).await,

        "SetUserPoolMfaConfig" => mfa::set_pool_config(cx, v).await,
        "GetUserPoolMfaConfig" => mfa::get_pool_config(cx, v).await,
        "AssociateSoftwareToken" => mfa::associate_software_token(cx, v).await,
        "VerifySoftwareToken" => mfa::verify_software_token(cx, v).await,
        "SetUserMFAPreference" => mfa::set_preference(cx, v).await,
        "AdminSetUserMFAPreference" => mfa::admin_set_preference(cx, v).await,
        "AdminSetUserSettings" => mfa::admin_set_user_settings(cx, v).await,

        "ConfirmDevice" => devices::confirm(cx, v).await,
        "GetDevice" => devices::get(cx, v).await,
        "AdminGetDevice" => devices::admin_get(cx, v).await,
        "ListDevices" => devices::list(cx, v).await,
        "AdminListDevices" => devices::admin_list(cx, v).await,
        "UpdateDeviceStatus" => devices::update_status(cx, v).await,
        "AdminUpdateDeviceStatus" => devices::admin_update_status(cx, v).await,
        "ForgetDevice" => devices::forget(cx, v).await,
        "AdminForgetDevice" => devices::admin_forget(cx, v).await,

        "SignUp" => signup::sign_up(cx, v).await,
        "ConfirmSignUp" => signup::confirm_sign_up(cx, v).await,
        "ResendConfirmationCode" => signup::resend_confirmation_code(cx, v).await,
        "ForgotPassword" => recovery::forgot_password(cx, v).await,
        "ConfirmForgotPassword" => recovery::confirm_forgot_password(cx, v).await,
        "AdminResetUserPassword" => recovery::admin_reset_user_password(cx, v).await,

        _ => Err(CognitoError::not_implemented(op)),
    }
}

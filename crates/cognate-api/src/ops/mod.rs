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

/// A running operation.
pub type Handler<'a> = std::pin::Pin<Box<dyn Future<Output = Result<Value>> + Send + 'a>>;

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

/// The operation's handler. Each handler's future is boxed on its own, so a request carries
/// only the state of the operation it runs (one future for all ~140 would be as large as the
/// largest, and moved whole at every hand-off: a few percent of a cheap request's CPU).
pub fn dispatch<'a>(cx: &'a Ctx<'_>, op: &str, v: Value) -> Handler<'a> {
    match op {
        "CreateUserPool" => Box::pin(pools::create(cx, v)),
        "DescribeUserPool" => Box::pin(pools::describe(cx, v)),
        "UpdateUserPool" => Box::pin(pools::update(cx, v)),
        "DeleteUserPool" => Box::pin(pools::delete(cx, v)),
        "ListUserPools" => Box::pin(pools::list(cx, v)),
        "AddCustomAttributes" => Box::pin(pools::add_custom_attributes(cx, v)),

        "CreateUserPoolClient" => Box::pin(clients::create(cx, v)),
        "DescribeUserPoolClient" => Box::pin(clients::describe(cx, v)),
        "UpdateUserPoolClient" => Box::pin(clients::update(cx, v)),
        "DeleteUserPoolClient" => Box::pin(clients::delete(cx, v)),
        "ListUserPoolClients" => Box::pin(clients::list(cx, v)),
        "AddUserPoolClientSecret" => Box::pin(clients::add_secret(cx, v)),
        "ListUserPoolClientSecrets" => Box::pin(clients::list_secrets(cx, v)),
        "DeleteUserPoolClientSecret" => Box::pin(clients::delete_secret(cx, v)),

        "CreateUserPoolDomain" => Box::pin(domains::create(cx, v)),
        "DescribeUserPoolDomain" => Box::pin(domains::describe(cx, v)),
        "UpdateUserPoolDomain" => Box::pin(domains::update(cx, v)),
        "DeleteUserPoolDomain" => Box::pin(domains::delete(cx, v)),

        "AdminCreateUser" => Box::pin(users::create(cx, v)),
        "AdminGetUser" => Box::pin(users::get(cx, v)),
        "AdminDeleteUser" => Box::pin(users::delete(cx, v)),
        "AdminUpdateUserAttributes" => Box::pin(users::update_attributes(cx, v)),
        "AdminDeleteUserAttributes" => Box::pin(users::delete_attributes(cx, v)),
        "AdminDisableUser" => Box::pin(users::set_enabled(cx, v, false)),
        "AdminEnableUser" => Box::pin(users::set_enabled(cx, v, true)),
        "AdminSetUserPassword" => Box::pin(users::set_password(cx, v)),
        "AdminConfirmSignUp" => Box::pin(users::confirm_sign_up(cx, v)),
        "ListUsers" => Box::pin(users::list(cx, v)),

        "CreateGroup" => Box::pin(groups::create(cx, v)),
        "GetGroup" => Box::pin(groups::get(cx, v)),
        "UpdateGroup" => Box::pin(groups::update(cx, v)),
        "DeleteGroup" => Box::pin(groups::delete(cx, v)),
        "ListGroups" => Box::pin(groups::list(cx, v)),
        "AdminAddUserToGroup" => Box::pin(groups::add_user(cx, v)),
        "AdminRemoveUserFromGroup" => Box::pin(groups::remove_user(cx, v)),
        "AdminListGroupsForUser" => Box::pin(groups::groups_for_user(cx, v)),
        "ListUsersInGroup" => Box::pin(groups::users_in_group(cx, v)),

        "CreateResourceServer" => Box::pin(resource_servers::create(cx, v)),
        "DescribeResourceServer" => Box::pin(resource_servers::describe(cx, v)),
        "UpdateResourceServer" => Box::pin(resource_servers::update(cx, v)),
        "DeleteResourceServer" => Box::pin(resource_servers::delete(cx, v)),
        "ListResourceServers" => Box::pin(resource_servers::list(cx, v)),

        "CreateIdentityProvider" => Box::pin(identity_providers::create(cx, v)),
        "DescribeIdentityProvider" => Box::pin(identity_providers::describe(cx, v)),
        "UpdateIdentityProvider" => Box::pin(identity_providers::update(cx, v)),
        "DeleteIdentityProvider" => Box::pin(identity_providers::delete(cx, v)),
        "ListIdentityProviders" => Box::pin(identity_providers::list(cx, v)),
        "GetIdentityProviderByIdentifier" => Box::pin(identity_providers::by_identifier(cx, v)),
        "AdminLinkProviderForUser" => Box::pin(identity_providers::link(cx, v)),
        "AdminDisableProviderForUser" => Box::pin(identity_providers::disable(cx, v)),
        "GetSigningCertificate" => Box::pin(identity_providers::signing_certificate(cx, v)),

        "SetUICustomization" => Box::pin(ui::set(cx, v)),
        "GetUICustomization" => Box::pin(ui::get(cx, v)),

        "TagResource" => Box::pin(tags::tag(cx, v)),
        "UntagResource" => Box::pin(tags::untag(cx, v)),
        "ListTagsForResource" => Box::pin(tags::list(cx, v)),

        "InitiateAuth" => Box::pin(auth::initiate(cx, v)),
        "AdminInitiateAuth" => Box::pin(auth::admin_initiate(cx, v)),
        "RespondToAuthChallenge" => Box::pin(auth::respond(cx, v)),
        "AdminRespondToAuthChallenge" => Box::pin(auth::admin_respond(cx, v)),
        "GetTokensFromRefreshToken" => Box::pin(auth::get_tokens_from_refresh_token(cx, v)),
        "RevokeToken" => Box::pin(auth::revoke_token(cx, v)),
        "GlobalSignOut" => Box::pin(auth::global_sign_out(cx, v)),
        "AdminUserGlobalSignOut" => Box::pin(auth::admin_user_global_sign_out(cx, v)),

        "GetUser" => Box::pin(account::get_user(cx, v)),
        "UpdateUserAttributes" => Box::pin(account::update_attributes(cx, v)),
        "DeleteUserAttributes" => Box::pin(account::delete_attributes(cx, v)),
        "GetUserAttributeVerificationCode" => Box::pin(account::get_verification_code(cx, v)),
        "VerifyUserAttribute" => Box::pin(account::verify_attribute(cx, v)),
        "DeleteUser" => Box::pin(account::delete_user(cx, v)),
        "ChangePassword" => Box::pin(account::change_password(cx, v)),
        "SetUserSettings" => Box::pin(account::set_user_settings(cx, v)),

        "SetUserPoolMfaConfig" => Box::pin(mfa::set_pool_config(cx, v)),
        "GetUserPoolMfaConfig" => Box::pin(mfa::get_pool_config(cx, v)),
        "AssociateSoftwareToken" => Box::pin(mfa::associate_software_token(cx, v)),
        "VerifySoftwareToken" => Box::pin(mfa::verify_software_token(cx, v)),
        "SetUserMFAPreference" => Box::pin(mfa::set_preference(cx, v)),
        "AdminSetUserMFAPreference" => Box::pin(mfa::admin_set_preference(cx, v)),
        "AdminSetUserSettings" => Box::pin(mfa::admin_set_user_settings(cx, v)),

        "ConfirmDevice" => Box::pin(devices::confirm(cx, v)),
        "GetDevice" => Box::pin(devices::get(cx, v)),
        "AdminGetDevice" => Box::pin(devices::admin_get(cx, v)),
        "ListDevices" => Box::pin(devices::list(cx, v)),
        "AdminListDevices" => Box::pin(devices::admin_list(cx, v)),
        "UpdateDeviceStatus" => Box::pin(devices::update_status(cx, v)),
        "AdminUpdateDeviceStatus" => Box::pin(devices::admin_update_status(cx, v)),
        "ForgetDevice" => Box::pin(devices::forget(cx, v)),
        "AdminForgetDevice" => Box::pin(devices::admin_forget(cx, v)),

        "SignUp" => Box::pin(signup::sign_up(cx, v)),
        "ConfirmSignUp" => Box::pin(signup::confirm_sign_up(cx, v)),
        "ResendConfirmationCode" => Box::pin(signup::resend_confirmation_code(cx, v)),
        "ForgotPassword" => Box::pin(recovery::forgot_password(cx, v)),
        "ConfirmForgotPassword" => Box::pin(recovery::confirm_forgot_password(cx, v)),
        "AdminResetUserPassword" => Box::pin(recovery::admin_reset_user_password(cx, v)),

        _ => Box::pin(std::future::ready(Err(CognitoError::not_implemented(op)))),
    }
}

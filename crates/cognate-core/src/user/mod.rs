//! Users: creation by an admin, attributes, status, passwords, look-up by username, alias or
//! sub, and listing with filters.

use crate::error::{CognitoError, ErrorKind, Result};
use crate::page::{Page, PageToken, limit_or_max};
use crate::password::{self, PolicyContext};
use crate::pool::UserPool;
use crate::schema::{looks_like_email, looks_like_phone};
use crate::service::Cognito;
use crate::time::Timestamp;
use crate::user_filter;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::user_filter::UserFilter;

mod attributes;
mod create;
pub(crate) use attributes::check_writes;
pub(crate) use attributes::unauthorized_write as attributes_unauthorized;
pub use attributes::{Writer, check_client_writes};

pub mod status {
    pub const UNCONFIRMED: &str = "UNCONFIRMED";
    pub const CONFIRMED: &str = "CONFIRMED";
    pub const FORCE_CHANGE_PASSWORD: &str = "FORCE_CHANGE_PASSWORD";
    pub const RESET_REQUIRED: &str = "RESET_REQUIRED";
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

impl Attribute {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A user as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub pool_id: String,
    pub username: String,
    /// `username`, folded to lower case in case-insensitive pools: the unique key.
    pub username_key: String,
    pub sub: String,
    /// Every attribute, `sub` first.
    pub attributes: Vec<Attribute>,
    pub status: String,
    pub enabled: bool,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// argon2id PHC string; never the password itself.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// When the current password was set (temporary passwords expire from here).
    #[serde(default)]
    pub password_set: Option<Timestamp>,
    /// The SRP verifier of the current password, sealed ([`crate::srp::verifier`]); `None`
    /// for passwords set before Cognate stored verifiers (added at the next password sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srp_verifier: Option<String>,
    /// TOTP token and MFA preferences ([`crate::mfa`]).
    #[serde(default, skip_serializing_if = "crate::mfa::UserMfa::is_empty")]
    pub mfa: crate::mfa::UserMfa,
    /// Legacy `MFAOptions` set by SetUserSettings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mfa_options: Vec<Value>,
}

impl User {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|a| a.name == name) {
            Some(a) => a.value = value.to_owned(),
            None => self.attributes.push(Attribute::new(name, value)),
        }
    }

    pub fn remove_attr(&mut self, name: &str) {
        self.attributes.retain(|a| a.name != name);
    }

    pub fn is_verified(&self, attribute: &str) -> bool {
        self.attr(&format!("{attribute}_verified")) == Some("true")
    }

    /// `UserType`, optionally limited to some attributes (ListUsers' AttributesToGet).
    pub fn view(self, only: Option<&[String]>) -> UserView {
        let attributes = match only {
            None => self.attributes,
            Some(names) => self
                .attributes
                .into_iter()
                .filter(|a| names.contains(&a.name))
                .collect(),
        };
        UserView {
            username: self.username,
            attributes,
            user_create_date: self.created,
            user_last_modified_date: self.modified,
            enabled: self.enabled,
            user_status: self.status,
        }
    }
}

/// `UserType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserView {
    pub username: String,
    pub attributes: Vec<Attribute>,
    pub user_create_date: Timestamp,
    pub user_last_modified_date: Timestamp,
    pub enabled: bool,
    pub user_status: String,
}

/// `AdminGetUserResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserResponse {
    pub username: String,
    pub user_attributes: Vec<Attribute>,
    pub user_create_date: Timestamp,
    pub user_last_modified_date: Timestamp,
    pub enabled: bool,
    pub user_status: String,
    #[serde(rename = "MFAOptions", skip_serializing_if = "Vec::is_empty")]
    pub mfa_options: Vec<Value>,
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Option::is_none")]
    pub user_mfa_setting_list: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(default)]
    pub user_attributes: Vec<Attribute>,
    pub temporary_password: Option<String>,
    #[serde(default)]
    pub force_alias_creation: bool,
    pub message_action: Option<String>,
    pub desired_delivery_mediums: Option<Vec<String>>,
    pub validation_data: Option<Value>,
    pub client_metadata: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersRequest {
    pub user_pool_id: String,
    pub attributes_to_get: Option<Vec<String>>,
    pub limit: Option<i64>,
    pub pagination_token: Option<String>,
    pub filter: Option<String>,
}

/// Attributes that sign-in names can be aliased to, with whether their values fold case.
const ALIAS_ATTRIBUTES: &[(&str, bool)] = &[
    ("email", true),
    ("phone_number", false),
    ("preferred_username", true),
];

impl Cognito {
    /// Finds a user by username, then by sign-in alias or username attribute, then by `sub`,
    /// as Cognito's admin operations do.
    pub async fn find_user_opt(&self, pool: &UserPool, name: &str) -> Result<Option<User>> {
        if let Some(u) = self
            .store
            .get_user(&pool.id, &pool.username_key(name))
            .await?
        {
            return Ok(Some(u));
        }
        for (attr, folds) in ALIAS_ATTRIBUTES {
            let as_username = pool.username_attributes.iter().any(|a| a == attr);
            let as_alias = pool.alias_attributes.iter().any(|a| a == attr);
            if !as_username && !as_alias {
                continue;
            }
            let fold = *folds && !pool.case_sensitive();
            let found = self
                .store
                .find_users_by_attribute(&pool.id, attr, name, fold)
                .await?;
            // An alias signs in only once verified (preferred_username has no verification).
            let usable = found
                .into_iter()
                .find(|u| as_username || *attr == "preferred_username" || u.is_verified(attr));
            if usable.is_some() {
                return Ok(usable);
            }
        }
        if uuid::Uuid::parse_str(name).is_ok() {
            let found = self
                .store
                .find_users_by_attribute(&pool.id, "sub", name, false)
                .await?;
            if let Some(u) = found.into_iter().next() {
                return Ok(Some(u));
            }
        }
        Ok(None)
    }

    pub async fn find_user(&self, pool: &UserPool, name: &str) -> Result<User> {
        self.find_user_opt(pool, name)
            .await?
            .ok_or_else(CognitoError::user_not_found)
    }

    /// Refuses a verified alias that another user already holds, or moves it when forced.
    pub(crate) async fn claim_aliases(
        &self,
        pool: &UserPool,
        user: &User,
        force: bool,
    ) -> Result<()> {
        for attr in ["email", "phone_number"] {
            let Some(value) = user.attr(attr) else {
                continue;
            };
            let as_username = pool.username_attributes.iter().any(|a| a == attr);
            let as_alias = pool.alias_attributes.iter().any(|a| a == attr);
            if !(as_username || (as_alias && user.is_verified(attr))) {
                continue;
            }
            let fold = attr == "email" && !pool.case_sensitive();
            let holders = self
                .store
                .find_users_by_attribute(&pool.id, attr, value, fold)
                .await?;
            for mut other in holders.into_iter().filter(|o| o.sub != user.sub) {
                if as_username {
                    return Err(CognitoError::new(
                        ErrorKind::UsernameExists,
                        format!(
                            "An account with the given {} already exists.",
                            alias_word(attr)
                        ),
                    ));
                }
                if !other.is_verified(attr) {
                    continue;
                }
                if !force {
                    return Err(CognitoError::new(
                        ErrorKind::AliasExists,
                        format!(
                            "An account with the given {} already exists.",
                            alias_word(attr)
                        ),
                    ));
                }
                other.set_attr(&format!("{attr}_verified"), "false");
                other.modified = self.clock.now();
                self.store.update_user(&other).await?;
            }
        }
        Ok(())
    }

    pub async fn admin_get_user(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
    ) -> Result<AdminGetUserResponse> {
        let pool = self.pool(region, pool_id).await?;
        let u = self.find_user(&pool, username).await?;
        let (user_mfa_setting_list, preferred_mfa_setting) =
            crate::mfa::preferences::settings_view(&u);
        Ok(AdminGetUserResponse {
            user_mfa_setting_list,
            preferred_mfa_setting,
            username: u.username,
            user_attributes: u.attributes,
            user_create_date: u.created,
            user_last_modified_date: u.modified,
            enabled: u.enabled,
            user_status: u.status,
            mfa_options: u.mfa_options,
        })
    }

    pub async fn admin_delete_user(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let u = self.find_user(&pool, username).await?;
        self.store.delete_user(pool_id, &u.username_key).await?;
        Ok(())
    }

    pub async fn admin_set_user_enabled(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        enabled: bool,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let mut user = self.find_user(&pool, username).await?;
        user.enabled = enabled;
        let now = self.clock.now();
        user.modified = now;
        self.store.update_user(&user).await?;
        if !enabled {
            // Disabling signs the user out everywhere: refresh and access tokens stop working.
            self.store
                .revoke_user_sessions(&pool.id, &user.username_key, now.millis())
                .await?;
        }
        Ok(())
    }

    pub async fn admin_set_user_password(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        new_password: &str,
        permanent: bool,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let mut user = self.find_user(&pool, username).await?;
        self.set_password(&pool, &mut user, new_password).await?;
        user.status = if permanent {
            status::CONFIRMED
        } else {
            status::FORCE_CHANGE_PASSWORD
        }
        .into();
        self.store.update_user(&user).await?;
        Ok(())
    }

    /// Checks the pool's policy and replaces the user's password hash (not yet stored).
    pub(crate) async fn set_password(
        &self,
        pool: &UserPool,
        user: &mut User,
        password: &str,
    ) -> Result<()> {
        password::check_policy(pool.password_policy(), password, PolicyContext::Other)?;
        let credentials = self
            .credentials(&pool.id, &user.username, &user.sub, password)
            .await?;
        user.password_hash = Some(credentials.hash);
        user.srp_verifier = Some(credentials.srp_verifier);
        let now = self.clock.now();
        user.password_set = Some(now);
        user.modified = now;
        Ok(())
    }

    pub async fn admin_confirm_sign_up(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let mut user = self.find_user(&pool, username).await?;
        if user.status != status::UNCONFIRMED {
            return Err(CognitoError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status
            )));
        }
        user.status = status::CONFIRMED.into();
        user.modified = self.clock.now();
        self.store.update_user(&user).await?;
        self.post_confirmation(
            &pool,
            &user,
            crate::triggers::sign_up::POST_CONFIRMATION_CONFIRM_SIGN_UP,
            Default::default(),
        )
        .await
    }

    pub async fn list_users(&self, region: &str, req: ListUsersRequest) -> Result<Page<UserView>> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let filter = user_filter::parse(req.filter.as_deref().unwrap_or(""))?;
        if let Some(names) = &req.attributes_to_get {
            for n in names {
                if pool.schema_attribute(n).is_none() {
                    return Err(CognitoError::invalid_parameter(format!(
                        "One or more requested attributes do not exist: {n}"
                    )));
                }
            }
        }
        let after = PageToken::decode_opt(req.pagination_token.as_deref())?;
        let limit = limit_or_max(req.limit, 60);
        let users = match &filter {
            Some(UserFilter::Nothing) => Vec::new(),
            f => {
                self.store
                    .list_users(&pool.id, f.as_ref(), after.as_deref(), limit + 1)
                    .await?
            }
        };
        let only = req.attributes_to_get.as_deref();
        let page = Page::from_overfetch(users, limit, |u| u.username_key.clone());
        // Cognito refuses the whole page when a listed user lacks an attribute asked for
        // (docs/compatibility.md): matched here so tests against Cognate see what AWS does.
        if let Some(names) = only
            && page
                .items
                .iter()
                .any(|u| names.iter().any(|n| u.attr(n).is_none()))
        {
            return Err(CognitoError::invalid_parameter(
                "One or more requested attributes do not exist.",
            ));
        }
        Ok(page.map(|u| u.view(only)))
    }
}

fn alias_word(attr: &str) -> &'static str {
    match attr {
        "phone_number" => "phone_number",
        _ => "email",
    }
}

/// The username, `sub` and attributes of a new user (AdminCreateUser, SignUp), from the name
/// given and attributes already checked against the schema. In pools whose usernames are
/// emails or phone numbers the name fills that attribute and the internal username is the
/// `sub`; in pools with email or phone aliases the name may not look like one.
pub(crate) fn new_identity(
    pool: &UserPool,
    given_name: &str,
    given: Vec<Attribute>,
) -> Result<(String, String, Vec<Attribute>)> {
    let sub = crate::ids::uuid();
    let mut attributes = vec![Attribute::new("sub", &sub)];
    for a in given {
        attributes.retain(|x: &Attribute| x.name != a.name);
        attributes.push(a);
    }
    let username = if pool.username_attributes.is_empty() {
        if pool.alias_attributes.iter().any(|a| a == "email") && looks_like_email(given_name) {
            return Err(CognitoError::invalid_parameter(
                "Username cannot be of email format, since user pool is configured for email alias.",
            ));
        }
        if pool.alias_attributes.iter().any(|a| a == "phone_number") && looks_like_phone(given_name)
        {
            return Err(CognitoError::invalid_parameter(
                "Username cannot be of phone number format, since user pool is configured for phone number alias.",
            ));
        }
        given_name.to_owned()
    } else {
        let attr = sign_in_attribute(pool, given_name)?;
        match attributes.iter().find(|a| a.name == attr) {
            Some(a) if a.value != given_name => {
                return Err(CognitoError::invalid_parameter(format!(
                    "The {attr} attribute must match the username."
                )));
            }
            Some(_) => {}
            None => attributes.push(Attribute::new(attr, given_name)),
        }
        sub.clone()
    };
    Ok((username, sub, attributes))
}

/// In pools whose usernames are emails and/or phone numbers, which attribute a typed
/// username fills, with Cognito's messages when it is neither.
fn sign_in_attribute(pool: &UserPool, username: &str) -> Result<&'static str> {
    let email = pool.username_attributes.iter().any(|a| a == "email");
    let phone = pool.username_attributes.iter().any(|a| a == "phone_number");
    if email && looks_like_email(username) {
        return Ok("email");
    }
    if phone && looks_like_phone(username) {
        return Ok("phone_number");
    }
    Err(CognitoError::invalid_parameter(match (email, phone) {
        (true, true) => "Username should be either an email or a phone number.",
        (true, false) => "Username should be an email.",
        _ => "Username should be a phone number.",
    }))
}

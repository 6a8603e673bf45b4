//! Self-service with an access token: GetUser, UpdateUserAttributes, DeleteUserAttributes,
//! DeleteUser, ChangePassword and SetUserSettings.

use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use crate::user::{Attribute, Writer};
use serde::Serialize;
use serde_json::Value;

/// `GetUserResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    pub username: String,
    pub user_attributes: Vec<Attribute>,
    #[serde(rename = "MFAOptions", skip_serializing_if = "Vec::is_empty")]
    pub mfa_options: Vec<Value>,
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Option::is_none")]
    pub user_mfa_setting_list: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
}

impl Cognito {
    pub async fn get_user(&self, access_token: &str) -> Result<GetUserResponse> {
        let (claims, user) = self.authorize_self_service(access_token).await?;
        let client = self.store.get_client(&claims.client_id).await?;
        let readable = client
            .map(|c| c.settings.read_attributes)
            .unwrap_or_default();
        let (user_mfa_setting_list, preferred_mfa_setting) =
            crate::mfa::preferences::settings_view(&user);
        let user_attributes = user
            .attributes
            .into_iter()
            .filter(|a| readable.is_empty() || a.name == "sub" || readable.contains(&a.name))
            .filter(|a| !a.name.starts_with("dev:"))
            .collect();
        Ok(GetUserResponse {
            user_mfa_setting_list,
            preferred_mfa_setting,
            username: user.username,
            user_attributes,
            mfa_options: user.mfa_options,
        })
    }

    /// The client behind an access token, for the attribute-write gate: a token of a
    /// deleted client may write nothing.
    async fn writing_client(&self, client_id: &str) -> Result<AppClient> {
        self.store
            .get_client(client_id)
            .await?
            .ok_or_else(crate::user::attributes_unauthorized)
    }

    /// Returns where verification codes went (`CodeDeliveryDetailsList`).
    pub async fn update_user_attributes(
        &self,
        access_token: &str,
        attributes: Vec<Attribute>,
    ) -> Result<Vec<crate::messaging::CodeDeliveryDetails>> {
        let (claims, user) = self.authorize_self_service(access_token).await?;
        let pool = self.pool_of(&claims).await?;
        let client = self.writing_client(&claims.client_id).await?;
        self.update_attributes_verified(&pool, Writer::Client(&client), user, &attributes)
            .await
    }

    pub async fn delete_user_attributes_self(
        &self,
        access_token: &str,
        names: Vec<String>,
    ) -> Result<()> {
        let (claims, user) = self.authorize_self_service(access_token).await?;
        let pool = self.pool_of(&claims).await?;
        let client = self.writing_client(&claims.client_id).await?;
        self.delete_attributes(&pool, Writer::Client(&client), user, &names)
            .await
    }

    pub async fn delete_user_self(&self, access_token: &str) -> Result<()> {
        let (claims, user) = self.authorize_self_service(access_token).await?;
        let pool = self.pool_of(&claims).await?;
        self.store.delete_user(&pool.id, &user.username_key).await?;
        Ok(())
    }

    pub async fn change_password(
        &self,
        access_token: &str,
        previous: Option<&str>,
        proposed: &str,
    ) -> Result<()> {
        let (claims, mut user) = self.authorize_self_service(access_token).await?;
        let pool = self.pool_of(&claims).await?;
        let attempt = self.begin_attempt(&pool.id, &user.username_key).await?;
        let ok = match (previous, &user.password_hash) {
            (Some(p), Some(hash)) => self.hasher.verify(p, hash).await?,
            _ => false,
        };
        if !ok {
            return Err(crate::auth::wrong_password());
        }
        self.attempt_succeeded(attempt).await?;
        self.set_password(&pool, &mut user, proposed).await?;
        self.store.update_user(&user).await?;
        Ok(())
    }

    /// The legacy MFA setting (`MFAOptions`), kept and shown by GetUser / AdminGetUser.
    pub async fn set_user_settings(
        &self,
        access_token: &str,
        mfa_options: Vec<Value>,
    ) -> Result<()> {
        let (_, user) = self.authorize_self_service(access_token).await?;
        self.store_mfa_options(user, mfa_options).await
    }

    /// AdminSetUserSettings: [`Cognito::set_user_settings`] for an admin.
    pub async fn admin_set_user_settings(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
        mfa_options: Vec<Value>,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let user = self.find_user(&pool, username).await?;
        self.store_mfa_options(user, mfa_options).await
    }

    async fn store_mfa_options(
        &self,
        mut user: crate::user::User,
        mfa_options: Vec<Value>,
    ) -> Result<()> {
        for o in &mfa_options {
            let medium = o.get("DeliveryMedium").and_then(Value::as_str);
            let attribute = o.get("AttributeName").and_then(Value::as_str);
            if medium != Some("SMS") || attribute != Some("phone_number") {
                return Err(CognitoError::invalid_parameter(
                    "Only SMS delivery to phone_number is supported in MFAOptions.",
                ));
            }
            if user.attr("phone_number").is_none() {
                return Err(CognitoError::invalid_parameter(
                    "User does not have a phone number to use for SMS MFA.",
                ));
            }
        }
        user.mfa_options = mfa_options;
        user.modified = self.clock.now();
        self.store.update_user(&user).await?;
        Ok(())
    }
}

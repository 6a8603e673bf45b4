//! Account recovery (AWS API reference: ForgotPassword, ConfirmForgotPassword,
//! AdminResetUserPassword; REFERENCE.md §8): a one-hour code goes to the first verified
//! channel of the pool's `AccountRecoverySetting` (absent: the phone, then the email), and
//! with it the user chooses a new password.

use super::codes::{Cap, Purpose};
use super::{CodeDeliveryResponse, unknown_user_in_code_flow};
use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::messaging::{CodeDeliveryDetails, Medium, templates};
use crate::password::{self, PolicyContext};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::{User, status};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordRequest {
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub username: String,
    pub client_metadata: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordRequest {
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub username: String,
    pub confirmation_code: String,
    pub password: String,
    pub client_metadata: Option<Value>,
}

fn no_recovery_channel() -> CognitoError {
    CognitoError::invalid_parameter(
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
}

/// Where a reset code goes: the recovery mechanisms by priority, each usable when the user
/// has that attribute verified. `Err` when the pool allows only administrators to recover.
fn recovery_medium(pool: &UserPool, user: &User) -> Result<Option<(Medium, String)>> {
    let mechanisms: Vec<(i64, String)> = pool
        .settings
        .get("AccountRecoverySetting")
        .and_then(|s| s.get("RecoveryMechanisms"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|m| {
                    Some((
                        m.get("Priority").and_then(Value::as_i64).unwrap_or(1),
                        m.get("Name")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_else(|| {
            vec![
                (1, "verified_phone_number".to_owned()),
                (2, "verified_email".to_owned()),
            ]
        });
    let mut mechanisms = mechanisms;
    mechanisms.sort_by_key(|(p, _)| *p);
    if mechanisms.iter().all(|(_, n)| n == "admin_only") {
        return Err(CognitoError::not_authorized(
            "Only an administrator can reset the password of users of this pool.",
        ));
    }
    Ok(mechanisms.iter().find_map(|(_, name)| {
        let medium = match name.as_str() {
            "verified_email" => Medium::Email,
            "verified_phone_number" => Medium::Sms,
            _ => return None,
        };
        let to = user.attr(medium.attribute())?;
        user.is_verified(medium.attribute())
            .then(|| (medium, to.to_owned()))
    }))
}

impl Cognito {
    /// Issues a password-reset code to the user's recovery channel and queues its message.
    async fn send_reset_code(
        &self,
        pool: &UserPool,
        client_id: Option<&str>,
        user: &User,
    ) -> Result<CodeDeliveryDetails> {
        let (medium, to) = recovery_medium(pool, user)?.ok_or_else(no_recovery_channel)?;
        let (record, code) = self.issue_code(user, Purpose::ForgotPassword, None);
        let message = templates::code_message(pool, medium, &to, &code);
        let secrets = crate::triggers::messages::Secrets {
            code: &code,
            link: None,
            username: None,
        };
        let message = self
            .custom_message(
                pool,
                client_id,
                user,
                crate::triggers::messages::FORGOT_PASSWORD,
                message,
                secrets,
            )
            .await?;
        self.store
            .put_code(&record, Some(&self.seal_message(&message)))
            .await?;
        self.outbox_ready.notify_one();
        Ok(CodeDeliveryDetails::new(medium, &to))
    }

    pub async fn forgot_password(
        &self,
        req: ForgotPasswordRequest,
    ) -> Result<CodeDeliveryResponse> {
        let (pool, client, user) = self
            .code_flow_caller(&req.client_id, req.secret_hash.as_deref(), &req.username)
            .await?;
        self.forgot_password_with(&pool, &client, &req.username, user)
            .await
    }

    /// ForgotPassword once the caller is authorized (SECRET_HASH, or the hosted UI itself);
    /// `user` as found by `username`.
    pub async fn forgot_password_with(
        &self,
        pool: &UserPool,
        client: &AppClient,
        username: &str,
        user: Option<User>,
    ) -> Result<CodeDeliveryResponse> {
        let hidden = client.settings.prevent_user_existence_errors == "ENABLED";
        let user = match user {
            None => {
                let source = crate::triggers::migration::FORGOT_PASSWORD;
                self.migrate_user(pool, client, username, None, source)
                    .await?
            }
            found => found,
        };
        let user = match user {
            Some(u) if u.enabled => u,
            Some(_) if !hidden => return Err(CognitoError::not_authorized("User is disabled.")),
            // Unknown or disabled: nothing is sent, and nothing tells so when hidden.
            _ => return self.simulated_delivery(pool, client, username),
        };
        self.within_cap(&pool.id, &user.username_key, Cap::ForgotPassword)
            .await?;
        let details = self
            .send_reset_code(pool, Some(client.client_id()), &user)
            .await?;
        tracing::info!(pool_id = %pool.id, sub = %user.sub, "password reset code sent");
        Ok(CodeDeliveryResponse {
            code_delivery_details: details,
        })
    }

    pub async fn confirm_forgot_password(&self, req: ConfirmForgotPasswordRequest) -> Result<()> {
        let (pool, client, user) = self
            .code_flow_caller(&req.client_id, req.secret_hash.as_deref(), &req.username)
            .await?;
        self.confirm_forgot_password_with(
            &pool,
            &client,
            user,
            &req.confirmation_code,
            &req.password,
        )
        .await
    }

    /// ConfirmForgotPassword once the caller is authorized; `user` as found by the name given.
    pub async fn confirm_forgot_password_with(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: Option<User>,
        code: &str,
        new_password: &str,
    ) -> Result<()> {
        let mut user = user.ok_or_else(|| unknown_user_in_code_flow(client))?;
        self.within_cap(&pool.id, &user.username_key, Cap::ConfirmForgotPassword)
            .await?;
        // The policy first: a weak password does not spend the code.
        password::check_policy(pool.password_policy(), new_password, PolicyContext::Other)?;
        self.spend_verification_code(&user, Purpose::ForgotPassword, code)
            .await?;
        self.set_password(pool, &mut user, new_password).await?;
        user.status = status::CONFIRMED.into();
        self.store.update_user(&user).await?;
        self.store
            .clear_sign_in_failures(&pool.id, &user.username_key)
            .await?;
        tracing::info!(pool_id = %pool.id, sub = %user.sub, "password reset");
        let passed = crate::triggers::sign_up::Passed {
            client_id: Some(client.client_id()),
            ..Default::default()
        };
        self.post_confirmation(
            pool,
            &user,
            crate::triggers::sign_up::POST_CONFIRMATION_CONFIRM_FORGOT_PASSWORD,
            passed,
        )
        .await
    }

    /// AdminResetUserPassword: the user must choose a new password (`RESET_REQUIRED`: sign-in
    /// answers `PasswordResetRequiredException`), with a code sent to their recovery channel.
    pub async fn admin_reset_user_password(
        &self,
        region: &str,
        pool_id: &str,
        username: &str,
    ) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        let mut user = self.find_user(&pool, username).await?;
        self.send_reset_code(&pool, None, &user).await?;
        user.status = status::RESET_REQUIRED.into();
        user.modified = self.clock.now();
        self.store.update_user(&user).await?;
        Ok(())
    }
}

//! The pool's MFA configuration: SetUserPoolMfaConfig and GetUserPoolMfaConfig (AWS API
//! reference), and `MfaConfiguration` on CreateUserPool / UpdateUserPool.
//!
//! `MfaConfiguration` is OFF, ON (every user signs in with a second factor; users without one
//! set up TOTP at sign-in) or OPTIONAL (users who enabled a factor use it). ON and OPTIONAL
//! need at least one factor. The factors' settings that `UserPoolType` has no member for
//! (the software-token switch, email MFA, which factors SetUserPoolMfaConfig turned on) are
//! kept among the pool's settings under their request names and left out of DescribeUserPool.

use crate::error::{CognitoError, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

/// Pool settings that hold MFA factors and are not members of `UserPoolType`.
pub const HIDDEN_SETTINGS: [&str; 3] = [
    "SoftwareTokenMfaConfiguration",
    "EmailMfaConfiguration",
    "SmsMfaConfiguration",
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserPoolMfaConfigRequest {
    pub user_pool_id: String,
    pub sms_mfa_configuration: Option<Value>,
    pub software_token_mfa_configuration: Option<Value>,
    pub email_mfa_configuration: Option<Value>,
    pub mfa_configuration: Option<String>,
    pub web_authn_configuration: Option<Value>,
}

/// `GetUserPoolMfaConfigResponse` / `SetUserPoolMfaConfigResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolMfaConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_mfa_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_configuration: Option<Value>,
    pub mfa_configuration: String,
}

fn enabled(value: Option<&Value>) -> bool {
    value
        .and_then(|v| v.get("Enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Whether users of the pool may use TOTP.
pub fn software_token_enabled(pool: &UserPool) -> bool {
    enabled(pool.settings.get("SoftwareTokenMfaConfiguration"))
}

/// Whether users of the pool may receive SMS codes.
pub fn sms_enabled(pool: &UserPool) -> bool {
    pool.settings.contains_key("SmsMfaConfiguration")
        || pool.settings.contains_key("SmsConfiguration")
}

/// Whether users of the pool may receive email codes.
pub fn email_enabled(pool: &UserPool) -> bool {
    pool.settings.contains_key("EmailMfaConfiguration")
}

/// The refusal of ON or OPTIONAL without a factor.
pub fn check_factors(mfa: &str, any_factor: bool) -> Result<()> {
    if mfa != "OFF" && !any_factor {
        return Err(CognitoError::invalid_parameter(
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        ));
    }
    Ok(())
}

fn view(pool: &UserPool) -> UserPoolMfaConfig {
    let sms = pool
        .settings
        .get("SmsMfaConfiguration")
        .cloned()
        .or_else(|| {
            pool.settings.get("SmsConfiguration").map(|c| {
                json!({
                    "SmsAuthenticationMessage": pool.settings.get("SmsAuthenticationMessage"),
                    "SmsConfiguration": c,
                })
            })
        });
    UserPoolMfaConfig {
        sms_mfa_configuration: sms,
        software_token_mfa_configuration: pool
            .settings
            .get("SoftwareTokenMfaConfiguration")
            .cloned(),
        email_mfa_configuration: pool.settings.get("EmailMfaConfiguration").cloned(),
        mfa_configuration: pool.mfa_configuration.clone(),
    }
}

impl Cognito {
    pub async fn get_user_pool_mfa_config(
        &self,
        region: &str,
        pool_id: &str,
    ) -> Result<UserPoolMfaConfig> {
        let pool = self.pool(region, pool_id).await?;
        Ok(view(&pool))
    }

    /// Sets the factors the request names (a factor left out is turned off, as Cognito does)
    /// and, when given, `MfaConfiguration`.
    pub async fn set_user_pool_mfa_config(
        &self,
        region: &str,
        req: SetUserPoolMfaConfigRequest,
    ) -> Result<UserPoolMfaConfig> {
        if req.web_authn_configuration.is_some() {
            return Err(CognitoError::feature_not_implemented(
                "WebAuthnConfiguration",
            ));
        }
        let mut pool = Arc::unwrap_or_clone(self.pool(region, &req.user_pool_id).await?);
        let mfa = req
            .mfa_configuration
            .clone()
            .unwrap_or_else(|| pool.mfa_configuration.clone());
        let totp = enabled(req.software_token_mfa_configuration.as_ref());
        if mfa == "OFF"
            && (req.software_token_mfa_configuration.is_some()
                || req.email_mfa_configuration.is_some())
        {
            return Err(CognitoError::invalid_parameter(
                "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
            ));
        }
        check_factors(
            &mfa,
            totp || req.sms_mfa_configuration.is_some() || req.email_mfa_configuration.is_some(),
        )?;
        let settings = &mut pool.settings;
        match &req.sms_mfa_configuration {
            Some(sms) => {
                if let Some(message) = sms.get("SmsAuthenticationMessage") {
                    settings.insert("SmsAuthenticationMessage".into(), message.clone());
                }
                if let Some(config) = sms.get("SmsConfiguration") {
                    settings.insert("SmsConfiguration".into(), config.clone());
                }
                settings.insert("SmsMfaConfiguration".into(), sms.clone());
            }
            None => {
                settings.remove("SmsMfaConfiguration");
            }
        }
        match &req.software_token_mfa_configuration {
            Some(_) => settings.insert(
                "SoftwareTokenMfaConfiguration".into(),
                json!({"Enabled": totp}),
            ),
            None => settings.remove("SoftwareTokenMfaConfiguration"),
        };
        match req.email_mfa_configuration {
            Some(email) => settings.insert("EmailMfaConfiguration".into(), email),
            None => settings.remove("EmailMfaConfiguration"),
        };
        pool.mfa_configuration = mfa;
        pool.last_modified_date = self.clock.now();
        self.store.update_pool(&pool).await?;
        tracing::info!(pool_id = %pool.id, mfa = %pool.mfa_configuration, "MFA configuration set");
        Ok(view(&pool))
    }
}

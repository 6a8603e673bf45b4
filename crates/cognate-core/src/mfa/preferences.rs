//! Users' MFA preferences: SetUserMFAPreference and AdminSetUserMFAPreference (each factor
//! `{Enabled, PreferredMfa}`), and what GetUser / AdminGetUser show of them
//! (`UserMFASettingList`, `PreferredMfaSetting`, absent while nothing is set).
//!
//! Legacy `MFAOptions` (SetUserSettings, SMS to `phone_number`) count as SMS MFA enabled.

use super::{EMAIL_OTP, FACTORS, SMS_MFA, SOFTWARE_TOKEN_MFA};
use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use crate::user::User;
use serde::Deserialize;

/// `SMSMfaSettingsType`, `SoftwareTokenMfaSettingsType`, `EmailMfaSettingsType`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FactorSettings {
    pub enabled: Option<bool>,
    pub preferred_mfa: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaPreferenceRequest {
    pub access_token: Option<String>,
    pub user_pool_id: Option<String>,
    pub username: Option<String>,
    #[serde(rename = "SMSMfaSettings")]
    pub sms_mfa_settings: Option<FactorSettings>,
    pub software_token_mfa_settings: Option<FactorSettings>,
    pub email_mfa_settings: Option<FactorSettings>,
    pub web_authn_mfa_settings: Option<serde_json::Value>,
}

/// The factors the user has enabled, in Cognito's order (legacy MFAOptions count as SMS).
pub fn enabled_factors(user: &User) -> Vec<&'static str> {
    FACTORS
        .into_iter()
        .filter(|f| user.mfa.has(f) || (*f == SMS_MFA && !user.mfa_options.is_empty()))
        .collect()
}

/// `UserMFASettingList` (absent when empty) and `PreferredMfaSetting`.
pub fn settings_view(user: &User) -> (Option<Vec<String>>, Option<String>) {
    let list: Vec<String> = user
        .mfa
        .enabled
        .iter()
        .filter(|f| FACTORS.contains(&f.as_str()))
        .cloned()
        .collect();
    (
        (!list.is_empty()).then_some(list),
        user.mfa.preferred.clone(),
    )
}

fn no_delivery(factor: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!(
        "User does not have delivery config set to turn on {factor}"
    ))
}

/// Applies the request's settings to `user` with Cognito's checks: TOTP needs a verified token,
/// SMS a phone number, email an email address; one factor at most is preferred.
fn apply(user: &mut User, req: &MfaPreferenceRequest) -> Result<()> {
    let given = [
        (SMS_MFA, req.sms_mfa_settings),
        (SOFTWARE_TOKEN_MFA, req.software_token_mfa_settings),
        (EMAIL_OTP, req.email_mfa_settings),
    ];
    let preferred: Vec<&str> = given
        .iter()
        .filter(|(_, s)| s.is_some_and(|s| s.preferred_mfa == Some(true)))
        .map(|(f, _)| *f)
        .collect();
    if preferred.len() > 1 {
        return Err(CognitoError::invalid_parameter(
            "Only one MFA method can be set as preferred.",
        ));
    }
    for (factor, settings) in given {
        let Some(settings) = settings else { continue };
        let turn_on = settings.enabled == Some(true) || settings.preferred_mfa == Some(true);
        if turn_on {
            match factor {
                SOFTWARE_TOKEN_MFA if !user.mfa.has_token() => {
                    return Err(if user.mfa.totp_pending.is_some() {
                        CognitoError::invalid_parameter("User has not verified software token mfa")
                    } else {
                        no_delivery(factor)
                    });
                }
                SMS_MFA if user.attr("phone_number").is_none() => return Err(no_delivery(factor)),
                EMAIL_OTP if user.attr("email").is_none() => return Err(no_delivery(factor)),
                _ => {}
            }
            user.mfa.enable(factor);
        } else if settings.enabled == Some(false) {
            user.mfa.disable(factor);
            if factor == SMS_MFA {
                user.mfa_options.clear();
            }
        }
        if settings.preferred_mfa == Some(true) {
            user.mfa.preferred = Some(factor.to_owned());
        } else if settings.preferred_mfa == Some(false)
            && user.mfa.preferred.as_deref() == Some(factor)
        {
            user.mfa.preferred = None;
        }
    }
    Ok(())
}

impl Cognito {
    /// SetUserMFAPreference (with an access token) or AdminSetUserMFAPreference.
    pub async fn set_user_mfa_preference(
        &self,
        region: Option<&str>,
        req: MfaPreferenceRequest,
    ) -> Result<()> {
        if req.web_authn_mfa_settings.is_some() {
            return Err(CognitoError::feature_not_implemented("WebAuthnMfaSettings"));
        }
        let mut user = match (&req.access_token, region, &req.user_pool_id, &req.username) {
            (Some(token), _, _, _) => self.authorize_self_service(token).await?.1,
            (None, Some(region), Some(pool_id), Some(username)) => {
                let pool = self.pool(region, pool_id).await?;
                self.find_user(&pool, username).await?
            }
            _ => {
                return Err(CognitoError::invalid_parameter(
                    "Missing required parameter AccessToken",
                ));
            }
        };
        apply(&mut user, &req)?;
        user.modified = self.clock.now();
        self.store.update_user(&user).await?;
        Ok(())
    }
}

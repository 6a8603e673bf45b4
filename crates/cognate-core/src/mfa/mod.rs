//! Multi-factor authentication (REFERENCE.md §13; AWS developer guide "Adding MFA to a user
//! pool"): the pool's configuration ([`config`]), TOTP software tokens ([`totp`]), users'
//! preferences ([`preferences`]), the challenges of a sign-in ([`challenge`]) and their hosted
//! pages' side ([`hosted`]).

pub mod challenge;
pub mod codes;
pub mod config;
pub mod hosted;
pub mod preferences;
pub mod totp;

use serde::{Deserialize, Serialize};

pub const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
pub const SMS_MFA: &str = "SMS_MFA";
pub const EMAIL_OTP: &str = "EMAIL_OTP";
pub const MFA_SETUP: &str = "MFA_SETUP";
pub const SELECT_MFA_TYPE: &str = "SELECT_MFA_TYPE";

/// A user's MFA state, kept in the user's record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UserMfa {
    /// The verified TOTP secret (base32), sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// A secret given by AssociateSoftwareToken and not verified yet, sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_pending: Option<String>,
    /// `FriendlyDeviceName` of the verified token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_name: Option<String>,
    /// The time step whose code verified the token: no code of it or an earlier step signs
    /// in (each later step's single use is recorded in the store, see `totp::spend_step`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub totp_last_step: u64,
    /// Factors the user has enabled: `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enabled: Vec<String>,
    /// The preferred factor, one of `enabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred: Option<String>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl UserMfa {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn has(&self, factor: &str) -> bool {
        self.enabled.iter().any(|f| f == factor)
    }

    pub fn enable(&mut self, factor: &str) {
        if !self.has(factor) {
            self.enabled.push(factor.to_owned());
        }
    }

    pub fn disable(&mut self, factor: &str) {
        self.enabled.retain(|f| f != factor);
        if self.preferred.as_deref() == Some(factor) {
            self.preferred = None;
        }
    }
}

/// The order Cognito lists factors in (`UserMFASettingList`, `MFAS_CAN_CHOOSE`).
pub const FACTORS: [&str; 3] = [SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP];

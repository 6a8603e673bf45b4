//! Verification codes (REFERENCE.md §12, §15): 6 digits from the system's CSPRNG, stored only
//! as an HMAC under a key derived from the master key (a stolen database does not give them
//! away, even by trying all million), one live code per user and purpose, single use, expiring
//! after 24 h (sign-up, attributes) or 1 h (password reset); and the hourly per-user caps.

use crate::error::{CognitoError, ErrorKind, Result};
use crate::messaging::OutboxRecord;
use crate::service::Cognito;
use crate::store::StoreResult;
use crate::user::User;
use async_trait::async_trait;
use subtle::ConstantTimeEq;

/// What a code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirming a sign-up (`ConfirmSignUp`, `/confirmUser`).
    SignUp,
    /// Resetting a forgotten password (`ConfirmForgotPassword`).
    ForgotPassword,
    /// Verifying `email` or `phone_number` (`VerifyUserAttribute`).
    VerifyEmail,
    VerifyPhone,
    /// A sign-in's second factor by SMS or email (`SMS_MFA`, `EMAIL_OTP`).
    SignIn,
}

impl Purpose {
    pub fn key(self) -> &'static str {
        match self {
            Purpose::SignUp => "signup",
            Purpose::ForgotPassword => "forgot_password",
            Purpose::VerifyEmail => "verify:email",
            Purpose::VerifyPhone => "verify:phone_number",
            Purpose::SignIn => "sign_in",
        }
    }

    /// How long a code stays valid, in milliseconds.
    pub fn lifetime_ms(self) -> i64 {
        match self {
            Purpose::ForgotPassword => 3_600_000,
            // Cognito's SMS and email sign-in codes last three minutes.
            Purpose::SignIn => 180_000,
            _ => 24 * 3_600_000,
        }
    }

    pub fn verify(attribute: &str) -> Option<Purpose> {
        match attribute {
            "email" => Some(Purpose::VerifyEmail),
            "phone_number" => Some(Purpose::VerifyPhone),
            _ => None,
        }
    }
}

/// A code as stored: its HMAC, never the code.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRecord {
    pub pool_id: String,
    pub username_key: String,
    pub purpose: String,
    pub code_hash: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    /// A value waiting for this code before it replaces the attribute's current one
    /// (`AttributesRequireVerificationBeforeUpdate`).
    pub pending_value: Option<String>,
}

#[async_trait]
pub trait CodeStore {
    async fn get_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: &str,
    ) -> StoreResult<Option<CodeRecord>>;
    /// Replaces the user's code for its purpose and queues the message carrying it, in one
    /// transaction.
    async fn put_code(&self, code: &CodeRecord, message: Option<&OutboxRecord>) -> StoreResult<()>;
    /// Spends a code: `true` for the one caller that removed it.
    async fn take_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: &str,
        code_hash: &str,
    ) -> StoreResult<bool>;
    /// A new user with its first code and the messages for it (a code, an invitation), in one
    /// transaction (`StoreError::Conflict` when the username is taken).
    async fn insert_user_with_code(
        &self,
        user: &User,
        code: Option<&CodeRecord>,
        messages: &[OutboxRecord],
    ) -> StoreResult<()>;
    /// An updated user and the messages that go with the update, in one transaction.
    async fn update_user_with_messages(
        &self,
        user: &User,
        messages: &[OutboxRecord],
    ) -> StoreResult<()>;
    /// Counts one use of `action` by the user in the current window of `window_ms`, starting a
    /// new window when the last has passed; returns the uses in the window, this one included.
    async fn count_use(
        &self,
        pool_id: &str,
        username_key: &str,
        action: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> StoreResult<i64>;
}

/// Hourly per-user caps (REFERENCE.md §15); past one, `LimitExceededException`.
#[derive(Debug, Clone, Copy)]
pub enum Cap {
    ResendConfirmationCode,
    ConfirmSignUp,
    ForgotPassword,
    ConfirmForgotPassword,
    GetUserAttributeVerificationCode,
    VerifyUserAttribute,
}

impl Cap {
    fn action_and_max(self) -> (&'static str, i64) {
        match self {
            Cap::ResendConfirmationCode => ("ResendConfirmationCode", 5),
            Cap::ConfirmSignUp => ("ConfirmSignUp", 15),
            Cap::ForgotPassword => ("ForgotPassword", 5),
            Cap::ConfirmForgotPassword => ("ConfirmForgotPassword", 10),
            Cap::GetUserAttributeVerificationCode => ("GetUserAttributeVerificationCode", 5),
            Cap::VerifyUserAttribute => ("VerifyUserAttribute", 15),
        }
    }
}

pub(crate) fn attempt_limit() -> CognitoError {
    CognitoError::new(
        ErrorKind::LimitExceeded,
        "Attempt limit exceeded, please try after some time.",
    )
}

fn mismatch() -> CognitoError {
    CognitoError::new(
        ErrorKind::CodeMismatch,
        "Invalid verification code provided, please try again.",
    )
}

fn expired() -> CognitoError {
    CognitoError::new(
        ErrorKind::ExpiredCode,
        "Invalid code provided, please request a code again.",
    )
}

/// Six decimal digits, uniform, from the system's CSPRNG.
pub fn new_code() -> String {
    loop {
        let mut raw = [0u8; 4];
        crate::secrets::fill_random(&mut raw);
        let n = u32::from_le_bytes(raw);
        // Reject the top sliver so every code is equally likely.
        if n < u32::MAX - (u32::MAX % 1_000_000) {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

impl Cognito {
    fn code_hash(&self, pool_id: &str, username_key: &str, purpose: Purpose, code: &str) -> String {
        let data = format!("{pool_id}\n{username_key}\n{}\n{code}", purpose.key());
        hex::encode(self.secrets.mac("verification-code", data.as_bytes()))
    }

    /// A new code for the user: the record to store (replacing any earlier one) and the code
    /// itself, for the message only.
    pub(crate) fn issue_code(
        &self,
        user: &User,
        purpose: Purpose,
        pending_value: Option<String>,
    ) -> (CodeRecord, String) {
        let code = new_code();
        let now = self.clock.now().millis();
        let record = CodeRecord {
            pool_id: user.pool_id.clone(),
            username_key: user.username_key.clone(),
            purpose: purpose.key().to_owned(),
            code_hash: self.code_hash(&user.pool_id, &user.username_key, purpose, &code),
            created_ms: now,
            expires_ms: now + purpose.lifetime_ms(),
            pending_value,
        };
        (record, code)
    }

    /// Checks and spends a presented code: `CodeMismatchException` when wrong,
    /// `ExpiredCodeException` when expired or never requested. Returns the spent record.
    pub(crate) async fn spend_verification_code(
        &self,
        user: &User,
        purpose: Purpose,
        presented: &str,
    ) -> Result<CodeRecord> {
        let stored = self
            .store
            .get_code(&user.pool_id, &user.username_key, purpose.key())
            .await?
            .ok_or_else(expired)?;
        if self.clock.now().millis() > stored.expires_ms {
            return Err(expired());
        }
        let presented =
            self.code_hash(&user.pool_id, &user.username_key, purpose, presented.trim());
        if !bool::from(presented.as_bytes().ct_eq(stored.code_hash.as_bytes())) {
            return Err(mismatch());
        }
        if !self
            .store
            .take_code(
                &user.pool_id,
                &user.username_key,
                purpose.key(),
                &stored.code_hash,
            )
            .await?
        {
            // Spent meanwhile by another request.
            return Err(expired());
        }
        Ok(stored)
    }

    /// Counts one use against an hourly cap; `LimitExceededException` past it.
    pub(crate) async fn within_cap(
        &self,
        pool_id: &str,
        username_key: &str,
        cap: Cap,
    ) -> Result<()> {
        let (action, max) = cap.action_and_max();
        let now = self.clock.now().millis();
        let used = self
            .store
            .count_use(pool_id, username_key, action, now, 3_600_000)
            .await?;
        if used > max {
            return Err(attempt_limit());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = super::new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}

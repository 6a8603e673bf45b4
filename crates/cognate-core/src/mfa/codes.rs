//! SMS and email codes of a sign-in (`SMS_MFA`, `EMAIL_OTP`): six digits from the sign-up
//! code machinery (HMAC'd at rest, one live code, spent once), valid three minutes, sent
//! through the outbox with the pool's `SmsAuthenticationMessage` or `EmailMfaConfiguration`.

use super::{EMAIL_OTP, SMS_MFA};
use crate::error::{CognitoError, ErrorKind, Result};
use crate::messaging::{Medium, mask, templates};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::signup::codes::Purpose;
use crate::user::User;
use serde_json::{Map, Value};

fn medium(factor: &str) -> (Medium, &'static str) {
    if factor == EMAIL_OTP {
        (Medium::Email, "email")
    } else {
        (Medium::Sms, "phone_number")
    }
}

impl Cognito {
    /// Sends the user a code for `factor`; the challenge's delivery parameters.
    pub(crate) async fn send_sign_in_code(
        &self,
        pool: &UserPool,
        user: &User,
        factor: &str,
    ) -> Result<Map<String, Value>> {
        let (medium, attribute) = medium(factor);
        let to = user.attr(attribute).ok_or_else(|| {
            CognitoError::invalid_parameter(format!(
                "User does not have delivery config set to turn on {factor}"
            ))
        })?;
        let (record, code) = self.issue_code(user, Purpose::SignIn, None);
        let message = templates::authentication_message(pool, medium, to, &code);
        let secrets = crate::triggers::messages::Secrets {
            code: &code,
            link: None,
            username: None,
        };
        let message = self
            .custom_message(
                pool,
                None,
                user,
                crate::triggers::messages::AUTHENTICATION,
                message,
                secrets,
            )
            .await?;
        self.store
            .put_code(&record, Some(&self.seal_message(&message)))
            .await?;
        self.outbox_ready.notify_one();
        let mut params = Map::new();
        params.insert(
            "CODE_DELIVERY_DELIVERY_MEDIUM".into(),
            Value::from(medium.as_str()),
        );
        params.insert(
            "CODE_DELIVERY_DESTINATION".into(),
            Value::from(mask(medium, to)),
        );
        Ok(params)
    }

    /// Spends the user's sign-in code: `CodeMismatchException` "Invalid code or auth state
    /// for the user." when wrong (the caller counts it toward lockout).
    pub(crate) async fn check_sign_in_code(&self, user: &User, code: &str) -> Result<()> {
        match self
            .spend_verification_code(user, Purpose::SignIn, code)
            .await
        {
            Err(e) if e.kind == ErrorKind::CodeMismatch => Err(CognitoError::new(
                ErrorKind::CodeMismatch,
                "Invalid code or auth state for the user.",
            )),
            other => other.map(|_| ()),
        }
    }
}

/// The ChallengeResponses key of a factor's code.
pub fn code_key(factor: &str) -> &'static str {
    match factor {
        SMS_MFA => "SMS_MFA_CODE",
        super::SOFTWARE_TOKEN_MFA => "SOFTWARE_TOKEN_MFA_CODE",
        _ => "EMAIL_OTP_CODE",
    }
}

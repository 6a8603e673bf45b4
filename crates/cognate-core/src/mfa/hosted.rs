//! The second factor on the hosted pages: the same challenges, sessions, codes and lockout as
//! the API ([`super::challenge`]), without USERNAME and SECRET_HASH (the session names the
//! user; a browser cannot compute a client secret's hash), and TOTP setup with an
//! `otpauth://` URI for the QR code (Google Authenticator's "Key Uri Format", which every
//! authenticator app reads).

use super::challenge::Next;
use super::totp::VerifySoftwareTokenRequest;
use super::{MFA_SETUP, SOFTWARE_TOKEN_MFA};
use crate::auth::challenge::invalid_session;
use crate::client::AppClient;
use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use std::collections::HashMap;

/// A TOTP secret being set up on the hosted pages.
#[derive(Debug)]
pub struct TotpSetup {
    /// Base32, as AssociateSoftwareToken gives it.
    pub secret: String,
    /// `otpauth://totp/<issuer>:<account>?secret=...&issuer=...`, for the QR code.
    pub uri: String,
    /// The MFA_SETUP session to post back with the code.
    pub session: String,
}

/// The `otpauth://` URI of a secret: the pool's name as issuer, the user's email (pools that
/// sign in with it) or username as account.
pub fn otpauth_uri(pool: &UserPool, user: &User, secret: &str) -> String {
    let account = match pool.username_attributes.iter().any(|a| a == "email") {
        true => user.attr("email").unwrap_or(&user.username),
        false => &user.username,
    };
    let enc = crate::oauth::form_encode;
    let issuer = enc(&pool.name);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}",
        enc(account)
    )
}

impl Cognito {
    /// An answer given on a hosted page to the challenge of `session` (issued to `client`).
    /// `responses` holds what the API's ChallengeResponses would (`SOFTWARE_TOKEN_MFA_CODE`,
    /// `SMS_MFA_CODE`, `EMAIL_OTP_CODE`, `ANSWER`).
    pub async fn web_answer_mfa(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: &str,
        challenge: &str,
        responses: &HashMap<String, String>,
    ) -> Result<Next> {
        let state = self.open_challenge(session, client.client_id(), challenge)?;
        let user = self
            .challenge_user(pool, &state)
            .await?
            .ok_or_else(invalid_session)?;
        let next = self
            .answer_mfa(pool, client, &state, user, responses)
            .await?;
        self.web_finished(pool, client, next).await
    }

    /// A hosted sign-in that is done has authenticated: PostAuthentication runs (a throw
    /// refuses it) before the browser is signed in.
    pub(crate) async fn web_finished(
        &self,
        pool: &UserPool,
        client: &AppClient,
        next: Next,
    ) -> Result<Next> {
        if let Next::Done(user) = &next {
            self.post_authentication(pool, client, user, false).await?;
        }
        Ok(next)
    }

    /// Starts TOTP setup for the MFA_SETUP challenge of `session`: a new secret (as
    /// AssociateSoftwareToken with a Session) and the session that continues.
    pub async fn web_totp_setup(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: &str,
    ) -> Result<TotpSetup> {
        let state = self.open_challenge(session, client.client_id(), MFA_SETUP)?;
        let user = self
            .challenge_user(pool, &state)
            .await?
            .ok_or_else(invalid_session)?;
        let association = self.associate_software_token(None, Some(session)).await?;
        Ok(TotpSetup {
            uri: otpauth_uri(pool, &user, &association.secret_code),
            secret: association.secret_code,
            session: association.session.ok_or_else(invalid_session)?,
        })
    }

    /// The secret being set up under `session` again (shown with a wrong code's message).
    pub async fn web_totp_pending(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: &str,
    ) -> Result<TotpSetup> {
        let state = self.open_challenge(session, client.client_id(), MFA_SETUP)?;
        let user = self
            .challenge_user(pool, &state)
            .await?
            .ok_or_else(invalid_session)?;
        let secret = self
            .pending_totp_secret(&user)
            .ok_or_else(invalid_session)?;
        let secret = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &secret);
        Ok(TotpSetup {
            uri: otpauth_uri(pool, &user, &secret),
            secret,
            session: session.to_owned(),
        })
    }

    /// Finishes TOTP setup with a code from the app: VerifySoftwareToken, then the MFA_SETUP
    /// answer with the session it returns. A wrong code is
    /// `EnableSoftwareTokenMFAException`, and the same session may try again.
    pub async fn web_totp_verify(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: &str,
        code: &str,
        device_name: Option<String>,
    ) -> Result<Next> {
        self.open_challenge(session, client.client_id(), MFA_SETUP)?;
        let verified = self
            .verify_software_token(VerifySoftwareTokenRequest {
                access_token: None,
                session: Some(session.to_owned()),
                user_code: code.to_owned(),
                friendly_device_name: device_name,
            })
            .await?;
        let next = verified.session.ok_or_else(invalid_session)?;
        self.web_answer_mfa(pool, client, &next, MFA_SETUP, &HashMap::new())
            .await
    }

    /// Whether the hosted pages can set up what an MFA_SETUP challenge asks: a software
    /// token. SMS setup needs a phone number on the account, which an administrator adds.
    pub fn web_can_set_up(factors: &[String]) -> Result<()> {
        if factors.iter().any(|f| f == SOFTWARE_TOKEN_MFA) {
            Ok(())
        } else {
            Err(CognitoError::new(
                ErrorKind::InvalidParameter,
                "Multi-factor authentication is required, but no factor can be set up here: ask your administrator to add a phone number to your account.",
            ))
        }
    }
}

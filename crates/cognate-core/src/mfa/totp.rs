//! TOTP software tokens (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step either
//! side) with totp-rs: AssociateSoftwareToken and VerifySoftwareToken, with an access token or
//! with the Session of an `MFA_SETUP` challenge, and the check of a sign-in's code.
//!
//! The secret is 32 bytes from the system's CSPRNG, shown once as base32 (52 characters, as
//! Cognito's), and kept sealed under the master key. A code is accepted once: the step it
//! matched is remembered and no code of that step or an earlier one works again.

use super::{MFA_SETUP, UserMfa};
use crate::error::{CognitoError, ErrorKind, Result};
use crate::service::Cognito;
use crate::user::User;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

const STEP_SECONDS: u64 = 30;
const SECRET_LEN: usize = 32;
const CLOCK_MARGIN_MS: i64 = 5 * 60 * 1000;

/// `AssociateSoftwareTokenResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Association {
    pub secret_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// `VerifySoftwareTokenRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenRequest {
    pub access_token: Option<String>,
    pub session: Option<String>,
    pub user_code: String,
    pub friendly_device_name: Option<String>,
}

/// `VerifySoftwareTokenResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Verification {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

fn owner(user: &User) -> String {
    format!("totp:{}:{}", user.pool_id, user.sub)
}

/// What a code matched: `Some(step)` for a code of the current step or one either side.
fn matching_step(secret: &[u8], code: &str, now_s: u64) -> Option<u64> {
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 0, STEP_SECONDS, secret.to_vec());
    let current = now_s / STEP_SECONDS;
    let mut found = None;
    // Every candidate is compared, so the time taken does not say which step matched.
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = totp.generate(step * STEP_SECONDS);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// Who is setting up a token: the user of an access token, or of an MFA_SETUP session.
enum Setter {
    Token(User),
    Session(Box<crate::auth::challenge::ChallengeState>, User),
}

impl Cognito {
    async fn setter(&self, access_token: Option<&str>, session: Option<&str>) -> Result<Setter> {
        match (access_token, session) {
            (Some(token), _) => {
                let (_, user) = self.authorize_self_service(token).await?;
                Ok(Setter::Token(user))
            }
            (None, Some(session)) => {
                let state = self.open_challenge_of_any_client(session, MFA_SETUP)?;
                let pool = self
                    .store
                    .get_pool(&state.pool_id)
                    .await?
                    .ok_or_else(crate::auth::challenge::invalid_session)?;
                let user = self
                    .challenge_user(&pool, &state)
                    .await?
                    .ok_or_else(crate::auth::challenge::invalid_session)?;
                // Only a user who still has a factor to set up: a session must not replace a
                // token enrolled since it was issued.
                if !matches!(
                    super::challenge::step(&pool, &user),
                    super::challenge::Step::Setup(_)
                ) {
                    return Err(crate::auth::challenge::invalid_session());
                }
                Ok(Setter::Session(Box::new(state), user))
            }
            (None, None) => Err(CognitoError::invalid_parameter(
                "Either AccessToken or Session must be provided.",
            )),
        }
    }

    fn check_pool_allows_totp(&self, pool: &crate::pool::UserPool) -> Result<()> {
        if super::config::software_token_enabled(pool) {
            Ok(())
        } else {
            Err(CognitoError::new(
                ErrorKind::SoftwareTokenMfaNotFound,
                "Software Token MFA has not been enabled by the userPool.",
            ))
        }
    }

    /// AssociateSoftwareToken: a new secret for the user, pending until verified.
    pub async fn associate_software_token(
        &self,
        access_token: Option<&str>,
        session: Option<&str>,
    ) -> Result<Association> {
        let setter = self.setter(access_token, session).await?;
        let (mut user, state) = match setter {
            Setter::Token(user) => (user, None),
            Setter::Session(state, user) => (user, Some(*state)),
        };
        let pool = self
            .store
            .get_pool(&user.pool_id)
            .await?
            .ok_or_else(CognitoError::user_not_found)?;
        self.check_pool_allows_totp(&pool)?;
        let mut secret = [0u8; SECRET_LEN];
        crate::secrets::fill_random(&mut secret);
        let code = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &secret);
        // Each step of MFA_SETUP spends its session (before anything is written) and answers
        // with the next.
        if let Some(state) = &state {
            self.consume_challenge(state).await?;
        }
        user.mfa.totp_pending = Some(self.secrets.seal(&secret, &owner(&user)));
        user.modified = self.clock.now();
        self.store.update_user(&user).await?;
        Ok(Association {
            secret_code: code,
            session: state.map(|s| self.reseal_setup(&s, false)),
        })
    }

    /// VerifySoftwareToken: the pending secret becomes the user's token when the code matches.
    pub async fn verify_software_token(
        &self,
        req: VerifySoftwareTokenRequest,
    ) -> Result<Verification> {
        let setter = self
            .setter(req.access_token.as_deref(), req.session.as_deref())
            .await?;
        let (mut user, state) = match setter {
            Setter::Token(user) => (user, None),
            Setter::Session(state, user) => (user, Some(*state)),
        };
        let pending = self.pending_totp_secret(&user).ok_or_else(|| {
            CognitoError::new(
                ErrorKind::InvalidParameter,
                "User has not associated a software token.",
            )
        })?;
        let now = self.clock.now().seconds().max(0) as u64;
        let Some(step) = matching_step(&pending, req.user_code.trim(), now) else {
            return Err(CognitoError::new(
                ErrorKind::EnableSoftwareTokenMfa,
                "Code mismatch and fail enable Software Token MFA",
            ));
        };
        if let Some(state) = &state {
            self.consume_challenge(state).await?;
        }
        // The code that proved the token cannot sign in too.
        self.spend_step(&user, &pending, step).await?;
        let mfa = &mut user.mfa;
        mfa.totp_secret = mfa.totp_pending.take();
        mfa.totp_name = req.friendly_device_name.filter(|n| !n.is_empty());
        mfa.totp_last_step = step;
        user.modified = self.clock.now();
        self.store.update_user(&user).await?;
        Ok(Verification {
            status: "SUCCESS",
            session: state.map(|s| self.reseal_setup(&s, true)),
        })
    }

    /// The secret AssociateSoftwareToken gave the user and they have not verified yet.
    pub(crate) fn pending_totp_secret(&self, user: &User) -> Option<Vec<u8>> {
        let sealed = user.mfa.totp_pending.as_deref()?;
        self.secrets.open(sealed, &owner(user))
    }

    /// Checks a sign-in's TOTP code against the user's token, once per code.
    /// `CodeMismatchException` for a wrong code, `ExpiredCodeException` for a used one.
    pub(crate) async fn check_totp(&self, user: &User, code: &str) -> Result<()> {
        let secret = user
            .mfa
            .totp_secret
            .as_deref()
            .and_then(|sealed| self.secrets.open(sealed, &owner(user)))
            .ok_or_else(|| {
                CognitoError::new(
                    ErrorKind::SoftwareTokenMfaNotFound,
                    "Software Token MFA has not been enabled for the user.",
                )
            })?;
        let now = self.clock.now().seconds().max(0) as u64;
        match matching_step(&secret, code.trim(), now) {
            None => Err(CognitoError::new(
                ErrorKind::CodeMismatch,
                "Invalid code received for user",
            )),
            Some(step) if step <= user.mfa.totp_last_step => Err(already_used()),
            Some(step) => self.spend_step(user, &secret, step).await,
        }
    }

    /// Marks the code of `step` used, atomically in the store (two parallel answers with one
    /// code: one wins), and the two steps before it too, so no older code still in the
    /// window can follow a newer one. Nothing else of the user is written.
    async fn spend_step(&self, user: &User, secret: &[u8], step: u64) -> Result<()> {
        let id = |s: u64| step_id(user, secret, s);
        // Kept until the step has left the window (one step either side), with a margin for
        // nodes whose clocks differ.
        let expires_ms = ((step + 2) * STEP_SECONDS * 1000) as i64 + CLOCK_MARGIN_MS;
        let now_ms = self.clock.now().millis();
        if !self
            .store
            .consume_challenge(&id(step), expires_ms, now_ms)
            .await?
        {
            return Err(already_used());
        }
        for older in [step.saturating_sub(1), step.saturating_sub(2)] {
            self.store
                .consume_challenge(&id(older), expires_ms, now_ms)
                .await?;
        }
        Ok(())
    }
}

fn already_used() -> CognitoError {
    CognitoError::new(
        ErrorKind::ExpiredCode,
        "Your software token has already been used once.",
    )
}

/// The single-use record of one step's code of one token: a new token (a new secret) starts
/// afresh. The secret enters only through SHA-256.
fn step_id(user: &User, secret: &[u8], step: u64) -> String {
    use sha2::{Digest, Sha256};
    let token = Sha256::digest(secret);
    format!(
        "totp:{}:{}:{}:{step}",
        user.pool_id,
        user.sub,
        hex::encode(&token[..8])
    )
}

impl UserMfa {
    /// Whether the user has a verified software token.
    pub fn has_token(&self) -> bool {
        self.totp_secret.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_and_one_either_side() {
        let secret = [7u8; 32];
        let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, secret.to_vec());
        let now = 1_700_000_000u64;
        let step = now / 30;
        for s in [step - 1, step, step + 1] {
            assert_eq!(matching_step(&secret, &totp.generate(s * 30), now), Some(s));
        }
        assert_eq!(
            matching_step(&secret, &totp.generate((step + 2) * 30), now),
            None
        );
        assert_eq!(matching_step(&secret, "12345", now), None);
    }
}

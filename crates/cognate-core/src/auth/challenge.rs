//! Challenge sessions: the opaque `Session` of a sign-in that needs another step. It is
//! sealed (encrypted and authenticated) with the master key, so any node can continue the
//! flow, expires after the client's `AuthSessionValidity`, and works once.

use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

const AAD: &str = "cognate-auth-session";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChallengeState {
    pub id: String,
    pub pool_id: String,
    pub client_id: String,
    /// The internal username of the user signing in.
    pub username: String,
    /// Their `sub`: a user deleted and created again under the same name is someone else,
    /// and does not inherit the session.
    #[serde(default)]
    pub sub: String,
    /// The DEVICE_KEY the sign-in came with (device tracking), carried to its tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    pub challenge: String,
    pub expires_ms: i64,
    /// MFA_SETUP only: set on the session VerifySoftwareToken returns, the one session that
    /// may finish the setup.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
    /// CUSTOM_CHALLENGE only: the rounds so far and the challenge's private parameters
    /// (`triggers::custom_auth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<serde_json::Value>,
}

pub fn invalid_session() -> CognitoError {
    CognitoError::not_authorized("Invalid session for the user.")
}

impl Cognito {
    pub(crate) fn seal_challenge(
        &self,
        pool_id: &str,
        client_id: &str,
        user: &crate::user::User,
        challenge: &str,
        validity_minutes: i64,
        device_key: Option<&str>,
    ) -> String {
        let state = ChallengeState {
            id: crate::ids::uuid(),
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            username: user.username.clone(),
            sub: user.sub.clone(),
            device_key: device_key.map(str::to_owned),
            challenge: challenge.to_owned(),
            expires_ms: self.clock.now().millis() + validity_minutes * 60_000,
            verified: false,
            custom: None,
        };
        self.seal_state(&state)
    }

    /// The `Session` of a state: standard base64 of its sealed form, an opaque blob, as
    /// Cognito's sessions are.
    pub(crate) fn seal_state(&self, state: &ChallengeState) -> String {
        let json = serde_json::to_vec(state).expect("serializable state");
        B64.encode(self.secrets.seal(&json, AAD))
    }

    /// The state inside a session, whatever it is for.
    fn unseal(&self, session: &str) -> Result<ChallengeState> {
        let sealed = B64
            .decode(session)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(invalid_session)?;
        let json = self
            .secrets
            .open(&sealed, AAD)
            .ok_or_else(invalid_session)?;
        serde_json::from_slice(&json).map_err(|_| invalid_session())
    }

    /// Opens a session presented for `challenge` by `client_id`; checks expiry, not use.
    pub(crate) fn open_challenge(
        &self,
        session: &str,
        client_id: &str,
        challenge: &str,
    ) -> Result<ChallengeState> {
        let state = self.unseal(session)?;
        if state.client_id != client_id || state.challenge != challenge {
            return Err(invalid_session());
        }
        if self.clock.now().millis() > state.expires_ms {
            return Err(CognitoError::not_authorized(
                "Invalid session for the user, session is expired.",
            ));
        }
        Ok(state)
    }

    /// Opens a session for `challenge` presented without a ClientId (AssociateSoftwareToken
    /// and VerifySoftwareToken during MFA_SETUP); checks expiry, not use.
    pub(crate) fn open_challenge_of_any_client(
        &self,
        session: &str,
        challenge: &str,
    ) -> Result<ChallengeState> {
        let client_id = self.unseal(session)?.client_id;
        self.open_challenge(session, &client_id, challenge)
    }

    /// A new session continuing the same challenge, with the same expiry (each step of
    /// MFA_SETUP answers with a fresh Session, as Cognito's do).
    pub(crate) fn reseal_setup(&self, state: &ChallengeState, verified: bool) -> String {
        let next = ChallengeState {
            id: crate::ids::uuid(),
            verified,
            ..state.clone()
        };
        self.seal_state(&next)
    }

    /// The user a session was issued to: `None` when they are gone, or when the name now
    /// belongs to another user (same name, another `sub`).
    pub(crate) async fn challenge_user(
        &self,
        pool: &crate::pool::UserPool,
        state: &ChallengeState,
    ) -> Result<Option<crate::user::User>> {
        let user = self
            .store
            .get_user(&pool.id, &pool.username_key(&state.username))
            .await?;
        Ok(user.filter(|u| u.sub == state.sub && u.pool_id == state.pool_id))
    }

    /// Marks a session used; a second use is refused.
    pub(crate) async fn consume_challenge(&self, state: &ChallengeState) -> Result<()> {
        let first = self
            .store
            .consume_challenge(&state.id, state.expires_ms, self.clock.now().millis())
            .await?;
        if first {
            Ok(())
        } else {
            Err(CognitoError::not_authorized(
                "Invalid session for the user, session can only be used once.",
            ))
        }
    }
}

//! Cognate's web console: who may use it. Administrators sign in with Cognate's admin
//! credentials — the access key ID and secret access key that sign API calls, as an IAM user
//! signs in to the AWS console — and get a session, sealed into a cookie so any node can read
//! it. Failed sign-ins lock the access key ID out as Cognito locks users out (five free
//! failures, then 1 s doubling up to 15 minutes; counted in the store, so every node adds
//! to the same count). What the console does with a session is the domain's own operations,
//! called as the API calls them.

pub mod wizard;

use crate::service::Cognito;
use crate::store::LockoutRule;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use subtle::ConstantTimeEq;

/// The cognito-idp API as the console calls it: an operation runs as a signed call of an
/// administrator in `region` would — its input validated against the service model, then
/// the domain — so the console's rules and messages are the API's. Implemented by
/// `cognate-api`.
#[async_trait::async_trait]
pub trait AdminApi: Send + Sync {
    async fn call(&self, region: &str, operation: &str, input: Value) -> Result<Value, ApiFailure>;
}

/// An operation's error as the API answers it: Cognito's error type and message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub error_type: String,
    pub message: String,
}

/// How long a console session lasts (ms): a working day, then sign in again.
pub const SESSION_LIFETIME_MS: i64 = 8 * 60 * 60 * 1000;
/// The pseudo pool under which console sign-in failures are counted.
const LOCKOUT_SCOPE: &str = "@console";
const SESSION_OWNER: &str = "console-session";
const DRAFT_OWNER: &str = "console-wizard";
const RULE: LockoutRule = LockoutRule {
    free_failures: 5,
    cap_exponent: 10,
    max_lock_ms: 15 * 60 * 1000,
    reset_after_ms: 15 * 60 * 1000,
};
/// The longest access key ID looked at (AWS's are 16–128 characters).
const MAX_KEY_ID: usize = 128;

/// An administrator's signed-in session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleSession {
    pub access_key_id: String,
    /// A MAC of the secret signed in with: a session ends when the secret changes.
    key_tag: String,
    /// A random ID for this session (the CSRF tokens of its forms are bound to it).
    pub id: String,
    pub expires_ms: i64,
}

/// Why a console sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleRefusal {
    /// The access key ID or secret is wrong (which of them is not said).
    Wrong,
    /// Too many failures: try again later.
    Locked,
    /// The store could not count the attempt.
    Unavailable,
}

impl ConsoleRefusal {
    pub fn message(self) -> &'static str {
        match self {
            ConsoleRefusal::Wrong => "The access key ID or secret access key is incorrect.",
            ConsoleRefusal::Locked => {
                "Too many failed sign-ins with this access key ID. Try again later."
            }
            ConsoleRefusal::Unavailable => "Signing in is not possible right now. Try again.",
        }
    }
}

/// Whether `(id, secret)` is one of `keys`, in time that does not depend on where they differ.
fn matches(keys: &[(String, String)], id: &str, secret: &str) -> bool {
    let mut found = 0u8;
    for (key_id, key_secret) in keys {
        let same_id = key_id.as_bytes().ct_eq(id.as_bytes());
        let same_secret = key_secret.as_bytes().ct_eq(secret.as_bytes());
        found |= (same_id & same_secret).unwrap_u8();
    }
    found == 1
}

impl Cognito {
    fn key_tag(&self, secret: &str) -> String {
        hex::encode(self.secrets.mac("console-key", secret.as_bytes()))
    }
}

/// What marks a session signed out in the store.
fn signed_out(session_id: &str) -> String {
    format!("console-signed-out/{session_id}")
}

impl Cognito {
    /// Signs an administrator in with `keys` (the configured admin credentials): the sealed
    /// session for the cookie, or why not.
    ///
    /// Failures are counted per access key ID and client address (`from`): the ID is no
    /// secret, so counting per ID alone would let anyone lock the administrator out.
    pub async fn console_sign_in(
        &self,
        keys: &[(String, String)],
        access_key_id: &str,
        secret_access_key: &str,
        from: Option<std::net::IpAddr>,
    ) -> Result<String, ConsoleRefusal> {
        let id = access_key_id.trim();
        if id.is_empty() || id.len() > MAX_KEY_ID {
            return Err(ConsoleRefusal::Wrong);
        }
        let now = self.clock.now().millis();
        // Counted before it is checked: parallel guesses cannot pass one check together.
        let counter = match from {
            Some(ip) => format!("{id} {ip}"),
            None => id.to_owned(),
        };
        let counted = self
            .store
            .begin_sign_in_attempt(LOCKOUT_SCOPE, &counter, now, &RULE)
            .await
            .map_err(|_| ConsoleRefusal::Unavailable)?;
        if counted.is_none() {
            tracing::warn!(access_key_id = %id, "console sign-in refused: locked out");
            return Err(ConsoleRefusal::Locked);
        }
        if !matches(keys, id, secret_access_key) {
            tracing::warn!(access_key_id = %id, "console sign-in failed");
            return Err(ConsoleRefusal::Wrong);
        }
        let _ = self
            .store
            .clear_sign_in_failures(LOCKOUT_SCOPE, &counter)
            .await;
        let mut raw = [0u8; 16];
        crate::secrets::fill_random(&mut raw);
        let session = ConsoleSession {
            access_key_id: id.to_owned(),
            key_tag: self.key_tag(secret_access_key),
            id: hex::encode(raw),
            expires_ms: now + SESSION_LIFETIME_MS,
        };
        tracing::info!(access_key_id = %id, "console sign-in");
        Ok(self.secrets.seal(
            &serde_json::to_vec(&session).expect("a session serializes"),
            SESSION_OWNER,
        ))
    }

    /// The session a cookie holds, if it is one of ours, unexpired, not signed out, and its
    /// access key is still one of `keys` (removing a key from the configuration ends its
    /// sessions).
    pub async fn console_session(
        &self,
        keys: &[(String, String)],
        sealed: &str,
    ) -> Option<ConsoleSession> {
        let session: ConsoleSession = self
            .secrets
            .open(sealed, SESSION_OWNER)
            .and_then(|json| serde_json::from_slice(&json).ok())?;
        let now = self.clock.now().millis();
        let tag = session.key_tag.as_bytes();
        let current = keys.iter().any(|(id, secret)| {
            *id == session.access_key_id && bool::from(self.key_tag(secret).as_bytes().ct_eq(tag))
        });
        if !current || now >= session.expires_ms {
            return None;
        }
        // A store that cannot say is taken as "signed out": fail closed.
        let ended = self
            .store
            .challenge_used(&signed_out(&session.id), now)
            .await
            .unwrap_or(true);
        (!ended).then_some(session)
    }

    /// A wizard's draft as the next form carries it (sealed: what comes back is what we sent).
    pub fn seal_draft(&self, draft: &wizard::PoolDraft) -> String {
        let json = serde_json::to_vec(draft).expect("a draft serializes");
        self.secrets.seal(&json, DRAFT_OWNER)
    }

    pub fn open_draft(&self, sealed: &str) -> Option<wizard::PoolDraft> {
        let json = self.secrets.open(sealed, DRAFT_OWNER)?;
        serde_json::from_slice(&json).ok()
    }

    /// Takes a wizard's Create once: `false` when this draft already created (or is creating)
    /// its pool.
    pub async fn claim_draft(&self, draft: &wizard::PoolDraft) -> crate::error::Result<bool> {
        let now = self.clock.now().millis();
        let id = format!("console-draft/{}", draft.nonce);
        Ok(self
            .store
            .consume_challenge(&id, now + SESSION_LIFETIME_MS, now)
            .await?)
    }

    /// Signs a session out on every node: its cookie, wherever it is, no longer works.
    pub async fn console_sign_out(&self, session: &ConsoleSession) -> crate::error::Result<()> {
        let now = self.clock.now().millis();
        self.store
            .consume_challenge(&signed_out(&session.id), session.expires_ms, now)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_configured_pair_matches() {
        let keys = vec![
            ("AKIDONE".to_owned(), "secret-one".to_owned()),
            ("AKIDTWO".to_owned(), "secret-two".to_owned()),
        ];
        assert!(matches(&keys, "AKIDTWO", "secret-two"));
        assert!(!matches(&keys, "AKIDONE", "secret-two"));
        assert!(!matches(&keys, "AKIDTHREE", "secret-one"));
        assert!(!matches(&keys, "AKIDONE", ""));
    }
}

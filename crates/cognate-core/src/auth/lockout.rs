//! Cognito's lockout (AWS Cognito developer guide, "User pool authentication flow"): after 5
//! failed passwords the user is locked for 1 s, doubling with each further failure up to about
//! 15 minutes; 15 quiet minutes reset the count; attempts during a lockout are refused with
//! "Password attempts exceeded" and do not extend it. Counts live in the store, so failures
//! on every node add up.
//!
//! Parallel guesses must not outrun the count, and a user's own parallel sign-ins on a node
//! must not lock them out. So a node takes one user's attempts one at a time (the check, the
//! proof and its record), and each attempt is counted in the store before its proof is
//! checked, which bounds what several nodes can try at once to one attempt each (a user with
//! failures on record who signs in on several nodes at once may see the lock early).

use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use crate::store::LockoutRule;
use std::hash::BuildHasher;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

const FREE_FAILURES: i64 = 5;
const MAX_LOCK_SECONDS: i64 = 15 * 60;
const RESET_AFTER_MS: i64 = 15 * 60 * 1000;

/// How long (ms) the user stays locked after `failures` failures, the last at `last_ms`.
pub fn locked_until(failures: i64, last_ms: i64) -> Option<i64> {
    if failures < FREE_FAILURES {
        return None;
    }
    let exponent = (failures - FREE_FAILURES).min(20) as u32;
    let seconds = 2i64.pow(exponent).min(MAX_LOCK_SECONDS);
    Some(last_ms + seconds * 1000)
}

const RULE: LockoutRule = LockoutRule {
    free_failures: FREE_FAILURES,
    // 2^10 s is the first power of two past the 15-minute cap.
    cap_exponent: 10,
    max_lock_ms: MAX_LOCK_SECONDS * 1000,
    reset_after_ms: RESET_AFTER_MS,
};

/// Locks that take one lockout key's attempts one at a time on this node: a fixed set of
/// shards (bounded memory; two keys may share one, which only queues them).
pub(crate) struct AttemptLocks {
    shards: Vec<Arc<Mutex<()>>>,
    hasher: std::hash::RandomState,
}

const SHARDS: usize = 512;

impl Default for AttemptLocks {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Arc::new(Mutex::new(()))).collect(),
            hasher: std::hash::RandomState::new(),
        }
    }
}

impl AttemptLocks {
    async fn lock(&self, pool_id: &str, key: &str) -> OwnedMutexGuard<()> {
        let shard = self.hasher.hash_one((pool_id, key)) as usize % SHARDS;
        self.shards[shard].clone().lock_owned().await
    }
}

/// A sign-in attempt, counted as a failure from its start; holds the key's lock on this
/// node. Its outcome is said once: [`Attempt::failed`] (the count stays),
/// [`Cognito::attempt_succeeded`] (the count is cleared). An attempt dropped without an
/// outcome (the request ended before the proof was judged: a store error, a client gone)
/// gives its count back, which reveals nothing, since no verdict was reached.
#[must_use]
pub(crate) struct Attempt {
    store: Arc<dyn crate::store::Store>,
    pool_id: String,
    key: String,
    judged: bool,
    _turn: OwnedMutexGuard<()>,
}

impl Attempt {
    /// The proof was wrong: the count stays.
    pub(crate) fn failed(mut self) {
        self.judged = true;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if self.judged {
            return;
        }
        let (store, pool_id, key) = (self.store.clone(), self.pool_id.clone(), self.key.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = store.forgive_sign_in_attempt(&pool_id, &key).await {
                    tracing::warn!(error = %e, "an unjudged sign-in attempt stays counted");
                }
            });
        }
    }
}

impl Cognito {
    /// Starts a password (or code) attempt under lockout key `key`: refused with "Password
    /// attempts exceeded" while locked; otherwise counted before anything is checked, so
    /// parallel guesses cannot all slip past one check.
    pub(crate) async fn begin_attempt(&self, pool_id: &str, key: &str) -> Result<Attempt> {
        let turn = self.attempt_locks.lock(pool_id, key).await;
        let now = self.clock.now().millis();
        match self
            .store
            .begin_sign_in_attempt(pool_id, key, now, &RULE)
            .await?
        {
            Some(_) => Ok(Attempt {
                store: self.store.clone(),
                pool_id: pool_id.to_owned(),
                key: key.to_owned(),
                judged: false,
                _turn: turn,
            }),
            None => {
                crate::metrics::lockout();
                Err(CognitoError::not_authorized("Password attempts exceeded"))
            }
        }
    }

    /// The attempt was refused for something other than a wrong proof (a used or expired
    /// code): its count is given back.
    pub(crate) async fn attempt_unjudged(&self, mut attempt: Attempt) -> Result<()> {
        attempt.judged = true;
        self.store
            .forgive_sign_in_attempt(&attempt.pool_id, &attempt.key)
            .await?;
        Ok(())
    }

    /// The attempt succeeded: the count starts again.
    pub(crate) async fn attempt_succeeded(&self, mut attempt: Attempt) -> Result<()> {
        self.store
            .clear_sign_in_failures(&attempt.pool_id, &attempt.key)
            .await?;
        attempt.judged = true;
        Ok(())
    }

    /// Forgets what has expired (run every few minutes by the server): failure counts that
    /// have reset, expired codes, past caps, and messages delivered or failed over a week ago.
    pub async fn prune_expired(&self) -> Result<u64> {
        let now = self.clock.now().millis();
        Ok(self
            .store
            .prune_expired(crate::store::PruneCutoffs {
                now_ms: now,
                failures_before_ms: now - RESET_AFTER_MS,
                messages_before_ms: now - crate::messaging::outbox::KEEP_DONE_MS,
            })
            .await?)
    }

    /// Records the outcome of a password proof (argon2 verification or SRP claim): a failure
    /// stays counted and answers "Incorrect username or password."; a success clears the count.
    pub(crate) async fn record_password_proof(&self, attempt: Attempt, ok: bool) -> Result<()> {
        if !ok {
            crate::metrics::sign_in("failure");
            attempt.failed();
            return Err(super::wrong_password());
        }
        crate::metrics::sign_in("success");
        self.attempt_succeeded(attempt).await
    }
}

#[cfg(test)]
mod tests {
    use super::locked_until;

    #[test]
    fn doubling_lock_capped_at_fifteen_minutes() {
        assert_eq!(locked_until(4, 0), None);
        assert_eq!(locked_until(5, 0), Some(1_000));
        assert_eq!(locked_until(6, 0), Some(2_000));
        assert_eq!(locked_until(9, 0), Some(16_000));
        assert_eq!(locked_until(40, 0), Some(900_000));
    }
}

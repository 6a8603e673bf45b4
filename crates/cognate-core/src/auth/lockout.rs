//! Cognito's lockout (AWS Cognito developer guide, "User pool authentication flow"): after 5
//! failed passwords the user is locked for 1 s, doubling with each further failure up to about
//! 15 minutes; 15 quiet minutes reset the count; attempts during a lockout are refused with
//! "Password attempts exceeded" and do not extend it. Counts live in the store, so failures
//! on every node add up.

use crate::error::{CognitoError, Result};
use crate::service::Cognito;

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

/// Whether the user had failures on record when their lockout was checked: a correct
/// password then clears them, and otherwise costs no write.
#[must_use]
pub(crate) struct PastFailures(bool);

impl Cognito {
    pub(crate) async fn check_lockout(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> Result<PastFailures> {
        let now = self.clock.now().millis();
        let record = self.store.sign_in_failures(pool_id, username_key).await?;
        if let Some((failures, last)) = record
            && now - last <= RESET_AFTER_MS
            && locked_until(failures, last).is_some_and(|until| now < until)
        {
            crate::metrics::lockout();
            return Err(CognitoError::not_authorized("Password attempts exceeded"));
        }
        Ok(PastFailures(record.is_some()))
    }

    pub(crate) async fn password_failed(&self, pool_id: &str, username_key: &str) -> Result<()> {
        let now = self.clock.now().millis();
        self.store
            .record_sign_in_failure(pool_id, username_key, now, RESET_AFTER_MS)
            .await?;
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
    /// counts toward lockout and answers "Incorrect username or password."; a success clears
    /// past failures.
    pub(crate) async fn record_password_proof(
        &self,
        pool_id: &str,
        username_key: &str,
        ok: bool,
        past: PastFailures,
    ) -> Result<()> {
        if !ok {
            crate::metrics::sign_in("failure");
            self.password_failed(pool_id, username_key).await?;
            return Err(super::wrong_password());
        }
        crate::metrics::sign_in("success");
        self.password_succeeded(pool_id, username_key, past).await
    }

    pub(crate) async fn password_succeeded(
        &self,
        pool_id: &str,
        username_key: &str,
        past: PastFailures,
    ) -> Result<()> {
        if past.0 {
            self.store
                .clear_sign_in_failures(pool_id, username_key)
                .await?;
        }
        Ok(())
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

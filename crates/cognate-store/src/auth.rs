//! Signing keys, sign-in sessions, refresh tokens, single-use challenges, lockout counters.

use crate::bound::{Bound, Value};
use crate::documents::to_doc;
use crate::lookups::{Fields, doc};
use crate::{Backend, SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::store::{
    AuthSession, AuthStore, LockoutRule, PruneCutoffs, RefreshTokenRecord, SigningKeyRecord,
    StoreResult,
};
use cognate_core::user::User;
use sqlx::Row;

/// A session's values for `INSERT_SESSION`, in its column order.
fn session_values(s: &AuthSession) -> Vec<Value<'_>> {
    vec![
        (&s.origin_jti).into(),
        (&s.pool_id).into(),
        (&s.username_key).into(),
        (&s.client_id).into(),
        s.auth_time_ms.into(),
        s.expires_ms.into(),
        (&s.scope).into(),
        (&s.device_key).into(),
    ]
}

/// A refresh token's values for `INSERT_REFRESH`, in its column order.
fn refresh_values(t: &RefreshTokenRecord) -> Vec<Value<'_>> {
    vec![
        (&t.token_hash).into(),
        (&t.origin_jti).into(),
        (&t.pool_id).into(),
        t.created_ms.into(),
    ]
}

fn session_from_row(row: &dyn Fields) -> StoreResult<AuthSession> {
    Ok(AuthSession {
        origin_jti: row.required_text("origin_jti")?,
        pool_id: row.required_text("pool_id")?,
        username_key: row.required_text("username_key")?,
        client_id: row.required_text("client_id")?,
        auth_time_ms: row.required_int("auth_time_ms")?,
        expires_ms: row.required_int("expires_ms")?,
        scope: row.text("scope")?,
        device_key: row.text("device_key")?,
        revoked_ms: row.int("revoked_ms")?,
    })
}

fn refresh_from_row(row: &dyn Fields) -> StoreResult<RefreshTokenRecord> {
    Ok(RefreshTokenRecord {
        token_hash: row.required_text("token_hash")?,
        origin_jti: row.required_text("origin_jti")?,
        pool_id: row.required_text("pool_id")?,
        created_ms: row.required_int("created_ms")?,
        replaced_ms: row.int("replaced_ms")?,
    })
}

/// A signing key's document, with its retirement from the column (the truth for it; the
/// document keeps the key material).
fn signing_key_from_row(row: &dyn Fields) -> StoreResult<SigningKeyRecord> {
    let mut key: SigningKeyRecord = doc(row)?;
    key.retired_ms = row.int("retired_ms")?;
    Ok(key)
}

/// The SQL for a session row (`$1`..`$8`) and a refresh-token row, written once each; the
/// combined forms below number the token's placeholders after the session's.
macro_rules! insert_session {
    () => {
        "INSERT INTO auth_sessions (origin_jti, pool_id, username_key, client_id, auth_time_ms, expires_ms, revoked_ms, scope, device_key) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)"
    };
}
macro_rules! insert_refresh {
    ($hash:literal, $jti:literal, $pool:literal, $created:literal) => {
        concat!(
            "INSERT INTO refresh_tokens (token_hash, origin_jti, pool_id, created_ms, replaced_ms) VALUES (",
            $hash, ", ", $jti, ", ", $pool, ", ", $created, ", NULL)"
        )
    };
}

const INSERT_SESSION: &str = insert_session!();
const INSERT_REFRESH: &str = insert_refresh!("$1", "$2", "$3", "$4");
/// SQLite: two statements in one command.
const INSERT_SESSION_AND_TOKEN_SQLITE: &str = concat!(
    insert_session!(),
    "; ",
    insert_refresh!("$9", "$10", "$11", "$12")
);
/// PostgreSQL: one statement.
const INSERT_SESSION_AND_TOKEN_POSTGRES: &str = concat!(
    "WITH session AS (",
    insert_session!(),
    ") ",
    insert_refresh!("$9", "$10", "$11", "$12")
);

#[async_trait]
impl AuthStore for SqlStore {
    async fn insert_signing_key(&self, key: &SigningKeyRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, pool_id, purpose, created_ms, retired_ms, doc) VALUES ($1, $2, $3, $4, NULL, $5)",
        )
        .bind(&key.kid)
        .bind(&key.pool_id)
        .bind(&key.purpose)
        .bind(key.created_ms)
        .bind(to_doc(key)?)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn list_signing_keys(&self, pool_id: &str) -> StoreResult<Vec<SigningKeyRecord>> {
        self.lookup_all_fresh(
            "SELECT doc, retired_ms FROM signing_keys WHERE pool_id = $1 ORDER BY created_ms, kid",
            &[pool_id.into()],
            signing_key_from_row,
        )
        .await
    }

    async fn get_signing_key(&self, kid: &str) -> StoreResult<Option<SigningKeyRecord>> {
        self.lookup_fresh(
            "SELECT doc, retired_ms FROM signing_keys WHERE kid = $1",
            &[kid.into()],
            signing_key_from_row,
        )
        .await
    }

    async fn retire_signing_keys(&self, pool_id: &str, at_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE signing_keys SET retired_ms = $1 WHERE pool_id = $2 AND retired_ms IS NULL",
        )
        .bind(at_ms)
        .bind(pool_id)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn insert_auth_session(
        &self,
        s: &AuthSession,
        refresh: &RefreshTokenRecord,
    ) -> StoreResult<()> {
        let session = Bound::new(INSERT_SESSION, session_values(s));
        let token = Bound::new(INSERT_REFRESH, refresh_values(refresh));
        let inline = self.write_inline(|tx| {
            session.execute_inline(tx)?;
            token.execute_inline(tx)?;
            Ok(())
        })?;
        if inline.is_some() {
            return Ok(());
        }
        // Both rows in one round trip: a sign-in is argon2-bound, and each round trip to
        // sqlx's SQLite worker thread costs two thread wake-ups beside the hashing threads.
        let sql = match self.backend {
            // PostgreSQL: one statement, so both rows or neither.
            Backend::Postgres => INSERT_SESSION_AND_TOKEN_POSTGRES,
            // SQLite: two statements in one command (sqlx runs them in order, `$n` numbered
            // across both): the session first, so a failure in between leaves only a session
            // that no token names, which nothing can present.
            Backend::Sqlite => INSERT_SESSION_AND_TOKEN_SQLITE,
        };
        let mut values = session.values;
        values.extend(token.values);
        Bound::new(sql, values)
            .into_query()
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn get_auth_session(&self, origin_jti: &str) -> StoreResult<Option<AuthSession>> {
        self.lookup(
            "SELECT * FROM auth_sessions WHERE origin_jti = $1",
            &[origin_jti.into()],
            session_from_row,
        )
        .await
    }

    async fn get_auth_session_with_user(
        &self,
        origin_jti: &str,
    ) -> StoreResult<Option<(AuthSession, Option<User>)>> {
        self.lookup(
            "SELECT s.*, u.doc AS doc FROM auth_sessions s \
             LEFT JOIN users u ON u.pool_id = s.pool_id AND u.username_key = s.username_key \
             WHERE s.origin_jti = $1",
            &[origin_jti.into()],
            |row| {
                let user = match row.text("doc")? {
                    Some(_) => Some(doc(row)?),
                    None => None,
                };
                Ok((session_from_row(row)?, user))
            },
        )
        .await
    }

    async fn find_refresh_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<RefreshTokenRecord>> {
        self.lookup(
            "SELECT * FROM refresh_tokens WHERE token_hash = $1",
            &[token_hash.into()],
            refresh_from_row,
        )
        .await
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        at_ms: i64,
        new: &RefreshTokenRecord,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        let done = sqlx::query(
            "UPDATE refresh_tokens SET replaced_ms = $1 WHERE token_hash = $2 AND replaced_ms IS NULL",
        )
        .bind(at_ms)
        .bind(old_hash)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if done.rows_affected() == 0 {
            tx.rollback().await.map_err(backend_error)?;
            return Ok(false);
        }
        Bound::new(INSERT_REFRESH, refresh_values(new))
            .into_query()
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(true)
    }

    async fn add_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()> {
        Bound::new(INSERT_REFRESH, refresh_values(token))
            .into_query()
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn revoke_auth_session(&self, origin_jti: &str, at_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE auth_sessions SET revoked_ms = $1 WHERE origin_jti = $2 AND revoked_ms IS NULL",
        )
        .bind(at_ms)
        .bind(origin_jti)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn revoke_user_sessions(
        &self,
        pool_id: &str,
        username_key: &str,
        at_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE auth_sessions SET revoked_ms = $1 WHERE pool_id = $2 AND username_key = $3 AND revoked_ms IS NULL",
        )
        .bind(at_ms)
        .bind(pool_id)
        .bind(username_key)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn consume_challenge(&self, id: &str, expires_ms: i64, now_ms: i64) -> StoreResult<bool> {
        // An entry past its expiry counts as forgotten (prune_expired removes those rows).
        let done = sqlx::query(
            "INSERT INTO used_challenges (id, expires_ms) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET expires_ms = $2 WHERE used_challenges.expires_ms < $3",
        )
        .bind(id)
        .bind(expires_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn challenge_used(&self, id: &str, now_ms: i64) -> StoreResult<bool> {
        let found = self
            .lookup(
                "SELECT expires_ms FROM used_challenges WHERE id = $1",
                &[id.into()],
                |r| r.required_int("expires_ms"),
            )
            .await?;
        Ok(found.is_some_and(|expires| expires >= now_ms))
    }

    async fn sign_in_failures(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> StoreResult<Option<(i64, i64)>> {
        self.lookup_fresh(
            "SELECT failures, last_failure_ms FROM sign_in_failures WHERE pool_id = $1 AND username_key = $2",
            &[pool_id.into(), username_key.into()],
            |r| Ok((r.required_int("failures")?, r.required_int("last_failure_ms")?)),
        )
        .await
    }

    async fn begin_sign_in_attempt(
        &self,
        pool_id: &str,
        username_key: &str,
        now_ms: i64,
        rule: &LockoutRule,
    ) -> StoreResult<Option<i64>> {
        // One atomic statement, so attempts on every node add up and parallel guesses each
        // see the others. The WHERE leaves a locked row alone (no row returned): attempts
        // during a lockout do not extend it.
        const BEGIN_ATTEMPT: &str = "INSERT INTO sign_in_failures (pool_id, username_key, failures, last_failure_ms) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (pool_id, username_key) DO UPDATE SET \
             failures = CASE WHEN $3 - sign_in_failures.last_failure_ms > $4 THEN 1 ELSE sign_in_failures.failures + 1 END, \
             last_failure_ms = $3 \
             WHERE NOT (sign_in_failures.failures >= $5 \
               AND $3 - sign_in_failures.last_failure_ms <= $4 \
               AND $3 < sign_in_failures.last_failure_ms + CASE WHEN sign_in_failures.failures - $5 >= $6 THEN $7 \
                 ELSE (CAST(1 AS BIGINT) << CAST(CASE WHEN sign_in_failures.failures > $5 THEN sign_in_failures.failures - $5 ELSE 0 END AS INTEGER)) * 1000 END) \
             RETURNING failures";
        let inline = self.write_inline(|tx| {
            let mut statement = tx.prepare_cached(BEGIN_ATTEMPT)?;
            let mut rows = statement.query(rusqlite::params![
                pool_id,
                username_key,
                now_ms,
                rule.reset_after_ms,
                rule.free_failures,
                rule.cap_exponent,
                rule.max_lock_ms
            ])?;
            // The change is made at the first step; the transaction commits after.
            rows.next()?.map(|row| row.get::<_, i64>(0)).transpose()
        })?;
        if let Some(failures) = inline {
            return Ok(failures);
        }
        let row = sqlx::query(BEGIN_ATTEMPT)
            .bind(pool_id)
            .bind(username_key)
            .bind(now_ms)
            .bind(rule.reset_after_ms)
            .bind(rule.free_failures)
            .bind(rule.cap_exponent)
            .bind(rule.max_lock_ms)
            // Run to completion (`fetch_all`): see `read_cache` on how commits are counted.
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        row.first()
            .map(|r| r.try_get("failures").map_err(backend_error))
            .transpose()
    }

    async fn forgive_sign_in_attempt(&self, pool_id: &str, username_key: &str) -> StoreResult<()> {
        const FORGIVE: &str = "UPDATE sign_in_failures SET failures = failures - 1 \
             WHERE pool_id = $1 AND username_key = $2 AND failures > 0";
        self.execute_one(FORGIVE, &[pool_id.into(), username_key.into()])
            .await
    }

    async fn clear_sign_in_failures(&self, pool_id: &str, username_key: &str) -> StoreResult<()> {
        const CLEAR: &str = "DELETE FROM sign_in_failures WHERE pool_id = $1 AND username_key = $2";
        self.execute_one(CLEAR, &[pool_id.into(), username_key.into()])
            .await
    }

    async fn prune_expired(&self, cutoffs: PruneCutoffs) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        let mut removed = 0;
        for (sql, cutoff) in [
            (
                "DELETE FROM sign_in_failures WHERE last_failure_ms < $1",
                cutoffs.failures_before_ms,
            ),
            (
                "DELETE FROM verification_codes WHERE expires_ms < $1",
                cutoffs.now_ms,
            ),
            (
                "DELETE FROM used_challenges WHERE expires_ms < $1",
                cutoffs.now_ms,
            ),
            // Every cap's window is an hour.
            (
                "DELETE FROM user_quotas WHERE window_start_ms < $1",
                cutoffs.now_ms - 3_600_000,
            ),
            (
                "DELETE FROM outbox WHERE (delivered_ms IS NOT NULL AND delivered_ms < $1) \
                 OR (failed_ms IS NOT NULL AND failed_ms < $1)",
                cutoffs.messages_before_ms,
            ),
        ] {
            let done = sqlx::query(sql)
                .bind(cutoff)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            removed += done.rows_affected();
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(removed)
    }
}

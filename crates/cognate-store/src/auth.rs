//! Signing keys, sign-in sessions, refresh tokens, single-use challenges, lockout counters.

use crate::documents::{from_row, from_rows, to_doc};
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::store::{
    AuthSession, AuthStore, RefreshTokenRecord, SigningKeyRecord, StoreResult,
};
use sqlx::Row;
use sqlx::any::AnyRow;

fn session_from_row(row: &AnyRow) -> StoreResult<AuthSession> {
    let get_s = |c: &str| row.try_get::<String, _>(c).map_err(backend_error);
    let get_i = |c: &str| row.try_get::<i64, _>(c).map_err(backend_error);
    Ok(AuthSession {
        origin_jti: get_s("origin_jti")?,
        pool_id: get_s("pool_id")?,
        username_key: get_s("username_key")?,
        client_id: get_s("client_id")?,
        auth_time_ms: get_i("auth_time_ms")?,
        expires_ms: get_i("expires_ms")?,
        scope: row
            .try_get::<Option<String>, _>("scope")
            .map_err(backend_error)?,
        revoked_ms: row
            .try_get::<Option<i64>, _>("revoked_ms")
            .map_err(backend_error)?,
    })
}

fn refresh_from_row(row: &AnyRow) -> StoreResult<RefreshTokenRecord> {
    Ok(RefreshTokenRecord {
        token_hash: row.try_get("token_hash").map_err(backend_error)?,
        origin_jti: row.try_get("origin_jti").map_err(backend_error)?,
        pool_id: row.try_get("pool_id").map_err(backend_error)?,
        created_ms: row.try_get("created_ms").map_err(backend_error)?,
        replaced_ms: row
            .try_get::<Option<i64>, _>("replaced_ms")
            .map_err(backend_error)?,
    })
}

const INSERT_REFRESH: &str = "INSERT INTO refresh_tokens (token_hash, origin_jti, pool_id, created_ms, replaced_ms) VALUES ($1, $2, $3, $4, NULL)";

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
        let rows = sqlx::query(
            "SELECT doc, retired_ms FROM signing_keys WHERE pool_id = $1 ORDER BY created_ms, kid",
        )
        .bind(pool_id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        let mut keys: Vec<SigningKeyRecord> = from_rows(&rows)?;
        // The column is the truth for retirement (the document keeps the key material).
        for (key, row) in keys.iter_mut().zip(&rows) {
            key.retired_ms = row
                .try_get::<Option<i64>, _>("retired_ms")
                .map_err(backend_error)?;
        }
        Ok(keys)
    }

    async fn get_signing_key(&self, kid: &str) -> StoreResult<Option<SigningKeyRecord>> {
        let row = sqlx::query("SELECT doc, retired_ms FROM signing_keys WHERE kid = $1")
            .bind(kid)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        let Some(row) = row else { return Ok(None) };
        let mut key: SigningKeyRecord = from_row(&row)?;
        key.retired_ms = row
            .try_get::<Option<i64>, _>("retired_ms")
            .map_err(backend_error)?;
        Ok(Some(key))
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
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        sqlx::query(
            "INSERT INTO auth_sessions (origin_jti, pool_id, username_key, client_id, auth_time_ms, expires_ms, revoked_ms, scope) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
        )
        .bind(&s.origin_jti)
        .bind(&s.pool_id)
        .bind(&s.username_key)
        .bind(&s.client_id)
        .bind(s.auth_time_ms)
        .bind(s.expires_ms)
        .bind(&s.scope)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        sqlx::query(INSERT_REFRESH)
            .bind(&refresh.token_hash)
            .bind(&refresh.origin_jti)
            .bind(&refresh.pool_id)
            .bind(refresh.created_ms)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    async fn get_auth_session(&self, origin_jti: &str) -> StoreResult<Option<AuthSession>> {
        let row = sqlx::query("SELECT * FROM auth_sessions WHERE origin_jti = $1")
            .bind(origin_jti)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn find_refresh_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<RefreshTokenRecord>> {
        let row = sqlx::query("SELECT * FROM refresh_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(refresh_from_row).transpose()
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
        sqlx::query(INSERT_REFRESH)
            .bind(&new.token_hash)
            .bind(&new.origin_jti)
            .bind(&new.pool_id)
            .bind(new.created_ms)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(true)
    }

    async fn add_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()> {
        sqlx::query(INSERT_REFRESH)
            .bind(&token.token_hash)
            .bind(&token.origin_jti)
            .bind(&token.pool_id)
            .bind(token.created_ms)
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
        // Forget sessions that can no longer be presented anyway.
        sqlx::query("DELETE FROM used_challenges WHERE expires_ms < $1")
            .bind(now_ms)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        let done = sqlx::query(
            "INSERT INTO used_challenges (id, expires_ms) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(expires_ms)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn sign_in_failures(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> StoreResult<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT failures, last_failure_ms FROM sign_in_failures WHERE pool_id = $1 AND username_key = $2",
        )
        .bind(pool_id)
        .bind(username_key)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|r| {
            Ok((
                r.try_get::<i64, _>("failures").map_err(backend_error)?,
                r.try_get::<i64, _>("last_failure_ms")
                    .map_err(backend_error)?,
            ))
        })
        .transpose()
    }

    async fn record_sign_in_failure(
        &self,
        pool_id: &str,
        username_key: &str,
        now_ms: i64,
        reset_after_ms: i64,
    ) -> StoreResult<()> {
        // One atomic statement, so failures counted by several nodes add up.
        sqlx::query(
            "INSERT INTO sign_in_failures (pool_id, username_key, failures, last_failure_ms) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (pool_id, username_key) DO UPDATE SET \
             failures = CASE WHEN $3 - sign_in_failures.last_failure_ms > $4 THEN 1 ELSE sign_in_failures.failures + 1 END, \
             last_failure_ms = $3",
        )
        .bind(pool_id)
        .bind(username_key)
        .bind(now_ms)
        .bind(reset_after_ms)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn clear_sign_in_failures(&self, pool_id: &str, username_key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE pool_id = $1 AND username_key = $2")
            .bind(pool_id)
            .bind(username_key)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}

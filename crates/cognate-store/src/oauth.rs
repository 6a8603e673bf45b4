//! Authorization codes of the OAuth code flow.

use crate::documents::{from_row, to_doc};
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::store::{AuthCode, FoundCode, OAuthStore, StoreResult};
use sqlx::Row;

#[async_trait]
impl OAuthStore for SqlStore {
    async fn insert_auth_code(&self, code: &AuthCode, now_ms: i64) -> StoreResult<()> {
        // Codes live five minutes; forget the long-expired ones as new ones arrive.
        sqlx::query("DELETE FROM auth_codes WHERE expires_ms < $1")
            .bind(now_ms - 3_600_000)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        sqlx::query(
            "INSERT INTO auth_codes (code_hash, pool_id, expires_ms, used_ms, origin_jti, doc) VALUES ($1, $2, $3, NULL, NULL, $4)",
        )
        .bind(&code.code_hash)
        .bind(&code.pool_id)
        .bind(code.expires_ms)
        .bind(to_doc(code)?)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn find_auth_code(&self, code_hash: &str) -> StoreResult<Option<FoundCode>> {
        let row =
            sqlx::query("SELECT doc, used_ms, origin_jti FROM auth_codes WHERE code_hash = $1")
                .bind(code_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(FoundCode {
            code: from_row(&row)?,
            used: row
                .try_get::<Option<i64>, _>("used_ms")
                .map_err(backend_error)?
                .is_some(),
            origin_jti: row
                .try_get::<Option<String>, _>("origin_jti")
                .map_err(backend_error)?,
        }))
    }

    async fn spend_auth_code(&self, code_hash: &str, now_ms: i64) -> StoreResult<bool> {
        let spent = sqlx::query(
            "UPDATE auth_codes SET used_ms = $1 WHERE code_hash = $2 AND used_ms IS NULL",
        )
        .bind(now_ms)
        .bind(code_hash)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(spent.rows_affected() == 1)
    }

    async fn set_auth_code_session(&self, code_hash: &str, origin_jti: &str) -> StoreResult<()> {
        sqlx::query("UPDATE auth_codes SET origin_jti = $1 WHERE code_hash = $2")
            .bind(origin_jti)
            .bind(code_hash)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}

//! Remembered devices: one document per device, listed per user in device-key order.

use crate::documents::to_doc;
use crate::lookups::doc;
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::device::{Device, DeviceStore};
use cognate_core::store::StoreResult;

#[async_trait]
impl DeviceStore for SqlStore {
    async fn put_device(&self, d: &Device) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "INSERT INTO devices (pool_id, device_key, username_key, doc) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (pool_id, device_key) DO UPDATE SET username_key = $3, doc = $4",
            )
            .bind(&d.pool_id)
            .bind(&d.device_key)
            .bind(&d.username_key)
            .bind(to_doc(d)?),
        )
        .await
    }

    async fn update_device(&self, d: &Device) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE devices SET doc = $1 WHERE pool_id = $2 AND device_key = $3")
                .bind(to_doc(d)?)
                .bind(&d.pool_id)
                .bind(&d.device_key)
                .execute(&self.pool)
                .await
                .map_err(backend_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn get_device(&self, pool_id: &str, device_key: &str) -> StoreResult<Option<Device>> {
        self.lookup(
            "SELECT doc FROM devices WHERE pool_id = $1 AND device_key = $2",
            &[pool_id.into(), device_key.into()],
            doc,
        )
        .await
    }

    async fn list_devices(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Device>> {
        self.all_docs(
            sqlx::query(
                "SELECT doc FROM devices WHERE pool_id = $1 AND username_key = $2 AND device_key > $3 \
                 ORDER BY device_key LIMIT $4",
            )
            .bind(pool_id)
            .bind(username_key)
            .bind(after.unwrap_or(""))
            .bind(limit as i64),
        )
        .await
    }

    async fn delete_device(&self, pool_id: &str, device_key: &str, at_ms: i64) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        sqlx::query("DELETE FROM devices WHERE pool_id = $1 AND device_key = $2")
            .bind(pool_id)
            .bind(device_key)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        sqlx::query(
            "UPDATE auth_sessions SET revoked_ms = $1 \
             WHERE pool_id = $2 AND device_key = $3 AND revoked_ms IS NULL",
        )
        .bind(at_ms)
        .bind(pool_id)
        .bind(device_key)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }
}

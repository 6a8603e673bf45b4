//! Verification codes, per-user hourly caps, and the outbox of messages.

use crate::bound::Bound;
use crate::documents::to_doc;
use crate::lookups::Fields;
use crate::users::{insert_user, update_user};
use crate::{SqlStore, backend_error};
use async_trait::async_trait;
use cognate_core::StoreError;
use cognate_core::messaging::{Medium, OutboxEntry, OutboxRecord, OutboxStore};
use cognate_core::signup::codes::{CodeRecord, CodeStore};
use cognate_core::store::StoreResult;
use cognate_core::user::User;
use sqlx::Row;

const PUT_CODE: &str = "INSERT INTO verification_codes (pool_id, username_key, purpose, code_hash, created_ms, expires_ms, pending_value) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (pool_id, username_key, purpose) DO UPDATE SET \
     code_hash = $4, created_ms = $5, expires_ms = $6, pending_value = $7";

const ENQUEUE: &str = "INSERT INTO outbox (id, pool_id, medium, created_ms, next_attempt_ms, lease_until_ms, attempts, sealed) \
     VALUES ($1, $2, $3, $4, $4, 0, 0, $5)";

/// A code written (or its predecessor replaced) for one purpose.
fn put_code(c: &CodeRecord) -> Bound<'_> {
    Bound::new(
        PUT_CODE,
        vec![
            (&c.pool_id).into(),
            (&c.username_key).into(),
            (&c.purpose).into(),
            (&c.code_hash).into(),
            c.created_ms.into(),
            c.expires_ms.into(),
            (&c.pending_value).into(),
        ],
    )
}

/// A message queued for delivery.
fn enqueue(m: &OutboxRecord) -> Bound<'_> {
    Bound::new(
        ENQUEUE,
        vec![
            (&m.id).into(),
            (&m.pool_id).into(),
            m.medium.as_str().into(),
            m.created_ms.into(),
            (&m.sealed).into(),
        ],
    )
}

impl SqlStore {
    /// Runs `statements` in one transaction: all of them or none.
    async fn in_one_transaction(&self, statements: Vec<Bound<'_>>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_error)?;
        for statement in statements {
            statement
                .into_query()
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
        }
        tx.commit().await.map_err(backend_error)
    }
}

/// An outbox row (`ENTRY_COLUMNS`), from sqlx or from the inline writer's connection.
fn entry(row: &dyn Fields) -> StoreResult<OutboxEntry> {
    Ok(OutboxEntry {
        record: OutboxRecord {
            id: row.required_text("id")?,
            pool_id: row.required_text("pool_id")?,
            medium: if row.required_text("medium")? == "SMS" {
                Medium::Sms
            } else {
                Medium::Email
            },
            created_ms: row.required_int("created_ms")?,
            sealed: row.required_text("sealed")?,
        },
        attempts: row.required_int("attempts")?,
        delivered_ms: row.int("delivered_ms")?,
        failed_ms: row.int("failed_ms")?,
        channel: row.text("channel")?,
        last_error: row.text("last_error")?,
    })
}

const ENTRY_COLUMNS: &str = "id, pool_id, medium, created_ms, attempts, delivered_ms, failed_ms, channel, last_error, sealed";

#[async_trait]
impl CodeStore for SqlStore {
    async fn get_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: &str,
    ) -> StoreResult<Option<CodeRecord>> {
        let row = sqlx::query(
            "SELECT code_hash, created_ms, expires_ms, pending_value FROM verification_codes \
             WHERE pool_id = $1 AND username_key = $2 AND purpose = $3",
        )
        .bind(pool_id)
        .bind(username_key)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|r| {
            Ok(CodeRecord {
                pool_id: pool_id.to_owned(),
                username_key: username_key.to_owned(),
                purpose: purpose.to_owned(),
                code_hash: r.try_get("code_hash").map_err(backend_error)?,
                created_ms: r.try_get("created_ms").map_err(backend_error)?,
                expires_ms: r.try_get("expires_ms").map_err(backend_error)?,
                pending_value: r.try_get("pending_value").map_err(backend_error)?,
            })
        })
        .transpose()
    }

    async fn put_code(&self, code: &CodeRecord, message: Option<&OutboxRecord>) -> StoreResult<()> {
        let mut statements = vec![put_code(code)];
        statements.extend(message.map(enqueue));
        self.in_one_transaction(statements).await
    }

    async fn take_code(
        &self,
        pool_id: &str,
        username_key: &str,
        purpose: &str,
        code_hash: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM verification_codes WHERE pool_id = $1 AND username_key = $2 AND purpose = $3 AND code_hash = $4",
        )
        .bind(pool_id)
        .bind(username_key)
        .bind(purpose)
        .bind(code_hash)
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_user_with_code(
        &self,
        user: &User,
        code: Option<&CodeRecord>,
        messages: &[OutboxRecord],
    ) -> StoreResult<()> {
        // A sign-up's one write, inline when it can be (inline_writes.rs): a sign-up is
        // argon2-bound, and this saves its five round trips to sqlx's worker thread.
        let mut statements = vec![insert_user(user, to_doc(user)?)];
        statements.extend(code.map(put_code));
        statements.extend(messages.iter().map(enqueue));
        let inline = self.write_inline(|tx| {
            for statement in &statements {
                statement.execute_inline(tx)?;
            }
            Ok(())
        })?;
        if inline.is_some() {
            return Ok(());
        }
        self.in_one_transaction(statements).await
    }

    async fn update_user_with_messages(
        &self,
        user: &User,
        messages: &[OutboxRecord],
    ) -> StoreResult<()> {
        let mut statements = vec![update_user(user)?];
        statements.extend(messages.iter().map(enqueue));
        self.in_one_transaction(statements).await
    }

    async fn count_use(
        &self,
        pool_id: &str,
        username_key: &str,
        action: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> StoreResult<i64> {
        // One atomic statement: uses on every node add up.
        let row = sqlx::query(
            "INSERT INTO user_quotas (pool_id, username_key, action, window_start_ms, used) VALUES ($1, $2, $3, $4, 1) \
             ON CONFLICT (pool_id, username_key, action) DO UPDATE SET \
             used = CASE WHEN $4 - user_quotas.window_start_ms >= $5 THEN 1 ELSE user_quotas.used + 1 END, \
             window_start_ms = CASE WHEN $4 - user_quotas.window_start_ms >= $5 THEN $4 ELSE user_quotas.window_start_ms END \
             RETURNING used",
        )
        .bind(pool_id)
        .bind(username_key)
        .bind(action)
        .bind(now_ms)
        .bind(window_ms)
        // Run to completion (`fetch_all`): see `read_cache` on how commits are counted.
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        let row = row
            .first()
            .ok_or_else(|| StoreError::Backend("the quota upsert returned no row".into()))?;
        row.try_get("used").map_err(backend_error)
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn enqueue_message(&self, message: &OutboxRecord) -> StoreResult<()> {
        self.run(enqueue(message).into_query()).await
    }

    async fn claim_messages(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutboxEntry>> {
        // Every node asks this twice a second: a look-up by index, inline on embedded SQLite
        // (no round trip to a pool connection, none kept busy for it when idle).
        // Never from the read cache: the time changes at every call, and the outbox is
        // written with RETURNING (see `read_cache`).
        let candidates: Vec<String> = self
            .lookup_all_fresh(
                "SELECT id FROM outbox WHERE delivered_ms IS NULL AND failed_ms IS NULL \
                 AND next_attempt_ms <= $1 AND lease_until_ms <= $1 ORDER BY next_attempt_ms LIMIT 1000",
                &[now_ms.into()],
                |r| r.required_text("id"),
            )
            .await?;
        let mut claimed = Vec::with_capacity(candidates.len().min(limit));
        // Each row is claimed by one worker only: the lease is taken where it is not held.
        let claim = format!(
            "UPDATE outbox SET lease_until_ms = $1, attempts = attempts + 1 \
             WHERE id = $2 AND lease_until_ms <= $3 AND delivered_ms IS NULL AND failed_ms IS NULL \
             RETURNING {ENTRY_COLUMNS}"
        );
        for id in candidates.into_iter().take(limit) {
            // Inline when it can be (inline_writes.rs): the worker shares the cores with the
            // requests that queued the messages (a sign-up is argon2-bound).
            let inline = self.write_inline(|tx| {
                let mut statement = tx.prepare_cached(&claim)?;
                let mut rows = statement.query(rusqlite::params![now_ms + lease_ms, id, now_ms])?;
                Ok(rows.next()?.map(|row| entry(row)))
            })?;
            let row = match inline {
                Some(Some(e)) => Some(e?),
                Some(None) => None,
                None => {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(claim.as_str()))
                        .bind(now_ms + lease_ms)
                        .bind(&id)
                        .bind(now_ms)
                        // Run to completion (`fetch_all`): see `read_cache` on how commits
                        // are counted.
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend_error)?;
                    rows.first().map(|row| entry(row)).transpose()?
                }
            };
            if let Some(mut e) = row {
                // `attempts` counts tries made before this one.
                e.attempts -= 1;
                claimed.push(e);
            }
        }
        Ok(claimed)
    }

    async fn message_delivered(&self, id: &str, at_ms: i64, channel: &str) -> StoreResult<()> {
        const DELIVERED: &str = "UPDATE outbox SET delivered_ms = $1, channel = $2, lease_until_ms = 0, last_error = NULL WHERE id = $3";
        self.execute_one(DELIVERED, &[at_ms.into(), channel.into(), id.into()])
            .await
    }

    async fn message_retry(&self, id: &str, next_ms: i64, error: &str) -> StoreResult<()> {
        self.run(
            sqlx::query("UPDATE outbox SET next_attempt_ms = $1, lease_until_ms = 0, last_error = $2 WHERE id = $3")
                .bind(next_ms)
                .bind(truncate(error))
                .bind(id),
        )
        .await
    }

    async fn message_failed(&self, id: &str, at_ms: i64, error: &str) -> StoreResult<()> {
        self.run(
            sqlx::query("UPDATE outbox SET failed_ms = $1, lease_until_ms = 0, last_error = $2 WHERE id = $3")
                .bind(at_ms)
                .bind(truncate(error))
                .bind(id),
        )
        .await
    }

    async fn list_messages(&self, channel: &str, limit: usize) -> StoreResult<Vec<OutboxEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE channel = $1 ORDER BY created_ms DESC, id DESC LIMIT {}",
            limit.min(1000)
        )))
        .bind(channel)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter().map(|row| entry(row)).collect()
    }
}

/// Errors from mail servers can be long; keep what explains them.
fn truncate(error: &str) -> String {
    error.chars().take(500).collect()
}

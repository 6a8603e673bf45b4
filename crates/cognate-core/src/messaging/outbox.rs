//! The durable outbox: a message is a row, written with the code it carries; a worker on any
//! node claims due rows with a lease, delivers them through the [`Sender`], and retries with
//! backoff (1 s doubling to 5 min) for a day before giving up. Bodies are sealed at rest.

use super::{Medium, OutgoingMessage, Sender};
use crate::error::Result;
use crate::service::Cognito;
use crate::store::StoreResult;
use async_trait::async_trait;
use serde::Serialize;

/// How long a claimed message is reserved for the worker that claimed it.
const LEASE_MS: i64 = 60_000;
/// The longest wait between two tries.
const MAX_BACKOFF_MS: i64 = 300_000;
/// How long delivered and failed messages stay (the development outbox shows them).
pub(crate) const KEEP_DONE_MS: i64 = 7 * 24 * 3_600_000;
/// How long a message keeps being retried.
const GIVE_UP_AFTER_MS: i64 = 24 * 3_600_000;

/// A message as written to the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRecord {
    pub id: String,
    pub pool_id: String,
    pub medium: Medium,
    pub created_ms: i64,
    /// The sealed [`OutgoingMessage`].
    pub sealed: String,
}

/// A message as the outbox holds it, with its delivery state.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub record: OutboxRecord,
    pub attempts: i64,
    pub delivered_ms: Option<i64>,
    pub failed_ms: Option<i64>,
    /// `smtp`, `sns`, `webhook`, `lambda` (a custom sender trigger, whatever its route), or
    /// `outbox` (kept for the development outbox).
    pub channel: Option<String>,
    pub last_error: Option<String>,
}

#[async_trait]
pub trait OutboxStore {
    /// Adds a message, due at once.
    async fn enqueue_message(&self, message: &OutboxRecord) -> StoreResult<()>;
    /// Reserves up to `limit` due messages (undelivered, not failed, next try passed, no live
    /// lease) for `lease_ms`, each claimed by one caller only, oldest first.
    async fn claim_messages(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutboxEntry>>;
    async fn message_delivered(&self, id: &str, at_ms: i64, channel: &str) -> StoreResult<()>;
    /// Another try at `next_ms`; the lease is released.
    async fn message_retry(&self, id: &str, next_ms: i64, error: &str) -> StoreResult<()>;
    async fn message_failed(&self, id: &str, at_ms: i64, error: &str) -> StoreResult<()>;
    /// Messages delivered to `channel` (the development outbox), newest first.
    async fn list_messages(&self, channel: &str, limit: usize) -> StoreResult<Vec<OutboxEntry>>;
}

/// A message of the development outbox (`GET /_cognate/outbox.json`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxView {
    pub id: String,
    pub pool_id: String,
    pub medium: Medium,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
}

/// Messages a worker sends at once (SMTP connections are pooled).
pub const IN_FLIGHT: usize = 16;

enum Outcome {
    Delivered,
    Retried,
    Failed,
}

/// What one pass of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPass {
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
}

impl DeliveryPass {
    pub fn handled(&self) -> usize {
        self.delivered + self.retried + self.failed
    }
}

fn backoff_ms(attempts: i64) -> i64 {
    let exponent = attempts.clamp(0, 20) as u32;
    (1000i64 << exponent.min(9)).min(MAX_BACKOFF_MS)
}

impl Cognito {
    /// Seals a message for the outbox (the row ID binds the ciphertext to its row).
    pub(crate) fn seal_message(&self, message: &OutgoingMessage) -> OutboxRecord {
        let id = crate::ids::uuid();
        let json = serde_json::to_vec(message).expect("a message serializes");
        OutboxRecord {
            sealed: self.secrets.seal(&json, &id),
            id,
            pool_id: message.pool_id.clone(),
            medium: message.medium,
            created_ms: self.clock.now().millis(),
        }
    }

    fn open_message(&self, record: &OutboxRecord) -> Option<OutgoingMessage> {
        let json = self.secrets.open(&record.sealed, &record.id)?;
        serde_json::from_slice(&json).ok()
    }

    /// One pass of the delivery worker: claims due messages and sends them through `sender`,
    /// up to [`IN_FLIGHT`] at once, or keeps them in the development outbox when no channel
    /// serves their medium.
    pub async fn deliver_messages(
        &self,
        sender: &dyn Sender,
        limit: usize,
    ) -> Result<DeliveryPass> {
        use futures_util::StreamExt;
        let now = self.clock.now().millis();
        let due = self.store.claim_messages(now, LEASE_MS, limit).await?;
        let outcomes: Vec<Result<Outcome>> = futures_util::stream::iter(due)
            .map(|entry| self.deliver_one(sender, entry, now))
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        let mut pass = DeliveryPass::default();
        for outcome in outcomes {
            match outcome? {
                Outcome::Delivered => pass.delivered += 1,
                Outcome::Retried => pass.retried += 1,
                Outcome::Failed => pass.failed += 1,
            }
        }
        Ok(pass)
    }

    async fn deliver_one(
        &self,
        sender: &dyn Sender,
        entry: OutboxEntry,
        now: i64,
    ) -> Result<Outcome> {
        let id = entry.record.id.clone();
        let Some(message) = self.open_message(&entry.record) else {
            // Sealed under another master key: no node of this deployment can send it.
            self.store
                .message_failed(
                    &id,
                    now,
                    "the message cannot be opened with this master key",
                )
                .await?;
            return Ok(Outcome::Failed);
        };
        let (channel, sent) = match &message.custom_sender {
            Some(invocation) => (
                "lambda",
                self.invoke_sender(&message.pool_id, invocation, entry.attempts)
                    .await,
            ),
            None => {
                let Some(channel) = sender.channel(message.medium) else {
                    self.store.message_delivered(&id, now, "outbox").await?;
                    crate::metrics::message("outbox", "delivered");
                    return Ok(Outcome::Delivered);
                };
                (channel, sender.send(&id, &message).await)
            }
        };
        match sent {
            Ok(()) => {
                let at = self.clock.now().millis();
                self.store.message_delivered(&id, at, channel).await?;
                crate::metrics::message(channel, "delivered");
                tracing::info!(message_id = %id, pool_id = %message.pool_id, medium = message.medium.as_str(), channel, "message delivered");
                Ok(Outcome::Delivered)
            }
            Err(e) if e.retryable && now - entry.record.created_ms < GIVE_UP_AFTER_MS => {
                let next = now + backoff_ms(entry.attempts);
                self.store.message_retry(&id, next, &e.reason).await?;
                crate::metrics::message(channel, "retried");
                tracing::warn!(message_id = %id, channel, attempt = entry.attempts + 1, error = %e.reason, "message not delivered; will retry");
                Ok(Outcome::Retried)
            }
            Err(e) => {
                self.store.message_failed(&id, now, &e.reason).await?;
                crate::metrics::message(channel, "failed");
                tracing::error!(message_id = %id, channel, error = %e.reason, "message delivery failed for good");
                Ok(Outcome::Failed)
            }
        }
    }

    /// The development outbox: messages kept because no sender serves their medium, newest
    /// first, opened for reading (they hold codes: the HTTP side guards who may see them).
    pub async fn development_outbox(&self, limit: usize) -> Result<Vec<OutboxView>> {
        let entries = self.store.list_messages("outbox", limit).await?;
        Ok(entries
            .into_iter()
            .filter_map(|e| {
                let m = self.open_message(&e.record)?;
                Some(OutboxView {
                    id: e.record.id,
                    pool_id: m.pool_id,
                    medium: m.medium,
                    to: m.to,
                    subject: m.subject,
                    body: m.body,
                    created_at: e.record.created_ms,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_to_five_minutes() {
        assert_eq!(super::backoff_ms(0), 1_000);
        assert_eq!(super::backoff_ms(3), 8_000);
        assert_eq!(super::backoff_ms(30), 300_000);
    }
}

//! The delivery worker: sends the outbox's messages through the configured senders. It runs
//! on every node; rows are claimed with a lease, so two nodes never send one message twice
//! (short of a node dying mid-send, when the lease lapses and another node tries again).

use cognate_core::Cognito;
use cognate_core::messaging::Sender;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Messages claimed per pass.
const BATCH: usize = 50;
/// How often the outbox is looked at when nothing woke the worker (messages queued by other
/// nodes, retries coming due).
const POLL: Duration = Duration::from_millis(500);

pub fn spawn_worker(cognito: Arc<Cognito>, sender: Arc<dyn Sender>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match cognito.deliver_messages(sender.as_ref(), BATCH).await {
                // A full batch: more may be waiting.
                Ok(pass) if pass.handled() == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e.message, "delivery pass failed"),
            }
            tokio::select! {
                _ = cognito.outbox_ready.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    })
}

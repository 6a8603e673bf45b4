//! SMS through an HTTP webhook, for any SMS gateway: `POST <url>` with the JSON
//! `{"id", "poolId", "to", "message"}`; a 2xx answer means delivered. Timeouts, 5xx and 429
//! are retried; other answers are refusals.

use cognate_core::messaging::{OutgoingMessage, SendError};
use std::time::Duration;

pub struct WebhookSender {
    client: reqwest::Client,
    url: String,
}

impl WebhookSender {
    pub fn new(url: &str) -> Result<Self, String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "the SMS webhook must be an http(s) URL, got {url:?}"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| format!("cannot make the webhook client: {e}"))?;
        Ok(Self {
            client,
            url: url.to_owned(),
        })
    }

    pub async fn send(&self, id: &str, m: &OutgoingMessage) -> Result<(), SendError> {
        let body = serde_json::json!({
            "id": id,
            "poolId": m.pool_id,
            "to": m.to,
            "message": m.body,
        });
        match self.client.post(&self.url).json(&body).send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => {
                let status = r.status().as_u16();
                Err(SendError {
                    retryable: status >= 500 || status == 429 || status == 408,
                    reason: format!("SMS webhook answered {status}"),
                })
            }
            Err(e) => Err(SendError {
                retryable: true,
                reason: format!("SMS webhook: {e}"),
            }),
        }
    }
}

//! Self-service sign-up, confirmation and message delivery, through the official SDK, with
//! codes read from the development outbox as a developer would.

mod confirm;
mod expiry;
mod recovery;
mod sign_up;
mod sms;
mod smtp;
mod verification;

use crate::fixture::T;
use std::time::{Duration, Instant};

/// The newest message of the development outbox addressed to `to`, waiting for the delivery
/// worker (it runs at once when a message is queued).
pub async fn newest_message(t: &T, to: &str) -> serde_json::Value {
    newest_message_at(&t.url, to).await
}

/// [`newest_message`] on the server at `url`.
pub async fn newest_message_at(url: &str, to: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let list: serde_json::Value = reqwest::get(format!(
            "{url}/_cognate/outbox.json?to={}",
            to.replace('+', "%2B")
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        if let Some(m) = list.as_array().and_then(|l| l.first()) {
            return m.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no message to {to} in the outbox"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The six-digit code in a message's body.
pub fn code_in(message: &serde_json::Value) -> String {
    let body = message["body"].as_str().unwrap();
    let digits: Vec<char> = body.chars().collect();
    digits
        .windows(6)
        .find(|w| w.iter().all(char::is_ascii_digit))
        .map(|w| w.iter().collect())
        .unwrap_or_else(|| panic!("no code in {body}"))
}

/// Waits until the outbox holds `n` messages to `to`.
pub async fn messages_to(t: &T, to: &str, n: usize) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let list: Vec<serde_json::Value> =
            reqwest::get(format!("{}/_cognate/outbox.json?to={to}", t.url))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        if list.len() >= n {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} messages to {to}",
            list.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A unique email address for a test.
pub fn email(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{tag}-{}-{}@example.com",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

//! Messages to users (verification codes, password-reset codes, invitations): rendered once,
//! here, from the pool's templates (`templates.rs`); written to a durable outbox in the same
//! transaction as the code they carry, and delivered by a worker through a [`Sender`]
//! (`outbox.rs`). The API never waits for a mail server, and a message is never lost to one
//! that is down. Senders (SMTP, SNS, a webhook) live in the `cognate-delivery` crate; with none
//! configured for a medium, messages stay in the development outbox (`GET /_cognate/outbox`).

pub mod outbox;
pub mod templates;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use outbox::{OutboxEntry, OutboxRecord, OutboxStore, OutboxView};

/// How a message travels (`DeliveryMediumType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Medium {
    Email,
    Sms,
}

impl Medium {
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Email => "EMAIL",
            Medium::Sms => "SMS",
        }
    }

    /// The attribute a message of this medium goes to.
    pub fn attribute(self) -> &'static str {
        match self {
            Medium::Email => "email",
            Medium::Sms => "phone_number",
        }
    }

    pub fn of_attribute(attribute: &str) -> Option<Medium> {
        match attribute {
            "email" => Some(Medium::Email),
            "phone_number" => Some(Medium::Sms),
            _ => None,
        }
    }
}

/// A message ready to send. Kept sealed (AES-256-GCM under the master key) in the outbox:
/// bodies carry codes and temporary passwords.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    pub pool_id: String,
    pub medium: Medium,
    /// An email address or an E.164 phone number.
    pub to: String,
    /// Email only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    /// The pool's `EmailConfiguration.From`, when it sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The pool's `EmailConfiguration.ReplyToEmailAddress`, when it sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Set when the pool's custom sender delivers it instead (`triggers/senders.rs`): the
    /// worker invokes that function, and `subject` and `body` are empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_sender: Option<crate::triggers::senders::SenderInvocation>,
}

/// Why a sender could not deliver.
#[derive(Debug, Clone)]
pub struct SendError {
    /// Whether trying again later may work (a server down, a timeout) or not (an address the
    /// server refuses for good).
    pub retryable: bool,
    pub reason: String,
}

/// The port to the outside world for messages.
#[async_trait]
pub trait Sender: Send + Sync {
    /// The channel that delivers messages of `medium` (`smtp`, `sns`, `webhook`), or `None`
    /// when no sender is configured for it: they stay in the development outbox.
    fn channel(&self, medium: Medium) -> Option<&'static str>;

    /// Sends one message; `id` is its outbox row's, the same on every try (for idempotent
    /// receivers).
    async fn send(&self, id: &str, message: &OutgoingMessage) -> Result<(), SendError>;
}

/// A sender with no channel: every message stays in the development outbox.
pub struct OutboxOnly;

#[async_trait]
impl Sender for OutboxOnly {
    fn channel(&self, _: Medium) -> Option<&'static str> {
        None
    }

    async fn send(&self, _: &str, _: &OutgoingMessage) -> Result<(), SendError> {
        Ok(())
    }
}

/// `CodeDeliveryDetailsType`: where a code went, masked as Cognito masks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    pub destination: String,
    pub delivery_medium: &'static str,
    pub attribute_name: &'static str,
}

impl CodeDeliveryDetails {
    pub fn new(medium: Medium, to: &str) -> Self {
        Self {
            destination: mask(medium, to),
            delivery_medium: medium.as_str(),
            attribute_name: medium.attribute(),
        }
    }
}

/// `a***@e***.com` for emails, `+*******1212` for phone numbers (REFERENCE.md §12).
pub fn mask(medium: Medium, to: &str) -> String {
    match medium {
        Medium::Email => {
            let (local, domain) = to.rsplit_once('@').unwrap_or((to, ""));
            let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
            let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
            let tld = if tld.is_empty() {
                String::new()
            } else {
                format!(".{tld}")
            };
            format!("{}***@{}***{tld}", first(local), first(host))
        }
        Medium::Sms => {
            let digits: Vec<char> = to.chars().filter(char::is_ascii_digit).collect();
            let keep = digits.len().min(4);
            let hidden = digits.len() - keep;
            let tail: String = digits[hidden..].iter().collect();
            format!("+{}{tail}", "*".repeat(hidden))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_masked() {
        assert_eq!(mask(Medium::Email, "jane.doe@example.com"), "j***@e***.com");
        assert_eq!(mask(Medium::Sms, "+15555551212"), "+*******1212");
    }
}

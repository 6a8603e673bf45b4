//! Cognate's message senders, the adapters behind `cognate_core::messaging::Sender`: email over
//! SMTP (`smtp.rs`), SMS through Amazon SNS (`sns.rs`) or an HTTP webhook (`webhook.rs`), and
//! the router that picks a sender by medium (`Senders`); the encryption of custom senders'
//! codes with the AWS Encryption SDK and KMS (`encryption.rs`); upstream identity providers
//! over HTTP for federation (`upstream.rs`). A medium with no sender keeps its
//! messages in the development outbox.

mod encryption;
mod functions;
mod smtp;
mod sns;
mod upstream;
mod webhook;

pub use encryption::{KmsEncryptor, KmsRoute};
pub use functions::{FunctionRoutes, Functions};
pub use smtp::SmtpSender;
pub use sns::{SnsCredentials, SnsSender};
pub use upstream::HttpUpstream;
pub use webhook::WebhookSender;

use async_trait::async_trait;
use cognate_core::messaging::{Medium, OutgoingMessage, SendError, Sender};

/// How SMS messages leave.
pub enum SmsSender {
    Sns(SnsSender),
    Webhook(WebhookSender),
}

/// The configured senders, one per medium at most.
#[derive(Default)]
pub struct Senders {
    pub email: Option<SmtpSender>,
    pub sms: Option<SmsSender>,
}

#[async_trait]
impl Sender for Senders {
    fn channel(&self, medium: Medium) -> Option<&'static str> {
        match medium {
            Medium::Email => self.email.as_ref().map(|_| "smtp"),
            Medium::Sms => self.sms.as_ref().map(|s| match s {
                SmsSender::Sns(_) => "sns",
                SmsSender::Webhook(_) => "webhook",
            }),
        }
    }

    async fn send(&self, id: &str, message: &OutgoingMessage) -> Result<(), SendError> {
        match (message.medium, &self.email, &self.sms) {
            (Medium::Email, Some(smtp), _) => smtp.send(message).await,
            (Medium::Sms, _, Some(SmsSender::Sns(sns))) => sns.send(message).await,
            (Medium::Sms, _, Some(SmsSender::Webhook(hook))) => hook.send(id, message).await,
            _ => Err(SendError {
                retryable: false,
                reason: "no sender for this medium".into(),
            }),
        }
    }
}

//! Cognate's message senders, the adapters behind `cognate_core::messaging::Sender`: email over
//! SMTP (`smtp.rs`), and the router that picks a sender by medium (`Senders`). A medium with
//! no sender keeps its messages in the development outbox.

mod smtp;

pub use smtp::SmtpSender;

use async_trait::async_trait;
use cognate_core::messaging::{Medium, OutgoingMessage, SendError, Sender};

/// The configured senders, one per medium at most.
#[derive(Default)]
pub struct Senders {
    pub email: Option<SmtpSender>,
}

#[async_trait]
impl Sender for Senders {
    fn channel(&self, medium: Medium) -> Option<&'static str> {
        match medium {
            Medium::Email => self.email.as_ref().map(|_| "smtp"),
            Medium::Sms => None,
        }
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<(), SendError> {
        match (message.medium, &self.email) {
            (Medium::Email, Some(smtp)) => smtp.send(message).await,
            _ => Ok(()),
        }
    }
}

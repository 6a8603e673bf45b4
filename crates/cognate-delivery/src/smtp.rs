//! Email over SMTP with lettre: `smtp://[user:pass@]host[:port]` upgrades with STARTTLS when
//! the server offers it, `smtps://` uses TLS from the first byte (Amazon SES's SMTP interface
//! works either way). Connections are pooled; a failure to reach or talk to the server is
//! retryable, a permanent refusal (5xx) is not.

use cognate_core::messaging::{OutgoingMessage, SendError};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Tokio1Executor};
use std::time::Duration;

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where the server is, for logs (never the credentials).
    server: String,
}

impl SmtpSender {
    /// `url`: `smtp://` or `smtps://`, optionally with `user:password@`; `from`: the default
    /// sender address (a pool's `EmailConfiguration.From` takes precedence).
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let url = if url.starts_with("smtp://") && !url.contains("tls=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}tls=opportunistic")
        } else {
            url.to_owned()
        };
        let server = url
            .split_once("://")
            .map(|(_, r)| r.rsplit_once('@').map(|(_, h)| h).unwrap_or(r))
            .unwrap_or(&url)
            .split(['?', '/'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| format!("invalid SMTP URL for {server}: {e}"))?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("invalid sender address {from:?}: {e}"))?;
        Ok(Self {
            transport,
            from,
            server,
        })
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    pub async fn send(&self, m: &OutgoingMessage) -> Result<(), SendError> {
        let permanent = |reason: String| SendError {
            retryable: false,
            reason,
        };
        let from = match &m.from {
            Some(f) => f
                .parse::<Mailbox>()
                .map_err(|e| permanent(format!("invalid From {f:?}: {e}")))?,
            None => self.from.clone(),
        };
        let to =
            m.to.parse::<Mailbox>()
                .map_err(|e| permanent(format!("invalid recipient: {e}")))?;
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(m.subject.clone().unwrap_or_default());
        if let Some(r) = &m.reply_to
            && let Ok(reply_to) = r.parse::<Mailbox>()
        {
            builder = builder.reply_to(reply_to);
        }
        // Cognito's templates may hold HTML (a confirmation link is a link).
        let kind = if m.body.contains('<') {
            ContentType::TEXT_HTML
        } else {
            ContentType::TEXT_PLAIN
        };
        let email = builder
            .header(kind)
            .body(m.body.clone())
            .map_err(|e| permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) => Err(SendError {
                retryable: !e.is_permanent(),
                reason: format!("SMTP {}: {e}", self.server),
            }),
        }
    }
}

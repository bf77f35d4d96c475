//! The emulator's outbox (SPEC I6): every SMS and e-mail it "sends" is stored for the outbox
//! page; when an SMTP relay is configured, e-mail also goes out through it.

use crate::outbox::Channel;
use crate::store::{IdpStore, StoreResult};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use time::OffsetDateTime;

/// A real SMTP relay.
pub struct SmtpRelay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The relay settings could not be used.
#[derive(Debug, thiserror::Error)]
#[error("SMTP relay: {0}")]
pub struct RelayError(String);

impl SmtpRelay {
    /// From a URL such as `smtp://user:password@host:587?tls=required`, `smtps://host`, or
    /// `smtp://127.0.0.1:1025` (no TLS, for a local relay), and a sender address.
    pub fn from_url(url: &str, from: &str) -> Result<Self, RelayError> {
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| RelayError(e.to_string()))?.build();
        let from: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| RelayError(e.to_string()))?;
        Ok(Self { transport, from })
    }

    /// Sends one message with files attached (multipart/mixed).
    pub async fn send_with(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        files: &[sep_core::notice::MailFile],
    ) -> Result<(), RelayError> {
        use lettre::message::header::ContentType;
        use lettre::message::{Attachment, MultiPart, SinglePart};
        let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| RelayError(e.to_string()))?;
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(body.to_owned()));
        for f in files {
            let kind = ContentType::parse(&f.content_type).map_err(|e| RelayError(e.to_string()))?;
            parts = parts.singlepart(Attachment::new(f.name.clone()).body(f.bytes.clone(), kind));
        }
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(parts)
            .map_err(|e| RelayError(e.to_string()))?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| RelayError(e.to_string()))
    }

    /// Sends one message.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), RelayError> {
        let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| RelayError(e.to_string()))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| RelayError(e.to_string()))?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| RelayError(e.to_string()))
    }
}

/// Stores what is sent and relays e-mail when a relay is set.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<dyn IdpStore>,
    relay: Option<Arc<SmtpRelay>>,
}

impl Outbox {
    /// An outbox over `store`, relaying e-mail through `relay` if given.
    pub fn new(store: Arc<dyn IdpStore>, relay: Option<Arc<SmtpRelay>>) -> Self {
        Self { store, relay }
    }

    /// Records the message; an e-mail also leaves through the relay, in the background so
    /// a slow relay never holds up a login (failures are logged).
    pub async fn send(
        &self,
        channel: Channel,
        to: &str,
        subject: &str,
        body: &str,
        at: OffsetDateTime,
    ) -> StoreResult<i64> {
        let id = self.store.insert_message(channel, to, subject, body, at).await?;
        if let (Channel::Email, Some(relay)) = (channel, &self.relay) {
            let (relay, to, subject, body) = (relay.clone(), to.to_owned(), subject.to_owned(), body.to_owned());
            let subject = if subject.is_empty() { "Госуслуги".to_owned() } else { subject };
            tokio::spawn(async move {
                if let Err(e) = relay.send(&to, &subject, &body).await {
                    tracing::warn!(error = %e, message = id, "e-mail not relayed");
                }
            });
        }
        Ok(id)
    }
}

#[async_trait::async_trait]
impl sep_core::notice::Mailer for SmtpRelay {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        SmtpRelay::send(self, to, subject, body).await.map_err(|e| e.to_string())
    }

    async fn send_with(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        files: &[sep_core::notice::MailFile],
    ) -> Result<(), String> {
        SmtpRelay::send_with(self, to, subject, body, files).await.map_err(|e| e.to_string())
    }
}

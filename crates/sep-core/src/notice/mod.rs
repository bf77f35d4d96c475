//! Notifications in the cabinet (SPEC N1, N2; C1 block «Уведомления»). A notification is
//! written with the change it announces (through [`crate::store::Effects`]); e-mail and SMS copies
//! go to the outbox queue in the same transaction.

pub mod store;

use crate::ids::UserId;
use time::OffsetDateTime;

/// A notification to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// To whom.
    pub user_id: UserId,
    /// When.
    pub at: OffsetDateTime,
    /// Type: `status` (status changes), `reminder`, `news`, `confirmation`.
    pub kind: String,
    /// Short title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Where the operation is (a path in the portal).
    pub link: String,
    /// Needs the person to act (shown red, also in words).
    pub critical: bool,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Id, increasing.
    pub id: i64,
    /// The notification.
    pub notice: NewNotice,
    /// When it was read.
    pub read_at: Option<OffsetDateTime>,
}

/// Sends an e-mail (an SMTP relay in production). A port so the delivery job does not
/// depend on a mail library.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one message; `Err` with what went wrong (the job retries).
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String>;

    /// Sends one message with files attached (a справка and its `.sig`). A mailer that
    /// cannot attach refuses rather than send the message without them.
    async fn send_with(&self, to: &str, subject: &str, body: &str, files: &[MailFile]) -> Result<(), String> {
        if files.is_empty() {
            self.send(to, subject, body).await
        } else {
            Err("this mailer cannot attach files".into())
        }
    }
}

/// A file attached to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    /// File name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Content.
    pub bytes: Vec<u8>,
}

//! Storage ports: small traits per aggregate, implemented once per backend.
//!
//! Each trait lives next to its aggregate, in the `store` module of the aggregate's folder:
//! [`UserStore`] in `user/store.rs`, [`SessionStore`], [`LoginRequestStore`] and
//! [`RelinkStore`] in `session/store.rs`, [`ApplicationStore`] in `application/store.rs`,
//! [`NoticeStore`] in `notice/store.rs`, [`AuditStore`] in `audit/store.rs`, [`JobStore`] in
//! `job/store.rs`, [`SigningStore`] in `signing/store.rs`, [`DocumentStore`] in `document/store.rs`, [`SpravkaStore`] in `spravka/store.rs`, [`PaymentStore`] in `payment/store.rs`, [`MailStore`] in `mail/store.rs`, [`PassportStore`] in `passport/store.rs`. This module holds what they share ([`StoreResult`], [`Effects`],
//! [`Health`]), the [`Store`] that combines them, and re-exports every one of them.
//!
//! Method verbs: `get_*` fails with [`StoreError::NotFound`], `find_*` returns an `Option`,
//! `list_*` a `Vec`, `insert_*`/`update_*`/`delete_*` change data. Every method that changes
//! data takes [`Effects`]: the audit records and jobs that must be stored in the same
//! transaction as the change, so there is never a change without its journal entry or a
//! promised notification lost in a crash.

use crate::StoreError;
use crate::audit::NewAuditEvent;
use crate::integration::store::IntegrationStore;
pub use crate::integration::store::{ClientStore, OperationStore};
pub use crate::integration::webhook::store::WebhookStore;
use crate::job::NewJob;
use async_trait::async_trait;

pub use crate::application::store::ApplicationStore;
pub use crate::audit::store::AuditStore;
pub use crate::document::store::DocumentStore;
pub use crate::job::store::JobStore;
pub use crate::mail::store::MailStore;
pub use crate::notice::store::NoticeStore;
pub use crate::passport::store::PassportStore;
pub use crate::payment::store::PaymentStore;
pub use crate::session::store::{LoginRequestStore, RelinkStore, SessionStore};
pub use crate::signing::store::SigningStore;
pub use crate::spravka::store::SpravkaStore;
pub use crate::user::store::{NewUser, UserStore};

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Side effects written atomically with a change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    /// Journal records.
    pub audit: Vec<NewAuditEvent>,
    /// Jobs to enqueue.
    pub jobs: Vec<NewJob>,
    /// Notifications to show in the cabinet.
    pub notices: Vec<crate::notice::NewNotice>,
}

impl Effects {
    /// No effects.
    pub fn none() -> Self {
        Self::default()
    }

    /// One audit record.
    pub fn audit(event: NewAuditEvent) -> Self {
        Self { audit: vec![event], ..Self::default() }
    }

    /// Adds a job.
    pub fn with_job(mut self, job: NewJob) -> Self {
        self.jobs.push(job);
        self
    }
}

/// Liveness of the backend, for `/readyz`.
#[async_trait]
pub trait Health: Send + Sync {
    /// Succeeds when the database answers a query.
    async fn ping(&self) -> StoreResult<()>;
    /// A short name of the backend (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;
}

/// Everything the application needs from storage, as one object.
pub trait Store:
    UserStore
    + SessionStore
    + LoginRequestStore
    + RelinkStore
    + ApplicationStore
    + NoticeStore
    + AuditStore
    + JobStore
    + SigningStore
    + DocumentStore
    + SpravkaStore
    + PaymentStore
    + MailStore
    + IntegrationStore
    + WebhookStore
    + ClientStore
    + OperationStore
    + PassportStore
    + Health
{
}

impl<T> Store for T where
    T: UserStore
        + SessionStore
        + LoginRequestStore
        + RelinkStore
        + ApplicationStore
        + NoticeStore
        + AuditStore
        + JobStore
        + SigningStore
        + DocumentStore
        + SpravkaStore
        + PaymentStore
        + MailStore
        + IntegrationStore
        + WebhookStore
        + ClientStore
        + OperationStore
        + PassportStore
        + Health
{
}

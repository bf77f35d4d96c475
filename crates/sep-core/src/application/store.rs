//! Storage of applications: the [`ApplicationStore`] port, implemented by every backend.

use super::record::{
    Application, ApplicationEvent, ApplicationId, Attachment, ContactConfirmation, Message, StatusChange,
};
use crate::ids::UserId;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Applications and their journal (SPEC A2, R7, R8).
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// Stores a new application (a draft), with its first journal entry.
    async fn insert_application(&self, a: &Application, fx: &Effects) -> StoreResult<()>;
    /// An application by id, whoever owns it (callers check ownership).
    async fn get_application(&self, id: ApplicationId) -> StoreResult<Application>;
    /// Sent applications (any status but a draft) of the given services, newest change
    /// first: an agency's queue.
    async fn list_applications_for_services(&self, services: &[String]) -> StoreResult<Vec<Application>>;
    /// Applications waiting for a decision (Создано, На проверке) whose expected date is
    /// before `today` and whose applicant has not yet been told of the delay.
    async fn list_overdue_unnoticed(&self, today: time::Date) -> StoreResult<Vec<Application>>;
    /// Records that the delay was announced, with the effects (the notification), once:
    /// `false` when it already was.
    async fn update_overdue_noticed(&self, id: ApplicationId, at: OffsetDateTime, fx: &Effects) -> StoreResult<bool>;
    /// A user's applications, newest change first.
    async fn list_applications_for_user(&self, user: UserId) -> StoreResult<Vec<Application>>;
    /// Saves the values typed, only while the status allows editing (else `Conflict`), with
    /// `fx` in the same transaction.
    async fn update_application_data(
        &self,
        id: ApplicationId,
        data: &BTreeMap<String, String>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Changes the status if it is still `change.from` (else `Conflict`), records the journal
    /// entry, sets what the change sets (number, consent, deadline, assignee, the applicant's
    /// registration) and the effects, all in one transaction.
    async fn update_application_status(
        &self,
        id: ApplicationId,
        change: &StatusChange,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// The next number of `year` (1, 2, 3… without gaps between committed ones).
    async fn next_application_number(&self, year: i32) -> StoreResult<i64>;
    /// The journal, oldest first.
    async fn list_application_events(&self, id: ApplicationId) -> StoreResult<Vec<ApplicationEvent>>;
    /// Records a stored file (the caller puts the content in the file store first); `Conflict`
    /// when the application is unknown or can no longer be changed.
    async fn insert_attachment(&self, a: &Attachment, fx: &Effects) -> StoreResult<()>;
    /// Stores a contact confirmation, replacing the one of the same application and channel
    /// only if it is still `expected` (as read; `None`: there was none), so parallel code
    /// guesses or sends cannot each spend the same try. Otherwise `Conflict` and nothing is
    /// written. The effects (the message to send) go in the same transaction.
    async fn upsert_contact_confirmation(
        &self,
        c: &ContactConfirmation,
        expected: Option<&ContactConfirmation>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// An application's confirmations (phone, e-mail).
    async fn list_contact_confirmations(&self, id: ApplicationId) -> StoreResult<Vec<ContactConfirmation>>;
    /// Adds `new` as the next version of attachment `old` of `application` (which must be
    /// current: `NotFound` otherwise), keeping `old` as an earlier version; `Conflict` when the
    /// application can no longer change.
    async fn replace_attachment(
        &self,
        application: ApplicationId,
        old: uuid::Uuid,
        new: &Attachment,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Removes a file row of an application at `at`, with its earlier versions (the content
    /// stays in the file store until the orphan sweep): `NotFound` when there is no such
    /// current row, `Conflict` when the application can no longer be changed.
    async fn delete_attachment(
        &self,
        application: ApplicationId,
        id: uuid::Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// An application's thread (the mail of its conversation), oldest first, each numbered by
    /// its place in it from 1.
    async fn list_messages(&self, id: ApplicationId) -> StoreResult<Vec<Message>>;
    /// Whether any attachment, message or issued document points to the stored file `sha256`.
    async fn file_referenced(&self, sha256: &str) -> StoreResult<bool>;
    /// An application's files (current versions), oldest first.
    async fn list_attachments(&self, id: ApplicationId) -> StoreResult<Vec<Attachment>>;
    /// The files attached to all of `user`'s applications, earlier versions too, oldest first
    /// (one read for «Мои документы», not one per application).
    async fn list_attachments_of_user(&self, user: UserId) -> StoreResult<Vec<Attachment>>;
    /// The newest `limit` current files (not replaced) of all of `user`'s applications, newest
    /// first: the cabinet's documents block, which links to the rest.
    async fn list_recent_attachments_of_user(&self, user: UserId, limit: u32) -> StoreResult<Vec<Attachment>>;
    /// The messages with a file in the threads of all of `user`'s applications, oldest first.
    async fn list_message_files_of_user(&self, user: UserId) -> StoreResult<Vec<Message>>;
}

//! Storage ports: small traits per aggregate, implemented once per backend.
//!
//! Method verbs: `get_*` fails with [`StoreError::NotFound`], `find_*` returns an `Option`,
//! `list_*` a `Vec`, `insert_*`/`update_*`/`delete_*` change data. Every method that changes
//! data takes [`Effects`]: the audit records and jobs that must be stored in the same
//! transaction as the change, so there is never a change without its journal entry or a
//! promised notification lost in a crash.

use crate::StoreError;
use crate::audit::{AuditEvent, ChainReport, NewAuditEvent};
use crate::ids::UserId;
use crate::job::{Job, NewJob};
use crate::session::{LoginRequest, RelinkRequest, Session, SessionHash, SessionPolicy};
use crate::user::{ExternalIdentity, Profile, User};
use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

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

/// A new user to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Id chosen by the caller (UUIDv7).
    pub id: UserId,
    /// Role.
    pub role: crate::user::Role,
    /// Personal data.
    pub profile: Profile,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// Users, profiles and their links to identity-provider accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user, optionally already linked to a provider account.
    async fn insert_user(&self, user: &NewUser, link: Option<&ExternalIdentity>, fx: &Effects) -> StoreResult<()>;
    /// The user, or `NotFound`.
    async fn get_user(&self, id: UserId) -> StoreResult<User>;
    /// The user linked to `subject` at `provider`.
    async fn find_user_by_identity(&self, provider: &str, subject: &str) -> StoreResult<Option<User>>;
    /// Replaces the profile.
    async fn update_profile(&self, id: UserId, profile: &Profile, at: OffsetDateTime, fx: &Effects) -> StoreResult<()>;
    /// Records acceptance of the terms of use.
    async fn update_terms_accepted(
        &self,
        id: UserId,
        version: &str,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Links (or re-links) a provider account to a user; one account links to one user.
    async fn insert_identity(&self, link: &ExternalIdentity, fx: &Effects) -> StoreResult<()>;
    /// The provider accounts linked to a user.
    async fn list_identities(&self, id: UserId) -> StoreResult<Vec<ExternalIdentity>>;
    /// The pending (or last) change of a contact of the user's profile.
    async fn find_contact_change(&self, user: UserId, channel: &str)
    -> StoreResult<Option<crate::user::ContactChange>>;
    /// Stores a contact change only if the stored one is still `expected` (as read; `None`:
    /// there was none), else `Conflict` and nothing is written; with `profile`, the profile is
    /// replaced in the same transaction (the confirmation and the new contact land together).
    async fn upsert_contact_change(
        &self,
        c: &crate::user::ContactChange,
        expected: Option<&crate::user::ContactChange>,
        profile: Option<&Profile>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Replaces the user's settings.
    async fn update_user_settings(
        &self,
        id: UserId,
        settings: &crate::settings::Settings,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Sets (or clears) the agency a staff member works for.
    async fn update_user_agency(&self, id: UserId, agency: Option<&str>, fx: &Effects) -> StoreResult<()>;
}

/// Notifications in the cabinet.
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// A user's newest notifications, newest first.
    async fn list_notices(&self, user: UserId, limit: u32) -> StoreResult<Vec<crate::notice::Notice>>;
    /// Marks a user's notifications up to `up_to` (id) read; returns how many changed.
    async fn update_notices_read(&self, user: UserId, up_to: i64, at: OffsetDateTime) -> StoreResult<u64>;
}

/// Server-side sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session.
    async fn insert_session(&self, session: &Session, fx: &Effects) -> StoreResult<()>;
    /// The session with this token hash (ended ones too: the caller decides).
    async fn find_session(&self, hash: &SessionHash) -> StoreResult<Option<Session>>;
    /// Marks activity.
    async fn update_session_seen(&self, hash: &SessionHash, at: OffsetDateTime) -> StoreResult<()>;
    /// Ends a session; `false` if it was unknown or already ended.
    async fn update_session_ended(
        &self,
        hash: &SessionHash,
        at: OffsetDateTime,
        reason: &str,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Sessions of a user not ended and not expired under `policy`, newest first.
    async fn list_active_sessions(
        &self,
        user: UserId,
        now: OffsetDateTime,
        policy: SessionPolicy,
    ) -> StoreResult<Vec<Session>>;
    /// Removes sessions that ended or started before `before`; returns how many.
    async fn delete_sessions_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// Logins in progress at the identity provider.
#[async_trait]
pub trait LoginRequestStore: Send + Sync {
    /// Stores a login request.
    async fn insert_login_request(&self, r: &LoginRequest) -> StoreResult<()>;
    /// Marks the request used and returns it as it was; `None` when unknown. A request comes
    /// back with `used_at` set when it was already used (a replayed callback).
    async fn take_login_request(&self, hash: &SessionHash, at: OffsetDateTime) -> StoreResult<Option<LoginRequest>>;
    /// Removes requests that expired before `before`.
    async fn delete_login_requests_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// Pending re-links (SPEC L5).
#[async_trait]
pub trait RelinkStore: Send + Sync {
    /// Stores a re-link request.
    async fn insert_relink(&self, r: &RelinkRequest, fx: &Effects) -> StoreResult<()>;
    /// A re-link request by hash.
    async fn find_relink(&self, hash: &SessionHash) -> StoreResult<Option<RelinkRequest>>;
    /// Stores the sent code, tries, data and completion, only if the request is not completed
    /// and its code is still `expected` (as read): otherwise `Conflict`, so parallel guesses
    /// cannot share a try nor complete twice. The effects (the message to send, the journal
    /// record) go in the same transaction.
    async fn update_relink(
        &self,
        r: &RelinkRequest,
        expected: Option<&crate::otp::CodeState>,
        fx: &Effects,
    ) -> StoreResult<()>;
}

/// Applications and their journal (SPEC A2, R7, R8).
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// Stores a new application (a draft), with its first journal entry.
    async fn insert_application(&self, a: &crate::application::record::Application, fx: &Effects) -> StoreResult<()>;
    /// An application by id, whoever owns it (callers check ownership).
    async fn get_application(
        &self,
        id: crate::application::record::ApplicationId,
    ) -> StoreResult<crate::application::record::Application>;
    /// Sent applications (any status but a draft) of the given services, newest change
    /// first: an agency's queue.
    async fn list_applications_for_services(
        &self,
        services: &[String],
    ) -> StoreResult<Vec<crate::application::record::Application>>;
    /// Applications waiting for a decision (Создано, На проверке) whose expected date is
    /// before `today` and whose applicant has not yet been told of the delay.
    async fn list_overdue_unnoticed(
        &self,
        today: time::Date,
    ) -> StoreResult<Vec<crate::application::record::Application>>;
    /// Records that the delay was announced, with the effects (the notification), once:
    /// `false` when it already was.
    async fn update_overdue_noticed(
        &self,
        id: crate::application::record::ApplicationId,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// A user's applications, newest change first.
    async fn list_applications_for_user(
        &self,
        user: UserId,
    ) -> StoreResult<Vec<crate::application::record::Application>>;
    /// Saves the values typed, only while the status allows editing (else `Conflict`).
    async fn update_application_data(
        &self,
        id: crate::application::record::ApplicationId,
        data: &std::collections::BTreeMap<String, String>,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Changes the status if it is still `change.from` (else `Conflict`), records the journal
    /// entry, sets what the change sets (number, consent, deadline, assignee, the applicant's
    /// registration) and the effects, all in one transaction.
    async fn update_application_status(
        &self,
        id: crate::application::record::ApplicationId,
        change: &crate::application::record::StatusChange,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// The next number of `year` (1, 2, 3… without gaps between committed ones).
    async fn next_application_number(&self, year: i32) -> StoreResult<i64>;
    /// The journal, oldest first.
    async fn list_application_events(
        &self,
        id: crate::application::record::ApplicationId,
    ) -> StoreResult<Vec<crate::application::record::ApplicationEvent>>;
    /// Records a stored file (the caller puts the content in the file store first); `Conflict`
    /// when the application is unknown or can no longer be changed.
    async fn insert_attachment(&self, a: &crate::application::record::Attachment, fx: &Effects) -> StoreResult<()>;
    /// Stores a contact confirmation, replacing the one of the same application and channel
    /// only if it is still `expected` (as read; `None`: there was none), so parallel code
    /// guesses or sends cannot each spend the same try. Otherwise `Conflict` and nothing is
    /// written. The effects (the message to send) go in the same transaction.
    async fn upsert_contact_confirmation(
        &self,
        c: &crate::application::record::ContactConfirmation,
        expected: Option<&crate::application::record::ContactConfirmation>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// An application's confirmations (phone, e-mail).
    async fn list_contact_confirmations(
        &self,
        id: crate::application::record::ApplicationId,
    ) -> StoreResult<Vec<crate::application::record::ContactConfirmation>>;
    /// Removes a file row of an application at `at` (the content stays in the file store until
    /// the orphan sweep): `NotFound` when there is no such row, `Conflict` when the application
    /// can no longer be changed.
    async fn delete_attachment(
        &self,
        application: crate::application::record::ApplicationId,
        id: uuid::Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Adds a message to an application's thread; returns its id.
    async fn insert_message(&self, m: &crate::application::record::Message, fx: &Effects) -> StoreResult<i64>;
    /// An application's thread, oldest first.
    async fn list_messages(
        &self,
        id: crate::application::record::ApplicationId,
    ) -> StoreResult<Vec<crate::application::record::Message>>;
    /// Whether any attachment or message row points to the stored file `sha256`.
    async fn file_referenced(&self, sha256: &str) -> StoreResult<bool>;
    /// An application's files, oldest first.
    async fn list_attachments(
        &self,
        id: crate::application::record::ApplicationId,
    ) -> StoreResult<Vec<crate::application::record::Attachment>>;
}

/// The append-only audit journal.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one record on its own (changes append theirs through [`Effects`]).
    async fn insert_audit(&self, event: &NewAuditEvent) -> StoreResult<AuditEvent>;
    /// Records where the user is actor or subject, newest first, before `before_seq` if given.
    async fn list_audit_for_user(
        &self,
        user: UserId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// Records after `after_seq` in order, for verification and export.
    async fn list_audit(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEvent>>;
    /// Verifies the whole chain.
    async fn verify_audit_chain(&self) -> StoreResult<ChainReport> {
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = self.list_audit(after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            all.extend(page);
        }
        Ok(crate::audit::verify_chain(&all))
    }
}

/// The job queue / outbox.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Enqueues one job on its own; returns its id.
    async fn insert_job(&self, job: &NewJob) -> StoreResult<i64>;
    /// Claims up to `limit` due jobs of `queue` for `worker` until `now + lease`. Two
    /// workers never hold the same job at once.
    async fn claim_jobs(
        &self,
        queue: &str,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Job>>;
    /// Marks a claimed job done.
    async fn update_job_done(&self, id: i64, at: OffsetDateTime) -> StoreResult<()>;
    /// Records a failure: the job retries at `retry_at`, or becomes dead once it has used
    /// all its attempts. Returns the new state's job.
    async fn update_job_failed(&self, id: i64, error: &str, retry_at: OffsetDateTime) -> StoreResult<Job>;
    /// A job by id.
    async fn get_job(&self, id: i64) -> StoreResult<Job>;
    /// Dead letters of a queue.
    async fn list_dead_jobs(&self, queue: &str, limit: u32) -> StoreResult<Vec<Job>>;
    /// The newest jobs of a queue, whatever their state.
    async fn list_jobs(&self, queue: &str, limit: u32) -> StoreResult<Vec<Job>>;
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
        + Health
{
}

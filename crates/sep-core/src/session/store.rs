//! Storage of sessions and of the requests that lead to one: the [`SessionStore`],
//! [`LoginRequestStore`] and [`RelinkStore`] ports.

use super::{LoginRequest, RelinkRequest, Session, SessionHash, SessionPolicy};
use crate::ids::UserId;
use crate::otp::CodeState;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;

/// Server-side sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session.
    async fn insert_session(&self, session: &Session, fx: &Effects) -> StoreResult<()>;
    /// The session with this token hash (ended ones too: the caller decides).
    async fn find_session(&self, hash: &SessionHash) -> StoreResult<Option<Session>>;
    /// The session with this token hash and its user, read at once (every signed-in request
    /// needs both).
    async fn find_session_and_user(&self, hash: &SessionHash) -> StoreResult<Option<(Session, crate::user::User)>>;
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
    async fn update_relink(&self, r: &RelinkRequest, expected: Option<&CodeState>, fx: &Effects) -> StoreResult<()>;
}

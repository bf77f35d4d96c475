//! Storage of notifications: the [`NoticeStore`] port.

use super::Notice;
use crate::ids::UserId;
use crate::store::StoreResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Notifications in the cabinet.
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// A user's newest notifications, newest first.
    async fn list_notices(&self, user: UserId, limit: u32) -> StoreResult<Vec<Notice>>;
    /// Marks a user's notifications up to `up_to` (id) read; returns how many changed.
    async fn update_notices_read(&self, user: UserId, up_to: i64, at: OffsetDateTime) -> StoreResult<u64>;
}

//! Storage of the registry of e-passports: the [`PassportStore`] port.

use super::record::{Passport, StatusEntry};
use crate::application::record::ApplicationId;
use crate::ids::UserId;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use uuid::Uuid;

/// The registry of e-passports.
#[async_trait]
pub trait PassportStore: Send + Sync {
    /// The next e-passport number of `year` (1, 2, …).
    async fn next_passport_number(&self, year: i32) -> StoreResult<i64>;
    /// Files a new record with its first history line; the holder's valid record, if any, is
    /// annulled with `annul` (its history line) — one transaction. `false` (nothing written)
    /// when the application already has a record.
    async fn issue_passport(
        &self,
        p: &Passport,
        first: &StatusEntry,
        annul: Option<&StatusEntry>,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// A record by id.
    async fn find_passport(&self, id: Uuid) -> StoreResult<Option<Passport>>;
    /// A record by its number.
    async fn find_passport_by_number(&self, number: &str) -> StoreResult<Option<Passport>>;
    /// The record an application made.
    async fn find_passport_by_application(&self, app: ApplicationId) -> StoreResult<Option<Passport>>;
    /// A person's records, newest first.
    async fn list_passports_of_user(&self, user: UserId) -> StoreResult<Vec<Passport>>;
    /// A record's history, oldest first.
    async fn passport_history(&self, id: Uuid) -> StoreResult<Vec<StatusEntry>>;
    /// Annuls the record of `entry` if it is valid; `false` (nothing written) when it was not.
    async fn annul_passport(&self, entry: &StatusEntry, fx: &Effects) -> StoreResult<bool>;
    /// When record `id` was last checked against МВД's register at its holder's login.
    async fn passport_checked_at(&self, id: Uuid) -> StoreResult<Option<time::OffsetDateTime>>;
    /// Marks record `id` checked at `at` with `fx`, unless it was checked at `since` or later
    /// (a concurrent login did it): whether it was marked.
    async fn mark_passport_checked(
        &self,
        id: Uuid,
        since: time::OffsetDateTime,
        at: time::OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// The ids of every annulled record, for the annulment list.
    async fn list_annulled_passports(&self) -> StoreResult<Vec<Uuid>>;
}

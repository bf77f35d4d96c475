//! Storage of users: the [`UserStore`] port and the [`NewUser`] it inserts.

use super::org::Membership;
use super::{ContactChange, ExternalIdentity, Profile, Role, User};
use crate::ids::UserId;
use crate::settings::Settings;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;

/// A new user to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Id chosen by the caller (UUIDv7).
    pub id: UserId,
    /// Role.
    pub role: Role,
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
    /// The people with СНИЛС `snils` (11 digits), first registered first, at most `limit`.
    async fn list_users_by_snils(&self, snils: &str, limit: i64) -> StoreResult<Vec<User>>;
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
    async fn find_contact_change(&self, user: UserId, channel: &str) -> StoreResult<Option<ContactChange>>;
    /// Stores a contact change only if the stored one is still `expected` (as read; `None`:
    /// there was none), else `Conflict` and nothing is written; with `profile`, the profile is
    /// replaced in the same transaction (the confirmation and the new contact land together).
    async fn upsert_contact_change(
        &self,
        c: &ContactChange,
        expected: Option<&ContactChange>,
        profile: Option<&Profile>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Replaces the user's settings.
    async fn update_user_settings(&self, id: UserId, settings: &Settings, fx: &Effects) -> StoreResult<()>;
    /// Sets (or clears) the agency a staff member works for.
    async fn update_user_agency(&self, id: UserId, agency: Option<&str>, fx: &Effects) -> StoreResult<()>;
    /// Replaces the organisations the user works for with `orgs` (as Госуслуги said at
    /// `at`), in one transaction.
    async fn replace_user_orgs(&self, id: UserId, orgs: &[Membership], at: OffsetDateTime) -> StoreResult<()>;
    /// The organisations the user works for, by short name.
    async fn list_user_orgs(&self, id: UserId) -> StoreResult<Vec<Membership>>;
}

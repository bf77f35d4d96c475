//! Storage of personal access tokens: the [`IntegrationStore`] port.

use super::idempotency::{Answer, Claim};
use super::tokens::PersonalToken;
use crate::ids::UserId;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Personal access tokens, kept by the hash of their secret.
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    /// Stores a new token.
    async fn insert_api_token(&self, t: &PersonalToken, fx: &Effects) -> StoreResult<()>;
    /// A person's tokens, newest first (revoked and expired ones too).
    async fn list_api_tokens(&self, user: UserId) -> StoreResult<Vec<PersonalToken>>;
    /// The token whose secret hashes to `hash`.
    async fn find_api_token(&self, hash: &str) -> StoreResult<Option<PersonalToken>>;
    /// Notes a use of token `id` at `at`.
    async fn update_api_token_used(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()>;
    /// Revokes `user`'s token `id` at `at`; `false` when it is not theirs or already revoked.
    async fn update_api_token_revoked(
        &self,
        user: UserId,
        id: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Claims an idempotency key; `false` when the caller already holds it.
    async fn insert_api_idempotency(&self, c: &Claim) -> StoreResult<bool>;
    /// The claim of `owner`'s `key`.
    async fn get_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<Option<Claim>>;
    /// Keeps the answer of `owner`'s claimed `key`.
    async fn update_api_idempotency_answer(&self, owner: &str, key: &str, a: &Answer) -> StoreResult<()>;
    /// Frees `owner`'s `key` (expired, or its write failed on the server's side).
    async fn delete_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<()>;
}

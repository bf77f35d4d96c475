//! Storage of personal access tokens: the [`IntegrationStore`] port.

use super::client::Client;
use super::delegation::{Grant, Ticket};
use super::idempotency::{Answer, Claim};
use super::oauth::AccessToken;
use super::operation::Operation;
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
    /// Frees `owner`'s `key` (its write was refused).
    async fn delete_api_idempotency(&self, owner: &str, key: &str) -> StoreResult<()>;
    /// Frees `owner`'s `key` if it is still the claim made at `created_at` (an expired one: a
    /// claim made anew meanwhile stays).
    async fn delete_api_idempotency_claimed_at(
        &self,
        owner: &str,
        key: &str,
        created_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Removes every claim made before `before`; how many.
    async fn delete_api_idempotency_before(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// Registered clients and the access tokens issued to them.
#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Stores a registered client.
    async fn insert_api_client(&self, c: &Client, fx: &Effects) -> StoreResult<()>;
    /// Client `id` (`NotFound` when there is none).
    async fn get_api_client(&self, id: &str) -> StoreResult<Client>;
    /// The clients `owner` registered, oldest first.
    async fn list_api_clients(&self, owner: UserId) -> StoreResult<Vec<Client>>;
    /// Every client approved (live) and not disabled, oldest first: those a broadcast event
    /// (an e-passport's annulment) may reach.
    async fn list_live_api_clients(&self) -> StoreResult<Vec<Client>>;
    /// Writes a client's mode, the person it acts for and its disabling.
    async fn update_api_client(&self, c: &Client, fx: &Effects) -> StoreResult<()>;
    /// Stores an access token issued to a client.
    async fn insert_api_access_token(&self, t: &AccessToken, fx: &Effects) -> StoreResult<()>;
    /// The access token whose secret hashes to `hash`.
    async fn find_api_access_token(&self, hash: &str) -> StoreResult<Option<AccessToken>>;
    /// Revokes access token `id` at `at`.
    async fn update_api_access_token_revoked(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<()>;
    /// Stores a person's grant (new, or widened) with the code given for it.
    async fn save_api_grant(&self, g: &Grant, code: &Ticket, fx: &Effects) -> StoreResult<()>;
    /// A person's grants, newest first (withdrawn ones too).
    async fn list_api_grants(&self, user: UserId) -> StoreResult<Vec<Grant>>;
    /// Grant `id` (`NotFound` when there is none).
    async fn get_api_grant(&self, id: Uuid) -> StoreResult<Grant>;
    /// Withdraws `user`'s grant `id`; `false` when it is not theirs or already withdrawn.
    async fn update_api_grant_revoked(
        &self,
        user: UserId,
        id: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// Stores a refresh token.
    async fn insert_api_ticket(&self, t: &Ticket) -> StoreResult<()>;
    /// Takes the ticket of `kind` hashing to `hash`: it is gone for whoever asks next.
    async fn take_api_ticket(&self, hash: &str, kind: &str) -> StoreResult<Option<Ticket>>;
}

/// Asynchronous operations.
#[async_trait]
pub trait OperationStore: Send + Sync {
    /// Stores a new operation; `false` when its owner has one with its key already.
    async fn insert_api_operation(&self, op: &Operation, fx: &Effects) -> StoreResult<bool>;
    /// Operation `id`.
    async fn find_api_operation(&self, id: Uuid) -> StoreResult<Option<Operation>>;
    /// `owner`'s operation with `key`.
    async fn find_api_operation_by_key(&self, owner: &str, key: &str) -> StoreResult<Option<Operation>>;
    /// Writes an operation's state, progress and result.
    async fn update_api_operation(&self, op: &Operation, fx: &Effects) -> StoreResult<()>;
}

//! Storage of certificates, signings and signatures: the [`SigningStore`] port.

use super::{Credential, SignRequest, Signature};
use crate::ids::UserId;
use crate::otp::CodeState;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Certificates with sealed keys, pending signings and signatures.
#[async_trait]
pub trait SigningStore: Send + Sync {
    /// Stores a new credential; `Conflict` when the person already has an unrevoked one.
    async fn insert_credential(&self, c: &Credential, fx: &Effects) -> StoreResult<()>;
    /// Every credential of a person, newest first.
    async fn list_credentials(&self, user: UserId) -> StoreResult<Vec<Credential>>;
    /// Marks a credential revoked at `at`; `false` when it already was.
    async fn update_credential_revoked(&self, id: Uuid, at: OffsetDateTime, fx: &Effects) -> StoreResult<bool>;
    /// Stores a pending signing.
    async fn insert_sign_request(&self, r: &SignRequest, fx: &Effects) -> StoreResult<()>;
    /// A pending (or finished) signing.
    async fn get_sign_request(&self, id: Uuid) -> StoreResult<SignRequest>;
    /// How many signings the person asked for since `since` (the SMS limit).
    async fn count_sign_requests_since(&self, user: UserId, since: OffsetDateTime) -> StoreResult<u32>;
    /// Stores the request's new code state — and, when the code released it, the signature —
    /// if its code is still `expected`; `Conflict` otherwise and nothing is written, so one
    /// code releases one signature however many presses race.
    async fn update_sign_request(
        &self,
        r: &SignRequest,
        expected: &CodeState,
        signature: Option<(&Signature, &[u8])>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// Stores a signature made elsewhere, with its bytes.
    async fn insert_signature(&self, s: &Signature, der: &[u8], fx: &Effects) -> StoreResult<()>;
    /// Every signature of a person's documents, oldest first.
    async fn list_signatures_of_user(&self, user: UserId) -> StoreResult<Vec<Signature>>;
    /// A signature with its bytes (DER).
    async fn get_signature(&self, id: Uuid) -> StoreResult<(Signature, Vec<u8>)>;
}

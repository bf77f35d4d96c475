//! Storage port of the OpenID Connect provider.

use super::model::{AuthCode, AuthRequest, OidcClient, Token};
use crate::account::Oid;
use crate::store::StoreResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Keys, clients, requests, consents, codes, tokens.
#[async_trait]
pub trait OidcStore: Send + Sync {
    /// The current signing key (`kid`, hex private key), if one was made.
    async fn find_signing_key(&self) -> StoreResult<Option<(String, String)>>;
    /// Stores a signing key.
    async fn insert_signing_key(&self, kid: &str, private_hex: &str, at: OffsetDateTime) -> StoreResult<()>;
    /// Registers a client (or replaces it, keeping the id).
    async fn upsert_client(&self, c: &OidcClient, at: OffsetDateTime) -> StoreResult<()>;
    /// A client by id.
    async fn find_client(&self, id: &str) -> StoreResult<Option<OidcClient>>;
    /// Stores an authorisation request.
    async fn insert_auth_request(&self, r: &AuthRequest) -> StoreResult<()>;
    /// An authorisation request by hash.
    async fn find_auth_request(&self, hash: &str) -> StoreResult<Option<AuthRequest>>;
    /// Marks a request answered; `false` if it already was.
    async fn update_auth_request_used(&self, hash: &str, at: OffsetDateTime) -> StoreResult<bool>;
    /// The scopes the person already granted to the client.
    async fn find_consent(&self, oid: Oid, client_id: &str) -> StoreResult<Option<Vec<String>>>;
    /// Remembers a grant.
    async fn upsert_consent(&self, oid: Oid, client_id: &str, scopes: &[String], at: OffsetDateTime)
    -> StoreResult<()>;
    /// Stores a code.
    async fn insert_code(&self, c: &AuthCode) -> StoreResult<()>;
    /// Marks a code used and returns it as it was before; `None` when unknown.
    async fn take_code(&self, hash: &str, at: OffsetDateTime) -> StoreResult<Option<AuthCode>>;
    /// Stores tokens.
    async fn insert_tokens(&self, tokens: &[Token]) -> StoreResult<()>;
    /// A token by hash.
    async fn find_token(&self, hash: &str) -> StoreResult<Option<Token>>;
    /// Marks a refresh token rotated; `false` if it already was (reuse).
    async fn update_token_used(&self, hash: &str, at: OffsetDateTime) -> StoreResult<bool>;
    /// Revokes every token issued from a code.
    async fn revoke_tokens_of_code(&self, code_hash: &str, at: OffsetDateTime) -> StoreResult<u64>;
    /// Revokes every token of a refresh family.
    async fn revoke_family(&self, family: &str, at: OffsetDateTime) -> StoreResult<u64>;
    /// Revokes every token that came from an emulator session (logout).
    async fn revoke_tokens_of_session(&self, session_hash: &str, at: OffsetDateTime) -> StoreResult<u64>;
    /// Registers (or replaces) the certificate (DER) a client signs ЕСИА requests with, and the
    /// algorithm its tokens are signed with (`GOST3410_2012_256` or `RS256`).
    async fn upsert_esia_client(
        &self,
        client_id: &str,
        certificate: &[u8],
        token_alg: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The certificate and token algorithm registered for a client's ЕСИА requests.
    async fn find_esia_client(&self, client_id: &str) -> StoreResult<Option<(Vec<u8>, String)>>;
    /// Records a `state` as used by a client; `false` when it already was.
    async fn use_esia_state(&self, client_id: &str, state: &str, at: OffsetDateTime) -> StoreResult<bool>;
    /// The emulator's token key of `alg` (PKCS#8 PEM) and its certificate (DER), if made.
    async fn find_esia_key(&self, alg: &str) -> StoreResult<Option<(String, Vec<u8>)>>;
    /// Stores a token key of `alg`; `false` when one exists already (another start won).
    async fn insert_esia_key(
        &self,
        alg: &str,
        private_pem: &str,
        certificate: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
}

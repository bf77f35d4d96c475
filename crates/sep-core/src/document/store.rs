//! Storage of issued documents: the [`DocumentStore`] port.

use super::issued::IssuedDocument;
use crate::application::record::ApplicationId;
use crate::ids::UserId;
use crate::signing::Signature;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;

/// Documents the system issued, each with its signature.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// The next document number of `year` (1, 2, …; no gaps unless a write fails).
    async fn next_document_number(&self, year: i32) -> StoreResult<i64>;
    /// Stores an issued document with the system's signature of it (and its bytes).
    async fn insert_issued_document(
        &self,
        d: &IssuedDocument,
        signature: &Signature,
        der: &[u8],
        fx: &Effects,
    ) -> StoreResult<()>;
    /// The documents issued to a person, oldest first.
    async fn list_issued_documents_of_user(&self, user: UserId) -> StoreResult<Vec<IssuedDocument>>;
    /// The documents issued on an application, oldest first.
    async fn list_issued_documents(&self, application: ApplicationId) -> StoreResult<Vec<IssuedDocument>>;
    /// The document with this number.
    async fn find_issued_document(&self, number: &str) -> StoreResult<Option<IssuedDocument>>;
    /// Marks an issued document annulled at `at`; `false` when it already was (nothing written).
    async fn update_issued_document_annulled(
        &self,
        id: uuid::Uuid,
        at: time::OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool>;
}

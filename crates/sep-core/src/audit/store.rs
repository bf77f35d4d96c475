//! Storage of the journal: the [`AuditStore`] port.

use super::{AuditEvent, ChainReport, NewAuditEvent, verify_chain};
use crate::ids::UserId;
use crate::store::StoreResult;
use async_trait::async_trait;

/// The append-only audit journal.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one record on its own (changes append theirs through
    /// [`Effects`](crate::store::Effects)).
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
        Ok(verify_chain(&all))
    }
}

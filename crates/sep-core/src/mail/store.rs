//! Storage of the mailbox: the [`MailStore`] port.

use super::counterparty::Counterparty;
use super::search::Query;
use super::{Conversation, Draft, Filed, Folder, Letter, Party, SearchFilter};
use crate::ids::UserId;
use crate::store::{Effects, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a draft's save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftSaved {
    /// Written.
    Saved,
    /// Not written: the author sent it already, as this message.
    Sent(Uuid),
    /// Not written: the id is another's draft (or another mailbox's).
    NotOwn,
}

/// Messages, the mailboxes they are filed in, and the counterparties lists.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// Stores a message with its files, its signatures (their bytes `ders`, in the order of
    /// `letter.signatures`) and its search terms, files it in the sender's mailbox (read) and
    /// the recipient's (unread), and marks the author's `draft` sent (it must be there and not
    /// sent yet) — one transaction; `Conflict` when a message with its id exists or the draft
    /// was sent already.
    async fn insert_letter(
        &self,
        letter: &Letter,
        ders: &[Vec<u8>],
        draft: Option<Uuid>,
        fx: &Effects,
    ) -> StoreResult<()>;
    /// The oldest `limit` messages of the earlier thread table (from before application
    /// threads were mail), with that table's ids.
    async fn list_legacy_messages(&self, limit: i64) -> StoreResult<Vec<crate::application::record::Message>>;
    /// Files `letter`, made from legacy message `legacy`, as [`MailStore::insert_letter`] does,
    /// removes the legacy row and renames the signatures of its file from `m:<application>:<legacy>`
    /// to its place in the thread — one transaction.
    async fn absorb_legacy_message(&self, legacy: i64, letter: &Letter) -> StoreResult<()>;
    /// The bytes (DER) of the signature of `part` of message `letter`.
    async fn get_mail_signature(&self, letter: Uuid, part: u32) -> StoreResult<Option<Vec<u8>>>;
    /// Creates or replaces draft `d` — only its author's, in its mailbox, not yet sent; when
    /// nothing was written, says why.
    async fn upsert_draft(&self, d: &Draft, fx: &Effects) -> StoreResult<DraftSaved>;
    /// Draft `id` of `author` in `mailbox` (not one sent).
    async fn find_draft(&self, mailbox: &Party, author: UserId, id: Uuid) -> StoreResult<Option<Draft>>;
    /// The drafts of `author` in `mailbox`, last saved first.
    async fn list_drafts(&self, mailbox: &Party, author: UserId) -> StoreResult<Vec<Draft>>;
    /// Removes draft `id` of `author` in `mailbox`; `false` when there was none.
    async fn delete_draft(&self, mailbox: &Party, author: UserId, id: Uuid, fx: &Effects) -> StoreResult<bool>;
    /// The conversations of `mailbox` in `folder`, newest first, at most `limit`.
    async fn list_conversations(&self, mailbox: &Party, folder: Folder, limit: i64) -> StoreResult<Vec<Conversation>>;
    /// The messages of a conversation `mailbox` holds, oldest first; empty when it holds none.
    async fn list_conversation(&self, mailbox: &Party, conversation: Uuid) -> StoreResult<Vec<Filed>>;
    /// A message as `mailbox` holds it.
    async fn find_filed(&self, mailbox: &Party, letter: Uuid) -> StoreResult<Option<Filed>>;
    /// Marks what `mailbox` received in a conversation as opened, and each message's first
    /// opening (the read receipt) at `at`; how many were unread.
    async fn mark_conversation_read(
        &self,
        mailbox: &Party,
        conversation: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<u64>;
    /// Moves a conversation of `mailbox` to «Архив» or back; `false` when it holds none of it.
    async fn update_conversation_archived(
        &self,
        mailbox: &Party,
        conversation: Uuid,
        archived: bool,
        fx: &Effects,
    ) -> StoreResult<bool>;
    /// The messages of `mailbox` matching `query` and `filter`, newest filed first (the index's
    /// own order, so the newest are found without sorting every match), at most `limit` (their
    /// files not read).
    async fn search_letters(
        &self,
        mailbox: &Party,
        query: &Query,
        filter: &SearchFilter,
        limit: i64,
    ) -> StoreResult<Vec<Filed>>;
    /// Received, not opened and not archived in `mailbox`, counted up to `cap` (a badge says
    /// «99+» rather than read a large mailbox's every unread row).
    async fn count_unread(&self, mailbox: &Party, cap: i64) -> StoreResult<i64>;
    /// Messages `author` wrote since `since` (the sending limit).
    async fn count_letters_since(&self, author: UserId, since: OffsetDateTime) -> StoreResult<i64>;
    /// Adds to a person's list; `Conflict` when this ИНН is there already.
    async fn insert_counterparty(&self, c: &Counterparty, fx: &Effects) -> StoreResult<()>;
    /// A person's list, by name.
    async fn list_counterparties(&self, user: UserId) -> StoreResult<Vec<Counterparty>>;
    /// Removes from a person's list; `false` when it was not there.
    async fn delete_counterparty(&self, user: UserId, inn: &str, fx: &Effects) -> StoreResult<bool>;
}

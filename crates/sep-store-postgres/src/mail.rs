//! [`MailStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::mail::counterparty::Counterparty;
use sep_core::mail::search::Query;
use sep_core::mail::store::{DraftSaved, MailStore};
use sep_core::mail::{Conversation, Draft, Filed, Folder, Letter, MailFile, MailSignature, Party, SearchFilter};
use sep_core::signature::Certificate;
use sep_core::signing::Source;
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

const COLUMNS: &str = "l.id, l.conversation_id, l.from_kind, l.from_key, l.from_name, l.to_kind, l.to_key,
    l.to_name, l.author_id, l.subject, l.body, l.sent_at, l.read_at, b.incoming, b.is_read, b.archived, l.application_id";

const FILED: &str = "SELECT l.id, l.conversation_id, l.from_kind, l.from_key, l.from_name, l.to_kind, l.to_key,
    l.to_name, l.author_id, l.subject, l.body, l.sent_at, l.read_at, b.incoming, b.is_read, b.archived, l.application_id
    FROM mail_boxes b JOIN mail_letters l ON l.id = b.letter_id";

fn party(kind: &str, key: &str) -> StoreResult<Party> {
    Party::from_stored(kind, key).ok_or_else(|| bad_code("mail party", kind))
}

fn filed_row(r: &Row) -> StoreResult<Filed> {
    let letter = Letter {
        id: r.get(0),
        conversation: r.get(1),
        from: party(r.get(2), r.get(3))?,
        from_name: r.get(4),
        to: party(r.get(5), r.get(6))?,
        to_name: r.get(7),
        author: UserId(r.get(8)),
        subject: r.get(9),
        text: r.get(10),
        files: vec![],
        sent_at: r.get(11),
        read_at: r.get(12),
        signatures: vec![],
        application: r.get::<_, Option<Uuid>>(16).map(sep_core::application::record::ApplicationId),
    };
    Ok(Filed { letter, incoming: r.get(13), read: r.get(14), archived: r.get(15) })
}

/// Locks a mailbox's conversation row before its letters' marks change: a letter filed meanwhile
/// waits or is seen whole, so the row and the marks it sums cannot part (READ COMMITTED would
/// re-read a waited-for row with the old snapshot).
async fn lock_thread(tx: &deadpool_postgres::Transaction<'_>, mailbox: &Party, conversation: Uuid) -> StoreResult<()> {
    tx.run(
        "SELECT 1 FROM mail_threads WHERE box_kind = $1 AND box_key = $2 AND conversation_id = $3 FOR UPDATE",
        &[&mailbox.kind(), &mailbox.key(), &conversation],
    )
    .await
    .map_err(map_err)?;
    Ok(())
}

const DRAFT: &str = "SELECT id, box_kind, box_key, author_id, to_kind, to_key, to_name, reply_to, subject, body,
    files, updated_at, to_number FROM mail_drafts";

fn draft_row(r: &Row) -> StoreResult<Draft> {
    let to = match (r.get::<_, Option<&str>>(4), r.get::<_, Option<&str>>(5)) {
        (Some(kind), Some(key)) => Some(party(kind, key)?),
        _ => None,
    };
    Ok(Draft {
        id: r.get(0),
        mailbox: party(r.get(1), r.get(2))?,
        author: UserId(r.get(3)),
        to,
        to_name: r.get(6),
        reply_to: r.get(7),
        subject: r.get(8),
        text: r.get(9),
        files: serde_json::from_value(r.get(10)).map_err(|_| bad_code("draft files", "not a list"))?,
        updated_at: r.get(11),
        to_number: r.get(12),
    })
}

impl PgStore {
    /// The files and the signatures of each of `filed`, in order.
    async fn with_files(&self, mut filed: Vec<Filed>) -> StoreResult<Vec<Filed>> {
        if filed.is_empty() {
            return Ok(filed);
        }
        let client = self.client().await?;
        let ids: Vec<Uuid> = filed.iter().map(|f| f.letter.id).collect();
        let rows = client
            .rows(
                "SELECT letter_id, name, content_type, size, sha256 FROM mail_files WHERE letter_id = ANY($1)
                 ORDER BY letter_id, idx",
                &[&ids],
            )
            .await
            .map_err(map_err)?;
        for r in rows {
            let id: Uuid = r.get(0);
            if let Some(f) = filed.iter_mut().find(|f| f.letter.id == id) {
                f.letter.files.push(MailFile {
                    name: r.get(1),
                    content_type: r.get(2),
                    size: r.get(3),
                    sha256: r.get(4),
                });
            }
        }
        let rows = client
            .rows(
                "SELECT letter_id, part, source, hash, signer_subject, signer_issuer, signer_serial, signer_not_before,
                    signer_not_after, signed_at FROM mail_signatures WHERE letter_id = ANY($1) ORDER BY letter_id, part",
                &[&ids],
            )
            .await
            .map_err(map_err)?;
        for r in rows {
            let id: Uuid = r.get(0);
            let source: &str = r.get(2);
            let sig = MailSignature {
                part: u32::try_from(r.get::<_, i32>(1)).map_err(|_| bad_code("signature part", "negative"))?,
                source: Source::from_code(source).ok_or_else(|| bad_code("signature source", source))?,
                hash: r.get(3),
                signer: Certificate {
                    subject: r.get(4),
                    issuer: r.get(5),
                    serial: r.get(6),
                    not_before: r.get(7),
                    not_after: r.get(8),
                },
                signed_at: r.get(9),
            };
            if let Some(f) = filed.iter_mut().find(|f| f.letter.id == id) {
                f.letter.signatures.push(sig);
            }
        }
        Ok(filed)
    }
}

/// Stores letter `l` with its files, signatures and search terms and files it in both
/// mailboxes, removing the sender's `draft`, within `tx`.
async fn file_letter(
    tx: &deadpool_postgres::Transaction<'_>,
    l: &Letter,
    ders: &[Vec<u8>],
    draft: Option<Uuid>,
) -> StoreResult<()> {
    tx.run(
        "INSERT INTO mail_letters (id, conversation_id, from_kind, from_key, from_name, to_kind, to_key,
            to_name, author_id, subject, body, sent_at, read_at, application_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13)",
        &[
            &l.id,
            &l.conversation,
            &l.from.kind(),
            &l.from.key(),
            &l.from_name,
            &l.to.kind(),
            &l.to.key(),
            &l.to_name,
            &l.author.0,
            &l.subject,
            &l.text,
            &l.sent_at,
            &l.application.map(|a| a.0),
        ],
    )
    .await
    .map_err(map_err)?;
    for (i, f) in l.files.iter().enumerate() {
        let idx = i32::try_from(i).unwrap_or(i32::MAX);
        tx.run(
            "INSERT INTO mail_files (letter_id, idx, name, content_type, size, sha256) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&l.id, &idx, &f.name, &f.content_type, &f.size, &f.sha256],
        )
        .await
        .map_err(map_err)?;
    }
    for (sig, der) in l.signatures.iter().zip(ders) {
        let part = i32::try_from(sig.part).unwrap_or(i32::MAX);
        tx.run(
            "INSERT INTO mail_signatures (letter_id, part, source, hash, signer_subject, signer_issuer,
                signer_serial, signer_not_before, signer_not_after, signed_at, der)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &l.id,
                &part,
                &sig.source.code(),
                &sig.hash,
                &sig.signer.subject,
                &sig.signer.issuer,
                &sig.signer.serial,
                &sig.signer.not_before,
                &sig.signer.not_after,
                &sig.signed_at,
                der,
            ],
        )
        .await
        .map_err(map_err)?;
    }
    if let Some(d) = draft {
        // Kept as a tombstone naming the letter: it cannot be saved or sent again.
        let n = tx
            .run(
                "UPDATE mail_drafts SET letter_id = $3, subject = '', body = '', files = '[]'::jsonb, to_number = NULL, to_name = NULL
                 WHERE id = $1 AND author_id = $2 AND letter_id IS NULL",
                &[&d, &l.author.0, &l.id],
            )
            .await
            .map_err(map_err)?;
        if n != 1 {
            return Err(StoreError::Conflict { constraint: "mail_drafts_sent".into() });
        }
    }
    tx.run(
        "INSERT INTO mail_search (letter_id, terms) VALUES ($1, $2)",
        &[&l.id, &sep_core::mail::search::analyse(&l.searchable())],
    )
    .await
    .map_err(map_err)?;
    // Both conversation rows in one order whoever writes, so two answers crossing cannot
    // deadlock.
    let mut sides = [(&l.from, false), (&l.to, true)];
    sides.sort_by_key(|(p, _)| (p.kind(), p.key()));
    for (mailbox, incoming) in sides {
        let with = if incoming { &l.from_name } else { &l.to_name };
        tx.run(
            "INSERT INTO mail_threads (box_kind, box_key, conversation_id, subject, with_name, last_at,
                inbox_at, sent_last_at, archived, total, unread)
             VALUES ($1, $2, $3, $4, $5, $6::timestamptz, CASE WHEN $7::boolean THEN $6::timestamptz END,
                CASE WHEN $7::boolean THEN NULL ELSE $6::timestamptz END, false, 1, CASE WHEN $7::boolean THEN 1 ELSE 0 END)
             ON CONFLICT (box_kind, box_key, conversation_id) DO UPDATE SET
                with_name = CASE WHEN excluded.last_at >= mail_threads.last_at
                    THEN excluded.with_name ELSE mail_threads.with_name END,
                last_at = GREATEST(mail_threads.last_at, excluded.last_at),
                inbox_at = CASE WHEN $7::boolean THEN GREATEST(mail_threads.inbox_at, $6::timestamptz)
                    ELSE mail_threads.inbox_at END,
                sent_last_at = CASE WHEN $7::boolean THEN mail_threads.sent_last_at
                    ELSE GREATEST(mail_threads.sent_last_at, $6::timestamptz) END,
                archived = false, total = mail_threads.total + 1, unread = mail_threads.unread + excluded.unread",
            &[&mailbox.kind(), &mailbox.key(), &l.conversation, &l.subject, with, &l.sent_at, &incoming],
        )
        .await
        .map_err(map_err)?;
        tx.run(
            "INSERT INTO mail_boxes (box_kind, box_key, letter_id, conversation_id, incoming, is_read, archived,
                sent_at)
             VALUES ($1, $2, $3, $4, $5, $6, false, $7)",
            &[&mailbox.kind(), &mailbox.key(), &l.id, &l.conversation, &incoming, &!incoming, &l.sent_at],
        )
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MailStore for PgStore {
    async fn insert_letter(&self, l: &Letter, ders: &[Vec<u8>], draft: Option<Uuid>, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        file_letter(&tx, l, ders, draft).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_legacy_messages(&self, limit: i64) -> StoreResult<Vec<sep_core::application::record::Message>> {
        crate::messages::legacy(self, limit).await
    }

    async fn absorb_legacy_message(&self, legacy: i64, l: &Letter) -> StoreResult<()> {
        let app = l.application.ok_or_else(|| StoreError::Other("a legacy message without its application".into()))?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        file_letter(&tx, l, &[], None).await?;
        let gone = tx.run("DELETE FROM application_messages WHERE id = $1", &[&legacy]).await.map_err(map_err)?;
        if gone != 1 {
            // Moved already by another process: nothing is filed twice.
            return Err(StoreError::Conflict { constraint: "application_messages_moved".into() });
        }
        let place: i64 = tx
            .row(
                // Its place as the thread numbers it: by time, then id.
                "SELECT COUNT(*) FROM mail_letters WHERE application_id = $1
                    AND (sent_at < $2 OR (sent_at = $2 AND id <= $3))",
                &[&app.0, &l.sent_at, &l.id],
            )
            .await
            .map_err(map_err)?
            .get(0);
        tx.run(
            "UPDATE document_signatures SET document = $1 WHERE document = $2",
            &[&format!("m:{}:{place}", app.0), &format!("m:{}:{legacy}", app.0)],
        )
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn get_mail_signature(&self, letter: Uuid, part: u32) -> StoreResult<Option<Vec<u8>>> {
        let part = i32::try_from(part).unwrap_or(i32::MAX);
        let client = self.client().await?;
        let row = client
            .maybe_row("SELECT der FROM mail_signatures WHERE letter_id = $1 AND part = $2", &[&letter, &part])
            .await
            .map_err(map_err)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn upsert_draft(&self, d: &Draft, fx: &Effects) -> StoreResult<DraftSaved> {
        let files = serde_json::to_value(&d.files).map_err(|e| StoreError::Other(e.to_string()))?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "INSERT INTO mail_drafts (id, box_kind, box_key, author_id, to_kind, to_key, to_name, reply_to,
                    subject, body, files, updated_at, to_number)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (id) DO UPDATE SET to_kind = excluded.to_kind, to_key = excluded.to_key,
                    to_name = excluded.to_name, reply_to = excluded.reply_to, subject = excluded.subject,
                    body = excluded.body, files = excluded.files, updated_at = excluded.updated_at,
                    to_number = excluded.to_number
                 WHERE mail_drafts.author_id = excluded.author_id AND mail_drafts.box_kind = excluded.box_kind
                    AND mail_drafts.box_key = excluded.box_key AND mail_drafts.letter_id IS NULL",
                &[
                    &d.id,
                    &d.mailbox.kind(),
                    &d.mailbox.key(),
                    &d.author.0,
                    &d.to.as_ref().map(Party::kind),
                    &d.to.as_ref().map(Party::key),
                    &d.to_name,
                    &d.reply_to,
                    &d.subject,
                    &d.text,
                    &files,
                    &d.updated_at,
                    &d.to_number,
                ],
            )
            .await
            .map_err(map_err)?;
        if n == 1 {
            crate::effects::commit(tx, fx).await?;
            return Ok(DraftSaved::Saved);
        }
        let sent = tx
            .maybe_row(
                "SELECT letter_id FROM mail_drafts WHERE id = $1 AND author_id = $2 AND box_kind = $3 AND box_key = $4",
                &[&d.id, &d.author.0, &d.mailbox.kind(), &d.mailbox.key()],
            )
            .await
            .map_err(map_err)?;
        Ok(match sent.and_then(|r| r.get::<_, Option<Uuid>>(0)) {
            Some(l) => DraftSaved::Sent(l),
            None => DraftSaved::NotOwn,
        })
    }

    async fn find_draft(&self, mailbox: &Party, author: UserId, id: Uuid) -> StoreResult<Option<Draft>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(
                &format!(
                    "{DRAFT} WHERE id = $1 AND box_kind = $2 AND box_key = $3 AND author_id = $4 AND letter_id IS NULL"
                ),
                &[&id, &mailbox.kind(), &mailbox.key(), &author.0],
            )
            .await
            .map_err(map_err)?;
        row.as_ref().map(draft_row).transpose()
    }

    async fn list_drafts(&self, mailbox: &Party, author: UserId) -> StoreResult<Vec<Draft>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    "{DRAFT} WHERE box_kind = $1 AND box_key = $2 AND author_id = $3 AND letter_id IS NULL
                     ORDER BY updated_at DESC, id DESC"
                ),
                &[&mailbox.kind(), &mailbox.key(), &author.0],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(draft_row).collect()
    }

    async fn delete_draft(&self, mailbox: &Party, author: UserId, id: Uuid, fx: &Effects) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "DELETE FROM mail_drafts WHERE id = $1 AND box_kind = $2 AND box_key = $3 AND author_id = $4
                    AND letter_id IS NULL",
                &[&id, &mailbox.kind(), &mailbox.key(), &author.0],
            )
            .await
            .map_err(map_err)?;
        if n == 1 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n == 1)
    }

    async fn list_conversations(&self, mailbox: &Party, folder: Folder, limit: i64) -> StoreResult<Vec<Conversation>> {
        let (filter, order) = match folder {
            Folder::Inbox => ("inbox_at IS NOT NULL", "inbox_at"),
            Folder::Sent => ("sent_last_at IS NOT NULL", "sent_last_at"),
            Folder::Archive => ("archived", "last_at"),
        };
        let sql = format!(
            "SELECT conversation_id, last_at, total, unread, subject, with_name FROM mail_threads
             WHERE box_kind = $1 AND box_key = $2 AND {filter} ORDER BY {order} DESC, conversation_id DESC LIMIT $3"
        );
        let client = self.client().await?;
        let rows = client.rows(&sql, &[&mailbox.kind(), &mailbox.key(), &limit]).await.map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Conversation {
                id: r.get(0),
                last_at: r.get(1),
                count: r.get(2),
                unread: r.get(3),
                subject: r.get(4),
                with: r.get(5),
            })
            .collect())
    }

    async fn list_conversation(&self, mailbox: &Party, conversation: Uuid) -> StoreResult<Vec<Filed>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    "{FILED} WHERE b.box_kind = $1 AND b.box_key = $2 AND b.conversation_id = $3 ORDER BY l.sent_at, l.id"
                ),
                &[&mailbox.kind(), &mailbox.key(), &conversation],
            )
            .await
            .map_err(map_err)?;
        let filed = rows.iter().map(filed_row).collect::<StoreResult<Vec<_>>>()?;
        drop(client);
        self.with_files(filed).await
    }

    async fn find_filed(&self, mailbox: &Party, letter: Uuid) -> StoreResult<Option<Filed>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(
                &format!("{FILED} WHERE b.box_kind = $1 AND b.box_key = $2 AND b.letter_id = $3"),
                &[&mailbox.kind(), &mailbox.key(), &letter],
            )
            .await
            .map_err(map_err)?;
        let one = row.as_ref().map(filed_row).transpose()?;
        drop(client);
        Ok(self.with_files(one.into_iter().collect()).await?.pop())
    }

    async fn mark_conversation_read(
        &self,
        mailbox: &Party,
        conversation: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        lock_thread(&tx, mailbox, conversation).await?;
        let (kind, key) = (mailbox.kind(), mailbox.key());
        tx.run(
            "UPDATE mail_letters SET read_at = $4 WHERE read_at IS NULL AND id IN (SELECT letter_id FROM mail_boxes
                WHERE box_kind = $1 AND box_key = $2 AND conversation_id = $3 AND incoming)",
            &[&kind, &key, &conversation, &at],
        )
        .await
        .map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE mail_boxes SET is_read = true
                 WHERE box_kind = $1 AND box_key = $2 AND conversation_id = $3 AND incoming AND NOT is_read",
                &[&kind, &key, &conversation],
            )
            .await
            .map_err(map_err)?;
        tx.run(
            "UPDATE mail_threads SET unread = 0 WHERE box_kind = $1 AND box_key = $2 AND conversation_id = $3",
            &[&kind, &key, &conversation],
        )
        .await
        .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n)
    }

    async fn update_conversation_archived(
        &self,
        mailbox: &Party,
        conversation: Uuid,
        archived: bool,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        lock_thread(&tx, mailbox, conversation).await?;
        let n = tx
            .run(
                "UPDATE mail_boxes SET archived = $4 WHERE box_kind = $1 AND box_key = $2 AND conversation_id = $3",
                &[&mailbox.kind(), &mailbox.key(), &conversation, &archived],
            )
            .await
            .map_err(map_err)?;
        tx.run(
            "UPDATE mail_threads SET archived = $4,
                inbox_at = (SELECT MAX(sent_at) FROM mail_boxes b WHERE b.box_kind = $1 AND b.box_key = $2
                    AND b.conversation_id = $3 AND b.incoming AND NOT b.archived),
                sent_last_at = (SELECT MAX(sent_at) FROM mail_boxes b WHERE b.box_kind = $1 AND b.box_key = $2
                    AND b.conversation_id = $3 AND NOT b.incoming AND NOT b.archived)
             WHERE box_kind = $1 AND box_key = $2 AND conversation_id = $3",
            &[&mailbox.kind(), &mailbox.key(), &conversation, &archived],
        )
        .await
        .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn search_letters(
        &self,
        mailbox: &Party,
        query: &Query,
        filter: &SearchFilter,
        limit: i64,
    ) -> StoreResult<Vec<Filed>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_search s
                JOIN mail_boxes b ON b.letter_id = s.letter_id
                JOIN mail_letters l ON l.id = b.letter_id
             WHERE s.tsv @@ to_tsquery('simple', $3) AND b.box_kind = $1 AND b.box_key = $2
                AND ($4::text IS NULL OR ($4 = 'inbox' AND b.incoming AND NOT b.archived)
                    OR ($4 = 'sent' AND NOT b.incoming AND NOT b.archived) OR ($4 = 'archive' AND b.archived))
                AND ($5::text IS NULL OR (l.from_kind = $5 AND l.from_key = $6) OR (l.to_kind = $5 AND l.to_key = $6))
                AND ($7::timestamptz IS NULL OR l.sent_at >= $7) AND ($8::timestamptz IS NULL OR l.sent_at < $8)
             ORDER BY s.seq DESC LIMIT $9"
        );
        let folder = filter.folder.map(Folder::code);
        let (with_kind, with_key) = (filter.with.as_ref().map(Party::kind), filter.with.as_ref().map(Party::key));
        let client = self.client().await?;
        let rows = client
            .rows(
                &sql,
                &[
                    &mailbox.kind(),
                    &mailbox.key(),
                    &query.tsquery(),
                    &folder,
                    &with_kind,
                    &with_key,
                    &filter.from,
                    &filter.before,
                    &limit,
                ],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(filed_row).collect()
    }

    async fn count_unread(&self, mailbox: &Party, cap: i64) -> StoreResult<i64> {
        let client = self.client().await?;
        let row = client
            .row(
                "SELECT COUNT(*) FROM (SELECT 1 FROM mail_boxes
                 WHERE box_kind = $1 AND box_key = $2 AND incoming AND NOT is_read AND NOT archived LIMIT $3) t",
                &[&mailbox.kind(), &mailbox.key(), &cap],
            )
            .await
            .map_err(map_err)?;
        Ok(row.get(0))
    }

    async fn count_letters_since(&self, author: UserId, since: OffsetDateTime) -> StoreResult<i64> {
        let client = self.client().await?;
        let row = client
            .row(
                "SELECT COUNT(*) FROM mail_letters WHERE author_id = $1 AND sent_at >= $2 AND application_id IS NULL",
                &[&author.0, &since],
            )
            .await
            .map_err(map_err)?;
        Ok(row.get(0))
    }

    async fn insert_counterparty(&self, cp: &Counterparty, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "INSERT INTO mail_counterparties (user_id, inn, ogrn, name, added_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (user_id, inn) DO NOTHING",
                &[&cp.user_id.0, &cp.inn, &cp.ogrn, &cp.name, &cp.added_at],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Err(StoreError::Conflict { constraint: "mail_counterparties_pkey".into() });
        }
        crate::effects::commit(tx, fx).await
    }

    async fn list_counterparties(&self, user: UserId) -> StoreResult<Vec<Counterparty>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT inn, ogrn, name, added_at FROM mail_counterparties WHERE user_id = $1 ORDER BY name, inn",
                &[&user.0],
            )
            .await
            .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Counterparty { user_id: user, inn: r.get(0), ogrn: r.get(1), name: r.get(2), added_at: r.get(3) })
            .collect())
    }

    async fn delete_counterparty(&self, user: UserId, inn: &str, fx: &Effects) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run("DELETE FROM mail_counterparties WHERE user_id = $1 AND inn = $2", &[&user.0, &inn])
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }
}

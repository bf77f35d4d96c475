//! [`MailStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, from_ts, map_err, parse_uuid, ts};
use rusqlite::{Connection, OptionalExtension, Row, params};
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
use uuid::Uuid;

const COLUMNS: &str = "l.id, l.conversation_id, l.from_kind, l.from_key, l.from_name, l.to_kind, l.to_key,
    l.to_name, l.author_id, l.subject, l.body, l.sent_at, l.read_at, b.incoming, b.is_read, b.archived, l.application_id";

const FILED: &str = "SELECT l.id, l.conversation_id, l.from_kind, l.from_key, l.from_name, l.to_kind, l.to_key,
    l.to_name, l.author_id, l.subject, l.body, l.sent_at, l.read_at, b.incoming, b.is_read, b.archived, l.application_id
    FROM mail_boxes b JOIN mail_letters l ON l.id = b.letter_id";

fn party(kind: &str, key: &str) -> rusqlite::Result<Party> {
    Party::from_stored(kind, key).ok_or_else(|| bad_code("mail party", kind))
}

fn filed_row(r: &Row<'_>) -> rusqlite::Result<Filed> {
    let letter = Letter {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        conversation: parse_uuid(&r.get::<_, String>(1)?)?,
        from: party(&r.get::<_, String>(2)?, &r.get::<_, String>(3)?)?,
        from_name: r.get(4)?,
        to: party(&r.get::<_, String>(5)?, &r.get::<_, String>(6)?)?,
        to_name: r.get(7)?,
        author: UserId(parse_uuid(&r.get::<_, String>(8)?)?),
        subject: r.get(9)?,
        text: r.get(10)?,
        files: vec![],
        sent_at: from_ts(r.get(11)?)?,
        read_at: r.get::<_, Option<i64>>(12)?.map(from_ts).transpose()?,
        signatures: vec![],
        application: r
            .get::<_, Option<String>>(16)?
            .map(|a| parse_uuid(&a).map(sep_core::application::record::ApplicationId))
            .transpose()?,
    };
    Ok(Filed { letter, incoming: r.get(13)?, read: r.get(14)?, archived: r.get(15)? })
}

/// The files and the signatures of each of `filed`, in order.
fn with_files(c: &Connection, mut filed: Vec<Filed>) -> rusqlite::Result<Vec<Filed>> {
    let mut s =
        c.prepare_cached("SELECT name, content_type, size, sha256 FROM mail_files WHERE letter_id = ?1 ORDER BY idx")?;
    let mut sigs = c.prepare_cached(
        "SELECT part, source, hash, signer_subject, signer_issuer, signer_serial, signer_not_before,
            signer_not_after, signed_at FROM mail_signatures WHERE letter_id = ?1 ORDER BY part",
    )?;
    for f in &mut filed {
        f.letter.files = s
            .query_map([f.letter.id.to_string()], |r| {
                Ok(MailFile { name: r.get(0)?, content_type: r.get(1)?, size: r.get(2)?, sha256: r.get(3)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        f.letter.signatures = sigs
            .query_map([f.letter.id.to_string()], |r| {
                let source: String = r.get(1)?;
                Ok(MailSignature {
                    part: r.get(0)?,
                    source: Source::from_code(&source).ok_or_else(|| bad_code("signature source", &source))?,
                    hash: r.get(2)?,
                    signer: Certificate {
                        subject: r.get(3)?,
                        issuer: r.get(4)?,
                        serial: r.get(5)?,
                        not_before: from_ts(r.get(6)?)?,
                        not_after: from_ts(r.get(7)?)?,
                    },
                    signed_at: from_ts(r.get(8)?)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(filed)
}

const DRAFT: &str = "SELECT id, box_kind, box_key, author_id, to_kind, to_key, to_name, reply_to, subject, body,
    files, updated_at, to_number FROM mail_drafts";

fn draft_row(r: &Row<'_>) -> rusqlite::Result<Draft> {
    let to = match (r.get::<_, Option<String>>(4)?, r.get::<_, Option<String>>(5)?) {
        (Some(kind), Some(key)) => Some(party(&kind, &key)?),
        _ => None,
    };
    let files: String = r.get(10)?;
    Ok(Draft {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        mailbox: party(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?)?,
        author: UserId(parse_uuid(&r.get::<_, String>(3)?)?),
        to,
        to_name: r.get(6)?,
        reply_to: r.get::<_, Option<String>>(7)?.map(|s| parse_uuid(&s)).transpose()?,
        subject: r.get(8)?,
        text: r.get(9)?,
        files: serde_json::from_str(&files).map_err(|_| bad_code("draft files", &files))?,
        updated_at: from_ts(r.get(11)?)?,
        to_number: r.get(12)?,
    })
}

/// Stores letter `l` with its files, signatures and search terms and files it in both
/// mailboxes, removing the sender's `draft`, within `tx`.
fn file_letter(tx: &rusqlite::Transaction<'_>, l: &Letter, ders: &[Vec<u8>], draft: Option<Uuid>) -> StoreResult<()> {
    tx.run(
        "INSERT INTO mail_letters (id, conversation_id, from_kind, from_key, from_name, to_kind, to_key,
            to_name, author_id, subject, body, sent_at, read_at, application_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, ?13)",
        params![
            l.id.to_string(),
            l.conversation.to_string(),
            l.from.kind(),
            l.from.key(),
            l.from_name,
            l.to.kind(),
            l.to.key(),
            l.to_name,
            l.author.0.to_string(),
            l.subject,
            l.text,
            ts(l.sent_at),
            l.application.map(|a| a.0.to_string()),
        ],
    )
    .map_err(map_err)?;
    for (i, f) in l.files.iter().enumerate() {
        tx.run(
            "INSERT INTO mail_files (letter_id, idx, name, content_type, size, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![l.id.to_string(), i as i64, f.name, f.content_type, f.size, f.sha256],
        )
        .map_err(map_err)?;
    }
    for (sig, der) in l.signatures.iter().zip(ders) {
        tx.run(
            "INSERT INTO mail_signatures (letter_id, part, source, hash, signer_subject, signer_issuer,
                signer_serial, signer_not_before, signer_not_after, signed_at, der)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                l.id.to_string(),
                sig.part,
                sig.source.code(),
                sig.hash,
                sig.signer.subject,
                sig.signer.issuer,
                sig.signer.serial,
                ts(sig.signer.not_before),
                ts(sig.signer.not_after),
                ts(sig.signed_at),
                der
            ],
        )
        .map_err(map_err)?;
    }
    if let Some(d) = draft {
        // Kept as a tombstone naming the letter: it cannot be saved or sent again.
        let n = tx
            .run(
                "UPDATE mail_drafts SET letter_id = ?3, subject = '', body = '', files = '[]', to_number = NULL, to_name = NULL
                 WHERE id = ?1 AND author_id = ?2 AND letter_id IS NULL",
                params![d.to_string(), l.author.0.to_string(), l.id.to_string()],
            )
            .map_err(map_err)?;
        if n != 1 {
            return Err(StoreError::Conflict { constraint: "mail_drafts_sent".into() });
        }
    }
    tx.run(
        "INSERT INTO mail_search (terms, letter_id) VALUES (?1, ?2)",
        params![sep_core::mail::search::analyse(&l.searchable()), l.id.to_string()],
    )
    .map_err(map_err)?;
    for (mailbox, incoming) in [(&l.from, false), (&l.to, true)] {
        let with = if incoming { &l.from_name } else { &l.to_name };
        tx.run(
            "INSERT INTO mail_threads (box_kind, box_key, conversation_id, subject, with_name, last_at,
                inbox_at, sent_last_at, archived, total, unread)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?7 THEN ?6 END, CASE WHEN ?7 THEN NULL ELSE ?6 END, 0, 1,
                CASE WHEN ?7 THEN 1 ELSE 0 END)
             ON CONFLICT (box_kind, box_key, conversation_id) DO UPDATE SET
                with_name = CASE WHEN excluded.last_at >= mail_threads.last_at
                    THEN excluded.with_name ELSE mail_threads.with_name END,
                last_at = MAX(mail_threads.last_at, excluded.last_at),
                inbox_at = CASE WHEN ?7 THEN MAX(COALESCE(mail_threads.inbox_at, ?6), ?6) ELSE mail_threads.inbox_at END,
                sent_last_at = CASE WHEN ?7 THEN mail_threads.sent_last_at
                    ELSE MAX(COALESCE(mail_threads.sent_last_at, ?6), ?6) END,
                archived = 0, total = mail_threads.total + 1, unread = mail_threads.unread + excluded.unread",
            params![
                mailbox.kind(),
                mailbox.key(),
                l.conversation.to_string(),
                l.subject,
                with,
                ts(l.sent_at),
                incoming
            ],
        )
        .map_err(map_err)?;
        tx.run(
            "INSERT INTO mail_boxes (box_kind, box_key, letter_id, conversation_id, incoming, is_read,
                archived, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
            params![
                mailbox.kind(),
                mailbox.key(),
                l.id.to_string(),
                l.conversation.to_string(),
                incoming,
                !incoming,
                ts(l.sent_at)
            ],
        )
        .map_err(map_err)?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MailStore for SqliteStore {
    async fn insert_letter(&self, l: &Letter, ders: &[Vec<u8>], draft: Option<Uuid>, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            file_letter(tx, l, ders, draft)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_legacy_messages(&self, limit: i64) -> StoreResult<Vec<sep_core::application::record::Message>> {
        crate::messages::legacy(self, limit)
    }

    async fn absorb_legacy_message(&self, legacy: i64, l: &Letter) -> StoreResult<()> {
        let app = l.application.ok_or_else(|| StoreError::Other("a legacy message without its application".into()))?;
        self.write(|tx| {
            file_letter(tx, l, &[], None)?;
            let gone = tx.run("DELETE FROM application_messages WHERE id = ?1", [legacy]).map_err(map_err)?;
            if gone != 1 {
                // Moved already by another process: nothing is filed twice.
                return Err(StoreError::Conflict { constraint: "application_messages_moved".into() });
            }
            let place: i64 = tx
                .row(
                    // Its place as the thread numbers it: by time, then id.
                    "SELECT COUNT(*) FROM mail_letters WHERE application_id = ?1
                        AND (sent_at < ?2 OR (sent_at = ?2 AND id <= ?3))",
                    params![app.0.to_string(), ts(l.sent_at), l.id.to_string()],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            tx.run(
                "UPDATE document_signatures SET document = ?1 WHERE document = ?2",
                params![format!("m:{}:{place}", app.0), format!("m:{}:{legacy}", app.0)],
            )
            .map_err(map_err)?;
            Ok(())
        })
    }

    async fn get_mail_signature(&self, letter: Uuid, part: u32) -> StoreResult<Option<Vec<u8>>> {
        self.read(|c| {
            c.row(
                "SELECT der FROM mail_signatures WHERE letter_id = ?1 AND part = ?2",
                params![letter.to_string(), part],
                |r| r.get(0),
            )
            .optional()
        })
    }

    async fn upsert_draft(&self, d: &Draft, fx: &Effects) -> StoreResult<DraftSaved> {
        let files = serde_json::to_string(&d.files).map_err(|e| StoreError::Other(e.to_string()))?;
        self.write(|tx| {
            let n = tx
                .run(
                    "INSERT INTO mail_drafts (id, box_kind, box_key, author_id, to_kind, to_key, to_name, reply_to,
                        subject, body, files, updated_at, to_number)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (id) DO UPDATE SET to_kind = excluded.to_kind, to_key = excluded.to_key,
                        to_name = excluded.to_name, reply_to = excluded.reply_to, subject = excluded.subject,
                        body = excluded.body, files = excluded.files, updated_at = excluded.updated_at,
                        to_number = excluded.to_number
                     WHERE mail_drafts.author_id = excluded.author_id AND mail_drafts.box_kind = excluded.box_kind
                        AND mail_drafts.box_key = excluded.box_key AND mail_drafts.letter_id IS NULL",
                    params![
                        d.id.to_string(),
                        d.mailbox.kind(),
                        d.mailbox.key(),
                        d.author.0.to_string(),
                        d.to.as_ref().map(Party::kind),
                        d.to.as_ref().map(Party::key),
                        d.to_name,
                        d.reply_to.map(|c| c.to_string()),
                        d.subject,
                        d.text,
                        files,
                        ts(d.updated_at),
                        d.to_number
                    ],
                )
                .map_err(map_err)?;
            if n == 1 {
                crate::effects::apply(tx, fx)?;
                return Ok(DraftSaved::Saved);
            }
            let sent: Option<Option<String>> = tx
                .row(
                    "SELECT letter_id FROM mail_drafts WHERE id = ?1 AND author_id = ?2 AND box_kind = ?3
                        AND box_key = ?4",
                    params![d.id.to_string(), d.author.0.to_string(), d.mailbox.kind(), d.mailbox.key()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(map_err)?;
            match sent.flatten() {
                Some(l) => Ok(DraftSaved::Sent(parse_uuid(&l).map_err(map_err)?)),
                None => Ok(DraftSaved::NotOwn),
            }
        })
    }

    async fn find_draft(&self, mailbox: &Party, author: UserId, id: Uuid) -> StoreResult<Option<Draft>> {
        let (kind, key) = (mailbox.kind(), mailbox.key());
        self.read(|c| {
            c.row(
                &format!(
                    "{DRAFT} WHERE id = ?1 AND box_kind = ?2 AND box_key = ?3 AND author_id = ?4 AND letter_id IS NULL"
                ),
                params![id.to_string(), kind, key, author.0.to_string()],
                draft_row,
            )
            .optional()
        })
    }

    async fn list_drafts(&self, mailbox: &Party, author: UserId) -> StoreResult<Vec<Draft>> {
        let (kind, key) = (mailbox.kind(), mailbox.key());
        self.read(|c| {
            c.prepare_cached(&format!(
                "{DRAFT} WHERE box_kind = ?1 AND box_key = ?2 AND author_id = ?3 AND letter_id IS NULL
                 ORDER BY updated_at DESC, id DESC"
            ))?
            .query_map(params![kind, key, author.0.to_string()], draft_row)?
            .collect()
        })
    }

    async fn delete_draft(&self, mailbox: &Party, author: UserId, id: Uuid, fx: &Effects) -> StoreResult<bool> {
        let (kind, key) = (mailbox.kind(), mailbox.key());
        self.write(|tx| {
            let n = tx
                .run(
                    "DELETE FROM mail_drafts WHERE id = ?1 AND box_kind = ?2 AND box_key = ?3 AND author_id = ?4
                        AND letter_id IS NULL",
                    params![id.to_string(), kind, key, author.0.to_string()],
                )
                .map_err(map_err)?;
            if n == 1 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n == 1)
        })
    }

    async fn list_conversations(&self, mailbox: &Party, folder: Folder, limit: i64) -> StoreResult<Vec<Conversation>> {
        let (filter, order) = match folder {
            Folder::Inbox => ("inbox_at IS NOT NULL", "inbox_at"),
            Folder::Sent => ("sent_last_at IS NOT NULL", "sent_last_at"),
            Folder::Archive => ("archived = 1", "last_at"),
        };
        let sql = format!(
            "SELECT conversation_id, last_at, total, unread, subject, with_name FROM mail_threads
             WHERE box_kind = ?1 AND box_key = ?2 AND {filter} ORDER BY {order} DESC, conversation_id DESC LIMIT ?3"
        );
        let (kind, key) = (mailbox.kind(), mailbox.key());
        self.read(|c| {
            c.prepare_cached(&sql)?
                .query_map(params![kind, key, limit], |r| {
                    Ok(Conversation {
                        id: parse_uuid(&r.get::<_, String>(0)?)?,
                        last_at: from_ts(r.get(1)?)?,
                        count: r.get(2)?,
                        unread: r.get(3)?,
                        subject: r.get(4)?,
                        with: r.get(5)?,
                    })
                })?
                .collect()
        })
    }

    async fn list_conversation(&self, mailbox: &Party, conversation: Uuid) -> StoreResult<Vec<Filed>> {
        let (kind, key) = (mailbox.kind(), mailbox.key());
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "{FILED} WHERE b.box_kind = ?1 AND b.box_key = ?2 AND b.conversation_id = ?3 ORDER BY l.sent_at, l.id"
            ))?;
            let filed =
                s.query_map(params![kind, key, conversation.to_string()], filed_row)?.collect::<Result<_, _>>()?;
            with_files(c, filed)
        })
    }

    async fn find_filed(&self, mailbox: &Party, letter: Uuid) -> StoreResult<Option<Filed>> {
        let (kind, key) = (mailbox.kind(), mailbox.key());
        self.read(|c| {
            let one = c
                .row(
                    &format!("{FILED} WHERE b.box_kind = ?1 AND b.box_key = ?2 AND b.letter_id = ?3"),
                    params![kind, key, letter.to_string()],
                    filed_row,
                )
                .optional()?;
            Ok(with_files(c, one.into_iter().collect())?.pop())
        })
    }

    async fn mark_conversation_read(
        &self,
        mailbox: &Party,
        conversation: Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<u64> {
        let (kind, key, conversation) = (mailbox.kind(), mailbox.key(), conversation.to_string());
        self.write(|tx| {
            tx.run(
                "UPDATE mail_letters SET read_at = ?4 WHERE read_at IS NULL AND id IN (SELECT letter_id FROM mail_boxes
                    WHERE box_kind = ?1 AND box_key = ?2 AND conversation_id = ?3 AND incoming = 1)",
                params![kind, key, conversation, ts(at)],
            )
            .map_err(map_err)?;
            let n = tx
                .run(
                    "UPDATE mail_boxes SET is_read = 1
                     WHERE box_kind = ?1 AND box_key = ?2 AND conversation_id = ?3 AND incoming = 1 AND is_read = 0",
                    params![kind, key, conversation],
                )
                .map_err(map_err)?;
            tx.run(
                "UPDATE mail_threads SET unread = 0 WHERE box_kind = ?1 AND box_key = ?2 AND conversation_id = ?3",
                params![kind, key, conversation],
            )
            .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n as u64)
        })
    }

    async fn update_conversation_archived(
        &self,
        mailbox: &Party,
        conversation: Uuid,
        archived: bool,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let (kind, key, conversation) = (mailbox.kind(), mailbox.key(), conversation.to_string());
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE mail_boxes SET archived = ?4 WHERE box_kind = ?1 AND box_key = ?2 AND conversation_id = ?3",
                    params![kind, key, conversation, archived],
                )
                .map_err(map_err)?;
            tx.run(
                "UPDATE mail_threads SET archived = ?4,
                    inbox_at = (SELECT MAX(sent_at) FROM mail_boxes b WHERE b.box_kind = ?1 AND b.box_key = ?2
                        AND b.conversation_id = ?3 AND b.incoming = 1 AND b.archived = 0),
                    sent_last_at = (SELECT MAX(sent_at) FROM mail_boxes b WHERE b.box_kind = ?1 AND b.box_key = ?2
                        AND b.conversation_id = ?3 AND b.incoming = 0 AND b.archived = 0)
                 WHERE box_kind = ?1 AND box_key = ?2 AND conversation_id = ?3",
                params![kind, key, conversation, archived],
            )
            .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn search_letters(
        &self,
        mailbox: &Party,
        query: &Query,
        filter: &SearchFilter,
        limit: i64,
    ) -> StoreResult<Vec<Filed>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_search
                JOIN mail_boxes b ON b.letter_id = mail_search.letter_id
                JOIN mail_letters l ON l.id = b.letter_id
             WHERE mail_search MATCH ?3 AND b.box_kind = ?1 AND b.box_key = ?2
                AND (?4 IS NULL OR (?4 = 'inbox' AND b.incoming = 1 AND b.archived = 0)
                    OR (?4 = 'sent' AND b.incoming = 0 AND b.archived = 0) OR (?4 = 'archive' AND b.archived = 1))
                AND (?5 IS NULL OR (l.from_kind = ?5 AND l.from_key = ?6) OR (l.to_kind = ?5 AND l.to_key = ?6))
                AND (?7 IS NULL OR l.sent_at >= ?7) AND (?8 IS NULL OR l.sent_at < ?8)
             ORDER BY mail_search.rowid DESC LIMIT ?9"
        );
        let (kind, key) = (mailbox.kind(), mailbox.key());
        let values = params![
            kind,
            key,
            query.fts5(),
            filter.folder.map(Folder::code),
            filter.with.as_ref().map(Party::kind),
            filter.with.as_ref().map(Party::key),
            filter.from.map(ts),
            filter.before.map(ts),
            limit
        ];
        self.read(|c| c.prepare_cached(&sql)?.query_map(values, filed_row)?.collect())
    }

    async fn count_unread(&self, mailbox: &Party, cap: i64) -> StoreResult<i64> {
        let (kind, key) = (mailbox.kind(), mailbox.key());
        self.read(|c| {
            c.prepare_cached(
                "SELECT COUNT(*) FROM (SELECT 1 FROM mail_boxes
                 WHERE box_kind = ?1 AND box_key = ?2 AND incoming = 1 AND is_read = 0 AND archived = 0 LIMIT ?3)",
            )?
            .query_row(params![kind, key, cap], |r| r.get(0))
        })
    }

    async fn count_letters_since(&self, author: UserId, since: OffsetDateTime) -> StoreResult<i64> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT COUNT(*) FROM mail_letters WHERE author_id = ?1 AND sent_at >= ?2 AND application_id IS NULL",
            )?
            .query_row(params![author.0.to_string(), ts(since)], |r| r.get(0))
        })
    }

    async fn insert_counterparty(&self, cp: &Counterparty, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            let n = tx
                .run(
                    "INSERT INTO mail_counterparties (user_id, inn, ogrn, name, added_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (user_id, inn) DO NOTHING",
                    params![cp.user_id.0.to_string(), cp.inn, cp.ogrn, cp.name, ts(cp.added_at)],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::Conflict { constraint: "mail_counterparties_pkey".into() });
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_counterparties(&self, user: UserId) -> StoreResult<Vec<Counterparty>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT inn, ogrn, name, added_at FROM mail_counterparties WHERE user_id = ?1 ORDER BY name, inn",
            )?;
            s.query_map([user.0.to_string()], |r| {
                Ok(Counterparty {
                    user_id: user,
                    inn: r.get(0)?,
                    ogrn: r.get(1)?,
                    name: r.get(2)?,
                    added_at: from_ts(r.get(3)?)?,
                })
            })?
            .collect()
        })
    }

    async fn delete_counterparty(&self, user: UserId, inn: &str, fx: &Effects) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "DELETE FROM mail_counterparties WHERE user_id = ?1 AND inn = ?2",
                    params![user.0.to_string(), inn],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }
}

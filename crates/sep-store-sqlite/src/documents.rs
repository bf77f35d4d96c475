//! [`DocumentStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{from_ts, from_ts_opt, map_err, parse_uuid, ts};
use rusqlite::{Row, params};
use sep_core::application::record::{ApplicationId, StoredFile};
use sep_core::document::issued::IssuedDocument;
use sep_core::document::store::DocumentStore;
use sep_core::ids::UserId;
use sep_core::signing::Signature;
use sep_core::store::{Effects, StoreResult};

const ISSUED: &str = "SELECT id, number, check_code, application_id, user_id, agency, issued_by, title, file_name,
    content_type, size, sha256, issued_at, annulled_at, order_id, holder, valid_until, payment_id FROM issued_documents";

fn uuid_opt(s: Option<String>) -> rusqlite::Result<Option<uuid::Uuid>> {
    s.as_deref().map(parse_uuid).transpose()
}

pub(crate) fn issued_row(r: &Row<'_>) -> rusqlite::Result<IssuedDocument> {
    Ok(IssuedDocument {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        number: r.get(1)?,
        check_code: r.get(2)?,
        application_id: uuid_opt(r.get(3)?)?.map(ApplicationId),
        order_id: uuid_opt(r.get(14)?)?,
        payment_id: uuid_opt(r.get(17)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(4)?)?),
        agency: r.get(5)?,
        issued_by: uuid_opt(r.get(6)?)?.map(UserId),
        title: r.get(7)?,
        holder: r.get(15)?,
        file: StoredFile { file_name: r.get(8)?, content_type: r.get(9)?, size: r.get(10)?, sha256: r.get(11)? },
        issued_at: from_ts(r.get(12)?)?,
        valid_until: from_ts_opt(r.get(16)?)?,
        annulled_at: from_ts_opt(r.get(13)?)?,
    })
}

#[async_trait::async_trait]
impl DocumentStore for SqliteStore {
    async fn next_document_number(&self, year: i32) -> StoreResult<i64> {
        self.write(|tx| {
            tx.row(
                "INSERT INTO document_numbers (year, last) VALUES (?1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                [year],
                |r| r.get(0),
            )
            .map_err(map_err)
        })
    }

    async fn insert_issued_document(
        &self,
        d: &IssuedDocument,
        signature: &Signature,
        der: &[u8],
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| file_issued(tx, d, signature, der, fx))
    }

    async fn list_issued_documents_of_user(&self, user: UserId) -> StoreResult<Vec<IssuedDocument>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("{ISSUED} WHERE user_id = ?1 ORDER BY issued_at, id"))?;
            s.query_map([user.0.to_string()], issued_row)?.collect()
        })
    }

    async fn list_issued_documents(&self, application: ApplicationId) -> StoreResult<Vec<IssuedDocument>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("{ISSUED} WHERE application_id = ?1 ORDER BY issued_at, id"))?;
            s.query_map([application.0.to_string()], issued_row)?.collect()
        })
    }

    async fn find_issued_document(&self, number: &str) -> StoreResult<Option<IssuedDocument>> {
        use rusqlite::OptionalExtension;
        self.read(|c| c.row(&format!("{ISSUED} WHERE number = ?1"), [number], issued_row).optional())
    }

    async fn update_issued_document_annulled(
        &self,
        id: uuid::Uuid,
        at: time::OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE issued_documents SET annulled_at = ?2 WHERE id = ?1 AND annulled_at IS NULL",
                    params![id.to_string(), ts(at)],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }
}

/// Inserts an issued document (part of a caller's transaction).
pub(crate) fn insert_issued(tx: &rusqlite::Transaction<'_>, d: &IssuedDocument) -> StoreResult<()> {
    tx.run(
        "INSERT INTO issued_documents (id, number, check_code, application_id, user_id, agency, issued_by, title,
            file_name, content_type, size, sha256, issued_at, annulled_at, order_id, holder, valid_until, payment_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            d.id.to_string(),
            d.number,
            d.check_code,
            d.application_id.map(|a| a.0.to_string()),
            d.user_id.0.to_string(),
            d.agency,
            d.issued_by.map(|u| u.0.to_string()),
            d.title,
            d.file.file_name,
            d.file.content_type,
            d.file.size,
            d.file.sha256,
            ts(d.issued_at),
            d.annulled_at.map(ts),
            d.order_id.map(|o| o.to_string()),
            d.holder,
            d.valid_until.map(ts),
            d.payment_id.map(|p| p.to_string()),
        ],
    )
    .map_err(map_err)?;
    Ok(())
}

/// Files an issued document with the system's signature and the change's effects (part of a
/// caller's transaction): the one way every issued document is stored.
pub(crate) fn file_issued(
    tx: &rusqlite::Transaction<'_>,
    d: &IssuedDocument,
    signature: &Signature,
    der: &[u8],
    fx: &Effects,
) -> StoreResult<()> {
    insert_issued(tx, d)?;
    crate::signing::insert_signature(tx, signature, der)?;
    crate::effects::apply(tx, fx)
}

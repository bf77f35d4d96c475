//! [`DocumentStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::map_err;
use sep_core::application::record::{ApplicationId, StoredFile};
use sep_core::document::issued::IssuedDocument;
use sep_core::document::store::DocumentStore;
use sep_core::ids::UserId;
use sep_core::signing::Signature;
use sep_core::store::{Effects, StoreResult};
use tokio_postgres::Row;

const ISSUED: &str = "SELECT id, number, check_code, application_id, user_id, agency, issued_by, title, file_name,
    content_type, size, sha256, issued_at, annulled_at, order_id, holder, valid_until, payment_id FROM issued_documents";

pub(crate) fn issued_row(r: &Row) -> IssuedDocument {
    IssuedDocument {
        id: r.get(0),
        number: r.get(1),
        check_code: r.get(2),
        application_id: r.get::<_, Option<uuid::Uuid>>(3).map(ApplicationId),
        order_id: r.get(14),
        payment_id: r.get(17),
        user_id: UserId(r.get(4)),
        agency: r.get(5),
        issued_by: r.get::<_, Option<uuid::Uuid>>(6).map(UserId),
        title: r.get(7),
        holder: r.get(15),
        file: StoredFile { file_name: r.get(8), content_type: r.get(9), size: r.get(10), sha256: r.get(11) },
        issued_at: r.get(12),
        valid_until: r.get(16),
        annulled_at: r.get(13),
    }
}

#[async_trait::async_trait]
impl DocumentStore for PgStore {
    async fn next_document_number(&self, year: i32) -> StoreResult<i64> {
        let client = self.client().await?;
        let row = client
            .row(
                "INSERT INTO document_numbers (year, last) VALUES ($1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = document_numbers.last + 1 RETURNING last",
                &[&year],
            )
            .await
            .map_err(map_err)?;
        Ok(row.get(0))
    }

    async fn insert_issued_document(
        &self,
        d: &IssuedDocument,
        signature: &Signature,
        der: &[u8],
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        file_issued(&tx, d, signature, der, fx).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn list_issued_documents_of_user(&self, user: UserId) -> StoreResult<Vec<IssuedDocument>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{ISSUED} WHERE user_id = $1 ORDER BY issued_at, id"), &[&user.0])
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(issued_row).collect())
    }

    async fn list_issued_documents(&self, application: ApplicationId) -> StoreResult<Vec<IssuedDocument>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{ISSUED} WHERE application_id = $1 ORDER BY issued_at, id"), &[&application.0])
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(issued_row).collect())
    }

    async fn find_issued_document(&self, number: &str) -> StoreResult<Option<IssuedDocument>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{ISSUED} WHERE number = $1"), &[&number]).await.map_err(map_err)?;
        Ok(row.as_ref().map(issued_row))
    }

    async fn update_issued_document_annulled(
        &self,
        id: uuid::Uuid,
        at: time::OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run("UPDATE issued_documents SET annulled_at = $2 WHERE id = $1 AND annulled_at IS NULL", &[&id, &at])
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }
}

/// Inserts an issued document (part of a caller's transaction).
pub(crate) async fn insert_issued(tx: &deadpool_postgres::Transaction<'_>, d: &IssuedDocument) -> StoreResult<()> {
    tx.run(
        "INSERT INTO issued_documents (id, number, check_code, application_id, user_id, agency, issued_by, title,
            file_name, content_type, size, sha256, issued_at, annulled_at, order_id, holder, valid_until, payment_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        &[
            &d.id,
            &d.number,
            &d.check_code,
            &d.application_id.map(|a| a.0),
            &d.user_id.0,
            &d.agency,
            &d.issued_by.map(|u| u.0),
            &d.title,
            &d.file.file_name,
            &d.file.content_type,
            &d.file.size,
            &d.file.sha256,
            &d.issued_at,
            &d.annulled_at,
            &d.order_id,
            &d.holder,
            &d.valid_until,
            &d.payment_id,
        ],
    )
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Files an issued document with the system's signature and the change's effects (part of a
/// caller's transaction): the one way every issued document is stored.
pub(crate) async fn file_issued(
    tx: &deadpool_postgres::Transaction<'_>,
    d: &IssuedDocument,
    signature: &Signature,
    der: &[u8],
    fx: &Effects,
) -> StoreResult<()> {
    insert_issued(tx, d).await?;
    crate::signing::insert_signature(tx, signature, der).await?;
    crate::effects::apply(tx, fx).await
}

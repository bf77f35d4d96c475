//! [`PaymentStore`] on SQLite.

use crate::SqliteStore;
use crate::conv::{bad_code, from_ts, map_err, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
use sep_core::StoreError;
use sep_core::ids::UserId;
use sep_core::money::Kopecks;
use sep_core::payment::pay::{Payment, PaymentStatus};
use sep_core::payment::store::{Outcome, PaymentStore};
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use uuid::Uuid;

const PAYMENT: &str = "SELECT id, user_id, uin, amount, title, status, request_key, provider_id, confirmation_url,
    failure_code, failure_text, rrn, auth_code, card, created_at, updated_at, receipt_id FROM payments";

fn row(r: &Row<'_>) -> rusqlite::Result<Payment> {
    let status: String = r.get(5)?;
    Ok(Payment {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(1)?)?),
        uin: r.get(2)?,
        amount: Kopecks(r.get(3)?),
        title: r.get(4)?,
        status: PaymentStatus::from_code(&status).ok_or_else(|| bad_code("payment status", &status))?,
        request_key: r.get(6)?,
        provider_id: r.get(7)?,
        confirmation_url: r.get(8)?,
        failure: r.get::<_, Option<String>>(9)?.zip(r.get::<_, Option<String>>(10)?),
        rrn: r.get(11)?,
        auth_code: r.get(12)?,
        card: r.get(13)?,
        created_at: from_ts(r.get(14)?)?,
        updated_at: from_ts(r.get(15)?)?,
        receipt_id: r.get::<_, Option<String>>(16)?.as_deref().map(parse_uuid).transpose()?,
    })
}

#[async_trait::async_trait]
impl PaymentStore for SqliteStore {
    async fn insert_payment(&self, p: &Payment, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO payments (id, user_id, uin, amount, title, status, request_key, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    p.id.to_string(),
                    p.user_id.0.to_string(),
                    p.uin,
                    p.amount.0,
                    p.title,
                    p.status.code(),
                    p.request_key,
                    ts(p.created_at),
                    ts(p.updated_at),
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_payment(&self, id: Uuid) -> StoreResult<Option<Payment>> {
        self.read(|c| c.query_row(&format!("{PAYMENT} WHERE id = ?1"), [id.to_string()], row).optional())
    }

    async fn find_payment_by_provider(&self, provider_id: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| c.query_row(&format!("{PAYMENT} WHERE provider_id = ?1"), [provider_id], row).optional())
    }

    async fn find_payment_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| {
            c.query_row(
                &format!("{PAYMENT} WHERE user_id = ?1 AND request_key = ?2"),
                params![user.0.to_string(), key],
                row,
            )
            .optional()
        })
    }

    async fn find_succeeded_payment(&self, uin: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| c.query_row(&format!("{PAYMENT} WHERE uin = ?1 AND status = 'succeeded'"), [uin], row).optional())
    }

    async fn find_live_payment(&self, uin: &str) -> StoreResult<Option<Payment>> {
        self.read(|c| {
            c.query_row(&format!("{PAYMENT} WHERE uin = ?1 AND status IN ('created', 'pending')"), [uin], row)
                .optional()
        })
    }

    async fn list_payments_of_user(&self, user: UserId) -> StoreResult<Vec<Payment>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("{PAYMENT} WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"))?;
            s.query_map([user.0.to_string()], row)?.collect()
        })
    }

    async fn update_payment_started(
        &self,
        id: Uuid,
        provider_id: &str,
        confirmation_url: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE payments SET status = 'pending', provider_id = ?2, confirmation_url = ?3, updated_at = ?4
                     WHERE id = ?1 AND status = 'created' AND provider_id IS NULL",
                    params![id.to_string(), provider_id, confirmation_url, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
    }

    async fn complete_receipt(
        &self,
        id: Uuid,
        document: &sep_core::document::issued::IssuedDocument,
        signature: &sep_core::signing::Signature,
        der: &[u8],
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE payments SET receipt_id = ?2 WHERE id = ?1 AND status = 'succeeded' AND receipt_id IS NULL",
                    params![id.to_string(), document.id.to_string()],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Ok(false);
            }
            crate::documents::file_issued(tx, document, signature, der, fx)?;
            Ok(true)
        })
    }

    async fn update_payment_result(
        &self,
        id: Uuid,
        to: PaymentStatus,
        failure: Option<(&str, &str)>,
        outcome: Option<Outcome>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let (rrn, auth, card) = outcome.unwrap_or_default();
        let done = self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE payments SET status = ?2, failure_code = ?3, failure_text = ?4, rrn = ?5, auth_code = ?6,
                        card = COALESCE(?7, card), updated_at = ?8
                     WHERE id = ?1 AND status IN ('created', 'pending')",
                    params![
                        id.to_string(),
                        to.code(),
                        failure.map(|f| f.0),
                        failure.map(|f| f.1),
                        rrn,
                        auth,
                        card,
                        ts(at)
                    ],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        });
        match done {
            // The charge already has its successful payment: this one is not it.
            Err(StoreError::Conflict { .. }) => Ok(false),
            other => other,
        }
    }
}

//! [`SpravkaStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, date_text, from_ts, from_ts_opt, map_err, parse_date, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, params};
use sep_core::document::issued::IssuedDocument;
use sep_core::ids::UserId;
use sep_core::signing::Signature;
use sep_core::spravka::OrgHolder;
use sep_core::spravka::order::{Order, OrderStatus, PostStatus};
use sep_core::spravka::store::SpravkaStore;
use sep_core::store::{Effects, StoreResult};
use time::OffsetDateTime;
use uuid::Uuid;

const ORDER: &str = "SELECT id, number, user_id, kind, period_from, period_to, purpose, email, post_address,
    request_key, status, error_code, error_text, document_id, tracking, post_status, post_at, created_at, updated_at,
    org_full_name, org_short_name, org_inn, org_ogrn, org_kpp
    FROM spravka_orders";

fn order_row(r: &Row<'_>) -> rusqlite::Result<Order> {
    let status: String = r.get(10)?;
    let post_status: Option<String> = r.get(15)?;
    let post = match (post_status, from_ts_opt(r.get(16)?)?) {
        (Some(code), Some(at)) => {
            Some((PostStatus::from_code(&code).ok_or_else(|| bad_code("post status", &code))?, at))
        }
        _ => None,
    };
    let period = match (parse_date(r.get(4)?)?, parse_date(r.get(5)?)?) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let error = match (r.get::<_, Option<String>>(11)?, r.get::<_, Option<String>>(12)?) {
        (Some(code), Some(text)) => Some((code, text)),
        _ => None,
    };
    Ok(Order {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        number: r.get(1)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(2)?)?),
        kind: r.get(3)?,
        period,
        purpose: r.get(6)?,
        email: r.get(7)?,
        post_address: r.get(8)?,
        request_key: r.get(9)?,
        status: OrderStatus::from_code(&status).ok_or_else(|| bad_code("order status", &status))?,
        error,
        document_id: r.get::<_, Option<String>>(13)?.as_deref().map(parse_uuid).transpose()?,
        tracking: r.get(14)?,
        post,
        created_at: from_ts(r.get(17)?)?,
        updated_at: from_ts(r.get(18)?)?,
        org: match (r.get::<_, Option<String>>(19)?, r.get::<_, Option<String>>(21)?) {
            (Some(full_name), Some(inn)) => Some(OrgHolder {
                full_name,
                short_name: r.get::<_, Option<String>>(20)?.unwrap_or_default(),
                inn,
                ogrn: r.get::<_, Option<String>>(22)?.unwrap_or_default(),
                kpp: r.get(23)?,
            }),
            _ => None,
        },
    })
}

#[async_trait::async_trait]
impl SpravkaStore for SqliteStore {
    async fn next_spravka_number(&self, year: i32) -> StoreResult<i64> {
        self.write(|tx| {
            tx.row(
                "INSERT INTO spravka_numbers (year, last) VALUES (?1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                [year],
                |r| r.get(0),
            )
            .map_err(map_err)
        })
    }

    async fn insert_spravka_order(&self, o: &Order, fx: &Effects) -> StoreResult<()> {
        self.write(|tx| {
            tx.run(
                "INSERT INTO spravka_orders (id, number, user_id, kind, period_from, period_to, purpose, email,
                    post_address, request_key, status, created_at, updated_at,
                    org_full_name, org_short_name, org_inn, org_ogrn, org_kpp)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                params![
                    o.id.to_string(),
                    o.number,
                    o.user_id.0.to_string(),
                    o.kind,
                    date_text(o.period.map(|p| p.0)),
                    date_text(o.period.map(|p| p.1)),
                    o.purpose,
                    o.email,
                    o.post_address,
                    o.request_key,
                    o.status.code(),
                    ts(o.created_at),
                    ts(o.updated_at),
                    o.org.as_ref().map(|g| &g.full_name),
                    o.org.as_ref().map(|g| &g.short_name),
                    o.org.as_ref().map(|g| &g.inn),
                    o.org.as_ref().map(|g| &g.ogrn),
                    o.org.as_ref().and_then(|g| g.kpp.as_ref()),
                ],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn find_spravka_order(&self, id: Uuid) -> StoreResult<Option<Order>> {
        self.read(|c| c.row(&format!("{ORDER} WHERE id = ?1"), [id.to_string()], order_row).optional())
    }

    async fn find_spravka_order_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Order>> {
        self.read(|c| {
            c.row(
                &format!("{ORDER} WHERE user_id = ?1 AND request_key = ?2"),
                params![user.0.to_string(), key],
                order_row,
            )
            .optional()
        })
    }

    async fn find_spravka_order_by_document(&self, document: Uuid) -> StoreResult<Option<Order>> {
        self.read(|c| c.row(&format!("{ORDER} WHERE document_id = ?1"), [document.to_string()], order_row).optional())
    }

    async fn list_spravka_orders_stalled(&self, before: OffsetDateTime, limit: u32) -> StoreResult<Vec<Order>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "{ORDER} WHERE status IN ('accepted', 'making') AND updated_at < ?1 ORDER BY updated_at, id LIMIT ?2"
            ))?;
            s.query_map(params![ts(before), limit], order_row)?.collect()
        })
    }

    async fn list_spravka_orders_of_user(&self, user: UserId) -> StoreResult<Vec<Order>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!("{ORDER} WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"))?;
            s.query_map([user.0.to_string()], order_row)?.collect()
        })
    }

    async fn update_spravka_order_status(
        &self,
        id: Uuid,
        from: OrderStatus,
        to: OrderStatus,
        error: Option<(&str, &str)>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE spravka_orders SET status = ?3, error_code = ?4, error_text = ?5, updated_at = ?6
                     WHERE id = ?1 AND status = ?2",
                    params![id.to_string(), from.code(), to.code(), error.map(|e| e.0), error.map(|e| e.1), ts(at)],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn complete_spravka_order(
        &self,
        id: Uuid,
        document: &IssuedDocument,
        signature: &Signature,
        der: &[u8],
        tracking: Option<&str>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE spravka_orders SET status = 'ready', document_id = ?2, tracking = ?3,
                        post_status = CASE WHEN ?3 IS NULL THEN NULL ELSE 'accepted' END,
                        post_at = CASE WHEN ?3 IS NULL THEN NULL ELSE ?4 END, updated_at = ?4
                     WHERE id = ?1 AND status = 'making'",
                    params![id.to_string(), document.id.to_string(), tracking, ts(at)],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Ok(false);
            }
            crate::documents::file_issued(tx, document, signature, der, fx)?;
            Ok(true)
        })
    }

    async fn update_spravka_post(
        &self,
        id: Uuid,
        from: PostStatus,
        to: PostStatus,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE spravka_orders SET post_status = ?3, post_at = ?4, updated_at = ?4
                     WHERE id = ?1 AND post_status = ?2",
                    params![id.to_string(), from.code(), to.code(), ts(at)],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }
}

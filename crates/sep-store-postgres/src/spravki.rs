//! [`SpravkaStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
use sep_core::document::issued::IssuedDocument;
use sep_core::ids::UserId;
use sep_core::signing::Signature;
use sep_core::spravka::OrgHolder;
use sep_core::spravka::order::{Order, OrderStatus, PostStatus};
use sep_core::spravka::store::SpravkaStore;
use sep_core::store::{Effects, StoreResult};
use time::{Date, OffsetDateTime};
use tokio_postgres::Row;
use uuid::Uuid;

const ORDER: &str = "SELECT id, number, user_id, kind, period_from, period_to, purpose, email, post_address,
    request_key, status, error_code, error_text, document_id, tracking, post_status, post_at, created_at, updated_at,
    org_full_name, org_short_name, org_inn, org_ogrn, org_kpp
    FROM spravka_orders";

fn order_row(r: &Row) -> StoreResult<Order> {
    let status: String = r.get(10);
    let post = match (r.get::<_, Option<String>>(15), r.get::<_, Option<OffsetDateTime>>(16)) {
        (Some(code), Some(at)) => {
            Some((PostStatus::from_code(&code).ok_or_else(|| bad_code("post status", &code))?, at))
        }
        _ => None,
    };
    let period = r.get::<_, Option<Date>>(4).zip(r.get::<_, Option<Date>>(5));
    let error = r.get::<_, Option<String>>(11).zip(r.get::<_, Option<String>>(12));
    Ok(Order {
        id: r.get(0),
        number: r.get(1),
        user_id: UserId(r.get(2)),
        kind: r.get(3),
        period,
        purpose: r.get(6),
        email: r.get(7),
        post_address: r.get(8),
        request_key: r.get(9),
        status: OrderStatus::from_code(&status).ok_or_else(|| bad_code("order status", &status))?,
        error,
        document_id: r.get(13),
        tracking: r.get(14),
        post,
        created_at: r.get(17),
        updated_at: r.get(18),
        org: r.get::<_, Option<String>>(19).zip(r.get::<_, Option<String>>(21)).map(|(full_name, inn)| OrgHolder {
            full_name,
            short_name: r.get::<_, Option<String>>(20).unwrap_or_default(),
            inn,
            ogrn: r.get::<_, Option<String>>(22).unwrap_or_default(),
            kpp: r.get(23),
        }),
    })
}

#[async_trait::async_trait]
impl SpravkaStore for PgStore {
    async fn next_spravka_number(&self, year: i32) -> StoreResult<i64> {
        let client = self.client().await?;
        let row = client
            .row(
                "INSERT INTO spravka_numbers (year, last) VALUES ($1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = spravka_numbers.last + 1 RETURNING last",
                &[&year],
            )
            .await
            .map_err(map_err)?;
        Ok(row.get(0))
    }

    async fn insert_spravka_order(&self, o: &Order, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            "INSERT INTO spravka_orders (id, number, user_id, kind, period_from, period_to, purpose, email,
                post_address, request_key, status, created_at, updated_at,
                org_full_name, org_short_name, org_inn, org_ogrn, org_kpp)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            &[
                &o.id,
                &o.number,
                &o.user_id.0,
                &o.kind,
                &o.period.map(|p| p.0),
                &o.period.map(|p| p.1),
                &o.purpose,
                &o.email,
                &o.post_address,
                &o.request_key,
                &o.status.code(),
                &o.created_at,
                &o.updated_at,
                &o.org.as_ref().map(|g| g.full_name.as_str()),
                &o.org.as_ref().map(|g| g.short_name.as_str()),
                &o.org.as_ref().map(|g| g.inn.as_str()),
                &o.org.as_ref().map(|g| g.ogrn.as_str()),
                &o.org.as_ref().and_then(|g| g.kpp.as_deref()),
            ],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn find_spravka_order(&self, id: Uuid) -> StoreResult<Option<Order>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{ORDER} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(order_row).transpose()
    }

    async fn find_spravka_order_by_key(&self, user: UserId, key: &str) -> StoreResult<Option<Order>> {
        let client = self.client().await?;
        let row = client
            .maybe_row(&format!("{ORDER} WHERE user_id = $1 AND request_key = $2"), &[&user.0, &key])
            .await
            .map_err(map_err)?;
        row.as_ref().map(order_row).transpose()
    }

    async fn find_spravka_order_by_document(&self, document: Uuid) -> StoreResult<Option<Order>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{ORDER} WHERE document_id = $1"), &[&document]).await.map_err(map_err)?;
        row.as_ref().map(order_row).transpose()
    }

    async fn list_spravka_orders_stalled(&self, before: OffsetDateTime, limit: u32) -> StoreResult<Vec<Order>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    "{ORDER} WHERE status IN ('accepted', 'making') AND updated_at < $1 ORDER BY updated_at, id LIMIT $2"
                ),
                &[&before, &crate::conv::limit(limit)],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(order_row).collect()
    }

    async fn list_spravka_orders_of_user(&self, user: UserId) -> StoreResult<Vec<Order>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{ORDER} WHERE user_id = $1 ORDER BY created_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(order_row).collect()
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
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE spravka_orders SET status = $3, error_code = $4, error_text = $5, updated_at = $6
                 WHERE id = $1 AND status = $2",
                &[&id, &from.code(), &to.code(), &error.map(|e| e.0), &error.map(|e| e.1), &at],
            )
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
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
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let post_status = tracking.map(|_| PostStatus::Accepted.code());
        let post_at = tracking.map(|_| at);
        let n = tx
            .run(
                "UPDATE spravka_orders SET status = 'ready', document_id = $2, tracking = $3, post_status = $4,
                    post_at = $5, updated_at = $6
                 WHERE id = $1 AND status = 'making'",
                &[&id, &document.id, &tracking, &post_status, &post_at, &at],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Ok(false);
        }
        crate::documents::file_issued(&tx, document, signature, der, fx).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn update_spravka_post(
        &self,
        id: Uuid,
        from: PostStatus,
        to: PostStatus,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE spravka_orders SET post_status = $3, post_at = $4, updated_at = $4
                 WHERE id = $1 AND post_status = $2",
                &[&id, &from.code(), &to.code(), &at],
            )
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }
}

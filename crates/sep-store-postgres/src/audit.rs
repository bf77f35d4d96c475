//! [`AuditStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, json, limit, map_err};
use sep_core::audit::store::AuditStore;
use sep_core::audit::{AuditEvent, NewAuditEvent, Outcome};
use sep_core::ids::UserId;
use sep_core::store::StoreResult;
use tokio_postgres::Row;
use uuid::Uuid;

const COLUMNS: &str = "seq, at, actor, subject, action, object, outcome, ip, request_id, details, prev_hash, hash";

fn from_row(r: &Row) -> StoreResult<AuditEvent> {
    let outcome: String = r.get(6);
    let details: String = r.get(9);
    Ok(AuditEvent {
        seq: r.get(0),
        event: NewAuditEvent {
            at: r.get(1),
            actor: r.get::<_, Option<Uuid>>(2).map(UserId),
            subject: r.get::<_, Option<Uuid>>(3).map(UserId),
            action: r.get(4),
            object: r.get(5),
            outcome: Outcome::from_code(&outcome).ok_or_else(|| bad_code("outcome", &outcome))?,
            ip: r.get(7),
            request_id: r.get(8),
            details: json(&details)?,
        },
        prev_hash: r.get(10),
        hash: r.get(11),
    })
}

#[async_trait::async_trait]
impl AuditStore for PgStore {
    async fn insert_audit(&self, event: &NewAuditEvent) -> StoreResult<AuditEvent> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let out = crate::effects::append_audit(&tx, event).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(out)
    }

    async fn list_audit_for_user(&self, user: UserId, before_seq: Option<i64>, n: u32) -> StoreResult<Vec<AuditEvent>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    // The newest of each index, then merged (see the SQLite store). Not
                    // `seq IN (…) OR seq IN (…)`: PostgreSQL plans that as a walk back through
                    // the whole journal until the person's fifth event.
                    "SELECT DISTINCT ON (seq) {COLUMNS} FROM (
                        (SELECT {COLUMNS} FROM audit_events WHERE actor = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3)
                        UNION ALL
                        (SELECT {COLUMNS} FROM audit_events WHERE subject = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3)
                     ) e ORDER BY seq DESC LIMIT $3"
                ),
                &[&user.0, &before_seq.unwrap_or(i64::MAX), &limit(n)],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn list_audit(&self, after_seq: i64, n: u32) -> StoreResult<Vec<AuditEvent>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!("SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"),
                &[&after_seq, &limit(n)],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }
}

//! [`AuditStore`] on SQLite.

use crate::SqliteStore;
use crate::conv::{bad_code, from_ts, parse_uuid};
use rusqlite::{Row, params};
use sep_core::audit::store::AuditStore;
use sep_core::audit::{AuditEvent, NewAuditEvent, Outcome};
use sep_core::ids::UserId;
use sep_core::store::StoreResult;

const COLUMNS: &str = "seq, at, actor, subject, action, object, outcome, ip, request_id, details, prev_hash, hash";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    let uid = |s: Option<String>| s.map(|s| parse_uuid(&s).map(UserId)).transpose();
    let outcome: String = r.get(6)?;
    let details: String = r.get(9)?;
    Ok(AuditEvent {
        seq: r.get(0)?,
        event: NewAuditEvent {
            at: from_ts(r.get(1)?)?,
            actor: uid(r.get(2)?)?,
            subject: uid(r.get(3)?)?,
            action: r.get(4)?,
            object: r.get(5)?,
            outcome: Outcome::from_code(&outcome).ok_or_else(|| bad_code("outcome", &outcome))?,
            ip: r.get(7)?,
            request_id: r.get(8)?,
            details: serde_json::from_str(&details)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, Box::new(e)))?,
        },
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

#[async_trait::async_trait]
impl AuditStore for SqliteStore {
    async fn insert_audit(&self, event: &NewAuditEvent) -> StoreResult<AuditEvent> {
        self.write(|tx| crate::effects::append_audit(tx, event))
    }

    async fn list_audit_for_user(
        &self,
        user: UserId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        // The newest `limit` as actor and the newest `limit` as subject, each in its index's
        // order, merged here: `actor = ?1 OR subject = ?1` read every event of the person and
        // sorted them all, and `seq IN (…) OR seq IN (…)` built two temporary tables per call,
        // for a block that shows five (issue 20).
        static SQL: std::sync::LazyLock<[String; 2]> = std::sync::LazyLock::new(|| {
            ["actor", "subject"].map(|by| {
                format!("SELECT {COLUMNS} FROM audit_events WHERE {by} = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3")
            })
        });
        let id = user.0.to_string();
        let before = before_seq.unwrap_or(i64::MAX);
        self.read(|c| {
            let mut lists = Vec::with_capacity(2);
            for sql in SQL.iter() {
                let mut s = c.prepare_cached(sql)?;
                lists.push(s.query_map(params![id, before, limit], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?);
            }
            let mut all: Vec<AuditEvent> = lists.into_iter().flatten().collect();
            all.sort_unstable_by_key(|e| std::cmp::Reverse(e.seq));
            all.dedup_by_key(|e| e.seq);
            all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(all)
        })
    }

    async fn list_audit(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEvent>> {
        self.read(|c| {
            let mut s =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM audit_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"))?;
            s.query_map(params![after_seq, limit], from_row)?.collect()
        })
    }
}

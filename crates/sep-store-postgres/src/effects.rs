//! Writing [`Effects`] inside the transaction of the change they belong to.

use crate::cached::Cached as _;
use crate::conv::map_err;
use deadpool_postgres::Transaction;
use sep_core::audit::{AuditEvent, GENESIS_HASH, NewAuditEvent, chain_hash};
use sep_core::clock::to_micros;
use sep_core::job::NewJob;
use sep_core::store::{Effects, StoreResult};

/// Serialises appends to the audit chain across connections and nodes.
const AUDIT_LOCK: i64 = 0x5E9_0002;

/// Writes the audit records, jobs and notifications of `fx` in `tx`.
pub(crate) async fn apply(tx: &Transaction<'_>, fx: &Effects) -> StoreResult<()> {
    for e in &fx.audit {
        append_audit(tx, e).await?;
    }
    for j in &fx.jobs {
        insert_job(tx, j).await?;
    }
    for n in &fx.notices {
        tx.run(
            "INSERT INTO notices (user_id, at, kind, title, text, link, critical) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&n.user_id.0, &to_micros(n.at), &n.kind, &n.title, &n.text, &n.link, &n.critical],
        )
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// Appends one record to the chain under the advisory lock (held until commit).
pub(crate) async fn append_audit(tx: &Transaction<'_>, event: &NewAuditEvent) -> StoreResult<AuditEvent> {
    let mut event = event.clone();
    event.at = to_micros(event.at);
    tx.run("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK]).await.map_err(map_err)?;
    let last =
        tx.maybe_row("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", &[]).await.map_err(map_err)?;
    let (seq, prev_hash): (i64, String) = match last {
        Some(r) => (r.get::<_, i64>(0) + 1, r.get(1)),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let hash = chain_hash(&prev_hash, seq, &event);
    tx.run(
        "INSERT INTO audit_events (seq, at, actor, subject, action, object, outcome, ip, request_id, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &seq,
            &event.at,
            &event.actor.map(|u| u.0),
            &event.subject.map(|u| u.0),
            &event.action,
            &event.object,
            &event.outcome.code(),
            &event.ip,
            &event.request_id,
            &event.details_text(),
            &prev_hash,
            &hash,
        ],
    )
    .await
    .map_err(map_err)?;
    Ok(AuditEvent { seq, event, prev_hash, hash })
}

/// Inserts one job; returns its id.
pub(crate) async fn insert_job(tx: &Transaction<'_>, j: &NewJob) -> StoreResult<i64> {
    let now = to_micros(time::OffsetDateTime::now_utc());
    let row = tx
        .row(
            "INSERT INTO jobs (queue, kind, payload, run_at, max_attempts, state, attempts, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6) RETURNING id",
            &[&j.queue, &j.kind, &j.payload.to_string(), &j.run_at, &j.max_attempts, &now],
        )
        .await
        .map_err(map_err)?;
    Ok(row.get(0))
}

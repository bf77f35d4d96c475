//! Writing [`Effects`] inside the transaction of the change they belong to.

use crate::cached::Cached as _;
use crate::conv::{map_err, ts};
use rusqlite::{OptionalExtension, Transaction, params};
use sep_core::audit::{AuditEvent, GENESIS_HASH, NewAuditEvent, chain_hash};
use sep_core::clock::to_micros;
use sep_core::job::NewJob;
use sep_core::store::{Effects, StoreResult};

/// Writes the audit records, jobs and notifications of `fx` in `tx`.
pub(crate) fn apply(tx: &Transaction<'_>, fx: &Effects) -> StoreResult<()> {
    for e in &fx.audit {
        append_audit(tx, e)?;
    }
    for j in &fx.jobs {
        insert_job(tx, j)?;
    }
    for n in &fx.notices {
        tx.prepare_cached(
            "INSERT INTO notices (user_id, at, kind, title, text, link, critical) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut s| {
            s.execute(params![
                n.user_id.0.to_string(),
                ts(to_micros(n.at)),
                n.kind,
                n.title,
                n.text,
                n.link,
                n.critical
            ])
        })
        .map_err(map_err)?;
    }
    Ok(())
}

/// Appends one record to the chain. The single writer connection serialises appends.
pub(crate) fn append_audit(tx: &Transaction<'_>, event: &NewAuditEvent) -> StoreResult<AuditEvent> {
    let mut event = event.clone();
    event.at = to_micros(event.at);
    let last: Option<(i64, String)> = tx
        .row("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(map_err)?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let hash = chain_hash(&prev_hash, seq, &event);
    tx.prepare_cached(
        "INSERT INTO audit_events (seq, at, actor, subject, action, object, outcome, ip, request_id, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .and_then(|mut s| {
        s.execute(params![
            seq,
            ts(event.at),
            event.actor.map(|u| u.0.to_string()),
            event.subject.map(|u| u.0.to_string()),
            event.action,
            event.object,
            event.outcome.code(),
            event.ip,
            event.request_id,
            event.details_text(),
            prev_hash,
            hash,
        ])
    })
    .map_err(map_err)?;
    Ok(AuditEvent { seq, event, prev_hash, hash })
}

/// Inserts one job; returns its id.
pub(crate) fn insert_job(tx: &Transaction<'_>, j: &NewJob) -> StoreResult<i64> {
    let now = ts(to_micros(time::OffsetDateTime::now_utc()));
    tx.prepare_cached(
        "INSERT INTO jobs (queue, kind, payload, run_at, max_attempts, state, attempts, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6)",
    )
    .and_then(|mut s| s.execute(params![j.queue, j.kind, j.payload.to_string(), ts(j.run_at), j.max_attempts, now]))
    .map_err(map_err)?;
    Ok(tx.last_insert_rowid())
}

//! Writing [`Effects`] inside the transaction of the change they belong to.

use crate::cached::Cached as _;
use crate::conv::map_err;
use deadpool_postgres::{StatementCache, Transaction};
use sep_core::audit::{AuditEvent, GENESIS_HASH, NewAuditEvent, chain_tail};
use sep_core::clock::to_micros;
use sep_core::job::NewJob;
use sep_core::store::{Effects, StoreResult};
use std::sync::Arc;

/// Serialises appends to the audit chain across connections and nodes.
const AUDIT_LOCK: i64 = 0x5E9_0002;

/// The statement cache that stands in for a forgotten transaction's (see [`commit_audited`]):
/// the first connection's, kept for the life of the program.
static STAND_IN: std::sync::OnceLock<Arc<StatementCache>> = std::sync::OnceLock::new();

/// Writes the jobs, notifications and audit records of `fx` in `tx`: the jobs and notifications
/// sent at once (tokio-postgres pipelines queries polled together), the audit records last,
/// because appending holds the chain's lock until the commit.
pub(crate) async fn apply(tx: &Transaction<'_>, fx: &Effects) -> StoreResult<()> {
    with_jobs_and_notices(tx, fx, async { Ok(()) }).await?;
    for e in &fx.audit {
        append_audit(tx, e).await?;
    }
    Ok(())
}

/// Writes `fx` in `tx` and commits. The commit is sent with the last audit record's lock and
/// insert, so that the server takes the chain's lock, uses it and releases it in one go: while
/// it waited for this program to answer and send the commit, every other writer waited too,
/// and on a busy machine that wait bounded the sending of applications (issue 20).
pub(crate) async fn commit(tx: Transaction<'_>, fx: &Effects) -> StoreResult<()> {
    with_jobs_and_notices(&tx, fx, async { Ok(()) }).await?;
    commit_audited(tx, fx).await
}

/// Appends the audit records of `fx` (its jobs and notices written already, by
/// [`with_jobs_and_notices`]) and commits, the commit sent with the last record (see [`commit`]).
pub(crate) async fn commit_audited(mut tx: Transaction<'_>, fx: &Effects) -> StoreResult<()> {
    let Some((last, earlier)) = fx.audit.split_last() else {
        return tx.commit().await.map_err(map_err);
    };
    for e in earlier {
        append_audit(&tx, e).await?;
    }
    // Nothing was sent when the statements could not be prepared: the transaction is dropped
    // (and rolled back) as usual.
    let (appended, committed) = append_audit_then(&tx, last, tx.batch_execute("COMMIT")).await?;
    // The transaction has ended at the server either way (after a failed statement the server
    // takes COMMIT as ROLLBACK); dropped, it would send a ROLLBACK outside any transaction, so it
    // is forgotten. First its share of the connection's statement cache is swapped for a share
    // of one cache kept for good: forgetting it then keeps alive nothing that would be freed.
    let stand_in = Arc::clone(STAND_IN.get_or_init(|| Arc::clone(&tx.statement_cache)));
    drop(std::mem::replace(&mut tx.statement_cache, stand_in));
    std::mem::forget(tx);
    appended?;
    committed.map_err(map_err)
}

/// Runs `first` (a change's own statements) with the jobs and notifications of `fx` sent at
/// once; what `first` gives. The audit records are left to [`commit_audited`].
pub(crate) async fn with_jobs_and_notices<T>(
    tx: &Transaction<'_>,
    fx: &Effects,
    first: impl std::future::Future<Output = StoreResult<T>>,
) -> StoreResult<T> {
    let job = tx
        .prepare_cached(
            "INSERT INTO jobs (queue, kind, payload, run_at, max_attempts, state, attempts, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)",
        )
        .await
        .map_err(map_err)?;
    let notice = tx
        .prepare_cached(
            "INSERT INTO notices (user_id, at, kind, title, text, link, critical) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await
        .map_err(map_err)?;
    let now = to_micros(time::OffsetDateTime::now_utc());
    let payloads: Vec<String> = fx.jobs.iter().map(|j| j.payload.to_string()).collect();
    let (job, notice, now) = (&job, &notice, &now);
    let jobs = fx.jobs.iter().zip(&payloads).map(|(j, payload)| async move {
        tx.execute(job, &[&j.queue, &j.kind, payload, &j.run_at, &j.max_attempts, now]).await
    });
    let times: Vec<_> = fx.notices.iter().map(|n| to_micros(n.at)).collect();
    let notices = fx.notices.iter().zip(&times).map(|(n, at)| async move {
        tx.execute(notice, &[&n.user_id.0, at, &n.kind, &n.title, &n.text, &n.link, &n.critical]).await
    });
    let (out, _, _) = futures_util::try_join!(
        first,
        async { futures_util::future::try_join_all(jobs).await.map_err(map_err) },
        async { futures_util::future::try_join_all(notices).await.map_err(map_err) },
    )?;
    Ok(out)
}

/// Appends one record to the chain under the advisory lock (held until commit). The lock and
/// the insert are sent together, and the server reads the chain's head and hashes the new
/// record in the insert ([`sep_core::audit::chain_tail`] says what it hashes): one round trip
/// and the commit under the lock, where there were three (issue 20). The insert is a
/// statement of its own after the lock's, so its snapshot sees the head as it is under it.
pub(crate) async fn append_audit(tx: &Transaction<'_>, event: &NewAuditEvent) -> StoreResult<AuditEvent> {
    let (appended, _) = append_audit_then(tx, event, async { Ok(()) }).await?;
    appended
}

/// [`append_audit`] with `then` sent right after the insert, in the same flight. `Err` when
/// the statements could not be prepared: then nothing was sent and `then` was not polled;
/// else what the append and `then` gave.
async fn append_audit_then<T>(
    tx: &Transaction<'_>,
    event: &NewAuditEvent,
    then: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> StoreResult<(StoreResult<AuditEvent>, Result<T, tokio_postgres::Error>)> {
    let mut event = event.clone();
    event.at = to_micros(event.at);
    let tail = chain_tail(&event);
    // Both prepared first: a query on a prepared statement is sent when first polled, so the
    // lock goes out before the insert.
    let lock = tx.prepare_cached("SELECT pg_advisory_xact_lock($1)").await.map_err(map_err)?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO audit_events (seq, at, actor, subject, action, object, outcome, ip, request_id, details, prev_hash, hash)
             SELECT h.seq + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, h.hash,
                 encode(sha256(int8send(octet_length(h.hash)::int8) || convert_to(h.hash, 'UTF8')
                     || int8send(8) || int8send(h.seq + 1) || $10::bytea), 'hex')
             FROM (SELECT seq, hash FROM (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) l
                   UNION ALL SELECT 0, $11 WHERE NOT EXISTS (SELECT 1 FROM audit_events)) h
             RETURNING seq, prev_hash, hash",
        )
        .await
        .map_err(map_err)?;
    let (actor, subject, details) = (event.actor.map(|u| u.0), event.subject.map(|u| u.0), event.details_text());
    let outcome = event.outcome.code();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 11] = [
        &event.at,
        &actor,
        &subject,
        &event.action,
        &event.object,
        &outcome,
        &event.ip,
        &event.request_id,
        &details,
        &tail,
        &GENESIS_HASH,
    ];
    // Sent in this order when first polled (join! polls in order): the lock, the insert, `then`.
    let (locked, inserted, then) =
        futures_util::join!(tx.execute(&lock, &[&AUDIT_LOCK]), tx.query_one(&insert, &params), then);
    let appended = locked.and(inserted).map_err(map_err).map(|row| AuditEvent {
        seq: row.get(0),
        event,
        prev_hash: row.get(1),
        hash: row.get(2),
    });
    Ok((appended, then))
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

//! [`JobStore`] on SQLite. The single writer serialises claims, so no row locks are needed.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, from_ts, from_ts_opt, ts};
use rusqlite::{Row, params};
use sep_core::StoreError;
use sep_core::job::store::JobStore;
use sep_core::job::{Job, JobState, NewJob};
use sep_core::store::StoreResult;
use time::{Duration, OffsetDateTime};

const COLUMNS: &str =
    "id, queue, kind, payload, run_at, max_attempts, state, attempts, locked_until, locked_by, last_error, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let payload: String = r.get(3)?;
    let state: String = r.get(6)?;
    Ok(Job {
        id: r.get(0)?,
        job: NewJob {
            queue: r.get(1)?,
            kind: r.get(2)?,
            payload: serde_json::from_str(&payload)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e)))?,
            run_at: from_ts(r.get(4)?)?,
            max_attempts: r.get(5)?,
        },
        state: JobState::from_code(&state).ok_or_else(|| bad_code("job state", &state))?,
        attempts: r.get(7)?,
        locked_until: from_ts_opt(r.get(8)?)?,
        locked_by: r.get(9)?,
        last_error: r.get(10)?,
        created_at: from_ts(r.get(11)?)?,
    })
}

#[async_trait::async_trait]
impl JobStore for SqliteStore {
    async fn insert_job(&self, job: &NewJob) -> StoreResult<i64> {
        self.write(|tx| crate::effects::insert_job(tx, job))
    }

    async fn claim_jobs(
        &self,
        queue: &str,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Job>> {
        let now_us = ts(now);
        self.write(|tx| {
            // A worker that died holding its last attempt leaves a dead letter, not a loop.
            tx.run(
                "UPDATE jobs SET state = 'dead', locked_until = NULL, finished_at = ?2,
                     last_error = coalesce(last_error, 'lease expired')
                 WHERE queue = ?1 AND state = 'running' AND locked_until <= ?2 AND attempts >= max_attempts",
                params![queue, now_us],
            )
            .map_err(crate::conv::map_err)?;
            let mut s = tx
                .prepare_cached(&format!(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?3, locked_by = ?4
                     WHERE id IN (SELECT id FROM jobs WHERE queue = ?1
                         AND ((state = 'pending' AND run_at <= ?2) OR (state = 'running' AND locked_until <= ?2))
                         ORDER BY run_at, id LIMIT ?5)
                     RETURNING {COLUMNS}"
                ))
                .map_err(crate::conv::map_err)?;
            let mut jobs: Vec<Job> = s
                .query_map(params![queue, now_us, ts(now + lease), worker, limit], from_row)
                .and_then(Iterator::collect)
                .map_err(crate::conv::map_err)?;
            jobs.sort_by_key(|j| j.id);
            Ok(jobs)
        })
    }

    async fn update_job_done(&self, id: i64, at: OffsetDateTime) -> StoreResult<()> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = ?2 WHERE id = ?1 AND state = 'running'",
                    params![id, ts(at)],
                )
                .map_err(crate::conv::map_err)?;
            if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
    }

    async fn update_job_failed(&self, id: i64, error: &str, retry_at: OffsetDateTime) -> StoreResult<Job> {
        self.write(|tx| {
            tx.row(
                &format!(
                    "UPDATE jobs SET locked_until = NULL, locked_by = NULL, last_error = ?2,
                         state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
                         run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE ?3 END
                     WHERE id = ?1 AND state = 'running' RETURNING {COLUMNS}"
                ),
                params![id, error, ts(retry_at)],
                from_row,
            )
            .map_err(crate::conv::map_err)
        })
    }

    async fn get_job(&self, id: i64) -> StoreResult<Job> {
        self.read(|c| c.row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"), [id], from_row))
    }

    async fn list_jobs(&self, queue: &str, limit: u32) -> StoreResult<Vec<Job>> {
        self.read(|c| {
            let mut s =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE queue = ?1 ORDER BY id DESC LIMIT ?2"))?;
            s.query_map(params![queue, limit], from_row)?.collect()
        })
    }

    async fn list_dead_jobs(&self, queue: &str, limit: u32) -> StoreResult<Vec<Job>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM jobs WHERE queue = ?1 AND state = 'dead' ORDER BY id LIMIT ?2"
            ))?;
            s.query_map(params![queue, limit], from_row)?.collect()
        })
    }
}

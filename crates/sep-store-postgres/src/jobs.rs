//! [`JobStore`] on PostgreSQL: claims with `FOR UPDATE SKIP LOCKED`, so workers on several
//! nodes take disjoint jobs without waiting on each other.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, json, limit, map_err};
use sep_core::StoreError;
use sep_core::job::store::JobStore;
use sep_core::job::{Job, JobState, NewJob};
use sep_core::store::StoreResult;
use time::{Duration, OffsetDateTime};
use tokio_postgres::Row;

const COLUMNS: &str =
    "id, queue, kind, payload, run_at, max_attempts, state, attempts, locked_until, locked_by, last_error, created_at";

fn from_row(r: &Row) -> StoreResult<Job> {
    let payload: String = r.get(3);
    let state: String = r.get(6);
    Ok(Job {
        id: r.get(0),
        job: NewJob {
            queue: r.get(1),
            kind: r.get(2),
            payload: json(&payload)?,
            run_at: r.get(4),
            max_attempts: r.get(5),
        },
        state: JobState::from_code(&state).ok_or_else(|| bad_code("job state", &state))?,
        attempts: r.get(7),
        locked_until: r.get(8),
        locked_by: r.get(9),
        last_error: r.get(10),
        created_at: r.get(11),
    })
}

#[async_trait::async_trait]
impl JobStore for PgStore {
    async fn insert_job(&self, job: &NewJob) -> StoreResult<i64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let id = crate::effects::insert_job(&tx, job).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn claim_jobs(
        &self,
        queue: &str,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        n: u32,
    ) -> StoreResult<Vec<Job>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        // A worker that died holding its last attempt leaves a dead letter, not a loop.
        tx.run(
            "UPDATE jobs SET state = 'dead', locked_until = NULL, finished_at = $2,
                 last_error = coalesce(last_error, 'lease expired')
             WHERE id IN (SELECT id FROM jobs WHERE queue = $1 AND state = 'running' AND locked_until <= $2
                 AND attempts >= max_attempts FOR UPDATE SKIP LOCKED)",
            &[&queue, &now],
        )
        .await
        .map_err(map_err)?;
        let rows = tx
            .rows(
                &format!(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $3, locked_by = $4
                     WHERE id IN (SELECT id FROM jobs WHERE queue = $1
                         AND ((state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until <= $2))
                         ORDER BY run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
                     RETURNING {COLUMNS}"
                ),
                &[&queue, &now, &(now + lease), &worker, &limit(n)],
            )
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        let mut jobs = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    async fn update_job_done(&self, id: i64, at: OffsetDateTime) -> StoreResult<()> {
        let client = self.client().await?;
        let n = client
            .run(
                "UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = $2 WHERE id = $1 AND state = 'running'",
                &[&id, &at],
            )
            .await
            .map_err(map_err)?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn update_job_failed(&self, id: i64, error: &str, retry_at: OffsetDateTime) -> StoreResult<Job> {
        let client = self.client().await?;
        let row = client
            .maybe_row(
                &format!(
                    "UPDATE jobs SET locked_until = NULL, locked_by = NULL, last_error = $2,
                         state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
                         run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE $3 END
                     WHERE id = $1 AND state = 'running' RETURNING {COLUMNS}"
                ),
                &[&id, &error, &retry_at],
            )
            .await
            .map_err(map_err)?;
        row.as_ref().map(from_row).unwrap_or(Err(StoreError::NotFound))
    }

    async fn get_job(&self, id: i64) -> StoreResult<Job> {
        let client = self.client().await?;
        let row =
            client.maybe_row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(from_row).unwrap_or(Err(StoreError::NotFound))
    }

    async fn list_jobs(&self, queue: &str, n: u32) -> StoreResult<Vec<Job>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!("SELECT {COLUMNS} FROM jobs WHERE queue = $1 ORDER BY id DESC LIMIT $2"),
                &[&queue, &limit(n)],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn list_dead_jobs(&self, queue: &str, n: u32) -> StoreResult<Vec<Job>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!("SELECT {COLUMNS} FROM jobs WHERE queue = $1 AND state = 'dead' ORDER BY id LIMIT $2"),
                &[&queue, &limit(n)],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }
}

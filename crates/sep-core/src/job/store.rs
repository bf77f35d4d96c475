//! Storage of the job queue: the [`JobStore`] port.

use super::{Job, NewJob};
use crate::store::StoreResult;
use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

/// The job queue / outbox.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Enqueues one job on its own; returns its id.
    async fn insert_job(&self, job: &NewJob) -> StoreResult<i64>;
    /// Claims up to `limit` due jobs of `queue` for `worker` until `now + lease`. Two
    /// workers never hold the same job at once.
    async fn claim_jobs(
        &self,
        queue: &str,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Job>>;
    /// Marks a claimed job done.
    async fn update_job_done(&self, id: i64, at: OffsetDateTime) -> StoreResult<()>;
    /// Records a failure: the job retries at `retry_at`, or becomes dead once it has used
    /// all its attempts. Returns the new state's job.
    async fn update_job_failed(&self, id: i64, error: &str, retry_at: OffsetDateTime) -> StoreResult<Job>;
    /// A job by id.
    async fn get_job(&self, id: i64) -> StoreResult<Job>;
    /// Dead letters of a queue.
    async fn list_dead_jobs(&self, queue: &str, limit: u32) -> StoreResult<Vec<Job>>;
    /// The newest jobs of a queue, whatever their state.
    async fn list_jobs(&self, queue: &str, limit: u32) -> StoreResult<Vec<Job>>;
}

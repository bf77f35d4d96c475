//! Background jobs and the outbox.
//!
//! A job is enqueued in the same transaction as the change that causes it (an e-mail after a
//! status change, a registry check after a submission), so a crash can lose neither: either
//! both are stored or neither. Workers claim due jobs with a lease; a job whose worker died
//! becomes claimable again when its lease runs out.

mod kind;
pub mod store;

pub use kind::{JobKind, Queue};

use time::OffsetDateTime;

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// Queue name, one worker pool per queue: a [`Queue`]'s code.
    pub queue: String,
    /// What to do: a [`JobKind`]'s code.
    pub kind: String,
    /// Arguments as a JSON object.
    pub payload: serde_json::Value,
    /// Not before this time.
    pub run_at: OffsetDateTime,
    /// Attempts before the job becomes a dead letter.
    pub max_attempts: i32,
}

impl NewJob {
    /// A job of `kind` on its queue, due at `at`, with the default of 10 attempts.
    pub fn of(kind: JobKind, payload: serde_json::Value, at: OffsetDateTime) -> Self {
        Self::now(kind.queue().code(), kind.code(), payload, at)
    }

    /// A job due at `at` with the default of 10 attempts, the queue and kind named as given
    /// (the store's own stories use made-up ones); the portal's jobs come from [`NewJob::of`].
    pub fn now(queue: &str, kind: &str, payload: serde_json::Value, at: OffsetDateTime) -> Self {
        Self { queue: queue.to_owned(), kind: kind.to_owned(), payload, run_at: at, max_attempts: 10 }
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for `run_at`, or for a retry.
    Pending,
    /// Claimed by a worker until `locked_until`.
    Running,
    /// Finished.
    Done,
    /// Failed `max_attempts` times; kept for an operator to look at.
    Dead,
}

impl JobState {
    /// Stable code as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "pending" => Some(Self::Pending),
            "running" => Some(Self::Running),
            "done" => Some(Self::Done),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id, increasing.
    pub id: i64,
    /// The job as enqueued.
    pub job: NewJob,
    /// State.
    pub state: JobState,
    /// Attempts started so far.
    pub attempts: i32,
    /// Lease end while running.
    pub locked_until: Option<OffsetDateTime>,
    /// The worker holding the lease.
    pub locked_by: Option<String>,
    /// The last failure's message.
    pub last_error: Option<String>,
    /// Enqueue time.
    pub created_at: OffsetDateTime,
}

impl Job {
    /// The kind, or `None` when this version does not know it (its handler fails the job,
    /// which retries and then becomes a dead letter).
    pub fn kind(&self) -> Option<JobKind> {
        JobKind::from_code(&self.job.kind)
    }
}

/// Does the work of one queue's jobs.
#[async_trait::async_trait]
pub trait Handler: Send + Sync {
    /// Does the job; `Err` with a message to retry it later (or give up after its attempts).
    async fn handle(&self, job: &Job, now: OffsetDateTime) -> Result<(), String>;
}

/// Claims the due jobs of `queue` and runs them one after another; returns how many ran.
/// A failed job is retried after an exponential back-off (30 s doubling up to 30 min).
pub async fn run_due(
    store: &dyn crate::store::JobStore,
    queue: Queue,
    worker: &str,
    handler: &dyn Handler,
    now: OffsetDateTime,
) -> crate::store::StoreResult<usize> {
    let jobs = store.claim_jobs(queue.code(), worker, now, time::Duration::minutes(5), 16).await?;
    for j in &jobs {
        match handler.handle(j, now).await {
            Ok(()) => store.update_job_done(j.id, now).await?,
            Err(message) => {
                let delay = crate::backoff::retry_delay(
                    j.attempts,
                    time::Duration::seconds(30),
                    time::Duration::minutes(30),
                    crate::backoff::random_unit(),
                );
                store.update_job_failed(j.id, &message, now + delay).await?;
            }
        }
    }
    Ok(jobs.len())
}

//! The background worker of `sep serve`: runs the queues' due jobs (registry checks and
//! completion in `review`, e-mail and SMS in `notify`) until shutdown, and every hour sends
//! the delay notices of overdue applications, fails справка orders whose job died, tells
//! people with balance alerts of a changed balance, and sweeps orphan files. Several portal processes may run it at once: jobs are claimed with a lease, so
//! each runs once.

use sep_core::application::attachment::{FileStore, sweep_orphans};
use sep_core::clock::Clock;
use sep_core::job::{Handler, Queue, run_due};
use sep_core::store::Store;
use sep_web::server::Shutdown;
use std::sync::Arc;
use std::time::Duration;

/// How often the queue is polled when it was empty.
const POLL: Duration = Duration::from_secs(1);

/// How often orphan files are swept (besides at startup).
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// How many claim a queue's jobs at once: two for the queues that draw and sign (CPU-bound, one
/// per core), one for the rest. Jobs are claimed with a lease, so each still runs once.
fn claimers(queue: Queue) -> usize {
    match queue {
        Queue::Receipts | Queue::Spravki => 2,
        // Posting waits on the network, not the processor: a slow receiver holds up only its
        // claimer's batch.
        Queue::Webhooks => 4,
        _ => 1,
    }
}

/// What the worker runs.
pub struct Work {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Each queue with its handler.
    pub queues: Vec<(Queue, Arc<dyn Handler>)>,
    /// Services (for the delay notices' wording).
    pub catalogue: Arc<sep_core::catalogue::Catalogue>,
    /// The files to sweep.
    pub files: Arc<dyn FileStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The maker of справки, whose stalled orders are failed hourly (when справки are issued).
    pub spravki: Option<Arc<sep_core::spravka::make::Maker>>,
    /// ГИС ГМП, for the hourly look at balances with alerts on.
    pub charges: Arc<dyn sep_core::payment::ChargeRegistry>,
}

/// Runs until `shutdown`.
pub async fn run(work: Work, shutdown: Shutdown) {
    let tag = sep_core::ids::random_bytes::<4>().map(u32::from_le_bytes).unwrap_or_default();
    let name = format!("{}-{tag:08x}", std::process::id());
    let stop = shutdown.wait();
    tokio::pin!(stop);
    // The hourly work also runs once at start: a process restarted often still does it.
    let mut last_sweep: Option<tokio::time::Instant> = None;
    loop {
        // Every queue at once, and the drawing-and-signing ones on both cores: a slow PDF does
        // not hold up an SMS, and receipts keep pace with payments.
        let mut ran = 0;
        let mut round = tokio::task::JoinSet::new();
        for (queue, handler) in &work.queues {
            for k in 0..claimers(*queue) {
                let (store, handler, clock, queue) = (work.store.clone(), handler.clone(), work.clock.clone(), *queue);
                let name = format!("{name}-{k}");
                round.spawn(async move {
                    (queue, run_due(store.as_ref(), queue, &name, handler.as_ref(), clock.now()).await)
                });
            }
        }
        while let Some(done) = round.join_next().await {
            match done {
                Ok((_, Ok(n))) => ran += n,
                Ok((queue, Err(e))) => {
                    tracing::warn!(queue = queue.code(), code = e.code(), error = %e, "jobs: storage failed");
                }
                Err(e) => tracing::error!(error = %e, "jobs: a queue's runner failed"),
            }
        }
        if last_sweep.is_none_or(|t| t.elapsed() > SWEEP_EVERY) {
            last_sweep = Some(tokio::time::Instant::now());
            match sep_core::application::review::announce_delays(work.store.as_ref(), &work.catalogue, work.clock.now())
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(applications = n, "delay notices sent"),
                Err(e) => tracing::warn!(code = e.code(), "delay notices failed"),
            }
            if let Some(maker) = &work.spravki {
                match maker.fail_stalled(work.clock.now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(orders = n, "stalled справка orders failed"),
                    Err(e) => tracing::warn!(code = e.code(), "stalled справка orders not checked"),
                }
            }
            match sep_core::payment::account::watch_all(work.store.as_ref(), work.charges.as_ref(), work.clock.now())
                .await
            {
                Ok(n) => tracing::debug!(accounts = n, "balances with alerts looked at"),
                Err(e) => tracing::warn!(error = %e, "balance alerts not checked"),
            }
            match sep_core::integration::idempotency::purge(work.store.as_ref(), work.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "expired idempotency keys removed"),
                Err(e) => tracing::warn!(code = e.code(), "expired idempotency keys not removed"),
            }
            match sweep_orphans(work.files.as_ref(), work.store.as_ref(), crate::cmd::serve::ORPHAN_GRACE).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "orphan files swept"),
                Err(e) => tracing::warn!(error = %e, "orphan file sweep failed"),
            }
        }
        if ran > 0 {
            tracing::debug!(jobs = ran, "jobs run");
            continue;
        }
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(POLL) => {}
        }
    }
    tracing::info!("worker stopped");
}

//! The background worker of `sep serve`: runs the review jobs (registry checks, completion)
//! every second until shutdown. Several portal processes may run it at once: jobs are claimed
//! with a lease, so each runs once.

use sep_core::application::review::{QUEUE, Reviewer};
use sep_core::clock::Clock;
use sep_core::job::run_due;
use sep_web::server::Shutdown;
use std::sync::Arc;
use std::time::Duration;

/// How often the queue is polled when it was empty.
const POLL: Duration = Duration::from_secs(1);

/// Runs until `shutdown`.
pub async fn run(reviewer: Reviewer, clock: Arc<dyn Clock>, shutdown: Shutdown) {
    let tag = sep_core::ids::random_bytes::<4>().map(u32::from_le_bytes).unwrap_or_default();
    let name = format!("{}-{tag:08x}", std::process::id());
    let stop = shutdown.wait();
    tokio::pin!(stop);
    loop {
        let ran = match run_due(reviewer.store.as_ref(), QUEUE, &name, &reviewer, clock.now()).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "review jobs: storage failed");
                0
            }
        };
        if ran > 0 {
            tracing::info!(jobs = ran, "review jobs run");
            continue;
        }
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(POLL) => {}
        }
    }
    tracing::info!("worker stopped");
}

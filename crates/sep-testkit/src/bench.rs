//! What the benchmarks share (`examples/`): a closed-loop load of signed-in clients in process.

use crate::Signed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `clients` concurrent requests of `path` by `w`, each sent again as its answer arrives, for
/// `window`: requests per second, p50 and p99. Every answer must be 200.
#[allow(clippy::panic, reason = "a benchmark stops on a wrong answer")]
pub async fn measure(
    w: Arc<Signed>,
    path: &'static str,
    clients: usize,
    window: Duration,
) -> (f64, Duration, Duration) {
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let w = w.clone();
            tokio::spawn(async move {
                let mut times = Vec::new();
                while start.elapsed() < window {
                    let t = Instant::now();
                    let r = w.get(path).await;
                    assert_eq!(r.status, axum::http::StatusCode::OK, "{path}");
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_else(|e| panic!("a client failed: {e}")));
    }
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    (all.len() as f64 / start.elapsed().as_secs_f64(), pick(0.5), pick(0.99))
}

/// A field of this process's `/proc/self/status` in kB (`VmRSS:`, `VmHWM:`; Linux), 0 when it
/// cannot be read.
pub fn status_kb(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

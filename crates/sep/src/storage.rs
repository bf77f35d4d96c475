//! Opening the configured store: PostgreSQL when `database_url` is set, else embedded
//! SQLite in the data directory.

use crate::config::Config;
use anyhow::Context;
use sep_core::store::{Health as _, Store};
use sep_store_postgres::PgStore;
use sep_store_sqlite::SqliteStore;
use std::sync::Arc;

/// Opens the store and, when `migrate` is set, applies pending migrations.
pub async fn open(cfg: &Config, migrate: bool) -> anyhow::Result<Arc<dyn Store>> {
    let url = cfg.database_url.expose();
    if url.is_empty() || url.starts_with("sqlite:") {
        let path = match url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            Some(p) if !p.is_empty() => std::path::PathBuf::from(p),
            _ => cfg.sqlite_path(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("не удалось создать каталог {}", dir.display()))?;
        }
        let store = SqliteStore::open(&path).with_context(|| format!("не удалось открыть базу {}", path.display()))?;
        if migrate {
            let n = store.migrate().context("миграции SQLite")?;
            tracing::info!(applied = n, path = %path.display(), "SQLite database ready");
        }
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let max = usize::try_from(cfg.database_max_connections).unwrap_or(16);
        let store = PgStore::connect(url, None, max).context("настройки PostgreSQL")?;
        // A database that is not up yet (started together with `sep`, restarting) is waited
        // for with back-off rather than ending the start.
        let wait = std::time::Duration::from_secs(u64::from(cfg.database_wait_seconds));
        let n = until_available(
            wait,
            |attempt, delay| {
                tracing::warn!(attempt, retry_in_ms = delay.as_millis() as u64, "PostgreSQL not reachable yet");
            },
            || async { if migrate { store.migrate().await } else { store.ping().await.map(|()| 0) } },
        )
        .await
        .context("PostgreSQL")?;
        if migrate {
            tracing::info!(applied = n, "PostgreSQL database ready");
        }
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("database_url должен начинаться с postgres:// или sqlite:, получено {:?}", cfg.database_url)
    }
}

/// Runs `attempt` until it succeeds, fails for another reason than an unreachable database,
/// or `wait` has passed; between tries it sleeps with exponential back-off (0.5 s doubling up to
/// 8 s, jittered) and tells `waiting`.
pub async fn until_available<T, F, Fut>(
    wait: std::time::Duration,
    waiting: impl Fn(u32, std::time::Duration),
    mut attempt: F,
) -> Result<T, sep_core::StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, sep_core::StoreError>>,
{
    let started = std::time::Instant::now();
    let mut tries = 0u32;
    loop {
        match attempt().await {
            Err(sep_core::StoreError::Unavailable(e)) if started.elapsed() < wait => {
                tries += 1;
                let delay = sep_core::backoff::retry_delay(
                    i32::try_from(tries).unwrap_or(i32::MAX),
                    time::Duration::milliseconds(500),
                    time::Duration::seconds(8),
                    sep_core::backoff::random_unit(),
                );
                let delay = std::time::Duration::try_from(delay).unwrap_or(std::time::Duration::from_secs(1));
                let delay = delay.min(wait.saturating_sub(started.elapsed())).max(std::time::Duration::from_millis(10));
                waiting(tries, delay);
                tracing::debug!(error = %e, "store unavailable");
                tokio::time::sleep(delay).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sep_core::StoreError;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn an_unreachable_database_is_waited_for_and_other_faults_are_not() {
        let calls = AtomicU32::new(0);
        let waits = AtomicU32::new(0);
        let got = until_available(
            Duration::from_secs(30),
            |_, _| {
                waits.fetch_add(1, Ordering::Relaxed);
            },
            || async {
                if calls.fetch_add(1, Ordering::Relaxed) < 2 {
                    Err(StoreError::Unavailable("refused".into()))
                } else {
                    Ok(7)
                }
            },
        )
        .await;
        assert_eq!(got.unwrap(), 7);
        assert_eq!((calls.load(Ordering::Relaxed), waits.load(Ordering::Relaxed)), (3, 2), "two waits, then up");

        let calls = AtomicU32::new(0);
        let got: Result<(), _> = until_available(
            Duration::from_secs(30),
            |_, _| {},
            || async {
                calls.fetch_add(1, Ordering::Relaxed);
                Err(StoreError::Other("bad password".into()))
            },
        )
        .await;
        assert!(matches!(got, Err(StoreError::Other(_))) && calls.load(Ordering::Relaxed) == 1, "not retried");

        let started = std::time::Instant::now();
        let got: Result<(), _> = until_available(
            Duration::from_millis(300),
            |_, _| {},
            || async { Err(StoreError::Unavailable("refused".into())) },
        )
        .await;
        assert!(matches!(got, Err(StoreError::Unavailable(_))), "gives up after the wait");
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    }
}

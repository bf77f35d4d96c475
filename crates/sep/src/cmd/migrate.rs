//! `sep migrate`.

use crate::config::Config;

/// Applies pending migrations to the configured database.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    crate::logging::init(&cfg);
    tracing::info!(config = ?cfg, "effective configuration");
    let store = crate::storage::open(&cfg, true).await?;
    store.ping().await?;
    tracing::info!(backend = store.backend(), "migrations complete");
    Ok(())
}

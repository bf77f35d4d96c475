//! Opening the configured store: PostgreSQL when `database_url` is set, else embedded
//! SQLite in the data directory.

use crate::config::Config;
use anyhow::Context;
use sep_core::store::Store;
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
        if migrate {
            let n = store.migrate().await.context("миграции PostgreSQL")?;
            tracing::info!(applied = n, "PostgreSQL database ready");
        }
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("database_url должен начинаться с postgres:// или sqlite:, получено {:?}", cfg.database_url)
    }
}

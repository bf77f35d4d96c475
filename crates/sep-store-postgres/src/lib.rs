//! СЭП storage on PostgreSQL, for several portal nodes sharing one database.
//!
//! tokio-postgres with a deadpool pool: statements are pipelined on async connections, so
//! nothing blocks a worker thread. Job claims use `FOR UPDATE SKIP LOCKED`; audit appends
//! take a transaction-scoped advisory lock so the hash chain stays linear across nodes.

mod applications;
mod audit;
mod cached;
mod code_rows;
mod conv;
mod documents;
mod effects;
mod integration;
mod jobs;
mod mail;
mod messages;
mod migrations;
mod notices;
mod operations;
mod passports;
mod payments;
mod relink;
mod sessions;
mod signing;
mod spravki;
mod users;
mod webhooks;

use crate::cached::Cached as _;
use conv::map_err;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use sep_core::StoreError;
use sep_core::store::{Health, StoreResult};
use std::str::FromStr;
use tokio_postgres::NoTls;

pub use migrations::MIGRATIONS;

/// The PostgreSQL store.
pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects lazily to `url`; with `schema`, every connection works in that schema
    /// (tests isolate themselves this way). Does not migrate.
    pub fn connect(url: &str, schema: Option<&str>, max_connections: usize) -> StoreResult<Self> {
        let mut cfg = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Other(format!("invalid database URL: {e}")))?;
        if let Some(schema) = schema {
            if !schema.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(StoreError::Other("invalid schema name".into()));
            }
            cfg.options(format!("-c search_path={schema}"));
        }
        cfg.connect_timeout(std::time::Duration::from_secs(5));
        cfg.application_name("sep");
        let mgr = Manager::from_config(cfg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(mgr)
            .max_size(max_connections.max(1))
            .wait_timeout(Some(std::time::Duration::from_secs(5)))
            .create_timeout(Some(std::time::Duration::from_secs(5)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(Self { pool })
    }

    pub(crate) async fn client(&self) -> StoreResult<Object> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => map_err(e),
            other => StoreError::Unavailable(other.to_string()),
        })
    }

    /// Applies the embedded migrations that are missing; returns how many ran.
    pub async fn migrate(&self) -> StoreResult<usize> {
        let mut client = self.client().await?;
        migrations::run(&mut client).await
    }

    /// How many holders share each open connection's statement cache, the connections held
    /// meanwhile: 1 each while nothing else holds them (the commit that forgets its
    /// transaction must not leave a share behind; one connection may also be the stand-in's,
    /// `effects::commit_audited`). For the tests.
    pub async fn statement_cache_shares(&self) -> StoreResult<Vec<usize>> {
        let mut held = Vec::new();
        for _ in 0..self.pool.status().size {
            held.push(self.client().await?);
        }
        Ok(held.iter().map(|c| std::sync::Arc::strong_count(&c.statement_cache)).collect())
    }

    /// Table and column names of the live schema, for the parity check with SQLite.
    pub async fn schema_columns(&self) -> StoreResult<Vec<(String, String)>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() ORDER BY 1, 2",
                &[],
            )
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

#[async_trait::async_trait]
impl Health for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        let client = self.client().await?;
        client.row("SELECT count(*) FROM schema_migrations", &[]).await.map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

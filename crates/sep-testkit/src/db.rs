//! A fresh, migrated database per test.

use sep_core::store::Store;
use sep_store_postgres::PgStore;
use sep_store_sqlite::SqliteStore;
use std::sync::Arc;
use tempfile::TempDir;

/// Which backend a test database uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite in a temporary directory.
    Sqlite,
    /// PostgreSQL in a schema of its own.
    Postgres,
}

enum Handle {
    Sqlite { store: Arc<SqliteStore>, _dir: TempDir },
    Postgres { store: Arc<PgStore>, url: String, schema: String },
}

/// A migrated database that lives as long as the value.
pub struct TestDb {
    handle: Handle,
}

/// The PostgreSQL URL for tests, if configured. Under `SEP_TEST_ALL=1` its absence fails.
pub fn postgres_url() -> Option<String> {
    match std::env::var("SEP_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"),
                "SEP_TEST_ALL=1 but SEP_TEST_DATABASE_URL is not set: PostgreSQL tests cannot run"
            );
            None
        }
    }
}

fn unique_schema() -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    format!("sep_test_{now}_{}", uuid::Uuid::new_v4().simple())
}

async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to SEP_TEST_DATABASE_URL: {e}"));
    tokio::spawn(conn);
    client
}

/// Drops test schemas left by earlier runs (older than an hour), so the database stays small.
async fn drop_stale_schemas(client: &tokio_postgres::Client) {
    let cutoff = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    let rows =
        client.query("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'sep_test_%'", &[]).await.unwrap();
    for r in rows {
        let name: String = r.get(0);
        let ts = name.split('_').nth(2).and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
        if ts < cutoff {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).await;
        }
    }
}

impl TestDb {
    /// A migrated SQLite database in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("sep.db")).unwrap();
        store.migrate().unwrap();
        Self { handle: Handle::Sqlite { store: Arc::new(store), _dir: dir } }
    }

    /// A migrated PostgreSQL schema, or `None` when PostgreSQL is not configured.
    pub async fn postgres() -> Option<Self> {
        let url = postgres_url()?;
        let admin = admin_client(&url).await;
        drop_stale_schemas(&admin).await;
        let schema = unique_schema();
        admin.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
        let store = PgStore::connect(&url, Some(&schema), 8).unwrap();
        store.migrate().await.unwrap();
        Some(Self { handle: Handle::Postgres { store: Arc::new(store), url, schema } })
    }

    /// A database on `backend`, or `None` when that backend is not configured.
    pub async fn on(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        match self.handle {
            Handle::Sqlite { .. } => Backend::Sqlite,
            Handle::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The store as the application sees it.
    pub fn store(&self) -> Arc<dyn Store> {
        match &self.handle {
            Handle::Sqlite { store, .. } => store.clone(),
            Handle::Postgres { store, .. } => store.clone(),
        }
    }

    /// The PostgreSQL URL and the schema of this database, when it is PostgreSQL (to connect
    /// another store to it, e.g. through a [`crate::link::Link`]).
    pub fn postgres_schema(&self) -> Option<(&str, &str)> {
        match &self.handle {
            Handle::Sqlite { .. } => None,
            Handle::Postgres { url, schema, .. } => Some((url, schema)),
        }
    }

    /// The SQLite store, when this is SQLite.
    pub fn sqlite_store(&self) -> Option<&SqliteStore> {
        match &self.handle {
            Handle::Sqlite { store, .. } => Some(store),
            Handle::Postgres { .. } => None,
        }
    }

    /// The PostgreSQL store, when this is PostgreSQL.
    pub fn pg_store(&self) -> Option<&PgStore> {
        match &self.handle {
            Handle::Postgres { store, .. } => Some(store),
            Handle::Sqlite { .. } => None,
        }
    }

    /// Runs raw SQL outside the store, as an attacker with database access or an operator
    /// would. Returns the database's refusal as text.
    pub async fn raw_execute(&self, sql: &str) -> Result<(), String> {
        match &self.handle {
            Handle::Sqlite { store, .. } => {
                let conn = rusqlite::Connection::open(store.path()).map_err(|e| e.to_string())?;
                conn.execute_batch(sql).map_err(|e| e.to_string())
            }
            Handle::Postgres { url, schema, .. } => {
                let client = admin_client(url).await;
                client
                    .batch_execute(&format!("SET search_path = {schema}; {sql}"))
                    .await
                    .map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), ToString::to_string))
            }
        }
    }
}

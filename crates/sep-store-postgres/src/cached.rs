//! Queries through the connection's statement cache. tokio-postgres's `query`, `query_one`,
//! `query_opt` and `execute` given SQL text prepare it on every call: one more round trip, and
//! the server parsing and planning it again (issue 20). Here a statement is prepared once per
//! pooled connection and reused.

use tokio_postgres::types::ToSql;
use tokio_postgres::{Error, Row};

/// Cached forms of `query`, `query_one`, `query_opt` and `execute`, on a pooled connection
/// and on its transactions.
#[async_trait::async_trait]
pub(crate) trait Cached {
    /// Every row of `sql` with `params`.
    async fn rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error>;
    /// Exactly one row.
    async fn row(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, Error>;
    /// At most one row.
    async fn maybe_row(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, Error>;
    /// Runs `sql`; how many rows it changed.
    async fn run(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error>;
}

macro_rules! cached {
    ($t:ty) => {
        #[async_trait::async_trait]
        impl Cached for $t {
            async fn rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error> {
                let s = self.prepare_cached(sql).await?;
                self.query(&s, params).await
            }

            async fn row(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, Error> {
                let s = self.prepare_cached(sql).await?;
                self.query_one(&s, params).await
            }

            async fn maybe_row(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, Error> {
                let s = self.prepare_cached(sql).await?;
                self.query_opt(&s, params).await
            }

            async fn run(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error> {
                let s = self.prepare_cached(sql).await?;
                self.execute(&s, params).await
            }
        }
    };
}

cached!(deadpool_postgres::ClientWrapper);
cached!(deadpool_postgres::Transaction<'_>);

//! `query_row` and `execute` through the connection's statement cache. rusqlite's own
//! `Connection::query_row` and `Connection::execute` prepare the SQL each time — parsing it,
//! planning it, naming its columns — which was most of a point lookup's cost (issue 20).

use rusqlite::{Connection, Params, Row};

/// Cached forms of `query_row` and `execute` (a `Transaction` has them too, through `Deref`).
pub(crate) trait Cached {
    /// The first row of `sql` with `params`, read by `f`.
    fn row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>;

    /// Runs `sql` with `params`; how many rows it changed.
    fn run<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Cached for Connection {
    fn row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn run<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

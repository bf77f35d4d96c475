//! The database plumbing shared by every SQLite-backed store (the portal's and the
//! Госуслуги emulator's): one writer connection, a pool of read connections, all used on
//! the calling thread; migrations from an embedded list.

use crate::conv::map_err;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use sep_core::StoreError;
use sep_core::migrate::Migration;
use sep_core::store::StoreResult;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How many idle read connections are kept; more are opened under load and closed after.
const IDLE_READERS: usize = 8;

/// A SQLite database file with its connections. Cheap to share behind an `Arc`.
pub struct Db {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL: readers never block the writer. NORMAL: a commit survives a process crash
    // (kill -9); only a power loss can lose the last transactions (docs/decisions).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    steady(conn)
}

/// What every connection sets, readers too: a statement cache big enough for every query of
/// a page, and the query planner's stability guarantee. Without it SQLite marks a cached
/// statement with `WHERE x = ?1 … ORDER BY` to be prepared again whenever `?1` changes (so its
/// plan may follow the value) — on every use, as the parse was a fifth of a signed-in page's
/// time (issue 20). Our plans do not depend on values: there are no statistics tables.
fn steady(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Prepared statements kept per connection.
const STATEMENTS: usize = 256;

impl Db {
    /// Opens (creating if needed) the database file at `path`. Does not migrate.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let writer = Connection::open(path).map_err(map_err)?;
        configure(&writer).map_err(map_err)?;
        Ok(Self { path: path.to_owned(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies the migrations of `list` that are missing; returns how many ran.
    pub fn migrate(&self, list: &[Migration]) -> StoreResult<usize> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Other("writer lock poisoned".into()))?;
        crate::migrations::run(&mut conn, list)
    }

    fn open_reader(&self) -> StoreResult<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(map_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(map_err)?;
        steady(&conn).map_err(map_err)?;
        Ok(conn)
    }

    /// Runs `f` on a read connection, on the current thread.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let pooled = self.readers.lock().ok().and_then(|mut v| v.pop());
        let conn = match pooled {
            Some(c) => c,
            None => self.open_reader()?,
        };
        let result = f(&conn).map_err(map_err);
        if let Ok(mut v) = self.readers.lock()
            && v.len() < IDLE_READERS
        {
            v.push(conn);
        }
        result
    }

    /// Runs `f` in an immediate write transaction, on the current thread, and commits.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Other("writer lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(map_err)?;
        let out = f(&tx)?;
        tx.commit().map_err(map_err)?;
        Ok(out)
    }

    /// Table and column names of the live schema, for the parity check with PostgreSQL.
    pub fn schema_columns(&self) -> StoreResult<Vec<(String, String)>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    /// A cached statement with `WHERE x = ?1 … ORDER BY` is not prepared again when `?1`
    /// changes (issue 20: it was, on every use).
    #[test]
    fn a_cached_statement_is_not_prepared_again_for_new_values() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        db.write(|tx| {
            tx.execute_batch("CREATE TABLE t (a TEXT, b INTEGER); CREATE INDEX t_a ON t (a, b);").map_err(map_err)
        })
        .unwrap();
        let sql = "SELECT b FROM t WHERE a = ?1 ORDER BY b DESC";
        for conn in [&*db.writer.lock().unwrap(), &db.open_reader().unwrap()] {
            for value in ["x", "y", "z", "w"] {
                let mut s = conn.prepare_cached(sql).unwrap();
                let _: Vec<i64> = s.query_map([value], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
            }
            let s = conn.prepare_cached(sql).unwrap();
            assert_eq!(s.get_status(rusqlite::StatementStatus::RePrepare), 0);
        }
    }
}

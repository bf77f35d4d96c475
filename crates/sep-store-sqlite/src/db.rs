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
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

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
        conn.set_prepared_statement_cache_capacity(64);
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

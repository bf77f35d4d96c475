//! Conversions between driver values and core types.

use sep_core::StoreError;
use tokio_postgres::error::SqlState;

/// Maps a driver error to the core's four kinds. The text kept is the server's message with
/// its code, never its `DETAIL` (which can quote a row's values: personal data in the log).
pub(crate) fn map_err(e: tokio_postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let text = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION
            || *code == SqlState::FOREIGN_KEY_VIOLATION
            || *code == SqlState::CHECK_VIOLATION
        {
            return StoreError::Conflict { constraint: db.constraint().unwrap_or("constraint").to_owned() };
        }
        if code.code().starts_with("08") || *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::TOO_MANY_CONNECTIONS
        {
            return StoreError::Unavailable(text);
        }
        return StoreError::Other(text);
    }
    if e.is_closed() || e.to_string().contains("connect") {
        return StoreError::Unavailable(e.to_string());
    }
    StoreError::Other(e.to_string())
}

/// A stored code that the core does not know: corrupted data.
pub(crate) fn bad_code(what: &str, code: &str) -> StoreError {
    StoreError::Other(format!("unknown {what} code {code:?}"))
}

/// A JSON text column that does not parse: corrupted data.
pub(crate) fn json(text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Other(format!("stored JSON refused: {e}")))
}

/// A count or limit as PostgreSQL's BIGINT.
pub(crate) fn limit(n: u32) -> i64 {
    i64::from(n)
}

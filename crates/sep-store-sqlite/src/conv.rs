//! Conversions between driver values and core types, for every SQLite-backed store.

use rusqlite::ErrorCode;
use sep_core::StoreError;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Maps a rusqlite error to the core's four kinds.
pub fn map_err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        rusqlite::Error::SqliteFailure(f, msg) => match f.code {
            ErrorCode::ConstraintViolation => {
                StoreError::Conflict { constraint: msg.clone().unwrap_or_else(|| "constraint".into()) }
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen | ErrorCode::DiskFull => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        },
        _ => StoreError::Other(e.to_string()),
    }
}

/// UTC time → microseconds since the epoch.
pub fn ts(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// Microseconds since the epoch → UTC time.
pub fn from_ts(us: i64) -> rusqlite::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e)))
}

/// Optional variant of [`from_ts`].
pub fn from_ts_opt(us: Option<i64>) -> rusqlite::Result<Option<OffsetDateTime>> {
    us.map(from_ts).transpose()
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Date → ISO text.
pub fn date_text(d: Option<Date>) -> Option<String> {
    d.and_then(|d| d.format(DATE).ok())
}

/// ISO text → date.
pub fn parse_date(s: Option<String>) -> rusqlite::Result<Option<Date>> {
    s.map(|s| {
        Date::parse(&s, DATE)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
    })
    .transpose()
}

/// Text → UUID.
pub fn parse_uuid(s: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// A stored code that the core does not know: corrupted data.
pub fn bad_code(what: &str, code: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what} code {code:?}").into(),
    )
}

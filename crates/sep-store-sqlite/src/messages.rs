//! The «Связаться с оператором» thread on SQLite (called from the `ApplicationStore` impl).

use crate::SqliteStore;
use crate::conv::{from_ts, map_err, parse_uuid, ts};
use rusqlite::params;
use sep_core::application::record::{ApplicationId, Message, StoredFile};
use sep_core::ids::UserId;
use sep_core::store::{Effects, StoreResult};

pub(crate) fn insert(s: &SqliteStore, m: &Message, fx: &Effects) -> StoreResult<i64> {
    let f = m.file.as_ref();
    s.write(|tx| {
        tx.execute(
            "INSERT INTO application_messages (application_id, at, author_id, author, text, file_name, content_type, size, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                m.application_id.0.to_string(),
                ts(m.at),
                m.author_id.0.to_string(),
                m.author,
                m.text,
                f.map(|f| f.file_name.clone()),
                f.map(|f| f.content_type.clone()),
                f.map(|f| f.size),
                f.map(|f| f.sha256.clone()),
            ],
        )
        .map_err(map_err)?;
        let id = tx.last_insert_rowid();
        crate::effects::apply(tx, fx)?;
        Ok(id)
    })
}

/// A message row, as both lists select it (the application's id last).
fn message(r: &rusqlite::Row<'_>) -> rusqlite::Result<Message> {
    let author: String = r.get(2)?;
    let app: String = r.get(9)?;
    let name: Option<String> = r.get(5)?;
    Ok(Message {
        id: r.get(0)?,
        application_id: ApplicationId(parse_uuid(&app)?),
        at: from_ts(r.get(1)?)?,
        author_id: UserId(parse_uuid(&author)?),
        author: r.get(3)?,
        text: r.get(4)?,
        file: match name {
            Some(file_name) => {
                Some(StoredFile { file_name, content_type: r.get(6)?, size: r.get(7)?, sha256: r.get(8)? })
            }
            None => None,
        },
    })
}

pub(crate) fn list(s: &SqliteStore, id: ApplicationId) -> StoreResult<Vec<Message>> {
    s.read(|c| {
        let mut q = c.prepare_cached(
            "SELECT id, at, author_id, author, text, file_name, content_type, size, sha256, application_id
             FROM application_messages WHERE application_id = ?1 ORDER BY id",
        )?;
        q.query_map([id.0.to_string()], message)?.collect()
    })
}

/// The messages with a file in the threads of `user`'s applications, oldest first.
pub(crate) fn files_of_user(s: &SqliteStore, user: UserId) -> StoreResult<Vec<Message>> {
    s.read(|c| {
        let mut q = c.prepare_cached(
            "SELECT m.id, m.at, m.author_id, m.author, m.text, m.file_name, m.content_type, m.size, m.sha256,
                    m.application_id
             FROM application_messages m JOIN applications p ON p.id = m.application_id
             WHERE p.user_id = ?1 AND m.file_name IS NOT NULL ORDER BY m.id",
        )?;
        q.query_map([user.0.to_string()], message)?.collect()
    })
}

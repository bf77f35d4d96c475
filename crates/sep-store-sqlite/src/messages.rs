//! The «Связаться с оператором» thread on SQLite (called from the `ApplicationStore` impl): read
//! from the mail its messages are (`mail_letters` of the application), numbered in order; and
//! the rows of the earlier `application_messages` table, read to be moved into mail.

use crate::SqliteStore;
use crate::conv::{from_ts, parse_uuid};
use sep_core::application::record::{ApplicationId, Message, StoredFile};
use sep_core::ids::UserId;
use sep_core::store::StoreResult;

/// An application's messages, numbered from 1 in the order written (a message's number is its
/// place in the thread: messages are only ever added), with the first file of each.
const THREAD: &str = "SELECT ROW_NUMBER() OVER (PARTITION BY l.application_id ORDER BY l.sent_at, l.id) AS n,
        l.sent_at AS at, l.author_id AS author_id,
        CASE l.from_kind WHEN 'person' THEN 'applicant' ELSE 'officer' END AS author, l.body AS text,
        f.name AS file_name, f.content_type AS content_type, f.size AS size, f.sha256 AS sha256,
        l.application_id AS application_id
    FROM mail_letters l LEFT JOIN mail_files f ON f.letter_id = l.id AND f.idx = 0";

/// A message row in the order [`THREAD`] and the legacy table select it.
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
        let mut q = c.prepare_cached(&format!("{THREAD} WHERE l.application_id = ?1 ORDER BY l.sent_at, l.id"))?;
        q.query_map([id.0.to_string()], message)?.collect()
    })
}

/// The messages with a file in the threads of `user`'s applications, oldest first.
pub(crate) fn files_of_user(s: &SqliteStore, user: UserId) -> StoreResult<Vec<Message>> {
    s.read(|c| {
        let mut q = c.prepare_cached(&format!(
            "SELECT * FROM ({THREAD} JOIN applications p ON p.id = l.application_id WHERE p.user_id = ?1)
             WHERE sha256 IS NOT NULL ORDER BY at, n"
        ))?;
        q.query_map([user.0.to_string()], message)?.collect()
    })
}

/// The oldest `limit` rows of the earlier table, with their own ids.
pub(crate) fn legacy(s: &SqliteStore, limit: i64) -> StoreResult<Vec<Message>> {
    s.read(|c| {
        let mut q = c.prepare_cached(
            "SELECT id, at, author_id, author, text, file_name, content_type, size, sha256, application_id
             FROM application_messages ORDER BY id LIMIT ?1",
        )?;
        q.query_map([limit], message)?.collect()
    })
}

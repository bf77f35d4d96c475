//! The «Связаться с оператором» thread on PostgreSQL (called from the `ApplicationStore` impl):
//! read from the mail its messages are (`mail_letters` of the application), numbered in order;
//! and the rows of the earlier `application_messages` table, read to be moved into mail.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::map_err;
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
fn message(r: &tokio_postgres::Row) -> Message {
    Message {
        id: r.get(0),
        application_id: ApplicationId(r.get(9)),
        at: r.get(1),
        author_id: UserId(r.get(2)),
        author: r.get(3),
        text: r.get(4),
        file: r.get::<_, Option<String>>(5).map(|file_name| StoredFile {
            file_name,
            content_type: r.get(6),
            size: r.get(7),
            sha256: r.get(8),
        }),
    }
}

pub(crate) async fn list(s: &PgStore, id: ApplicationId) -> StoreResult<Vec<Message>> {
    let client = s.client().await?;
    let sql = format!("{THREAD} WHERE l.application_id = $1 ORDER BY l.sent_at, l.id");
    let rows = client.rows(&sql, &[&id.0]).await.map_err(map_err)?;
    Ok(rows.iter().map(message).collect())
}

/// The messages with a file in the threads of `user`'s applications, oldest first.
pub(crate) async fn files_of_user(s: &PgStore, user: UserId) -> StoreResult<Vec<Message>> {
    let client = s.client().await?;
    let sql = format!(
        "SELECT * FROM ({THREAD} JOIN applications p ON p.id = l.application_id WHERE p.user_id = $1) t
         WHERE t.sha256 IS NOT NULL ORDER BY t.at, t.n"
    );
    let rows = client.rows(&sql, &[&user.0]).await.map_err(map_err)?;
    Ok(rows.iter().map(message).collect())
}

/// The oldest `limit` rows of the earlier table, with their own ids.
pub(crate) async fn legacy(s: &PgStore, limit: i64) -> StoreResult<Vec<Message>> {
    let client = s.client().await?;
    let rows = client
        .rows(
            "SELECT id, at, author_id, author, text, file_name, content_type, size, sha256, application_id
             FROM application_messages ORDER BY id LIMIT $1",
            &[&limit],
        )
        .await
        .map_err(map_err)?;
    Ok(rows.iter().map(message).collect())
}

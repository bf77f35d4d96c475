//! The «Связаться с оператором» thread on PostgreSQL (called from the `ApplicationStore` impl).

use crate::PgStore;
use crate::conv::map_err;
use sep_core::application::record::{ApplicationId, Message, StoredFile};
use sep_core::ids::UserId;
use sep_core::store::{Effects, StoreResult};

pub(crate) async fn insert(s: &PgStore, m: &Message, fx: &Effects) -> StoreResult<i64> {
    let f = m.file.as_ref();
    let mut client = s.client().await?;
    let tx = client.transaction().await.map_err(map_err)?;
    let row = tx
        .query_one(
            "INSERT INTO application_messages (application_id, at, author_id, author, text, file_name, content_type, size, sha256)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &m.application_id.0,
                &m.at,
                &m.author_id.0,
                &m.author,
                &m.text,
                &f.map(|f| f.file_name.clone()),
                &f.map(|f| f.content_type.clone()),
                &f.map(|f| f.size),
                &f.map(|f| f.sha256.clone()),
            ],
        )
        .await
        .map_err(map_err)?;
    crate::effects::apply(&tx, fx).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(row.get(0))
}

/// A message row: the columns both lists select, in this order (the application's id last).
const COLUMNS: &str = "m.id, m.at, m.author_id, m.author, m.text, m.file_name, m.content_type, m.size, m.sha256, \
     m.application_id";

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
    let sql = format!("SELECT {COLUMNS} FROM application_messages m WHERE m.application_id = $1 ORDER BY m.id");
    let rows = client.query(&sql, &[&id.0]).await.map_err(map_err)?;
    Ok(rows.iter().map(message).collect())
}

/// The messages with a file in the threads of `user`'s applications, oldest first.
pub(crate) async fn files_of_user(s: &PgStore, user: UserId) -> StoreResult<Vec<Message>> {
    let client = s.client().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM application_messages m JOIN applications p ON p.id = m.application_id
         WHERE p.user_id = $1 AND m.file_name IS NOT NULL ORDER BY m.id"
    );
    let rows = client.query(&sql, &[&user.0]).await.map_err(map_err)?;
    Ok(rows.iter().map(message).collect())
}

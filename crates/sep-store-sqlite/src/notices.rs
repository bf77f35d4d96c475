//! [`NoticeStore`] on SQLite (notifications are inserted through `Effects`).

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{from_ts, from_ts_opt, map_err, ts};
use rusqlite::params;
use sep_core::ids::UserId;
use sep_core::notice::store::NoticeStore;
use sep_core::notice::{NewNotice, Notice};
use sep_core::store::StoreResult;
use time::OffsetDateTime;

#[async_trait::async_trait]
impl NoticeStore for SqliteStore {
    async fn list_notices(&self, user: UserId, limit: u32) -> StoreResult<Vec<Notice>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, at, kind, title, text, link, critical, read_at FROM notices
                 WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            s.query_map(params![user.0.to_string(), limit], |r| {
                Ok(Notice {
                    id: r.get(0)?,
                    notice: NewNotice {
                        user_id: user,
                        at: from_ts(r.get(1)?)?,
                        kind: r.get(2)?,
                        title: r.get(3)?,
                        text: r.get(4)?,
                        link: r.get(5)?,
                        critical: r.get(6)?,
                    },
                    read_at: from_ts_opt(r.get(7)?)?,
                })
            })?
            .collect()
        })
    }

    async fn update_notices_read(&self, user: UserId, up_to: i64, at: OffsetDateTime) -> StoreResult<u64> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE notices SET read_at = ?3 WHERE user_id = ?1 AND id <= ?2 AND read_at IS NULL",
                    params![user.0.to_string(), up_to, ts(at)],
                )
                .map_err(map_err)?;
            Ok(n as u64)
        })
    }
}

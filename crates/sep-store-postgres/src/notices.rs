//! [`NoticeStore`] on PostgreSQL (notifications are inserted through `Effects`).

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::map_err;
use sep_core::ids::UserId;
use sep_core::notice::store::NoticeStore;
use sep_core::notice::{NewNotice, Notice};
use sep_core::store::StoreResult;
use time::OffsetDateTime;

#[async_trait::async_trait]
impl NoticeStore for PgStore {
    async fn list_notices(&self, user: UserId, limit: u32) -> StoreResult<Vec<Notice>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT id, at, kind, title, text, link, critical, read_at FROM notices
                 WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                &[&user.0, &i64::from(limit)],
            )
            .await
            .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Notice {
                id: r.get(0),
                notice: NewNotice {
                    user_id: user,
                    at: r.get(1),
                    kind: r.get(2),
                    title: r.get(3),
                    text: r.get(4),
                    link: r.get(5),
                    critical: r.get(6),
                },
                read_at: r.get(7),
            })
            .collect())
    }

    async fn update_notices_read(&self, user: UserId, up_to: i64, at: OffsetDateTime) -> StoreResult<u64> {
        let client = self.client().await?;
        client
            .run(
                "UPDATE notices SET read_at = $3 WHERE user_id = $1 AND id <= $2 AND read_at IS NULL",
                &[&user.0, &up_to, &at],
            )
            .await
            .map_err(map_err)
    }
}

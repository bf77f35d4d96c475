//! [`PassportStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, map_err};
use deadpool_postgres::Transaction;
use sep_core::application::record::{ApplicationId, StoredFile};
use sep_core::ids::UserId;
use sep_core::passport::record::{AnnulReason, Passport, PassportStatus, StatusEntry};
use sep_core::passport::store::PassportStore;
use sep_core::store::{Effects, StoreResult};
use tokio_postgres::Row;
use uuid::Uuid;

const PASSPORT: &str = "SELECT id, number, user_id, application_id, inn, passport_series, passport_number, last_name,
    first_name, middle_name, birth_date, birth_place, citizenship, photo_name, photo_type, photo_size, photo_sha256,
    issued_at, valid_until, status, code_es256, code_gost FROM passports";

const HISTORY: &str = "SELECT id, passport_id, at, status, by_user, reason, comment FROM passport_history";

fn passport_row(r: &Row) -> StoreResult<Passport> {
    let status: &str = r.get(19);
    Ok(Passport {
        id: r.get(0),
        number: r.get(1),
        user_id: UserId(r.get(2)),
        application_id: ApplicationId(r.get(3)),
        inn: r.get(4),
        passport_series: r.get(5),
        passport_number: r.get(6),
        last_name: r.get(7),
        first_name: r.get(8),
        middle_name: r.get(9),
        birth_date: r.get(10),
        birth_place: r.get(11),
        citizenship: r.get(12),
        photo: StoredFile { file_name: r.get(13), content_type: r.get(14), size: r.get(15), sha256: r.get(16) },
        issued_at: r.get(17),
        valid_until: r.get(18),
        status: PassportStatus::from_code(status).ok_or_else(|| bad_code("passport status", status))?,
        code_es256: r.get(20),
        code_gost: r.get(21),
    })
}

fn history_row(r: &Row) -> StoreResult<StatusEntry> {
    let status: &str = r.get(3);
    let reason: Option<&str> = r.get(5);
    Ok(StatusEntry {
        id: r.get(0),
        passport_id: r.get(1),
        at: r.get(2),
        status: PassportStatus::from_code(status).ok_or_else(|| bad_code("passport status", status))?,
        by: r.get::<_, Option<Uuid>>(4).map(UserId),
        reason: reason.map(|c| AnnulReason::from_code(c).ok_or_else(|| bad_code("annulment reason", c))).transpose()?,
        comment: r.get(6),
    })
}

async fn insert_history(tx: &Transaction<'_>, e: &StatusEntry) -> StoreResult<()> {
    tx.run(
        "INSERT INTO passport_history (id, passport_id, at, status, by_user, reason, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &e.id,
            &e.passport_id,
            &e.at,
            &e.status.code(),
            &e.by.map(|u| u.0),
            &e.reason.map(AnnulReason::code),
            &e.comment,
        ],
    )
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn annul(tx: &Transaction<'_>, e: &StatusEntry) -> StoreResult<bool> {
    let n = tx
        .run("UPDATE passports SET status = 'annulled' WHERE id = $1 AND status = 'valid'", &[&e.passport_id])
        .await
        .map_err(map_err)?;
    if n == 1 {
        insert_history(tx, e).await?;
    }
    Ok(n == 1)
}

#[async_trait::async_trait]
impl PassportStore for PgStore {
    async fn next_passport_number(&self, year: i32) -> StoreResult<i64> {
        let client = self.client().await?;
        let row = client
            .row(
                "INSERT INTO passport_numbers (year, last) VALUES ($1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = passport_numbers.last + 1 RETURNING last",
                &[&year],
            )
            .await
            .map_err(map_err)?;
        Ok(row.get(0))
    }

    async fn issue_passport(
        &self,
        p: &Passport,
        first: &StatusEntry,
        annul_old: Option<&StatusEntry>,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        // One issuing per application at a time: the second waits here and then finds it.
        tx.run("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 21))", &[&p.application_id.0.to_string()])
            .await
            .map_err(map_err)?;
        let taken = tx
            .maybe_row("SELECT id FROM passports WHERE application_id = $1", &[&p.application_id.0])
            .await
            .map_err(map_err)?;
        if taken.is_some() {
            return Ok(false);
        }
        if let Some(e) = annul_old {
            annul(&tx, e).await?;
        }
        tx.run(
            "INSERT INTO passports (id, number, user_id, application_id, inn, passport_series, passport_number,
                last_name, first_name, middle_name, birth_date, birth_place, citizenship, photo_name, photo_type,
                photo_size, photo_sha256, issued_at, valid_until, status, code_es256, code_gost)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22)",
            &[
                &p.id,
                &p.number,
                &p.user_id.0,
                &p.application_id.0,
                &p.inn,
                &p.passport_series,
                &p.passport_number,
                &p.last_name,
                &p.first_name,
                &p.middle_name,
                &p.birth_date,
                &p.birth_place,
                &p.citizenship,
                &p.photo.file_name,
                &p.photo.content_type,
                &p.photo.size,
                &p.photo.sha256,
                &p.issued_at,
                &p.valid_until,
                &p.status.code(),
                &p.code_es256,
                &p.code_gost,
            ],
        )
        .await
        .map_err(map_err)?;
        insert_history(&tx, first).await?;
        crate::effects::commit(tx, fx).await?;
        Ok(true)
    }

    async fn find_passport(&self, id: Uuid) -> StoreResult<Option<Passport>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{PASSPORT} WHERE id = $1"), &[&id]).await.map_err(map_err)?;
        row.as_ref().map(passport_row).transpose()
    }

    async fn find_passport_by_number(&self, number: &str) -> StoreResult<Option<Passport>> {
        let client = self.client().await?;
        let row = client.maybe_row(&format!("{PASSPORT} WHERE number = $1"), &[&number]).await.map_err(map_err)?;
        row.as_ref().map(passport_row).transpose()
    }

    async fn find_passport_by_application(&self, app: ApplicationId) -> StoreResult<Option<Passport>> {
        let client = self.client().await?;
        let row =
            client.maybe_row(&format!("{PASSPORT} WHERE application_id = $1"), &[&app.0]).await.map_err(map_err)?;
        row.as_ref().map(passport_row).transpose()
    }

    async fn list_passports_of_user(&self, user: UserId) -> StoreResult<Vec<Passport>> {
        let client = self.client().await?;
        let rows = client
            .rows(&format!("{PASSPORT} WHERE user_id = $1 ORDER BY issued_at DESC, id DESC"), &[&user.0])
            .await
            .map_err(map_err)?;
        rows.iter().map(passport_row).collect()
    }

    async fn passport_history(&self, id: Uuid) -> StoreResult<Vec<StatusEntry>> {
        let client = self.client().await?;
        let rows =
            client.rows(&format!("{HISTORY} WHERE passport_id = $1 ORDER BY at, id"), &[&id]).await.map_err(map_err)?;
        rows.iter().map(history_row).collect()
    }

    async fn annul_passport(&self, entry: &StatusEntry, fx: &Effects) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let done = annul(&tx, entry).await?;
        if done {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(done)
    }

    async fn passport_checked_at(&self, id: Uuid) -> StoreResult<Option<time::OffsetDateTime>> {
        let client = self.client().await?;
        let row = client
            .maybe_row("SELECT registry_checked_at FROM passports WHERE id = $1", &[&id])
            .await
            .map_err(map_err)?;
        Ok(row.and_then(|r| r.get(0)))
    }

    async fn mark_passport_checked(
        &self,
        id: Uuid,
        since: time::OffsetDateTime,
        at: time::OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE passports SET registry_checked_at = $2
                 WHERE id = $1 AND (registry_checked_at IS NULL OR registry_checked_at < $3)",
                &[&id, &at, &since],
            )
            .await
            .map_err(map_err)?;
        if n == 1 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n == 1)
    }

    async fn list_annulled_passports(&self) -> StoreResult<Vec<Uuid>> {
        let client = self.client().await?;
        let rows = client
            .rows("SELECT id FROM passports WHERE status = 'annulled' ORDER BY id", &[])
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}

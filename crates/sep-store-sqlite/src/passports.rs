//! [`PassportStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, date_text, from_ts, map_err, parse_date, parse_uuid, ts};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use sep_core::application::record::{ApplicationId, StoredFile};
use sep_core::ids::UserId;
use sep_core::passport::record::{AnnulReason, Passport, PassportStatus, StatusEntry};
use sep_core::passport::store::PassportStore;
use sep_core::store::{Effects, StoreResult};
use uuid::Uuid;

const PASSPORT: &str = "SELECT id, number, user_id, application_id, inn, passport_series, passport_number, last_name,
    first_name, middle_name, birth_date, birth_place, citizenship, photo_name, photo_type, photo_size, photo_sha256,
    issued_at, valid_until, status, code_es256, code_gost FROM passports";

const HISTORY: &str = "SELECT id, passport_id, at, status, by_user, reason, comment FROM passport_history";

fn passport_row(r: &Row<'_>) -> rusqlite::Result<Passport> {
    let status: String = r.get(19)?;
    Ok(Passport {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        number: r.get(1)?,
        user_id: UserId(parse_uuid(&r.get::<_, String>(2)?)?),
        application_id: ApplicationId(parse_uuid(&r.get::<_, String>(3)?)?),
        inn: r.get(4)?,
        passport_series: r.get(5)?,
        passport_number: r.get(6)?,
        last_name: r.get(7)?,
        first_name: r.get(8)?,
        middle_name: r.get(9)?,
        birth_date: parse_date(Some(r.get(10)?))?.ok_or_else(|| bad_code("date", ""))?,
        birth_place: r.get(11)?,
        citizenship: r.get(12)?,
        photo: StoredFile { file_name: r.get(13)?, content_type: r.get(14)?, size: r.get(15)?, sha256: r.get(16)? },
        issued_at: from_ts(r.get(17)?)?,
        valid_until: from_ts(r.get(18)?)?,
        status: PassportStatus::from_code(&status).ok_or_else(|| bad_code("passport status", &status))?,
        code_es256: r.get(20)?,
        code_gost: r.get(21)?,
    })
}

fn history_row(r: &Row<'_>) -> rusqlite::Result<StatusEntry> {
    let status: String = r.get(3)?;
    let reason: Option<String> = r.get(5)?;
    Ok(StatusEntry {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        passport_id: parse_uuid(&r.get::<_, String>(1)?)?,
        at: from_ts(r.get(2)?)?,
        status: PassportStatus::from_code(&status).ok_or_else(|| bad_code("passport status", &status))?,
        by: r.get::<_, Option<String>>(4)?.map(|s| parse_uuid(&s).map(UserId)).transpose()?,
        reason: reason
            .map(|c| AnnulReason::from_code(&c).ok_or_else(|| bad_code("annulment reason", &c)))
            .transpose()?,
        comment: r.get(6)?,
    })
}

fn insert_history(tx: &Transaction<'_>, e: &StatusEntry) -> rusqlite::Result<usize> {
    tx.run(
        "INSERT INTO passport_history (id, passport_id, at, status, by_user, reason, comment)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.id.to_string(),
            e.passport_id.to_string(),
            ts(e.at),
            e.status.code(),
            e.by.map(|u| u.0.to_string()),
            e.reason.map(AnnulReason::code),
            e.comment
        ],
    )
}

/// Annuls a valid record with its history line; whether it was valid.
fn annul(tx: &Transaction<'_>, e: &StatusEntry) -> rusqlite::Result<bool> {
    let n = tx.run(
        "UPDATE passports SET status = 'annulled' WHERE id = ?1 AND status = 'valid'",
        [e.passport_id.to_string()],
    )?;
    if n == 1 {
        insert_history(tx, e)?;
    }
    Ok(n == 1)
}

#[async_trait::async_trait]
impl PassportStore for SqliteStore {
    async fn next_passport_number(&self, year: i32) -> StoreResult<i64> {
        self.write(|tx| {
            tx.row(
                "INSERT INTO passport_numbers (year, last) VALUES (?1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                [year],
                |r| r.get(0),
            )
            .map_err(map_err)
        })
    }

    async fn issue_passport(
        &self,
        p: &Passport,
        first: &StatusEntry,
        annul_old: Option<&StatusEntry>,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let taken: Option<String> = tx
                .row("SELECT id FROM passports WHERE application_id = ?1", [p.application_id.0.to_string()], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(map_err)?;
            if taken.is_some() {
                return Ok(false);
            }
            if let Some(e) = annul_old {
                annul(tx, e).map_err(map_err)?;
            }
            tx.run(
                "INSERT INTO passports (id, number, user_id, application_id, inn, passport_series, passport_number,
                    last_name, first_name, middle_name, birth_date, birth_place, citizenship, photo_name, photo_type,
                    photo_size, photo_sha256, issued_at, valid_until, status, code_es256, code_gost)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                    ?21, ?22)",
                params![
                    p.id.to_string(),
                    p.number,
                    p.user_id.0.to_string(),
                    p.application_id.0.to_string(),
                    p.inn,
                    p.passport_series,
                    p.passport_number,
                    p.last_name,
                    p.first_name,
                    p.middle_name,
                    date_text(Some(p.birth_date)),
                    p.birth_place,
                    p.citizenship,
                    p.photo.file_name,
                    p.photo.content_type,
                    p.photo.size,
                    p.photo.sha256,
                    ts(p.issued_at),
                    ts(p.valid_until),
                    p.status.code(),
                    p.code_es256,
                    p.code_gost
                ],
            )
            .map_err(map_err)?;
            insert_history(tx, first).map_err(map_err)?;
            crate::effects::apply(tx, fx)?;
            Ok(true)
        })
    }

    async fn find_passport(&self, id: Uuid) -> StoreResult<Option<Passport>> {
        self.read(|c| c.row(&format!("{PASSPORT} WHERE id = ?1"), [id.to_string()], passport_row).optional())
    }

    async fn find_passport_by_number(&self, number: &str) -> StoreResult<Option<Passport>> {
        self.read(|c| c.row(&format!("{PASSPORT} WHERE number = ?1"), [number], passport_row).optional())
    }

    async fn find_passport_by_application(&self, app: ApplicationId) -> StoreResult<Option<Passport>> {
        self.read(|c| {
            c.row(&format!("{PASSPORT} WHERE application_id = ?1"), [app.0.to_string()], passport_row).optional()
        })
    }

    async fn list_passports_of_user(&self, user: UserId) -> StoreResult<Vec<Passport>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("{PASSPORT} WHERE user_id = ?1 ORDER BY issued_at DESC, id DESC"))?;
            st.query_map([user.0.to_string()], passport_row)?.collect()
        })
    }

    async fn passport_history(&self, id: Uuid) -> StoreResult<Vec<StatusEntry>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!("{HISTORY} WHERE passport_id = ?1 ORDER BY at, id"))?;
            st.query_map([id.to_string()], history_row)?.collect()
        })
    }

    async fn annul_passport(&self, entry: &StatusEntry, fx: &Effects) -> StoreResult<bool> {
        self.write(|tx| {
            let done = annul(tx, entry).map_err(map_err)?;
            if done {
                crate::effects::apply(tx, fx)?;
            }
            Ok(done)
        })
    }

    async fn passport_checked_at(&self, id: Uuid) -> StoreResult<Option<time::OffsetDateTime>> {
        self.read(|c| {
            let at: Option<Option<i64>> = c
                .row("SELECT registry_checked_at FROM passports WHERE id = ?1", [id.to_string()], |r| r.get(0))
                .optional()?;
            at.flatten().map(from_ts).transpose()
        })
    }

    async fn mark_passport_checked(
        &self,
        id: Uuid,
        since: time::OffsetDateTime,
        at: time::OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE passports SET registry_checked_at = ?2
                     WHERE id = ?1 AND (registry_checked_at IS NULL OR registry_checked_at < ?3)",
                    params![id.to_string(), ts(at), ts(since)],
                )
                .map_err(map_err)?;
            if n == 1 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n == 1)
        })
    }

    async fn list_annulled_passports(&self) -> StoreResult<Vec<Uuid>> {
        self.read(|c| {
            let mut st = c.prepare_cached("SELECT id FROM passports WHERE status = 'annulled' ORDER BY id")?;
            st.query_map([], |r| parse_uuid(&r.get::<_, String>(0)?))?.collect()
        })
    }
}

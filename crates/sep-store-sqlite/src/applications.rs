//! [`ApplicationStore`] on SQLite.

use crate::SqliteStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, date_text, from_ts, from_ts_opt, map_err, parse_date, parse_uuid, ts};
use rusqlite::{Row, params};
use sep_core::StoreError;
use sep_core::application::record::{
    Application, ApplicationEvent, ApplicationId, StatusChange, applicant_code, applicant_from_code,
};
use sep_core::application::status::Status;
use sep_core::application::store::ApplicationStore;
use sep_core::ids::UserId;
use sep_core::store::{Effects, StoreResult};
use std::collections::BTreeMap;
use time::OffsetDateTime;

const COLUMNS: &str = "id, number, user_id, service, applicant_type, status, data, consent_version, consent_at, due_on,
    created_at, updated_at, submitted_at, assignee, checks_passed_at";

/// The statuses in which the applicant may change data and files (`Allowed::Edit`).
const EDITABLE: &str = "('draft', 'rejected', 'needs_info')";

fn json_err(i: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Application> {
    let id: String = r.get(0)?;
    let user: String = r.get(2)?;
    let kind: String = r.get(4)?;
    let status: String = r.get(5)?;
    let data: String = r.get(6)?;
    let consent_version: Option<String> = r.get(7)?;
    let consent_at: Option<i64> = r.get(8)?;
    Ok(Application {
        id: ApplicationId(parse_uuid(&id)?),
        number: r.get(1)?,
        user_id: UserId(parse_uuid(&user)?),
        service: r.get(3)?,
        applicant_type: applicant_from_code(&kind).ok_or_else(|| bad_code("applicant type", &kind))?,
        status: Status::from_code(&status).ok_or_else(|| bad_code("status", &status))?,
        data: serde_json::from_str(&data).map_err(|e| json_err(6, e))?,
        consent: match (consent_version, consent_at) {
            (Some(v), Some(t)) => Some((v, from_ts(t)?)),
            _ => None,
        },
        due_on: parse_date(r.get(9)?)?,
        created_at: from_ts(r.get(10)?)?,
        updated_at: from_ts(r.get(11)?)?,
        submitted_at: from_ts_opt(r.get(12)?)?,
        assignee: r.get::<_, Option<String>>(13)?.map(|u| parse_uuid(&u).map(UserId)).transpose()?,
        checks_passed_at: from_ts_opt(r.get(14)?)?,
    })
}

fn json(v: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

/// The files of all of a person's applications (`?1`), then `$rest`.
macro_rules! files_of_user {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.application_id, a.document, a.file_name, a.content_type, a.size, a.sha256, a.status,
                    a.created_at, a.replaced_by
             FROM attachments a JOIN applications p ON p.id = a.application_id WHERE p.user_id = ?1",
            $rest
        )
    };
}

#[async_trait::async_trait]
impl ApplicationStore for SqliteStore {
    async fn insert_application(&self, a: &Application, fx: &Effects) -> StoreResult<()> {
        let data = json(&a.data)?;
        self.write(|tx| {
            tx.run(
                &format!("INSERT INTO applications ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
                params![
                    a.id.0.to_string(),
                    a.number,
                    a.user_id.0.to_string(),
                    a.service,
                    applicant_code(a.applicant_type),
                    a.status.code(),
                    data,
                    a.consent.as_ref().map(|c| c.0.clone()),
                    a.consent.as_ref().map(|c| ts(c.1)),
                    date_text(a.due_on),
                    ts(a.created_at),
                    ts(a.updated_at),
                    a.submitted_at.map(ts),
                    a.assignee.map(|u| u.0.to_string()),
                    a.checks_passed_at.map(ts),
                ],
            )
            .map_err(map_err)?;
            tx.run(
                "INSERT INTO application_events (application_id, at, actor, from_status, to_status, comment, reasons)
                 VALUES (?1, ?2, 'applicant', NULL, ?3, '', '[]')",
                params![a.id.0.to_string(), ts(a.created_at), a.status.code()],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn get_application(&self, id: ApplicationId) -> StoreResult<Application> {
        self.read(|c| c.row(&format!("SELECT {COLUMNS} FROM applications WHERE id = ?1"), [id.0.to_string()], from_row))
    }

    async fn list_applications_for_services(&self, services: &[String]) -> StoreResult<Vec<Application>> {
        let list = serde_json::to_string(services).map_err(|e| StoreError::Other(e.to_string()))?;
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM applications
                 WHERE service IN (SELECT value FROM json_each(?1)) AND status <> 'draft'
                 ORDER BY updated_at DESC, id DESC"
            ))?;
            s.query_map([list], from_row)?.collect()
        })
    }

    async fn list_overdue_unnoticed(&self, today: time::Date) -> StoreResult<Vec<Application>> {
        let today = date_text(Some(today));
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM applications
                 WHERE status IN ('created', 'under_review') AND due_on < ?1 AND overdue_noticed_at IS NULL
                 ORDER BY due_on, id"
            ))?;
            s.query_map([today], from_row)?.collect()
        })
    }

    async fn update_overdue_noticed(&self, id: ApplicationId, at: OffsetDateTime, fx: &Effects) -> StoreResult<bool> {
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE applications SET overdue_noticed_at = ?2 WHERE id = ?1 AND overdue_noticed_at IS NULL
                        AND status IN ('created', 'under_review') AND due_on < ?3",
                    params![id.0.to_string(), ts(at), date_text(Some(at.date()))],
                )
                .map_err(map_err)?;
            if n > 0 {
                crate::effects::apply(tx, fx)?;
            }
            Ok(n > 0)
        })
    }

    async fn list_applications_for_user(&self, user: UserId) -> StoreResult<Vec<Application>> {
        self.read(|c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM applications WHERE user_id = ?1 ORDER BY updated_at DESC, id DESC"
            ))?;
            s.query_map([user.0.to_string()], from_row)?.collect()
        })
    }

    async fn update_application_data(
        &self,
        id: ApplicationId,
        data: &BTreeMap<String, String>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()> {
        let data = json(data)?;
        self.write(|tx| {
            let n = tx
                .run(
                    &format!(
                        "UPDATE applications SET data = ?2, updated_at = ?3 WHERE id = ?1 AND status IN {EDITABLE}"
                    ),
                    params![id.0.to_string(), data, ts(at)],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::Conflict { constraint: "applications.not_editable".into() });
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn update_application_status(&self, id: ApplicationId, ch: &StatusChange, fx: &Effects) -> StoreResult<()> {
        let reasons = json(&ch.reasons)?;
        self.write(|tx| {
            let n = tx
                .run(
                    "UPDATE applications SET status = ?3, updated_at = ?4,
                        number = coalesce(number, ?5),
                        consent_version = coalesce(?6, consent_version), consent_at = coalesce(?7, consent_at),
                        due_on = coalesce(?8, due_on), assignee = coalesce(?9, assignee),
                        submitted_at = CASE WHEN ?3 = 'created' THEN ?4 ELSE submitted_at END,
                        checks_passed_at = CASE WHEN ?3 = 'created' THEN NULL WHEN ?13 THEN ?4 ELSE checks_passed_at END,
                        overdue_noticed_at = CASE WHEN ?3 = 'created' THEN NULL ELSE overdue_noticed_at END
                     WHERE id = ?1 AND status = ?2
                        AND (?10 IS NULL OR updated_at = ?10)
                        AND (?11 = 0 OR assignee IS ?12)",
                    params![
                        id.0.to_string(),
                        ch.from.code(),
                        ch.to.code(),
                        ts(ch.at),
                        ch.number,
                        ch.consent.as_ref().map(|c| c.0.clone()),
                        ch.consent.as_ref().map(|c| ts(c.1)),
                        date_text(ch.due_on),
                        ch.assignee.map(|u| u.0.to_string()),
                        ch.data_as_of.map(ts),
                        ch.assignee_was.is_some(),
                        ch.assignee_was.flatten().map(|u| u.0.to_string()),
                        ch.checks_passed,
                    ],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::Conflict { constraint: "applications.status changed meanwhile".into() });
            }
            if ch.registers_user {
                tx.run(
                    "UPDATE users SET registered_at = ?2 WHERE registered_at IS NULL
                        AND id = (SELECT user_id FROM applications WHERE id = ?1)",
                    params![id.0.to_string(), ts(ch.at)],
                )
                .map_err(map_err)?;
            }
            tx.run(
                "INSERT INTO application_events (application_id, at, actor, from_status, to_status, comment, reasons)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id.0.to_string(), ts(ch.at), ch.actor, ch.from.code(), ch.to.code(), ch.comment, reasons],
            )
            .map_err(map_err)?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn next_application_number(&self, year: i32) -> StoreResult<i64> {
        self.write(|tx| {
            tx.row(
                "INSERT INTO application_numbers (year, last) VALUES (?1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                [year],
                |r| r.get(0),
            )
            .map_err(map_err)
        })
    }

    async fn insert_attachment(&self, a: &sep_core::application::record::Attachment, fx: &Effects) -> StoreResult<()> {
        insert_attachment(self, a, fx).await
    }

    async fn list_attachments(&self, id: ApplicationId) -> StoreResult<Vec<sep_core::application::record::Attachment>> {
        list_attachments(self, id)
    }

    async fn list_attachments_of_user(
        &self,
        user: UserId,
    ) -> StoreResult<Vec<sep_core::application::record::Attachment>> {
        self.read(|c| {
            let mut s = c.prepare_cached(files_of_user!(" ORDER BY a.created_at, a.id"))?;
            s.query_map([user.0.to_string()], attachment_row)?.collect()
        })
    }

    async fn list_recent_attachments_of_user(
        &self,
        user: UserId,
        limit: u32,
    ) -> StoreResult<Vec<sep_core::application::record::Attachment>> {
        self.read(|c| {
            let mut s = c.prepare_cached(files_of_user!(
                " AND a.replaced_by IS NULL ORDER BY a.created_at DESC, a.id DESC LIMIT ?2"
            ))?;
            s.query_map(params![user.0.to_string(), limit], attachment_row)?.collect()
        })
    }

    async fn list_message_files_of_user(
        &self,
        user: UserId,
    ) -> StoreResult<Vec<sep_core::application::record::Message>> {
        crate::messages::files_of_user(self, user)
    }

    async fn delete_attachment(
        &self,
        application: ApplicationId,
        id: uuid::Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| {
            touch_editable(tx, application, at)?;
            // The current version and, through `replaced_by`, every earlier one.
            let n = tx
                .run(
                    "DELETE FROM attachments WHERE application_id = ?2 AND id IN (
                        WITH RECURSIVE v(id) AS (
                            SELECT id FROM attachments WHERE id = ?1 AND replaced_by IS NULL
                            UNION SELECT a.id FROM attachments a JOIN v ON a.replaced_by = v.id)
                        SELECT id FROM v)",
                    params![id.to_string(), application.0.to_string()],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn replace_attachment(
        &self,
        application: ApplicationId,
        old: uuid::Uuid,
        new: &sep_core::application::record::Attachment,
        fx: &Effects,
    ) -> StoreResult<()> {
        self.write(|tx| {
            touch_editable(tx, application, new.created_at)?;
            insert_attachment_row(tx, new)?;
            let n = tx
                .run(
                    "UPDATE attachments SET replaced_by = ?3
                     WHERE id = ?1 AND application_id = ?2 AND replaced_by IS NULL AND id <> ?3",
                    params![old.to_string(), application.0.to_string(), new.id.to_string()],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_messages(&self, id: ApplicationId) -> StoreResult<Vec<sep_core::application::record::Message>> {
        crate::messages::list(self, id)
    }

    async fn file_referenced(&self, sha256: &str) -> StoreResult<bool> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)
                    OR EXISTS (SELECT 1 FROM application_messages WHERE sha256 = ?1)
                    OR EXISTS (SELECT 1 FROM issued_documents WHERE sha256 = ?1)
                    OR EXISTS (SELECT 1 FROM mail_files WHERE sha256 = ?1)
                    OR EXISTS (SELECT 1 FROM mail_drafts d, json_each(d.files) f
                        WHERE json_extract(f.value, '$.sha256') = ?1)",
            )?
            .query_row([sha256], |r| r.get(0))
        })
    }

    async fn upsert_contact_confirmation(
        &self,
        c: &sep_core::application::record::ContactConfirmation,
        expected: Option<&sep_core::application::record::ContactConfirmation>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let row = crate::code_rows::CodeRow {
            table: "contact_confirmations",
            key: ("application_id", c.application_id.0.to_string()),
            channel: &c.channel,
            value: &c.value,
            code: &c.code,
            sent: c.sent,
            created_at: c.created_at,
            confirmed_at: c.confirmed_at,
        };
        self.write(|tx| {
            crate::code_rows::upsert(tx, &row, expected.map(|e| (&e.code, e.sent)))?;
            crate::effects::apply(tx, fx)
        })
    }

    async fn list_contact_confirmations(
        &self,
        id: ApplicationId,
    ) -> StoreResult<Vec<sep_core::application::record::ContactConfirmation>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT application_id, channel, value, code_digest, code_expires_at, code_tries_left, code_spent, sent,
                    created_at, confirmed_at FROM contact_confirmations WHERE application_id = ?1 ORDER BY channel",
            )?;
            s.query_map([id.0.to_string()], |r| {
                let app: String = r.get(0)?;
                Ok(sep_core::application::record::ContactConfirmation {
                    application_id: ApplicationId(parse_uuid(&app)?),
                    channel: r.get(1)?,
                    value: r.get(2)?,
                    code: sep_core::otp::CodeState {
                        digest: r.get(3)?,
                        expires_at: from_ts(r.get(4)?)?,
                        tries_left: r.get(5)?,
                        spent: r.get(6)?,
                    },
                    sent: r.get(7)?,
                    created_at: from_ts(r.get(8)?)?,
                    confirmed_at: from_ts_opt(r.get(9)?)?,
                })
            })?
            .collect()
        })
    }

    async fn list_application_events(&self, id: ApplicationId) -> StoreResult<Vec<ApplicationEvent>> {
        self.read(|c| {
            let mut s = c.prepare_cached(
                "SELECT id, at, actor, from_status, to_status, comment, reasons FROM application_events
                 WHERE application_id = ?1 ORDER BY id",
            )?;
            s.query_map([id.0.to_string()], |r| {
                let from: Option<String> = r.get(3)?;
                let to: String = r.get(4)?;
                let reasons: String = r.get(6)?;
                Ok(ApplicationEvent {
                    id: r.get(0)?,
                    at: from_ts(r.get(1)?)?,
                    actor: r.get(2)?,
                    from: from.map(|f| Status::from_code(&f).ok_or_else(|| bad_code("status", &f))).transpose()?,
                    to: Status::from_code(&to).ok_or_else(|| bad_code("status", &to))?,
                    comment: r.get(5)?,
                    reasons: serde_json::from_str(&reasons).map_err(|e| json_err(6, e))?,
                })
            })?
            .collect()
        })
    }
}

fn attachment_row(r: &Row<'_>) -> rusqlite::Result<sep_core::application::record::Attachment> {
    let id: String = r.get(0)?;
    let app: String = r.get(1)?;
    Ok(sep_core::application::record::Attachment {
        id: parse_uuid(&id)?,
        application_id: ApplicationId(parse_uuid(&app)?),
        document: r.get(2)?,
        file_name: r.get(3)?,
        content_type: r.get(4)?,
        size: r.get(5)?,
        sha256: r.get(6)?,
        status: r.get(7)?,
        created_at: from_ts(r.get(8)?)?,
        replaced_by: r.get::<_, Option<String>>(9)?.map(|s| parse_uuid(&s)).transpose()?,
    })
}

/// Attachments share the applications file: they are part of the same aggregate.
/// Marks the application changed at `at`, only while the applicant may still change it;
/// `Conflict` otherwise (sent meanwhile, or unknown), so no file slips in after sending.
fn touch_editable(tx: &rusqlite::Transaction<'_>, id: ApplicationId, at: OffsetDateTime) -> StoreResult<()> {
    let n = tx
        .run(
            &format!("UPDATE applications SET updated_at = ?2 WHERE id = ?1 AND status IN {EDITABLE}"),
            params![id.0.to_string(), ts(at)],
        )
        .map_err(map_err)?;
    if n == 0 { Err(StoreError::Conflict { constraint: "applications.not_editable".into() }) } else { Ok(()) }
}

pub(crate) async fn insert_attachment(
    store: &SqliteStore,
    a: &sep_core::application::record::Attachment,
    fx: &Effects,
) -> StoreResult<()> {
    store.write(|tx| {
        touch_editable(tx, a.application_id, a.created_at)?;
        insert_attachment_row(tx, a)?;
        crate::effects::apply(tx, fx)
    })
}

fn insert_attachment_row(
    tx: &rusqlite::Transaction<'_>,
    a: &sep_core::application::record::Attachment,
) -> StoreResult<()> {
    tx.run(
        "INSERT INTO attachments (id, application_id, document, file_name, content_type, size, sha256, status, created_at,
            replaced_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            a.id.to_string(),
            a.application_id.0.to_string(),
            a.document,
            a.file_name,
            a.content_type,
            a.size,
            a.sha256,
            a.status,
            ts(a.created_at),
            a.replaced_by.map(|r| r.to_string()),
        ],
    )
    .map_err(map_err)?;
    Ok(())
}

pub(crate) fn list_attachments(
    store: &SqliteStore,
    id: ApplicationId,
) -> StoreResult<Vec<sep_core::application::record::Attachment>> {
    store.read(|c| {
        let mut s = c.prepare_cached(
            "SELECT id, application_id, document, file_name, content_type, size, sha256, status, created_at, replaced_by
             FROM attachments WHERE application_id = ?1 AND replaced_by IS NULL ORDER BY created_at, id",
        )?;
        s.query_map([id.0.to_string()], attachment_row)?.collect()
    })
}

//! [`ApplicationStore`] on PostgreSQL.

use crate::PgStore;
use crate::cached::Cached as _;
use crate::conv::{bad_code, json, map_err};
use sep_core::StoreError;
use sep_core::application::record::{
    Application, ApplicationEvent, ApplicationId, StatusChange, applicant_code, applicant_from_code,
};
use sep_core::application::status::Status;
use sep_core::application::store::ApplicationStore;
use sep_core::ids::UserId;
use sep_core::store::{Effects, StoreResult};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use tokio_postgres::Row;

const COLUMNS: &str = "id, number, user_id, service, applicant_type, status, data, consent_version, consent_at, due_on,
    created_at, updated_at, submitted_at, assignee, checks_passed_at";

/// The statuses in which the applicant may change data and files (`Allowed::Edit`).
const EDITABLE: &str = "('draft', 'rejected', 'needs_info')";

fn to_json(v: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

fn from_row(r: &Row) -> StoreResult<Application> {
    let kind: String = r.get(4);
    let status: String = r.get(5);
    let data: String = r.get(6);
    let consent_version: Option<String> = r.get(7);
    let consent_at: Option<OffsetDateTime> = r.get(8);
    let data: BTreeMap<String, String> =
        serde_json::from_value(json(&data)?).map_err(|e| StoreError::Other(format!("stored data refused: {e}")))?;
    Ok(Application {
        id: ApplicationId(r.get(0)),
        number: r.get(1),
        user_id: UserId(r.get(2)),
        service: r.get(3),
        applicant_type: applicant_from_code(&kind).ok_or_else(|| bad_code("applicant type", &kind))?,
        status: Status::from_code(&status).ok_or_else(|| bad_code("status", &status))?,
        data,
        consent: consent_version.zip(consent_at),
        due_on: r.get::<_, Option<Date>>(9),
        created_at: r.get(10),
        updated_at: r.get(11),
        submitted_at: r.get(12),
        assignee: r.get::<_, Option<uuid::Uuid>>(13).map(UserId),
        checks_passed_at: r.get(14),
    })
}

/// Marks the application changed at `at`, only while the applicant may still change it;
/// `Conflict` otherwise (sent meanwhile, or unknown), so no file slips in after sending.
async fn touch_editable(
    tx: &deadpool_postgres::Transaction<'_>,
    id: ApplicationId,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let n = tx
        .run(&format!("UPDATE applications SET updated_at = $2 WHERE id = $1 AND status IN {EDITABLE}"), &[&id.0, &at])
        .await
        .map_err(map_err)?;
    if n == 0 { Err(StoreError::Conflict { constraint: "applications.not_editable".into() }) } else { Ok(()) }
}

/// The files of all of a person's applications (`$1`), then `$rest`.
macro_rules! files_of_user {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.application_id, a.document, a.file_name, a.content_type, a.size, a.sha256, a.status,
                    a.created_at, a.replaced_by
             FROM attachments a JOIN applications p ON p.id = a.application_id WHERE p.user_id = $1",
            $rest
        )
    };
}

#[async_trait::async_trait]
impl ApplicationStore for PgStore {
    async fn insert_application(&self, a: &Application, fx: &Effects) -> StoreResult<()> {
        let data = to_json(&a.data)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run(
            &format!(
                "INSERT INTO applications ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            ),
            &[
                &a.id.0,
                &a.number,
                &a.user_id.0,
                &a.service,
                &applicant_code(a.applicant_type),
                &a.status.code(),
                &data,
                &a.consent.as_ref().map(|c| c.0.clone()),
                &a.consent.as_ref().map(|c| c.1),
                &a.due_on,
                &a.created_at,
                &a.updated_at,
                &a.submitted_at,
                &a.assignee.map(|u| u.0),
                &a.checks_passed_at,
            ],
        )
        .await
        .map_err(map_err)?;
        tx.run(
            "INSERT INTO application_events (application_id, at, actor, from_status, to_status, comment, reasons)
             VALUES ($1, $2, 'applicant', NULL, $3, '', '[]')",
            &[&a.id.0, &a.created_at, &a.status.code()],
        )
        .await
        .map_err(map_err)?;
        crate::effects::commit(tx, fx).await
    }

    async fn get_application(&self, id: ApplicationId) -> StoreResult<Application> {
        let client = self.client().await?;
        let row = client
            .maybe_row(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"), &[&id.0])
            .await
            .map_err(map_err)?;
        row.as_ref().map(from_row).unwrap_or(Err(StoreError::NotFound))
    }

    async fn list_applications_for_services(&self, services: &[String]) -> StoreResult<Vec<Application>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    "SELECT {COLUMNS} FROM applications WHERE service = ANY($1) AND status <> 'draft'
                     ORDER BY updated_at DESC, id DESC"
                ),
                &[&services],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn list_overdue_unnoticed(&self, today: Date) -> StoreResult<Vec<Application>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!(
                    "SELECT {COLUMNS} FROM applications
                     WHERE status IN ('created', 'under_review') AND due_on < $1 AND overdue_noticed_at IS NULL
                     ORDER BY due_on, id"
                ),
                &[&today],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn update_overdue_noticed(&self, id: ApplicationId, at: OffsetDateTime, fx: &Effects) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                "UPDATE applications SET overdue_noticed_at = $2 WHERE id = $1 AND overdue_noticed_at IS NULL
                    AND status IN ('created', 'under_review') AND due_on < $3",
                &[&id.0, &at, &at.date()],
            )
            .await
            .map_err(map_err)?;
        if n > 0 {
            crate::effects::apply(&tx, fx).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }

    async fn list_applications_for_user(&self, user: UserId) -> StoreResult<Vec<Application>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                &format!("SELECT {COLUMNS} FROM applications WHERE user_id = $1 ORDER BY updated_at DESC, id DESC"),
                &[&user.0],
            )
            .await
            .map_err(map_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn update_application_data(
        &self,
        id: ApplicationId,
        data: &BTreeMap<String, String>,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()> {
        let data = to_json(data)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let n = tx
            .run(
                &format!("UPDATE applications SET data = $2, updated_at = $3 WHERE id = $1 AND status IN {EDITABLE}"),
                &[&id.0, &data, &at],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Err(StoreError::Conflict { constraint: "applications.not_editable".into() });
        }
        crate::effects::commit(tx, fx).await
    }

    async fn update_application_status(&self, id: ApplicationId, ch: &StatusChange, fx: &Effects) -> StoreResult<()> {
        let reasons = to_json(&ch.reasons)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let (consent_version, consent_at) =
            (ch.consent.as_ref().map(|c| c.0.clone()), ch.consent.as_ref().map(|c| c.1));
        let (assignee, assignee_was) = (ch.assignee.map(|u| u.0), ch.assignee_was.flatten().map(|u| u.0));
        let (from, to) = (ch.from.code(), ch.to.code());
        // The change, its journal entry and the effects go out together; a status changed
        // meanwhile is found from the update's count, and the transaction is then dropped.
        let change = async {
            let (n, _, _) = futures_util::try_join!(
                async {
                    tx.run(
                    "UPDATE applications SET status = $3, updated_at = $4,
                        number = coalesce(number, $5),
                        consent_version = coalesce($6, consent_version), consent_at = coalesce($7, consent_at),
                        due_on = coalesce($8, due_on), assignee = coalesce($9, assignee),
                        submitted_at = CASE WHEN $3 = 'created' THEN $4 ELSE submitted_at END,
                        checks_passed_at = CASE WHEN $3 = 'created' THEN NULL WHEN $13 THEN $4 ELSE checks_passed_at END,
                        overdue_noticed_at = CASE WHEN $3 = 'created' THEN NULL ELSE overdue_noticed_at END
                     WHERE id = $1 AND status = $2
                        AND ($10::timestamptz IS NULL OR updated_at = $10)
                        AND (NOT $11 OR assignee IS NOT DISTINCT FROM $12)",
                    &[
                        &id.0,
                        &from,
                        &to,
                        &ch.at,
                        &ch.number,
                        &consent_version,
                        &consent_at,
                        &ch.due_on,
                        &assignee,
                        &ch.data_as_of,
                        &ch.assignee_was.is_some(),
                        &assignee_was,
                        &ch.checks_passed,
                    ],
                )
                    .await
                },
                async {
                    if ch.registers_user {
                        tx.run(
                            "UPDATE users SET registered_at = $2 WHERE registered_at IS NULL
                                AND id = (SELECT user_id FROM applications WHERE id = $1)",
                            &[&id.0, &ch.at],
                        )
                        .await?;
                    }
                    Ok(0)
                },
                async {
                    tx.run(
                        "INSERT INTO application_events (application_id, at, actor, from_status, to_status, comment, reasons)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        &[&id.0, &ch.at, &ch.actor, &from, &to, &ch.comment, &reasons],
                    )
                    .await
                },
            )
            .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::Conflict { constraint: "applications.status changed meanwhile".into() });
            }
            Ok(())
        };
        crate::effects::with_jobs_and_notices(&tx, fx, change).await?;
        crate::effects::commit_audited(tx, fx).await
    }

    async fn next_application_number(&self, year: i32) -> StoreResult<i64> {
        let name = number_sequence(year)?;
        match self.client().await?.row("SELECT nextval($1::text::regclass)", &[&name]).await {
            Ok(row) => return Ok(row.get(0)),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) => {}
            Err(e) => return Err(map_err(e)),
        }
        self.create_number_sequence(year, &name).await?;
        let row = self.client().await?.row("SELECT nextval($1::text::regclass)", &[&name]).await.map_err(map_err)?;
        Ok(row.get(0))
    }

    async fn insert_attachment(&self, a: &sep_core::application::record::Attachment, fx: &Effects) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        touch_editable(&tx, a.application_id, a.created_at).await?;
        insert_attachment_row(&tx, a).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn delete_attachment(
        &self,
        application: ApplicationId,
        id: uuid::Uuid,
        at: OffsetDateTime,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        touch_editable(&tx, application, at).await?;
        // The current version and, through `replaced_by`, every earlier one.
        let n = tx
            .run(
                "DELETE FROM attachments WHERE application_id = $2 AND id IN (
                    WITH RECURSIVE v(id) AS (
                        SELECT id FROM attachments WHERE id = $1 AND replaced_by IS NULL
                        UNION SELECT a.id FROM attachments a JOIN v ON a.replaced_by = v.id)
                    SELECT id FROM v)",
                &[&id, &application.0],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        crate::effects::commit(tx, fx).await
    }

    async fn replace_attachment(
        &self,
        application: ApplicationId,
        old: uuid::Uuid,
        new: &sep_core::application::record::Attachment,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        touch_editable(&tx, application, new.created_at).await?;
        insert_attachment_row(&tx, new).await?;
        let n = tx
            .run(
                "UPDATE attachments SET replaced_by = $3
                 WHERE id = $1 AND application_id = $2 AND replaced_by IS NULL AND id <> $3",
                &[&old, &application.0, &new.id],
            )
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        crate::effects::commit(tx, fx).await
    }

    async fn list_messages(&self, id: ApplicationId) -> StoreResult<Vec<sep_core::application::record::Message>> {
        crate::messages::list(self, id).await
    }

    async fn file_referenced(&self, sha256: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        let row = client
            .row(
                "SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1)
                    OR EXISTS (SELECT 1 FROM application_messages WHERE sha256 = $1)
                    OR EXISTS (SELECT 1 FROM issued_documents WHERE sha256 = $1)
                    OR EXISTS (SELECT 1 FROM mail_files WHERE sha256 = $1)
                    OR EXISTS (SELECT 1 FROM mail_drafts
                        WHERE files @> jsonb_build_array(jsonb_build_object('sha256', $1::text)))",
                &[&sha256],
            )
            .await
            .map_err(map_err)?;
        Ok(row.get(0))
    }

    async fn list_attachments(&self, id: ApplicationId) -> StoreResult<Vec<sep_core::application::record::Attachment>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT id, application_id, document, file_name, content_type, size, sha256, status, created_at,
                    replaced_by
                 FROM attachments WHERE application_id = $1 AND replaced_by IS NULL ORDER BY created_at, id",
                &[&id.0],
            )
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(attachment_row).collect())
    }

    async fn list_attachments_of_user(
        &self,
        user: UserId,
    ) -> StoreResult<Vec<sep_core::application::record::Attachment>> {
        let client = self.client().await?;
        let rows = client.rows(files_of_user!(" ORDER BY a.created_at, a.id"), &[&user.0]).await.map_err(map_err)?;
        Ok(rows.iter().map(attachment_row).collect())
    }

    async fn list_recent_attachments_of_user(
        &self,
        user: UserId,
        limit: u32,
    ) -> StoreResult<Vec<sep_core::application::record::Attachment>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                files_of_user!(" AND a.replaced_by IS NULL ORDER BY a.created_at DESC, a.id DESC LIMIT $2"),
                &[&user.0, &i64::from(limit)],
            )
            .await
            .map_err(map_err)?;
        Ok(rows.iter().map(attachment_row).collect())
    }

    async fn list_message_files_of_user(
        &self,
        user: UserId,
    ) -> StoreResult<Vec<sep_core::application::record::Message>> {
        crate::messages::files_of_user(self, user).await
    }

    async fn upsert_contact_confirmation(
        &self,
        c: &sep_core::application::record::ContactConfirmation,
        expected: Option<&sep_core::application::record::ContactConfirmation>,
        fx: &Effects,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let row = crate::code_rows::CodeRow {
            table: "contact_confirmations",
            key: ("application_id", c.application_id.0),
            channel: &c.channel,
            value: &c.value,
            code: &c.code,
            sent: c.sent,
            created_at: c.created_at,
            confirmed_at: c.confirmed_at,
        };
        crate::code_rows::upsert(&tx, &row, expected.map(|e| (&e.code, e.sent))).await?;
        crate::effects::commit(tx, fx).await
    }

    async fn list_contact_confirmations(
        &self,
        id: ApplicationId,
    ) -> StoreResult<Vec<sep_core::application::record::ContactConfirmation>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT application_id, channel, value, code_digest, code_expires_at, code_tries_left, code_spent, sent,
                    created_at, confirmed_at FROM contact_confirmations WHERE application_id = $1 ORDER BY channel",
                &[&id.0],
            )
            .await
            .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| sep_core::application::record::ContactConfirmation {
                application_id: ApplicationId(r.get(0)),
                channel: r.get(1),
                value: r.get(2),
                code: sep_core::otp::CodeState {
                    digest: r.get(3),
                    expires_at: r.get(4),
                    tries_left: u32::try_from(r.get::<_, i32>(5)).unwrap_or(0),
                    spent: r.get(6),
                },
                sent: u32::try_from(r.get::<_, i32>(7)).unwrap_or(0),
                created_at: r.get(8),
                confirmed_at: r.get(9),
            })
            .collect())
    }

    async fn list_application_events(&self, id: ApplicationId) -> StoreResult<Vec<ApplicationEvent>> {
        let client = self.client().await?;
        let rows = client
            .rows(
                "SELECT id, at, actor, from_status, to_status, comment, reasons FROM application_events
                 WHERE application_id = $1 ORDER BY id",
                &[&id.0],
            )
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let from: Option<String> = r.get(3);
                let to: String = r.get(4);
                let reasons: String = r.get(6);
                Ok(ApplicationEvent {
                    id: r.get(0),
                    at: r.get(1),
                    actor: r.get(2),
                    from: from.map(|f| Status::from_code(&f).ok_or_else(|| bad_code("status", &f))).transpose()?,
                    to: Status::from_code(&to).ok_or_else(|| bad_code("status", &to))?,
                    comment: r.get(5),
                    reasons: serde_json::from_value(json(&reasons)?).map_err(|e| StoreError::Other(e.to_string()))?,
                })
            })
            .collect()
    }
}

/// An attachment row, as both lists select it.
async fn insert_attachment_row(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &sep_core::application::record::Attachment,
) -> StoreResult<()> {
    tx.run(
        "INSERT INTO attachments (id, application_id, document, file_name, content_type, size, sha256, status, created_at,
            replaced_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &a.id,
            &a.application_id.0,
            &a.document,
            &a.file_name,
            &a.content_type,
            &a.size,
            &a.sha256,
            &a.status,
            &a.created_at,
            &a.replaced_by,
        ],
    )
    .await
    .map_err(map_err)?;
    Ok(())
}

fn attachment_row(r: &tokio_postgres::Row) -> sep_core::application::record::Attachment {
    sep_core::application::record::Attachment {
        id: r.get(0),
        application_id: ApplicationId(r.get(1)),
        document: r.get(2),
        file_name: r.get(3),
        content_type: r.get(4),
        size: r.get(5),
        sha256: r.get(6),
        status: r.get(7),
        created_at: r.get(8),
        replaced_by: r.get(9),
    }
}

/// Serialises the making of a year's number sequence across connections and nodes.
const NUMBERS_LOCK: i64 = 0x5E9_0003;

/// The sequence that numbers `year`'s applications. Numbers come from a sequence per year on
/// PostgreSQL: a row counted up in `application_numbers` was a row lock every sending waited
/// on and a commit flushed to disk of its own (issue 20). A sequence gives numbers without
/// either, and like the row it is not rolled back: a sending that fails leaves a gap, as before.
fn number_sequence(year: i32) -> StoreResult<String> {
    if !(1..=9999).contains(&year) {
        return Err(StoreError::Other(format!("no application numbers for the year {year}")));
    }
    Ok(format!("application_numbers_{year}"))
}

impl PgStore {
    /// Makes `year`'s sequence when no one has, going on from the numbers `application_numbers`
    /// gave that year (before the sequences, and on databases migrated from them).
    async fn create_number_sequence(&self, year: i32, name: &str) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.run("SELECT pg_advisory_xact_lock($1)", &[&NUMBERS_LOCK]).await.map_err(map_err)?;
        // `name` is made of digits and a fixed prefix (number_sequence). Not `to_regclass`
        // first: after an advisory lock the catalog this connection sees may be older than the
        // sequence another one just made (a test asking for a year's first numbers at once
        // found it); `IF NOT EXISTS` looks under the schema's lock.
        tx.batch_execute(&format!("CREATE SEQUENCE IF NOT EXISTS {name} AS BIGINT MINVALUE 1"))
            .await
            .map_err(map_err)?;
        // Only a sequence that has given nothing yet goes on from the table.
        tx.run(
            &format!(
                "SELECT setval('{name}', n.last) FROM application_numbers n, {name} s
                 WHERE n.year = $1 AND n.last > 0 AND NOT s.is_called"
            ),
            &[&year],
        )
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }
}

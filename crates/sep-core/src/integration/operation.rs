//! Asynchronous operations (seed 004: "Асинхронный режим используется при передаче больших
//! массивов данных: запрос помещается в очередь, а результат возвращается через
//! webhook‑уведомление"): long work is accepted at once (`202 Accepted`, the operation's
//! address), runs as a job that notes its progress and resumes where it stopped after a crash,
//! and on completion its result is at the address and an `operation.completed` event goes to
//! the person's webhooks. The first kind is the bulk import of applications
//! ([`crate::application::bulk`]).

use super::webhook::{EventType, event_job};
use crate::application::bulk::{self, Mode, RowOutcome};
use crate::application::record::applicant_from_code;
use crate::audit::Origin;
use crate::catalogue::Catalogue;
use crate::ids::UserId;
use crate::job::{Handler, Job, JobKind, NewJob};
use crate::store::{Effects, Store};
use crate::user::User;
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// Where an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for a worker.
    Queued,
    /// Running: `done` of `total` so far.
    Running,
    /// Finished; the result is there.
    Succeeded,
    /// Stopped by a failure on the server's side.
    Failed,
}

impl State {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Succeeded, Self::Failed].into_iter().find(|s| s.code() == code)
    }
}

/// An operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Id.
    pub id: Uuid,
    /// Whose calls it belongs to (`user:…`, `client:…`): only they read it.
    pub owner: String,
    /// For whom it works.
    pub user_id: UserId,
    /// What it does (`application_import`).
    pub kind: String,
    /// What makes two requests the same operation (the file and its settings, hashed).
    pub key: String,
    /// Its settings.
    pub params: serde_json::Value,
    /// Its input (the CSV).
    pub input: String,
    /// Where it is.
    pub state: State,
    /// Steps in all.
    pub total: i64,
    /// Steps done.
    pub done: i64,
    /// What it came to so far.
    pub result: serde_json::Value,
    /// Accepted.
    pub created_at: OffsetDateTime,
    /// Last progress.
    pub updated_at: OffsetDateTime,
}

/// Why an import was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// No such service.
    #[error("Такой услуги нет.")]
    ServiceUnknown,
    /// An applicant type the service does not take.
    #[error("Услуга не принимает заявления от заявителя этого типа.")]
    ApplicantType,
    /// `mode` other than `draft` or `submit`.
    #[error("Режим — draft (черновики) или submit (отправить).")]
    Mode,
    /// The file, refused as a whole.
    #[error(transparent)]
    Sheet(#[from] bulk::SheetError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl ImportError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ServiceUnknown => "service_unknown",
            Self::ApplicantType => "applicant_type_required",
            Self::Mode => "import_mode_invalid",
            Self::Sheet(e) => e.code(),
            Self::Store(e) => e.code(),
        }
    }

    /// What to do.
    pub fn action(&self) -> &'static str {
        match self {
            Self::ServiceUnknown => "Возьмите код услуги из каталога.",
            Self::ApplicantType => "Укажите applicant_type: person, ip или org — из тех, что принимает услуга.",
            Self::Mode => "Укажите mode=draft или mode=submit.",
            Self::Sheet(e) => e.action(),
            Self::Store(_) => "Повторите через несколько минут.",
        }
    }
}

/// How often progress is written.
pub const PROGRESS_EVERY: usize = 200;
/// Row problems kept in a result (the count is always whole).
pub const MAX_PROBLEMS: usize = 1000;

/// Accepts an import of `bytes` (CSV) as `service` applications of `user` applying as
/// `applicant`, in `mode`: the file is read and its columns checked now; its rows are made in
/// the background. The same file with the same settings again is the same operation.
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn import(
    store: &dyn Store,
    catalogue: &Catalogue,
    user: &User,
    owner: &str,
    service: &str,
    applicant: &str,
    mode: &str,
    bytes: &[u8],
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Operation, ImportError> {
    let svc = catalogue.get(service).ok_or(ImportError::ServiceUnknown)?;
    let kind =
        applicant_from_code(applicant).filter(|k| svc.applicants.contains(k)).ok_or(ImportError::ApplicantType)?;
    if !matches!(mode, "draft" | "submit") {
        return Err(ImportError::Mode);
    }
    let sheet = bulk::read(bytes, svc, kind, user)?;
    let mut h = Sha256::new();
    for part in [owner.as_bytes(), service.as_bytes(), applicant.as_bytes(), mode.as_bytes(), bytes] {
        h.update(part);
        h.update([0]);
    }
    let key = hex::encode(h.finalize());
    if let Some(op) = store.find_api_operation_by_key(owner, &key).await? {
        return Ok(op);
    }
    let op = Operation {
        id: Uuid::now_v7(),
        owner: owner.to_owned(),
        user_id: user.id,
        kind: "application_import".into(),
        key,
        params: serde_json::json!({ "service": service, "applicant_type": applicant, "mode": mode }),
        input: String::from_utf8_lossy(bytes).into_owned(),
        state: State::Queued,
        total: i64::try_from(sheet.rows.len()).unwrap_or(i64::MAX),
        done: 0,
        result: serde_json::json!({ "made": 0, "sent": 0, "refused": 0, "problems": [] }),
        created_at: now,
        updated_at: now,
    };
    let mut e = origin.event(now, "api.import_accepted", Some(user.id));
    e.object = Some(format!("operation:{}", op.id));
    e.details = serde_json::json!({ "service": service, "rows": op.total, "mode": mode });
    let job = NewJob::of(JobKind::RunOperation, serde_json::json!({ "operation": op.id }), now);
    if store.insert_api_operation(&op, &Effects::audit(e).with_job(job)).await? {
        Ok(op)
    } else {
        // The same file sent twice at once: the first is the operation.
        store.find_api_operation_by_key(owner, &op.key).await?.ok_or(ImportError::Store(crate::StoreError::NotFound))
    }
}

/// The `operations` queue's worker.
pub struct Operations {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The services.
    pub catalogue: Arc<Catalogue>,
}

#[async_trait]
impl Handler for Operations {
    async fn handle(&self, job: &Job, now: OffsetDateTime) -> Result<(), String> {
        let id =
            job.job.payload["operation"].as_str().and_then(|s| Uuid::parse_str(s).ok()).ok_or("no operation id")?;
        let Some(op) = self.store.find_api_operation(id).await.map_err(|e| e.to_string())? else { return Ok(()) };
        if matches!(op.state, State::Succeeded | State::Failed) {
            return Ok(());
        }
        let last = job.attempts + 1 >= job.job.max_attempts;
        match self.run(op.clone(), now).await {
            Ok(()) => Ok(()),
            // The job runner gives up after this: the operation says it failed, not "running".
            Err(e) if last => {
                let mut failed = self.store.find_api_operation(id).await.map_err(|e| e.to_string())?.unwrap_or(op);
                failed.state = State::Failed;
                failed.result["error"] = serde_json::json!(e);
                failed.updated_at = now;
                self.store.update_api_operation(&failed, &Effects::none()).await.map_err(|e| e.to_string())
            }
            Err(e) => Err(e),
        }
    }
}

fn count(result: &mut serde_json::Value, name: &str) {
    let n = result[name].as_i64().unwrap_or(0);
    result[name] = serde_json::json!(n + 1);
}

impl Operations {
    /// Runs the import from where it stopped.
    async fn run(&self, mut op: Operation, now: OffsetDateTime) -> Result<(), String> {
        let store = self.store.as_ref();
        let user = store.get_user(op.user_id).await.map_err(|e| e.to_string())?;
        let p = &op.params;
        let (service, applicant, mode) = (
            p["service"].as_str().unwrap_or(""),
            p["applicant_type"].as_str().unwrap_or(""),
            if p["mode"] == "submit" { Mode::Submit } else { Mode::Draft },
        );
        let (Some(svc), Some(kind)) = (self.catalogue.get(service), applicant_from_code(applicant)) else {
            op.state = State::Failed;
            op.result["error"] = serde_json::json!("service_unknown");
            store.update_api_operation(&op, &Effects::none()).await.map_err(|e| e.to_string())?;
            return Ok(());
        };
        let sheet = bulk::read(op.input.as_bytes(), svc, kind, &user).map_err(|e| e.code().to_owned())?;
        let origin = Origin { ip: None, request_id: Some(format!("operation:{}", op.id)) };
        op.state = State::Running;
        let start = usize::try_from(op.done).unwrap_or(0);
        for index in start..sheet.rows.len() {
            let outcome =
                bulk::import_row(store, &self.catalogue, svc, &user, kind, &sheet, index, &op.key, mode, &origin, now)
                    .await
                    .map_err(|e| format!("row {}: {}", index + 2, e.code()))?;
            match outcome {
                RowOutcome::Made { sent, .. } => {
                    count(&mut op.result, "made");
                    if sent {
                        count(&mut op.result, "sent");
                    }
                }
                RowOutcome::Refused(problems) => {
                    count(&mut op.result, "refused");
                    if let Some(list) = op.result["problems"].as_array_mut() {
                        let room = MAX_PROBLEMS.saturating_sub(list.len());
                        list.extend(problems.iter().take(room).map(|p| serde_json::to_value(p).unwrap_or_default()));
                    }
                }
            }
            op.done = i64::try_from(index + 1).unwrap_or(i64::MAX);
            if (index + 1) % PROGRESS_EVERY == 0 {
                op.updated_at = now;
                store.update_api_operation(&op, &Effects::none()).await.map_err(|e| e.to_string())?;
            }
        }
        op.state = State::Succeeded;
        op.updated_at = now;
        let data = serde_json::json!({ "operation": op.id, "kind": op.kind, "result": {
            "made": op.result["made"], "sent": op.result["sent"], "refused": op.result["refused"],
        }});
        let mut fx = Effects::none().with_job(event_job(op.user_id, EventType::OperationCompleted, data, now));
        // Whoever left the page hears of the end.
        fx.notices.push(crate::notice::NewNotice {
            user_id: op.user_id,
            at: now,
            kind: "status".into(),
            title: "Загрузка заявлений завершена".into(),
            text: format!(
                "Создано заявлений: {}, строк с ошибками: {}.",
                op.result["made"].as_i64().unwrap_or(0),
                op.result["refused"].as_i64().unwrap_or(0)
            ),
            link: format!("/applications/import/{}", op.id),
            critical: false,
        });
        store.update_api_operation(&op, &fx).await.map_err(|e| e.to_string())
    }
}

//! What happens to a sent application without a person at the keyboard (SPEC R7, A3, N2):
//! the registry checks, automatic approval where the service allows it, completion, and the
//! notifications every status change brings. Each step is one transaction — the status
//! change, its journal entry, the notification, the messages and the next step's job — so a
//! crash between steps loses nothing and repeats nothing.

use super::checks;
use super::record::{Application, ApplicationId, StatusChange};
use super::status::Status;
use crate::StoreError;
use crate::audit::NewAuditEvent;
use crate::catalogue::Catalogue;
use crate::job::{Job, JobKind, NewJob, Queue};
use crate::notice::NewNotice;
use crate::registry::{Registries, Unavailable};
use crate::store::{Effects, Store};
use crate::user::User;
use std::sync::Arc;
use time::OffsetDateTime;

/// The queue of review jobs.
pub const QUEUE: Queue = Queue::Review;

fn job(kind: JobKind, id: ApplicationId, at: OffsetDateTime) -> NewJob {
    // Registry outages can last hours: retries back off up to 30 minutes, 20 times.
    NewJob { max_attempts: 20, ..NewJob::of(kind, serde_json::json!({ "application": id.to_string() }), at) }
}

/// The job that checks a just-sent application.
pub fn check_job(id: ApplicationId, at: OffsetDateTime) -> NewJob {
    job(JobKind::CheckApplication, id, at)
}

/// The job that completes an approved application.
pub fn complete_job(id: ApplicationId, at: OffsetDateTime) -> NewJob {
    job(JobKind::CompleteApplication, id, at)
}

/// The cabinet notification, e-mail and SMS announcing `change` of `app` (SPEC N2). The
/// cabinet always gets it (the law requires it); e-mail and SMS follow the person's settings,
/// and SMS goes only when the person has to act or the service is provided.
pub fn announce(user: &User, app: &Application, service_title: &str, change: &StatusChange) -> Effects {
    let (to, reasons, at) = (change.to, &change.reasons, change.at);
    let number = app.number.as_deref().unwrap_or("—");
    let critical = matches!(to, Status::Rejected | Status::NeedsInfo);
    let mut text = format!("Заявление № {number} «{service_title}»: статус «{}».", to.title());
    if !change.comment.is_empty() {
        text.push_str(&format!("\n{}", change.comment));
    }
    for r in reasons {
        text.push_str(&format!("\n• {} ({})", r.text, r.code));
    }
    if critical {
        text.push_str("\nИсправьте заявление и отправьте его снова.");
    }
    let mut fx = Effects::none();
    fx.notices.push(NewNotice {
        user_id: user.id,
        at,
        kind: "status".into(),
        title: format!("Заявление № {number}: {}", to.title()),
        text: text.clone(),
        link: format!("/applications/{}", app.id),
        critical,
    });
    use crate::settings::{Channel, Importance, Kind};
    let importance = match to {
        Status::Rejected | Status::NeedsInfo => Importance::Critical,
        Status::Approved | Status::Completed => Importance::Important,
        _ => Importance::Normal,
    };
    let by = |channel| user.settings.allows(Kind::Status, channel, importance);
    if let Some(email) = user.profile.email.as_ref().filter(|_| by(Channel::Email)) {
        let subject = format!("Заявление № {number} — {}", to.title());
        fx.jobs.push(NewJob::of(
            JobKind::SendEmail,
            serde_json::json!({ "to": email.as_str(), "subject": subject, "text": text }),
            at,
        ));
    }
    let sms_worthy = critical || to == Status::Completed;
    if let Some(phone) = user.profile.phone.as_ref().filter(|_| sms_worthy && by(Channel::Sms)) {
        let sms = format!("СЭП: заявление № {number} — {}. Подробности в личном кабинете.", to.title());
        fx.jobs.push(NewJob::of(JobKind::SendSms, serde_json::json!({ "to": phone.as_str(), "text": sms }), at));
    }
    fx
}

/// Tells each applicant whose application passed its expected date without a decision
/// (SPEC R7 «уведомления о задержке»), once per delay, in the cabinet and by e-mail as their
/// settings allow. One failure does not hold up the others. Returns how many were told.
pub async fn announce_delays(
    store: &dyn Store,
    catalogue: &Catalogue,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let mut told = 0;
    let mut failed = None;
    for app in store.list_overdue_unnoticed(now.date()).await? {
        match announce_delay(store, catalogue, &app, now).await {
            Ok(true) => told += 1,
            Ok(false) => {}
            Err(e) => failed = Some(e),
        }
    }
    match failed {
        Some(e) if told == 0 => Err(e),
        _ => Ok(told),
    }
}

async fn announce_delay(
    store: &dyn Store,
    catalogue: &Catalogue,
    app: &Application,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    use crate::settings::{Channel, Importance, Kind};
    let user = store.get_user(app.user_id).await?;
    let number = app.number.as_deref().unwrap_or("—");
    let title = catalogue.get(&app.service).map_or(app.service.as_str(), |s| s.title.as_str());
    let due = app.due_on.map(crate::ident::ru_date).unwrap_or_default();
    let text = format!(
        "Заявление № {number} «{title}» рассматривается дольше ожидаемого срока ({due}). \
         Мы напомнили ведомству; если у вас есть вопросы, напишите оператору на странице заявления."
    );
    let subject = format!("Заявление № {number}: срок рассмотрения превышен");
    let by = |channel| user.settings.allows(Kind::Reminder, channel, Importance::Important);
    let mut fx = Effects::none();
    if by(Channel::Cabinet) {
        fx.notices.push(NewNotice {
            user_id: user.id,
            at: now,
            kind: "reminder".into(),
            title: subject.clone(),
            text: text.clone(),
            link: format!("/applications/{}", app.id),
            critical: false,
        });
    }
    if let Some(email) = user.profile.email.as_ref().filter(|_| by(Channel::Email)) {
        let payload = serde_json::json!({ "to": email.as_str(), "subject": subject, "text": text });
        fx.jobs.push(NewJob::of(JobKind::SendEmail, payload, now));
    }
    let mut e = NewAuditEvent::system(now, "application.overdue", Some(app.user_id));
    e.object = Some(format!("application:{}", app.id));
    fx.audit.push(e);
    store.update_overdue_noticed(app.id, now, &fx).await
}

/// Why a review job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A registry did not answer: retry later.
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    /// Storage failed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// The job cannot be understood (a bug or a removed service); retrying will not help.
    #[error("{0}")]
    Malformed(String),
}

/// Runs review jobs and applies status changes with their notifications.
#[derive(Clone)]
pub struct Reviewer {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Services.
    pub catalogue: Arc<Catalogue>,
    /// ФНС, СФР, МВД.
    pub registries: Registries,
}

/// Stores `change` of `app` with the announcement to the applicant and `fx`, in one
/// transaction. A change that keeps the status (a note in the journal) announces nothing.
pub async fn apply(
    store: &dyn Store,
    catalogue: &Catalogue,
    app: &Application,
    change: &StatusChange,
    fx: Effects,
) -> Result<(), StoreError> {
    apply_with(store, catalogue, app, None, change, fx).await
}

/// As [`apply`], for the applicant's own action: `owner` is the applicant, already read.
pub async fn apply_by_owner(
    store: &dyn Store,
    catalogue: &Catalogue,
    app: &Application,
    owner: &crate::user::User,
    change: &StatusChange,
    fx: Effects,
) -> Result<(), StoreError> {
    apply_with(store, catalogue, app, Some(owner).filter(|u| u.id == app.user_id), change, fx).await
}

async fn apply_with(
    store: &dyn Store,
    catalogue: &Catalogue,
    app: &Application,
    owner: Option<&crate::user::User>,
    change: &StatusChange,
    mut fx: Effects,
) -> Result<(), StoreError> {
    if change.to != change.from {
        let user = match owner {
            Some(u) => u.clone(),
            None => store.get_user(app.user_id).await?,
        };
        let mut app = app.clone();
        app.number = app.number.or_else(|| change.number.clone());
        let service = catalogue.get(&app.service);
        let title = service.map_or(app.service.as_str(), |s| s.title.as_str());
        let more = announce(&user, &app, title, change);
        fx.notices.extend(more.notices);
        fx.jobs.extend(more.jobs);
        // The person's programs hear of it too (webhooks), from the same transaction.
        use crate::integration::webhook::{EventType, event_job};
        let data = serde_json::json!({
            "application": app.id.to_string(),
            "number": app.number,
            "from": change.from.code(),
            "status": change.to.code(),
        });
        if change.from == Status::Draft {
            fx.jobs.push(event_job(app.user_id, EventType::ApplicationSubmitted, data.clone(), change.at));
        }
        fx.jobs.push(event_job(app.user_id, EventType::ApplicationStatusChanged, data, change.at));
        // A rejected application's fee goes back where the service says so (the job finds
        // whether one was paid), in the same transaction as the rejection.
        if change.to == Status::Rejected && service.and_then(|s| s.fee.as_ref()).is_some_and(|f| f.refund_on_reject) {
            fx.jobs.push(crate::payment::fee::refund_job(app.id, change.at));
        }
    }
    store.update_application_status(app.id, change, &fx).await
}

impl Reviewer {
    async fn apply(&self, app: &Application, change: &StatusChange, fx: Effects) -> Result<(), StoreError> {
        apply(self.store.as_ref(), &self.catalogue, app, change, fx).await
    }

    /// Handles one job of [`QUEUE`] at `now`.
    pub async fn handle(&self, j: &Job, now: OffsetDateTime) -> Result<(), ReviewError> {
        let id = j.job.payload["application"]
            .as_str()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .map(ApplicationId)
            .ok_or_else(|| ReviewError::Malformed(format!("job {}: no application id", j.id)))?;
        let app = self.store.get_application(id).await?;
        match j.kind() {
            Some(JobKind::CheckApplication) => self.check(app, now).await,
            Some(JobKind::CompleteApplication) => self.complete(&app, now).await,
            _ => Err(ReviewError::Malformed(format!("job {}: unknown kind {}", j.id, j.job.kind))),
        }
    }

    fn audit(app: &Application, action: &str, now: OffsetDateTime, details: serde_json::Value) -> Effects {
        let mut e = NewAuditEvent::system(now, action, Some(app.user_id));
        e.object = Some(format!("application:{}", app.id));
        e.details = details;
        Effects::audit(e)
    }

    async fn check(&self, mut app: Application, now: OffsetDateTime) -> Result<(), ReviewError> {
        let service = self
            .catalogue
            .get(&app.service)
            .ok_or_else(|| ReviewError::Malformed(format!("service {} is not in the catalogue", app.service)))?
            .clone();
        if app.status == Status::Created {
            let comment = if service.registry_checks {
                "Начата проверка сведений по реестрам ФНС, СФР и МВД"
            } else {
                "Заявление передано на рассмотрение"
            };
            let change = StatusChange::new(Status::Created, Status::UnderReview, now, "system", comment, vec![]);
            let fx = Self::audit(&app, "application.review_started", now, serde_json::json!({}));
            match self.apply(&app, &change, fx).await {
                Ok(()) => app.status = Status::UnderReview,
                // Moved meanwhile (an officer took it, or it was withdrawn): read it again; an
                // application under review still gets its checks.
                Err(StoreError::Conflict { .. }) => app = self.store.get_application(app.id).await?,
                Err(e) => return Err(e.into()),
            }
        }
        if app.status != Status::UnderReview {
            return Ok(());
        }
        let reasons = if service.registry_checks { checks::run(&app, &self.registries).await? } else { vec![] };
        let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
        let fx = Self::audit(&app, "application.checked", now, serde_json::json!({ "failed": codes }));
        let change = if !reasons.is_empty() {
            StatusChange::new(
                Status::UnderReview,
                Status::Rejected,
                now,
                "system",
                "Автоматическая проверка по реестрам выявила расхождения",
                reasons,
            )
        } else if service.auto_complete.contains(&app.applicant_type) && app.assignee.is_none() {
            let fx = fx.with_job(complete_job(app.id, now));
            let mut change = StatusChange::new(
                Status::UnderReview,
                Status::Approved,
                now,
                "system",
                "Проверки ФНС, СФР и МВД пройдены",
                vec![],
            );
            change.checks_passed = true;
            // Not while an officer holds it: then the officer decides.
            change.assignee_was = Some(None);
            return self.settle(&app, &change, fx).await;
        } else {
            let comment = format!("Проверки пройдены. Заявление передано сотруднику ведомства «{}»", service.agency);
            let mut change =
                StatusChange::new(Status::UnderReview, Status::UnderReview, now, "system", &comment, vec![]);
            change.checks_passed = true;
            change
        };
        self.settle(&app, &change, fx).await
    }

    /// Applies a change; losing a race to an officer or the applicant is not a failure.
    async fn settle(&self, app: &Application, change: &StatusChange, fx: Effects) -> Result<(), ReviewError> {
        match self.apply(app, change, fx).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn complete(&self, app: &Application, now: OffsetDateTime) -> Result<(), ReviewError> {
        if app.status != Status::Approved {
            return Ok(());
        }
        let service = self.catalogue.get(&app.service);
        let activates = service.is_some_and(|s| s.activates_account);
        let comment = if activates { "Услуга активирована" } else { "Услуга оказана" };
        let mut change = StatusChange::new(Status::Approved, Status::Completed, now, "system", comment, vec![]);
        change.registers_user = activates;
        let mut fx = Self::audit(app, "application.completed", now, serde_json::json!({ "activated": activates }));
        // The e-passport is made by its own job, in this transaction: a completed application
        // always gets its record.
        if service.is_some_and(|s| s.result == crate::catalogue::ServiceResult::EPassport) {
            fx = fx.with_job(crate::passport::issue::job(app.id, now));
        }
        self.settle(app, &change, fx).await
    }
}

#[async_trait::async_trait]
impl crate::job::Handler for Reviewer {
    async fn handle(&self, j: &Job, now: OffsetDateTime) -> Result<(), String> {
        Reviewer::handle(self, j, now).await.map_err(|e| e.to_string())
    }
}

//! Sending (SPEC R1–R4, R6): what still stops an application from being sent — every
//! missing or invalid field, missing document, mismatch with the confirmed Госуслуги data and
//! unconfirmed contact — and the sending itself: consent, number, a deadline in working
//! days, and the registry checks queued in the same transaction.

use super::calendar::WorkCalendar;
use super::error::ActionError;
use super::record::{Application, Attachment, ContactConfirmation, StatusChange, format_number};
use super::review;
use super::status::{Action, Actor, Status};
use crate::audit::Origin;
use crate::catalogue::field::FieldKind;
use crate::catalogue::{Catalogue, Service};
use crate::store::{Effects, Store};
use crate::user::User;
use time::{Date, OffsetDateTime};

/// The version of the consent text (R4), recorded with the submission.
pub const CONSENT_VERSION: &str = "pd-2026-11";

/// One thing that stops sending: where on the form, a stable code, and the Russian message
/// (after the field's label when there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The form's anchor (a field's name, `doc-<code>`, `contacts`).
    pub anchor: String,
    /// Stable code.
    pub code: &'static str,
    /// The field's label, when the message is about a field's value.
    pub label: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Finding {
    fn new(anchor: &str, code: &'static str, message: &str) -> Self {
        Self { anchor: anchor.to_owned(), code, label: None, message: message.to_owned() }
    }

    /// Whether it is only found on the check page (missing values and documents, mismatches);
    /// the form flags invalid values as one types.
    pub fn waits_for_check(&self) -> bool {
        self.code == "field_required" || self.code == "document_missing" || self.code.starts_with("mismatch_")
    }
}

/// Fields, documents and the named mismatches with the confirmed Госуслуги data (R2).
pub fn form_findings(service: &Service, app: &Application, user: &User, attached: &[Attachment]) -> Vec<Finding> {
    let t = app.applicant_type;
    let data = &app.data;
    let mut out = Vec::new();
    for d in service.documents.iter().filter(|d| d.applicants.contains(&t)) {
        if !attached.iter().any(|a| a.document == d.code) {
            out.push(Finding::new(
                &format!("doc-{}", d.code),
                "document_missing",
                &format!("Приложите документ: {}", d.title),
            ));
        }
    }
    for f in service.fields_for(t) {
        let v = data.get(&f.name).map_or("", String::as_str);
        if let Err(e) = f.check(v) {
            out.push(Finding {
                anchor: f.name.clone(),
                code: e.code(),
                label: Some(f.label.clone()),
                message: e.to_string(),
            });
        }
    }
    let p = &user.profile;
    let typed = |k: &str| data.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let fio = format!("{} {} {}", typed("last_name"), typed("first_name"), typed("middle_name"));
    let known = format!("{} {} {}", p.last_name, p.first_name, p.middle_name.clone().unwrap_or_default());
    if !p.last_name.is_empty()
        && fio.split_whitespace().collect::<Vec<_>>() != known.split_whitespace().collect::<Vec<_>>()
    {
        out.push(Finding::new("last_name", "mismatch_fio", "Ошибка: несовпадение ФИО с данными Госуслуг"));
    }
    let same = |k: &str, known: Option<String>, kind: FieldKind| {
        let Some(known) = known else { return true };
        kind.normalise(&typed(k)).map(|v| v == known).unwrap_or(true)
    };
    if !same("snils", p.snils.as_ref().map(ToString::to_string), FieldKind::Snils) {
        out.push(Finding::new("snils", "mismatch_snils", "Ошибка: несовпадение СНИЛС с данными Госуслуг"));
    }
    if !same("inn", p.inn.as_ref().map(ToString::to_string), FieldKind::InnPerson) {
        out.push(Finding::new("inn", "mismatch_inn", "Ошибка: несовпадение ИНН с данными Госуслуг"));
    }
    if !same("birth_date", p.birth_date.map(|d| d.to_string()), FieldKind::Date) {
        out.push(Finding::new(
            "birth_date",
            "mismatch_birth_date",
            "Ошибка: несовпадение даты рождения с данными Госуслуг",
        ));
    }
    out
}

/// Contacts typed differently from Госуслуги's and not confirmed (R3).
pub fn contact_findings(app: &Application, user: &User, all: &[ContactConfirmation]) -> Vec<Finding> {
    super::contacts::states(app, user, all)
        .into_iter()
        .filter(|c| !c.confirmed)
        .map(|c| match c.channel {
            super::contacts::Channel::Sms => {
                Finding::new("contacts", "contact_phone_unconfirmed", "Подтвердите телефон кодом из SMS")
            }
            super::contacts::Channel::Email => Finding::new(
                "contacts",
                "contact_email_unconfirmed",
                "Подтвердите адрес электронной почты по ссылке из письма",
            ),
        })
        .collect()
}

/// Everything that stops sending `app` now.
pub async fn findings(
    store: &dyn Store,
    service: &Service,
    app: &Application,
    user: &User,
    now: time::OffsetDateTime,
) -> Result<Vec<Finding>, ActionError> {
    let attached = store.list_attachments(app.id).await?;
    let confirmations = store.list_contact_confirmations(app.id).await?;
    let mut out = form_findings(service, app, user, &attached);
    out.extend(contact_findings(app, user, &confirmations));
    // The signature comes last: it covers everything above, so it is asked for once the rest
    // is in order (a change after signing asks for it again).
    if service.signature == crate::catalogue::SignatureRule::Required
        && out.is_empty()
        && super::statement::current_signature(store, app, now).await?.is_none()
    {
        out.push(Finding::new("signature", "signature_required", "Подпишите заявление электронной подписью"));
    }
    // The state fee, when the service has one, is paid for the application as it is last.
    if out.is_empty() {
        use crate::payment::fee::FeeState;
        match crate::payment::fee::state(store, service, app).await? {
            FeeState::NotIssued { .. } | FeeState::Unpaid(_) => {
                out.push(Finding::new("fee", "fee_unpaid", "Оплатите госпошлину"));
            }
            FeeState::PaidLess { .. } => out.push(Finding::new(
                "fee",
                "fee_paid_other_amount",
                "Госпошлина оплачена за заявителя другого типа и меньше нужной: верните прежний тип заявителя или обратитесь в поддержку",
            )),
            FeeState::Free | FeeState::Paid { .. } => {}
        }
    }
    // Last, sending itself confirmed by an SMS code, for the application as it is now.
    if out.is_empty() && service.confirm_by_sms {
        let all = store.list_contact_confirmations(app.id).await?;
        if !super::sms_confirm::confirmed(app, &all, now) {
            out.push(Finding::new("sms-code", "sms_code_required", "Подтвердите отправку кодом из SMS"));
        }
    }
    Ok(out)
}

/// What sending gave.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The application's number.
    pub number: String,
    /// Its status now.
    pub status: Status,
    /// The expected date of the decision.
    pub due_on: Date,
}

/// «Отправить заявление»: refuses while anything stops it or without consent; else gives it
/// a number (kept when sent again), counts the deadline in working days, records the consent
/// and queues the registry checks, all in one transaction. What was checked is what is sent:
/// a save in between makes it refuse with [`ActionError::Changed`].
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn submit(
    store: &dyn Store,
    catalogue: &Catalogue,
    service: &Service,
    app: &Application,
    user: &User,
    consent: bool,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Sent, ActionError> {
    let found = findings(store, service, app, user, now).await?;
    if !found.is_empty() {
        return Err(ActionError::Incomplete(found));
    }
    if !consent {
        return Err(ActionError::ConsentRequired);
    }
    let action = if app.status == Status::Draft { Action::Submit } else { Action::Resubmit };
    let to = app.status.apply(&action, Actor::Applicant)?;
    let number = match &app.number {
        Some(n) => n.clone(),
        None => format_number(now.year(), store.next_application_number(now.year()).await?),
    };
    let days = service.norm_days.get(&app.applicant_type).copied().unwrap_or(0);
    let due = WorkCalendar::russian()?.add_working_days(now.date(), days);
    let mut change = StatusChange::new(app.status, to, now, "applicant", "Заявление отправлено", vec![]);
    change.number = Some(number.clone());
    change.consent = Some((CONSENT_VERSION.to_owned(), now));
    change.due_on = Some(due);
    change.data_as_of = Some(app.updated_at);
    let mut e = origin.event(now, "application.submitted", Some(user.id));
    e.object = Some(format!("application:{}", app.id));
    e.details = serde_json::json!({ "number": number, "consent_version": CONSENT_VERSION });
    // The registry checks start in the background, in the same transaction as the sending.
    let fx = Effects::audit(e).with_job(review::check_job(app.id, now));
    review::apply_by_owner(store, catalogue, app, user, &change, fx).await?;
    Ok(Sent { number, status: to, due_on: due })
}

/// «Отозвать заявление», while the status allows it.
pub async fn withdraw(
    store: &dyn Store,
    catalogue: &Catalogue,
    app: &Application,
    user: &User,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    let to = app.status.apply(&Action::Withdraw, Actor::Applicant)?;
    let change = StatusChange::new(app.status, to, now, "applicant", "Заявление отозвано заявителем", vec![]);
    let mut e = origin.event(now, "application.withdrawn", Some(user.id));
    e.object = Some(format!("application:{}", app.id));
    review::apply_by_owner(store, catalogue, app, user, &change, Effects::audit(e)).await?;
    Ok(())
}

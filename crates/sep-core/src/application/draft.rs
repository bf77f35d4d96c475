//! Drafts (SPEC R2, R8): a new application of a service pre-filled from the Госуслуги profile,
//! and what was typed saved as it is — valid or not — while the application may change.

use super::error::ActionError;
use super::record::{Application, ApplicationId, applicant_from_code};
use super::status::{Allowed, Status};
use crate::audit::Origin;
use crate::catalogue::{Catalogue, Service};
use crate::store::{Effects, Store};
use crate::user::User;
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// Characters kept of one typed value (the longest field allows 4000): kept beyond the
/// field's limit so the check page can name it; only a runaway value is cut.
pub const MAX_TYPED: usize = 10_000;

/// Values from the Госуслуги profile for the form (R2).
pub fn prefill(user: &User) -> BTreeMap<String, String> {
    let p = &user.profile;
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            m.insert(k.to_owned(), v);
        }
    };
    put("last_name", Some(p.last_name.clone()));
    put("first_name", Some(p.first_name.clone()));
    put("middle_name", p.middle_name.clone());
    put("birth_date", p.birth_date.map(|d| d.to_string()));
    put("birth_place", p.birth_place.clone());
    put("snils", p.snils.as_ref().map(ToString::to_string));
    put("inn", p.inn.as_ref().map(ToString::to_string));
    put("phone", p.phone.as_ref().map(ToString::to_string));
    put("email", p.email.as_ref().map(ToString::to_string));
    put("address", p.address.clone());
    if let Some(pp) = &p.passport {
        put("passport_series", Some(pp.series.as_str().to_owned()));
        put("passport_number", Some(pp.number.as_str().to_owned()));
        put("passport_issued_on", Some(pp.issued_on.to_string()));
        put("passport_issuer", Some(pp.issuer.clone()));
        put("passport_division_code", Some(pp.division_code.to_string()));
        // A Russian internal passport is held by citizens of Russia.
        put("citizenship", Some("Российская Федерация".to_owned()));
    }
    m
}

/// A new draft of `service_code` for `user` applying as `applicant_code`, pre-filled.
pub async fn start(
    store: &dyn Store,
    catalogue: &Catalogue,
    user: &User,
    service_code: &str,
    applicant_code: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Application, ActionError> {
    start_as(store, catalogue, user, service_code, applicant_code, ApplicationId::new(), origin, now).await
}

/// [`start`] with the draft's id chosen by the caller (a bulk import's row, so that the same
/// file makes it once).
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn start_as(
    store: &dyn Store,
    catalogue: &Catalogue,
    user: &User,
    service_code: &str,
    applicant_code: &str,
    id: ApplicationId,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Application, ActionError> {
    let service = catalogue.get(service_code).ok_or(ActionError::UnknownService)?;
    if service.registered_only && user.registered_at.is_none() {
        return Err(ActionError::RegistrationRequired);
    }
    let kind = applicant_from_code(applicant_code)
        .filter(|k| service.applicants.contains(k))
        .ok_or(ActionError::ApplicantTypeRequired)?;
    let app = Application {
        id,
        number: None,
        user_id: user.id,
        service: service.code.clone(),
        applicant_type: kind,
        status: Status::Draft,
        data: prefill(user),
        consent: None,
        due_on: None,
        created_at: now,
        updated_at: now,
        submitted_at: None,
        assignee: None,
        checks_passed_at: None,
    };
    let mut e = origin.event(now, "application.created", Some(user.id));
    e.object = Some(format!("application:{}", app.id));
    store.insert_application(&app, &Effects::audit(e)).await?;
    Ok(app)
}

/// How long after a journaled save the next one is journaled again.
pub const JOURNAL_EVERY: time::Duration = time::Duration::minutes(10);

/// Saves the typed values of the service's fields (others are ignored), valid or not (R8).
/// The store refuses if the application was sent meanwhile.
pub async fn save(
    store: &dyn Store,
    app: &Application,
    service: &Service,
    typed: &HashMap<String, String>,
    origin: &crate::audit::Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    if !app.status.allowed().contains(&Allowed::Edit) {
        return Err(ActionError::NotEditable(app.status));
    }
    let mut data = app.data.clone();
    for f in service.fields_for(app.applicant_type) {
        if let Some(v) = typed.get(&f.name) {
            // Control characters (a NUL, an escape) are never part of a value; line breaks and
            // tabs are, in a long text.
            let kept = v.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
            data.insert(f.name.clone(), kept.take(MAX_TYPED).collect());
        }
    }
    // The journal gets a save when the previous change (the draft's creation, which has its own
    // record, or a save) was a while ago: one record for a sitting of typing, not one per
    // background save. It names the fields changed, never their values.
    let changed: Vec<&str> =
        data.iter().filter(|(k, v)| app.data.get(*k) != Some(*v)).map(|(k, _)| k.as_str()).collect();
    let fx = if !changed.is_empty() && now - app.updated_at >= JOURNAL_EVERY {
        let mut e = origin.event(now, "application.draft_saved", Some(app.user_id));
        e.object = Some(format!("application:{}", app.id));
        e.details = serde_json::json!({ "fields": changed });
        Effects::audit(e)
    } else {
        Effects::none()
    };
    store.update_application_data(app.id, &data, now, &fx).await.map_err(|e| match e {
        crate::StoreError::Conflict { .. } => ActionError::NotEditable(app.status),
        e => e.into(),
    })
}

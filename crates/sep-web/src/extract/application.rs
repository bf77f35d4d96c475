//! Who may open an application (SEC2), as extractors: the `{id}` of the address is looked up,
//! the rule of `sep_core::application::access` applied, and a refusal journaled once and
//! answered "not found" — the same answer as for an id that does not exist.

use super::{Officer, SignedIn};
use crate::AppState;
use crate::error::WebError;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use sep_core::application::access::{Viewer, agency_sees, viewer};
use sep_core::application::record::{Application, ApplicationId};
use sep_core::application::status::Allowed;
use sep_core::audit::Outcome;
use sep_core::catalogue::Service;
use sep_core::session::Session;
use sep_core::user::User;
use sep_http::Problem;

/// The application named by the address's `{id}`, or "not found".
async fn find(parts: &mut Parts, state: &AppState) -> Result<Application, WebError> {
    let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| WebError::not_found())?;
    let id = params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v).ok_or_else(WebError::not_found)?;
    let uuid = uuid::Uuid::parse_str(id).map_err(|_| WebError::not_found())?;
    Ok(state.store.get_application(ApplicationId(uuid)).await?)
}

/// The service of `app`, if the catalogue still has it.
fn service_of(state: &AppState, app: &Application) -> Option<Service> {
    state.catalogue.get(&app.service).cloned()
}

/// "Not found" for `user` asking for `app`, with the refusal in the journal (many end the
/// session: `crate::session::refuse`).
async fn denied(parts: &mut Parts, state: &AppState, session: &Session, user: &User, app: &Application) -> WebError {
    let ctx = super::Ctx::from_request_parts(parts, state).await.unwrap_or_else(|never| match never {});
    let mut e = crate::session::event(
        state.clock.now(),
        "application.access_denied",
        Some(user.id),
        &ctx.client,
        &ctx.rid,
        Outcome::Denied,
    );
    e.object = Some(format!("application:{}", app.id));
    crate::session::refuse(state, session, &e).await;
    WebError::not_found()
}

/// The signed-in applicant's own application.
#[derive(Debug, Clone)]
pub(crate) struct Owned {
    pub(crate) session: Session,
    pub(crate) user: User,
    pub(crate) app: Application,
    pub(crate) service: Service,
}

impl FromRequestParts<AppState> for Owned {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn { session, user } = SignedIn::from_request_parts(parts, state).await?;
        let app = find(parts, state).await?;
        if app.user_id != user.id {
            return Err(denied(parts, state, &session, &user, &app).await);
        }
        let service = service_of(state, &app).ok_or_else(WebError::not_found)?;
        Ok(Self { session, user, app, service })
    }
}

/// The applicant's own application while its data and files may change (a draft, or one
/// returned for fixing); otherwise 409 `application_not_editable`.
#[derive(Debug, Clone)]
pub(crate) struct Editable(pub(crate) Owned);

impl FromRequestParts<AppState> for Editable {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let owned = Owned::from_request_parts(parts, state).await?;
        if !owned.app.status.allowed().contains(&Allowed::Edit) {
            return Err(not_editable(&owned.app).into());
        }
        Ok(Self(owned))
    }
}

/// 409 for a change to an application that no longer changes.
pub(crate) fn not_editable(app: &Application) -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "application_not_editable",
        "Заявление нельзя изменить",
        &format!("Заявление в статусе «{}» не редактируется: данные и документы меняются, пока заявление не отправлено или возвращено на исправление.", app.status.title()),
        "Дождитесь решения или напишите оператору.",
    )
    .retry(&format!("/applications/{}", app.id), "К заявлению")
}

/// An application of the officer's agency (sent, not their own).
#[derive(Debug, Clone)]
pub(crate) struct InAgency {
    pub(crate) officer: Officer,
    pub(crate) app: Application,
    pub(crate) service: Service,
}

impl FromRequestParts<AppState> for InAgency {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let officer = Officer::from_request_parts(parts, state).await?;
        let app = find(parts, state).await?;
        match service_of(state, &app).filter(|svc| agency_sees(&officer.user, &app, svc)) {
            Some(service) => Ok(Self { officer, app, service }),
            None => Err(denied(parts, state, &officer.session, &officer.user, &app).await),
        }
    }
}

/// An application its applicant or an officer of its agency is looking at.
#[derive(Debug, Clone)]
pub(crate) struct Visible {
    pub(crate) session: Session,
    pub(crate) user: User,
    pub(crate) app: Application,
    pub(crate) viewer: Viewer,
}

impl FromRequestParts<AppState> for Visible {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn { session, user } = SignedIn::from_request_parts(parts, state).await?;
        let app = find(parts, state).await?;
        // The applicant sees their own even if its service has left the catalogue.
        let seen = if app.user_id == user.id {
            Some(Viewer::Applicant)
        } else {
            service_of(state, &app).and_then(|svc| viewer(&user, &app, &svc))
        };
        match seen {
            Some(viewer) => Ok(Self { session, user, app, viewer }),
            None => Err(denied(parts, state, &session, &user, &app).await),
        }
    }
}

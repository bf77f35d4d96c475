//! `POST /applications/{id}/withdraw`: «Отозвать заявление», while the status allows it.

use super::account::signed_in_with_terms as signed_in;
use crate::client::Client;
use crate::middleware::request_id_of as request_id;
use crate::session::{CurrentUser, csrf_ok, event};
use crate::{AppState, Problem};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::application::record::StatusChange;
use sep_core::application::review;
use sep_core::application::status::{Action, Actor};
use sep_core::audit::Outcome;
use sep_core::store::Effects;
use serde::Deserialize;

#[derive(Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    csrf: String,
}

/// Withdraws the applicant's own application.
pub(crate) async fn withdraw(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> Response {
    let rid = request_id(&headers);
    let (session, user) = match signed_in(user, &format!("/applications/{id}")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    if !csrf_ok(&session, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, _) = match super::applications::owned(&s, &user, &id, &client, &rid).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let refused = |detail: &str| {
        Problem::new(
            StatusCode::CONFLICT,
            "status_transition_illegal",
            "Заявление нельзя отозвать",
            detail,
            "Откройте заявление заново: на странице указано, что можно сделать сейчас.",
        )
        .into_response()
    };
    let to = match app.status.apply(&Action::Withdraw, Actor::Applicant) {
        Ok(to) => to,
        Err(e) => return refused(&e.to_string()),
    };
    let now = s.clock.now();
    let change = StatusChange::new(app.status, to, now, "applicant", "Заявление отозвано заявителем", vec![]);
    let mut e = event(now, "application.withdrawn", Some(user.id), &client, &rid, Outcome::Success);
    e.object = Some(format!("application:{}", app.id));
    match review::apply(s.store.as_ref(), &s.catalogue, &app, &change, Effects::audit(e)).await {
        Ok(()) => Redirect::to(&format!("/applications/{}", app.id)).into_response(),
        Err(sep_core::StoreError::Conflict { .. }) => {
            refused("Статус заявления изменился, пока страница была открыта.")
        }
        Err(e) => {
            tracing::error!(code = e.code(), "withdraw failed");
            Problem::internal().into_response()
        }
    }
}

//! `POST /applications/{id}/withdraw`: «Отозвать заявление», while the status allows it.

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, Owned};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use sep_core::application::submit;

/// Withdraws the applicant's own application.
pub(crate) async fn withdraw(
    State(s): State<AppState>,
    o: Owned,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    submit::withdraw(s.store.as_ref(), &s.catalogue, &o.app, &o.user, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to(&format!("/applications/{}", o.app.id)).into_response())
}

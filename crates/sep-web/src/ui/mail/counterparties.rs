//! «Разрешённые получатели и контрагенты»: the list, adding by ИНН or ОГРН (checked with
//! ФНС), removing.

use super::mail_problem;
use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use sep_core::mail::counterparty;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "mail/counterparties.html")]
struct ListPage {
    /// `(ИНН, ОГРН, name, added)`.
    rows: Vec<(String, String, String, String)>,
    csrf: String,
}

/// `GET /mail/counterparties`.
pub(crate) async fn list(State(s): State<AppState>, SignedIn { session, user }: SignedIn) -> Page {
    let rows = s
        .store
        .list_counterparties(user.id)
        .await?
        .into_iter()
        .map(|c| (c.inn, c.ogrn, c.name, moscow(c.added_at)))
        .collect();
    render(&ListPage { rows, csrf: session.csrf_secret })
}

#[derive(Deserialize)]
pub(crate) struct AddForm {
    #[serde(default)]
    number: String,
}

/// `POST /mail/counterparties`: adds by ИНН or ОГРН.
pub(crate) async fn add(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<AddForm>,
) -> Page {
    counterparty::add(s.store.as_ref(), s.fns.as_ref(), user.id, &f.number, &ctx.origin(), s.clock.now())
        .await
        .map_err(|e| mail_problem(e, "Контрагент не добавлен", "/mail/counterparties"))?;
    Ok(Redirect::to("/mail/counterparties").into_response())
}

#[derive(Deserialize)]
pub(crate) struct RemoveForm {
    #[serde(default)]
    inn: String,
}

/// `POST /mail/counterparties/remove` (`inn` in the body, so an entrepreneur's ИНН stays out of
/// addresses and logs): removes one of the person's; another's is not found.
pub(crate) async fn remove(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> Page {
    if !counterparty::remove(s.store.as_ref(), user.id, &f.inn, &ctx.origin(), s.clock.now())
        .await
        .map_err(|e| mail_problem(e, "Контрагент не удалён", "/mail/counterparties"))?
    {
        return Err(crate::error::WebError::not_found());
    }
    Ok(Redirect::to("/mail/counterparties").into_response())
}

//! `/officer/spravki`: an officer finds a справка their agency issued by its number and
//! annuls it with a reason (SPEC S2, E4): the check page then says «аннулирована» and the
//! holder is told. Another agency's справка is not found, as an unknown number is not.

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, Officer};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::document::issued::{Standing, annul_document};
use sep_core::spravka;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "officer/spravki.html")]
struct FindPage {
    csrf: String,
    agency: String,
    number: String,
    searched: bool,
    /// Label and value rows of the found справка.
    facts: Vec<(&'static str, String)>,
    annullable: bool,
    annulled: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct Find {
    #[serde(default)]
    number: String,
    annulled: Option<String>,
}

/// `GET /officer/spravki?number=`.
pub(crate) async fn find(
    State(s): State<AppState>,
    Officer { session, user, agency }: Officer,
    Query(q): Query<Find>,
) -> Page {
    let number: String = q.number.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    let found =
        if number.is_empty() { None } else { spravka::find_for_officer(s.store.as_ref(), &user, &number).await? };
    let now = s.clock.now();
    let mut facts = vec![];
    let mut annullable = false;
    if let Some((d, order)) = &found {
        let standing = match d.standing(now) {
            Standing::Valid => tr("Действительна"),
            Standing::Annulled => tr("Аннулирована"),
            Standing::Expired => tr("Срок действия истёк"),
        };
        facts.push(("Номер документа", d.number.clone()));
        facts.push(("Документ", tr_dyn(&d.title)));
        facts.push(("Кому выдан", d.holder.clone()));
        facts.push(("Выдан", format!("{} {}", moscow(d.issued_at), tr("МСК"))));
        if let Some(until) = d.valid_until {
            facts.push(("Действительна до", format!("{} {}", moscow(until), tr("МСК"))));
        }
        if let Some(o) = order {
            facts.push(("Заказ", o.number.clone()));
        }
        facts.push(("Состояние", standing.to_owned()));
        annullable = d.annulled_at.is_none();
    }
    let page = render(&FindPage {
        csrf: session.csrf_secret,
        agency: tr_dyn(&agency),
        searched: !number.is_empty(),
        number,
        facts,
        annullable,
        annulled: q.annulled.is_some(),
    })?;
    let status = if found.is_none() && !q.number.trim().is_empty() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    Ok((status, page).into_response())
}

#[derive(Deserialize)]
pub(crate) struct AnnulForm {
    #[serde(default)]
    reason: String,
}

/// `POST /officer/spravki/{number}/annul`: «Аннулировать» with a reason.
pub(crate) async fn annul(
    State(s): State<AppState>,
    Officer { user, .. }: Officer,
    ctx: Ctx,
    Path(number): Path<String>,
    CsrfForm(f): CsrfForm<AnnulForm>,
) -> Page {
    let (d, _) = spravka::find_for_officer(s.store.as_ref(), &user, &number)
        .await?
        .ok_or_else(crate::error::WebError::not_found)?;
    let d = annul_document(s.store.as_ref(), &user, d, &f.reason, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to(&format!("/officer/spravki?number={}&annulled=1", d.number)).into_response())
}

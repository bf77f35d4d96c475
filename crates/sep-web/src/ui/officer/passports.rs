//! `/officer/passports`: an officer of МВД finds an e-passport by its number — the view is
//! journaled and the holder sees it — and annuls it with a reason code (SPEC EP1, EP2). Officers
//! of other agencies, and citizens, find nothing.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx, Officer};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::{moscow, render, ru_date};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use sep_core::passport::officer::{self, PassportError};
use sep_core::passport::record::{AnnulReason, PassportStatus};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "officer/passports.html")]
struct FindPage {
    csrf: String,
    number: String,
    searched: bool,
    id: String,
    facts: Vec<(&'static str, String)>,
    /// When, status, reason, comment.
    history: Vec<(String, &'static str, &'static str, String)>,
    annullable: bool,
    annulled: bool,
    reasons: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Find {
    #[serde(default)]
    number: String,
    annulled: Option<String>,
}

/// `GET /officer/passports?number=`.
pub(crate) async fn find(
    State(s): State<AppState>,
    Officer { session, user, .. }: Officer,
    ctx: Ctx,
    Query(q): Query<Find>,
) -> Page {
    if !officer::keeps_registry(&user) {
        return Err(WebError::not_found());
    }
    let number: String = q.number.trim().chars().filter(|c| !c.is_control()).take(40).collect();
    let found = if number.is_empty() {
        None
    } else {
        match officer::find(s.store.as_ref(), &user, &number, &ctx.origin(), s.clock.now()).await {
            Ok(found) => Some(found),
            Err(PassportError::NotFound) => None,
            Err(e) => return Err(e.into()),
        }
    };
    let mut page = FindPage {
        csrf: session.csrf_secret,
        searched: !number.is_empty(),
        number,
        id: String::new(),
        facts: vec![],
        history: vec![],
        annullable: false,
        annulled: q.annulled.is_some(),
        reasons: AnnulReason::ALL.iter().map(|r| (r.code(), tr(r.label()))).collect(),
    };
    if let Some((p, history)) = &found {
        page.id = p.id.to_string();
        page.facts = vec![
            ("Номер электронного паспорта", p.number.clone()),
            ("Статус", tr(p.status.label()).to_owned()),
            ("Фамилия, имя, отчество", p.full_name()),
            ("Дата рождения", ru_date(Some(p.birth_date))),
            ("Место рождения", p.birth_place.clone()),
            ("ИНН", p.inn.clone()),
            ("Паспорт (серия и номер)", p.document()),
            ("Выдан", ru_date(Some(sep_core::clock::moscow_day(p.issued_at)))),
            ("Действителен до", ru_date(Some(sep_core::clock::moscow_day(p.valid_until)))),
        ];
        page.history = history
            .iter()
            .map(|h| (moscow(h.at), tr(h.status.label()), h.reason.map_or("", |r| tr(r.label())), tr_dyn(&h.comment)))
            .collect();
        page.annullable = p.status == PassportStatus::Valid;
    }
    let status = if found.is_none() && page.searched { StatusCode::NOT_FOUND } else { StatusCode::OK };
    let mut res = (status, render(&page)?).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}

#[derive(Deserialize)]
pub(crate) struct AnnulForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    comment: String,
}

/// `POST /officer/passports/{id}/annul`: «Аннулировать» with a reason.
pub(crate) async fn annul(
    State(s): State<AppState>,
    Officer { user, .. }: Officer,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<AnnulForm>,
) -> Page {
    let p = officer::annul(s.store.as_ref(), &user, id, &f.reason, &f.comment, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to(&format!(
        "/officer/passports?number={}&annulled=1",
        crate::ui::components::percent_encoded(&p.number)
    ))
    .into_response())
}

//! «Загрузка заявлений из файла» (SPEC A4): an organisation (or anyone applying many times)
//! uploads a CSV, follows its progress on a bar — the page can be left: the import runs in the
//! background and a notice says when it is done — and sees what was made and what each refused
//! row lacks. The rules are `sep_core::application::bulk` and `integration::operation`, the
//! same as `POST /api/v1/applications/import`.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfMultipart, Ctx, SignedIn};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::render;
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::integration::operation::{self, ImportError, Operation, State as OpState};
use sep_core::user::User;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "applications/import.html")]
struct FormPage {
    services: Vec<(String, String)>,
    csrf: String,
    /// A refusal of the file: code and text, and what to do.
    error: Option<(&'static str, String, String)>,
}

fn form(s: &AppState, csrf: String, error: Option<(&'static str, String, String)>) -> FormPage {
    let services = s.catalogue.search("").into_iter().map(|svc| (svc.code.clone(), tr_dyn(&svc.title))).collect();
    FormPage { services, csrf, error }
}

/// `GET /applications/import`.
pub(crate) async fn page(State(s): State<AppState>, SignedIn { session, .. }: SignedIn) -> Page {
    render(&form(&s, session.csrf_secret, None))
}

/// `POST /applications/import` (multipart: `csrf`, `service`, `applicant`, `mode`, `file`).
pub(crate) async fn upload(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    CsrfMultipart(f): CsrfMultipart,
) -> Page {
    let (_, bytes) = f.file("file").unwrap_or(("", &[]));
    let (store, now) = (s.store.as_ref(), s.clock.now());
    let mode = if f.text("mode") == "submit" { "submit" } else { "draft" };
    let started = operation::import(
        store,
        &s.catalogue,
        &user,
        &sep_core::integration::tokens::person_owner(user.id),
        f.text("service"),
        f.text("applicant"),
        mode,
        bytes,
        &ctx.origin(),
        now,
    )
    .await;
    match started {
        Ok(op) => Ok(Redirect::to(&format!("/applications/import/{}", op.id)).into_response()),
        Err(ImportError::Store(e)) => Err(e.into()),
        Err(e) => {
            let error = Some((e.code(), tr_dyn(&e.to_string()), tr(e.action()).to_owned()));
            let page = render(&form(&s, session.csrf_secret, error))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The person's operation `id`; another's is not found.
async fn own(s: &AppState, user: &User, id: &str) -> Result<Operation, WebError> {
    let id = Uuid::parse_str(id).map_err(|_| WebError::not_found())?;
    // The person's, however it was started (the page, their token, a program acting for them).
    s.store.find_api_operation(id).await?.filter(|op| op.user_id == user.id).ok_or_else(WebError::not_found)
}

/// A refused row as the page lists it.
struct Problem {
    row: i64,
    field: String,
    code: String,
    message: String,
}

#[derive(Template)]
#[template(path = "applications/import_progress.html")]
struct ProgressPage {
    id: String,
    state: &'static str,
    done: i64,
    total: i64,
    made: i64,
    sent: i64,
    refused: i64,
    problems: Vec<Problem>,
    finished: bool,
}

/// `GET /applications/import/{operation}`: the progress bar, then the result.
pub(crate) async fn progress(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path(id): Path<String>,
) -> Page {
    let op = own(&s, &user, &id).await?;
    let n = |k: &str| op.result[k].as_i64().unwrap_or(0);
    let problems = op.result["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Problem {
            row: p["row"].as_i64().unwrap_or(0),
            field: p["field"].as_str().unwrap_or("").to_owned(),
            code: p["code"].as_str().unwrap_or("").to_owned(),
            message: tr_dyn(p["message"].as_str().unwrap_or("")),
        })
        .collect();
    render(&ProgressPage {
        id: op.id.to_string(),
        state: op.state.code(),
        done: op.done,
        total: op.total,
        made: n("made"),
        sent: n("sent"),
        refused: n("refused"),
        problems,
        finished: matches!(op.state, OpState::Succeeded | OpState::Failed),
    })
}

/// `GET /applications/import/{operation}/status`: where it is, for the bar (`assets/import.js`).
pub(crate) async fn status(State(s): State<AppState>, SignedIn { user, .. }: SignedIn, Path(id): Path<String>) -> Page {
    let op = own(&s, &user, &id).await?;
    let finished = matches!(op.state, OpState::Succeeded | OpState::Failed);
    Ok(Json(serde_json::json!({ "state": op.state.code(), "done": op.done, "total": op.total, "final": finished }))
        .into_response())
}

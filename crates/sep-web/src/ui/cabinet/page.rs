//! `/cabinet`: the personal cabinet (SPEC C1) — registration state, notifications newest
//! first with unread marked, personal data, and the way to everything else.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, SignedIn};
use crate::i18n::{tr, tr_dyn};
use crate::ui::components::personal::block;
use crate::ui::components::{file_size, moscow, render, ru_date};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use sep_core::application::record::{Application, ApplicationId, Attachment};
use sep_core::application::status::Allowed;
use sep_core::ids::UserId;
use sep_core::notice::Notice;
use sep_core::user::Role;
use serde::Deserialize;

/// How many notifications the cabinet shows.
const NOTICES_SHOWN: u32 = 20;

struct NoticeView {
    time: String,
    title: String,
    text: String,
    link: String,
    unread: bool,
    critical: bool,
}

#[derive(Template)]
#[template(path = "cabinet/cabinet.html")]
struct CabinetPage {
    greeting: String,
    /// The personal data block, changed in place.
    personal: crate::ui::components::personal::PersonalBlock,
    csrf: String,
    registered: Option<String>,
    officer: bool,
    notices: Vec<NoticeView>,
    unread: usize,
    newest: i64,
    apps: Vec<AppView>,
    documents: Vec<DocView>,
    /// When the block holds this many, more are in «Мои документы».
    documents_capped: u32,
    history: Vec<(String, &'static str, i64)>,
    /// Unread messages in «Электронный ящик» as the badge says them (`""` for none).
    mail_unread: String,
}

/// A file in the documents block.
struct DocView {
    title: String,
    name: String,
    size: String,
    href: String,
    application: String,
    /// Where to replace it, while the application can still change.
    replace: Option<String>,
}

/// How many operations the history block shows (all of them are in «История операций»).
const HISTORY_SHOWN: u32 = 5;

/// An application in the activity block.
struct AppView {
    id: String,
    title: String,
    number: String,
    status: &'static str,
    tone: &'static str,
    due: String,
}

/// How many applications the activity block shows (all of them are in «Мои заявления»).
const APPS_SHOWN: usize = 5;

/// `GET /cabinet`.
pub(crate) async fn page(State(s): State<AppState>, SignedIn { session, user }: SignedIn) -> Page {
    let notices = s.store.list_notices(user.id, NOTICES_SHOWN).await?;
    let apps = s.store.list_applications_for_user(user.id).await?;
    let history = s.store.list_audit_for_user(user.id, None, HISTORY_SHOWN).await?;
    let p = &user.profile;
    render(&CabinetPage {
        greeting: p.middle_name.as_ref().map_or_else(|| p.first_name.clone(), |m| format!("{} {m}", p.first_name)),
        personal: block(&s, &user, None, None, session.csrf_secret.clone()).await?,
        csrf: session.csrf_secret,
        registered: user.registered_at.map(moscow),
        officer: user.role == Role::Officer && user.agency.is_some(),
        mail_unread: crate::ui::components::badge(
            s.store.count_unread(&sep_core::mail::Party::Person(user.id), sep_core::mail::UNREAD_CAP).await?,
        ),
        unread: notices.iter().filter(|n| n.read_at.is_none()).count(),
        newest: notices.first().map_or(0, |n| n.id),
        documents: documents(&s, user.id, &apps).await?,
        documents_capped: DOCUMENTS_SHOWN,
        history: history
            .into_iter()
            .map(|e| (moscow(e.event.at), tr(super::history::action_title(&e.event.action)), e.seq))
            .collect(),
        apps: apps.iter().take(APPS_SHOWN).map(|a| app_view(&s, a)).collect(),
        notices: notices.into_iter().map(notice_view).collect(),
    })
}

/// How many files the documents block shows, newest first (all of them are in «Мои
/// документы»: a cabinet listing every file of every application grew with the person and was
/// the page's largest cost, issue 20).
const DOCUMENTS_SHOWN: u32 = 10;

/// The newest files of the person's applications, with where to replace each while it may.
/// One read for all of them, not one per application.
async fn documents(s: &AppState, user: UserId, apps: &[Application]) -> Result<Vec<DocView>, WebError> {
    let by_id: std::collections::HashMap<ApplicationId, &Application> = apps.iter().map(|a| (a.id, a)).collect();
    let files = s.store.list_recent_attachments_of_user(user, DOCUMENTS_SHOWN).await?;
    Ok(files.into_iter().filter_map(|f| by_id.get(&f.application_id).map(|a| doc_view(s, a, f))).collect())
}

fn doc_view(s: &AppState, a: &Application, f: Attachment) -> DocView {
    let editable = a.status.allowed().contains(&Allowed::Edit);
    DocView {
        title: s
            .catalogue
            .get(&a.service)
            .and_then(|svc| svc.documents.iter().find(|d| d.code == f.document))
            .map_or_else(|| f.document.clone(), |d| tr_dyn(&d.title)),
        size: file_size(f.size),
        href: format!("/applications/{}/attachments/{}", a.id, f.id),
        application: a.number.clone().unwrap_or_else(|| tr("черновик").into()),
        replace: editable.then(|| format!("/applications/{}#doc-{}", a.id, f.document)),
        name: f.file_name,
    }
}

fn app_view(s: &AppState, a: &Application) -> AppView {
    AppView {
        id: a.id.to_string(),
        title: crate::ui::components::service_title(s, &a.service),
        number: a.number.clone().unwrap_or_else(|| tr("черновик").into()),
        status: tr(a.status.title()),
        tone: a.status.tone(),
        due: ru_date(a.due_on),
    }
}

fn notice_view(n: Notice) -> NoticeView {
    NoticeView {
        time: moscow(n.notice.at),
        title: tr_dyn(&n.notice.title),
        text: tr_dyn(&n.notice.text),
        link: n.notice.link,
        unread: n.read_at.is_none(),
        critical: n.notice.critical,
    }
}

#[derive(Deserialize)]
pub(crate) struct ReadForm {
    #[serde(default)]
    up_to: i64,
}

/// `POST /notices/read`: marks the notifications shown (up to `up_to`) read.
pub(crate) async fn mark_read(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    CsrfForm(f): CsrfForm<ReadForm>,
) -> Page {
    s.store.update_notices_read(user.id, f.up_to, s.clock.now()).await?;
    Ok(Redirect::to("/cabinet#notices").into_response())
}

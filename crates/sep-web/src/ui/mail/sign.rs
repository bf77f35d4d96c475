//! «Подписать и отправить»: the page that lists what one code signs (the text and every
//! file, each with its Стрибог-256 hash) and takes the SMS code; a right code signs and sends.

use super::{Mailbox, mail_problem};
use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx};
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sep_core::mail::{MailError, sealed};
use sep_core::signing::{SignRequest, SigningError, cloud};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "mail/sign.html")]
struct SignPage {
    boxq: String,
    csrf: String,
    id: String,
    title: String,
    /// To whom.
    to: String,
    /// `(name, hash)` of each part.
    parts: Vec<(String, String)>,
    hash: String,
    phone: String,
    /// The draft, to go back to it.
    back: String,
    error: Option<(&'static str, String)>,
}

async fn page_of(s: &AppState, m: &Mailbox, r: &SignRequest, error: Option<&MailError>) -> Page {
    let authority = s.cloud.as_deref().ok_or(SigningError::Unavailable)?;
    let back = draft_back(m, r);
    let (to, parts) = sealed::parts(
        s.store.as_ref(),
        s.files.as_ref(),
        &s.catalogue,
        authority,
        &m.user,
        &m.party,
        r,
        m.name.clone(),
        s.clock.now(),
    )
    .await
    .map_err(|e| mail_problem(e, "Сообщение не подписано", &back))?;
    render(&SignPage {
        boxq: m.query(),
        csrf: m.session.csrf_secret.clone(),
        id: r.id.to_string(),
        title: r.file_name.clone(),
        to: crate::i18n::tr_dyn(&to),
        parts,
        hash: r.hash.clone(),
        phone: crate::ui::components::signatures::masked_phone(&m.user),
        back,
        error: error.map(|e| (e.code(), e.to_string())),
    })
}

/// The draft a signing is for, to go back to.
fn draft_back(m: &Mailbox, r: &SignRequest) -> String {
    sealed::draft_of(r)
        .map_or_else(|| "/mail".to_owned(), |d| super::write::address(m, "/mail/new", &format!("draft={d}")))
}

/// The person's pending mail signing `id` (another's, or a document's, is not found).
async fn request(s: &AppState, m: &Mailbox, id: Uuid) -> Result<SignRequest, WebError> {
    let r = cloud::request(s.store.as_ref(), &m.user, id).await?;
    if sealed::draft_of(&r).is_none() {
        return Err(WebError::not_found());
    }
    Ok(r)
}

/// `GET /mail/sign/{id}`: what the code signs, and the code field; once sent, the conversation.
pub(crate) async fn page(State(s): State<AppState>, m: Mailbox, Path(id): Path<Uuid>) -> Page {
    let r = request(&s, &m, id).await?;
    if let Some(f) = s.store.find_filed(&m.party, r.id).await? {
        return Ok(
            Redirect::to(&super::write::address(&m, &format!("/mail/{}", f.letter.conversation), "")).into_response()
        );
    }
    page_of(&s, &m, &r, None).await
}

#[derive(serde::Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /mail/sign/{id}`: the code; a right one signs every part and sends the message.
pub(crate) async fn confirm(
    State(s): State<AppState>,
    m: Mailbox,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Page {
    let r = request(&s, &m, id).await?;
    let authority = s.cloud.as_deref().ok_or(SigningError::Unavailable)?;
    let sent = sealed::confirm(
        s.store.as_ref(),
        s.files.as_ref(),
        &s.catalogue,
        authority,
        &m.user,
        &m.party,
        r.id,
        &form.code,
        m.name.clone(),
        &ctx.origin(),
        s.clock.now(),
    )
    .await;
    // Whatever this press met, a message that went (with another press) is shown.
    if sent.is_err()
        && let Some(f) = s.store.find_filed(&m.party, r.id).await?
    {
        return Ok(
            Redirect::to(&super::write::address(&m, &format!("/mail/{}", f.letter.conversation), "")).into_response()
        );
    }
    match sent {
        Ok(l) => Ok(Redirect::to(&super::write::address(&m, &format!("/mail/{}", l.conversation), "")).into_response()),
        Err(e @ MailError::Signing(SigningError::CodeWrong { .. } | SigningError::CodeVoid)) => {
            let r = request(&s, &m, id).await?;
            let mut page = page_of(&s, &m, &r, Some(&e)).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        // A second press, a second tab: the message went with the first.
        Err(MailError::AlreadySent) => match s.store.find_filed(&m.party, r.id).await? {
            Some(f) => Ok(Redirect::to(&super::write::address(&m, &format!("/mail/{}", f.letter.conversation), ""))
                .into_response()),
            None => Err(mail_problem(MailError::AlreadySent, "Сообщение не отправлено", "/mail?folder=sent")),
        },
        Err(e) => Err(mail_problem(e, "Сообщение не отправлено", &draft_back(&m, &r))),
    }
}

//! «Написать» and «Ответить»: the form (recipients from the directory and the person's
//! counterparties), and sending with files (multipart).

use super::{Mailbox, mail_problem};
use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfMultipart, Ctx};
use crate::i18n::tr_dyn;
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use sep_core::mail::letters::{self, Outgoing};
use sep_core::mail::{MAX_FILE_MB, MAX_FILES, MAX_MESSAGE_MB, Party};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "mail/new.html")]
struct NewPage {
    boxq: String,
    /// `(value, name, chosen)`.
    recipients: Vec<(String, String, bool)>,
    csrf: String,
    max_files: usize,
    max_file_mb: u32,
    max_message_mb: u32,
}

#[derive(Deserialize, Default)]
pub(crate) struct NewQuery {
    #[serde(default)]
    to: String,
}

/// A recipient as the form's `to` carries it: `agency:<name>` or `org:<ИНН>`.
fn recipient_value(p: &Party) -> String {
    format!("{}:{}", p.kind(), p.key())
}

fn recipient_of(value: &str) -> Option<Party> {
    let (kind, key) = value.split_once(':')?;
    matches!(kind, "agency" | "org").then(|| Party::from_stored(kind, key)).flatten()
}

/// `GET /mail/new`: «Написать» from the person's own mailbox (`?to=` chooses the recipient).
pub(crate) async fn form(State(s): State<AppState>, m: Mailbox, Query(q): Query<NewQuery>) -> Page {
    if m.code == "agency" {
        // An agency answers what it receives; it does not start conversations here yet.
        return Err(crate::error::WebError::not_found());
    }
    let all = if m.code.is_empty() {
        letters::recipients(s.store.as_ref(), &s.catalogue, &m.user).await.map_err(|e| mail_problem(e, "", "/mail"))?
    } else {
        // An organisation starts conversations with agencies; people write to it first.
        sep_core::mail::directory(&s.catalogue).into_iter().map(|a| (Party::Agency(a.clone()), a)).collect()
    };
    let recipients =
        all.into_iter().map(|(p, name)| (recipient_value(&p), tr_dyn(&name), recipient_value(&p) == q.to)).collect();
    render(&NewPage {
        boxq: m.query(),
        recipients,
        csrf: m.session.csrf_secret.clone(),
        max_files: MAX_FILES,
        max_file_mb: MAX_FILE_MB,
        // The portal's request limit may be the tighter one.
        max_message_mb: MAX_MESSAGE_MB.min(u32::try_from(s.config.max_body_bytes / (1024 * 1024)).unwrap_or(u32::MAX)),
    })
}

/// `POST /mail` (multipart: `csrf`, `to`, `subject`, `text`, `files`): sends a new message.
pub(crate) async fn send(State(s): State<AppState>, m: Mailbox, ctx: Ctx, CsrfMultipart(parts): CsrfMultipart) -> Page {
    let out = Outgoing {
        to: recipient_of(parts.text("to")),
        reply_to: None,
        subject: parts.text("subject").to_owned(),
        text: parts.text("text").to_owned(),
        files: parts.files_of("files"),
        from_name: m.name.clone(),
    };
    let back = format!("/mail/new{}", m.query());
    go(&s, &m, &ctx, out, &back).await
}

/// `POST /mail/{conversation}/reply` (multipart: `csrf`, `text`, `files`): «Ответить».
pub(crate) async fn reply(
    State(s): State<AppState>,
    m: Mailbox,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    req: axum::extract::Request,
) -> Page {
    // Another's conversation is not found before its body is read.
    if s.store.list_conversation(&m.party, id).await?.is_empty() {
        return Err(crate::error::WebError::not_found());
    }
    let CsrfMultipart(parts) = <CsrfMultipart as axum::extract::FromRequest<AppState>>::from_request(req, &s).await?;
    let out = Outgoing {
        to: None,
        reply_to: Some(id),
        subject: parts.text("subject").to_owned(),
        text: parts.text("text").to_owned(),
        files: parts.files_of("files"),
        from_name: m.name.clone(),
    };
    let back = format!("/mail/{id}{}", m.query());
    go(&s, &m, &ctx, out, &back).await
}

async fn go(s: &AppState, m: &Mailbox, ctx: &Ctx, out: Outgoing, back: &str) -> Page {
    let sent = letters::send(
        s.store.as_ref(),
        s.files.as_ref(),
        &s.catalogue,
        &m.user,
        &m.party,
        out,
        &ctx.origin(),
        s.clock.now(),
    )
    .await
    .map_err(|e| mail_problem(e, "Сообщение не отправлено", back))?;
    Ok(Redirect::to(&format!("/mail/{}{}", sent.conversation, m.query())).into_response())
}

//! `/api/v1/mail`: the person's own mailbox («Электронный ящик») through the API — whom they
//! may write to, the conversations of a folder by cursor, one conversation read (as opening it
//! on the page marks what came as read), and a message sent (`letters::send`, the page's use
//! case: the same recipients, limits and journal). Signed messages and files stay on the pages.

use crate::AppState;
use crate::api::write::{JsonBody, Reply, idempotent};
use crate::api::{Paging, caller, calling, rfc3339};
use crate::error::{Page, WebError, mail_refusal};
use crate::extract::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use sep_core::integration::Scope;
use sep_core::mail::letters::{self, Outgoing};
use sep_core::mail::{Conversation, Filed, Folder, MailError, Party};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

fn refused(e: MailError) -> WebError {
    mail_refusal(e, "Действие с почтой не выполнено")
}

/// Someone the person may write to.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Recipient {
    /// `agency` or `org`.
    kind: &'static str,
    /// The agency's name, or the organisation's ИНН: what `to` takes.
    id: String,
    /// As shown.
    name: String,
}

/// The recipients.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Recipients {
    /// The directory's agencies, then the person's counterparties.
    items: Vec<Recipient>,
}

/// `GET /api/v1/mail/recipients` (scope `mail:read`).
#[utoipa::path(
    get,
    path = "/api/v1/mail/recipients",
    tag = "mail",
    summary = "Whom the person may write to: the directory's agencies and their counterparties",
    responses(
        (status = 200, description = "The recipients", body = Recipients),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `mail:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["mail:read"]))
)]
pub(crate) async fn recipients(State(s): State<AppState>, headers: HeaderMap) -> Page {
    let user = caller(&s, &headers, Scope::MailRead).await?;
    let all = letters::recipients(s.store.as_ref(), &s.catalogue, &user).await.map_err(refused)?;
    let items = all
        .into_iter()
        .filter_map(|(p, name)| match p {
            Party::Agency(a) => Some(Recipient { kind: "agency", id: a, name }),
            Party::Org(inn) => Some(Recipient { kind: "org", id: inn, name }),
            Party::Person(_) => None,
        })
        .collect();
    Ok(Json(Recipients { items }).into_response())
}

/// A conversation in a folder.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ConversationItem {
    /// Id.
    id: String,
    /// Its subject.
    subject: String,
    /// With whom.
    with: String,
    /// Its last message.
    #[schema(format = DateTime)]
    last_at: String,
    /// Messages.
    count: i64,
    /// Not yet read.
    unread: i64,
}

/// A page of conversations.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Conversations {
    /// Latest first.
    items: Vec<ConversationItem>,
    /// Where the next page starts; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The folder and paging.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FolderQuery {
    /// `inbox` (when absent), `sent` or `archive`.
    #[serde(default)]
    folder: Option<String>,
    /// Items on a page, 1 to 200 (50 when absent).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// Where the page starts: `next_cursor` of the page before.
    #[serde(default)]
    cursor: Option<String>,
}

/// An unknown folder.
pub(crate) const FOLDER_UNKNOWN: crate::api::QueryRefusal =
    ("api_folder_unknown", "Такой папки нет.", "Укажите folder: inbox, sent или archive.");

/// `GET /api/v1/mail?folder=` (scope `mail:read`).
#[utoipa::path(
    get,
    path = "/api/v1/mail",
    tag = "mail",
    summary = "The conversations of a folder of the person's mailbox, latest first, by cursor",
    params(FolderQuery),
    responses(
        (status = 200, description = "A page of conversations", body = Conversations),
        (status = 400, description = "The query is malformed (a parameter given twice)", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `mail:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "A parameter refused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["mail:read"]))
)]
pub(crate) async fn list(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<FolderQuery>) -> Page {
    let user = caller(&s, &headers, Scope::MailRead).await?;
    let folder = match q.folder.as_deref() {
        None | Some("") => Folder::Inbox,
        Some(code) => {
            Folder::ALL.into_iter().find(|f| f.code() == code).ok_or_else(|| crate::api::refused(FOLDER_UNKNOWN))?
        }
    };
    let paging = Paging::<Uuid>::of(q.limit.as_deref(), q.cursor.as_deref())?;
    let all = letters::folder(s.store.as_ref(), &Party::Person(user.id), folder).await.map_err(refused)?;
    let (page, next_cursor) = paging.page(&all, |c: &Conversation| (c.last_at.unix_timestamp_nanos(), c.id));
    let items = page
        .into_iter()
        .map(|c| ConversationItem {
            id: c.id.to_string(),
            subject: c.subject.clone(),
            with: c.with.clone(),
            last_at: rfc3339(c.last_at),
            count: c.count,
            unread: c.unread,
        })
        .collect();
    Ok(Json(Conversations { items, next_cursor }).into_response())
}

/// A file of a message.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FileItem {
    /// Its name.
    name: String,
    /// Its type.
    content_type: String,
    /// Bytes.
    size: i64,
    /// SHA-256.
    sha256: String,
}

/// A message.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Message {
    /// Id.
    id: String,
    /// From.
    from: String,
    /// To.
    to: String,
    /// Whether it came to the person (else they sent it).
    incoming: bool,
    /// Subject.
    subject: String,
    /// Text.
    text: String,
    /// Its files (download them on the pages).
    files: Vec<FileItem>,
    /// Whether its parts carry electronic signatures.
    signed: bool,
    /// Sent.
    #[schema(format = DateTime)]
    sent_at: String,
    /// Opened by its recipient.
    #[schema(format = DateTime)]
    read_at: Option<String>,
}

fn message(f: &Filed) -> Message {
    let l = &f.letter;
    Message {
        id: l.id.to_string(),
        from: l.from_name.clone(),
        to: l.to_name.clone(),
        incoming: f.incoming,
        subject: l.subject.clone(),
        text: l.text.clone(),
        files: l
            .files
            .iter()
            .map(|x| FileItem {
                name: x.name.clone(),
                content_type: x.content_type.clone(),
                size: x.size,
                sha256: x.sha256.clone(),
            })
            .collect(),
        signed: !l.signatures.is_empty(),
        sent_at: rfc3339(l.sent_at),
        read_at: l.read_at.map(rfc3339),
    }
}

/// A conversation with its messages.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Thread {
    /// Id.
    id: String,
    /// Its messages, oldest first.
    messages: Vec<Message>,
}

/// `GET /api/v1/mail/{conversation}` (scope `mail:read`): reading it marks what came as read.
#[utoipa::path(
    get,
    path = "/api/v1/mail/{conversation}",
    tag = "mail",
    summary = "One conversation with its messages (what came is marked read, as on the page)",
    params(("conversation" = String, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "The conversation", body = Thread),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `mail:read`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation in the person's mailbox", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["mail:read"]))
)]
pub(crate) async fn read(State(s): State<AppState>, headers: HeaderMap, ctx: Ctx, Path(id): Path<String>) -> Page {
    let user = caller(&s, &headers, Scope::MailRead).await?;
    let id = Uuid::parse_str(&id).map_err(|_| WebError::not_found())?;
    let held = letters::open(s.store.as_ref(), &Party::Person(user.id), id, &user, &ctx.origin(), s.clock.now())
        .await
        .map_err(refused)?;
    Ok(Json(Thread { id: id.to_string(), messages: held.iter().map(message).collect() }).into_response())
}

/// To whom a new message goes.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct To {
    /// `agency` or `org`.
    kind: String,
    /// The agency's name or the counterparty's ИНН (`GET /api/v1/mail/recipients`).
    id: String,
}

/// A message to send.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewMessage {
    /// To whom (a new conversation); absent with `reply_to`.
    #[serde(default)]
    to: Option<To>,
    /// The conversation answered (its other side is the recipient).
    #[serde(default)]
    reply_to: Option<String>,
    /// Subject (for a reply: «Re: …» when empty).
    #[serde(default)]
    subject: String,
    /// Text.
    #[serde(default)]
    text: String,
}

/// `POST /api/v1/mail` (scope `mail:send`): sends a message from the person's mailbox.
#[utoipa::path(
    post,
    path = "/api/v1/mail",
    tag = "mail",
    summary = "Send a message from the person's mailbox (a new conversation, or a reply)",
    request_body = NewMessage,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a repeat of this request answer as the first did (24 hours)")),
    responses(
        (status = 201, description = "Sent", body = Message),
        (status = 400, description = "Not JSON, or a malformed Idempotency-Key", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `mail:send`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation to answer", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Empty, a recipient the person may not write to, an application's thread, the key reused", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Too many messages this hour", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["mail:send"]))
)]
pub(crate) async fn send(State(s): State<AppState>, headers: HeaderMap, ctx: Ctx, body: JsonBody<NewMessage>) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::MailSend).await?;
    let run = async {
        let req = body.value?;
        let to = match req.to {
            None => None,
            Some(To { kind, id }) => Some(match kind.as_str() {
                "agency" => Party::Agency(id),
                "org" => Party::Org(id),
                _ => return Err(refused(MailError::RecipientNotAllowed)),
            }),
        };
        let reply_to = match req.reply_to.as_deref() {
            None | Some("") => None,
            Some(c) => Some(Uuid::parse_str(c).map_err(|_| WebError::not_found())?),
        };
        let out = Outgoing { to, reply_to, subject: req.subject, text: req.text, ..Outgoing::default() };
        let mailbox = Party::Person(user.id);
        let (store, now) = (s.store.as_ref(), s.clock.now());
        let sent = letters::send(
            store,
            s.files.as_ref(),
            &s.catalogue,
            s.cloud.as_deref(),
            &user,
            &mailbox,
            out,
            &ctx.origin(),
            now,
        )
        .await
        .map_err(refused)?;
        let filed = Filed { letter: sent, incoming: false, read: true, archived: false };
        Reply::created(message(&filed), format!("/api/v1/mail/{}", filed.letter.conversation))
    };
    idempotent(&s, &owner, &headers, &body.fingerprint, run).await
}

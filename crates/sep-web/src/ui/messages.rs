//! «Связаться с оператором» (SPEC A2): the thread on an application between the applicant
//! and the agency's officers, each message with an optional file, and the file downloads of
//! an application. Both sides see the same thread; the other side gets a notification in the
//! same transaction as the message.

use super::account::signed_in_with_terms as signed_in;
use crate::client::Client;
use crate::middleware::request_id_of as request_id;
use crate::session::{CurrentUser, csrf_ok, event};
use crate::{AppState, Problem};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::application::record::{Application, Message};
use sep_core::application::status::Allowed;
use sep_core::audit::Outcome;
use sep_core::catalogue::Format;
use sep_core::notice::NewNotice;
use sep_core::store::Effects;
use sep_core::user::User;

/// Longest message kept.
const MAX_TEXT: usize = 4000;
/// Largest file on a message.
const MAX_MB: u32 = 5;

/// Who is looking at an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Viewer {
    /// Its owner.
    Applicant,
    /// An officer of the responsible agency.
    Officer,
}

/// The application if `user` owns it or is an officer of its agency; "not found" otherwise
/// (journaled, like every refused object).
pub(crate) async fn visible(
    s: &AppState,
    user: &User,
    id: &str,
    client: &Client,
    rid: &str,
) -> Result<(Application, Viewer), Response> {
    let app = super::access::find(s, id).await?;
    if app.user_id == user.id {
        return Ok((app, Viewer::Applicant));
    }
    if super::officer::sees(s, user, &app).is_some() {
        return Ok((app, Viewer::Officer));
    }
    Err(super::access::denied(s, user, &app, client, rid).await)
}

fn internal(e: &sep_core::StoreError) -> Response {
    tracing::error!(code = e.code(), error = %e, "messages storage failed");
    Problem::internal().into_response()
}

/// One message as shown.
pub(crate) struct MessageView {
    pub(crate) time: String,
    pub(crate) author: &'static str,
    pub(crate) text: String,
    /// Link, name, size.
    pub(crate) file: Option<(String, String, String)>,
}

/// The thread as `viewer` sees it, oldest first.
pub(crate) fn views(messages: &[Message], viewer: Viewer) -> Vec<MessageView> {
    messages
        .iter()
        .map(|m| MessageView {
            time: super::moscow(m.at),
            author: match (m.author.as_str(), viewer) {
                ("applicant", Viewer::Applicant) | ("officer", Viewer::Officer) => crate::i18n::tr("Вы"),
                ("applicant", Viewer::Officer) => crate::i18n::tr("Заявитель"),
                _ => crate::i18n::tr("Сотрудник ведомства"),
            },
            text: m.text.clone(),
            file: m.file.as_ref().map(|f| {
                let href = format!("/applications/{}/messages/{}/file", m.application_id, m.id);
                (href, f.file_name.clone(), super::file_size(f.size))
            }),
        })
        .collect()
}

/// `POST /applications/{id}/messages` (multipart: `csrf`, `text`, optional `file`), from the
/// applicant or an officer of the agency.
pub(crate) async fn post(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    let rid = request_id(&headers);
    let (session, user) = match signed_in(user, &format!("/applications/{id}")) {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let parts = match super::upload::read(form).await {
        Ok(p) => p,
        Err(res) => return *res,
    };
    if !csrf_ok(&session, parts.text("csrf")) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let (app, viewer) = match visible(&s, &user, &id, &client, &rid).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let back = match viewer {
        Viewer::Applicant => format!("/applications/{}#messages", app.id),
        Viewer::Officer => format!("/officer/applications/{}#messages", app.id),
    };
    if viewer == Viewer::Applicant && !app.status.allowed().contains(&Allowed::Message) {
        return Problem::new(
            StatusCode::CONFLICT,
            "message_not_allowed",
            "Написать по этому заявлению нельзя",
            &format!("В статусе «{}» переписка с оператором недоступна.", app.status.title()),
            "Сначала отправьте заявление; по отозванному заявлению подайте новое.",
        )
        .into_response();
    }
    let text: String = parts.text("text").trim().chars().take(MAX_TEXT).collect();
    if text.is_empty() {
        return Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message_empty",
            "Сообщение пустое",
            "Напишите, что вы хотите сообщить или спросить.",
            "Вернитесь к заявлению и введите текст сообщения.",
        )
        .retry(&back, "К заявлению")
        .into_response();
    }
    let file = match &parts.file {
        None => None,
        Some((name, bytes)) => {
            match super::upload::keep(&s, name, bytes, &[Format::Pdf, Format::Jpeg, Format::Png], MAX_MB).await {
                Ok(f) => Some(f),
                Err(super::upload::Refusal::Store) => {
                    return Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).into_response();
                }
                Err(super::upload::Refusal::File(e)) => {
                    return Problem::new(
                        super::upload::status_of(&e),
                        e.code(),
                        "Файл не принят",
                        &e.to_string(),
                        "Вернитесь к заявлению и выберите другой файл.",
                    )
                    .retry(&back, "К заявлению")
                    .into_response();
                }
            }
        }
    };
    let now = s.clock.now();
    let author = if viewer == Viewer::Applicant { "applicant" } else { "officer" };
    let message =
        Message { id: 0, application_id: app.id, at: now, author_id: user.id, author: author.into(), text, file };
    let mut ev = event(now, "application.message", Some(user.id), &client, &rid, Outcome::Success);
    ev.subject = Some(app.user_id);
    ev.object = Some(format!("application:{}", app.id));
    ev.details = serde_json::json!({ "author": author, "file": message.file.is_some() });
    let mut fx = Effects::audit(ev);
    let number = app.number.as_deref().unwrap_or("—");
    // The other side hears of it: the applicant, or the officer in charge.
    let (to, link) = match viewer {
        Viewer::Officer => (Some(app.user_id), format!("/applications/{}#messages", app.id)),
        Viewer::Applicant => (app.assignee, format!("/officer/applications/{}#messages", app.id)),
    };
    if let Some(to) = to {
        fx.notices.push(NewNotice {
            user_id: to,
            at: now,
            kind: "message".into(),
            title: format!("Новое сообщение по заявлению № {number}"),
            text: message.text.chars().take(200).collect(),
            link,
            critical: false,
        });
    }
    if viewer == Viewer::Officer {
        match s.store.get_user(app.user_id).await {
            Ok(applicant) => {
                use sep_core::settings::{Channel, Importance, Kind};
                let wanted = applicant.settings.allows(Kind::Status, Channel::Email, Importance::Normal);
                if let Some(email) = applicant.profile.email.as_ref().filter(|_| wanted) {
                    fx = fx.with_job(sep_core::job::NewJob::now(
                        "notify",
                        "send_email",
                        serde_json::json!({
                            "to": email.as_str(),
                            "subject": format!("Сообщение по заявлению № {number}"),
                            "text": format!("Сотрудник ведомства написал по заявлению № {number}. Откройте заявление в личном кабинете СЭП."),
                        }),
                        now,
                    ));
                }
            }
            Err(e) => return internal(&e),
        }
    }
    match s.store.insert_message(&message, &fx).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => internal(&e),
    }
}

/// The file as a download: the stored type, the cleaned name, never shown inline.
async fn send_file(s: &AppState, name: &str, content_type: &str, key: &str) -> Response {
    let bytes = match s.files.get(key).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "file store read failed");
            return Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).into_response();
        }
    };
    // RFC 6266/5987: the UTF-8 name percent-encoded, with an ASCII fallback.
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

/// The application behind a download, if the signed-in user may see it.
async fn for_download(
    s: &AppState,
    user: CurrentUser,
    client: &Client,
    headers: &HeaderMap,
    id: &str,
) -> Result<Application, Response> {
    let (_, user) = signed_in(user, &format!("/applications/{id}")).map_err(IntoResponse::into_response)?;
    visible(s, &user, id, client, &request_id(headers)).await.map(|(app, _)| app)
}

/// `GET /applications/{id}/attachments/{file}`: a document of the application.
pub(crate) async fn attachment(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let app = match for_download(&s, user, &client, &headers, &id).await {
        Ok(app) => app,
        Err(res) => return res,
    };
    let files = match s.store.list_attachments(app.id).await {
        Ok(f) => f,
        Err(e) => return internal(&e),
    };
    match files.iter().find(|f| f.id.to_string() == file) {
        Some(f) => send_file(&s, &f.file_name, &f.content_type, &f.sha256).await,
        None => Problem::not_found().into_response(),
    }
}

/// `GET /applications/{id}/messages/{message}/file`: the file of a message.
pub(crate) async fn message_file(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path((id, message)): Path<(String, i64)>,
) -> Response {
    let app = match for_download(&s, user, &client, &headers, &id).await {
        Ok(app) => app,
        Err(res) => return res,
    };
    let messages = match s.store.list_messages(app.id).await {
        Ok(m) => m,
        Err(e) => return internal(&e),
    };
    match messages.iter().find(|m| m.id == message).and_then(|m| m.file.as_ref()) {
        Some(f) => send_file(&s, &f.file_name, &f.content_type, &f.sha256).await,
        None => Problem::not_found().into_response(),
    }
}

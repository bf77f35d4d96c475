//! `/profile/contacts` (SPEC C3): changing the phone or e-mail of the profile. The new phone
//! gets an SMS code, the new address a one-time link; the profile changes only when it is
//! confirmed, and the old contact is told of the change (the usual guard against a taken-over
//! session). Codes are stored as digests; every write of a pending change is conditional on
//! the row as read, so parallel guesses cannot share a try. ФИО, СНИЛС and ИНН come from
//! Госуслуги and change there.

use super::account::signed_in_with_terms as signed_in;
use super::render;
use crate::client::Client;
use crate::i18n::{tr, tr_dyn};
use crate::middleware::request_id_of as request_id;
use crate::session::{CurrentUser, csrf_ok, event};
use crate::{AppState, Problem};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::audit::Outcome;
use sep_core::ident::{Email, Phone};
use sep_core::job::NewJob;
use sep_core::notice::NewNotice;
use sep_core::otp::Verdict;
use sep_core::store::Effects;
use sep_core::user::{ContactChange, User};
use serde::Deserialize;

fn back(note: &str) -> Response {
    Redirect::to(&format!("/profile/contacts?note={note}")).into_response()
}

fn internal(e: &sep_core::StoreError) -> Response {
    tracing::error!(code = e.code(), error = %e, "contact change storage failed");
    Problem::internal().into_response()
}

fn key(user: &User, channel: &str) -> String {
    format!("profile:{}:{channel}", user.id)
}

/// The contact a step's note is about, to keep its change open (none for a shared note).
fn channel_of(code: &str) -> Option<&'static str> {
    match code {
        "sms_sent" | "phone_invalid" | "otp_wrong" | "otp_void" | "not_sent" => Some("sms"),
        "email_sent" | "email_invalid" | "link_void" | "reopen_link" => Some("email"),
        _ => None,
    }
}

/// The sentence shown after a step (`?note=…`): text, and whether it is an error.
fn note(code: &str) -> Option<(&'static str, bool)> {
    Some(match code {
        "sms_sent" => ("Код отправлен на новый номер. Введите его ниже.", false),
        "email_sent" => ("Письмо со ссылкой отправлено на новый адрес. Откройте ссылку из письма.", false),
        "phone_changed" => ("Телефон изменён.", false),
        "email_changed" => ("Адрес электронной почты изменён.", false),
        "same" => ("Этот телефон или адрес уже указан в профиле.", false),
        "phone_invalid" => ("Номер не похож на мобильный: укажите 11 цифр, например +7 912 345-67-89.", true),
        "email_invalid" => ("Адрес записан неверно: нужен вид name@example.ru.", true),
        "otp_wrong" => ("Неверный код. Проверьте цифры или запросите код ещё раз.", true),
        "otp_void" => ("Код больше не действует. Запросите новый.", true),
        "link_void" => ("Ссылка не подходит или устарела. Запросите новую.", true),
        "send_limit" => ("Слишком много отправок. Повторите через час.", true),
        "retry" => ("Код только что изменился. Введите код из последнего сообщения.", true),
        "not_sent" => ("Сначала укажите новый номер и нажмите «Получить код».", true),
        "reopen_link" => ("Вы вошли. Откройте ссылку из письма ещё раз, чтобы подтвердить адрес.", false),
        _ => return None,
    })
}

/// The personal data block (`_personal.html`), alone or inside a page.
#[derive(Template)]
#[template(path = "_personal.html")]
pub(crate) struct PersonalBlock {
    pub(crate) full_name: String,
    pub(crate) snils: String,
    pub(crate) inn: String,
    pub(crate) phone: String,
    pub(crate) email: String,
    /// The phone's change stays open: a code is awaited or the last step was about it.
    pub(crate) open_phone: bool,
    /// The same for the address.
    pub(crate) open_email: bool,
    pub(crate) pending_phone: Option<String>,
    pub(crate) pending_email: Option<String>,
    pub(crate) note: Option<(&'static str, bool)>,
    pub(crate) csrf: String,
}

#[derive(Template)]
#[template(path = "profile_contacts.html")]
struct ContactsPage {
    block: PersonalBlock,
}

#[derive(Deserialize)]
pub(crate) struct NoteQuery {
    note: Option<String>,
}

async fn pending(s: &AppState, user: &User, channel: &str) -> Result<Option<ContactChange>, Response> {
    let now = s.clock.now();
    match s.store.find_contact_change(user.id, channel).await {
        Ok(c) => Ok(c.filter(|c| c.confirmed_at.is_none() && !c.code.spent && c.code.expires_at > now)),
        Err(e) => Err(internal(&e)),
    }
}

/// `GET /profile/contacts`.
pub(crate) async fn page(State(s): State<AppState>, user: CurrentUser, Query(q): Query<NoteQuery>) -> Response {
    let (session, user) = match signed_in(user, "/profile/contacts") {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let code = q.note.as_deref().unwrap_or_default();
    match block(&s, &user, note(code), channel_of(code), session.csrf_secret).await {
        Ok(b) => render(&ContactsPage { block: b }),
        Err(res) => res,
    }
}

/// The personal data block for `user` with the note of the last step.
pub(crate) async fn block(
    s: &AppState,
    user: &User,
    note: Option<(&'static str, bool)>,
    open: Option<&str>,
    csrf: String,
) -> Result<PersonalBlock, Response> {
    let (sms, email) = (pending(s, user, "sms").await?, pending(s, user, "email").await?);
    let p = &user.profile;
    let none = || tr("не указан").to_owned();
    Ok(PersonalBlock {
        full_name: p.full_name(),
        snils: p.snils.as_ref().map_or_else(none, ToString::to_string),
        inn: p.inn.as_ref().map_or_else(none, ToString::to_string),
        phone: p.phone.as_ref().map_or_else(none, Phone::display_form),
        email: p.email.as_ref().map_or_else(none, ToString::to_string),
        open_phone: sms.is_some() || open == Some("sms"),
        open_email: email.is_some() || open == Some("email"),
        pending_phone: sms.and_then(|c| Phone::parse(&c.value).ok()).map(|p| p.display_form()),
        pending_email: email.map(|c| c.value),
        note: note.map(|(text, error)| (tr(text), error)),
        csrf,
    })
}

/// For a step sent by `assets/inplace.js` (`x-sep-inplace`), the block itself instead of the
/// way back to the page: the cabinet swaps it in without a reload. Every step ends in
/// [`back`], so the note is read from where it would have sent the browser.
async fn in_place(
    s: &AppState,
    user: &User,
    channel: &str,
    csrf: String,
    headers: &HeaderMap,
    res: Response,
) -> Response {
    let location = res.headers().get(axum::http::header::LOCATION).and_then(|v| v.to_str().ok());
    let Some(code) = location.and_then(|l| l.strip_prefix("/profile/contacts?note=")).map(str::to_owned) else {
        return res;
    };
    if !headers.contains_key("x-sep-inplace") {
        return res;
    }
    // The step may have changed the profile: show it as stored now.
    let user = match s.store.get_user(user.id).await {
        Ok(u) => u,
        Err(e) => return internal(&e),
    };
    match block(s, &user, note(&code), Some(channel), csrf).await {
        Ok(b) => ([("x-sep-fragment", "1"), ("cache-control", "no-store")], render(&b)).into_response(),
        Err(res) => res,
    }
}

#[derive(Deserialize)]
pub(crate) struct NewValue {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
}

/// `POST /profile/contacts/{channel}`: the new phone (`sms`) or address (`email`); sends the
/// code or link, replacing an earlier one.
pub(crate) async fn request(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(channel): Path<String>,
    Form(f): Form<NewValue>,
) -> Response {
    let (session, user) = match signed_in(user, "/profile/contacts") {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    if !csrf_ok(&session, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let res = send(&s, &user, &client, &headers, channel.clone(), &f.value).await;
    in_place(&s, &user, &channel, session.csrf_secret, &headers, res).await
}

/// Sends the code or link for the new `value` of `channel`.
async fn send(
    s: &AppState,
    user: &User,
    client: &Client,
    headers: &HeaderMap,
    channel: String,
    typed: &str,
) -> Response {
    let (value, current) = match channel.as_str() {
        "sms" => match Phone::parse(typed) {
            Ok(p) => (p.to_string(), user.profile.phone.as_ref().map(ToString::to_string)),
            Err(_) => return back("phone_invalid"),
        },
        "email" => match Email::parse(typed) {
            Ok(e) => (e.to_string(), user.profile.email.as_ref().map(ToString::to_string)),
            Err(_) => return back("email_invalid"),
        },
        _ => return Problem::not_found().into_response(),
    };
    if current.as_deref() == Some(value.as_str()) {
        return back("same");
    }
    let previous = match s.store.find_contact_change(user.id, &channel).await {
        Ok(p) => p,
        Err(e) => return internal(&e),
    };
    let now = s.clock.now();
    // The limit counts sends on the channel within the window, whatever the value.
    let sent = super::codes::recent_sends(previous.as_ref().map(|c| (c.created_at, c.sent)), now);
    if sent >= super::codes::MAX_SENDS {
        return back("send_limit");
    }
    let base = s.config.public_url.clone();
    let sms = |code: &str| tr_dyn(&format!("Код для смены телефона в СЭП: {code}. Никому не сообщайте код"));
    let mail = |token: &str| {
        let link = format!("{base}/profile/contacts/email/confirm?token={token}");
        tr_dyn(&format!("Чтобы указать этот адрес в профиле СЭП, откройте ссылку: {link} (действует сутки)"))
    };
    let carrier = super::codes::Carrier::for_channel(&channel, &sms, tr("Смена адреса в СЭП"), &mail);
    let Some((code, job)) = super::codes::issue(&carrier, &key(user, &channel), &value, now) else {
        return Problem::internal().into_response();
    };
    let change = ContactChange {
        user_id: user.id,
        channel: channel.clone(),
        value,
        code,
        sent: sent + 1,
        created_at: now,
        confirmed_at: None,
    };
    let mut e = event(now, "profile.contact_code_sent", Some(user.id), client, &request_id(headers), Outcome::Success);
    e.details = serde_json::json!({ "channel": channel });
    match s.store.upsert_contact_change(&change, previous.as_ref(), None, &Effects::audit(e).with_job(job)).await {
        Ok(()) => back(if channel == "sms" { "sms_sent" } else { "email_sent" }),
        Err(sep_core::StoreError::Conflict { .. }) => back("retry"),
        Err(e) => internal(&e),
    }
}

/// Checks `typed` against the pending change of `channel` and, when right, changes the profile.
async fn settle(
    s: &AppState,
    user: &User,
    channel: &str,
    typed: &str,
    client: &Client,
    headers: &HeaderMap,
) -> Response {
    let read = match pending(s, user, channel).await {
        Ok(Some(c)) => c,
        Ok(None) => return back(if channel == "sms" { "not_sent" } else { "link_void" }),
        Err(res) => return res,
    };
    let now = s.clock.now();
    let (verdict, next) = read.code.check(&key(user, channel), typed.trim(), now);
    let mut change = read.clone();
    change.code = next;
    let mut fx = Effects::none();
    let mut profile = None;
    if verdict == Verdict::Accepted {
        change.confirmed_at = Some(now);
        let mut p = user.profile.clone();
        let old = if channel == "sms" {
            let old = p.phone.as_ref().map(ToString::to_string);
            p.phone = Phone::parse(&change.value).ok();
            old
        } else {
            let old = p.email.as_ref().map(ToString::to_string);
            p.email = Email::parse(&change.value).ok();
            old
        };
        profile = Some(p);
        let mut e =
            event(now, "profile.contact_changed", Some(user.id), client, &request_id(headers), Outcome::Success);
        e.details = serde_json::json!({ "channel": channel });
        fx = Effects::audit(e);
        let what = if channel == "sms" { "Телефон" } else { "Адрес электронной почты" };
        fx.notices.push(NewNotice {
            user_id: user.id,
            at: now,
            kind: "confirmation".into(),
            title: format!("{what} в профиле изменён"),
            text: format!(
                "{what} изменён на {}. Если это были не вы, завершите все сеансы и обратитесь в поддержку.",
                change.value
            ),
            link: "/profile/contacts".into(),
            critical: false,
        });
        // The old contact hears of it: someone holding the session cannot change it silently.
        if let Some(old) = old {
            let text =
                tr_dyn(&format!("{what} в профиле СЭП изменён. Если это были не вы, обратитесь в поддержку СЭП."));
            let job = if channel == "sms" {
                NewJob::now("notify", "send_sms", serde_json::json!({ "to": old, "text": text }), now)
            } else {
                let payload = serde_json::json!({ "to": old, "subject": tr("Адрес в СЭП изменён"), "text": text });
                NewJob::now("notify", "send_email", payload, now)
            };
            fx = fx.with_job(job);
        }
    }
    match s.store.upsert_contact_change(&change, Some(&read), profile.as_ref(), &fx).await {
        Ok(()) => {}
        Err(sep_core::StoreError::Conflict { .. }) => return back("retry"),
        Err(e) => return internal(&e),
    }
    match verdict {
        Verdict::Accepted => back(if channel == "sms" { "phone_changed" } else { "email_changed" }),
        _ if channel == "email" => back("link_void"),
        Verdict::Wrong { .. } => back("otp_wrong"),
        _ => back("otp_void"),
    }
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `POST /profile/contacts/sms/confirm`: the SMS code.
pub(crate) async fn confirm_sms(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Response {
    let (session, user) = match signed_in(user, "/profile/contacts") {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    if !csrf_ok(&session, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let res = settle(&s, &user, "sms", &f.code, &client, &headers).await;
    in_place(&s, &user, "sms", session.csrf_secret, &headers, res).await
}

#[derive(Deserialize)]
pub(crate) struct Token {
    #[serde(default)]
    token: String,
}

/// `GET /profile/contacts/email/confirm?token=…`: the link from the e-mail (signed in as the
/// same person; a login returns to the page, not to the link, so the token is not carried).
pub(crate) async fn confirm_email(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<Token>,
) -> Response {
    let (_, user) = match signed_in(user, "/profile/contacts?note=reopen_link") {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    settle(&s, &user, "email", &q.token, &client, &headers).await
}

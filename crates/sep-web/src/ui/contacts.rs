//! Confirming the phone and e-mail typed in an application (SPEC R3): "Отправить код" sends
//! an SMS code, "Отправить ссылку" an e-mail with a one-time link; "Отправить ещё раз" issues
//! a new one and voids the old. A confirmation holds for the value it was made for: changing
//! the phone or address asks again. Messages leave through the outbox queue in the same
//! transaction that records them.

use super::account::signed_in_with_terms as signed_in;
use super::applications::owned;
use crate::client::Client;
use crate::i18n::{tr, tr_dyn};
use crate::session::{csrf_ok, event};
use crate::{AppState, Problem};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::application::record::{Application, ContactConfirmation};
use sep_core::application::status::Allowed;
use sep_core::audit::Outcome;
use sep_core::catalogue::field::FieldKind;
use sep_core::otp::Verdict;
use sep_core::store::Effects;
use serde::Deserialize;

/// Codes or links one person may have sent on a channel within the window, all drafts together.
const MAX_SENDS_PER_USER: u32 = 10;

async fn sends_by_user(
    s: &AppState,
    user: &sep_core::user::User,
    channel: &str,
    now: time::OffsetDateTime,
) -> Result<u32, sep_core::StoreError> {
    let mut total = 0;
    for app in s.store.list_applications_for_user(user.id).await? {
        for c in s.store.list_contact_confirmations(app.id).await? {
            if c.channel == channel && c.created_at + super::codes::WINDOW > now {
                total += c.sent;
            }
        }
    }
    Ok(total)
}

/// The normalised phone (`sms`) or e-mail (`email`) typed in the application, if valid.
pub(crate) fn typed_contact(app: &Application, channel: &str) -> Option<String> {
    let (field, kind) = if channel == "sms" { ("phone", FieldKind::Phone) } else { ("email", FieldKind::Email) };
    app.data.get(field).and_then(|v| kind.normalise(v).ok())
}

/// Whether the contact of `channel` is confirmed for its current value.
pub(crate) fn confirmed(app: &Application, all: &[ContactConfirmation], channel: &str) -> bool {
    let current = typed_contact(app, channel);
    all.iter().any(|c| c.channel == channel && c.confirmed_at.is_some() && Some(&c.value) == current.as_ref())
}

fn key(app: &Application, channel: &str) -> String {
    format!("{}:{channel}", app.id)
}

fn back(app: &Application, note: &str) -> Response {
    Redirect::to(&format!("/applications/{}?contact={note}#contacts", app.id)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn load(
    s: &AppState,
    user: crate::session::CurrentUser,
    client: &Client,
    headers: &HeaderMap,
    id: &str,
    csrf: Option<&str>,
    return_to: &str,
) -> Result<(Application, Vec<ContactConfirmation>, sep_core::user::User), Response> {
    let rid = crate::middleware::request_id_of(headers);
    let (session, user) = signed_in(user, return_to).map_err(IntoResponse::into_response)?;
    if let Some(token) = csrf
        && !csrf_ok(&session, token)
    {
        return Err(Problem::for_status(StatusCode::FORBIDDEN).into_response());
    }
    let (app, _) = owned(s, &user, id, client, &rid).await?;
    if !app.status.allowed().contains(&Allowed::Edit) {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "application_not_editable",
            "Заявление нельзя изменить",
            "Контакты подтверждаются, пока заявление не отправлено.",
            "Откройте «Мои заявления».",
        )
        .into_response());
    }
    let all = s.store.list_contact_confirmations(app.id).await.map_err(|e| {
        tracing::error!(code = e.code(), "confirmations lookup failed");
        Problem::internal().into_response()
    })?;
    Ok((app, all, user))
}

/// `POST /applications/{id}/contacts/{channel}`: "Отправить код" / "Отправить ссылку" (again).
pub(crate) async fn send(
    State(s): State<AppState>,
    user: crate::session::CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path((id, channel)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if channel != "sms" && channel != "email" {
        return Problem::not_found().into_response();
    }
    let (app, all, user) =
        match load(&s, user, &client, &headers, &id, Some(&f.csrf), &format!("/applications/{id}")).await {
            Ok(found) => found,
            Err(res) => return res,
        };
    let Some(value) = typed_contact(&app, &channel) else { return back(&app, "contact_invalid") };
    if confirmed(&app, &all, &channel) {
        return back(&app, if channel == "sms" { "sms_confirmed" } else { "email_confirmed" });
    }
    let now = s.clock.now();
    // The limit counts sends per channel within the window, whatever the value: switching
    // between numbers does not reset it.
    let previous = all.iter().find(|c| c.channel == channel);
    let sent = super::codes::recent_sends(previous.map(|c| (c.created_at, c.sent)), now);
    if sent >= super::codes::MAX_SENDS {
        return back(&app, "contact_send_limit");
    }
    // And per person across all their drafts, so new drafts do not buy new sends.
    match sends_by_user(&s, &user, &channel, now).await {
        Ok(n) if n >= MAX_SENDS_PER_USER => return back(&app, "contact_send_limit"),
        Ok(_) => {}
        Err(err) => {
            tracing::error!(code = err.code(), "send count failed");
            return Problem::internal().into_response();
        }
    }
    let (base, id) = (s.config.public_url.clone(), app.id);
    let sms = |code: &str| {
        tr_dyn(&format!("Код подтверждения телефона для заявления в СЭП: {code}. Никому не сообщайте код"))
    };
    let mail = |token: &str| {
        let link = format!("{base}/applications/{id}/contacts/email/confirm?token={token}");
        tr_dyn(&format!("Чтобы подтвердить адрес для заявления в СЭП, откройте ссылку: {link} (действует сутки)"))
    };
    let carrier = super::codes::Carrier::for_channel(&channel, &sms, tr("Подтверждение адреса"), &mail);
    let Some((code, job)) = super::codes::issue(&carrier, &key(&app, &channel), &value, now) else {
        return Problem::internal().into_response();
    };
    let c = ContactConfirmation {
        application_id: app.id,
        channel: channel.clone(),
        value,
        code,
        sent: sent + 1,
        created_at: now,
        confirmed_at: None,
    };
    let rid = &crate::middleware::request_id_of(&headers);
    let mut e = event(now, "contact.code_sent", Some(user.id), &client, rid, Outcome::Success);
    e.object = Some(format!("application:{}", app.id));
    e.details = serde_json::json!({ "channel": channel });
    match s.store.upsert_contact_confirmation(&c, previous, &Effects::audit(e).with_job(job)).await {
        Ok(()) => {}
        // Another send for this contact landed in between: that one counts, this one is dropped.
        Err(sep_core::StoreError::Conflict { .. }) => return back(&app, "contact_retry"),
        Err(err) => {
            tracing::error!(code = err.code(), "confirmation not stored");
            return Problem::internal().into_response();
        }
    }
    back(&app, if channel == "sms" { "sms_sent" } else { "email_sent" })
}

async fn settle(
    s: &AppState,
    (app, all, user): &(Application, Vec<ContactConfirmation>, sep_core::user::User),
    channel: &str,
    typed: &str,
    client: &Client,
    headers: &HeaderMap,
) -> Response {
    let current = typed_contact(app, channel);
    let Some(mut c) = all.iter().find(|c| c.channel == channel && Some(&c.value) == current.as_ref()).cloned() else {
        return back(app, "contact_not_sent");
    };
    let read = c.clone();
    let now = s.clock.now();
    let (verdict, next) = c.code.check(&key(app, channel), typed.trim(), now);
    c.code = next;
    let mut fx = Effects::none();
    if verdict == Verdict::Accepted {
        c.confirmed_at = Some(now);
        let rid = &crate::middleware::request_id_of(headers);
        let mut e = event(now, "contact.confirmed", Some(user.id), client, rid, Outcome::Success);
        e.object = Some(format!("application:{}", app.id));
        e.details = serde_json::json!({ "channel": channel });
        fx = Effects::audit(e);
    }
    match s.store.upsert_contact_confirmation(&c, Some(&read), &fx).await {
        Ok(()) => {}
        // A parallel guess or a resend changed the code first: this guess does not count.
        Err(sep_core::StoreError::Conflict { .. }) => return back(app, "contact_retry"),
        Err(err) => {
            tracing::error!(code = err.code(), "confirmation not stored");
            return Problem::internal().into_response();
        }
    }
    match verdict {
        Verdict::Accepted => back(app, if channel == "sms" { "sms_confirmed" } else { "email_confirmed" }),
        _ if channel == "email" => back(app, "link_void"),
        Verdict::Wrong { .. } => back(app, "otp_wrong"),
        _ => back(app, "otp_void"),
    }
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `POST /applications/{id}/contacts/sms/confirm`: the SMS code.
pub(crate) async fn confirm_sms(
    State(s): State<AppState>,
    user: crate::session::CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CodeForm>,
) -> Response {
    match load(&s, user, &client, &headers, &id, Some(&f.csrf), &format!("/applications/{id}")).await {
        Ok(found) => settle(&s, &found, "sms", &f.code, &client, &headers).await,
        Err(res) => res,
    }
}

#[derive(Deserialize)]
pub(crate) struct Token {
    #[serde(default)]
    token: String,
}

/// `GET /applications/{id}/contacts/email/confirm?token=…`: the link from the e-mail (the person
/// must be signed in as the applicant; a login returns here).
pub(crate) async fn confirm_email(
    State(s): State<AppState>,
    user: crate::session::CurrentUser,
    client: Client,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Token>,
) -> Response {
    // Not signed in: log in first and open the link again (the token is not carried through
    // the login, where it would be stored and sent in headers).
    let here = format!("/applications/{id}?contact=reopen_link");
    match load(&s, user, &client, &headers, &id, None, &here).await {
        Ok(found) => settle(&s, &found, "email", &q.token, &client, &headers).await,
        Err(res) => res,
    }
}

/// The sentence shown after a contact step (`?contact=…`).
pub(crate) fn note(code: &str) -> Option<(&'static str, bool)> {
    Some(match code {
        "sms_sent" => ("Код отправлен по SMS. Введите его ниже.", false),
        "email_sent" => ("Письмо со ссылкой отправлено. Откройте ссылку из письма.", false),
        "sms_confirmed" => ("Телефон подтверждён.", false),
        "email_confirmed" => ("Адрес электронной почты подтверждён.", false),
        "otp_wrong" => ("Неверный код. Проверьте цифры или нажмите «Отправить ещё раз».", true),
        "otp_void" => ("Код больше не действует. Нажмите «Отправить ещё раз».", true),
        "contact_invalid" => ("Сначала укажите правильный телефон или адрес и сохраните черновик.", true),
        "link_void" => ("Ссылка не подходит или устарела. Нажмите «Отправить ссылку» ещё раз.", true),
        "contact_send_limit" => ("Слишком много отправок. Повторите через час.", true),
        "reopen_link" => ("Вы вошли. Откройте ссылку из письма ещё раз, чтобы подтвердить адрес.", false),
        "contact_retry" => ("Код только что изменился. Введите код из последнего сообщения ещё раз.", true),
        "contact_not_sent" => ("Сначала нажмите «Отправить код».", true),
        _ => return None,
    })
}

/// The Госуслуги value of a channel: already confirmed there, so it needs no new code.
fn known(user: &sep_core::user::User, channel: &str) -> Option<String> {
    let p = &user.profile;
    let (v, kind) = if channel == "sms" {
        (p.phone.as_ref().map(ToString::to_string), FieldKind::Phone)
    } else {
        (p.email.as_ref().map(ToString::to_string), FieldKind::Email)
    };
    v.and_then(|v| kind.normalise(&v).ok())
}

/// One contact row on the form.
pub(crate) struct ContactView {
    pub channel: &'static str,
    pub label: &'static str,
    pub value: String,
    pub confirmed: bool,
    pub from_profile: bool,
}

/// The typed contacts and whether each still needs confirming.
pub(crate) fn views(app: &Application, user: &sep_core::user::User, all: &[ContactConfirmation]) -> Vec<ContactView> {
    [("sms", "Телефон"), ("email", "Электронная почта")]
        .into_iter()
        .filter_map(|(channel, label)| {
            let value = typed_contact(app, channel)?;
            let from_profile = known(user, channel).as_ref() == Some(&value);
            Some(ContactView {
                channel,
                label: tr(label),
                confirmed: from_profile || confirmed(app, all, channel),
                value,
                from_profile,
            })
        })
        .collect()
}

/// Check-page problems for contacts that differ from Госуслуги and are not confirmed.
pub(crate) fn problems(
    app: &Application,
    user: &sep_core::user::User,
    all: &[ContactConfirmation],
) -> Vec<(String, String, &'static str)> {
    views(app, user, all)
        .into_iter()
        .filter(|v| !v.confirmed)
        .map(|v| {
            if v.channel == "sms" {
                ("contacts".into(), tr("Подтвердите телефон кодом из SMS").into(), "contact_phone_unconfirmed")
            } else {
                (
                    "contacts".into(),
                    tr("Подтвердите адрес электронной почты по ссылке из письма").into(),
                    "contact_email_unconfirmed",
                )
            }
        })
        .collect()
}

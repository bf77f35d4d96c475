//! The signed-in pages of this version: terms of use, a first cabinet page, the history of
//! operations, and logout. The full cabinet comes with the cabinet issue.

use super::login::safe_return_to;
use super::render;
use crate::client::Client;
use crate::session::{self, CurrentUser, SESSION, csrf_ok, event};
use crate::{AppState, Problem};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_core::audit::Outcome;
use sep_core::session::Session;
use sep_core::store::Effects;
use sep_core::user::User;
use serde::Deserialize;

/// The version of the terms of use people accept.
pub const TERMS_VERSION: &str = "2026-11";

use crate::middleware::request_id_of as request_id;

/// A path as a query parameter: it may carry what was typed in the address (an id), so
/// control characters, spaces, `&`, `#`, `%`, `+` and non-ASCII are percent-encoded — the
/// redirect header stays valid and the value stays one parameter.
pub(crate) fn query_value(path: &str) -> String {
    path.bytes()
        .map(
            |b| {
                if b.is_ascii_graphic() && !b"&#%+".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

fn to_login(path: &str) -> Response {
    Redirect::to(&format!("/login?return_to={}", query_value(path))).into_response()
}

fn forbidden() -> Response {
    Problem::for_status(StatusCode::FORBIDDEN).into_response()
}

fn internal(e: &sep_core::StoreError) -> Response {
    tracing::error!(code = e.code(), error = %e, "storage failed");
    Problem::internal().into_response()
}

#[derive(Template)]
#[template(path = "terms.html")]
struct TermsPage<'a> {
    version: &'a str,
    csrf: &'a str,
    return_to: &'a str,
}

#[derive(Deserialize)]
pub(crate) struct ReturnTo {
    return_to: Option<String>,
}

/// `GET /terms`.
pub(crate) async fn terms(user: CurrentUser, Query(q): Query<ReturnTo>) -> Response {
    let Some((session, _)) = user.0 else { return to_login("/terms") };
    let return_to = safe_return_to(q.return_to.as_deref());
    render(&TermsPage { version: TERMS_VERSION, csrf: &session.csrf_secret, return_to: &return_to })
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
    return_to: Option<String>,
}

/// `POST /terms`: acceptance, recorded with time and version (L2).
pub(crate) async fn accept_terms(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let Some((session, user)) = user.0 else { return to_login("/terms") };
    if !csrf_ok(&session, &f.csrf) {
        return forbidden();
    }
    let mut e = event(s.clock.now(), "terms.accepted", Some(user.id), &client, &request_id(&headers), Outcome::Success);
    e.details = serde_json::json!({ "version": TERMS_VERSION });
    if let Err(err) = s.store.update_terms_accepted(user.id, TERMS_VERSION, s.clock.now(), &Effects::audit(e)).await {
        return internal(&err);
    }
    Redirect::to(&safe_return_to(f.return_to.as_deref())).into_response()
}

/// The signed-in user who accepted the terms, or where to send them first.
pub(crate) fn signed_in_with_terms(user: CurrentUser, path: &str) -> Result<(Session, User), Redirect> {
    let path = query_value(path);
    let Some((session, user)) = user.0 else { return Err(Redirect::to(&format!("/login?return_to={path}"))) };
    if user.terms_accepted.is_none() {
        return Err(Redirect::to(&format!("/terms?return_to={path}")));
    }
    Ok((session, user))
}

struct Row {
    time: String,
    action: &'static str,
    outcome: &'static str,
    ip: String,
    seq: i64,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    rows: Vec<Row>,
}

/// What an operation in the journal was, in words.
pub(crate) fn action_title(code: &str) -> &'static str {
    match code {
        "auth.login" => "Вход через Госуслуги",
        "auth.logout" => "Выход",
        "session.ended" => "Сеанс завершён",
        "user.created" => "Создан профиль СЭП",
        "terms.accepted" => "Приняты условия использования",
        "user.relinked" => "Восстановлена связь с Госуслугами",
        "session.end_refused" => "Отказ в завершении чужого сеанса",
        "application.created" => "Создан черновик заявления",
        "application.submitted" => "Заявление отправлено",
        "application.access_denied" => "Отказ в доступе к чужому заявлению",
        "application.review_started" => "Начата проверка заявления",
        "application.checked" => "Заявление проверено по реестрам",
        "application.completed" => "Услуга оказана",
        "application.taken" => "Заявление взято в работу",
        "application.approved" => "Заявление одобрено",
        "application.rejected" => "Заявление отклонено",
        "application.needs_info" => "Запрошены сведения",
        "application.withdrawn" => "Заявление отозвано",
        "application.message" => "Сообщение по заявлению",
        "document.accepted" => "Документ принят",
        "document.refused" => "Документ не принят",
        "document.removed" => "Документ удалён из заявления",
        "settings.changed" => "Изменены настройки",
        "profile.contact_code_sent" => "Отправлен код для смены контакта",
        "profile.contact_changed" => "Изменён телефон или электронная почта",
        _ => "Операция",
    }
}

/// `GET /history`: the person's own journal entries (L7, SEC4).
pub(crate) async fn history(State(s): State<AppState>, user: CurrentUser) -> Response {
    let (_, user) = match signed_in_with_terms(user, "/history") {
        Ok(found) => found,
        Err(to) => return to.into_response(),
    };
    let events = match s.store.list_audit_for_user(user.id, None, 50).await {
        Ok(e) => e,
        Err(e) => return internal(&e),
    };
    let f = time::macros::format_description!("[day].[month].[year] [hour]:[minute]:[second]");
    let rows = events
        .into_iter()
        .map(|e| Row {
            time: e.event.at.to_offset(time::macros::offset!(+3)).format(f).unwrap_or_default(),
            action: action_title(&e.event.action),
            outcome: match e.event.outcome {
                Outcome::Success => "Выполнено",
                Outcome::Failure => "Ошибка",
                Outcome::Denied => "Отказано",
            },
            ip: e.event.ip.unwrap_or_default(),
            seq: e.seq,
        })
        .collect();
    render(&HistoryPage { rows })
}

/// `POST /logout`: ends the session here and sends the browser to the provider's logout.
pub(crate) async fn logout(
    State(s): State<AppState>,
    jar: CookieJar,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let secure = s.config.sessions.secure_cookies;
    let Some((session, user)) = user.0 else { return Redirect::to("/").into_response() };
    if !csrf_ok(&session, &f.csrf) {
        return forbidden();
    }
    let e = event(s.clock.now(), "auth.logout", Some(user.id), &client, &request_id(&headers), Outcome::Success);
    if let Err(err) = s.store.update_session_ended(&session.hash, s.clock.now(), "logout", &Effects::audit(e)).await {
        return internal(&err);
    }
    let jar = jar.remove(session::cookie(SESSION, String::new(), time::Duration::ZERO, secure));
    let target = match &s.auth {
        Some(rp) => rp.logout_url(session.id_token.as_deref()).await.unwrap_or_else(|| "/".to_owned()),
        None => "/".to_owned(),
    };
    (jar, Redirect::to(&target)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation in the history has its English name.
    #[test]
    fn every_operation_has_english() {
        let source = include_str!("account.rs");
        let body = source.split("pub(crate) fn action_title").nth(1).unwrap().split("\n}\n").next().unwrap();
        let codes: Vec<&str> = body.lines().filter_map(|l| l.trim().strip_prefix('"')?.split('"').next()).collect();
        assert!(codes.len() > 20, "{codes:?}");
        for code in codes {
            let title = action_title(code);
            let en = crate::i18n::tr_in(crate::i18n::Lang::En, title);
            assert_ne!(en, title, "{code}: no English for «{title}»");
        }
    }
}

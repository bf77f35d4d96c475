//! "Активные сеансы" with "Завершить сеанс" (SPEC L4).

use super::render;
use crate::client::Client;
use crate::session::{CurrentUser, csrf_ok, event};
use crate::{AppState, Problem};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::audit::Outcome;
use sep_core::session::SessionHash;
use sep_core::store::Effects;
use serde::Deserialize;

struct Row {
    id: String,
    created: String,
    seen: String,
    ip: String,
    agent: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    rows: Vec<Row>,
    csrf: String,
}

/// A short, readable name of a browser from its User-Agent.
fn browser(ua: &str) -> String {
    let name = crate::i18n::tr(
        ["Edg/", "YaBrowser/", "Firefox/", "Chrome/", "Safari/"].iter().find(|k| ua.contains(*k)).map_or(
            "Браузер",
            |k| match *k {
                "Edg/" => "Edge",
                "YaBrowser/" => "Яндекс Браузер",
                "Firefox/" => "Firefox",
                "Chrome/" => "Chrome",
                _ => "Safari",
            },
        ),
    );
    let os =
        ["Windows", "Android", "iPhone", "Mac OS", "Linux"].iter().find(|k| ua.contains(*k)).copied().unwrap_or("");
    if os.is_empty() { name.to_owned() } else { format!("{name}, {os}") }
}

/// `GET /sessions`.
pub(crate) async fn list(State(s): State<AppState>, user: CurrentUser) -> Response {
    let Some((current, user)) = user.0 else { return Redirect::to("/login?return_to=/sessions").into_response() };
    let sessions = match s.store.list_active_sessions(user.id, s.clock.now(), s.config.sessions.policy).await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(code = e.code(), "sessions lookup failed");
            return Problem::internal().into_response();
        }
    };
    let rows = sessions
        .into_iter()
        .map(|x| Row {
            current: x.hash == current.hash,
            id: x.hash.0,
            created: super::moscow(x.created_at),
            seen: super::moscow(x.last_seen_at),
            ip: x.ip,
            agent: browser(&x.user_agent),
        })
        .collect();
    render(&SessionsPage { rows, csrf: current.csrf_secret })
}

#[derive(Deserialize)]
pub(crate) struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    session: String,
}

/// `POST /sessions/end`: ends one of the person's own sessions; anyone else's is "not found".
pub(crate) async fn end(
    State(s): State<AppState>,
    user: CurrentUser,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<EndForm>,
) -> Response {
    let Some((current, user)) = user.0 else { return Redirect::to("/login?return_to=/sessions").into_response() };
    if !csrf_ok(&current, &f.csrf) {
        return Problem::for_status(StatusCode::FORBIDDEN).into_response();
    }
    let rid = &crate::middleware::request_id_of(&headers);
    let target = SessionHash(f.session);
    let found = match s.store.find_session(&target).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(code = e.code(), "session lookup failed");
            return Problem::internal().into_response();
        }
    };
    let Some(target) = found.filter(|x| x.user_id == user.id) else {
        let mut e = event(s.clock.now(), "session.end_refused", Some(user.id), &client, rid, Outcome::Denied);
        e.details = serde_json::json!({ "reason": "not_owner" });
        if let Err(err) = s.store.insert_audit(&e).await {
            tracing::error!(code = err.code(), "audit append failed");
        }
        return Problem::not_found().into_response();
    };
    let mut e = event(s.clock.now(), "session.ended", Some(user.id), &client, rid, Outcome::Success);
    e.details = serde_json::json!({ "reason": "ended_by_user" });
    if let Err(err) =
        s.store.update_session_ended(&target.hash, s.clock.now(), "ended_by_user", &Effects::audit(e)).await
    {
        tracing::error!(code = err.code(), "session end failed");
        return Problem::internal().into_response();
    }
    Redirect::to("/sessions").into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn browsers_are_named() {
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(super::browser(ua), "Chrome, Windows");
        assert_eq!(super::browser("curl/8"), "Браузер");
    }
}

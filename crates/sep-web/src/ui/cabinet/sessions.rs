//! "Активные сеансы" with "Завершить сеанс" (SPEC L4).

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{AnyUser, CsrfForm, Ctx};
use crate::ui::components::{moscow, render};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
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
#[template(path = "cabinet/sessions.html")]
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
pub(crate) async fn list(State(s): State<AppState>, who: AnyUser) -> Page {
    let AnyUser { session: current, user } = who;
    let sessions = s.store.list_active_sessions(user.id, s.clock.now(), s.config.sessions.policy).await?;
    let rows = sessions
        .into_iter()
        .map(|x| Row {
            current: x.hash == current.hash,
            id: x.hash.0,
            created: moscow(x.created_at),
            seen: moscow(x.last_seen_at),
            ip: x.ip,
            agent: browser(&x.user_agent),
        })
        .collect();
    render(&SessionsPage { rows, csrf: current.csrf_secret })
}

#[derive(Deserialize)]
pub(crate) struct EndForm {
    #[serde(default)]
    session: String,
}

/// `POST /sessions/end`: ends one of the person's own sessions; anyone else's is "not found".
pub(crate) async fn end(
    State(s): State<AppState>,
    AnyUser { session, user }: AnyUser,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<EndForm>,
) -> Page {
    let now = s.clock.now();
    let found = s.store.find_session(&SessionHash(f.session)).await?;
    let Some(target) = found.filter(|x| x.user_id == user.id) else {
        let mut e = ctx.event(now, "session.end_refused", Some(user.id));
        e.outcome = Outcome::Denied;
        e.details = serde_json::json!({ "reason": "not_owner" });
        crate::session::refuse(&s, &session, &e).await;
        return Err(WebError::not_found());
    };
    let mut e = ctx.event(now, "session.ended", Some(user.id));
    e.details = serde_json::json!({ "reason": "ended_by_user" });
    s.store.update_session_ended(&target.hash, now, "ended_by_user", &Effects::audit(e)).await?;
    Ok(Redirect::to("/sessions").into_response())
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

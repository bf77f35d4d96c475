//! Live statuses (SPEC C2): `GET /events` is a server-sent event stream of the signed-in
//! person's news — new notifications and the current status of every application — so an
//! open cabinet shows an officer's or a background job's change within two seconds without a
//! reload. Pages work without JavaScript; `/assets/live.js` only adds the live part.
//!
//! The stream polls the database once a second (cheap indexed reads), so it sees changes made
//! by any process sharing the database. It never extends the session: it does not count as
//! activity, stops when the session ends or goes idle, and closes after a few minutes so the
//! browser reconnects through the normal session check.

use crate::error::Page;
use crate::session::PassiveUser;
use crate::{AppState, Problem};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use sep_core::ids::UserId;
use sep_core::session::{SessionHash, SessionState};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// How often the stream looks for news.
const TICK: Duration = Duration::from_secs(1);
/// How long one stream lasts before the browser reconnects.
const LIFETIME: Duration = Duration::from_secs(300);

#[derive(Deserialize)]
pub(crate) struct Since {
    /// The newest notification id the page already shows.
    #[serde(default)]
    since: i64,
}

struct Watch {
    state: AppState,
    /// The page's language, kept for the stream (it outlives the request's scope).
    lang: crate::i18n::Lang,
    user: UserId,
    hash: SessionHash,
    last: i64,
    started: tokio::time::Instant,
}

/// The news after `w.last`, as one event; `None` when there is none.
async fn news(w: &mut Watch) -> Result<Option<Event>, ()> {
    let notices = w.state.store.list_notices(w.user, 20).await.map_err(|_| ())?;
    let fresh: Vec<_> = notices.iter().filter(|n| n.id > w.last).collect();
    let Some(newest) = fresh.first().map(|n| n.id) else { return Ok(None) };
    let apps = w.state.store.list_applications_for_user(w.user).await.map_err(|_| ())?;
    let mailbox = sep_core::mail::Party::Person(w.user);
    let mail = w.state.store.count_unread(&mailbox, sep_core::mail::UNREAD_CAP).await.map_err(|_| ())?;
    let data = serde_json::json!({
        // «Электронный ящик»'s badge: new mail comes with its notice.
        "mail_unread": crate::ui::components::badge(mail),
        "notices": fresh.iter().rev().map(|n| serde_json::json!({
            "id": n.id,
            "time": crate::ui::components::moscow(n.notice.at),
            "title": crate::i18n::tr_dyn_in(w.lang, &n.notice.title),
            "text": crate::i18n::tr_dyn_in(w.lang, &n.notice.text),
            "link": n.notice.link,
            "critical": n.notice.critical,
        })).collect::<Vec<_>>(),
        "labels": {
            "time": crate::i18n::tr_in(w.lang, "МСК"),
            "new": crate::i18n::tr_in(w.lang, "новое"),
            "action": crate::i18n::tr_in(w.lang, "Требуется действие"),
            "count": crate::i18n::tr_in(w.lang, "новых"),
        },
        "statuses": apps.iter().map(|a| serde_json::json!({
            "id": a.id.to_string(),
            "status": crate::i18n::tr_in(w.lang, a.status.title()),
            "tone": a.status.tone(),
        })).collect::<Vec<_>>(),
    });
    w.last = newest;
    Ok(Some(Event::default().event("update").id(newest.to_string()).data(data.to_string())))
}

/// Whether the session may still receive news.
async fn alive(w: &Watch) -> bool {
    let policy = w.state.config.sessions.policy;
    match w.state.store.find_session(&w.hash).await {
        Ok(Some(s)) => s.state(w.state.clock.now(), policy) == SessionState::Active,
        _ => false,
    }
}

fn events(w: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(w, |mut w| async move {
        loop {
            if w.started.elapsed() > LIFETIME || !alive(&w).await {
                return None;
            }
            match news(&mut w).await {
                Ok(Some(e)) => return Some((Ok(e), w)),
                Ok(None) => tokio::time::sleep(TICK).await,
                Err(()) => {
                    tracing::warn!("live events: storage failed; the stream ends and the browser reconnects");
                    return None;
                }
            }
        }
    })
}

/// `GET /events?since=ID`.
pub(crate) async fn stream(
    State(s): State<AppState>,
    user: PassiveUser,
    headers: axum::http::HeaderMap,
    Query(q): Query<Since>,
) -> Page {
    // Signed out meanwhile: the page says so instead of trying again and again.
    let Some((session, user)) = user.0 else { return Err(Problem::session_ended().into()) };
    // A reconnecting browser says what it saw last; the page's own number otherwise.
    let seen = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    let last = seen.unwrap_or(0).max(q.since);
    let watch = Watch {
        state: s,
        lang: crate::i18n::current(),
        user: user.id,
        hash: session.hash,
        last,
        started: tokio::time::Instant::now(),
    };
    Ok(Sse::new(events(watch)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response())
}

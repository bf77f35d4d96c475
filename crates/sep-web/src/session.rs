//! Portal sessions (SPEC L4): a random token in a cookie, its hash in the database; idle and
//! absolute timeouts; optional binding to the client's IP; a per-session CSRF secret for forms.

use crate::AppState;
use crate::client::Client;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sep_core::StoreError;
use sep_core::audit::{NewAuditEvent, Outcome};
use sep_core::ids::UserId;
use sep_core::session::{Session, SessionPolicy, SessionState, SessionToken};
use sep_core::store::Effects;
use sep_core::user::User;
use std::convert::Infallible;

/// How sessions behave.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionConfig {
    /// Timeouts.
    pub policy: SessionPolicy,
    /// `Secure` cookies with the `__Host-` prefix (when served over HTTPS).
    pub secure_cookies: bool,
    /// End a session used from another IP address than the one it started from.
    pub bind_ip: bool,
}

/// The session cookie's name.
pub fn cookie_name(base: &str, secure: bool) -> String {
    if secure { format!("__Host-{base}") } else { base.to_owned() }
}

/// A cookie: HttpOnly, SameSite=Lax, path `/`, Secure when configured.
pub fn cookie(base: &str, value: String, max_age: time::Duration, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(cookie_name(base, secure), value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    c.set_max_age(max_age);
    c
}

/// Session cookie base name.
pub const SESSION: &str = "sep_session";
/// Login-in-progress cookie base name.
pub const LOGIN: &str = "sep_login";

/// Journals `refusal` — an access refused to the person of `session` — and ends the session
/// when such refusals pile up (`sep_core::session::refusals`). The refusal stands even when its
/// record cannot be written; the log says so.
pub(crate) async fn refuse(state: &AppState, session: &Session, refusal: &NewAuditEvent) {
    match sep_core::session::refusals::refused(state.store.as_ref(), session, refusal, state.clock.now()).await {
        Ok(true) => tracing::warn!(action = %refusal.action, "session ended after repeated refusals"),
        Ok(false) => {}
        Err(err) => tracing::error!(code = err.code(), "audit append failed"),
    }
}

/// An audit record about a request, at `at` (from the application's clock).
pub fn event(
    at: time::OffsetDateTime,
    action: &str,
    user: Option<UserId>,
    client: &Client,
    request_id: &str,
    outcome: Outcome,
) -> NewAuditEvent {
    NewAuditEvent {
        at,
        actor: user,
        subject: user,
        action: action.to_owned(),
        object: None,
        outcome,
        ip: Some(client.ip.clone()),
        request_id: Some(request_id.to_owned()),
        details: serde_json::json!({}),
    }
}

/// The signed-in user of a request, if any (an expired session is ended on the way), for
/// pages that anyone may open. Pages for signed-in people take `extract::SignedIn`.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Option<(Session, User)>);

fn request_id(parts: &Parts) -> String {
    crate::middleware::request_id_of(&parts.headers)
}

/// The signed-in user like [`CurrentUser`], without counting the request as activity: for
/// background requests (the live event stream, the look's stylesheet) that must not keep an
/// idle session alive.
#[derive(Debug, Clone)]
pub struct PassiveUser(pub Option<(Session, User)>);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // A public page still renders when the database fails; pages that need the person
        // refuse through `AnyUser` instead.
        Ok(Self(Resolved::of(parts, state, true).await.unwrap_or(None)))
    }
}

impl FromRequestParts<AppState> for PassiveUser {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(Resolved::of(parts, state, false).await.unwrap_or(None)))
    }
}

/// The session of a request, looked up once and kept in the request's extensions, so the
/// several extractors of one handler (who is signed in, the form's CSRF secret, the
/// application's access) read the database once. A store failure is kept too: a signed-in
/// person is then told the service is unavailable, never quietly treated as signed out.
#[derive(Clone)]
pub(crate) struct Resolved(Result<Option<(Session, User)>, StoreError>);

impl Resolved {
    /// The session and user of the request. `touch` records the request as activity.
    pub(crate) async fn of(
        parts: &mut Parts,
        state: &AppState,
        touch: bool,
    ) -> Result<Option<(Session, User)>, StoreError> {
        if let Some(Self(found)) = parts.extensions.get::<Self>() {
            return found.clone();
        }
        let found = resolve(parts, state, touch).await;
        parts.extensions.insert(Self(found.clone()));
        found
    }
}

/// The session and user of a request; an expired session is ended on the way. `touch`
/// records the request as activity.
async fn resolve(parts: &mut Parts, state: &AppState, touch: bool) -> Result<Option<(Session, User)>, StoreError> {
    let cfg = state.config.sessions;
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(token) =
        jar.get(&cookie_name(SESSION, cfg.secure_cookies)).and_then(|c| SessionToken::from_cookie(c.value()))
    else {
        return Ok(None);
    };
    let client = Client::from_request_parts(parts, state)
        .await
        .unwrap_or(Client { ip: "unknown".into(), user_agent: String::new() });
    let now = state.clock.now();
    let (session, user) = match state.store.find_session_and_user(&token.hash()).await {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e),
    };
    let reason = match session.state(now, cfg.policy) {
        SessionState::Active if cfg.bind_ip && session.ip != client.ip => Some("ip_changed"),
        SessionState::Active => None,
        SessionState::IdleExpired => Some("idle"),
        SessionState::AbsoluteExpired => Some("absolute"),
        SessionState::Ended => return Ok(None),
    };
    if let Some(reason) = reason {
        let mut e = event(now, "session.ended", Some(session.user_id), &client, &request_id(parts), Outcome::Success);
        e.details = serde_json::json!({ "reason": reason });
        if let Err(err) = state.store.update_session_ended(&session.hash, now, reason, &Effects::audit(e)).await {
            tracing::error!(code = err.code(), "session end failed");
        }
        return Ok(None);
    }
    // Refresh activity at most every 30 seconds: one write per page, not per asset.
    if touch
        && now - session.last_seen_at > time::Duration::seconds(30)
        && let Err(e) = state.store.update_session_seen(&session.hash, now).await
    {
        tracing::warn!(code = e.code(), "session touch failed");
    }
    Ok(Some((session, user)))
}

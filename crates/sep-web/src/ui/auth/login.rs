//! "Войти через Госуслуги": start (`/login`) and return (`/login/callback`) (SPEC L1–L3, L6, L7).

use crate::AppState;
use crate::auth::AuthFault;
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use crate::session::{self, CurrentUser, LOGIN, SESSION};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use sep_core::audit::Outcome;
use sep_core::identity::Assurance;
use sep_core::session::{LoginRequest, SessionToken};
use sep_core::signin::{self, Arrival, Arrived, Device, Proof};
use sep_core::store::Effects;
use sep_core::user::User;
use serde::Deserialize;

/// Only paths of the portal: never an open redirect.
pub(crate) fn safe_return_to(path: Option<&str>) -> String {
    sep_http::safe_return_to(path, "/cabinet")
}

#[derive(Deserialize)]
pub(crate) struct Start {
    return_to: Option<String>,
    /// A fresh login with a second factor is asked for («Защита входа»), even when signed in.
    fresh: Option<String>,
}

/// `GET /login`: to the provider with fresh state, nonce and PKCE.
pub(crate) async fn start(
    State(s): State<AppState>,
    jar: CookieJar,
    user: CurrentUser,
    ctx: Ctx,
    Query(q): Query<Start>,
) -> Page {
    let mut return_to = safe_return_to(q.return_to.as_deref());
    let now = s.clock.now();
    let fresh = q.fresh.is_some();
    if let Some((session, _)) = &user.0
        && (!fresh || session.second_factor_within(now, sep_core::settings::FRESH_LOGIN))
    {
        return Ok(Redirect::to(&return_to).into_response());
    }
    if fresh {
        let (path, fragment) = return_to.split_once('#').map_or((return_to.as_str(), None), |(p, f)| (p, Some(f)));
        let mut marked =
            format!("{path}{}{}", if path.contains('?') { '&' } else { '?' }, crate::auth::BACK_FROM_LOGIN);
        if let Some(f) = fragment {
            marked = format!("{marked}#{f}");
        }
        return_to = marked;
    }
    if let Err(wait) = s.throttles.login.check(&ctx.client.ip) {
        return Err(too_many_logins(wait));
    }
    let Some(rp) = s.auth.clone() else { return Err(AuthFault::NotConfigured.problem().into()) };
    let started = rp.begin(fresh).await.map_err(|f| f.problem())?;
    let handle = SessionToken::generate().map_err(|e| WebError::internal(format!("no randomness: {e}")))?;
    let req = LoginRequest {
        hash: handle.hash(),
        state: started.state,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        return_to,
        created_at: now,
        expires_at: now + time::Duration::minutes(10),
        used_at: None,
    };
    s.store.insert_login_request(&req).await?;
    let c = session::cookie(
        LOGIN,
        handle.expose().to_owned(),
        time::Duration::minutes(10),
        s.config.sessions.secure_cookies,
    );
    Ok((jar.add(c), Redirect::to(&started.url)).into_response())
}

/// 429 for an address that starts logins faster than a person does.
fn too_many_logins(wait: std::time::Duration) -> WebError {
    let mut p = sep_http::Problem::rate_limited(wait);
    p.title = "Слишком много попыток входа".into();
    p.detail = "С вашего адреса было слишком много попыток входа подряд, поэтому новые временно не принимаются.".into();
    p.action = "Подождите минуту и войдите снова.".into();
    p.into()
}

#[derive(Deserialize)]
pub(crate) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /login/callback`: the provider's answer. A verified person signs in
/// (`sep_core::signin::arrive`): a session, or the re-link page when their identifiers changed.
pub(crate) async fn callback(
    State(s): State<AppState>,
    jar: CookieJar,
    current: CurrentUser,
    ctx: Ctx,
    Query(q): Query<Callback>,
) -> Page {
    let secure = s.config.sessions.secure_cookies;
    // The login cookie is read once and removed whatever happens next.
    let handle = jar.get(&session::cookie_name(LOGIN, secure)).and_then(|c| SessionToken::from_cookie(c.value()));
    let jar = jar.remove(session::cookie(LOGIN, String::new(), time::Duration::ZERO, secure));
    let (arrival, return_to) = match answer(&s, handle, q).await? {
        Ok(found) => found,
        Err(fault) => return Ok((jar, refused(&s, &ctx, fault).await).into_response()),
    };
    let device = Device { ip: ctx.client.ip.clone(), user_agent: ctx.client.user_agent.clone() };
    match signin::arrive(s.store.as_ref(), arrival, &device, &return_to, &ctx.origin(), s.clock.now()).await? {
        Arrived::Session { user, token } => {
            // A login made while signed in (a fresh one for «Защита входа») replaces the
            // session this browser had: it ends, rather than lingering until it times out.
            if let Some((old, _)) = current.0 {
                let mut e = ctx.event(s.clock.now(), "auth.session_replaced", Some(old.user_id));
                e.outcome = Outcome::Success;
                s.store.update_session_ended(&old.hash, s.clock.now(), "replaced", &Effects::audit(e)).await?;
            }
            check_passport(&s, &user).await;
            signed_in(&s, jar, &user, &token, &return_to)
        }
        Arrived::Relink(relink) => super::relink::required(&s, jar, *relink),
    }
}

/// The holder's e-passport against МВД's register (at most daily): a login is never held up
/// or refused by it — a slow or failing register is asked again at the next login.
async fn check_passport(s: &AppState, user: &sep_core::user::User) {
    let check = sep_core::passport::check::at_login(s.store.as_ref(), s.mvd.as_ref(), user, s.clock.now());
    match tokio::time::timeout(std::time::Duration::from_secs(3), check).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(code = e.code(), "e-passport register check failed"),
        Err(_) => tracing::warn!("e-passport register check timed out"),
    }
}

/// The person the provider vouches for in `q`, with where to go afterwards; or why not.
async fn answer(
    s: &AppState,
    handle: Option<SessionToken>,
    q: Callback,
) -> Result<Result<(Arrival, String), AuthFault>, WebError> {
    let Some(rp) = s.auth.clone() else { return Ok(Err(AuthFault::NotConfigured)) };
    let now = s.clock.now();
    let req = match handle {
        Some(h) => s.store.take_login_request(&h.hash(), now).await?,
        None => None,
    };
    let Some(req) = req.filter(|r| r.used_at.is_none() && now < r.expires_at) else {
        return Ok(Err(AuthFault::RequestUnknown));
    };
    if q.state.as_deref() != Some(req.state.as_str()) {
        return Ok(Err(AuthFault::StateMismatch));
    }
    if let Some(err) = q.error {
        return Ok(Err(if err == "access_denied" { AuthFault::AccessDenied } else { AuthFault::Rejected(err) }));
    }
    let Some(code) = q.code else { return Ok(Err(AuthFault::Rejected("no code".into()))) };
    let done = match rp.finish(&code, &req.pkce_verifier, &req.nonce).await {
        Ok(d) => d,
        Err(f) => return Ok(Err(f)),
    };
    if done.identity.assurance == Assurance::NotConfirmed {
        return Ok(Err(AuthFault::NotConfirmed));
    }
    // The provider's own clock measures how old the login is; the portal's dates it.
    let authenticated_at = done.auth_age.map(|age| now - age);
    let proof =
        Proof { provider: rp.issuer().to_owned(), id_token: done.id_token, methods: done.methods, authenticated_at };
    Ok(Ok((Arrival { identity: done.identity, proof }, req.return_to)))
}

/// A refused login: journaled, logged with its code, and its page.
async fn refused(s: &AppState, ctx: &Ctx, f: AuthFault) -> axum::response::Response {
    let mut e = ctx.event(s.clock.now(), "auth.login", None);
    e.outcome = if f == AuthFault::NotConfirmed { Outcome::Denied } else { Outcome::Failure };
    e.details = serde_json::json!({ "code": f.code() });
    // The refusal stands (and its cookie goes) even when its record cannot be written.
    if let Err(err) = s.store.insert_audit(&e).await {
        tracing::error!(code = err.code(), "audit append failed");
    }
    tracing::warn!(code = f.code(), detail = ?f, "login failed");
    f.problem().into_response()
}

/// The session's cookie and the person's language, then where they were going (through the
/// terms of use the first time).
pub(super) fn signed_in(s: &AppState, jar: CookieJar, user: &User, token: &SessionToken, return_to: &str) -> Page {
    let cfg = s.config.sessions;
    let cookie = session::cookie(SESSION, token.expose().to_owned(), cfg.policy.absolute, cfg.secure_cookies);
    // The interface speaks the language the person chose in their settings.
    let jar = jar.add(cookie).add(sep_http::i18n::cookie(user.settings.english()));
    let next = if user.terms_accepted.is_some() {
        return_to.to_owned()
    } else {
        let enc: String = openidconnect::url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
        format!("/terms?return_to={enc}")
    };
    Ok((jar, Redirect::to(&next)).into_response())
}

//! "Войти через Госуслуги": start (`/login`) and return (`/login/callback`) (SPEC L1–L3, L6, L7).

use crate::AppState;
use crate::auth::AuthFault;
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use crate::session::{self, CurrentUser, LOGIN, SESSION, event};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use sep_core::audit::Outcome;
use sep_core::identity::Assurance;
use sep_core::ids::UserId;
use sep_core::session::{LoginRequest, Session, SessionToken};
use sep_core::store::{Effects, NewUser};
use sep_core::user::{ExternalIdentity, Role};
use sep_http::Client;
use serde::Deserialize;

/// Only paths of the portal: never an open redirect.
pub(crate) fn safe_return_to(path: Option<&str>) -> String {
    sep_http::safe_return_to(path, "/cabinet")
}

#[derive(Deserialize)]
pub(crate) struct Start {
    return_to: Option<String>,
}

/// `GET /login`: to the provider with fresh state, nonce and PKCE.
pub(crate) async fn start(
    State(s): State<AppState>,
    jar: CookieJar,
    user: CurrentUser,
    Query(q): Query<Start>,
) -> Page {
    let return_to = safe_return_to(q.return_to.as_deref());
    if user.0.is_some() {
        return Ok(Redirect::to(&return_to).into_response());
    }
    let Some(rp) = s.auth.clone() else { return Err(AuthFault::NotConfigured.problem().into()) };
    let started = rp.begin().await.map_err(|f| f.problem())?;
    let handle = SessionToken::generate().map_err(|e| WebError::internal(format!("no randomness: {e}")))?;
    let now = s.clock.now();
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

#[derive(Deserialize)]
pub(crate) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /login/callback`: the provider's answer.
pub(crate) async fn callback(
    State(s): State<AppState>,
    jar: CookieJar,
    Ctx { client, rid }: Ctx,
    Query(q): Query<Callback>,
) -> Page {
    let secure = s.config.sessions.secure_cookies;
    // The login cookie is read once and removed whatever happens next.
    let handle = jar.get(&session::cookie_name(LOGIN, secure)).and_then(|c| SessionToken::from_cookie(c.value()));
    let jar = jar.remove(session::cookie(LOGIN, String::new(), time::Duration::ZERO, secure));
    let fail = |f: AuthFault| {
        let s = s.clone();
        let client = client.clone();
        let rid = rid.clone();
        async move {
            let mut e = event(
                s.clock.now(),
                "auth.login",
                None,
                &client,
                &rid,
                if f == AuthFault::NotConfirmed { Outcome::Denied } else { Outcome::Failure },
            );
            e.details = serde_json::json!({ "code": f.code() });
            if let Err(err) = s.store.insert_audit(&e).await {
                tracing::error!(code = err.code(), "audit append failed");
            }
            tracing::warn!(code = f.code(), detail = ?f, "login failed");
            f.problem().into_response()
        }
    };
    let Some(rp) = s.auth.clone() else { return Ok((jar, fail(AuthFault::NotConfigured).await).into_response()) };
    let now = s.clock.now();
    let req = match handle {
        Some(h) => s.store.take_login_request(&h.hash(), now).await?,
        None => None,
    };
    let Some(req) = req.filter(|r| r.used_at.is_none() && now < r.expires_at) else {
        return Ok((jar, fail(AuthFault::RequestUnknown).await).into_response());
    };
    if q.state.as_deref() != Some(req.state.as_str()) {
        return Ok((jar, fail(AuthFault::StateMismatch).await).into_response());
    }
    if let Some(err) = q.error {
        let f = if err == "access_denied" { AuthFault::AccessDenied } else { AuthFault::Rejected(err) };
        return Ok((jar, fail(f).await).into_response());
    }
    let Some(code) = q.code else {
        return Ok((jar, fail(AuthFault::Rejected("no code".into())).await).into_response());
    };
    let done = match rp.finish(&code, &req.pkce_verifier, &req.nonce).await {
        Ok(d) => d,
        Err(f) => return Ok((jar, fail(f).await).into_response()),
    };
    if done.identity.assurance == Assurance::NotConfirmed {
        return Ok((jar, fail(AuthFault::NotConfirmed).await).into_response());
    }
    let user = match s.store.find_user_by_identity(rp.issuer(), &done.identity.subject).await? {
        Some(u) => {
            if !sep_core::identity::mismatches(&u.profile, &done.identity.profile).is_empty() {
                return super::relink::required(&s, jar, &client, &rid, u, done, req.return_to).await;
            }
            u
        }
        None => {
            let id = UserId::new();
            let link = ExternalIdentity {
                provider: rp.issuer().to_owned(),
                subject: done.identity.subject.clone(),
                user_id: id,
                linked_at: now,
            };
            let mut e = event(s.clock.now(), "user.created", Some(id), &client, &rid, Outcome::Success);
            e.details = serde_json::json!({ "provider": rp.issuer(), "refused_claims": done.identity.refused });
            let new = NewUser { id, role: Role::Citizen, profile: done.identity.profile.clone(), created_at: now };
            s.store.insert_user(&new, Some(&link), &Effects::audit(e)).await?;
            s.store.get_user(id).await?
        }
    };
    let cookie = open_session(&s, &user, &client, &rid, done.id_token, &done.methods, rp.issuer()).await?;
    // The interface speaks the language the person chose in their settings.
    let jar = jar.add(cookie).add(sep_http::i18n::cookie(user.settings.english()));
    let next = if user.terms_accepted.is_some() {
        req.return_to
    } else {
        let enc: String = openidconnect::url::form_urlencoded::byte_serialize(req.return_to.as_bytes()).collect();
        format!("/terms?return_to={enc}")
    };
    Ok((jar, Redirect::to(&next)).into_response())
}

/// Opens a session for `user` (journaled as `auth.login` in the same transaction) and
/// returns its cookie.
pub(crate) async fn open_session(
    s: &AppState,
    user: &sep_core::user::User,
    client: &Client,
    rid: &str,
    id_token: String,
    methods: &str,
    provider: &str,
) -> Result<axum_extra::extract::cookie::Cookie<'static>, WebError> {
    let now = s.clock.now();
    let (token, csrf) = match (SessionToken::generate(), SessionToken::generate()) {
        (Ok(t), Ok(c)) => (t, c),
        (Err(e), _) | (_, Err(e)) => return Err(WebError::internal(format!("no randomness: {e}"))),
    };
    let method = if methods.is_empty() { "oidc".to_owned() } else { methods.to_owned() };
    let session = Session {
        hash: token.hash(),
        user_id: user.id,
        created_at: now,
        last_seen_at: now,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        auth_method: method.clone(),
        csrf_secret: csrf.expose().to_owned(),
        ended_at: None,
        end_reason: None,
        id_token: Some(id_token),
    };
    let mut e = event(s.clock.now(), "auth.login", Some(user.id), client, rid, Outcome::Success);
    e.details = serde_json::json!({ "method": method, "provider": provider, "user_agent": client.user_agent });
    s.store.insert_session(&session, &Effects::audit(e)).await?;
    let cfg = s.config.sessions;
    Ok(session::cookie(SESSION, token.expose().to_owned(), cfg.policy.absolute, cfg.secure_cookies))
}

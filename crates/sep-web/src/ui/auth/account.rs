//! The terms of use, accepted once (SPEC L2), and logout, which ends both sides (L4).

use super::login::safe_return_to;
use crate::AppState;
use crate::error::Page;
use crate::extract::{AnyUser, CsrfForm, Ctx, csrf_matches};
use crate::session::{self, CurrentUser, SESSION};
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use sep_core::store::Effects;
use serde::Deserialize;

/// The version of the terms of use people accept.
pub const TERMS_VERSION: &str = "2026-11";

#[derive(Template)]
#[template(path = "auth/terms.html")]
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
pub(crate) async fn terms(AnyUser { session, .. }: AnyUser, Query(q): Query<ReturnTo>) -> Page {
    let return_to = safe_return_to(q.return_to.as_deref());
    render(&TermsPage { version: TERMS_VERSION, csrf: &session.csrf_secret, return_to: &return_to })
}

#[derive(Deserialize)]
pub(crate) struct TermsForm {
    return_to: Option<String>,
}

/// `POST /terms`: acceptance, recorded with time and version (L2).
pub(crate) async fn accept_terms(
    State(s): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<TermsForm>,
) -> Page {
    let mut e = ctx.event(s.clock.now(), "terms.accepted", Some(user.id));
    e.details = serde_json::json!({ "version": TERMS_VERSION });
    s.store.update_terms_accepted(user.id, TERMS_VERSION, s.clock.now(), &Effects::audit(e)).await?;
    Ok(Redirect::to(&safe_return_to(f.return_to.as_deref())).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: ends the session here and sends the browser to the provider's logout.
pub(crate) async fn logout(
    State(s): State<AppState>,
    jar: CookieJar,
    current: CurrentUser,
    ctx: Ctx,
    axum::Form(f): axum::Form<LogoutForm>,
) -> Page {
    let secure = s.config.sessions.secure_cookies;
    // Signed out already: nothing to end.
    let Some((session, user)) = current.0 else { return Ok(Redirect::to("/").into_response()) };
    if !csrf_matches(&session, &f.csrf) {
        return Err(crate::error::WebError::forbidden());
    }
    let e = ctx.event(s.clock.now(), "auth.logout", Some(user.id));
    s.store.update_session_ended(&session.hash, s.clock.now(), "logout", &Effects::audit(e)).await?;
    let jar = jar.remove(session::cookie(SESSION, String::new(), time::Duration::ZERO, secure));
    let target = match &s.auth {
        Some(rp) => rp.logout_url(session.id_token.as_deref()).await.unwrap_or_else(|| "/".to_owned()),
        None => "/".to_owned(),
    };
    Ok((jar, Redirect::to(&target)).into_response())
}

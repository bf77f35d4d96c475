//! Who may open a record of the registry of e-passports (SEC2): its holder. Anyone else —
//! another citizen, an officer by guessing an id — gets "not found", journaled as
//! `passport.access_denied`, the same answer as for an id that does not exist. With «Защита
//! входа» on, the holder only after a recent login with a second factor ([`Protected`]).

use super::SignedIn;
use crate::AppState;
use crate::error::WebError;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use sep_core::audit::Outcome;
use sep_core::passport::record::Passport;

/// To a fresh login with a second factor, and back to `path` after it.
pub(crate) fn fresh_login_for(path: &str) -> WebError {
    let enc: String = openidconnect::url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    WebError::Redirect(format!("/login?fresh=1&return_to={enc}"))
}

/// The signed-in person, when «Защита входа» lets their e-passport open: otherwise to the
/// fresh login and back (`/login?fresh=1`), or — just back from one the provider did not
/// make fresh — a page saying so.
pub(crate) struct Protected(pub(crate) SignedIn);

impl FromRequestParts<AppState> for Protected {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use sep_core::passport::protection::{ProtectionError, opens};
        let signed = SignedIn::from_request_parts(parts, state).await?;
        let back = parts.uri.query().is_some_and(|q| q.split('&').any(|p| p == crate::auth::BACK_FROM_LOGIN));
        match opens(&signed.user, &signed.session, back, state.clock.now()) {
            Ok(()) => Ok(Self(signed)),
            Err(ProtectionError::FreshLoginRequired) => {
                Err(fresh_login_for(parts.uri.path_and_query().map_or("/passport", |p| p.as_str())))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The signed-in person's own e-passport named by the address's `{id}`.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub(crate) passport: Passport,
}

impl FromRequestParts<AppState> for Held {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Protected(SignedIn { session, user }) = Protected::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| WebError::not_found())?;
        let id = params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v).ok_or_else(WebError::not_found)?;
        let id = uuid::Uuid::parse_str(id).map_err(|_| WebError::not_found())?;
        let passport = state.store.find_passport(id).await?.ok_or_else(WebError::not_found)?;
        if passport.user_id != user.id {
            let ctx = super::Ctx::from_request_parts(parts, state).await.unwrap_or_else(|never| match never {});
            let mut e = crate::session::event(
                state.clock.now(),
                "passport.access_denied",
                Some(user.id),
                &ctx.client,
                &ctx.rid,
                Outcome::Denied,
            );
            e.object = Some(format!("passport:{}", passport.id));
            crate::session::refuse(state, &session, &e).await;
            return Err(WebError::not_found());
        }
        Ok(Self { passport })
    }
}

//! Who may open a record of the registry of e-passports (SEC2): its holder. Anyone else —
//! another citizen, an officer by guessing an id — gets "not found", journaled as
//! `passport.access_denied`, the same answer as for an id that does not exist.

use super::SignedIn;
use crate::AppState;
use crate::error::WebError;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use sep_core::audit::Outcome;
use sep_core::passport::record::Passport;

/// The signed-in person's own e-passport named by the address's `{id}`.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub(crate) passport: Passport,
}

impl FromRequestParts<AppState> for Held {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn { user, .. } = SignedIn::from_request_parts(parts, state).await?;
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
            if let Err(err) = state.store.insert_audit(&e).await {
                tracing::error!(code = err.code(), "audit append failed");
            }
            return Err(WebError::not_found());
        }
        Ok(Self { passport })
    }
}

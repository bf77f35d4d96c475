//! Who may see an application (SEC2): its owner, and the officers of the agency responsible
//! for its service once it is sent. Anyone else — and any malformed or unknown id — gets the
//! same "not found", and the refusal of an existing one is journaled.

use crate::client::Client;
use crate::session::event;
use crate::{AppState, Problem};
use axum::response::{IntoResponse, Response};
use sep_core::application::record::{Application, ApplicationId};
use sep_core::audit::Outcome;
use sep_core::user::User;

fn internal(e: &sep_core::StoreError) -> Response {
    tracing::error!(code = e.code(), error = %e, "application read failed");
    Problem::internal().into_response()
}

/// The application with id `id` (as typed in the address), or "not found".
pub(crate) async fn find(s: &AppState, id: &str) -> Result<Application, Response> {
    let Ok(uuid) = uuid::Uuid::parse_str(id) else { return Err(Problem::not_found().into_response()) };
    match s.store.get_application(ApplicationId(uuid)).await {
        Ok(a) => Ok(a),
        Err(sep_core::StoreError::NotFound) => Err(Problem::not_found().into_response()),
        Err(e) => Err(internal(&e)),
    }
}

/// "Not found" for `user` asking for `app`, with the refusal in the journal.
pub(crate) async fn denied(s: &AppState, user: &User, app: &Application, client: &Client, rid: &str) -> Response {
    let mut e = event(s.clock.now(), "application.access_denied", Some(user.id), client, rid, Outcome::Denied);
    e.object = Some(format!("application:{}", app.id));
    if let Err(err) = s.store.insert_audit(&e).await {
        tracing::error!(code = err.code(), "audit append failed");
    }
    Problem::not_found().into_response()
}

/// The newest notification id of `user`: where a page's live updates start.
pub(crate) async fn newest_notice(s: &AppState, user: &User) -> Result<i64, Response> {
    match s.store.list_notices(user.id, 1).await {
        Ok(n) => Ok(n.first().map_or(0, |n| n.id)),
        Err(e) => Err(internal(&e)),
    }
}

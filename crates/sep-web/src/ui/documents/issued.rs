//! `/documents/issued/{id}`: a document the system issued to the signed-in person (opens in
//! the browser with `?inline=1`). Somebody else's answers 404 like an unknown id.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::SignedIn;
use crate::ui::components::files::download;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub(crate) struct How {
    inline: Option<String>,
    /// Back from a fresh login («Защита входа»).
    relogin: Option<String>,
}

/// `GET /documents/issued/{id}`.
pub(crate) async fn file(
    State(s): State<AppState>,
    SignedIn { user, session }: SignedIn,
    Path(id): Path<Uuid>,
    Query(how): Query<How>,
) -> Page {
    let all = s.store.list_issued_documents_of_user(user.id).await?;
    let d = all.into_iter().find(|d| d.id == id).ok_or_else(WebError::not_found)?;
    // The e-passport's PDF is the e-passport: «Защита входа» covers it here too.
    if sep_core::passport::protection::covers(&d) {
        use sep_core::passport::protection::{ProtectionError, opens};
        match opens(&user, &session, how.relogin.is_some(), s.clock.now()) {
            Ok(()) => {}
            Err(ProtectionError::FreshLoginRequired) => {
                let inline = if how.inline.is_some() { "?inline=1" } else { "" };
                return Err(crate::extract::fresh_login_for(&format!("/documents/issued/{id}{inline}")));
            }
            Err(e) => return Err(e.into()),
        }
    }
    download(&s, &d.file.file_name, &d.file.content_type, &d.file.sha256, how.inline.is_some()).await
}

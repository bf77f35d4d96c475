//! «Заменить» in «Мои документы» (SPEC D2): a new version of one of the person's own
//! uploads, while its application may change; the earlier version stays, listed with its date.

use super::{Origin, find};
use crate::application::ActionError;
use crate::application::attachment::FileStore;
use crate::audit;
use crate::catalogue::Catalogue;
use crate::store::Store;
use crate::user::User;
use time::OffsetDateTime;

/// Replaces the person's document `key` (an attachment) with `upload` (name, bytes).
#[allow(clippy::too_many_arguments, reason = "a use case takes its ports and its inputs")]
pub async fn replace(
    store: &dyn Store,
    files: &dyn FileStore,
    catalogue: &Catalogue,
    user: &User,
    key: &str,
    upload: (&str, &[u8]),
    origin: &audit::Origin,
    now: OffsetDateTime,
) -> Result<(), ActionError> {
    let entry = find(store, catalogue, user, key).await?.ok_or(ActionError::DocumentUnknown)?;
    let Origin::Attachment { id, .. } = entry.origin else { return Err(ActionError::DocumentUnknown) };
    let app = store.get_application(entry.application.ok_or(ActionError::DocumentUnknown)?).await?;
    let service = catalogue.get(&app.service).ok_or(ActionError::UnknownService)?;
    crate::application::documents::replace(store, files, &app, service, user, id, upload, origin, now).await?;
    Ok(())
}

//! «Защита входа» (seed 004: «включить двухфакторную аутентификацию для доступа к электронному
//! паспорту: в настройках аккаунта активировать «Защиту входа»»). When the holder turns it on,
//! the e-passport opens only in a session whose login — at the provider, with a second factor —
//! is at most [`FRESH_LOGIN`] old; otherwise the portal sends the person to log in again
//! (`prompt=login`, `max_age`). Turning it off asks for the same fresh login, so a stolen
//! session cannot simply switch it off.

use crate::audit::Origin;
use crate::session::Session;
pub use crate::settings::FRESH_LOGIN;
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;

/// Why the e-passport does not open (or the protection does not change) yet.
#[derive(Debug, thiserror::Error)]
pub enum ProtectionError {
    /// The login is older than [`FRESH_LOGIN`] or had no second factor.
    #[error("Для этого действия включена «Защита входа»: подтвердите вход паролем и кодом на Госуслугах.")]
    FreshLoginRequired,
    /// The person came back from a fresh login the provider did not make.
    #[error("Госуслуги не подтвердили новый вход с паролем и кодом, поэтому электронный паспорт не открыт.")]
    NotConfirmed,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl ProtectionError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FreshLoginRequired => "fresh_login_required",
            Self::NotConfirmed => "fresh_login_not_confirmed",
            Self::Store(e) => e.code(),
        }
    }
}

/// Whether `d` is the e-passport itself (its PDF in «Мои документы»): the protection covers it
/// wherever it is opened.
pub fn covers(d: &crate::document::issued::IssuedDocument) -> bool {
    d.agency == super::record::ISSUER && d.title == super::issue::PDF_TITLE
}

/// Whether any of `entries` of `user`'s «Мои документы» is the e-passport's PDF (one read of
/// the issued documents, however many entries).
pub async fn holds_passport<'a>(
    store: &dyn Store,
    user: &User,
    entries: impl IntoIterator<Item = &'a crate::document::Entry>,
) -> Result<bool, crate::StoreError> {
    let issued: Vec<uuid::Uuid> = entries
        .into_iter()
        .filter_map(|e| match &e.origin {
            crate::document::Origin::Issued { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    if issued.is_empty() {
        return Ok(false);
    }
    Ok(store.list_issued_documents_of_user(user.id).await?.iter().any(|d| issued.contains(&d.id) && covers(d)))
}

/// Whether `session` is recent enough for `user`'s protection.
pub fn fresh(user: &User, session: &Session, now: OffsetDateTime) -> bool {
    !user.settings.login_protection || session.second_factor_within(now, FRESH_LOGIN)
}

/// Whether the e-passport opens in `session` now; `back_from_login`: the person has just
/// come back from the fresh login asked for (then a stale login is the provider's doing, and
/// asking again would only loop).
pub fn opens(
    user: &User,
    session: &Session,
    back_from_login: bool,
    now: OffsetDateTime,
) -> Result<(), ProtectionError> {
    match (fresh(user, session, now), back_from_login) {
        (true, _) => Ok(()),
        (false, false) => Err(ProtectionError::FreshLoginRequired),
        (false, true) => Err(ProtectionError::NotConfirmed),
    }
}

/// Turns the protection `on` or off, journaled; off only after a fresh login.
pub async fn switch(
    store: &dyn Store,
    user: &User,
    session: &Session,
    on: bool,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), ProtectionError> {
    if user.settings.login_protection == on {
        return Ok(());
    }
    if !on && !session.second_factor_within(now, FRESH_LOGIN) {
        return Err(ProtectionError::FreshLoginRequired);
    }
    let mut settings = user.settings.clone();
    settings.login_protection = on;
    let mut e = origin.event(
        now,
        if on { "security.login_protection_on" } else { "security.login_protection_off" },
        Some(user.id),
    );
    e.details = serde_json::json!({ "login_protection": on });
    store.update_user_settings(user.id, &settings, &Effects::audit(e)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn session(at: OffsetDateTime, methods: &str) -> Session {
        Session {
            hash: crate::session::SessionHash("h".into()),
            user_id: crate::ids::UserId(uuid::Uuid::nil()),
            created_at: at,
            last_seen_at: at,
            ip: String::new(),
            user_agent: String::new(),
            auth_method: methods.into(),
            csrf_secret: String::new(),
            ended_at: None,
            end_reason: None,
            id_token: None,
            authenticated_at: Some(at),
        }
    }

    #[test]
    fn the_passport_opens_after_a_recent_second_factor_only_when_protected() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let mut user = User {
            id: crate::ids::UserId(uuid::Uuid::now_v7()),
            role: crate::user::Role::Citizen,
            profile: crate::user::Profile::default(),
            created_at: t0,
            updated_at: t0,
            terms_accepted: None,
            registered_at: None,
            agency: None,
            settings: crate::settings::Settings::default(),
        };
        let s = session(t0, "pwd sms mfa");
        let later = t0 + FRESH_LOGIN + Duration::seconds(1);
        assert!(opens(&user, &s, false, later).is_ok(), "off: any session");
        user.settings.login_protection = true;
        assert!(opens(&user, &s, false, t0 + FRESH_LOGIN).is_ok());
        assert!(matches!(opens(&user, &s, false, later), Err(ProtectionError::FreshLoginRequired)));
        assert!(matches!(opens(&user, &s, true, later), Err(ProtectionError::NotConfirmed)));
        assert!(opens(&user, &session(t0, "pwd"), false, t0).is_err(), "a password alone");
    }
}

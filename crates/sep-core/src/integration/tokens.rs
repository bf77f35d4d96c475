//! Personal access tokens: issued, listed, revoked by their person; presented by a program as
//! `Authorization: Bearer sep_pat_…`. The secret is 256 bits from the system's random source,
//! shown once; the store keeps its SHA-256, so a copy of the database holds no live tokens.

use super::{Scope, TokenError};
use crate::audit::Origin;
use crate::ids::{UserId, random_bytes};
use crate::store::{Effects, Store};
use crate::user::User;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How a token's secret begins (so secret scanners and people recognise it).
pub const PREFIX: &str = "sep_pat_";
/// Longest lifetime, days.
pub const MAX_DAYS: i64 = 365;
/// Most live (not revoked, not expired) tokens a person holds.
pub const MAX_LIVE: usize = 20;
/// Longest name kept.
pub const MAX_NAME: usize = 100;
/// A use is noted at most this often (a busy program does not write on every call).
pub const USE_NOTED_EVERY: Duration = Duration::minutes(1);

/// A token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalToken {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub user_id: UserId,
    /// The person's name for it.
    pub name: String,
    /// What it allows.
    pub scopes: Vec<Scope>,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    /// The secret's first characters after the prefix, to tell tokens apart in the list.
    pub hint: String,
    /// Issued.
    pub created_at: OffsetDateTime,
    /// Expires.
    pub expires_at: OffsetDateTime,
    /// Last used, as noted.
    pub last_used_at: Option<OffsetDateTime>,
    /// Revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

impl PersonalToken {
    /// Whether it works at `now`.
    pub fn live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    /// Whether it allows `scope`.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// The hash a secret is stored and found under.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// What the form asks for a new token.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Name.
    pub name: String,
    /// Scope codes as ticked.
    pub scopes: Vec<String>,
    /// Lifetime, days.
    pub days: i64,
}

/// «Выпустить токен»: a new token for `user`; its secret is returned once and never again.
pub async fn issue(
    store: &dyn Store,
    user: &User,
    req: &Request,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(PersonalToken, String), TokenError> {
    let name: String = req.name.trim().chars().take(MAX_NAME).collect();
    if name.is_empty() {
        return Err(TokenError::NameRequired);
    }
    let mut scopes = Vec::new();
    for code in &req.scopes {
        scopes.push(Scope::from_code(code).ok_or(TokenError::ScopesRequired)?);
    }
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(TokenError::ScopesRequired);
    }
    if !(1..=MAX_DAYS).contains(&req.days) {
        return Err(TokenError::LifetimeInvalid);
    }
    if store.list_api_tokens(user.id).await?.iter().filter(|t| t.live(now)).count() >= MAX_LIVE {
        return Err(TokenError::TooMany);
    }
    let random = random_bytes::<32>().map_err(|_| TokenError::RandomUnavailable)?;
    let secret = format!("{PREFIX}{}", hex::encode(random));
    let t = PersonalToken {
        id: Uuid::now_v7(),
        user_id: user.id,
        name,
        scopes,
        hash: hash(&secret),
        hint: secret[PREFIX.len()..PREFIX.len() + 6].to_owned(),
        created_at: now,
        expires_at: now + Duration::days(req.days),
        last_used_at: None,
        revoked_at: None,
    };
    let mut e = origin.event(now, "api.token_issued", Some(user.id));
    e.object = Some(format!("api-token:{}", t.id));
    e.details =
        serde_json::json!({ "scopes": t.scopes.iter().map(|s| s.code()).collect::<Vec<_>>(), "days": req.days });
    // The person hears of every token issued in their name, wherever they are signed in.
    let notice = crate::notice::NewNotice {
        user_id: user.id,
        at: now,
        kind: "security".into(),
        title: "Выпущен токен доступа".into(),
        text: format!("Токен «{}» для программ. Если это были не вы, отзовите его и завершите сеансы.", t.name),
        link: "/tokens".into(),
        critical: true,
    };
    let mut fx = Effects::audit(e);
    fx.notices.push(notice);
    store.insert_api_token(&t, &fx).await?;
    Ok((t, secret))
}

/// «Отозвать»: `user`'s token `id` stops working now.
pub async fn revoke(
    store: &dyn Store,
    user: &User,
    id: Uuid,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), TokenError> {
    let mut e = origin.event(now, "api.token_revoked", Some(user.id));
    e.object = Some(format!("api-token:{id}"));
    if store.update_api_token_revoked(user.id, id, now, &Effects::audit(e)).await? {
        Ok(())
    } else {
        Err(TokenError::NotFound)
    }
}

/// Whose idempotency keys and operations a person's own calls use (their token, the pages).
pub fn person_owner(user: UserId) -> String {
    format!("user:{}", user.0)
}

/// Who calls the API: a person's program with their personal access token, or a registered
/// client with an access token of the token endpoint.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A personal access token.
    Person(PersonalToken),
    /// A client's access token.
    Client(Box<(super::client::Client, super::oauth::AccessToken)>),
}

impl Caller {
    /// Whose idempotency keys and limits its calls use.
    pub fn owner(&self) -> String {
        match self {
            Self::Person(t) => person_owner(t.user_id),
            // A client acting for several people keeps each one's keys apart.
            Self::Client(c) => format!("client:{}:user:{}", c.0.id, c.1.user_id.0),
        }
    }
}

/// The person and the caller behind `Authorization: Bearer …`, allowed `scope` (any, when
/// none is named).
pub async fn authenticate(
    store: &dyn Store,
    header: Option<&str>,
    scope: Option<Scope>,
    now: OffsetDateTime,
) -> Result<(User, Caller), TokenError> {
    // The scheme's name is case-insensitive (RFC 9110 §11.1).
    let secret = header
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(TokenError::Missing)?;
    // Anything not shaped like a token is not looked up.
    let shaped = |prefix: &str| {
        secret.strip_prefix(prefix).is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if shaped(super::oauth::ACCESS_PREFIX) {
        // What any token may do (registering) is a person's, not a system's.
        let scope = scope.ok_or(TokenError::PersonalTokenRequired)?;
        let (user, client, token) = super::oauth::authenticate(store, secret, scope, now).await?;
        return Ok((user, Caller::Client(Box::new((client, token)))));
    }
    if !shaped(PREFIX) {
        return Err(TokenError::Invalid);
    }
    let t = store.find_api_token(&hash(secret)).await?.filter(|t| t.live(now)).ok_or(TokenError::Invalid)?;
    if scope.is_some_and(|s| !t.allows(s)) {
        return Err(TokenError::Scope);
    }
    let user = store.get_user(t.user_id).await?;
    // Noting the use is bookkeeping: the call stands if it cannot be written.
    if t.last_used_at.is_none_or(|at| now - at >= USE_NOTED_EVERY)
        && let Err(e) = store.update_api_token_used(t.id, now).await
    {
        tracing::warn!(code = e.code(), "a token's last use not noted");
    }
    Ok((user, Caller::Person(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_by_their_codes() {
        for s in Scope::ALL {
            assert_eq!(Scope::from_code(s.code()), Some(s));
        }
        assert_eq!(Scope::from_code("applications:delete"), None);
        assert_eq!(hash("sep_pat_x").len(), 64);
    }
}

//! Integrations (seed 004: "Сформировать запрос к эндпоинту /integration/register с указанием
//! типа внешнего сервиса (например, «Бухгалтерия», «ФНС», «Банк») и параметрами
//! аутентификации"): a registered client of the API, with its credentials — a secret (RFC 6749
//! `client_secret_basic`) or a public key it signs its assertions with (RFC 7523
//! `private_key_jwt`: ES256 or ГОСТ Р 34.10-2012) — and the scopes its kind may use.
//!
//! A person's own software («Бухгалтерия», «Другое») is live at once and acts for its owner.
//! Systems of agencies and banks act across many people: they start in **test mode** — the
//! same API over a sandbox person of their own, whose notices reach nobody — until an
//! administrator approves them (`sep api client approve`).

use super::{Scope, TokenError};
use crate::audit::Origin;
use crate::ids::{UserId, random_bytes};
use crate::store::{Effects, NewUser, Store};
use crate::user::{Profile, Role, User};
use time::OffsetDateTime;

/// What kind of external service an integration is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An accounting program of the person or their organisation.
    Accounting,
    /// A tax authority's system.
    Tax,
    /// A bank's system.
    Bank,
    /// An agency's system.
    Agency,
    /// Any other program of the person's.
    Other,
}

impl Kind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Self; 5] = [Self::Accounting, Self::Tax, Self::Bank, Self::Agency, Self::Other];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Accounting => "accounting",
            Self::Tax => "fns",
            Self::Bank => "bank",
            Self::Agency => "agency",
            Self::Other => "other",
        }
    }

    /// The kind of `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// As the seed names it.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Accounting => "Бухгалтерия",
            Self::Tax => "ФНС",
            Self::Bank => "Банк",
            Self::Agency => "Ведомство",
            Self::Other => "Другое",
        }
    }

    /// Whether it acts across many people (and so starts in test mode until approved).
    pub const fn acts_for_many(self) -> bool {
        matches!(self, Self::Tax | Self::Bank | Self::Agency)
    }

    /// The scopes this kind may be given.
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            Self::Accounting | Self::Other => &Scope::ALL,
            Self::Tax => &[
                Scope::ApplicationsRead,
                Scope::DocumentsRead,
                Scope::WebhooksManage,
                Scope::SpravkiRead,
                Scope::PaymentsRead,
                Scope::PassportsVerify,
            ],
            // An agency's system works its officer's queue: limited to that agency by the rule
            // every officer is.
            Self::Agency => &[Scope::AgencyReview, Scope::WebhooksManage],
            Self::Bank => {
                &[Scope::ApplicationsRead, Scope::WebhooksManage, Scope::PaymentsRead, Scope::PassportsVerify]
            }
        }
    }
}

/// How a client proves who it is at the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `client_secret_basic`: the SHA-256 of its secret (the secret is shown once).
    Secret(String),
    /// `private_key_jwt` with ES256: the P-256 public key, SEC1 uncompressed.
    Es256(Vec<u8>),
    /// `private_key_jwt` with `GOST3410_2012_256`: the certificate (DER) holding the key.
    Gost(Vec<u8>),
}

impl Credentials {
    /// The token endpoint's authentication method.
    pub const fn method(&self) -> &'static str {
        match self {
            Self::Secret(_) => "client_secret_basic",
            Self::Es256(_) | Self::Gost(_) => "private_key_jwt",
        }
    }

    /// As stored: a code and a text (the hash, or the key's hex).
    pub fn stored(&self) -> (&'static str, String) {
        match self {
            Self::Secret(h) => ("secret", h.clone()),
            Self::Es256(k) => ("es256", hex::encode(k)),
            Self::Gost(c) => ("gost", hex::encode(c)),
        }
    }

    /// From its stored form.
    pub fn from_stored(code: &str, text: &str) -> Option<Self> {
        match code {
            "secret" => Some(Self::Secret(text.to_owned())),
            "es256" => hex::decode(text).ok().map(Self::Es256),
            "gost" => hex::decode(text).ok().map(Self::Gost),
            _ => None,
        }
    }

    /// The JWS algorithm its assertions are signed with, for a key.
    pub const fn algorithm(&self) -> Option<&'static str> {
        match self {
            Self::Secret(_) => None,
            Self::Es256(_) => Some("ES256"),
            Self::Gost(_) => Some("GOST3410_2012_256"),
        }
    }
}

/// Live or test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// On real data.
    Live,
    /// On its sandbox person; nothing reaches anyone.
    Test,
}

impl Mode {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
        }
    }

    /// From its code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Live, Self::Test].into_iter().find(|m| m.code() == code)
    }
}

/// A registered integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// `client_id`: `sep_cli_` and 24 hex digits; the integration's id.
    pub id: String,
    /// Who registered it.
    pub owner: UserId,
    /// For whom its tokens act: the owner, or in test mode its sandbox person.
    pub acts_for: UserId,
    /// Its kind.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// Its credentials.
    pub credentials: Credentials,
    /// What its tokens may be given.
    pub scopes: Vec<Scope>,
    /// Where the authorization endpoint may send people back (delegation); none: it acts
    /// only by client credentials.
    pub redirect_uris: Vec<String>,
    /// Live or test.
    pub mode: Mode,
    /// Registered.
    pub created_at: OffsetDateTime,
    /// Disabled by an administrator (or its owner): its tokens stop working.
    pub disabled_at: Option<OffsetDateTime>,
}

impl Client {
    /// Whether it may get tokens now.
    pub const fn active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// Longest name kept.
pub const MAX_NAME: usize = 100;
/// Most integrations a person registers.
pub const MAX_CLIENTS: usize = 20;

/// What a registration asks for.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    /// The kind's code.
    pub kind: String,
    /// A name.
    pub name: String,
    /// `None`: a secret is made; `Some`: the public key it signs with.
    pub key: Option<Credentials>,
    /// Scope codes asked (empty: all the kind and the registering token allow).
    pub scopes: Vec<String>,
    /// Where people are sent back after consenting (delegation).
    pub redirect_uris: Vec<String>,
}

/// Most redirect addresses a client registers.
pub const MAX_REDIRECTS: usize = 5;

/// A redirect address: `https://`, or `http://` to this machine's loopback (RFC 8252 §7.3), no
/// fragment, no credentials.
pub fn redirect_valid(uri: &str) -> bool {
    let rest = if let Some(rest) = uri.strip_prefix("https://") {
        rest
    } else if let Some(rest) = uri.strip_prefix("http://") {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "127.0.0.1" | "[::1]" | "localhost") {
            return false;
        }
        rest
    } else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    uri.len() <= 2000
        && !authority.is_empty()
        && !authority.contains('@')
        && !uri.contains('#')
        && uri.chars().all(|c| c.is_ascii_graphic())
}

/// The secret's form: `sep_cs_` and 64 hex digits.
pub const SECRET_PREFIX: &str = "sep_cs_";

/// `POST /integration/register`: a new client of `owner`, whose scopes are what the kind
/// allows within what the registering token itself has (`allowed`): registering never gives
/// more than the token. A secret, when one is made, is returned once.
pub async fn register(
    store: &dyn Store,
    owner: &User,
    allowed: &[Scope],
    req: &Registration,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(Client, Option<String>), TokenError> {
    let kind = Kind::from_code(&req.kind).ok_or(TokenError::KindUnknown)?;
    let name: String = req.name.trim().chars().take(MAX_NAME).collect();
    if name.is_empty() {
        return Err(TokenError::NameRequired);
    }
    let within = |s: &Scope| kind.scopes().contains(s) && allowed.contains(s);
    let mut scopes = Vec::new();
    for code in &req.scopes {
        let s = Scope::from_code(code).filter(within).ok_or(TokenError::ScopesRequired)?;
        scopes.push(s);
    }
    if req.scopes.is_empty() {
        scopes = Scope::ALL.into_iter().filter(within).collect();
    }
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(TokenError::ScopesRequired);
    }
    if req.redirect_uris.len() > MAX_REDIRECTS || !req.redirect_uris.iter().all(|u| redirect_valid(u)) {
        return Err(TokenError::RedirectInvalid);
    }
    if store.list_api_clients(owner.id).await?.len() >= MAX_CLIENTS {
        return Err(TokenError::TooMany);
    }
    let (credentials, secret) = match &req.key {
        Some(key) => (key.clone(), None),
        None => {
            let secret = format!(
                "{SECRET_PREFIX}{}",
                hex::encode(random_bytes::<32>().map_err(|_| TokenError::RandomUnavailable)?)
            );
            (Credentials::Secret(super::tokens::hash(&secret)), Some(secret))
        }
    };
    let id = format!("sep_cli_{}", hex::encode(random_bytes::<12>().map_err(|_| TokenError::RandomUnavailable)?));
    // A system that acts for many people, or asks people to let it act for them (it has
    // redirect addresses), is tried on its sandbox until an administrator approves it.
    let mode = if kind.acts_for_many() || !req.redirect_uris.is_empty() { Mode::Test } else { Mode::Live };
    let mut fx = Effects::none();
    let mut e = origin.event(now, "api.client_registered", Some(owner.id));
    e.object = Some(format!("api-client:{id}"));
    e.details = serde_json::json!({
        "kind": kind.code(),
        "method": credentials.method(),
        "mode": mode.code(),
        "scopes": scopes.iter().map(|s| s.code()).collect::<Vec<_>>(),
    });
    fx.audit.push(e);
    let acts_for = match mode {
        Mode::Live => owner.id,
        Mode::Test => {
            // Its sandbox person: no account to sign in with, no contact to reach.
            let sandbox = NewUser {
                id: UserId::new(),
                role: Role::Citizen,
                profile: Profile {
                    last_name: "Песочница".into(), first_name: name.clone(), ..Profile::default()
                },
                created_at: now,
            };
            store.insert_user(&sandbox, None, &Effects::none()).await?;
            sandbox.id
        }
    };
    let c = Client {
        id,
        owner: owner.id,
        acts_for,
        kind,
        name,
        credentials,
        scopes,
        redirect_uris: req.redirect_uris.clone(),
        mode,
        created_at: now,
        disabled_at: None,
    };
    fx.notices.push(crate::notice::NewNotice {
        user_id: owner.id,
        at: now,
        kind: "security".into(),
        title: "Зарегистрирована интеграция".into(),
        text: format!("«{}» ({}) получила доступ к API от вашего имени.", c.name, kind.title()),
        link: "/tokens".into(),
        critical: true,
    });
    store.insert_api_client(&c, &fx).await?;
    Ok((c, secret))
}

/// An administrator's decision on a client: approve a test one (it goes live, acting for its
/// owner) or disable one (its tokens stop working).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Live from now.
    Approve,
    /// Stopped.
    Disable,
}

/// Applies `decision` to client `id`; by whom is in `origin`'s journal record.
pub async fn decide(
    store: &dyn Store,
    id: &str,
    decision: Decision,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Client, TokenError> {
    let mut c = store.get_api_client(id).await.map_err(|e| match e {
        crate::StoreError::NotFound => TokenError::NotFound,
        e => e.into(),
    })?;
    let action = match decision {
        Decision::Approve => {
            c.mode = Mode::Live;
            c.acts_for = c.owner;
            "api.client_approved"
        }
        Decision::Disable => {
            c.disabled_at.get_or_insert(now);
            "api.client_disabled"
        }
    };
    let mut e = origin.event(now, action, None);
    e.subject = Some(c.owner);
    e.object = Some(format!("api-client:{}", c.id));
    store.update_api_client(&c, &Effects::audit(e)).await?;
    Ok(c)
}

/// «Отключить»: the owner stops their own client (and every token it holds); another's is
/// not found.
pub async fn disable_own(
    store: &dyn Store,
    owner: &User,
    id: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Client, TokenError> {
    let mut c = match store.get_api_client(id).await {
        Ok(c) if c.owner == owner.id => c,
        Ok(_) | Err(crate::StoreError::NotFound) => return Err(TokenError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if c.disabled_at.is_none() {
        c.disabled_at = Some(now);
        let mut e = origin.event(now, "api.client_disabled", Some(owner.id));
        e.object = Some(format!("api-client:{}", c.id));
        store.update_api_client(&c, &Effects::audit(e)).await?;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_are_https_or_loopback() {
        assert!(redirect_valid("https://app.example.ru/cb?x=1"));
        assert!(redirect_valid("http://127.0.0.1:8765/callback"));
        assert!(redirect_valid("http://localhost/cb"));
        assert!(!redirect_valid("http://app.example.ru/cb"));
        assert!(!redirect_valid("http://127.0.0.1.evil.ru/cb"));
        assert!(!redirect_valid("https://app.example.ru/cb#frag"));
        assert!(!redirect_valid("https://u:p@app.example.ru/cb"));
        assert!(!redirect_valid("javascript:alert(1)"));
    }

    #[test]
    fn kinds_read_back_and_systems_of_many_start_in_test_mode() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            assert!(!k.scopes().is_empty());
        }
        assert!(Kind::Bank.acts_for_many() && !Kind::Accounting.acts_for_many());
        assert!(!Kind::Bank.scopes().contains(&Scope::ApplicationsWrite), "a bank does not file for people");
    }
}

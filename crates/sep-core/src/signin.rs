//! Signing in through the identity provider (SPEC L1–L5, L7): the person the provider
//! vouched for becomes a session — a profile created on the first visit, a session opened and
//! journaled — unless the identifiers the provider holds now differ from the profile's, in
//! which case the link is restored first with a code sent to a contact both sides still share.

use crate::StoreError;
use crate::audit::{Origin, Outcome};
use crate::identity::{Mismatch, ProviderIdentity, mismatches, shared_contact};
use crate::ids::UserId;
use crate::job::{JobKind, NewJob};
use crate::otp::{CodeState, OtpPolicy, Verdict};
use crate::session::{RelinkRequest, Session, SessionToken};
use crate::store::{Effects, NewUser, Store};
use crate::user::{ExternalIdentity, Profile, Role, User};
use time::OffsetDateTime;

/// Codes one re-link may send.
pub const MAX_RELINK_SENDS: u64 = 3;

/// Why a sign-in step was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The re-link request is unknown, used or expired.
    #[error("Начатый вход не найден, устарел или уже завершён.")]
    RequestUnknown,
    /// Phone and e-mail differ on both sides: there is nowhere to send a code.
    #[error("Телефон и почта в СЭП и на Госуслугах больше не совпадают, поэтому код отправить некуда.")]
    NoSharedContact,
    /// Too many codes for one re-link.
    #[error("Код для восстановления связи уже отправлялся несколько раз.")]
    CodeLimit,
    /// A wrong code.
    #[error("Неверный код. Осталось попыток: {tries_left}")]
    CodeWrong {
        /// Tries left.
        tries_left: u32,
    },
    /// The code is used up, expired, or a parallel request won.
    #[error("Код больше не действует. Нажмите «Войти» и начните заново")]
    CodeVoid,
    /// The system's random source failed.
    #[error("Не удалось создать случайное значение.")]
    RandomUnavailable,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SignInError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::RequestUnknown => "login_request_unknown",
            Self::NoSharedContact => "relink_no_shared_contact",
            Self::CodeLimit => "relink_code_limit",
            Self::CodeWrong { .. } => "otp_wrong",
            Self::CodeVoid => "otp_void",
            Self::RandomUnavailable => "random_unavailable",
            Self::Store(e) => e.code(),
        }
    }
}

/// The browser a session is opened for.
#[derive(Debug, Clone)]
pub struct Device {
    /// Its address.
    pub ip: String,
    /// Its `User-Agent`.
    pub user_agent: String,
}

/// How the person signed in at the provider, kept with the session.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The provider's issuer.
    pub provider: String,
    /// The raw ID token (for logout at the provider).
    pub id_token: String,
    /// Authentication methods (`amr`).
    pub methods: String,
    /// When the person authenticated there, on the portal's clock.
    pub authenticated_at: Option<OffsetDateTime>,
}

/// What the provider said about the person, and how they signed in there.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The person.
    pub identity: ProviderIdentity,
    /// The sign-in.
    pub proof: Proof,
}

/// Where a sign-in ends.
#[derive(Debug)]
pub enum Arrived {
    /// A session is open.
    Session {
        /// Who.
        user: Box<User>,
        /// The session's token (for the cookie).
        token: SessionToken,
    },
    /// The identifiers changed: the link has to be restored first.
    Relink(Box<Relink>),
}

/// A re-link started.
#[derive(Debug)]
pub struct Relink {
    /// Who.
    pub user: User,
    /// The re-link request's handle (for its cookie).
    pub handle: SessionToken,
    /// What differs.
    pub mismatches: Vec<Mismatch>,
    /// The provider's profile.
    pub theirs: Profile,
    /// Where a code can go: channel and address.
    pub shared: Option<(&'static str, String)>,
}

/// The person `arrival` names signs in: found by the provider's subject or created, then a
/// session opened (or a re-link started when the identifiers changed).
pub async fn arrive(
    store: &dyn Store,
    arrival: Arrival,
    device: &Device,
    return_to: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Arrived, SignInError> {
    let provider = arrival.proof.provider.clone();
    let user = match store.find_user_by_identity(&provider, &arrival.identity.subject).await? {
        Some(u) => {
            let found = mismatches(&u.profile, &arrival.identity.profile);
            if !found.is_empty() {
                return start_relink(store, u, arrival, found, return_to, origin, now).await;
            }
            u
        }
        None => {
            let id = UserId::new();
            let link = ExternalIdentity {
                provider: provider.clone(),
                subject: arrival.identity.subject.clone(),
                user_id: id,
                linked_at: now,
            };
            let mut e = origin.event(now, "user.created", Some(id));
            e.details = serde_json::json!({ "provider": provider, "refused_claims": arrival.identity.refused });
            let new = NewUser { id, role: Role::Citizen, profile: arrival.identity.profile.clone(), created_at: now };
            store.insert_user(&new, Some(&link), &Effects::audit(e)).await?;
            store.get_user(id).await?
        }
    };
    // Госуслуги keeps a person's place in organisations: what it says now replaces what
    // was stored (a person who left an organisation no longer acts for it).
    if let Some(orgs) = &arrival.identity.orgs {
        store.replace_user_orgs(user.id, orgs, now).await?;
    }
    let token = open_session(store, &user, device, &arrival.proof, origin, now).await?;
    Ok(Arrived::Session { user: Box::new(user), token })
}

/// Opens a session for `user` (journaled as `auth.login` in the same transaction).
pub async fn open_session(
    store: &dyn Store,
    user: &User,
    device: &Device,
    proof: &Proof,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<SessionToken, SignInError> {
    let (Ok(token), Ok(csrf)) = (SessionToken::generate(), SessionToken::generate()) else {
        return Err(SignInError::RandomUnavailable);
    };
    let method = if proof.methods.is_empty() { "oidc".to_owned() } else { proof.methods.clone() };
    let session = Session {
        hash: token.hash(),
        user_id: user.id,
        created_at: now,
        last_seen_at: now,
        ip: device.ip.clone(),
        user_agent: device.user_agent.clone(),
        auth_method: method.clone(),
        csrf_secret: csrf.expose().to_owned(),
        ended_at: None,
        end_reason: None,
        id_token: Some(proof.id_token.clone()),
        authenticated_at: proof.authenticated_at,
    };
    let mut e = origin.event(now, "auth.login", Some(user.id));
    e.details = serde_json::json!({ "method": method, "provider": proof.provider, "user_agent": device.user_agent });
    let mut fx = Effects::audit(e);
    fx.notices.extend(new_device_notice(store, user, device, now).await?);
    if let (Some(notice), Some(email)) = (fx.notices.first(), user.profile.email.as_ref()) {
        let payload = serde_json::json!({ "to": email.as_str(), "subject": "Вход в СЭП с нового устройства", "text": notice.text });
        fx.jobs.push(NewJob::of(JobKind::SendEmail, payload, now));
    }
    store.insert_session(&session, &fx).await?;
    Ok(token)
}

/// How far back logins are remembered to tell a new device or address.
const KNOWN_LOGINS: u32 = 200;

/// The notification a login from a device or an address not among the person's recent logins
/// gets (SPEC SEC1: someone else may be using their Госуслуги account); none for the first
/// login.
async fn new_device_notice(
    store: &dyn Store,
    user: &User,
    device: &Device,
    now: OffsetDateTime,
) -> Result<Option<crate::notice::NewNotice>, StoreError> {
    let recent = store.list_audit_for_user(user.id, None, KNOWN_LOGINS).await?;
    let mut logins = recent.iter().filter(|r| r.event.action == "auth.login" && r.event.actor == Some(user.id));
    let mut seen_any = false;
    let known = logins.any(|r| {
        seen_any = true;
        r.event.ip.as_deref() == Some(device.ip.as_str())
            && r.event.details["user_agent"].as_str() == Some(device.user_agent.as_str())
    });
    if known || !seen_any {
        return Ok(None);
    }
    Ok(Some(crate::notice::NewNotice {
        user_id: user.id,
        at: now,
        kind: "status".into(),
        title: "Вход с нового устройства".into(),
        text: format!(
            "Выполнен вход в СЭП с нового устройства или адреса ({}). Если это были не вы, завершите чужие сеансы на странице «Сеансы» и смените пароль на Госуслугах.",
            device.ip
        ),
        link: "/sessions".into(),
        critical: true,
    }))
}

async fn start_relink(
    store: &dyn Store,
    user: User,
    arrival: Arrival,
    found: Vec<Mismatch>,
    return_to: &str,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Arrived, SignInError> {
    let theirs = arrival.identity.profile;
    let handle = SessionToken::generate().map_err(|_| SignInError::RandomUnavailable)?;
    let text = |o: Option<String>| o.map_or(serde_json::Value::Null, serde_json::Value::String);
    let data = serde_json::json!({
        "snils": text(theirs.snils.as_ref().map(|v| v.as_digits().to_owned())),
        "inn": text(theirs.inn.as_ref().map(|v| v.as_str().to_owned())),
        "email": text(theirs.email.as_ref().map(|v| v.as_str().to_owned())),
        "phone": text(theirs.phone.as_ref().map(|v| v.as_str().to_owned())),
        "id_token": arrival.proof.id_token,
        "methods": arrival.proof.methods,
        "authenticated_at": arrival.proof.authenticated_at.map(OffsetDateTime::unix_timestamp),
        "provider": arrival.proof.provider,
        "return_to": return_to,
        "sends": 0,
    });
    let r = RelinkRequest {
        hash: handle.hash(),
        user_id: user.id,
        data,
        sent_to: None,
        code: None,
        created_at: now,
        expires_at: now + time::Duration::minutes(15),
        completed_at: None,
    };
    let mut e = origin.event(now, "user.relink_required", Some(user.id));
    e.outcome = Outcome::Denied;
    e.details = serde_json::json!({ "mismatches": found.iter().map(|m| m.code()).collect::<Vec<_>>() });
    store.insert_relink(&r, &Effects::audit(e)).await?;
    let shared = shared_contact(&user.profile, &theirs);
    Ok(Arrived::Relink(Box::new(Relink { user, handle, mismatches: found, theirs, shared })))
}

/// The provider's profile as kept in a re-link request.
pub fn provider_profile(r: &RelinkRequest) -> Profile {
    let t = |k: &str| r.data[k].as_str().map(str::to_owned);
    Profile {
        snils: t("snils").and_then(|s| crate::ident::Snils::parse(&s).ok()),
        inn: t("inn").and_then(|s| crate::ident::Inn::parse_person(&s).ok()),
        email: t("email").and_then(|s| crate::ident::Email::parse(&s).ok()),
        phone: t("phone").and_then(|s| crate::ident::Phone::parse(&s).ok()),
        ..Profile::default()
    }
}

/// The open re-link request of `handle` and its user.
pub async fn relink_request(
    store: &dyn Store,
    handle: &SessionToken,
    now: OffsetDateTime,
) -> Result<(RelinkRequest, User), SignInError> {
    let r = match store.find_relink(&handle.hash()).await? {
        Some(r) if r.completed_at.is_none() && now < r.expires_at => r,
        _ => return Err(SignInError::RequestUnknown),
    };
    let user = store.get_user(r.user_id).await?;
    Ok((r, user))
}

/// A code to the contact both sides share, through the outbox; `words` makes the message
/// (in the person's language) from the code and gives the e-mail's subject.
pub async fn send_relink_code(
    store: &dyn Store,
    mut r: RelinkRequest,
    user: &User,
    words: &(dyn Fn(&str) -> (String, String) + Sync),
    now: OffsetDateTime,
) -> Result<(), SignInError> {
    let Some((channel, to)) = shared_contact(&user.profile, &provider_profile(&r)) else {
        return Err(SignInError::NoSharedContact);
    };
    let sends = r.data["sends"].as_u64().unwrap_or(0);
    if sends >= MAX_RELINK_SENDS {
        return Err(SignInError::CodeLimit);
    }
    let code = crate::otp::generate().map_err(|_| SignInError::RandomUnavailable)?;
    let read = r.code.clone();
    r.code = Some(CodeState::new(&r.hash.0, &code, now, OtpPolicy::default()));
    r.sent_to = Some((channel.to_owned(), to.clone()));
    r.data["sends"] = serde_json::json!(sends + 1);
    let (subject, text) = words(&code);
    let kind = if channel == "sms" { JobKind::SendSms } else { JobKind::SendEmail };
    let job = NewJob::of(kind, serde_json::json!({ "to": to, "subject": subject, "text": text }), now);
    match store.update_relink(&r, read.as_ref(), &Effects::none().with_job(job)).await {
        // A parallel send or check got there first; the code form shows anyway.
        Ok(()) | Err(StoreError::Conflict { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The code typed for a re-link: on success the profile takes the provider's identifiers,
/// the change is journaled, and a session opens.
pub async fn confirm_relink(
    store: &dyn Store,
    mut r: RelinkRequest,
    user: &User,
    typed: &str,
    device: &Device,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<SessionToken, SignInError> {
    let (Some(code), Some((channel, _))) = (r.code.clone(), r.sent_to.clone()) else {
        return Err(SignInError::RequestUnknown);
    };
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let (verdict, next) = code.check(&r.hash.0, &typed, now);
    r.code = Some(next);
    if verdict != Verdict::Accepted {
        // A failed try counts; if a parallel request changed the code first, this one did not.
        match store.update_relink(&r, Some(&code), &Effects::none()).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        return Err(match verdict {
            Verdict::Wrong { tries_left } => SignInError::CodeWrong { tries_left },
            _ => SignInError::CodeVoid,
        });
    }
    r.completed_at = Some(now);
    let theirs = provider_profile(&r);
    let changed: Vec<&str> = mismatches(&user.profile, &theirs).iter().map(|m| m.code()).collect();
    let mut profile = user.profile.clone();
    profile.snils = theirs.snils.or(profile.snils);
    profile.inn = theirs.inn.or(profile.inn);
    profile.email = theirs.email.or(profile.email);
    profile.phone = theirs.phone.or(profile.phone);
    let mut e = origin.event(now, "user.relinked", Some(user.id));
    e.details = serde_json::json!({ "changed": changed, "confirmed_by": channel });
    match store.update_relink(&r, Some(&code), &Effects::none()).await {
        Ok(()) => {}
        // A parallel request changed the code or completed first: this one does not count.
        Err(StoreError::Conflict { .. }) => return Err(SignInError::CodeVoid),
        Err(e) => return Err(e.into()),
    }
    store.update_profile(user.id, &profile, now, &Effects::audit(e)).await?;
    let text = |k: &str| r.data[k].as_str().unwrap_or_default().to_owned();
    let authenticated_at =
        r.data["authenticated_at"].as_i64().and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
    let proof =
        Proof { provider: text("provider"), id_token: text("id_token"), methods: text("methods"), authenticated_at };
    open_session(store, user, device, &proof, origin, now).await
}

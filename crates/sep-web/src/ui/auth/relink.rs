//! "Восстановить связь аккаунтов" (SPEC L5): a returning user whose СНИЛС, ИНН, e-mail or
//! phone at the provider differ from the СЭП profile sees each difference with its code, and
//! restores the link with a code sent to a contact both sides still share. The code goes
//! through the outbox (the `notify` job queue) in the same transaction that records it.

use super::login::{open_session, safe_return_to};
use crate::auth::Finished;
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use crate::session::{self, event};
use crate::ui::components::render;
use crate::{AppState, Problem};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use sep_core::audit::Outcome;
use sep_core::identity::{Mismatch, mismatches, shared_contact};
use sep_core::job::{JobKind, NewJob};
use sep_core::otp::{CodeState, OtpPolicy, Verdict};
use sep_core::session::{RelinkRequest, SessionToken};
use sep_core::store::Effects;
use sep_core::user::{Profile, User};
use sep_http::Client;
use serde::Deserialize;

const RELINK: &str = "sep_relink";
/// Codes one re-link may send.
const MAX_SENDS: u64 = 3;

struct Row {
    field: &'static str,
    ours: String,
    theirs: String,
    code: &'static str,
}

#[derive(Template)]
#[template(path = "auth/relink.html")]
struct MismatchPage {
    rows: Vec<Row>,
    contact: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/relink_code.html")]
struct CodePage {
    destination: String,
    error: Option<(String, &'static str)>,
}

/// Shows only the ends of identifiers: enough to recognise, not enough to copy.
fn masked(v: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    if chars.len() <= 4 {
        return "***".to_owned();
    }
    let tail: String = chars[chars.len() - 2..].iter().collect();
    let head: String = chars[..2].iter().collect();
    format!("{head}***{tail}")
}

fn value(p: &Profile, m: Mismatch) -> String {
    match m {
        Mismatch::Snils => p.snils.as_ref().map(ToString::to_string),
        Mismatch::Inn => p.inn.as_ref().map(ToString::to_string),
        Mismatch::Email => p.email.as_ref().map(ToString::to_string),
        Mismatch::Phone => p.phone.as_ref().map(ToString::to_string),
    }
    .map_or_else(String::new, |v| masked(&v))
}

fn destination_text(channel: &str, to: &str) -> String {
    if channel == "sms" {
        crate::i18n::tr_dyn(&format!("по SMS на номер {}", masked(to)))
    } else {
        crate::i18n::tr_dyn(&format!("на почту {}", masked(to)))
    }
}

/// The provider's profile as kept in the request.
fn provider_profile(r: &RelinkRequest) -> Profile {
    let t = |k: &str| r.data[k].as_str().map(str::to_owned);
    Profile {
        snils: t("snils").and_then(|s| sep_core::ident::Snils::parse(&s).ok()),
        inn: t("inn").and_then(|s| sep_core::ident::Inn::parse_person(&s).ok()),
        email: t("email").and_then(|s| sep_core::ident::Email::parse(&s).ok()),
        phone: t("phone").and_then(|s| sep_core::ident::Phone::parse(&s).ok()),
        ..Profile::default()
    }
}

fn expired() -> WebError {
    crate::auth::AuthFault::RequestUnknown.problem().into()
}

/// The callback found a linked user whose identifiers changed: record the request and show
/// the differences.
pub(crate) async fn required(
    s: &AppState,
    jar: CookieJar,
    client: &Client,
    rid: &str,
    user: User,
    done: Finished,
    return_to: String,
) -> Page {
    let now = s.clock.now();
    let theirs = &done.identity.profile;
    let found = mismatches(&user.profile, theirs);
    let handle = SessionToken::generate().map_err(|e| WebError::internal(format!("no randomness: {e}")))?;
    let text = |o: Option<String>| o.map_or(serde_json::Value::Null, serde_json::Value::String);
    let data = serde_json::json!({
        "snils": text(theirs.snils.as_ref().map(|v| v.as_digits().to_owned())),
        "inn": text(theirs.inn.as_ref().map(|v| v.as_str().to_owned())),
        "email": text(theirs.email.as_ref().map(|v| v.as_str().to_owned())),
        "phone": text(theirs.phone.as_ref().map(|v| v.as_str().to_owned())),
        "id_token": done.id_token,
        "methods": done.methods,
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
    let mut e = event(s.clock.now(), "user.relink_required", Some(user.id), client, rid, Outcome::Denied);
    e.details = serde_json::json!({ "mismatches": found.iter().map(|m| m.code()).collect::<Vec<_>>() });
    s.store.insert_relink(&r, &Effects::audit(e)).await?;
    let rows = found
        .iter()
        .map(|m| Row { field: m.field(), ours: value(&user.profile, *m), theirs: value(theirs, *m), code: m.code() })
        .collect();
    let contact = shared_contact(&user.profile, theirs).map(|(ch, to)| destination_text(ch, &to));
    let secure = s.config.sessions.secure_cookies;
    let jar = jar.add(session::cookie(RELINK, handle.expose().to_owned(), time::Duration::minutes(15), secure));
    Ok((StatusCode::CONFLICT, jar, render(&MismatchPage { rows, contact })?).into_response())
}

async fn open(s: &AppState, jar: &CookieJar) -> Result<(RelinkRequest, User), WebError> {
    let secure = s.config.sessions.secure_cookies;
    let Some(token) = jar.get(&session::cookie_name(RELINK, secure)).and_then(|c| SessionToken::from_cookie(c.value()))
    else {
        return Err(expired());
    };
    let r = match s.store.find_relink(&token.hash()).await? {
        Some(r) if r.completed_at.is_none() && s.clock.now() < r.expires_at => r,
        _ => return Err(expired()),
    };
    let user = s.store.get_user(r.user_id).await?;
    Ok((r, user))
}

/// `POST /relink/send`: a code to the shared contact, through the outbox.
pub(crate) async fn send(State(s): State<AppState>, jar: CookieJar) -> Page {
    let (mut r, user) = open(&s, &jar).await?;
    let Some((channel, to)) = shared_contact(&user.profile, &provider_profile(&r)) else {
        let p = Problem::new(
            StatusCode::CONFLICT,
            "relink_no_shared_contact",
            "Связь нельзя восстановить кодом",
            "Телефон и почта в СЭП и на Госуслугах больше не совпадают, поэтому код отправить некуда.",
            "Обратитесь в поддержку СЭП и сообщите коды ошибок со страницы входа.",
        );
        return Err(p.into());
    };
    let sends = r.data["sends"].as_u64().unwrap_or(0);
    if sends >= MAX_SENDS {
        let p = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "relink_code_limit",
            "Слишком много запросов кода",
            "Код для восстановления связи уже отправлялся несколько раз.",
            "Войдите заново через несколько минут.",
        );
        return Err(p.retry("/login", "Войти снова").into());
    }
    let code = sep_core::otp::generate().map_err(|e| WebError::internal(format!("no randomness: {e}")))?;
    let now = s.clock.now();
    let read = r.code.clone();
    r.code = Some(CodeState::new(&r.hash.0, &code, now, OtpPolicy::default()));
    r.sent_to = Some((channel.to_owned(), to.clone()));
    r.data["sends"] = serde_json::json!(sends + 1);
    let text = crate::i18n::tr_dyn(&format!(
        "Код для восстановления связи аккаунтов СЭП и Госуслуг: {code}. Никому не сообщайте код"
    ));
    let kind = if channel == "sms" { JobKind::SendSms } else { JobKind::SendEmail };
    let job = NewJob::of(
        kind,
        serde_json::json!({ "to": to, "subject": crate::i18n::tr("Восстановление связи аккаунтов"), "text": text }),
        now,
    );
    match s.store.update_relink(&r, read.as_ref(), &Effects::none().with_job(job)).await {
        Ok(()) => {}
        // A parallel send or check got there first; the page shows the code form anyway.
        Err(sep_core::StoreError::Conflict { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/relink/code").into_response())
}

/// `GET /relink/code`.
pub(crate) async fn code_form(State(s): State<AppState>, jar: CookieJar) -> Page {
    let (r, _) = open(&s, &jar).await?;
    match &r.sent_to {
        Some((ch, to)) => render(&CodePage { destination: destination_text(ch, to), error: None }),
        None => Ok(Redirect::to("/login").into_response()),
    }
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /relink/code`: the code; on success the profile takes the provider's identifiers,
/// the change is journaled, and the session opens.
pub(crate) async fn confirm(
    State(s): State<AppState>,
    jar: CookieJar,
    Ctx { client, rid }: Ctx,
    Form(f): Form<CodeForm>,
) -> Page {
    let (mut r, user) = open(&s, &jar).await?;
    let (Some(code), Some((ch, to))) = (r.code.clone(), r.sent_to.clone()) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let now = s.clock.now();
    let typed: String = f.code.chars().filter(|c| !c.is_whitespace()).collect();
    let (verdict, next) = code.check(&r.hash.0, &typed, now);
    r.code = Some(next);
    let page_error = |msg: String, code: &'static str| -> Page {
        let page = render(&CodePage { destination: destination_text(&ch, &to), error: Some((msg, code)) })?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if verdict != Verdict::Accepted {
        // A failed try counts; if a parallel request changed the code first, this one did not.
        if let Err(e) = s.store.update_relink(&r, Some(&code), &Effects::none()).await
            && !matches!(e, sep_core::StoreError::Conflict { .. })
        {
            return Err(e.into());
        }
        return match verdict {
            Verdict::Wrong { tries_left } => {
                page_error(crate::i18n::tr_dyn(&format!("Неверный код. Осталось попыток: {tries_left}")), "otp_wrong")
            }
            _ => page_error(
                crate::i18n::tr("Код больше не действует. Нажмите «Войти» и начните заново").into(),
                "otp_void",
            ),
        };
    }
    r.completed_at = Some(now);
    let theirs = provider_profile(&r);
    let changed: Vec<&str> = mismatches(&user.profile, &theirs).iter().map(|m| m.code()).collect();
    let mut profile = user.profile.clone();
    profile.snils = theirs.snils.or(profile.snils);
    profile.inn = theirs.inn.or(profile.inn);
    profile.email = theirs.email.or(profile.email);
    profile.phone = theirs.phone.or(profile.phone);
    let mut e = event(s.clock.now(), "user.relinked", Some(user.id), &client, &rid, Outcome::Success);
    e.details = serde_json::json!({ "changed": changed, "confirmed_by": ch });
    match s.store.update_relink(&r, Some(&code), &Effects::none()).await {
        Ok(()) => {}
        // A parallel request changed the code or completed first: this one does not count.
        Err(sep_core::StoreError::Conflict { .. }) => {
            return page_error(
                crate::i18n::tr("Код больше не действует. Нажмите «Войти» и начните заново").into(),
                "otp_void",
            );
        }
        Err(err) => return Err(err.into()),
    }
    s.store.update_profile(user.id, &profile, now, &Effects::audit(e)).await?;
    let id_token = r.data["id_token"].as_str().unwrap_or_default().to_owned();
    let methods = r.data["methods"].as_str().unwrap_or_default().to_owned();
    let provider = s.auth.as_ref().map_or_else(String::new, |rp| rp.issuer().to_owned());
    let cookie = open_session(&s, &user, &client, &rid, id_token, &methods, &provider).await?;
    let secure = s.config.sessions.secure_cookies;
    let jar = jar.add(cookie).remove(session::cookie(RELINK, String::new(), time::Duration::ZERO, secure));
    let back = safe_return_to(r.data["return_to"].as_str());
    let next = if user.terms_accepted.is_some() { back } else { format!("/terms?return_to={back}") };
    Ok((jar, Redirect::to(&next)).into_response())
}

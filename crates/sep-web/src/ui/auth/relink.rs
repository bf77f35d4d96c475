//! "Восстановить связь аккаунтов" (SPEC L5): a returning user whose СНИЛС, ИНН, e-mail or
//! phone at the provider differ from the СЭП profile sees each difference with its code, and
//! restores the link with a code sent to a contact both sides still share. The rules are
//! `sep_core::signin`; the request's handle travels in its own short cookie.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::Ctx;
use crate::session;
use crate::ui::components::render;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use sep_core::identity::Mismatch;
use sep_core::session::{RelinkRequest, SessionToken};
use sep_core::signin::{self, Device, Relink, SignInError};
use sep_core::user::{Profile, User};
use serde::Deserialize;

const RELINK: &str = "sep_relink";

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

/// The callback found a linked user whose identifiers changed: the request's cookie and the
/// differences.
pub(crate) fn required(s: &AppState, jar: CookieJar, relink: Relink) -> Page {
    let Relink { user, handle, mismatches, theirs, shared } = relink;
    let rows = mismatches
        .iter()
        .map(|m| Row { field: m.field(), ours: value(&user.profile, *m), theirs: value(&theirs, *m), code: m.code() })
        .collect();
    let contact = shared.map(|(ch, to)| destination_text(ch, &to));
    let secure = s.config.sessions.secure_cookies;
    let jar = jar.add(session::cookie(RELINK, handle.expose().to_owned(), time::Duration::minutes(15), secure));
    Ok((StatusCode::CONFLICT, jar, render(&MismatchPage { rows, contact })?).into_response())
}

/// The open request of this browser and its user.
async fn open(s: &AppState, jar: &CookieJar) -> Result<(RelinkRequest, User), WebError> {
    let secure = s.config.sessions.secure_cookies;
    let token = jar.get(&session::cookie_name(RELINK, secure)).and_then(|c| SessionToken::from_cookie(c.value()));
    let token = token.ok_or(SignInError::RequestUnknown)?;
    Ok(signin::relink_request(s.store.as_ref(), &token, s.clock.now()).await?)
}

/// `POST /relink/send`: a code to the shared contact, through the outbox.
pub(crate) async fn send(State(s): State<AppState>, jar: CookieJar) -> Page {
    let (r, user) = open(&s, &jar).await?;
    let words = |code: &str| {
        let text = format!("Код для восстановления связи аккаунтов СЭП и Госуслуг: {code}. Никому не сообщайте код");
        (crate::i18n::tr("Восстановление связи аккаунтов").to_owned(), crate::i18n::tr_dyn(&text))
    };
    signin::send_relink_code(s.store.as_ref(), r, &user, &words, s.clock.now()).await?;
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

/// `POST /relink/code`: the code; on success the profile takes the provider's identifiers and
/// the session opens. A wrong or void code comes back on the page with its code.
pub(crate) async fn confirm(State(s): State<AppState>, jar: CookieJar, ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let (mut r, user) = open(&s, &jar).await?;
    let (Some(_), Some((ch, to))) = (&r.code, r.sent_to.clone()) else {
        return Ok(Redirect::to("/login").into_response());
    };
    // Requests made before the provider was kept in them: the configured one.
    if r.data["provider"].is_null() {
        r.data["provider"] = serde_json::json!(s.auth.as_ref().map_or("", |rp| rp.issuer()));
    }
    let back = sep_http::safe_return_to(r.data["return_to"].as_str(), "/cabinet");
    let device = Device { ip: ctx.client.ip.clone(), user_agent: ctx.client.user_agent.clone() };
    match signin::confirm_relink(s.store.as_ref(), r, &user, &f.code, &device, &ctx.origin(), s.clock.now()).await {
        Ok(token) => {
            let secure = s.config.sessions.secure_cookies;
            let jar = jar.remove(session::cookie(RELINK, String::new(), time::Duration::ZERO, secure));
            super::login::signed_in(&s, jar, &user, &token, &back)
        }
        Err(e @ (SignInError::CodeWrong { .. } | SignInError::CodeVoid)) => {
            let error = Some((crate::i18n::tr_dyn(&e.to_string()), e.code()));
            let page = render(&CodePage { destination: destination_text(&ch, &to), error })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

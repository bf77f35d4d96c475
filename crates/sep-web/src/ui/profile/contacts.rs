//! `/profile/contacts` (SPEC C3): the new phone gets an SMS code, the new address a one-time
//! link; the rules are `sep_core::profile`. A step sent by `assets/inplace.js`
//! (`x-sep-inplace`) is answered with the personal block itself, which the cabinet swaps in
//! without a reload; without JavaScript the same forms post and come back to the page.

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::i18n::{tr, tr_dyn};
use crate::session::CurrentUser;
use crate::ui::components::personal::block;
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use sep_core::application::contacts::Channel;
use sep_core::confirm::Carrier;
use sep_core::profile::{self, Farewell, Note};
use sep_core::user::User;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "profile/contacts.html")]
struct ContactsPage {
    block: crate::ui::components::personal::PersonalBlock,
}

#[derive(Deserialize)]
pub(crate) struct NoteQuery {
    note: Option<String>,
}

/// `GET /profile/contacts`.
pub(crate) async fn page(State(s): State<AppState>, who: SignedIn, Query(q): Query<NoteQuery>) -> Page {
    let note = q.note.as_deref().and_then(Note::from_code);
    render(&ContactsPage { block: block(&s, &who.user, note, None, who.session.csrf_secret).await? })
}

/// Where a step ends: the page with its note, or — for an in-place step — the block itself,
/// as stored now (the step may have changed the profile).
async fn answer(s: &AppState, user: &User, csrf: String, headers: &HeaderMap, step: (Channel, Note)) -> Page {
    let (channel, note) = step;
    if !headers.contains_key("x-sep-inplace") {
        return Ok(Redirect::to(&format!("/profile/contacts?note={}", note.code())).into_response());
    }
    let user = s.store.get_user(user.id).await?;
    let b = block(s, &user, Some(note), Some(channel), csrf).await?;
    Ok(([("x-sep-fragment", "1"), ("cache-control", "no-store")], render(&b)?).into_response())
}

fn channel(code: &str) -> Page<Channel> {
    Channel::from_code(code).ok_or_else(crate::error::WebError::not_found)
}

#[derive(Deserialize)]
pub(crate) struct NewValue {
    #[serde(default)]
    value: String,
}

/// `POST /profile/contacts/{channel}`: the new phone (`sms`) or address (`email`).
pub(crate) async fn request(
    State(s): State<AppState>,
    who: SignedIn,
    ctx: Ctx,
    headers: HeaderMap,
    Path(code): Path<String>,
    CsrfForm(f): CsrfForm<NewValue>,
) -> Page {
    let channel = channel(&code)?;
    let base = &s.config.public_url;
    let sms = |code: &str| tr_dyn(&format!("Код для смены телефона в СЭП: {code}. Никому не сообщайте код"));
    let mail = |token: &str| {
        let link = format!("{base}/profile/contacts/email/confirm?token={token}");
        tr_dyn(&format!("Чтобы указать этот адрес в профиле СЭП, откройте ссылку: {link} (действует сутки)"))
    };
    let carrier = Carrier::for_channel(channel.code(), &sms, tr("Смена адреса в СЭП"), &mail);
    let note = profile::request(s.store.as_ref(), &who.user, channel, &f.value, &carrier, &ctx.origin(), s.clock.now())
        .await?;
    answer(&s, &who.user, who.session.csrf_secret, &headers, (channel, note)).await
}

/// The old contact's message, in the page's language.
fn farewell(channel: Channel) -> Farewell {
    let what = if channel == Channel::Sms { "Телефон" } else { "Адрес электронной почты" };
    Farewell {
        text: tr_dyn(&format!("{what} в профиле СЭП изменён. Если это были не вы, обратитесь в поддержку СЭП.")),
        subject: tr("Адрес в СЭП изменён").to_owned(),
    }
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /profile/contacts/sms/confirm`: the SMS code.
pub(crate) async fn confirm_sms(
    State(s): State<AppState>,
    who: SignedIn,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> Page {
    let fw = farewell(Channel::Sms);
    let note =
        profile::confirm(s.store.as_ref(), &who.user, Channel::Sms, &f.code, &fw, &ctx.origin(), s.clock.now()).await?;
    answer(&s, &who.user, who.session.csrf_secret, &headers, (Channel::Sms, note)).await
}

#[derive(Deserialize)]
pub(crate) struct Token {
    #[serde(default)]
    token: String,
}

/// `GET /profile/contacts/email/confirm?token=…`: the link from the e-mail (signed in as the
/// same person; a login returns to the page, not to the link, so the token is not carried).
pub(crate) async fn confirm_email(
    State(s): State<AppState>,
    current: CurrentUser,
    ctx: Ctx,
    Query(q): Query<Token>,
) -> Page {
    let who = SignedIn::or_return_to(current, "/profile/contacts?note=reopen_link")?;
    let fw = farewell(Channel::Email);
    let note =
        profile::confirm(s.store.as_ref(), &who.user, Channel::Email, &q.token, &fw, &ctx.origin(), s.clock.now())
            .await?;
    Ok(Redirect::to(&format!("/profile/contacts?note={}", note.code())).into_response())
}

//! Confirming the phone and e-mail typed in an application (SPEC R3): «Отправить код» sends
//! an SMS code, «Отправить ссылку» an e-mail with a one-time link; the rules are
//! `sep_core::application::contacts`. Every step comes back to the form with its note.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::extract::{CsrfForm, Ctx, Editable};
use crate::i18n::{tr, tr_dyn};
use crate::session::CurrentUser;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use sep_core::application::contacts::{self, Channel, Note};
use sep_core::application::record::ApplicationId;
use sep_core::confirm::Carrier;
use serde::Deserialize;

fn back(app: ApplicationId, note: Note) -> Page {
    Ok(Redirect::to(&format!("/applications/{app}?contact={}#contacts", note.code())).into_response())
}

/// `POST /applications/{id}/contacts/{channel}`: «Отправить код» / «Отправить ссылку» (again).
pub(crate) async fn send(
    State(s): State<AppState>,
    Editable(o): Editable,
    ctx: Ctx,
    Path((_, channel)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let channel = Channel::from_code(&channel).ok_or_else(WebError::not_found)?;
    let (base, id) = (&s.config.public_url, o.app.id);
    let sms = |code: &str| {
        tr_dyn(&format!("Код подтверждения телефона для заявления в СЭП: {code}. Никому не сообщайте код"))
    };
    let mail = |token: &str| {
        let link = format!("{base}/applications/{id}/contacts/email/confirm?token={token}");
        tr_dyn(&format!("Чтобы подтвердить адрес для заявления в СЭП, откройте ссылку: {link} (действует сутки)"))
    };
    let carrier = Carrier::for_channel(channel.code(), &sms, tr("Подтверждение адреса"), &mail);
    let note =
        contacts::send(s.store.as_ref(), &o.app, &o.user, channel, &carrier, &ctx.origin(), s.clock.now()).await?;
    back(o.app.id, note)
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /applications/{id}/contacts/sms/confirm`: the SMS code.
pub(crate) async fn confirm_sms(
    State(s): State<AppState>,
    Editable(o): Editable,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> Page {
    let note =
        contacts::confirm(s.store.as_ref(), &o.app, &o.user, Channel::Sms, &f.code, &ctx.origin(), s.clock.now())
            .await?;
    back(o.app.id, note)
}

#[derive(Deserialize)]
pub(crate) struct Token {
    #[serde(default)]
    token: String,
}

/// `GET /applications/{id}/contacts/email/confirm?token=…`: the link from the e-mail. The
/// person must be signed in as the applicant; a login returns to the form, not to the link
/// (the token is not carried through the login, where it would be stored and sent in headers).
pub(crate) async fn confirm_email(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
    Query(q): Query<Token>,
    request: axum::extract::Request,
) -> Page {
    let (mut parts, _) = request.into_parts();
    let current = CurrentUser::from_request_parts(&mut parts, &s).await.unwrap_or_else(|never| match never {});
    crate::extract::SignedIn::or_return_to(current, &format!("/applications/{id}?contact=reopen_link"))?;
    let Editable(o) = Editable::from_request_parts(&mut parts, &s).await?;
    let note =
        contacts::confirm(s.store.as_ref(), &o.app, &o.user, Channel::Email, &q.token, &ctx.origin(), s.clock.now())
            .await?;
    back(o.app.id, note)
}

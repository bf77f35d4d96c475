//! The personal data block (SPEC C1, C3): on the cabinet, on `/profile/contacts`, and alone
//! as the answer to a change made in place.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::tr;
use askama::Template;
use sep_core::application::contacts::Channel;
use sep_core::ident::Phone;
use sep_core::profile::{Note, pending};
use sep_core::user::User;

/// The block, alone or inside a page.
#[derive(Template)]
#[template(path = "components/personal.html")]
pub(crate) struct PersonalBlock {
    pub(crate) full_name: String,
    pub(crate) snils: String,
    pub(crate) inn: String,
    pub(crate) phone: String,
    pub(crate) email: String,
    /// The phone's change stays open: a code is awaited or the last step was about it.
    pub(crate) open_phone: bool,
    /// The same for the address.
    pub(crate) open_email: bool,
    pub(crate) pending_phone: Option<String>,
    pub(crate) pending_email: Option<String>,
    /// The last step's note: text, whether it is an error, its code.
    pub(crate) note: Option<(&'static str, bool, &'static str)>,
    pub(crate) csrf: String,
}

/// The block for `user` after the step that gave `note`, with the change of `open` (or of the
/// contact the note is about) left open.
pub(crate) async fn block(
    s: &AppState,
    user: &User,
    note: Option<Note>,
    open: Option<Channel>,
    csrf: String,
) -> Result<PersonalBlock, WebError> {
    let now = s.clock.now();
    let sms = pending(s.store.as_ref(), user, Channel::Sms, now).await?;
    let email = pending(s.store.as_ref(), user, Channel::Email, now).await?;
    let open = open.or_else(|| note.and_then(Note::channel));
    let p = &user.profile;
    let none = || tr("не указан").to_owned();
    Ok(PersonalBlock {
        full_name: p.full_name(),
        snils: p.snils.as_ref().map_or_else(none, ToString::to_string),
        inn: p.inn.as_ref().map_or_else(none, ToString::to_string),
        phone: p.phone.as_ref().map_or_else(none, Phone::display_form),
        email: p.email.as_ref().map_or_else(none, ToString::to_string),
        open_phone: sms.is_some() || open == Some(Channel::Sms),
        open_email: email.is_some() || open == Some(Channel::Email),
        pending_phone: sms.and_then(|c| Phone::parse(&c.value).ok()).map(|p| p.display_form()),
        pending_email: email.map(|c| c.value),
        note: note.map(|n| (tr(n.text()), n.is_error(), n.code())),
        csrf,
    })
}

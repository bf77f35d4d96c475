//! «Электронный ящик» (SPEC M1): the folders, a conversation with its files, writing and
//! answering, «Архив», and «Разрешённые получатели и контрагенты». The rules are
//! `sep_core::mail`. A person reads their own mailbox; an officer also reads their agency's
//! (`?box=agency`); anyone else's conversation is not found.

pub(crate) mod boxes;
pub(crate) mod counterparties;
pub(crate) mod sign;
pub(crate) mod write;

use crate::AppState;
use crate::error::WebError;
use crate::extract::SignedIn;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sep_core::mail::{MailError, Party};
use sep_core::user::User;

/// The mailbox a request reads or writes: the person's own, their agency's (`box=agency`), or
/// an organisation's they head (`box=org:<ИНН>`).
pub(crate) struct Mailbox {
    pub(crate) session: sep_core::session::Session,
    pub(crate) user: User,
    pub(crate) party: Party,
    /// `""` for the person's own, `"agency"`, `"org:<ИНН>"`.
    pub(crate) code: String,
    /// The organisation's short name, for its mailbox.
    pub(crate) name: Option<String>,
}

impl Mailbox {
    /// `?box=…` to carry on links and forms.
    pub(crate) fn query(&self) -> String {
        if self.code.is_empty() { String::new() } else { format!("?box={}", self.code) }
    }
}

/// `box` from the query string.
fn box_param(parts: &Parts) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == "box").map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Mailbox {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn { session, user } = SignedIn::from_request_parts(parts, state).await?;
        match box_param(parts).as_deref() {
            None | Some("") => {
                Ok(Self { party: Party::Person(user.id), session, user, code: String::new(), name: None })
            }
            // Only an agency's officer reads its mailbox; to anyone else it does not exist.
            Some("agency") => {
                let agency = sep_core::application::access::officer_agency(&user)
                    .map(str::to_owned)
                    .ok_or_else(WebError::not_found)?;
                Ok(Self { session, user, party: Party::Agency(agency), code: "agency".into(), name: None })
            }
            // Only who may act for the organisation (its head, as Госуслуги said at the last
            // login) reads its mailbox.
            Some(other) => {
                let inn = other.strip_prefix("org:").ok_or_else(WebError::not_found)?;
                let orgs = state.store.list_user_orgs(user.id).await?;
                let m =
                    orgs.into_iter().find(|m| m.inn.as_str() == inn && m.may_act()).ok_or_else(WebError::not_found)?;
                let inn = m.inn.as_str().to_owned();
                Ok(Self {
                    session,
                    user,
                    party: Party::Org(inn.clone()),
                    code: format!("org:{inn}"),
                    name: Some(m.short_name),
                })
            }
        }
    }
}

/// A refused mail action as its problem page titled `title`; one about another's mail is "not
/// found".
pub(crate) fn mail_problem(e: MailError, title: &str, back: &str) -> WebError {
    match crate::error::mail_refusal(e, title) {
        WebError::Problem(p) => WebError::from(p.retry(back, "Назад")),
        other => other,
    }
}

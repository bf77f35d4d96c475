//! «Электронный ящик» (SPEC M1): the folders, a conversation with its files, writing and
//! answering, «Архив», and «Разрешённые получатели и контрагенты». The rules are
//! `sep_core::mail`. A person reads their own mailbox; an officer also reads their agency's
//! (`?box=agency`); anyone else's conversation is not found.

pub(crate) mod boxes;
pub(crate) mod counterparties;
pub(crate) mod write;

use crate::AppState;
use crate::error::WebError;
use crate::extract::SignedIn;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use sep_core::mail::{MailError, Party};
use sep_core::user::User;

/// The mailbox a request reads or writes: the person's own, or (`box=agency`) their agency's.
pub(crate) struct Mailbox {
    pub(crate) session: sep_core::session::Session,
    pub(crate) user: User,
    pub(crate) party: Party,
    /// `""` for the person's own, `"agency"`.
    pub(crate) code: &'static str,
}

impl Mailbox {
    /// `?box=…` to carry on links and forms.
    pub(crate) fn query(&self) -> &'static str {
        if self.code.is_empty() { "" } else { "?box=agency" }
    }
}

/// `box` from the query string.
fn wants_agency(parts: &Parts) -> bool {
    parts.uri.query().unwrap_or("").split('&').any(|kv| kv == "box=agency")
}

impl FromRequestParts<AppState> for Mailbox {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn { session, user } = SignedIn::from_request_parts(parts, state).await?;
        if wants_agency(parts) {
            // Only an agency's officer reads its mailbox; to anyone else it does not exist.
            let agency = sep_core::application::access::officer_agency(&user)
                .map(str::to_owned)
                .ok_or_else(WebError::not_found)?;
            return Ok(Self { session, user, party: Party::Agency(agency), code: "agency" });
        }
        let party = Party::Person(user.id);
        Ok(Self { session, user, party, code: "" })
    }
}

/// A refused mail action as its problem page titled `title`; one about another's mail is "not
/// found".
pub(crate) fn mail_problem(e: MailError, title: &str, back: &str) -> WebError {
    let status = match e {
        MailError::NotFound => return WebError::not_found(),
        MailError::Store(e) => return e.into(),
        MailError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        MailError::CounterpartyExists => StatusCode::CONFLICT,
        MailError::Unavailable | MailError::Files(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    if let MailError::Files(ref cause) = e {
        tracing::warn!(error = %cause, "mail: file store unavailable");
    }
    let p = sep_http::Problem::new(status, e.code(), title, &e.to_string(), e.action());
    WebError::from(p.retry(back, "Назад"))
}

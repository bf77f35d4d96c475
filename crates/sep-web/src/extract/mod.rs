//! Extractors for what every page checks first, one place per rule: who is signed in (and in
//! which role), that a form carries the session's CSRF secret, and who may open an
//! application. Each refuses by itself — a redirect to sign in, a 401 for a background
//! request, a 403, a journaled 404 — so a handler starts where its own work starts.

mod application;
pub(crate) mod multipart;
mod passport;

pub(crate) use application::{Editable, InAgency, Owned, Visible};
pub(crate) use passport::{Held, Protected, fresh_login_for};

use crate::error::WebError;
use crate::session::{Resolved, event};
use crate::{AppState, Problem};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use sep_core::audit::{NewAuditEvent, Origin, Outcome};
use sep_core::session::Session;
use sep_core::user::User;
use sep_http::Client;
use serde::de::DeserializeOwned;

/// Where a request came from: the client and the request id, for the journal.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) client: Client,
    pub(crate) rid: String,
}

impl Ctx {
    /// A successful `action` by `user` at `at`, from this request.
    pub(crate) fn event(
        &self,
        at: time::OffsetDateTime,
        action: &str,
        user: Option<sep_core::ids::UserId>,
    ) -> NewAuditEvent {
        event(at, action, user, &self.client, &self.rid, Outcome::Success)
    }

    /// The request as the core's use cases journal it.
    pub(crate) fn origin(&self) -> Origin {
        Origin { ip: Some(self.client.ip.clone()), request_id: Some(self.rid.clone()) }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let client = Client::from_request_parts(parts, state).await?;
        Ok(Self { client, rid: sep_http::request_id_of(&parts.headers) })
    }
}

/// A request a page makes in the background (a draft saved as one types, a step done in
/// place, the live stream): refused with 401 rather than sent to sign in, which would start a
/// second login beside the page's own and replace its login cookie.
fn background(parts: &Parts) -> bool {
    parts.headers.contains_key("x-sep-autosave")
        || parts.headers.contains_key("x-sep-inplace")
        || parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/event-stream"))
}

/// A path as a query parameter: it may carry what was typed in the address (an id), so
/// control characters, spaces, `&`, `#`, `%`, `+` and non-ASCII are percent-encoded — the
/// redirect header stays valid and the value stays one parameter.
pub(crate) fn query_value(path: &str) -> String {
    path.bytes()
        .map(
            |b| {
                if b.is_ascii_graphic() && !b"&#%+".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

/// `text` with its `%XY` escapes decoded (an invalid escape is kept as it is).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where to come back after signing in, as a query parameter: the page itself for a GET; for
/// a form, the page it was sent from — its `Referer` when that is this site (by the `Host`
/// the request came to, or the configured public address behind a proxy) — since the form's
/// own address takes no GET; else the cabinet.
fn return_param(parts: &Parts, public_url: &str) -> String {
    let path = if parts.method == Method::GET {
        // Decoded once, as a handler would see it, and encoded again for the parameter.
        Some(percent_decoded(parts.uri.path_and_query().map_or("/cabinet", |p| p.as_str())))
    } else {
        let referer = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
        let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let by_host = ["http://", "https://"]
            .iter()
            .find_map(|scheme| referer.strip_prefix(scheme)?.strip_prefix(host))
            .filter(|_| !host.is_empty());
        let by_public = referer.strip_prefix(public_url.trim_end_matches('/')).filter(|_| !public_url.is_empty());
        by_host.or(by_public).filter(|p| p.starts_with('/')).map(str::to_owned)
    };
    // `/login` and `/terms` check it again (`safe_return_to`) before following it.
    query_value(path.as_deref().unwrap_or("/cabinet"))
}

/// The signed-in person, whether or not they accepted the terms yet (the terms page itself,
/// logout). Not signed in: to the login, or 401 for a background request.
#[derive(Debug, Clone)]
pub(crate) struct AnyUser {
    pub(crate) session: Session,
    pub(crate) user: User,
}

impl FromRequestParts<AppState> for AnyUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Resolved::of(parts, state, true).await? {
            Some((session, user)) => Ok(Self { session, user }),
            None if background(parts) => Err(Problem::session_ended().into()),
            None => {
                Err(WebError::Redirect(format!("/login?return_to={}", return_param(parts, &state.config.public_url))))
            }
        }
    }
}

/// The signed-in person who accepted the terms of use (every cabinet page). Otherwise: to
/// the login or to the terms first, or 401 for a background request.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub(crate) session: Session,
    pub(crate) user: User,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AnyUser { session, user } = AnyUser::from_request_parts(parts, state).await?;
        if user.terms_accepted.is_none() {
            if background(parts) {
                return Err(Problem::session_ended().into());
            }
            return Err(WebError::Redirect(format!(
                "/terms?return_to={}",
                return_param(parts, &state.config.public_url)
            )));
        }
        Ok(Self { session, user })
    }
}

impl SignedIn {
    /// The signed-in person of `current`, with `return_to` as where a login or the terms send
    /// them back — for a link (from an e-mail) whose token must not ride through the login.
    pub(crate) fn or_return_to(current: crate::session::CurrentUser, return_to: &str) -> Result<Self, WebError> {
        let to = query_value(return_to);
        let Some((session, user)) = current.0 else { return Err(WebError::Redirect(format!("/login?return_to={to}"))) };
        if user.terms_accepted.is_none() {
            return Err(WebError::Redirect(format!("/terms?return_to={to}")));
        }
        Ok(Self { session, user })
    }
}

/// A signed-in officer of an agency. Anyone else signed in gets "not found": the workspace
/// does not reveal itself.
#[derive(Debug, Clone)]
pub(crate) struct Officer {
    pub(crate) session: Session,
    pub(crate) user: User,
    pub(crate) agency: String,
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedIn { session, user } = SignedIn::from_request_parts(parts, state).await?;
        let Some(agency) = sep_core::application::access::officer_agency(&user).map(str::to_owned) else {
            return Err(WebError::not_found());
        };
        Ok(Self { session, user, agency })
    }
}

/// The session a form's secret is compared with (resolved once per request and kept).
async fn form_session(parts: &mut Parts, state: &AppState) -> Result<Session, WebError> {
    match Resolved::of(parts, state, true).await? {
        Some((session, _)) => Ok(session),
        None if background(parts) => Err(Problem::session_ended().into()),
        None => Err(WebError::forbidden()),
    }
}

/// Whether `presented` is the session's CSRF secret (compared in constant time).
pub(crate) fn csrf_matches(session: &Session, presented: &str) -> bool {
    sep_core::ids::ct_eq(session.csrf_secret.as_bytes(), presented.as_bytes())
}

/// A URL-encoded form whose `csrf` field carries the session's secret. `T` is read from the
/// same body (a struct, a map, or pairs when a name repeats).
#[derive(Debug)]
pub(crate) struct CsrfForm<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = form_session(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| WebError::from(Problem::for_status(sep_http::body_error_status(&e, e.status()))))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|_| form_unreadable())?;
        let presented = pairs.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
        if !csrf_matches(&session, presented) {
            return Err(WebError::forbidden());
        }
        serde_urlencoded::from_bytes(&bytes).map(Self).map_err(|_| form_unreadable())
    }
}

fn form_unreadable() -> WebError {
    form_unreadable_problem().into()
}

/// A form body that could not be read.
pub(crate) fn form_unreadable_problem() -> Problem {
    Problem::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "form_unreadable",
        "Форму не удалось прочитать",
        "Данные формы пришли в неверном виде, поэтому ничего не изменено.",
        "Откройте страницу заново и отправьте форму ещё раз.",
    )
}

/// A multipart form (text fields and one `file`) whose `csrf` field carries the session's
/// secret.
pub(crate) struct CsrfMultipart(pub(crate) multipart::Parts);

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = form_session(&mut parts, state).await?;
        // Before the body is read: an upload's cost is in reading and keeping it.
        state
            .throttles
            .uploads
            .check(&session.user_id.0.to_string())
            .map_err(|wait| WebError::from(Problem::rate_limited(wait)))?;
        let form = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| WebError::from(Problem::for_status(sep_http::body_error_status(&e, e.status()))))?;
        let read = multipart::read(form).await?;
        if !csrf_matches(&session, read.text("csrf")) {
            return Err(WebError::forbidden());
        }
        Ok(Self(read))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: Method, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut req = axum::http::Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(()).unwrap().into_parts().0
    }

    #[test]
    fn a_page_comes_back_as_it_was_asked_for() {
        let get = |uri: &str| return_param(&parts(Method::GET, uri, &[]), "");
        assert_eq!(get("/applications?status=draft&sort=due"), "/applications?status=draft%26sort=due");
        assert_eq!(get("/officer/applications/%0A"), "/officer/applications/%0A", "decoded once, encoded again");
        assert_eq!(get("/a%26b"), "/a%26b");
        assert_eq!(get("/%D0%B4"), "/%D0%B4", "non-ASCII stays encoded");
        assert_eq!(percent_decoded("%zz%4"), "%zz%4", "a broken escape is kept");
    }

    #[test]
    fn a_form_comes_back_to_the_page_it_was_sent_from_on_this_site_only() {
        let post =
            |headers: &[(&str, &str)], public: &str| return_param(&parts(Method::POST, "/x/submit", headers), public);
        let same = [("host", "sep.example"), ("referer", "https://sep.example/applications/1")];
        assert_eq!(post(&same, ""), "/applications/1");
        // Behind a proxy the Host differs; the configured public address still recognises it.
        let proxied = [("host", "127.0.0.1:8080"), ("referer", "https://sep.example/applications/2")];
        assert_eq!(post(&proxied, "https://sep.example"), "/applications/2");
        assert_eq!(post(&proxied, ""), "/cabinet");
        let foreign = [("host", "sep.example"), ("referer", "https://evil.example/x")];
        assert_eq!(post(&foreign, "https://sep.example"), "/cabinet");
        let lookalike = [("host", "sep.example"), ("referer", "https://sep.example.evil.example/x")];
        assert_eq!(post(&lookalike, "https://sep.example"), "/cabinet");
        assert_eq!(post(&[], "https://sep.example"), "/cabinet");
    }
}

//! The presenter: turns a [`Problem`] (or a bare error status from a lower layer) into a
//! Russian HTML page or RFC 9457 JSON, with the request id and the time.

use crate::{Brand, Problem};
use askama::Template;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

#[derive(Template)]
#[template(path = "problem.html")]
struct Page<'a> {
    brand: &'a Brand,
    lang: crate::i18n::Lang,
    title: &'a str,
    detail: &'a str,
    action: &'a str,
    code: &'a str,
    time: String,
    request_id: &'a str,
    retry_link: Option<&'a str>,
    retry_label: &'a str,
}

fn wants_json(req: &Request) -> bool {
    // The API's routes (and `/integration/register`, seed 004's address for it) answer JSON.
    req.uri().path().starts_with("/api/")
        || req.uri().path().starts_with("/integration/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("json") && !a.contains("text/html"))
}

impl Page<'_> {
    /// A text of the page in its language.
    fn t(&self, ru: &'static str) -> &'static str {
        self.brand.texts.tr_in(self.lang, ru)
    }

    /// A text known at run time (the site's name) in the page's language.
    fn t_dyn(&self, ru: &str) -> String {
        self.brand.texts.tr_dyn_in(self.lang, ru)
    }

    fn lang_code(&self) -> &'static str {
        match self.lang {
            crate::i18n::Lang::Ru => "ru",
            crate::i18n::Lang::En => "en",
        }
    }
}

pub(crate) async fn problems(brand: &'static Brand, req: Request, next: Next) -> Response {
    let json_wanted = wants_json(&req);
    // The presenter sits outside the language scope of the routes; it reads the cookie itself.
    let lang = crate::i18n::lang_of(req.headers());
    let request_id = super::request_id(&req);
    let mut res = next.run(req).await;
    let problem = match res.extensions_mut().remove::<Problem>() {
        Some(p) => p,
        // A bare error from a lower layer (405, 413, timeout, panic) has no page of its own.
        None if res.status().is_client_error() || res.status().is_server_error() => {
            // Bodies a handler chose on purpose (a JSON readiness report) pass; the plain
            // text of library layers does not.
            let rendered = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("text/html") || ct.contains("json"));
            if rendered {
                return res;
            }
            Problem::for_status(res.status())
        }
        None => return res,
    };
    let problem = problem.in_lang(lang, brand.texts);
    // The one place a failure is logged: handlers return it, they do not log it too.
    match &problem.cause {
        Some(cause) => tracing::error!(code = problem.code, status = problem.status.as_u16(), cause, "request failed"),
        None if problem.status.is_server_error() => {
            tracing::warn!(code = problem.code, status = problem.status.as_u16(), "problem shown");
        }
        None => {}
    }
    let mut out = if json_wanted {
        let mut body = json!({
            "type": "about:blank",
            "title": problem.title,
            "status": problem.status.as_u16(),
            "detail": problem.detail,
            "code": problem.code,
            "action": problem.action,
            "request_id": request_id,
        });
        if !problem.errors.is_empty() {
            body["errors"] = problem
                .errors
                .iter()
                .map(|e| json!({ "field": e.field, "code": e.code, "message": e.message }))
                .collect();
        }
        ([(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
    } else {
        let page = Page {
            brand,
            lang,
            title: &problem.title,
            detail: &problem.detail,
            action: &problem.action,
            code: problem.code,
            time: format!("{} {}", crate::moscow::seconds(OffsetDateTime::now_utc()), brand.texts.tr_in(lang, "МСК")),
            request_id: &request_id,
            retry_link: problem.retry.as_ref().map(|r| r.0.as_str()),
            retry_label: problem.retry.as_ref().map_or("", |r| r.1.as_str()),
        };
        match page.render() {
            Ok(html) => Html(html).into_response(),
            Err(_) => problem.detail.clone().into_response(),
        }
    };
    *out.status_mut() = problem.status;
    // Keep headers the handler set for the client (Allow, Retry-After, WWW-Authenticate).
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = res.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

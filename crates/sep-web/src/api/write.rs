//! What every API write shares: the JSON body, read strictly (a wrong content type, malformed
//! JSON and unknown fields are refused with a code naming what is wrong), and the
//! `Idempotency-Key` that makes a repeated request answer as the first did.

use crate::AppState;
use crate::api::QueryRefusal;
use crate::error::{Page, WebError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sep_core::integration::idempotency::{self, Answer, Begin};
use sep_http::{FieldError, Problem};
use serde::de::DeserializeOwned;

/// A JSON body of type `T`, with its bytes and where it was sent (for the idempotency
/// fingerprint). A refused body is kept as its refusal, not answered at once: the caller's
/// token is checked first, so a program without one learns that, whatever it sent.
pub(crate) struct JsonBody<T> {
    /// What was sent, or why it is refused.
    pub(crate) value: Result<T, WebError>,
    /// `<METHOD> <path>` and the bytes, fingerprinted.
    pub(crate) fingerprint: String,
}

/// A body that is not JSON by its type.
pub(crate) const CONTENT_TYPE: QueryRefusal = (
    "api_content_type",
    "Тело запроса принимается только как application/json.",
    "Передайте заголовок Content-Type: application/json.",
);
/// A body that does not parse.
pub(crate) const JSON_INVALID: QueryRefusal =
    ("api_json_invalid", "Тело запроса — не JSON.", "Передайте JSON в кодировке UTF-8.");
/// JSON of the wrong shape.
pub(crate) const BODY_INVALID: QueryRefusal =
    ("api_body_invalid", "Тело запроса не соответствует схеме.", "Сверьте запрос со схемой в /api/v1/openapi.json.");
/// A field the request or the service's form does not have.
pub(crate) const FIELD_UNKNOWN: QueryRefusal = (
    "api_field_unknown",
    "В запросе поле, которого нет в схеме запроса или в форме услуги.",
    "Уберите поле: схема запроса — в /api/v1/openapi.json, поля формы — в data заявления.",
);

/// `r` with `status`, and what serde said when there is something to add.
fn body_problem(status: StatusCode, (code, detail, action): QueryRefusal, more: Option<&str>) -> Problem {
    let detail = match more {
        Some(m) => format!("{detail} {m}"),
        None => detail.to_owned(),
    };
    Problem::new(status, code, "Запрос не выполнен", &detail, action)
}

/// The problem of a body serde refused: an unknown field is named, anything else described.
fn parse_problem(e: &serde_json::Error) -> WebError {
    let text = e.to_string();
    if let Some(rest) = text.strip_prefix("unknown field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        return unknown(vec![field.to_owned()]).into();
    }
    match e.classify() {
        serde_json::error::Category::Data => {
            body_problem(StatusCode::UNPROCESSABLE_ENTITY, BODY_INVALID, Some(&format!("({text})"))).into()
        }
        _ => body_problem(StatusCode::BAD_REQUEST, JSON_INVALID, Some(&format!("({text})"))).into(),
    }
}

/// 422 naming the `fields` nobody knows.
pub(crate) fn unknown(fields: Vec<String>) -> Problem {
    let (code, _, action) = FIELD_UNKNOWN;
    let detail = format!("Неизвестные поля: {}.", fields.join(", "));
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "Запрос не выполнен", &detail, action).with_errors(
        fields
            .into_iter()
            .map(|field| FieldError {
                field, code: FIELD_UNKNOWN.0, message: "Такого поля нет.".to_owned()
            })
            .collect(),
    )
}

/// Whether the request says its body is JSON (`application/json` or a `+json` type).
fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(|m| {
        let m = m.trim().to_ascii_lowercase();
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
        let json = is_json(req.headers());
        // Past the portal's body limit the presenter answers 413 with its code.
        let bytes =
            Bytes::from_request(req, state).await.map_err(|e| WebError::from(Problem::for_status(e.status())))?;
        let fingerprint = idempotency::fingerprint(&method, &path, &bytes);
        Ok(Self { value: parse(json, &bytes), fingerprint })
    }
}

/// The body as `T`: an empty one is an empty object (`POST …/withdraw` needs nothing more),
/// whatever its type; anything else must say it is JSON and be it.
fn parse<T: DeserializeOwned>(json: bool, bytes: &[u8]) -> Result<T, WebError> {
    let empty = bytes.iter().all(u8::is_ascii_whitespace);
    if !empty && !json {
        return Err(body_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, CONTENT_TYPE, None).into());
    }
    let value: serde_json::Value =
        serde_json::from_slice(if empty { b"{}" } else { bytes }).map_err(|e| parse_problem(&e))?;
    // Structs read from arrays too; a request body here is always an object.
    if !value.is_object() {
        return Err(
            body_problem(StatusCode::UNPROCESSABLE_ENTITY, BODY_INVALID, Some("(an object is expected)")).into()
        );
    }
    serde_json::from_value(value).map_err(|e| parse_problem(&e))
}

/// A body with nothing in it (`{}` or none at all).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Nothing {}

/// What a write answers when it succeeds: its status, JSON body and, for a creation, where
/// the new object is.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: serde_json::Value,
    pub(crate) location: Option<String>,
    /// A member of the body shown this once and never kept (a secret): a repeat's answer
    /// lacks it.
    pub(crate) once: Option<&'static str>,
}

impl Reply {
    /// 200 with `body`.
    pub(crate) fn ok(body: impl serde::Serialize) -> Result<Self, WebError> {
        Ok(Self {
            status: StatusCode::OK,
            body: serde_json::to_value(body).map_err(WebError::internal)?,
            location: None,
            once: None,
        })
    }

    /// 201 with `body`, created at `location`.
    pub(crate) fn created(body: impl serde::Serialize, location: String) -> Result<Self, WebError> {
        Ok(Self { status: StatusCode::CREATED, location: Some(location), ..Self::ok(body)? })
    }

    /// The same reply, its member `name` shown this once and not kept for a repeat.
    pub(crate) fn once(self, name: &'static str) -> Self {
        Self { once: Some(name), ..self }
    }
}

fn respond(status: u16, body: String, location: Option<&str>, repeated: bool) -> Response {
    let mut res = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response();
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        res.headers_mut().insert(header::LOCATION, l);
    }
    if repeated {
        res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    res
}

/// Runs the write `run` for `owner` once per `Idempotency-Key`: without a key it simply runs;
/// with one, a repeat of the same request is answered as the first was, the key reused for
/// another request is refused (`api_idempotency_key_reused`, 422) and a repeat while the first
/// runs waits its turn (`api_idempotency_in_progress`, 409). Only a success is kept: after a
/// refusal the key is free, so the corrected request may use it.
pub(crate) async fn idempotent(
    s: &AppState,
    owner: &str,
    headers: &HeaderMap,
    fingerprint: &str,
    run: impl Future<Output = Result<Reply, WebError>>,
) -> Page {
    let Some(key) = headers.get("idempotency-key") else {
        let r = run.await?;
        return Ok(respond(r.status.as_u16(), r.body.to_string(), r.location.as_deref(), false));
    };
    let key = key.to_str().unwrap_or("");
    let store = s.store.as_ref();
    match idempotency::begin(store, owner, key, fingerprint, s.clock.now()).await.map_err(crate::api::token_problem)? {
        Begin::Repeat(a) => return Ok(respond(a.status, a.body, a.location.as_deref(), true)),
        Begin::Run => {}
    }
    match run.await {
        Ok(r) => {
            let mut kept = r.body.clone();
            if let (Some(name), Some(o)) = (r.once, kept.as_object_mut()) {
                o.remove(name);
            }
            let answer = Answer { status: r.status.as_u16(), body: kept.to_string(), location: r.location.clone() };
            // Not keeping the answer loses only the repeat's answer, not the write: the key stays
            // claimed, so a repeat is told to look before trying again.
            if let Err(e) = idempotency::finish(store, owner, key, &answer).await {
                tracing::warn!(code = e.code(), "an idempotent answer not kept");
            }
            Ok(respond(answer.status, r.body.to_string(), answer.location.as_deref(), false))
        }
        Err(e) => {
            // A refusal changed nothing: the key is free for the corrected request. A failure on
            // the server's side may have written part: the key stays claimed, so a repeat is told
            // to look first rather than run it again.
            let server_side = matches!(&e, WebError::Problem(p) if p.status.is_server_error());
            if !server_side && let Err(err) = idempotency::forget(store, owner, key).await {
                tracing::warn!(code = err.code(), "an idempotency key not freed");
            }
            Err(e)
        }
    }
}

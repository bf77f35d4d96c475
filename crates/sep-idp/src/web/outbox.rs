//! `GET /outbox` and `/outbox.json`: what the emulator "sent" (SPEC I6). Open to anyone who
//! can reach the emulator, by design: it is how a demo user reads their code.

use super::{IdpState, render};
use crate::outbox::Message;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use sep_http::Problem;

const SHOWN: u32 = 200;

struct Row {
    time: String,
    channel: &'static str,
    recipient: String,
    subject: String,
    body: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    messages: Vec<Row>,
}

fn moscow(m: &Message) -> String {
    sep_http::moscow::seconds(m.sent_at)
}

/// `GET /outbox`.
pub(crate) async fn page(State(s): State<IdpState>) -> Response {
    match s.store.list_messages(SHOWN).await {
        Ok(list) => render(&OutboxPage {
            messages: list
                .into_iter()
                .map(|m| Row {
                    time: moscow(&m),
                    channel: if m.channel == "sms" { "SMS" } else { "E-mail" },
                    recipient: m.recipient,
                    subject: m.subject,
                    body: m.body,
                })
                .collect(),
        }),
        Err(e) => {
            tracing::error!(error = %e, "outbox read failed");
            Problem::internal().into_response()
        }
    }
}

/// `GET /outbox.json`: newest first.
pub(crate) async fn json(State(s): State<IdpState>) -> Response {
    match s.store.list_messages(SHOWN).await {
        Ok(list) => Json(serde_json::json!({ "messages": list })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "outbox read failed");
            Problem::internal().into_response()
        }
    }
}

/// A message handed to the gateway.
#[derive(serde::Deserialize)]
pub(crate) struct Delivery {
    channel: String,
    to: String,
    #[serde(default)]
    subject: String,
    text: String,
}

/// `POST /outbox/deliver` (JSON, `Authorization: Bearer <token>`): the emulator as the SMS and
/// e-mail gateway of the portal in the demo, so the portal's messages land in the same outbox
/// as the emulator's own. Off unless a token is configured.
pub(crate) async fn deliver(
    State(s): State<IdpState>,
    headers: axum::http::HeaderMap,
    body: Result<Json<Delivery>, axum::extract::rejection::JsonRejection>,
) -> Response {
    use axum::http::StatusCode;
    let Some(token) = &s.gateway_token else { return Problem::not_found().into_response() };
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !sep_core::ids::ct_eq(presented.as_bytes(), token.as_bytes()) {
        return Problem::new(
            StatusCode::UNAUTHORIZED,
            "gateway_unauthorized",
            "Нет доступа к шлюзу сообщений",
            "Запрос к шлюзу без верного ключа.",
            "Укажите ключ шлюза в настройке notify_gateway_token.",
        )
        .into_response();
    }
    let bad = |detail: &str| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "gateway_message_invalid",
            "Сообщение не принято",
            detail,
            "Передайте channel (sms или email), to и text.",
        )
        .into_response()
    };
    let Ok(Json(d)) = body else {
        return bad("Тело запроса не является сообщением в JSON.");
    };
    let Some(channel) = crate::outbox::Channel::from_code(&d.channel) else {
        return bad("Неизвестный канал.");
    };
    if d.to.trim().is_empty()
        || d.to.len() > 320
        || d.text.trim().is_empty()
        || d.text.len() > 10_000
        || d.subject.len() > 500
    {
        return bad("Пустой или слишком длинный адрес, тема или текст.");
    }
    match s.outbox.send(channel, d.to.trim(), &d.subject, &d.text, time::OffsetDateTime::now_utc()).await {
        Ok(id) => (StatusCode::ACCEPTED, Json(serde_json::json!({ "id": id }))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "gateway message not stored");
            Problem::internal().into_response()
        }
    }
}

//! `GET /outbox` and `/outbox.json`: what the emulator "sent" (SPEC I6). Open to anyone who
//! can reach the emulator, by design: it is how a demo user reads their code.

use super::{IdpState, render};
use crate::outbox::Message;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use sep_web::Problem;

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
    let f = time::macros::format_description!("[day].[month].[year] [hour]:[minute]:[second]");
    m.sent_at.to_offset(time::macros::offset!(+3)).format(f).unwrap_or_default()
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

//! `GET /outbox` in demo mode: the portal's messages waiting in the `notify` queue, so a
//! person trying the demo can read a code the portal "sent". Off unless configured.

use super::render;
use crate::{AppState, Problem};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    rows: Vec<(i64, &'static str, String, String)>,
}

/// `GET /outbox`.
pub(crate) async fn page(State(s): State<AppState>) -> Response {
    if !s.config.demo_outbox {
        return Problem::not_found().into_response();
    }
    match s.store.list_jobs("notify", 100).await {
        Ok(jobs) => {
            let rows = jobs
                .into_iter()
                .map(|j| {
                    let p = &j.job.payload;
                    let channel = if j.job.kind == "send_sms" { "SMS" } else { "E-mail" };
                    let f = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
                    (j.id, channel, f("to"), f("text"))
                })
                .collect();
            render(&OutboxPage { rows })
        }
        Err(e) => {
            tracing::error!(code = e.code(), "outbox read failed");
            Problem::internal().into_response()
        }
    }
}

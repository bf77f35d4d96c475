//! `GET /outbox` in demo mode: the portal's messages waiting in the `notify` queue, so a
//! person trying the demo can read a code the portal "sent". Off unless configured.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::ui::components::render;
use askama::Template;
use axum::extract::State;

#[derive(Template)]
#[template(path = "public/outbox.html")]
struct OutboxPage {
    rows: Vec<(i64, &'static str, String, String)>,
}

/// `GET /outbox`.
pub(crate) async fn page(State(s): State<AppState>) -> Page {
    if !s.config.demo_outbox {
        return Err(WebError::not_found());
    }
    let rows = s
        .store
        .list_jobs(sep_core::job::Queue::Notify.code(), 100)
        .await?
        .into_iter()
        .map(|j| {
            let p = &j.job.payload;
            let channel = if j.kind() == Some(sep_core::job::JobKind::SendSms) { "SMS" } else { "E-mail" };
            let f = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            (j.id, channel, f("to"), f("text"))
        })
        .collect();
    render(&OutboxPage { rows })
}

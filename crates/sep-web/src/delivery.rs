//! Delivery of the portal's messages (SPEC N2): the `notify` queue's e-mail and SMS jobs,
//! written with the changes they announce, leave through an SMTP relay (e-mail) and an HTTP
//! message gateway (SMS, and e-mail when no relay is set). In the demo the gateway is the
//! Госуслуги emulator's outbox, so the portal's messages appear beside the emulator's.
//! A failed delivery is retried with back-off by the job runner.

use sep_core::application::attachment::FileStore;
use sep_core::job::{Handler, Job, JobKind, Queue};
use sep_core::notice::{MailFile, Mailer};
use std::sync::Arc;
use time::OffsetDateTime;

/// The queue this handler serves.
pub const QUEUE: Queue = Queue::Notify;

/// An HTTP gateway taking `{channel, to, subject, text}` with a bearer token.
#[derive(Clone)]
pub struct Gateway {
    /// Its URL.
    pub url: String,
    /// Its token.
    pub token: String,
}

/// Sends the `notify` queue's messages.
#[derive(Clone)]
pub struct Delivery {
    http: reqwest::Client,
    gateway: Option<Gateway>,
    mailer: Option<Arc<dyn Mailer>>,
    files: Option<Arc<dyn FileStore>>,
}

impl Delivery {
    /// The same delivery reading attached files (`{"file": key}`) from `files`.
    #[must_use]
    pub fn reading(mut self, files: Arc<dyn FileStore>) -> Self {
        self.files = Some(files);
        self
    }

    /// The files an e-mail job carries: `{name, content_type, file}` read from the file store,
    /// or `{name, content_type, hex}` inline (a `.sig`).
    async fn attachments(&self, p: &serde_json::Value) -> Result<Vec<MailFile>, String> {
        let mut out = Vec::new();
        for a in p["attachments"].as_array().into_iter().flatten() {
            let name = a["name"].as_str().unwrap_or("file").to_owned();
            let content_type = a["content_type"].as_str().unwrap_or("application/octet-stream").to_owned();
            let bytes = if let Some(key) = a["file"].as_str() {
                let files = self.files.as_ref().ok_or("no file store to read attachments from")?;
                files.get(key).await.map_err(|e| format!("attachment {name}: {e}"))?
            } else {
                hex::decode(a["hex"].as_str().unwrap_or_default()).map_err(|e| format!("attachment {name}: {e}"))?
            };
            out.push(MailFile { name, content_type, bytes });
        }
        Ok(out)
    }
    /// A delivery through `gateway` and `mailer`; `None` when neither is set (nothing to
    /// deliver through: the messages wait in the queue).
    pub fn new(gateway: Option<Gateway>, mailer: Option<Arc<dyn Mailer>>) -> Option<Self> {
        if gateway.is_none() && mailer.is_none() {
            return None;
        }
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().ok()?;
        Some(Self { http, gateway, mailer, files: None })
    }

    async fn via_gateway(&self, channel: &str, to: &str, subject: &str, text: &str) -> Result<(), String> {
        let Some(g) = &self.gateway else {
            return Err(format!("channel {channel} is not configured (notify_gateway_url)"));
        };
        let body = serde_json::json!({ "channel": channel, "to": to, "subject": subject, "text": text });
        let res = self.http.post(&g.url).bearer_auth(&g.token).json(&body).send().await.map_err(|e| e.to_string())?;
        if res.status().is_success() { Ok(()) } else { Err(format!("the gateway answered {}", res.status())) }
    }
}

#[async_trait::async_trait]
impl Handler for Delivery {
    async fn handle(&self, job: &Job, _now: OffsetDateTime) -> Result<(), String> {
        let p = &job.job.payload;
        let field = |k: &str| p[k].as_str().unwrap_or("");
        let (to, text) = (field("to"), field("text"));
        if to.is_empty() || text.is_empty() {
            return Err(format!("job {}: no recipient or text", job.id));
        }
        match job.kind() {
            Some(JobKind::SendEmail) => {
                let names: Vec<&str> =
                    p["attachments"].as_array().into_iter().flatten().filter_map(|a| a["name"].as_str()).collect();
                match &self.mailer {
                    Some(m) => m.send_with(to, field("subject"), text, &self.attachments(p).await?).await,
                    // The gateway carries text only: the message names what is waiting in the
                    // cabinet instead.
                    None if !names.is_empty() => {
                        let note = format!("Файлы ({}) можно скачать в личном кабинете.", names.join(", "));
                        let text = format!("{text}\n\n{note}");
                        self.via_gateway("email", to, field("subject"), &text).await
                    }
                    None => self.via_gateway("email", to, field("subject"), text).await,
                }
            }
            Some(JobKind::SendSms) => self.via_gateway("sms", to, "", text).await,
            _ => Err(format!("job {}: unknown kind {}", job.id, job.job.kind)),
        }
    }
}

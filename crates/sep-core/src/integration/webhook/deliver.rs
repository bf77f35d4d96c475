//! The `webhooks` queue: an event becomes one message per subscribed endpoint; a message is
//! posted, signed, its attempt logged, and on failure tried again on the [`SCHEDULE`].

use super::manage::deliver_job;
use super::{Attempt, DISABLE_AFTER, EXCERPT, Endpoint, EventType, Message, MessageState, SCHEDULE, WebhookError};
use crate::ids::UserId;
use crate::job::{Handler, Job, JobKind};
use crate::notice::NewNotice;
use crate::store::{Effects, Store};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// What came of one post.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The answer's status, when one came.
    pub status: Option<u16>,
    /// The answer's first bytes.
    pub body: Vec<u8>,
    /// Why there was no answer.
    pub error: Option<String>,
    /// The answer's `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    /// How long it took, milliseconds.
    pub duration_ms: i64,
}

/// The port that posts messages (HTTP in the portal, a double in tests). It refuses loopback,
/// private and link-local addresses unless told otherwise, and follows no redirects.
#[async_trait]
pub trait Sender: Send + Sync {
    /// Whether addresses in private networks are allowed (tests, the demo).
    fn private_allowed(&self) -> bool;
    /// Refuses an address that is, or resolves to, a private one (unless allowed).
    async fn check(&self, url: &str) -> Result<(), WebhookError>;
    /// Posts `body` with `headers` to `url`.
    async fn post(&self, url: &str, headers: &[(&'static str, String)], body: &str) -> Outcome;
}

/// Whether `ip` is one events are never sent to from the internet's side: loopback, private
/// (RFC 1918, unique local), link-local, carrier-grade NAT, unspecified, multicast, and IPv4
/// mapped or compatible forms of those.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            let first = seg[0];
            let v4 = |hi: u16, lo: u16| IpAddr::V4(std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
            // IPv4 carried inside: NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16).
            let embedded = (seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || seg[..2] == [0x64, 0xff9b])
                .then(|| v4(seg[6], seg[7]))
                .or_else(|| (first == 0x2002).then(|| v4(seg[1], seg[2])));
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || seg[..6] == [0, 0, 0, 0, 0, 0]
                || embedded.is_some_and(is_private)
        }
    }
}

/// The id of the message of `event` for `endpoint`: the same on a retried fan-out, so a message
/// is stored once.
fn message_id(event: &str, endpoint: Uuid) -> String {
    let h = Sha256::digest(format!("{event}/{endpoint}").as_bytes());
    format!("msg_{}", &hex::encode(h)[..32])
}

/// The `webhooks` queue's worker.
pub struct Webhooks {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The poster.
    pub sender: Arc<dyn Sender>,
}

#[async_trait]
impl Handler for Webhooks {
    async fn handle(&self, job: &Job, now: OffsetDateTime) -> Result<(), String> {
        let r = match job.kind() {
            Some(JobKind::WebhookEvent) => self.fan_out(&job.job.payload).await,
            Some(JobKind::WebhookDeliver) => self.deliver(&job.job.payload, now).await,
            _ => return Err(format!("job {}: not a webhook job", job.id)),
        };
        r.map_err(|e| format!("{}: {e}", e.code()))
    }
}

/// The owners of the systems that check e-passports for others — banks and tax systems allowed
/// `passports:verify`, approved by an administrator (a kind acting for many people starts in
/// test mode) and active — other than `holder`, each once. A person's own program is not one,
/// whatever its scopes: it is live without anyone's approval.
async fn verifiers(store: &dyn Store, holder: UserId) -> Result<Vec<UserId>, WebhookError> {
    let mut owners = Vec::new();
    for c in store.list_live_api_clients().await? {
        let verifier = c.kind.acts_for_many() && c.scopes.contains(&crate::integration::Scope::PassportsVerify);
        if verifier && c.owner != holder && !owners.contains(&c.owner) {
            owners.push(c.owner);
        }
    }
    Ok(owners)
}

impl Webhooks {
    /// An event to messages for the endpoints of its person subscribed to its type (and, for
    /// an e-passport's annulment, of the systems that check e-passports).
    async fn fan_out(&self, p: &serde_json::Value) -> Result<(), WebhookError> {
        let malformed = || WebhookError::Store(crate::StoreError::Other("a malformed webhook event".into()));
        let event = p["event"].as_str().ok_or_else(malformed)?;
        let user = p["user"].as_str().and_then(|u| Uuid::parse_str(u).ok()).map(UserId).ok_or_else(malformed)?;
        let kind = p["type"].as_str().and_then(EventType::from_code).ok_or_else(malformed)?;
        let at = p["at"]
            .as_str()
            .and_then(|n| n.parse::<i128>().ok())
            .and_then(|n| OffsetDateTime::from_unix_timestamp_nanos(n).ok())
            .ok_or_else(malformed)?;
        let timestamp = at.format(&time::format_description::well_known::Rfc3339).map_err(|_| malformed())?;
        let body = serde_json::json!({ "type": kind.code(), "timestamp": timestamp, "data": p["data"] }).to_string();
        let mut targets: Vec<(Endpoint, String)> = self
            .store
            .list_webhook_endpoints(user)
            .await?
            .into_iter()
            .filter(|e| e.events.contains(&kind))
            .map(|e| (e, body.clone()))
            .collect();
        if kind == EventType::PassportAnnulled {
            // Verifiers must learn of it too (SPEC EP2): every approved system allowed to
            // check e-passports that subscribed, with the record and its number only — why it
            // was annulled is the holder's business.
            let data = serde_json::json!({ "passport": p["data"]["passport"], "number": p["data"]["number"] });
            let broadcast =
                serde_json::json!({ "type": kind.code(), "timestamp": timestamp, "data": data }).to_string();
            for owner in verifiers(self.store.as_ref(), user).await? {
                for e in self.store.list_webhook_endpoints(owner).await? {
                    if e.events.contains(&kind) && !targets.iter().any(|(t, _)| t.id == e.id) {
                        targets.push((e, broadcast.clone()));
                    }
                }
            }
        }
        let mut messages = Vec::new();
        let mut fx = Effects::none();
        for (e, body) in targets {
            let m = Message {
                id: message_id(event, e.id),
                endpoint_id: e.id,
                event_type: kind,
                body,
                created_at: at,
                state: MessageState::Pending,
                attempts: 0,
            };
            fx.jobs.push(deliver_job(&m.id, 0, at));
            messages.push(m);
        }
        if !messages.is_empty() {
            self.store.insert_webhook_messages(&messages, &fx).await?;
        }
        Ok(())
    }

    /// One attempt of a message, logged; the next one scheduled, or the message failed.
    async fn deliver(&self, p: &serde_json::Value, now: OffsetDateTime) -> Result<(), WebhookError> {
        let Some(id) = p["message"].as_str() else { return Ok(()) };
        let try_ = p["try"].as_u64().and_then(|t| usize::try_from(t).ok()).unwrap_or(0);
        let mut m = match self.store.get_webhook_message(id).await {
            Ok(m) => m,
            // Its endpoint was removed meanwhile.
            Err(crate::StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if m.state != MessageState::Pending {
            return Ok(());
        }
        let mut e = match self.store.get_webhook_endpoint(m.endpoint_id).await {
            Ok(e) => e,
            Err(crate::StoreError::NotFound) => return Ok(()),
            Err(err) => return Err(err.into()),
        };
        if e.disabled.is_some() {
            m.state = MessageState::Failed;
            self.store.update_webhook_message(&m, None, None, &Effects::none()).await?;
            return Ok(());
        }
        let timestamp = now.unix_timestamp();
        let signature = super::signature_header(&e.signing_secrets(now), &m.id, timestamp, &m.body);
        let headers = [
            ("webhook-id", m.id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
            ("content-type", "application/json".to_owned()),
            ("user-agent", "SEP-Webhooks/1".to_owned()),
        ];
        let out = self.sender.post(&e.url, &headers, &m.body).await;
        m.attempts += 1;
        let attempt = Attempt {
            message_id: m.id.clone(),
            n: m.attempts,
            at: now,
            status: out.status,
            response: String::from_utf8_lossy(&out.body[..out.body.len().min(EXCERPT)]).into_owned(),
            duration_ms: out.duration_ms,
            error: out.error.clone(),
        };
        let delivered = out.status.is_some_and(|s| (200..300).contains(&s));
        let mut fx = Effects::none();
        let mut changed = None;
        if delivered {
            m.state = MessageState::Delivered;
            if e.failing_since.is_some() {
                e.failing_since = None;
                changed = Some(e);
            }
        } else {
            let since = *e.failing_since.get_or_insert(now);
            let why = if out.status == Some(410) {
                Some("gone")
            } else if now - since >= DISABLE_AFTER {
                Some("failing")
            } else {
                None
            };
            if let Some(why) = why {
                m.state = MessageState::Failed;
                e.disabled = Some((now, why.to_owned()));
                fx.notices.push(disabled_notice(&e, now));
            } else if let Some(delay) = SCHEDULE.get(try_ + 1) {
                // The receiver's Retry-After is honoured when it asks for longer.
                let asked = out.retry_after.map_or(Duration::ZERO, |s| Duration::seconds(s.min(86_400).cast_signed()));
                fx.jobs.push(deliver_job(&m.id, try_ + 1, now + (*delay).max(asked)));
            } else {
                m.state = MessageState::Failed;
            }
            changed = Some(e);
        }
        self.store.update_webhook_message(&m, Some(&attempt), changed.as_ref(), &fx).await?;
        Ok(())
    }
}

fn disabled_notice(e: &Endpoint, now: OffsetDateTime) -> NewNotice {
    NewNotice {
        user_id: e.user_id,
        at: now,
        kind: "security".into(),
        title: "Подписка на события отключена".into(),
        text: format!("Адрес {} не принимает события. Исправьте его и включите подписку снова.", e.url),
        link: "/tokens".into(),
        critical: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_recognised_in_every_form() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "2002:c0a8:0101::1",
            "fec0::1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["77.88.8.8", "8.8.8.8", "2a02:6b8::2:242"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn a_message_id_is_stable_per_event_and_endpoint() {
        let e = Uuid::now_v7();
        assert_eq!(message_id("ev", e), message_id("ev", e));
        assert_ne!(message_id("ev", e), message_id("ev2", e));
        assert!(!message_id("ev", e).contains('.'), "ids carry no dot (the signed content's separator)");
    }
}

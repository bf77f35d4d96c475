//! A person's subscriptions: subscribe an endpoint (its secret shown once), list, remove,
//! rotate the secret with an overlap, enable again after disabling, replay one message and
//! recover every failed one since a time.

use super::deliver::Sender;
use super::store::MessageQuery;
use super::{Endpoint, EventType, Message, MessageState, ROTATION_OVERLAP, WebhookError, new_secret};
use crate::audit::Origin;
use crate::ids::UserId;
use crate::job::{JobKind, NewJob};
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// Most endpoints a person has.
pub const MAX_ENDPOINTS: usize = 10;
/// Longest address.
pub const MAX_URL: usize = 2000;
/// Most messages one recovery requeues.
pub const MAX_RECOVER: usize = 10_000;

/// What a subscription asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Where to post.
    pub url: String,
    /// Event type codes.
    pub events: Vec<String>,
}

/// Whether `url` is an absolute `http(s)` address without credentials; `https` only, unless
/// plain `http` is allowed (tests and the demo post to loopback).
pub fn url_shaped(url: &str, http_allowed: bool) -> bool {
    let rest = match url.split_once("://") {
        Some(("https", rest)) => rest,
        Some(("http", rest)) if http_allowed => rest,
        _ => return false,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    url.len() <= MAX_URL
        && !authority.is_empty()
        && !authority.contains('@')
        && url.chars().all(|c| c.is_ascii_graphic())
}

/// The delivery job of `message`'s attempt chain step `try_` (0 for the first), due at `at`.
pub fn deliver_job(message: &str, try_: usize, at: OffsetDateTime) -> NewJob {
    NewJob::of(JobKind::WebhookDeliver, serde_json::json!({ "message": message, "try": try_ }), at)
}

/// «Подписаться»: a new endpoint of `user` for the event types asked; its secret is in the
/// endpoint returned, for the caller to show once.
pub async fn subscribe(
    store: &dyn Store,
    sender: &dyn Sender,
    user: &User,
    req: &Request,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Endpoint, WebhookError> {
    let url = req.url.trim();
    if !url_shaped(url, sender.private_allowed()) {
        return Err(WebhookError::UrlInvalid);
    }
    let mut events = Vec::new();
    for code in &req.events {
        events.push(EventType::from_code(code).ok_or(WebhookError::EventsInvalid)?);
    }
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err(WebhookError::EventsInvalid);
    }
    sender.check(url).await?;
    if store.list_webhook_endpoints(user.id).await?.len() >= MAX_ENDPOINTS {
        return Err(WebhookError::TooMany);
    }
    let e = Endpoint {
        id: Uuid::now_v7(),
        user_id: user.id,
        url: url.to_owned(),
        events,
        secret: new_secret()?,
        previous: None,
        created_at: now,
        failing_since: None,
        disabled: None,
    };
    let mut audit = origin.event(now, "webhook.subscribed", Some(user.id));
    audit.object = Some(format!("webhook:{}", e.id));
    audit.details = serde_json::json!({ "events": e.events.iter().map(|t| t.code()).collect::<Vec<_>>() });
    store.insert_webhook_endpoint(&e, &Effects::audit(audit)).await?;
    Ok(e)
}

/// `user`'s endpoint `id`; another's answers as none.
pub async fn own(store: &dyn Store, user: UserId, id: Uuid) -> Result<Endpoint, WebhookError> {
    match store.get_webhook_endpoint(id).await {
        Ok(e) if e.user_id == user => Ok(e),
        Ok(_) | Err(crate::StoreError::NotFound) => Err(WebhookError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// `user`'s message `id` of endpoint `endpoint`.
pub async fn own_message(
    store: &dyn Store,
    user: UserId,
    endpoint: Uuid,
    id: &str,
) -> Result<(Endpoint, Message), WebhookError> {
    let e = own(store, user, endpoint).await?;
    match store.get_webhook_message(id).await {
        Ok(m) if m.endpoint_id == e.id => Ok((e, m)),
        Ok(_) | Err(crate::StoreError::NotFound) => Err(WebhookError::NotFound),
        Err(err) => Err(err.into()),
    }
}

fn journaled(origin: &Origin, now: OffsetDateTime, action: &str, user: UserId, id: Uuid) -> Effects {
    let mut audit = origin.event(now, action, Some(user));
    audit.object = Some(format!("webhook:{id}"));
    Effects::audit(audit)
}

/// «Удалить подписку»: the endpoint goes with its messages and log.
pub async fn unsubscribe(
    store: &dyn Store,
    user: &User,
    id: Uuid,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<(), WebhookError> {
    let e = own(store, user.id, id).await?;
    store.delete_webhook_endpoint(e.id, &journaled(origin, now, "webhook.removed", user.id, e.id)).await?;
    Ok(())
}

/// A new secret; the old one keeps signing beside it for [`ROTATION_OVERLAP`], so the
/// receiver can switch without losing a message.
pub async fn rotate(
    store: &dyn Store,
    user: &User,
    id: Uuid,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Endpoint, WebhookError> {
    let mut e = own(store, user.id, id).await?;
    let old = std::mem::replace(&mut e.secret, new_secret()?);
    e.previous = Some((old, now + ROTATION_OVERLAP));
    store.update_webhook_endpoint(&e, &journaled(origin, now, "webhook.secret_rotated", user.id, e.id)).await?;
    Ok(e)
}

/// Enables a disabled endpoint again (its failures forgotten); messages failed meanwhile
/// stay failed until recovered.
pub async fn enable(
    store: &dyn Store,
    user: &User,
    id: Uuid,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Endpoint, WebhookError> {
    let mut e = own(store, user.id, id).await?;
    if e.disabled.is_some() || e.failing_since.is_some() {
        e.disabled = None;
        e.failing_since = None;
        store.update_webhook_endpoint(&e, &journaled(origin, now, "webhook.enabled", user.id, e.id)).await?;
    }
    Ok(e)
}

/// Sends one message again, from the schedule's start (a delivered one too: the receiver asked).
pub async fn replay(
    store: &dyn Store,
    user: &User,
    endpoint: Uuid,
    message: &str,
    now: OffsetDateTime,
) -> Result<Message, WebhookError> {
    let (_, mut m) = own_message(store, user.id, endpoint, message).await?;
    if m.state == MessageState::Pending {
        return Err(WebhookError::StillPending);
    }
    m.state = MessageState::Pending;
    store.update_webhook_message(&m, None, None, &Effects::none().with_job(deliver_job(&m.id, 0, now))).await?;
    Ok(m)
}

/// Sends again every failed message of the endpoint created since `since`; how many.
pub async fn recover(
    store: &dyn Store,
    user: &User,
    endpoint: Uuid,
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<usize, WebhookError> {
    let e = own(store, user.id, endpoint).await?;
    let q = MessageQuery { state: Some(MessageState::Failed), since: Some(since), before: None, limit: MAX_RECOVER };
    let failed = store.list_webhook_messages(e.id, &q).await?;
    for mut m in failed.iter().cloned() {
        m.state = MessageState::Pending;
        store.update_webhook_message(&m, None, None, &Effects::none().with_job(deliver_job(&m.id, 0, now))).await?;
    }
    Ok(failed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_https_without_credentials() {
        assert!(url_shaped("https://example.ru/hooks?x=1", false));
        assert!(!url_shaped("http://example.ru/hooks", false));
        assert!(url_shaped("http://127.0.0.1:8080/h", true));
        assert!(!url_shaped("https://user:pw@example.ru/", false));
        assert!(!url_shaped("https:///path", false));
        assert!(!url_shaped("ftp://example.ru/", true));
        assert!(!url_shaped("https://exa mple.ru/", false));
        assert!(!url_shaped(&format!("https://e.ru/{}", "a".repeat(MAX_URL)), false));
    }
}

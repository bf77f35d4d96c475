//! The audit journal (SEC4): append-only and tamper-evident.
//!
//! Every record carries the SHA-256 of its own content chained to the previous record's
//! hash. Stores compute the chain with [`chain_hash`] inside the same transaction that
//! appends, so both backends produce identical chains and any edit or deletion of a past
//! record breaks verification from that record on. Records never hold secrets or personal
//! data: `details` is for codes and ids.

pub mod store;

/// How many of `user`'s own records (as actor) since `since` satisfy `which`, read page by page
/// through the journal, so other records in between hide none (up to 10 000 records back). For
/// limits that must hold on every node: the journal is shared.
pub async fn count_own_since(
    store: &dyn crate::store::Store,
    user: UserId,
    since: OffsetDateTime,
    which: impl Fn(&NewAuditEvent) -> bool,
) -> crate::store::StoreResult<usize> {
    const PAGE: u32 = 200;
    let mut count = 0;
    let mut before = None;
    for _ in 0..50 {
        let page = store.list_audit_for_user(user, before, PAGE).await?;
        for e in &page {
            if e.event.at < since {
                return Ok(count);
            }
            if e.event.actor == Some(user) && which(&e.event) {
                count += 1;
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => before = Some(last.seq),
            _ => break,
        }
    }
    Ok(count)
}

use crate::ids::UserId;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The hash that precedes the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Done.
    Success,
    /// Tried and failed (wrong code, provider error…).
    Failure,
    /// Refused by an access rule.
    Denied,
}

impl Outcome {
    /// Stable code as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "success" => Some(Self::Success),
            "failure" => Some(Self::Failure),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

/// A record to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    /// When it happened (UTC).
    pub at: OffsetDateTime,
    /// Who did it, when known.
    pub actor: Option<UserId>,
    /// Whose data it concerns, so the user can see their own history.
    pub subject: Option<UserId>,
    /// What happened: a stable dotted code such as `user.created`, `session.ended`.
    pub action: String,
    /// The object acted on (`application:2026-000123`), if any.
    pub object: Option<String>,
    /// Result.
    pub outcome: Outcome,
    /// Client address.
    pub ip: Option<String>,
    /// Request id, to join with logs.
    pub request_id: Option<String>,
    /// Further facts as a JSON object (codes and ids only).
    pub details: serde_json::Value,
}

/// Where a request came from, for the journal: the client's address and the request id.
/// Use cases take it so that what they journal joins the request's log lines.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Client address.
    pub ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
}

impl Origin {
    /// A successful `action` by `actor` about their own data, at `at`.
    pub fn event(&self, at: OffsetDateTime, action: &str, actor: Option<UserId>) -> NewAuditEvent {
        NewAuditEvent {
            at,
            actor,
            subject: actor,
            action: action.to_owned(),
            object: None,
            outcome: Outcome::Success,
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
            details: serde_json::json!({}),
        }
    }
}

impl NewAuditEvent {
    /// A successful action with no client context, for jobs and the command line.
    pub fn system(at: OffsetDateTime, action: &str, subject: Option<UserId>) -> Self {
        Self {
            at,
            actor: None,
            subject,
            action: action.to_owned(),
            object: None,
            outcome: Outcome::Success,
            ip: None,
            request_id: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// The details as the canonical JSON text that is stored and hashed (keys sorted).
    pub fn details_text(&self) -> String {
        self.details.to_string()
    }
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the journal, from 1, without gaps.
    pub seq: i64,
    /// The content.
    pub event: NewAuditEvent,
    /// Hash of the previous record (or [`GENESIS_HASH`]).
    pub prev_hash: String,
    /// Hash of this record.
    pub hash: String,
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    // Length-prefixed, so no two different records encode alike.
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// The chained hash of a record at position `seq` after a record hashed `prev`.
pub fn chain_hash(prev: &str, seq: i64, e: &NewAuditEvent) -> String {
    let mut h = Sha256::new();
    field(&mut h, prev.as_bytes());
    field(&mut h, &seq.to_be_bytes());
    h.update(chain_tail(e));
    hex::encode(h.finalize())
}

/// What [`chain_hash`] hashes after the previous hash and the position: the record's own
/// fields, each length-prefixed. A store that appends in one statement hashes
/// `len(prev) ‖ prev ‖ 8 ‖ seq ‖ tail` itself (lengths and `seq` as 8 bytes, big-endian).
pub fn chain_tail(e: &NewAuditEvent) -> Vec<u8> {
    let opt_id = |u: Option<UserId>| u.map(|u| u.0.to_string()).unwrap_or_default();
    let (details, actor, subject) = (e.details_text(), opt_id(e.actor), opt_id(e.subject));
    let fields: [&[u8]; 9] = [
        &e.at.unix_timestamp_nanos().to_be_bytes(),
        actor.as_bytes(),
        subject.as_bytes(),
        e.action.as_bytes(),
        e.object.as_deref().unwrap_or_default().as_bytes(),
        e.outcome.code().as_bytes(),
        e.ip.as_deref().unwrap_or_default().as_bytes(),
        e.request_id.as_deref().unwrap_or_default().as_bytes(),
        details.as_bytes(),
    ];
    let mut out = Vec::with_capacity(fields.iter().map(|f| f.len() + 8).sum());
    for f in fields {
        out.extend_from_slice(&(f.len() as u64).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Records checked.
    pub checked: u64,
    /// The first record whose hash or link does not match, if any.
    pub first_broken: Option<i64>,
}

/// Verifies records given in `seq` order, starting from the genesis.
pub fn verify_chain<'a>(records: impl IntoIterator<Item = &'a AuditEvent>) -> ChainReport {
    let mut prev = GENESIS_HASH.to_owned();
    let mut checked = 0;
    for (expected_seq, r) in (1..).zip(records) {
        checked += 1;
        if r.seq != expected_seq || r.prev_hash != prev || chain_hash(&prev, r.seq, &r.event) != r.hash {
            return ChainReport { checked, first_broken: Some(r.seq) };
        }
        prev.clone_from(&r.hash);
    }
    ChainReport { checked, first_broken: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let event = NewAuditEvent::system(OffsetDateTime::UNIX_EPOCH, "test.event", None);
                let hash = chain_hash(&prev, seq, &event);
                let r = AuditEvent { seq, event, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c), ChainReport { checked: 5, first_broken: None });
    }

    #[test]
    fn an_edit_a_deletion_or_a_reorder_is_found() {
        let mut c = chain(5);
        c[2].event.action = "test.forged".into();
        assert_eq!(verify_chain(&c).first_broken, Some(3));

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(&c).first_broken, Some(3));

        let mut c = chain(5);
        c.swap(3, 4);
        assert_eq!(verify_chain(&c).first_broken, Some(5));
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = NewAuditEvent::system(OffsetDateTime::UNIX_EPOCH, "a", None);
        let h = chain_hash(GENESIS_HASH, 1, &base);
        let variants = [
            NewAuditEvent { actor: Some(UserId::new()), ..base.clone() },
            NewAuditEvent { subject: Some(UserId::new()), ..base.clone() },
            NewAuditEvent { object: Some("x".into()), ..base.clone() },
            NewAuditEvent { outcome: Outcome::Denied, ..base.clone() },
            NewAuditEvent { ip: Some("::1".into()), ..base.clone() },
            NewAuditEvent { request_id: Some("r".into()), ..base.clone() },
            NewAuditEvent { details: serde_json::json!({"k": 1}), ..base.clone() },
            NewAuditEvent { at: base.at + time::Duration::microseconds(1), ..base.clone() },
        ];
        for v in variants {
            assert_ne!(chain_hash(GENESIS_HASH, 1, &v), h, "{v:?}");
        }
        assert_ne!(chain_hash(GENESIS_HASH, 2, &base), h);
    }
}

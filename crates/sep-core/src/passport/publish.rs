//! What the portal publishes for verifiers (SPEC EP2), and the holder's view of the registry.
//! The trust list is made once per start (the keys do not change while running); the
//! annulment list again whenever the set of annulled records changes, and at least every
//! [`FRESH`], so its time says how current it is (a verifier can refuse an old one) while a
//! flood of requests costs no signatures.

use super::code::parse;
use super::error::{CodeError, ListError};
use super::issue::Keyring;
use super::lists::Keys;
use super::record::{Passport, StatusEntry};
use super::verify::{Lists, Verdict, verify};
use crate::ids::UserId;
use crate::signer::SignError;
use crate::store::{Store, StoreResult};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How old the annulment list served may be.
pub const FRESH: Duration = Duration::minutes(5);

/// The annulment list as last signed: which read of the registry it came from, the ids, the
/// list, and when it was signed.
struct Held {
    read: u64,
    ids: Vec<Uuid>,
    list: Vec<u8>,
    at: OffsetDateTime,
}

/// The published lists, made from the keys and the registry.
pub struct Publisher {
    /// The keys.
    pub keys: Arc<Keyring>,
    /// Certificates, read.
    pub certs: Arc<dyn Keys>,
    trust: Mutex<Option<Vec<u8>>>,
    annulments: Mutex<Option<Held>>,
    reads: AtomicU64,
}

/// Why a code could not be checked on the portal.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The code itself.
    #[error(transparent)]
    Code(#[from] CodeError),
    /// The portal's own lists (a misconfiguration: they are made here).
    #[error(transparent)]
    List(#[from] ListError),
    /// Signing a list failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl Publisher {
    /// The lists of `keys`.
    pub fn new(keys: Arc<Keyring>, certs: Arc<dyn Keys>) -> Self {
        Self { keys, certs, trust: Mutex::new(None), annulments: Mutex::new(None), reads: AtomicU64::new(0) }
    }

    /// The signed trust list.
    pub fn trust_list(&self, now: OffsetDateTime) -> Result<Vec<u8>, SignError> {
        let mut held = self.trust.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(t) = held.as_ref() {
            return Ok(t.clone());
        }
        let made = self.keys.trust_list(self.certs.as_ref(), now)?;
        *held = Some(made.clone());
        Ok(made)
    }

    /// The signed annulment list as the registry stands.
    pub async fn annulments(&self, store: &dyn Store, now: OffsetDateTime) -> Result<Vec<u8>, CheckError> {
        // Numbered before reading: of two requests racing, the later read wins the cache, so
        // an older set is never kept under a newer time.
        let read = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
        let ids = store.list_annulled_passports().await?;
        let mut held = self.annulments.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(h) = held.as_ref() {
            if h.ids == ids && now - h.at < FRESH {
                return Ok(h.list.clone());
            }
            if h.read > read {
                // A later read already signed a list: this one's set may be older.
                return Ok(h.list.clone());
            }
        }
        let list = self.keys.annulment_list(&ids, now)?;
        *held = Some(Held { read, ids, list: list.clone(), at: now });
        Ok(list)
    }

    /// Checks `code` as an offline verifier would, with the lists published now.
    pub async fn check(&self, store: &dyn Store, code: &str, now: OffsetDateTime) -> Result<Verdict, CheckError> {
        // A malformed code is refused before any list is read.
        parse(code)?;
        let trust = self.trust_list(now)?;
        let annulments = self.annulments(store, now).await?;
        let lists = Lists::open(&trust, &annulments, &self.keys.pins(), self.certs.as_ref(), now)?;
        Ok(verify(code, &lists, self.certs.as_ref(), now)?)
    }
}

/// A person's e-passport as the cabinet shows it: the newest record (valid, or the last
/// annulled one) with its history.
pub async fn current(store: &dyn Store, user: UserId) -> StoreResult<Option<(Passport, Vec<StatusEntry>)>> {
    let Some(p) = store.list_passports_of_user(user).await?.into_iter().next() else { return Ok(None) };
    let history = store.passport_history(p.id).await?;
    Ok(Some((p, history)))
}

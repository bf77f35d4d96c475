//! The two lists a verifier caches (SPEC EP2), published at stable addresses:
//! - the **trust list** (`/.well-known/sep/trust-list`): the roots and the document-signer
//!   certificates, each signer with its `kid`, algorithm and public key (SPKI, so a browser
//!   imports it as it is);
//! - the **annulment list** (`/.well-known/sep/annulments`): SHA-256 hashes of annulled
//!   records' ids — the ids themselves are not published — with the time it was made.
//!
//! Both are CBOR in a COSE_Sign carrying one signature per root (ES256 and ГОСТ): a verifier
//! pins the SHA-256 of the roots it trusts, and uses a list only when every signature by a
//! pinned root matches and there is at least one. A signer in the trust list counts only if
//! its certificate chains to a pinned root of its own algorithm.

use super::code::{alg_id, algorithm_of, cose_alg, kid, protected};
use super::error::ListError;
use crate::signer::{Algorithm, SignError, Signer, Verifier};
use coset::cbor::value::Value;
use coset::{CborSerializable, CoseSign, CoseSignBuilder, CoseSignatureBuilder, TaggedCborSerializable};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// The port to certificates: the key in one, and whether a root issued one.
pub trait Keys: Send + Sync {
    /// A verifier with the key of `certificate` (DER) for `algorithm`.
    fn verifier(&self, algorithm: Algorithm, certificate: &[u8]) -> Result<Box<dyn Verifier>, SignError>;
    /// The algorithm of the key in `certificate`.
    fn algorithm(&self, certificate: &[u8]) -> Option<Algorithm>;
    /// Whether `root` signed `certificate` and `certificate` is valid at `now`.
    fn issued_by(&self, certificate: &[u8], root: &[u8], now: OffsetDateTime) -> bool;
    /// The public key of `certificate` as SubjectPublicKeyInfo (DER).
    fn spki(&self, certificate: &[u8]) -> Option<Vec<u8>>;
    /// Until when `certificate` is valid.
    fn not_after(&self, certificate: &[u8]) -> Option<OffsetDateTime>;
}

/// A document signer in the trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerEntry {
    /// Its `kid`.
    pub kid: Vec<u8>,
    /// COSE algorithm id.
    pub alg: i64,
    /// Its certificate (DER).
    pub certificate: Vec<u8>,
    /// Its public key (SPKI, DER).
    pub key: Vec<u8>,
}

/// The trust list's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    /// When it was made.
    pub issued: OffsetDateTime,
    /// The roots (DER): a verifier keeps those whose SHA-256 it pinned.
    pub roots: Vec<Vec<u8>>,
    /// The document signers.
    pub signers: Vec<SignerEntry>,
}

/// The annulment list's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnulmentList {
    /// When it was made: a verifier says «по списку от …».
    pub issued: OffsetDateTime,
    /// Hashes of annulled records' ids ([`annulment_hash`]).
    pub annulled: Vec<Vec<u8>>,
}

impl AnnulmentList {
    /// Whether the record `id` is on the list.
    pub fn names(&self, id: Uuid) -> bool {
        let h = annulment_hash(id);
        self.annulled.contains(&h)
    }
}

/// What the annulment list publishes for a record: SHA-256 over a label and the id's bytes.
pub fn annulment_hash(id: Uuid) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"sep-passport-annulled:");
    h.update(id.as_bytes());
    h.finalize().to_vec()
}

/// The SHA-256 of a certificate, hex: what a verifier pins.
pub fn fingerprint(certificate: &[u8]) -> String {
    hex::encode(Sha256::digest(certificate))
}

fn t(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn field<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    map.iter().find(|(k, v)| k.as_text() == Some(key) && !v.is_null()).map(|(_, v)| v)
}

fn time_field(map: &[(Value, Value)], key: &str) -> Result<OffsetDateTime, ListError> {
    let n = field(map, key).and_then(Value::as_integer).ok_or(ListError::Malformed)?;
    let n = i64::try_from(n).map_err(|_| ListError::Malformed)?;
    OffsetDateTime::from_unix_timestamp(n).map_err(|_| ListError::Malformed)
}

fn bytes_list(map: &[(Value, Value)], key: &str) -> Result<Vec<Vec<u8>>, ListError> {
    let items = field(map, key).and_then(Value::as_array).ok_or(ListError::Malformed)?;
    items.iter().map(|v| v.as_bytes().cloned().ok_or(ListError::Malformed)).collect()
}

impl TrustList {
    fn to_value(&self) -> Value {
        let signers = self
            .signers
            .iter()
            .map(|s| {
                Value::Map(vec![
                    (t("kid"), Value::Bytes(s.kid.clone())),
                    (t("alg"), Value::Integer(s.alg.into())),
                    (t("cert"), Value::Bytes(s.certificate.clone())),
                    (t("key"), Value::Bytes(s.key.clone())),
                ])
            })
            .collect();
        Value::Map(vec![
            (t("v"), Value::Integer(1.into())),
            (t("kind"), t("trust")),
            (t("iat"), Value::Integer(self.issued.unix_timestamp().into())),
            (t("roots"), Value::Array(self.roots.iter().cloned().map(Value::Bytes).collect())),
            (t("signers"), Value::Array(signers)),
        ])
    }

    fn from_value(v: &Value) -> Result<Self, ListError> {
        let map = v.as_map().ok_or(ListError::Malformed)?;
        if field(map, "kind").and_then(Value::as_text) != Some("trust") {
            return Err(ListError::Malformed);
        }
        let signers = field(map, "signers").and_then(Value::as_array).ok_or(ListError::Malformed)?;
        let signers = signers
            .iter()
            .map(|s| {
                let m = s.as_map().ok_or(ListError::Malformed)?;
                let b = |k: &str| field(m, k).and_then(Value::as_bytes).cloned().ok_or(ListError::Malformed);
                let alg = field(m, "alg").and_then(Value::as_integer).ok_or(ListError::Malformed)?;
                let alg = i64::try_from(alg).map_err(|_| ListError::Malformed)?;
                Ok(SignerEntry { kid: b("kid")?, alg, certificate: b("cert")?, key: b("key")? })
            })
            .collect::<Result<_, ListError>>()?;
        Ok(Self { issued: time_field(map, "iat")?, roots: bytes_list(map, "roots")?, signers })
    }

    /// The list signed by every root in `roots` (each a signer with its certificate).
    pub fn sign(&self, roots: &[&dyn Signer]) -> Result<Vec<u8>, SignError> {
        sign_list(&self.to_value(), roots)
    }

    /// The list in `bytes`, used only if signed as the module says by a root pinned in
    /// `pins` (SHA-256 hex), and only with the signers that chain to such a root at `now`.
    pub fn open(bytes: &[u8], pins: &[String], keys: &dyn Keys, now: OffsetDateTime) -> Result<Self, ListError> {
        let sign = parse(bytes)?;
        let payload = sign.payload.as_deref().ok_or(ListError::Malformed)?;
        let list = Self::from_value(&Value::from_slice(payload).map_err(|_| ListError::Malformed)?)?;
        let pinned = list.pinned_roots(pins);
        let roots: Vec<&Vec<u8>> = pinned.iter().collect();
        check_signatures(&sign, &roots, keys)?;
        // A signer counts only if it chains to a pinned root of its own algorithm; a verifier
        // that pinned one root uses that root's signers.
        let mut list = list;
        list.signers.retain(|s| {
            let alg = algorithm_of(s.alg);
            alg.is_some()
                && s.kid == kid(&s.certificate)
                && keys.algorithm(&s.certificate) == alg
                && roots.iter().any(|r| keys.algorithm(r) == alg && keys.issued_by(&s.certificate, r, now))
        });
        if list.signers.is_empty() {
            return Err(ListError::Chain);
        }
        Ok(list)
    }

    /// The pinned roots of this (opened) list.
    pub fn pinned_roots(&self, pins: &[String]) -> Vec<Vec<u8>> {
        self.roots.iter().filter(|r| pins.contains(&fingerprint(r))).cloned().collect()
    }
}

impl AnnulmentList {
    fn to_value(&self) -> Value {
        Value::Map(vec![
            (t("v"), Value::Integer(1.into())),
            (t("kind"), t("annulments")),
            (t("iat"), Value::Integer(self.issued.unix_timestamp().into())),
            (t("annulled"), Value::Array(self.annulled.iter().cloned().map(Value::Bytes).collect())),
        ])
    }

    /// The list signed by every root in `roots`.
    pub fn sign(&self, roots: &[&dyn Signer]) -> Result<Vec<u8>, SignError> {
        sign_list(&self.to_value(), roots)
    }

    /// The list in `bytes`, used only if signed by the (pinned) `roots` as the module says.
    pub fn open(bytes: &[u8], roots: &[Vec<u8>], keys: &dyn Keys) -> Result<Self, ListError> {
        let sign = parse(bytes)?;
        let payload = sign.payload.as_deref().ok_or(ListError::Malformed)?;
        let v = Value::from_slice(payload).map_err(|_| ListError::Malformed)?;
        let map = v.as_map().ok_or(ListError::Malformed)?;
        if field(map, "kind").and_then(Value::as_text) != Some("annulments") {
            return Err(ListError::Malformed);
        }
        let roots: Vec<&Vec<u8>> = roots.iter().collect();
        check_signatures(&sign, &roots, keys)?;
        Ok(Self { issued: time_field(map, "iat")?, annulled: bytes_list(map, "annulled")? })
    }
}

/// The roots a trust list names, read without checking anything: for a verifier pinning them
/// on first use (each still has to open the list with its own signature).
pub fn roots_named(bytes: &[u8]) -> Vec<Vec<u8>> {
    let Ok(sign) = parse(bytes) else { return vec![] };
    let Some(payload) = sign.payload.as_deref() else { return vec![] };
    Value::from_slice(payload).ok().and_then(|v| TrustList::from_value(&v).ok()).map(|l| l.roots).unwrap_or_default()
}

fn sign_list(payload: &Value, roots: &[&dyn Signer]) -> Result<Vec<u8>, SignError> {
    let payload = payload.clone().to_vec().map_err(|e| SignError::Unavailable(e.to_string()))?;
    let mut b = CoseSignBuilder::new().payload(payload);
    for root in roots {
        let cert = root.certificate().ok_or_else(|| SignError::Key("у корневого ключа нет сертификата".into()))?;
        let sig = CoseSignatureBuilder::new().protected(protected(root.algorithm(), kid(cert))?).build();
        // Each signature covers the body and its own protected header.
        b = b.try_add_created_signature(sig, b"", |tbs| root.sign(tbs))?;
    }
    b.build().to_tagged_vec().map_err(|e| SignError::Unavailable(e.to_string()))
}

fn parse(bytes: &[u8]) -> Result<CoseSign, ListError> {
    CoseSign::from_tagged_slice(bytes).or_else(|_| CoseSign::from_slice(bytes)).map_err(|_| ListError::Malformed)
}

/// Every signature by one of `roots` must match, and there must be one.
fn check_signatures(sign: &CoseSign, roots: &[&Vec<u8>], keys: &dyn Keys) -> Result<(), ListError> {
    let mut checked = 0;
    for s in &sign.signatures {
        let Some(root) = roots.iter().find(|r| kid(r) == s.protected.header.key_id) else { continue };
        let alg = alg_id(&s.protected.header).and_then(algorithm_of).ok_or(ListError::Signature)?;
        if keys.algorithm(root) != Some(alg) || cose_alg(alg).is_none() {
            return Err(ListError::Signature);
        }
        let verifier = keys.verifier(alg, root).map_err(|_| ListError::Signature)?;
        verifier.verify(&sign.tbs_data(b"", s), &s.signature).map_err(|_| ListError::Signature)?;
        checked += 1;
    }
    if checked == 0 { Err(ListError::Signature) } else { Ok(()) }
}

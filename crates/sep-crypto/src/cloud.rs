//! The cloud signature's authority (the core's `signing::Authority` port): people's ГОСТ keys
//! are made here, certified by the test authority and kept sealed with AES-256-GCM under a
//! key of the configuration ([`KeyRing`]); a key is opened only to make one signature.
//!
//! A sealed key is `nonce (12 bytes) ‖ ciphertext ‖ tag` of the key's PKCS#8 PEM, with the
//! certificate's serial as associated data, so a sealed key copied to another person's row
//! does not open. Each value names the ring key that sealed it: a new key put first in the
//! ring seals from then on, and the older ones still open what they sealed.

use crate::ca::TestCa;
use crate::cert::{self, Kind};
use crate::gost::{SigningKey, pkcs8};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use sep_core::signature::Certificate;
use sep_core::signing::{Authority, AuthorityError, Credential, Issued, SealedKey, Subject};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;

/// How long a person's certificate is valid (Госключ issues them for a year).
pub const LIFETIME: Duration = Duration::from_secs(365 * 86_400);

/// The keys that seal people's private keys: the first seals, every one opens what it sealed.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<(String, [u8; 32])>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("KeyRing").field("ids", &ids).finish_non_exhaustive()
    }
}

/// Why a ring or a sealed key is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RingError {
    /// The configuration text is not `id:64 hex digits[,…]`.
    #[error("ключ шифрования «{0}»: нужен вид id:64 шестнадцатеричные цифры (32 байта)")]
    Format(String),
    /// Two keys with one id.
    #[error("ключ шифрования «{0}» указан дважды")]
    Duplicate(String),
    /// No key at all.
    #[error("не задан ни один ключ шифрования")]
    Empty,
    /// The value was sealed by a key the ring does not have.
    #[error("ключа шифрования «{0}» нет в конфигурации")]
    UnknownKey(String),
    /// The value does not open (changed, or sealed for another certificate).
    #[error("закрытый ключ не расшифровывается")]
    Corrupt,
    /// No randomness.
    #[error("нет источника случайных чисел")]
    Random,
}

impl KeyRing {
    /// A ring from the configuration's `id:hex[,id:hex…]` (the first seals).
    pub fn parse(text: &str) -> Result<Self, RingError> {
        let mut keys: Vec<(String, [u8; 32])> = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (id, hex) = item.split_once(':').ok_or_else(|| RingError::Format(redacted(item)))?;
            let fine_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let key = decode_hex(hex.trim()).filter(|_| fine_id).ok_or_else(|| RingError::Format(id.to_owned()))?;
            if keys.iter().any(|(k, _)| k == id) {
                return Err(RingError::Duplicate(id.to_owned()));
            }
            keys.push((id.to_owned(), key));
        }
        if keys.is_empty() {
            return Err(RingError::Empty);
        }
        Ok(Self { keys })
    }

    /// A fresh key as the configuration writes it: `id:64 hex digits`.
    pub fn generate(id: &str) -> Result<String, RingError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|_| RingError::Random)?;
        Ok(format!("{id}:{}", hex::encode(key)))
    }

    /// The key that seals, with its id.
    pub(crate) fn sealing_key(&self) -> (&str, &[u8; 32]) {
        (&self.keys[0].0, &self.keys[0].1)
    }

    /// The key `id`, if the ring has it.
    pub(crate) fn key(&self, id: &str) -> Option<&[u8; 32]> {
        self.keys.iter().find(|(k, _)| k == id).map(|(_, key)| key)
    }

    /// The id of the key that seals.
    pub fn current(&self) -> &str {
        &self.keys[0].0
    }

    /// `plain` sealed by the current key, bound to `context`.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Result<SealedKey, RingError> {
        let (id, key) = &self.keys[0];
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| RingError::Corrupt)?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|_| RingError::Random)?;
        let sealed = cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plain, aad: context })
            .map_err(|_| RingError::Corrupt)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        Ok(SealedKey { key_id: id.clone(), blob })
    }

    /// What `sealed` holds, if it was sealed by a key of the ring for `context`.
    pub fn open(&self, sealed: &SealedKey, context: &[u8]) -> Result<Vec<u8>, RingError> {
        let (_, key) = self
            .keys
            .iter()
            .find(|(id, _)| *id == sealed.key_id)
            .ok_or_else(|| RingError::UnknownKey(sealed.key_id.clone()))?;
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| RingError::Corrupt)?;
        let (nonce, body) = sealed.blob.split_at_checked(12).ok_or(RingError::Corrupt)?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| RingError::Corrupt)?;
        cipher.decrypt(&Nonce::from(nonce), Payload { msg: body, aad: context }).map_err(|_| RingError::Corrupt)
    }
}

fn redacted(item: &str) -> String {
    item.split_once(':').map_or_else(|| "…".to_owned(), |(id, _)| id.to_owned())
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// An RFC 4514 value with its special characters escaped.
fn escape(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.trim().chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') || (i == 0 && matches!(c, '#' | ' ')) {
            out.push('\\');
        }
        if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// The certificate's subject as Russian qualified certificates write it (приказ ФСБ № 795):
/// СНИЛС `1.2.643.100.3`, ИНН `1.2.643.3.131.1.1`, surname, given names, common name.
pub fn subject_name(s: &Subject) -> String {
    let given = match &s.middle_name {
        Some(m) if !m.trim().is_empty() => format!("{} {}", s.first_name.trim(), m.trim()),
        _ => s.first_name.trim().to_owned(),
    };
    let cn = format!("{} {given}", s.last_name.trim());
    let mut parts = Vec::new();
    if let Some(inn) = &s.inn {
        parts.push(format!("1.2.643.3.131.1.1={}", escape(inn)));
    }
    parts.push(format!("1.2.643.100.3={}", escape(&s.snils)));
    parts.push(format!("GN={}", escape(&given)));
    parts.push(format!("SN={}", escape(&s.last_name)));
    parts.push(format!("CN={}", escape(&cn)));
    parts.join(",")
}

/// The authority behind the cloud signature: the test authority certifies, the ring seals.
#[derive(Debug)]
pub struct CloudAuthority {
    ca: TestCa,
    ring: KeyRing,
}

fn failed(e: impl std::fmt::Display) -> AuthorityError {
    AuthorityError(e.to_string())
}

fn certificate(der: &[u8]) -> Result<Certificate, AuthorityError> {
    cert::facts(der).map(Certificate::from).map_err(failed)
}

/// What the sealed key is bound to: its certificate (issuer, serial and subject, so a serial
/// repeated by a re-created authority does not open another person's key).
fn context(c: &Certificate) -> Vec<u8> {
    format!("sep-cloud-key:v1:{}\n{}\n{}", c.issuer, c.serial, c.subject).into_bytes()
}

impl CloudAuthority {
    /// The authority in `ca` with keys sealed by `ring`.
    pub fn new(ca: TestCa, ring: KeyRing) -> Self {
        Self { ca, ring }
    }
}

impl Authority for CloudAuthority {
    fn issue(&self, subject: &Subject, now: OffsetDateTime) -> Result<Issued, AuthorityError> {
        let key = SigningKey::generate(self.ca.curve().map_err(failed)?).map_err(failed)?;
        let now: SystemTime = now.into();
        let (_, der) =
            self.ca.certify(key.verifying_key(), Kind::User, &subject_name(subject), LIFETIME, now).map_err(failed)?;
        let certificate = certificate(&der)?;
        let pem = pkcs8::to_pem(&key).map_err(failed)?;
        let key = self.ring.seal(pem.as_bytes(), &context(&certificate)).map_err(failed)?;
        Ok(Issued { der, certificate, key })
    }

    fn sign(&self, credential: &Credential, hash: &str, at: OffsetDateTime) -> Result<Vec<u8>, AuthorityError> {
        let digest = decode_hex(hash).ok_or_else(|| AuthorityError("хеш не Стрибог-256".into()))?;
        let pem = self.ring.open(&credential.key, &context(&credential.certificate)).map_err(failed)?;
        let pem = String::from_utf8(pem).map_err(failed)?;
        let key = pkcs8::from_pem(&pem).map_err(failed)?;
        crate::cms::sign_detached_digest(&digest, &key, &credential.der, at.into()).map_err(failed)
    }

    fn revoke(&self, serial: &str, at: OffsetDateTime) -> Result<(), AuthorityError> {
        let serial = u64::from_str_radix(serial, 16).map_err(failed)?;
        self.ca.revoke(serial, at.into()).map_err(failed)
    }

    fn hash(&self, content: &[u8]) -> String {
        crate::gost::streebog256_hex(content)
    }

    fn sign_as_agency(
        &self,
        agency: &str,
        hash: &str,
        at: OffsetDateTime,
    ) -> Result<(Vec<u8>, Certificate), AuthorityError> {
        let digest = decode_hex(hash).ok_or_else(|| AuthorityError("хеш не Стрибог-256".into()))?;
        // Agencies are named in Russian; their key files by a hash of the name.
        let name = format!("system-{}", &crate::gost::streebog256_hex(agency.as_bytes())[..16]);
        // One key per agency, made on first use; two first uses at once must not make two.
        static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let (key, der) = {
            let _one = MAKING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match self.ca.credentials(&name) {
                Ok(found) => found,
                Err(_) => {
                    let subject = format!("CN=Информационная система СЭП — {},O={}", escape(agency), escape(agency));
                    self.ca.issue(&name, Kind::System, &subject, 3 * LIFETIME, at.into()).map_err(failed)?;
                    self.ca.credentials(&name).map_err(failed)?
                }
            }
        };
        let sig = crate::cms::sign_detached_digest(&digest, &key, &der, at.into()).map_err(failed)?;
        Ok((sig, certificate(&der)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_seals_with_its_first_key_and_opens_with_any() {
        let old = KeyRing::parse(&KeyRing::generate("k1").unwrap()).unwrap();
        let sealed = old.seal(b"secret", b"ctx").unwrap();
        assert_eq!(sealed.key_id, "k1");
        assert_ne!(&sealed.blob[12..18], b"secret");
        let rotated = KeyRing::parse(&format!(
            "{},{}",
            KeyRing::generate("k2").unwrap(),
            KeyRing::generate("k1").unwrap().replace("k1:", "k0:")
        ))
        .unwrap();
        assert_eq!(rotated.current(), "k2");
        assert_eq!(rotated.open(&sealed, b"ctx"), Err(RingError::UnknownKey("k1".into())));
        assert_eq!(old.open(&sealed, b"ctx").unwrap(), b"secret");
        assert_eq!(old.open(&sealed, b"other"), Err(RingError::Corrupt), "bound to its context");
        let mut changed = sealed.clone();
        changed.blob[20] ^= 1;
        assert_eq!(old.open(&changed, b"ctx"), Err(RingError::Corrupt));
        assert!(matches!(KeyRing::parse("k1:abcd"), Err(RingError::Format(_))));
        assert!(matches!(KeyRing::parse(""), Err(RingError::Empty)));
        let one = KeyRing::generate("a").unwrap();
        assert_eq!(KeyRing::parse(&format!("{one},{one}")).unwrap_err(), RingError::Duplicate("a".into()));
        assert!(!format!("{old:?}").contains(&KeyRing::generate("x").unwrap()[2..]), "no key in Debug");
    }

    #[test]
    fn a_subject_names_snils_inn_and_escapes() {
        let s = Subject {
            last_name: "Иванов".into(),
            first_name: "Иван".into(),
            middle_name: Some("Иванович".into()),
            snils: "11223344595".into(),
            inn: Some("500100732259".into()),
        };
        assert_eq!(
            subject_name(&s),
            "1.2.643.3.131.1.1=500100732259,1.2.643.100.3=11223344595,GN=Иван Иванович,SN=Иванов,CN=Иванов Иван Иванович"
        );
        let odd = Subject { last_name: "Ли, =Ким".into(), middle_name: None, inn: None, ..s };
        assert!(subject_name(&odd).contains("SN=Ли\\, \\=Ким"));
    }

    #[test]
    fn a_person_gets_a_certificate_signs_a_hash_and_is_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let ca = TestCa::init(dir.path(), "CN=Тестовый УЦ", 10 * LIFETIME, "TCA", now).unwrap();
        let ring = KeyRing::parse(&KeyRing::generate("k1").unwrap()).unwrap();
        let authority = CloudAuthority::new(ca, ring);
        let subject = Subject {
            last_name: "Петрова".into(),
            first_name: "Анна".into(),
            middle_name: None,
            snils: "11223344595".into(),
            inn: None,
        };
        let at = OffsetDateTime::from(now);
        let issued = authority.issue(&subject, at).unwrap();
        assert!(issued.certificate.subject.contains("Петрова Анна"), "{}", issued.certificate.subject);
        assert!(issued.certificate.issuer.contains("Тестовый УЦ"));
        assert!(!String::from_utf8_lossy(&issued.key.blob).contains("PRIVATE KEY"), "sealed");
        let credential = Credential {
            id: uuid::Uuid::now_v7(),
            user_id: sep_core::ids::UserId::new(),
            certificate: issued.certificate.clone(),
            der: issued.der.clone(),
            key: issued.key.clone(),
            created_at: at,
            revoked_at: None,
        };
        let document = b"%PDF-1.7 the document";
        let hash = authority.hash(document);
        let sig = authority.sign(&credential, &hash, at).unwrap();
        let trust = crate::verify::TrustList::from_ca_dir(dir.path()).unwrap();
        use sep_core::signature::SignatureChecker;
        let verdict = trust.check(document, &sig, at);
        assert_eq!(verdict.code(), "signature_valid");
        assert_eq!(trust.check(b"another", &sig, at).code(), "signature_mismatch");
        // Another person's sealed key under this certificate does not open.
        let other = authority.issue(&subject, at).unwrap();
        let swapped = Credential { key: other.key, ..credential.clone() };
        assert!(authority.sign(&swapped, &hash, at).is_err());
        authority.revoke(&credential.certificate.serial, at).unwrap();
        assert_eq!(trust.check(document, &sig, at + time::Duration::seconds(1)).code(), "cert_revoked");
    }
}

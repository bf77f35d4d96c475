//! The cloud signature (SPEC E1, E2), like Госключ: a person gets a ГОСТ Р 34.10-2012 key
//! and a certificate from the built-in authority, with the subject taken from the verified
//! profile. The private key never leaves the server: it is kept sealed (AES-256-GCM under a
//! key of the configuration, with that key's id, so keys can be rotated) and opened only to
//! make one signature. Signing follows the CSC API pattern: the person sees the document's
//! name and hash, gets a six-digit SMS code bound to exactly that hash (5 minutes, 3 tries,
//! single use), and the code releases one detached CMS signature, stored with the document.
//!
//! Signatures made elsewhere (openssl, CryptoPro) can be added to a document too; they are
//! checked like at `/verify` and kept with their verdict.
//!
//! The cryptography is behind the [`Authority`] port (`sep-crypto` implements it with the test
//! authority), so a real certification authority's cloud service fits the same trait.

pub mod cloud;
pub mod error;
pub mod store;
pub mod uploaded;

pub use error::SigningError;

use crate::ids::UserId;
use crate::otp::CodeState;
use crate::signature::Certificate;
use time::OffsetDateTime;
use uuid::Uuid;

/// A private key as stored: encrypted, with the id of the key that encrypted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedKey {
    /// Which key of the configuration sealed it.
    pub key_id: String,
    /// Nonce and ciphertext with its tag.
    pub blob: Vec<u8>,
}

/// A person's signing certificate with its sealed key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub user_id: UserId,
    /// The certificate as it says of itself (subject, issuer, serial, validity).
    pub certificate: Certificate,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The private key, sealed.
    pub key: SealedKey,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
}

impl Credential {
    /// Whether it can sign at `now`: not revoked, within its validity.
    pub fn usable(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.certificate.not_before <= now && now < self.certificate.not_after
    }
}

/// What a new certificate is issued for: the verified profile's name and numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество.
    pub middle_name: Option<String>,
    /// СНИЛС, 11 digits.
    pub snils: String,
    /// ИНН, 12 digits, when known.
    pub inn: Option<String>,
}

/// What the authority returns for a new certificate.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// What it says of itself.
    pub certificate: Certificate,
    /// Its private key, sealed.
    pub key: SealedKey,
}

/// Why the authority could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AuthorityError(pub String);

/// The port to the certification authority and the key store behind the cloud signature.
pub trait Authority: Send + Sync {
    /// A new key and a certificate for `subject`, valid from `now`.
    fn issue(&self, subject: &Subject, now: OffsetDateTime) -> Result<Issued, AuthorityError>;
    /// A detached CMS signature (DER) over a document whose Стрибог-256 hash is `hash` (hex),
    /// made with the credential's key, carrying `at` as the signing time.
    fn sign(&self, credential: &Credential, hash: &str, at: OffsetDateTime) -> Result<Vec<u8>, AuthorityError>;
    /// Puts the certificate with `serial` (hex) on the revocation list from `at`.
    fn revoke(&self, serial: &str, at: OffsetDateTime) -> Result<(), AuthorityError>;
    /// The Стрибог-256 hash (hex) of `content`: what a signature covers and the person sees.
    fn hash(&self, content: &[u8]) -> String;
    /// A detached CMS signature (DER) of a document with hash `hash` by the system key of
    /// `agency` (made and certified on first use), with that key's certificate (E3).
    fn sign_as_agency(
        &self,
        agency: &str,
        hash: &str,
        at: OffsetDateTime,
    ) -> Result<(Vec<u8>, Certificate), AuthorityError>;
}

/// Where a signature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Made here with the person's cloud key and an SMS code.
    Cloud,
    /// Made elsewhere and uploaded with the document.
    Uploaded,
    /// Made by the system's key on a document it issued.
    System,
}

impl Source {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Cloud => "cloud",
            Self::Uploaded => "uploaded",
            Self::System => "system",
        }
    }

    /// The source stored as `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Cloud, Self::Uploaded, Self::System].into_iter().find(|s| s.code() == code)
    }
}

/// A signature of a document, without its bytes (the list shows these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Id.
    pub id: Uuid,
    /// The document's owner.
    pub user_id: UserId,
    /// The document, as the archive names it (`a:…`, `m:…:…`).
    pub document: String,
    /// The content address (SHA-256) of the version signed.
    pub sha256: String,
    /// The Стрибог-256 hash signed, hex.
    pub hash: String,
    /// Where it came from.
    pub source: Source,
    /// The signer's certificate.
    pub signer: Certificate,
    /// The signing time: the portal's own clock for cloud signatures, the signer's claim for
    /// uploaded ones.
    pub signed_at: OffsetDateTime,
    /// The cloud credential that made it.
    pub credential_id: Option<Uuid>,
    /// The verdict's code when it was added (`signature_valid` or a refusal's).
    pub verdict: String,
    /// When it was stored.
    pub created_at: OffsetDateTime,
}

/// A pending signing: one code bound to one hash of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    /// Id (the code is bound to it and to the hash).
    pub id: Uuid,
    /// Who signs.
    pub user_id: UserId,
    /// With which credential.
    pub credential_id: Uuid,
    /// The document (archive key).
    pub document: String,
    /// Its name, as the person saw it when confirming.
    pub file_name: String,
    /// The content address of the version.
    pub sha256: String,
    /// The Стрибог-256 hash shown and signed, hex.
    pub hash: String,
    /// The code.
    pub code: CodeState,
    /// When it was asked for.
    pub created_at: OffsetDateTime,
    /// The signature it released, once it did.
    pub signature_id: Option<Uuid>,
}

impl SignRequest {
    /// What the code's digest binds: this request and this hash.
    pub fn binding(&self) -> String {
        format!("sign:{}:{}", self.id, self.hash)
    }
}

/// How a signature stands now, for its card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Valid, the certificate still is.
    Valid,
    /// Made while the certificate was valid; it has since been revoked or expired.
    ValidAtSigning,
    /// Not valid (an uploaded signature that failed its check).
    Invalid,
}

impl Standing {
    /// The words on the card.
    pub fn title(self) -> &'static str {
        match self {
            Self::Valid => "Подпись действительна",
            Self::ValidAtSigning => "Действительна на момент подписания",
            Self::Invalid => "Подпись недействительна",
        }
    }
}

/// How `s` stands at `now`, given the credential it was made with (cloud signatures): a
/// revocation after the signing leaves it valid at signing time — the portal's own records
/// say when it signed.
pub fn standing(s: &Signature, credential: Option<&Credential>, now: OffsetDateTime) -> Standing {
    if s.verdict != "signature_valid" {
        return Standing::Invalid;
    }
    let revoked = credential.and_then(|c| c.revoked_at);
    match revoked {
        Some(at) if at <= s.signed_at => Standing::Invalid,
        Some(_) => Standing::ValidAtSigning,
        None if now >= s.signer.not_after => Standing::ValidAtSigning,
        None => Standing::Valid,
    }
}

/// The signatures of the person's documents by archive key, oldest first, each with how it
/// stands at `now`: two reads whatever the number of documents.
pub async fn of_documents(
    store: &dyn crate::store::Store,
    user: UserId,
    now: OffsetDateTime,
) -> Result<std::collections::HashMap<String, Vec<(Signature, Standing)>>, crate::StoreError> {
    let credentials = store.list_credentials(user).await?;
    let mut out: std::collections::HashMap<String, Vec<(Signature, Standing)>> = std::collections::HashMap::new();
    for s in store.list_signatures_of_user(user).await? {
        let credential = s.credential_id.and_then(|id| credentials.iter().find(|c| c.id == id));
        let standing = standing(&s, credential, now);
        out.entry(s.document.clone()).or_default().push((s, standing));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn at(minutes: i64) -> OffsetDateTime {
        time::macros::datetime!(2026-12-06 12:00 UTC) + Duration::minutes(minutes)
    }

    #[test]
    fn a_signature_made_before_a_revocation_stays_valid_at_signing_time() {
        let signer = Certificate {
            subject: "CN=Иванов".into(),
            issuer: "CN=УЦ".into(),
            serial: "0A".into(),
            not_before: at(0),
            not_after: at(60),
        };
        let s = Signature {
            id: Uuid::nil(),
            user_id: UserId::new(),
            document: "a:1".into(),
            sha256: String::new(),
            hash: String::new(),
            source: Source::Cloud,
            signer: signer.clone(),
            signed_at: at(10),
            credential_id: None,
            verdict: "signature_valid".into(),
            created_at: at(10),
        };
        let mut c = Credential {
            id: Uuid::nil(),
            user_id: s.user_id,
            certificate: signer,
            der: vec![],
            key: SealedKey { key_id: "k".into(), blob: vec![] },
            created_at: at(0),
            revoked_at: None,
        };
        assert_eq!(standing(&s, Some(&c), at(20)), Standing::Valid);
        assert_eq!(standing(&s, Some(&c), at(61)), Standing::ValidAtSigning, "expired since");
        c.revoked_at = Some(at(15));
        assert_eq!(standing(&s, Some(&c), at(20)), Standing::ValidAtSigning);
        c.revoked_at = Some(at(5));
        assert_eq!(standing(&s, Some(&c), at(20)), Standing::Invalid, "made after the revocation");
        let bad = Signature { verdict: "cert_revoked".into(), ..s };
        assert_eq!(standing(&bad, None, at(20)), Standing::Invalid);
        assert!(!c.usable(at(1)) && Credential { revoked_at: None, ..c.clone() }.usable(at(1)));
        assert_eq!(Source::from_code("uploaded"), Some(Source::Uploaded));
        assert_eq!(Source::from_code("x"), None);
    }
}

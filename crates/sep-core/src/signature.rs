//! Checking an electronic signature (SPEC E2, E3, E4): a document and its detached CMS
//! signature (`.sig`) give a verdict — valid or not, with a stable code — and what the
//! signature itself says: the signer's certificate, the signing time, the chain of trust,
//! whether the document's hash matches. The check is a port: `sep-crypto` implements it with
//! ГОСТ Р 34.10-2012 and the trusted authorities; the public page `/verify` and the command
//! `sep verify` show the same verdict. The signing time a signature carries is the signer's
//! own claim (no timestamp authority vouches for it), so the certificate is judged now.

use time::OffsetDateTime;

/// Why a signature is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a CMS signature this system reads (not DER SignedData, no signer, an unknown algorithm).
    Malformed,
    /// The signature does not belong to this document (another content, or a broken value).
    Mismatch,
    /// The signer's certificate is not from a trusted authority.
    Untrusted,
    /// The certificate had expired when the document was signed.
    Expired,
    /// The certificate was not yet valid when the document was signed.
    NotYetValid,
    /// The certificate is revoked.
    Revoked,
    /// The certificate is not for signing documents (an authority's own, or one whose key is
    /// for something else).
    WrongUsage,
}

impl Refusal {
    /// Every refusal.
    pub const ALL: [Refusal; 7] = [
        Self::Malformed,
        Self::Mismatch,
        Self::Untrusted,
        Self::Expired,
        Self::NotYetValid,
        Self::Revoked,
        Self::WrongUsage,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "signature_malformed",
            Self::Mismatch => "signature_mismatch",
            Self::Untrusted => "cert_untrusted",
            Self::Expired => "cert_expired",
            Self::NotYetValid => "cert_not_yet_valid",
            Self::Revoked => "cert_revoked",
            Self::WrongUsage => "cert_wrong_usage",
        }
    }

    /// What happened.
    pub fn text(self) -> &'static str {
        match self {
            Self::Malformed => "Файл подписи не читается: это не отсоединённая подпись CMS (.sig) или она повреждена.",
            Self::Mismatch => {
                "Подпись сделана не для этого документа: документ изменён после подписания или выбран другой файл."
            }
            Self::Untrusted => "Сертификат подписи выдан не доверенным удостоверяющим центром.",
            Self::Expired => "Срок действия сертификата подписи истёк.",
            Self::NotYetValid => "Срок действия сертификата подписи ещё не начался.",
            Self::Revoked => "Сертификат подписи отозван удостоверяющим центром.",
            Self::WrongUsage => "Сертификат не предназначен для подписи документов.",
        }
    }

    /// What to do.
    pub fn action(self) -> &'static str {
        match self {
            Self::Malformed => "Выберите файл подписи .sig, полученный вместе с документом (DER, не PDF и не архив).",
            Self::Mismatch => "Проверьте, что выбран тот самый документ, без изменений, и подпись к нему.",
            Self::Untrusted | Self::Expired | Self::NotYetValid | Self::Revoked | Self::WrongUsage => {
                "Запросите у отправителя документ, подписанный действующим сертификатом доверенного удостоверяющего центра."
            }
        }
    }
}

/// The signer's certificate, as the signature carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Its subject (owner), as the certificate writes it.
    pub subject: String,
    /// Who issued it.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Valid from.
    pub not_before: OffsetDateTime,
    /// Valid until.
    pub not_after: OffsetDateTime,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Valid, or why not.
    pub outcome: Result<(), Refusal>,
    /// The document's Стрибог-256 hash, hex.
    pub document_hash: String,
    /// Whether the signature covers exactly this document (known once the signature reads).
    pub hash_matches: Option<bool>,
    /// The signer's certificate, when the signature reads.
    pub signer: Option<Certificate>,
    /// The signing time the signer put in the signature (not a timestamp authority's).
    pub signed_at: Option<OffsetDateTime>,
    /// The trusted authority that issued the certificate, when one did.
    pub authority: Option<String>,
    /// When the certificate was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// Whether revocation was checked against a current list of the authority.
    pub revocation_checked: bool,
}

impl Verdict {
    /// Whether the signature is valid.
    pub fn is_valid(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The code of the verdict: `signature_valid` or the refusal's.
    pub fn code(&self) -> &'static str {
        match self.outcome {
            Ok(()) => "signature_valid",
            Err(r) => r.code(),
        }
    }
}

/// The port: checks a detached signature of a document against the trusted authorities.
pub trait SignatureChecker: Send + Sync {
    /// The verdict on `signature` (DER or PEM CMS) of `document` at `now`.
    fn check(&self, document: &[u8], signature: &[u8], now: OffsetDateTime) -> Verdict;

    /// The trusted authorities' certificates, PEM, for people to download.
    fn authorities_pem(&self) -> String;

    /// Whether the certificate file `certificate` (PEM or DER) is the one that made
    /// `signature`: `None` when it is not a certificate, `Some(false)` when the signature does
    /// not read or names another.
    fn signed_with(&self, signature: &[u8], certificate: &[u8]) -> Option<bool>;
}

//! X.509 certificates and revocation lists with ГОСТ keys (SPEC E2), on RustCrypto's
//! `x509-cert`: the test certification authority issues certificates for clients (an
//! information system calling ЕСИА), users and the system itself, signs a revocation list,
//! and checks a certificate against both — each refusal with its own code.

use crate::gost::{SigningKey, VerifyingKey, spki as gost_spki};
use der::asn1::{BitString, ObjectIdentifier};
use der::{Decode, Encode};
use sep_core::signer::SignError;
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey, SubjectPublicKeyInfoOwned,
    SubjectPublicKeyInfoRef,
};
use std::str::FromStr;
use std::time::{Duration, SystemTime};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// ГОСТ Р 34.10-2012 (256) signature over Стрибог-256, as certificates name it.
pub const SIGN_WITH_GOST_256: &str = "1.2.643.7.1.1.3.2";

/// Why a certificate or a list was refused, each with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// Not a readable certificate (or list) of a supported algorithm.
    #[error("сертификат не читается: {0}")]
    Malformed(String),
    /// The validity period ended.
    #[error("срок действия сертификата истёк")]
    Expired,
    /// The validity period has not begun.
    #[error("срок действия сертификата ещё не начался")]
    NotYetValid,
    /// The issuer revoked it.
    #[error("сертификат отозван")]
    Revoked,
    /// Not issued (or not signed) by the trusted authority.
    #[error("сертификат выдан не доверенным удостоверяющим центром")]
    WrongIssuer,
    /// The key could not sign.
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl CertError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "cert_malformed",
            Self::Expired => "cert_expired",
            Self::NotYetValid => "cert_not_yet_valid",
            Self::Revoked => "cert_revoked",
            Self::WrongIssuer => "cert_wrong_issuer",
            Self::Sign(e) => e.code(),
        }
    }
}

pub(crate) fn malformed(e: impl std::fmt::Display) -> CertError {
    CertError::Malformed(e.to_string())
}

/// Who a certificate is for: what its key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The certification authority itself (signs certificates and lists).
    Authority,
    /// An information system authenticating to ЕСИА (signs requests).
    Client,
    /// A person (signs documents and statements).
    User,
    /// СЭП itself (seals documents and the audit journal).
    System,
}

impl Kind {
    /// The kind called `name` (`client`, `user`, `system`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "client" => Some(Self::Client),
            "user" => Some(Self::User),
            "system" => Some(Self::System),
            _ => None,
        }
    }
}

/// The public key of a ГОСТ key as `x509-cert` wants it.
#[derive(Clone)]
struct Public(Vec<u8>);

impl EncodePublicKey for Public {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::try_from(self.0.as_slice())?)
    }
}

/// A ГОСТ key as the builder's signer: it names the algorithm and hands out the public key;
/// the signature itself is made over the builder's DER by [`SigningKey::sign`].
struct KeyOf<'a>(&'a SigningKey);

impl signature::Keypair for KeyOf<'_> {
    type VerifyingKey = Public;

    fn verifying_key(&self) -> Public {
        Public(gost_spki::encode(self.0.verifying_key()).unwrap_or_default())
    }
}

impl DynSignatureAlgorithmIdentifier for KeyOf<'_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(AlgorithmIdentifierOwned { oid: ObjectIdentifier::new_unwrap(SIGN_WITH_GOST_256), parameters: None })
    }
}

/// The extensions a kind gets (RFC 5280 §4.2): key identifiers, CA or not, key usage.
pub(crate) struct Profile {
    pub(crate) issuer: Name,
    pub(crate) subject: Name,
    pub(crate) kind: Kind,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut out = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        let aki = SubjectKeyIdentifier::try_from(issuer_spk)?;
        out.push(ski.to_extension(tbs.subject(), &out)?);
        let aki = AuthorityKeyIdentifier { key_identifier: Some(aki.0), ..Default::default() };
        out.push(aki.to_extension(tbs.subject(), &out)?);
        let ca = self.kind == Kind::Authority;
        out.push(BasicConstraints { ca, path_len_constraint: ca.then_some(0) }.to_extension(tbs.subject(), &out)?);
        let usage = match self.kind {
            Kind::Authority => KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            Kind::Client | Kind::System => KeyUsages::DigitalSignature.into(),
            Kind::User => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        };
        out.push(KeyUsage(usage).to_extension(tbs.subject(), &out)?);
        Ok(out)
    }
}

pub(crate) fn time(t: SystemTime) -> Result<Time, CertError> {
    Time::try_from(t).map_err(malformed)
}

/// What a new certificate says.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The subject, as an RFC 4514 string (`CN=sep-portal,O=СЭП`).
    pub subject: &'a str,
    /// What the key may do.
    pub kind: Kind,
    /// Its serial number (unique per authority).
    pub serial: u64,
    /// Valid from.
    pub not_before: SystemTime,
    /// Valid for this long.
    pub lifetime: Duration,
}

/// A certificate for `key` as `request` says, signed by `issuer_key` on behalf of the authority
/// whose certificate is `issuer_cert` (`None`: self-signed, the authority's own). DER.
pub fn issue(
    request: &Request<'_>,
    key: &VerifyingKey,
    issuer_key: &SigningKey,
    issuer_cert: Option<&[u8]>,
) -> Result<Vec<u8>, CertError> {
    let subject = Name::from_str(request.subject).map_err(malformed)?;
    let issuer = match issuer_cert {
        Some(der) => Certificate::from_der(der).map_err(malformed)?.tbs_certificate().subject().clone(),
        None => subject.clone(),
    };
    let validity = Validity::new(time(request.not_before)?, time(request.not_before + request.lifetime)?);
    let spki = SubjectPublicKeyInfoOwned::from_der(&gost_spki::encode(key)?).map_err(malformed)?;
    let serial = SerialNumber::new(&request.serial.to_be_bytes()).map_err(malformed)?;
    let profile = Profile { issuer, subject, kind: request.kind };
    let mut builder = CertificateBuilder::new(profile, serial, validity, spki).map_err(malformed)?;
    let signer = KeyOf(issuer_key);
    let tbs = builder.finalize(&signer).map_err(malformed)?;
    let signature = BitString::from_bytes(&issuer_key.sign(&tbs)?).map_err(malformed)?;
    builder.assemble(signature, &signer).map_err(malformed)?.to_der().map_err(malformed)
}

/// A revocation list of `revoked` serial numbers (with when), signed by the authority. DER.
pub fn revocation_list(
    revoked: &[(u64, SystemTime)],
    issuer_key: &SigningKey,
    issuer_cert: &[u8],
    this_update: SystemTime,
    next_update: SystemTime,
) -> Result<Vec<u8>, CertError> {
    let issuer = Certificate::from_der(issuer_cert).map_err(malformed)?.tbs_certificate().subject().clone();
    let algorithm = KeyOf(issuer_key).signature_algorithm_identifier().map_err(malformed)?;
    let entries = revoked
        .iter()
        .map(|(serial, at)| {
            Ok(RevokedCert {
                serial_number: SerialNumber::<x509_cert::certificate::Rfc5280>::new(&serial.to_be_bytes())
                    .map_err(malformed)?,
                revocation_date: time(*at)?,
                crl_entry_extensions: None,
            })
        })
        .collect::<Result<Vec<_>, CertError>>()?;
    let tbs = TbsCertList {
        version: Version::V2,
        signature: algorithm.clone(),
        issuer,
        this_update: time(this_update)?,
        next_update: Some(time(next_update)?),
        revoked_certificates: (!entries.is_empty()).then_some(entries),
        crl_extensions: None,
    };
    let signature = BitString::from_bytes(&issuer_key.sign(&tbs.to_der().map_err(malformed)?)?).map_err(malformed)?;
    CertificateList { tbs_cert_list: tbs, signature_algorithm: algorithm, signature }.to_der().map_err(malformed)
}

/// A self-signed certificate (DER) for an RSA key, for a system that signs with RS256.
pub fn self_signed_rsa(
    signer: &crate::rsa_signer::RsaSigner,
    subject: &str,
    not_before: SystemTime,
    lifetime: Duration,
) -> Result<Vec<u8>, CertError> {
    use x509_cert::builder::Builder as _;
    let name = Name::from_str(subject).map_err(malformed)?;
    let spki = SubjectPublicKeyInfoOwned::from_der(&signer.verifier().to_spki()?).map_err(malformed)?;
    let validity = Validity::new(time(not_before)?, time(not_before + lifetime)?);
    let profile = Profile { issuer: name.clone(), subject: name, kind: Kind::System };
    let serial = SerialNumber::new(&[1]).map_err(malformed)?;
    let builder = CertificateBuilder::new(profile, serial, validity, spki).map_err(malformed)?;
    let cert = builder.build::<_, rsa::pkcs1v15::Signature>(signer.signing_key()).map_err(malformed)?;
    cert.to_der().map_err(malformed)
}

/// The key of a certificate, whichever algorithm it is for (ГОСТ 2012-256 or RSA).
#[derive(Debug, Clone)]
pub enum AnyKey {
    /// ГОСТ Р 34.10-2012 (256).
    Gost(std::sync::Arc<VerifyingKey>),
    /// RSA (checked as RS256).
    Rsa(crate::rsa_signer::RsaVerifier),
}

impl AnyKey {
    /// The key in `cert` (DER).
    pub fn from_certificate(cert: &[u8]) -> Result<Self, CertError> {
        let parsed = Certificate::from_der(cert).map_err(malformed)?;
        let spki = parsed.tbs_certificate().subject_public_key_info();
        if spki.algorithm.oid == ObjectIdentifier::new_unwrap(gost_spki::GOST_2012_256) {
            return Ok(Self::Gost(std::sync::Arc::new(key_of(&parsed)?)));
        }
        let der = spki.to_der().map_err(malformed)?;
        Ok(Self::Rsa(crate::rsa_signer::RsaVerifier::from_spki(&der)?))
    }

    /// The algorithm, by its JWS name.
    pub fn algorithm(&self) -> sep_core::signer::Algorithm {
        match self {
            Self::Gost(_) => sep_core::signer::Algorithm::Gost2012_256,
            Self::Rsa(_) => sep_core::signer::Algorithm::Rs256,
        }
    }

    /// Checks `signature` of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
        use sep_core::signer::Verifier as _;
        match self {
            Self::Gost(k) => k.verify(message, signature),
            Self::Rsa(k) => k.verify(message, signature),
        }
    }
}

/// Every certificate (DER) in a PEM bundle.
pub fn pem_bundle(text: &str) -> Vec<Vec<u8>> {
    use der::DecodePem;
    text.split_inclusive("-----END CERTIFICATE-----")
        .filter_map(|block| block.find("-----BEGIN CERTIFICATE-----").map(|at| &block[at..]))
        .filter_map(|pem| Certificate::from_pem(pem.as_bytes()).ok()?.to_der().ok())
        .collect()
}

/// A DER certificate as PEM; `None` when it is not a certificate.
pub fn to_pem(der: &[u8]) -> Option<String> {
    use der::EncodePem;
    Certificate::from_der(der).ok()?.to_pem(der::pem::LineEnding::LF).ok()
}

/// A certificate file's DER, whether the file is DER or PEM; `None` when it is neither.
pub fn from_pem_or_der(bytes: &[u8]) -> Option<Vec<u8>> {
    use der::DecodePem;
    let cert = if bytes.starts_with(b"-----BEGIN") {
        Certificate::from_pem(bytes).ok()?
    } else {
        Certificate::from_der(bytes).ok()?
    };
    cert.to_der().ok()
}

/// The public key in a certificate.
pub fn public_key(cert: &[u8]) -> Result<VerifyingKey, CertError> {
    key_of(&Certificate::from_der(cert).map_err(malformed)?)
}

/// The ГОСТ key of a certificate already read.
pub(crate) fn key_of(cert: &Certificate) -> Result<VerifyingKey, CertError> {
    let spki = cert.tbs_certificate().subject_public_key_info().to_der().map_err(malformed)?;
    Ok(gost_spki::decode(&spki)?)
}

fn signed_by(tbs: &[u8], algorithm: &AlgorithmIdentifierOwned, signature: &BitString, key: &VerifyingKey) -> bool {
    algorithm.oid == ObjectIdentifier::new_unwrap(SIGN_WITH_GOST_256)
        && signature.as_bytes().is_some_and(|s| key.verify(tbs, s).is_ok())
}

/// Checks `cert` at `now` against the authority's certificate and, when given, its revocation
/// list (itself checked to be the authority's): issuer, signature, validity, revocation.
pub fn check(cert: &[u8], authority: &[u8], crl: Option<&[u8]>, now: SystemTime) -> Result<(), CertError> {
    let cert = Certificate::from_der(cert).map_err(malformed)?;
    let ca = Certificate::from_der(authority).map_err(malformed)?;
    let ca_key = key_of(&ca)?;
    let tbs = cert.tbs_certificate();
    if tbs.issuer() != ca.tbs_certificate().subject() {
        return Err(CertError::WrongIssuer);
    }
    let tbs_der = tbs.to_der().map_err(malformed)?;
    // The algorithm inside the signed part must be the one outside (RFC 5280 §4.1.1.2).
    if tbs.signature() != cert.signature_algorithm()
        || !signed_by(&tbs_der, cert.signature_algorithm(), cert.signature(), &ca_key)
    {
        return Err(CertError::WrongIssuer);
    }
    let validity = tbs.validity();
    if now < validity.not_before.to_system_time() {
        return Err(CertError::NotYetValid);
    }
    if now > validity.not_after.to_system_time() {
        return Err(CertError::Expired);
    }
    if let Some(crl) = crl {
        let list = CertificateList::from_der(crl).map_err(malformed)?;
        let list_der = list.tbs_cert_list.to_der().map_err(malformed)?;
        let ours = list.tbs_cert_list.issuer == *ca.tbs_certificate().subject()
            && signed_by(&list_der, &list.signature_algorithm, &list.signature, &ca_key);
        if !ours {
            return Err(CertError::Malformed("список отзыва подписан не этим удостоверяющим центром".into()));
        }
        // An old list may lack a later revocation: only a current one is believed.
        let fresh = list.tbs_cert_list.this_update.to_system_time() <= now
            && list.tbs_cert_list.next_update.is_some_and(|n| now <= n.to_system_time());
        if !fresh {
            return Err(CertError::Malformed("список отзыва устарел или ещё не действует".into()));
        }
        let serial = tbs.serial_number();
        if list.tbs_cert_list.revoked_certificates.iter().flatten().any(|r| r.serial_number == *serial) {
            return Err(CertError::Revoked);
        }
    }
    Ok(())
}

/// What a certificate says of itself: subject, issuer, serial (hex), validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Subject, RFC 4514.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Valid from.
    pub not_before: SystemTime,
    /// Valid until.
    pub not_after: SystemTime,
}

impl From<Facts> for sep_core::signature::Certificate {
    fn from(f: Facts) -> Self {
        Self {
            subject: f.subject,
            issuer: f.issuer,
            serial: f.serial,
            not_before: time::OffsetDateTime::from(f.not_before),
            not_after: time::OffsetDateTime::from(f.not_after),
        }
    }
}

/// A name as people may read it: without the Unicode controls that reorder text (a subject
/// could otherwise show a different owner than it names).
fn readable(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    // Russian qualified certificates name the person's numbers by OIDs the generic printer
    // writes as hex DER; people read `СНИЛС=…`. A hex value holds no comma.
    clean.split(',').map(russian_attribute).collect::<Vec<_>>().join(",")
}

/// The attributes of приказ ФСБ № 795 by their Russian names.
const RUSSIAN_ATTRIBUTES: &[(&str, &str)] = &[
    ("1.2.643.100.3", "СНИЛС"),
    ("1.2.643.3.131.1.1", "ИНН"),
    ("1.2.643.100.4", "ИНН ЮЛ"),
    ("1.2.643.100.1", "ОГРН"),
    ("1.2.643.100.5", "ОГРНИП"),
];

/// `OID=#hex` of a known attribute whose value is a short string as `ИМЯ=value`.
fn russian_attribute(part: &str) -> String {
    let Some((oid, value)) = part.split_once('=') else { return part.to_owned() };
    let Some((_, label)) = RUSSIAN_ATTRIBUTES.iter().find(|(o, _)| *o == oid) else { return part.to_owned() };
    let Some(digits) = value.strip_prefix('#') else { return format!("{label}={value}") };
    let bytes = hex::decode(digits).ok();
    // A string type (UTF8, Numeric, Printable, IA5) with a one-byte length.
    match bytes.as_deref() {
        Some([0x0c | 0x12 | 0x13 | 0x16, len, text @ ..]) if usize::from(*len) == text.len() => {
            std::str::from_utf8(text).map_or_else(|_| part.to_owned(), |t| format!("{label}={t}"))
        }
        _ => part.to_owned(),
    }
}

/// The facts of `cert` (DER).
pub fn facts(cert: &[u8]) -> Result<Facts, CertError> {
    let cert = Certificate::from_der(cert).map_err(malformed)?;
    let tbs = cert.tbs_certificate();
    Ok(Facts {
        subject: readable(&tbs.subject().to_string()),
        issuer: readable(&tbs.issuer().to_string()),
        serial: tbs.serial_number().as_bytes().iter().map(|b| format!("{b:02X}")).collect(),
        not_before: tbs.validity().not_before.to_system_time(),
        not_after: tbs.validity().not_after.to_system_time(),
    })
}

/// Whether `cert` (DER) may sign documents: not an authority's certificate, and — when it
/// says what its key is for — for digital signatures or non-repudiation.
pub fn signs_documents(cert: &[u8]) -> Result<bool, CertError> {
    use der::oid::AssociatedOid;
    let cert = Certificate::from_der(cert).map_err(malformed)?;
    for ext in cert.tbs_certificate().extensions().into_iter().flatten() {
        if ext.extn_id == BasicConstraints::OID {
            let bc = BasicConstraints::from_der(ext.extn_value.as_bytes()).map_err(malformed)?;
            if bc.ca {
                return Ok(false);
            }
        } else if ext.extn_id == KeyUsage::OID {
            let ku = KeyUsage::from_der(ext.extn_value.as_bytes()).map_err(malformed)?;
            if !(ku.digital_signature() || ku.non_repudiation()) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Whether `crl` (DER) is current at `now`: issued, and not past its next update.
pub fn list_is_current(crl: &[u8], now: SystemTime) -> bool {
    CertificateList::<x509_cert::certificate::Rfc5280>::from_der(crl).is_ok_and(|list| {
        list.tbs_cert_list.this_update.to_system_time() <= now
            && list.tbs_cert_list.next_update.is_some_and(|n| now <= n.to_system_time())
    })
}

/// When `cert` (DER) was revoked according to `crl`, the revocation list `authority` signed;
/// `None` when it is not on the list. A list not signed by the authority is refused.
pub fn revoked_at(cert: &[u8], authority: &[u8], crl: &[u8]) -> Result<Option<SystemTime>, CertError> {
    let cert = Certificate::from_der(cert).map_err(malformed)?;
    let ca = Certificate::from_der(authority).map_err(malformed)?;
    let list = CertificateList::from_der(crl).map_err(malformed)?;
    let list_der = list.tbs_cert_list.to_der().map_err(malformed)?;
    if list.tbs_cert_list.issuer != *ca.tbs_certificate().subject()
        || !signed_by(&list_der, &list.signature_algorithm, &list.signature, &key_of(&ca)?)
    {
        return Err(CertError::Malformed("список отзыва подписан не этим удостоверяющим центром".into()));
    }
    let serial = cert.tbs_certificate().serial_number();
    Ok(list
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| r.serial_number == *serial)
        .map(|r| r.revocation_date.to_system_time()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::Curve;

    const DAY: Duration = Duration::from_secs(86_400);

    fn key() -> SigningKey {
        SigningKey::generate(Curve::named("TCA").unwrap()).unwrap()
    }

    #[test]
    fn rsa_and_gost_certificates_name_their_keys_and_bundle() {
        let now = SystemTime::now();
        let rsa = crate::rsa_signer::RsaSigner::generate().unwrap();
        let rsa_cert = self_signed_rsa(&rsa, "CN=ЕСИА RSA", now, DAY).unwrap();
        let gost = key();
        let req = Request { subject: "CN=ЕСИА", kind: Kind::System, serial: 1, not_before: now, lifetime: DAY };
        let gost_cert = issue(&req, gost.verifying_key(), &gost, None).unwrap();
        let bundle = format!("{}{}", to_pem(&gost_cert).unwrap(), to_pem(&rsa_cert).unwrap());
        let certs = pem_bundle(&bundle);
        assert_eq!(certs, vec![gost_cert.clone(), rsa_cert.clone()]);
        let (g, r) = (AnyKey::from_certificate(&gost_cert).unwrap(), AnyKey::from_certificate(&rsa_cert).unwrap());
        assert_eq!((g.algorithm().name(), r.algorithm().name()), ("GOST3410_2012_256", "RS256"));
        use sep_core::signer::Signer as _;
        assert!(r.verify(b"m", &rsa.sign(b"m").unwrap()).is_ok());
        assert!(g.verify(b"m", &gost.sign(b"m").unwrap()).is_ok());
        assert!(g.verify(b"m", &rsa.sign(b"m").unwrap()).is_err());
    }

    #[test]
    fn an_authority_issues_checks_and_revokes() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
        let ca_key = key();
        let ca_req = Request {
            subject: "CN=Тестовый УЦ СЭП,O=СЭП",
            kind: Kind::Authority,
            serial: 1,
            not_before: start,
            lifetime: 3650 * DAY,
        };
        let ca = issue(&ca_req, ca_key.verifying_key(), &ca_key, None).unwrap();
        assert_eq!(check(&ca, &ca, None, start + DAY), Ok(()), "the authority's own certificate");

        let client_key = key();
        let req = Request {
            subject: "CN=sep-portal,O=СЭП",
            kind: Kind::Client,
            serial: 2,
            not_before: start,
            lifetime: 365 * DAY,
        };
        let cert = issue(&req, client_key.verifying_key(), &ca_key, Some(&ca)).unwrap();
        assert_eq!(public_key(&cert).unwrap().to_le_bytes(), client_key.verifying_key().to_le_bytes());
        assert_eq!(check(&cert, &ca, None, start + DAY), Ok(()));
        assert_eq!(check(&cert, &ca, None, start - DAY), Err(CertError::NotYetValid));
        assert_eq!(check(&cert, &ca, None, start + 400 * DAY), Err(CertError::Expired));

        let empty = revocation_list(&[], &ca_key, &ca, start, start + 30 * DAY).unwrap();
        assert_eq!(check(&cert, &ca, Some(&empty), start + DAY), Ok(()));
        assert_eq!(
            check(&cert, &ca, Some(&empty), start + 40 * DAY).map_err(|e| e.code()),
            Err("cert_malformed"),
            "a list past its next update is not believed"
        );
        let crl = revocation_list(&[(2, start + DAY)], &ca_key, &ca, start + DAY, start + 30 * DAY).unwrap();
        assert_eq!(check(&cert, &ca, Some(&crl), start + 2 * DAY), Err(CertError::Revoked));

        // Another authority with the same name: the signature gives it away.
        let other_key = key();
        let other = issue(&ca_req, other_key.verifying_key(), &other_key, None).unwrap();
        let forged = issue(&req, client_key.verifying_key(), &other_key, Some(&other)).unwrap();
        assert_eq!(check(&forged, &ca, None, start + DAY), Err(CertError::WrongIssuer));
        let other_crl = revocation_list(&[], &other_key, &other, start, start + DAY).unwrap();
        assert_eq!(check(&cert, &ca, Some(&other_crl), start + DAY).map_err(|e| e.code()), Err("cert_malformed"));
        // Issued by someone else by name.
        let stranger_req = Request { subject: "CN=Чужой УЦ", ..ca_req };
        let stranger = issue(&stranger_req, other_key.verifying_key(), &other_key, None).unwrap();
        let theirs = issue(&req, client_key.verifying_key(), &other_key, Some(&stranger)).unwrap();
        assert_eq!(check(&theirs, &ca, None, start + DAY), Err(CertError::WrongIssuer));
        assert_eq!(check(b"not a certificate", &ca, None, start).map_err(|e| e.code()), Err("cert_malformed"));
        for e in [CertError::Expired, CertError::NotYetValid, CertError::Revoked, CertError::WrongIssuer] {
            assert!(e.code().starts_with("cert_"));
        }
    }
}

//! Detached CMS (PKCS#7) `SignedData` with ГОСТ Р 34.10-2012 (256) and Стрибог-256 (SPEC E3),
//! on RustCrypto's `cms` types: what ЕСИА's legacy endpoints take as `client_secret`, and what
//! signs documents. The layout is what openssl's gost engine writes and reads (`openssl cms
//! -sign -binary`): signed attributes content type, message digest and signing time; the signer
//! named by issuer and serial; its certificate inside.

use crate::cert::{self, CertError};
use crate::gost::{SigningKey, spki::GOST_2012_256, spki::STREEBOG_256, streebog256};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use std::time::SystemTime;
use x509_cert::attr::Attribute;
use x509_cert::certificate::Certificate;

const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

fn malformed(e: impl std::fmt::Display) -> CertError {
    CertError::Malformed(format!("CMS: {e}"))
}

fn attribute(kind: &str, value: Any) -> Result<Attribute, CertError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(malformed)?;
    Ok(Attribute { oid: oid(kind), values })
}

/// A detached signature of `content` by `key`, whose certificate is `cert` (DER). DER.
pub fn sign_detached(content: &[u8], key: &SigningKey, cert: &[u8], at: SystemTime) -> Result<Vec<u8>, CertError> {
    sign_detached_digest(&streebog256(content), key, cert, at)
}

/// A detached signature of the content whose Стрибог-256 hash is `digest` (the cloud signature
/// signs the hash the person confirmed, not whatever bytes are at hand then). DER.
pub fn sign_detached_digest(
    digest: &[u8; 32],
    key: &SigningKey,
    cert: &[u8],
    at: SystemTime,
) -> Result<Vec<u8>, CertError> {
    let certificate = Certificate::from_der(cert).map_err(malformed)?;
    let digest_alg = AlgorithmIdentifierOwned { oid: oid(STREEBOG_256), parameters: None };
    let mut attrs = SetOfVec::new();
    attrs.insert(attribute(CONTENT_TYPE, Any::encode_from(&oid(ID_DATA)).map_err(malformed)?)?).map_err(malformed)?;
    let digest = OctetString::new(digest.to_vec()).map_err(malformed)?;
    attrs.insert(attribute(MESSAGE_DIGEST, Any::encode_from(&digest).map_err(malformed)?)?).map_err(malformed)?;
    let when = UtcTime::from_system_time(at).map_err(malformed)?;
    attrs.insert(attribute(SIGNING_TIME, Any::encode_from(&when).map_err(malformed)?)?).map_err(malformed)?;
    // The signature covers the attributes as a DER SET (RFC 5652 §5.4), not as the [0] field.
    let signature = key.sign(&attrs.to_der().map_err(malformed)?)?;
    let tbs = certificate.tbs_certificate();
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned { oid: oid(GOST_2012_256), parameters: None },
        signature: OctetString::new(signature.to_vec()).map_err(malformed)?,
        unsigned_attrs: None,
    };
    let mut digests = SetOfVec::new();
    digests.insert(digest_alg).map_err(malformed)?;
    let mut certificates = SetOfVec::new();
    certificates.insert(CertificateChoices::Certificate(certificate)).map_err(malformed)?;
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo { econtent_type: oid(ID_DATA), econtent: None },
        certificates: Some(cms::signed_data::CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(malformed)?),
    };
    let info =
        ContentInfo { content_type: oid(ID_SIGNED_DATA), content: Any::encode_from(&signed).map_err(malformed)? };
    info.to_der().map_err(malformed)
}

/// Who signed, as the signature says.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The signer's certificate (DER), taken from the signature.
    pub certificate: Vec<u8>,
    /// The signing time, when given.
    pub at: Option<SystemTime>,
}

fn attr<'a>(attrs: &'a SetOfVec<Attribute>, kind: &str) -> Option<&'a Any> {
    attrs.iter().find(|a| a.oid == oid(kind)).and_then(|a| a.values.iter().next())
}

/// Checks a detached signature (DER) of `content`: its digest, its ГОСТ signature by the
/// certificate it names, and — with `authority` — that certificate against the authority and
/// its list at `now`. `CertError::Malformed` when the signature does not hold.
pub fn verify_detached(
    signature: &[u8],
    content: &[u8],
    authority: Option<(&[u8], Option<&[u8]>)>,
    now: SystemTime,
) -> Result<Signed, CertError> {
    verify_detached_by(signature, content, None, authority, now)
}

/// A detached signature read apart: the signer's certificate and what they signed.
#[derive(Debug)]
pub struct Opened {
    /// The signer's certificate (DER), taken from the signature.
    pub certificate: Vec<u8>,
    /// The signing time the signer wrote, when given.
    pub at: Option<SystemTime>,
    attrs: Vec<u8>,
    digest: Vec<u8>,
    value: Vec<u8>,
    /// The certificate's key, read once with the certificate (or why it could not be).
    key: Result<crate::gost::VerifyingKey, CertError>,
}

impl Opened {
    /// Whether this signature covers `content`: the signed digest is `content`'s Стрибог-256
    /// and the ГОСТ signature over the signed attributes holds for the certificate's key.
    pub fn covers(&self, content: &[u8]) -> bool {
        self.covers_digest(&streebog256(content))
    }

    /// [`Opened::covers`] for content whose Стрибог-256 is `digest` (hashed once by the caller).
    pub fn covers_digest(&self, digest: &[u8]) -> bool {
        self.digest == digest && self.key.as_ref().is_ok_and(|key| key.verify(&self.attrs, &self.value).is_ok())
    }
}

/// Reads a detached signature (DER) apart without checking it: `CertError::Malformed` when it
/// is not SignedData with one ГОСТ signer named by issuer and serial, its certificate inside,
/// and exactly one content type (id-data) and one message digest among its signed attributes.
pub fn open(signature: &[u8]) -> Result<Opened, CertError> {
    let info = ContentInfo::from_der(signature).map_err(malformed)?;
    if info.content_type != oid(ID_SIGNED_DATA) {
        return Err(malformed("not SignedData"));
    }
    let signed: SignedData = info.content.decode_as().map_err(malformed)?;
    // Exactly one signer: a second one would be a signature nobody looked at.
    if signed.signer_infos.0.len() != 1 {
        return Err(malformed("one signer expected"));
    }
    let signer = signed.signer_infos.0.iter().next().ok_or_else(|| malformed("no signer"))?;
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer.sid else {
        return Err(malformed("the signer is not named by issuer and serial"));
    };
    let certificate = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate().issuer() == &sid.issuer
                    && c.tbs_certificate().serial_number() == &sid.serial_number =>
            {
                Some(c)
            }
            _ => None,
        })
        .ok_or_else(|| malformed("the signer's certificate is not inside"))?;
    if signer.digest_alg.oid != oid(STREEBOG_256) || signer.signature_algorithm.oid != oid(GOST_2012_256) {
        return Err(malformed(format!("algorithms {} / {}", signer.digest_alg.oid, signer.signature_algorithm.oid)));
    }
    let attrs = signer.signed_attrs.as_ref().ok_or_else(|| malformed("no signed attributes"))?;
    // Exactly one content type (id-data, as the content is) and one digest: no second value
    // for a reader to pick instead.
    let single = |kind: &str| attrs.iter().filter(|a| a.oid == oid(kind)).map(|a| a.values.len()).sum::<usize>() == 1;
    if !single(CONTENT_TYPE) || !single(MESSAGE_DIGEST) || signed.encap_content_info.econtent_type != oid(ID_DATA) {
        return Err(malformed("content type and message digest must be given once"));
    }
    let content_type: ObjectIdentifier =
        attr(attrs, CONTENT_TYPE).ok_or_else(|| malformed("no content type"))?.decode_as().map_err(malformed)?;
    if content_type != oid(ID_DATA) {
        return Err(malformed("the signed content type is not id-data"));
    }
    let digest: OctetString =
        attr(attrs, MESSAGE_DIGEST).ok_or_else(|| malformed("no message digest"))?.decode_as().map_err(malformed)?;
    // RFC 5652: UTCTime through 2049, GeneralizedTime after.
    let at = attr(attrs, SIGNING_TIME).and_then(|t| {
        t.decode_as::<UtcTime>()
            .map(|t| t.to_system_time())
            .or_else(|_| t.decode_as::<der::asn1::GeneralizedTime>().map(|t| t.to_system_time()))
            .ok()
    });
    Ok(Opened {
        key: cert::key_of(certificate),
        certificate: certificate.to_der().map_err(malformed)?,
        at,
        attrs: attrs.to_der().map_err(malformed)?,
        digest: digest.as_bytes().to_vec(),
        value: signer.signature.as_bytes().to_vec(),
    })
}

/// [`verify_detached`] by a known signer: refused as [`CertError::WrongIssuer`] before any
/// signature arithmetic when the certificate inside is not `expected` (DER) — so a request
/// signed by a stranger costs a comparison, not three scalar multiplications.
pub fn verify_detached_by(
    signature: &[u8],
    content: &[u8],
    expected: Option<&[u8]>,
    authority: Option<(&[u8], Option<&[u8]>)>,
    now: SystemTime,
) -> Result<Signed, CertError> {
    let opened = open(signature)?;
    if expected.is_some_and(|e| e != opened.certificate.as_slice()) {
        return Err(CertError::WrongIssuer);
    }
    if opened.digest != streebog256(content) {
        return Err(malformed("the content differs from what was signed"));
    }
    let key = opened.key.as_ref().map_err(Clone::clone)?;
    key.verify(&opened.attrs, &opened.value).map_err(|_| malformed("the signature does not match"))?;
    if let Some((ca, crl)) = authority {
        // At `now`, not at the signing time the signer wrote: a request is fresh, and an
        // archived document's signature needs a timestamp authority to be believed later.
        cert::check(&opened.certificate, ca, crl, now)?;
    }
    Ok(Signed { certificate: opened.certificate, at: opened.at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{Kind, Request, issue};
    use crate::gost::Curve;
    use std::time::Duration;

    #[test]
    fn a_detached_signature_holds_for_its_content_only() {
        let now = SystemTime::now();
        let ca_key = SigningKey::generate(Curve::named("TCA").unwrap()).unwrap();
        let ca_req = Request {
            subject: "CN=УЦ",
            kind: Kind::Authority,
            serial: 1,
            not_before: now,
            lifetime: Duration::from_secs(86_400 * 10),
        };
        let ca = issue(&ca_req, ca_key.verifying_key(), &ca_key, None).unwrap();
        let key = SigningKey::generate(Curve::named("TCA").unwrap()).unwrap();
        let req = Request { subject: "CN=sep-portal", kind: Kind::Client, serial: 5, ..ca_req };
        let cert = issue(&req, key.verifying_key(), &ca_key, Some(&ca)).unwrap();
        let content = b"openid2026.11.22 16:11:21 +0300sep-portalstate";
        let sig = sign_detached(content, &key, &cert, now).unwrap();
        let signed = verify_detached(&sig, content, Some((&ca, None)), now).unwrap();
        assert_eq!(signed.certificate, cert);
        assert!(verify_detached(&sig, b"other", None, now).is_err());
        let mut bent = sig.clone();
        let at = bent.len() - 10;
        bent[at] ^= 1;
        assert!(verify_detached(&bent, content, None, now).is_err());
        let later = now + Duration::from_secs(86_400 * 20);
        assert_eq!(verify_detached(&sig, content, Some((&ca, None)), later).unwrap_err(), CertError::Expired);
    }
}

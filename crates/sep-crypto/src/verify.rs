//! The signature checker of the core's port (`sep_core::signature`): a detached CMS signature
//! of a document against a list of trusted authorities, each with its revocation list. The
//! certificate is judged at the signing time the signature gives (there is no timestamp
//! authority yet): valid then, issued by a trusted authority, and not revoked before it.

use crate::cert::{self, CertError};
use crate::cms;
use sep_core::signature::{Certificate, Refusal, SignatureChecker, Verdict};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;

/// A trusted authority: its certificate (DER) and where its revocation list is.
#[derive(Debug, Clone)]
pub struct Authority {
    /// The authority's certificate, DER.
    pub certificate: Vec<u8>,
    /// Its revocation list, DER, as given.
    pub crl: Option<Vec<u8>>,
    /// A file holding its current revocation list, read at each check (so a revocation counts
    /// at once, without a restart); it wins over `crl`.
    pub crl_file: Option<PathBuf>,
}

impl Authority {
    /// The authority's list as it is now.
    fn current_list(&self) -> Option<Vec<u8>> {
        self.crl_file.as_ref().and_then(|f| std::fs::read(f).ok()).or_else(|| self.crl.clone())
    }
}

/// The authorities whose certificates are trusted.
#[derive(Debug, Clone, Default)]
pub struct TrustList {
    authorities: Vec<Authority>,
}

impl TrustList {
    /// A list of `authorities`.
    pub fn new(authorities: Vec<Authority>) -> Self {
        Self { authorities }
    }

    /// The test authority in `dir` (`ca.cert.der`, and `crl.der` read at each check).
    pub fn from_ca_dir(dir: &Path) -> std::io::Result<Self> {
        let certificate = std::fs::read(dir.join("ca.cert.der"))?;
        Ok(Self::new(vec![Authority { certificate, crl: None, crl_file: Some(dir.join("crl.der")) }]))
    }

    /// Authorities from a file of one or more certificates (PEM) or one certificate (DER);
    /// their revocation lists are not known, which every verdict says.
    pub fn from_file(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut certs = cert::pem_bundle(&text);
        if certs.is_empty() {
            certs.extend(cert::from_pem_or_der(&bytes));
        }
        if certs.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "no certificate in the file"));
        }
        Ok(Self::new(
            certs.into_iter().map(|certificate| Authority { certificate, crl: None, crl_file: None }).collect(),
        ))
    }

    /// Whether the list trusts nobody.
    pub fn is_empty(&self) -> bool {
        self.authorities.is_empty()
    }
}

fn when(t: SystemTime) -> OffsetDateTime {
    OffsetDateTime::from(t)
}

/// How far ahead of the clock a claimed signing time may be (clocks differ a little).
const SKEW: Duration = Duration::from_secs(300);

impl SignatureChecker for TrustList {
    fn check(&self, document: &[u8], signature: &[u8], now: OffsetDateTime) -> Verdict {
        // The document is hashed once: for the page and for the comparison.
        let digest = crate::gost::streebog256(document);
        let mut verdict = Verdict {
            outcome: Err(Refusal::Malformed),
            document_hash: digest.iter().map(|b| format!("{b:02x}")).collect(),
            hash_matches: None,
            signer: None,
            signed_at: None,
            authority: None,
            revoked_at: None,
            revocation_checked: false,
        };
        // A `.sig` saved as PEM (`-----BEGIN CMS-----`) reads as well as DER.
        let der = pem_body(signature).unwrap_or_else(|| signature.to_vec());
        let Ok(opened) = cms::open(&der) else { return verdict };
        let Ok(facts) = cert::facts(&opened.certificate) else { return verdict };
        verdict.signer = Some(Certificate::from(facts));
        verdict.signed_at = opened.at.map(when);
        let covers = opened.covers_digest(&digest);
        verdict.hash_matches = Some(covers);
        if !covers {
            verdict.outcome = Err(Refusal::Mismatch);
            return verdict;
        }
        let now_sys: SystemTime = now.into();
        // A signing time in the future is no time at all.
        if opened.at.is_some_and(|at| at > now_sys + SKEW) {
            verdict.outcome = Err(Refusal::Malformed);
            return verdict;
        }
        verdict.outcome = Err(Refusal::Untrusted);
        for authority in &self.authorities {
            // The signing time is the signer's own claim: the certificate is judged now, so a
            // leaked key cannot sign "before" its revocation or expiry.
            match cert::check(&opened.certificate, &authority.certificate, None, now_sys) {
                Err(CertError::WrongIssuer | CertError::Malformed(_) | CertError::Sign(_)) => continue,
                Err(CertError::Expired) => verdict.outcome = Err(Refusal::Expired),
                Err(CertError::NotYetValid) => verdict.outcome = Err(Refusal::NotYetValid),
                Err(CertError::Revoked) => verdict.outcome = Err(Refusal::Revoked),
                Ok(()) => verdict.outcome = Ok(()),
            }
            verdict.authority = cert::facts(&authority.certificate).ok().map(|f| f.subject);
            if verdict.outcome.is_ok() && !cert::signs_documents(&opened.certificate).unwrap_or(false) {
                verdict.outcome = Err(Refusal::WrongUsage);
            }
            if let Some(crl) = authority.current_list() {
                match cert::revoked_at(&opened.certificate, &authority.certificate, &crl) {
                    // A list that is not the authority's own says nothing either way: refuse.
                    Err(_) => verdict.outcome = Err(Refusal::Untrusted),
                    Ok(revoked) => {
                        verdict.revocation_checked = cert::list_is_current(&crl, now_sys);
                        if let Some(at) = revoked {
                            verdict.revoked_at = Some(when(at));
                            if verdict.outcome.is_ok() {
                                verdict.outcome = Err(Refusal::Revoked);
                            }
                        }
                    }
                }
            }
            break;
        }
        verdict
    }

    fn authorities_pem(&self) -> String {
        self.authorities.iter().filter_map(|a| cert::to_pem(&a.certificate)).collect()
    }

    fn signed_with(&self, signature: &[u8], certificate: &[u8]) -> Option<bool> {
        let given = cert::from_pem_or_der(certificate).filter(|der| cert::facts(der).is_ok())?;
        let der = pem_body(signature).unwrap_or_else(|| signature.to_vec());
        Some(cms::open(&der).is_ok_and(|opened| opened.certificate == given))
    }
}

/// The DER inside a PEM-armoured signature, if `bytes` is one.
fn pem_body(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return None;
    }
    der::pem::decode_vec(bytes.trim_ascii()).ok().map(|(_, der)| der)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{Kind, Request, issue, revocation_list};
    use crate::gost::{Curve, SigningKey};
    use std::time::Duration;

    const DAY: Duration = Duration::from_secs(86_400);

    struct Ca {
        key: SigningKey,
        cert: Vec<u8>,
    }

    fn authority(name: &str, now: SystemTime) -> Ca {
        let key = SigningKey::generate(Curve::named("TCA").unwrap()).unwrap();
        let req = Request { subject: name, kind: Kind::Authority, serial: 1, not_before: now, lifetime: DAY * 3650 };
        let cert = issue(&req, key.verifying_key(), &key, None).unwrap();
        Ca { key, cert }
    }

    fn signer(ca: &Ca, serial: u64, from: SystemTime, days: u32) -> (SigningKey, Vec<u8>) {
        let key = SigningKey::generate(Curve::named("TCA").unwrap()).unwrap();
        let req =
            Request {
                subject: "CN=Иванов Иван", kind: Kind::User, serial, not_before: from, lifetime: DAY * days
            };
        let cert = issue(&req, key.verifying_key(), &ca.key, Some(&ca.cert)).unwrap();
        (key, cert)
    }

    fn at(t: SystemTime) -> OffsetDateTime {
        OffsetDateTime::from(t)
    }

    #[test]
    fn every_refusal_has_its_own_code() {
        let now = SystemTime::now();
        let ca = authority("CN=Тестовый УЦ", now);
        let trust = TrustList::new(vec![Authority { certificate: ca.cert.clone(), crl: None, crl_file: None }]);
        let (key, cert) = signer(&ca, 2, now, 365);
        let doc = b"%PDF-1.7 a document";
        let sig = cms::sign_detached(doc, &key, &cert, now).unwrap();

        let good = trust.check(doc, &sig, at(now));
        assert!(good.is_valid(), "{good:?}");
        assert_eq!(good.code(), "signature_valid");
        assert_eq!(good.hash_matches, Some(true));
        assert!(good.signer.as_ref().unwrap().subject.contains("Иванов"), "{good:?}");
        assert_eq!(good.authority.as_deref(), Some("CN=Тестовый УЦ"));
        assert_eq!(good.document_hash, crate::gost::streebog256_hex(doc));

        assert_eq!(trust.check(b"another document", &sig, at(now)).code(), "signature_mismatch");
        assert_eq!(trust.check(doc, b"not a signature at all", at(now)).code(), "signature_malformed");
        assert_eq!(trust.check(doc, b"", at(now)).code(), "signature_malformed");
        let mut bent = sig.clone();
        let last = bent.len() - 5;
        bent[last] ^= 1;
        assert_eq!(trust.check(doc, &bent, at(now)).code(), "signature_mismatch", "a broken value");

        let stranger = authority("CN=Чужой УЦ", now);
        let (skey, scert) = signer(&stranger, 2, now, 365);
        let foreign = cms::sign_detached(doc, &skey, &scert, now).unwrap();
        assert_eq!(trust.check(doc, &foreign, at(now)).code(), "cert_untrusted");
        assert_eq!(TrustList::default().check(doc, &sig, at(now)).code(), "cert_untrusted");

        let (old_key, old_cert) = signer(&ca, 3, now - DAY * 30, 10);
        let late = cms::sign_detached(doc, &old_key, &old_cert, now).unwrap();
        assert_eq!(trust.check(doc, &late, at(now)).code(), "cert_expired");

        // The signing time is only claimed: a certificate that has expired by now refuses,
        // and a time in the future is refused too.
        let early = cms::sign_detached(doc, &key, &cert, now).unwrap();
        assert_eq!(trust.check(doc, &early, at(now + DAY * 400)).code(), "cert_expired");
        let ahead = cms::sign_detached(doc, &key, &cert, now + DAY).unwrap();
        assert_eq!(trust.check(doc, &ahead, at(now)).code(), "signature_malformed");
        // An authority's own certificate does not sign documents.
        let by_ca = cms::sign_detached(doc, &ca.key, &ca.cert, now).unwrap();
        assert_eq!(trust.check(doc, &by_ca, at(now)).code(), "cert_wrong_usage");
        assert!(!good.revocation_checked, "no list: said so");

        // PEM-armoured signatures read too.
        let pem = der::pem::encode_string("CMS", der::pem::LineEnding::LF, &sig).unwrap();
        assert!(trust.check(doc, pem.as_bytes(), at(now)).is_valid());
        assert!(trust.authorities_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn a_revocation_counts_whatever_time_the_signer_claims() {
        let now = SystemTime::now();
        let ca = authority("CN=Тестовый УЦ", now - DAY);
        let (key, cert) = signer(&ca, 7, now - DAY, 365);
        let doc = b"document";
        let before = cms::sign_detached(doc, &key, &cert, now - Duration::from_secs(3600)).unwrap();
        let after = cms::sign_detached(doc, &key, &cert, now + Duration::from_secs(3600)).unwrap();
        let crl = revocation_list(&[(7, now)], &ca.key, &ca.cert, now, now + DAY * 7).unwrap();
        let trust = TrustList::new(vec![Authority { certificate: ca.cert.clone(), crl: Some(crl), crl_file: None }]);
        let v = trust.check(doc, &before, at(now + Duration::from_secs(7200)));
        assert_eq!(v.code(), "cert_revoked", "a backdated signing time does not escape the revocation: {v:?}");
        assert!(v.revoked_at.is_some() && v.revocation_checked);
        assert_eq!(trust.check(doc, &after, at(now + Duration::from_secs(7200))).code(), "cert_revoked");
        // A list signed by someone else is not believed.
        let other = authority("CN=Тестовый УЦ", now);
        let forged = revocation_list(&[], &other.key, &other.cert, now, now + DAY).unwrap();
        let trust = TrustList::new(vec![Authority { certificate: ca.cert.clone(), crl: Some(forged), crl_file: None }]);
        assert_eq!(trust.check(doc, &before, at(now)).code(), "cert_untrusted");
    }
}

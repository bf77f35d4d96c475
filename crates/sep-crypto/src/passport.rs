//! The e-passport's keys (SPEC EP2): two roots and two document signers, kept beside the
//! test authority in its directory and made on first use.
//!
//! - the **ГОСТ root** is the authority's own key (the СЭП root); it certifies the ГОСТ
//!   document signer (`passport-gost-dsc`);
//! - the **ES256 root** (`passport-es256-root.pair`: the key and its self-signed certificate);
//!   it certifies the ES256 document signer (`passport-es256-dsc`), so that a verifier with
//!   no ГОСТ (a browser's WebCrypto, a foreign bank) can check a whole chain.
//!
//! Both roots sign the published lists; each signer signs codes in its own profile.
//! [`PassportKeys`] is the core's [`Keys`] port over X.509.

use crate::ca::{CaError, TestCa, io, write_secret};
use crate::cert::{self, CertError, Kind, Profile, Request, malformed, time};
use crate::gost::GostSigner;
use crate::p256_signer::{P256Signer, P256Verifier};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use p256::ecdsa::{DerSignature, SigningKey as EcKey, VerifyingKey as EcPublic};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey};
use sep_core::passport::lists::Keys;
use sep_core::signer::{Algorithm, SignError, Verifier};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::Certificate;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// How long a root is valid.
pub const ROOT_LIFETIME: Duration = Duration::from_secs(25 * 365 * 86_400);
/// How long a document signer is valid: longer than an e-passport (10 years).
pub const SIGNER_LIFETIME: Duration = Duration::from_secs(15 * 365 * 86_400);

const ES_ROOT: &str = "passport-es256-root";
const ES_SIGNER: &str = "passport-es256-dsc";
const GOST_SIGNER: &str = "passport-gost-dsc";

const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const PRIME256V1: &str = "1.2.840.10045.3.1.7";

/// A P-256 certificate for `key` as `request` says, signed by `issuer` on behalf of
/// `issuer_cert` (`None`: self-signed). DER.
pub fn issue_p256(
    request: &Request<'_>,
    key: &EcPublic,
    issuer: &EcKey,
    issuer_cert: Option<&[u8]>,
) -> Result<Vec<u8>, CertError> {
    let subject = Name::from_str(request.subject).map_err(malformed)?;
    let issuer_name = match issuer_cert {
        Some(der) => Certificate::from_der(der).map_err(malformed)?.tbs_certificate().subject().clone(),
        None => subject.clone(),
    };
    let spki_der = key.to_public_key_der().map_err(malformed)?;
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes()).map_err(malformed)?;
    let validity = Validity::new(time(request.not_before)?, time(request.not_before + request.lifetime)?);
    let profile = Profile { issuer: issuer_name, subject, kind: request.kind };
    let serial = SerialNumber::new(&request.serial.to_be_bytes()).map_err(malformed)?;
    let builder = CertificateBuilder::new(profile, serial, validity, spki).map_err(malformed)?;
    let cert = builder.build::<_, DerSignature>(issuer).map_err(malformed)?;
    cert.to_der().map_err(malformed)
}

/// The algorithm of the key in `cert` (DER), for those a passport uses.
pub fn key_algorithm(cert: &[u8]) -> Option<Algorithm> {
    let c = Certificate::from_der(cert).ok()?;
    let spki = c.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid == ObjectIdentifier::new_unwrap(crate::gost::spki::GOST_2012_256) {
        return Some(Algorithm::Gost2012_256);
    }
    let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    (spki.algorithm.oid == ObjectIdentifier::new_unwrap(EC_PUBLIC_KEY)
        && curve == Some(ObjectIdentifier::new_unwrap(PRIME256V1)))
    .then_some(Algorithm::EcdsaP256)
}

fn ec_public(cert: &Certificate) -> Result<EcPublic, CertError> {
    let der = cert.tbs_certificate().subject_public_key_info().to_der().map_err(malformed)?;
    EcPublic::from_public_key_der(&der).map_err(malformed)
}

/// Checks that the P-256 root `authority` signed `cert` and that `cert` is valid at `now`.
pub fn check_p256(cert: &[u8], authority: &[u8], now: SystemTime) -> Result<(), CertError> {
    use p256::ecdsa::signature::Verifier as _;
    let cert = Certificate::from_der(cert).map_err(malformed)?;
    let ca = Certificate::from_der(authority).map_err(malformed)?;
    let tbs = cert.tbs_certificate();
    let algorithm = ObjectIdentifier::new_unwrap(ECDSA_WITH_SHA256);
    if tbs.issuer() != ca.tbs_certificate().subject()
        || tbs.signature() != cert.signature_algorithm()
        || cert.signature_algorithm().oid != algorithm
    {
        return Err(CertError::WrongIssuer);
    }
    let sig = cert.signature().as_bytes().ok_or(CertError::WrongIssuer)?;
    let sig = p256::ecdsa::Signature::from_der(sig).map_err(|_| CertError::WrongIssuer)?;
    let tbs_der = tbs.to_der().map_err(malformed)?;
    ec_public(&ca)?.verify(&tbs_der, &sig).map_err(|_| CertError::WrongIssuer)?;
    let validity = tbs.validity();
    if now < validity.not_before.to_system_time() {
        return Err(CertError::NotYetValid);
    }
    if now > validity.not_after.to_system_time() {
        return Err(CertError::Expired);
    }
    Ok(())
}

/// The core's [`Keys`] port over X.509 certificates (ГОСТ 2012-256 and P-256).
#[derive(Debug, Clone, Copy, Default)]
pub struct PassportKeys;

impl Keys for PassportKeys {
    fn verifier(&self, algorithm: Algorithm, certificate: &[u8]) -> Result<Box<dyn Verifier>, SignError> {
        let bad = |e: CertError| SignError::Key(e.to_string());
        match (algorithm, key_algorithm(certificate)) {
            (Algorithm::Gost2012_256, Some(Algorithm::Gost2012_256)) => {
                Ok(Box::new(cert::public_key(certificate).map_err(bad)?))
            }
            (Algorithm::EcdsaP256, Some(Algorithm::EcdsaP256)) => {
                let c = Certificate::from_der(certificate).map_err(|e| SignError::Key(e.to_string()))?;
                Ok(Box::new(P256Verifier::from_key(ec_public(&c).map_err(bad)?)))
            }
            _ => Err(SignError::Key("ключ сертификата другого алгоритма".into())),
        }
    }

    fn algorithm(&self, certificate: &[u8]) -> Option<Algorithm> {
        key_algorithm(certificate)
    }

    fn issued_by(&self, certificate: &[u8], root: &[u8], now: OffsetDateTime) -> bool {
        let now: SystemTime = now.into();
        match key_algorithm(root) {
            Some(Algorithm::Gost2012_256) => cert::check(certificate, root, None, now).is_ok(),
            Some(Algorithm::EcdsaP256) => check_p256(certificate, root, now).is_ok(),
            _ => false,
        }
    }

    fn spki(&self, certificate: &[u8]) -> Option<Vec<u8>> {
        Certificate::from_der(certificate).ok()?.tbs_certificate().subject_public_key_info().to_der().ok()
    }

    fn not_after(&self, certificate: &[u8]) -> Option<OffsetDateTime> {
        cert::facts(certificate).ok().map(|f| OffsetDateTime::from(f.not_after))
    }
}

/// The e-passport's keys in an authority's directory.
#[derive(Debug)]
pub struct PassportPki {
    ca: TestCa,
    dir: PathBuf,
}

/// A P-256 key with its certificate, kept as one file `NAME.pair` (the key's and the
/// certificate's hex, a line each): one file is there whole or not at all.
fn read_p256(dir: &Path, name: &str) -> Result<Option<(EcKey, Vec<u8>)>, CaError> {
    let path = dir.join(format!("{name}.pair"));
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let bad = |e: String| CaError::Corrupt { path: path.clone(), problem: e };
    let mut lines = text.lines();
    let (Some(key), Some(cert)) = (lines.next(), lines.next()) else {
        return Err(bad("не два значения".into()));
    };
    let key =
        EcKey::from_slice(&hex::decode(key.trim()).map_err(|e| bad(e.to_string()))?).map_err(|e| bad(e.to_string()))?;
    let cert = hex::decode(cert.trim()).map_err(|e| bad(e.to_string()))?;
    Ok(Some((key, cert)))
}

fn new_p256() -> Result<EcKey, CaError> {
    let signer = P256Signer::generate().map_err(|e| CaError::Cert(CertError::Malformed(e.to_string())))?;
    EcKey::from_slice(&signer.to_bytes()).map_err(|e| CaError::Cert(CertError::Malformed(e.to_string())))
}

/// Writes a key and its certificate as one file so that a crash leaves both or neither, and
/// two processes making them at once end with one pair: the file is written under a name of
/// this process, then linked into place — which fails if another process was first, whose
/// pair then stands.
fn write_p256(dir: &Path, name: &str, key: &EcKey, cert: &[u8]) -> Result<(), CaError> {
    let mut salt = [0u8; 8];
    getrandom::fill(&mut salt).map_err(|e| CaError::Cert(CertError::Malformed(e.to_string())))?;
    let tmp = dir.join(format!(".{name}.pair.{}-{}", std::process::id(), hex::encode(salt)));
    write_secret(&tmp, &format!("{}\n{}\n", hex::encode(key.to_bytes()), hex::encode(cert)))?;
    let path = dir.join(format!("{name}.pair"));
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(&path)(e)),
    }
}

impl PassportPki {
    /// The keys beside the authority in `dir`, making what is missing (valid from an hour
    /// before `now`: a verifier whose clock is a little behind, or a certificate's validity
    /// kept in whole seconds, must not find a new signer not yet valid).
    pub fn open(dir: &Path, now: SystemTime) -> Result<Self, CaError> {
        let now = now.checked_sub(Duration::from_secs(3600)).unwrap_or(now);
        let ca = TestCa::open(dir)?;
        let pki = Self { ca, dir: dir.to_owned() };
        // Several requests of one process may ask at once (the files settle races between
        // processes: see `write_p256`).
        static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = MAKING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (root_key, root_cert) = match read_p256(dir, ES_ROOT)? {
            Some(found) => found,
            None => {
                let key = new_p256()?;
                let subject = "CN=СЭП — корневой ключ электронных паспортов (ES256),O=СЭП,C=RU";
                let request =
                    Request { subject, kind: Kind::Authority, serial: 1, not_before: now, lifetime: ROOT_LIFETIME };
                let cert = issue_p256(&request, key.verifying_key(), &key, None)?;
                write_p256(dir, ES_ROOT, &key, &cert)?;
                (key, cert)
            }
        };
        if read_p256(dir, ES_SIGNER)?.is_none() {
            let key = new_p256()?;
            let subject = "CN=СЭП — подпись электронных паспортов (ES256),O=СЭП,C=RU";
            let serial = now.duration_since(SystemTime::UNIX_EPOCH).map_or(2, |d| d.as_secs());
            let request = Request { subject, kind: Kind::System, serial, not_before: now, lifetime: SIGNER_LIFETIME };
            let cert = issue_p256(&request, key.verifying_key(), &root_key, Some(&root_cert))?;
            write_p256(dir, ES_SIGNER, &key, &cert)?;
        }
        if pki.ca.credentials(GOST_SIGNER).is_err() {
            let subject = "CN=СЭП — подпись электронных паспортов (ГОСТ),O=СЭП,C=RU";
            pki.ca.issue(GOST_SIGNER, Kind::System, subject, SIGNER_LIFETIME, now)?;
        }
        Ok(pki)
    }

    fn p256(&self, name: &str) -> Result<P256Signer, CaError> {
        let path = self.dir.join(format!("{name}.pair"));
        let (key, cert) = read_p256(&self.dir, name)?
            .ok_or_else(|| CaError::Corrupt { path, problem: "нет ключа".into() })?;
        P256Signer::from_bytes(&key.to_bytes().into(), Some(cert))
            .map_err(|e| CaError::Cert(CertError::Malformed(e.to_string())))
    }

    /// The ES256 root.
    pub fn es256_root(&self) -> Result<P256Signer, CaError> {
        self.p256(ES_ROOT)
    }

    /// The ГОСТ root: the authority itself.
    pub fn gost_root(&self) -> Result<GostSigner, CaError> {
        let (key, cert) = self.ca.root()?;
        Ok(GostSigner::new(key, Some(cert)))
    }

    /// The ES256 document signer.
    pub fn es256_signer(&self) -> Result<P256Signer, CaError> {
        self.p256(ES_SIGNER)
    }

    /// The ГОСТ document signer.
    pub fn gost_signer(&self) -> Result<GostSigner, CaError> {
        let (key, cert) = self.ca.credentials(GOST_SIGNER)?;
        Ok(GostSigner::new(key, Some(cert)))
    }

    /// The core's keyring: both signers, both roots (ES256 first), and until when both
    /// signers' certificates hold.
    pub fn keyring(&self) -> Result<sep_core::passport::issue::Keyring, CaError> {
        use sep_core::signer::Signer as _;
        use std::sync::Arc;
        let (es256, gost) = (self.es256_signer()?, self.gost_signer()?);
        let until = [es256.certificate(), gost.certificate()]
            .into_iter()
            .map(|c| cert::facts(c.unwrap_or_default()).map(|f| OffsetDateTime::from(f.not_after)))
            .collect::<Result<Vec<_>, CertError>>()?
            .into_iter()
            .min()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Ok(sep_core::passport::issue::Keyring {
            es256: Arc::new(es256),
            gost: Arc::new(gost),
            roots: vec![Arc::new(self.es256_root()?), Arc::new(self.gost_root()?)],
            until,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sep_core::passport::code::{Claims, encode};
    use sep_core::passport::lists::{AnnulmentList, SignerEntry, TrustList, annulment_hash, fingerprint};
    use sep_core::passport::verify::{Lists, Verdict, verify};
    use sep_core::signer::Signer;

    const YEAR: Duration = Duration::from_secs(365 * 86_400);

    pub(crate) fn pki() -> (tempfile::TempDir, PassportPki) {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        TestCa::init(dir.path(), "CN=Тестовый УЦ СЭП,O=СЭП", 20 * YEAR, "TCA", now).unwrap();
        let pki = PassportPki::open(dir.path(), now).unwrap();
        (dir, pki)
    }

    #[test]
    fn the_keys_chain_to_their_roots_and_are_kept() {
        let (dir, pki) = pki();
        let now = OffsetDateTime::now_utc();
        let es_root = pki.es256_root().unwrap();
        let es = pki.es256_signer().unwrap();
        let gost_root = pki.gost_root().unwrap();
        let gost = pki.gost_signer().unwrap();
        let k = PassportKeys;
        assert!(k.issued_by(es.certificate().unwrap(), es_root.certificate().unwrap(), now));
        assert!(k.issued_by(gost.certificate().unwrap(), gost_root.certificate().unwrap(), now));
        assert!(!k.issued_by(es.certificate().unwrap(), gost_root.certificate().unwrap(), now));
        assert!(!k.issued_by(gost.certificate().unwrap(), es_root.certificate().unwrap(), now));
        assert!(!k.issued_by(es_root.certificate().unwrap(), es.certificate().unwrap(), now));
        assert_eq!(k.algorithm(es.certificate().unwrap()), Some(Algorithm::EcdsaP256));
        assert_eq!(k.algorithm(gost.certificate().unwrap()), Some(Algorithm::Gost2012_256));
        // Opened again, the same keys.
        let again = PassportPki::open(dir.path(), SystemTime::now()).unwrap();
        assert_eq!(again.es256_signer().unwrap().certificate(), es.certificate());
        assert_eq!(again.gost_signer().unwrap().certificate(), gost.certificate());
        let later = now + time::Duration::days(365 * 16);
        assert!(!k.issued_by(es.certificate().unwrap(), es_root.certificate().unwrap(), later), "expired");
    }

    #[test]
    fn a_code_signed_by_either_signer_verifies_with_the_published_lists() {
        let (_dir, pki) = pki();
        let now = OffsetDateTime::now_utc();
        let (es_root, gost_root) = (pki.es256_root().unwrap(), pki.gost_root().unwrap());
        let (es, gost) = (pki.es256_signer().unwrap(), pki.gost_signer().unwrap());
        let entry = |s: &dyn Signer| {
            let cert = s.certificate().unwrap().to_vec();
            SignerEntry {
                kid: sep_core::passport::code::kid(&cert),
                alg: sep_core::passport::code::cose_alg(s.algorithm()).unwrap(),
                key: PassportKeys.spki(&cert).unwrap(),
                certificate: cert,
            }
        };
        let roots = vec![es_root.certificate().unwrap().to_vec(), gost_root.certificate().unwrap().to_vec()];
        let pins: Vec<String> = roots.iter().map(|r| fingerprint(r)).collect();
        let trust = TrustList { issued: now, roots, signers: vec![entry(&es), entry(&gost)] };
        let by: [&dyn Signer; 2] = [&es_root, &gost_root];
        let trust = trust.sign(&by).unwrap();
        let claims = Claims {
            record_id: uuid::Uuid::now_v7(),
            number: "ЭП-2026-000001".into(),
            last_name: "Иванова".into(),
            given_names: "Мария Петровна".into(),
            birth_date: time::macros::date!(1990 - 03 - 15),
            citizenship: "RUS".into(),
            issuer: "RU-MVD".into(),
            issued: now - time::Duration::minutes(1),
            expires: now + time::Duration::days(3650),
        };
        let clean = AnnulmentList { issued: now, annulled: vec![] }.sign(&by).unwrap();
        let lists = Lists::open(&trust, &clean, &pins, &PassportKeys, now).unwrap();
        for s in [&es as &dyn Signer, &gost] {
            let code = encode(&claims, s).unwrap();
            assert!(
                matches!(verify(&code, &lists, &PassportKeys, now), Ok(Verdict::Valid { .. })),
                "{:?}",
                s.algorithm()
            );
        }
        let annulled =
            AnnulmentList { issued: now, annulled: vec![annulment_hash(claims.record_id)] }.sign(&by).unwrap();
        let lists = Lists::open(&trust, &annulled, &pins, &PassportKeys, now).unwrap();
        let code = encode(&claims, &es).unwrap();
        assert!(matches!(verify(&code, &lists, &PassportKeys, now), Ok(Verdict::Annulled { .. })));
        // Only the ES256 root pinned (a verifier without ГОСТ): the lists still open.
        let es_only = vec![pins[0].clone()];
        Lists::open(&trust, &clean, &es_only, &PassportKeys, now).unwrap();
    }
}

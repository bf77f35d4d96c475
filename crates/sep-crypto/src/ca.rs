//! The built-in test certification authority (`sep ca …`, SPEC E2): a directory holding the
//! authority's key and certificate, the next serial number and the revoked serials; it issues
//! keys with certificates for clients, users and the system and signs revocation lists. Files
//! are the usual ones, so openssl (with the gost engine) and other tools read them:
//!
//! | file | what |
//! | --- | --- |
//! | `ca.key.pem` | the authority's private key, PKCS#8 |
//! | `ca.cert.pem`, `ca.cert.der` | its self-signed certificate |
//! | `serial` | the next serial number |
//! | `revoked.tsv` | `serial<TAB>unix time` a line |
//! | `crl.pem`, `crl.der` | the last revocation list |
//! | `NAME.key.pem`, `NAME.cert.pem`, `NAME.cert.der` | an issued key and certificate |

use crate::cert::{self, CertError, Kind, Request};
use crate::gost::{Curve, SigningKey, pkcs8};
use der::pem::LineEnding;
use der::{Decode, EncodePem};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use x509_cert::certificate::Certificate;
use x509_cert::crl::CertificateList;

/// What can go wrong with the authority's directory.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The directory already holds an authority (`init` does not overwrite).
    #[error("{0}: удостоверяющий центр уже создан")]
    Exists(PathBuf),
    /// A file's content is not what it should be.
    #[error("{path}: {problem}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A name for the issued files that would leave the directory.
    #[error("имя «{0}» недопустимо: только латинские буквы, цифры, «-» и «_»")]
    BadName(String),
    /// Unknown parameter set.
    #[error("неизвестный набор параметров «{0}»: TCA, A, B или C")]
    UnknownParamset(String),
    /// A certificate or key problem.
    #[error(transparent)]
    Cert(#[from] CertError),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CaError + '_ {
    move |source| CaError::Io { path: path.to_owned(), source }
}

fn corrupt(path: &Path, problem: impl std::fmt::Display) -> CaError {
    CaError::Corrupt { path: path.to_owned(), problem: problem.to_string() }
}

/// A certificate just issued.
#[derive(Debug)]
pub struct Issued {
    /// Its serial number.
    pub serial: u64,
    /// The private key file.
    pub key: PathBuf,
    /// The certificate (DER).
    pub cert: PathBuf,
    /// Hex Стрибог-256 of the DER certificate: ЕСИА's `client_certificate_hash`.
    pub hash: String,
}

/// An authority's directory.
#[derive(Debug)]
pub struct TestCa {
    dir: PathBuf,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), CaError> {
    std::fs::write(path, bytes).map_err(io(path))
}

pub(crate) fn write_secret(path: &Path, text: &str) -> Result<(), CaError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(io(path))?;
    f.write_all(text.as_bytes()).map_err(io(path))
}

fn cert_pem(der: &[u8], path: &Path) -> Result<String, CaError> {
    Certificate::from_der(der).and_then(|c| c.to_pem(LineEnding::LF)).map_err(|e| corrupt(path, e))
}

impl TestCa {
    /// Creates an authority in `dir` (made if missing; refused if it already has one).
    pub fn init(
        dir: &Path,
        subject: &str,
        lifetime: Duration,
        paramset: &str,
        now: SystemTime,
    ) -> Result<Self, CaError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let ca = Self { dir: dir.to_owned() };
        if ca.path("ca.cert.der").exists() {
            return Err(CaError::Exists(dir.to_owned()));
        }
        let curve = Curve::named(paramset).ok_or_else(|| CaError::UnknownParamset(paramset.to_owned()))?;
        let key = SigningKey::generate(curve).map_err(CertError::from)?;
        let request = Request { subject, kind: Kind::Authority, serial: 1, not_before: now, lifetime };
        let der = cert::issue(&request, key.verifying_key(), &key, None)?;
        write_secret(&ca.path("ca.key.pem"), &pkcs8::to_pem(&key).map_err(CertError::from)?)?;
        write(&ca.path("ca.cert.pem"), cert_pem(&der, &ca.path("ca.cert.der"))?)?;
        write(&ca.path("ca.cert.der"), &der)?;
        write(&ca.path("serial"), "2\n")?;
        write(&ca.path("revoked.tsv"), "")?;
        ca.revocation_list(Duration::from_secs(7 * 86_400), now)?;
        Ok(ca)
    }

    /// The authority in `dir`.
    pub fn open(dir: &Path) -> Result<Self, CaError> {
        let ca = Self { dir: dir.to_owned() };
        let cert = ca.path("ca.cert.der");
        std::fs::metadata(&cert).map_err(io(&cert))?;
        Ok(ca)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn key(&self) -> Result<SigningKey, CaError> {
        let path = self.path("ca.key.pem");
        let pem = std::fs::read_to_string(&path).map_err(io(&path))?;
        pkcs8::from_pem(&pem).map_err(|e| corrupt(&path, e))
    }

    /// The authority's own key and certificate (DER): the root that signs the e-passport's
    /// lists beside the ES256 root.
    pub fn root(&self) -> Result<(SigningKey, Vec<u8>), CaError> {
        Ok((self.key()?, self.certificate()?))
    }

    /// The authority's certificate (DER).
    pub fn certificate(&self) -> Result<Vec<u8>, CaError> {
        let path = self.path("ca.cert.der");
        std::fs::read(&path).map_err(io(&path))
    }

    fn next_serial(&self) -> Result<u64, CaError> {
        // The portal issues certificates from many requests at once: one read-and-write at a
        // time within the process (one portal process per authority directory).
        static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let path = self.path("serial");
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let serial: u64 = text.trim().parse().map_err(|e| corrupt(&path, e))?;
        write(&path, format!("{}\n", serial + 1))?;
        Ok(serial)
    }

    fn revoked(&self) -> Result<Vec<(u64, SystemTime)>, CaError> {
        let path = self.path("revoked.tsv");
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (serial, at) = l.split_once('\t').ok_or_else(|| corrupt(&path, l))?;
                let serial = serial.parse().map_err(|e| corrupt(&path, e))?;
                let at: u64 = at.parse().map_err(|e| corrupt(&path, e))?;
                Ok((serial, SystemTime::UNIX_EPOCH + Duration::from_secs(at)))
            })
            .collect()
    }

    /// A new key (of the authority's parameter set) with a certificate of `kind` for
    /// `subject`, saved as `NAME.key.pem` and `NAME.cert.{pem,der}`.
    pub fn issue(
        &self,
        name: &str,
        kind: Kind,
        subject: &str,
        lifetime: Duration,
        now: SystemTime,
    ) -> Result<Issued, CaError> {
        let fine = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !fine || name == "ca" || name == "crl" {
            return Err(CaError::BadName(name.to_owned()));
        }
        let ca_key = self.key()?;
        let ca_cert = self.certificate()?;
        let curve =
            Curve::named(ca_key.verifying_key().curve().oid).ok_or_else(|| CaError::UnknownParamset("?".into()))?;
        let key = SigningKey::generate(curve).map_err(CertError::from)?;
        let serial = self.next_serial()?;
        let request = Request { subject, kind, serial, not_before: now, lifetime };
        let der = cert::issue(&request, key.verifying_key(), &ca_key, Some(&ca_cert))?;
        let (key_path, cert_path) = (self.path(&format!("{name}.key.pem")), self.path(&format!("{name}.cert.der")));
        write_secret(&key_path, &pkcs8::to_pem(&key).map_err(CertError::from)?)?;
        write(&self.path(&format!("{name}.cert.pem")), cert_pem(&der, &cert_path)?)?;
        write(&cert_path, &der)?;
        let hash = crate::gost::streebog256_hex(&der);
        Ok(Issued { serial, key: key_path, cert: cert_path, hash })
    }

    /// A certificate of `kind` for `subject` over a key kept elsewhere (the portal keeps
    /// people's keys sealed in its database): nothing but the serial counter is written here.
    /// The serial and the certificate (DER).
    pub fn certify(
        &self,
        key: &crate::gost::VerifyingKey,
        kind: Kind,
        subject: &str,
        lifetime: Duration,
        now: SystemTime,
    ) -> Result<(u64, Vec<u8>), CaError> {
        let ca_key = self.key()?;
        let ca_cert = self.certificate()?;
        let serial = self.next_serial()?;
        let request = Request { subject, kind, serial, not_before: now, lifetime };
        Ok((serial, cert::issue(&request, key, &ca_key, Some(&ca_cert))?))
    }

    /// The parameter set of the authority's key, for keys it certifies.
    pub fn curve(&self) -> Result<Curve, CaError> {
        let key = self.key()?;
        Curve::named(key.verifying_key().curve().oid).ok_or_else(|| CaError::UnknownParamset("?".into()))
    }

    /// The key and certificate (DER) issued as `name`.
    pub fn credentials(&self, name: &str) -> Result<(SigningKey, Vec<u8>), CaError> {
        let fine = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !fine || name == "ca" || name == "crl" {
            return Err(CaError::BadName(name.to_owned()));
        }
        let key_path = self.path(&format!("{name}.key.pem"));
        let pem = std::fs::read_to_string(&key_path).map_err(io(&key_path))?;
        let key = pkcs8::from_pem(&pem).map_err(|e| corrupt(&key_path, e))?;
        let cert_path = self.path(&format!("{name}.cert.der"));
        let cert = std::fs::read(&cert_path).map_err(io(&cert_path))?;
        Ok((key, cert))
    }

    /// Revokes the certificate with `serial` from `now` and signs a new list.
    pub fn revoke(&self, serial: u64, now: SystemTime) -> Result<(), CaError> {
        let mut revoked = self.revoked()?;
        if !revoked.iter().any(|(s, _)| *s == serial) {
            revoked.push((serial, now));
            let lines: String = revoked.iter().map(|(s, at)| format!("{s}\t{}\n", unix(*at))).collect();
            write(&self.path("revoked.tsv"), lines)?;
        }
        self.revocation_list(Duration::from_secs(7 * 86_400), now).map(|_| ())
    }

    /// Signs the revocation list, valid for `lifetime`, as `crl.der` and `crl.pem`; its DER.
    pub fn revocation_list(&self, lifetime: Duration, now: SystemTime) -> Result<Vec<u8>, CaError> {
        let der = cert::revocation_list(&self.revoked()?, &self.key()?, &self.certificate()?, now, now + lifetime)?;
        let path = self.path("crl.der");
        let pem = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(&der)
            .and_then(|c| c.to_pem(LineEnding::LF))
            .map_err(|e| corrupt(&path, e))?;
        write(&self.path("crl.pem"), pem)?;
        write(&path, &der)?;
        Ok(der)
    }

    /// Checks a certificate (DER or PEM) against this authority and its current list at `now`.
    pub fn check(&self, cert: &[u8], now: SystemTime) -> Result<(), CaError> {
        let der = cert::from_pem_or_der(cert).ok_or_else(|| CertError::Malformed("не сертификат X.509".into()))?;
        let path = self.path("crl.der");
        let crl = std::fs::read(&path).map_err(io(&path))?;
        Ok(cert::check(&der, &self.certificate()?, Some(&crl), now)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn the_directory_issues_revokes_and_checks() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let ca = TestCa::init(dir.path(), "CN=Тестовый УЦ СЭП", 3650 * DAY, "TCA", now).unwrap();
        assert!(matches!(TestCa::init(dir.path(), "CN=x", DAY, "TCA", now), Err(CaError::Exists(_))));
        let portal = ca.issue("sep-portal", Kind::Client, "CN=sep-portal", 365 * DAY, now).unwrap();
        let user = ca.issue("ivanov", Kind::User, "CN=Иванов Иван", 365 * DAY, now).unwrap();
        assert_eq!((portal.serial, user.serial), (2, 3));
        assert_eq!(portal.hash.len(), 64);
        let der = std::fs::read(&portal.cert).unwrap();
        assert_eq!(ca.check(&der, now).map_err(|e| e.to_string()), Ok(()));
        let pem = std::fs::read(dir.path().join("sep-portal.cert.pem")).unwrap();
        assert!(ca.check(&pem, now).is_ok(), "PEM too");
        ca.revoke(2, now).unwrap();
        ca.revoke(2, now).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("revoked.tsv")).unwrap().lines().count(), 1, "once");
        assert!(matches!(ca.check(&der, now), Err(CaError::Cert(CertError::Revoked))));
        assert!(ca.check(&std::fs::read(&user.cert).unwrap(), now).is_ok(), "the other stays valid");
        assert!(matches!(
            ca.check(&std::fs::read(&user.cert).unwrap(), now + 400 * DAY),
            Err(CaError::Cert(CertError::Expired))
        ));
        assert!(matches!(ca.issue("../evil", Kind::User, "CN=x", DAY, now), Err(CaError::BadName(_))));
        assert!(matches!(TestCa::init(&dir.path().join("x"), "CN=x", DAY, "Z", now), Err(CaError::UnknownParamset(_))));
        let key = pkcs8::from_pem(&std::fs::read_to_string(&portal.key).unwrap()).unwrap();
        assert_eq!(crate::cert::public_key(&der).unwrap().to_le_bytes(), key.verifying_key().to_le_bytes());
    }
}

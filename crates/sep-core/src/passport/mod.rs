//! «Электронный паспорт» (SPEC EP1, EP2, seed 004): the registry of e-passports, and the
//! signed QR code anyone can check offline against two published, signed lists.
//!
//! - [`code`]: the QR code's content (CWT in COSE_Sign1, zlib, Base45, `SEP1:`);
//! - [`lists`]: the trust list and the annulment list, and the [`lists::Keys`] port to
//!   certificates (`sep-crypto` implements it);
//! - [`verify`]: the offline check a verifier runs with the cached lists;
//! - [`protection`]: «Защита входа», a fresh login with a second factor to open it.

pub mod check;
pub mod code;
pub mod error;
pub mod issue;
pub mod lists;
pub mod officer;
pub mod protection;
pub mod publish;
pub mod record;
pub mod store;
pub mod verify;

pub use error::{CodeError, ListError};

use time::Date;
use time::macros::format_description;

/// `ГГГГ-ММ-ДД`, as the code writes dates.
pub fn iso_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

/// The date written `ГГГГ-ММ-ДД`.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    //! A stand-in for real keys: a "certificate" names its algorithm and a secret number,
    //! and a "signature" is SHA-256 over the number and the message — enough to test every
    //! rule here; real keys are tested in `sep-crypto`.

    use super::code::Claims;
    use super::lists::Keys;
    use crate::signer::{Algorithm, SignError, Signer, Verifier};
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    use time::OffsetDateTime;
    use time::macros::{date, datetime};

    static NEXT: AtomicU64 = AtomicU64::new(100);

    pub(crate) struct TestSigner {
        alg: Algorithm,
        key: u64,
        cert: Vec<u8>,
    }

    impl TestSigner {
        fn make(prefix: &str, alg: Algorithm) -> Self {
            let key = NEXT.fetch_add(1, Ordering::Relaxed);
            Self::with_certificate(alg, format!("{prefix}:{}:{key}", alg.name()).into_bytes(), key)
        }
        pub(crate) fn new(alg: Algorithm) -> Self {
            Self::make("cert", alg)
        }
        pub(crate) fn root(alg: Algorithm) -> Self {
            Self::make("root", alg)
        }
        pub(crate) fn unchained(alg: Algorithm) -> Self {
            Self::make("rogue", alg)
        }
        pub(crate) fn with_certificate(alg: Algorithm, cert: Vec<u8>, key: u64) -> Self {
            Self { alg, key, cert }
        }
    }

    fn sig(key: u64, message: &[u8]) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(key.to_be_bytes());
        h.update(message);
        h.finalize().to_vec()
    }

    impl Signer for TestSigner {
        fn algorithm(&self) -> Algorithm {
            self.alg
        }
        fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
            Ok(sig(self.key, message))
        }
        fn certificate(&self) -> Option<&[u8]> {
            Some(&self.cert)
        }
    }

    struct TestVerifier(Algorithm, u64);

    impl Verifier for TestVerifier {
        fn algorithm(&self) -> Algorithm {
            self.0
        }
        fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
            if sig(self.1, message) == signature { Ok(()) } else { Err(SignError::Invalid) }
        }
    }

    fn parts(cert: &[u8]) -> Option<(String, Algorithm, u64)> {
        let text = std::str::from_utf8(cert).ok()?;
        let mut p = text.split(':');
        let (kind, alg, key) = (p.next()?, p.next()?, p.next()?);
        Some((kind.to_owned(), Algorithm::from_name(alg)?, key.parse().ok()?))
    }

    pub(crate) struct TestKeys;

    impl Keys for TestKeys {
        fn verifier(&self, algorithm: Algorithm, certificate: &[u8]) -> Result<Box<dyn Verifier>, SignError> {
            match parts(certificate) {
                Some((_, alg, key)) if alg == algorithm => Ok(Box::new(TestVerifier(alg, key))),
                _ => Err(SignError::Key("?".into())),
            }
        }
        fn algorithm(&self, certificate: &[u8]) -> Option<Algorithm> {
            parts(certificate).map(|p| p.1)
        }
        fn issued_by(&self, certificate: &[u8], root: &[u8], _now: OffsetDateTime) -> bool {
            matches!((parts(certificate), parts(root)), (Some((c, a, _)), Some((r, b, _))) if c == "cert" && r == "root" && a == b)
        }
        fn spki(&self, certificate: &[u8]) -> Option<Vec<u8>> {
            Some(certificate.to_vec())
        }
        fn not_after(&self, _certificate: &[u8]) -> Option<OffsetDateTime> {
            Some(datetime!(2100-01-01 0:00 UTC))
        }
    }

    pub(crate) fn claims() -> Claims {
        Claims {
            record_id: uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001),
            number: "ЭП-2026-000001".into(),
            last_name: "Иванова".into(),
            given_names: "Мария Петровна".into(),
            birth_date: date!(1990 - 03 - 15),
            citizenship: "RUS".into(),
            issuer: "RU-MVD".into(),
            issued: datetime!(2026-12-01 10:00 UTC),
            expires: datetime!(2036-12-01 10:00 UTC),
        }
    }
}

//! ГОСТ Р 34.10-2012 signatures with 256-bit keys over Стрибог-256 digests (DECISIONS 26: no
//! maintained crate signs with it, so it is built here on `crypto-bigint` and RustCrypto's
//! `streebog`). Byte layouts follow the reference implementation, openssl's gost engine,
//! which is the cross-check in the tests: the digest is read as a little-endian number, a
//! signature is `s ‖ r` (32 bytes each, big-endian), a public key `x ‖ y` little-endian.

pub mod curve;
mod field;
pub mod pkcs8;
mod point;
pub mod spki;

use crypto_bigint::modular::FixedMontyForm;
use crypto_bigint::{U256, U512};
pub use curve::Curve;
use sep_core::signer::{Algorithm, SignError};
use streebog::{Digest, Streebog256};

/// Стрибог-256 of `message`, as openssl's `md_gost12_256` prints it.
pub fn streebog256(message: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Streebog256::digest(message));
    out
}

/// Hex Стрибог-256 of `bytes`, as ЕСИА's `client_certificate_hash` writes it.
pub fn streebog256_hex(bytes: &[u8]) -> String {
    streebog256(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn be(x: &U256) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(x.to_be_bytes().as_ref());
    out
}

fn le(x: &U256) -> [u8; 32] {
    let mut out = be(x);
    out.reverse();
    out
}

/// `e` of the standard: the digest as a number modulo `q`, and 1 instead of 0.
fn digest_number(curve: &Curve, digest: &[u8; 32]) -> U256 {
    let e = U256::from_le_slice(digest).rem(&curve.q);
    if e == U256::ZERO { U256::ONE } else { e }
}

/// A number in `[1, q-1]` from the system's randomness (64 bytes reduced: no visible bias).
fn random_scalar(curve: &Curve) -> Result<U256, SignError> {
    loop {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).map_err(|e| SignError::Unavailable(e.to_string()))?;
        let wide = U512::from_be_slice(&bytes);
        let k: U256 = wide.rem(&curve.q);
        if k != U256::ZERO {
            return Ok(k);
        }
    }
}

/// A private key of a parameter set.
pub struct SigningKey {
    curve: Curve,
    d: U256,
    public: VerifyingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("SigningKey").field("curve", &self.curve.name).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new random key of `curve`.
    pub fn generate(curve: Curve) -> Result<Self, SignError> {
        let d = random_scalar(&curve)?;
        Self::from_scalar(curve, d)
    }

    /// The key `d` (32 bytes, big-endian), which must lie in `[1, q-1]`.
    pub fn from_be_bytes(curve: Curve, d: &[u8; 32]) -> Result<Self, SignError> {
        Self::from_scalar(curve, U256::from_be_slice(d))
    }

    fn from_scalar(curve: Curve, d: U256) -> Result<Self, SignError> {
        if d == U256::ZERO || d >= curve.q.get() {
            return Err(SignError::Key("секретный ключ вне диапазона [1, q-1]".into()));
        }
        let (x, y) =
            curve.mul_base(&d).ok_or_else(|| SignError::Key("открытый ключ — точка на бесконечности".into()))?;
        let public = VerifyingKey {
            curve: Curve::named(curve.oid).ok_or_else(|| SignError::Key("набор параметров".into()))?,
            x,
            y,
            table: std::sync::OnceLock::new(),
        };
        Ok(Self { curve, d, public })
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The key as 32 big-endian bytes (for storing it; handle as a secret).
    pub fn to_be_bytes(&self) -> [u8; 32] {
        be(&self.d)
    }

    /// The signature `s ‖ r` of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignError> {
        self.sign_digest(&streebog256(message))
    }

    /// The signature of a Стрибог-256 `digest` made elsewhere.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<[u8; 64], SignError> {
        let e = digest_number(&self.curve, digest);
        loop {
            let k = random_scalar(&self.curve)?;
            if let Some(sig) = self.sign_with(&e, &k) {
                return Ok(sig);
            }
        }
    }

    /// Steps 3–5 of the standard with a given `k`; `None` when `r` or `s` is 0 (take another k).
    fn sign_with(&self, e: &U256, k: &U256) -> Option<[u8; 64]> {
        let c = &self.curve;
        let (x, _) = c.mul_base(k)?;
        let r = x.rem(&c.q);
        let m = |v: &U256| FixedMontyForm::new(v, &c.q_params);
        let s = m(&r).mul(&m(&self.d)).add(&m(k).mul(&m(e))).retrieve();
        if r == U256::ZERO || s == U256::ZERO {
            return None;
        }
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&be(&s));
        out[32..].copy_from_slice(&be(&r));
        Some(out)
    }
}

/// A public key of a parameter set.
#[derive(Debug)]
pub struct VerifyingKey {
    curve: Curve,
    x: U256,
    y: U256,
    /// Multiples of the key for checking, made at the first check and kept with the key.
    table: std::sync::OnceLock<point::KeyTable>,
}

impl VerifyingKey {
    /// The key from its 64-byte form `x ‖ y` (little-endian, as in certificates), checked to
    /// be a point of the curve other than the identity.
    pub fn from_le_bytes(curve: Curve, bytes: &[u8]) -> Result<Self, SignError> {
        let Some((xb, yb)) = bytes.split_at_checked(32).filter(|(_, y)| y.len() == 32) else {
            return Err(SignError::Key("открытый ключ должен занимать 64 байта".into()));
        };
        let (x, y) = (U256::from_le_slice(xb), U256::from_le_slice(yb));
        if !curve.on_curve(&x, &y) {
            return Err(SignError::Key("точка не лежит на кривой".into()));
        }
        if curve.in_subgroup(&x, &y) {
            Ok(Self { curve, x, y, table: std::sync::OnceLock::new() })
        } else {
            Err(SignError::Key("точка не принадлежит подгруппе порядка q".into()))
        }
    }

    /// The key's 64-byte form `x ‖ y`, little-endian.
    pub fn to_le_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&le(&self.x));
        out[32..].copy_from_slice(&le(&self.y));
        out
    }

    /// The parameter set.
    pub fn curve(&self) -> &Curve {
        &self.curve
    }

    /// Checks `signature` (`s ‖ r`) of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
        self.verify_digest(&streebog256(message), signature)
    }

    /// Checks `signature` of a Стрибог-256 `digest`.
    pub fn verify_digest(&self, digest: &[u8; 32], signature: &[u8]) -> Result<(), SignError> {
        let c = &self.curve;
        if signature.len() != 64 {
            return Err(SignError::Malformed);
        }
        let (s, r) = (U256::from_be_slice(&signature[..32]), U256::from_be_slice(&signature[32..]));
        let q = c.q.get();
        if r == U256::ZERO || s == U256::ZERO || r >= q || s >= q {
            return Err(SignError::Malformed);
        }
        let e = digest_number(c, digest);
        let m = |v: &U256| FixedMontyForm::new(v, &c.q_params);
        let v = m(&e).invert_vartime().into_option().ok_or(SignError::Malformed)?;
        let z1 = m(&s).mul(&v).retrieve();
        let z2 = m(&r).mul(&v).neg().retrieve();
        // The key was checked to be a point of the subgroup when it was made.
        let table = self.table.get_or_init(|| c.key_table(&self.x, &self.y));
        let x = c.double_mul_x(&z1, &z2, table).ok_or(SignError::Invalid)?;
        if x.rem(&c.q) == r { Ok(()) } else { Err(SignError::Invalid) }
    }
}

impl sep_core::signer::Verifier for VerifyingKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Gost2012_256
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
        VerifyingKey::verify(self, message, signature)
    }
}

/// A ГОСТ key with its certificate, as the core's [`sep_core::signer::Signer`].
#[derive(Debug)]
pub struct GostSigner {
    key: SigningKey,
    certificate: Option<Vec<u8>>,
}

impl GostSigner {
    /// Signs with `key`; `certificate` is its DER certificate, when there is one.
    pub fn new(key: SigningKey, certificate: Option<Vec<u8>>) -> Self {
        Self { key, certificate }
    }

    /// The public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        self.key.verifying_key()
    }
}

impl sep_core::signer::Signer for GostSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Gost2012_256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.key.sign(message).map(|s| s.to_vec())
    }

    fn certificate(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ГОСТ Р 34.10-2012, appendix A.1: the key, `e`, `k`, and the expected `Q`, `r`, `s`.
    #[test]
    fn the_standards_worked_example() {
        let c = Curve::named("test").unwrap();
        let d = U256::from_be_hex("7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28");
        let key = SigningKey::from_scalar(c, d).unwrap();
        let q = key.verifying_key();
        assert_eq!(q.x, U256::from_be_hex("7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B"));
        assert_eq!(q.y, U256::from_be_hex("26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"));
        let e = U256::from_be_hex("2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5");
        let k = U256::from_be_hex("77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3");
        let sig = key.sign_with(&e, &k).unwrap();
        assert_eq!(
            hex::encode_upper(&sig[32..]),
            "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
            "r"
        );
        assert_eq!(
            hex::encode_upper(&sig[..32]),
            "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
            "s"
        );
        // And it verifies against the same `e` (given as a little-endian digest).
        let mut digest = le(&e);
        assert!(q.verify_digest(&digest, &sig).is_ok());
        digest[0] ^= 1;
        assert_eq!(q.verify_digest(&digest, &sig), Err(SignError::Invalid));
    }

    /// ГОСТ Р 34.11-2012, example 1 (the 63-byte message), for the 256-bit hash.
    #[test]
    fn streebog_matches_the_standard() {
        let m1 = b"012345678901234567890123456789012345678901234567890123456789012";
        assert_eq!(hex::encode(streebog256(m1)), "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500");
    }

    #[test]
    fn every_parameter_set_signs_and_verifies_and_refuses_changes() {
        for name in ["TCA", "A", "B", "C"] {
            let key = SigningKey::generate(Curve::named(name).unwrap()).unwrap();
            let sig = key.sign(b"client_id+scope+timestamp+state").unwrap();
            let public =
                VerifyingKey::from_le_bytes(Curve::named(name).unwrap(), &key.verifying_key().to_le_bytes()).unwrap();
            assert_eq!(public.verify(b"client_id+scope+timestamp+state", &sig), Ok(()), "{name}");
            assert_eq!(public.verify(b"client_id+scope+timestamp+statf", &sig), Err(SignError::Invalid), "{name}");
            let mut bent = sig;
            bent[40] ^= 0x10;
            assert!(public.verify(b"client_id+scope+timestamp+state", &bent).is_err(), "{name}");
            assert_eq!(public.verify(b"x", &sig[..63]), Err(SignError::Malformed));
            assert_eq!(public.verify(b"x", &[0u8; 64]), Err(SignError::Malformed), "r = s = 0");
        }
        assert!(matches!(VerifyingKey::from_le_bytes(Curve::named("A").unwrap(), &[7u8; 64]), Err(SignError::Key(_))));
        assert!(SigningKey::from_be_bytes(Curve::named("A").unwrap(), &[0u8; 32]).is_err());
        // tc26 A's point of order 2, (x, 0): on the curve, outside the subgroup of order q.
        let mut t = [0u8; 64];
        t[..32].copy_from_slice(&le(&U256::from_be_hex(
            "0100FE73F595FF158E974B44D478D9588744FE5C192AC47EA63075DCE7A14AAA",
        )));
        let tca = Curve::named("TCA").unwrap();
        assert!(tca.on_curve(&U256::from_le_slice(&t[..32]), &U256::ZERO), "T is on the curve");
        assert!(!tca.in_subgroup(&U256::from_le_slice(&t[..32]), &U256::ZERO), "outside the subgroup");
        assert!(matches!(VerifyingKey::from_le_bytes(tca, &t), Err(SignError::Key(_))), "but not a public key");
        assert_eq!(Curve::named("1.2.643.7.1.2.1.1.2").unwrap().name, "A", "tc26 B is CryptoPro A");
    }
}

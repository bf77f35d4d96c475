//! A ГОСТ private key as PKCS#8 (`PRIVATE KEY` in PEM) the way openssl's gost engine writes and
//! reads it: algorithm `1.2.643.7.1.1.1.1` with `SEQUENCE { parameter set, digest }`, and the
//! key as the 32 bytes of `d`, little-endian. Reading also takes the older forms: those bytes
//! wrapped in one more OCTET STRING, or `d` as an INTEGER.

use super::SigningKey;
use super::spki::{GOST_2012_256, STREEBOG_256};
use der::asn1::{ObjectIdentifier, OctetString};
use der::pem::LineEnding;
use der::{Any, Decode, DecodePem, EncodePem};
use pkcs8::PrivateKeyInfoOwned;
use sep_core::signer::SignError;
use spki::AlgorithmIdentifierOwned;

fn bad(e: impl std::fmt::Display) -> SignError {
    SignError::Key(format!("PKCS#8: {e}"))
}

fn oid(s: &str) -> Result<ObjectIdentifier, SignError> {
    ObjectIdentifier::new(s).map_err(bad)
}

/// `key` as PKCS#8 PEM.
pub fn to_pem(key: &SigningKey) -> Result<String, SignError> {
    let params = vec![oid(key.curve.oid)?, oid(STREEBOG_256)?];
    let mut d = key.to_be_bytes();
    d.reverse();
    let info = PrivateKeyInfoOwned::new(
        AlgorithmIdentifierOwned {
            oid: oid(GOST_2012_256)?,
            parameters: Some(Any::encode_from(&params).map_err(bad)?),
        },
        OctetString::new(d.to_vec()).map_err(bad)?,
    );
    info.to_pem(LineEnding::LF).map_err(bad)
}

/// The key in PKCS#8 PEM (ours or openssl's).
pub fn from_pem(pem: &str) -> Result<SigningKey, SignError> {
    let info = PrivateKeyInfoOwned::from_pem(pem).map_err(bad)?;
    let curve = super::spki::curve_of(&info.algorithm)?;
    let raw = info.private_key.as_bytes();
    let d: [u8; 32] = if let Ok(le) = <[u8; 32]>::try_from(raw) {
        let mut d = le;
        d.reverse();
        d
    } else if let Ok(inner) = OctetString::from_der(raw) {
        let mut d: [u8; 32] = inner.as_bytes().try_into().map_err(|_| bad("the key is not 32 bytes"))?;
        d.reverse();
        d
    } else {
        let int = der::asn1::UintRef::from_der(raw).map_err(bad)?;
        let bytes = int.as_bytes();
        let mut d = [0u8; 32];
        let at = 32usize.checked_sub(bytes.len()).ok_or_else(|| bad("the key is longer than 32 bytes"))?;
        d[at..].copy_from_slice(bytes);
        d
    };
    SigningKey::from_be_bytes(curve, &d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::Curve;
    use der::Encode;

    #[test]
    fn a_private_key_survives_pkcs8() {
        let key = SigningKey::generate(Curve::named("B").unwrap()).unwrap();
        let pem = to_pem(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = from_pem(&pem).unwrap();
        assert_eq!(back.to_be_bytes(), key.to_be_bytes());
        assert_eq!(back.verifying_key().curve().name, "B");
        assert!(from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err());
        // The form wrapped in one more OCTET STRING reads the same.
        let mut d = key.to_be_bytes();
        d.reverse();
        let wrapped = OctetString::new(OctetString::new(d.to_vec()).unwrap().to_der().unwrap()).unwrap();
        let info = PrivateKeyInfoOwned::from_pem(&pem).unwrap();
        let info = PrivateKeyInfoOwned::new(info.algorithm, wrapped);
        assert_eq!(from_pem(&info.to_pem(LineEnding::LF).unwrap()).unwrap().to_be_bytes(), key.to_be_bytes());
    }
}

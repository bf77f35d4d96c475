//! A ГОСТ public key as an X.509 `SubjectPublicKeyInfo` (RFC 4491 and its 2012 update, as
//! openssl's gost engine writes it): algorithm `1.2.643.7.1.1.1.1` with parameters
//! `SEQUENCE { parameter set OID, [digest OID] }`, and the key as a DER OCTET STRING of 64
//! bytes (`x ‖ y`, little-endian) inside the BIT STRING.

use super::{Curve, VerifyingKey};
use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use sep_core::signer::SignError;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// ГОСТ Р 34.10-2012 with a 256-bit key.
pub const GOST_2012_256: &str = "1.2.643.7.1.1.1.1";
/// ГОСТ Р 34.11-2012, 256-bit (Стрибог-256).
pub const STREEBOG_256: &str = "1.2.643.7.1.1.2.2";

fn oid(s: &str) -> Result<ObjectIdentifier, SignError> {
    ObjectIdentifier::new(s).map_err(|e| SignError::Key(e.to_string()))
}

fn bad(e: impl std::fmt::Display) -> SignError {
    SignError::Key(format!("SubjectPublicKeyInfo: {e}"))
}

/// The DER `SubjectPublicKeyInfo` of `key`.
pub fn encode(key: &VerifyingKey) -> Result<Vec<u8>, SignError> {
    let params = vec![oid(key.curve().oid)?, oid(STREEBOG_256)?];
    let inner = OctetString::new(key.to_le_bytes().to_vec()).map_err(bad)?.to_der().map_err(bad)?;
    let info = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid(GOST_2012_256)?,
            parameters: Some(Any::encode_from(&params).map_err(bad)?),
        },
        subject_public_key: BitString::from_bytes(&inner).map_err(bad)?,
    };
    info.to_der().map_err(bad)
}

/// The parameter set an `AlgorithmIdentifier` names; refused unless it is ГОСТ 2012-256 with
/// a known set (keys in certificates and in PKCS#8 files carry the same identifier).
pub(crate) fn curve_of(algorithm: &AlgorithmIdentifierOwned) -> Result<Curve, SignError> {
    if algorithm.oid != oid(GOST_2012_256)? {
        return Err(SignError::Key(format!("алгоритм {} не ГОСТ Р 34.10-2012 (256)", algorithm.oid)));
    }
    let params: Vec<ObjectIdentifier> =
        algorithm.parameters.as_ref().ok_or_else(|| bad("no parameters"))?.decode_as().map_err(bad)?;
    let set = params.first().ok_or_else(|| bad("no parameter set"))?.to_string();
    // The standard's example curve is for its worked example, never for a real key.
    Curve::named(&set)
        .filter(|c| c.name != "test")
        .ok_or_else(|| SignError::Key(format!("неизвестный набор параметров {set}")))
}

/// The key in a DER `SubjectPublicKeyInfo`; refused unless it is a ГОСТ 2012-256 key of a
/// known parameter set on its curve.
pub fn decode(der: &[u8]) -> Result<VerifyingKey, SignError> {
    let info = SubjectPublicKeyInfoOwned::from_der(der).map_err(bad)?;
    let curve = curve_of(&info.algorithm)?;
    let bits = info.subject_public_key.as_bytes().ok_or_else(|| bad("unused bits"))?;
    let inner = OctetString::from_der(bits).map_err(bad)?;
    VerifyingKey::from_le_bytes(curve, inner.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::SigningKey;
    use super::*;

    #[test]
    fn a_key_survives_its_encoding() {
        let key = SigningKey::generate(Curve::named("TCA").unwrap()).unwrap();
        let der = encode(key.verifying_key()).unwrap();
        let back = decode(&der).unwrap();
        assert_eq!(back.to_le_bytes(), key.verifying_key().to_le_bytes());
        assert_eq!(back.curve().oid, "1.2.643.7.1.2.1.1.1");
        let sig = key.sign(b"m").unwrap();
        assert!(back.verify(b"m", &sig).is_ok());
        let mut broken = der.clone();
        let last = broken.len() - 1;
        broken[last] ^= 1;
        assert!(decode(&broken).is_err(), "a changed point is off the curve");
        assert!(decode(&der[..20]).is_err());
    }
}

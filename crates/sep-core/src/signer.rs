//! The signing port (SPEC E1): everything that signs — the ЕСИА client's `client_secret`,
//! issued documents, audit sealing — asks a [`Signer`]; everything that checks asks a
//! [`Verifier`]. Implementations live outside the core (`sep-crypto`: ГОСТ Р 34.10-2012 with
//! Стрибог, ECDSA P-256), so a hardware key or a CryptoPro service fits the same traits.

/// A signature algorithm, with the hash it signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ГОСТ Р 34.10-2012 with a 256-bit key over a ГОСТ Р 34.11-2012 (Стрибог-256) digest.
    Gost2012_256,
    /// ECDSA on NIST P-256 over SHA-256.
    EcdsaP256,
    /// RSA PKCS#1 v1.5 over SHA-256 (ЕСИА's other token algorithm).
    Rs256,
}

impl Algorithm {
    /// The name used in JWS headers and configuration (`GOST3410_2012_256` as ЕСИА writes it).
    pub fn name(self) -> &'static str {
        match self {
            Self::Gost2012_256 => "GOST3410_2012_256",
            Self::EcdsaP256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }

    /// The algorithm called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Gost2012_256, Self::EcdsaP256, Self::Rs256].into_iter().find(|a| a.name() == name)
    }
}

/// Why signing or checking failed, each with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The signature does not match the data and the key.
    #[error("подпись не соответствует данным или ключу")]
    Invalid,
    /// The signature is not of the algorithm's form (length, range).
    #[error("подпись имеет неверный формат")]
    Malformed,
    /// The key cannot be used (not on the curve, out of range, unknown parameters).
    #[error("ключ подписи непригоден: {0}")]
    Key(String),
    /// The signer could not produce a signature (no randomness, device unavailable).
    #[error("подпись не создана: {0}")]
    Unavailable(String),
}

impl SignError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid => "signature_invalid",
            Self::Malformed => "signature_malformed",
            Self::Key(_) => "signature_key_invalid",
            Self::Unavailable(_) => "signature_unavailable",
        }
    }
}

/// Something that signs bytes with a private key it keeps.
pub trait Signer: Send + Sync {
    /// The algorithm it signs with.
    fn algorithm(&self) -> Algorithm;
    /// The signature of `message` (hashed by the algorithm's own hash).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
    /// The DER certificate of the key, when it has one.
    fn certificate(&self) -> Option<&[u8]>;
}

/// Something that checks signatures against a public key it holds.
pub trait Verifier: Send + Sync {
    /// The algorithm it checks.
    fn algorithm(&self) -> Algorithm;
    /// `Ok` when `signature` is a valid signature of `message`.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_are_named_as_in_jws_headers() {
        for a in [Algorithm::Gost2012_256, Algorithm::EcdsaP256, Algorithm::Rs256] {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
        }
        assert_eq!(Algorithm::from_name("HS256"), None);
        assert_eq!(SignError::Invalid.code(), "signature_invalid");
    }
}

//! ECDSA P-256 over SHA-256 (the standard algorithm beside ГОСТ), from RustCrypto's `p256`.
//! Signatures are `r ‖ s`, 64 bytes, as JWS (ES256) writes them.

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use sep_core::signer::{Algorithm, SignError, Signer, Verifier};

/// A P-256 key as the core's [`Signer`].
#[derive(Debug)]
pub struct P256Signer {
    key: SigningKey,
    certificate: Option<Vec<u8>>,
}

impl P256Signer {
    /// Signs with the key of the 32-byte big-endian scalar `d`.
    pub fn from_bytes(d: &[u8; 32], certificate: Option<Vec<u8>>) -> Result<Self, SignError> {
        let key = SigningKey::from_slice(d).map_err(|e| SignError::Key(e.to_string()))?;
        Ok(Self { key, certificate })
    }

    /// A new random key.
    pub fn generate() -> Result<Self, SignError> {
        loop {
            let mut d = [0u8; 32];
            getrandom::fill(&mut d).map_err(|e| SignError::Unavailable(e.to_string()))?;
            // Out of range (zero or above the order) is as rare as 2⁻³²: draw again.
            if let Ok(s) = Self::from_bytes(&d, None) {
                return Ok(s);
            }
        }
    }

    /// The private scalar, 32 bytes big-endian (for the key file).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes().into()
    }

    /// The public key.
    pub fn verifier(&self) -> P256Verifier {
        P256Verifier { key: *self.key.verifying_key() }
    }
}

impl Signer for P256Signer {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EcdsaP256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let sig: Signature = self.key.try_sign(message).map_err(|e| SignError::Unavailable(e.to_string()))?;
        Ok(sig.to_bytes().to_vec())
    }

    fn certificate(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }
}

/// A P-256 public key as the core's [`Verifier`].
#[derive(Debug, Clone)]
pub struct P256Verifier {
    key: VerifyingKey,
}

impl P256Verifier {
    /// Checks with `key`.
    pub fn from_key(key: VerifyingKey) -> Self {
        Self { key }
    }

    /// The key from its SEC1 encoding (compressed or not).
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, SignError> {
        VerifyingKey::from_sec1_bytes(bytes).map(|key| Self { key }).map_err(|e| SignError::Key(e.to_string()))
    }
}

impl Verifier for P256Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EcdsaP256
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
        let sig = Signature::from_slice(signature).map_err(|_| SignError::Malformed)?;
        self.key.verify(message, &sig).map_err(|_| SignError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p256_signs_and_verifies_through_the_port() {
        let signer = P256Signer::generate().unwrap();
        let verifier = signer.verifier();
        let sig = signer.sign(b"audit seal").unwrap();
        assert_eq!(sig.len(), 64);
        assert_eq!(verifier.verify(b"audit seal", &sig), Ok(()));
        assert_eq!(verifier.verify(b"audit seaL", &sig), Err(SignError::Invalid));
        assert_eq!(verifier.verify(b"audit seal", &sig[..10]), Err(SignError::Malformed));
        assert_eq!(signer.algorithm(), Algorithm::EcdsaP256);
    }
}

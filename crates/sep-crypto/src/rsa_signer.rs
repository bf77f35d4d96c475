//! RSA PKCS#1 v1.5 with SHA-256 (RS256), the other algorithm ЕСИА signs tokens with, from
//! RustCrypto's `rsa` (its 0.10 line, on the same `crypto-bigint` and `der` as the rest here).

use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::Sha256;
use rsa::signature::{Keypair, SignatureEncoding, Signer as _, Verifier as _};
use sep_core::signer::{Algorithm, SignError, Signer, Verifier};

/// An RSA key (2048 bits when made here) as the core's [`Signer`].
pub struct RsaSigner {
    key: SigningKey<Sha256>,
}

impl std::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RsaSigner")
    }
}

fn key_error(e: impl std::fmt::Display) -> SignError {
    SignError::Key(e.to_string())
}

impl RsaSigner {
    /// A new 2048-bit key from the system's randomness.
    pub fn generate() -> Result<Self, SignError> {
        let mut rng = rsa::rand_core::UnwrapErr(getrandom::SysRng);
        let key = SigningKey::<Sha256>::random(&mut rng, 2048).map_err(|e| SignError::Unavailable(e.to_string()))?;
        Ok(Self { key })
    }

    /// The key from PKCS#8 PEM.
    pub fn from_pem(pem: &str) -> Result<Self, SignError> {
        Ok(Self { key: SigningKey::<Sha256>::from_pkcs8_pem(pem).map_err(key_error)? })
    }

    /// The key as PKCS#8 PEM (handle as a secret).
    pub fn to_pem(&self) -> Result<String, SignError> {
        Ok(self.key.to_pkcs8_pem(LineEnding::LF).map_err(key_error)?.to_string())
    }

    /// The public key.
    pub fn verifier(&self) -> RsaVerifier {
        RsaVerifier { key: self.key.verifying_key() }
    }

    /// For `x509-cert`'s builder, which signs with it directly.
    pub(crate) fn signing_key(&self) -> &SigningKey<Sha256> {
        &self.key
    }
}

impl Signer for RsaSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let sig: Signature = self.key.try_sign(message).map_err(|e| SignError::Unavailable(e.to_string()))?;
        Ok(sig.to_vec())
    }

    fn certificate(&self) -> Option<&[u8]> {
        None
    }
}

/// An RSA public key as the core's [`Verifier`].
#[derive(Debug, Clone)]
pub struct RsaVerifier {
    key: VerifyingKey<Sha256>,
}

impl RsaVerifier {
    /// The key in a DER `SubjectPublicKeyInfo` (as in a certificate).
    pub fn from_spki(der: &[u8]) -> Result<Self, SignError> {
        Ok(Self { key: VerifyingKey::<Sha256>::from_public_key_der(der).map_err(key_error)? })
    }

    /// Its DER `SubjectPublicKeyInfo`.
    pub fn to_spki(&self) -> Result<Vec<u8>, SignError> {
        Ok(self.key.to_public_key_der().map_err(key_error)?.into_vec())
    }
}

impl Verifier for RsaVerifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
        let sig = Signature::try_from(signature).map_err(|_| SignError::Malformed)?;
        self.key.verify(message, &sig).map_err(|_| SignError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rs256_signs_verifies_and_survives_pem() {
        let signer = RsaSigner::generate().unwrap();
        let sig = signer.sign(b"token").unwrap();
        assert_eq!(sig.len(), 256);
        let verifier = RsaVerifier::from_spki(&signer.verifier().to_spki().unwrap()).unwrap();
        assert_eq!(verifier.verify(b"token", &sig), Ok(()));
        assert_eq!(verifier.verify(b"tokeN", &sig), Err(SignError::Invalid));
        let again = RsaSigner::from_pem(&signer.to_pem().unwrap()).unwrap();
        assert_eq!(again.verifier().verify(b"token", &sig), Ok(()));
    }
}

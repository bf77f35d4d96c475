//! Compact JWS with ES256 (ECDSA P-256 / SHA-256) for ID tokens, and the JWK of its public
//! key. Written on the maintained `p256` crate because the ГОСТ algorithm of the ЕСИА mode
//! needs the same small JWS layer with another signer (see docs/DECISIONS.md).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};

/// A signing key with its key id.
#[derive(Clone)]
pub struct Es256Key {
    /// Key id (`kid`), derived from the public key.
    pub kid: String,
    key: SigningKey,
}

impl std::fmt::Debug for Es256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Es256Key({})", self.kid)
    }
}

/// The key could not be made or read.
#[derive(Debug, thiserror::Error)]
#[error("signing key: {0}")]
pub struct KeyError(String);

impl Es256Key {
    /// A fresh key from the CSPRNG.
    pub fn generate() -> Result<Self, KeyError> {
        loop {
            let bytes = sep_core::ids::random_bytes::<32>().map_err(|e| KeyError(e.to_string()))?;
            // A random 256-bit string is a valid scalar except with negligible probability.
            if let Ok(key) = SigningKey::from_slice(&bytes) {
                return Ok(Self::from_key(key));
            }
        }
    }

    fn from_key(key: SigningKey) -> Self {
        let point = key.verifying_key().to_sec1_point(false);
        let kid = hex::encode(&Sha256::digest(point.as_bytes())[..8]);
        Self { kid, key }
    }

    /// Restores a key from its stored hex scalar.
    pub fn from_hex(private: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(private).map_err(|e| KeyError(e.to_string()))?;
        SigningKey::from_slice(&bytes).map(Self::from_key).map_err(|e| KeyError(e.to_string()))
    }

    /// The hex scalar, for storage.
    pub fn to_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> serde_json::Value {
        let point = self.key.verifying_key().to_sec1_point(false);
        let b = point.as_bytes();
        // Uncompressed SEC1: 0x04 ‖ x (32 bytes) ‖ y (32 bytes).
        let (x, y) = (b.get(1..33).unwrap_or_default(), b.get(33..65).unwrap_or_default());
        serde_json::json!({
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid,
            "x": B64.encode(x), "y": B64.encode(y),
        })
    }

    /// Whether `sig` (r ‖ s) is this key's signature of `input`.
    pub fn verify(&self, input: &str, sig: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier;
        Signature::from_slice(sig).is_ok_and(|s| self.key.verifying_key().verify(input.as_bytes(), &s).is_ok())
    }

    /// Signs `claims` as a compact JWT.
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let header = serde_json::json!({"alg": "ES256", "typ": "JWT", "kid": self.kid});
        let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let sig: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", B64.encode(sig.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    #[test]
    fn signed_tokens_verify_with_the_published_jwk_and_tampering_fails() {
        let k = Es256Key::generate().unwrap();
        let jwt = k.sign(&serde_json::json!({"sub": "1000001"}));
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
        assert_eq!((header["alg"].as_str(), header["kid"].as_str()), (Some("ES256"), Some(k.kid.as_str())));

        let jwk = k.jwk();
        let mut sec1 = vec![4u8];
        sec1.extend(B64.decode(jwk["x"].as_str().unwrap()).unwrap());
        sec1.extend(B64.decode(jwk["y"].as_str().unwrap()).unwrap());
        let vk = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let sig = Signature::from_slice(&B64.decode(parts[2]).unwrap()).unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        assert!(vk.verify(input.as_bytes(), &sig).is_ok());
        let forged = format!("{}.{}", parts[0], B64.encode(r#"{"sub":"1000002"}"#));
        assert!(vk.verify(forged.as_bytes(), &sig).is_err());

        let restored = Es256Key::from_hex(&k.to_hex()).unwrap();
        assert_eq!(restored.kid, k.kid);
    }
}

//! Signatures for СЭП behind the core's [`sep_core::signer`] port: ГОСТ Р 34.10-2012 (256-bit
//! keys, Стрибог-256) built here, and ECDSA P-256 from RustCrypto's `p256`.

pub mod ca;
pub mod cert;
pub mod cloud;
pub mod cms;
pub mod gost;
pub mod p256_signer;
pub mod passport;
pub mod rsa_signer;
pub mod seal;
pub mod verify;

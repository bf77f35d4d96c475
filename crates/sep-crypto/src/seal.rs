//! Files sealed at rest (SPEC EP1: biometric data «хранятся в зашифрованном виде»; seed 004:
//! «Шифрование данных реализовано по стандартам ГОСТ»). Every file the portal keeps — scans,
//! photos, fingerprints — goes to disk encrypted with Кузнечик (ГОСТ Р 34.12-2015) in CTR
//! mode and authenticated with its MAC (OMAC, ГОСТ Р 34.13-2015), encrypt-then-MAC:
//!
//! ```text
//! "SEPF" ‖ 0x01 ‖ len(id) ‖ id ‖ IV (8 bytes) ‖ CTR(K_enc, IV, file) ‖ OMAC(K_mac, …)[16]
//! ```
//!
//! The MAC covers the file's name in the store (its content hash) and everything before the
//! tag, so a sealed file moved under another name, cut short or changed does not open. The
//! two keys come from a key of a [`KeyRing`] through KDF_GOSTR3411_2012_256 (Р 50.1.113-2016:
//! HMAC on Стрибог-256) with their own labels; the header names the ring key, so a new key put
//! first seals from then on and the older ones still open what they sealed. Why CTR + OMAC
//! and not MGM: RustCrypto's `mgm` is years behind the cipher traits, and these two modes are
//! what openssl's ГОСТ engine does too (`kuznyechik-ctr`, `kuznyechik-mac`) — the tests
//! decrypt a sealed file with it.

use crate::cloud::{KeyRing, RingError};
use async_trait::async_trait;
use cmac::Mac;
use ctr::cipher::{KeyIvInit, StreamCipher};
use sep_core::application::attachment::{FileStore, Inventory};

const MAGIC: &[u8; 4] = b"SEPF";
const VERSION: u8 = 1;
const IV_LEN: usize = 8;
const TAG_LEN: usize = 16;

type Ctr = ctr::Ctr128BE<kuznyechik::Kuznyechik>;
type Omac = cmac::Cmac<kuznyechik::Kuznyechik>;

/// KDF_GOSTR3411_2012_256(K, label, seed) of Р 50.1.113-2016 §4.5, with an empty seed.
fn kdf(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    use hmac::KeyInit;
    let mut mac = <hmac::SimpleHmac<streebog::Streebog256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    hmac::Mac::update(&mut mac, &[0x01]);
    hmac::Mac::update(&mut mac, label);
    hmac::Mac::update(&mut mac, &[0x00, 0x01, 0x00]);
    hmac::Mac::finalize(mac).into_bytes().into()
}

/// The encryption and MAC keys a ring key gives.
fn keys(key: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    (kdf(key, b"sep files kuznyechik-ctr"), kdf(key, b"sep files kuznyechik-omac"))
}

fn tag(mac_key: &[u8; 32], name: &[u8], sealed: &[u8]) -> Result<Omac, RingError> {
    let mut mac = <Omac as cmac::KeyInit>::new_from_slice(mac_key).map_err(|_| RingError::Corrupt)?;
    let len = u16::try_from(name.len()).map_err(|_| RingError::Corrupt)?;
    mac.update(&len.to_be_bytes());
    mac.update(name);
    mac.update(sealed);
    Ok(mac)
}

/// Whether `bytes` are a sealed file (anything else is a file kept before sealing began).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.len() > MAGIC.len() && bytes.starts_with(MAGIC) && bytes[MAGIC.len()] == VERSION
}

/// A file kept before sealing began, as it is — if it is still what its name says: the name is
/// its SHA-256, so a swapped file shows even without a tag.
fn unsealed(bytes: Vec<u8>, name: &str) -> Result<Vec<u8>, RingError> {
    if sep_core::application::attachment::content_key(&bytes) == name { Ok(bytes) } else { Err(RingError::Corrupt) }
}

/// Seals and opens files with a ring's keys.
#[derive(Debug, Clone)]
pub struct FileSeal {
    ring: KeyRing,
}

impl FileSeal {
    /// Sealing with `ring` (its first key seals).
    pub fn new(ring: KeyRing) -> Self {
        Self { ring }
    }

    /// `plain` sealed under `name` (the file's name in the store).
    pub fn seal(&self, plain: &[u8], name: &str) -> Result<Vec<u8>, RingError> {
        let (id, key) = self.ring.sealing_key();
        let (enc, mac_key) = keys(key);
        let mut iv = [0u8; IV_LEN];
        getrandom::fill(&mut iv).map_err(|_| RingError::Random)?;
        let id_len = u8::try_from(id.len()).map_err(|_| RingError::Format(id.to_owned()))?;
        let mut out = Vec::with_capacity(plain.len() + id.len() + 40);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(id_len);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&iv);
        let body = out.len();
        out.extend_from_slice(plain);
        // ГОСТ Р 34.13-2015 CTR for a 128-bit block: the counter starts at IV ‖ 0⁶⁴.
        let mut counter = [0u8; 16];
        counter[..IV_LEN].copy_from_slice(&iv);
        Ctr::new(&enc.into(), &counter.into()).apply_keystream(&mut out[body..]);
        let t = tag(&mac_key, name.as_bytes(), &out)?.finalize().into_bytes();
        out.extend_from_slice(&t);
        Ok(out)
    }

    /// The file in `sealed`, if it was sealed under `name` by a key of the ring and not changed.
    pub fn open(&self, sealed: &[u8], name: &str) -> Result<Vec<u8>, RingError> {
        if !is_sealed(sealed) {
            return Err(RingError::Corrupt);
        }
        let id_len = usize::from(*sealed.get(MAGIC.len() + 1).ok_or(RingError::Corrupt)?);
        let id_at = MAGIC.len() + 2;
        let body = id_at + id_len + IV_LEN;
        if sealed.len() < body + TAG_LEN {
            return Err(RingError::Corrupt);
        }
        let id = std::str::from_utf8(&sealed[id_at..id_at + id_len]).map_err(|_| RingError::Corrupt)?;
        let key = self.ring.key(id).ok_or_else(|| RingError::UnknownKey(id.to_owned()))?;
        let (enc, mac_key) = keys(key);
        let (signed, t) = sealed.split_at(sealed.len() - TAG_LEN);
        tag(&mac_key, name.as_bytes(), signed)?.verify_slice(t).map_err(|_| RingError::Corrupt)?;
        let mut counter = [0u8; 16];
        counter[..IV_LEN].copy_from_slice(&sealed[body - IV_LEN..body]);
        let mut plain = signed[body..].to_vec();
        Ctr::new(&enc.into(), &counter.into()).apply_keystream(&mut plain);
        Ok(plain)
    }
}

/// A file store whose files are sealed on the way in and opened on the way out; a file kept
/// before sealing began is read as it is.
pub struct SealedFiles<F> {
    inner: F,
    seal: FileSeal,
}

impl<F> SealedFiles<F> {
    /// `inner` with its files sealed by `seal`.
    pub fn new(inner: F, seal: FileSeal) -> Self {
        Self { inner, seal }
    }
}

fn io(e: RingError) -> std::io::Error {
    let kind = if e == RingError::Random { std::io::ErrorKind::Other } else { std::io::ErrorKind::InvalidData };
    std::io::Error::new(kind, e)
}

#[async_trait]
impl<F: FileStore> FileStore for SealedFiles<F> {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let sealed = self.seal.seal(bytes, key).map_err(io)?;
        self.inner.put(key, &sealed).await
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let bytes = self.inner.get(key).await?;
        if is_sealed(&bytes) {
            return self.seal.open(&bytes, key).map_err(io);
        }
        unsealed(bytes, key).map_err(io)
    }

    async fn inventory(&self) -> std::io::Result<Inventory> {
        self.inner.inventory().await
    }

    async fn remove_if_older(&self, key: &str, cutoff: std::time::SystemTime) -> std::io::Result<bool> {
        self.inner.remove_if_older(key, cutoff).await
    }

    async fn probe(&self) -> std::io::Result<()> {
        self.inner.probe().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seal() -> FileSeal {
        FileSeal::new(KeyRing::parse(&format!("new:{},old:{}", "22".repeat(32), "11".repeat(32))).unwrap())
    }

    #[test]
    fn a_file_opens_under_its_name_only_and_not_once_changed() {
        let s = seal();
        let sealed = s.seal(b"photo bytes", "ab").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(5).any(|w| w == b"photo"), "the content is not in the clear");
        assert_eq!(s.open(&sealed, "ab").unwrap(), b"photo bytes");
        assert_eq!(s.open(&sealed, "ac"), Err(RingError::Corrupt), "moved under another name");
        for i in [0, 5, 7, 20, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(s.open(&bad, "ab").is_err(), "byte {i} changed");
        }
        assert!(s.open(&sealed[..sealed.len() - 1], "ab").is_err(), "cut short");
        assert_ne!(s.seal(b"photo bytes", "ab").unwrap(), sealed, "a fresh IV each time");
    }

    #[test]
    fn a_file_kept_before_sealing_opens_only_as_what_its_name_says() {
        let name = sep_core::application::attachment::content_key(b"scan");
        assert_eq!(unsealed(b"scan".to_vec(), &name).unwrap(), b"scan");
        assert_eq!(unsealed(b"swapped".to_vec(), &name), Err(RingError::Corrupt));
    }

    #[test]
    fn the_first_key_seals_and_an_older_one_still_opens() {
        let old = FileSeal::new(KeyRing::parse(&format!("old:{}", "11".repeat(32))).unwrap());
        let sealed = old.seal(b"x", "k").unwrap();
        assert_eq!(seal().open(&sealed, "k").unwrap(), b"x");
        let sealed = seal().seal(b"x", "k").unwrap();
        assert_eq!(old.open(&sealed, "k"), Err(RingError::UnknownKey("new".into())));
    }

    #[test]
    fn the_kdf_gives_the_standard_s_example() {
        // Р 50.1.113-2016 §4.5 worked example: K = 00..1f, label 26bdb878, seed af21434145656378.
        let key: [u8; 32] = core::array::from_fn(|i| u8::try_from(i).unwrap());
        use hmac::KeyInit;
        let mut mac = <hmac::SimpleHmac<streebog::Streebog256> as KeyInit>::new_from_slice(&key).unwrap();
        let input = hex::decode("0126bdb87800af21434145656378 0100".replace(' ', "")).unwrap();
        hmac::Mac::update(&mut mac, &input);
        assert_eq!(
            hex::encode(hmac::Mac::finalize(mac).into_bytes()),
            "a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9"
        );
    }

    #[test]
    fn the_mac_gives_the_standard_s_example() {
        // ГОСТ Р 34.13-2015, А.2.6: Кузнечик's MAC of four blocks, its first 64 bits.
        let key = hex::decode("8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef").unwrap();
        let msg = hex::decode(concat!(
            "1122334455667700ffeeddccbbaa9988",
            "00112233445566778899aabbcceeff0a",
            "112233445566778899aabbcceeff0a00",
            "2233445566778899aabbcceeff0a0011"
        ))
        .unwrap();
        let mut mac = <Omac as cmac::KeyInit>::new_from_slice(&key).unwrap();
        mac.update(&msg);
        assert_eq!(hex::encode(&mac.finalize().into_bytes()[..8]), "336f4d296059fbe3");
    }

    proptest! {
        #[test]
        fn what_is_sealed_opens(plain in proptest::collection::vec(any::<u8>(), 0..600), name in "[0-9a-f]{1,64}") {
            let s = seal();
            prop_assert_eq!(s.open(&s.seal(&plain, &name).unwrap(), &name).unwrap(), plain);
        }
    }
}

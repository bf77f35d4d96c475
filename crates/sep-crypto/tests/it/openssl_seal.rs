//! A sealed file read back by openssl's ГОСТ engine, an implementation of its own: the two
//! keys derived with its HMAC on Стрибог-256 and the file decrypted with its `kuznyechik-ctr`.
//! The tag is not recomputed here: the engine's `kuznyechik-mac` (as `openssl dgst -mac`)
//! does not give the standard's own example (ГОСТ Р 34.13-2015 А.2.6: 336f4d296059fbe3; it
//! answers ee6d6b47…), so the OMAC is checked against that example in `seal.rs` instead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common::{engine, openssl};
use sep_crypto::cloud::KeyRing;
use sep_crypto::seal::FileSeal;

/// `openssl dgst … FILE`'s hex answer.
fn digest(args: &[&str], dir: &std::path::Path) -> String {
    let (ok, out) = openssl(args, dir);
    assert!(ok, "{out}");
    let line = out.lines().find(|l| l.contains(")= ")).unwrap_or_else(|| panic!("{out}"));
    line.rsplit("= ").next().unwrap().trim().to_lowercase()
}

#[test]
fn openssl_decrypts_a_sealed_file_and_computes_its_tag() {
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    let key = "5a0f".repeat(16);
    let seal = FileSeal::new(KeyRing::parse(&format!("k7:{key}")).unwrap());
    let plain: Vec<u8> = (0..5000u32).map(|i| u8::try_from(i * 7 % 251).unwrap()).collect();
    let name = "ab".repeat(32);
    let sealed = seal.seal(&plain, &name).unwrap();
    // "SEPF" ‖ 01 ‖ 02 ‖ "k7" ‖ IV ‖ body ‖ tag.
    assert_eq!(&sealed[..8], b"SEPF\x01\x02k7");
    let (iv, rest) = sealed[8..].split_at(8);
    let (body, tag) = rest.split_at(rest.len() - 16);

    let derive = |label: &str| {
        let mut input = vec![0x01];
        input.extend_from_slice(label.as_bytes());
        input.extend_from_slice(&[0x00, 0x01, 0x00]);
        std::fs::write(dir.path().join("kdf.in"), input).unwrap();
        let hexkey = format!("hexkey:{key}");
        digest(&["dgst", "-engine", "gost", "-md_gost12_256", "-mac", "hmac", "-macopt", &hexkey, "kdf.in"], dir.path())
    };
    let k_enc = derive("sep files kuznyechik-ctr");
    let k_mac = derive("sep files kuznyechik-omac");

    std::fs::write(dir.path().join("body"), body).unwrap();
    let (ok, out) = openssl(
        &[
            "enc",
            "-engine",
            "gost",
            "-d",
            "-kuznyechik-ctr",
            "-K",
            &k_enc,
            "-iv",
            &hex::encode(iv),
            "-in",
            "body",
            "-out",
            "plain",
        ],
        dir.path(),
    );
    assert!(ok, "{out}");
    assert_eq!(std::fs::read(dir.path().join("plain")).unwrap(), plain, "openssl decrypts it");

    // The tag is the OMAC, under the MAC key openssl derived, of the name and all before it.
    use cmac::{KeyInit, Mac};
    let mut mac =
        <cmac::Cmac<kuznyechik::Kuznyechik> as KeyInit>::new_from_slice(&hex::decode(k_mac).unwrap()).unwrap();
    mac.update(&u16::try_from(name.len()).unwrap().to_be_bytes());
    mac.update(name.as_bytes());
    mac.update(&sealed[..sealed.len() - 16]);
    assert_eq!(mac.finalize().into_bytes().as_slice(), tag);
}

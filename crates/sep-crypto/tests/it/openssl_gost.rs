//! Cross-checks with the reference implementation, openssl's gost engine (Debian
//! `libengine-gost-openssl`), both ways and for every 256-bit parameter set: what we sign,
//! openssl verifies; what openssl signs, we verify; and each refuses a changed message. Without
//! the engine the test is skipped, unless `SEP_TEST_ALL=1` (CI), where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use common::{engine, openssl};
use sep_crypto::gost::{Curve, SigningKey, spki};

/// Our names of the parameter sets and the engine's.
const SETS: [(&str, &str); 4] = [("TCA", "TCA"), ("A", "A"), ("B", "B"), ("C", "C")];

#[test]
fn openssl_verifies_what_we_sign() {
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    let message = b"sep-portalopenid fullname2026.11.22 16:11:21 +0300c1b8d8d4-3b35-4d6e-9f50-0a7d0c0f5b55https://sep.example/login/callback";
    std::fs::write(dir.path().join("msg"), message).unwrap();
    std::fs::write(dir.path().join("other"), b"another message").unwrap();
    for (ours, _) in SETS {
        let key = SigningKey::generate(Curve::named(ours).unwrap()).unwrap();
        std::fs::write(dir.path().join("pub.der"), spki::encode(key.verifying_key()).unwrap()).unwrap();
        std::fs::write(dir.path().join("sig"), key.sign(message).unwrap()).unwrap();
        let verify = |file: &str| {
            let args =
                ["dgst", "-engine", "gost", "-md_gost12_256", "-verify", "pub.der", "-keyform", "DER", "-signature"];
            let mut all = args.to_vec();
            all.extend(["sig", file]);
            openssl(&all, dir.path())
        };
        let (ok, text) = verify("msg");
        assert!(ok && text.contains("Verified OK"), "{ours}: {text}");
        let (ok, text) = verify("other");
        assert!(!ok && text.contains("Verification failure"), "{ours}: a changed message is refused: {text}");
    }
}

#[test]
fn we_verify_what_openssl_signs() {
    let dir = tempfile::tempdir().unwrap();
    if !engine(dir.path()) {
        return;
    }
    let message = b"scope2026.11.22 16:11:21 +0300sep-portalstate";
    std::fs::write(dir.path().join("msg"), message).unwrap();
    for (ours, theirs) in SETS {
        let run = |args: &[&str]| {
            let (ok, text) = openssl(args, dir.path());
            assert!(ok, "{ours}: openssl {args:?}: {text}");
        };
        let paramset = format!("paramset:{theirs}");
        run(&["genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", &paramset, "-out", "key.pem"]);
        run(&["pkey", "-engine", "gost", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "pub.der"]);
        run(&["dgst", "-engine", "gost", "-md_gost12_256", "-sign", "key.pem", "-out", "sig", "msg"]);
        let key = spki::decode(&std::fs::read(dir.path().join("pub.der")).unwrap()).unwrap();
        assert_eq!(key.curve().name, ours, "the parameter set read from openssl's key");
        let sig = std::fs::read(dir.path().join("sig")).unwrap();
        assert_eq!(key.verify(message, &sig), Ok(()), "{ours}");
        assert!(key.verify(b"scope2026.11.22 16:11:22 +0300sep-portalstate", &sig).is_err(), "{ours}");
        // Стрибог-256 agrees with openssl's digest too.
        let (_, text) = openssl(&["dgst", "-engine", "gost", "-md_gost12_256", "-r", "msg"], dir.path());
        let hex: String = sep_crypto::gost::streebog256(message).iter().map(|b| format!("{b:02x}")).collect();
        assert!(text.contains(&hex), "{ours}: {text} vs {hex}");
    }
}

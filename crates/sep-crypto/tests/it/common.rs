//! Running openssl with its gost engine from the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use std::path::Path;
use std::process::Command;

/// Runs `openssl args…` in `dir`: whether it succeeded, and what it printed.
pub fn openssl(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Whether the engine is there; otherwise skip, or fail under `SEP_TEST_ALL=1`.
pub fn engine(dir: &Path) -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok()
        && openssl(&["engine", "gost", "-c"], dir).1.contains("gost2012_256");
    if !ok {
        assert!(
            std::env::var("SEP_TEST_ALL").as_deref() != Ok("1"),
            "SEP_TEST_ALL=1 but openssl's gost engine is missing (apt-get install libengine-gost-openssl)"
        );
        eprintln!("openssl gost engine not found: cross-check skipped");
    }
    ok
}

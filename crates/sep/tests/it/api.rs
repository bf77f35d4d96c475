//! `sep api client add|approve|disable` (issue 18's Contract): an integration registered from
//! the command line starts in test mode when its kind acts for many people, goes live when
//! approved, stops when disabled; an unknown id is a clear error.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

use sep_core::store::{Effects, NewUser, UserStore};
use std::process::Command;

#[tokio::test]
async fn clients_are_added_approved_and_disabled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let sep = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sep"))
            .args(args)
            .env("SEP_DATA_DIR", dir.path())
            .env("SEP_LOG_LEVEL", "off")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(sep(&["migrate"]).0, Some(0));
    let store = sep_store_sqlite::SqliteStore::open(&dir.path().join("sep.db")).unwrap();
    let owner = NewUser {
        id: sep_core::ids::UserId::new(),
        role: sep_core::user::Role::Citizen,
        profile: sep_core::user::Profile {
            last_name: "Иванов".into(),
            first_name: "Иван".into(),
            ..Default::default()
        },
        created_at: time::OffsetDateTime::now_utc(),
    };
    store.insert_user(&owner, None, &Effects::none()).await.unwrap();
    drop(store);
    let id = owner.id.0.to_string();
    let (code, out, err) = sep(&[
        "api",
        "client",
        "add",
        "--owner",
        &id,
        "--kind",
        "bank",
        "--name",
        "Банк",
        "--scopes",
        "applications:read",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("mode: test") && out.contains("scopes: applications:read"), "{out}");
    let client = out.lines().find_map(|l| l.strip_prefix("client_id: ")).unwrap().to_owned();
    assert!(out.lines().any(|l| l.starts_with("client_secret: sep_cs_")), "{out}");
    let (code, out, _) = sep(&["api", "client", "approve", &client]);
    assert_eq!((code, out.trim()), (Some(0), format!("{client}: live").as_str()));
    let (code, out, _) = sep(&["api", "client", "disable", &client]);
    assert_eq!((code, out.trim()), (Some(0), format!("{client}: disabled").as_str()));
    let (code, _, err) = sep(&["api", "client", "approve", "sep_cli_nobody"]);
    assert!(code != Some(0) && err.contains("token_not_found"), "{err}");
    let (code, _, err) = sep(&["api", "client", "add", "--owner", &id, "--kind", "spaceship", "--name", "x"]);
    assert!(code != Some(0) && err.contains("integration_kind_unknown"), "{err}");
}

//! `sep demo` as a newcomer runs it: a real process on a real socket, stopped by a signal,
//! started again on the same data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use sep_core::store::AuditStore;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, buf))
}

struct Demo {
    child: Child,
    stdout: String,
}

fn start(data_dir: &std::path::Path, addr: SocketAddr, idp_addr: SocketAddr) -> Demo {
    start_with(data_dir, addr, idp_addr, &[])
}

fn start_with(data_dir: &std::path::Path, addr: SocketAddr, idp_addr: SocketAddr, extra: &[&str]) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sep"))
        .arg("demo")
        .args(extra)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--portal-addr", &addr.to_string(), "--idp-addr", &idp_addr.to_string(), "--pay-addr", "127.0.0.1:0"])
        .env("SEP_LOG_LEVEL", "warn")
        .env_remove("SEP_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // The banner is printed once the database is ready and the port is bound.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut stdout = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !stdout.contains("Остановить") {
        assert!(Instant::now() < deadline, "no banner: {stdout}");
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("sep demo exited early: {stdout}");
        }
        stdout.push_str(&line);
    }
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Demo { child, stdout }
}

fn stop(mut demo: Demo, signal: &str) {
    let pid = demo.child.id().to_string();
    assert!(Command::new("kill").args([signal, &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = demo.child.try_wait().unwrap() {
            assert!(status.success(), "sep demo must exit cleanly on {signal}: {status}");
            return;
        }
        assert!(Instant::now() < deadline, "sep demo did not stop within 10 s of {signal}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn demo_serves_stops_on_signals_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sep-data");
    let addr = free_port();

    let idp = free_port();
    let demo = start(&data, addr, idp);
    assert!(demo.stdout.contains(&format!("http://{addr}/")), "prints the portal address: {}", demo.stdout);
    assert!(demo.stdout.contains(&format!("http://{idp}/")), "prints the emulator address: {}", demo.stdout);
    assert!(demo.stdout.contains("+79123456789") && demo.stdout.contains("Demo-Passw0rd"), "prints the demo logins");
    assert!(demo.stdout.contains("добавлено пользователей СЭП: 3, учётных записей Госуслуг: 7"), "{}", demo.stdout);
    assert!(data.join("idp.db").exists(), "the emulator's database is in the data directory too");
    assert!(data.join("sep.db").exists(), "the embedded database is in the data directory");

    // The accept queue is 4096 deep (tokio's default of 128 overflows under load).
    let ss = Command::new("ss").args(["-ltnH", &format!("sport = :{}", addr.port())]).output().unwrap();
    let listen = String::from_utf8_lossy(&ss.stdout);
    assert_eq!(listen.split_whitespace().nth(2), Some("4096"), "ss: {listen}");

    let (status, home) = get(addr, "/").unwrap();
    assert_eq!(status, 200);
    assert!(home.contains("Войти через Госуслуги"));
    let (status, ready) = get(addr, "/readyz").unwrap();
    assert_eq!(status, 200, "{ready}");
    let (status, to_idp) = get(addr, "/login").unwrap();
    assert_eq!(status, 303, "the demo portal logs in through its emulator: {to_idp}");
    assert!(to_idp.contains(&format!("location: http://{idp}/authorize?")), "{to_idp}");
    assert!(to_idp.contains("client_id=sep-portal"));
    let (status, login) = get(idp, "/login").unwrap();
    assert_eq!(status, 200);
    assert!(login.contains("Телефон, почта или СНИЛС"), "the emulator serves its login page");
    stop(demo, "-TERM");
    assert!(get(addr, "/healthz").is_none(), "the port is released");
    assert!(get(idp, "/healthz").is_none(), "the emulator's port is released");

    let demo = start(&data, addr, idp);
    assert!(demo.stdout.contains("уже были, сохранены"), "{}", demo.stdout);
    assert_eq!(get(addr, "/healthz").unwrap().0, 200);
    stop(demo, "-INT");

    // Exactly one seeding per demo staff member across both runs.
    let store = sep_store_sqlite::SqliteStore::open(&data.join("sep.db")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let events = rt.block_on(store.list_audit(0, 100)).unwrap();
    let seeded = events.iter().filter(|e| e.event.action == "demo.user_seeded").count();
    assert_eq!(seeded, 3);
    assert_eq!(rt.block_on(store.verify_audit_chain()).unwrap().first_broken, None);
}

#[test]
fn a_taken_port_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sep"))
        .args(["demo", "--data-dir"])
        .arg(dir.path())
        .args(["--portal-addr", &addr.to_string()])
        .env("SEP_LOG_LEVEL", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("не удалось занять адрес"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_bad_setting_is_named_and_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_sep"))
        .arg("migrate")
        .env("SEP_SESSION_IDLE_MINUTES", "долго")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SEP_SESSION_IDLE_MINUTES"));
}

#[test]
fn serve_logs_json_lines_carrying_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sep"))
        .args(["serve", "--portal-addr", &addr.to_string()])
        .env("SEP_DATA_DIR", dir.path())
        .env("SEP_LOG_FORMAT", "json")
        .env("SEP_LOG_LEVEL", "info")
        .env_remove("RUST_LOG")
        .env_remove("SEP_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(addr, "/healthz").is_none() {
        assert!(Instant::now() < deadline, "serve did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET /readyz HTTP/1.1\r\nHost: x\r\nx-request-id: rid-abc-123\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.to_ascii_lowercase().contains("x-request-id: rid-abc-123"), "the id is echoed: {reply}");

    let mut lines = Vec::new();
    let found = loop {
        let line = rx.recv_timeout(Duration::from_secs(10)).expect("no log line with the request id");
        let json: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        lines.push(json.clone());
        if line.contains("rid-abc-123") {
            break json;
        }
    };
    assert_eq!(found["span"]["request_id"], "rid-abc-123", "{found}");
    assert_eq!(found["span"]["path"], "/readyz");
    assert!(lines.iter().any(|l| l["message"] == "effective configuration"), "the configuration is logged at start");
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
}

#[test]
fn idp_admin_commands_create_accounts_clients_and_organisations() {
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
    let (code, _, err) = sep(&[
        "idp",
        "account",
        "add",
        "--phone",
        "8 900 123-45-67",
        "--password",
        "weak",
        "--last-name",
        "Тест",
        "--first-name",
        "Тест",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("не менее 8 символов") && err.contains("заглавная"), "every broken rule is named: {err}");
    let (code, out, err) = sep(&[
        "idp",
        "account",
        "add",
        "--phone",
        "8 900 123-45-67",
        "--password",
        "Str0ng-pass",
        "--last-name",
        "Тестов",
        "--first-name",
        "Тест",
        "--snils",
        "112-233-445 95",
        "--level",
        "simplified",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Учётная запись создана") && out.contains("Упрощённая"), "{out}");
    let (code, _, err) = sep(&[
        "idp",
        "account",
        "add",
        "--phone",
        "+79001234567",
        "--password",
        "Str0ng-pass",
        "--last-name",
        "А",
        "--first-name",
        "Б",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("Телефон уже используется"), "{err}");
    let (code, out, err) = sep(&[
        "idp",
        "client",
        "add",
        "--id",
        "my-rp",
        "--name",
        "Моя система",
        "--redirect-uri",
        "https://rp.example/cb",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("client_secret: ") && out.contains("Издатель"), "{out}");
    let (code, _, err) =
        sep(&["idp", "client", "add", "--id", "bad", "--name", "x", "--redirect-uri", "ftp://x", "--secret", "short"]);
    assert_eq!(code, Some(1), "{err}");
    let (code, out, err) = sep(&[
        "idp",
        "org",
        "add",
        "--full-name",
        "ООО «Лютик»",
        "--inn",
        "7707329152",
        "--ogrn",
        "1027700132195",
        "--kpp",
        "770701001",
        "--chief-phone",
        "+79001234567",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Организация создана"));
    let (code, _, err) = sep(&[
        "idp",
        "org",
        "add",
        "--full-name",
        "X",
        "--inn",
        "7707329153",
        "--ogrn",
        "1027700132195",
        "--kpp",
        "770701001",
        "--chief-phone",
        "+79001234567",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("ИНН организации") && err.contains("Контрольные цифры"), "{err}");
}

#[test]
fn after_kill_9_the_restart_sweeps_files_left_without_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sep-data");
    let (addr, idp) = (free_port(), free_port());
    let mut demo = start(&data, addr, idp);
    assert!(Command::new("kill").args(["-KILL", &demo.child.id().to_string()]).status().unwrap().success());
    demo.child.wait().unwrap();
    // What a crash between storing an upload and its row leaves: the file, and a partial one.
    let key = sep_core::application::attachment::content_key(b"%PDF-1.7 crashed upload");
    let shard = data.join("files").join(&key[..2]);
    std::fs::create_dir_all(&shard).unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for name in [key.clone(), format!(".{key}.4242.tmp")] {
        std::fs::write(shard.join(&name), b"%PDF-1.7 crashed upload").unwrap();
        std::fs::File::options().append(true).open(shard.join(&name)).unwrap().set_modified(hour_ago).unwrap();
    }
    let demo = start(&data, addr, idp);
    assert_eq!(get(addr, "/readyz").unwrap().0, 200, "the database survived the kill");
    assert!(!shard.join(&key).exists(), "the file nobody points to is gone");
    assert!(!shard.join(format!(".{key}.4242.tmp")).exists(), "the partial write is gone");
    stop(demo, "-TERM");
}

/// `sep demo --esia`: the portal signs its way into the emulator's ЕСИА mode.
#[test]
fn the_esia_demo_sends_a_signed_v2_request() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, idp_addr) = (free_port(), free_port());
    let mut demo = start_with(dir.path(), addr, idp_addr, &["--esia"]);
    let (status, response) = get(addr, "/login").unwrap();
    demo.child.kill().unwrap();
    demo.child.wait().unwrap();
    assert_eq!(status, 303, "{response}");
    let location = response.lines().find(|l| l.to_ascii_lowercase().starts_with("location:")).unwrap();
    assert!(location.contains(&format!("http://{idp_addr}/aas/oauth2/v2/ac?")), "{location}");
    assert!(location.contains("client_certificate_hash=") && location.contains("client_secret="), "{location}");
    assert!(dir.path().join("ca/sep-portal.cert.pem").exists());
}

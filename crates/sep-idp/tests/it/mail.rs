//! E-mail leaves through a real SMTP relay when one is configured (SPEC I6): a minimal SMTP
//! server on a real socket receives what the emulator sends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use sep_core::clock::{Clock, SystemClock};
use sep_idp::mail::SmtpRelay;
use sep_idp::sqlite::IdpSqlite;
use sep_idp::web::IdpState;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Accepts one SMTP conversation and reports every line the client sent.
async fn smtp_sink() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = tx.send(line.clone());
            let reply: &[u8] = if in_data {
                if line == "." {
                    in_data = false;
                    b"250 queued\r\n"
                } else {
                    continue;
                }
            } else if line.starts_with("EHLO") || line.starts_with("HELO") {
                b"250 sink\r\n"
            } else if line.starts_with("DATA") {
                in_data = true;
                b"354 go on\r\n"
            } else if line.starts_with("QUIT") {
                w.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                b"250 ok\r\n"
            };
            w.write_all(reply).await.unwrap();
        }
    });
    (port, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_email_goes_through_the_relay_and_into_the_outbox() {
    let (port, mut rx) = smtp_sink().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(IdpSqlite::open(&dir.path().join("idp.db")).unwrap());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let relay = SmtpRelay::from_url(&format!("smtp://127.0.0.1:{port}"), "Госуслуги <noreply@gosuslugi.test>").unwrap();
    let state =
        IdpState::with_relay(store.clone(), clock.clone(), "http://idp.test", Some(Arc::new(relay))).await.unwrap();
    sep_idp::demo::seed(store.as_ref(), state.login.hasher(), clock.now()).await.unwrap();
    state.recovery.start("ivanov@example.ru").await.unwrap();

    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.iter().any(|l: &String| l.starts_with("QUIT")) {
        let line =
            tokio::time::timeout_at(deadline, rx.recv()).await.expect("the relay got no complete message").unwrap();
        seen.push(line);
    }
    let all = seen.join("\n");
    assert!(all.contains("RCPT TO:<ivanov@example.ru>"), "{all}");
    assert!(all.contains("MAIL FROM:<noreply@gosuslugi.test>"), "{all}");
    assert!(all.contains("Subject:"), "{all}");
    let stored = sep_idp::store::OutboxStore::list_messages(store.as_ref(), 5).await.unwrap();
    assert_eq!(
        (stored[0].channel, stored[0].recipient.as_str()),
        ("email", "ivanov@example.ru"),
        "kept in the outbox as well"
    );
}

#[test]
fn a_bad_relay_url_or_sender_is_refused_at_start() {
    assert!(SmtpRelay::from_url("gopher://x", "a@b.ru").is_err());
    assert!(SmtpRelay::from_url("smtp://127.0.0.1:25", "not an address").is_err());
}

/// A справка e-mailed with its PDF and `.sig` attached: a multipart message whose parts carry
/// the files, base64 as SMTP needs, received by a real socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_attached_to_the_message() {
    use base64::Engine as _;
    let (port, mut rx) = smtp_sink().await;
    let relay = SmtpRelay::from_url(&format!("smtp://127.0.0.1:{port}"), "СЭП <noreply@sep.test>").unwrap();
    // A PDF's second line is binary (as every real one's is): it travels as base64.
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 the certificate".to_vec();
    let files = [
        sep_core::notice::MailFile {
            name: "spravka-D2026-000001.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf.clone(),
        },
        sep_core::notice::MailFile {
            name: "spravka-D2026-000001.pdf.sig".into(),
            content_type: "application/pkcs7-signature".into(),
            bytes: vec![0x30, 0x82, 0x01, 0x00],
        },
    ];
    relay.send_with("ivanov@example.ru", "Справка № D2026-000001 готова", "Справка готова.", &files).await.unwrap();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.iter().any(|l: &String| l.starts_with("QUIT")) {
        let line =
            tokio::time::timeout_at(deadline, rx.recv()).await.expect("the relay got no complete message").unwrap();
        seen.push(line);
    }
    let all = seen.join("\n");
    assert!(all.contains("multipart/mixed"), "{all}");
    assert!(all.contains("Content-Disposition: attachment") && all.contains("spravka-D2026-000001.pdf.sig"), "{all}");
    assert!(all.contains("Content-Type: application/pdf"), "{all}");
    assert!(all.contains(&base64::engine::general_purpose::STANDARD.encode(&pdf)), "the PDF's bytes: {all}");
}

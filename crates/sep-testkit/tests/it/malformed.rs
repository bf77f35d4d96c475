//! Malformed input on every form (issue 22, T1): each POST route of the router, signed in as a
//! citizen and as an officer with a valid CSRF token (so the handler itself reads the body),
//! gets bodies no form sends — empty, every field the templates name with wrong types, huge
//! values, repeated fields, control characters, invalid UTF-8, JSON where a form is expected, a
//! broken multipart. Every answer must be below 500, and no body may carry a panic, a
//! backtrace or a source path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use axum::body::Body;
use axum::http::{Request, header};
use sep_testkit::TestApp;

/// Every `name="…"` of the portal's templates: the fields its forms send.
fn field_names() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sep-web/templates");
    let mut names = std::collections::BTreeSet::new();
    let mut todo = vec![root];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                let text = std::fs::read_to_string(&p).unwrap();
                for part in text.split("name=\"").skip(1) {
                    let n = part.split('"').next().unwrap();
                    if !n.is_empty() && !n.contains('{') && n != "csrf" {
                        names.insert(n.to_owned());
                    }
                }
            }
        }
    }
    names.into_iter().collect()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'_' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The bodies: content type and bytes, each with the CSRF token in front where it is a form.
fn bodies(csrf: &str, names: &[String]) -> Vec<(&'static str, Vec<u8>)> {
    let form = "application/x-www-form-urlencoded";
    let with = |rest: String| format!("csrf={csrf}&{rest}").into_bytes();
    let all = |value: &str| names.iter().map(|n| format!("{n}={value}")).collect::<Vec<_>>().join("&");
    let huge = "9".repeat(70_000);
    vec![
        (form, format!("csrf={csrf}").into_bytes()),
        (form, with(all("abc"))),
        (form, with(all("-1"))),
        (form, with(all("99999999999999999999999999"))),
        (form, with(all(&huge))),
        (form, with(all("%00%01%1B"))),
        (form, with(all("%FF%FE%C3%28"))),
        (form, with(all(&encode("<script>alert(1)</script>\u{202e}ё")))),
        (form, with(format!("{}&{}", all("1"), all("2")))),
        (form, with(names.iter().map(|n| format!("{n}[]=x&{n}[a]=y")).collect::<Vec<_>>().join("&"))),
        (form, with("=&&==&%%&csrf=".to_owned())),
        ("application/json", br#"{"csrf":"x","kind":[1,2],"from":{}}"#.to_vec()),
        (
            "multipart/form-data; boundary=XYZ",
            b"--XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nbroken".to_vec(),
        ),
        ("multipart/form-data", b"no boundary".to_vec()),
    ]
}

fn leaks(body: &str) -> Option<&'static str> {
    ["panicked", "stack backtrace", "RUST_BACKTRACE", ".rs:", "/src/", "called `Result::unwrap()`"]
        .into_iter()
        .find(|needle| body.contains(needle))
}

#[tokio::test]
async fn no_form_body_makes_a_server_error_or_leaks_internals() {
    let t = TestApp::new().await;
    let names = field_names();
    assert!(names.len() > 30, "the field names are read: {names:?}");
    // Real objects too, so handlers get past the lookup: the citizen's draft, and an
    // application sent to the officer's agency.
    let citizen = t.citizen().await;
    let draft = crate::common::draft(&citizen).await.trim_start_matches("/applications/").to_owned();
    let sent_app = crate::common::file(&citizen, "person", &[("passport_number", "000001")]).await;
    let sent_app = sent_app.trim_start_matches("/applications/").to_owned();
    t.run_jobs().await;
    let mut wrong = Vec::new();
    let mut sent = 0;
    for (path, methods) in crate::routes::routes() {
        if !methods.contains(&"POST") {
            continue;
        }
        for (officer, real) in [(false, None), (true, None), (false, Some(&draft)), (true, Some(&sent_app))] {
            let mut url = crate::routes::concrete(&path);
            if let Some(id) = real {
                if !path.contains("{id}") {
                    continue;
                }
                url = url.replace("01900000-0000-7000-8000-000000000000", id);
            }
            // A fresh session per route and actor: a body may end it (`/logout`).
            let w = if officer { t.officer(sep_core::demo::OFFICER_AGENCY).await } else { t.citizen().await };
            for (kind, body) in bodies(&w.csrf, &names) {
                let req = Request::post(&url).header(header::CONTENT_TYPE, kind).body(Body::from(body)).unwrap();
                let r = w.request(req).await;
                sent += 1;
                if r.status.is_server_error() {
                    wrong.push(format!("POST {url} ({kind}, officer {officer}): {}", r.status));
                } else if let Some(l) = leaks(&r.text) {
                    wrong.push(format!("POST {url} ({kind}): the body shows {l:?}"));
                }
            }
        }
    }
    assert!(sent > 500, "{sent} requests");
    assert!(wrong.is_empty(), "{} of {sent}:\n{}", wrong.len(), wrong.join("\n"));
}

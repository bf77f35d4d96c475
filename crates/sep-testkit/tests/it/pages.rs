//! Snapshots of the main pages in Russian and in English (SPEC C3: every page in both), in
//! process with signed-in browsers through a whole journey: the catalogue, the cabinet, a draft
//! and its check page, a rejected application, the officer's queue and application, settings,
//! help, and an error page. What changes from run to run (times, ids, tokens, ports) is masked; the rest
//! is the page as a person gets it. Pages about no one's data must have no Russian left in
//! English at all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use common::{ORG, file, hidden};
use sep_core::clock::Clock;
use sep_testkit::{Browser, TestApp};

/// `pattern` at `at` in `chars`: `d` a digit, `h` a hex digit, anything else itself.
fn fits(chars: &[char], at: usize, pattern: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    at + p.len() <= chars.len()
        && p.iter().zip(&chars[at..]).all(|(p, c)| match p {
            'd' => c.is_ascii_digit(),
            'h' => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
            p => p == c,
        })
}

/// Replaces every whole-word occurrence of `pattern` (see [`fits`]) with `mask`.
fn mask(text: &str, pattern: &str, with: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let len = pattern.chars().count();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        let ends = chars.get(i + len).is_none_or(|c| !c.is_ascii_alphanumeric());
        if starts && ends && fits(&chars, i, pattern) {
            out.push_str(with);
            i += len;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The `<main>` of a page with what varies between runs masked.
fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("a main landmark");
    let end = html.find("</main>").expect("main closes") + "</main>".len();
    let mut s = html[start..end].replace(sep_testkit::app::ISSUER, "[idp]");
    // The form token and an order form's one-time key.
    for (token, with) in [("name=\"csrf\" value=\"", "[csrf]"), ("name=\"request_key\" value=\"", "[key]")] {
        let mut from = 0;
        while let Some(at) = s[from..].find(token) {
            let value = from + at + token.len();
            let end = value + s[value..].find('"').unwrap();
            s.replace_range(value..end, with);
            from = value;
        }
    }
    s = mask(&s, "hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh", "[id]");
    s = mask(&s, "dd.dd.dddd", "[date]");
    s = mask(&s, "dd:dd:dd", "[time]");
    s = mask(&s, "dd:dd", "[time]");
    s = mask(&s, "dddd-dddddd", "[number]");
    s = mask(&s, "Sdddd-dddddd", "[order]");
    s
}

fn has_russian(s: &str) -> bool {
    s.chars().any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
}

/// Snapshots `path` in both languages as `name@ru` and `name@en`; with `no_russian`, the
/// English one must not have a Russian letter.
async fn both(w: &Browser, name: &str, path: &str, no_russian: bool) {
    for lang in ["ru", "en"] {
        w.get(&format!("/lang?to={lang}&return_to=/")).await;
        let html = w.get(path).await.text;
        let main = main_of(&html);
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{name}: {lang}");
        if lang == "en" && no_russian {
            // A language's name is written in that language (`lang="ru"`), as on every switch.
            let left: Vec<&str> = main.split(['<', '>']).filter(|t| has_russian(t) && *t != "Русский").collect();
            assert!(left.is_empty(), "{name}: Russian left in English: {left:#?}");
        }
        insta::assert_snapshot!(format!("{name}@{lang}"), main);
    }
    w.get("/lang?to=ru&return_to=/").await;
}

#[tokio::test]
async fn main_pages_in_russian_and_english() {
    let app = TestApp::new().await;
    // The demo's staff, as `sep demo` seeds them: the journal's first entries are theirs.
    sep_core::demo::seed_staff(app.db.store().as_ref(), sep_testkit::app::ISSUER, app.clock.now()).await.unwrap();
    let w = app.browser();
    both(&w, "home", "/", true).await;
    both(&w, "services", "/services", true).await;
    both(&w, "service", "/services/registration", true).await;
    both(&w, "help", "/help", true).await;
    both(&w, "help_errors", "/help/errors", true).await;
    both(&w, "not_found", "/nowhere", true).await;
    both(&w, "payment_by_uin", "/payments/uin", true).await;

    // Сидоров files for ООО «Ромашка»; the checks pass and it waits for an officer.
    let w = app.sign_in_as("+79345678901").await;
    let sent = file(&w, "org", &ORG).await;
    app.run_jobs().await;
    // A draft of his own, half filled.
    let service = w.page("/services/registration").await;
    let csrf = hidden(&service, "csrf");
    let start = [("csrf", csrf.as_str()), ("service", "registration"), ("applicant", "person")];
    let r = w.post("/applications", &start).await;
    let draft = r.location().to_owned();
    w.post(&draft, &[("csrf", csrf.as_str()), ("snils", "123")]).await;

    both(&w, "cabinet", "/cabinet", false).await;
    both(&w, "applications", "/applications", false).await;
    both(&w, "application_sent", &sent, false).await;
    both(&w, "application_draft", &draft, false).await;
    both(&w, "application_check", &format!("{draft}/check"), false).await;
    both(&w, "settings", "/settings", true).await;
    both(&w, "history", "/history", false).await;
    both(&w, "contacts", "/profile/contacts", false).await;
    both(&w, "spravki", "/spravki", false).await;
    both(&w, "payments", "/payments", false).await;
    both(&w, "payments_account", "/payments/account", true).await;
    both(&w, "mail", "/mail", false).await;
    // The recipients' values are the agencies' names as stored.
    both(&w, "mail_new", "/mail/new", false).await;
    both(&w, "mail_counterparties", "/mail/counterparties", true).await;
    let r = w.post("/spravki", &[("kind", "oms"), ("csrf", w.csrf.as_str())]).await;
    both(&w, "spravka_order", r.location(), false).await;

    let officer = app.sign_in_as("+79456789012").await;
    both(&officer, "officer_queue", "/officer", false).await;
    let id = sent.trim_start_matches("/applications/");
    both(&officer, "officer_application", &format!("/officer/applications/{id}"), false).await;
}

#[test]
fn masks_cover_what_varies() {
    let s = mask("a 01.02.2026 10:11:12 x 2026-000001 y12:00", "dd.dd.dddd", "[date]");
    assert_eq!(s, "a [date] 10:11:12 x 2026-000001 y12:00");
    let s = mask(&mask(&s, "dd:dd:dd", "[t]"), "dddd-dddddd", "[n]");
    assert_eq!(s, "a [date] [t] x [n] y12:00", "a time glued to a word stays");
}

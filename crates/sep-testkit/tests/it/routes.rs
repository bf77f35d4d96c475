//! The route list is the source (issue 22, T2 and T15): every route of the portal's router,
//! read from `sep-web/src/lib.rs`, must have an entry here saying who may use it, and a route
//! added without one fails. Each is then requested by a signed-out visitor — with made-up ids
//! where the path has parameters — and must answer as its entry says, never with a 5xx, and
//! with the security headers every page carries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use axum::http::StatusCode;
use sep_testkit::TestApp;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    /// Anyone: answers without a session (a page, a redirect of its own, or a refusal of the
    /// input), never sends to sign in.
    Anyone,
    /// A signed-in person: a signed-out visitor is sent to sign in (a form with the way back to
    /// where it was, a page to itself), or refused (403, 401 for a background request).
    Person,
    /// The sign-in itself: with no identity provider configured (as here) a 503 page saying so.
    Provider,
    /// Not served in this configuration (the demo's outbox, `/metrics` without a token): 404.
    Hidden,
    /// A program with a personal access token (`/api/v1`): without one, 401 as problem+json.
    Token,
}

/// Every route with who may use it.
pub(crate) const ROUTES: &[(&str, Who)] = &[
    ("/assets/{file}", Who::Anyone),
    ("/healthz", Who::Anyone),
    ("/readyz", Who::Anyone),
    ("/metrics", Who::Hidden),
    ("/", Who::Anyone),
    ("/services", Who::Anyone),
    ("/services/{code}", Who::Anyone),
    ("/help", Who::Anyone),
    ("/help/errors", Who::Anyone),
    ("/lang", Who::Anyone),
    ("/outbox", Who::Hidden),
    ("/login", Who::Provider),
    ("/login/callback", Who::Provider),
    ("/relink/send", Who::Anyone),
    ("/relink/code", Who::Anyone),
    ("/terms", Who::Person),
    ("/logout", Who::Anyone),
    ("/cabinet", Who::Person),
    ("/notices/read", Who::Person),
    ("/events", Who::Person),
    ("/history", Who::Person),
    ("/documents", Who::Person),
    ("/documents/zip", Who::Person),
    ("/documents/issued/{id}", Who::Person),
    ("/documents/replace", Who::Person),
    ("/sessions", Who::Person),
    ("/sessions/end", Who::Person),
    ("/settings", Who::Person),
    ("/settings/login-protection", Who::Person),
    ("/prefs.css", Who::Anyone),
    ("/profile/contacts", Who::Person),
    ("/profile/contacts/sms/confirm", Who::Person),
    ("/profile/contacts/email/confirm", Who::Person),
    ("/profile/contacts/{channel}", Who::Person),
    ("/applications", Who::Person),
    ("/applications/{id}", Who::Person),
    ("/applications/{id}/check", Who::Person),
    ("/applications/{id}/submit", Who::Person),
    ("/applications/{id}/withdraw", Who::Person),
    ("/applications/{id}/contacts/{channel}", Who::Person),
    ("/applications/{id}/contacts/sms/confirm", Who::Person),
    ("/applications/{id}/contacts/email/confirm", Who::Person),
    ("/applications/{id}/documents", Who::Person),
    ("/applications/{id}/attachments/{file}", Who::Person),
    ("/applications/{id}/attachments/{file}/delete", Who::Person),
    ("/applications/{id}/sign", Who::Person),
    ("/applications/{id}/fee", Who::Person),
    ("/mail", Who::Person),
    ("/mail/new", Who::Person),
    ("/mail/counterparties", Who::Person),
    ("/mail/counterparties/remove", Who::Person),
    ("/mail/letters/{letter}/files/{n}", Who::Person),
    ("/mail/letters/{letter}/zip", Who::Person),
    ("/mail/letters/{letter}/text", Who::Person),
    ("/mail/letters/{letter}/signatures/{n}", Who::Person),
    ("/mail/letters/{letter}/receipt", Who::Person),
    ("/mail/drafts", Who::Person),
    ("/mail/drafts/{draft}/delete", Who::Person),
    ("/mail/drafts/{draft}/files/{n}/delete", Who::Person),
    ("/mail/sign/{signing}", Who::Person),
    ("/tokens", Who::Person),
    ("/tokens/{token}/revoke", Who::Person),
    ("/api/v1/openapi.json", Who::Anyone),
    ("/api/docs", Who::Anyone),
    ("/.well-known/oauth-authorization-server", Who::Anyone),
    ("/oauth/token", Who::Anyone),
    ("/oauth/revoke", Who::Anyone),
    ("/oauth/introspect", Who::Anyone),
    ("/integration/register", Who::Token),
    ("/oauth/authorize", Who::Person),
    ("/tokens/integrations/{client}/disable", Who::Person),
    ("/applications/import", Who::Person),
    ("/applications/import/{operation}", Who::Person),
    ("/applications/import/{operation}/status", Who::Person),
    ("/access", Who::Person),
    ("/access/{grant}/revoke", Who::Person),
    ("/api/v1/applications", Who::Token),
    ("/api/v1/applications/{id}", Who::Token),
    ("/api/v1/applications/{id}/submit", Who::Token),
    ("/api/v1/applications/import", Who::Token),
    ("/api/v1/operations/{operation}", Who::Token),
    ("/api/v1/applications/{id}/withdraw", Who::Token),
    ("/api/v1/documents", Who::Token),
    ("/api/v1/documents/{key}/file", Who::Token),
    ("/api/v1/documents/{key}", Who::Token),
    ("/api/v1/applications/{id}/documents/{document}", Who::Token),
    ("/api/v1/agency/applications", Who::Token),
    ("/api/v1/agency/applications/{id}", Who::Token),
    ("/api/v1/agency/applications/{id}/take", Who::Token),
    ("/api/v1/agency/applications/{id}/decide", Who::Token),
    ("/api/v1/mail", Who::Token),
    ("/api/v1/mail/recipients", Who::Token),
    ("/api/v1/mail/{conversation}", Who::Token),
    ("/api/v1/charges", Who::Token),
    ("/api/v1/charges/{uin}", Who::Token),
    ("/api/v1/payments", Who::Token),
    ("/api/v1/passports/verify", Who::Token),
    ("/api/v1/spravki", Who::Token),
    ("/api/v1/spravki/kinds", Who::Token),
    ("/api/v1/spravki/{order}", Who::Token),
    ("/api/v1/spravki/{order}/file", Who::Token),
    ("/api/v1/spravki/{order}/signature", Who::Token),
    ("/api/v1/webhooks", Who::Token),
    ("/api/v1/webhooks/{endpoint}", Who::Token),
    ("/api/v1/webhooks/{endpoint}/rotate", Who::Token),
    ("/api/v1/webhooks/{endpoint}/enable", Who::Token),
    ("/api/v1/webhooks/{endpoint}/messages", Who::Token),
    ("/api/v1/webhooks/{endpoint}/messages/{message}/replay", Who::Token),
    ("/api/v1/webhooks/{endpoint}/recover", Who::Token),
    ("/mail/{conversation}", Who::Person),
    ("/mail/{conversation}/reply", Who::Person),
    ("/mail/{conversation}/archive", Who::Person),
    ("/applications/{id}/statement.json", Who::Person),
    ("/applications/{id}/messages", Who::Person),
    ("/applications/{id}/messages/{message}/file", Who::Person),
    ("/signature", Who::Person),
    ("/signature/certificate", Who::Person),
    ("/signature/certificate.cer", Who::Person),
    ("/signature/revoke", Who::Person),
    ("/documents/sign", Who::Person),
    ("/documents/sign/{id}", Who::Person),
    ("/documents/signatures/{id}", Who::Person),
    ("/documents/signatures", Who::Person),
    ("/applications/{id}/sms-code", Who::Person),
    ("/applications/{id}/sms-code/confirm", Who::Person),
    ("/passport", Who::Person),
    ("/passport/{id}/photo", Who::Person),
    ("/passport/{id}/qr", Who::Person),
    ("/passport/{id}/qr.svg", Who::Person),
    ("/passport/{id}/qr.png", Who::Person),
    ("/passport/verify", Who::Anyone),
    ("/passport/sw.js", Who::Anyone),
    ("/.well-known/sep/trust-list", Who::Anyone),
    ("/.well-known/sep/annulments", Who::Anyone),
    ("/spravki", Who::Person),
    ("/spravki/{id}", Who::Person),
    ("/spravki/{id}/status", Who::Person),
    ("/spravki/{id}/pdf", Who::Person),
    ("/spravki/{id}/sig", Who::Person),
    ("/spravki/{id}/zip", Who::Person),
    ("/payments", Who::Person),
    ("/payments/uin", Who::Anyone),
    ("/payments/charges/{uin}", Who::Person),
    ("/payments/charges/{uin}/qr.png", Who::Person),
    ("/payments/charges/{uin}/pay", Who::Person),
    ("/payments/result/{id}", Who::Person),
    ("/payments/result/{id}/code", Who::Person),
    ("/payments/result/{id}/confirm", Who::Person),
    ("/payments/callback", Who::Anyone),
    ("/payments/account", Who::Person),
    ("/payments/account/refunds", Who::Person),
    ("/payments/account/alerts", Who::Person),
    ("/payments/account/report", Who::Person),
    ("/payments/account/cards/{id}/delete", Who::Person),
    ("/verify", Who::Anyone),
    ("/verify/ca.pem", Who::Anyone),
    ("/verify/document", Who::Anyone),
    ("/verify/{number}", Who::Anyone),
    ("/officer", Who::Person),
    ("/officer/applications/{id}", Who::Person),
    ("/officer/applications/{id}/take", Who::Person),
    ("/officer/applications/{id}/decide", Who::Person),
    ("/officer/applications/{id}/issued/{doc}/annul", Who::Person),
    ("/officer/applications/{id}/issue", Who::Person),
    ("/officer/passports", Who::Person),
    ("/officer/passports/{id}/annul", Who::Person),
    ("/officer/spravki", Who::Person),
    ("/officer/spravki/{number}/annul", Who::Person),
];

/// The routes of the portal's router with their methods, read from its source.
pub(crate) fn routes() -> Vec<(String, Vec<&'static str>)> {
    let source = include_str!("../../../sep-web/src/lib.rs");
    let code = source.split("#[cfg(test)]").next().unwrap();
    // Routes reach the router only through `.route(` here: anything else would hide them.
    for hidden in [".nest(", ".route_service(", ".nest_service(", "Router::new().fallback_service("] {
        assert!(!code.contains(hidden), "`{hidden}` in the router: list its routes here");
    }
    // A method handler is a word of its own: `get(`, `.post(`, not `target(`.
    let has = |text: &str, method: &str| {
        text.match_indices(&format!("{method}("))
            .any(|(i, _)| i == 0 || !text.as_bytes()[i - 1].is_ascii_alphanumeric() && text.as_bytes()[i - 1] != b'_')
    };
    let parts: Vec<&str> = code.split(".route(").skip(1).collect();
    parts
        .iter()
        .map(|part| {
            // This route's own text: up to the next route or the end of its router.
            let part = part.split("\n}").next().unwrap();
            let path = part.split('"').nth(1).unwrap().to_owned();
            let methods: Vec<&'static str> = [
                ("get", "GET"),
                ("post", "POST"),
                ("put", "PUT"),
                ("delete", "DELETE"),
                ("patch", "PATCH"),
                ("any", "ANY"),
            ]
            .into_iter()
            .filter(|(m, _)| has(part, m))
            .map(|(_, name)| name)
            .collect();
            assert!(!methods.is_empty(), "{path}: no method found (a handler this test does not know?)");
            assert!(
                methods.iter().all(|m| ["GET", "POST", "PATCH", "DELETE"].contains(m)),
                "{path}: {methods:?} — teach this test to request it"
            );
            (path, methods)
        })
        .collect()
}

/// The path with made-up values for its parameters.
pub(crate) fn concrete(path: &str) -> String {
    path.replace("{id}", "01900000-0000-7000-8000-000000000000")
        .replace("{file}", "01900000-0000-7000-8000-000000000001")
        .replace("{doc}", "01900000-0000-7000-8000-000000000002")
        .replace("{message}", "1")
        .replace("{channel}", "sms")
        .replace("{code}", "registration")
        .replace("{number}", "D2026-000001")
        .replace("{uin}", "18810177230000123450")
        .replace("{conversation}", "01900000-0000-7000-8000-000000000003")
        .replace("{n}", "0")
        .replace("{letter}", "01900000-0000-7000-8000-000000000004")
        .replace("{draft}", "01900000-0000-7000-8000-000000000005")
        .replace("{signing}", "01900000-0000-7000-8000-000000000006")
        .replace("{token}", "01900000-0000-7000-8000-000000000007")
        .replace("{key}", "a:01900000-0000-7000-8000-000000000008")
        .replace("{endpoint}", "01900000-0000-7000-8000-000000000009")
        .replace("{grant}", "01900000-0000-7000-8000-00000000000a")
        .replace("{order}", "01900000-0000-7000-8000-00000000000b")
        .replace("{document}", "passport_scan")
        .replace("{operation}", "01900000-0000-7000-8000-00000000000c")
        .replace("{client}", "sep_cli_000000000000000000000000")
}

#[test]
fn every_route_has_an_entry_and_every_entry_a_route() {
    let found: Vec<String> = routes().into_iter().map(|(p, _)| p).collect();
    assert!(found.len() > 50, "the routes are read: {}", found.len());
    let missing: Vec<&String> = found.iter().filter(|p| !ROUTES.iter().any(|(r, _)| r == p)).collect();
    assert!(missing.is_empty(), "routes without an entry here (who may use them?): {missing:?}");
    let gone: Vec<&str> = ROUTES.iter().map(|(r, _)| *r).filter(|r| !found.iter().any(|p| p == r)).collect();
    assert!(gone.is_empty(), "entries for routes that no longer exist: {gone:?}");
}

#[tokio::test]
async fn a_signed_out_visitor_gets_what_each_route_allows_with_the_security_headers() {
    let app = TestApp::new().await;
    let mut wrong = Vec::new();
    for (path, methods) in routes() {
        let who = ROUTES.iter().find(|(r, _)| *r == path).map(|(_, w)| *w).unwrap();
        for method in methods {
            let b = app.browser();
            let url = concrete(&path);
            let r = match method {
                "GET" => b.get(&url).await,
                "POST" => b.post(&url, &[("csrf", "none")]).await,
                _ => {
                    let req = axum::http::Request::builder().method(method).uri(&url);
                    app.request(req.body(axum::body::Body::from("{}")).unwrap()).await
                }
            };
            let to_login = r.status == StatusCode::SEE_OTHER && r.location().starts_with("/login");
            let fine = match who {
                Who::Provider => r.status == StatusCode::SERVICE_UNAVAILABLE && r.text.contains("idp_not_configured"),
                _ if r.status.is_server_error() => false,
                Who::Anyone => !to_login,
                Who::Person => {
                    to_login
                        || (method == "POST" && r.status == StatusCode::FORBIDDEN)
                        || r.status == StatusCode::UNAUTHORIZED
                }
                Who::Hidden => r.status == StatusCode::NOT_FOUND,
                Who::Token => {
                    r.status == StatusCode::UNAUTHORIZED
                        && r.header("content-type") == Some("application/problem+json")
                        && r.text.contains("api_token_missing")
                }
            };
            if !fine {
                wrong.push(format!("{method} {url}: {} {}", r.status, r.location()));
            }
            // T15: every answer carries the headers, whatever its status.
            let csp = r.header("content-security-policy").unwrap_or_default();
            let headers_ok = !csp.is_empty()
                && !csp.contains("unsafe-inline")
                && csp.contains("frame-ancestors 'none'")
                && r.header("x-content-type-options") == Some("nosniff")
                && r.header("referrer-policy").is_some()
                && r.header("x-request-id").is_some();
            if !headers_ok {
                wrong.push(format!("{method} {url}: security headers missing ({csp})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// T2: every route that reaches an object by id answers a signed-in citizen 404 for an id that
/// is not theirs (here: nobody's) — the same answer as for an id that does not exist — and an
/// officer's route answers a citizen 404 too; never a 5xx.
#[tokio::test]
async fn an_id_that_is_not_ones_own_is_not_found_on_every_object_route() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let mut wrong = Vec::new();
    for (path, methods) in routes() {
        let who = ROUTES.iter().find(|(r, _)| *r == path).map(|(_, w)| *w).unwrap();
        let by_id = [
            "{id}",
            "{file}",
            "{message}",
            "{uin}",
            "{conversation}",
            "{letter}",
            "{draft}",
            "{signing}",
            "{token}",
            "{grant}",
            "{operation}",
            "{client}",
        ]
        .iter()
        .any(|p| path.contains(p));
        if who != Who::Person || !(by_id || path.starts_with("/officer")) {
            continue;
        }
        for method in methods {
            let url = concrete(&path);
            let r = match method {
                "GET" => w.get(&url).await,
                _ => w.post_form(&url, &[("code", "123456"), ("reason", "x"), ("decision", "approve")]).await,
            };
            if r.status != StatusCode::NOT_FOUND {
                wrong.push(format!("{method} {url}: {}", r.status));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// T2: an officer of another agency reaches nothing of an application filed with this one —
/// every route with its id answers 404 (the application is real; its files are made up).
#[tokio::test]
async fn an_officer_of_another_agency_reaches_nothing_of_an_application() {
    let app = TestApp::new().await;
    let w = app.citizen().await;
    let filed = crate::common::file(&w, "person", &[("passport_number", "000001")]).await;
    let id = filed.trim_start_matches("/applications/").to_owned();
    let stranger = app.officer("ФНС России").await;
    let store = app.db.store();
    let before =
        store.get_application(sep_core::application::record::ApplicationId(id.parse().unwrap())).await.unwrap();
    let denied = || async {
        store
            .list_audit(0, 5000)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event.action == "application.access_denied")
            .count()
    };
    let mut wrong = Vec::new();
    let mut asked = 0;
    for (path, methods) in routes() {
        // Only the application's own routes take its id (a справка order's are in spravki.rs,
        // an e-passport's in passport.rs).
        // (The API's are reached with a token: `api.rs`.)
        if !path.contains("{id}")
            || ["/documents", "/spravki", "/payments", "/api", "/passport", "/officer/passports"]
                .iter()
                .any(|p| path.starts_with(p))
        {
            continue;
        }
        for method in methods {
            // So many refusals at once would end the session (SEC1): spread over the window.
            asked += 1;
            if asked % (sep_core::session::refusals::LIMIT - 5) == 0 {
                app.clock.advance(sep_core::session::refusals::WINDOW + time::Duration::minutes(1));
            }
            let url = concrete(&path).replace("01900000-0000-7000-8000-000000000000", &id);
            let journaled = denied().await;
            let r = match method {
                "GET" => stranger.get(&url).await,
                _ => stranger.post_form(&url, &[("consent", "yes"), ("decision", "approve"), ("reason", "x")]).await,
            };
            if r.status != StatusCode::NOT_FOUND {
                wrong.push(format!("{method} {url}: {}", r.status));
            }
            if denied().await != journaled + 1 {
                wrong.push(format!("{method} {url}: not journaled once"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let after = store.get_application(before.id).await.unwrap();
    assert_eq!(
        (after.status, after.assignee, after.updated_at),
        (before.status, before.assignee, before.updated_at),
        "nothing changed"
    );
    assert_eq!(after.data, before.data);
    let _ = w;
}

/// Issue 20: every page a signed-in person opens is measured by `examples/pages_bench.rs`
/// (`sep_testkit::pages::MEASURED`) or named as not measured with the reason.
#[test]
fn every_signed_in_page_is_measured_or_said_why_not() {
    use sep_testkit::pages::{MEASURED, NOT_MEASURED};
    let mut unlisted = Vec::new();
    for (path, methods) in routes() {
        let who = ROUTES.iter().find(|(r, _)| *r == path).map(|(_, w)| *w);
        if who != Some(Who::Person) || !methods.contains(&"GET") {
            continue;
        }
        let measured = MEASURED.iter().any(|(p, _)| *p == path);
        let excused = NOT_MEASURED.iter().any(|(p, _)| *p == path);
        assert!(!(measured && excused), "{path}: both measured and not");
        if !measured && !excused {
            unlisted.push(path);
        }
    }
    assert!(unlisted.is_empty(), "signed-in pages neither measured nor said why not: {unlisted:?}");
    let all = routes();
    for p in MEASURED.iter().map(|(p, _)| *p).chain(NOT_MEASURED.iter().map(|(p, _)| *p)) {
        assert!(all.iter().any(|(r, m)| r == p && m.contains(&"GET")), "{p}: listed but not a GET route");
    }
}

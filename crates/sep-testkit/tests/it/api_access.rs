//! Issue 18, point 9, generated from the router: every API route, with every method it has,
//! is called with a token of every kind that must not reach a person's objects — none, revoked,
//! expired, of a disabled client, without the route's scope (read from the OpenAPI document),
//! another person's own token, a client of another owner, another person's delegation — and is
//! refused (401, 403 or 404) without a byte of the person's data; nothing of theirs changes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::api::{call, issue, json, write};
use crate::routes::{ROUTES, Who, routes};
use axum::http::StatusCode;
use base64::Engine;
use sep_core::clock::Clock;
use sep_core::integration::Scope;
use sep_testkit::TestApp;
use sep_testkit::app::Signed;

const ALL: [&str; 11] = [
    "applications:read",
    "applications:write",
    "documents:read",
    "webhooks:manage",
    "spravki:read",
    "spravki:order",
    "payments:read",
    "mail:read",
    "mail:send",
    "agency:review",
    "passports:verify",
];

/// A client of `owner`'s (kind `accounting`, every scope the PAT has) and its secret.
async fn client(t: &TestApp, owner_pat: &str, redirect: bool) -> (String, String) {
    let redirects = if redirect { r#","redirect_uris":["https://app.example.ru/cb"]"# } else { "" };
    let body =
        format!(r#"{{"kind":"accounting","name":"Программа","auth":{{"method":"client_secret_basic"}}{redirects}}}"#);
    let r = json(&write(t, "POST", "/integration/register", owner_pat, None, &body).await);
    (r["client_id"].as_str().unwrap().to_owned(), r["client_secret"].as_str().unwrap().to_owned())
}

async fn token_form(t: &TestApp, id: &str, secret: &str, body: &str) -> serde_json::Value {
    let b = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let req = axum::http::Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Basic {b}"))
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap();
    json(&t.request(req).await)
}

/// An access token `person` delegated to the client `(id, secret)` (consent on the page).
async fn delegated(t: &TestApp, person: &Signed, id: &str, secret: &str) -> String {
    use sha2::Digest;
    let verifier = "x".repeat(64);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let scope = ALL.join(" ");
    let r = person
        .post_form(
            "/oauth/authorize",
            &[
                ("client_id", id),
                ("redirect_uri", "https://app.example.ru/cb"),
                ("response_type", "code"),
                ("scope", &scope),
                ("state", "s"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("decision", "allow"),
            ],
        )
        .await;
    let code = r.location().split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=https://app.example.ru/cb&code_verifier={verifier}"
    );
    token_form(t, id, secret, &body).await["access_token"].as_str().unwrap().to_owned()
}

/// A body each write accepts, so that a refusal is about who asks, not what was sent.
fn body_for(path: &str) -> &'static str {
    if path.ends_with("/submit") {
        r#"{"consent":true}"#
    } else if path.ends_with("/recover") {
        r#"{"since":"2026-01-01T00:00:00Z"}"#
    } else if path == "/api/v1/applications/{id}" {
        r#"{"data":{}}"#
    } else if path == "/api/v1/applications" {
        r#"{"service":"registration","applicant_type":"person"}"#
    } else if path == "/api/v1/webhooks" {
        r#"{"url":"https://example.org/h","events":["mail.received"]}"#
    } else if path.ends_with("/decide") {
        r#"{"decision":"approve"}"#
    } else if path == "/api/v1/mail" {
        r#"{"to":{"kind":"agency","id":"ФНС России"},"text":"x"}"#
    } else if path == "/api/v1/passports/verify" {
        r#"{"code":"SEP1:00"}"#
    } else if path == "/api/v1/spravki" {
        r#"{"kind":"pension"}"#
    } else if path == "/integration/register" {
        r#"{"kind":"other","name":"x","auth":{"method":"client_secret_basic"}}"#
    } else {
        ""
    }
}

#[tokio::test]
async fn every_api_route_refuses_every_token_that_is_not_the_persons() {
    let t = TestApp::new().await;
    let store = t.db.store();
    let a = t.citizen().await;
    let b = t.sign_in_as("+79345678901").await;
    let app_path = crate::common::file(&a, "person", &[("passport_number", "000001")]).await;
    let app_id = app_path.trim_start_matches("/applications/").to_owned();
    let mine = issue(&a, "Все права", &ALL).await;
    let hook = json(
        &write(
            &t,
            "POST",
            "/api/v1/webhooks",
            &mine,
            None,
            r#"{"url":"https://example.org/a","events":["mail.received"]}"#,
        )
        .await,
    );
    let endpoint = hook["id"].as_str().unwrap().to_owned();
    let docs = json(&call(&t, "/api/v1/documents", &mine).await);
    let key = docs["items"][0]["key"].as_str().unwrap().to_owned();
    let order = json(&write(&t, "POST", "/api/v1/spravki", &mine, None, r#"{"kind":"pension"}"#).await);
    let order = order["id"].as_str().unwrap_or_else(|| panic!("{order}")).to_owned();
    t.run_spravki().await;
    let charges = json(&call(&t, "/api/v1/charges", &mine).await);
    let uin = charges["items"][0]["uin"].as_str().unwrap_or_else(|| panic!("A has charges: {charges}")).to_owned();
    let recipients = json(&call(&t, "/api/v1/mail/recipients", &mine).await);
    let agency = recipients["items"][0]["id"].as_str().unwrap().to_owned();
    let letter = json(
        &write(
            &t,
            "POST",
            "/api/v1/mail",
            &mine,
            None,
            &format!(r#"{{"to":{{"kind":"agency","id":"{agency}"}},"subject":"Вопрос","text":"Текст"}}"#),
        )
        .await,
    );
    let conversation = letter["id"].as_str().unwrap_or_else(|| panic!("{letter}")).to_owned();
    let csv = "passport_series;passport_number;passport_issued_on;passport_issuer;passport_division_code;birth_place;address\n\
        4510;000009;10.04.2010;ГУ МВД России по г. Москве;770-001;г. Москва;г. Москва, ул. Тверская, д. 9\n";
    let req = axum::http::Request::post("/api/v1/applications/import?service=registration&applicant_type=person")
        .header("authorization", format!("Bearer {mine}"))
        .header("content-type", "text/csv")
        .body(axum::body::Body::from(csv))
        .unwrap();
    let imported = json(&t.request(req).await);
    let operation = imported["id"].as_str().unwrap_or_else(|| panic!("{imported}")).to_owned();
    let secrets_of_a = [
        app_id.clone(),
        endpoint.clone(),
        key.clone(),
        order.clone(),
        uin.clone(),
        conversation.clone(),
        operation.clone(),
    ];

    // Tokens that must reach nothing of A's.
    let revoked = issue(&a, "Отозванный", &ALL).await;
    let revoked_id =
        store.list_api_tokens(a.user.id).await.unwrap().into_iter().find(|t| t.name == "Отозванный").unwrap().id;
    a.post_form(&format!("/tokens/{revoked_id}/revoke"), &[]).await;
    let expired = "sep_pat_".to_owned() + &"e".repeat(64);
    let now = t.clock.now();
    let stale = sep_core::integration::tokens::PersonalToken {
        id: uuid::Uuid::now_v7(),
        user_id: a.user.id,
        name: "Истёкший".into(),
        scopes: Scope::ALL.to_vec(),
        hash: sep_core::integration::tokens::hash(&expired),
        hint: "eeeeee".into(),
        created_at: now - time::Duration::days(31),
        expires_at: now - time::Duration::seconds(1),
        last_used_at: None,
        revoked_at: None,
    };
    store.insert_api_token(&stale, &sep_core::store::Effects::none()).await.unwrap();
    let (a_client, a_secret) = client(&t, &mine, true).await;
    let (other_client, other_secret) = client(&t, &mine, false).await;
    let origin = sep_core::audit::Origin { ip: None, request_id: None };
    use sep_core::integration::client::{Decision, decide};
    decide(store.as_ref(), &other_client, Decision::Disable, &origin, now).await.unwrap();
    let disabled_client = token_form(&t, &other_client, &other_secret, "grant_type=client_credentials")
        .await
        .get("access_token")
        .cloned();
    assert!(disabled_client.is_none(), "a disabled client gets no token");
    let b_pat = issue(&b, "Чужой", &ALL).await;
    let (b_client, b_secret) = client(&t, &b_pat, false).await;
    let b_system = token_form(&t, &b_client, &b_secret, "grant_type=client_credentials").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // B lets A's own client act for B: a delegation of another person (once approved).
    decide(store.as_ref(), &a_client, Decision::Approve, &origin, now).await.unwrap();
    let b_delegation = delegated(&t, &b, &a_client, &a_secret).await;
    // A's client token, then the client disabled: it stops.
    let a_system = token_form(&t, &a_client, &a_secret, "grant_type=client_credentials").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let doc = json(&call(&t, "/api/v1/openapi.json", "").await);
    let before_app =
        store.get_application(sep_core::application::record::ApplicationId(app_id.parse().unwrap())).await.unwrap();
    let mut wrong = Vec::new();
    let mut checked = 0;
    let mut lacking_tokens: std::collections::HashMap<Vec<&str>, String> = std::collections::HashMap::new();
    for (path, methods) in routes() {
        let Some((_, Who::Token)) = ROUTES.iter().find(|(r, _)| *r == path) else { continue };
        let url = path
            .replace("{id}", &app_id)
            .replace("{endpoint}", &endpoint)
            .replace("{message}", "msg_0000")
            .replace("{key}", &key)
            .replace("{order}", &order)
            .replace("{uin}", &uin)
            .replace("{conversation}", &conversation)
            .replace("{document}", "passport_scan")
            .replace("{operation}", &operation);
        let by_object = path.contains('{');
        for method in methods {
            let needed: Vec<String> = doc["paths"][&path][method.to_ascii_lowercase()]["security"][0]["token"]
                .as_array()
                .map(|s| s.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            // A token of A's with every scope but the route's.
            let without: Vec<&str> = ALL.iter().copied().filter(|s| !needed.iter().any(|n| n == s)).collect();
            let lacking = if needed.is_empty() || without.is_empty() {
                None
            } else if let Some(t) = lacking_tokens.get(&without) {
                Some(t.clone())
            } else {
                let token = issue(&a, "Без права", &without).await;
                lacking_tokens.insert(without.clone(), token.clone());
                Some(token)
            };
            let mut families: Vec<(&str, String, &[StatusCode])> = vec![
                ("none", String::new(), &[StatusCode::UNAUTHORIZED]),
                ("revoked", revoked.clone(), &[StatusCode::UNAUTHORIZED]),
                ("expired", expired.clone(), &[StatusCode::UNAUTHORIZED]),
            ];
            if let Some(l) = lacking {
                families.push(("wrong scope", l, &[StatusCode::FORBIDDEN]));
            }
            if by_object {
                for (name, token) in [
                    ("another person", &b_pat),
                    ("another owner's client", &b_system),
                    ("another's delegation", &b_delegation),
                ] {
                    families.push((name, token.clone(), &[StatusCode::NOT_FOUND]));
                }
            }
            for (family, token, allowed) in families {
                let r = if method == "GET" {
                    call(&t, &url, &token).await
                } else {
                    write(&t, method, &url, &token, None, body_for(&path)).await
                };
                checked += 1;
                let leaked = secrets_of_a.iter().any(|s| r.text.contains(s.as_str())) && r.status.is_success();
                if !allowed.contains(&r.status) || leaked || r.text.contains(&a.user.profile.last_name) {
                    wrong.push(format!(
                        "{method} {path} with {family}: {} {}",
                        r.status,
                        &r.text[..r.text.len().min(200)]
                    ));
                }
            }
        }
    }
    // The client disabled after its token was issued: the token stops too.
    decide(store.as_ref(), &a_client, Decision::Disable, &origin, now).await.unwrap();
    let r = call(&t, "/api/v1/applications", &a_system).await;
    if r.status != StatusCode::UNAUTHORIZED {
        wrong.push(format!("a disabled client's token: {}", r.status));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked > 80, "every route with every family: {checked}");
    let after_app = store.get_application(before_app.id).await.unwrap();
    assert_eq!((after_app.data, after_app.status), (before_app.data, before_app.status), "nothing of A's changed");
    let still = json(&call(&t, &format!("/api/v1/webhooks/{endpoint}"), &mine).await);
    assert_eq!((still["state"].as_str(), still["url"].as_str()), (Some("active"), Some("https://example.org/a")));
}

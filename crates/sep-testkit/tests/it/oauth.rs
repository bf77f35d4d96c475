//! Integrations and the authorization server (issue 18, points 4 and 5): a person registers an
//! external service with their personal access token (`POST /integration/register`), the
//! service gets short-lived access tokens by client credentials — with its secret
//! (`client_secret_basic`) or an assertion signed with its key (`private_key_jwt`, ES256 and
//! ГОСТ) — and calls the API for its owner within its scopes; tokens are revoked and
//! introspected; systems of banks start in test mode on a sandbox person until approved.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::api::{call, issue, json, refusal, write};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use sep_core::clock::Clock;
use sep_testkit::TestApp;
use sep_testkit::app::TestResponse;

const TOKEN_ENDPOINT: &str = "http://127.0.0.1:8080/oauth/token";

/// A form posted to an endpoint of the authorization server, with Basic credentials if given.
async fn form(t: &TestApp, path: &str, basic: Option<(&str, &str)>, body: &str) -> TestResponse {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        req = req.header(header::AUTHORIZATION, format!("Basic {b}"));
    }
    t.request(req.body(Body::from(body.to_owned())).unwrap()).await
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An assertion of `client` for `aud`, valid `secs` seconds, with `jti`, signed with the ГОСТ key.
fn gost_assertion(t: &TestApp, client: &str, aud: &str, secs: i64, jti: &str) -> String {
    let header = b64(br#"{"alg":"GOST3410_2012_256","typ":"JWT"}"#);
    let exp = t.clock.now().unix_timestamp() + secs;
    let claims = serde_json::json!({ "iss": client, "sub": client, "aud": aud, "exp": exp, "jti": jti });
    let input = format!("{header}.{}", b64(claims.to_string().as_bytes()));
    let sig = t.authority.key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(&sig))
}

const ASSERTION_TYPE: &str = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";

#[tokio::test]
async fn an_integration_gets_tokens_by_its_secret_and_calls_the_api_for_its_owner() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    crate::common::file(&w, "person", &[("passport_number", "000001")]).await;
    let pat = issue(&w, "Регистрация интеграций", &["applications:read", "webhooks:manage"]).await;

    // The metadata names the endpoints (RFC 8414).
    let meta = json(&call(&t, "/.well-known/oauth-authorization-server", "").await);
    assert_eq!(meta["token_endpoint"], TOKEN_ENDPOINT);
    assert_eq!(meta["authorization_endpoint"], "http://127.0.0.1:8080/oauth/authorize", "the Contract names all four");
    assert!(meta["revocation_endpoint"].as_str().is_some() && meta["introspection_endpoint"].as_str().is_some());

    // Registration: what the token has, within what the kind may have; refusals by code.
    for (body, code) in [
        (r#"{"kind":"spaceship","name":"x","auth":{"method":"client_secret_basic"}}"#, "integration_kind_unknown"),
        (r#"{"kind":"accounting","name":" ","auth":{"method":"client_secret_basic"}}"#, "token_name_required"),
        (
            r#"{"kind":"accounting","name":"x","auth":{"method":"client_secret_basic"},"scopes":["applications:write"]}"#,
            "token_scopes_required",
        ),
        (
            r#"{"kind":"accounting","name":"x","auth":{"method":"private_key_jwt","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}}"#,
            "integration_key_invalid",
        ),
    ] {
        let r = write(&t, "POST", "/integration/register", &pat, None, body).await;
        assert_eq!(refusal(&r).1, code, "{body}: {}", r.text);
    }
    let body = r#"{"kind":"accounting","name":"1С:Бухгалтерия","auth":{"method":"client_secret_basic"}}"#;
    let r = write(&t, "POST", "/integration/register", &pat, Some("reg-1"), body).await;
    let again = json(&write(&t, "POST", "/integration/register", &pat, Some("reg-1"), body).await);
    assert!(
        again.get("client_secret").is_none() && again["client_id"].as_str().is_some(),
        "a secret is shown once: {again}"
    );
    let arr = write(&t, "POST", "/integration/register", &pat, None, r#"["accounting","x",{}]"#).await;
    assert_eq!(refusal(&arr).1, "api_body_invalid", "an array is not a request");
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let reg = json(&r);
    let (id, secret) =
        (reg["client_id"].as_str().unwrap().to_owned(), reg["client_secret"].as_str().unwrap().to_owned());
    assert!(id.starts_with("sep_cli_") && secret.starts_with("sep_cs_") && reg["integration_id"] == reg["client_id"]);
    assert_eq!((reg["mode"].as_str(), reg["token_endpoint"].as_str()), (Some("live"), Some(TOKEN_ENDPOINT)));
    assert_eq!(reg["scopes"], serde_json::json!(["applications:read", "webhooks:manage"]), "never more than the token");
    let ops: Vec<String> = reg["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{} {}", o["method"].as_str().unwrap(), o["path"].as_str().unwrap()))
        .collect();
    assert!(ops.contains(&"GET /api/v1/applications".to_owned()) && ops.contains(&"POST /api/v1/webhooks".to_owned()));
    assert!(!ops.iter().any(|o| o == "POST /api/v1/applications" || o.contains("/documents")), "{ops:?}");
    assert!(w.page("/cabinet").await.contains("Зарегистрирована интеграция"), "the owner is told");
    let stored = format!("{:?}", t.db.store().list_api_clients(w.user.id).await.unwrap());
    assert!(!stored.contains(&secret[7..]), "the secret is kept as a hash");

    // Client credentials with the secret.
    let r = form(&t, "/oauth/token", Some((&id, &secret)), "grant_type=client_credentials").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let got = json(&r);
    let access = got["access_token"].as_str().unwrap().to_owned();
    assert!(access.starts_with("sep_at_") && got["token_type"] == "Bearer" && got["expires_in"] == 900, "{got}");
    let apps = json(&call(&t, "/api/v1/applications", &access).await);
    assert_eq!(apps["items"].as_array().unwrap().len(), 1, "the owner's applications: {apps}");
    let r = call(&t, "/api/v1/documents", &access).await;
    assert_eq!(refusal(&r).1, "api_scope_missing", "only its scopes");
    let r = write(&t, "POST", "/integration/register", &access, None, body).await;
    assert_eq!(refusal(&r), (StatusCode::FORBIDDEN, "integration_personal_token_required".into(), vec![]));

    // Refusals as RFC 6749 §5.2 writes them.
    for (basic, body, status, error) in [
        (
            Some((id.as_str(), "sep_cs_wrong")),
            "grant_type=client_credentials",
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            Some(("sep_cli_nobody", secret.as_str())),
            "grant_type=client_credentials",
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (None, "grant_type=client_credentials", StatusCode::UNAUTHORIZED, "invalid_client"),
        (
            Some((id.as_str(), secret.as_str())),
            "grant_type=password",
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (Some((id.as_str(), secret.as_str())), "scope=x", StatusCode::BAD_REQUEST, "invalid_request"),
        (
            Some((id.as_str(), secret.as_str())),
            "grant_type=client_credentials&scope=applications:write",
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            Some((id.as_str(), secret.as_str())),
            "grant_type=client_credentials&grant_type=client_credentials",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ] {
        let r = form(&t, "/oauth/token", basic, body).await;
        assert_eq!((r.status, json(&r)["error"].as_str()), (status, Some(error)), "{body}: {}", r.text);
        if status == StatusCode::UNAUTHORIZED && basic.is_some() {
            assert_eq!(r.header("www-authenticate"), Some("Basic realm=\"sep\""));
        }
    }
    let r =
        form(&t, "/oauth/token", Some((&id, &secret)), "grant_type=client_credentials&scope=applications:read").await;
    let narrow = json(&r)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(refusal(&call(&t, "/api/v1/webhooks", &narrow).await).1, "api_scope_missing", "the scope asked");

    // Introspection and revocation, of its own tokens only.
    let r = form(&t, "/oauth/introspect", Some((&id, &secret)), &format!("token={access}")).await;
    let info = json(&r);
    assert_eq!((info["active"].as_bool(), info["client_id"].as_str()), (Some(true), Some(id.as_str())), "{info}");
    assert_eq!(info["sub"], w.user.id.0.to_string());
    let other = write(
        &t,
        "POST",
        "/integration/register",
        &pat,
        None,
        r#"{"kind":"other","name":"Другая","auth":{"method":"client_secret_basic"}}"#,
    )
    .await;
    let other = json(&other);
    let (oid, osecret) = (other["client_id"].as_str().unwrap(), other["client_secret"].as_str().unwrap());
    let r = form(&t, "/oauth/introspect", Some((oid, osecret)), &format!("token={access}")).await;
    assert_eq!(json(&r)["active"], false, "another client's token is not its business");
    let r = form(&t, "/oauth/revoke", Some((oid, osecret)), &format!("token={access}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(call(&t, "/api/v1/applications", &access).await.status, StatusCode::OK, "nor its to revoke");
    let r = form(&t, "/oauth/revoke", Some((&id, &secret)), &format!("token={access}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(refusal(&call(&t, "/api/v1/applications", &access).await).1, "api_token_invalid");
    let r = form(&t, "/oauth/introspect", Some((&id, &secret)), &format!("token={access}")).await;
    assert_eq!(json(&r)["active"], false);

    // Tokens are short-lived.
    t.clock.advance(time::Duration::minutes(16));
    assert_eq!(refusal(&call(&t, "/api/v1/applications", &narrow).await).1, "api_token_invalid", "expired");
}

#[tokio::test]
async fn a_bank_signs_its_assertions_and_stays_on_its_sandbox_until_approved() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    crate::common::file(&w, "person", &[("passport_number", "000001")]).await;
    let pat = issue(&w, "Банк", &["applications:read", "applications:write", "webhooks:manage"]).await;
    let pem = sep_crypto::cert::to_pem(&t.authority.cert).unwrap();
    let body = serde_json::json!({
        "kind": "bank",
        "name": "Банк «Пример»",
        "auth": { "method": "private_key_jwt", "certificate": pem },
    });
    let r = write(&t, "POST", "/integration/register", &pat, None, &body.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let reg = json(&r);
    let id = reg["client_id"].as_str().unwrap().to_owned();
    assert!(reg.get("client_secret").is_none() && reg["token_endpoint_auth_method"] == "private_key_jwt");
    assert_eq!(reg["mode"], "test", "a bank acts for many: test mode first");
    assert_eq!(reg["scopes"], serde_json::json!(["applications:read", "webhooks:manage"]), "a bank does not file");

    let grant = |assertion: String| {
        format!("grant_type=client_credentials&client_assertion_type={ASSERTION_TYPE}&client_assertion={assertion}")
    };
    let r = form(&t, "/oauth/token", None, &grant(gost_assertion(&t, &id, TOKEN_ENDPOINT, 300, "j-1"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let access = json(&r)["access_token"].as_str().unwrap().to_owned();
    let apps = json(&call(&t, "/api/v1/applications", &access).await);
    assert!(apps["items"].as_array().unwrap().is_empty(), "its sandbox person, not the owner's data: {apps}");

    // Each assertion once, for this server, briefly, signed by the registered key.
    for (assertion, error) in [
        (gost_assertion(&t, &id, TOKEN_ENDPOINT, 300, "j-1"), "invalid_grant"),
        (gost_assertion(&t, &id, "https://elsewhere.example/token", 300, "j-2"), "invalid_grant"),
        (gost_assertion(&t, &id, TOKEN_ENDPOINT, -5, "j-3"), "invalid_grant"),
        (gost_assertion(&t, &id, TOKEN_ENDPOINT, 3600, "j-4"), "invalid_grant"),
        (gost_assertion(&t, "sep_cli_000000000000000000000000", TOKEN_ENDPOINT, 300, "j-5"), "invalid_client"),
    ] {
        let r = form(&t, "/oauth/token", None, &grant(assertion)).await;
        assert_eq!(json(&r)["error"], error, "{}", r.text);
    }
    let forged = {
        let good = gost_assertion(&t, &id, TOKEN_ENDPOINT, 300, "j-6");
        let (input, _) = good.rsplit_once('.').unwrap();
        format!("{input}.{}", b64(&[7u8; 64]))
    };
    assert_eq!(json(&form(&t, "/oauth/token", None, &grant(forged)).await)["error"], "invalid_client");

    // An ES256 key works the same way.
    let key = sep_idp::oidc::jws::Es256Key::generate().unwrap();
    let body = serde_json::json!({ "kind": "bank", "name": "Банк 2", "auth": { "method": "private_key_jwt", "jwk": key.jwk() } });
    let es = json(&write(&t, "POST", "/integration/register", &pat, None, &body.to_string()).await);
    let es_id = es["client_id"].as_str().unwrap();
    let exp = t.clock.now().unix_timestamp() + 300;
    let assertion =
        key.sign(&serde_json::json!({ "iss": es_id, "sub": es_id, "aud": TOKEN_ENDPOINT, "exp": exp, "jti": "e-1" }));
    let r = form(&t, "/oauth/token", None, &grant(assertion)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // A system on its sandbox may write there only what reaches nobody: no application sent.
    let body = r#"{"kind":"other","name":"Проба","auth":{"method":"client_secret_basic"},"redirect_uris":["https://proba.example.ru/cb"]}"#;
    let trial = json(&write(&t, "POST", "/integration/register", &pat, None, body).await);
    assert_eq!(trial["mode"], "test");
    let (tid, tsecret) = (trial["client_id"].as_str().unwrap(), trial["client_secret"].as_str().unwrap());
    let tt =
        json(&form(&t, "/oauth/token", Some((tid, tsecret)), "grant_type=client_credentials").await)["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
    let r =
        write(&t, "POST", "/api/v1/applications", &tt, None, r#"{"service":"registration","applicant_type":"person"}"#)
            .await;
    assert_eq!(refusal(&r), (StatusCode::FORBIDDEN, "api_test_mode".into(), vec![]));
    assert_eq!(call(&t, "/api/v1/applications", &tt).await.status, StatusCode::OK, "reading its sandbox is fine");

    // Approved, it acts for its owner; disabled, its tokens stop.
    let admin = sep_core::audit::Origin { ip: Some("cli".into()), request_id: None };
    let store = t.db.store();
    let now = t.clock.now();
    use sep_core::integration::client::{Decision, decide};
    decide(store.as_ref(), &id, Decision::Approve, &admin, now).await.unwrap();
    let r = form(&t, "/oauth/token", None, &grant(gost_assertion(&t, &id, TOKEN_ENDPOINT, 300, "j-7"))).await;
    let live = json(&r)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(json(&call(&t, "/api/v1/applications", &live).await)["items"].as_array().unwrap().len(), 1);
    decide(store.as_ref(), &id, Decision::Disable, &admin, now).await.unwrap();
    assert_eq!(refusal(&call(&t, "/api/v1/applications", &live).await).1, "api_token_invalid");
    let r = form(&t, "/oauth/token", None, &grant(gost_assertion(&t, &id, TOKEN_ENDPOINT, 300, "j-8"))).await;
    assert_eq!(json(&r)["error"], "invalid_client");
    let journal = format!("{:?}", store.list_audit(0, 10_000).await.unwrap());
    assert!(journal.contains("api.client_approved") && journal.contains("api.client_disabled"));
}

/// `BASE64URL(SHA-256(verifier))`.
fn challenge(verifier: &str) -> String {
    use sha2::Digest;
    b64(&sha2::Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn a_person_lets_a_system_act_for_them_and_withdraws_it() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    crate::common::file(&w, "person", &[("passport_number", "000001")]).await;
    // The system belongs to someone else: its maker, not the person it will act for.
    let maker = t.sign_in_as("+79345678901").await;
    let pat = issue(&maker, "Разработчик", &["applications:read", "documents:read"]).await;
    let body = r#"{"kind":"accounting","name":"Учёт-Онлайн","auth":{"method":"client_secret_basic"},"redirect_uris":["https://uchet.example.ru/cb"]}"#;
    let reg = json(&write(&t, "POST", "/integration/register", &pat, None, body).await);
    let (id, secret) =
        (reg["client_id"].as_str().unwrap().to_owned(), reg["client_secret"].as_str().unwrap().to_owned());
    let bad = r#"{"kind":"accounting","name":"x","auth":{"method":"client_secret_basic"},"redirect_uris":["http://uchet.example.ru/cb"]}"#;
    assert_eq!(
        refusal(&write(&t, "POST", "/integration/register", &pat, None, bad).await).1,
        "integration_redirect_invalid"
    );
    // A system asking people for access waits for an administrator; nobody is asked, or sent to
    // its address, meanwhile.
    assert_eq!(reg["mode"], "test");
    let early = format!(
        "/oauth/authorize?response_type=code&client_id={id}&redirect_uri=https://uchet.example.ru/cb&scope=applications:read&state=s&code_challenge={}&code_challenge_method=S256",
        "c".repeat(43)
    );
    let r = w.get(&early).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.text.contains("oauth_client_unapproved"), "{}", r.status);
    let admin = sep_core::audit::Origin { ip: Some("cli".into()), request_id: None };
    use sep_core::integration::client::{Decision, decide};
    decide(t.db.store().as_ref(), &id, Decision::Approve, &admin, t.clock.now()).await.unwrap();

    let verifier = "v".repeat(20) + "-correct-horse-battery-staple";
    let query = |redirect: &str, method: &str| {
        format!(
            "/oauth/authorize?response_type=code&client_id={id}&redirect_uri={redirect}&scope=applications:read&state=xyz&code_challenge={}&code_challenge_method={method}",
            challenge(&verifier)
        )
    };
    let cb = "https://uchet.example.ru/cb";
    let r = t.browser().get(&query(cb, "S256")).await;
    assert!(r.status == StatusCode::SEE_OTHER && r.location().starts_with("/login"), "signed in first");
    let consent = w.get(&query(cb, "S256")).await;
    let csp = consent.header("content-security-policy").unwrap_or_default().to_owned();
    assert!(csp.contains("form-action 'self' https://uchet.example.ru;"), "the answer may go on to the system: {csp}");
    let page = consent.text;
    assert!(page.contains("Предоставить доступ системе") && page.contains("Учёт-Онлайн"), "{page}");
    assert!(
        page.contains("Читать ваши заявления") && !page.contains("Читать «Мои документы»"),
        "what it asked, in words"
    );
    let r = w.get(&query("https://evil.example.ru/cb", "S256")).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.text.contains("oauth_redirect_unknown"), "never sent elsewhere");
    let r = w.get(&query(cb, "plain")).await;
    assert!(r.location().starts_with(&format!("{cb}?error=invalid_request")) && r.location().contains("state=xyz"));

    let fields = |decision: &'static str| {
        vec![
            ("client_id", id.clone()),
            ("redirect_uri", cb.to_owned()),
            ("response_type", "code".to_owned()),
            ("scope", "applications:read".to_owned()),
            ("state", "xyz".to_owned()),
            ("code_challenge", challenge(&verifier)),
            ("code_challenge_method", "S256".to_owned()),
            ("decision", decision.to_owned()),
        ]
    };
    let post = |decision: &'static str| {
        let f = fields(decision);
        let w = &w;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            w.post_form("/oauth/authorize", &pairs).await
        }
    };
    let r = post("deny").await;
    assert!(r.location().starts_with(&format!("{cb}?error=access_denied&state=xyz")), "{}", r.location());
    let r = post("allow").await;
    let to = r.location().to_owned();
    assert!(to.starts_with(&format!("{cb}?code=sep_ac_")) && to.contains("state=xyz") && to.contains("iss="), "{to}");
    let code = to.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();

    let exchange = |code: String, verifier: String| {
        let body = format!("grant_type=authorization_code&code={code}&redirect_uri={cb}&code_verifier={verifier}");
        let (id, secret) = (id.clone(), secret.clone());
        let t = &t;
        async move { form(t, "/oauth/token", Some((&id, &secret)), &body).await }
    };
    let r = exchange(code.clone(), verifier.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let tokens = json(&r);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(json(&exchange(code, verifier.clone()).await)["error"], "invalid_grant", "a code is used once");
    let apps = json(&call(&t, "/api/v1/applications", &access).await);
    assert_eq!(apps["items"].as_array().unwrap().len(), 1, "the person's, not the maker's: {apps}");
    assert_eq!(refusal(&call(&t, "/api/v1/documents", &access).await).1, "api_scope_missing", "only what was allowed");

    // A second code with the wrong verifier gets nothing.
    let r = post("allow").await;
    let code = r.location().split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    assert_eq!(json(&exchange(code, "w".repeat(50)).await)["error"], "invalid_grant");

    // Refresh tokens rotate.
    let again = |refresh: String| {
        let (id, secret) = (id.clone(), secret.clone());
        let t = &t;
        async move {
            form(t, "/oauth/token", Some((&id, &secret)), &format!("grant_type=refresh_token&refresh_token={refresh}"))
                .await
        }
    };
    let r = again(refresh.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fresh = json(&r)["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, refresh);
    assert_eq!(json(&again(refresh).await)["error"], "invalid_grant", "a refresh token is used once");

    // «Доступ внешних систем»: the person sees it and withdraws it; everything under it stops.
    let list = w.page("/access").await;
    assert!(list.contains("Учёт-Онлайн") && list.contains("Читать ваши заявления"), "{list}");
    assert!(!maker.page("/access").await.contains("Учёт-Онлайн"), "the maker granted nothing");
    let grant = t.db.store().list_api_grants(w.user.id).await.unwrap()[0].id;
    assert_eq!(maker.post_form(&format!("/access/{grant}/revoke"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(w.post_form(&format!("/access/{grant}/revoke"), &[]).await.location(), "/access");
    assert_eq!(refusal(&call(&t, "/api/v1/applications", &access).await).1, "api_token_invalid");
    assert_eq!(json(&again(fresh).await)["error"], "invalid_grant");
    let journal = format!("{:?}", t.db.store().list_audit(0, 10_000).await.unwrap());
    assert!(journal.contains("api.access_granted") && journal.contains("api.access_withdrawn"));
}

/// Bad input at the API's door: a token in the address is refused whatever it is; a client's
/// calls are limited per client (429 with `Retry-After`); a body past the limit is 413 with a
/// code.
#[tokio::test]
async fn tokens_in_addresses_floods_and_oversized_bodies_are_refused() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let pat = issue(&w, "Всё", &["applications:read", "applications:write"]).await;
    let r = call(&t, &format!("/api/v1/applications?access_token={pat}"), "").await;
    assert_eq!(refusal(&r), (StatusCode::BAD_REQUEST, "api_token_in_query".into(), vec![]));
    let r = call(&t, &format!("/api/v1/applications?limit=1&Access_Token={pat}"), &pat).await;
    assert_eq!(refusal(&r).1, "api_token_in_query", "even beside a header");

    let body = r#"{"kind":"accounting","name":"Учёт","auth":{"method":"client_secret_basic"}}"#;
    let reg = json(&write(&t, "POST", "/integration/register", &pat, None, body).await);
    let (id, secret) = (reg["client_id"].as_str().unwrap(), reg["client_secret"].as_str().unwrap());
    let access =
        json(&form(&t, "/oauth/token", Some((id, secret)), "grant_type=client_credentials").await)["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
    let mut limited = None;
    for _ in 0..200 {
        let r = call(&t, "/api/v1/applications", &access).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = limited.expect("a burst of 120 then refused");
    assert_eq!(refusal(&r).1, "rate_limited");
    assert!(r.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    assert_eq!(
        call(&t, "/api/v1/applications", &pat).await.status,
        StatusCode::OK,
        "per client: the person's own token goes on"
    );

    let huge = "x".repeat(12 * 1024 * 1024);
    let r = write(&t, "POST", "/api/v1/applications", &pat, None, &huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

/// «Токены доступа» lists the person's integrations and subscriptions; «Отключить» stops an
/// integration and its tokens at once; nobody disables another's.
#[tokio::test]
async fn a_person_sees_and_disables_their_integrations() {
    let t = TestApp::new().await;
    let w = t.citizen().await;
    let pat = issue(&w, "Регистратор", &["applications:read", "webhooks:manage"]).await;
    let body = r#"{"kind":"accounting","name":"Учёт-Про","auth":{"method":"client_secret_basic"}}"#;
    let reg = json(&write(&t, "POST", "/integration/register", &pat, None, body).await);
    let (id, secret) =
        (reg["client_id"].as_str().unwrap().to_owned(), reg["client_secret"].as_str().unwrap().to_owned());
    write(&t, "POST", "/api/v1/webhooks", &pat, None, r#"{"url":"http://127.0.0.1:9/h","events":["mail.received"]}"#)
        .await;
    let page = w.page("/tokens").await;
    assert!(page.contains("Учёт-Про") && page.contains(&format!("data-client=\"{id}\"")), "{page}");
    assert!(page.contains("data-hook") && page.contains("http://127.0.0.1:9/h"));
    let access =
        json(&form(&t, "/oauth/token", Some((&id, &secret)), "grant_type=client_credentials").await)["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
    let other = t.sign_in_as("+79345678901").await;
    assert_eq!(other.post_form(&format!("/tokens/integrations/{id}/disable"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&t, "/api/v1/applications", &access).await.status, StatusCode::OK);
    assert_eq!(w.post_form(&format!("/tokens/integrations/{id}/disable"), &[]).await.location(), "/tokens");
    assert_eq!(refusal(&call(&t, "/api/v1/applications", &access).await).1, "api_token_invalid", "its tokens stop");
    assert!(w.page("/tokens").await.contains("Отключена"));
}

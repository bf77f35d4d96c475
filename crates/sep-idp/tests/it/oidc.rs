//! The OpenID Connect provider in process, one test per behaviour of the OpenID conformance
//! suite's modules where one exists (named `oidcc_*`), plus ЕСИА-shaped data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use common::{ISSUER, Idp, urlencode};
use sep_core::clock::Clock;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::Duration;

const RP: &str = "test-rp";
const SECRET: &str = "test-rp-secret-0123456789abcdef0123456789";
const CB: &str = "https://rp.test/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier-0001";

fn challenge(verifier: &str) -> String {
    B64.encode(Sha256::digest(verifier.as_bytes()))
}

async fn idp() -> Idp {
    let idp = Idp::new().await;
    idp.oidc
        .register_client(RP, "Тестовая система", SECRET, &[CB.into()], &["https://rp.test/bye".into()])
        .await
        .unwrap();
    idp
}

fn authorize_url(scope: &str, extra: &[(&str, &str)]) -> String {
    let mut p = vec![
        ("client_id", RP),
        ("redirect_uri", CB),
        ("response_type", "code"),
        ("scope", scope),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge_method", "S256"),
    ];
    let ch = challenge(VERIFIER);
    p.push(("code_challenge", &ch));
    for (k, v) in extra {
        p.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            p.push((k, v));
        }
    }
    let q: Vec<String> = p.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    format!("/authorize?{}", q.join("&"))
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.replace("%20", " ").replace("%3A", ":").replace("%2F", "/"))
    })
}

/// Signed in, authorised, consented: the redirect back to the client.
async fn code_for(idp: &mut Idp, scope: &str) -> String {
    if !idp.cookies.contains_key("gu_session") {
        idp.sign_in(common::PHONE).await;
    }
    let r = idp.get(&authorize_url(scope, &[])).await;
    let r = idp.get(r.location.as_deref().unwrap()).await;
    let location = if r.status == StatusCode::OK {
        assert!(r.text.contains("Предоставление прав доступа"), "{}", r.text);
        let handle = r.text.split("name=\"request\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        idp.post("/authorize/consent", &[("request", &handle), ("decision", "allow")]).await.location.unwrap()
    } else {
        r.location.unwrap()
    };
    assert!(location.starts_with(CB), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st-123"));
    query_param(&location, "code").unwrap()
}

async fn token(
    idp: &mut Idp,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let body = form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let mut req = Request::post("/token").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        req = req.header(header::AUTHORIZATION, format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))));
    }
    let res = tower::ServiceExt::oneshot(idp.router.clone(), req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), headers)
}

async fn exchange(idp: &mut Idp, code: &str) -> (StatusCode, Value) {
    let (s, v, _) = token(
        idp,
        &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", CB), ("code_verifier", VERIFIER)],
        Some((RP, SECRET)),
    )
    .await;
    (s, v)
}

async fn bearer_get(idp: &Idp, path: &str, access: &str) -> (StatusCode, Value) {
    let req = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {access}")).body(Body::empty()).unwrap();
    let res = tower::ServiceExt::oneshot(idp.router.clone(), req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn claims_of(jwt: &str) -> Value {
    serde_json::from_slice(&B64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

#[tokio::test]
async fn oidcc_discovery_and_jwks() {
    let mut idp = idp().await;
    let d: Value = serde_json::from_str(&idp.get("/.well-known/openid-configuration").await.text).unwrap();
    assert_eq!(d["issuer"], ISSUER);
    assert_eq!(d["token_endpoint"], format!("{ISSUER}/token"));
    assert_eq!(d["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
    for s in ["openid", "fullname", "snils", "inn", "id_doc", "usr_org", "mobile", "email", "birthdate", "gender"] {
        assert!(d["scopes_supported"].as_array().unwrap().iter().any(|x| x == s), "{s}");
    }
    let jwks: Value = serde_json::from_str(&idp.get("/jwks.json").await.text).unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "EC");
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
}

#[tokio::test]
async fn oidcc_ensure_pkce_required_and_plain_refused() {
    let mut idp = idp().await;
    let r = idp.get(&authorize_url("openid", &[("code_challenge", ""), ("code_challenge_method", "")])).await;
    let loc = r.location.unwrap();
    assert!(loc.starts_with(CB) && query_param(&loc, "error").as_deref() == Some("invalid_request"), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));
    let r = idp.get(&authorize_url("openid", &[("code_challenge_method", "plain")])).await;
    assert_eq!(query_param(&r.location.unwrap(), "error").as_deref(), Some("invalid_request"));
}

#[tokio::test]
async fn oidcc_ensure_redirect_uri_exact_match_never_redirects_elsewhere() {
    let mut idp = idp().await;
    for bad in ["https://rp.test/cb/", "https://rp.test/cb?x=1", "https://RP.test/cb", "https://evil.test/cb"] {
        let r = idp.get(&authorize_url("openid", &[("redirect_uri", bad)])).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.location.is_none(), "{bad}: no redirect to an unregistered address");
        assert!(r.text.contains("redirect_uri_mismatch"));
    }
    let r = idp.get(&authorize_url("openid", &[("client_id", "nobody")])).await;
    assert!(r.text.contains("client_unknown") && r.location.is_none());
}

#[tokio::test]
async fn oidcc_scope_and_response_type_errors_go_back_to_the_client() {
    let mut idp = idp().await;
    let r = idp.get(&authorize_url("fullname", &[])).await;
    assert_eq!(query_param(&r.location.unwrap(), "error").as_deref(), Some("invalid_scope"), "openid is required");
    let r = idp.get(&authorize_url("openid profile", &[])).await;
    assert_eq!(query_param(&r.location.unwrap(), "error").as_deref(), Some("invalid_scope"));
    let r = idp.get(&authorize_url("openid", &[("response_type", "token")])).await;
    assert_eq!(query_param(&r.location.unwrap(), "error").as_deref(), Some("unsupported_response_type"));
}

#[tokio::test]
async fn oidcc_login_then_consent_listing_the_data_then_remembered() {
    let mut idp = idp().await;
    let r = idp.get(&authorize_url("openid fullname snils inn", &[])).await;
    let cont = r.location.unwrap();
    assert!(cont.starts_with("/authorize/continue?request="));
    let r = idp.get(&cont).await;
    let to_login = r.location.unwrap();
    assert!(to_login.starts_with("/login?return_to=%2Fauthorize%2Fcontinue"), "{to_login}");
    // The login form carries the way back, and the code step returns there.
    let page = idp.get(&to_login).await;
    assert!(page.text.contains("value=\"/authorize/continue?request="));
    let back = format!("/authorize/continue?request={}", cont.split("request=").nth(1).unwrap());
    idp.post("/login", &[("login", common::PHONE), ("password", common::PASSWORD), ("return_to", &back)]).await;
    let code = idp.last_code().await;
    let r = idp.post("/login/code", &[("code", &code)]).await;
    assert_eq!(r.location.as_deref(), Some(back.as_str()));
    let consent = idp.get(&back).await;
    assert!(consent.text.contains("Предоставление прав доступа"));
    assert!(consent.text.contains("«Тестовая система»"));
    for item in ["Фамилия, имя и отчество", "СНИЛС", "ИНН"] {
        assert!(consent.text.contains(item), "{item}");
    }
    assert!(!consent.text.contains("Данные паспорта"), "only what was asked");
    let handle = consent.text.split("name=\"request\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = idp.post("/authorize/consent", &[("request", &handle), ("decision", "allow")]).await;
    assert!(query_param(&r.location.unwrap(), "code").is_some());
    // Asked again for the same data: no consent screen.
    let r = idp.get(&authorize_url("openid snils", &[])).await;
    let r = idp.get(&r.location.unwrap()).await;
    assert!(r.location.unwrap().starts_with(CB));
    // More data than granted: asked again.
    let r = idp.get(&authorize_url("openid id_doc", &[])).await;
    let r = idp.get(&r.location.unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Данные паспорта"));
}

#[tokio::test]
async fn oidcc_consent_denied_returns_access_denied() {
    let mut idp = idp().await;
    idp.sign_in(common::PHONE).await;
    let r = idp.get(&authorize_url("openid", &[])).await;
    let page = idp.get(&r.location.unwrap()).await;
    let handle = page.text.split("name=\"request\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = idp.post("/authorize/consent", &[("request", &handle), ("decision", "deny")]).await;
    let loc = r.location.unwrap();
    assert_eq!(query_param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));
    // The request is spent.
    let again = idp.post("/authorize/consent", &[("request", &handle), ("decision", "allow")]).await;
    assert!(again.text.contains("request_expired"));
}

#[tokio::test]
async fn oidcc_id_token_signature_claims_and_nonce_roundtrip() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid").await;
    let (status, t) = exchange(&mut idp, &code).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    let jwt = t["id_token"].as_str().unwrap();
    let jwks: Value = serde_json::from_str(&idp.get("/jwks.json").await.text).unwrap();
    let k = &jwks["keys"][0];
    let mut sec1 = vec![4u8];
    sec1.extend(B64.decode(k["x"].as_str().unwrap()).unwrap());
    sec1.extend(B64.decode(k["y"].as_str().unwrap()).unwrap());
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let sig = p256::ecdsa::Signature::from_slice(&B64.decode(parts[2]).unwrap()).unwrap();
    use p256::ecdsa::signature::Verifier;
    assert!(vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).is_ok(), "signed with the published key");
    let c = claims_of(jwt);
    assert_eq!(c["iss"], ISSUER);
    assert_eq!(c["aud"], RP);
    assert_eq!(c["sub"], "1000001");
    assert_eq!(c["nonce"], "n-456");
    assert_eq!(c["amr"], serde_json::json!(["pwd", "sms", "mfa"]));
    assert_eq!(c["acr"], "urn:sep:acr:pwd-otp");
    assert_eq!(c["urn:esia:sbj"]["urn:esia:sbj:lvl"], "PR");
    assert_eq!(c["urn:esia:sbj"]["urn:esia:sbj:is_tru"], true);
    assert!(c["exp"].as_i64().unwrap() > c["iat"].as_i64().unwrap());
}

#[tokio::test]
async fn oidcc_codereuse_revokes_the_tokens_it_produced() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid fullname").await;
    let (s1, t) = exchange(&mut idp, &code).await;
    assert_eq!(s1, StatusCode::OK);
    let access = t["access_token"].as_str().unwrap().to_owned();
    assert_eq!(bearer_get(&idp, "/userinfo", &access).await.0, StatusCode::OK);
    let (s2, e) = exchange(&mut idp, &code).await;
    assert_eq!((s2, e["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(bearer_get(&idp, "/userinfo", &access).await.0, StatusCode::UNAUTHORIZED, "revoked after reuse");
    let (s3, _, _) = token(
        &mut idp,
        &[("grant_type", "refresh_token"), ("refresh_token", t["refresh_token"].as_str().unwrap())],
        Some((RP, SECRET)),
    )
    .await;
    assert_eq!(s3, StatusCode::BAD_REQUEST, "the refresh token too");
}

#[tokio::test]
async fn oidcc_code_checks_verifier_redirect_uri_client_and_expiry() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid").await;
    let (s, e, _) = token(
        &mut idp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
            ("code_verifier", "wrong-verifier-wrong-verifier-wrong-verifier-00"),
        ],
        Some((RP, SECRET)),
    )
    .await;
    assert_eq!((s, e["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));

    let code = code_for(&mut idp, "openid").await;
    let (_, e, _) = token(
        &mut idp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://rp.test/cb/"),
            ("code_verifier", VERIFIER),
        ],
        Some((RP, SECRET)),
    )
    .await;
    assert_eq!(e["error"], "invalid_grant", "oidcc_ensure_redirect_uri_in_token_request_exact");

    let code = code_for(&mut idp, "openid").await;
    idp.oidc.register_client("other-rp", "Другая", SECRET, &[CB.into()], &[]).await.unwrap();
    let (_, e, _) = token(
        &mut idp,
        &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CB), ("code_verifier", VERIFIER)],
        Some(("other-rp", SECRET)),
    )
    .await;
    assert_eq!(e["error"], "invalid_grant", "a code is bound to its client");

    let code = code_for(&mut idp, "openid").await;
    idp.clock.advance(Duration::minutes(2));
    let (_, e) = exchange(&mut idp, &code).await;
    assert_eq!(e["error"], "invalid_grant", "codes live two minutes");
}

#[tokio::test]
async fn client_authentication_basic_post_and_refusals() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid").await;
    let (s, _, _) = token(
        &mut idp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
            ("code_verifier", VERIFIER),
            ("client_id", RP),
            ("client_secret", SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "client_secret_post");
    let (s, e, h) =
        token(&mut idp, &[("grant_type", "authorization_code"), ("code", "x")], Some((RP, "wrong-secret"))).await;
    assert_eq!((s, e["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    assert!(h.get(header::WWW_AUTHENTICATE).is_some());
    assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let (_, e, _) =
        token(&mut idp, &[("grant_type", "authorization_code"), ("client_secret", SECRET)], Some((RP, SECRET))).await;
    assert_eq!(e["error"], "invalid_request", "two authentication methods at once");
    let (_, e, _) = token(&mut idp, &[("grant_type", "password")], Some((RP, SECRET))).await;
    assert_eq!(e["error"], "unsupported_grant_type");
    let (s, e, _) = token(&mut idp, &[], None).await;
    assert_eq!((s, e["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let req = Request::post("/token").header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap();
    let res = tower::ServiceExt::oneshot(idp.router.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "malformed body: an OAuth error, not a 500");
}

#[tokio::test]
async fn oidcc_refresh_token_rotation_and_reuse_detection() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid fullname").await;
    let (_, t1) = exchange(&mut idp, &code).await;
    let r1 = t1["refresh_token"].as_str().unwrap().to_owned();
    let (s, t2, _) =
        token(&mut idp, &[("grant_type", "refresh_token"), ("refresh_token", &r1)], Some((RP, SECRET))).await;
    assert_eq!(s, StatusCode::OK, "{t2}");
    let r2 = t2["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2, "rotated");
    assert_eq!(bearer_get(&idp, "/userinfo", t2["access_token"].as_str().unwrap()).await.0, StatusCode::OK);
    // The old refresh token comes back: reuse; the whole grant is revoked.
    let (s, e, _) =
        token(&mut idp, &[("grant_type", "refresh_token"), ("refresh_token", &r1)], Some((RP, SECRET))).await;
    assert_eq!((s, e["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let (_, e, _) =
        token(&mut idp, &[("grant_type", "refresh_token"), ("refresh_token", &r2)], Some((RP, SECRET))).await;
    assert_eq!(e["error"], "invalid_grant", "the newer token dies with the family");
    assert_eq!(bearer_get(&idp, "/userinfo", t2["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn userinfo_returns_only_what_was_granted() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid fullname").await;
    let (_, t) = exchange(&mut idp, &code).await;
    let (s, u) = bearer_get(&idp, "/userinfo", t["access_token"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(u["family_name"], "Иванов");
    assert_eq!(u["middle_name"], "Иванович");
    for absent in ["snils", "inn", "email", "phone_number", "birthdate", "id_doc", "usr_org"] {
        assert!(u.get(absent).is_none(), "{absent} was not granted");
    }
    let code = code_for(&mut idp, "openid snils inn mobile email birthdate gender id_doc").await;
    let (_, t) = exchange(&mut idp, &code).await;
    let (_, u) = bearer_get(&idp, "/userinfo", t["access_token"].as_str().unwrap()).await;
    assert_eq!(u["snils"], "123-456-789 64");
    assert_eq!(u["inn"], "770123456703");
    assert_eq!(u["phone_number"], "+79123456789");
    assert_eq!(u["birthdate"], "1987-03-05");
    assert_eq!(u["gender"], "male");
    assert_eq!(u["id_doc"]["series"], "4510");
    assert!(u.get("family_name").is_none());
    assert_eq!(bearer_get(&idp, "/userinfo", "nonsense").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn esia_person_endpoints_with_esia_field_names() {
    let mut idp = idp().await;
    idp.sign_in("+79345678901").await; // the organisation's employee
    let code = code_for(&mut idp, "openid fullname birthdate snils mobile email id_doc usr_org").await;
    let (_, t) = exchange(&mut idp, &code).await;
    let access = t["access_token"].as_str().unwrap();
    let (s, p) = bearer_get(&idp, "/rs/prns/1000003", access).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["lastName"].as_str(), p["firstName"].as_str(), p["trusted"].as_bool()),
        (Some("Сидоров"), Some("Пётр"), Some(true))
    );
    assert_eq!(p["birthDate"], "21.06.1979");
    assert!(p.get("inn").is_none(), "inn was not granted");
    let (_, c) = bearer_get(&idp, "/rs/prns/1000003/ctts", access).await;
    assert_eq!(c["size"], 2);
    assert_eq!(c["elements"][0]["type"], "MBT");
    let (_, d) = bearer_get(&idp, "/rs/prns/1000003/docs", access).await;
    assert_eq!(d["elements"][0]["type"], "RF_PASSPORT");
    let (_, o) = bearer_get(&idp, "/rs/prns/1000003/orgs", access).await;
    assert_eq!(o["elements"][0]["shortName"], "ООО «Ромашка»");
    assert_eq!(o["elements"][0]["chief"], true);
    let (s, _) = bearer_get(&idp, "/rs/prns/1000001", access).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another person's data");
    let (s, _) = bearer_get(&idp, "/rs/prns/1000003/secrets", access).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unconfirmed_account_is_level_p_without_is_tru() {
    let mut idp = idp().await;
    idp.sign_in("+79234567890").await;
    let code = code_for(&mut idp, "openid").await;
    let (_, t) = exchange(&mut idp, &code).await;
    let c = claims_of(t["id_token"].as_str().unwrap());
    assert_eq!(c["urn:esia:sbj"]["urn:esia:sbj:lvl"], "P");
    assert!(c["urn:esia:sbj"].get("urn:esia:sbj:is_tru").is_none());
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_ends_the_session_and_revokes_tokens() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid").await;
    let (_, t) = exchange(&mut idp, &code).await;
    let hint = t["id_token"].as_str().unwrap();
    let url = format!(
        "/oidc/logout?id_token_hint={hint}&post_logout_redirect_uri={}&state=bye-1",
        urlencode("https://rp.test/bye")
    );
    let r = idp.get(&url).await;
    assert_eq!(r.location.as_deref(), Some("https://rp.test/bye?state=bye-1"));
    assert_eq!(bearer_get(&idp, "/userinfo", t["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(idp.get("/").await.location.as_deref(), Some("/login"), "signed out at the emulator");
    // An unregistered return address is not followed.
    idp.sign_in(common::PHONE).await;
    let r = idp.get(&format!("/idp/ext/Logout?client_id={RP}&redirect_url={}", urlencode("https://evil.test/"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("Вы вышли"));
}

#[tokio::test]
async fn consent_forms_may_redirect_to_clients_so_the_csp_has_no_form_action() {
    let mut idp = idp().await;
    let req = Request::get("/login").body(Body::empty()).unwrap();
    let res = idp.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = tower::ServiceExt::oneshot(idp.router.clone(), Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let csp = res.headers().get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{csp}");
    assert!(!csp.contains("form-action"), "{csp}");
}

/// #22: the emulator's error pages carry the request id, as the portal's do, so a person can
/// name it and it joins the logs.
#[tokio::test]
async fn error_pages_carry_the_request_id() {
    let idp = idp().await;
    let req = axum::http::Request::get(authorize_url("openid", &[("client_id", "nobody")]))
        .header("x-request-id", "req-4711-abcdef")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(idp.router.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers().get("x-request-id").unwrap(), "req-4711-abcdef");
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("client_unknown") && text.contains("req-4711-abcdef"), "{text}");
}

/// Signed in and consented once; then `extra` on a new request: where `/authorize/continue`
/// sends the browser.
async fn continue_with(idp: &mut Idp, extra: &[(&str, &str)]) -> (String, String) {
    let r = idp.get(&authorize_url("openid fullname", extra)).await;
    let cont = r.location.unwrap();
    let r = idp.get(&cont).await;
    (cont, r.location.unwrap_or_else(|| format!("page {}", r.status)))
}

#[tokio::test]
async fn oidcc_prompt_login_and_max_age_ask_for_a_fresh_login_and_auth_time_says_when() {
    let mut idp = idp().await;
    let code = code_for(&mut idp, "openid fullname").await;
    let (_, tokens) = exchange(&mut idp, &code).await;
    let first = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(first["acr"], "urn:sep:acr:pwd-otp");
    idp.clock.advance(Duration::minutes(20));
    // A session 20 minutes old is fine without max_age, and for max_age=3600.
    for extra in [vec![], vec![("max_age", "3600")]] {
        let (_, to) = continue_with(&mut idp, &extra).await;
        assert!(to.starts_with(CB), "{extra:?}: {to}");
    }
    // max_age=900, max_age=0 and prompt=login: the login form again, even with the session,
    // and once only.
    for extra in [vec![("max_age", "900")], vec![("max_age", "0")], vec![("prompt", "login")]] {
        let (cont, to) = continue_with(&mut idp, &extra).await;
        assert!(to.starts_with("/login?return_to=%2Fauthorize%2Fcontinue") && to.ends_with("&again=1"), "{to}");
        let page = idp.get(&to).await;
        assert_eq!(page.status, StatusCode::OK, "the form, not a redirect past it");
        assert!(page.text.contains("просит подтвердить вход"), "{}", page.text);
        let back = format!("/authorize/continue?request={}", cont.split("request=").nth(1).unwrap());
        idp.post("/login", &[("login", common::PHONE), ("password", common::PASSWORD), ("return_to", &back)]).await;
        let code = idp.last_code().await;
        assert_eq!(idp.post("/login/code", &[("code", &code)]).await.location.as_deref(), Some(back.as_str()));
        let location = idp.get(&back).await.location.unwrap();
        assert!(location.starts_with(CB), "{location}");
        let (_, tokens) = exchange(&mut idp, &query_param(&location, "code").unwrap()).await;
        let claims = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["auth_time"], idp.clock.now().unix_timestamp(), "auth_time is the fresh login's");
        assert_eq!(claims["acr"], "urn:sep:acr:pwd-otp");
        idp.clock.advance(Duration::minutes(20));
    }
    assert!(first["auth_time"].as_i64().unwrap() < idp.clock.now().unix_timestamp());
}

#[tokio::test]
async fn oidcc_prompt_none_never_shows_a_page_and_consent_asks_again() {
    let mut idp = idp().await;
    // No session: back to the client with login_required, no login page.
    let (_, to) = continue_with(&mut idp, &[("prompt", "none")]).await;
    assert!(to.starts_with(CB), "{to}");
    assert_eq!(query_param(&to, "error").as_deref(), Some("login_required"));
    assert_eq!(query_param(&to, "state").as_deref(), Some("st-123"));
    idp.sign_in(common::PHONE).await;
    // Signed in, never consented: consent_required.
    let (_, to) = continue_with(&mut idp, &[("prompt", "none")]).await;
    assert_eq!(query_param(&to, "error").as_deref(), Some("consent_required"), "{to}");
    code_for(&mut idp, "openid fullname").await;
    // Consented: straight back with a code; prompt=consent asks again all the same.
    let (_, to) = continue_with(&mut idp, &[("prompt", "none")]).await;
    assert!(query_param(&to, "code").is_some(), "{to}");
    let r = idp.get(&authorize_url("openid fullname", &[("prompt", "consent")])).await;
    let page = idp.get(&r.location.unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Предоставление прав доступа"));
    // prompt=none with the session too old for max_age: login_required.
    idp.clock.advance(Duration::minutes(20));
    let (_, to) = continue_with(&mut idp, &[("prompt", "none"), ("max_age", "60")]).await;
    assert_eq!(query_param(&to, "error").as_deref(), Some("login_required"), "{to}");
}

#[tokio::test]
async fn oidcc_bad_prompt_and_max_age_are_invalid_requests_and_acr_values_are_advertised() {
    let mut idp = idp().await;
    for extra in [
        [("prompt", "select_account"), ("max_age", "")],
        [("prompt", "none login"), ("max_age", "")],
        [("prompt", ""), ("max_age", "-5")],
        [("prompt", ""), ("max_age", "soon")],
    ] {
        let r = idp.get(&authorize_url("openid", &extra)).await;
        let to = r.location.unwrap();
        assert!(to.starts_with(CB), "{extra:?}: {to}");
        assert_eq!(query_param(&to, "error").as_deref(), Some("invalid_request"), "{extra:?}");
    }
    // Voluntary acr_values: any is accepted, and the token says what the login was.
    let r = idp.get(&authorize_url("openid", &[("acr_values", "urn:sep:acr:pwd-otp urn:other")])).await;
    assert!(r.location.unwrap().starts_with("/authorize/continue"));
    let d: Value = serde_json::from_str(&idp.get("/.well-known/openid-configuration").await.text).unwrap();
    assert_eq!(d["acr_values_supported"], serde_json::json!(["urn:sep:acr:pwd-otp"]));
}

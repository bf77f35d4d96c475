//! ЕСИА mode of the emulator (SPEC I4): a system with a ГОСТ certificate from the test
//! authority logs a person in through `/aas/oauth2/v2/ac` and `/v3/te` (and the legacy pair
//! with CMS), gets ГОСТ-signed JWTs with ЕСИА's claims and reads `/rs/prns`; and each mistake an
//! integrator makes gets the ЕСИА code a real integrator would see.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::{Idp, urlencode};
use sep_core::clock::Clock;
use sep_core::esia::{Endpoint, Signed, signed_string, timestamp};
use sep_crypto::ca::TestCa;
use sep_crypto::cert::Kind;
use sep_crypto::gost::{SigningKey, pkcs8, streebog256};
use serde_json::Value;
use std::time::{Duration, SystemTime};

const CLIENT: &str = "SEP01";
const CB: &str = "https://sep.test/login/esia";
const SECRET: &str = "esia-client-secret-not-used-0123456789abcdef";

/// The system: its key and certificate from the test authority.
struct System {
    key: SigningKey,
    cert: Vec<u8>,
    _dir: tempfile::TempDir,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn uuid(n: u32) -> String {
    format!("c1b8d8d4-3b35-4d6e-9f50-{n:012x}")
}

async fn setup() -> (Idp, System) {
    let idp = Idp::new().await;
    idp.oidc.register_client(CLIENT, "СЭП (ЕСИА)", SECRET, &[CB.into()], &[]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    let ca = TestCa::init(dir.path(), "CN=Тестовый УЦ", Duration::from_secs(86_400 * 365), "TCA", now).unwrap();
    let issued = ca.issue("sep", Kind::Client, "CN=SEP01", Duration::from_secs(86_400 * 30), now).unwrap();
    let key = pkcs8::from_pem(&std::fs::read_to_string(&issued.key).unwrap()).unwrap();
    let cert = std::fs::read(&issued.cert).unwrap();
    idp.oidc.register_esia_client(CLIENT, &cert, sep_core::signer::Algorithm::Gost2012_256).await.unwrap();
    (idp, System { key, cert, _dir: dir })
}

/// The parameters of a request to `endpoint`, signed as it wants; `change` edits them after
/// signing (to make mistakes).
fn request(idp: &Idp, sys: &System, endpoint: Endpoint, state: &str, code: &str) -> Vec<(String, String)> {
    request_as(CLIENT, idp, sys, endpoint, state, code)
}

fn request_as(
    client: &str,
    idp: &Idp,
    sys: &System,
    endpoint: Endpoint,
    state: &str,
    code: &str,
) -> Vec<(String, String)> {
    let stamp = timestamp(idp.clock.now().to_offset(time::macros::offset!(+3)));
    let scope = "openid fullname snils";
    let signed = Signed { client_id: client, scope, timestamp: &stamp, state, redirect_uri: CB, code };
    let message = signed_string(endpoint, &signed);
    let secret = if endpoint.uses_cms() {
        sep_crypto::cms::sign_detached(message.as_bytes(), &sys.key, &sys.cert, SystemTime::now()).unwrap()
    } else {
        sys.key.sign(message.as_bytes()).unwrap().to_vec()
    };
    let mut p = vec![
        ("client_id", client.to_owned()),
        ("client_secret", B64.encode(secret)),
        ("redirect_uri", CB.to_owned()),
        ("scope", scope.to_owned()),
        ("state", state.to_owned()),
        ("timestamp", stamp),
    ];
    if !endpoint.uses_cms() {
        p.push(("client_certificate_hash", hex(&streebog256(&sys.cert))));
    }
    match endpoint {
        Endpoint::AuthorizeV2 | Endpoint::AuthorizeLegacy => {
            p.push(("response_type", "code".into()));
            p.push(("access_type", "online".into()));
        }
        Endpoint::TokenV3 | Endpoint::TokenLegacy => {
            p.push(("code", code.to_owned()));
            p.push(("grant_type", "authorization_code".into()));
            p.push(("token_type", "Bearer".into()));
        }
    }
    p.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn query(p: &[(String, String)]) -> String {
    p.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
}

fn set(p: &mut [(String, String)], name: &str, value: &str) {
    p.iter_mut().find(|(k, _)| k == name).unwrap().1 = value.to_owned();
}

fn param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| {
            let mut out = Vec::new();
            let b = v.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' && i + 2 < b.len() + 1 {
                    out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(if b[i] == b'+' { b' ' } else { b[i] });
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        })
    })
}

/// Through `ac` to the code at the system's redirect URI (signing in and consenting).
async fn code_via(idp: &mut Idp, sys: &System, endpoint: Endpoint, state: &str) -> String {
    let path = if endpoint == Endpoint::AuthorizeV2 { "/aas/oauth2/v2/ac" } else { "/aas/oauth2/ac" };
    let r = idp.get(&format!("{path}?{}", query(&request(idp, sys, endpoint, state, "")))).await;
    let cont = r.location.clone().unwrap_or_else(|| panic!("{}", r.text));
    assert!(cont.starts_with("/authorize/continue?request="), "{cont}");
    if !idp.cookies.contains_key("gu_session") {
        idp.sign_in(common::PHONE).await;
    }
    let r = idp.get(&cont).await;
    let location = if r.status == StatusCode::OK {
        let handle = r.text.split("name=\"request\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        idp.post("/authorize/consent", &[("request", &handle), ("decision", "allow")]).await.location.unwrap()
    } else {
        r.location.unwrap()
    };
    assert!(location.starts_with(CB), "{location}");
    assert_eq!(param(&location, "state").as_deref(), Some(state));
    param(&location, "code").unwrap()
}

async fn te(idp: &Idp, path: &str, p: &[(String, String)]) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(query(p)))
        .unwrap();
    let res = tower::ServiceExt::oneshot(idp.router.clone(), req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn get_text(idp: &Idp, path: &str, bearer: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::get(path);
    if let Some(b) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
    }
    let res = tower::ServiceExt::oneshot(idp.router.clone(), req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The JWT checks out against the emulator's published certificate of its `alg`, which must
/// be `alg`; its claims.
async fn claims_signed(idp: &Idp, jwt: &str, alg: &str) -> Value {
    let (status, pem) = get_text(idp, "/aas/oauth2/cert", None).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<_> = sep_crypto::cert::pem_bundle(&pem)
        .iter()
        .map(|der| sep_crypto::cert::AnyKey::from_certificate(der).unwrap())
        .collect();
    assert_eq!(keys.len(), 2, "a ГОСТ and an RSA certificate");
    let header: Value = serde_json::from_slice(&B64.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], alg);
    let key = keys.iter().find(|k| k.algorithm().name() == alg).unwrap();
    let (input, sig) = jwt.rsplit_once('.').unwrap();
    key.verify(input.as_bytes(), &B64.decode(sig).unwrap()).expect("signed by the emulator");
    assert!(
        keys.iter()
            .filter(|k| k.algorithm().name() != alg)
            .all(|k| k.verify(input.as_bytes(), &B64.decode(sig).unwrap()).is_err())
    );
    serde_json::from_slice(&B64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

async fn checked_claims(idp: &Idp, jwt: &str) -> Value {
    claims_signed(idp, jwt, "GOST3410_2012_256").await
}

#[tokio::test]
async fn esia_v2_ac_and_v3_te_log_a_person_in_with_gost_tokens() {
    let (mut idp, sys) = setup().await;
    let code = code_via(&mut idp, &sys, Endpoint::AuthorizeV2, &uuid(1)).await;
    let (status, body) = te(&idp, "/aas/oauth2/v3/te", &request(&idp, &sys, Endpoint::TokenV3, &uuid(2), &code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], uuid(2), "the token request's own state comes back");
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().unwrap();
    let claims = checked_claims(&idp, access).await;
    let oid = claims["urn:esia:sbj_id"].as_u64().unwrap();
    assert_eq!(claims["client_id"], CLIENT);
    assert!(claims["scope"].as_str().unwrap().contains(&format!("fullname?oid={oid}")));
    let id = checked_claims(&idp, body["id_token"].as_str().unwrap()).await;
    assert_eq!(id["sub"].as_u64(), Some(oid));
    assert_eq!(id["urn:esia:sbj"]["urn:esia:sbj:lvl"], "PR");
    assert_eq!(id["urn:esia:sbj"]["urn:esia:sbj:is_tru"], true);
    assert_eq!(id["amr"], "PWD");
    // The access token opens the person's data.
    let (status, person) = get_text(&idp, &format!("/rs/prns/{oid}"), Some(access)).await;
    assert_eq!(status, StatusCode::OK, "{person}");
    assert!(person.contains("lastName"), "{person}");
    // Another system presenting the spent code neither gets tokens nor revokes this system's.
    idp.oidc.register_client("SEP02", "Другая система", SECRET, &[CB.into()], &[]).await.unwrap();
    idp.oidc.register_esia_client("SEP02", &sys.cert, sep_core::signer::Algorithm::Gost2012_256).await.unwrap();
    let theirs = request_as("SEP02", &idp, &sys, Endpoint::TokenV3, &uuid(4), &code);
    let (status, body) = te(&idp, "/aas/oauth2/v3/te", &theirs).await;
    assert_eq!((status, &body["error_description"].as_str().unwrap()[..11]), (StatusCode::BAD_REQUEST, "ESIA-007011"));
    assert_eq!(get_text(&idp, &format!("/rs/prns/{oid}"), Some(access)).await.0, StatusCode::OK, "not revoked");
    // A code works once.
    let (status, body) = te(&idp, "/aas/oauth2/v3/te", &request(&idp, &sys, Endpoint::TokenV3, &uuid(3), &code)).await;
    assert_eq!(
        (status, body["error_description"].as_str().unwrap()[..11].to_owned()),
        (StatusCode::BAD_REQUEST, "ESIA-007011".into())
    );
    // ЕСИА-style logout.
    let r = idp.get(&format!("/idp/ext/Logout?client_id={CLIENT}&redirect_url={}", urlencode(CB))).await;
    assert!(r.status.is_redirection() || r.status == StatusCode::OK, "{}", r.text);
}

/// A system registered for RS256 tokens gets them signed with the emulator's RSA key.
#[tokio::test]
async fn a_system_may_take_rs256_tokens() {
    let (mut idp, sys) = setup().await;
    idp.oidc.register_esia_client(CLIENT, &sys.cert, sep_core::signer::Algorithm::Rs256).await.unwrap();
    let code = code_via(&mut idp, &sys, Endpoint::AuthorizeV2, &uuid(31)).await;
    let (status, body) = te(&idp, "/aas/oauth2/v3/te", &request(&idp, &sys, Endpoint::TokenV3, &uuid(32), &code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = claims_signed(&idp, body["id_token"].as_str().unwrap(), "RS256").await;
    assert_eq!(id["aud"], CLIENT);
    let p256 = idp.oidc.register_esia_client(CLIENT, &sys.cert, sep_core::signer::Algorithm::EcdsaP256).await;
    assert!(p256.is_err(), "ЕСИА signs tokens with ГОСТ or RS256 only");
}

#[tokio::test]
async fn legacy_ac_and_te_take_a_detached_cms_secret() {
    let (mut idp, sys) = setup().await;
    let code = code_via(&mut idp, &sys, Endpoint::AuthorizeLegacy, &uuid(11)).await;
    let p = request(&idp, &sys, Endpoint::TokenLegacy, &uuid(12), &code);
    let (status, body) = te(&idp, "/aas/oauth2/te", &p).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    checked_claims(&idp, body["access_token"].as_str().unwrap()).await;
}

/// Each mistake, and the code it gets.
#[tokio::test]
async fn each_integrator_mistake_gets_its_esia_code() {
    let (mut idp, sys) = setup().await;
    let ac = |p: &[(String, String)]| format!("/aas/oauth2/v2/ac?{}", query(p));
    let code_of = |location: &str| param(location, "error_description").unwrap()[..11].to_owned();
    let mut n = 100;
    let mut fresh = |idp: &Idp| {
        n += 1;
        request(idp, &sys, Endpoint::AuthorizeV2, &uuid(n), "")
    };

    // A wrong signature (signed for another redirect URI).
    let mut p = fresh(&idp);
    let other = signed_string(
        Endpoint::AuthorizeV2,
        &Signed { client_id: CLIENT, scope: "openid", timestamp: "x", state: "y", redirect_uri: CB, code: "" },
    );
    set(&mut p, "client_secret", &B64.encode(sys.key.sign(other.as_bytes()).unwrap()));
    let r = idp.get(&ac(&p)).await;
    assert_eq!(code_of(&r.location.unwrap()), "ESIA-007053");
    // The hash of the PEM instead of the DER.
    let mut p = fresh(&idp);
    let pem = sep_crypto::cert::to_pem(&sys.cert).unwrap();
    set(&mut p, "client_certificate_hash", &hex(&streebog256(pem.as_bytes())));
    assert_eq!(code_of(&idp.get(&ac(&p)).await.location.unwrap()), "ESIA-007053");
    // No certificate hash at all.
    let mut p = fresh(&idp);
    p.retain(|(k, _)| k != "client_certificate_hash");
    assert_eq!(code_of(&idp.get(&ac(&p)).await.location.unwrap()), "ESIA-007014");
    // The system's clock is 10 minutes off.
    let p = fresh(&idp);
    idp.clock.advance(time::Duration::minutes(10));
    assert_eq!(code_of(&idp.get(&ac(&p)).await.location.unwrap()), "ESIA-007015");
    // A timestamp in the ISO form.
    let mut p = fresh(&idp);
    set(&mut p, "timestamp", "2026-11-22T16:11:21+03:00");
    assert_eq!(code_of(&idp.get(&ac(&p)).await.location.unwrap()), "ESIA-007015");
    // A state that is not a UUID, and a state used twice.
    let mut p = fresh(&idp);
    set(&mut p, "state", "state-123");
    assert_eq!(code_of(&idp.get(&ac(&p)).await.location.unwrap()), "ESIA-007003");
    let p = fresh(&idp);
    assert!(idp.get(&ac(&p)).await.location.unwrap().starts_with("/authorize/continue"));
    assert_eq!(code_of(&idp.get(&ac(&p)).await.location.unwrap()), "ESIA-007003", "reused state");
    // A redirect URI not registered: a page, never a redirect there.
    let mut p = fresh(&idp);
    set(&mut p, "redirect_uri", "https://evil.test/cb");
    let r = idp.get(&ac(&p)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.location.is_none() && r.text.contains("ESIA-007023"), "{}", r.text);
    // An unknown system.
    let mut p = fresh(&idp);
    set(&mut p, "client_id", "NOBODY");
    let r = idp.get(&ac(&p)).await;
    assert!(r.location.is_none() && r.text.contains("ESIA-007005"), "{}", r.text);
    // An unknown scope.
    let mut p = fresh(&idp);
    let stamp = p.iter().find(|(k, _)| k == "timestamp").unwrap().1.clone();
    let state = p.iter().find(|(k, _)| k == "state").unwrap().1.clone();
    let s = Signed {
        client_id: CLIENT,
        scope: "openid salary",
        timestamp: &stamp,
        state: &state,
        redirect_uri: CB,
        code: "",
    };
    set(&mut p, "scope", "openid salary");
    set(
        &mut p,
        "client_secret",
        &B64.encode(sys.key.sign(signed_string(Endpoint::AuthorizeV2, &s).as_bytes()).unwrap()),
    );
    assert_eq!(code_of(&idp.get(&ac(&p)).await.location.unwrap()), "ESIA-007006");
    // Another system's certificate in a legacy CMS secret.
    let other_key = SigningKey::generate(sep_crypto::gost::Curve::named("TCA").unwrap()).unwrap();
    let now = SystemTime::now();
    let req = sep_crypto::cert::Request {
        subject: "CN=OTHER",
        kind: Kind::Client,
        serial: 9,
        not_before: now,
        lifetime: Duration::from_secs(86_400),
    };
    let other_cert = sep_crypto::cert::issue(&req, other_key.verifying_key(), &other_key, None).unwrap();
    let mut p = request(&idp, &sys, Endpoint::AuthorizeLegacy, &uuid(999), "");
    let stamp = p.iter().find(|(k, _)| k == "timestamp").unwrap().1.clone();
    let s = Signed {
        client_id: CLIENT,
        scope: "openid fullname snils",
        timestamp: &stamp,
        state: &uuid(999),
        redirect_uri: CB,
        code: "",
    };
    let cms = sep_crypto::cms::sign_detached(
        signed_string(Endpoint::AuthorizeLegacy, &s).as_bytes(),
        &other_key,
        &other_cert,
        now,
    )
    .unwrap();
    set(&mut p, "client_secret", &B64.encode(cms));
    let r = idp.get(&format!("/aas/oauth2/ac?{}", query(&p))).await;
    assert_eq!(code_of(&r.location.unwrap()), "ESIA-007002");

    // The person declines on the consent screen: back with ESIA-007004.
    let mut declining = idp.fresh_browser();
    declining.sign_in("+79234567890").await;
    let p = request(&declining, &sys, Endpoint::AuthorizeV2, &uuid(700), "");
    let cont = declining.get(&ac(&p)).await.location.unwrap();
    let page = declining.get(&cont).await;
    let handle = page.text.split("name=\"request\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = declining.post("/authorize/consent", &[("request", &handle), ("decision", "deny")]).await;
    assert_eq!(code_of(&r.location.unwrap()), "ESIA-007004");

    // At the token endpoint: a code from nowhere, and a wrong signature.
    let code = code_via(&mut idp, &sys, Endpoint::AuthorizeV2, &uuid(500)).await;
    let (status, body) =
        te(&idp, "/aas/oauth2/v3/te", &request(&idp, &sys, Endpoint::TokenV3, &uuid(501), "made-up")).await;
    assert_eq!((status, &body["error_description"].as_str().unwrap()[..11]), (StatusCode::BAD_REQUEST, "ESIA-007011"));
    let mut p = request(&idp, &sys, Endpoint::TokenV3, &uuid(502), &code);
    set(&mut p, "code", "another-code");
    let (_, body) = te(&idp, "/aas/oauth2/v3/te", &p).await;
    assert_eq!(&body["error_description"].as_str().unwrap()[..11], "ESIA-007053", "the signature covers the code");
    let (status, _) = te(&idp, "/aas/oauth2/v3/te", &request(&idp, &sys, Endpoint::TokenV3, &uuid(503), &code)).await;
    assert_eq!(status, StatusCode::OK, "the untouched code still works once");
    // The OpenID Connect `/token` does not take an ЕСИА code: no PKCE challenge was made for it.
    let code = code_via(&mut idp, &sys, Endpoint::AuthorizeV2, &uuid(600)).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier-0001"),
        ("client_id", CLIENT),
        ("client_secret", SECRET),
    ];
    let body = form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let req = Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = tower::ServiceExt::oneshot(idp.router.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// Every code the emulator can answer with is explained in docs/ESIA-MODE.md.
#[test]
fn every_esia_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ESIA-MODE.md")).unwrap();
    for e in sep_core::esia::EsiaError::ALL {
        assert!(doc.contains(&format!("| {} |", e.code())), "{} is not in docs/ESIA-MODE.md", e.code());
    }
}

//! A real relying-party library (the `openidconnect` crate) against the emulator on a real
//! socket: discovery → authorize (driving the login, code and consent pages) → token (with
//! PKCE and ID-token verification against the JWKS) → userinfo → refresh → logout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test by panicking")]

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use sep_core::clock::{Clock, SystemClock};
use sep_idp::sqlite::IdpSqlite;
use sep_idp::web::IdpState;
use std::sync::Arc;

const CLIENT: &str = "sep-portal-test";
const SECRET: &str = "a-long-random-secret-for-the-test-client-0001";
const CALLBACK: &str = "http://127.0.0.1:9/login/callback";

async fn serve_idp() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let listener = sep_http::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let store = Arc::new(IdpSqlite::open(&dir.path().join("idp.db")).unwrap());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = IdpState::new(store.clone(), clock.clone(), &issuer).await.unwrap();
    sep_idp::demo::seed(store.as_ref(), state.login.hasher(), clock.now()).await.unwrap();
    state
        .oidc
        .register_client(CLIENT, "СЭП (тест)", SECRET, &[CALLBACK.into()], &[format!("{CALLBACK}/bye")])
        .await
        .unwrap();
    let router = sep_idp::web::router(state, sep_http::Limits::default());
    tokio::spawn(sep_http::server::serve(listener, router, std::future::pending()));
    (issuer, dir)
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get(reqwest::header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

fn absolute(issuer: &str, loc: &str) -> String {
    if loc.starts_with('/') { format!("{issuer}{loc}") } else { loc.to_owned() }
}

/// A person in a browser: signs in with password and SMS code and grants consent, starting
/// from the authorisation URL; returns the redirect to the client.
async fn browser_login(issuer: &str, auth_url: &str) -> String {
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = browser.get(auth_url).send().await.unwrap();
    let cont = absolute(issuer, &location(&r));
    let r = browser.get(&cont).send().await.unwrap();
    let login_url = absolute(issuer, &location(&r));
    let page = browser.get(&login_url).send().await.unwrap().text().await.unwrap();
    let return_to =
        page.split("name=\"return_to\" value=\"").nth(1).unwrap().split('"').next().unwrap().replace("&#x2f;", "/");
    let r = browser
        .post(format!("{issuer}/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("login", "+79123456789"), ("password", "Demo-Passw0rd"), ("return_to", return_to.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login/code");
    let outbox: serde_json::Value =
        browser.get(format!("{issuer}/outbox.json")).send().await.unwrap().json().await.unwrap();
    let body = outbox["messages"][0]["body"].as_str().unwrap();
    let code = &body.split(": ").nth(1).unwrap()[..6];
    let r = browser
        .post(format!("{issuer}/login/code"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    let back = absolute(issuer, &location(&r));
    let consent = browser.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(consent.contains("Предоставление прав доступа"), "{consent}");
    let handle = consent.split("name=\"request\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = browser
        .post(format!("{issuer}/authorize/consent"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("request", handle.as_str()), ("decision", "allow")])
        .send()
        .await
        .unwrap();
    location(&r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openidconnect_crate_runs_the_whole_flow() {
    let (issuer, _dir) = serve_idp().await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http).await.unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT.into()),
        Some(ClientSecret::new(SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("fullname".into()))
        .add_scope(Scope::new("snils".into()))
        .add_scope(Scope::new("mobile".into()))
        .set_pkce_challenge(challenge)
        .url();

    let redirect = browser_login(&issuer, auth_url.as_str()).await;
    let redirect = url_params(&redirect);
    assert_eq!(redirect.get("state").map(String::as_str), Some(csrf.secret().as_str()));
    let code = redirect.get("code").unwrap().clone();

    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = tokens.id_token().unwrap();
    let verifier = client.id_token_verifier().set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(claims.subject().as_str(), "1000001");
    assert_eq!(claims.issuer().as_str(), issuer);
    assert!(claims.auth_time().is_some());
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token.signing_alg().unwrap();
        let actual =
            AccessTokenHash::from_token(tokens.access_token(), alg, id_token.signing_key(&verifier).unwrap()).unwrap();
        assert_eq!(&actual, expected);
    }

    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().to_owned(), Some(claims.subject().clone()))
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(info.family_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Иванов"));
    assert_eq!(info.phone_number().map(|p| p.as_str()), Some("+79123456789"));
    assert!(info.email().is_none(), "email was not asked for");

    let refreshed =
        client.exchange_refresh_token(tokens.refresh_token().unwrap()).unwrap().request_async(&http).await.unwrap();
    assert_ne!(refreshed.refresh_token().unwrap().secret(), tokens.refresh_token().unwrap().secret());
    let again = client.exchange_refresh_token(tokens.refresh_token().unwrap()).unwrap().request_async(&http).await;
    assert!(again.is_err(), "a rotated refresh token is refused");

    // RP-initiated logout through the advertised end_session_endpoint.
    let logout = format!(
        "{issuer}/oidc/logout?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
        id_token, "http%3A%2F%2F127.0.0.1%3A9%2Flogin%2Fcallback%2Fbye"
    );
    let r = http.get(&logout).send().await.unwrap();
    assert_eq!(location(&r), format!("{CALLBACK}/bye?state=bye"));
}

fn url_params(url: &str) -> std::collections::HashMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("%2F", "/").replace("%3A", ":").replace("%20", " ")))
        .collect()
}

//! The portal as an ЕСИА client (SPEC L1, ЕСИА mode): `v2/ac` and `v3/te` with `client_secret`
//! signed by the portal's ГОСТ key (`sep_core::esia::signed_string`), the tokens' ГОСТ
//! signatures checked against ЕСИА's certificate, and the person read from `/rs/prns/{oid}` and
//! its collections — then the same profile mapping as OpenID Connect. Works against the
//! emulator's ЕСИА mode and, with real keys and ЕСИА's certificate, against ЕСИА.

use super::{AuthFault, Finished, OidcSettings, Started};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use sep_core::esia::{Endpoint, Signed, signed_string, timestamp};
use sep_core::identity::ProviderIdentity;
use sep_crypto::cert::AnyKey;
use sep_crypto::gost::SigningKey;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::RwLock;

/// The portal's ЕСИА credentials.
#[derive(Clone)]
pub struct EsiaSettings {
    /// The key `client_secret` is signed with.
    pub key: Arc<SigningKey>,
    /// Its certificate (DER), registered at ЕСИА; its Стрибог hash goes with every request.
    pub certificate: Vec<u8>,
    /// ЕСИА's certificates (DER: ГОСТ and/or RSA) the tokens are checked against, by the
    /// token's `alg`; empty: fetched once from `{issuer}/aas/oauth2/cert` (the emulator
    /// publishes them there; real ЕСИА does not).
    pub token_certificates: Vec<Vec<u8>>,
}

impl std::fmt::Debug for EsiaSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EsiaSettings").field("certificate_hash", &self.certificate_hash()).finish_non_exhaustive()
    }
}

impl EsiaSettings {
    /// `client_certificate_hash`: hex Стрибог-256 of the DER certificate.
    pub fn certificate_hash(&self) -> String {
        sep_crypto::gost::streebog256_hex(&self.certificate)
    }
}

/// ЕСИА's token keys, once known.
pub(crate) type TokenKey = RwLock<Option<Arc<Vec<AnyKey>>>>;

fn now_msk() -> OffsetDateTime {
    OffsetDateTime::now_utc().to_offset(time::macros::offset!(+3))
}

fn scope(settings: &OidcSettings) -> String {
    std::iter::once("openid".to_owned()).chain(settings.scopes.iter().cloned()).collect::<Vec<_>>().join(" ")
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut s = openidconnect::url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// What every signed request carries: a fresh UUID state, the time, the scope, the signature
/// of the endpoint's string (`code` only at the token endpoint) and the certificate's hash.
struct SignedRequest {
    state: String,
    timestamp: String,
    scope: String,
    client_secret: String,
    certificate_hash: String,
}

fn signed_request(
    settings: &OidcSettings,
    esia: &EsiaSettings,
    endpoint: Endpoint,
    code: &str,
) -> Result<SignedRequest, AuthFault> {
    let (state, timestamp, scope) = (uuid::Uuid::new_v4().to_string(), timestamp(now_msk()), scope(settings));
    let signed = Signed {
        client_id: &settings.client_id,
        scope: &scope,
        timestamp: &timestamp,
        state: &state,
        redirect_uri: &settings.redirect_url,
        code,
    };
    let sig =
        esia.key.sign(signed_string(endpoint, &signed).as_bytes()).map_err(|e| AuthFault::Rejected(e.to_string()))?;
    Ok(SignedRequest {
        client_secret: B64.encode(sig),
        certificate_hash: esia.certificate_hash(),
        state,
        timestamp,
        scope,
    })
}

/// The `v2/ac` address with a fresh UUID state.
pub(crate) fn begin(settings: &OidcSettings, esia: &EsiaSettings) -> Result<Started, AuthFault> {
    let r = signed_request(settings, esia, Endpoint::AuthorizeV2, "")?;
    let query = encode(&[
        ("client_id", &settings.client_id),
        ("client_secret", &r.client_secret),
        ("redirect_uri", &settings.redirect_url),
        ("scope", &r.scope),
        ("response_type", "code"),
        ("state", &r.state),
        ("access_type", "online"),
        ("timestamp", &r.timestamp),
        ("client_certificate_hash", &r.certificate_hash),
    ]);
    Ok(Started {
        url: format!("{}/aas/oauth2/v2/ac?{query}", settings.issuer),
        state: r.state,
        nonce: String::new(),
        pkce_verifier: String::new(),
    })
}

fn request_fault(e: &reqwest::Error) -> AuthFault {
    if e.is_timeout() { AuthFault::Timeout } else { AuthFault::Unreachable }
}

async fn token_keys(
    http: &reqwest::Client,
    settings: &OidcSettings,
    esia: &EsiaSettings,
    cache: &TokenKey,
) -> Result<Arc<Vec<AnyKey>>, AuthFault> {
    if let Some(k) = cache.read().await.clone() {
        return Ok(k);
    }
    let certs = if esia.token_certificates.is_empty() {
        let url = format!("{}/aas/oauth2/cert", settings.issuer);
        let res = http.get(url).send().await.map_err(|e| request_fault(&e))?;
        if !res.status().is_success() {
            return Err(AuthFault::BadResponse);
        }
        sep_crypto::cert::pem_bundle(&res.text().await.map_err(|_| AuthFault::BadResponse)?)
    } else {
        esia.token_certificates.clone()
    };
    let keys = certs
        .iter()
        .map(|der| AnyKey::from_certificate(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AuthFault::TokenInvalid(e.to_string()))?;
    if keys.is_empty() {
        return Err(AuthFault::TokenInvalid("no ESIA certificate to check tokens with".into()));
    }
    let keys = Arc::new(keys);
    *cache.write().await = Some(keys.clone());
    Ok(keys)
}

/// The claims of a JWT signed by ЕСИА (ГОСТ or RS256, by its `alg`, with any of ЕСИА's keys of
/// that algorithm — keys rotate), of the kind `sbt` (`access`, `id`), issued by `issuer`,
/// already valid and not expired.
fn claims(jwt: &str, keys: &[AnyKey], sbt: &str, issuer: &str) -> Result<Value, AuthFault> {
    let bad = |why: &str| AuthFault::TokenInvalid(why.to_owned());
    let (input, sig) = jwt.rsplit_once('.').ok_or_else(|| bad("not a JWT"))?;
    let (header, payload) = input.split_once('.').ok_or_else(|| bad("not a JWT"))?;
    let header: Value =
        B64.decode(header).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(|| bad("header"))?;
    let alg = header["alg"].as_str().unwrap_or_default();
    let sig = B64.decode(sig).map_err(|_| bad("signature encoding"))?;
    let signed = keys.iter().filter(|k| k.algorithm().name() == alg).any(|k| k.verify(input.as_bytes(), &sig).is_ok());
    if !signed {
        return Err(bad("the token's signature is not ESIA's"));
    }
    if header.get("sbt").and_then(Value::as_str).is_some_and(|k| k != sbt) {
        return Err(bad("a token of another kind"));
    }
    let claims: Value =
        B64.decode(payload).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(|| bad("payload"))?;
    let iss = claims["iss"].as_str().unwrap_or_default();
    if iss.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(bad("issued by someone else"));
    }
    // A minute's leeway for the two clocks.
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let exp = claims["exp"].as_i64().ok_or_else(|| bad("no exp"))?;
    if exp <= now || claims["nbf"].as_i64().is_some_and(|nbf| nbf > now + 60) {
        return Err(bad("the token is not valid now"));
    }
    Ok(claims)
}

async fn get(http: &reqwest::Client, url: &str, access: &str) -> Result<Value, AuthFault> {
    let res = http.get(url).bearer_auth(access).send().await.map_err(|e| request_fault(&e))?;
    if res.status().is_server_error() {
        return Err(AuthFault::BadResponse);
    }
    if !res.status().is_success() {
        return Err(AuthFault::Rejected(format!("{url}: {}", res.status())));
    }
    res.json().await.map_err(|_| AuthFault::BadResponse)
}

/// `dd.MM.yyyy` → `yyyy-MM-dd`, as OpenID Connect writes dates.
fn iso(ru: &str) -> Option<String> {
    let mut p = ru.split('.');
    let (d, m, y) = (p.next()?, p.next()?, p.next()?);
    Some(format!("{y}-{m}-{d}"))
}

/// ЕСИА's person, contacts and documents as the claims `ProviderIdentity` reads.
fn as_claims(oid: &str, person: &Value, contacts: &Value, docs: &Value, orgs: &Value) -> Value {
    let mut c = json!({ "sub": oid });
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    for (ours, theirs) in [
        ("family_name", "lastName"),
        ("given_name", "firstName"),
        ("middle_name", "middleName"),
        ("birthplace", "birthPlace"),
        ("snils", "snils"),
        ("inn", "inn"),
    ] {
        if let Some(v) = text(person, theirs) {
            c[ours] = json!(v);
        }
    }
    if let Some(d) = text(person, "birthDate").as_deref().and_then(iso) {
        c["birthdate"] = json!(d);
    }
    match text(person, "gender").as_deref() {
        Some("M") => c["gender"] = json!("male"),
        Some("F") => c["gender"] = json!("female"),
        _ => {}
    }
    let elements = |v: &Value| v.get("elements").and_then(Value::as_array).cloned().unwrap_or_default();
    for e in elements(contacts) {
        match e.get("type").and_then(Value::as_str) {
            Some("MBT") => c["phone_number"] = e["value"].clone(),
            Some("EML") => c["email"] = e["value"].clone(),
            _ => {}
        }
    }
    if let Some(p) = elements(docs).into_iter().find(|d| d.get("type").and_then(Value::as_str) == Some("RF_PASSPORT")) {
        c["id_doc"] = p;
    }
    // The organisations' elements carry the fields `usr_org` has in OpenID Connect mode.
    if orgs.get("elements").is_some() {
        c["usr_org"] = Value::Array(elements(orgs));
    }
    c
}

/// `v3/te` for the code, the tokens checked, the person read.
pub(crate) async fn finish(
    http: &reqwest::Client,
    settings: &OidcSettings,
    esia: &EsiaSettings,
    cache: &TokenKey,
    code: &str,
) -> Result<Finished, AuthFault> {
    let r = signed_request(settings, esia, Endpoint::TokenV3, code)?;
    let form = [
        ("client_id", settings.client_id.as_str()),
        ("code", code),
        ("grant_type", "authorization_code"),
        ("client_secret", &r.client_secret),
        ("state", &r.state),
        ("redirect_uri", &settings.redirect_url),
        ("scope", &r.scope),
        ("timestamp", &r.timestamp),
        ("token_type", "Bearer"),
        ("client_certificate_hash", &r.certificate_hash),
    ];
    let res = http
        .post(format!("{}/aas/oauth2/v3/te", settings.issuer))
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(&form))
        .send()
        .await
        .map_err(|e| request_fault(&e))?;
    if res.status().is_server_error() {
        return Err(AuthFault::BadResponse);
    }
    let ok = res.status().is_success();
    let body: Value = res.json().await.map_err(|_| AuthFault::BadResponse)?;
    if !ok {
        // ЕСИА's code (ESIA-0070xx) is in the description: that is what support needs.
        let why = body["error_description"].as_str().or(body["error"].as_str()).unwrap_or("token");
        return Err(AuthFault::Rejected(why.to_owned()));
    }
    if body["state"].as_str() != Some(r.state.as_str()) {
        return Err(AuthFault::TokenInvalid("the token response's state is not the one sent".into()));
    }
    let keys = token_keys(http, settings, esia, cache).await?;
    let access_raw = body["access_token"].as_str().ok_or(AuthFault::BadResponse)?;
    let id_raw = body["id_token"].as_str().ok_or(AuthFault::BadResponse)?;
    let access = claims(access_raw, &keys, "access", &settings.issuer)?;
    let id = claims(id_raw, &keys, "id", &settings.issuer)?;
    if access["urn:esia:sid"] != id["urn:esia:sid"] {
        return Err(AuthFault::TokenInvalid("the tokens are of different logins".into()));
    }
    let oid = access["urn:esia:sbj_id"].as_u64().ok_or_else(|| AuthFault::TokenInvalid("no urn:esia:sbj_id".into()))?;
    if access["client_id"].as_str() != Some(settings.client_id.as_str())
        || id["aud"].as_str() != Some(settings.client_id.as_str())
        || id["sub"].as_u64() != Some(oid)
    {
        return Err(AuthFault::TokenInvalid("the tokens are for another system or person".into()));
    }
    let base = format!("{}/rs/prns/{oid}", settings.issuer);
    let person = get(http, &base, access_raw).await?;
    let has = |s: &str| settings.scopes.iter().any(|x| x == s);
    let contacts = if has("mobile") || has("email") {
        get(http, &format!("{base}/ctts?embed=(elements)"), access_raw).await?
    } else {
        Value::Null
    };
    let docs = if has("id_doc") {
        get(http, &format!("{base}/docs?embed=(elements)"), access_raw).await?
    } else {
        Value::Null
    };
    let orgs = if has("usr_org") {
        get(http, &format!("{base}/orgs?embed=(elements)"), access_raw).await?
    } else {
        Value::Null
    };
    let subject = oid.to_string();
    let userinfo = as_claims(&subject, &person, &contacts, &docs, &orgs);
    let methods = id["amr"].as_str().unwrap_or_default().to_lowercase();
    let auth_age = match (id["iat"].as_i64(), id["auth_time"].as_i64()) {
        (Some(iat), Some(at)) => Some(time::Duration::seconds(iat.saturating_sub(at).max(0))),
        _ => None,
    };
    Ok(Finished {
        identity: ProviderIdentity::from_claims(&subject, &id, &userinfo),
        id_token: id_raw.to_owned(),
        methods,
        auth_age,
    })
}

/// ЕСИА's logout: `/idp/ext/Logout?client_id=…&redirect_url=…`.
pub(crate) fn logout_url(settings: &OidcSettings) -> String {
    let q = encode(&[("client_id", &settings.client_id), ("redirect_url", &settings.post_logout_url)]);
    format!("{}/idp/ext/Logout?{q}", settings.issuer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esia_person_data_become_claims() {
        let person = json!({"lastName": "Иванов", "firstName": "Иван", "birthDate": "05.03.1987", "gender": "M", "snils": "123-456-789 64"});
        let contacts =
            json!({"elements": [{"type": "MBT", "value": "+7(912)3456789"}, {"type": "EML", "value": "a@b.ru"}]});
        let docs = json!({"elements": [{"type": "RF_PASSPORT", "series": "4510", "number": "000001"}]});
        let orgs = json!({"size": 1, "elements": [{"oid": 2000001, "shortName": "ООО «Ромашка»", "fullName": "ООО «Ромашка»",
            "inn": "7701000019", "ogrn": "1027700000019", "kpp": "770101001", "chief": true}]});
        let c = as_claims("1", &person, &contacts, &docs, &orgs);
        assert_eq!(c["family_name"], "Иванов");
        assert_eq!(c["birthdate"], "1987-03-05");
        assert_eq!(c["gender"], "male");
        assert_eq!(c["phone_number"], "+7(912)3456789");
        assert_eq!(c["id_doc"]["series"], "4510");
        let id = ProviderIdentity::from_claims("1", &json!({}), &c);
        assert_eq!(id.profile.phone.unwrap().as_str(), "+79123456789");
        assert_eq!(id.orgs.unwrap()[0].short_name, "ООО «Ромашка»");
        let none = as_claims("1", &person, &contacts, &docs, &Value::Null);
        assert!(none.get("usr_org").is_none(), "not asked: nothing said of organisations");
    }

    #[test]
    fn each_request_has_a_fresh_uuid_state_and_is_signed() {
        let curve = sep_crypto::gost::Curve::named("TCA").unwrap();
        let esia = EsiaSettings {
            key: Arc::new(SigningKey::generate(curve).unwrap()),
            certificate: vec![1, 2, 3],
            token_certificates: vec![],
        };
        let settings = OidcSettings {
            issuer: "http://esia.test".into(),
            client_id: "SEP01".into(),
            client_secret: String::new(),
            redirect_url: "http://sep.test/login/callback".into(),
            post_logout_url: "http://sep.test/".into(),
            scopes: vec!["fullname".into()],
            timeout: std::time::Duration::from_secs(1),
            esia: None,
        };
        let (a, b) = (begin(&settings, &esia).unwrap(), begin(&settings, &esia).unwrap());
        assert!(sep_core::esia::is_uuid(&a.state) && a.state != b.state, "{} {}", a.state, b.state);
        let r = signed_request(&settings, &esia, Endpoint::TokenV3, "code-1").unwrap();
        let signed = Signed {
            client_id: "SEP01",
            scope: "openid fullname",
            timestamp: &r.timestamp,
            state: &r.state,
            redirect_uri: "http://sep.test/login/callback",
            code: "code-1",
        };
        let sig = B64.decode(&r.client_secret).unwrap();
        assert!(esia.key.verifying_key().verify(signed_string(Endpoint::TokenV3, &signed).as_bytes(), &sig).is_ok());
    }
}

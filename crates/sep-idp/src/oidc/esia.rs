//! ЕСИА mode (SPEC I4): `/aas/oauth2/v2/ac` and `/aas/oauth2/v3/te` with a raw ГОСТ signature
//! as `client_secret`, the legacy `/aas/oauth2/ac` and `/te` with a detached CMS one, checked
//! the way ЕСИА checks them — the certificate registered for the system, its Стрибог hash,
//! the signed string of the endpoint (`sep_core::esia::signed_string`), the clock, a new state —
//! and tokens as JWTs signed with the emulator's own ГОСТ key, with ЕСИА's claims.

use super::model::{AuthRequest, Token, TokenKind};
use super::scopes;
use super::service::{OidcService, digest, opaque};
use super::token::esia_subject;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use sep_core::StoreError;
use sep_core::esia::{Endpoint, EsiaError, Signed, is_uuid, parse_timestamp, signed_string};
use sep_core::signer::{Algorithm, Signer};
use sep_crypto::cert::{self, Kind, Request};
use sep_crypto::gost::{Curve, GostSigner, SigningKey, pkcs8};
use sep_crypto::rsa_signer::RsaSigner;
use std::time::{Duration as StdDuration, SystemTime};
use time::Duration;

/// How far a request's `timestamp` may be from the emulator's clock.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The parameters of the ЕСИА endpoints (query or form), each optional so that an absence
/// gets its own code.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EsiaParams {
    /// The system's мнемоника.
    pub client_id: Option<String>,
    /// The signature.
    pub client_secret: Option<String>,
    /// Where the code goes.
    pub redirect_uri: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// `code`.
    pub response_type: Option<String>,
    /// A new UUID per request.
    pub state: Option<String>,
    /// `online` or `offline`.
    pub access_type: Option<String>,
    /// `yyyy.MM.dd HH:mm:ss +hhmm`.
    pub timestamp: Option<String>,
    /// Hex Стрибог-256 of the DER certificate (v2/v3).
    pub client_certificate_hash: Option<String>,
    /// The code (token endpoints).
    pub code: Option<String>,
    /// `authorization_code` (token endpoints).
    pub grant_type: Option<String>,
    /// `Bearer` (token endpoints).
    pub token_type: Option<String>,
}

/// An ЕСИА error with what to say and, once the redirect URI is trusted, where to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsiaFailure {
    /// Which error.
    pub error: EsiaError,
    /// The redirect URI, when it is registered for the client (else a page is shown).
    pub redirect_uri: Option<String>,
    /// The request's state, echoed.
    pub state: Option<String>,
    /// A storage failure behind it (the answer is then a 500).
    pub internal: bool,
}

impl EsiaFailure {
    fn new(error: EsiaError) -> Self {
        Self { error, redirect_uri: None, state: None, internal: false }
    }

    /// `ESIA-007053: Неверная подпись…`, as ЕСИА writes `error_description`.
    pub fn description(&self) -> String {
        format!("{}: {}", self.error.code(), self.error.description())
    }

    /// The redirect back to the system, when there is one.
    pub fn location(&self) -> Option<String> {
        let uri = self.redirect_uri.as_ref()?;
        let description = self.description();
        let mut params = vec![("error", self.error.oauth()), ("error_description", description.as_str())];
        if let Some(s) = &self.state {
            params.push(("state", s.as_str()));
        }
        Some(super::urlenc::with_query(uri, &params))
    }
}

impl From<StoreError> for EsiaFailure {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "esia storage failed");
        Self { internal: true, ..Self::new(EsiaError::UnauthorizedClient) }
    }
}

fn required(v: &Option<String>) -> Result<&str, EsiaFailure> {
    v.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| EsiaFailure::new(EsiaError::MissingParameter))
}

/// `client_secret` as sent: base64url (ЕСИА's form) or plain base64.
fn secret_bytes(s: &str) -> Option<Vec<u8>> {
    let t = s.trim();
    URL_SAFE_NO_PAD
        .decode(t.trim_end_matches('='))
        .ok()
        .or_else(|| URL_SAFE.decode(t).ok())
        .or_else(|| STANDARD.decode(t).ok())
}

/// A JWT signed by `key` (ГОСТ Р 34.10-2012 with the raw `s ‖ r` as ЕСИА writes it, or RS256):
/// header and claims as JSON, base64url.
fn jwt(key: &dyn Signer, kind: &str, kid: &str, claims: &serde_json::Value) -> Result<String, StoreError> {
    let alg = key.algorithm().name();
    let header = serde_json::json!({ "alg": alg, "typ": "JWT", "sbt": kind, "ver": 1, "kid": kid });
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let sig = key.sign(input.as_bytes()).map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

impl OidcService {
    /// Registers the certificate (DER) a client signs its ЕСИА requests with, and how its
    /// tokens are signed (`GOST3410_2012_256` or `RS256`); the client must exist
    /// (`register_client`). Refused unless it is a ГОСТ 2012-256 certificate.
    pub async fn register_esia_client(
        &self,
        client_id: &str,
        certificate: &[u8],
        token_alg: Algorithm,
    ) -> Result<(), StoreError> {
        if self.store.find_client(client_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        if token_alg == Algorithm::EcdsaP256 {
            return Err(StoreError::Conflict { constraint: "token algorithm: GOST3410_2012_256 or RS256".into() });
        }
        cert::public_key(certificate).map_err(|e| StoreError::Conflict { constraint: e.to_string() })?;
        self.store.upsert_esia_client(client_id, certificate, token_alg.name(), self.clock.now()).await
    }

    /// The emulator's token key of `alg` and its certificate, made on first use.
    pub async fn esia_key(&self, alg: Algorithm) -> Result<(Box<dyn Signer>, Vec<u8>), StoreError> {
        let other = |e: String| StoreError::Other(e);
        let load = |pem: &str| -> Result<Box<dyn Signer>, StoreError> {
            Ok(match alg {
                Algorithm::Rs256 => Box::new(RsaSigner::from_pem(pem).map_err(|e| other(e.to_string()))?),
                _ => Box::new(GostSigner::new(pkcs8::from_pem(pem).map_err(|e| other(e.to_string()))?, None)),
            })
        };
        if let Some((pem, cert)) = self.store.find_esia_key(alg.name()).await? {
            return Ok((load(&pem)?, cert));
        }
        let (not_before, lifetime) = (SystemTime::from(self.clock.now()), StdDuration::from_secs(10 * 365 * 86_400));
        let (pem, der) = match alg {
            Algorithm::Rs256 => {
                let key = RsaSigner::generate().map_err(|e| other(e.to_string()))?;
                let der = cert::self_signed_rsa(&key, "CN=ЕСИА RSA (эмулятор СЭП),O=СЭП", not_before, lifetime)
                    .map_err(|e| other(e.to_string()))?;
                (key.to_pem().map_err(|e| other(e.to_string()))?, der)
            }
            _ => {
                let curve = Curve::named("TCA").ok_or_else(|| other("curve".into()))?;
                let key = SigningKey::generate(curve).map_err(|e| other(e.to_string()))?;
                let subject = "CN=ЕСИА (эмулятор СЭП),O=СЭП";
                let request = Request { subject, kind: Kind::System, serial: 1, not_before, lifetime };
                let der = cert::issue(&request, key.verifying_key(), &key, None).map_err(|e| other(e.to_string()))?;
                (pkcs8::to_pem(&key).map_err(|e| other(e.to_string()))?, der)
            }
        };
        if self.store.insert_esia_key(alg.name(), &pem, &der, self.clock.now()).await? {
            return Ok((load(&pem)?, der));
        }
        // Another start made it first: use that one.
        let (pem, cert) = self.store.find_esia_key(alg.name()).await?.ok_or(StoreError::NotFound)?;
        Ok((load(&pem)?, cert))
    }

    /// Every certificate the emulator signs ЕСИА tokens with (ГОСТ, then RSA), made on first use.
    pub async fn esia_certificates(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        for alg in [Algorithm::Gost2012_256, Algorithm::Rs256] {
            out.push(self.esia_key(alg).await?.1);
        }
        Ok(out)
    }

    /// Checks a request's client, redirect URI, clock, state and signature as ЕСИА does.
    /// Returns the redirect URI, the state, and how the client's tokens are signed.
    async fn check_signed(
        &self,
        endpoint: Endpoint,
        p: &EsiaParams,
    ) -> Result<(String, String, Algorithm), EsiaFailure> {
        let client_id = required(&p.client_id)?;
        let client =
            self.store.find_client(client_id).await?.ok_or_else(|| EsiaFailure::new(EsiaError::UnauthorizedClient))?;
        let (certificate, token_alg) = self
            .store
            .find_esia_client(client_id)
            .await?
            .ok_or_else(|| EsiaFailure::new(EsiaError::UnauthorizedClient))?;
        let redirect_uri = required(&p.redirect_uri)?;
        if !client.redirect_uris.iter().any(|r| r == redirect_uri) {
            return Err(EsiaFailure::new(EsiaError::RedirectUri));
        }
        // From here on errors go back to the system.
        let back = |error| EsiaFailure {
            error,
            redirect_uri: Some(redirect_uri.to_owned()),
            state: p.state.clone(),
            internal: false,
        };
        fn need<'p>(v: &'p Option<String>, back: &dyn Fn(EsiaError) -> EsiaFailure) -> Result<&'p str, EsiaFailure> {
            v.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| back(EsiaError::MissingParameter))
        }
        let (secret, scope, stamp, state) = (
            need(&p.client_secret, &back)?,
            need(&p.scope, &back)?,
            need(&p.timestamp, &back)?,
            need(&p.state, &back)?,
        );
        let code =
            if matches!(endpoint, Endpoint::TokenV3 | Endpoint::TokenLegacy) { need(&p.code, &back)? } else { "" };
        if !endpoint.uses_cms() {
            let hash = need(&p.client_certificate_hash, &back)?;
            let expected = sep_crypto::gost::streebog256_hex(&certificate);
            if !sep_core::ids::ct_eq(hash.to_ascii_lowercase().as_bytes(), expected.as_bytes()) {
                return Err(back(EsiaError::BadSecret));
            }
        }
        let now = self.clock.now();
        let at = parse_timestamp(stamp).ok_or_else(|| back(EsiaError::BadTimestamp))?;
        if (now - at).abs() > CLOCK_SKEW {
            return Err(back(EsiaError::BadTimestamp));
        }
        if !is_uuid(state) {
            return Err(back(EsiaError::BadState));
        }
        let signed = Signed { client_id, scope, timestamp: stamp, state, redirect_uri, code };
        let message = signed_string(endpoint, &signed);
        let bytes = secret_bytes(secret).ok_or_else(|| back(EsiaError::BadSecret))?;
        if endpoint.uses_cms() {
            let by = sep_crypto::cms::verify_detached_by(
                &bytes,
                message.as_bytes(),
                Some(&certificate),
                None,
                SystemTime::from(now),
            );
            match by {
                Ok(_) => {}
                Err(sep_crypto::cert::CertError::WrongIssuer) => return Err(back(EsiaError::CertificateMismatch)),
                Err(_) => return Err(back(EsiaError::BadSecret)),
            }
        } else {
            let key = cert::public_key(&certificate).map_err(|_| back(EsiaError::CertificateMismatch))?;
            key.verify(message.as_bytes(), &bytes).map_err(|_| back(EsiaError::BadSecret))?;
        }
        // Only a genuine request spends its state: garbage cannot block a system's states.
        if !self.store.use_esia_state(client_id, state, now).await? {
            return Err(back(EsiaError::BadState));
        }
        let token_alg = Algorithm::from_name(&token_alg).unwrap_or(Algorithm::Gost2012_256);
        Ok((redirect_uri.to_owned(), state.to_owned(), token_alg))
    }

    /// `GET /aas/oauth2/v2/ac` (or the legacy `/ac`): checks the request and stores it;
    /// returns the handle of the login that follows.
    pub async fn esia_authorize(&self, endpoint: Endpoint, p: &EsiaParams) -> Result<String, EsiaFailure> {
        let (redirect_uri, state, _) = self.check_signed(endpoint, p).await?;
        let back = |error| EsiaFailure {
            error,
            redirect_uri: Some(redirect_uri.clone()),
            state: Some(state.clone()),
            internal: false,
        };
        if p.response_type.as_deref() != Some("code") {
            return Err(back(EsiaError::MissingParameter));
        }
        let scopes = scopes::parse(p.scope.as_deref().unwrap_or("")).map_err(|_| back(EsiaError::InvalidScope))?;
        let now = self.clock.now();
        let handle = opaque()?;
        let request = AuthRequest {
            hash: digest(&handle),
            client_id: p.client_id.clone().unwrap_or_default(),
            redirect_uri: redirect_uri.clone(),
            scopes,
            state: Some(state.clone()),
            nonce: None,
            // ЕСИА mode: no PKCE; an empty challenge also keeps such codes out of `/token`.
            code_challenge: String::new(),
            created_at: now,
            expires_at: now + self.config.request_ttl,
            used_at: None,
            prompt: vec![],
            max_age: None,
        };
        self.store.insert_auth_request(&request).await?;
        Ok(handle)
    }

    /// `POST /aas/oauth2/v3/te` (or the legacy `/te`): the code for ЕСИА's tokens.
    pub async fn esia_token(&self, endpoint: Endpoint, p: &EsiaParams) -> Result<serde_json::Value, EsiaFailure> {
        let (redirect_uri, state, alg) = self.check_signed(endpoint, p).await?;
        let grant = |error| EsiaFailure::new(error);
        if p.grant_type.as_deref() != Some("authorization_code") {
            return Err(grant(EsiaError::MissingParameter));
        }
        let client_id = p.client_id.clone().unwrap_or_default();
        let code = p.code.as_deref().unwrap_or_default();
        let hash = digest(code);
        let now = self.clock.now();
        let c = self.store.take_code(&hash, now).await?.ok_or_else(|| grant(EsiaError::InvalidGrant))?;
        // Only the system the code was issued to may spend it — or, by presenting it twice,
        // revoke what it produced: another system holding a leaked code can do neither.
        let ours = c.client_id == client_id && c.redirect_uri == redirect_uri && c.code_challenge.is_empty();
        if !ours {
            return Err(grant(EsiaError::InvalidGrant));
        }
        if c.used_at.is_some() {
            self.store.revoke_tokens_of_code(&hash, now).await?;
            return Err(grant(EsiaError::InvalidGrant));
        }
        if now >= c.expires_at {
            return Err(grant(EsiaError::InvalidGrant));
        }
        let account = match self.store.get_account(c.oid).await {
            Ok(a) => a,
            // The account was removed after the login: the code grants nothing.
            Err(StoreError::NotFound) => return Err(grant(EsiaError::InvalidGrant)),
            Err(e) => return Err(e.into()),
        };
        let (key, cert_der) = self.esia_key(alg).await?;
        let kid: String = sep_crypto::gost::streebog256_hex(&cert_der).chars().take(16).collect();
        let sid = opaque()?;
        let exp = now + self.config.access_ttl;
        let access_claims = serde_json::json!({
            "iss": format!("{}/", self.issuer),
            "client_id": client_id,
            "scope": c.scopes.iter().map(|s| format!("{s}?oid={}", c.oid)).collect::<Vec<_>>().join(" "),
            "urn:esia:sid": sid,
            "urn:esia:sbj_id": c.oid,
            "nbf": now.unix_timestamp(),
            "iat": now.unix_timestamp(),
            "exp": exp.unix_timestamp(),
        });
        // A password login (with its second factor) is ЕСИА's `PWD`; `DS` would be a signature.
        let amr = "PWD";
        let id_claims = serde_json::json!({
            "iss": format!("{}/", self.issuer),
            "aud": client_id,
            "sub": c.oid,
            "nbf": now.unix_timestamp(),
            "iat": now.unix_timestamp(),
            "exp": (now + self.config.id_token_ttl).unix_timestamp(),
            "auth_time": c.auth_time.unix_timestamp(),
            "amr": amr,
            "urn:esia:amd": amr,
            "urn:esia:sid": sid,
            "urn:esia:sbj": esia_subject(c.oid, account.level),
        });
        let access = jwt(key.as_ref(), "access", &kid, &access_claims)?;
        let id_token = jwt(key.as_ref(), "id", &kid, &id_claims)?;
        // Stored by hash like any access token, so `/rs/prns` accepts it.
        self.store
            .insert_tokens(&[Token {
                hash: digest(&access),
                kind: TokenKind::Access,
                client_id: client_id.clone(),
                oid: c.oid,
                scopes: c.scopes.clone(),
                auth_time: c.auth_time,
                amr: c.amr.clone(),
                session_hash: c.session_hash.clone(),
                code_hash: hash,
                family: opaque()?,
                created_at: now,
                expires_at: exp,
                used_at: None,
                revoked_at: None,
            }])
            .await?;
        Ok(serde_json::json!({
            "access_token": access,
            "id_token": id_token,
            "state": state,
            "token_type": "Bearer",
            "expires_in": self.config.access_ttl.whole_seconds(),
        }))
    }
}

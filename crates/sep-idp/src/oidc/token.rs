//! The token endpoint: code exchange with PKCE, refresh rotation with reuse detection, and
//! client authentication (RFC 6749 §2.3, §4.1.3, §6; RFC 7636 §4.6; RFC 9700 §4.14).

use super::error::OAuthError;
use super::model::{OidcClient, Token, TokenKind};
use super::service::{OidcService, digest, opaque};
use super::urlenc;
use crate::account::{Level, Oid};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The form of `POST /token`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TokenParams {
    /// `authorization_code` or `refresh_token`.
    pub grant_type: Option<String>,
    /// The code.
    pub code: Option<String>,
    /// Must equal the authorisation request's.
    pub redirect_uri: Option<String>,
    /// PKCE verifier.
    pub code_verifier: Option<String>,
    /// For the refresh grant.
    pub refresh_token: Option<String>,
    /// `client_secret_post`, or alongside Basic.
    pub client_id: Option<String>,
    /// `client_secret_post`.
    pub client_secret: Option<String>,
}

/// Client credentials presented in an `Authorization: Basic` header.
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let b64 = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    let raw = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = raw.split_once(':')?;
    Some((urlenc::decode(id)?, urlenc::decode(secret)?))
}

use sep_core::ids::ct_eq as same;

/// SHA-256 hex of a client secret, as registered.
pub fn secret_hash(secret: &str) -> String {
    digest(secret)
}

impl OidcService {
    /// Client authentication. The methods are `client_secret_basic` and `client_secret_post`;
    /// ЕСИА's signed `client_secret` plugs in here as a third method.
    pub async fn authenticate_client(
        &self,
        p: &TokenParams,
        basic: Option<(String, String)>,
    ) -> Result<OidcClient, OAuthError> {
        let (id, secret) = match (basic, &p.client_secret) {
            (Some(_), Some(_)) => {
                return Err(OAuthError::invalid_request("Используйте один способ аутентификации клиента"));
            }
            (Some((id, secret)), None) => {
                if p.client_id.as_deref().is_some_and(|c| c != id) {
                    return Err(OAuthError::invalid_client());
                }
                (id, secret)
            }
            (None, Some(secret)) => (p.client_id.clone().ok_or_else(OAuthError::invalid_client)?, secret.clone()),
            (None, None) => return Err(OAuthError::invalid_client()),
        };
        let client = self.store.find_client(&id).await?.ok_or_else(OAuthError::invalid_client)?;
        if !same(secret_hash(&secret).as_bytes(), client.secret_hash.as_bytes()) {
            tracing::warn!(client = %client.id, "client authentication failed");
            return Err(OAuthError::invalid_client());
        }
        Ok(client)
    }

    /// `POST /token`.
    pub async fn token(
        &self,
        p: &TokenParams,
        basic: Option<(String, String)>,
    ) -> Result<serde_json::Value, OAuthError> {
        let client = self.authenticate_client(p, basic).await?;
        match p.grant_type.as_deref() {
            Some("authorization_code") => self.exchange_code(&client, p).await,
            Some("refresh_token") => self.refresh(&client, p).await,
            None => Err(OAuthError::invalid_request("Не указан grant_type")),
            Some(_) => Err(OAuthError::unsupported_grant_type()),
        }
    }

    async fn exchange_code(&self, client: &OidcClient, p: &TokenParams) -> Result<serde_json::Value, OAuthError> {
        let now = self.clock.now();
        let code = p.code.as_deref().ok_or_else(|| OAuthError::invalid_request("Не указан code"))?;
        let hash = digest(code);
        let Some(c) = self.store.take_code(&hash, now).await? else {
            return Err(OAuthError::invalid_grant("Код авторизации не найден"));
        };
        if c.used_at.is_some() {
            // RFC 6749 §4.1.2: a reused code revokes what it produced.
            let n = self.store.revoke_tokens_of_code(&hash, now).await?;
            tracing::warn!(client = %client.id, revoked = n, "authorization code reused");
            return Err(OAuthError::invalid_grant(
                "Код авторизации уже использован; выданные по нему маркеры отозваны",
            ));
        }
        if c.client_id != client.id {
            return Err(OAuthError::invalid_grant("Код выдан другому клиенту"));
        }
        if now >= c.expires_at {
            return Err(OAuthError::invalid_grant("Срок действия кода авторизации истёк"));
        }
        if p.redirect_uri.as_deref() != Some(c.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant("redirect_uri не совпадает с указанным при авторизации"));
        }
        let verifier =
            p.code_verifier.as_deref().ok_or_else(|| OAuthError::invalid_grant("Не указан code_verifier (PKCE)"))?;
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if !same(computed.as_bytes(), c.code_challenge.as_bytes()) {
            return Err(OAuthError::invalid_grant("code_verifier не соответствует code_challenge"));
        }
        let grant = Grant {
            client_id: client.id.clone(),
            oid: c.oid,
            scopes: c.scopes,
            auth_time: c.auth_time,
            amr: c.amr,
            session_hash: c.session_hash,
            code_hash: hash,
            family: opaque()?,
        };
        self.issue(&grant, c.nonce.as_deref()).await
    }

    async fn refresh(&self, client: &OidcClient, p: &TokenParams) -> Result<serde_json::Value, OAuthError> {
        let now = self.clock.now();
        let presented =
            p.refresh_token.as_deref().ok_or_else(|| OAuthError::invalid_request("Не указан refresh_token"))?;
        let hash = digest(presented);
        let invalid = || OAuthError::invalid_grant("Маркер обновления недействителен");
        let t = self.store.find_token(&hash).await?.ok_or_else(invalid)?;
        if t.kind != TokenKind::Refresh || t.client_id != client.id || t.revoked_at.is_some() || now >= t.expires_at {
            return Err(invalid());
        }
        if !self.store.update_token_used(&hash, now).await? {
            // A rotated token came back: someone holds a copy. End the whole grant.
            let n = self.store.revoke_family(&t.family, now).await?;
            tracing::warn!(client = %client.id, revoked = n, "refresh token reuse detected");
            return Err(OAuthError::invalid_grant("Маркер обновления уже использован; доступ отозван, войдите заново"));
        }
        let grant = Grant {
            client_id: t.client_id,
            oid: t.oid,
            scopes: t.scopes,
            auth_time: t.auth_time,
            amr: t.amr,
            session_hash: t.session_hash,
            code_hash: t.code_hash,
            family: t.family,
        };
        self.issue(&grant, None).await
    }

    async fn issue(&self, g: &Grant, nonce: Option<&str>) -> Result<serde_json::Value, OAuthError> {
        let now = self.clock.now();
        let account = self.store.get_account(g.oid).await?;
        let (access, refresh) = (opaque()?, opaque()?);
        let token = |hash: String, kind, ttl| Token {
            hash,
            kind,
            client_id: g.client_id.clone(),
            oid: g.oid,
            scopes: g.scopes.clone(),
            auth_time: g.auth_time,
            amr: g.amr.clone(),
            session_hash: g.session_hash.clone(),
            code_hash: g.code_hash.clone(),
            family: g.family.clone(),
            created_at: now,
            expires_at: now + ttl,
            used_at: None,
            revoked_at: None,
        };
        self.store
            .insert_tokens(&[
                token(digest(&access), TokenKind::Access, self.config.access_ttl),
                token(digest(&refresh), TokenKind::Refresh, self.config.refresh_ttl),
            ])
            .await?;
        let id_token = self.id_token(g, account.level, nonce, now);
        Ok(serde_json::json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.config.access_ttl.whole_seconds(),
            "refresh_token": refresh,
            "id_token": id_token,
            "scope": g.scopes.join(" "),
        }))
    }

    fn id_token(&self, g: &Grant, level: Level, nonce: Option<&str>, now: OffsetDateTime) -> String {
        let mut claims = serde_json::json!({
            "iss": self.issuer,
            "sub": g.oid.to_string(),
            "aud": g.client_id,
            "iat": now.unix_timestamp(),
            "exp": (now + self.config.id_token_ttl).unix_timestamp(),
            "auth_time": g.auth_time.unix_timestamp(),
            "acr": ACR_PASSWORD_AND_CODE,
            "amr": g.amr,
            "urn:esia:sbj": esia_subject(g.oid, level),
        });
        if let Some(n) = nonce {
            claims["nonce"] = serde_json::Value::String(n.to_owned());
        }
        self.key.sign(&claims)
    }
}

/// `acr` of a login by password and a one-time code.
pub const ACR_PASSWORD_AND_CODE: &str = "urn:sep:acr:pwd-otp";

/// ЕСИА's subject claim: type, oid, level, and `is_tru` only for confirmed accounts.
pub fn esia_subject(oid: Oid, level: Level) -> serde_json::Value {
    let mut sbj = serde_json::json!({
        "urn:esia:sbj:typ": "P",
        "urn:esia:sbj:oid": oid,
        "urn:esia:sbj:nam": format!("OID.{oid}"),
        "urn:esia:sbj:lvl": level.esia_lvl(),
    });
    if level == Level::Confirmed {
        sbj["urn:esia:sbj:is_tru"] = serde_json::Value::Bool(true);
    }
    sbj
}

/// What a token set is issued for.
struct Grant {
    client_id: String,
    oid: Oid,
    scopes: Vec<String>,
    auth_time: OffsetDateTime,
    amr: Vec<String>,
    session_hash: String,
    code_hash: String,
    family: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = format!("Basic {}", STANDARD.encode("sep%20portal:s%3Acret"));
        assert_eq!(parse_basic(&h), Some(("sep portal".into(), "s:cret".into())));
        assert_eq!(parse_basic("Bearer x"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }

    #[test]
    fn only_confirmed_accounts_are_trusted() {
        assert_eq!(esia_subject(1, Level::Confirmed)["urn:esia:sbj:is_tru"], true);
        assert_eq!(esia_subject(1, Level::Confirmed)["urn:esia:sbj:lvl"], "PR");
        assert!(esia_subject(1, Level::Simplified).get("urn:esia:sbj:is_tru").is_none());
        assert_eq!(esia_subject(1, Level::Standard)["urn:esia:sbj:lvl"], "P");
    }
}

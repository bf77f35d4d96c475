//! The relying party: discovery (cached), authorisation URL, code exchange, ID-token
//! verification, userinfo.

use super::{AuthFault, OidcSettings};
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpClientError, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope,
    TokenResponse,
};
use sep_core::identity::ProviderIdentity;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// Discovery documents are refetched after this long.
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// A login sent to the provider.
#[derive(Debug)]
pub struct Started {
    /// Where the browser goes.
    pub url: String,
    /// `state`.
    pub state: String,
    /// `nonce`.
    pub nonce: String,
    /// PKCE verifier.
    pub pkce_verifier: String,
}

/// A login the provider confirmed.
#[derive(Debug)]
pub struct Finished {
    /// The person.
    pub identity: ProviderIdentity,
    /// The raw ID token, for logout.
    pub id_token: String,
    /// Authentication methods (`amr`), e.g. `pwd sms mfa`.
    pub methods: String,
    /// How long before the token was issued the person authenticated (`iat` − `auth_time`),
    /// when the provider says: measured on the provider's clock, applied to the portal's.
    pub auth_age: Option<time::Duration>,
}

/// What a fresh login asks of the provider («Защита входа»): a login made now, with a
/// password and a second factor, at most this old.
pub const FRESH_ACR: &str = "urn:sep:acr:pwd-otp";

/// The portal's client of the configured provider.
pub struct RelyingParty {
    settings: OidcSettings,
    http: reqwest::Client,
    metadata: RwLock<Option<(Instant, ProviderMetadataWithLogout)>>,
    /// ЕСИА's token key, in ЕСИА mode.
    esia_key: super::esia::TokenKey,
}

fn request_fault(e: &reqwest::Error) -> AuthFault {
    if e.is_timeout() { AuthFault::Timeout } else { AuthFault::Unreachable }
}

impl RelyingParty {
    /// A client for `settings`. Redirects are never followed (the provider's endpoints are
    /// fixed by discovery), and every call has the configured timeout.
    pub fn new(settings: OidcSettings) -> Result<Self, AuthFault> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| AuthFault::Rejected(e.to_string()))?;
        Ok(Self { settings, http, metadata: RwLock::new(None), esia_key: RwLock::new(None) })
    }

    /// The provider's issuer URL.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    async fn metadata(&self) -> Result<ProviderMetadataWithLogout, AuthFault> {
        if let Some((at, m)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|_| AuthFault::NotConfigured)?;
        let m = ProviderMetadataWithLogout::discover_async(issuer, &self.http).await.map_err(|e| match &e {
            openidconnect::DiscoveryError::Request(HttpClientError::Reqwest(r)) => request_fault(r),
            openidconnect::DiscoveryError::Request(_) => AuthFault::Unreachable,
            _ => AuthFault::BadResponse,
        })?;
        *self.metadata.write().await = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    async fn client(
        &self,
    ) -> Result<
        (
            ProviderMetadataWithLogout,
            openidconnect::core::CoreClient<
                openidconnect::EndpointSet,
                openidconnect::EndpointNotSet,
                openidconnect::EndpointNotSet,
                openidconnect::EndpointNotSet,
                openidconnect::EndpointMaybeSet,
                openidconnect::EndpointMaybeSet,
            >,
        ),
        AuthFault,
    > {
        let m = self.metadata().await?;
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|_| AuthFault::NotConfigured)?;
        let client = CoreClient::from_provider_metadata(
            m.clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        Ok((m, client))
    }

    /// The authorisation URL with fresh `state`, `nonce` and PKCE challenge; `fresh`: asking
    /// for a new login with a second factor (`prompt=login`, `max_age`, `acr_values`).
    pub async fn begin(&self, fresh: bool) -> Result<Started, AuthFault> {
        if let Some(esia) = &self.settings.esia {
            // ЕСИА's protocol has no prompt or max_age: its login is what it is, and a stale
            // one comes back as such (the portal then says so instead of asking again).
            return super::esia::begin(&self.settings, esia);
        }
        let (_, client) = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req =
            client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for s in &self.settings.scopes {
            req = req.add_scope(Scope::new(s.clone()));
        }
        if fresh {
            let max_age = u64::try_from(sep_core::settings::FRESH_LOGIN.whole_seconds()).unwrap_or(900);
            req = req
                .add_prompt(openidconnect::core::CoreAuthPrompt::Login)
                .set_max_age(Duration::from_secs(max_age))
                .add_auth_context_value(openidconnect::AuthenticationContextClass::new(FRESH_ACR.to_owned()));
        }
        let (url, state, nonce) = req.set_pkce_challenge(challenge).url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code, verifies the ID token against `nonce`, reads userinfo.
    pub async fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<Finished, AuthFault> {
        if let Some(esia) = &self.settings.esia {
            return super::esia::finish(&self.http, &self.settings, esia, &self.esia_key, code).await;
        }
        let (meta, client) = self.client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| AuthFault::BadResponse)?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => AuthFault::Rejected(r.error().to_string()),
                RequestTokenError::Request(HttpClientError::Reqwest(r)) => request_fault(&r),
                RequestTokenError::Request(_) => AuthFault::Unreachable,
                RequestTokenError::Parse(..) | RequestTokenError::Other(_) => AuthFault::BadResponse,
            })?;
        let id_token = tokens.id_token().ok_or_else(|| AuthFault::TokenInvalid("no id_token".into()))?;
        let verifier = client.id_token_verifier().set_allowed_algs(vec![
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
        ]);
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce.to_owned()))
            .map_err(|e| AuthFault::TokenInvalid(e.to_string()))?;
        let subject = claims.subject().as_str().to_owned();
        let methods = claims
            .auth_method_refs()
            .map_or_else(String::new, |a| a.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(" "));
        let auth_age =
            claims.auth_time().map(|t| time::Duration::seconds((claims.issue_time() - t).num_seconds().max(0)));
        // The token is verified; its payload is read again as JSON for ЕСИА's own claims.
        let raw = id_token.to_string();
        let payload: serde_json::Value = raw
            .split('.')
            .nth(1)
            .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let userinfo = match meta.userinfo_endpoint() {
            Some(url) => {
                let res = self
                    .http
                    .get(url.url().as_str())
                    .bearer_auth(tokens.access_token().secret())
                    .send()
                    .await
                    .map_err(|e| request_fault(&e))?;
                if !res.status().is_success() {
                    return Err(if res.status().is_server_error() {
                        AuthFault::BadResponse
                    } else {
                        AuthFault::Rejected(format!("userinfo {}", res.status()))
                    });
                }
                let v: serde_json::Value = res.json().await.map_err(|_| AuthFault::BadResponse)?;
                if v.get("sub").and_then(serde_json::Value::as_str) != Some(subject.as_str()) {
                    return Err(AuthFault::TokenInvalid("userinfo subject differs from the ID token".into()));
                }
                v
            }
            None => serde_json::Value::Null,
        };
        Ok(Finished {
            identity: ProviderIdentity::from_claims(&subject, &payload, &userinfo),
            id_token: raw,
            methods,
            auth_age,
        })
    }

    /// Where to send the browser to log out at the provider too, if it supports it.
    pub async fn logout_url(&self, id_token: Option<&str>) -> Option<String> {
        if self.settings.esia.is_some() {
            return Some(super::esia::logout_url(&self.settings));
        }
        let m = self.metadata().await.ok()?;
        let end = m.additional_metadata().end_session_endpoint.as_ref()?;
        let mut url = end.url().clone();
        {
            let mut q = url.query_pairs_mut();
            if let Some(t) = id_token {
                q.append_pair("id_token_hint", t);
            }
            q.append_pair("client_id", &self.settings.client_id);
            q.append_pair("post_logout_redirect_uri", &self.settings.post_logout_url);
        }
        Some(url.to_string())
    }
}

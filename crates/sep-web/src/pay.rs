//! The payment provider over HTTP (the emulator `sep pay`, or a real provider speaking the same
//! API): `POST {url}/api/v1/payments` with an `Idempotence-Key`, `GET {url}/api/v1/payments/{id}`,
//! a bearer token; and what the portal needs to check its callbacks.

use sep_core::payment::pay::{PaymentProvider, ProviderError, ProviderPayment, ProviderRequest};
use std::sync::Arc;

/// The provider as the portal knows it.
#[derive(Clone)]
pub struct PayLink {
    /// The provider's API.
    pub provider: Arc<dyn PaymentProvider>,
    /// The secret its callbacks are signed with.
    pub callback_secret: Arc<[u8]>,
    /// Its pages' origin (`http://127.0.0.1:8082`): forms lead there.
    pub origin: String,
}

/// The provider's HTTP API.
pub struct HttpProvider {
    url: String,
    token: String,
    http: reqwest::Client,
}

impl HttpProvider {
    /// A provider at `url` called with `token`.
    pub fn new(url: &str, token: &str) -> Self {
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default();
        Self { url: url.trim_end_matches('/').to_owned(), token: token.to_owned(), http }
    }

    async fn read(res: Result<reqwest::Response, reqwest::Error>) -> Result<ProviderPayment, ProviderError> {
        let res = res.map_err(|e| ProviderError(e.to_string()))?;
        if !res.status().is_success() {
            return Err(ProviderError(format!("answered {}", res.status())));
        }
        res.json::<ProviderPayment>().await.map_err(|e| ProviderError(e.to_string()))
    }
}

#[async_trait::async_trait]
impl PaymentProvider for HttpProvider {
    async fn create(&self, key: &str, r: &ProviderRequest) -> Result<ProviderPayment, ProviderError> {
        let body = serde_json::json!({
            "amount": r.amount.0,
            "description": r.description,
            "reference": r.reference,
            "return_url": r.return_url,
            "callback_url": r.callback_url,
            "method": r.method.code(),
        });
        let sent = self
            .http
            .post(format!("{}/api/v1/payments", self.url))
            .bearer_auth(&self.token)
            .header("Idempotence-Key", key)
            .json(&body)
            .send()
            .await;
        Self::read(sent).await
    }

    async fn status(&self, provider_id: &str) -> Result<ProviderPayment, ProviderError> {
        let id: String = provider_id.chars().filter(char::is_ascii_alphanumeric).collect();
        let sent = self.http.get(format!("{}/api/v1/payments/{id}", self.url)).bearer_auth(&self.token).send().await;
        Self::read(sent).await
    }

    async fn cancel(&self, provider_id: &str) -> Result<ProviderPayment, ProviderError> {
        let id: String = provider_id.chars().filter(char::is_ascii_alphanumeric).collect();
        let sent =
            self.http.post(format!("{}/api/v1/payments/{id}/cancel", self.url)).bearer_auth(&self.token).send().await;
        Self::read(sent).await
    }

    async fn remove_card(&self, token: &str) -> Result<(), ProviderError> {
        let token: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let sent = self.http.delete(format!("{}/api/v1/cards/{token}", self.url)).bearer_auth(&self.token).send().await;
        match sent {
            Ok(r) if r.status().is_success() || r.status() == reqwest::StatusCode::NOT_FOUND => Ok(()),
            Ok(r) => Err(ProviderError(format!("card removal: {}", r.status()))),
            // The address holds the card's token: it stays out of the error (and the log).
            Err(e) => Err(ProviderError(format!("card removal: {}", e.without_url()))),
        }
    }

    async fn refund(
        &self,
        key: &str,
        provider_id: &str,
        amount: sep_core::money::Kopecks,
    ) -> Result<Result<String, String>, ProviderError> {
        let body = serde_json::json!({ "payment_id": provider_id, "amount": amount.0 });
        let sent = self
            .http
            .post(format!("{}/api/v1/refunds", self.url))
            .bearer_auth(&self.token)
            .header("Idempotence-Key", key)
            .json(&body)
            .send()
            .await
            .map_err(|e| ProviderError(e.to_string()))?;
        let status = sent.status();
        let answer: serde_json::Value = sent.json().await.unwrap_or_default();
        if status.is_success() {
            return Ok(Ok(answer["id"].as_str().unwrap_or_default().to_owned()));
        }
        // A refusal about this refund is final; anything else is asked again later.
        if status == reqwest::StatusCode::CONFLICT
            || status == reqwest::StatusCode::UNPROCESSABLE_ENTITY
            || status == reqwest::StatusCode::NOT_FOUND
        {
            let why = answer["detail"].as_str().unwrap_or("возврат отклонён").chars().take(200).collect();
            return Ok(Err(why));
        }
        Err(ProviderError(format!("refund: answered {status}")))
    }

    async fn capture(&self, provider_id: &str) -> Result<ProviderPayment, ProviderError> {
        let id: String = provider_id.chars().filter(char::is_ascii_alphanumeric).collect();
        let sent =
            self.http.post(format!("{}/api/v1/payments/{id}/capture", self.url)).bearer_auth(&self.token).send().await;
        Self::read(sent).await
    }
}

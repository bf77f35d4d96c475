//! The shop's API (the portal's side): create a payment under an `Idempotence-Key`, read it,
//! cancel or capture it, refund it, unlink a saved card — each with the shop's bearer token.

use super::*;

pub(crate) fn authorised(s: &PayState, headers: &HeaderMap) -> bool {
    let want = format!("Bearer {}", s.settings.api_token);
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| sep_core::ids::ct_eq(v.as_bytes(), want.as_bytes()))
}

pub(crate) fn problem(status: StatusCode, code: &str, detail: &str) -> Response {
    (status, Json(serde_json::json!({ "code": code, "detail": detail }))).into_response()
}

/// The `Idempotence-Key` of a write by the authorised shop, or the refusal.
pub(crate) fn keyed<'h>(s: &PayState, headers: &'h HeaderMap) -> Result<&'h str, Box<Response>> {
    if !authorised(s, headers) {
        return Err(Box::new(problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required")));
    }
    headers.get("idempotence-key").and_then(|v| v.to_str().ok()).filter(|k| !k.is_empty() && k.len() <= 255).ok_or_else(
        || Box::new(problem(StatusCode::BAD_REQUEST, "idempotence_key_required", "send an Idempotence-Key header")),
    )
}

/// `POST /api/v1/payments`.
pub(crate) async fn create(State(s): State<PayState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let key = match keyed(&s, &headers) {
        Ok(key) => key,
        Err(refused) => return *refused,
    };
    let Ok(new) = serde_json::from_slice::<NewPayment>(&body) else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "body_invalid", "the body is not a payment");
    };
    if new.amount <= 0
        || !new.return_url.starts_with("http")
        || !new.callback_url.starts_with("http")
        || !matches!(new.method.as_str(), "" | "card" | "sbp" | "wallet")
    {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "body_invalid", "amount and addresses are required");
    }
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
    let mut inner = s.lock();
    if let Some((seen, id)) = inner.keys.get(key).cloned() {
        if seen != hash {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotence_key_reused",
                "this key was used with another body",
            );
        }
        if let Some(p) = inner.payments.get_mut(&id) {
            return (StatusCode::CREATED, Json(current(p, OffsetDateTime::now_utc()))).into_response();
        }
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let api = ApiPayment {
        id: id.clone(),
        status: "created".into(),
        amount: new.amount,
        reference: new.reference.clone(),
        confirmation_url: format!("{}/pay/{id}", s.settings.public_url.trim_end_matches('/')),
        rrn: None,
        auth_code: None,
        failure_code: None,
        failure_text: None,
        card: None,
        method: if new.method.is_empty() { "card".into() } else { new.method.clone() },
        card_token: None,
        card_expiry: None,
    };
    inner.keys.insert(key.to_owned(), (hash, id.clone()));
    inner
        .payments
        .insert(id, Stored { api: api.clone(), new, created_at: OffsetDateTime::now_utc(), code: None, refunded: 0 });
    (StatusCode::CREATED, Json(api)).into_response()
}

/// `GET /api/v1/payments/{id}`.
pub(crate) async fn status(State(s): State<PayState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    match s.lock().payments.get_mut(&id) {
        Some(p) => Json(current(p, OffsetDateTime::now_utc())).into_response(),
        None => problem(StatusCode::NOT_FOUND, "not_found", "no such payment"),
    }
}

/// `POST /api/v1/payments/{id}/cancel`: the shop cancels a payment the payer has not paid yet.
pub(crate) async fn cancel(State(s): State<PayState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else {
        return problem(StatusCode::NOT_FOUND, "not_found", "no such payment");
    };
    // Not paid yet, or held and not captured (the hold is released).
    if !matches!(current(p, OffsetDateTime::now_utc()).status.as_str(), "created" | WAITING) {
        return problem(StatusCode::CONFLICT, "not_cancellable", "only a payment not yet paid can be cancelled");
    }
    finish(&s, p, "failed", Some(("P0040", "Платёж отменён")));
    Json(p.api.clone()).into_response()
}

/// `POST /api/v1/refunds`: returns money of a succeeded payment to its card (or account), at
/// most what was paid; the same key with the same body answers with the first refund.
pub(crate) async fn refund(State(s): State<PayState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let key = match keyed(&s, &headers) {
        Ok(key) => key,
        Err(refused) => return *refused,
    };
    let Ok(new) = serde_json::from_slice::<NewRefund>(&body) else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "body_invalid", "the body is not a refund");
    };
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
    let mut inner = s.lock();
    if let Some((seen, r)) = inner.refunds.get(key) {
        if *seen != hash {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotence_key_reused",
                "this key was used with another body",
            );
        }
        return (StatusCode::CREATED, Json(r.clone())).into_response();
    }
    let Some(p) = inner.payments.get_mut(&new.payment_id) else {
        return problem(StatusCode::NOT_FOUND, "not_found", "no such payment");
    };
    if current(p, OffsetDateTime::now_utc()).status != "succeeded" {
        return problem(StatusCode::CONFLICT, "not_refundable", "платёж не завершён успешно — возвращать нечего");
    }
    if new.amount <= 0 || p.refunded + new.amount > p.api.amount {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "amount_too_large", "сумма возврата больше оплаченной");
    }
    p.refunded += new.amount;
    let r = ApiRefund {
        id: uuid::Uuid::new_v4().simple().to_string(),
        payment_id: new.payment_id,
        amount: new.amount,
        status: "succeeded".into(),
    };
    inner.refunds.insert(key.to_owned(), (hash, r.clone()));
    (StatusCode::CREATED, Json(r)).into_response()
}

/// `DELETE /api/v1/cards/{token}`: the payer unlinks a saved card; an unknown token is 404.
pub(crate) async fn remove_card(State(s): State<PayState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    match s.lock().cards.remove(&token) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => problem(StatusCode::NOT_FOUND, "not_found", "no such card"),
    }
}

/// Whether a saved card is known (for tests: unlinked cards are gone here too).
impl PayState {
    /// Whether the card `token` is still saved.
    pub fn has_card(&self, token: &str) -> bool {
        self.lock().cards.contains_key(token)
    }
}

/// `POST /api/v1/payments/{id}/capture`: the shop takes the held money (after its own
/// confirmation of the payer). A captured payment answers as it is; any other is a conflict.
pub(crate) async fn capture(State(s): State<PayState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&s, &headers) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorised", "a bearer token is required");
    }
    let mut inner = s.lock();
    let Some(p) = inner.payments.get_mut(&id) else {
        return problem(StatusCode::NOT_FOUND, "not_found", "no such payment");
    };
    match current(p, OffsetDateTime::now_utc()).status.as_str() {
        WAITING => {
            finish(&s, p, "succeeded", None);
            Json(p.api.clone()).into_response()
        }
        "succeeded" => Json(p.api.clone()).into_response(),
        _ => problem(StatusCode::CONFLICT, "not_capturable", "only a held payment can be captured"),
    }
}

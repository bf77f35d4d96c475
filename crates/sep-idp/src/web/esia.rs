//! ЕСИА's endpoints (`/aas/oauth2/…`): translation only; the rules are in `oidc::esia`.

use super::oidc::MessagePage;
use super::{IdpState, render};
use crate::oidc::esia::{EsiaFailure, EsiaParams};
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sep_core::esia::Endpoint;
use sep_http::Problem;

fn authorize_failure(f: &EsiaFailure) -> Response {
    if f.internal {
        return Problem::internal().into_response();
    }
    match f.location() {
        Some(location) => Redirect::to(&location).into_response(),
        None => {
            let text = f.description();
            let page = MessagePage { title: "Вход не выполнен", text: &text, code: Some(f.error.code()) };
            (StatusCode::BAD_REQUEST, render(&page)).into_response()
        }
    }
}

async fn authorize(s: &IdpState, endpoint: Endpoint, p: &EsiaParams) -> Response {
    match s.oidc.esia_authorize(endpoint, p).await {
        Ok(handle) => Redirect::to(&format!("/authorize/continue?request={handle}")).into_response(),
        Err(f) => authorize_failure(&f),
    }
}

/// `GET /aas/oauth2/v2/ac`.
pub(crate) async fn ac_v2(State(s): State<IdpState>, Query(p): Query<EsiaParams>) -> Response {
    authorize(&s, Endpoint::AuthorizeV2, &p).await
}

/// `GET /aas/oauth2/ac` (legacy, CMS `client_secret`).
pub(crate) async fn ac_legacy(State(s): State<IdpState>, Query(p): Query<EsiaParams>) -> Response {
    authorize(&s, Endpoint::AuthorizeLegacy, &p).await
}

async fn token(s: &IdpState, endpoint: Endpoint, p: &EsiaParams) -> Response {
    let mut res = match s.oidc.esia_token(endpoint, p).await {
        Ok(body) => Json(body).into_response(),
        Err(f) if f.internal => Problem::internal().into_response(),
        Err(f) => {
            let mut body = serde_json::json!({ "error": f.error.oauth(), "error_description": f.description() });
            if let Some(state) = &p.state {
                body["state"] = serde_json::Value::String(state.clone());
            }
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `POST /aas/oauth2/v3/te`.
pub(crate) async fn te_v3(State(s): State<IdpState>, Form(p): Form<EsiaParams>) -> Response {
    token(&s, Endpoint::TokenV3, &p).await
}

/// `POST /aas/oauth2/te` (legacy, CMS `client_secret`).
pub(crate) async fn te_legacy(State(s): State<IdpState>, Form(p): Form<EsiaParams>) -> Response {
    token(&s, Endpoint::TokenLegacy, &p).await
}

/// `GET /aas/oauth2/cert`: the certificates the emulator signs ЕСИА tokens with (PEM, ГОСТ then
/// RSA). Real ЕСИА hands its certificates to integrators with the test stand's documents;
/// here they are a link away.
pub(crate) async fn certificate(State(s): State<IdpState>) -> Response {
    match s.oidc.esia_certificates().await {
        Ok(all) => match all.iter().map(|der| sep_crypto::cert::to_pem(der)).collect::<Option<String>>() {
            Some(pem) => ([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response(),
            None => Problem::internal().into_response(),
        },
        Err(e) => {
            tracing::error!(error = %e, "esia keys failed");
            Problem::internal().into_response()
        }
    }
}

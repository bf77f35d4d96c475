//! `/api/v1/passports/verify`: the online check of an e-passport's code for a bank or an
//! employer (scope `passports:verify`) — the same check as `/passport/verify` and
//! `sep passport verify`, with the lists as published now. The holder sees the check among
//! the views of their e-passport.

use crate::AppState;
use crate::api::write::JsonBody;
use crate::api::{calling, rfc3339};
use crate::error::{Page, WebError};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use sep_core::integration::Scope;
use sep_core::passport::publish::CheckError;
use sep_core::passport::verify::Verdict;
use serde::{Deserialize, Serialize};

/// What is checked.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyRequest {
    /// The code's text, `SEP1:…`, as a scanner reads it.
    code: String,
}

/// The verdict and what the code says.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct VerifyResult {
    /// `valid` or `annulled`.
    result: &'static str,
    /// The e-passport's number.
    number: String,
    /// Surname.
    last_name: String,
    /// First name and patronymic.
    given_names: String,
    /// Date of birth.
    #[schema(format = Date)]
    birth_date: String,
    /// Citizenship, ISO 3166-1 alpha-3.
    citizenship: String,
    /// Who issued the e-passport (`RU-MVD`).
    issuer: String,
    /// Issued.
    #[schema(format = DateTime)]
    issued_at: String,
    /// Valid until.
    #[schema(format = DateTime)]
    expires_at: String,
    /// The signature's algorithm (`ES256` or `GOST3410_2012_256`), for a valid code.
    algorithm: Option<&'static str>,
    /// The annulment list checked against, by the time it was made.
    #[schema(format = DateTime)]
    annulments_of: String,
}

/// `POST /api/v1/passports/verify` (scope `passports:verify`).
#[utoipa::path(
    post,
    path = "/api/v1/passports/verify",
    tag = "passports",
    summary = "Check an e-passport's QR code",
    request_body(content = VerifyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The code is genuine: valid or annulled", body = VerifyResult),
        (status = 400, description = "Not JSON", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one unknown, revoked or expired", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `passports:verify`", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "This portal issues no e-passports", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the limit", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid code (passport_code_*), or a body of the wrong shape", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "Too many calls of this client in a minute", body = crate::api::ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("token" = ["passports:verify"]))
)]
pub(crate) async fn verify(State(s): State<AppState>, headers: HeaderMap, body: JsonBody<VerifyRequest>) -> Page {
    let (user, owner) = calling(&s, &headers, Scope::PassportsVerify).await?;
    let request = body.value?;
    let publisher = s.passports.as_deref().ok_or_else(WebError::not_found)?;
    let now = s.clock.now();
    let verdict = match publisher.check(s.store.as_ref(), &request.code, now).await {
        Ok(v) => v,
        Err(CheckError::Code(e)) => {
            let problem = sep_http::Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                e.code(),
                "Код недействителен",
                &e.to_string(),
                "Попросите предъявителя открыть код заново и отсканируйте его ещё раз.",
            );
            return Err(problem.into());
        }
        Err(CheckError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(WebError::internal(e)),
    };
    let (claims, result, algorithm, annulments_of) = match &verdict {
        Verdict::Valid { claims, algorithm, annulments_of } => (claims, "valid", Some(algorithm.name()), annulments_of),
        Verdict::Annulled { claims, annulments_of } => (claims, "annulled", None, annulments_of),
    };
    sep_core::passport::officer::journal_check(s.store.as_ref(), &user, &owner, claims.record_id, now).await?;
    Ok(Json(VerifyResult {
        result,
        number: claims.number.clone(),
        last_name: claims.last_name.clone(),
        given_names: claims.given_names.clone(),
        birth_date: sep_core::passport::iso_date(claims.birth_date),
        citizenship: claims.citizenship.clone(),
        issuer: claims.issuer.clone(),
        issued_at: rfc3339(claims.issued),
        expires_at: rfc3339(claims.expires),
        algorithm,
        annulments_of: rfc3339(*annulments_of),
    })
    .into_response())
}

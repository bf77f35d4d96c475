//! Signing a document of «Мои документы» with the cloud key: «Подписать» sends an SMS code
//! bound to the document's hash and shows the name and the hash; the code releases one
//! signature. The `.sig` of each signature downloads here too.

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfForm, Ctx, SignedIn};
use crate::ui::components::{percent_encoded, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use sep_core::signing::{SignRequest, SigningError, cloud};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "signing/sign.html")]
struct SignPage {
    csrf: String,
    id: String,
    file_name: String,
    hash: String,
    phone: String,
    /// The refusal of the last code typed: code and text.
    error: Option<(&'static str, String)>,
}

fn sign_page(r: &SignRequest, csrf: String, phone: String, error: Option<&SigningError>) -> Page {
    render(&SignPage {
        csrf,
        id: r.id.to_string(),
        file_name: r.file_name.clone(),
        hash: r.hash.clone(),
        phone,
        error: error.map(|e| (e.code(), e.to_string())),
    })
}

/// `POST /documents/sign` (`sign` = the document's key; the archive's form): a code by SMS
/// for that document's hash, then the page to type it.
pub(crate) async fn start(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Page {
    let key = form.iter().find(|(k, _)| k == "sign").map_or("", |(_, v)| v.as_str());
    let authority = super::authority(&s)?;
    let target =
        cloud::document_target(s.store.as_ref(), &s.catalogue, s.files.as_ref(), authority, &user, key).await?;
    let r = cloud::start(s.store.as_ref(), &user, target, &ctx.origin(), s.clock.now()).await?;
    Ok(Redirect::to(&format!("/documents/sign/{}", r.id)).into_response())
}

/// `GET /documents/sign/{id}`: what is being signed and the code field.
pub(crate) async fn page(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    Path(id): Path<Uuid>,
) -> Page {
    let r = cloud::request(s.store.as_ref(), &user, id).await?;
    if r.signature_id.is_some() {
        return Ok(Redirect::to(&done(&r.document)).into_response());
    }
    sign_page(&r, session.csrf_secret, crate::ui::components::signatures::masked_phone(&user), None)
}

/// Where a finished signing goes: an application's statement back to its check page, a
/// document to «Мои документы».
pub(super) fn done(document: &str) -> String {
    match document.strip_prefix("s:") {
        Some(app) => format!("/applications/{app}/check"),
        None => format!("/documents?signed={}", percent_encoded(document)),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /documents/sign/{id}`: the code; a right one signs and goes back to the list.
pub(crate) async fn confirm(
    State(s): State<AppState>,
    SignedIn { session, user }: SignedIn,
    ctx: Ctx,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Page {
    let authority = super::authority(&s)?;
    match cloud::confirm(s.store.as_ref(), authority, &user, id, &form.code, &ctx.origin(), s.clock.now()).await {
        Ok(sig) => Ok(Redirect::to(&done(&sig.document)).into_response()),
        Err(e @ (SigningError::CodeWrong { .. } | SigningError::CodeVoid)) => {
            let r = cloud::request(s.store.as_ref(), &user, id).await?;
            let mut page =
                sign_page(&r, session.csrf_secret, crate::ui::components::signatures::masked_phone(&user), Some(&e))?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /documents/signatures/{id}`: the `.sig` of a signature of the person's document.
pub(crate) async fn file(State(s): State<AppState>, SignedIn { user, .. }: SignedIn, Path(id): Path<Uuid>) -> Page {
    let (sig, der) = cloud::signature_file(s.store.as_ref(), &user, id).await?;
    // `Паспорт.pdf.sig`, as signatures travel beside their documents.
    let name = match cloud::document(s.store.as_ref(), &s.catalogue, &user, &sig.document).await {
        Ok(entry) => format!("{}.sig", entry.file.file_name),
        Err(_) => "signature.sig".to_owned(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/pkcs7-signature".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"signature.sig\"; filename*=UTF-8''{}", percent_encoded(&name)),
            ),
        ],
        der,
    )
        .into_response())
}

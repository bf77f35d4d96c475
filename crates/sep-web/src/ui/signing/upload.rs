//! `POST /documents/signatures`: a signature made in another program (openssl, CryptoPro)
//! added to a document of «Мои документы», with the signer's certificate if given. It is
//! checked like at `/verify` and kept only when valid; a refusal says why, by code.

use crate::AppState;
use crate::error::Page;
use crate::extract::{CsrfMultipart, Ctx, SignedIn};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use sep_core::signing::uploaded::{Upload, add};
use sep_http::Problem;

/// `POST /documents/signatures` (`d`: the document; files `signature`, optional `certificate`).
pub(crate) async fn add_signature(
    State(s): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    ctx: Ctx,
    CsrfMultipart(form): CsrfMultipart,
) -> Page {
    let Some((_, signature)) = form.file("signature") else {
        return Err(Problem::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "verify_files_missing",
            "Файл подписи не выбран",
            "Для добавления подписи не выбран файл подписи (.sig).",
            "Выберите файл подписи к документу и нажмите «Добавить подпись».",
        )
        .retry("/documents", "К документам")
        .into());
    };
    let upload =
        Upload { document: form.text("d"), signature, certificate: form.file("certificate").map(|(_, bytes)| bytes) };
    let result = add(
        s.store.as_ref(),
        &s.catalogue,
        s.files.as_ref(),
        s.signatures.as_ref(),
        &user,
        &upload,
        &ctx.origin(),
        s.clock.now(),
    )
    .await;
    match result {
        Ok(sig) => Ok(Redirect::to(&super::sign::done(&sig.document)).into_response()),
        Err(e) => {
            let web: crate::error::WebError = e.into();
            Err(match web {
                crate::error::WebError::Problem(p) => (*p).retry("/documents", "К документам").into(),
                other => other,
            })
        }
    }
}

//! Signatures made elsewhere (SPEC E2): a detached `.sig` made with openssl or CryptoPro for a
//! document of «Мои документы», with the signer's certificate if the person has it as a file.
//! The signature is checked as at `/verify` — the trusted authorities, validity, revocation,
//! the hash — and kept only when it holds; a refusal names its reason by code.

use super::{Signature, SigningError, Source};
use crate::application::attachment::FileStore;
use crate::audit::Origin;
use crate::catalogue::Catalogue;
use crate::signature::SignatureChecker;
use crate::store::{Effects, Store};
use crate::user::User;
use time::OffsetDateTime;
use uuid::Uuid;

/// What was uploaded.
pub struct Upload<'a> {
    /// The document (archive key).
    pub document: &'a str,
    /// The signature file (DER or PEM CMS).
    pub signature: &'a [u8],
    /// The signer's certificate file (PEM or DER), if given.
    pub certificate: Option<&'a [u8]>,
}

/// Checks `upload` against the document and keeps it with the document when valid.
#[allow(clippy::too_many_arguments, reason = "the use case takes each port it needs by name, as the others do")]
pub async fn add(
    store: &dyn Store,
    catalogue: &Catalogue,
    files: &dyn FileStore,
    checker: &dyn SignatureChecker,
    user: &User,
    upload: &Upload<'_>,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Signature, SigningError> {
    let entry = super::cloud::document(store, catalogue, user, upload.document).await?;
    let bytes = files.get(&entry.file.sha256).await.map_err(|e| SigningError::FileStore(e.to_string()))?;
    let verdict = checker.check(&bytes, upload.signature, now);
    if let Some(cert) = upload.certificate {
        let same = checker.signed_with(upload.signature, cert).ok_or(SigningError::CertificateMalformed)?;
        if verdict.signer.is_some() && !same {
            return Err(SigningError::CertificateOther);
        }
    }
    if let Err(refusal) = verdict.outcome {
        return Err(SigningError::Refused(refusal));
    }
    let signer = verdict.signer.clone().ok_or(SigningError::Refused(crate::signature::Refusal::Malformed))?;
    let s = Signature {
        id: Uuid::now_v7(),
        user_id: user.id,
        document: upload.document.to_owned(),
        sha256: entry.file.sha256.clone(),
        hash: verdict.document_hash.clone(),
        source: Source::Uploaded,
        signed_at: verdict.signed_at.unwrap_or(now),
        signer,
        credential_id: None,
        verdict: verdict.code().to_owned(),
        created_at: now,
    };
    let mut e = origin.event(now, "document.signature_added", Some(user.id));
    e.object = Some(format!("document:{}", upload.document));
    e.details = serde_json::json!({ "hash": s.hash, "certificate": s.signer.serial });
    store.insert_signature(&s, upload.signature, &Effects::audit(e)).await?;
    Ok(s)
}

//! The application as the applicant signs it (SPEC A2, E2), when its service says
//! `signature = "required"`: its data as canonical JSON (keys sorted, no spaces) with the
//! list of its attachments and their SHA-256 hashes. A change to a field or a file makes
//! another statement, so an earlier signature no longer counts and the application asks to be
//! signed again; the officer checks the signature against the statement as it is now.

use super::record::{Application, Attachment};
use crate::signing::{Signature, Standing};
use crate::store::Store;
use std::collections::BTreeMap;

/// The statement's bytes: what is signed.
pub fn statement(app: &Application, attachments: &[Attachment]) -> Vec<u8> {
    let files: Vec<BTreeMap<&str, &str>> = attachments
        .iter()
        .map(|a| {
            BTreeMap::from([
                ("document", a.document.as_str()),
                ("file_name", a.file_name.as_str()),
                ("sha256", a.sha256.as_str()),
            ])
        })
        .collect();
    let value = serde_json::json!({
        "application": app.id.to_string(),
        "service": app.service,
        "applicant_type": match app.applicant_type {
            crate::catalogue::ApplicantType::Person => "person",
            crate::catalogue::ApplicantType::Ip => "ip",
            crate::catalogue::ApplicantType::Org => "org",
        },
        "data": app.data,
        "attachments": files,
    });
    // serde_json's maps are sorted (no `preserve_order`), and `to_vec` writes no spaces.
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The statement's key among a person's signed documents.
pub fn key(app: &Application) -> String {
    format!("s:{}", app.id)
}

/// The name the statement has when signed or downloaded.
pub fn file_name(app: &Application) -> String {
    let id = app.id.to_string();
    format!("zayavlenie-{}.json", app.number.clone().unwrap_or_else(|| id.chars().rev().take(8).collect()))
}

/// The applicant's valid signature of the statement as it is now, if there is one.
pub async fn current_signature(
    store: &dyn Store,
    app: &Application,
    now: time::OffsetDateTime,
) -> Result<Option<(Signature, Standing)>, crate::StoreError> {
    let attachments = store.list_attachments(app.id).await?;
    let sha256 = super::attachment::content_key(&statement(app, &attachments));
    let mut all = crate::signing::of_documents(store, app.user_id, now).await?;
    Ok(all
        .remove(&key(app))
        .unwrap_or_default()
        .into_iter()
        .rev()
        .find(|(s, standing)| s.sha256 == sha256 && *standing == Standing::Valid))
}

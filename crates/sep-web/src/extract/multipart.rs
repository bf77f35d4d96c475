//! Reading a multipart form with text fields and files (what is kept of a file is decided by
//! the core: `sep_core::application::documents`, `sep_core::mail::letters`).

use crate::Problem;
use crate::error::WebError;
use axum::extract::Multipart;
use axum::http::StatusCode;
use std::collections::HashMap;

/// The text fields of a form and its files, by field name.
pub(crate) struct Parts {
    pub(crate) texts: HashMap<String, String>,
    /// Field name, file name, content — in the form's order (a field may hold several).
    pub(crate) files: Vec<(String, String, Vec<u8>)>,
}

impl Parts {
    /// A text field, empty when absent.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.texts.get(name).map_or("", String::as_str)
    }

    /// The file chosen in field `name` (its name and content), if one was.
    pub(crate) fn file(&self, name: &str) -> Option<(&str, &[u8])> {
        self.files.iter().find(|(field, _, _)| field == name).map(|(_, n, b)| (n.as_str(), b.as_slice()))
    }

    /// Every file chosen in field `name` (`<input type="file" multiple>`), in order.
    pub(crate) fn files_of(&self, name: &str) -> Vec<(String, Vec<u8>)> {
        self.files.iter().filter(|(field, _, _)| field == name).map(|(_, n, b)| (n.clone(), b.clone())).collect()
    }
}

/// Reads the whole form; a body over the limit or a broken one becomes its error page. A
/// field with a file name (or named `file`) is a file; a file input left empty sends an empty
/// part, skipped.
pub(crate) async fn read(mut form: Multipart) -> Result<Parts, WebError> {
    let mut parts = Parts { texts: HashMap::new(), files: Vec::new() };
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let file_name = field.file_name().map(str::to_owned);
                if file_name.is_some() || name == "file" {
                    let file_name = file_name.unwrap_or_default();
                    match field.bytes().await {
                        Ok(b) if b.is_empty() && file_name.is_empty() => {}
                        Ok(b) => {
                            parts.files.push((name, file_name, b.to_vec()));
                        }
                        Err(e) => return Err(refused(&e)),
                    }
                } else if !name.is_empty() {
                    parts.texts.insert(name, field.text().await.unwrap_or_default());
                }
            }
            Ok(None) => return Ok(parts),
            Err(e) => return Err(refused(&e)),
        }
    }
}

/// A body over the limit is "too large" — whichever layer's limit it was (the stack's own
/// limit, met while streaming, reaches here wrapped in other errors) — and anything else
/// broken is "unreadable".
fn refused(e: &axum::extract::multipart::MultipartError) -> WebError {
    match sep_http::body_error_status(e, e.status()) {
        StatusCode::PAYLOAD_TOO_LARGE => Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE).into(),
        StatusCode::REQUEST_TIMEOUT => Problem::for_status(StatusCode::REQUEST_TIMEOUT).into(),
        _ => super::form_unreadable_problem().into(),
    }
}

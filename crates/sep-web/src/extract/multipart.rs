//! Reading a multipart form with text fields and one file (what is kept of the file is
//! decided by `sep_core::application::documents`).

use crate::Problem;
use crate::error::WebError;
use axum::extract::Multipart;
use axum::http::StatusCode;
use std::collections::HashMap;

/// The text fields of a form and its files, by field name.
pub(crate) struct Parts {
    pub(crate) texts: HashMap<String, String>,
    pub(crate) files: HashMap<String, (String, Vec<u8>)>,
}

impl Parts {
    /// A text field, empty when absent.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.texts.get(name).map_or("", String::as_str)
    }

    /// The file chosen in field `name` (its name and content), if one was.
    pub(crate) fn file(&self, name: &str) -> Option<(&str, &[u8])> {
        self.files.get(name).map(|(n, b)| (n.as_str(), b.as_slice()))
    }
}

/// Reads the whole form; a body over the limit or a broken one becomes its error page. A
/// field with a file name (or named `file`) is a file; a file input left empty sends an empty
/// part, skipped.
pub(crate) async fn read(mut form: Multipart) -> Result<Parts, WebError> {
    let mut parts = Parts { texts: HashMap::new(), files: HashMap::new() };
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
                            parts.files.insert(name, (file_name, b.to_vec()));
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

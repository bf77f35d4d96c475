//! Reading a multipart form with one file, and keeping an accepted file (SECURITY.md T8): the
//! format is recognised by content, the size limited, the name cleaned, and the content put
//! in the file store before any row points to it.

use crate::error::WebError;
use crate::{AppState, Problem};
use axum::extract::Multipart;
use axum::http::StatusCode;
use sep_core::application::attachment::{UploadError, check, clean_name, content_key, mime};
use sep_core::application::record::StoredFile;
use sep_core::catalogue::Format;
use std::collections::HashMap;

/// The text fields of a form and its file (`file`), if one was chosen.
pub(crate) struct Parts {
    pub(crate) texts: HashMap<String, String>,
    pub(crate) file: Option<(String, Vec<u8>)>,
}

impl Parts {
    /// A text field, empty when absent.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.texts.get(name).map_or("", String::as_str)
    }
}

/// Reads the whole form; a body over the limit or a broken one becomes its error page.
pub(crate) async fn read(mut form: Multipart) -> Result<Parts, WebError> {
    let mut parts = Parts { texts: HashMap::new(), file: None };
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                if name == "file" {
                    let file_name = field.file_name().unwrap_or("").to_owned();
                    match field.bytes().await {
                        // A form without a chosen file still sends an empty part.
                        Ok(b) if b.is_empty() && file_name.is_empty() => {}
                        Ok(b) => parts.file = Some((file_name, b.to_vec())),
                        Err(_) => {
                            return Err(Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE).into());
                        }
                    }
                } else if !name.is_empty() {
                    parts.texts.insert(name, field.text().await.unwrap_or_default());
                }
            }
            Ok(None) => return Ok(parts),
            Err(_) => return Err(crate::extract::form_unreadable_problem().into()),
        }
    }
}

/// Why a file was not kept.
pub(crate) enum Refusal {
    /// The file itself: format, size, emptiness.
    File(UploadError),
    /// The file store failed.
    Store(WebError),
}

/// Checks a file against `formats` and `max_mb` and puts it in the file store.
pub(crate) async fn keep(
    s: &AppState,
    name: &str,
    bytes: &[u8],
    formats: &[Format],
    max_mb: u32,
) -> Result<StoredFile, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::File(UploadError::Empty));
    }
    let format = check(bytes, formats, max_mb).map_err(Refusal::File)?;
    let key = content_key(bytes);
    if let Err(e) = s.files.put(&key, bytes).await {
        let unavailable = Problem::for_status(StatusCode::SERVICE_UNAVAILABLE).caused_by(format!("file store: {e}"));
        return Err(Refusal::Store(unavailable.into()));
    }
    Ok(StoredFile {
        file_name: clean_name(name),
        content_type: mime(format).to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: key,
    })
}

/// The HTTP status of a refused file.
fn status_of(e: &UploadError) -> StatusCode {
    if matches!(e, UploadError::TooLarge { .. }) {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The page of a refused file, with the way back to `back`.
pub(crate) fn refused(e: &UploadError, back: &str) -> Problem {
    let title =
        if matches!(e, UploadError::Empty) { "Файл не выбран" } else { "Файл не принят" };
    Problem::new(status_of(e), e.code(), title, &e.to_string(), "Вернитесь к заявлению и выберите другой файл.")
        .retry(back, "К заявлению")
}

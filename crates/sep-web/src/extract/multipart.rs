//! Reading a multipart form with text fields and one file (what is kept of the file is
//! decided by `sep_core::application::documents`).

use crate::Problem;
use crate::error::WebError;
use axum::extract::Multipart;
use axum::http::StatusCode;
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
            Err(_) => return Err(super::form_unreadable_problem().into()),
        }
    }
}

//! The thread of an application (SPEC A2, «Связаться с оператором») as the applicant and the
//! officer see it.

use sep_core::application::access::Viewer;
use sep_core::application::record::Message;

/// One message as shown.
pub(crate) struct MessageView {
    pub(crate) time: String,
    pub(crate) author: &'static str,
    pub(crate) text: String,
    /// Link, name, size.
    pub(crate) file: Option<(String, String, String)>,
}

/// The thread as `viewer` sees it, oldest first.
pub(crate) fn views(messages: &[Message], viewer: Viewer) -> Vec<MessageView> {
    messages
        .iter()
        .map(|m| MessageView {
            time: super::moscow(m.at),
            author: match (m.author.as_str(), viewer) {
                ("applicant", Viewer::Applicant) | ("officer", Viewer::Officer) => crate::i18n::tr("Вы"),
                ("applicant", Viewer::Officer) => crate::i18n::tr("Заявитель"),
                _ => crate::i18n::tr("Сотрудник ведомства"),
            },
            text: m.text.clone(),
            file: m.file.as_ref().map(|f| {
                let href = format!("/applications/{}/messages/{}/file", m.application_id, m.id);
                (href, f.file_name.clone(), super::file_size(f.size))
            }),
        })
        .collect()
}

//! What the applicant's pages of an application show besides their own content: findings
//! in the page's language, the documents the service asks for, the contacts to confirm.

use crate::i18n::{tr, tr_dyn};
use crate::ui::components::file_size;
use sep_core::application::contacts::{Channel, ContactState};
use sep_core::application::record::Attachment;
use sep_core::application::submit::Finding;
use sep_core::catalogue::{ApplicantType, Service};

/// A finding as a page shows it: `(anchor, message, code)`.
pub(crate) type FindingView = (String, String, &'static str);

/// Findings in the page's language.
pub(crate) fn findings(found: &[Finding]) -> Vec<FindingView> {
    found
        .iter()
        .map(|f| {
            let message = match &f.label {
                Some(label) => format!("{}: {}", tr_dyn(label), tr_dyn(&f.message)),
                None => tr_dyn(&f.message),
            };
            (f.anchor.clone(), message, f.code)
        })
        .collect()
}

/// A required document with what was uploaded for it.
pub(crate) struct DocView {
    pub(crate) code: String,
    pub(crate) title: String,
    pub(crate) rules: String,
    /// Link, name, size.
    pub(crate) files: Vec<(String, String, String)>,
}

/// The documents `service` asks of `t`, with the files attached for each.
pub(crate) fn documents(service: &Service, t: ApplicantType, attached: &[Attachment]) -> Vec<DocView> {
    service
        .documents
        .iter()
        .filter(|d| d.applicants.contains(&t))
        .map(|d| {
            let formats: Vec<&str> = d.formats.iter().map(|f| f.label()).collect();
            DocView {
                code: d.code.clone(),
                title: tr_dyn(&d.title),
                rules: format!("{}, {}", formats.join(", "), tr_dyn(&format!("до {} МБ", d.max_mb))),
                files: attached
                    .iter()
                    .filter(|a| a.document == d.code)
                    .map(|a| {
                        let href = format!("/applications/{}/attachments/{}", a.application_id, a.id);
                        (href, a.file_name.clone(), file_size(a.size))
                    })
                    .collect(),
            }
        })
        .collect()
}

/// One contact row on the form.
pub(crate) struct ContactView {
    pub(crate) channel: &'static str,
    pub(crate) label: &'static str,
    pub(crate) value: String,
    pub(crate) confirmed: bool,
    pub(crate) from_profile: bool,
}

/// The typed contacts and whether each still needs confirming.
pub(crate) fn contacts(states: Vec<ContactState>) -> Vec<ContactView> {
    states
        .into_iter()
        .map(|c| ContactView {
            channel: c.channel.code(),
            label: tr(if c.channel == Channel::Sms { "Телефон" } else { "Электронная почта" }),
            value: c.value,
            confirmed: c.confirmed,
            from_profile: c.from_profile,
        })
        .collect()
}

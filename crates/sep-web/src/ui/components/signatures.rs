//! A signature's card (SPEC E2): owner, certificate serial and issuer, validity, signing time
//! and how it stands — on «Мои документы» and on the certificate page.

use super::moscow;
use crate::i18n::{tr, tr_dyn};
use sep_core::signature::Certificate;
use sep_core::signing::{Signature, Source, Standing};

/// A certificate as a card shows it.
pub(crate) struct CertificateView {
    pub(crate) owner: String,
    pub(crate) serial: String,
    pub(crate) issuer: String,
    /// `с … по …`.
    pub(crate) validity: String,
}

impl CertificateView {
    pub(crate) fn of(c: &Certificate) -> Self {
        Self {
            owner: common_name(&c.subject),
            serial: c.serial.clone(),
            issuer: common_name(&c.issuer),
            validity: format!("{} {} {} {}", tr("с"), moscow(c.not_before), tr("по"), moscow(c.not_after)),
        }
    }
}

/// The `CN` of an RFC 4514 name (the person's or authority's name), else the whole name.
pub(crate) fn common_name(name: &str) -> String {
    name.split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("CN="))
        .map_or_else(|| name.to_owned(), |cn| cn.replace('\\', ""))
}

/// A signature's card.
pub(crate) struct SignatureView {
    pub(crate) id: String,
    pub(crate) certificate: CertificateView,
    pub(crate) signed_at: String,
    pub(crate) standing: String,
    pub(crate) valid: bool,
    pub(crate) source: String,
}

impl SignatureView {
    pub(crate) fn of(s: &Signature, standing: Standing) -> Self {
        let source = match s.source {
            Source::Cloud => "облачная подпись СЭП",
            Source::Uploaded => "подпись загружена (сделана в другой программе)",
            Source::System => "подпись ведомства",
        };
        Self {
            id: s.id.to_string(),
            certificate: CertificateView::of(&s.signer),
            signed_at: moscow(s.signed_at),
            standing: tr_dyn(standing.title()),
            valid: standing != Standing::Invalid,
            source: tr_dyn(source),
        }
    }
}

/// The phone a signing code goes to, as the page names it: +7 (912) ***-**-89 — enough to
/// know which phone, not the number.
pub(crate) fn masked_phone(user: &sep_core::user::User) -> String {
    user.profile.phone.as_ref().map_or_else(String::new, |p| {
        let shown = p.display_form();
        let tail: String = shown.chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
        format!("{} ***-**-{tail}", shown.chars().take(9).collect::<String>())
    })
}

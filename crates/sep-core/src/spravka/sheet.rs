//! What a справка says, laid out for the renderer: the [`Render`] port turns a [`Sheet`]
//! into PDF bytes (the `sep-pdf` crate does it with krilla); the agency then signs exactly
//! those bytes.

//!
//! What is printed is Russian whatever the reader's language, as on a paper справка; the
//! texts here are therefore not in the interface's translation tables.

use super::records::Extract;
use super::{Kind, Order};
use crate::document::issued::IssuedDocument;
use crate::user::User;
use time::OffsetDateTime;

/// A справка ready to be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The issuing agency.
    pub agency: String,
    /// The kind's title.
    pub title: String,
    /// The document's number.
    pub number: String,
    /// Date of issue, `ДД.ММ.ГГГГ`.
    pub issued_on: String,
    /// «Действительна до», `ДД.ММ.ГГГГ`; empty for a document that does not expire.
    pub valid_until: String,
    /// The holder: label and value lines (ФИО, дата рождения, СНИЛС or ИНН).
    pub holder: Vec<(String, String)>,
    /// The period, in words, for kinds that take one.
    pub period: Option<String>,
    /// What it is for.
    pub purpose: String,
    /// The registry's record.
    pub extract: Extract,
    /// The check link, printed and in the QR code.
    pub check_url: String,
    /// What it answers, label and value («Заказ», the order's number; «Операция», the payment's).
    pub reference: (String, String),
    /// A portrait printed at the top (the e-passport's photo, JPEG or PNG); none for others.
    pub photo: Option<Vec<u8>>,
}

/// Draws a справка.
pub trait Render: Send + Sync {
    /// The PDF of `sheet`.
    fn render(&self, sheet: &Sheet) -> Result<Vec<u8>, String>;
}

fn day(t: OffsetDateTime) -> String {
    date(crate::clock::moscow_day(t))
}

fn date(d: time::Date) -> String {
    crate::ident::ru_date(d)
}

/// The sheet of document `d` answering `order` for `user`, with the registry's `extract`.
pub fn compose(
    kind: &Kind,
    user: &User,
    order: &Order,
    d: &IssuedDocument,
    extract: Extract,
    check_url: &str,
) -> Sheet {
    let h = super::make::order_holder(user, order);
    let mut lines = Vec::new();
    if let Some(o) = &h.org {
        lines.push(("Организация".to_owned(), o.full_name.clone()));
        lines.push(("ИНН".into(), o.inn.clone()));
        if let Some(k) = &o.kpp {
            lines.push(("КПП".into(), k.clone()));
        }
        lines.push(("ОГРН".into(), o.ogrn.clone()));
        lines.push(("Запросил(а)".into(), format!("{}, руководитель организации", h.full_name())));
    } else {
        lines.push(("Ф. И. О.".to_owned(), h.full_name()));
        if !h.birth_date.is_empty() {
            lines.push(("Дата рождения".into(), h.birth_date.clone()));
        }
        for id in &kind.identifiers {
            match id {
                super::kind::Identifier::Snils => {
                    if let Some(s) = &user.profile.snils {
                        lines.push(("СНИЛС".into(), s.to_string()));
                    }
                }
                super::kind::Identifier::Inn => {
                    if let Some(s) = &h.inn {
                        lines.push(("ИНН".into(), s.clone()));
                    }
                }
            }
        }
    }
    Sheet {
        agency: kind.agency.clone(),
        title: kind.title.clone(),
        number: d.number.clone(),
        issued_on: day(d.issued_at),
        valid_until: d.valid_until.map(day).unwrap_or_default(),
        holder: lines,
        period: order.period.map(|(a, b)| format!("с {} по {}", date(a), date(b))),
        purpose: order.purpose.clone(),
        extract,
        check_url: check_url.to_owned(),
        reference: ("Заказ".into(), order.number.clone()),
        photo: None,
    }
}

/// `sep.registration`: the portal's own record of the person.
pub fn registration(user: &User) -> Extract {
    let statement = match user.registered_at {
        Some(at) => format!("Зарегистрирован(а) в системе электронных платежей с {}.", day(at)),
        None => "В системе электронных платежей не зарегистрирован(а).".to_owned(),
    };
    Extract {
        statement,
        columns: vec!["Сведение".into(), "Значение".into()],
        rows: vec![
            vec![
                "Статус регистрации".into(),
                if user.registered_at.is_some() {
                    "зарегистрирован(а)"
                } else {
                    "не зарегистрирован(а)"
                }
                .into(),
            ],
            vec!["Учётная запись в СЭП создана".into(), day(user.created_at)],
        ],
        totals: vec![],
    }
}

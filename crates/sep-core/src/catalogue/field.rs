//! Form fields of a service and how each kind validates what people type, with the core's
//! value types doing the work for Russian identifiers.

use crate::ident::{
    DivisionCode, Email, IdError, Inn, Kpp, Ogrn, Ogrnip, PassportNumber, PassportSeries, Phone, RuDate, Snils,
};
use serde::Deserialize;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text (≤ 300 characters).
    Text,
    /// Several lines (≤ 4000 characters).
    Textarea,
    /// `ДД.ММ.ГГГГ`.
    Date,
    /// СНИЛС.
    Snils,
    /// ИНН of a person.
    InnPerson,
    /// ИНН of an organisation.
    InnOrg,
    /// ОГРН.
    Ogrn,
    /// ОГРНИП.
    Ogrnip,
    /// КПП.
    Kpp,
    /// Passport series.
    PassportSeries,
    /// Passport number.
    PassportNumber,
    /// Division code.
    DivisionCode,
    /// Phone.
    Phone,
    /// E-mail.
    Email,
    /// ОКВЭД code, `NN`, `NN.N`, `NN.NN`, `NN.NN.N` or `NN.NN.NN`.
    Okved,
}

/// A value that does not fit its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// An identifier rule.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A required field is empty.
    #[error("Заполните поле «{0}»")]
    Required(String),
    /// Text too long.
    #[error("Слишком длинный текст: не более {0} символов")]
    TooLong(usize),
    /// ОКВЭД malformed.
    #[error("Введите код ОКВЭД в виде 62.01 (две цифры, затем группы по одной-две цифры через точку)")]
    Okved,
}

impl FieldError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Id(e) => e.code(),
            Self::Required(_) => "field_required",
            Self::TooLong(_) => "field_too_long",
            Self::Okved => "okved_invalid_format",
        }
    }
}

fn okved(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() <= 3
        && parts.first().is_some_and(|p| p.len() == 2)
        && parts.iter().all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

impl FieldKind {
    /// The value as stored (normalised), or why it does not fit. Empty input is not judged
    /// here: whether a field may be empty is the field's `required`.
    pub fn normalise(self, input: &str) -> Result<String, FieldError> {
        let t = input.trim();
        Ok(match self {
            Self::Text => {
                if t.chars().count() > 300 {
                    return Err(FieldError::TooLong(300));
                }
                t.to_owned()
            }
            Self::Textarea => {
                if t.chars().count() > 4000 {
                    return Err(FieldError::TooLong(4000));
                }
                t.to_owned()
            }
            Self::Date => RuDate::parse(t)?.to_string(),
            Self::Snils => Snils::parse(t)?.to_string(),
            Self::InnPerson => Inn::parse_person(t)?.to_string(),
            Self::InnOrg => Inn::parse_organisation(t)?.to_string(),
            Self::Ogrn => Ogrn::parse(t)?.to_string(),
            Self::Ogrnip => Ogrnip::parse(t)?.to_string(),
            Self::Kpp => Kpp::parse(t)?.to_string(),
            Self::PassportSeries => PassportSeries::parse(t)?.as_str().to_owned(),
            Self::PassportNumber => PassportNumber::parse(t)?.as_str().to_owned(),
            Self::DivisionCode => DivisionCode::parse(t)?.to_string(),
            Self::Phone => Phone::parse(t)?.to_string(),
            Self::Email => Email::parse(t)?.to_string(),
            Self::Okved => {
                if !okved(t) {
                    return Err(FieldError::Okved);
                }
                t.to_owned()
            }
        })
    }
}

/// A field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Name, unique in the service (`[a-z0-9_]`).
    pub name: String,
    /// Label above the input.
    pub label: String,
    /// Hint under the label.
    #[serde(default)]
    pub hint: Option<String>,
    /// Kind.
    pub kind: FieldKind,
    /// Whether it must be filled in.
    #[serde(default)]
    pub required: bool,
}

impl Field {
    /// Checks one value of this field: required, then the kind's rule.
    pub fn check(&self, input: &str) -> Result<Option<String>, FieldError> {
        if input.trim().is_empty() {
            return if self.required { Err(FieldError::Required(self.label.clone())) } else { Ok(None) };
        }
        self.kind.normalise(input).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_normalise_or_refuse_with_codes() {
        assert_eq!(FieldKind::Snils.normalise("11223344595").unwrap(), "112-233-445 95");
        assert_eq!(FieldKind::Phone.normalise("8 (912) 345-67-89").unwrap(), "+79123456789");
        assert_eq!(FieldKind::Date.normalise("5.3.1987").unwrap(), "05.03.1987");
        assert_eq!(FieldKind::DivisionCode.normalise("770001").unwrap(), "770-001");
        assert_eq!(FieldKind::Snils.normalise("11223344596").unwrap_err().code(), "snils_invalid_checksum");
        assert_eq!(FieldKind::InnOrg.normalise("500100732259").unwrap_err().code(), "inn_organisation_expected");
        assert!(FieldKind::Okved.normalise("62.01").is_ok() && FieldKind::Okved.normalise("62.01.1").is_ok());
        assert_eq!(FieldKind::Okved.normalise("6201").unwrap_err().code(), "okved_invalid_format");
        assert_eq!(FieldKind::Text.normalise(&"я".repeat(301)).unwrap_err().code(), "field_too_long");
    }

    #[test]
    fn required_fields_are_named() {
        let f =
            Field {
                name: "snils".into(), label: "СНИЛС".into(), hint: None, kind: FieldKind::Snils, required: true
            };
        let e = f.check("  ").unwrap_err();
        assert_eq!((e.code(), e.to_string()), ("field_required", "Заполните поле «СНИЛС»".to_owned()));
        let optional = Field { required: false, ..f };
        assert_eq!(optional.check("").unwrap(), None);
    }
}

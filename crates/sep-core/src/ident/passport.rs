//! Passport of a citizen of the Russian Federation: series, number, division code.

use super::{IdError, digits};
use std::fmt;

/// Passport series: 4 digits (printed `45 08`). Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PassportSeries(String);

/// Passport number: 6 digits. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PassportNumber(String);

/// Code of the issuing division, `NNN-NNN`. Identifies an office, not a person.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DivisionCode(String);

fn exact_digits(input: &str, len: usize, err: IdError) -> Result<String, IdError> {
    let d = digits::digits_with_separators(input).ok_or(err)?;
    if d.len() == len { Ok(digits::to_string(&d)) } else { Err(err) }
}

impl PassportSeries {
    /// Parses `4508` or `45 08`.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        exact_digits(input, 4, IdError::PassportSeriesFormat).map(Self)
    }

    /// The four digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PassportNumber {
    /// Parses six digits (spaces allowed).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        exact_digits(input, 6, IdError::PassportNumberFormat).map(Self)
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl DivisionCode {
    /// Parses `123-456`, `123 456` or `123456`, normalised to `123-456`.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let d = exact_digits(input, 6, IdError::DivisionCodeFormat)?;
        Ok(Self(format!("{}-{}", &d[..3], &d[3..])))
    }

    /// `NNN-NNN`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PassportSeries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", &self.0[..2], &self.0[2..])
    }
}

impl fmt::Debug for PassportSeries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassportSeries(****)")
    }
}

impl fmt::Debug for PassportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassportNumber(******)")
    }
}

super::display_as_str!(PassportNumber, DivisionCode);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(PassportSeries::parse("45 08").unwrap().as_str(), "4508");
        assert_eq!(PassportSeries::parse("4508").unwrap().to_string(), "45 08");
        assert_eq!(PassportSeries::parse("450"), Err(IdError::PassportSeriesFormat));
        assert_eq!(PassportNumber::parse("123456").unwrap().as_str(), "123456");
        assert_eq!(PassportNumber::parse("12345A"), Err(IdError::PassportNumberFormat));
        assert_eq!(DivisionCode::parse("770001").unwrap().as_str(), "770-001");
        assert_eq!(DivisionCode::parse("770-001").unwrap().as_str(), "770-001");
        assert_eq!(DivisionCode::parse("770-0011"), Err(IdError::DivisionCodeFormat));
        let dbg =
            format!("{:?} {:?}", PassportSeries::parse("4508").unwrap(), PassportNumber::parse("123456").unwrap());
        assert!(!dbg.contains("4508") && !dbg.contains("123456"), "{dbg}");
    }

    proptest! {
        #[test]
        fn generated_values_parse(s in "[0-9]{4}", n in "[0-9]{6}", c in "[0-9]{3}") {
            prop_assert_eq!(PassportSeries::parse(&s).unwrap().as_str().to_owned(), s.as_str());
            prop_assert_eq!(PassportNumber::parse(&n).unwrap().as_str().to_owned(), n.as_str());
            let code = format!("{c}-{}", &n[..3]);
            prop_assert_eq!(DivisionCode::parse(&code.replace('-', "")).unwrap().as_str().to_owned(), code.as_str());
        }

        #[test]
        fn wrong_lengths_fail(s in "[0-9]{1,3}|[0-9]{5,8}", n in "[0-9]{1,5}|[0-9]{7,9}") {
            prop_assert_eq!(PassportSeries::parse(&s), Err(IdError::PassportSeriesFormat));
            prop_assert_eq!(PassportNumber::parse(&n), Err(IdError::PassportNumberFormat));
            prop_assert_eq!(DivisionCode::parse(&n), Err(IdError::DivisionCodeFormat));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,20}") {
            let _ = PassportSeries::parse(&s);
            let _ = PassportNumber::parse(&s);
            let _ = DivisionCode::parse(&s);
        }
    }
}

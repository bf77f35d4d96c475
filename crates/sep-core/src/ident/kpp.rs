//! КПП: tax registration reason code of an organisation (public data).

use super::IdError;

/// A КПП of the form `NNNN PP NNN`: tax office code (4 digits), reason (2 digits or capital
/// Latin letters, as ФНС allows since 2013), serial number (3 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kpp(String);

impl Kpp {
    /// Parses a КПП; lower-case Latin letters in the reason part are upper-cased.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 9
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4..6].iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            && b[6..].iter().all(u8::is_ascii_digit);
        if ok { Ok(Self(s)) } else { Err(IdError::KppFormat) }
    }

    /// The nine characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::display_as_str!(Kpp);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(Kpp::parse("771301001").unwrap().as_str(), "771301001");
        assert_eq!(Kpp::parse("7713ab001").unwrap().as_str(), "7713AB001");
        assert_eq!(Kpp::parse("77130100"), Err(IdError::KppFormat));
        assert_eq!(Kpp::parse("7713010011"), Err(IdError::KppFormat));
        assert_eq!(Kpp::parse("A71301001"), Err(IdError::KppFormat));
        assert_eq!(Kpp::parse("7713-01-001"), Err(IdError::KppFormat));
    }

    proptest! {
        #[test]
        fn generated_values_parse(s in "[0-9]{4}[0-9A-Z]{2}[0-9]{3}") {
            prop_assert_eq!(Kpp::parse(&s).unwrap().as_str().to_owned(), s.as_str());
        }

        #[test]
        fn letters_outside_the_reason_part_fail(s in "[0-9]{4}[0-9A-Z]{2}[0-9]{3}", pos in prop::sample::select(vec![0usize, 1, 2, 3, 6, 7, 8]), l in "[A-Z]") {
            let mut s = s;
            s.replace_range(pos..=pos, &l);
            prop_assert_eq!(Kpp::parse(&s), Err(IdError::KppFormat));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = Kpp::parse(&s);
        }
    }
}

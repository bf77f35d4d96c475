//! ИНН: taxpayer number of a person (12 digits) or an organisation (10 digits).

use super::{IdError, digits};
use std::fmt;

const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// Whose ИНН it is, told by its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InnKind {
    /// 12 digits: a person or a sole proprietor (ИП).
    Person,
    /// 10 digits: a legal entity.
    Organisation,
}

/// A valid ИНН. A person's ИНН is personal data, so `Debug` is redacted for both kinds.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Inn(String);

fn check(digits: &[u8], weights: &[u32]) -> u8 {
    // (sum mod 11) mod 10 is below 10.
    u8::try_from(digits::weighted(digits, weights) % 11 % 10).unwrap_or(0)
}

/// The check digit of an organisation's ИНН from its first nine digits.
pub fn inn10_check(nine: &[u8]) -> u8 {
    check(nine, &W10)
}

/// The two check digits of a person's ИНН from its first ten digits.
pub fn inn12_checks(ten: &[u8]) -> (u8, u8) {
    let c11 = check(ten, &W11);
    let mut eleven = ten.to_vec();
    eleven.push(c11);
    (c11, check(&eleven, &W12))
}

impl Inn {
    /// Parses a 10- or 12-digit ИНН (spaces allowed around it, nothing inside).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let d = digits::plain_digits(input).ok_or(IdError::InnFormat)?;
        let ok = match d.len() {
            10 => d[9] == inn10_check(&d[..9]),
            12 => (d[10], d[11]) == inn12_checks(&d[..10]),
            _ => return Err(IdError::InnFormat),
        };
        if !ok {
            return Err(IdError::InnChecksum);
        }
        if d.iter().all(|x| *x == 0) {
            return Err(IdError::InnFormat);
        }
        Ok(Self(digits::to_string(&d)))
    }

    /// Parses and requires a person's (12-digit) ИНН.
    pub fn parse_person(input: &str) -> Result<Self, IdError> {
        let inn = Self::parse(input)?;
        match inn.kind() {
            InnKind::Person => Ok(inn),
            InnKind::Organisation => Err(IdError::InnPersonExpected),
        }
    }

    /// Parses and requires an organisation's (10-digit) ИНН.
    pub fn parse_organisation(input: &str) -> Result<Self, IdError> {
        let inn = Self::parse(input)?;
        match inn.kind() {
            InnKind::Organisation => Ok(inn),
            InnKind::Person => Err(IdError::InnOrganisationExpected),
        }
    }

    /// Person or organisation.
    pub fn kind(&self) -> InnKind {
        if self.0.len() == 12 { InnKind::Person } else { InnKind::Organisation }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Inn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Inn({:?}, ***)", self.kind())
    }
}

super::display_as_str!(Inn);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // Published examples: ФНС России's own ИНН and a well-known person's test ИНН.
        assert_eq!(Inn::parse("7707329152").unwrap().kind(), InnKind::Organisation);
        assert_eq!(Inn::parse("500100732259").unwrap().kind(), InnKind::Person);
        assert_eq!(Inn::parse("7707329153"), Err(IdError::InnChecksum));
        assert_eq!(Inn::parse("500100732250"), Err(IdError::InnChecksum));
        assert_eq!(Inn::parse("77073291"), Err(IdError::InnFormat));
        assert_eq!(Inn::parse("77073 29152"), Err(IdError::InnFormat));
        assert_eq!(Inn::parse("0000000000"), Err(IdError::InnFormat));
        assert_eq!(Inn::parse_person("7707329152"), Err(IdError::InnPersonExpected));
        assert_eq!(Inn::parse_organisation("500100732259"), Err(IdError::InnOrganisationExpected));
        assert!(!format!("{:?}", Inn::parse("500100732259").unwrap()).contains("5001"));
    }

    fn inn10() -> impl Strategy<Value = String> {
        proptest::array::uniform9(0u8..10)
            .prop_filter("not all zero", |d| d.iter().any(|x| *x != 0))
            .prop_map(|d| format!("{}{}", digits::to_string(&d), inn10_check(&d)))
    }

    fn inn12() -> impl Strategy<Value = String> {
        proptest::array::uniform10(0u8..10).prop_filter("not all zero", |d| d.iter().any(|x| *x != 0)).prop_map(|d| {
            let (a, b) = inn12_checks(&d);
            format!("{}{a}{b}", digits::to_string(&d))
        })
    }

    fn bump_digit(s: &str, pos: usize, delta: u8) -> String {
        let mut b = s.as_bytes().to_vec();
        b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
        String::from_utf8(b).unwrap()
    }

    proptest! {
        #[test]
        fn generated_inns_parse(a in inn10(), b in inn12()) {
            prop_assert_eq!(Inn::parse(&a).unwrap().as_str().to_owned(), a.as_str());
            prop_assert_eq!(Inn::parse(&b).unwrap().as_str().to_owned(), b.as_str());
            prop_assert_eq!(Inn::parse_organisation(&a).unwrap().kind(), InnKind::Organisation);
            prop_assert_eq!(Inn::parse_person(&b).unwrap().kind(), InnKind::Person);
        }

        #[test]
        fn a_changed_check_digit_fails(a in inn10(), b in inn12(), delta in 1u8..10, last in proptest::bool::ANY) {
            prop_assert_eq!(Inn::parse(&bump_digit(&a, 9, delta)), Err(IdError::InnChecksum));
            let pos = if last { 11 } else { 10 };
            prop_assert_eq!(Inn::parse(&bump_digit(&b, pos, delta)), Err(IdError::InnChecksum));
        }

        #[test]
        fn wrong_lengths_fail(a in inn10(), pos in 0usize..10) {
            let mut s = a.clone();
            s.remove(pos);
            prop_assert_eq!(Inn::parse(&s), Err(IdError::InnFormat));
            let mut s = a;
            s.insert(pos, '1');
            prop_assert_eq!(Inn::parse(&s), Err(IdError::InnFormat));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = Inn::parse(&s);
        }
    }
}

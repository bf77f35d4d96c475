//! ОГРН (13 digits, legal entities) and ОГРНИП (15 digits, sole proprietors).
//! Registration numbers are public (ЕГРЮЛ/ЕГРИП), so `Debug` shows them.

use super::{IdError, digits};
use std::fmt;

/// A valid ОГРН of a legal entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ogrn(String);

/// A valid ОГРНИП of a sole proprietor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ogrnip(String);

/// ОГРН check digit: the first 12 digits as a number, mod 11, then mod 10.
pub fn ogrn_check(twelve: &[u8]) -> u8 {
    u8::try_from(digits::number(twelve) % 11 % 10).unwrap_or(0)
}

/// ОГРНИП check digit: the first 14 digits as a number, mod 13, then mod 10.
pub fn ogrnip_check(fourteen: &[u8]) -> u8 {
    u8::try_from(digits::number(fourteen) % 13 % 10).unwrap_or(0)
}

fn parse_with(
    input: &str,
    len: usize,
    check: fn(&[u8]) -> u8,
    format_err: IdError,
    checksum_err: IdError,
) -> Result<String, IdError> {
    let d = digits::plain_digits(input).ok_or(format_err)?;
    if d.len() != len || d[0] == 0 {
        return Err(format_err);
    }
    if d[len - 1] != check(&d[..len - 1]) {
        return Err(checksum_err);
    }
    Ok(digits::to_string(&d))
}

impl Ogrn {
    /// Parses 13 digits with a valid check digit.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        parse_with(input, 13, ogrn_check, IdError::OgrnFormat, IdError::OgrnChecksum).map(Self)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ogrnip {
    /// Parses 15 digits with a valid check digit.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        parse_with(input, 15, ogrnip_check, IdError::OgrnipFormat, IdError::OgrnipChecksum).map(Self)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ogrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Ogrnip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert!(Ogrn::parse("1027700132195").is_ok());
        assert_eq!(Ogrn::parse("1027700132196"), Err(IdError::OgrnChecksum));
        assert_eq!(Ogrn::parse("102770013219"), Err(IdError::OgrnFormat));
        assert_eq!(Ogrn::parse("0027700132195"), Err(IdError::OgrnFormat));
        assert!(Ogrnip::parse("304500116000157").is_ok());
        assert_eq!(Ogrnip::parse("304500116000158"), Err(IdError::OgrnipChecksum));
        assert_eq!(Ogrnip::parse("1027700132195"), Err(IdError::OgrnipFormat));
    }

    fn valid(len: usize, check: fn(&[u8]) -> u8) -> impl Strategy<Value = String> {
        (1u8..10, proptest::collection::vec(0u8..10, len - 2)).prop_map(move |(first, rest)| {
            let mut d = vec![first];
            d.extend(rest);
            let c = check(&d);
            format!("{}{c}", digits::to_string(&d))
        })
    }

    proptest! {
        #[test]
        fn generated_values_parse(o in valid(13, ogrn_check), ip in valid(15, ogrnip_check)) {
            prop_assert_eq!(Ogrn::parse(&o).unwrap().as_str().to_owned(), o.as_str());
            prop_assert_eq!(Ogrnip::parse(&ip).unwrap().as_str().to_owned(), ip.as_str());
            // The two never accept each other's length.
            prop_assert_eq!(Ogrn::parse(&ip), Err(IdError::OgrnFormat));
            prop_assert_eq!(Ogrnip::parse(&o), Err(IdError::OgrnipFormat));
        }

        #[test]
        fn a_changed_check_digit_fails(o in valid(13, ogrn_check), ip in valid(15, ogrnip_check), delta in 1u8..10) {
            let bump = |s: &str| {
                let mut b = s.as_bytes().to_vec();
                let last = b.len() - 1;
                b[last] = b'0' + (b[last] - b'0' + delta) % 10;
                String::from_utf8(b).unwrap()
            };
            prop_assert_eq!(Ogrn::parse(&bump(&o)), Err(IdError::OgrnChecksum));
            prop_assert_eq!(Ogrnip::parse(&bump(&ip)), Err(IdError::OgrnipChecksum));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = Ogrn::parse(&s);
            let _ = Ogrnip::parse(&s);
        }
    }
}

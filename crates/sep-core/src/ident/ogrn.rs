//! ОГРН (13 digits, legal entities) and ОГРНИП (15 digits, sole proprietors).
//! Registration numbers are public (ЕГРЮЛ/ЕГРИП), so `Debug` shows them.

use super::{IdError, digits};

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

/// The rule for one kind of registration number.
struct Rule {
    len: usize,
    /// Allowed first digits (the "признак отнесения" of the record).
    first: &'static [u8],
    check: fn(&[u8]) -> u8,
    format_err: IdError,
    checksum_err: IdError,
}

/// ОГРН of a legal entity: any first digit but 0 (1 and 5 in practice).
const OGRN: Rule = Rule {
    len: 13,
    first: &[1, 2, 3, 4, 5, 6, 7, 8, 9],
    check: ogrn_check,
    format_err: IdError::OgrnFormat,
    checksum_err: IdError::OgrnChecksum,
};

/// ОГРНИП: starts with 3 (4 is accepted, as python-stdnum does).
const OGRNIP: Rule = Rule {
    len: 15,
    first: &[3, 4],
    check: ogrnip_check,
    format_err: IdError::OgrnipFormat,
    checksum_err: IdError::OgrnipChecksum,
};

fn parse_with(input: &str, rule: &Rule) -> Result<String, IdError> {
    let (len, check, format_err, checksum_err) = (rule.len, rule.check, rule.format_err, rule.checksum_err);
    let d = digits::plain_digits(input).ok_or(format_err)?;
    if d.len() != len || !rule.first.contains(&d[0]) {
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
        parse_with(input, &OGRN).map(Self)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ogrnip {
    /// Parses 15 digits with a valid check digit.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        parse_with(input, &OGRNIP).map(Self)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::display_as_str!(Ogrn, Ogrnip);

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
        // A 15-digit number must start with 3 (an ОГРНИП record).
        let fourteen = [1, 0, 4, 5, 0, 0, 1, 1, 6, 0, 0, 0, 1, 5];
        let c = ogrnip_check(&fourteen);
        assert_eq!(Ogrnip::parse(&format!("{}{c}", digits::to_string(&fourteen))), Err(IdError::OgrnipFormat));
    }

    fn valid(len: usize, check: fn(&[u8]) -> u8) -> impl Strategy<Value = String> {
        let first = if len == 15 { 3u8..5 } else { 1u8..10 };
        (first, proptest::collection::vec(0u8..10, len - 2)).prop_map(move |(first, rest)| {
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

//! СНИЛС: the insurance number of an individual personal account (СФР).

use super::{IdError, digits};
use std::fmt;

/// Numbers up to and including 001-001-998 were issued before the check number was introduced;
/// the official rule does not verify their check digits.
const UNCHECKED_MAX: u64 = 1_001_998;

/// A valid СНИЛС, stored as its 11 digits. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Snils(String);

/// The check number of the first nine digits under the official rule: weights 9..1; a sum
/// below 100 is the check number itself; 100 and 101 give 00; above that the remainder of
/// division by 101, where a remainder of 100 again gives 00.
pub fn snils_check(nine: &[u8]) -> u8 {
    let sum = digits::weighted(nine, &[9, 8, 7, 6, 5, 4, 3, 2, 1]);
    let check = match sum {
        0..=99 => sum,
        100 | 101 => 0,
        _ => match sum % 101 {
            100 => 0,
            r => r,
        },
    };
    // At most 9 * 9 * 9 = 729, and the result is below 100 by construction.
    u8::try_from(check).unwrap_or(0)
}

impl Snils {
    /// Parses `11223344595`, `112-233-445 95`, `112 233 445 95` and similar.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let d = digits::digits_with_separators(input).ok_or(IdError::SnilsFormat)?;
        if d.len() != 11 {
            return Err(IdError::SnilsFormat);
        }
        let number = digits::number(&d[..9]);
        if number == 0 {
            return Err(IdError::SnilsFormat);
        }
        let given = d[9] * 10 + d[10];
        if number > UNCHECKED_MAX && given != snils_check(&d[..9]) {
            return Err(IdError::SnilsChecksum);
        }
        Ok(Self(digits::to_string(&d)))
    }

    /// The 11 digits without separators, as stored and as sent to registries.
    pub fn as_digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Snils {
    /// The official printed form `XXX-XXX-XXX YY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}-{}-{} {}", &s[0..3], &s[3..6], &s[6..9], &s[9..11])
    }
}

impl fmt::Debug for Snils {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Snils(***-***-*** **)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        let s = Snils::parse("112-233-445 95").unwrap();
        assert_eq!(s.as_digits(), "11223344595");
        assert_eq!(s.to_string(), "112-233-445 95");
        assert_eq!(Snils::parse("11223344595").unwrap(), s);
        assert_eq!(Snils::parse(" 112 233 445 95 ").unwrap(), s);
        assert_eq!(Snils::parse("112-233-445 96"), Err(IdError::SnilsChecksum));
        assert_eq!(Snils::parse("1122334459"), Err(IdError::SnilsFormat));
        assert_eq!(Snils::parse("112-233-445 9O"), Err(IdError::SnilsFormat));
        assert_eq!(Snils::parse(""), Err(IdError::SnilsFormat));
        assert_eq!(Snils::parse("000-000-000 00"), Err(IdError::SnilsFormat));
    }

    #[test]
    fn sums_of_100_and_101_and_remainder_100_give_00() {
        // 9 * 9 + 8 * 2 + 3 * 1 = 100 → 00
        assert_eq!(snils_check(&[9, 2, 0, 0, 0, 0, 1, 0, 0]), 0);
        // 101 → 00
        assert_eq!(snils_check(&[9, 2, 0, 0, 0, 0, 1, 0, 1]), 0);
        // 9*9 + 8*9 + 7*6 + 6*1 = 201; 201 mod 101 = 100 → 00
        assert_eq!(snils_check(&[9, 9, 6, 1, 0, 0, 0, 0, 0]), 0);
        // 102 → 1
        assert_eq!(snils_check(&[9, 2, 0, 0, 0, 0, 1, 1, 0]), 1);
    }

    #[test]
    fn old_numbers_are_not_checked() {
        assert!(Snils::parse("001-001-998 00").is_ok());
        assert!(Snils::parse("001-001-998 57").is_ok());
        assert!(Snils::parse("000-000-001 99").is_ok());
        // The first checked number: 001-001-999 → 1+9*3... must match its check number.
        let nine = [0, 0, 1, 0, 0, 1, 9, 9, 9];
        let good = snils_check(&nine);
        let bad = (good + 1) % 100;
        assert!(Snils::parse(&format!("001001999{good:02}")).is_ok());
        assert_eq!(Snils::parse(&format!("001001999{bad:02}")), Err(IdError::SnilsChecksum));
    }

    #[test]
    fn debug_is_redacted() {
        let s = Snils::parse("112-233-445 95").unwrap();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("112") && !dbg.contains("95"), "{dbg}");
    }

    fn valid_nine() -> impl Strategy<Value = [u8; 9]> {
        proptest::array::uniform9(0u8..10)
            .prop_filter("above the unchecked range", |d| digits::number(d) > UNCHECKED_MAX)
    }

    proptest! {
        #[test]
        fn generated_values_parse_in_every_typed_form(nine in valid_nine()) {
            let c = snils_check(&nine);
            let plain = format!("{}{c:02}", digits::to_string(&nine));
            let s = Snils::parse(&plain).unwrap();
            prop_assert_eq!(s.as_digits(), plain.as_str());
            prop_assert_eq!(Snils::parse(&s.to_string()).unwrap(), s.clone());
            let spaced = format!("{} {} {} {}", &plain[..3], &plain[3..6], &plain[6..9], &plain[9..]);
            prop_assert_eq!(Snils::parse(&spaced).unwrap(), s);
        }

        #[test]
        fn a_wrong_check_number_fails(nine in valid_nine(), delta in 1u8..100) {
            let c = (snils_check(&nine) + delta) % 100;
            let s = format!("{}{c:02}", digits::to_string(&nine));
            prop_assert_eq!(Snils::parse(&s), Err(IdError::SnilsChecksum));
        }

        #[test]
        fn a_dropped_or_added_digit_fails(nine in valid_nine(), pos in 0usize..11, extra in 0u8..10) {
            let plain = format!("{}{:02}", digits::to_string(&nine), snils_check(&nine));
            let mut shorter = plain.clone();
            shorter.remove(pos);
            prop_assert_eq!(Snils::parse(&shorter), Err(IdError::SnilsFormat));
            let mut longer = plain;
            longer.insert(pos, char::from(b'0' + extra));
            prop_assert_eq!(Snils::parse(&longer), Err(IdError::SnilsFormat));
        }

        #[test]
        fn a_letter_anywhere_fails(nine in valid_nine(), pos in 0usize..11, letter in "[a-zA-Zа-яА-Я]") {
            let mut plain = format!("{}{:02}", digits::to_string(&nine), snils_check(&nine));
            plain.replace_range(pos..=pos, &letter);
            prop_assert_eq!(Snils::parse(&plain), Err(IdError::SnilsFormat));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = Snils::parse(&s);
        }
    }
}

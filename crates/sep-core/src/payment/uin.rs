//! УИН — the charge identifier of ГИС ГМП (Приказ Минфина от 12.11.2013 № 107н): 20 or 25
//! digits, the last a check digit computed like the ОКПО control number — weights 1, 2, …, 10,
//! 1, 2, … from the most significant digit, the sum mod 11; on 10, again with weights 3, 4, …,
//! 10, 1, 2, …; on 10 again, 0. The rule is from a secondary source (../shared/facts/payments.md),
//! so the three worked examples there are this module's tests.

use std::fmt;

/// A УИН with a correct check digit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uin(String);

/// Why a typed УИН is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UinError {
    /// Not 20 or 25 digits.
    #[error("УИН — это 20 или 25 цифр.")]
    Format,
    /// The check digit does not match.
    #[error("Контрольная цифра УИН не совпадает: проверьте номер по квитанции или постановлению.")]
    CheckDigit,
}

impl UinError {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Format => "uin_invalid_format",
            Self::CheckDigit => "uin_invalid",
        }
    }
}

fn pass(digits: &[u8], first_weight: usize) -> u32 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * u32::try_from((first_weight - 1 + i) % 10 + 1).unwrap_or(1))
        .sum();
    sum % 11
}

/// The check digit of a УИН's other digits (19 or 24 of them).
pub fn check_digit(body: &str) -> Option<u8> {
    if !body.bytes().all(|b| b.is_ascii_digit()) || body.is_empty() {
        return None;
    }
    let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    let r = pass(&digits, 1);
    let r = if r < 10 { r } else { pass(&digits, 3) };
    Some(if r < 10 { u8::try_from(r).unwrap_or(0) } else { 0 })
}

impl Uin {
    /// Parses a typed УИН; spaces and dashes are ignored.
    pub fn parse(input: &str) -> Result<Self, UinError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if !(s.len() == 20 || s.len() == 25) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UinError::Format);
        }
        let (body, last) = s.split_at(s.len() - 1);
        match check_digit(body) {
            Some(c) if last.as_bytes()[0] == b'0' + c => Ok(Self(s)),
            _ => Err(UinError::CheckDigit),
        }
    }

    /// A УИН from its body, with the check digit appended (the emulator makes them so).
    pub fn complete(body: &str) -> Option<Self> {
        if !(body.len() == 19 || body.len() == 24) {
            return None;
        }
        check_digit(body).map(|c| Self(format!("{body}{c}")))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Uin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uin({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_examples() {
        assert_eq!(check_digit("1880177230000123456"), Some(4));
        assert_eq!(check_digit("1881017723000012345"), Some(0));
        assert_eq!(check_digit("1881017723000000009"), Some(8), "second pass");
        assert!(Uin::parse("18801772300001234564").is_ok());
        assert!(Uin::parse("1881 0177 2300 0012 3450").is_ok(), "spaces as printed");
        assert_eq!(Uin::parse("18801772300001234565"), Err(UinError::CheckDigit));
        assert_eq!(Uin::parse("1880177230000123456"), Err(UinError::Format));
        assert_eq!(Uin::parse("1880177230000123456x"), Err(UinError::Format));
        assert_eq!(Uin::complete("1880177230000123456").unwrap().as_str(), "18801772300001234564");
    }

    proptest::proptest! {
        /// A completed УИН parses; any single changed digit of its body is refused unless the
        /// rule's own collisions (mod 11, folded to 0) allow it — and then it is still 20 digits.
        #[test]
        fn a_completed_uin_parses_and_a_changed_check_digit_does_not(body in "[0-9]{19}", d in 1u8..10) {
            let u = Uin::complete(&body).unwrap();
            proptest::prop_assert!(Uin::parse(u.as_str()).is_ok());
            let mut b = u.as_str().as_bytes().to_vec();
            b[19] = b'0' + (b[19] - b'0' + d) % 10;
            proptest::prop_assert_eq!(Uin::parse(std::str::from_utf8(&b).unwrap()), Err(UinError::CheckDigit));
        }
    }
}

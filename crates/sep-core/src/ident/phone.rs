//! Phone numbers of the Russian numbering plan (+7), normalised to `+7XXXXXXXXXX`.

use super::IdError;
use std::fmt;

/// A phone number `+7XXXXXXXXXX`. Personal data: `Debug` shows only the last two digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Accepts what people type: `+7 912 345 67 89`, `8 (912) 345-67-89`, `79123456789`,
    /// `9123456789`. The ten national digits must start with 3–9 (no Russian area code
    /// starts with 0, 1 or 2).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let t = input.trim();
        let (plus, rest) = match t.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let mut d = String::with_capacity(11);
        for ch in rest.chars() {
            match ch {
                '0'..='9' => d.push(ch),
                ' ' | '-' | '(' | ')' | '\u{a0}' | '.' => {}
                _ => return Err(IdError::PhoneFormat),
            }
        }
        let national = match (plus, d.len()) {
            (true, 11) if d.starts_with('7') => &d[1..],
            (false, 11) if d.starts_with('7') || d.starts_with('8') => &d[1..],
            (false, 10) => &d[..],
            _ => return Err(IdError::PhoneFormat),
        };
        if !matches!(national.as_bytes().first(), Some(b'3'..=b'9')) {
            return Err(IdError::PhoneFormat);
        }
        Ok(Self(format!("+7{national}")))
    }

    /// `+7XXXXXXXXXX`, as stored and as sent to SMS gateways.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+7 (912) 345-67-89`, as displayed.
    pub fn display_form(&self) -> String {
        let s = &self.0;
        format!("+7 ({}) {}-{}-{}", &s[2..5], &s[5..8], &s[8..10], &s[10..12])
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone(+7*******{})", &self.0[10..])
    }
}

super::display_as_str!(Phone);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_what_people_type() {
        for input in [
            "8 (912) 345-67-89",
            "+7 912 345 67 89",
            "79123456789",
            "9123456789",
            "+7(912)345-67-89",
            " 8-912-345-67-89 ",
        ] {
            assert_eq!(Phone::parse(input).unwrap().as_str(), "+79123456789", "{input}");
        }
        let p = Phone::parse("+79123456789").unwrap();
        assert_eq!(p.display_form(), "+7 (912) 345-67-89");
        assert_eq!(format!("{p:?}"), "Phone(+7*******89)");
    }

    #[test]
    fn refuses_other_forms() {
        for input in [
            "",
            "+8 912 345 67 89",
            "+1 912 345 67 89",
            "912345678",
            "891234567890",
            "+7 012 345 67 89",
            "+7 912 345 67 8x",
            "++79123456789",
            "8 800 CALL NOW",
        ] {
            assert_eq!(Phone::parse(input), Err(IdError::PhoneFormat), "{input}");
        }
    }

    proptest! {
        #[test]
        fn every_typed_form_normalises_alike(first in 3u8..10, rest in "[0-9]{9}", form in 0usize..4) {
            let national = format!("{first}{rest}");
            let typed = match form {
                0 => format!("+7{national}"),
                1 => format!("8 ({}) {}-{}-{}", &national[..3], &national[3..6], &national[6..8], &national[8..]),
                2 => format!("7{national}"),
                _ => national.clone(),
            };
            let p = Phone::parse(&typed).unwrap();
            prop_assert_eq!(p.as_str(), format!("+7{national}"));
            prop_assert_eq!(Phone::parse(&p.display_form()).unwrap(), p);
        }

        #[test]
        fn a_missing_or_extra_digit_fails(national in "[3-9][0-9]{9}", pos in 1usize..10) {
            let mut short = national.clone();
            short.remove(pos);
            prop_assert_eq!(Phone::parse(&format!("+7{short}")), Err(IdError::PhoneFormat));
            let mut long = national;
            long.insert(pos, '5');
            prop_assert_eq!(Phone::parse(&format!("+7{long}")), Err(IdError::PhoneFormat));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = Phone::parse(&s);
        }
    }
}

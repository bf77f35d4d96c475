//! Dates typed as `ДД.ММ.ГГГГ`, the form used on every Russian document.

use super::IdError;
use std::fmt;
use time::{Date, Month};

/// A calendar date between 01.01.1900 and 31.12.2100, entered and shown as `ДД.ММ.ГГГГ`.
/// Holds birth dates, so `Debug` is redacted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuDate(Date);

impl RuDate {
    /// Parses `05.03.1987` (one-digit day or month, `5.3.1987`, is accepted too).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let parts: Vec<&str> = input.trim().split('.').collect();
        let [d, m, y] = parts.as_slice() else {
            return Err(IdError::DateFormat);
        };
        let num = |s: &str, min: usize, max: usize| -> Result<u16, IdError> {
            if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(IdError::DateFormat);
            }
            s.parse().map_err(|_| IdError::DateFormat)
        };
        let (day, month, year) = (num(d, 1, 2)?, num(m, 1, 2)?, num(y, 4, 4)?);
        let month = u8::try_from(month).ok().and_then(|m| Month::try_from(m).ok()).ok_or(IdError::DateInvalid)?;
        let day = u8::try_from(day).map_err(|_| IdError::DateInvalid)?;
        if !(1900..=2100).contains(&year) {
            return Err(IdError::DateOutOfRange);
        }
        Date::from_calendar_date(i32::from(year), month, day).map(Self).map_err(|_| IdError::DateInvalid)
    }

    /// Wraps a date already known to be in range (for values read from storage).
    pub fn from_date(date: Date) -> Result<Self, IdError> {
        if (1900..=2100).contains(&date.year()) { Ok(Self(date)) } else { Err(IdError::DateOutOfRange) }
    }

    /// The calendar date.
    pub fn date(self) -> Date {
        self.0
    }
}

/// `d` as `ДД.ММ.ГГГГ`, the form every Russian document prints.
pub fn ru(d: Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), u8::from(d.month()), d.year())
}

impl fmt::Display for RuDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&ru(self.0))
    }
}

impl fmt::Debug for RuDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RuDate(**.**.****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(RuDate::parse("05.03.1987").unwrap().to_string(), "05.03.1987");
        assert_eq!(RuDate::parse("5.3.1987").unwrap().to_string(), "05.03.1987");
        assert_eq!(RuDate::parse("29.02.2024").unwrap().to_string(), "29.02.2024");
        assert_eq!(RuDate::parse("29.02.2023"), Err(IdError::DateInvalid));
        assert_eq!(RuDate::parse("31.04.2020"), Err(IdError::DateInvalid));
        assert_eq!(RuDate::parse("01.13.2020"), Err(IdError::DateInvalid));
        assert_eq!(RuDate::parse("00.01.2020"), Err(IdError::DateInvalid));
        assert_eq!(RuDate::parse("01.01.1899"), Err(IdError::DateOutOfRange));
        assert_eq!(RuDate::parse("1987-03-05"), Err(IdError::DateFormat));
        assert_eq!(RuDate::parse("05.03.87"), Err(IdError::DateFormat));
        assert_eq!(RuDate::parse("+5.03.1987"), Err(IdError::DateFormat));
        assert_eq!(format!("{:?}", RuDate::parse("05.03.1987").unwrap()), "RuDate(**.**.****)");
    }

    proptest! {
        #[test]
        fn every_real_date_round_trips(days in 0i64..73_000) {
            let d = Date::from_calendar_date(1900, Month::January, 1).unwrap() + time::Duration::days(days);
            prop_assume!(d.year() <= 2100);
            let r = RuDate::from_date(d).unwrap();
            prop_assert_eq!(RuDate::parse(&r.to_string()).unwrap(), r);
        }

        #[test]
        fn day_past_the_month_end_fails(year in 1900u16..=2100, month in 1u8..=12, extra in 1u8..5) {
            let m = Month::try_from(month).unwrap();
            let last = time::util::days_in_month(m, i32::from(year));
            let day = last + extra;
            prop_assert_eq!(RuDate::parse(&format!("{day:02}.{month:02}.{year}")), Err(IdError::DateInvalid));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,20}") {
            let _ = RuDate::parse(&s);
        }
    }
}

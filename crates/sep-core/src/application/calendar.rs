//! Working days, for expected completion dates ("физлицо 3–5, юрлицо 5–10 рабочих дней",
//! SPEC R7). Weekends and the public holidays of Labour Code art. 112 are known to the code;
//! the yearly transfers come from a data file (`data/calendar-ru.txt`), so a new year needs no
//! code change.

use std::collections::BTreeMap;
use time::{Date, Duration, Month, Weekday};

/// A malformed calendar file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar line {line}: {problem}")]
pub struct CalendarError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// A working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    /// `true`: a working day; `false`: a day off — overriding the general rule.
    overrides: BTreeMap<Date, bool>,
}

const ISO: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn public_holiday(d: Date) -> bool {
    matches!(
        (d.month(), d.day()),
        (Month::January, 1..=8)
            | (Month::February, 23)
            | (Month::March, 8)
            | (Month::May, 1 | 9)
            | (Month::June, 12)
            | (Month::November, 4)
    )
}

impl WorkCalendar {
    /// The built-in Russian calendar.
    pub fn russian() -> Result<Self, CalendarError> {
        Self::parse(include_str!("../../data/calendar-ru.txt"))
    }

    /// Reads `<YYYY-MM-DD> off|work` lines; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut overrides = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |problem: &str| CalendarError { line: i + 1, problem: problem.to_owned() };
            let mut parts = line.split_whitespace();
            let (Some(date), Some(kind), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(err("expected «YYYY-MM-DD off» or «YYYY-MM-DD work»"));
            };
            let date = Date::parse(date, ISO).map_err(|_| err("the date is not YYYY-MM-DD"))?;
            let working = match kind {
                "work" => true,
                "off" => false,
                _ => return Err(err("the kind is neither «off» nor «work»")),
            };
            if overrides.insert(date, working).is_some() {
                return Err(err("the date is listed twice"));
            }
        }
        Ok(Self { overrides })
    }

    /// Whether `d` is a working day.
    pub fn is_working(&self, d: Date) -> bool {
        if let Some(w) = self.overrides.get(&d) {
            return *w;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !public_holiday(d)
    }

    /// The day on which `n` working days after `start` have passed (`start` itself does not
    /// count, as in "рассматривается в течение 5 рабочих дней со дня подачи").
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.saturating_add(Duration::days(1));
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not later).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.saturating_add(Duration::days(1));
            if self.is_working(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn weekends_holidays_and_transfers() {
        let c = WorkCalendar::russian().unwrap();
        assert!(!c.is_working(date!(2026 - 01 - 01)));
        assert!(!c.is_working(date!(2026 - 01 - 09)), "transferred from 3 January");
        assert!(c.is_working(date!(2026 - 01 - 12)));
        assert!(!c.is_working(date!(2026 - 03 - 09)), "8 March fell on a Sunday");
        assert!(c.is_working(date!(2025 - 11 - 01)), "a working Saturday");
        assert!(!c.is_working(date!(2027 - 06 - 12)), "art. 112 holidays hold in years without a decree");
        assert!(!c.is_working(date!(2026 - 11 - 22)), "a Sunday");
    }

    #[test]
    fn working_days_across_the_new_year_holidays() {
        let c = WorkCalendar::russian().unwrap();
        // Submitted on Monday 28 December 2026: the 29th and 30th count, 31 December and the
        // January holidays do not, so the third working day is Monday 11 January 2027.
        assert_eq!(c.add_working_days(date!(2026 - 12 - 28), 3), date!(2027 - 01 - 11));
        assert_eq!(c.add_working_days(date!(2026 - 11 - 20), 5), date!(2026 - 11 - 27));
        assert_eq!(c.working_days_between(date!(2026 - 11 - 20), date!(2026 - 11 - 27)), 5);
        assert_eq!(c.working_days_between(date!(2026 - 11 - 27), date!(2026 - 11 - 20)), 0);
    }

    #[test]
    fn bad_lines_are_named() {
        assert_eq!(WorkCalendar::parse("2026-13-01 off").unwrap_err().line, 1);
        assert!(WorkCalendar::parse("# c\n2026-01-09 holiday").unwrap_err().problem.contains("off"));
        assert!(WorkCalendar::parse("2026-01-09 off\n2026-01-09 work").unwrap_err().problem.contains("twice"));
        assert!(WorkCalendar::parse("2026-01-09").is_err());
    }

    proptest! {
        #[test]
        fn adding_then_counting_agrees(days in 0i64..3000, n in 0u32..60) {
            let c = WorkCalendar::russian().unwrap();
            let start = date!(2024 - 01 - 01) + Duration::days(days);
            let end = c.add_working_days(start, n);
            prop_assert_eq!(c.working_days_between(start, end), n);
            prop_assert!(n == 0 || c.is_working(end));
        }
    }
}

//! Time as a port, so that expiry, lockout and deadlines are tested with an injected clock.

use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// Source of the current UTC time.
pub trait Clock: Send + Sync {
    /// Now, in UTC, truncated to microseconds (what both databases keep).
    fn now(&self) -> OffsetDateTime;
}

/// The calendar day of `t` in Moscow (UTC+3, no daylight saving): what a person means by
/// «today», and what documents print.
pub fn moscow_day(t: OffsetDateTime) -> time::Date {
    t.checked_to_offset(time::macros::offset!(+3)).unwrap_or(t).date()
}

/// `t` in Moscow as documents print it: `ДД.ММ.ГГГГ ЧЧ:ММ`, with `:СС` when `seconds`.
pub fn moscow_time(t: OffsetDateTime, seconds: bool) -> String {
    let m = t.checked_to_offset(time::macros::offset!(+3)).unwrap_or(t);
    let day = crate::ident::ru_date(m.date());
    if seconds {
        format!("{day} {:02}:{:02}:{:02}", m.hour(), m.minute(), m.second())
    } else {
        format!("{day} {:02}:{:02}", m.hour(), m.minute())
    }
}

/// Truncates to whole microseconds so values survive a round trip through storage unchanged.
pub fn to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let nanos = t.nanosecond();
    t.replace_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        to_micros(OffsetDateTime::now_utc())
    }
}

/// A clock that moves only when told to, for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    /// Starts at `t`.
    pub fn new(t: OffsetDateTime) -> Self {
        Self(Mutex::new(to_micros(t)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.0.lock().map(|t| *t).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moscow_time_is_utc_plus_three() {
        let t = time::macros::datetime!(2026-12-31 21:05:09 UTC);
        assert_eq!(moscow_time(t, false), "01.01.2027 00:05");
        assert_eq!(moscow_time(t, true), "01.01.2027 00:05:09");
    }

    #[test]
    fn system_clock_is_utc_and_whole_microseconds() {
        let t = SystemClock.now();
        assert_eq!(t.offset(), time::UtcOffset::UTC);
        assert_eq!(t.nanosecond() % 1_000, 0);
    }

    #[test]
    fn manual_clock_advances() {
        let c = ManualClock::new(OffsetDateTime::UNIX_EPOCH);
        c.advance(Duration::minutes(15));
        assert_eq!(c.now(), OffsetDateTime::UNIX_EPOCH + Duration::minutes(15));
    }
}

//! Money as integer kopecks: no floating point anywhere near amounts.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in kopecks (1 ₽ = 100 коп.). Negative values are refunds or credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kopecks(pub i64);

impl Kopecks {
    /// Sum that refuses to overflow instead of wrapping.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// Rubles as people type them — `1 250,00`, `1250.5`, `1250 ₽` — into kopecks; `None`
    /// for anything else (a sign, three decimals, letters, an amount beyond a trillion).
    pub fn parse_rubles(s: &str) -> Option<Self> {
        let t: String = s
            .trim()
            .trim_end_matches('₽')
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
            .collect();
        let (whole, frac) = match t.split_once([',', '.']) {
            Some((w, f)) => (w, f),
            None => (t.as_str(), ""),
        };
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 13 || frac.len() > 2 || !digits(whole) || !digits(frac) {
            return None;
        }
        let rubles: i64 = whole.parse().ok()?;
        let kopecks: i64 = format!("{frac:0<2}").parse().ok()?;
        rubles.checked_mul(100)?.checked_add(kopecks).map(Self)
    }
}

/// `n` with a no-break space between thousands: `1 234 567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    grouped
}

impl fmt::Display for Kopecks {
    /// Russian form: `1 234,56 ₽` with a no-break space between thousands.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "−" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{},{:02}\u{a0}₽", group_thousands(abs / 100), abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_russian_way() {
        assert_eq!(Kopecks(123_456).to_string(), "1\u{a0}234,56\u{a0}₽");
        assert_eq!(Kopecks(5).to_string(), "0,05\u{a0}₽");
        assert_eq!(Kopecks(-100_000_000).to_string(), "−1\u{a0}000\u{a0}000,00\u{a0}₽");
        assert_eq!(Kopecks(i64::MIN).to_string().chars().filter(char::is_ascii_digit).count(), 19);
        assert_eq!(Kopecks(i64::MAX).checked_add(Kopecks(1)), None);
    }

    #[test]
    fn rubles_parse_as_typed() {
        for (typed, k) in
            [("1 250,00", 125_000), ("1250", 125_000), ("1250.5", 125_050), ("0,05", 5), (" 7\u{a0}345,12 ₽", 734_512)]
        {
            assert_eq!(Kopecks::parse_rubles(typed), Some(Kopecks(k)), "{typed}");
        }
        for bad in ["", "-5", "1,234", "1,2,3", "abc", "12e3", ",50", "10000000000000"] {
            assert_eq!(Kopecks::parse_rubles(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// What the portal prints reads back as the same amount.
        #[test]
        fn printed_amounts_read_back(k in 0i64..1_000_000_000_000) {
            proptest::prop_assert_eq!(Kopecks::parse_rubles(&Kopecks(k).to_string()), Some(Kopecks(k)));
        }
    }
}

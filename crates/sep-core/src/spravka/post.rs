//! A paper copy by post: the tracking number (ШПИ) and the emulated journey «Принято в
//! отделении связи» → «В пути» → «Вручено».
//!
//! A domestic Russian Post tracking number has 14 digits: the accepting office's 6-digit
//! postcode, the 2-digit month, a 5-digit serial and a check digit. The check digit is the
//! mod-10 rule with weights 3 and 1 from the left (as in EAN-13); the rule the post uses is
//! not published, so the emulator keeps to this one consistently (see docs/DECISIONS.md).

use time::Duration;

/// The office that accepts the portal's letters (Московский почтамт).
pub const SENDING_OFFICE: &str = "101000";

/// The emulated post moves a letter one step this long after the last.
pub const STEP: Duration = Duration::minutes(2);

/// The check digit of the first 13 digits.
pub fn check_digit(first13: &str) -> Option<u8> {
    if first13.len() != 13 || !first13.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first13.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    u8::try_from((10 - sum % 10) % 10).ok()
}

/// The tracking number of the `serial`-th letter (its last five digits) sent in `month`
/// from `office`.
pub fn tracking_number(office: &str, month: u8, serial: u64) -> Option<String> {
    let first = format!("{office}{month:02}{:05}", serial % 100_000);
    check_digit(&first).map(|c| format!("{first}{c}"))
}

/// Whether `s` is a well-formed tracking number with its check digit.
pub fn is_valid(s: &str) -> bool {
    s.len() == 14 && s.get(..13).and_then(check_digit).is_some_and(|c| s.ends_with(char::from(b'0' + c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracking_number_has_postcode_month_serial_and_check_digit() {
        let n = tracking_number("101000", 12, 42).unwrap();
        assert_eq!(n.len(), 14);
        assert!(n.starts_with("1010001200042"));
        assert!(is_valid(&n));
        // By hand, weights 3, 1, 3, …: 3+0+3+0+0+0+3+2+0+0+0+4+6 = 21, so 9.
        assert_eq!(check_digit("1010001200042"), Some(9));
        assert!(!is_valid("10100012000420"));
        assert!(!is_valid("1010001200042"));
        assert_eq!(tracking_number("1010", 12, 1), None);
    }

    proptest::proptest! {
        /// Any one changed digit is caught by the check digit.
        #[test]
        fn one_wrong_digit_is_caught(serial in 0u64..100_000, month in 1u8..=12, pos in 0usize..14, d in 1u8..10) {
            let n = tracking_number(SENDING_OFFICE, month, serial).unwrap();
            proptest::prop_assert!(is_valid(&n));
            let mut b = n.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + d) % 10;
            proptest::prop_assert!(!is_valid(&String::from_utf8(b).unwrap()));
        }
    }
}

//! Digit helpers shared by the identifier parsers.

/// Keeps the digits of `input`, allowing only the separators people type between groups
/// (spaces, dashes, no-break spaces). Returns `None` when anything else is present.
pub(crate) fn digits_with_separators(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    for ch in input.trim().chars() {
        match ch {
            '0'..='9' => out.push(ch as u8 - b'0'),
            ' ' | '-' | '\u{a0}' | '\u{2011}' | '\u{2013}' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Digits only, no separators at all.
pub(crate) fn plain_digits(input: &str) -> Option<Vec<u8>> {
    let t = input.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(t.bytes().map(|b| b - b'0').collect())
}

/// Weighted sum of digits.
pub(crate) fn weighted(digits: &[u8], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| u32::from(*d) * w).sum()
}

/// Digits to a string.
pub(crate) fn to_string(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// The value of a run of digits as a number (up to 19 digits fit in `u64`).
pub(crate) fn number(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |acc, d| acc * 10 + u64::from(*d))
}

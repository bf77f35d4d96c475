//! `application/x-www-form-urlencoded` encoding and decoding for redirect URLs and client
//! credentials (RFC 6749 §2.3.1 and Appendix B).

/// Percent-encodes everything but unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes `+` and `%XX`; `None` on malformed escapes or invalid UTF-8.
pub(crate) fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `base?k=v&k2=v2`, appending to an existing query.
pub(crate) fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let q: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", q.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_appends() {
        assert_eq!(decode(&encode("a b&c=д/?")).unwrap(), "a b&c=д/?");
        assert_eq!(decode("a+b%3A").unwrap(), "a b:");
        assert!(decode("%zz").is_none() && decode("%4").is_none());
        assert_eq!(with_query("https://rp/cb", &[("code", "x y")]), "https://rp/cb?code=x%20y");
        assert_eq!(with_query("https://rp/cb?a=1", &[("state", "s")]), "https://rp/cb?a=1&state=s");
    }
}

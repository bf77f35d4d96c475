//! E-mail addresses: a practical check (what mail systems deliver to), not full RFC 5322.

use super::IdError;
use std::fmt;

/// An e-mail address with its domain lower-cased. Personal data: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

fn local_ok(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().count() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

impl Email {
    /// Parses `name@example.ru` (Cyrillic domains such as `почта.рф` are accepted).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let t = input.trim();
        let (local, domain) = t.rsplit_once('@').ok_or(IdError::EmailFormat)?;
        if t.len() > 254 || !local_ok(local) || !domain_ok(domain) {
            return Err(IdError::EmailFormat);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(***@***)")
    }
}

super::display_as_str!(Email);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(Email::parse(" Ivan.Petrov@Example.RU ").unwrap().as_str(), "Ivan.Petrov@example.ru");
        assert!(Email::parse("user+tag@mail.example.com").is_ok());
        assert!(Email::parse("иван@почта.рф").is_ok());
        for bad in [
            "",
            "ivan",
            "ivan@",
            "@example.ru",
            "ivan@example",
            "ivan@@example.ru",
            "iv an@example.ru",
            "ivan@exa mple.ru",
            ".ivan@example.ru",
            "ivan..p@example.ru",
            "ivan@-example.ru",
            "ivan@example.123",
            "ivan@example..ru",
        ] {
            assert_eq!(Email::parse(bad), Err(IdError::EmailFormat), "{bad}");
        }
        assert_eq!(format!("{:?}", Email::parse("a@b.ru").unwrap()), "Email(***@***)");
    }

    proptest! {
        #[test]
        fn generated_addresses_parse(local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", host in "[a-z0-9]{1,10}", tld in "[a-z]{2,6}") {
            prop_assume!(!local.contains(".."));
            let s = format!("{local}@{host}.{tld}");
            prop_assert_eq!(Email::parse(&s).unwrap().as_str().to_owned(), s.as_str());
        }

        #[test]
        fn without_at_or_dot_fails(local in "[a-z]{1,10}", host in "[a-z]{1,10}") {
            prop_assert_eq!(Email::parse(&format!("{local}{host}.ru")), Err(IdError::EmailFormat));
            prop_assert_eq!(Email::parse(&format!("{local}@{host}")), Err(IdError::EmailFormat));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
            let _ = Email::parse(&s);
        }
    }
}

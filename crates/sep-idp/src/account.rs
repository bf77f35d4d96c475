//! Госуслуги accounts and organisations (SPEC I1, I5).

use sep_core::ident::{Email, Inn, Phone, Snils};
use sep_core::user::Profile;
use time::OffsetDateTime;

/// Account id: numeric, like ЕСИА's `oid`.
pub type Oid = i64;

/// How far the person's identity has been checked (ЕСИА's account levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Упрощённая: phone or e-mail only.
    Simplified,
    /// Стандартная: СНИЛС and passport checked against registries.
    Standard,
    /// Подтверждённая: identity confirmed in person or by e-signature.
    Confirmed,
}

impl Level {
    /// Stable code as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Simplified => "simplified",
            Self::Standard => "standard",
            Self::Confirmed => "confirmed",
        }
    }

    /// From the stored code.
    pub fn from_code(c: &str) -> Option<Self> {
        match c {
            "simplified" => Some(Self::Simplified),
            "standard" => Some(Self::Standard),
            "confirmed" => Some(Self::Confirmed),
            _ => None,
        }
    }

    /// The Russian name shown to users.
    pub fn title(self) -> &'static str {
        match self {
            Self::Simplified => "Упрощённая",
            Self::Standard => "Стандартная",
            Self::Confirmed => "Подтверждённая",
        }
    }

    /// ЕСИА's `urn:esia:sbj:lvl`: `PR` for confirmed, `P` otherwise.
    pub fn esia_lvl(self) -> &'static str {
        if self == Self::Confirmed { "PR" } else { "P" }
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub oid: Oid,
    /// Personal data (the phone is the main login).
    pub profile: Profile,
    /// Level.
    pub level: Level,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Base32 TOTP secret, when the person enabled an authenticator app.
    pub totp_secret: Option<String>,
    /// Creation time.
    pub created_at: OffsetDateTime,
}

/// What a person typed into "Телефон, почта или СНИЛС" (ИНН accepted too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginId {
    /// A phone number.
    Phone(Phone),
    /// An e-mail address.
    Email(Email),
    /// A СНИЛС.
    Snils(Snils),
    /// A person's ИНН.
    Inn(Inn),
}

impl LoginId {
    /// Every reading of what was typed: `@` makes an e-mail; otherwise the phone, СНИЛС and
    /// ИНН readings that are valid (an 11-digit number starting with 8 may be both a phone
    /// and a СНИЛС; the login looks both up). Empty when nothing fits.
    pub fn readings(input: &str) -> Vec<Self> {
        let t = input.trim();
        if t.contains('@') {
            return Email::parse(t).map(Self::Email).into_iter().collect();
        }
        let mut out = Vec::new();
        if !t.starts_with('+') {
            if let Ok(s) = Snils::parse(t) {
                out.push(Self::Snils(s));
            }
            if let Ok(i) = Inn::parse_person(t) {
                out.push(Self::Inn(i));
            }
        }
        if let Ok(p) = Phone::parse(t) {
            out.push(Self::Phone(p));
        }
        out
    }

    /// A stable key for counting failures against an identifier no account has.
    pub fn key(&self) -> String {
        match self {
            Self::Phone(p) => format!("phone:{}", p.as_str()),
            Self::Email(e) => format!("email:{}", e.as_str().to_lowercase()),
            Self::Snils(s) => format!("snils:{}", s.as_digits()),
            Self::Inn(i) => format!("inn:{}", i.as_str()),
        }
    }
}

/// An organisation (legal entity) with employees (SPEC I5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Id, numeric like an account's.
    pub oid: Oid,
    /// Full name.
    pub full_name: String,
    /// Short name.
    pub short_name: String,
    /// ИНН (10 digits).
    pub inn: Inn,
    /// ОГРН.
    pub ogrn: sep_core::ident::Ogrn,
    /// КПП.
    pub kpp: sep_core::ident::Kpp,
}

/// An account's place in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The organisation.
    pub org_oid: Oid,
    /// The employee.
    pub account_oid: Oid,
    /// Position, e.g. «Генеральный директор».
    pub position: String,
    /// Whether the employee is the head (руководитель) of the organisation.
    pub chief: bool,
    /// Whether the employee is an administrator of the organisation's profile.
    pub admin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_identifiers_are_recognised_by_shape() {
        let one = |s: &str| {
            let r = LoginId::readings(s);
            assert_eq!(r.len(), 1, "{s}: {r:?}");
            r.into_iter().next().unwrap()
        };
        assert!(matches!(one("+7 912 345-67-89"), LoginId::Phone(_)));
        assert!(matches!(one("8 (912) 345-67-89"), LoginId::Phone(_)));
        assert!(matches!(one("Ivanov@Example.ru"), LoginId::Email(_)));
        assert!(matches!(one("112-233-445 95"), LoginId::Snils(_)));
        assert!(matches!(one("500100732259"), LoginId::Inn(_)));
        assert!(LoginId::readings("hello").is_empty());
        assert!(LoginId::readings("").is_empty());
        assert_eq!(one("+79123456789").key(), one("8 912 345 67 89").key());
        // 8 followed by ten digits that also pass the СНИЛС check: both readings are tried.
        let nine = [8, 9, 1, 2, 3, 4, 5, 6, 7];
        let c = sep_core::ident::check_digits::snils_check(&nine);
        let both = LoginId::readings(&format!("891234567{c:02}"));
        assert_eq!(both.len(), 2, "{both:?}");
    }
}

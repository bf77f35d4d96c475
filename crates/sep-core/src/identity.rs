//! What an identity provider says about a person, mapped onto a СЭП profile (SPEC L2, L3).
//!
//! Standard OpenID Connect claims are read first; ЕСИА's `urn:esia:sbj` is read when present
//! and gives the assurance level. Values that fail validation are dropped and named, never
//! stored: a provider's typo must not put an invalid СНИЛС into a profile.

use crate::ident::{DivisionCode, Email, Inn, PassportNumber, PassportSeries, Phone, RuDate, Snils};
use crate::user::org::Membership;
use crate::user::{Gender, Passport, Profile};
use serde_json::Value;

/// How far the provider vouches for the person's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assurance {
    /// ЕСИА says the account is confirmed (`is_tru`, or level `PR`).
    Confirmed,
    /// ЕСИА says the account is simplified or standard: not enough for СЭП (L3).
    NotConfirmed,
    /// A provider without ЕСИА claims: trusted as configured.
    Unstated,
}

/// The person as the provider describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderIdentity {
    /// `sub` (the ЕСИА oid).
    pub subject: String,
    /// The data granted, validated.
    pub profile: Profile,
    /// Assurance.
    pub assurance: Assurance,
    /// Claims present but refused by validation (`snils`, `inn`, …).
    pub refused: Vec<&'static str>,
    /// The organisations the person works for (`usr_org`); `None` when the provider did not
    /// say (the scope was not granted), which leaves what is stored alone.
    pub orgs: Option<Vec<Membership>>,
}

fn text<'a>(sources: &[&'a Value], key: &str) -> Option<&'a str> {
    sources.iter().find_map(|v| v.get(key).and_then(Value::as_str)).map(str::trim).filter(|s| !s.is_empty())
}

fn iso_date(s: &str) -> Option<RuDate> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    RuDate::parse(&format!("{d}.{m}.{y}")).ok()
}

fn assurance(sources: &[&Value]) -> Assurance {
    let Some(sbj) = sources.iter().find_map(|v| v.get("urn:esia:sbj")) else { return Assurance::Unstated };
    let trusted = sbj.get("urn:esia:sbj:is_tru").and_then(Value::as_bool) == Some(true);
    let level_pr = sbj.get("urn:esia:sbj:lvl").and_then(Value::as_str) == Some("PR");
    if trusted || level_pr { Assurance::Confirmed } else { Assurance::NotConfirmed }
}

/// `None` when the claim is absent; the value when valid; `None` and a note when not.
fn valid<T>(refused: &mut Vec<&'static str>, name: &'static str, parsed: Option<Option<T>>) -> Option<T> {
    match parsed {
        Some(Some(v)) => Some(v),
        Some(None) => {
            refused.push(name);
            None
        }
        None => None,
    }
}

impl ProviderIdentity {
    /// Reads the ID token's claims and the userinfo response (userinfo wins where both speak).
    pub fn from_claims(subject: &str, id_token: &Value, userinfo: &Value) -> Self {
        let sources = [userinfo, id_token];
        let mut refused = Vec::new();
        let r = &mut refused;
        let snils = valid(r, "snils", text(&sources, "snils").map(|s| Snils::parse(s).ok()));
        let inn = valid(r, "inn", text(&sources, "inn").map(|s| Inn::parse_person(s).ok()));
        let phone = valid(r, "phone_number", text(&sources, "phone_number").map(|s| Phone::parse(s).ok()));
        let email = valid(r, "email", text(&sources, "email").map(|s| Email::parse(s).ok()));
        let birth_date = valid(r, "birthdate", text(&sources, "birthdate").map(iso_date));
        let passport = sources.iter().find_map(|v| v.get("id_doc")).map(|d| {
            let f = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("");
            Some(Passport {
                series: PassportSeries::parse(f("series")).ok()?,
                number: PassportNumber::parse(f("number")).ok()?,
                issued_on: RuDate::parse(f("issueDate")).ok()?,
                issuer: f("issuedBy").to_owned(),
                division_code: DivisionCode::parse(f("issueId")).ok()?,
            })
        });
        let passport = valid(r, "id_doc", passport);
        let profile = Profile {
            last_name: text(&sources, "family_name").unwrap_or_default().to_owned(),
            first_name: text(&sources, "given_name").unwrap_or_default().to_owned(),
            middle_name: text(&sources, "middle_name").map(str::to_owned),
            birth_date,
            birth_place: text(&sources, "birthplace").map(str::to_owned),
            gender: match text(&sources, "gender") {
                Some("male") => Some(Gender::Male),
                Some("female") => Some(Gender::Female),
                _ => None,
            },
            snils,
            inn,
            phone,
            email,
            passport,
            address: None,
        };
        let orgs = sources.iter().find_map(|v| v.get("usr_org")).map(|list| {
            let given = list.as_array().map(Vec::as_slice).unwrap_or_default();
            let read: Vec<Membership> = given.iter().filter_map(Membership::from_claim).collect();
            let inactive = given.iter().filter(|o| o.get("active").and_then(Value::as_bool) == Some(false)).count();
            if read.len() + inactive < given.len() || !list.is_array() {
                refused.push("usr_org");
            }
            read
        });
        Self { subject: subject.to_owned(), profile, assurance: assurance(&sources), refused, orgs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn esia_claims_map_onto_a_profile() {
        let id = json!({"sub": "1000001", "urn:esia:sbj": {"urn:esia:sbj:lvl": "PR", "urn:esia:sbj:is_tru": true}});
        let info = json!({
            "sub": "1000001", "family_name": "Иванов", "given_name": "Иван", "middle_name": "Иванович",
            "birthdate": "1987-03-05", "gender": "male", "snils": "123-456-789 64", "inn": "770123456703",
            "phone_number": "+79123456789", "email": "ivanov@example.ru",
            "id_doc": {"series": "4510", "number": "000001", "issueDate": "10.04.2010", "issueId": "770-001", "issuedBy": "ГУ МВД"}
        });
        let p = ProviderIdentity::from_claims("1000001", &id, &info);
        assert_eq!(p.assurance, Assurance::Confirmed);
        assert_eq!(p.profile.full_name(), "Иванов Иван Иванович");
        assert_eq!(p.profile.birth_date.unwrap().to_string(), "05.03.1987");
        assert_eq!(p.profile.snils.unwrap().as_digits(), "12345678964");
        assert_eq!(p.profile.passport.unwrap().division_code.as_str(), "770-001");
        assert!(p.refused.is_empty());
        assert_eq!(p.orgs, None, "no usr_org: the provider said nothing of organisations");
    }

    #[test]
    fn organisations_are_read_and_invalid_ones_refused() {
        let org = |inn: &str, chief: bool| {
            json!({"oid": 2000001, "fullName": "ООО «Ромашка»", "shortName": "ООО «Ромашка»", "ogrn": "1027700000019",
                   "inn": inn, "kpp": "770101001", "chief": chief, "admin": false, "position": "Бухгалтер"})
        };
        let info = json!({"usr_org": [org("7701000019", true), org("7701000018", false)]});
        let p = ProviderIdentity::from_claims("3", &json!({}), &info);
        let orgs = p.orgs.unwrap();
        assert_eq!(orgs.len(), 1);
        assert!(orgs[0].chief);
        assert_eq!(p.refused, vec!["usr_org"]);
        let none = ProviderIdentity::from_claims("3", &json!({}), &json!({"usr_org": []}));
        assert_eq!(none.orgs, Some(vec![]), "an empty list says the person works for nobody");
        assert!(none.refused.is_empty());
    }

    #[test]
    fn unconfirmed_and_unstated_and_invalid_values() {
        let id = json!({"urn:esia:sbj": {"urn:esia:sbj:lvl": "P"}});
        let p = ProviderIdentity::from_claims("2", &id, &json!({"snils": "123-456-789 65", "inn": "12"}));
        assert_eq!(p.assurance, Assurance::NotConfirmed);
        assert!(p.profile.snils.is_none() && p.profile.inn.is_none());
        assert_eq!(p.refused, vec!["snils", "inn"]);
        let plain = ProviderIdentity::from_claims("3", &json!({}), &json!({"given_name": "Anna"}));
        assert_eq!(plain.assurance, Assurance::Unstated);
        assert_eq!(plain.profile.first_name, "Anna");
    }
}

/// An identifier that differs between the СЭП profile and the provider (SPEC L5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// Another СНИЛС.
    Snils,
    /// Another ИНН.
    Inn,
    /// Another e-mail.
    Email,
    /// Another phone.
    Phone,
}

impl Mismatch {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Snils => "relink_snils_mismatch",
            Self::Inn => "relink_inn_mismatch",
            Self::Email => "relink_email_changed",
            Self::Phone => "relink_phone_changed",
        }
    }

    /// The field's Russian name.
    pub fn field(self) -> &'static str {
        match self {
            Self::Snils => "СНИЛС",
            Self::Inn => "ИНН",
            Self::Email => "Электронная почта",
            Self::Phone => "Телефон",
        }
    }
}

/// Identifiers both sides have and that differ. A value only one side has is not a mismatch.
pub fn mismatches(stored: &Profile, provider: &Profile) -> Vec<Mismatch> {
    fn differ<T: PartialEq>(a: Option<&T>, b: Option<&T>) -> bool {
        matches!((a, b), (Some(x), Some(y)) if x != y)
    }
    let mut out = Vec::new();
    if differ(stored.snils.as_ref(), provider.snils.as_ref()) {
        out.push(Mismatch::Snils);
    }
    if differ(stored.inn.as_ref(), provider.inn.as_ref()) {
        out.push(Mismatch::Inn);
    }
    if differ(stored.email.as_ref(), provider.email.as_ref()) {
        out.push(Mismatch::Email);
    }
    if differ(stored.phone.as_ref(), provider.phone.as_ref()) {
        out.push(Mismatch::Phone);
    }
    out
}

/// A contact both sides still agree on, for the re-link code: the phone first, else e-mail.
pub fn shared_contact(stored: &Profile, provider: &Profile) -> Option<(&'static str, String)> {
    match (&stored.phone, &provider.phone, &stored.email, &provider.email) {
        (Some(a), Some(b), _, _) if a == b => Some(("sms", a.as_str().to_owned())),
        (_, _, Some(a), Some(b)) if a == b => Some(("email", a.as_str().to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod relink_tests {
    use super::*;

    #[test]
    fn mismatches_and_the_shared_contact() {
        let stored = Profile {
            snils: Some(Snils::parse("123-456-789 64").unwrap()),
            phone: Some(Phone::parse("+79123456789").unwrap()),
            email: Some(Email::parse("a@example.ru").unwrap()),
            ..Profile::default()
        };
        let mut now = stored.clone();
        assert!(mismatches(&stored, &now).is_empty());
        now.snils = Some(Snils::parse("234-567-890 99").unwrap());
        now.email = Some(Email::parse("b@example.ru").unwrap());
        now.inn = Some(Inn::parse("500100732259").unwrap());
        assert_eq!(
            mismatches(&stored, &now),
            vec![Mismatch::Snils, Mismatch::Email],
            "an ИНН only one side has is not a mismatch"
        );
        assert_eq!(shared_contact(&stored, &now), Some(("sms", "+79123456789".to_owned())));
        now.phone = Some(Phone::parse("+79990001122").unwrap());
        assert_eq!(shared_contact(&stored, &now), None);
        now.email = stored.email.clone();
        assert_eq!(shared_contact(&stored, &now), Some(("email", "a@example.ru".to_owned())));
    }
}

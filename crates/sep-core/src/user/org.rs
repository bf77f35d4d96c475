//! The organisations a person works for, as Госуслуги says (`usr_org`, or ЕСИА's
//! `/rs/prns/{oid}/orgs`): replaced at every login, because Госуслуги is where a person's
//! place in an organisation is kept. СЭП has no organisation roles of its own yet, so acting
//! for an organisation (ordering its справка) needs its head.

use crate::ident::{Inn, Kpp, Ogrn};
use serde_json::Value;

/// A person's place in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The organisation's id at the identity provider.
    pub org_oid: String,
    /// Полное наименование.
    pub full_name: String,
    /// Сокращённое наименование («ООО «Ромашка»»).
    pub short_name: String,
    /// ИНН (10 digits).
    pub inn: Inn,
    /// ОГРН.
    pub ogrn: Ogrn,
    /// КПП, when the provider gives one.
    pub kpp: Option<Kpp>,
    /// Должность.
    pub position: String,
    /// The head (руководитель).
    pub chief: bool,
    /// An administrator of the organisation's account at Госуслуги.
    pub admin: bool,
}

impl Membership {
    /// Whether the person may act for the organisation in СЭП. Until organisation roles
    /// exist, only its head may (SPEC S1: ordering for an organisation needs its role).
    pub const fn may_act(&self) -> bool {
        self.chief
    }

    /// Reads one entry of `usr_org` (the same fields ЕСИА's `/orgs` elements have); `None`
    /// when an identifier is missing or invalid — such an entry is dropped, never stored.
    pub fn from_claim(v: &Value) -> Option<Self> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::trim).unwrap_or_default().to_owned();
        if v.get("active").and_then(Value::as_bool) == Some(false) {
            return None;
        }
        let org_oid = match v.get("oid") {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            _ => return None,
        };
        let inn = Inn::parse_organisation(&text("inn")).ok()?;
        let ogrn = Ogrn::parse(&text("ogrn")).ok()?;
        let kpp = match text("kpp") {
            k if k.is_empty() => None,
            k => Some(Kpp::parse(&k).ok()?),
        };
        let (full_name, short_name) = (text("fullName"), text("shortName"));
        if full_name.is_empty() && short_name.is_empty() {
            return None;
        }
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        Some(Self {
            org_oid,
            full_name: if full_name.is_empty() { short_name.clone() } else { full_name },
            short_name: if short_name.is_empty() { text("fullName") } else { short_name },
            inn,
            ogrn,
            kpp,
            position: text("position"),
            chief: flag("chief"),
            admin: flag("admin"),
        })
    }
}

/// A [`Membership`] as stored: text columns, checked again when read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRecord {
    /// See [`Membership`].
    pub org_oid: String,
    /// See [`Membership`].
    pub full_name: String,
    /// See [`Membership`].
    pub short_name: String,
    /// See [`Membership`].
    pub inn: String,
    /// See [`Membership`].
    pub ogrn: String,
    /// See [`Membership`].
    pub kpp: Option<String>,
    /// See [`Membership`].
    pub position: String,
    /// See [`Membership`].
    pub chief: bool,
    /// See [`Membership`].
    pub admin: bool,
}

impl MembershipRecord {
    /// The membership, or which identifier is corrupt.
    pub fn into_membership(self) -> Result<Membership, String> {
        let bad = |what: &str| format!("user_orgs: invalid {what}");
        Ok(Membership {
            inn: Inn::parse_organisation(&self.inn).map_err(|_| bad("inn"))?,
            ogrn: Ogrn::parse(&self.ogrn).map_err(|_| bad("ogrn"))?,
            kpp: self.kpp.map(|k| Kpp::parse(&k)).transpose().map_err(|_| bad("kpp"))?,
            org_oid: self.org_oid,
            full_name: self.full_name,
            short_name: self.short_name,
            position: self.position,
            chief: self.chief,
            admin: self.admin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn romashka() -> Value {
        json!({"oid": 2000001, "fullName": "Общество с ограниченной ответственностью «Ромашка»", "shortName": "ООО «Ромашка»",
               "ogrn": "1027700000019", "inn": "7701000019", "kpp": "770101001", "chief": true, "admin": true,
               "position": "Генеральный директор", "active": true})
    }

    #[test]
    fn an_esia_organisation_reads_back() {
        let m = Membership::from_claim(&romashka()).unwrap();
        assert_eq!(m.org_oid, "2000001");
        assert_eq!(m.short_name, "ООО «Ромашка»");
        assert_eq!(m.inn.as_str(), "7701000019");
        assert_eq!(m.kpp.as_ref().map(Kpp::as_str), Some("770101001"));
        assert!(m.may_act());
        let mut staff = romashka();
        staff["chief"] = json!(false);
        assert!(!Membership::from_claim(&staff).unwrap().may_act(), "an employee is not its head");
    }

    #[test]
    fn invalid_or_inactive_entries_are_dropped() {
        for (k, v) in [
            ("inn", json!("7701000018")),
            ("ogrn", json!("1")),
            ("kpp", json!("77")),
            ("oid", json!(null)),
            ("active", json!(false)),
        ] {
            let mut o = romashka();
            o[k] = v;
            assert_eq!(Membership::from_claim(&o), None, "{k}");
        }
        let mut person_inn = romashka();
        person_inn["inn"] = json!("770123456703");
        assert_eq!(Membership::from_claim(&person_inn), None, "a person's ИНН is not an organisation's");
    }
}

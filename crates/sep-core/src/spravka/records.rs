//! The registries a справка reads, behind one port ([`Records`]): unlike the yes/no checks
//! of an application (`crate::registry`), a справка is the person's own record, handed to
//! the person it describes. The emulator (`crate::registry::records`) answers for the demo
//! people; a real adapter (СМЭВ) implements the same trait.

use crate::registry::Unavailable;
use async_trait::async_trait;
use time::Date;

/// Every registry a kind may name. `sep.registration` is the portal's own record.
pub const REGISTRIES: [&str; 8] = [
    "fns.income",
    "sfr.account",
    "sep.registration",
    "fns.arrears",
    "sfr.support",
    "foms.policy",
    "fssp.proceedings",
    "fnp.powers",
];

/// The person a справка is about, as the portal knows them (verified by Госуслуги).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Фамилия.
    pub last_name: String,
    /// Имя.
    pub first_name: String,
    /// Отчество, may be empty.
    pub middle_name: String,
    /// Дата рождения `ДД.ММ.ГГГГ`, may be empty.
    pub birth_date: String,
    /// СНИЛС, digits only.
    pub snils: Option<String>,
    /// ИНН, digits only.
    pub inn: Option<String>,
    /// The organisation it is about, when ordered for one by its head (the person above).
    pub org: Option<OrgHolder>,
}

/// An organisation a справка is about, as Госуслуги named it when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgHolder {
    /// Полное наименование.
    pub full_name: String,
    /// Сокращённое наименование.
    pub short_name: String,
    /// ИНН, 10 digits.
    pub inn: String,
    /// ОГРН.
    pub ogrn: String,
    /// КПП, when known.
    pub kpp: Option<String>,
}

impl From<&crate::user::org::Membership> for OrgHolder {
    fn from(m: &crate::user::org::Membership) -> Self {
        Self {
            full_name: m.full_name.clone(),
            short_name: m.short_name.clone(),
            inn: m.inn.as_str().to_owned(),
            ogrn: m.ogrn.as_str().to_owned(),
            kpp: m.kpp.as_ref().map(|k| k.as_str().to_owned()),
        }
    }
}

impl Holder {
    /// «Иванов И. И.»: what a public page may show of the holder; an organisation's short
    /// name (an organisation's name is public).
    pub fn initials(&self) -> String {
        if let Some(o) = &self.org {
            return o.short_name.clone();
        }
        let first = |s: &str| s.chars().next().map(|c| format!(" {c}.")).unwrap_or_default();
        format!("{}{}{}", self.last_name, first(&self.first_name), first(&self.middle_name))
    }

    /// «Иванов Иван Иванович».
    pub fn full_name(&self) -> String {
        [self.last_name.as_str(), self.first_name.as_str(), self.middle_name.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a registry says about the holder: a table, totals, and a sentence that states the
/// result in words (printed above the table).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extract {
    /// The result in words («Неисполненной обязанности … не имеется»).
    pub statement: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows, each as many cells as columns.
    pub rows: Vec<Vec<String>>,
    /// Label and value lines under the table («Итого доход»).
    pub totals: Vec<(String, String)>,
}

/// Reads one registry's record of a person.
#[async_trait]
pub trait Records: Send + Sync {
    /// The record of `holder` (the organisation, when `holder.org` names one) in `registry` (one of [`REGISTRIES`] except `sep.*`) for the
    /// period when the kind takes one; `Ok(None)` when the registry knows nothing of them;
    /// `Err` when it could not answer (the job retries).
    async fn read(
        &self,
        registry: &str,
        holder: &Holder,
        period: Option<(Date, Date)>,
    ) -> Result<Option<Extract>, Unavailable>;
}

/// Kopecks as «123 456,78» (a table cell: no «₽», an ASCII minus).
pub fn rubles(kopecks: i64) -> String {
    let sign = if kopecks < 0 { "-" } else { "" };
    let k = kopecks.unsigned_abs();
    format!("{sign}{},{:02}", crate::money::group_thousands(k / 100), k % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rubles_are_grouped_with_a_comma() {
        assert_eq!(rubles(0), "0,00");
        assert_eq!(rubles(12_345_678), "123\u{a0}456,78");
        assert_eq!(rubles(100_000_000), "1\u{a0}000\u{a0}000,00");
        assert_eq!(rubles(-505), "-5,05");
    }

    #[test]
    fn the_holder_shows_initials_only() {
        let h = Holder {
            last_name: "Иванов".into(),
            first_name: "Иван".into(),
            middle_name: "Иванович".into(),
            birth_date: "05.03.1987".into(),
            snils: None,
            inn: None,
            org: None,
        };
        assert_eq!(h.initials(), "Иванов И. И.");
        assert_eq!(Holder { middle_name: String::new(), ..h.clone() }.initials(), "Иванов И.");
        let org = OrgHolder {
            full_name: "Общество с ограниченной ответственностью «Ромашка»".into(),
            short_name: "ООО «Ромашка»".into(),
            inn: "7701000019".into(),
            ogrn: "1027700000019".into(),
            kpp: None,
        };
        assert_eq!(Holder { org: Some(org), ..h }.initials(), "ООО «Ромашка»");
    }
}

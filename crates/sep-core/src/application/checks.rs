//! The automatic checks of a sent application against the registries (SPEC R7): which
//! registry is asked what, per applicant type, and how each answer becomes a named reason
//! the applicant can act on. Codes are `{check}_{verdict}`, e.g. `mvd_passport_invalid`.

use super::record::Application;
use super::status::Reason;
use crate::catalogue::ApplicantType;
use crate::registry::{PersonQuery, Registries, Unavailable, Verdict};

/// One check: what is asked, of whom, and how to fix a failure.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Code prefix.
    pub key: &'static str,
    /// The registry asked.
    pub registry: &'static str,
    /// What is checked, in Russian.
    pub subject: &'static str,
    /// What to do when it fails.
    pub fix: &'static str,
}

/// Every check, in the order they run.
pub const CHECKS: [Check; 5] = [
    Check {
        key: "sfr_snils",
        registry: "СФР",
        subject: "СНИЛС",
        fix: "Сверьте СНИЛС, ФИО и дату рождения с карточкой СНИЛС или выпиской из приложения СФР.",
    },
    Check {
        key: "fns_inn",
        registry: "ФНС",
        subject: "ИНН",
        fix: "Сверьте ИНН на сайте ФНС («Узнать ИНН») и исправьте его или ФИО и дату рождения.",
    },
    Check {
        key: "mvd_passport",
        registry: "МВД",
        subject: "Паспорт",
        fix: "Укажите серию и номер действующего паспорта; если паспорт заменён, введите данные нового.",
    },
    Check {
        key: "fns_egrip",
        registry: "ФНС (ЕГРИП)",
        subject: "ОГРНИП",
        fix: "Сверьте ОГРНИП и ИНН с листом записи ЕГРИП.",
    },
    Check {
        key: "fns_egrul",
        registry: "ФНС (ЕГРЮЛ)",
        subject: "Организация",
        fix: "Сверьте ОГРН, ИНН и КПП с выпиской ЕГРЮЛ; ликвидированная организация зарегистрироваться не может.",
    },
];

/// The verdict suffixes and their wording.
const VERDICTS: [(&str, &str); 3] =
    [("not_found", "не найден в реестре"), ("mismatch", "не совпадает"), ("invalid", "недействителен")];

/// Every reason code a check can give, with its explanation (for the help pages).
pub fn reason_codes() -> Vec<(String, String)> {
    CHECKS
        .iter()
        .flat_map(|c| {
            VERDICTS.iter().map(move |(suffix, word)| {
                (format!("{}_{suffix}", c.key), format!("{}: {} {word}. {}", c.registry, c.subject, c.fix))
            })
        })
        .collect()
}

fn reason(check: &Check, verdict: Verdict) -> Option<Reason> {
    let (suffix, detail) = match verdict {
        Verdict::Match => return None,
        Verdict::NotFound => ("not_found", "не найден в реестре".to_owned()),
        Verdict::Mismatch(d) => ("mismatch", d),
        Verdict::Invalid(d) => ("invalid", d),
    };
    Some(Reason {
        code: format!("{}_{suffix}", check.key),
        text: format!("{}: {} — {detail}. {}", check.registry, check.subject, check.fix),
    })
}

/// Runs the checks that apply to the application's applicant type. `Err` when a registry
/// did not answer: nothing is concluded and the whole set runs again later.
pub async fn run(app: &Application, r: &Registries) -> Result<Vec<Reason>, Unavailable> {
    let v = |name: &str| app.data.get(name).map_or("", |s| s.trim()).to_owned();
    let person = PersonQuery {
        last_name: v("last_name"),
        first_name: v("first_name"),
        middle_name: v("middle_name"),
        birth_date: v("birth_date"),
    };
    let mut reasons = Vec::new();
    let [snils, inn, passport, egrip, egrul] = &CHECKS;
    reasons.extend(reason(snils, r.sfr.verify_snils(&person, &v("snils")).await?));
    reasons.extend(reason(inn, r.fns.verify_inn(&person, &v("inn")).await?));
    let answer = r.mvd.verify_passport(&person, &v("passport_series"), &v("passport_number")).await?;
    reasons.extend(reason(passport, answer));
    match app.applicant_type {
        ApplicantType::Person => {}
        ApplicantType::Ip => {
            reasons.extend(reason(egrip, r.fns.verify_sole_proprietor(&person, &v("ogrnip"), &v("inn")).await?));
        }
        ApplicantType::Org => {
            let answer = r.fns.verify_legal_entity(&v("org_ogrn"), &v("org_inn"), &v("org_kpp")).await?;
            reasons.extend(reason(egrul, answer));
        }
    }
    Ok(reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::record::ApplicationId;
    use crate::application::status::Status;
    use crate::registry::emulator::EmulatedRegistries;
    use std::sync::Arc;

    fn app(kind: ApplicantType, pairs: &[(&str, &str)]) -> Application {
        let now = time::OffsetDateTime::now_utc();
        let mut data: std::collections::BTreeMap<String, String> = [
            ("last_name", "Иванов"),
            ("first_name", "Иван"),
            ("middle_name", "Иванович"),
            ("birth_date", "05.03.1987"),
            ("snils", "123-456-789 64"),
            ("inn", "770123456703"),
            ("passport_series", "4510"),
            ("passport_number", "000001"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in pairs {
            data.insert((*k).to_owned(), (*v).to_owned());
        }
        Application {
            id: ApplicationId::new(),
            number: None,
            user_id: crate::ids::UserId::new(),
            service: "registration".into(),
            applicant_type: kind,
            status: Status::UnderReview,
            data,
            consent: None,
            due_on: None,
            created_at: now,
            updated_at: now,
            submitted_at: None,
            assignee: None,
            checks_passed_at: None,
        }
    }

    #[tokio::test]
    async fn a_clean_citizen_passes_and_each_failure_is_named() {
        let r = Registries::all(Arc::new(EmulatedRegistries::new()));
        assert_eq!(run(&app(ApplicantType::Person, &[]), &r).await, Ok(vec![]));
        let bad = app(ApplicantType::Person, &[("passport_number", "999999"), ("inn", "770345678922")]);
        let codes: Vec<String> = run(&bad, &r).await.unwrap().into_iter().map(|r| r.code).collect();
        assert_eq!(codes, ["fns_inn_mismatch", "mvd_passport_invalid"]);
        let org = app(
            ApplicantType::Org,
            &[("org_ogrn", "1027700000020"), ("org_inn", "7702000029"), ("org_kpp", "770201001")],
        );
        let reasons = run(&org, &r).await.unwrap();
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].code, "fns_egrul_invalid");
        assert!(reasons[0].text.contains("ликвидирована"), "{}", reasons[0].text);
    }

    #[tokio::test]
    async fn an_outage_concludes_nothing() {
        let emu = Arc::new(EmulatedRegistries::new());
        emu.set_available("СФР", false);
        let e = run(&app(ApplicantType::Person, &[]), &Registries::all(emu)).await.unwrap_err();
        assert_eq!(e.registry, "СФР");
    }

    #[test]
    fn every_reason_code_has_an_explanation() {
        let codes = reason_codes();
        assert_eq!(codes.len(), CHECKS.len() * VERDICTS.len());
        assert!(codes.iter().any(|(c, t)| c == "mvd_passport_invalid" && t.contains("МВД")));
    }
}

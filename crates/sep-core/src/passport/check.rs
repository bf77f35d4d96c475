//! The e-passport checked against МВД's register when its holder signs in (seed 004: «При
//! первом входе в сервис система проверяет актуальность паспорта, сравнивая его с данными
//! государственного реестра. При обнаружении расхождений пользователь получает уведомление и
//! инструкцию по корректировке.»): at most once a day per record; a discrepancy, or a passport
//! the register says is not valid, is a critical notice with what to do, and a journal line.
//! A register that does not answer is asked again at the next login.

use super::record::PassportStatus;
use crate::audit::NewAuditEvent;
use crate::notice::NewNotice;
use crate::registry::{PassportRegistry, PersonQuery, Verdict};
use crate::store::{Effects, Store, StoreResult};
use crate::user::User;
use time::{Duration, OffsetDateTime};

/// How often a record is checked.
pub const EVERY: Duration = Duration::days(1);

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Nothing to check: no valid e-passport, or checked within [`EVERY`].
    Skipped,
    /// The register could not answer; asked again next time.
    Unanswered,
    /// The register agrees.
    Agrees,
    /// The register disagrees; the holder was told what.
    Differs(String),
}

/// Checks `user`'s valid e-passport against `registry` at `now`, when due.
pub async fn at_login(
    store: &dyn Store,
    registry: &dyn PassportRegistry,
    user: &User,
    now: OffsetDateTime,
) -> StoreResult<Found> {
    let records = store.list_passports_of_user(user.id).await?;
    let Some(p) = records.into_iter().find(|p| p.status == PassportStatus::Valid) else { return Ok(Found::Skipped) };
    if store.passport_checked_at(p.id).await?.is_some_and(|at| now - at < EVERY) {
        return Ok(Found::Skipped);
    }
    let query = PersonQuery {
        last_name: p.last_name.clone(),
        first_name: p.first_name.clone(),
        middle_name: p.middle_name.clone().unwrap_or_default(),
        birth_date: crate::ident::ru_date(p.birth_date),
    };
    let verdict = match registry.verify_passport(&query, &p.passport_series, &p.passport_number).await {
        Ok(v) => v,
        Err(_) => return Ok(Found::Unanswered),
    };
    let differs = match verdict {
        Verdict::Match => None,
        Verdict::Mismatch(what) | Verdict::Invalid(what) => Some(what),
        Verdict::NotFound => Some("паспорт не найден в реестре МВД".to_owned()),
    };
    let mut e = NewAuditEvent::system(now, "passport.registry_checked", Some(user.id));
    e.object = Some(format!("passport:{}", p.id));
    e.details = serde_json::json!({ "agrees": differs.is_none() });
    let mut fx = Effects::audit(e);
    if let Some(what) = &differs {
        fx.notices.push(NewNotice {
            user_id: user.id,
            at: now,
            kind: "passport".into(),
            title: "Сведения электронного паспорта расходятся с реестром МВД".into(),
            text: format!(
                "Электронный паспорт № {}: {what}. Что делать: сверьте паспортные данные в профиле Госуслуг; если они \
                 верны, обратитесь в подразделение МВД, а затем подайте заявление на услугу «Электронный паспорт» \
                 заново с верными данными.",
                p.number
            ),
            link: "/passport".into(),
            critical: true,
        });
    }
    if !store.mark_passport_checked(p.id, now - EVERY, now, &fx).await? {
        // A login at the same moment did it.
        return Ok(Found::Skipped);
    }
    Ok(differs.map_or(Found::Agrees, Found::Differs))
}

//! The registry of e-passports: issuing with its history, one record per application, at
//! most one valid per person (a new one annuls the old), annulment once, the annulled list.

use super::applications::stored_draft;
use crate::TestDb;
use sep_core::application::record::StoredFile;
use sep_core::passport::record::{AnnulReason, Passport, PassportStatus, StatusEntry};
use sep_core::store::Effects;
use time::Duration;
use time::macros::date;
use uuid::Uuid;

/// A valid record numbered `ЭП-2026-{n}` for `user`'s application `app`, issued at `at`, with
/// placeholder codes (stories, benchmarks and tests sign their own when they need them).
pub fn record(
    user: sep_core::ids::UserId,
    app: sep_core::application::record::ApplicationId,
    n: i64,
    at: time::OffsetDateTime,
) -> Passport {
    Passport {
        id: Uuid::now_v7(),
        number: format!("ЭП-2026-{n:06}"),
        user_id: user,
        application_id: app,
        inn: "500100732259".into(),
        passport_series: "4510".into(),
        passport_number: "123456".into(),
        last_name: "Иванов".into(),
        first_name: "Иван".into(),
        middle_name: None,
        birth_date: date!(1985 - 04 - 12),
        birth_place: "г. Москва".into(),
        citizenship: "RUS".into(),
        photo: StoredFile {
            file_name: "photo.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 1234,
            sha256: "ab".repeat(32),
        },
        issued_at: at,
        valid_until: at + Duration::days(3650),
        status: PassportStatus::Valid,
        code_es256: "SEP1:ES".into(),
        code_gost: "SEP1:GOST".into(),
    }
}

fn entry(p: &Passport, status: PassportStatus, reason: Option<AnnulReason>, at: time::OffsetDateTime) -> StatusEntry {
    StatusEntry { id: Uuid::now_v7(), passport_id: p.id, at, status, by: None, reason, comment: "—".into() }
}

/// The registry's whole life.
pub async fn lifecycle(db: &TestDb) {
    let s = db.store();
    let at = super::t0();
    let user = super::citizen(db, at).await;
    assert_eq!(s.next_passport_number(2026).await.unwrap(), 1);
    assert_eq!(s.next_passport_number(2026).await.unwrap(), 2);
    assert_eq!(s.next_passport_number(2027).await.unwrap(), 1, "numbered per year");
    let app1 = stored_draft(db, user, at).await;
    let first = record(user, app1, 1, at);
    let issued = entry(&first, PassportStatus::Valid, None, at);
    assert!(s.issue_passport(&first, &issued, None, &Effects::none()).await.unwrap());
    let twin = Passport { id: Uuid::now_v7(), number: "ЭП-2026-000009".into(), ..first.clone() };
    assert!(
        !s.issue_passport(&twin, &entry(&twin, PassportStatus::Valid, None, at), None, &Effects::none()).await.unwrap(),
        "one per application"
    );
    assert_eq!(s.find_passport(first.id).await.unwrap(), Some(first.clone()), "read back whole");
    assert_eq!(s.find_passport_by_application(app1).await.unwrap(), Some(first.clone()));
    assert_eq!(s.find_passport_by_number("ЭП-2026-000001").await.unwrap(), Some(first.clone()));
    assert!(s.find_passport_by_number("ЭП-2026-000404").await.unwrap().is_none());
    assert!(s.find_passport(twin.id).await.unwrap().is_none());

    // A second one annuls the first in the same transaction.
    let later = at + Duration::seconds(10);
    let app2 = stored_draft(db, user, at).await;
    let second = record(user, app2, 2, later);
    let reissued = entry(&first, PassportStatus::Annulled, Some(AnnulReason::Reissued), later);
    let without = record(user, stored_draft(db, user, at).await, 3, later);
    assert!(
        s.issue_passport(&without, &entry(&without, PassportStatus::Valid, None, later), None, &Effects::none())
            .await
            .is_err(),
        "two valid at once are refused"
    );
    assert!(
        s.issue_passport(
            &second,
            &entry(&second, PassportStatus::Valid, None, later),
            Some(&reissued),
            &Effects::none()
        )
        .await
        .unwrap()
    );
    let listed = s.list_passports_of_user(user).await.unwrap();
    assert_eq!(listed.iter().map(|p| p.id).collect::<Vec<_>>(), vec![second.id, first.id], "newest first");
    assert_eq!(listed[1].status, PassportStatus::Annulled);
    let history = s.passport_history(first.id).await.unwrap();
    assert_eq!(history, vec![issued, reissued.clone()]);
    assert_eq!(s.list_annulled_passports().await.unwrap(), vec![first.id]);

    // Annulment happens once.
    let mut lost = entry(&second, PassportStatus::Annulled, Some(AnnulReason::Lost), later + Duration::seconds(1));
    lost.by = Some(user);
    assert!(s.annul_passport(&lost, &Effects::none()).await.unwrap());
    assert!(
        !s.annul_passport(
            &entry(&second, PassportStatus::Annulled, Some(AnnulReason::CourtDecision), later),
            &Effects::none()
        )
        .await
        .unwrap()
    );
    assert_eq!(s.passport_history(second.id).await.unwrap().last(), Some(&lost));
    let mut annulled = s.list_annulled_passports().await.unwrap();
    annulled.sort();
    let mut want = vec![first.id, second.id];
    want.sort();
    assert_eq!(annulled, want);
    assert!(s.list_passports_of_user(super::citizen(db, at).await).await.unwrap().is_empty());

    // The daily check at login: marked once per period, whoever comes second finds it done.
    assert_eq!(s.passport_checked_at(second.id).await.unwrap(), None);
    let day = Duration::days(1);
    assert!(s.mark_passport_checked(second.id, at - day, at, &Effects::none()).await.unwrap());
    assert_eq!(s.passport_checked_at(second.id).await.unwrap(), Some(at));
    assert!(!s.mark_passport_checked(second.id, at - day, at + Duration::seconds(1), &Effects::none()).await.unwrap());
    let tomorrow = at + day + Duration::seconds(1);
    assert!(s.mark_passport_checked(second.id, tomorrow - day, tomorrow, &Effects::none()).await.unwrap());
    assert_eq!(s.passport_checked_at(Uuid::now_v7()).await.unwrap(), None);
}

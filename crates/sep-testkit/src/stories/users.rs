//! Users, profiles and provider links.

use super::{profile, t0};
use crate::TestDb;
use sep_core::StoreError;
use sep_core::audit::NewAuditEvent;
use sep_core::ids::UserId;
use sep_core::store::{Effects, NewUser};
use sep_core::user::{ExternalIdentity, Profile, Role};
use time::Duration;

fn link(user: UserId, subject: &str, at: time::OffsetDateTime) -> ExternalIdentity {
    ExternalIdentity { provider: "https://idp.example".into(), subject: subject.into(), user_id: user, linked_at: at }
}

/// Insert, read back, find by link, update, accept terms; unknown ids are `NotFound`.
pub async fn crud(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let id = UserId::new();
    let new = NewUser { id, role: Role::Citizen, profile: profile(), created_at: at };
    let fx = Effects::audit(NewAuditEvent::system(at, "user.created", Some(id)));
    s.insert_user(&new, Some(&link(id, "sub-1", at)), &fx).await.unwrap();

    let u = s.get_user(id).await.unwrap();
    assert_eq!(u.profile, profile());
    assert_eq!(u.role, Role::Citizen);
    assert_eq!((u.created_at, u.updated_at, u.terms_accepted.clone()), (at, at, None));
    assert_eq!(s.find_user_by_identity("https://idp.example", "sub-1").await.unwrap().map(|u| u.id), Some(id));
    assert!(s.find_user_by_identity("https://idp.example", "sub-2").await.unwrap().is_none());
    assert!(s.find_user_by_identity("https://other.example", "sub-1").await.unwrap().is_none());

    let later = at + Duration::minutes(5);
    let minimal = Profile { last_name: "Петрова".into(), first_name: "Мария".into(), ..Profile::default() };
    s.update_profile(id, &minimal, later, &Effects::none()).await.unwrap();
    let u = s.get_user(id).await.unwrap();
    assert_eq!(u.profile, minimal);
    assert_eq!(u.updated_at, later);

    s.update_terms_accepted(id, "2026-11", later, &Effects::none()).await.unwrap();
    assert_eq!(s.get_user(id).await.unwrap().terms_accepted, Some(("2026-11".into(), later)));

    let ids = s.list_identities(id).await.unwrap();
    assert_eq!(ids, vec![link(id, "sub-1", at)]);

    let ghost = UserId::new();
    assert!(matches!(s.get_user(ghost).await, Err(StoreError::NotFound)));
    assert!(matches!(s.update_profile(ghost, &minimal, later, &Effects::none()).await, Err(StoreError::NotFound)));
    assert!(matches!(s.update_terms_accepted(ghost, "v", later, &Effects::none()).await, Err(StoreError::NotFound)));
}

/// One provider account links to one user; a refused change leaves no trace, not even its
/// audit record (the effects share the transaction).
pub async fn links_are_unique_and_changes_atomic(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let a = UserId::new();
    s.insert_user(
        &NewUser { id: a, role: Role::Citizen, profile: profile(), created_at: at },
        Some(&link(a, "same", at)),
        &Effects::none(),
    )
    .await
    .unwrap();

    let b = UserId::new();
    let fx = Effects::audit(NewAuditEvent::system(at, "user.created", Some(b)));
    let err = s
        .insert_user(
            &NewUser { id: b, role: Role::Citizen, profile: profile(), created_at: at },
            Some(&link(b, "same", at)),
            &fx,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert!(matches!(s.get_user(b).await, Err(StoreError::NotFound)), "the user row must be rolled back");
    assert!(s.list_audit_for_user(b, None, 10).await.unwrap().is_empty(), "the audit record must be rolled back");

    let err = s.insert_identity(&link(a, "same", at), &Effects::none()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let err = s.insert_identity(&link(UserId::new(), "fresh", at), &Effects::none()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "a link to a missing user is refused: {err:?}");

    s.insert_identity(&link(a, "second", at + Duration::seconds(1)), &Effects::none()).await.unwrap();
    assert_eq!(s.list_identities(a).await.unwrap().len(), 2);
}

/// A pending contact change: stored conditionally, and confirmed together with the profile.
pub async fn contact_changes(db: &TestDb) {
    use sep_core::user::ContactChange;
    let s = db.store();
    let at = super::t0();
    let user = super::citizen(db, at).await;
    assert!(s.find_contact_change(user, "sms").await.unwrap().is_none());
    let first = ContactChange {
        user_id: user,
        channel: "sms".into(),
        value: "+79991112233".into(),
        code: sep_core::otp::CodeState::new("k", "123456", at, sep_core::otp::OtpPolicy::default()),
        sent: 1,
        created_at: at,
        confirmed_at: None,
    };
    s.upsert_contact_change(&first, None, None, &Effects::none()).await.unwrap();
    assert_eq!(s.find_contact_change(user, "sms").await.unwrap(), Some(first.clone()));
    assert!(
        matches!(s.upsert_contact_change(&first, None, None, &Effects::none()).await, Err(StoreError::Conflict { .. })),
        "a parallel first request loses"
    );
    let mut guess = first.clone();
    guess.code.tries_left -= 1;
    s.upsert_contact_change(&guess, Some(&first), None, &Effects::none()).await.unwrap();
    assert!(
        matches!(
            s.upsert_contact_change(&guess, Some(&first), None, &Effects::none()).await,
            Err(StoreError::Conflict { .. })
        ),
        "a write from a stale read is refused"
    );
    let mut done = guess.clone();
    done.code.spent = true;
    done.confirmed_at = Some(at + Duration::minutes(1));
    let mut profile = super::profile();
    profile.phone = Some(sep_core::ident::Phone::parse("+79991112233").unwrap());
    s.upsert_contact_change(&done, Some(&guess), Some(&profile), &Effects::none()).await.unwrap();
    let stored = s.get_user(user).await.unwrap();
    assert_eq!(stored.profile.phone.unwrap().to_string(), "+79991112233", "the profile changed with the confirmation");
    assert_eq!(stored.updated_at, at + Duration::minutes(1));
    assert!(s.find_contact_change(user, "email").await.unwrap().is_none(), "per channel");
}

/// A new user has the default settings; a change is stored whole, with its journal record;
/// an unknown user is `NotFound` and leaves no record.
pub async fn settings(db: &TestDb) {
    use sep_core::settings::{Channel, Importance, Kind, Settings};
    let s = db.store();
    let at = t0();
    let user = super::citizen(db, at).await;
    assert_eq!(s.get_user(user).await.unwrap().settings, Settings::default());

    let mut chosen = Settings { threshold: Importance::Critical, large_font: true, ..Settings::default() };
    chosen.set(Kind::News, Channel::Email, false);
    chosen.language = "en".into();
    let fx = Effects::audit(NewAuditEvent::system(at, "settings.changed", Some(user)));
    s.update_user_settings(user, &chosen, &fx).await.unwrap();
    let stored = s.get_user(user).await.unwrap();
    assert_eq!(stored.settings, chosen, "read back as written");
    assert_eq!(stored.profile, profile(), "the profile is untouched");
    let journal = s.list_audit_for_user(user, None, 10).await.unwrap();
    assert_eq!(journal.iter().map(|e| e.event.action.as_str()).collect::<Vec<_>>(), ["settings.changed"]);

    let ghost = UserId::new();
    let fx = Effects::audit(NewAuditEvent::system(at, "settings.changed", Some(ghost)));
    assert!(matches!(s.update_user_settings(ghost, &chosen, &fx).await, Err(StoreError::NotFound)));
    assert!(s.list_audit_for_user(ghost, None, 10).await.unwrap().is_empty(), "the record is rolled back");
}

/// A membership of the demo organisation as Госуслуги says it.
pub fn membership(chief: bool) -> sep_core::user::org::Membership {
    sep_core::user::org::Membership {
        org_oid: "2000001".into(),
        full_name: "Общество с ограниченной ответственностью «Ромашка»".into(),
        short_name: "ООО «Ромашка»".into(),
        inn: sep_core::ident::Inn::parse_organisation("7701000019").unwrap(),
        ogrn: sep_core::ident::Ogrn::parse("1027700000019").unwrap(),
        kpp: Some(sep_core::ident::Kpp::parse("770101001").unwrap()),
        position: if chief { "Генеральный директор" } else { "Бухгалтер" }.into(),
        chief,
        admin: chief,
    }
}

/// The organisations a user works for are replaced as a whole, read back as written (КПП
/// optional), kept apart per user; an empty list clears them.
pub async fn orgs(db: &TestDb) {
    let s = db.store();
    let at = t0();
    let (a, b) = (super::citizen(db, at).await, super::citizen(db, at).await);
    assert!(s.list_user_orgs(a).await.unwrap().is_empty());
    let mut other = membership(false);
    other.org_oid = "2000002".into();
    other.short_name = "АО «Берёзка»".into();
    other.inn = sep_core::ident::Inn::parse_organisation("7707329152").unwrap();
    other.kpp = None;
    s.replace_user_orgs(a, &[membership(true), other.clone()], at).await.unwrap();
    s.replace_user_orgs(b, &[membership(false)], at).await.unwrap();
    // Ordered by short name: «АО…» before «ООО…».
    assert_eq!(s.list_user_orgs(a).await.unwrap(), vec![other.clone(), membership(true)]);
    assert_eq!(s.list_user_orgs(b).await.unwrap(), vec![membership(false)]);
    // The next login says Ромашка only, and no longer as its head.
    s.replace_user_orgs(a, &[membership(false)], at + Duration::days(1)).await.unwrap();
    assert_eq!(s.list_user_orgs(a).await.unwrap(), vec![membership(false)]);
    s.replace_user_orgs(a, &[], at + Duration::days(2)).await.unwrap();
    assert!(s.list_user_orgs(a).await.unwrap().is_empty());
    assert_eq!(s.list_user_orgs(b).await.unwrap(), vec![membership(false)], "another user's are untouched");
}

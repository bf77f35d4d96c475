//! The demo data set in the portal's database. Idempotent: a second run adds nothing.

use sep_core::audit::NewAuditEvent;
use sep_core::clock::{Clock, SystemClock};
use sep_core::demo::PEOPLE;
use sep_core::ident::{Email, Inn, Phone, RuDate, Snils};
use sep_core::ids::UserId;
use sep_core::store::{Effects, NewUser, Store};
use sep_core::user::{ExternalIdentity, Profile, Role};

/// Seeds the staff among the demo people (applicants are created at their first login),
/// linked to their accounts at the identity provider `issuer`. Returns how many were added.
pub async fn run(store: &dyn Store, issuer: &str) -> anyhow::Result<usize> {
    let mut added = 0;
    for p in PEOPLE.iter().filter(|p| p.role != Role::Citizen) {
        if store.find_user_by_identity(issuer, p.subject).await?.is_some() {
            continue;
        }
        let now = SystemClock.now();
        let id = UserId::new();
        let profile = Profile {
            last_name: p.last_name.into(),
            first_name: p.first_name.into(),
            middle_name: Some(p.middle_name.into()),
            birth_date: Some(RuDate::parse(p.birth_date)?),
            snils: Some(Snils::parse(p.snils)?),
            inn: Some(Inn::parse_person(p.inn)?),
            phone: Some(Phone::parse(p.phone)?),
            email: Some(Email::parse(p.email)?),
            ..Profile::default()
        };
        let link = ExternalIdentity { provider: issuer.into(), subject: p.subject.into(), user_id: id, linked_at: now };
        let mut event = NewAuditEvent::system(now, "demo.user_seeded", Some(id));
        event.details = serde_json::json!({"role": p.role.code()});
        store
            .insert_user(&NewUser { id, role: p.role, profile, created_at: now }, Some(&link), &Effects::audit(event))
            .await?;
        if p.role == Role::Officer {
            store.update_user_agency(id, Some(sep_core::demo::OFFICER_AGENCY), &Effects::none()).await?;
        }
        added += 1;
    }
    Ok(added)
}

//! «Справки» (SPEC S1, S2, E3): certificates made from state registries. A person orders
//! one ([`place`]); the order gets its number at once and a job; the worker ([`make`]) reads
//! the registry, makes the PDF ([`sheet::Render`]), has the agency's system key sign it, and
//! files it in «Мои документы» as an issued document with its check link; a paper copy goes
//! by post ([`post`]). The kinds are data ([`kind`]).

pub mod error;
pub mod kind;
pub mod make;
pub mod order;
pub mod post;
pub mod records;
pub mod sheet;
pub mod store;

pub use error::{MakeFailure, OrderError, SpravkaError};
pub use kind::{Kind, Kinds, Who};
pub use order::{Order, OrderStatus, PostStatus};
pub use records::OrgHolder;

use crate::audit::Origin;
use crate::ident::RuDate;
use crate::job::{JobKind, NewJob};
use crate::store::{Effects, Store};
use crate::user::User;
use crate::user::org::Membership;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The purpose printed when the person gives none.
pub const DEFAULT_PURPOSE: &str = "для предоставления по месту требования";

/// Attempts of the job that makes a справка: with the back-off (30 s doubling) a registry
/// outage is retried for about a quarter of an hour before the order fails.
pub const MAKE_ATTEMPTS: i32 = 6;

/// The order form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderForm {
    /// The kind's code.
    pub kind: String,
    /// Period start `ДД.ММ.ГГГГ`.
    pub from: String,
    /// Period end `ДД.ММ.ГГГГ`.
    pub to: String,
    /// Purpose; empty for «для предоставления по месту требования».
    pub purpose: String,
    /// Also send it by e-mail (to the confirmed address).
    pub by_email: bool,
    /// Also send a paper copy by post.
    pub by_post: bool,
    /// The postal address.
    pub post_address: String,
    /// The form's one-time key.
    pub request_key: String,
    /// For whom: empty for the person themselves, else the ИНН of an organisation they head.
    pub org: String,
}

/// The order as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The period.
    pub period: Option<(Date, Date)>,
    /// The purpose.
    pub purpose: String,
    /// The e-mail address to send it to.
    pub email: Option<String>,
    /// The postal address.
    pub post_address: Option<String>,
    /// The organisation it is for.
    pub org: Option<OrgHolder>,
}

/// A new one-time key for an order form (32 hex digits).
pub fn request_key() -> String {
    crate::ids::random_bytes::<16>().map(hex::encode).unwrap_or_default()
}

/// Checks an order form for `user`, who works for `orgs` (as Госуслуги said at their last
/// login), on `today` (Moscow): every problem at once.
pub fn check(
    kind: Option<&Kind>,
    user: &User,
    orgs: &[Membership],
    form: &OrderForm,
    today: Date,
) -> Result<Checked, Vec<OrderError>> {
    let Some(kind) = kind else { return Err(vec![OrderError::KindUnknown]) };
    let mut problems = Vec::new();
    let org = match form.org.trim() {
        // Whether a person is a sole proprietor is not in the profile: a kind open only to
        // them is refused for now.
        "" => {
            if !kind.who.contains(&Who::Person) {
                problems.push(OrderError::KindNotAllowed);
            }
            None
        }
        inn => match orgs.iter().find(|m| m.inn.as_str() == inn) {
            None => {
                problems.push(OrderError::OrgUnknown);
                None
            }
            Some(m) => {
                if !kind.who.contains(&Who::Org) {
                    problems.push(OrderError::KindNotForOrg);
                } else if !m.may_act() {
                    problems.push(OrderError::OrgNotHead);
                }
                Some(OrgHolder::from(m))
            }
        },
    };
    let period = match kind.max_period_days {
        None => None,
        Some(max) => match (form.from.trim(), form.to.trim()) {
            ("", _) | (_, "") => {
                problems.push(OrderError::PeriodRequired);
                None
            }
            (a, b) => match (RuDate::parse(a), RuDate::parse(b)) {
                (Ok(a), Ok(b)) => {
                    let (a, b) = (a.date(), b.date());
                    if b > today || a > today {
                        problems.push(OrderError::PeriodFuture);
                    } else if a > b {
                        problems.push(OrderError::PeriodReversed);
                    } else if (b - a).whole_days() + 1 > i64::from(max) {
                        problems.push(OrderError::PeriodTooLong);
                    }
                    Some((a, b))
                }
                _ => {
                    problems.push(OrderError::PeriodInvalid);
                    None
                }
            },
        },
    };
    let purpose: String = form.purpose.trim().chars().filter(|c| !c.is_control()).collect();
    if purpose.chars().count() > 500 {
        problems.push(OrderError::PurposeTooLong);
    }
    let address: String = form.post_address.trim().chars().filter(|c| !c.is_control()).collect();
    if form.by_post && address.is_empty() {
        problems.push(OrderError::PostAddressMissing);
    }
    if form.by_post && address.chars().count() > 500 {
        problems.push(OrderError::PostAddressTooLong);
    }
    let email = user.profile.email.as_ref().map(|e| e.as_str().to_owned());
    if form.by_email && email.is_none() {
        problems.push(OrderError::EmailUnconfirmed);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Checked {
        period,
        purpose: if purpose.is_empty() { DEFAULT_PURPOSE.to_owned() } else { purpose },
        email: email.filter(|_| form.by_email),
        post_address: form.by_post.then_some(address),
        org,
    })
}

/// «Заказать справку»: checks the form, stores the order with its number and the job that
/// makes it. The same form sent twice (a double click, a retried request) is one order.
pub async fn place(
    store: &dyn Store,
    kinds: &Kinds,
    user: &User,
    form: &OrderForm,
    origin: &Origin,
    now: OffsetDateTime,
) -> Result<Order, SpravkaError> {
    let key: String = form.request_key.trim().chars().filter(char::is_ascii_alphanumeric).take(64).collect();
    if !key.is_empty()
        && let Some(same) = store.find_spravka_order_by_key(user.id, &key).await?
    {
        return Ok(same);
    }
    let kind = kinds.get(form.kind.trim());
    let orgs = if form.org.trim().is_empty() { vec![] } else { store.list_user_orgs(user.id).await? };
    let checked = check(kind, user, &orgs, form, crate::clock::moscow_day(now)).map_err(SpravkaError::Invalid)?;
    let kind = kind.ok_or(SpravkaError::Invalid(vec![OrderError::KindUnknown]))?;
    let key = if key.is_empty() { request_key() } else { key };
    let year = crate::clock::moscow_day(now).year();
    let seq = store.next_spravka_number(year).await?;
    let order = Order {
        id: Uuid::now_v7(),
        number: format!("S{year}-{seq:06}"),
        user_id: user.id,
        org: checked.org,
        kind: kind.code.clone(),
        period: checked.period,
        purpose: checked.purpose,
        email: checked.email,
        post_address: checked.post_address,
        request_key: key,
        status: OrderStatus::Accepted,
        error: None,
        document_id: None,
        tracking: None,
        post: None,
        created_at: now,
        updated_at: now,
    };
    let mut e = origin.event(now, "spravka.ordered", Some(user.id));
    e.object = Some(format!("spravka:{}", order.id));
    e.details = serde_json::json!({
        "number": order.number, "kind": order.kind, "email": order.email.is_some(), "post": order.post_address.is_some(),
        "org_inn": order.org.as_ref().map(|o| o.inn.clone()),
    });
    let mut job = NewJob::of(JobKind::MakeSpravka, serde_json::json!({ "order": order.id }), now);
    job.max_attempts = MAKE_ATTEMPTS;
    let fx = Effects { audit: vec![e], jobs: vec![job], notices: vec![] };
    match store.insert_spravka_order(&order, &fx).await {
        Ok(()) => Ok(order),
        // Two presses at once: the one stored first is the order.
        Err(crate::StoreError::Conflict { .. }) => {
            store.find_spravka_order_by_key(user.id, &order.request_key).await?.ok_or(SpravkaError::OrderUnknown)
        }
        Err(e) => Err(e.into()),
    }
}

/// The person's own order; somebody else's is unknown, as is a wrong id.
pub async fn own_order(store: &dyn Store, user: &User, id: Uuid) -> Result<Order, SpravkaError> {
    match store.find_spravka_order(id).await? {
        Some(o) if o.user_id == user.id => Ok(o),
        _ => Err(SpravkaError::OrderUnknown),
    }
}

/// An order with what it produced: the document, once ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderView {
    /// The order.
    pub order: Order,
    /// The issued справка.
    pub document: Option<crate::document::issued::IssuedDocument>,
}

/// The person's own order with its document; somebody else's is unknown.
pub async fn view(store: &dyn Store, user: &User, id: Uuid) -> Result<OrderView, SpravkaError> {
    let order = own_order(store, user, id).await?;
    let document = match order.document_id {
        Some(d) => store.list_issued_documents_of_user(user.id).await?.into_iter().find(|x| x.id == d),
        None => None,
    };
    Ok(OrderView { order, document })
}

/// The ready справка of the person's order and the agency's signature of it (DER).
pub async fn signed_file(
    store: &dyn Store,
    user: &User,
    id: Uuid,
) -> Result<(crate::document::issued::IssuedDocument, Vec<u8>), SpravkaError> {
    let v = view(store, user, id).await?;
    let d = v.document.ok_or(SpravkaError::OrderUnknown)?;
    let (_, der) = crate::document::issued::system_signature(store, &d).await?.ok_or(SpravkaError::OrderUnknown)?;
    Ok((d, der))
}

/// The справка with `number` issued by the officer's agency (others' are not found).
pub async fn find_for_officer(
    store: &dyn Store,
    officer: &User,
    number: &str,
) -> Result<Option<(crate::document::issued::IssuedDocument, Option<Order>)>, SpravkaError> {
    let Some(d) = store.find_issued_document(number.trim()).await? else { return Ok(None) };
    if officer.role != crate::user::Role::Officer || officer.agency.as_deref() != Some(d.agency.as_str()) {
        return Ok(None);
    }
    let order = match d.order_id {
        Some(o) => store.find_spravka_order(o).await?,
        None => None,
    };
    Ok(Some((d, order)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn user(email: bool) -> User {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let profile = crate::user::Profile {
            last_name: "Иванов".into(),
            first_name: "Иван".into(),
            email: email.then(|| crate::ident::Email::parse("ivanov@example.ru").unwrap()),
            ..Default::default()
        };
        User {
            id: crate::ids::UserId(Uuid::now_v7()),
            role: crate::user::Role::Citizen,
            profile,
            created_at: now,
            updated_at: now,
            terms_accepted: None,
            registered_at: None,
            agency: None,
            settings: crate::settings::Settings::default(),
        }
    }

    fn form(kind: &str, from: &str, to: &str) -> OrderForm {
        OrderForm { kind: kind.into(), from: from.into(), to: to.into(), ..OrderForm::default() }
    }

    #[test]
    fn a_period_is_checked_against_today_and_the_kinds_span() {
        let kinds = Kinds::load(None).unwrap();
        let income = kinds.get("income");
        let today = date!(2026 - 12 - 06);
        let u = user(true);
        let ok = check(income, &u, &[], &form("income", "01.01.2026", "30.11.2026"), today).unwrap();
        assert_eq!(ok.period, Some((date!(2026 - 01 - 01), date!(2026 - 11 - 30))));
        assert_eq!(ok.purpose, DEFAULT_PURPOSE);
        let err = |f: OrderForm| check(income, &u, &[], &f, today).unwrap_err();
        assert_eq!(err(form("income", "01.01.2026", "07.12.2026")), [OrderError::PeriodFuture]);
        assert_eq!(err(form("income", "01.06.2026", "01.01.2026")), [OrderError::PeriodReversed]);
        assert_eq!(err(form("income", "01.01.2020", "01.01.2026")), [OrderError::PeriodTooLong]);
        assert_eq!(err(form("income", "", "01.01.2026")), [OrderError::PeriodRequired]);
        assert_eq!(err(form("income", "31.02.2026", "01.03.2026")), [OrderError::PeriodInvalid]);
        assert_eq!(err(form("income", "2026-01-01", "01.03.2026")), [OrderError::PeriodInvalid]);
        // A kind without a period ignores what was typed there.
        assert_eq!(check(kinds.get("oms"), &u, &[], &form("oms", "x", "y"), today).unwrap().period, None);
        assert_eq!(check(None, &u, &[], &form("nope", "", ""), today).unwrap_err(), [OrderError::KindUnknown]);
    }

    #[test]
    fn delivery_needs_an_address_and_a_confirmed_email_and_all_problems_come_at_once() {
        let kinds = Kinds::load(None).unwrap();
        let today = date!(2026 - 12 - 06);
        let mut f = form("oms", "", "");
        f.by_post = true;
        f.by_email = true;
        f.purpose = "я".repeat(501);
        let e = check(kinds.get("oms"), &user(false), &[], &f, today).unwrap_err();
        assert_eq!(e, [OrderError::PurposeTooLong, OrderError::PostAddressMissing, OrderError::EmailUnconfirmed]);
        f.purpose = "в банк".into();
        f.post_address = " 101000, г. Москва, ул. Мясницкая, д. 1 ".into();
        let ok = check(kinds.get("oms"), &user(true), &[], &f, today).unwrap();
        assert_eq!(ok.post_address.as_deref(), Some("101000, г. Москва, ул. Мясницкая, д. 1"));
        assert!(ok.email.is_some());
        assert_eq!(ok.purpose, "в банк");
    }

    #[test]
    fn a_kind_closed_to_persons_is_refused() {
        let kinds = Kinds::load(None).unwrap();
        let mut org_only = kinds.get("oms").unwrap().clone();
        org_only.who = vec![Who::Org];
        let e = check(Some(&org_only), &user(true), &[], &form("oms", "", ""), date!(2026 - 12 - 06)).unwrap_err();
        assert_eq!(e, [OrderError::KindNotAllowed]);
    }

    fn member(chief: bool) -> Membership {
        Membership {
            org_oid: "2000001".into(),
            full_name: "Общество с ограниченной ответственностью «Ромашка»".into(),
            short_name: "ООО «Ромашка»".into(),
            inn: crate::ident::Inn::parse_organisation("7701000019").unwrap(),
            ogrn: crate::ident::Ogrn::parse("1027700000019").unwrap(),
            kpp: None,
            position: String::new(),
            chief,
            admin: false,
        }
    }

    #[test]
    fn only_the_head_orders_for_an_organisation_and_only_kinds_it_may_have() {
        let kinds = Kinds::load(None).unwrap();
        let today = date!(2026 - 12 - 06);
        let tax = kinds.get("tax_status");
        let mut f = form("tax_status", "", "");
        f.org = " 7701000019 ".into();
        let ok = check(tax, &user(true), &[member(true)], &f, today).unwrap();
        assert_eq!(ok.org.map(|o| o.short_name), Some("ООО «Ромашка»".into()));
        assert_eq!(check(tax, &user(true), &[member(false)], &f, today).unwrap_err(), [OrderError::OrgNotHead]);
        assert_eq!(check(tax, &user(true), &[], &f, today).unwrap_err(), [OrderError::OrgUnknown]);
        f.org = "7707329152".into();
        assert_eq!(check(tax, &user(true), &[member(true)], &f, today).unwrap_err(), [OrderError::OrgUnknown]);
        // A person's own record is not issued to an organisation.
        let mut oms = form("oms", "", "");
        oms.org = "7701000019".into();
        let e = check(kinds.get("oms"), &user(true), &[member(true)], &oms, today).unwrap_err();
        assert_eq!(e, [OrderError::KindNotForOrg]);
    }

    proptest::proptest! {
        /// Whatever is typed, a checked period is never in the future, never reversed and
        /// never longer than the kind allows.
        #[test]
        fn a_checked_period_keeps_its_rules(a in 0i64..4000, b in 0i64..4000) {
            let kinds = Kinds::load(None).unwrap();
            let today = date!(2026 - 12 - 06);
            let base = date!(2016 - 01 - 01);
            let fmt = |d: Date| format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year());
            let (from, to) = (base + time::Duration::days(a), base + time::Duration::days(b));
            if let Ok(c) = check(kinds.get("income"), &user(true), &[], &form("income", &fmt(from), &fmt(to)), today) {
                let (x, y) = c.period.unwrap();
                proptest::prop_assert!(x <= y && y <= today && (y - x).whole_days() < 1096);
            }
        }
    }
}

//! Lists of applications (SPEC A3, C2): the queue of an agency — sent applications of its
//! services that the officer may open, filtered, nearest deadline first — and a person's own
//! applications, filtered by status and sorted.

use super::access::agency_sees;
use super::record::Application;
use super::status::Status;
use crate::StoreError;
use crate::catalogue::Catalogue;
use crate::store::Store;
use crate::user::User;
use time::Date;

/// Open and past its expected date.
pub fn overdue(app: &Application, today: Date) -> bool {
    matches!(app.status, Status::Created | Status::UnderReview) && app.due_on.is_some_and(|d| d < today)
}

/// What the queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this service (its code); empty for all.
    pub service: String,
    /// Only overdue ones.
    pub overdue: bool,
}

/// The queue of `officer` at `agency`: what they may open, filtered, nearest deadline first;
/// and how many they may open in all.
pub async fn agency_queue(
    store: &dyn Store,
    catalogue: &Catalogue,
    officer: &User,
    agency: &str,
    filter: &QueueFilter,
    today: Date,
) -> Result<(Vec<Application>, usize), StoreError> {
    let codes: Vec<String> =
        catalogue.search("").into_iter().filter(|svc| svc.agency == agency).map(|svc| svc.code.clone()).collect();
    let mut apps = store.list_applications_for_services(&codes).await?;
    // The same rule as for opening one (not their own, among others).
    apps.retain(|a| catalogue.get(&a.service).is_some_and(|svc| agency_sees(officer, a, svc)));
    let total = apps.len();
    apps.retain(|a| {
        filter.status.is_none_or(|st| a.status == st)
            && (filter.service.is_empty() || a.service == filter.service)
            && (!filter.overdue || overdue(a, today))
    });
    // Nearest deadline first; those without one (never happens once sent) last.
    apps.sort_by_key(|a| (a.status.is_final(), a.due_on.is_none(), a.due_on, a.id.0));
    Ok((apps, total))
}

/// How a person's list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Last changed first.
    #[default]
    Newest,
    /// Last changed last.
    Oldest,
    /// Open deadlines first, nearest first; those without one last.
    Due,
}

impl Order {
    /// From the address (`new`, `old`, `due`); anything else is the default, since it comes
    /// from a bookmark.
    pub fn from_code(code: &str) -> Self {
        match code {
            "old" => Self::Oldest,
            "due" => Self::Due,
            _ => Self::Newest,
        }
    }

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Newest => "new",
            Self::Oldest => "old",
            Self::Due => "due",
        }
    }
}

/// `user`'s applications with `status` (all when `None`) in `order`, and how many they have.
pub async fn mine(
    store: &dyn Store,
    user: &User,
    status: Option<Status>,
    order: Order,
) -> Result<(Vec<Application>, usize), StoreError> {
    let mut apps = store.list_applications_for_user(user.id).await?;
    let total = apps.len();
    if let Some(st) = status {
        apps.retain(|a| a.status == st);
    }
    match order {
        Order::Oldest => apps.sort_by_key(|a| (a.updated_at, a.id.0)),
        Order::Due => apps.sort_by_key(|a| (a.due_on.is_none(), a.due_on, a.id.0)),
        Order::Newest => apps.sort_by_key(|a| std::cmp::Reverse((a.updated_at, a.id.0))),
    }
    Ok((apps, total))
}

/// `user`'s application `id`; another's is not found, exactly as one that does not exist.
pub async fn own(store: &dyn Store, user: &User, id: super::record::ApplicationId) -> Result<Application, StoreError> {
    match store.get_application(id).await {
        Ok(app) if app.user_id == user.id => Ok(app),
        Ok(_) => Err(StoreError::NotFound),
        Err(e) => Err(e),
    }
}

//! Who may see an application (SEC2): its applicant, and — once it is sent — the officers of
//! the agency responsible for its service, never for their own application. Everyone else is
//! told it does not exist.

use super::record::Application;
use super::status::Status;
use crate::catalogue::Service;
use crate::user::{Role, User};

/// The agency `user` works for as an officer; `None` for anyone who is not an officer of one.
pub fn officer_agency(user: &User) -> Option<&str> {
    (user.role == Role::Officer).then_some(user.agency.as_deref()).flatten()
}

/// Whether `user` sees `app` (of `service`) as an officer of the service's agency.
pub fn agency_sees(user: &User, app: &Application, service: &Service) -> bool {
    officer_agency(user) == Some(service.agency.as_str())
        // Nobody reviews their own application; drafts are the applicant's alone.
        && app.status != Status::Draft
        && app.user_id != user.id
}

/// Who is looking at an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Its applicant.
    Applicant,
    /// An officer of the responsible agency.
    Officer,
}

/// How `user` sees `app`, if at all.
pub fn viewer(user: &User, app: &Application, service: &Service) -> Option<Viewer> {
    if app.user_id == user.id {
        Some(Viewer::Applicant)
    } else if agency_sees(user, app, service) {
        Some(Viewer::Officer)
    } else {
        None
    }
}

/// Whether `user`, seeing `app` as `viewer`, may open a file of `document`: the applicant
/// always; an officer too, except biometric data, which only the officer in charge opens.
pub fn may_open(viewer: Viewer, user: &User, app: &Application, document: Option<&crate::catalogue::Document>) -> bool {
    match viewer {
        Viewer::Applicant => true,
        Viewer::Officer => !document.is_some_and(|d| d.biometric) || app.assignee == Some(user.id),
    }
}

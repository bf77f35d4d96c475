//! `GET /`: the signed-in person's data, or the way to the login.

use super::cookies::{self, SESSION};
use super::{IdpState, render};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use sep_web::Problem;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    full_name: String,
    level: &'static str,
    phone: String,
    email: String,
    snils: String,
    orgs: Vec<String>,
}

/// `GET /`.
pub(crate) async fn page(State(s): State<IdpState>, jar: CookieJar) -> Response {
    let Some(t) = cookies::token(&jar, SESSION, s.secure_cookies) else {
        return Redirect::to("/login").into_response();
    };
    let (_, account) = match s.login.session(&t).await {
        Ok(Some(found)) => found,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "session lookup failed");
            return Problem::internal().into_response();
        }
    };
    let orgs = match s.store.list_memberships(account.oid).await {
        Ok(list) => list.into_iter().map(|(m, o)| format!("{} — {}", o.short_name, m.position)).collect(),
        Err(e) => {
            tracing::error!(error = %e, "memberships lookup failed");
            return Problem::internal().into_response();
        }
    };
    let p = &account.profile;
    let none = || "не указан".to_owned();
    render(&ProfilePage {
        full_name: p.full_name(),
        level: account.level.title(),
        phone: p.phone.as_ref().map_or_else(none, sep_core::ident::Phone::display_form),
        email: p.email.as_ref().map_or_else(none, ToString::to_string),
        snils: p.snils.as_ref().map_or_else(none, ToString::to_string),
        orgs,
    })
}

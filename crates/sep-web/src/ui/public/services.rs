//! The service catalogue with search (SPEC A1), readable without login.

use crate::AppState;
use crate::error::{Page, WebError};
use crate::ui::components::render;
use askama::Template;
use axum::extract::{Path, Query, State};
use sep_core::catalogue::{ApplicantType, Document, Service};
use serde::Deserialize;

struct Item {
    code: String,
    title: String,
    agency: String,
    days: String,
}

#[derive(Template)]
#[template(path = "public/services.html")]
struct ListPage {
    query: String,
    services: Vec<Item>,
}

#[derive(Template)]
#[template(path = "public/service.html")]
struct ServicePage {
    code: String,
    csrf: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    title: String,
    description: String,
    agency: String,
    applicants: String,
    days: String,
    documents: Vec<String>,
}

/// "5 рабочих дней" or "5–10 рабочих дней", in the right grammatical form.
fn days(s: &Service) -> String {
    let (min, max) =
        (s.norm_days.values().min().copied().unwrap_or(0), s.norm_days.values().max().copied().unwrap_or(0));
    let word = |n: u32| {
        let ru = match (n % 10, n % 100) {
            (1, x) if x != 11 => "рабочий день",
            (2..=4, x) if !(12..=14).contains(&x) => "рабочих дня",
            _ => "рабочих дней",
        };
        // English has one plural: "21 working days", where Russian says "21 рабочий день".
        if crate::i18n::current() == crate::i18n::Lang::En && n != 1 {
            crate::i18n::tr("рабочих дней")
        } else {
            crate::i18n::tr(ru)
        }
    };
    if min == max { format!("{min} {}", word(min)) } else { format!("{min}–{max} {}", word(max)) }
}

#[derive(Deserialize)]
pub(crate) struct Search {
    #[serde(default)]
    q: String,
}

/// `GET /services?q=…`.
pub(crate) async fn list(State(s): State<AppState>, ctx: crate::extract::Ctx, Query(q): Query<Search>) -> Page {
    if !q.q.trim().is_empty()
        && let Err(wait) = s.throttles.searches.check(&ctx.client.ip)
    {
        return Err(sep_http::Problem::rate_limited(wait).into());
    }
    let query: String = q.q.chars().take(200).collect();
    let services = s
        .catalogue
        .search(&query)
        .into_iter()
        .map(|svc| Item {
            code: svc.code.clone(),
            title: crate::i18n::tr_dyn(&svc.title),
            agency: crate::i18n::tr_dyn(&svc.agency),
            days: days(svc),
        })
        .collect();
    render(&ListPage { query, services })
}

/// A document the service asks for, in one line: what, formats, size, who.
fn document_line(d: &Document) -> String {
    let formats: Vec<&str> = d.formats.iter().map(|f| f.label()).collect();
    let who: Vec<&str> = d.applicants.iter().map(|a| crate::i18n::tr(a.title())).collect();
    let size = crate::i18n::tr_dyn(&format!("до {} МБ", d.max_mb));
    let title = crate::i18n::tr_dyn(&d.title);
    format!("{title} — {}, {size} ({})", formats.join(", "), who.join(", ").to_lowercase())
}

/// `GET /services/{code}`.
pub(crate) async fn show(
    State(s): State<AppState>,
    user: crate::session::CurrentUser,
    Path(code): Path<String>,
) -> Page {
    let Some(svc) = s.catalogue.get(&code) else { return Err(WebError::not_found()) };
    let documents = svc.documents.iter().map(document_line).collect();
    let csrf = user.0.filter(|(_, u)| u.terms_accepted.is_some()).map(|(session, _)| session.csrf_secret);
    let kinds = svc
        .applicants
        .iter()
        .map(|a| (sep_core::application::record::applicant_code(*a), crate::i18n::tr(a.title())))
        .collect();
    render(&ServicePage {
        code: svc.code.clone(),
        csrf,
        kinds,
        title: crate::i18n::tr_dyn(&svc.title),
        description: crate::i18n::tr_dyn(&svc.description),
        agency: crate::i18n::tr_dyn(&svc.agency),
        applicants: svc
            .applicants
            .iter()
            .map(|a: &ApplicantType| crate::i18n::tr(a.title()))
            .collect::<Vec<_>>()
            .join(", "),
        days: days(svc),
        documents,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_are_worded_in_russian() {
        let mut s = sep_core::catalogue::Catalogue::load(None).unwrap().get("registration").unwrap().clone();
        assert_eq!(super::days(&s), "5–10 рабочих дней");
        s.norm_days = [(sep_core::catalogue::ApplicantType::Person, 1)].into();
        assert_eq!(super::days(&s), "1 рабочий день");
        s.norm_days = [(sep_core::catalogue::ApplicantType::Person, 3)].into();
        assert_eq!(super::days(&s), "3 рабочих дня");
    }
}
